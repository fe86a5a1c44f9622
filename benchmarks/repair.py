"""Repair benchmark: the repair stage against ftfy.fix_text, in the same run.

Per corruption kind of ``../shared/data/mojibake_dev.jsonl``: exact-match rate
and character recovery ``1 - dist(repaired, clean) / dist(corrupt, clean)``
(1.0 = everything restored, 0.0 = nothing, negative = made worse), on all rows
and by the row's ``recoverable`` (``full``: the bytes survive; ``partial``:
some are lost; ``none``); then, per kind, how many repaired characters were
read from surviving bytes and how many guessed where bytes were lost, with the
confidence each kind of repair reports (quartiles and the share below 0.5).

Then lines generated (seeded) from ``../shared/data`` text no rule was
written against: half-width marks beside Latin words, ``头部``/``頭部`` for
``第一`` in simplified and traditional text, multi-syllable pinyin readings;
the clean control lines (icwb2 gold, spaces removed; seeds 000-003 outside
their gold content-farm and deleted-character spots) and the precision and
recall of those two causes on the seeds.

Throughput last, as CPU time of this process (other processes on the machine
change wall time, not this): damaged lines beside ftfy on the same lines,
three interleaved repeats, each repeat with the repair's per-text caches
emptied (every line is read as for the first time); clean lines likewise.
Both tools are loaded before timing.

    .venv/bin/python benchmarks/repair.py [--shared ../shared] [--control-lines N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from functools import _lru_cache_wrapper
from pathlib import Path

import ftfy

import chinese_news_nlp.repair as repair
from chinese_news_nlp.doc import Doc
from chinese_news_nlp.repair import fix_and_explain, repair_text, samples
from chinese_news_nlp.scoring import recovery, standing

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


def print_guesses(rows: list[dict]) -> None:
    """Per kind: the characters the repairs wrote, read from surviving bytes or
    guessed where bytes were lost, and the confidences reported for each."""
    chars: dict[tuple[str, bool], int] = defaultdict(int)
    confidences: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for r in rows:
        for e in fix_and_explain(r["corrupt"])[1]:
            key = (r["kind"], e.guessed)
            chars[key] += max(1, len(e.replacement))
            confidences[key].append(e.confidence)
    print(f"\n{'kind':20} {'repairs':9} {'chars':>6} {'conf q1':>8} {'median':>7} {'q3':>6} {'< 0.5':>6}")
    for kind in sorted({k for k, _ in chars}):
        for guessed in (False, True):
            found = sorted(confidences.get((kind, guessed), []))
            label = "guessed" if guessed else "restored"
            if not found:
                print(f"{kind:20} {label:9} {0:6d}")
                continue
            q1, med, q3 = (statistics.quantiles(found, n=4) if len(found) > 1 else [found[0]] * 3)[:3]
            below = sum(c < 0.5 for c in found) / len(found)
            print(f"{kind:20} {label:9} {chars[(kind, guessed)]:6d} {q1:8.2f} {med:7.2f} {q3:6.2f} {below:6.2f}")


def print_read_precision(rows: list[dict], options: tuple[dict, ...] = ({}, {"lost_bytes": "replace"})) -> None:
    """Per cause: of the characters the repairs read from surviving bytes (not
    guessed, U+FFFD left out), the share that stand in the clean text (difflib
    on the whole row), beside the confidence the repairs report for them;
    repairs beside lost bytes (writing U+FFFD, U+FFFD in the damaged text
    within two characters, or a guessed or U+FFFD-writing repair next to them) apart
    from those with all their bytes.  A confidence beside lost bytes is
    overstated where these characters are wrong more often than the others at
    the same confidence."""
    counts: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for option in options:
        mode = option.get("lost_bytes", "guess")
        for r in rows:
            doc = repair.RepairStage(**option)(Doc(raw=r["corrupt"]))
            right = standing(doc.text, r["clean"])
            for rep in doc.repairs:
                if rep.guessed:
                    continue
                chars = [k for k in range(rep.start, rep.end) if doc.text[k] != "\ufffd"]
                if not chars:
                    continue
                beside = (
                    "\ufffd" in rep.after
                    or "\ufffd" in doc.raw[max(0, rep.raw_start - 2) : rep.raw_end + 2]
                    or any(
                        (o.guessed or "\ufffd" in o.after)
                        and (o.raw_end == rep.raw_start or o.raw_start == rep.raw_end)
                        for o in doc.repairs
                        if o is not rep
                    )
                )
                found = counts[(rep.cause, mode, "beside lost" if beside else "all bytes")]
                found[0] += sum(right[k] for k in chars)
                found[1] += len(chars)
                found[2] += rep.confidence * len(chars)
    print(
        f"\n{'cause (characters read, not guessed)':36} {'mode':8} {'bytes':12} {'chars':>6} {'right':>6} {'conf':>6}"
    )
    for (cause, mode, beside), (ok, n, conf) in sorted(counts.items()):
        print(f"{cause:36} {mode:8} {beside:12} {int(n):6d} {ok / n:6.3f} {conf / n:6.3f}")


def generated_lines(shared: Path) -> None:
    """Lines made from clean text (seeded): exact restoration rates."""
    msra = [json.loads(ln)["text"] for ln in open(shared / "data" / "msra" / "train.jsonl", encoding="utf-8")]
    import opencc

    traditional = opencc.OpenCC("s2t").convert("\n".join(t for t in msra[:60_000] if "第一" in t)).split("\n")
    checks = [
        ("Latin word beside a mark (msra)", samples.latin_punctuation_lines(msra, seed=12, size=600)),
        ("头部 for 第一, simplified (msra)", samples.content_farm_lines(msra, seed=5, size=400)),
        (
            "頭部 for 第一, traditional (msra s2t)",
            samples.content_farm_lines(traditional, seed=5, size=400, written="頭部"),
        ),
        ("pinyin of a word, 税务(shuì wù)局 (msra)", samples.pinyin_lines(msra, seed=3, size=400)),
    ]
    print("\ngenerated lines (exact restoration; lines the repair changes undamaged left out)")
    for label, pairs in checks:
        pairs = [(d, c) for d, c in pairs if repair_text(c) == c]
        ok = sum(repair_text(d) == c for d, c in pairs)
        print(f"  {label:42} {ok / len(pairs):.3f} of {len(pairs)}")
    # bytes lost: character recovery (exact restoration needs every guess right)
    pairs = samples.replacement_in_utf8_lines(msra, seed=21, size=400)
    print(f"generated lines, character recovery (1 = all restored, 0 = none), {len(pairs)} msra lines each")
    label = "UTF-8 text holding U+FFFD, read as GBK"
    for tool, fix in (
        ("guess", repair_text),
        ("replace", lambda d: repair_text(d, lost_bytes="replace")),
        ("ftfy", ftfy.fix_text),
    ):
        scores = [recovery(fix(d), d, c) for d, c in pairs]
        print(
            f"  {label:42} {tool:8} {statistics.mean(scores):.3f} (worse than the input: {sum(x < 0 for x in scores)})"
        )


# Caches of results for pieces of text (lines, runs, word-model windows): emptied
# before each repeat, so that every line is read as for the first time.  The
# caches of per-character and per-byte-pattern values (what a character scores,
# what a pattern with lost bytes may be) are the model's tables, bounded by the
# character set: kept after the first repeat, as they are after a few thousand
# lines of any corpus.
PER_TEXT = (
    repair._fix_line,
    repair.lm.mean_logp,
    repair.lm.word_logp,
    repair.lm.word_logps_around,
    repair.lm._prefix_paths,
    repair.lm._suffix_paths,
    repair.lm._before_paths,
    repair.bytes_model._choose,
    repair.encoding._run_edits,
)
PER_CHARACTER = tuple(
    value
    for module in (repair.lm, repair.bytes_model, repair.byteshift)
    for value in vars(module).values()
    if isinstance(value, _lru_cache_wrapper) and value not in PER_TEXT and value.cache_info().maxsize not in (None, 1)
)


def clear_text_caches(tables: bool = False) -> None:
    """Empty the caches of per-text results (and with ``tables`` the per-character ones)."""
    for cache in PER_TEXT + (PER_CHARACTER if tables else ()):
        cache.cache_clear()


def timed(fn, texts: list[str]) -> tuple[list[str], float]:
    start = time.process_time()
    out = [fn(t) for t in texts]
    return out, time.process_time() - start


def throughput(texts: list[str], repeats: int) -> tuple[list[str], list[str], list[float], list[float]]:
    """Interleaved repeats: (ours, ftfy's, our seconds, ftfy's seconds); the first
    repeat with every cache of ours empty."""
    ours_t, ftfy_t = [], []
    ours = theirs = []
    for k in range(repeats):
        clear_text_caches(tables=k == 0)
        ours, t = timed(repair_text, texts)
        ours_t.append(t)
        theirs, t = timed(ftfy.fix_text, texts)
        ftfy_t.append(t)
    return ours, theirs, ours_t, ftfy_t


def print_throughput(label: str, n: int, ours_t: list[float], ftfy_t: list[float]) -> None:
    """The first repeat (every table of ours empty), then the median of the others."""
    ratios = [f / o for o, f in zip(ours_t, ftfy_t)]
    first = f"first pass {n / ours_t[0]:,.0f} chars/s, ratio {ratios[0]:.2f}"
    if len(ours_t) > 1:
        rest, rest_ratios = ours_t[1:], ratios[1:]
        print(
            f"throughput {label:8} {n / statistics.median(rest):12,.0f} chars/s  (ftfy "
            f"{n / statistics.median(ftfy_t):12,.0f}; ratio to ftfy {statistics.median(rest_ratios):.2f}, repeats "
            f"{min(rest_ratios):.2f}-{max(rest_ratios):.2f}; {first})"
        )
    else:
        print(f"throughput {label:8} {first} (ftfy {n / ftfy_t[0]:,.0f} chars/s)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--control-lines", type=int, default=0, help="sample this many icwb2 lines (0: all)")
    ap.add_argument("--repeats", type=int, default=4)
    args = ap.parse_args()
    rows = [json.loads(ln) for ln in open(args.shared / "data" / "mojibake_dev.jsonl", encoding="utf-8")]
    corrupt = [r["corrupt"] for r in rows]
    lines = control_lines(args.shared, args.control_lines or None)
    # Load the models (jieba, OpenCC, tables) before timing either tool.
    repair.warm_up()
    ftfy.fix_text("æµ™æ±Ÿ")
    ours, theirs, ours_t, ftfy_t = throughput(corrupt, args.repeats)
    fixed, _, clean_t, clean_ftfy_t = throughput(lines, args.repeats)

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
    print_guesses(rows)
    print_read_precision(rows)
    generated_lines(args.shared)
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
    print(
        f"\nCPU time, {args.repeats} repeats interleaved with ftfy's, the repair's per-text caches emptied before each"
    )
    print_throughput("damaged", sum(map(len, corrupt)), ours_t, ftfy_t)
    print_throughput("clean", sum(map(len, lines)), clean_t, clean_ftfy_t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
