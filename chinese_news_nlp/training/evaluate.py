"""Scoring a model's heads on dev sentences (torch-free: used by training, tests and benchmarks)."""

from __future__ import annotations

from typing import Sequence

from ..scoring import CLUENER_CORE, span_scores
from .corpora import Sentence, load_split, sample

# The fixed samples the shipped model's card records and the test re-scores.
SAMPLE_SIZE = 300
HEAD_OF_CORPUS = {"cluener": "fine", "msra": "coarse"}
CORPUS_LABELS = {"cluener": CLUENER_CORE, "msra": ("PERSON", "LOC", "ORG")}


def head_spans(model, texts: Sequence[str], head: str) -> list[set[tuple[int, int, str]]]:
    """``(start, end, label)`` per text from one head of an :class:`~chinese_news_nlp.entities.model.EntityModel`."""
    source = f"model:{head}"
    return [{(c.start, c.end, c.label) for c in cands if c.source == source} for _, cands in model.tag(list(texts))]


def head_scores(model, sentences: Sequence[Sentence], corpus: str) -> dict:
    """Per-label strict-span scores of the head trained on ``corpus`` over its labels."""
    labels = CORPUS_LABELS[corpus]
    pred = head_spans(model, [s.text for s in sentences], HEAD_OF_CORPUS[corpus])
    gold = [{sp for sp in s.spans if sp[2] in labels} for s in sentences]
    pred = [{sp for sp in p if sp[2] in labels} for p in pred]
    return span_scores(pred, gold, labels)


def sample_scores(model, data_dir=None) -> dict[str, float]:
    """Micro F1 of each head on its corpus' fixed dev sample (the numbers the model records)."""
    out = {}
    for corpus in HEAD_OF_CORPUS:
        sentences = sample(load_split(corpus, "dev", data_dir), SAMPLE_SIZE)
        out[corpus] = round(head_scores(model, sentences, corpus)["ALL"][2], 4)
    return out
