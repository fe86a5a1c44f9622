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
  apart), and the entity stage alone over the same documents.  The pipeline's chars/s over
  the entity stage's alone is the share of the work that is the model (target ≥ 0.8): one
  batch at a time (``--workers 1``), and two batches at a time in threads (what ``auto`` runs
  in one process).

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
import time
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
        """A stage whose calls add up to ``clock[name]``."""

        def __init__(self, stage, clock):
            self.stage, self.name, self.clock = stage, stage.name, clock
            if hasattr(stage, "pipe"):
                self.pipe = self._pipe

        def __call__(self, doc):
            started = time.perf_counter()
            try:
                return self.stage(doc)
            finally:
                self.clock[self.name] += time.perf_counter() - started

        def _pipe(self, docs):
            started = time.perf_counter()
            try:
                return list(self.stage.pipe(docs))
            finally:
                self.clock[self.name] += time.perf_counter() - started

    def clocked(method, clock, key):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                clock[key] += time.perf_counter() - started

        return run

    stages_as_built = list(nlp.stages)
    out_path = Path(tempfile.mkdtemp(prefix="cnnlp-profile-")) / "out.jsonl"
    passes, alone, threaded = [], [], []
    run = RunConfig(stages=tuple(stages), timeout=120.0)  # as cnnlp process runs it
    get_pipeline(run)
    gc.callbacks.append(on_gc)
    for _ in range(rounds):
        forget_tagged()
        clock: dict[str, float] = defaultdict(float)
        nlp.stages = [Clocked(s, clock) for s in stages_as_built]
        nlp.make_doc = clocked(type(nlp).make_doc.__get__(nlp), clock, "decode")
        nlp._finish = clocked(type(nlp)._finish.__get__(nlp), clock, "offsets")
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

        docs = [d for b in batched(iter_records([corpus]), batch_size) for d in _decoded(entities, b)]
        stage = entities.stages[0]
        forget_tagged()
        started = time.perf_counter()
        for batch in batched(docs, batch_size):
            list(stage.pipe(batch))
        alone.append({"seconds": time.perf_counter() - started, "chars": sum(len(d.raw) for d in docs)})
    gc.callbacks.remove(on_gc)
    return {"passes": passes, "alone": alone, "threaded": threaded}


def forget_tagged() -> None:
    """Empty the entity model's cache of recently tagged paragraphs: each pass starts without them."""
    from chinese_news_nlp.entities.model import loaded_model

    model = loaded_model()
    if model is not None:
        model.forget()


def _decoded(nlp, batch):
    return [nlp.make_doc(item, date=date, id=doc_id) for item, doc_id, date in batch]


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


PARTS = ("reading", "decode", "repair", "convert", "zones", "segment", "entities", "facts", "offsets",
         "serialization", "writing")  # fmt: skip


def report_profile(prof: dict) -> None:
    passes, alone = prof["passes"], prof["alone"]
    median = statistics.median
    totals = [p["seconds"] for p in passes]
    print(f"\nwhere one process's time goes (models loaded; medians of {len(passes)} passes):")
    keys = [k for k in PARTS if any(k in p["parts"] for p in passes)]
    keys += sorted({k for p in passes for k in p["parts"]} - set(keys))
    for key in keys:
        shares = [p["parts"].get(key, 0.0) / p["seconds"] for p in passes]
        print(f"  {key:<14}{median(shares):>7.1%}  ({spread([s * 100 for s in shares])} %)")
    other = [1 - sum(p["parts"].values()) / p["seconds"] for p in passes]
    gc_share = [p["gc"] / p["seconds"] for p in passes]
    print(f"  {'the rest':<14}{median(other):>7.1%}  (batching, the loop)")
    print(f"  of all this, garbage collection {median(gc_share):.1%} ({spread([g * 100 for g in gc_share])} %)")
    entity = [a["chars"] / a["seconds"] for a in alone]
    print(f"entity stage alone, batched: {median(entity):,.0f} chars/s on the same documents "
          f"(range {spread([e / 1000 for e in entity])} k)")  # fmt: skip
    for name, runs in (("one batch at a time", passes), ("two batch threads", prof["threaded"])):
        pipeline = [p["chars"] / p["seconds"] for p in runs]
        ratios = [p / e for p, e in zip(pipeline, entity)]
        verdict = "met" if median(ratios) >= 0.8 else "MISSED"
        print(
            f"pipeline in one process, {name}: {median(pipeline):,.0f} chars/s, {median(ratios):.2f}× the entity "
            f"stage alone (range {spread(ratios)}; target ≥ 0.8× {verdict})"
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
            report_profile({key: [p[key][0] for p in profiles] for key in ("passes", "alone", "threaded")})
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
