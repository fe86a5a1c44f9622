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

import regex

from ..doc import Entity
from .timeframe import last_break_before

SUBJECT_LABELS = {"LOC", "GOV", "COMPANY", "LAB", "ORG", "EDU"}
BREAKS = '，,；;。！？!?\n：:（）()“”"《》'
LEADING_NOISE = regex.compile(
    r"^(?:[\p{P}\s]|截至|目前|当前|如今|其中|同时|此外|另外|已经|已|共|累计|首次|仅|均|都|将|还|并|也|又|总计|合计|全省|全市|全国|全区|"
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
RESPECTIVELY = regex.compile(r"分别(?:达到|达|为|是|有|增长|占|实现)?$")


def subject_for(text: str, start: int, entities: list[Entity]) -> str | None:
    sent_start = last_break_before(text, start, "。！？!?\n") + 1
    para_start = text.rfind("\n", 0, start) + 1
    for lo in (sent_start, para_start):
        found = [e for e in entities if e.label in SUBJECT_LABELS and lo <= e.start and e.end <= start]
        if found:
            return max(found, key=lambda e: e.start).text
    if entities:
        return None
    for lo in (sent_start, para_start):
        name = _last_name_by_pos(text[lo:start])
        if name:
            return name
    return None


def _last_name_by_pos(span: str) -> str | None:
    """Without an entity stage: the last place (ns) or organization (nt) jieba tags in ``span``."""
    if not span.strip():
        return None
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)  # jieba announces its dictionary loading on stderr

    names = [w.word for w in jieba.posseg.lcut(span) if w.flag in ("ns", "nt") and len(w.word) >= 2]
    return names[-1] if names else None


def metric_for(text: str, start: int, end: int, after_end: int, kind: str, subject: str | None) -> str | None:
    clause_start = last_break_before(text, start, BREAKS + "、") + 1
    left = text[clause_start:start]
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
        clause_start = last_break_before(text, start, "，,；;。！？!?\n：:") + 1
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
