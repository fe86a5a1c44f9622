"""Pinyin readings pasted after characters: ``產業(yè)`` → ``產業``.

Some sites annotate characters with their reading; scraped, the readings stay
in the text.  A bracket is a reading only when its content parses as pinyin
syllables (:mod:`.data` ``pinyin.txt``) and it follows a Han character, so
``(HIAF)`` and ``(ACS Applied Materials`` are never touched.  A reading may
cover a word: ``税务(shuì wù)局`` (or ``(shuìwù)``), one syllable for each of
the Han characters before it at most.

>>> fix_pinyin_annotations("税务(shuì wù)局")[0][:3]
(2, 11, '')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..alignment import Edit
from ..charfreq import is_cjk
from .data import pinyin_parts, split_lines

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_LETTERS = "a-zü" + TONED
# A bracketed lowercase word right after a Han character (ASCII or full-width
# brackets), or up to eight of them apart by spaces or apostrophes.
_BRACKETED = rf"[(（]([{_LETTERS}]{{1,7}}(?:[ '][{_LETTERS}]{{1,7}}){{0,7}}|[{_LETTERS}]{{8,30}})[)）]"
ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaff]){_BRACKETED}")
_BRACKETED_AT = re.compile(_BRACKETED)  # a reading right after a reading: see _readings_end
MAX_SYLLABLES = 8


@lru_cache(maxsize=1)
def _syllable_re() -> re.Pattern[str]:
    initials, finals = pinyin_parts()
    ini = "|".join(sorted(initials, key=len, reverse=True))
    fin = "|".join(sorted(finals, key=len, reverse=True))
    return re.compile(rf"(?:{ini})?(?:{fin})|ng|m|n")


def _base(word: str) -> str:
    """Strip tone marks; ü → v."""
    word = word.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def is_pinyin(word: str) -> bool:
    """One pinyin syllable, tone marks allowed."""
    return bool(_syllable_re().fullmatch(_base(word)))


def syllable_count(reading: str) -> int:
    """The syllables of a pinyin reading (``shuì wù``, ``shuìwù``: 2), 0 if it is
    not one: each part between spaces or apostrophes is one syllable or a run
    of them, read with the fewest syllables."""
    total = 0
    for part in re.split(r"[ ']", reading):
        n = _fewest_syllables(_base(part))
        if not n:
            return 0
        total += n
    return total


@lru_cache(maxsize=4096)
def _fewest_syllables(word: str) -> int:
    if not word:
        return 0
    fewest = [0] + [0] * len(word)  # fewest[k]: syllables in word[:k] (0: none)
    syllable = _syllable_re()
    for k in range(1, len(word) + 1):
        for j in range(max(0, k - 6), k):
            if (j == 0 or fewest[j]) and syllable.fullmatch(word, j, k):
                n = fewest[j] + 1
                if not fewest[k] or n < fewest[k]:
                    fewest[k] = n
    return fewest[len(word)]


def _is_reading(line: str, m: re.Match, at: int | None = None) -> bool:
    """A bracket of pinyin with no more syllables than Han characters before it
    (before ``at``: where the first of the readings pasted one after another starts)."""
    n = syllable_count(m.group(1))
    if not n or n > MAX_SYLLABLES:
        return False
    at = m.start() if at is None else at
    k = at
    while k > at - n and k > 0 and is_cjk(line[k - 1]):
        k -= 1
    return at - k >= n


def _readings_end(line: str, m: re.Match) -> int:
    """Where the reading ``m`` ends, with the readings of the same characters
    pasted right after it: ``个(zhōng)(zhōng)(zhōng)(zhōng)`` is ``个``.  A
    reading must follow a Han character, so each round of the repair removed
    one of them: a line repaired in full (three rounds) kept the fourth, and
    the next repair removed it (found by the idempotence property test).

    >>> line = "个(gè)(gè)（gè）好"
    >>> line[: _readings_end(line, ANNOTATION.search(line))]
    '个(gè)(gè)（gè）'
    """
    end = m.end()
    while (more := _BRACKETED_AT.match(line, end)) and _is_reading(line, more, at=m.start()):
        end = more.end()
    return end


def has_tone(word: str) -> bool:
    return any(c in TONED for c in word)


def fix_pinyin_annotations(text: str) -> list[Edit]:
    """Remove ``(yè)`` after ``業``; plain ``(de)`` only on a line with toned readings."""
    if "(" not in text and "（" not in text:
        return []  # every reading is bracketed: two substring tests, not a regex scan
    edits = []
    for line_start, line in _lines(text):
        found = [m for m in ANNOTATION.finditer(line) if _is_reading(line, m)]
        if not any(has_tone(m.group(1)) for m in found):
            continue
        for m in found:
            toned = has_tone(m.group(1))
            edits.append(
                Edit(
                    line_start + m.start(),
                    line_start + _readings_end(line, m),
                    "",
                    "pinyin-annotation",
                    0.99 if toned else 0.8,
                    "full",
                    attached=True,  # the reading is the character's: 區(qū) is one raw extent
                )
            )
    return edits


# ``變?yōu)楫a``: a reading inserted between the two bytes of a GBK character;
# the decoder swallowed the lead byte and the "(" into one U+FFFD (folded to
# "?"), and the characters after ")" were read one byte out of phase.
MISALIGNED = re.compile(rf"[?\ufffd]([{_LETTERS}]{{1,7}})\)")


def _lines(text: str):
    pos = 0
    for line in split_lines(text):
        yield pos, line
        pos += len(line)


def looks_like_reading(word: str) -> bool:
    return is_pinyin(word) and has_tone(word)


__all__ = ["ANNOTATION", "MISALIGNED", "fix_pinyin_annotations", "is_pinyin", "looks_like_reading"]
