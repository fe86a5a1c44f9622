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
