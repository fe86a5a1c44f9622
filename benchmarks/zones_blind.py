"""Blind benchmark of page-structure detection (``zones``) and page metadata.

Pages come from ``benchmarks/pages_blind.py`` (written without reading the zones stage). For each
seed the default pipeline (``cnn.load()``) reads every page; each non-blank line's predicted zone is
the zone that covers most of the line's raw span (``Zone.raw_start``/``raw_end``), ``none`` when no
zone covers it. Beside it, in the same run, a length rule: first non-blank line ``title``; a line of
40+ characters ending a sentence ``body``; everything else ``boilerplate`` (metadata: the first line
as title, nothing else).

    .venv/bin/python benchmarks/zones_blind.py               # seeds 1 and 2, 200 pages each
    .venv/bin/python benchmarks/zones_blind.py --seed 1 --pages 50
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages_blind import LABELS, Page, make_pages, page_lines  # noqa: E402

META_FIELDS = ("title", "date", "time", "source", "authors")
SENT_END = "。！？!?…”」』"


def baseline_zones(page: Page) -> dict[int, str]:
    out: dict[int, str] = {}
    first = True
    for i, (_, _, t) in enumerate(page_lines(page)):
        s = t.strip()
        if not s:
            continue
        if first:
            out[i] = "title"
            first = False
        elif len(s) >= 40 and s[-1] in SENT_END:
            out[i] = "body"
        else:
            out[i] = "boilerplate"
    return out


def baseline_meta(page: Page) -> dict:
    first = next((t.strip() for _, _, t in page_lines(page) if t.strip()), None)
    return {"title": first, "date": None, "time": None, "source": None, "authors": []}


def pipeline_zones(page: Page, doc) -> dict[int, str]:
    spans = [(z.raw_start, z.raw_end, z.label) for z in doc.zones]
    out: dict[int, str] = {}
    for i, (a, b, t) in enumerate(page_lines(page)):
        if not t.strip():
            continue
        best, best_ov = "none", 0
        for s, e, lab in spans:
            ov = min(b, e) - max(a, s)
            if ov > best_ov:
                best, best_ov = lab, ov
        out[i] = best
    return out


def _norm(field: str, v):
    if field == "authors":
        return list(v or [])
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


class Score:
    def __init__(self) -> None:
        self.conf: Counter = Counter()
        self.example: dict[tuple[str, str], str] = {}
        self.meta_ok: Counter = Counter()
        self.meta_n = 0
        self.meta_miss: dict[str, list] = defaultdict(list)
        self.fam: dict[str, Counter] = defaultdict(Counter)

    def add(self, page: Page, pred: dict[int, str], meta: dict) -> None:
        text_of = {i: t for i, (_, _, t) in enumerate(page_lines(page))}
        for i, gold in page.zones:
            p = pred.get(i, "none")
            self.conf[(gold, p)] += 1
            self.fam[page.family]["n"] += 1
            self.fam[page.family]["ok"] += p == gold
            if p != gold and (gold, p) not in self.example:
                self.example[(gold, p)] = f"[{page.family}] {text_of[i].strip()[:60]}"
        self.meta_n += 1
        for f in META_FIELDS:
            g, m = _norm(f, page.meta.get(f)), _norm(f, meta.get(f))
            if g == m:
                self.meta_ok[f] += 1
            elif len(self.meta_miss[f]) < 3:
                self.meta_miss[f].append((page.family, g, m))

    def accuracy(self) -> float:
        n = sum(self.conf.values())
        return sum(v for (g, p), v in self.conf.items() if g == p) / n if n else 0.0

    def prf(self, label: str) -> tuple[float, float, float, int]:
        tp = self.conf[(label, label)]
        gold = sum(v for (g, _), v in self.conf.items() if g == label)
        pred = sum(v for (_, p), v in self.conf.items() if p == label)
        pr = tp / pred if pred else 0.0
        rc = tp / gold if gold else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        return pr, rc, f1, gold


def run_seed(nlp, seed: int, n: int) -> tuple[Score, Score, float]:
    pages = make_pages(n, seed)
    ours, base = Score(), Score()
    t0 = time.perf_counter()
    for page in pages:
        doc = nlp(page.text)
        ours.add(page, pipeline_zones(page, doc), dict(doc.meta))
        base.add(page, baseline_zones(page), baseline_meta(page))
    return ours, base, time.perf_counter() - t0


def report(seed: int, n: int, ours: Score, base: Score, secs: float) -> None:
    lines_n = sum(ours.conf.values())
    print(f"\n=== seed {seed}: {n} pages, {lines_n} labelled lines, pipeline {secs:.1f} s")
    print(f"line accuracy   ours {ours.accuracy():.3f}   baseline {base.accuracy():.3f}")
    print(f"{'zone':12s} {'gold':>5s} | {'P':>5s} {'R':>5s} {'F1':>5s} | {'bP':>5s} {'bR':>5s} {'bF1':>5s}")
    for lab in LABELS:
        p, r, f, g = ours.prf(lab)
        bp, br, bf, _ = base.prf(lab)
        print(f"{lab:12s} {g:5d} | {p:5.3f} {r:5.3f} {f:5.3f} | {bp:5.3f} {br:5.3f} {bf:5.3f}")
    print("metadata exact match (ours / baseline):")
    for f in META_FIELDS:
        print(f"  {f:8s} {ours.meta_ok[f] / ours.meta_n:.3f}  /  {base.meta_ok[f] / base.meta_n:.3f}")
    print("line accuracy by family (ours / baseline):")
    for fam in sorted(ours.fam):
        o, b = ours.fam[fam], base.fam[fam]
        print(f"  {fam:8s} {o['ok'] / o['n']:.3f} / {b['ok'] / b['n']:.3f}  ({o['n']} lines)")
    print("top confusions of ours (gold -> predicted, count, first example):")
    errs = sorted(((v, k) for k, v in ours.conf.items() if k[0] != k[1]), reverse=True)[:15]
    for v, (g, p) in errs:
        print(f"  {g:11s} -> {p:11s} {v:5d}  {ours.example[(g, p)]}")
    print("metadata misses of ours (family, gold, predicted), up to 3 a field:")
    for f in META_FIELDS:
        for fam, g, m in ours.meta_miss[f]:
            print(f"  {f:8s} [{fam}] {g!r} -> {m!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, action="append", help="seed(s); default 1 and 2")
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args(argv)
    seeds = args.seed or [1, 2]

    import chinese_news_nlp as cnn

    nlp = cnn.load()
    for seed in seeds:
        ours, base, secs = run_seed(nlp, seed, args.pages)
        report(seed, args.pages, ours, base, secs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
