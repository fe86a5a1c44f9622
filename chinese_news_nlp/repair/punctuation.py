"""Half-width folding of Chinese punctuation: ``產業,持續`` → ``產業，持續``.

Scrapers and some editors fold ``，（）！？：；`` to ASCII.  An ASCII mark is
restored to full width only in Chinese context: the character before it is
Chinese (``成都,2023年`` → ``成都，2023年``), or a number stands before it and
a Han character after it (``57%,国有``).  Between Latin letters or digits
(``1,000``, ``10:30``, ``http://``) it stays ASCII.  Brackets are restored in
pairs, and only around Chinese content: ``正序生物(上海)`` → ``（上海）``, while
``(HIAF)`` and ``(AED)`` keep ASCII brackets, as Chinese news writes them.
"""

from __future__ import annotations

from ..alignment import Edit
from . import lm
from .data import question_words, split_lines

FULL = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；", "(": "（", ")": "）"}


def _chinese_before(line: str, k: int) -> bool:
    return k > 0 and lm.looks_chinese(line[k - 1])


def _number_then_han(line: str, k: int) -> bool:
    return 0 < k < len(line) - 1 and (line[k - 1].isdigit() or line[k - 1] in "%％") and lm.is_han(line[k + 1])


def fix_halfwidth_punctuation(text: str) -> list[Edit]:
    edits = []
    pos = 0
    for line in split_lines(text):
        edits.extend(Edit(pos + k, pos + k + 1, FULL[line[k]], "halfwidth-punctuation", conf, "full") for k, conf in _fixes(line))
        pos += len(line)
    return edits


def _fixes(line: str) -> list[tuple[int, float]]:
    out = []
    for k, ch in enumerate(line):
        if ch in ",!?:;":
            nxt = line[k + 1] if k + 1 < len(line) else "\n"
            if ch == ":" and (nxt == "/" or nxt.isdigit() and k > 0 and line[k - 1].isdigit()):
                continue  # a URL or a clock time
            if ch == "," and k > 0 and line[k - 1].isdigit() and nxt.isdigit():
                continue  # a thousands separator
            if ch in "!?" and not (k > 0 and lm.is_han(line[k - 1])):
                continue  # "，?" in a corpus is a lost character, not a folded mark
            if ch == "?" and lm.is_han(nxt) and not _in_question(line, k):
                continue
            if _chinese_before(line, k) and (nxt in "\r\n" or not nxt.isascii() or nxt.isdigit() or nxt in "\"'( "):
                out.append((k, 0.95))
            elif _number_then_han(line, k):
                out.append((k, 0.85))
    out.extend(_bracket_fixes(line))
    return sorted(out)


def _bracket_fixes(line: str) -> list[tuple[int, float]]:
    out = []
    stack: list[int] = []
    for k, ch in enumerate(line):
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            open_at = stack.pop()
            inner = line[open_at + 1 : k]
            if any(lm.is_han(c) for c in inner) and not any(c in "()" for c in inner):
                out.extend([(open_at, 0.9), (k, 0.9)])
    return out


_CLAUSE_END = "，。；：！？,;:!?\n"


def _in_question(line: str, k: int) -> bool:
    """Does the clause ending at ``line[k]`` hold a question word?"""
    start = k
    while start > 0 and line[start - 1] not in _CLAUSE_END:
        start -= 1
    clause = line[start:k]
    return any(w in clause for w in question_words())
