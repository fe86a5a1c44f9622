"""Content-farm damage: substituted words and deleted characters.

Content farms rewrite copied news so duplicate detectors miss it: ``蕞`` for
``最`` (``蕞大``), ``头部`` for ``第一`` (``科技是头部生产力``).  The table of
substitutions is data (``content_farm.tsv``); whether a given occurrence is
one is decided by the word language model (:mod:`.lm`): ``蕞尔小国`` and
``头部企业`` read better as written and stay.  ``头部`` is taken for ``第一``
only before a measure word or ordinal noun (``头部批``, ``头部阶段``), before
a coordinated ordinal (``头部及第二市场``), or at a clause end where it is a
clause of its own (``：头部，形似…``, an enumeration) or follows a ranking verb
in its clause (``位居全国头部``, ``名列全省头部``): the noun ``头部`` is never
followed by a measure word, and ``行业头部。`` (the leaders of a trade) stays.
"""

from __future__ import annotations

import re

from ..alignment import Edit
from . import lm
from .data import content_farm_table, measure_words

CONTEXT = 3
MIN_GAIN = 1.0  # log10: the meant reading must be ten times likelier


def _window(text: str, start: int, end: int, replacement: str) -> tuple[str, str]:
    left = text[max(0, start - CONTEXT) : start]
    right = text[end : end + CONTEXT]
    return left + text[start:end] + right, left + replacement + right


def _measure_follows(text: str, end: int) -> bool:
    words = measure_words()
    tail = lm.to_simplified(text[end : end + 3])
    return any(tail[:n] in words for n in (3, 2, 1))


# 頭部及第二市場: an ordinal coordinated after it makes it an ordinal too.
_ORDINAL_FOLLOWS = re.compile(r"[及和与與、或至到]第")


def _ordinal_follows(text: str, end: int) -> bool:
    return _ORDINAL_FOLLOWS.match(text, end) is not None


def _clause_end(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in "，。、；：！？,.;:!?\r\n”）)"


# 位居全国头部, 名列全省头部, 排名头部: a ranking verb earlier in the clause makes a clause-final 头部 a rank.
_RANKED = re.compile(r"(?:居|列|排名|排在|排行)[^，。、；：！？,.;:!?\r\n]{0,6}$")
_CLAUSE_MARKS = "，。、；：！？,.;:!?\r\n“（(「"  # a line ends at \n, \r\n or a lone \r


def _ranked_or_alone(text: str, start: int) -> bool:
    """A clause-final 头部 that ranks something (位居全国头部) or stands alone (：头部，): 第一."""
    return start == 0 or text[start - 1] in _CLAUSE_MARKS or _RANKED.search(text, max(0, start - 8), start) is not None


def fix_content_farm(text: str) -> list[Edit]:
    edits = []
    for written, meant in content_farm_table():
        if written not in text:
            continue  # one substring test, not a regex search, for the text without it
        waiting = []
        confirmed = []
        for m in re.finditer(re.escape(written), text):
            start, end = m.span()
            as_written, as_meant = _window(text, start, end, meant)
            gain = lm.word_logp(as_meant) - lm.word_logp(as_written)
            if gain < MIN_GAIN:
                continue
            if len(written) > 1 and not (
                _measure_follows(text, end)
                or (_clause_end(text, end) and _ranked_or_alone(text, start))
                or _ordinal_follows(text, end)
            ):
                waiting.append((start, end, gain))
                continue
            confirmed.append(start)
            edits.append(
                Edit(start, end, meant, "content-farm-substitution", round(min(0.99, 0.6 + gain / 10), 2), "full")
            )
        # A parallel frame: 科技是头部生产力、人才是头部资源 – the same frame
        # (same preceding character, same sentence) as a confirmed substitution.
        for start, end, gain in waiting:
            if any(_same_frame(text, start, other) for other in confirmed):
                edits.append(
                    Edit(start, end, meant, "content-farm-substitution", round(min(0.9, 0.5 + gain / 10), 2), "full")
                )
    return edits


def _same_frame(text: str, a: int, b: int) -> bool:
    if a == 0 or b == 0 or text[a - 1] != text[b - 1]:
        return False
    lo, hi = min(a, b), max(a, b)
    return not any(c in "。！？!?\r\n" for c in text[lo:hi])
