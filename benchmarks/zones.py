"""Page zones, page metadata and near-duplicates, each beside a baseline measured in the same run.

1. Zones by line on the seeds (``../shared/gold/zones.jsonl``) and on pages generated from
   People's Daily text (:mod:`pages`, fixed seed): overall line accuracy, per-zone
   precision/recall/F1.  Baseline: a length rule (the first line is the title, lines of 40+
   characters ending a sentence are body, everything else boilerplate).
2. Metadata exact match per field on the seeds (``metadata.jsonl``) and the generated pages.
3. Near-duplicates on a generated corpus of originals and reposts (other layout, edited
   sentences, some in traditional script): pair precision/recall of ``dedup``; baselines in
   the same run: exact match of the whole normalized page, and MinHash over the whole page
   (boilerplate included) instead of the article zones.
4. Throughput: the share of the default pipeline's time spent in the zones stage, and the
   time of ``dedup`` as a share of the pipeline's; dedup alone on a stream of synthetic
   articles (memory per document from tracemalloc).

    .venv/bin/python benchmarks/zones.py [--pages 150] [--dups 100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages as page_gen  # noqa: E402

from chinese_news_nlp.doc import ZONE_LABELS  # noqa: E402
from chinese_news_nlp.near_duplicates import Deduplicator, dedup, normalized_article  # noqa: E402
from chinese_news_nlp.pipeline import load  # noqa: E402

SHARED = REPO.parent / "shared"
META_FIELDS = ("title", "date", "time", "date_text", "source", "authors")
TARGETS = {"seed_accuracy": 0.95, "seed_f1": 0.90, "dup_p": 0.95, "dup_r": 0.95, "zones_share": 0.05}


# -- scoring ------------------------------------------------------------------------------------
def per_zone(pairs: list[tuple[str, str]]) -> dict:
    conf = Counter(pairs)
    out = {"accuracy": sum(v for (g, p), v in conf.items() if g == p) / max(1, len(pairs)), "zones": {}}
    for label in ZONE_LABELS:
        tp = conf[(label, label)]
        fp = sum(v for (g, p), v in conf.items() if p == label and g != label)
        fn = sum(v for (g, p), v in conf.items() if g == label and p != label)
        if tp + fn == 0 and fp == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out["zones"][label] = {"p": prec, "r": rec, "f1": f1, "n": tp + fn}
    return out


def baseline_zones(lines: list[str]) -> list[str]:
    out = []
    for i, line in enumerate(lines):
        if i == 0:
            out.append("title")
        elif len(line) >= 40 and line.rstrip("”）)")[-1:] in "。！？":
            out.append("body")
        else:
            out.append("boilerplate")
    return out


def zone_of_raw(doc, raw_start: int) -> str | None:
    for z in doc.zones:
        if z.raw_start <= raw_start < max(z.raw_end, z.raw_start + 1):
            return z.label
    return None


def seeds(nlp) -> dict:
    gold = [json.loads(x) for x in (SHARED / "gold" / "zones.jsonl").read_text(encoding="utf-8").splitlines()]
    metas = [json.loads(x) for x in (SHARED / "gold" / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
    by_doc = defaultdict(list)
    for g in gold:
        by_doc[g["doc"]].append(g)
    ours, base = [], []
    meta_hits: dict[str, list[bool]] = defaultdict(list)
    for name, rows in sorted(by_doc.items()):
        raw = (REPO / "seeds" / name).read_text(encoding="utf-8")
        doc = nlp(raw, id=name)
        rows.sort(key=lambda g: g["line"])
        predicted_base = baseline_zones([raw[g["start"] : g["end"]].strip() for g in rows])
        for g, b in zip(rows, predicted_base):
            ours.append(
                (
                    g["zone"],
                    zone_of_raw(
                        doc, g["start"] + (len(raw[g["start"] : g["end"]]) - len(raw[g["start"] : g["end"]].lstrip()))
                    ),
                )
            )
            base.append((g["zone"], b))
        gold_meta = next(m for m in metas if m["doc"] == name)
        for key in META_FIELDS:
            if key in gold_meta:
                meta_hits[key].append(doc.meta.get(key) == gold_meta[key])
    return {"ours": per_zone(ours), "baseline": per_zone(base), "meta": meta_hits}


def generated(nlp, n: int, seed: int) -> dict:
    ours, base = [], []
    meta_hits: dict[str, list[bool]] = defaultdict(list)
    errors: Counter = Counter()
    for page in page_gen.make_pages(n, seed=seed):
        doc = nlp(page.text)
        predicted = {}
        for z in doc.zones:
            predicted[z.raw_start] = z.label
        # the i-th non-blank raw line is the i-th generated line
        starts = []
        pos = 0
        for chunk in page.text.split("\n"):
            if chunk.strip():
                starts.append(pos + len(chunk) - len(chunk.lstrip(" \u3000")))
            pos += len(chunk) + 1
        assert len(starts) == len(page.lines), (len(starts), len(page.lines))
        predicted_base = baseline_zones([t for t, _ in page.lines])
        for (_, zone), start, b in zip(page.lines, starts, predicted_base):
            got = zone_of_raw(doc, start)
            ours.append((zone, got))
            base.append((zone, b))
            if got != zone:
                errors[(zone, got)] += 1
        for key in META_FIELDS:
            if key in page.meta:
                meta_hits[key].append(doc.meta.get(key) == page.meta[key])
    return {"ours": per_zone(ours), "baseline": per_zone(base), "meta": meta_hits, "errors": errors.most_common(8)}


# -- near-duplicates --------------------------------------------------------------------------------
def pair_scores(marks: list, origin: list[int]) -> tuple[float, float]:
    """Precision/recall of 'document i duplicates an earlier document of the same article'."""
    first_of: dict[int, int] = {}
    positives = 0
    for i, o in enumerate(origin):
        if o in first_of:
            positives += 1
        else:
            first_of[o] = i
    index_of = {m.id: i for i, m in enumerate(marks)}
    marked = [(i, index_of[m.duplicate_of]) for i, m in enumerate(marks) if m.duplicate_of is not None]
    correct = sum(origin[i] == origin[j] for i, j in marked)
    prec = correct / len(marked) if marked else 1.0
    rec = correct / positives if positives else 1.0
    return prec, rec


def near_duplicates(n_originals: int, n_reposts: int) -> dict:
    texts, origin = page_gen.repost_corpus(n_originals, n_reposts)
    light = load(["repair", "convert", "zones"])
    docs = [light(t, id=str(i)) for i, t in enumerate(texts)]
    started = time.perf_counter()
    ours = list(dedup(docs))
    dedup_seconds = time.perf_counter() - started
    whole = list(dedup([d.text for d in docs], ids=[str(i) for i in range(len(docs))]))
    exact: dict[str, str] = {}
    exact_marks = []
    from chinese_news_nlp.near_duplicates import DuplicateMark

    for i, d in enumerate(docs):
        key = normalized_article(d.text)
        exact_marks.append(DuplicateMark(str(i), exact.get(key)))
        exact.setdefault(key, str(i))
    return {
        "documents": len(texts),
        "reposts": n_reposts,
        "ours": pair_scores(ours, origin),
        "whole_page_minhash": pair_scores(whole, origin),
        "exact": pair_scores(exact_marks, origin),
        "dedup_seconds": dedup_seconds,
    }


# -- throughput -------------------------------------------------------------------------------------
def stage_shares(n_pages: int, seed: int) -> dict:
    nlp = load()
    pages = [p.text for p in page_gen.make_pages(n_pages, seed=seed + 1)]
    nlp(pages[0])  # load the models
    spent: Counter = Counter()
    docs = []
    for text in pages:
        doc = nlp.make_doc(text)
        for stage in nlp.stages:
            t0 = time.perf_counter()
            doc = stage(doc)
            spent[stage.name] += time.perf_counter() - t0
        doc.fill_raw_offsets()
        docs.append(doc)
    total = sum(spent.values())
    t0 = time.perf_counter()
    list(dedup(docs))
    dedup_seconds = time.perf_counter() - t0
    return {
        "pages": n_pages,
        "chars": sum(len(p) for p in pages),
        "pipeline_seconds": total,
        "shares": {k: v / total for k, v in spent.items()},
        "dedup_share": dedup_seconds / total,
    }


def dedup_stream(n: int) -> dict:
    """dedup alone over ``n`` synthetic articles (sentences of the MSRA file, shuffled), memory traced."""
    import random

    sentences = []
    with open(SHARED / "data" / "msra" / "train.jsonl", encoding="utf-8") as fh:
        for line in fh:
            sentences.append(json.loads(line)["text"])
            if len(sentences) >= 50_000:
                break
    rng = random.Random(7)
    index = Deduplicator()
    tracemalloc.start()
    t0 = time.perf_counter()
    marked = 0
    checkpoints = {}
    for i in range(n):
        text = normalized_article("".join(rng.choice(sentences) for _ in range(25)))
        marked += index.add(str(i), text).duplicate_of is not None
        if i + 1 in (n // 10, n):
            checkpoints[i + 1] = tracemalloc.get_traced_memory()[0]
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    small, big = sorted(checkpoints)
    per_doc = (checkpoints[big] - checkpoints[small]) / (big - small)
    return {"documents": n, "seconds": seconds, "docs_per_second": n / seconds, "marked": marked,
            "bytes_per_document": per_doc, "peak_mb": peak / 1e6}  # fmt: skip


# -- report -------------------------------------------------------------------------------------------
def show_zones(title: str, result: dict) -> None:
    ours, base = result["ours"], result["baseline"]
    print(f"\n{title}: line accuracy {ours['accuracy']:.3f} (baseline {base['accuracy']:.3f})")
    for label, s in ours["zones"].items():
        b = base["zones"].get(label, {"f1": 0.0})
        print(
            f"  {label:12s} P {s['p']:.3f}  R {s['r']:.3f}  F1 {s['f1']:.3f}  (n={s['n']}; baseline F1 {b['f1']:.3f})"
        )
    meta = result["meta"]
    print("  metadata exact: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in meta.items()))
    if result.get("errors"):
        print("  most frequent confusions (gold→ours): " + ", ".join(f"{g}→{p} {n}" for (g, p), n in result["errors"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--pages", type=int, default=150, help="generated pages to score (at most the articles there are)"
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--reposts", type=int, default=100)
    parser.add_argument(
        "--dups", type=int, default=20_000, help="documents of the dedup stream test (100000: the issue's size)"
    )
    parser.add_argument("--throughput-pages", type=int, default=30)
    parser.add_argument("--json", help="write every figure as JSON here")
    args = parser.parse_args(argv)

    nlp = load(["repair", "convert", "zones"])
    report = {"seeds": seeds(nlp), "generated": generated(nlp, args.pages, args.seed)}
    show_zones("Seeds (the pages the rules were written against)", report["seeds"])
    show_zones(f"Generated pages ({args.pages}, seed {args.seed})", report["generated"])

    dup = near_duplicates(150, args.reposts)
    report["near_duplicates"] = dup
    print(f"\nNear-duplicates: {dup['documents']} pages, {dup['reposts']} reposts")
    for name in ("ours", "whole_page_minhash", "exact"):
        p, r = dup[name]
        print(f"  {name:20s} precision {p:.3f}  recall {r:.3f}")

    thr = stage_shares(args.throughput_pages, args.seed)
    report["throughput"] = thr
    print(f"\nThroughput ({thr['pages']} generated pages, {thr['chars']:,} chars, default pipeline "
          f"{thr['chars'] / thr['pipeline_seconds']:,.0f} chars/s)")  # fmt: skip
    print("  share of pipeline time: " + ", ".join(f"{k} {v:.1%}" for k, v in thr["shares"].items()))
    print(f"  dedup over the same docs: {thr['dedup_share']:.2%} of the pipeline's time")

    stream = dedup_stream(args.dups)
    report["dedup_stream"] = stream
    print(f"  dedup stream: {stream['documents']:,} synthetic articles, {stream['docs_per_second']:,.0f} docs/s, "
          f"{stream['bytes_per_document']:,.0f} bytes per document indexed, peak {stream['peak_mb']:.0f} MB traced, "
          f"{stream['marked']} marked")  # fmt: skip

    seed_ok = report["seeds"]["ours"]["accuracy"] >= TARGETS["seed_accuracy"] and all(
        s["f1"] >= TARGETS["seed_f1"] for s in report["seeds"]["ours"]["zones"].values()
    )
    print(f"\ntargets: seeds {'met' if seed_ok else 'MISSED'}; near-dup "
          f"{'met' if min(dup['ours']) >= TARGETS['dup_p'] else 'MISSED'}; zones share "
          f"{'met' if thr['shares'].get('zones', 1) < TARGETS['zones_share'] else 'MISSED'}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
