"""Measures shared by the tests and the benchmarks."""

from __future__ import annotations


def levenshtein(a: str, b: str) -> int:
    """Edit distance between ``a`` and ``b`` (two-row dynamic programming)."""
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
    """Share of the damage undone: ``1 - dist(fixed, clean) / dist(corrupt, clean)`` (1.0 when nothing was damaged)."""
    base = levenshtein(corrupt, clean)
    return 1.0 - levenshtein(fixed, clean) / base if base else 1.0


def standing(fixed: str, clean: str) -> list[bool]:
    """For each character of ``fixed``: does it stand in ``clean``, aligned by their longest
    matching blocks (``difflib``, no junk heuristic)?

    >>> standing("本报飞州", "本报杭州")
    [True, True, False, True]
    """
    from difflib import SequenceMatcher

    out = [False] * len(fixed)
    for a, _b, size in SequenceMatcher(None, fixed, clean, autojunk=False).get_matching_blocks():
        out[a : a + size] = [True] * size
    return out


def word_spans(words: list[str]) -> set[tuple[int, int]]:
    """``(start, end)`` of each word in the text the words concatenate to."""
    out, pos = set(), 0
    for word in words:
        out.add((pos, pos + len(word)))
        pos += len(word)
    return out


def segmentation_f1(pred: list[list[str]], gold: list[list[str]]) -> tuple[float, float, float]:
    """Word-level precision, recall and F1 of segmented lines against gold lines."""
    tp = n_pred = n_gold = 0
    for p, g in zip(pred, gold):
        ps, gs = word_spans(p), word_spans(g)
        tp, n_pred, n_gold = tp + len(ps & gs), n_pred + len(ps), n_gold + len(gs)
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


# -- entities: strict spans per label -------------------------------------------------

# Our labels in the label space of each corpus: CLUENER has no LAB or EDU (they are its
# ``organization``); MSRA has PER/LOC/ORG only, every organization is ORG and titles,
# works and scenes are not names.
CLUENER_VIEW = {
    "PERSON": "PERSON", "TITLE": "TITLE", "COMPANY": "COMPANY", "GOV": "GOV", "ORG": "ORG",
    "LAB": "ORG", "EDU": "ORG", "LOC": "LOC", "WORK": "WORK", "SCENE": "SCENE",
}  # fmt: skip
MSRA_VIEW = {"PERSON": "PERSON", "LOC": "LOC", "ORG": "ORG", "COMPANY": "ORG", "GOV": "ORG", "LAB": "ORG", "EDU": "ORG"}
# The six labels of CLUENER the entity targets are set on (WORK and SCENE are extras).
CLUENER_CORE = ("PERSON", "TITLE", "COMPANY", "GOV", "ORG", "LOC")


def span_scores(
    pred: list[set[tuple[int, int, str]]], gold: list[set[tuple[int, int, str]]], labels: tuple[str, ...] | None = None
) -> dict[str, tuple[float, float, float, int]]:
    """Strict-span ``(P, R, F1, gold count)`` per label and ``ALL`` (micro over ``labels``) of
    per-sentence sets of ``(start, end, label)``."""
    tp: dict[str, int] = {}
    n_pred: dict[str, int] = {}
    n_gold: dict[str, int] = {}
    for p, g in zip(pred, gold):
        for *_, label in p:
            n_pred[label] = n_pred.get(label, 0) + 1
        for *_, label in g:
            n_gold[label] = n_gold.get(label, 0) + 1
        for *_, label in p & g:
            tp[label] = tp.get(label, 0) + 1
    labels = labels or tuple(sorted(set(n_gold) | set(n_pred)))
    out = {}
    for label in (*labels, "ALL"):
        keys = labels if label == "ALL" else (label,)
        t = sum(tp.get(k, 0) for k in keys)
        np_ = sum(n_pred.get(k, 0) for k in keys)
        ng = sum(n_gold.get(k, 0) for k in keys)
        prec = t / np_ if np_ else 0.0
        rec = t / ng if ng else 0.0
        out[label] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0, ng)
    return out


def in_view(spans, view: dict[str, str]) -> set[tuple[int, int, str]]:
    """``(start, end, label)`` spans relabelled into a corpus' label space; labels it lacks dropped."""
    return {(s, e, view[label]) for s, e, label in spans if label in view}
