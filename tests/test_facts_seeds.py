"""Accuracy floors of the fact stage on the seed articles (gold: shared/gold/facts.jsonl)."""

from __future__ import annotations

import json
import math

import pytest

from chinese_news_nlp.errors import UnknownStageError
from chinese_news_nlp.pipeline import load


def _pipeline():
    stages = []
    for name in ("repair", "convert", "facts"):
        try:
            load([name])
        except (UnknownStageError, ImportError):
            continue
        stages.append(name)
    return load(stages), stages


@pytest.fixture(scope="module")
def scored(gold_dir, seed_texts):
    gold = [
        json.loads(line) for line in (gold_dir / "facts.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    nlp, stages = _pipeline()
    pairs, n_pred, n_gold = [], 0, 0
    for name, raw in seed_texts.items():
        if name.startswith("004") and "repair" not in stages:
            continue  # traditional and damaged: needs the repair stage
        doc = nlp(raw)
        doc.check()
        doc_gold = [g for g in gold if g["doc"] == name]
        n_pred += len(doc.facts)
        n_gold += len(doc_gold)
        taken = set()
        for g in doc_gold:
            for i, f in enumerate(doc.facts):
                if i not in taken and f.raw_start < g["end"] and g["start"] < f.raw_end:
                    taken.add(i)
                    pairs.append((g, f))
                    break
    return pairs, n_pred, n_gold


def test_detection_f1(scored):
    pairs, n_pred, n_gold = scored
    p, r = len(pairs) / n_pred, len(pairs) / n_gold
    assert 2 * p * r / (p + r) >= 0.92


@pytest.mark.parametrize("field, floor", [("value", 0.97), ("unit", 0.95), ("qualifier", 0.90), ("year", 0.85)])
def test_field_accuracy(scored, field, floor):
    pairs, _, _ = scored
    if field == "value":
        ok = sum(math.isclose(g["value"], f.value, rel_tol=1e-9) for g, f in pairs)
    else:
        ok = sum(g[field] == getattr(f, field) for g, f in pairs)
    assert ok / len(pairs) >= floor
