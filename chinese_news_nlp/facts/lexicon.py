"""The data files of the fact stage (``chinese_news_nlp/data/facts/``), read once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    # first character -> the lengths of the units and non-unit words starting with it, longest
    # first: what match_unit tries (derived from units and non_units)
    sizes_at: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    # any of the idioms: one scan tells that a page holds none (most do not), before a find per idiom
    any_idiom: re.Pattern = field(init=False, repr=False, compare=False)
    # the last characters of the qualifiers before a number: a text ending in another holds none
    # (None when the empty word is one, which any text ends with)
    qualifier_ends: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sizes: dict[str, set[int]] = {}
        for word in [*self.units, *self.non_units]:
            if word:
                sizes.setdefault(word[0], set()).add(len(word))
        object.__setattr__(self, "sizes_at", {c: tuple(sorted(n, reverse=True)) for c, n in sizes.items()})
        object.__setattr__(self, "any_idiom", re.compile("|".join(map(re.escape, self.idioms))))
        ends = None if "" in self.qualifiers_before else frozenset(w[-1] for w in self.qualifiers_before)
        object.__setattr__(self, "qualifier_ends", ends)

    def match_unit(self, text: str, pos: int) -> tuple[Unit | None, int]:
        """The longest unit (or non-unit word) at ``pos``: ``(Unit, end)``, ``(None, end)``
        for a non-unit word such as 周年, ``(None, pos)`` when nothing matches."""
        # Only the lengths of the words starting with the character at pos, not every length
        # from longest_unit down: most numerals are followed by a character that starts no unit
        # (一些, 1998年 does), and each length tried was two lookups (called for every numeral run)
        sizes = self.sizes_at.get(text[pos : pos + 1], ())
        room = len(text) - pos
        for size in sizes:
            if size > room:
                continue  # the longer words do not fit before the text's end
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
