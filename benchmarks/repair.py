"""Repair benchmark: the repair stage against ftfy.fix_text, in the same run.

Per corruption kind of ``../shared/data/mojibake_dev.jsonl``: exact-match rate
and character recovery ``1 - dist(repaired, clean) / dist(corrupt, clean)``
(1.0 = everything restored, 0.0 = nothing, negative = made worse); then the
number of clean control lines changed (icwb2 gold lines, spaces removed, and
seeds 000-003 without their content-farm lines), and throughput on clean and
damaged text as a ratio to ftfy's.

    .venv/bin/python benchmarks/repair.py [--shared ../shared] [--control-lines N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import ftfy

from chinese_news_nlp.repair import repair_text

REPO = Path(__file__).resolve().parents[1]


def distance(a: str, b: str) -> int:
    """Levenshtein distance (two-row dynamic programming)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def recovery(fixed: str, corrupt: str, clean: str) -> float:
    base = distance(corrupt, clean)
    return 1.0 - distance(fixed, clean) / base if base else 1.0


def control_lines(shared: Path, limit: int | None) -> list[str]:
    lines = []
    for path in sorted((shared / "data" / "icwb2" / "gold").glob("*_test_gold.utf8")):
        with open(path, encoding="utf-8") as fh:
            lines.extend(ln.strip().replace(" ", "") for ln in fh if ln.strip())
    if limit:
        lines = lines[::max(1, len(lines) // limit)][:limit]
    return lines


def seed_documents() -> list[str]:
    """Seeds 000-003: clean documents, repaired whole (document-level evidence counts)."""
    return [p.read_text(encoding="utf-8") for name in ("000", "001", "002", "003") for p in (REPO / "seeds").glob(f"{name}_*.txt")]


def changed_seed_lines(docs: list[str]) -> tuple[int, int]:
    """(lines changed outside content-farm spots, lines in total)."""
    from chinese_news_nlp.repair import fix_and_explain

    changed = total = 0
    for doc in docs:
        _, edits = fix_and_explain(doc)
        bad = {doc.count("\n", 0, e.start) for e in edits if e.cause != "content-farm-substitution"}
        changed += len(bad)
        total += doc.count("\n") + 1
    return changed, total


def timed(fn, texts: list[str]) -> tuple[list[str], float]:
    start = time.perf_counter()
    out = [fn(t) for t in texts]
    return out, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--control-lines", type=int, default=0, help="sample this many icwb2 lines (0: all)")
    args = ap.parse_args()
    rows = [json.loads(ln) for ln in open(args.shared / "data" / "mojibake_dev.jsonl", encoding="utf-8")]
    corrupt = [r["corrupt"] for r in rows]
    ours, t_ours = timed(repair_text, corrupt)
    theirs, t_ftfy = timed(ftfy.fix_text, corrupt)
    by_kind: dict[str, list[tuple[int, int, float, float]]] = defaultdict(list)
    for r, a, b in zip(rows, ours, theirs):
        by_kind[r["kind"]].append(
            (a == r["clean"], b == r["clean"], recovery(a, r["corrupt"], r["clean"]), recovery(b, r["corrupt"], r["clean"]))
        )
    print(f"{'kind':24} {'n':>4} {'exact':>7} {'ftfy':>7} {'recovery':>9} {'ftfy':>7}")
    for kind, vals in sorted(by_kind.items()):
        n = len(vals)
        print(
            f"{kind:24} {n:4d} {sum(v[0] for v in vals) / n:7.3f} {sum(v[1] for v in vals) / n:7.3f}"
            f" {sum(v[2] for v in vals) / n:9.3f} {sum(v[3] for v in vals) / n:7.3f}"
        )
    lines = control_lines(args.shared, args.control_lines or None)
    fixed, t_clean = timed(repair_text, lines)
    _, t_clean_ftfy = timed(ftfy.fix_text, lines)
    changed = [(a, b) for a, b in zip(lines, fixed) if a != b]
    seed_changed, seed_total = changed_seed_lines(seed_documents())
    print(
        f"\nclean control: icwb2 gold lines {len(lines)}: changed by repair {len(changed)}, by ftfy "
        f"{sum(ftfy.fix_text(t) != t for t in lines)}; seeds 000-003 lines {seed_total}: changed by repair "
        f"{seed_changed} (content-farm spots excluded)"
    )
    for a, b in changed[:5]:
        print("  ", a[:60], "->", b[:60])
    n_clean = sum(map(len, lines))
    n_damaged = sum(map(len, corrupt))
    print(f"\nthroughput clean:   {n_clean / t_clean:12,.0f} chars/s  (ftfy {n_clean / t_clean_ftfy:12,.0f}; ratio {t_clean_ftfy / t_clean:.2f})")
    print(f"throughput damaged: {n_damaged / t_ours:12,.0f} chars/s  (ftfy {n_damaged / t_ftfy:12,.0f}; ratio {t_ftfy / t_ours:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
