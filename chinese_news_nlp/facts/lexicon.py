"""The data files of the fact stage (``chinese_news_nlp/data/facts/``), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "facts"


def _lines(name: str) -> list[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if line.strip() and not line.startswith("#")]


def _rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _lines(name)]


@dataclass(frozen=True)
class Unit:
    surface: str
    unit: str
    kind: str


@dataclass(frozen=True)
class Lexicon:
    units: dict[str, Unit]
    non_units: frozenset[str]
    longest_unit: int
    qualifiers_before: dict[str, str]
    qualifiers_after: dict[str, str]
    plan_periods: dict[str, tuple[int, int]]
    relative_years: dict[str, int]
    frame_resets: tuple[str, ...]
    idioms: tuple[str, ...]
    nonfact_patterns: tuple[regex.Pattern, ...]

    def match_unit(self, text: str, pos: int) -> tuple[Unit | None, int]:
        """The longest unit (or non-unit word) at ``pos``: ``(Unit, end)``, ``(None, end)``
        for a non-unit word such as 周年, ``(None, pos)`` when nothing matches."""
        for size in range(min(self.longest_unit, len(text) - pos), 0, -1):
            piece = text[pos : pos + size]
            if piece in self.non_units:
                return None, pos + size
            unit = self.units.get(piece)
            if unit is not None:
                # A Latin unit must end at a word edge: "P" in 300P, not in 300Pa.
                if piece[-1].isascii() and piece[-1].isalpha():
                    nxt = text[pos + size : pos + size + 1]
                    if nxt.isascii() and nxt.isalnum():
                        continue
                return unit, pos + size
        return None, pos


@cache
def lexicon() -> Lexicon:
    units = {row[0]: Unit(row[0], row[1], row[2]) for row in _rows("units.tsv")}
    non_units = frozenset(_lines("non_units.txt"))
    before, after = {}, {}
    for word, where, qualifier in _rows("qualifiers.tsv"):
        if where == "before":
            before[word] = qualifier
        elif where == "after":
            after[word] = qualifier
    return Lexicon(
        units=units,
        non_units=non_units,
        longest_unit=max(len(w) for w in [*units, *non_units]),
        qualifiers_before=before,
        qualifiers_after=after,
        plan_periods={row[0]: (int(row[1]), int(row[2])) for row in _rows("plan_periods.tsv")},
        relative_years={row[0]: int(row[1]) for row in _rows("relative_years.tsv")},
        frame_resets=tuple(sorted(_lines("frame_resets.txt"), key=len, reverse=True)),
        idioms=tuple(_lines("idioms.txt")),
        nonfact_patterns=tuple(regex.compile(p) for p in _lines("nonfact_patterns.txt")),
    )
