"""Fact extraction against the gold facts of the seed documents.

Runs the pipeline stages that exist (repair → convert → facts; segment and
entities with ``--full``) over ``seeds/*.txt`` and compares the facts' raw
offsets to ``shared/gold/facts.jsonl``: detection precision/recall/F1 by span
overlap, and, among matched facts, the accuracy of value, unit, qualifier and
year.  A naive baseline runs in the same pass: an Arabic number, an optional
万/亿, the next CJK character as unit, the nearest preceding ``YYYY年`` as year.

The seeds are the documents the rules were written against.  ``--generated N
--seed S`` also scores N documents of :mod:`chinese_news_nlp.facts.samples`
(figures spliced into MSRA/CLUENER dev and icwb2 PKU test sentences, their gold
worked out by the generator): detection, value, unit, kind, qualifier, year and
year_end accuracy, exact spans, and how many non-facts (dates, phone numbers,
list counters, …) were taken for facts; seed 1 is the development seed.

    .venv/bin/python benchmarks/facts.py [--full] [--shared PATH] [--per-doc]
    .venv/bin/python benchmarks/facts.py --generated 400 --seed 2 [--errors]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from chinese_news_nlp.errors import UnknownStageError  # noqa: E402
from chinese_news_nlp.facts.samples import FIELDS, field_right, generate, host_sentences, match_facts, score_facts  # noqa: E402
from chinese_news_nlp.pipeline import load  # noqa: E402

TARGETS = {"f1": 0.92, "value": 0.97, "unit": 0.95, "year": 0.85, "qualifier": 0.90}


def available_stages(wanted: list[str]) -> list[str]:
    out = []
    for name in wanted:
        try:
            load([name])
        except (UnknownStageError, ImportError, ModuleNotFoundError):
            continue
        out.append(name)
    return out


BASELINE_NUM = re.compile(r"(\d+(?:\.\d+)?)([万亿]*)([\u4e00-\u9fff%])")
BASELINE_YEAR = re.compile(r"((?:19|20)\d{2})年")


def _naive_kind(unit: str) -> str:
    return "percent" if unit == "%" else "money" if unit == "元" else "count"


def baseline_facts(raw: str) -> list[dict]:
    years = [(m.start(), int(m.group(1))) for m in BASELINE_YEAR.finditer(raw)]
    out = []
    for m in BASELINE_NUM.finditer(raw):
        if m.group(3) == "年" and len(m.group(1)) == 4:
            continue
        mult = 1.0
        for ch in m.group(2):
            mult *= 1e4 if ch == "万" else 1e8
        year = None
        for pos, y in years:
            if pos < m.start():
                year = y
        out.append({"raw_start": m.start(), "raw_end": m.end(), "value": float(m.group(1)) * mult,
                    "unit": m.group(3), "kind": _naive_kind(m.group(3)), "qualifier": "exact", "year": year,
                    "year_end": None, "value_max": None})  # fmt: skip
    return out


def match(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    """One-to-one pairs by largest raw-span overlap."""
    return match_facts(pred, gold)


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def score(n_pred: int, n_gold: int, pairs: list[tuple[dict, dict]]) -> dict:
    tp = len(pairs)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = {}
    for field in ("value", "unit", "qualifier", "year"):
        ok = sum(same_value(g[field], p_[field]) if field == "value" else g[field] == p_.get(field) for g, p_ in pairs)
        acc[field] = ok / tp if tp else 0.0
    return {"p": p, "r": r, "f1": f1, "tp": tp, "pred": n_pred, "gold": n_gold, **acc}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also run segment and entities (subjects from entities)")
    ap.add_argument("--shared", default=os.environ.get("CNNLP_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--per-doc", action="store_true", help="print per-document figures")
    ap.add_argument("--errors", action="store_true", help="list misses, false alarms and wrong fields")
    ap.add_argument("--generated", type=int, default=0, metavar="N", help="also score N generated documents")
    ap.add_argument("--seed", type=int, default=1, help="the generator's seed (1: development)")
    ap.add_argument("--no-seeds", action="store_true", help="score only the generated documents")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    gold_rows = [json.loads(line) for line in open(shared / "gold" / "facts.jsonl", encoding="utf-8")]
    wanted = ["repair", "convert", "segment", "entities", "facts"] if args.full else ["repair", "convert", "facts"]
    stages = available_stages(wanted)
    nlp = load(stages)
    print(f"pipeline: {stages}")
    if not args.no_seeds:
        seed_gold(args, shared, gold_rows, nlp)
    if args.generated:
        generated(args, shared, nlp)
    return 0


def seed_gold(args, shared: Path, gold_rows: list[dict], nlp) -> None:
    docs = sorted({r["doc"] for r in gold_rows})
    totals = {"ours": ([], 0, 0), "baseline": ([], 0, 0)}
    per_doc = []
    for name in docs:
        raw = (shared / "seeds" / name).read_text(encoding="utf-8")
        gold = [r for r in gold_rows if r["doc"] == name]
        doc = nlp(raw)
        ours = [
            {k: getattr(f, k) for k in ("raw_start", "raw_end", "value", "unit", "qualifier", "year", "surface")}
            for f in doc.facts
        ]
        base = baseline_facts(raw)
        row = {"doc": name}
        for label, pred in (("ours", ours), ("baseline", base)):
            pairs = match(pred, gold)
            acc_pairs, n_pred, n_gold = totals[label]
            totals[label] = (acc_pairs + pairs, n_pred + len(pred), n_gold + len(gold))
            row[label] = score(len(pred), len(gold), pairs)
            if args.errors and label == "ours":
                _print_errors(name, raw, pred, gold, pairs)
        per_doc.append(row)
    results = {label: score(n_pred, n_gold, pairs) for label, (pairs, n_pred, n_gold) in totals.items()}
    print(f"{'metric':<10}{'ours':>8}{'baseline':>10}{'target':>8}")
    for key in ("p", "r", "f1", "value", "unit", "qualifier", "year"):
        target = TARGETS.get(key)
        print(
            f"{key:<10}{results['ours'][key]:>8.3f}{results['baseline'][key]:>10.3f}{'' if target is None else f'{target:.2f}':>8}"
        )
    print(f"{'matched':<10}{results['ours']['tp']:>8}{results['baseline']['tp']:>10}   of {results['ours']['gold']} gold; "
          f"predicted {results['ours']['pred']} vs {results['baseline']['pred']}")  # fmt: skip
    if args.per_doc:
        print("\nper document (ours | baseline): F1, value, unit, qualifier, year")
        for row in per_doc:
            o, b = row["ours"], row["baseline"]
            print(f"{row['doc'][:3]}  F1 {o['f1']:.3f}|{b['f1']:.3f}  value {o['value']:.3f}|{b['value']:.3f}  "
                  f"unit {o['unit']:.3f}|{b['unit']:.3f}  qual {o['qualifier']:.3f}|{b['qualifier']:.3f}  "
                  f"year {o['year']:.3f}|{b['year']:.3f}  (gold {o['gold']}, ours {o['pred']})")  # fmt: skip


def _ours(doc) -> list[dict]:
    keys = ("raw_start", "raw_end", "value", "value_max", "unit", "kind", "qualifier", "year", "year_end", "surface")
    return [{k: getattr(f, k) for k in keys} for f in doc.facts]


def generated(args, shared: Path, nlp) -> None:
    """The stage and the naive baseline on generated documents (gold from the generator)."""
    from collections import Counter
    from dataclasses import asdict

    hosts = host_sentences(shared / "data")
    docs = generate(args.generated, seed=args.seed, hosts=hosts)
    totals = {"ours": ([], 0, 0), "baseline": ([], 0, 0)}
    by_form: dict[str, list[int]] = {}
    fooled = {"ours": Counter(), "baseline": Counter()}
    distractors = Counter()
    for sample in docs:
        gold = [asdict(f) for f in sample.facts]
        ours = _ours(nlp(sample.text, date=sample.date))
        base = baseline_facts(sample.text)
        for d in sample.distractors:
            distractors[d.what] += 1
        for label, pred in (("ours", ours), ("baseline", base)):
            pairs = match_facts(pred, gold)
            acc_pairs, n_pred, n_gold = totals[label]
            totals[label] = (acc_pairs + pairs, n_pred + len(pred), n_gold + len(gold))
            for d in sample.distractors:
                if any(p["raw_start"] < d.end and d.start < p["raw_end"] for p in pred):
                    fooled[label][d.what] += 1
            if label == "ours":
                found = {id(g) for g, _ in pairs}
                for g in gold:
                    by_form.setdefault(g["form"], [0, 0])[0] += id(g) in found
                    by_form[g["form"]][1] += 1
                if args.errors:
                    _print_generated_errors(sample, pred, gold, pairs)
    results = {label: score_facts(pairs, n_pred, n_gold) for label, (pairs, n_pred, n_gold) in totals.items()}
    n_facts = results["ours"]["gold"]
    print(f"\ngenerated: {len(docs)} documents, seed {args.seed}, {n_facts} facts, "
          f"{sum(distractors.values())} non-facts, hosts {len(hosts)}")  # fmt: skip
    print(f"{'metric':<10}{'ours':>8}{'baseline':>10}")
    for key in ("p", "r", "f1", *FIELDS, "span"):
        print(f"{key:<10}{results['ours'][key]:>8.3f}{results['baseline'][key]:>10.3f}")
    print(f"{'matched':<10}{results['ours']['tp']:>8}{results['baseline']['tp']:>10}   of {n_facts} gold; "
          f"predicted {results['ours']['pred']} vs {results['baseline']['pred']}")  # fmt: skip
    print("non-facts taken for facts (ours | baseline, of n): " + ", ".join(
        f"{what} {fooled['ours'][what]}|{fooled['baseline'][what]} of {n}" for what, n in sorted(distractors.items())))  # fmt: skip
    print("recall by form: " + ", ".join(f"{form} {a / b:.2f} ({b})" for form, (a, b) in sorted(by_form.items())))


def _print_unmatched(ctx, pred: list[dict], gold: list[dict], pairs, where: str = "", note=lambda g: "") -> None:
    """The gold facts no prediction matched (MISS) and the predictions no gold fact matched (FALSE)."""
    matched_g = {id(g) for g, _ in pairs}
    matched_p = {id(p) for _, p in pairs}
    for g in gold:
        if id(g) not in matched_g:
            print(f"  MISS  {where}{ctx(g['start'], g['end'])}{note(g)}")
    for p in pred:
        if id(p) not in matched_p:
            print(f"  FALSE {where}{ctx(p['raw_start'], p['raw_end'])}")


def _print_generated_errors(sample, pred: list[dict], gold: list[dict], pairs) -> None:
    raw = sample.text

    def ctx(s, e):
        return raw[max(0, s - 14) : s] + "[" + raw[s:e] + "]" + raw[e : e + 8]

    _print_unmatched(ctx, pred, gold, pairs, note=lambda g: f"  ({g['form']})")
    for g, p in pairs:
        if g["start"] != p["raw_start"] or g["end"] != p["raw_end"]:
            print(f"  SPAN  {ctx(g['start'], g['end'])} ours={p['surface']}")
        for field in FIELDS:
            if not field_right(field, g, p):
                gv, pv = (
                    (g[field], p[field])
                    if field != "value"
                    else ((g["value"], g["value_max"]), (p["value"], p["value_max"]))
                )
                extra = f" ({g['time_surface']}, {sample.date})" if field.startswith("year") else ""
                print(f"  {field.upper():<8}{ctx(g['start'], g['end'])} gold={gv} ours={pv}{extra}")


def _print_errors(name: str, raw: str, pred: list[dict], gold: list[dict], pairs) -> None:
    def ctx(s, e):
        return raw[max(0, s - 12) : s].replace("\n", "/") + "[" + raw[s:e] + "]" + raw[e : e + 8].replace("\n", "/")

    _print_unmatched(ctx, pred, gold, pairs, where=f"{name[:3]} ")
    for g, p in pairs:
        for field in ("value", "unit", "qualifier", "year"):
            ok = same_value(g[field], p[field]) if field == "value" else g[field] == p[field]
            if not ok:
                print(f"  {field.upper():<6}{name[:3]} {ctx(g['start'], g['end'])} gold={g[field]} ours={p[field]}")


if __name__ == "__main__":
    raise SystemExit(main())
