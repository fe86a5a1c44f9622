"""Half-width folding of Chinese punctuation: ``產業,持續`` → ``產業，持續``.

Scrapers and some editors fold ``，（）！？：；`` to ASCII.  An ASCII mark is
restored to full width only in Chinese context: the character before it is
Chinese (``成都,2023年`` → ``成都，2023年``), or a number stands before it and
a Han character after it (``57%,国有``).  Between Latin letters or digits
(``1,000``, ``10:30``, ``http://``) it stays ASCII.  Brackets are restored in
pairs, and only around Chinese content: ``正序生物(上海)`` → ``（上海）``, while
``(HIAF)`` and ``(AED)`` keep ASCII brackets, as Chinese news writes them.

A line whose every mark was folded (two or more ASCII marks after Chinese,
or before Chinese, not one full-width ``，；：？！``) says more about its own ASCII: there a
bracket pair around Latin text between Chinese (``合唱團(Village People)一九
七○年代``), a ``?`` between characters (``免职省事?有的感叹``) and a comma
between scores (``以6-1,6-4,一面倒``) were folded too.  In a line that kept
its full-width marks a ``?`` between characters is a character lost to a
codec (``修改?宪草``) and stays.  A lone bracket between Han characters
(``第(四项``, ``柳州)高速``) lost its partner, not its width.
"""

from __future__ import annotations

import re

from ..alignment import Edit
from . import lm
from .data import question_words, split_lines

FULL = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；", "(": "（", ")": "）"}


def _chinese_before(line: str, k: int) -> bool:
    return k > 0 and lm.looks_chinese(line[k - 1])


def _number_then_han(line: str, k: int) -> bool:
    return 0 < k < len(line) - 1 and (line[k - 1].isdigit() or line[k - 1] in "%％") and lm.is_han(line[k + 1])


_ASCII_MARK = re.compile(r"[,!?:;()]")


def fix_halfwidth_punctuation(text: str) -> list[Edit]:
    if not _ASCII_MARK.search(text):
        return []
    edits = []
    pos = 0
    for line in split_lines(text):
        edits.extend(
            Edit(pos + k, pos + k + 1, FULL[line[k]], "halfwidth-punctuation", conf, "full") for k, conf in _fixes(line)
        )
        pos += len(line)
    return edits


_FULL_MARKS = frozenset("，；：？！")
FOLDED_LINE_MIN_MARKS = 2


_MARK = re.compile(r"[,!?:;]")
_BRACKET = re.compile(r"[()]")


def line_is_folded(line: str) -> bool:
    """Every mark of ``line`` folded: two or more ASCII marks beside Chinese, no full-width one.

    >>> line_is_folded("免职省事?有的感叹,也有"), line_is_folded("免职省事?有的感叹，也有")
    (True, False)
    """
    if not _FULL_MARKS.isdisjoint(line):
        return False
    n = 0
    for m in _MARK.finditer(line, 1, len(line) - 1):  # the marks alone, not every character
        k = m.start()
        if lm.looks_chinese(line[k - 1]) or lm.is_han(line[k + 1]):
            n += 1
            if n >= FOLDED_LINE_MIN_MARKS:
                return True
    return False


def _latin_before(line: str, k: int) -> bool:
    """``lol,``: the mark at ``k`` ends a Latin word (or a number)."""
    return k > 0 and line[k - 1].isascii() and line[k - 1].isalnum()


# What a Latin stretch inside a Chinese sentence holds: words, numbers, the
# marks between them (Windows XP, PM2.5, Wi-Fi, SPL,MSL).
_LATIN_STRETCH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .+-_'&,;")


def _latin_in_chinese(line: str, k: int, both: bool = False) -> bool:
    """Does the Latin stretch around the mark at ``k`` begin after a Chinese
    character (``both``: begin and end between Han characters, 解说SPL,MSL举办:
    not an English sentence quoted in brackets)?"""
    j = k
    while j > 0 and line[j - 1] in _LATIN_STRETCH:
        j -= 1
    if not (j > 0 and (lm.is_han(line[j - 1]) if both else lm.looks_chinese(line[j - 1]))):
        return False
    if not both:
        return True
    j = k + 1
    while j < len(line) and line[j] in _LATIN_STRETCH:
        j += 1
    return j < len(line) and lm.is_han(line[j])


def _is_thousands_separator(line: str, k: int) -> bool:
    """``1,000``: a comma after a digit and before exactly three digits."""
    tail = line[k + 1 : k + 5]
    return k > 0 and line[k - 1].isdigit() and len(tail) >= 3 and tail[:3].isdigit() and not tail[3:4].isdigit()


def _fixes(line: str) -> list[tuple[int, float]]:
    folded = line_is_folded(line)
    brackets = _bracket_fixes(line, folded)
    restored = {k for k, _ in brackets}  # 嘉義五人),八人: the ")" is restored, so the "," follows Chinese
    out = []
    for m in _MARK.finditer(line):  # the marks alone, not every character
        k, ch = m.start(), m.group()
        nxt = line[k + 1] if k + 1 < len(line) else "\n"
        if ch == ":" and (nxt == "/" or nxt.isdigit() and k > 0 and line[k - 1].isdigit()):
            continue  # a URL or a clock time
        if ch == "," and k > 0 and line[k - 1].isdigit() and nxt.isdigit():
            if folded and not _is_thousands_separator(line, k):
                out.append((k, 0.8))  # 6-1,6-4 in a folded line
            continue  # a thousands separator
        latin = _latin_before(line, k)
        if ch in "!?" and not (k > 0 and lm.is_han(line[k - 1]) or latin):
            continue  # "，?" in a corpus is a lost character, not a folded mark
        if ch == "?" and not latin and lm.is_han(nxt) and not _in_question(line, k) and not folded:
            continue
        before = _chinese_before(line, k) or k - 1 in restored
        if before and (nxt in "\r\n" or not nxt.isascii() or nxt.isdigit() or nxt in "\"'( " or nxt.isalpha()):
            out.append((k, 0.95 if not nxt.isalpha() or folded else 0.9))
        elif _number_then_han(line, k):
            out.append((k, 0.85))
        elif latin and (lm.is_han(nxt) or _latin_in_chinese(line, k) and (nxt in "\r\n" or lm.looks_chinese(nxt))):
            out.append((k, 0.85))  # 他常玩lol,也看; 标签KTV;
        elif latin and ch in ",;" and nxt.isascii() and nxt.isalnum() and _latin_in_chinese(line, k, both=True):
            out.append((k, 0.8))  # 解说SPL,MSL,OSL举办
    out.extend(brackets)
    return sorted(out)


def _bracket_fixes(line: str, folded: bool) -> list[tuple[int, float]]:
    out = []
    stack: list[int] = []
    lone: list[int] = []
    for m in _BRACKET.finditer(line):
        k, ch = m.start(), m.group()
        if ch == "(":
            stack.append(k)
        elif ch == ")":
            if not stack:
                lone.append(k)
                continue
            open_at = stack.pop()
            inner = line[open_at + 1 : k]
            if any(c in "()" for c in inner):
                continue
            if any(lm.is_han(c) for c in inner):
                out.extend([(open_at, 0.9), (k, 0.9)])
            elif folded and _chinese_before(line, open_at):
                out.extend([(open_at, 0.8), (k, 0.8)])
    lone.extend(stack)
    out.extend((k, 0.8) for k in lone if 0 < k < len(line) - 1 and lm.is_han(line[k - 1]) and lm.is_han(line[k + 1]))
    return out


def _chinese_after(line: str, k: int) -> bool:
    return k + 1 < len(line) and lm.looks_chinese(line[k + 1])


_CLAUSE_END = "，。；：！？,;:!?\r\n"


def _in_question(line: str, k: int) -> bool:
    """Does the clause ending at ``line[k]`` hold a question word?"""
    start = k
    while start > 0 and line[start - 1] not in _CLAUSE_END:
        start -= 1
    clause = line[start:k]
    return any(w in clause for w in question_words())
