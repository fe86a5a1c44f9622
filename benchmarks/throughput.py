"""Corpus throughput: the pipeline against its entity stage, and every way of scaling it out, in one run.

Builds a corpus of at least ``--mb`` MB by repeating the seed articles with light variations
(paragraphs rotated, numbers shifted, some copies in traditional script or GB18030), then:

* **scale-out**, each mode a fresh ``cnnlp process CORPUS -o OUT.jsonl`` child, timed from
  start to exit (interpreter, imports and model loading included, as a user waits for it):

  - ``single process`` (``--workers 1``): the baseline of every ratio, one process as a user
    runs it (the models' batches on all the cores the process may use);
  - ``one core``: the same pinned to one core (``sched_setaffinity``), for reference;
  - ``--workers 2`` as a user runs it: worker processes or batch threads, whichever
    ``corpus.runner.plan_workers`` measures to be faster when it starts (free cores), and
    either forced (``CNNLP_WORKERS_PLAN``): 2 processes with one model thread each, and one
    process running two batches at a time in threads (its model on both cores);
  - ``cnnlp process`` with no options (``--workers auto``, the default);
  - ``--engine dask --workers 2``: a two-worker ``LocalCluster``.

  Beside each: the load average just before each of its runs (the other tenants, plus the
  tail of our previous child), and what the plan chose.

* **profile**, in one process with the models loaded: where the time of the default pipeline
  goes (reading, decoding, each stage, offsets, serialization, writing; garbage collection
  apart; the entity model's pass, which the segment stage makes and the entity stage reads
  back, apart from both, and within it what only LAC's words cost), and the entity stage
  alone exactly as the pipeline runs it: the texts its entity stage was given (repaired,
  converted), in the same batches, on the same model and threads.  The pipeline's chars/s
  over the entity stage's alone is the share of the work that is the model (target ≥ 0.8):
  one batch at a time (``--workers 1``), and two batches at a time in threads (what ``auto``
  runs in one process) against the entity stage two batches at a time.

* **memory**: peak RSS of the single process on a ``--small-mb`` corpus (3 MB: past the ~1 M
  characters the entity model keeps tagged, a bounded cache) and on the full one (target:
  flat, < 10 % growth).

Each mode and the profile run ``--repeat`` times (default 3), interleaved, so that a burst of
load from the machine's other tenants hits every mode alike; figures are medians, and each
ratio's range is over the rounds, each round's ratio against the same round's baseline.
Usage::

    nice -n 10 .venv/bin/python benchmarks/throughput.py [--mb 5] [--repeat 3] [--skip-dask] [--modes ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


SHARED = REPO.parent / "shared"
# News text no rule was written against, each line a paragraph or a sentence, in reading order:
# People's Daily (PKU, MSR, MSRA NER), and traditional text from Taiwan (AS) and Hong Kong (CityU).
NEWS_SOURCES = (
    ("data/icwb2/testing/pku_test.utf8", "lines"),
    ("data/icwb2/testing/msr_test.utf8", "lines"),
    ("data/icwb2/testing/as_test.utf8", "fragments"),
    ("data/icwb2/testing/cityu_test.utf8", "lines"),
    ("data/msra/train.jsonl", "jsonl"),
)
SITE_LINES = ("首页 | 新闻 | 财经 | 体育 | 娱乐 | 科技", "责任编辑：王明", "版权所有 © 2024 某某网 未经授权禁止转载",
              "相关新闻", "分享到：微信 微博 QQ空间")  # fmt: skip


def news_paragraphs(shared: Path) -> list[str]:
    """Every paragraph of the shared news text, in order (AS's clause-per-line text joined into sentences)."""
    out: list[str] = []
    for name, kind in NEWS_SOURCES:
        path = shared / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig") as fh:
            lines = [json.loads(line)["text"] if kind == "jsonl" else line.strip() for line in fh]
        lines = [line for line in lines if line]
        if kind == "lines":
            out += lines
            continue
        sentence = ""  # "fragments" and "jsonl": sentences, three to a paragraph
        paragraph: list[str] = []
        for line in lines:
            sentence += line
            if sentence.endswith(("。", "！", "？", "」")) or len(sentence) > 200:
                paragraph.append(sentence)
                sentence = ""
                if len(paragraph) == 3:
                    out.append("".join(paragraph))
                    paragraph = []
    return out


def build_corpus(folder: Path, min_bytes: int, seed: int = 0, shared: Path = SHARED) -> tuple[int, int]:
    """Articles of unique news paragraphs (no paragraph twice: a model's cache of recent paragraphs
    would make a repeated one free), 4 to 30 paragraphs each, until ``min_bytes``; one in three
    framed as a scraped page (site navigation, dateline, editor, copyright), one in five in
    GB18030, one in seven in Big5 when it is traditional text Big5 encodes whole; the five seed pages (their damage:
    mojibake, content-farm characters) first.  Returns (files, bytes)."""
    rng = random.Random(seed)
    paragraphs = news_paragraphs(shared)
    if not paragraphs:
        raise SystemExit(f"the shared news text is not at {shared}: it makes the corpus")
    folder.mkdir(parents=True, exist_ok=True)
    total = files = 0
    for path in sorted((REPO / "seeds").glob("*.txt")):
        data = path.read_bytes()
        (folder / f"seed_{path.name}").write_bytes(data)
        total, files = total + len(data), files + 1
    at = 0
    while total < min_bytes:
        if at >= len(paragraphs):
            raise SystemExit(f"not enough unique news text for {min_bytes / 1e6:.1f} MB (at {total / 1e6:.1f} MB)")
        n = rng.randint(4, 30)
        body, at = paragraphs[at : at + n], at + n
        if files % 3 == 0:
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
            body = [SITE_LINES[0], body[0], f"{day}  来源：某某日报", *body[1:], SITE_LINES[1], SITE_LINES[3],
                    *SITE_LINES[2::2]]  # fmt: skip
        text = "\n".join(body) + "\n"
        encoding = "utf-8"
        if files % 5 == 2:
            encoding = "gb18030"
        elif files % 7 == 3 and _encodes(text, "big5") and not _encodes(text, "gb2312"):
            encoding = "big5"  # traditional text Big5 holds whole (simplified text would be '?' holes)
        data = text.encode(encoding)
        (folder / f"{files:05d}.txt").write_bytes(data)
        total, files = total + len(data), files + 1
    return files, total


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# -- scale-out: the command line, as a user runs it -------------------------------------------
def run_cli(corpus: Path, output: Path, options: list[str], one_core: bool = False, plan: str = "") -> dict:
    """One ``cnnlp process`` child: wall seconds, its summary, its peak RSS (MiB), and the load
    average just before it started (the machine's other tenants, and our previous child's tail)."""
    summary = output.with_name(output.name + ".summary.json")
    command = [sys.executable, "-m", "chinese_news_nlp.cli", "process", str(corpus), "-o", str(output), "-q"]
    command += [*options, "--summary-json", str(summary)]
    core = min(os.sched_getaffinity(0))
    env = dict(os.environ)
    env.pop("CNNLP_WORKERS_PLAN", None)
    if plan:
        env["CNNLP_WORKERS_PLAN"] = plan  # processes or threads, whatever the machine's load says
    load = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        preexec_fn=(lambda: os.sched_setaffinity(0, {core})) if one_core else None,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode not in (0, 1):
        raise SystemExit(f"cnnlp process {' '.join(options)} failed ({child.returncode}):\n{stderr[-3000:]}")
    data = json.loads(summary.read_text(encoding="utf-8"))
    return {"seconds": seconds, "chars": data["chars"], "docs": data["documents"], "errors": data["errors"],
            "rss_mib": usage.ru_maxrss / 1024, "load": load, "plan": data.get("plan", "")}  # fmt: skip


# -- profile: where one process's time goes -----------------------------------------------------
def profile(corpus: str, stages: list[str], rounds: int, batch_size: int = 16) -> dict:
    """In this process: ``rounds`` passes of the pipeline over ``corpus`` (reading to writing, each
    part timed) interleaved with passes of the entity stage alone over the same documents."""
    import gc
    from collections import defaultdict

    from chinese_news_nlp.corpus.readers import iter_records
    from chinese_news_nlp.corpus.records import encode
    from chinese_news_nlp.corpus.worker import RunConfig, freeze_loaded, get_pipeline, threaded_batches, warm_up
    from chinese_news_nlp.doc import Doc
    from chinese_news_nlp.pipeline import batched, load

    nlp = load(stages)
    entities = load(["entities"])
    warm_up(nlp)
    warm_up(entities)
    freeze_loaded()  # as the command line does once its models are loaded
    gc_seconds = [0.0]
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_seconds[0] += time.perf_counter() - gc_started[0]

    class Clocked:
        """A stage whose calls add up to ``clock[name]``, less the time of the model's calls in them
        (:func:`exclusive`); the entity stage's calls also keep the texts and batches it was given."""

        def __init__(self, stage, clock, batches=None):
            self.stage, self.name, self.clock, self.batches = stage, stage.name, clock, batches
            if hasattr(stage, "pipe"):
                self.pipe = self._pipe

        def __call__(self, doc):
            if self.batches is not None:
                self.batches.append([doc.text])
            with exclusive(self.clock, self.name):
                return self.stage(doc)

        def _pipe(self, docs):
            if self.batches is not None:
                self.batches.append([d.text for d in docs])
            with exclusive(self.clock, self.name):
                return list(self.stage.pipe(docs))

    stages_as_built = list(nlp.stages)
    out_path = Path(tempfile.mkdtemp(prefix="cnnlp-profile-")) / "out.jsonl"
    passes, alone, threaded, alone_threaded = [], [], [], []
    run = RunConfig(stages=tuple(stages), timeout=120.0)  # as cnnlp process runs it
    get_pipeline(run)
    gc.callbacks.append(on_gc)
    clock: dict[str, float] = defaultdict(float)
    model_clocks(clock)  # the entity model's pass, and the part of it only LAC's words need
    for _ in range(rounds):
        forget_tagged()
        clock.clear()
        entity_batches: list[list[str]] = []
        nlp.stages = [Clocked(s, clock, entity_batches if s.name == "entities" else None) for s in stages_as_built]
        nlp.make_doc = clocked_call(type(nlp).make_doc.__get__(nlp), clock, "decode")
        nlp._finish = clocked_call(type(nlp)._finish.__get__(nlp), clock, "offsets")
        gc_seconds[0] = 0.0
        chars = 0
        started = time.perf_counter()
        with open(out_path, "w", encoding="utf-8") as fh:
            records = iter_records([corpus])
            while True:
                t = time.perf_counter()
                batch = list(next(batched(records, batch_size), []))
                clock["reading"] += time.perf_counter() - t
                if not batch:
                    break
                for doc in nlp._run_batch(batch):
                    t = time.perf_counter()
                    line = encode(doc, "jsonl")
                    t2 = time.perf_counter()
                    fh.write(line + "\n")
                    clock["writing"] += time.perf_counter() - t2
                    clock["serialization"] += t2 - t
                    chars += len(doc.raw)
        total = time.perf_counter() - started
        passes.append({"seconds": total, "chars": chars, "parts": dict(clock), "gc": gc_seconds[0]})
        nlp.stages = stages_as_built

        # the same pipeline two batches at a time, in threads of this process (what auto runs on
        # a small input or a busy machine), reading to writing
        forget_tagged()
        chars_threaded = 0
        started = time.perf_counter()
        with open(out_path, "w", encoding="utf-8") as fh:
            for results in threaded_batches(run, batched(iter_records([corpus]), batch_size), 2):
                for payload, stats in results:
                    fh.write(payload + "\n")
                    chars_threaded += stats["chars"]
        threaded.append({"seconds": time.perf_counter() - started, "chars": chars_threaded})

        # The entity stage alone, exactly as the pipeline ran it: the same texts (repaired,
        # converted: what reached the stage), in the same batches, one call per batch as
        # Pipeline._run_stage makes it, on the same model (its threads), its cache emptied
        # first; then two batches at a time in threads, beside the threaded pipeline.  Chars/s
        # count the same documents' raw characters as the pipeline's.
        stage = entities.stages[0]
        for out, threads in ((alone, 1), (alone_threaded, 2)):
            docs = [[Doc(raw=text) for text in texts] for texts in entity_batches]
            forget_tagged()
            started = time.perf_counter()
            run_entity_stage(stage, docs, threads)
            out.append({"seconds": time.perf_counter() - started, "chars": chars})
    gc.callbacks.remove(on_gc)
    return {"passes": passes, "alone": alone, "threaded": threaded, "alone_threaded": alone_threaded}


def run_entity_stage(stage, batches: list[list], threads: int) -> None:
    """The entity stage over ``batches`` as the pipeline calls it (``pipe`` for a batch of two or
    more, the stage itself for one), one batch at a time or ``threads`` at a time."""

    def one(docs):
        return list(stage.pipe(docs)) if len(docs) > 1 else [stage(docs[0])]

    if threads <= 1:
        for docs in batches:
            one(docs)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as executor:
        list(executor.map(one, batches))


# Which clock is running in this thread, so that a clocked call inside another (the model's pass
# inside the segment stage, LAC's word decoding inside the model's pass) counts for itself only.
_RUNNING = threading.local()


@contextmanager
def exclusive(clock: dict[str, float], key: str):
    """Add the time of the block to ``clock[key]``, less the time of clocked blocks inside it."""
    outer = getattr(_RUNNING, "stack", None)
    if outer is None:
        outer = _RUNNING.stack = []
    outer.append(0.0)  # the time of the blocks nested in this one
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        nested = outer.pop()
        clock[key] += elapsed - nested
        if outer:
            outer[-1] += elapsed


def model_clocks(clock: dict[str, float]) -> None:
    """Clock the entity model's pass (``EntityModel.tag``: the segment stage makes it, the entity
    stage reads it back) as "entity model", and within it what only LAC's words cost (their
    Viterbi and word lists: the entity stage alone skips them) as "LAC words"."""
    from chinese_news_nlp import lac
    from chinese_news_nlp.entities.model import get_model

    model = get_model()
    model.tag = clocked_call(model.tag, clock, "entity model")
    model.encoder.words = clocked_call(model.encoder.words, clock, "LAC words")
    for name in ("viterbi_batch", "viterbi_small"):  # in lac.py, called on LAC's emissions only
        setattr(lac, name, clocked_call(getattr(lac, name), clock, "LAC words"))


def clocked_call(function, clock: dict[str, float], key: str):
    def run(*args, **kwargs):
        with exclusive(clock, key):
            return function(*args, **kwargs)

    return run


def forget_tagged() -> None:
    """Empty the entity model's cache of recently tagged paragraphs: each pass starts without them."""
    from chinese_news_nlp.entities.model import loaded_model

    model = loaded_model()
    if model is not None:
        model.forget()


def run_profile(corpus: Path, stages: str, rounds: int) -> dict:
    spec = json.dumps({"corpus": str(corpus), "stages": stages.split(","), "rounds": rounds})
    done = subprocess.run([sys.executable, __file__, "--profile-child", spec], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"profile failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ---------------------------------------------------------------------------------
MODES = {
    # name: (cnnlp process options, pinned to one core, forced plan, target ratio to the single process)
    "single process": (["--workers", "1"], False, "", None),
    "one core": (["--workers", "1"], True, "", None),
    "--workers 2": (["--workers", "2"], False, "", 1.5),
    "  2 processes": (["--workers", "2"], False, "processes", None),
    "  2 batch threads": (["--workers", "2"], False, "threads", None),
    "no options (auto)": ([], False, "", 1.0),
    "dask 2 workers": (["--engine", "dask", "--workers", "2"], False, "", 1.3),
}
# Run only when named in --modes (each costs --repeat more runs): the two ways of --workers 2 forced.
FORCED_MODES = ("2 processes", "2 batch threads")


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def report_modes(seconds: dict[str, list[float]], results: dict[str, list[dict]]) -> None:
    chars = results["single process"][-1]["chars"]
    median = statistics.median
    base = seconds["single process"]
    print(f"{'mode':<20}{'docs':>6}{'errors':>7}{'chars/s':>10}{'× single':>10}{'range':>12}{'RSS MiB':>9}"
          f"{'load':>11}  target; what it ran")  # fmt: skip
    for name, runs in seconds.items():
        result = results[name][-1]
        ratios = [b / s for b, s in zip(base, runs)]  # each round against its own baseline
        target = MODES[name][3]
        verdict = "" if target is None else f"≥ {target}× " + ("met" if median(ratios) >= target else "MISSED") + "; "
        loads = spread([r["load"] for r in results[name]])
        plans = "; ".join(dict.fromkeys(r["plan"] for r in results[name] if r["plan"]))
        print(
            f"{name:<20}{result['docs']:>6}{result['errors']:>7}{chars / median(runs):>10,.0f}"
            f"{median(ratios):>9.2f}×{spread(ratios):>12}{result['rss_mib']:>9,.0f}{loads:>11}  {verdict}{plans}"
        )


PARTS = ("reading", "decode", "repair", "convert", "zones", "segment", "entity model", "LAC words", "entities",
         "facts", "offsets", "serialization", "writing")  # fmt: skip
# What each part is, where its name does not say it.
PART_NOTES = {
    "segment": "the stage's own work: jieba's edits, tokens",
    "entity model": "the model's pass, made by the segment stage, read back by the entity stage",
    "LAC words": "the part of that pass only the segment stage needs: LAC's Viterbi, word lists",
    "entities": "the stage's own work: candidates, policy, refinement, officials",
}


def report_profile(prof: dict) -> None:
    passes, alone = prof["passes"], prof["alone"]
    median = statistics.median
    totals = [p["seconds"] for p in passes]
    print(f"\nwhere one process's time goes (models loaded; medians of {len(passes)} passes):")
    keys = [k for k in PARTS if any(k in p["parts"] for p in passes)]
    keys += sorted({k for p in passes for k in p["parts"]} - set(keys))
    for key in keys:
        shares = [p["parts"].get(key, 0.0) / p["seconds"] for p in passes]
        note = f"  {PART_NOTES[key]}" if key in PART_NOTES else ""
        print(f"  {key:<14}{median(shares):>7.1%}  ({spread([s * 100 for s in shares])} %){note}")
    other = [1 - sum(p["parts"].values()) / p["seconds"] for p in passes]
    gc_share = [p["gc"] / p["seconds"] for p in passes]
    print(f"  {'the rest':<14}{median(other):>7.1%}  (batching, the loop)")
    print(f"  of all this, garbage collection {median(gc_share):.1%} ({spread([g * 100 for g in gc_share])} %)")
    print("entity stage alone: the texts the pipeline's entity stage was given, in its batches")
    for name, runs, alone_runs in (
        ("one batch at a time", passes, alone),
        ("two batch threads", prof["threaded"], prof["alone_threaded"]),
    ):
        entity = [a["chars"] / a["seconds"] for a in alone_runs]
        pipeline = [p["chars"] / p["seconds"] for p in runs]
        ratios = [p / e for p, e in zip(pipeline, entity)]  # each round against its own entity pass
        verdict = "met" if median(ratios) >= 0.8 else "MISSED"
        print(
            f"{name}: entity stage alone {median(entity):,.0f} chars/s (range {spread([e / 1000 for e in entity])} k); "
            f"pipeline {median(pipeline):,.0f} chars/s, {median(ratios):.2f}× the entity stage alone "
            f"(range {spread(ratios)}; target ≥ 0.8× {verdict})"
        )
    print(f"(one batch at a time: {median(totals):.1f} s per pass)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # 5 MB: the entity model keeps its last 1 M characters tagged, so RSS grows until ~3 MB of
    # text (1 M characters) has gone through; flat from there
    parser.add_argument("--mb", type=float, default=5.0, help="size of the corpus (MB)")
    parser.add_argument("--small-mb", type=float, default=3.0, help="size of the small corpus for the RSS comparison")
    parser.add_argument("--stages", default="repair,convert,zones,segment,entities,facts")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, interleaved; medians are reported")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-profile", action="store_true", help="the modes only")
    parser.add_argument("--modes", help="comma-separated subset of the modes (the single process always runs)")
    parser.add_argument("--profile-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_child:
        spec = json.loads(args.profile_child)
        print(json.dumps(profile(spec["corpus"], spec["stages"], spec["rounds"])))
        return

    modes = {k: v for k, v in MODES.items() if k.strip() not in FORCED_MODES}
    if args.skip_dask:
        modes.pop("dask 2 workers")
    if args.modes:
        wanted = {m.strip() for m in args.modes.split(",")} | {"single process"}
        modes = {k: v for k, v in MODES.items() if k.strip() in wanted}
    default_stages = args.stages == parser.get_default("stages")
    stage_options = [] if default_stages else ["--stages", args.stages]
    with tempfile.TemporaryDirectory(prefix="cnnlp-bench-") as tmp:
        tmp_path = Path(tmp)
        n_big, b_big = build_corpus(tmp_path / "big", int(args.mb * 1e6))
        n_small, b_small = build_corpus(tmp_path / "small", int(args.small_mb * 1e6))
        print(f"corpus: {n_big} files, {b_big / 1e6:.2f} MB; small: {n_small} files, {b_small / 1e6:.2f} MB")
        print(f"stages: {args.stages}; cores: {len(os.sched_getaffinity(0))}; load average at start: "
              f"{os.getloadavg()[0]:.2f} (a shared machine: ratios are noisy)\n")  # fmt: skip

        seconds: dict[str, list[float]] = {name: [] for name in modes}
        results: dict[str, list[dict]] = {name: [] for name in modes}
        profiles = []
        for r in range(max(1, args.repeat)):
            for n, (name, (options, one_core, plan, _)) in enumerate(modes.items()):
                dask = "--engine" in options
                out = tmp_path / f"o-{n}-{r}{'' if dask else '.jsonl'}"
                results[name].append(run_cli(tmp_path / "big", out, [*options, *stage_options], one_core, plan))
                seconds[name].append(results[name][-1]["seconds"])
            if not args.skip_profile:
                profiles.append(run_profile(tmp_path / "big", args.stages, 1))
        small = run_cli(tmp_path / "small", tmp_path / "o-small.jsonl", ["--workers", "1", *stage_options])

        print(f"cnnlp process, start to exit; medians of {len(seconds['single process'])} interleaved rounds")
        report_modes(seconds, results)
        if profiles:
            report_profile(
                {key: [p[key][0] for p in profiles] for key in ("passes", "alone", "threaded", "alone_threaded")}
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
        big = results["single process"][-1]
        growth = (big["rss_mib"] - small["rss_mib"]) / small["rss_mib"]
        print(
            f"peak RSS, single process: {b_small / 1e6:.1f} MB corpus {small['rss_mib']:,.0f} MiB, "
            f"{b_big / 1e6:.1f} MB corpus {big['rss_mib']:,.0f} MiB: growth {growth:+.1%} "
            f"(target < 10 %: {'met' if growth < 0.10 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
