"""Repair benchmark: the repair stage against ftfy.fix_text, in the same run.

Per corruption kind of ``../shared/data/mojibake_dev.jsonl``: exact-match rate
and character recovery ``1 - dist(repaired, clean) / dist(corrupt, clean)``
(1.0 = everything restored, 0.0 = nothing, negative = made worse), on all rows
and by the row's ``recoverable`` (``full``: the bytes survive; ``partial``:
some are lost; ``none``); then the number of clean control lines changed
(icwb2 gold lines, spaces removed, and seeds 000-003 outside their gold
content-farm and deleted-character spots), the precision and recall of those
two causes on the seeds, and throughput on clean and damaged text as a ratio
to ftfy's (both tools loaded before timing).

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

from chinese_news_nlp.repair import fix_and_explain, repair_text
from chinese_news_nlp.scoring import recovery

REPO = Path(__file__).resolve().parents[1]


def control_lines(shared: Path, limit: int | None) -> list[str]:
    lines = []
    for path in sorted((shared / "data" / "icwb2" / "gold").glob("*_test_gold.utf8")):
        with open(path, encoding="utf-8") as fh:
            lines.extend(ln.strip().replace(" ", "") for ln in fh if ln.strip())
    if limit:
        lines = lines[:: max(1, len(lines) // limit)][:limit]
    return lines


FARM_CAUSES = ("content-farm-substitution", "deleted-character")


def seed_documents() -> dict[str, str]:
    """Seeds 000-003: clean documents apart from content-farm damage, repaired whole."""
    return {
        p.name: p.read_text(encoding="utf-8")
        for name in ("000", "001", "002", "003")
        for p in (REPO / "seeds").glob(f"{name}_*.txt")
    }


def seed_report(docs: dict[str, str], gold_path: Path) -> tuple[int, int, dict[str, tuple[int, int, int]]]:
    """(lines changed outside the gold content-farm spots, lines in total,
    {cause: (found, correct, gold)} for the content-farm causes)."""
    gold = [json.loads(ln) for ln in open(gold_path, encoding="utf-8") if ln.strip()]
    changed = total = 0
    counts = {c: [0, 0, 0] for c in FARM_CAUSES}
    for name, doc in docs.items():
        _, edits = fix_and_explain(doc)
        spots = {(g["start"], g["end"], g["repaired"]) for g in gold if g["doc"] == name and g["cause"] in FARM_CAUSES}
        for g in gold:
            if g["doc"] == name and g["cause"] in FARM_CAUSES:
                counts[g["cause"]][2] += 1
        for e in edits:
            if e.cause in counts:
                counts[e.cause][0] += 1
                counts[e.cause][1] += (e.start, e.end, e.replacement) in spots
        changed += len({doc.count("\n", 0, e.start) for e in edits if (e.start, e.end, e.replacement) not in spots})
        total += doc.count("\n") + 1
    return changed, total, {c: tuple(v) for c, v in counts.items()}  # type: ignore[misc]


def deleted_on_control(lines: list[str]) -> int:
    """Deleted characters the stage would insert into the clean control lines."""
    return sum(e.cause == "deleted-character" for ln in lines for e in fix_and_explain(ln)[1])


def print_table(scored: list[tuple[dict, bool, bool, float, float]]) -> None:
    """Per kind: exact match and recovery, ours beside ftfy, on all rows and by
    ``recoverable`` (``full``: every byte of the clean text survives; ``partial``:
    some are gone, the best reading is a guess; ``none``: nothing to recover)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for r, *vals in scored:
        groups[(r["kind"], "all")].append(vals)
        groups[(r["kind"], r.get("recoverable", "full"))].append(vals)
    print(f"{'kind':20} {'rows':8} {'n':>4} {'exact':>7} {'ftfy':>7} {'recovery':>9} {'ftfy':>7}")
    order = {"all": 0, "full": 1, "partial": 2, "none": 3}
    for (kind, subset), vals in sorted(groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))):
        n = len(vals)
        print(
            f"{kind:20} {subset:8} {n:4d} {sum(v[0] for v in vals) / n:7.3f} {sum(v[1] for v in vals) / n:7.3f}"
            f" {sum(v[2] for v in vals) / n:9.3f} {sum(v[3] for v in vals) / n:7.3f}"
        )


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
    # Load the models (jieba, OpenCC, tables) before timing either tool.
    repair_text("測試,鍙戝睍頭部台(yè)")
    ftfy.fix_text("æµ™æ±Ÿ")
    ours, t_ours = timed(repair_text, corrupt)
    theirs, t_ftfy = timed(ftfy.fix_text, corrupt)
    scored = [
        (
            r,
            a == r["clean"],
            b == r["clean"],
            recovery(a, r["corrupt"], r["clean"]),
            recovery(b, r["corrupt"], r["clean"]),
        )
        for r, a, b in zip(rows, ours, theirs)
    ]
    print_table(scored)
    lines = control_lines(args.shared, args.control_lines or None)
    fixed, t_clean = timed(repair_text, lines)
    _, t_clean_ftfy = timed(ftfy.fix_text, lines)
    changed = [(a, b) for a, b in zip(lines, fixed) if a != b]
    seed_changed, seed_total, farm = seed_report(seed_documents(), args.shared / "gold" / "mojibake.jsonl")
    print(
        f"\nclean control: icwb2 gold lines {len(lines)}: changed by repair {len(changed)}, by ftfy "
        f"{sum(ftfy.fix_text(t) != t for t in lines)}; seeds 000-003 lines {seed_total}: changed by repair "
        f"{seed_changed} (gold content-farm spots excluded)"
    )
    for cause, (found, correct, gold_n) in farm.items():
        print(
            f"  {cause} on seeds 000-003: {found} made, {correct} correct (precision "
            f"{correct / found if found else 1.0:.3f}), {gold_n} in gold (recall {correct / gold_n if gold_n else 1.0:.3f})"
        )
    print(f"  deleted-character on the control lines: {deleted_on_control(lines)} insertions")
    for a, b in changed[:5]:
        print("  ", a[:60], "->", b[:60])
    n_clean = sum(map(len, lines))
    n_damaged = sum(map(len, corrupt))
    print(
        f"\nthroughput clean:   {n_clean / t_clean:12,.0f} chars/s  (ftfy {n_clean / t_clean_ftfy:12,.0f}; ratio {t_clean_ftfy / t_clean:.2f})"
    )
    print(
        f"throughput damaged: {n_damaged / t_ours:12,.0f} chars/s  (ftfy {n_damaged / t_ftfy:12,.0f}; ratio {t_ftfy / t_ours:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
