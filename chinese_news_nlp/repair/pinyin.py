"""Pinyin readings pasted after characters: ``產業(yè)`` → ``產業``.

Some sites annotate characters with their reading; scraped, the readings stay
in the text.  A bracket is a reading only when its content parses as pinyin
syllables (:mod:`.data` ``pinyin.txt``) and it follows a Han character, so
``(HIAF)`` and ``(ACS Applied Materials`` are never touched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..alignment import Edit
from .data import pinyin_parts, split_lines

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_LETTERS = "a-zü" + TONED
# A bracketed lowercase word right after a Han character (ASCII or full-width brackets).
ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]([{_LETTERS}]{{1,7}})[)）]")


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


def has_tone(word: str) -> bool:
    return any(c in TONED for c in word)


def fix_pinyin_annotations(text: str) -> list[Edit]:
    """Remove ``(yè)`` after ``業``; plain ``(de)`` only on a line with toned readings."""
    edits = []
    for line_start, line in _lines(text):
        found = [m for m in ANNOTATION.finditer(line) if is_pinyin(m.group(1))]
        if not any(has_tone(m.group(1)) for m in found):
            continue
        for m in found:
            toned = has_tone(m.group(1))
            edits.append(
                Edit(
                    line_start + m.start(),
                    line_start + m.end(),
                    "",
                    "pinyin-annotation",
                    0.99 if toned else 0.8,
                    "full",
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
