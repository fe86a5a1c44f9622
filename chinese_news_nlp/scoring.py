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
