"""Refinement steps: small, named changes to the chosen spans, each with its example.

A step takes the paragraph text, the spans the conflict policy chose and the
engine's words, and returns the spans it keeps.  Steps run in the order of
:data:`DEFAULT_STEPS`; ``EntityStage(refine=[...])`` picks others (``[]`` for
none).  Each stays in the default list only while ``benchmarks/entities.py``
shows it raising F1 on a dev split or on the seeds, which print each step's
measured delta.

>>> from .model import Candidate
>>> [(c.label) for c in lab_edu_by_head("之江实验室", [Candidate(0, 5, "ORG", 0.9, "model:fine")], [])]
['LAB']
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Sequence

from .model import Candidate
from .rules import Tok
from .vocab import vocabulary

Step = Callable[[str, list[Candidate], Sequence[Tok]], list[Candidate]]

_STEPS: dict[str, Step] = {}


def register_step(name: str) -> Callable[[Step], Step]:
    def decorate(step: Step) -> Step:
        _STEPS[name] = step
        return step

    return decorate


def step_names() -> list[str]:
    return list(_STEPS)


def get_step(step: str | Step) -> Step:
    if callable(step):
        return step
    try:
        return _STEPS[step]
    except KeyError:
        raise ValueError(f"unknown refinement step {step!r}; known: {', '.join(step_names())}") from None


def _relabel(c: Candidate, label: str, step: str) -> Candidate:
    return dataclasses.replace(c, label=label, source=f"{c.source}>{step}")


# Organizations the model finds, and the labels a head word may turn them into.
_ORG_LABELS = frozenset({"ORG", "GOV", "COMPANY"})


@register_step("lab-edu-by-head")
def lab_edu_by_head(text: str, spans: list[Candidate], tokens: Sequence[Tok]) -> list[Candidate]:
    """Organizations named by a research or teaching head word are LAB or EDU.

    The model's label sets have no LAB or EDU (CLUENER calls 之江实验室 and
    浙江大学 ``organization``); the head word says which they are: 之江实验室,
    中科院近代物理研究所, 浙江省现代纺织技术创新中心 → LAB; 浙江大学, 浙江水利水电学院 → EDU
    (heads in ``data/entities/org_heads.tsv``).  A company named after a
    research institute keeps its legal form at the end (…研究院有限公司) and
    stays COMPANY.
    """
    vocab = vocabulary()
    out = []
    for c in spans:
        if c.label in _ORG_LABELS:
            head = vocab.head_of(text[c.start : c.end])
            if head is not None and head.label in ("LAB", "EDU") and len(text[c.start : c.end]) > len(head.head):
                c = _relabel(c, head.label, "lab-edu-by-head")
        out.append(c)
    return out


_CREDIT_END = re.compile(r"[）)\]】\s]|$")


@register_step("photo-credit")
def photo_credit(text: str, spans: list[Candidate], tokens: Sequence[Tok]) -> list[Candidate]:
    """A photographer's credit is the name without 摄: ``（新华社记者兰红光摄）`` is PERSON 兰红光.

    The model reads 兰红光摄 as one name now and then, since 摄 follows names
    directly in credits; the name ends before a final 摄 that closes the credit.
    """
    out = []
    for c in spans:
        if (
            c.label == "PERSON"
            and c.end - c.start >= 3
            and text[c.end - 1] == "摄"
            and _CREDIT_END.match(text, c.end) is not None
        ):
            c = dataclasses.replace(c, end=c.end - 1, source=f"{c.source}>photo-credit")
        out.append(c)
    return out


# The steps that measured better than leaving them out (see benchmarks/entities.py).
DEFAULT_STEPS: tuple[str, ...] = ("lab-edu-by-head", "photo-credit")


def refine(text: str, spans: list[Candidate], tokens: Sequence[Tok], steps: Sequence[str | Step]) -> list[Candidate]:
    for step in steps:
        spans = get_step(step)(text, spans, tokens)
    return spans


__all__ = ["DEFAULT_STEPS", "get_step", "refine", "register_step", "step_names"]
