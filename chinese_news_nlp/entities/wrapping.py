"""Hard-wrapped text: lines broken at a fixed width read as the paragraph they are.

E-paper and PDF text arrives with its lines cut at the column's width, inside
words and names (``浙江大\\n学``).  The model reads a paragraph at a time and a
line was a paragraph, so every name cut by a break was lost: measured
(``benchmarks/damaged_entities.py``, the dev sentences wrapped at 12 to 24
characters), CLUENER F1 0.648 against 0.740 for the same sentences whole,
MSRA 0.809 against 0.907.

A block is wrapped when its lines but the last have one width (in characters
or in display columns, ±1) of :data:`MIN_WIDTH` to :data:`MAX_WIDTH`
characters, the last no wider, each line following the one before with
nothing but its line break (no blank line, no indent), and its lines are no
list (items numbered, or half the lines ending a sentence).  A block of two
lines shows the width once only: it is taken where a longer block of the same
text has that width, and its first line stops inside a sentence.  The model
reads a block without its line breaks and its names' offsets are mapped back,
so a name may hold a line break (``浙江大\\n学``), as a name may hold a space
(``江 耘``).

The entity stage keeps a block's reading only where it finds a name across a
break; elsewhere the lines' own readings stand, so a false join changes
nothing unless it makes one name of two lines' ends.  Measured on the wrapped
dev sentences, each a text of its own (so a two-line sentence is never taken):
CLUENER 0.710, MSRA 0.881; 0.728 and 0.893 with every two-line block taken,
0.740 and 0.907 for the sentences whole.  On the throughput corpus (717 pages
made of news paragraphs, headlines, datelines and lists, 13,515 paragraphs) the
rules join 26 blocks (1,205 characters, weather tables: no name crosses their
breaks); on the seeds none.

>>> text = "浙江大学副校长王明在杭\\n州召开会议，部署今年的\\n工作。"
>>> wrapped_paragraphs(text, [(0, "浙江大学副校长王明在杭"), (12, "州召开会议，部署今年的"), (24, "工作。")])
[(0, '浙江大学副校长王明在杭\\n州召开会议，部署今年的\\n工作。')]
"""

from __future__ import annotations

import re
from typing import Sequence

from ..pieces import LINE_BREAKS, has_line_break

# Narrower lines are headlines and labels as often as a column's lines; wider ones are
# paragraphs (a page's or a terminal's width is 35 to 40 Chinese characters: 80 columns).
MIN_WIDTH = 10
MAX_WIDTH = 60
_SENTENCE_END = frozenset("。！？；…”」』!?;")
BREAKS = ("\n", "\r\n", "\r")  # the line ends between two lines of a block (see pieces.lines_at)


def _columns(line: str) -> int:
    """Display columns, every character but ASCII counted wide (as CJK fonts show ``—`` and
    ``“``; a Latin-1 letter counted wide in a Chinese column changes nothing): one C-speed
    encode, not a table lookup a character.

    >>> _columns("北京ABC，"), _columns("ABC")
    (9, 3)
    """
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


def _same(a: int, b: int) -> bool:
    return abs(a - b) <= 1


def wrapped_paragraphs(text: str, paragraphs: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """``paragraphs`` (``(offset, line)``, as :func:`chinese_news_nlp.entities.paragraphs`
    gives them) with each wrapped block's lines as one ``(offset, text[start:end])``."""
    out: list[tuple[int, str]] = []
    at = 0
    for i, j in wrapped_blocks(text, paragraphs):
        out.extend(paragraphs[at:i])
        out.append(block_text(text, paragraphs, i, j))
        at = j
    out.extend(paragraphs[at:])
    return out


def wrapped_blocks(text: str, paragraphs: Sequence[tuple[int, str]]) -> list[tuple[int, int]]:
    """The wrapped blocks of ``paragraphs``, as ranges ``(i, j)`` of their lines, in order.

    A block of three lines or more shows the column's width twice; a block of two only once,
    and a title over a dateline can line up so: it is taken only where a longer block of the
    same text shows that width (a page is wrapped at one width throughout)."""
    blocks: list[tuple[int, int]] = []
    i, n = 0, len(paragraphs)
    while i < n:
        j = _block_end(text, paragraphs, i)
        if j - i >= 2 and not _list_like([line for _, line in paragraphs[i:j]]):
            blocks.append((i, j))
        i = max(j, i + 1)
    widths = {_width(paragraphs[i][1]) for i, j in blocks if j - i >= 3}
    return [(i, j) for i, j in blocks if j - i >= 3 or _width(paragraphs[i][1]) in widths]


def block_text(text: str, paragraphs: Sequence[tuple[int, str]], i: int, j: int) -> tuple[int, str]:
    """``(offset, text)`` of lines ``i`` to ``j - 1`` as one paragraph, their breaks inside."""
    start, (last, line) = paragraphs[i][0], paragraphs[j - 1]
    return start, text[start : last + len(line)]


# An item's number at a line's start: （二）, 第五章, 第三十五条, 三、, 2.
_ENUMERATOR = re.compile(
    r"[（(][一二三四五六七八九十\d]{1,3}[）)]|第[一二三四五六七八九十百\d]{1,4}[章节条款部篇]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．]"
)


def _list_like(lines: list[str]) -> bool:
    """Items, not a wrapped paragraph: two lines or more open with an item's number, or half the
    lines before the last end a sentence (a column's width ends one by chance, a list's lines
    by design).

    >>> _list_like(["第四章军官的交流和回避", "第五章军官的奖励和处分", "第六章军官的待遇"])
    True
    """
    numbered = sum(1 for line in lines if _ENUMERATOR.match(line))
    ended = sum(1 for line in lines[:-1] if line[-1] in _SENTENCE_END)
    return numbered >= 2 or ended * 2 >= len(lines) - 1


def _width(line: str) -> tuple[int, int]:
    return len(line), _columns(line)


def _block_end(text: str, paragraphs: Sequence[tuple[int, str]], i: int) -> int:
    """The index past the wrapped block starting at ``paragraphs[i]`` (``i + 1``: none)."""
    line = paragraphs[i][1]
    chars, columns = len(line), None
    if not MIN_WIDTH <= chars <= MAX_WIDTH:
        return i + 1
    j = i + 1
    while j < len(paragraphs):
        prev_offset, prev = paragraphs[j - 1]
        offset, nxt = paragraphs[j]
        if text[prev_offset + len(prev) : offset] not in BREAKS:
            break
        if _same(len(nxt), chars):
            j += 1
            continue
        if columns is None:  # (display columns only where the characters differ)
            columns = _columns(line)
        width = _columns(nxt)
        if _same(width, columns):
            j += 1
            continue
        if len(nxt) < chars and width < columns:
            j += 1  # a shorter line: the block's last
        break
    if j - i == 2 and line[-1] in _SENTENCE_END:
        return i + 1  # two lines, the first a whole sentence: two paragraphs
    return j


def squeezed(line: str) -> tuple[str, list[int] | None]:
    """``line`` without its line breaks, and the position in ``line`` of each character
    kept (None: nothing removed).

    >>> squeezed("浙江大\\n学")
    ('浙江大学', [0, 1, 2, 4])
    """
    if not has_line_break(line):
        return line, None
    keep = [k for k, ch in enumerate(line) if ch not in LINE_BREAKS]
    return "".join(line[k] for k in keep), keep
