"""Deleted characters: ``重大创新台`` was ``重大创新平台``.

Reposts that dodge keyword filters strip certain characters from every word
holding them (``deleted_characters.txt``).  What is left of a frequent word
is *stranded*: a remainder that cannot stand where it stands.  A character is
inserted only when all of this holds (jieba's dictionary is the statistics):

* the word it restores is frequent (:data:`MIN_WORD_FREQ`) and not a name;
* the remainder is a whole span of the best segmentation of the damaged text
  and the restored word is a word (or part of one, ``交流平台``) of the best
  segmentation after;
* the remainder is stranded, in one of two ways:

  - **a bare measure word** (``台`` of ``平台``): a measure word follows a
    numeral or a demonstrative (``一台``, ``这台``).  Here it stands between
    full words: a word of two or more characters or a conjunction on its left
    (``开发台``, ``和台``), punctuation, a full word or a conjunction on its
    right.  ``台`` is also short for Taiwan (``赴台``, ``全台``, ``台中``):
    those put a one-character word beside it and are left alone.  As a
    compound the dictionary lacks (``指挥台``) could look the same, a bare
    measure word counts only when the text holds it at least
    :data:`MIN_SITES` times: a deleting filter works through the whole text.
  - **a bound form on its own** (``年来`` of ``近年来``): the remainder is, as
    a word, a hundred times rarer than the restored word, and nothing that
    could bind it stands on its left (``三年来``, ``多年来``, ``这些年来`` are
    whole): the clause starts with it, or a full word precedes it.

The inserted character is a reading of the context, not of surviving bytes:
the repair is reported as ``partial``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..alignment import Edit
from . import lm
from .data import deleted_characters

MIN_WORD_FREQ = 500  # jieba counts: 平台 3601, 近年来 3723
RARITY = 100  # 年来 (3) against 近年来 (3723)
MIN_SITES = 2
WINDOW = 6

# Characters that make a following measure word or 年来 whole: numerals,
# demonstratives, quantifiers.
_BINDERS = frozenset("0123456789０１２３４５６７８９一二三四五六七八九十百千万亿两零〇几每这那哪某各多数整半首该本此全")
_BINDER_TAGS = ("m", "r", "q")
_CLAUSE_MARKS = frozenset("，。、；：？！“”‘’（）《》「」『』…—,.;:?!()\"' \t\r\n")
_CONJUNCTION = "c"


@dataclass(frozen=True)
class _Candidate:
    word: str  # the restored word (simplified)
    index: int  # where the deleted character sits in it
    bare_measure_word: bool  # the remainder is a measure word, else a rare bound form

    @property
    def character(self) -> str:
        return self.word[self.index]


@lru_cache(maxsize=1)
def remainders() -> dict[str, tuple[_Candidate, ...]]:
    """What each deletable character leaves of the frequent words that hold it: {surface: candidates}."""
    freq = lm._word_model()[0]
    found: dict[str, list[_Candidate]] = {}
    for ch in deleted_characters():
        for word, count in freq.items():
            if count < MIN_WORD_FREQ or len(word) < 2 or ch not in word or lm.word_tag(word).startswith("nr"):
                continue
            j = word.index(ch)
            rest = word[:j] + word[j + 1 :]
            if len(rest) == 1 and lm.word_tag(rest) == "q":
                cand = _Candidate(word, j, True)
            elif len(rest) > 1 and (freq.get(rest) or 0) * RARITY < count:
                cand = _Candidate(word, j, False)
            else:
                continue
            for surface in {rest, _traditional(rest)}:
                found.setdefault(surface, []).append(cand)
    return {k: tuple(v) for k, v in found.items()}


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _traditional(text: str) -> str:
    return _s2t().convert(text)


def _intact(text: str, k: int, surface: str, cand: _Candidate) -> bool:
    """Does the character the remainder at ``k`` lacks stand beside it (``近年来``)?"""
    if cand.index == 0:
        return k > 0 and lm.to_simplified(text[k - 1]) == cand.character
    if cand.index == len(surface):
        end = k + len(surface)
        return end < len(text) and lm.to_simplified(text[end]) == cand.character
    return False


def _is_full_word(word: str) -> bool:
    """A word of two or more Han characters that cannot bind a measure word."""
    return (
        len(word) >= 2
        and all(lm.is_han(c) for c in word)
        and word[-1] not in _BINDERS
        and not lm.word_tag(word).startswith(_BINDER_TAGS)
    )


def _is_boundary(word: str) -> bool:
    return word == "" or all(c in _CLAUSE_MARKS for c in word)


def _stranded(text: str, start: int, end: int, cand: _Candidate) -> bool:
    """Is ``text[start:end]`` a stranded remainder of ``cand.word``?"""
    if cand.bare_measure_word and not (start > 0 and lm.is_han(text[start - 1])):
        return False  # a full word or a conjunction before it ends with a Han character
    lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
    window = text[lo:hi]
    spans = lm.best_segmentation(window)
    starts = {a + lo: (a + lo, b + lo) for a, b in spans}
    ends = {b + lo: (a + lo, b + lo) for a, b in spans}
    if start not in starts or end not in ends:
        return False  # the remainder is part of a longer word
    left = text[ends[start][0] : start] if start in ends else ""
    right = text[end : starts[end][1]] if end in starts else ""
    if cand.bare_measure_word:
        left_ok = _is_full_word(left) or (len(left) == 1 and lm.word_tag(left) == _CONJUNCTION)
        right_ok = _is_boundary(right) or _is_full_word(right) or lm.word_tag(right) == _CONJUNCTION
        if not (left_ok and right_ok):
            return False
    elif not (_is_boundary(left) or _is_full_word(left)):
        return False
    # After the insertion the restored word must be read as a word, or as part
    # of one (交流平台): 平台州 reads 平/台州 and is rejected.
    at = start + cand.index - lo
    restored = window[:at] + cand.character + window[at:]
    a, b = start - lo, start - lo + len(cand.word)
    return any(s <= a and b <= e for s, e in lm.best_segmentation(restored))


@lru_cache(maxsize=1)
def _first_characters() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted({s[0] for s in remainders()})) + "]")


def _find_remainders(text: str) -> list[tuple[int, str]]:
    """Every (offset, surface) of a remainder, overlapping ones included (one
    scan for the characters they start with, the surfaces looked up there)."""
    by_first = _by_first_character()
    found = []
    for m in _first_characters().finditer(text):
        k = m.start()
        for surface in by_first[m.group()]:  # a loop, not a generator per match: clean text's hot path
            if text.startswith(surface, k):
                found.append((k, surface))
    return found


@lru_cache(maxsize=1)
def _by_first_character() -> dict[str, tuple[str, ...]]:
    """The remainders by their first character, longest first."""
    out: dict[str, list[str]] = {}
    for surface in sorted(remainders(), key=len, reverse=True):
        out.setdefault(surface[0], []).append(surface)
    return {k: tuple(v) for k, v in out.items()}


def fix_deleted_characters(text: str) -> list[Edit]:
    """Insert characters a filter stripped, where the remainder is stranded."""
    table = remainders()
    sites: dict[tuple[str, str], list[int]] = {}
    found = _find_remainders(text)
    if not found:
        return []
    seen: dict[str, int] = {}
    for k, surface in found:
        if k > 0 and text[k - 1] in _BINDERS:
            continue  # 一台, 三年来: bound, whatever the segmentation
        for cand in table[surface]:
            if cand.bare_measure_word and seen.setdefault(surface, text.count(surface)) < MIN_SITES:
                continue  # a bare measure word counts only where the text holds it MIN_SITES times
            if _intact(text, k, surface, cand):
                continue  # 近年来, 平方米: the character is there
            if _stranded(text, k, k + len(surface), cand):
                sites.setdefault((cand.word, surface), []).append(k)
                break
    edits = []
    for (word, surface), found in sites.items():
        cand = next(c for c in table[surface] if c.word == word)
        if cand.bare_measure_word and len(found) < MIN_SITES:
            continue
        ch = cand.character if surface == lm.to_simplified(surface) else _traditional(cand.character)
        conf = 0.75 if not cand.bare_measure_word else round(min(0.9, 0.6 + 0.05 * len(found)), 2)
        edits.extend(Edit(k + cand.index, k + cand.index, ch, "deleted-character", conf, "partial") for k in found)
    return edits
