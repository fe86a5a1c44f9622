"""Choosing among overlapping candidate spans: pluggable conflict policies.

Candidates come from the model's two heads, user gazetteers, spans a user's
own stage put on ``doc.entities``, and refinement steps.  A policy takes them
all and returns a set of spans that do not overlap.  Policies are registered
by name (:func:`register_policy`); ``EntityStage(policy=...)`` takes a name or
a callable.

Every built-in policy first lets the user's word stand: candidates whose
source is ``user`` (a user's stage) or ``gazetteer`` (a user's dictionary)
are placed before any other.  Then:

* ``score`` (default): the most probable span first.  When both heads found
  the very same span, it is one candidate with the fine label (COMPANY rather
  than ORG) and the higher probability.
* ``fine-first``: every span of the fine (CLUENER) head before any of the
  coarse head, each set by probability.
* ``longest``: the longest span first (what earlier releases did), ties by
  probability.

>>> a = Candidate(0, 4, "ORG", 0.9, "model:coarse")
>>> b = Candidate(0, 2, "LOC", 0.95, "model:fine")
>>> [c.label for c in resolve([a, b], "score")], [c.label for c in resolve([a, b], "longest")]
(['LOC'], ['ORG'])
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence, Union

from .model import REFINES, Candidate
from .registry import Registry

Policy = Callable[[Sequence[Candidate]], list[Candidate]]

USER_SOURCES = ("user", "gazetteer")

_POLICIES: Registry[Policy] = Registry("conflict policy")
register_policy = _POLICIES.register
policy_names = _POLICIES.names


def get_policy(policy: Union[str, Policy]) -> Policy:
    return _POLICIES.get(policy)


def resolve(candidates: Iterable[Candidate], policy: Union[str, Policy] = "score") -> list[Candidate]:
    """The non-overlapping spans ``policy`` picks, sorted by position."""
    return sorted(get_policy(policy)(list(candidates)), key=lambda c: (c.start, c.end))


def _is_user(c: Candidate) -> bool:
    return c.source in USER_SOURCES


def merge_same_spans(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per ``(start, end)``: a user's first, then the fine label over the coarse one
    it refines (ORG → COMPANY), then the more probable; the score is the highest seen."""
    by_span: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        key = (c.start, c.end)
        old = by_span.get(key)
        if old is None:
            by_span[key] = c
            continue
        keep = _preferred(old, c)
        score = keep.score if _is_user(keep) else max(old.score, c.score)
        by_span[key] = Candidate(keep.start, keep.end, keep.label, score, keep.source, keep.kinds)
    return list(by_span.values())


def _preferred(a: Candidate, b: Candidate) -> Candidate:
    if _is_user(a) != _is_user(b):
        return a if _is_user(a) else b
    if a.source == "model:coarse" and b.source != "model:coarse" and b.label in REFINES.get(a.label, ()):
        return b
    if b.source == "model:coarse" and a.source != "model:coarse" and a.label in REFINES.get(b.label, ()):
        return a
    return a if a.score >= b.score else b


def greedy(candidates: Sequence[Candidate], key) -> list[Candidate]:
    """Take candidates in ``key`` order, skipping any that overlaps one already taken."""
    taken: list[Candidate] = []
    used: set[int] = set()
    for c in sorted(candidates, key=key):
        if c.end <= c.start or any(p in used for p in range(c.start, c.end)):
            continue
        taken.append(c)
        used.update(range(c.start, c.end))
    return taken


@register_policy("score")
def by_score(candidates: Sequence[Candidate]) -> list[Candidate]:
    return greedy(merge_same_spans(candidates), key=lambda c: (not _is_user(c), -c.score, c.start - c.end, c.start))


@register_policy("fine-first")
def fine_first(candidates: Sequence[Candidate]) -> list[Candidate]:
    return greedy(
        merge_same_spans(candidates),
        key=lambda c: (not _is_user(c), c.source == "model:coarse", -c.score, c.start - c.end, c.start),
    )


@register_policy("longest")
def longest(candidates: Sequence[Candidate]) -> list[Candidate]:
    return greedy(merge_same_spans(candidates), key=lambda c: (not _is_user(c), c.start - c.end, -c.score, c.start))


__all__ = ["Policy", "get_policy", "merge_same_spans", "policy_names", "register_policy", "resolve"]
