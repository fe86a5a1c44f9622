"""Finding figures: a numeral, its multipliers, its unit, its qualifier, ranges and ranks.

The scanner walks numeral runs (:data:`numerals.NUMERAL`) and reads around each:
what stands before it (百分之, 第, 前, a qualifier such as 约 or 超), what follows
(a unit from ``units.tsv``, a range connector, 左右/以上/内).  Each rule is a small
function named after what it recognizes.  Spans that are names, codes, dates or
slogans are masked first (``nonfact_patterns.txt``, ``idioms.txt``, 《book titles》).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import regex

from ..alignment import overlap_test
from ..pieces import LINE_BREAKS
from .lexicon import Lexicon, Unit, lexicon
from .numerals import (
    CN_BIG_UNITS,
    CN_NUMERAL_CHARS,
    CN_SMALL_UNITS,
    FULLWIDTH,
    FULLWIDTH_GROUPING,
    NUMERAL,
    Numeral,
    parse_numeral,
)

NUMERAL_RE = regex.compile(NUMERAL)
PLACES = {**CN_SMALL_UNITS, **CN_BIG_UNITS}
RANGE_CONNECTORS = "至到-~～—－"
LINK_VERBS = ("达到", "占", "达", "为", "有", "是", "计")
_NO_LINK_OR_LINK_VERBS = ("", *LINK_VERBS)  # what qualifier_before strips, in order
CJK = regex.compile(r"\p{Han}")
# Scope words before a bare ordinal that make it a ranking: 居全国第四, 进入全国前四; the scope
# may be any short phrase ending in a word for a field of peers (位列中西部地区第13, 跻身同类城市前十).
RANK_SCOPE = (
    r"(?:全国|全省|全市|全球|世界|国内|省内|省区|行业|同类|全区"
    r"|\p{Han}{0,6}?(?:地区|城市|城市群|都市圈|省份|区域|国家|经济体|行业|板块|榜单|高校|企业))?"
)
# 列 as a verb (列全省第二, 并列第三: tied), not the end of a noun (该系列第三, 序列, 行列: a position in a series).
RANK_CONTEXT = regex.compile(
    r"(?:居|(?<![系序行陈数队])列|排|排名|位居|位列|位于|进入|跻身|达|升至|升到|跃居|名列)" + RANK_SCOPE + "$"
)
RANK_UNITS = {"位", "名", "家", "个", "座", "所"}
ORDINAL_LIST = regex.compile(r"第[\d一二三四五六七八九十百]+(?:、[\d一二三四五六七八九十百]+)*、$")
DURATION_UNITS = {"年", "月", "周", "天", "日", "交易日", "工作日", "小时", "分钟", "秒"}
# 个 before a time unit: 两个交易日, 三个月 (unit: the time unit).
GE_TIME = regex.compile(r"个(交易日|工作日|小时|星期|季度|月)")
# An order-of-magnitude statement: 千星规模, 万亿参数规模.
SCALE_NOUN = regex.compile(r"(\p{Han}{1,2})(?=规模)")
# compiled once: the figure readers below run a few times per figure
# runs of what normalize_for_scan maps (its test and its edits); the standard library's engine: a plain class,
# which it finds faster than the regex module does
_FULLWIDTH_RUN = re.compile("[" + "".join(map(chr, FULLWIDTH)) + "]+")
_TITLE_MARKS = re.compile("[《》" + re.escape(LINE_BREAKS) + "]")
_LOST_DECIMAL = regex.compile(r"[ 。](\d{1,2})(?=[%万亿])")
_DIGIT_BEFORE = regex.compile(r"\d[ 。]?$")
_MULTIPLIERS = regex.compile(r"[万亿]+")
_MULTIPLIERS_END = regex.compile(r"[万亿]+$")
_PLACE_MULTIPLIERS_END = regex.compile(r"[十百千][万亿]+$")
_TOP_N_SCOPE = regex.compile(r"(?:全国|全省|全市|全球|世界|行业|国内)$")
_FIRST_PLACE = regex.compile(r"(?:居|列|位居|位列|排名|跃居)" + RANK_SCOPE + "(首位)")
RATE_DENOMINATORS = "月日年天次人"  # not units on their own (dates), but fine after "/"
TIME_FRAME_BEFORE = ("未来", "今后", "过去", "此后", "之后", "前后")


@dataclass
class Figure:
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    kind: str
    qualifier: str
    numeral_start: int  # where the (first) numeral begins: 由/到 links are read from here
    after_end: int  # end of the fact plus any qualifier after it (左右, 以上)


def normalize_for_scan(text: str) -> str:
    """Full-width digits and signs as ASCII; same length as ``text``.

    >>> normalize_for_scan("共１，２３４家，位列第5，670名")  # the comma after 5 is a clause break
    '共1,234家，位列第5，670名'
    """
    if _FULLWIDTH_RUN.search(text) is None:  # most pages: nothing to map (translate walks every character)
        return text
    # the runs of full-width signs translated, not the whole page: str.translate looks up every
    # character of a CJK text in the table (three quarters of this function's time on PKU pages)
    return _FULLWIDTH_RUN.sub(_translate_run, FULLWIDTH_GROUPING.sub(",", text))


def _translate_run(m: re.Match) -> str:
    return m.group().translate(FULLWIDTH)


def blocked_spans(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    """Spans no figure may overlap: name/code/slogan patterns, idioms, 《titles》."""
    spans: list[tuple[int, int]] = []
    for pattern in lex.nonfact_patterns:
        spans.extend(m.span() for m in pattern.finditer(text))
    # a page with no idiom at all (most) is told by one scan; 60 finds over the page were a fifth
    # of this function's time
    for word in lex.idioms if lex.any_idiom.search(text) is not None else ():
        start = text.find(word)
        while start >= 0:
            # 830万千瓦, 三十万千克, 10多万千瓦, 数万千瓦时: 万 closes a number and 千 opens its unit;
            # no idiom (万千) there
            if not (start and (text[start - 1].isdigit() or text[start - 1] in CN_NUMERAL_CHARS + "余多数几")):
                spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    if "《" not in text:  # no title to mask: skip the walk
        return spans
    depth, open_at = 0, 0
    for m in _TITLE_MARKS.finditer(text):  # 《, 》 and line ends: the walk passes every other character by
        i, ch = m.start(), m.group()
        if ch in LINE_BREAKS:
            depth = 0  # a title never spans lines; an unclosed 《 is a cut-off teaser
        elif ch == "《":
            if depth == 0:
                open_at = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                spans.append((open_at, i + 1))
    return spans


def find_figures(text: str) -> list[Figure]:
    """Every figure of ``text``, in order, without overlaps."""
    lex = lexicon()
    norm = normalize_for_scan(text)
    blocked = None  # the blocked spans' overlap test, made for the first figure to test (a page or
    # a paragraph without figures needs none: scanning for the masked spans was half of this function)

    def overlaps_blocked(start: int, end: int) -> bool:
        nonlocal blocked
        if blocked is None:
            blocked = overlap_test(blocked_spans(norm, lex))
        return blocked(start, end)

    figures: list[Figure] = []
    pos = 0
    for m in NUMERAL_RE.finditer(norm):
        if m.start() < pos:
            continue
        fig = read_figure(norm, m.start(), m.end(), lex)
        if fig is None or overlaps_blocked(fig.start, fig.end):
            continue
        if not math.isfinite(fig.value) or not math.isfinite(fig.value_max or 0.0):
            continue  # a share or a multiple past what a float holds (一分之 + 400 digits): no value read
        figures.append(fig)
        pos = fig.end
    figures.extend(_first_place_ranks(norm, overlaps_blocked, figures))
    figures.sort(key=lambda f: f.start)
    return figures


def read_figure(text: str, start: int, end: int, lex: Lexicon) -> Figure | None:
    run = text[start:end]
    prev = text[start - 1] if start else ""
    if prev.isascii() and (prev.isalnum() or prev in "._") and prev not in "%":
        return None  # G60, V2, TOP50, 300324: part of a code or name
    # The decimal point lost to a space or a full stop in scraped teasers: 11 4%, 51。5%.
    run, end = _join_lost_decimal(text, start, end, run)
    run, end = _unit_thousand_back(text, run, end, lex)
    numeral = parse_numeral(run)
    if numeral is None:
        return None
    fig_start = start
    kind_override = None
    # 百分之三十, 百分之八九十
    if text[max(0, start - 3) : start] == "百分之":
        return _figure(start - 3, end, numeral, Unit("%", "%", "percent"), text, lex, numeral_start=start)
    # 三分之一 → 33.3%
    if text.startswith("分之", end):
        m = NUMERAL_RE.match(text, end + 2)
        num = parse_numeral(m.group()) if m else None
        if num is not None and numeral.value:
            top = None if num.value_max is None else round(num.value_max / numeral.value * 100, 4)
            share = Numeral(round(num.value / numeral.value * 100, 4), top, num.qualifier)
            return _figure(start, m.end(), share, Unit("%", "%", "percent"), text, lex, numeral_start=start)
        return None
    if prev == "第" or (prev == "、" and ORDINAL_LIST.search(text, max(0, start - 12), start)):
        return _ordinal(text, start, end, numeral, lex)  # 第6、7次: both are ordinals
    if prev == "前" and start >= 1:
        rank = _top_n(text, start, end, numeral, lex)
        if rank is not None:
            return rank
    listed = _listed_pair(text, start, end, numeral, lex)
    if listed is not None:
        return listed
    unit, unit_end = _unit_after(text, end, lex)
    if unit is None:
        if unit_end > end:
            return None  # a non-unit word: 周年, 年代, 号, 届
        if end < len(text) and text[end] in RANGE_CONNECTORS:
            return _range(text, start, end, end, numeral, None, lex)  # 10至15家: the unit comes once
        return _scale_figure(text, start, end, numeral)
    if unit.unit == "年" and _is_calendar_year(run):
        return None
    if run in ("一", "壹") and unit.kind != "percent":
        return None  # 一个, 一大, 一批: the indefinite article, not a count
    if run in ("零", "〇") or (run == "万" and unit.kind == "count"):
        return None  # 零部件, 万方数据, 万家灯火: a word, not a number
    if unit.unit in DURATION_UNITS and text[max(0, start - 2) : start] in TIME_FRAME_BEFORE:
        return None  # 未来五年, 过去三年: a time frame, not a measured duration
    if unit.unit in DURATION_UNITS and text.startswith(("前", "来", "后", "以来"), unit_end):
        return None  # 十几年前, 3年来: when, not how long
    unit, unit_end = _rate_unit(text, unit, unit_end, lex)
    if unit.unit == "成":
        numeral, unit_end = _tenths_of_cheng(text, numeral, unit_end)
    # Ranges: 80%至90%, 10至15家, 3-5年 (but not 由X增长到Y, which is two figures).
    rng = _range(text, start, end, unit_end if unit_end > end else end, numeral, unit, lex)
    if rng is not None:
        return rng
    return _figure(fig_start, unit_end, numeral, unit, text, lex, numeral_start=start, kind=kind_override)


# After 成, one more digit is tenths of it: 二成五 is 2.5成 = 25%, 三成半 35%.
_CHENG_TENTHS = {
    **{c: d for c, d in zip("一二三四五六七八九", range(1, 10))},
    **{str(d): d for d in range(1, 10)},
    "半": 5,
}


def _tenths_of_cheng(text: str, numeral: Numeral, end: int) -> tuple[Numeral, int]:
    """``营收按年增二成五`` → 2.5成: a digit right after 成 that starts no number of its own
    (not 三成五年, 二成五十) is the tenths of the share."""
    tenths = _CHENG_TENTHS.get(text[end : end + 1])
    if tenths is None or numeral.value_max is not None or numeral.value != int(numeral.value):
        return numeral, end
    following = NUMERAL_RE.match(text, end)
    if following is not None and following.end() > end + 1:
        return numeral, end  # 二成五十: the digit begins a longer number
    if lexicon().match_unit(text, end + 1)[0] is not None:
        return numeral, end  # 三成五年: a count of years, not a tenth
    return Numeral(numeral.value + tenths / 10, qualifier=numeral.qualifier), end + 1


def _listed_pair(text: str, start: int, end: int, numeral: Numeral, lex: Lexicon) -> Figure | None:
    """``6、7次`` → 6–7 times: two consecutive whole numbers listed with 、 before one unit are
    an approximate range, as ``六七次`` is (but ``第6、7次`` are two ordinals, and ``3、5家``,
    not consecutive, is a list)."""
    if text[end : end + 1] != "、" or text[start - 1 : start] == "第" or numeral.value_max is not None:
        return None
    m = NUMERAL_RE.match(text, end + 1)
    if m is None or text[start].isdigit() != text[m.start()].isdigit():
        return None
    second = read_figure(text, m.start(), m.end(), lex)
    if second is None or second.value_max is not None or second.start != m.start() or second.kind == "rank":
        return None
    if numeral.value != int(numeral.value) or second.value != numeral.value + 1:
        return None
    fig = _figure(start, second.end, numeral, Unit(second.unit, second.unit, second.kind), text, lex, start)
    fig.value, fig.value_max, fig.qualifier = numeral.value, second.value, "range"
    fig.after_end = max(fig.after_end, second.after_end)
    return fig


def _join_lost_decimal(text: str, start: int, end: int, run: str) -> tuple[str, int]:
    """``11 4%`` → ``11.4``; only 1–3 digits, one space or 。, 1–2 digits, then % 万 亿 directly."""
    if not run.isdigit() or len(run) > 3 or text[end : end + 1] not in (" ", "。"):
        return run, end  # (the lost point's space or 。 first: most runs are followed by neither)
    m = _LOST_DECIMAL.match(text[end : end + 4])
    if m is None:
        return run, end
    before = text[max(0, start - 2) : start]
    if _DIGIT_BEFORE.search(before):
        return run, end  # 400 0123 021: a run of digit groups is a number, not a decimal
    return f"{run}.{m.group(1)}" + _multiplier_tail(text, end + m.end()), end + m.end() + len(
        _multiplier_tail(text, end + m.end())
    )


def _unit_thousand_back(text: str, run: str, end: int, lex: Lexicon) -> tuple[str, int]:
    """``五百九十亿千瓦时``, ``两百千瓦``, ``三十多千瓦``: a 千 the numeral run took that begins a
    unit (千瓦, 千瓦时, 千克) goes back to the unit when the run reads no number with it, or
    when it follows 万/亿/余/多, after which a bare 千 is no digit's place (三千米 stays 3000 米)."""
    if len(run) < 2 or run[-1] != "千" or run[-2] not in CN_NUMERAL_CHARS + "余多":
        return run, end
    unit, _ = lex.match_unit(text, end - 1)
    if unit is None or not unit.surface.startswith("千"):
        return run, end
    if run[-2] in "万亿余多" or parse_numeral(run) is None:
        return run[:-1], end - 1
    return run, end


def _multiplier_tail(text: str, pos: int) -> str:
    m = _MULTIPLIERS.match(text, pos)  # at pos, not on a copy of the rest of the page
    return m.group() if m else ""


def _unit_after(text: str, pos: int, lex: Lexicon) -> tuple[Unit | None, int]:
    ge = GE_TIME.match(text, pos) if text.startswith("个", pos) else None  # (no match to try without 个)
    if ge is not None:
        unit, end = lex.match_unit(text, pos)
        if unit is not None and end > pos + 1:
            return unit, end  # 个月, 个百分点 straight from the table
        return Unit(ge.group(1), ge.group(1), "measure"), ge.end()
    unit, end = lex.match_unit(text, pos)
    if unit is None and end == pos and text[pos : pos + 1] == " ":
        # 10 平方公里: one space before a unit of two characters or more
        unit, end = lex.match_unit(text, pos + 1)
        if unit is not None and len(unit.surface) < 2:
            return None, pos
    return unit, end


def _rate_unit(text: str, unit: Unit, end: int, lex: Lexicon) -> tuple[Unit, int]:
    """元/平方米/天, 元/m2/天, 万元/亩: a unit per other units."""
    names = [unit.unit]
    while text[end : end + 1] == "/":
        nxt, nxt_end = lex.match_unit(text, end + 1)
        denominator = text[end + 1 : end + 2]  # empty after a "/" that ends the text (0%/), and "" is in any str
        if nxt is None and denominator and denominator in RATE_DENOMINATORS:
            nxt, nxt_end = Unit(denominator, denominator, "measure"), end + 2  # 元/月, 元/日
        if nxt is None:
            break
        names.append(nxt.unit)
        end = nxt_end
    if len(names) == 1:
        return unit, end
    return Unit(text, "/".join(names), unit.kind if unit.kind == "money" else "measure"), end


def _is_calendar_year(run: str) -> bool:
    if run.isdigit():
        return len(run) == 4 and run[0] in "12"
    return len(run) == 4 and all(c in "〇零一二三四五六七八九" for c in run)


def _range(text, start, end, after, numeral, unit, lex) -> Figure | None:
    if after >= len(text) or text[after] not in RANGE_CONNECTORS:
        return None
    if text[after] in "到至" and text[max(0, start - 1) : start] in ("由", "从"):
        return None  # 从10家到15家: a change between two values
    m = NUMERAL_RE.match(text, after + 1)
    if m is None:
        return None
    high = parse_numeral(m.group())
    if high is None:
        return None
    unit2, end2 = _unit_after(text, m.end(), lex)
    if unit2 is None or (unit is not None and unit2.unit != unit.unit):
        return None
    if unit2.unit == "年" and (_is_calendar_year(m.group()) or _is_calendar_year(text[start:end])):
        return None
    if unit is None:
        numeral = _shared_multiplier(text[start:end], m.group(), numeral, high)
    if high.value <= numeral.value:
        return None
    unit2, end2 = _rate_unit(text, unit2, end2, lex)
    fig = _figure(start, end2, numeral, unit2, text, lex, numeral_start=start)
    fig.value_max = high.value
    fig.qualifier = "range"
    return fig


def _shared_multiplier(low_run: str, high_run: str, low: Numeral, high: Numeral) -> Numeral:
    """``3至5亿元`` is 3亿 to 5亿: a low end written without multiplier takes the high end's
    (万, 亿, 千万) when that keeps it below the high end (``5000至1万元`` stays 5000 to 1万)."""
    if "万" in low_run or "亿" in low_run or low.value_max is not None:
        return low
    for tail in (_PLACE_MULTIPLIERS_END.search(high_run), _MULTIPLIERS_END.search(high_run)):
        if tail is None:
            continue
        mult = 1
        for ch in tail.group():
            mult *= PLACES[ch]
        if low.value * mult < high.value:
            return Numeral(float(Decimal(str(low.value)) * mult), qualifier=low.qualifier)
    return low


def _ordinal(text: str, start: int, end: int, numeral: Numeral, lex: Lexicon) -> Figure | None:
    """第5位, 第70家 (a rank); bare 第四 only after 居/列/排名 and a scope (居全国第四)."""
    unit, unit_end = lex.match_unit(text, end)
    if unit is not None and unit.unit in RANK_UNITS:
        return _figure(
            start - 1, unit_end, numeral, Unit(unit.surface, unit.unit, "rank"), text, lex, numeral_start=start
        )
    nxt = text[end : end + 1]
    if (
        (unit is None and unit_end == end)
        and not CJK.match(nxt)
        and RANK_CONTEXT.search(text[max(0, start - 12) : start - 1])
    ):
        return _figure(start - 1, end, numeral, Unit("", "位", "rank"), text, lex, numeral_start=start)
    return None


def _top_n(text: str, start: int, end: int, numeral: Numeral, lex: Lexicon) -> Figure | None:
    """进入全国前四, 位列前十名: a rank among the first N."""
    if not RANK_CONTEXT.search(text[max(0, start - 12) : start - 1]) and not _TOP_N_SCOPE.search(
        text[max(0, start - 3) : start - 1]
    ):
        return None
    unit, unit_end = lex.match_unit(text, end)
    if unit is not None and unit.unit in RANK_UNITS:
        return _figure(
            start - 1, unit_end, numeral, Unit(unit.surface, unit.unit, "rank"), text, lex, numeral_start=start
        )
    if unit is None and unit_end == end and not CJK.match(text[end : end + 1] or " "):
        return _figure(start - 1, end, numeral, Unit("", "位", "rank"), text, lex, numeral_start=start)
    return None


def _scale_figure(text: str, start: int, end: int, numeral: Numeral) -> Figure | None:
    """千星规模, 万亿参数规模: a round magnitude naming the scale of a thing."""
    if not numeral.magnitude_only:
        return None
    m = SCALE_NOUN.match(text, end)
    if m is None:
        return None
    noun = m.group(1)
    fig = _figure(start, m.end(), numeral, Unit(noun, noun, "count"), text, lexicon(), numeral_start=start)
    if fig.qualifier == "exact":
        fig.qualifier = "approx"
    return fig


def _first_place_ranks(text: str, overlaps_blocked, figures) -> list[Figure]:
    """位居全国首位: rank 1 said without a numeral."""
    out = []
    overlaps_figure = None  # made for the first 首位 (most pages have none)
    for m in _FIRST_PLACE.finditer(text):
        s, e = m.span(1)
        if overlaps_figure is None:
            overlaps_figure = overlap_test([(f.start, f.end) for f in figures])
        if overlaps_blocked(s, e) or overlaps_figure(s, e):
            continue
        out.append(Figure(s, e, 1.0, None, "位", "rank", "exact", s, e))
    return out


def _figure(start, end, numeral: Numeral, unit: Unit, text, lex: Lexicon, numeral_start: int, kind=None) -> Figure:
    qualifier, after_end = _qualifier(text, start, end, numeral, unit, lex)
    value = numeral.value
    if unit.unit == "成":
        value, unit = value * 10, Unit(unit.surface, "%", "percent")  # 三成 is 30%
    return Figure(
        start=start,
        end=end,
        value=float(value),
        value_max=numeral.value_max,
        unit=unit.unit,
        kind=kind or unit.kind,
        qualifier=qualifier,
        numeral_start=numeral_start,
        after_end=after_end,
    )


def qualifier_before(text: str, start: int, lex: Lexicon) -> str | None:
    """约/近/超/突破… right before ``start``, possibly with a link verb between (约占51.5%)."""
    head = text[max(0, start - 6) : start]
    ends = lex.qualifier_ends
    for link in _NO_LINK_OR_LINK_VERBS:
        if link and not head.endswith(link):
            continue
        stem = head[: len(head) - len(link)] if link else head
        if ends is not None and stem[-1:] not in ends:
            continue  # no qualifier ends there (most figures have none): the three lookups would fail
        for size in (3, 2, 1):
            word = stem[-size:] if len(stem) >= size else ""
            if word in lex.qualifiers_before:
                return lex.qualifiers_before[word]
    return None


def _qualifier(text, start, end, numeral: Numeral, unit: Unit, lex: Lexicon) -> tuple[str, int]:
    if numeral.value_max is not None:
        return "range", end
    before = qualifier_before(text, start, lex)
    if before == "approx" and unit.unit in DURATION_UNITS and text[start - 1 : start] == "近":
        before = None  # 近两个交易日: the last two trading days, not "nearly"
    after_q, after_end = None, end
    for size in (2, 1):
        word = text[end : end + size]
        if word in lex.qualifiers_after:
            if word == "内" and unit.unit not in DURATION_UNITS:
                continue  # 内 after a duration only: 5年内
            after_q, after_end = lex.qualifiers_after[word], end + size
            break
    if before is None and numeral.magnitude_only and text[start - 1 : start] == "上":
        before = "over"  # 上千个, 上万人: upwards of
    if before is not None:
        return before, after_end
    if after_q is not None:
        return after_q, after_end
    if numeral.qualifier in ("over", "approx"):
        return numeral.qualifier, end
    if numeral.magnitude_only and unit.unit == "级":
        return "approx", end  # 亿级: of the order of 1e8
    return "exact", end
