"""What a figure measures (metric) and whose it is (subject).

The metric is read from the clause: a count followed by the thing counted takes
that noun phrase (``22个省级信息经济示范区``); otherwise the phrase before the
figure, stripped of its subject, time words, adverbs and the linking verb
(``成都大数据产业规模达1039亿元`` → 大数据产业规模).  A bare rate
(``同比增长26%``) borrows the metric of the figure before it.  A respective list
(``A、B、C分别达到100家、3.5万家、10.5万家``) pairs the figures with A, B, C.

The subject is the nearest organization or place before the figure in its
sentence, else in its paragraph: from ``doc.entities`` when the entity stage
ran, else from a small suffix grammar of place and organization names.
"""

from __future__ import annotations

import bisect
import functools

import regex

from ..doc import Entity
from ..pieces import LINE_BREAKS
from .timeframe import last_break_before

SUBJECT_LABELS = {"LOC", "GOV", "COMPANY", "LAB", "ORG", "EDU"}
BREAKS = '，,；;。！？!?：:（）()“”"《》' + LINE_BREAKS
LEADING_NOISE = regex.compile(
    # (a list number before a year is no part of the metric: 2.1992年发行的债券, as nonfact_patterns reads it)
    r"^(?:[\p{P}\s]|\d{1,2}[.．](?=(?:19|20)\d{2}年)|截至|目前|当前|如今|其中|同时|此外|另外|已经|已|共|累计|首次|仅|均|都|将|还|并|也|又|总计|合计|全省|全市|全国|全区|"
    r"(?:19|20)\d{2}年(?:\d{1,2}月)?(?:底|初|末)?|今年|去年|明年|上半年|下半年|前三季度)+"
)
TRAILING_VERB = regex.compile(
    r"(?:已经|已|将|要|共|累计|首次|分别|均|则|多|高|约|近|超过|超|逾|突破|不足|力争|"
    r"达到|达|为|是|有|占|实现|完成|超过了|达到了|增长到|增长|增加|提升|提高|下降|减少|至|到|了|由|从|位居|居|列)+$"
)
GROWTH = regex.compile(
    r"((?:同比|比上年|较上年|环比|年均)?)(增长|增加|下降|提升|提高|减少|上涨|下跌|增速)了?(?:达到|达|为)?$"
)
_HAN = regex.compile(r"\p{Han}")
FOLLOWING_NOUN = regex.compile(  # matched at a position (pattern.match(text, pos)): no ^
    r"(?:的)?([\p{Han}A-Za-z0-9“”\-（）()]{2,16}?)(?=[，,；;。！？\s、]|$|正在|已|获批|进入|从事|共建|组成|拥有|兼具|不但|等)"
)
METRIC_CONTEXT = 100  # the gold's longest metric has 31 characters
RESPECTIVELY = regex.compile(r"分别(?:达到|达|为|是|有|增长|占|实现)?$")


def subject_for(text: str, start: int, entities: list[Entity]) -> str | None:
    return subject_finder(text, entities)(start)


def subject_finder(text: str, entities: list[Entity]):
    """``subject(start)``: the subject of the figure at ``start`` (see :func:`subject_for`), for
    every figure of ``text`` with the entities indexed once.

    The subject is the entity nearest before the figure in its sentence, else in its paragraph:
    both are the last one in the paragraph before the figure (the latest start, the first listed
    among equal starts), found by bisection over the entities sorted by start; a pass over
    every entity per figure was quadratic (4,000 places and figures: 1.5 s).
    """
    candidates = sorted(
        ((e.start, i, e) for i, e in enumerate(entities) if e.label in SUBJECT_LABELS), key=lambda c: c[:2]
    )
    starts = [c[0] for c in candidates]

    def subject(start: int) -> str | None:
        para_start = last_break_before(text, start, LINE_BREAKS) + 1  # not an rfind to the text's start per figure
        if entities:
            k = bisect.bisect_right(starts, start) - 1  # an empty entity at start counts too
            while k >= 0 and starts[k] >= para_start:
                first = k  # the first listed of the entities with this start
                while first > 0 and starts[first - 1] == starts[k]:
                    first -= 1
                for _, _, e in candidates[first : k + 1]:
                    if e.end <= start:
                        return e.text
                k = first - 1
            return None
        # the last name before the figure in its paragraph (the sentence is the paragraph's end)
        found = _pos_names(text).last_before(start)
        return found[1] if found is not None and found[0] >= para_start else None

    return subject


# The runs jieba.posseg tags one at a time (its re_han_internal): a name never crosses from one to
# the next, so the names of a span are those of its runs.
_JIEBA_RUN = regex.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._]+")
_TAIL = 50  # of the run the figure stands in, the characters before it that are tagged (seeds: at most 25)


@functools.lru_cache(maxsize=4)  # one page's scan form at a time, like timeframe.break_positions
def _pos_names(text: str) -> _PosNames:
    return _PosNames(text)


class _PosNames:
    """Without an entity stage: the places (ns) and organizations (nt) jieba tags in ``text``.

    Tagging the sentence before every figure afresh was quadratic in the sentence's length (300
    figures in 1,900 characters without a full stop: 18 s): the runs before a figure's own run
    are tagged once each and remembered; only the figure's run, cut at the figure, is tagged per
    figure, and of it at most the last :data:`_TAIL` characters (a run of thousands of Han
    characters holds no sentence that long).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = [m.span() for m in _JIEBA_RUN.finditer(text)]
        self.run_starts = [s for s, _ in self.runs]
        self._last_upto: dict[int, tuple[int, str] | None] = {}  # run index -> last name in runs[: k + 1]

    def last_before(self, pos: int) -> tuple[int, str] | None:
        """``(start of its run, name)`` of the last name in ``text[:pos]``, or None."""
        k = bisect.bisect_left(self.run_starts, pos) - 1  # the last run starting before pos
        if k < 0:
            return None
        run_start, run_end = self.runs[k]
        if run_end > pos:  # the figure's own run, cut at the figure
            name = _last_name(self.text[max(run_start, pos - _TAIL) : pos])
            if name is not None:
                return run_start, name
            k -= 1
        return self._upto(k)

    def _upto(self, k: int) -> tuple[int, str] | None:
        todo = []
        while k >= 0 and k not in self._last_upto:
            todo.append(k)
            k -= 1
        found = self._last_upto.get(k) if k >= 0 else None
        for j in reversed(todo):
            name = _last_name(self.text[self.runs[j][0] : self.runs[j][1]])
            found = (self.runs[j][0], name) if name is not None else found
            self._last_upto[j] = found
        return found


@functools.lru_cache(maxsize=1024)  # a table's runs repeat (单位：万元, 同比增长), and tagging is the cost
def _last_name(span: str) -> str | None:
    """The last place (ns) or organization (nt) of two characters or more jieba tags in ``span``."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)  # jieba announces its dictionary loading on stderr

    names = [w.word for w in jieba.posseg.lcut(span) if w.flag in ("ns", "nt") and len(w.word) >= 2]
    return names[-1] if names else None


def metric_for(text: str, start: int, end: int, after_end: int, kind: str, subject: str | None) -> str | None:
    clause_start = last_break_before(text, start, BREAKS + "、") + 1
    # At most the last METRIC_CONTEXT characters: a clause without a break for thousands of
    # characters is no metric phrase, and reading it whole for every figure in it was quadratic in
    # time (the end-anchored patterns below try every position) and in output (each fact's
    # metric a copy of the clause so far: 4,000 figures of 百分之五 in a row, 2 s and 32 M characters).
    left = text[max(clause_start, start - METRIC_CONTEXT) : start]
    if kind in ("count", "measure") and _HAN.match(text, after_end, after_end + 1):
        m = FOLLOWING_NOUN.match(text, after_end)  # at after_end, not on a copy of the rest of the page
        if m:
            return m.group(1)  # 22个省级信息经济示范区: the thing counted follows
    growth = GROWTH.search(left)
    if growth and len(left) - len(growth.group()) < 2:
        return growth.group(1) + growth.group(2)  # 同比增长26%: the caller prefixes what grew
    left = TRAILING_VERB.sub("", left)
    left = LEADING_NOISE.sub("", left)
    if subject and left.startswith(subject):
        left = left[len(subject) :]
    left = LEADING_NOISE.sub("", left)
    left = left.strip("的 ")
    return left or None


def pair_respective_lists(text: str, spans: list[tuple[int, int]]) -> dict[int, str]:
    """``A、B、C分别达到x、y、z``: ``{index of figure: metric}`` for figures listed that way."""
    out: dict[int, str] = {}
    i = 0
    while i < len(spans):
        start = spans[i][0]
        clause_start = last_break_before(text, start, "，,；;。！？!?：:" + LINE_BREAKS) + 1
        if text.find("分别", clause_start, start) < 0:  # most clauses: no copy of them searched
            i += 1
            continue
        head = text[clause_start:start]
        m = RESPECTIVELY.search(head)
        if not m:
            i += 1
            continue
        group = [i]
        j = i + 1
        while j < len(spans) and text[spans[j - 1][1] : spans[j][0]] in ("、", "，", ",", "和", "及"):
            group.append(j)
            j += 1
        names = [n for n in regex.split(r"[、和及]", LEADING_NOISE.sub("", head[: m.start()])) if n]
        if len(names) == len(group):
            for k, name in zip(group, names):
                out[k] = name
        i = j
    return out
