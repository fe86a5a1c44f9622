"""Fact-bearing news sentences with gold, seeded: the facts stage measured on
text no rule was written against (the benchmark and the tests use the same maker).

:func:`generate` writes short documents out of real sentences (MSRA and
CLUENER dev splits, the icwb2 PKU test text) with figures spliced into them at
clause boundaries.  Every figure is chosen first (a number, a multiplier, a
unit, a qualifier, a time phrase) and then written in one of the forms news
uses; its gold (value, unit, kind, qualifier, year) is worked out here from
what was chosen, by this module's own arithmetic, following the field
definitions of ``shared/gold/README.md`` (facts.jsonl), never by asking the
facts stage.  Documents also carry things that are not facts (dates, clock
times, phone numbers, stock codes, list counters, slogan counts, plan names),
recorded as distractors.

Host sentences are kept only when they hold no numeral, no figure-like word
and no time phrase of their own, so that every figure and every year in a
document is one this module put there and knows the gold of.

A fact with no time phrase of its own is only written where no time phrase
came before it in the document (its year is then ``None``): the gold never
depends on how far a year should carry.

>>> chinese_integer(12_000_000), chinese_integer(1050), chinese_integer(15), chinese_integer(120_000_000)
('一千二百万', '一千零五十', '十五', '一亿二千万')
>>> docs = generate(3, seed=0, hosts=["记者从有关部门获悉，各项工作进展顺利。"])
>>> all(d.text[f.start : f.end] == f.surface for d in docs for f in d.facts)
True
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

DIGITS = "零一二三四五六七八九"
MULTIPLIERS = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}


@dataclass
class GoldFact:
    """One figure as the README defines it; ``form`` says how it was written (for error analysis)."""

    start: int
    end: int
    surface: str
    value: float
    unit: str
    kind: str
    qualifier: str = "exact"
    value_max: float | None = None
    year: int | None = None
    year_end: int | None = None
    time_surface: str | None = None
    form: str = ""


@dataclass
class Distractor:
    """Numerals that are not a fact: ``what`` is date, time, phone, stock, counter, slogan or plan."""

    start: int
    end: int
    surface: str
    what: str


@dataclass
class Sample:
    text: str
    date: str  # the article's date, ISO: what 去年/今年/上半年 are read against
    facts: list[GoldFact] = field(default_factory=list)
    distractors: list[Distractor] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# -- numerals -----------------------------------------------------------------------


def _below_10k(n: int) -> str:
    """1050 → 一千零五十: the digits of thousands, hundreds, tens, ones, one 零 for a gap."""
    out, gap, started = [], False, False
    for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // place % 10
        if d == 0:
            gap = gap or started
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(DIGITS[d] + name)
        started = True
    return "".join(out)


def chinese_integer(n: int) -> str:
    """The standard Chinese numeral of ``0 < n < 10**16`` (sections of 亿 and 万, 零 for a gap, 十五 not 一十五)."""
    if not 0 < n < 10**16:
        raise ValueError(n)
    sections = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    out, previous = "", False
    for part, name in sections:
        if part == 0:
            continue
        if previous and part < 1000:
            out += "零"
        out += _below_10k(part) + name
        previous = True
    if out.startswith("一十"):
        out = out[1:]
    # a gap left by an empty section: 一亿零五 (the 万 section empty, then under 1000)
    return out


def chinese_decimal(text: str) -> str:
    """``3.5`` → 三点五 (the integer part a numeral, the decimals digit by digit)."""
    whole, _, frac = text.partition(".")
    head = chinese_integer(int(whole)) if int(whole) else "零"
    return head + ("点" + "".join(DIGITS[int(c)] for c in frac) if frac else "")


def with_liang(numeral: str) -> str:
    """两 for a leading 二 before 千/万/亿/百 (两千, 两亿), as speech and news write it."""
    if numeral == "二":
        return "两"  # 两家, never 二家
    if numeral.startswith("二") and numeral[1:2] in ("千", "万", "亿", "百"):
        return "两" + numeral[1:]
    return numeral


def to_fullwidth(text: str) -> str:
    """``12.5%`` → ``１２．５％``: the full-width forms some sites use."""
    return "".join(chr(ord(c) + 0xFEE0) if c in "0123456789.%" else c for c in text)


def _grouped(text: str) -> str:
    """``1234.5`` → ``1,234.5``."""
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}" + dot + frac


def _mantissa(rng: random.Random, lo: int, hi: int, decimals: float = 0.35, round_share: float = 0.3) -> str:
    """A number between ``lo`` and ``hi`` as text: a round one (3500, 20, 1.2 when ``decimals``), an
    integer, or one with one or two decimals (no trailing 0)."""
    if rng.random() < round_share:
        sig = rng.randint(1, 99)
        choices = [sig * 10**k for k in range(8) if lo <= sig * 10**k <= hi]
        if decimals and 1 <= lo and sig % 10 and sig >= 11 and lo <= sig / 10 <= hi:
            choices.append(sig / 10)
        if choices:
            pick = rng.choice(choices)
            return str(pick) if isinstance(pick, int) else f"{pick:.1f}"
    whole = rng.randint(lo, hi)
    if rng.random() < decimals:
        places = rng.choice((1, 1, 2))
        frac = "".join(str(rng.randint(0, 9)) for _ in range(places - 1)) + str(rng.randint(1, 9))
        return f"{whole}.{frac}"
    return str(whole)


def _value(mantissa: str, multiplier: str) -> float:
    return float(Decimal(mantissa) * MULTIPLIERS[multiplier])


@dataclass
class Figure:
    """A figure before it is placed: ``before``/``after`` are markers outside the surface."""

    surface: str
    value: float
    unit: str
    kind: str
    qualifier: str = "exact"
    value_max: float | None = None
    before: str = ""
    after: str = ""
    form: str = ""


def _write_number(rng: random.Random, mantissa: str, multiplier: str, allow_chinese: bool = True) -> tuple[str, str]:
    """``(text, form)`` of mantissa × multiplier: Arabic, grouped, full-width, or Chinese numerals
    (these mostly for round numbers, as news writes them: 三千五百万, rarely 八万七千六百五十四)."""
    integer = "." not in mantissa
    ways = ["arabic"] * 5 + ["fullwidth"]
    if multiplier == "" and int(float(mantissa)) >= 1000:
        ways += ["grouped"] * 2
    round_number = len(mantissa.replace(".", "").strip("0")) <= 2 or float(mantissa) < 100
    if allow_chinese and (round_number or rng.random() < 0.1):
        ways += ["chinese"] * 3
    way = rng.choice(ways)
    if way == "arabic":
        return mantissa + multiplier, "arabic"
    if way == "grouped":
        return _grouped(mantissa) + multiplier, "grouped"
    if way == "fullwidth":
        return to_fullwidth(mantissa) + multiplier, "fullwidth"
    if integer:
        return with_liang(chinese_integer(int(mantissa))) + multiplier, "chinese"
    exact = Decimal(mantissa) * MULTIPLIERS[multiplier]
    if multiplier in ("万", "亿") and exact == int(exact) and rng.random() < 0.6:
        return chinese_integer(int(exact)), "chinese-composite"  # 3.5万 → 三万五千, 1.2亿 → 一亿二千万
    return chinese_decimal(mantissa) + multiplier, "chinese-decimal"


def _range_text(
    rng: random.Random, lo: str, hi: str, multiplier: str, unit_text: str, percent: bool
) -> tuple[str, str]:
    dash = rng.choice(("至", "至", "-", "到", "～", "—"))
    if percent and rng.random() < 0.6:
        return f"{lo}{unit_text}{dash}{hi}{unit_text}", "range-both"  # 10%-15%
    if multiplier and rng.random() < 0.4:
        return f"{lo}{multiplier}{dash}{hi}{multiplier}{unit_text}", "range-both"  # 3亿至5亿元
    return f"{lo}{dash}{hi}{multiplier}{unit_text}", "range"  # 3至5亿元


QUALIFIER_WAYS = {
    # qualifier: (markers before the number, outside the surface; markers after the unit, outside)
    "approx": (("约", "约", "大约", "近", "将近", "接近"), ("左右",)),
    "over": (("超", "超过", "逾", "突破"), ("以上",)),
    "under": (("不足", "不到"), ("以下", "以内")),
}


def make_figure(rng: random.Random, unit: str, kind: str, multipliers: tuple[str, ...], unit_text: str | None = None,
                noun_after: bool = False, lo: int = 1, hi: int = 999) -> Figure:  # fmt: skip
    """A count, money or measure figure of ``unit`` (written ``unit_text``: 个百分点 for 百分点)."""
    unit_text = unit if unit_text is None else unit_text
    multiplier = rng.choice(multipliers)
    if multiplier:
        lo, hi = 1, 20 if multiplier == "万亿" else 9999
    decimals = 0.0 if kind == "count" and not multiplier else 0.35  # no 3.5家
    roll = rng.random()
    if roll < 0.5:  # exact
        m = _mantissa(rng, lo, hi, decimals)
        text, form = _write_number(rng, m, multiplier)
        return Figure(text + unit_text, _value(m, multiplier), unit, kind, form=form)
    if roll < 0.54 and (multiplier or hi >= 1000):  # 近千家, 超万人, 逾百亿元: a bare 百/千/万 after a marker
        bare = [(word, n) for word, n in (("百", 100), ("千", 1000), ("万", 10**4)) if multiplier or lo <= n <= hi]
        bare = [(w_, n) for w_, n in bare if not (multiplier == "万" and w_ == "万")] or [("千", 1000)]
        word, n = rng.choice(bare)
        qualifier = rng.choice(("approx", "over"))
        before = rng.choice(("近", "将近") if qualifier == "approx" else ("超", "逾", "超过", "突破"))
        return Figure(word + multiplier + unit_text, float(n * MULTIPLIERS[multiplier]), unit, kind, qualifier, None,
                      before, "", "bare")  # fmt: skip
    if roll < 0.62:  # 约/近 … or … 左右
        m = _mantissa(rng, lo, hi, decimals)
        text, form = _write_number(rng, m, multiplier)
        before, after = _marker(rng, "approx", noun_after)
        return Figure(text + unit_text, _value(m, multiplier), unit, kind, "approx", None, before, after, form)
    if roll < 0.67:  # 数十家, 数千万元: 数 and the power of ten inside
        power = rng.choice(("十", "百", "千", "万")) if multiplier == "" else rng.choice(("", "十", "百", "千"))
        power = "" if multiplier == "万亿" else power  # 数万亿元, not 数千万亿元
        scale = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10**4}[power]
        return Figure(f"数{power}{multiplier}{unit_text}", float(scale * MULTIPLIERS[multiplier]), unit, kind, "approx",
                      form="shu")  # fmt: skip
    if roll < 0.77:  # 超/逾/突破 … or … 以上
        m = _mantissa(rng, lo, hi, decimals)
        text, form = _write_number(rng, m, multiplier)
        before, after = _marker(rng, "over", noun_after)
        return Figure(text + unit_text, _value(m, multiplier), unit, kind, "over", None, before, after, form)
    if roll < 0.85:  # 300余家, 20多个, 1000余万元, 千余项: 余/多 inside
        whole = rng.choice((10, 20, 30, 50, 60, 100, 200, 300, 500, 1000, 2000, rng.randint(2, 99) * 10))
        whole = min(whole, 10) if multiplier == "万亿" else whole  # 10余万亿元
        word = rng.choice(("余", "多"))
        if rng.random() < 0.4:
            numeral = chinese_integer(whole)
            if whole in (100, 1000) and rng.random() < 0.5:
                numeral = numeral[1:]  # 百余人, 千余项
            text, form = with_liang(numeral), "chinese"
        else:
            text, form = str(whole), "arabic"
        return Figure(f"{text}{word}{multiplier}{unit_text}", float(whole * MULTIPLIERS[multiplier]), unit, kind,
                      "over", form=form + "-" + word)  # fmt: skip
    if roll < 0.9:  # 不足/不到 … or … 以下
        m = _mantissa(rng, lo, hi, decimals)
        text, form = _write_number(rng, m, multiplier)
        before, after = _marker(rng, "under", noun_after)
        return Figure(text + unit_text, _value(m, multiplier), unit, kind, "under", None, before, after, form)
    # ranges: 3至5亿元, 3亿至5亿元, 10-15家, 七八家, 三四十个
    if rng.random() < 0.25 and multiplier == "" and kind == "count":
        d = rng.randint(2, 8)
        if rng.random() < 0.5:
            return Figure(f"{DIGITS[d]}{DIGITS[d + 1]}{unit_text}", float(d), unit, kind, "range", float(d + 1),
                          form="chinese-adjacent")  # fmt: skip
        return Figure(f"{DIGITS[d]}{DIGITS[d + 1]}十{unit_text}", float(d * 10), unit, kind, "range",
                      float((d + 1) * 10), form="chinese-adjacent")  # fmt: skip
    a = rng.randint(lo, max(lo, hi // 2))
    b = rng.randint(a + 1, max(a + 1, min(hi, a * 3 + 5)))
    text, form = _range_text(rng, str(a), str(b), multiplier, unit_text, percent=False)
    return Figure(text, _value(str(a), multiplier), unit, kind, "range", _value(str(b), multiplier), form=form)


def _marker(rng: random.Random, qualifier: str, noun_after: bool) -> tuple[str, str]:
    befores, afters = QUALIFIER_WAYS[qualifier]
    if noun_after or rng.random() < 0.6:
        return rng.choice(befores), ""
    return "", rng.choice(afters)


def make_percent(rng: random.Random, points: bool = False) -> Figure:
    """26.7%, ２６．７％, 百分之二十, 10%-15%, 2.3个百分点, with their qualifiers."""
    unit, unit_text = ("百分点", "个百分点") if points else ("%", rng.choice(("%", "%", "%", "％")))
    hi = 20 if points else 99
    m = _mantissa(rng, 0 if points else 1, hi, decimals=0.6)
    if m.startswith("0") and "." not in m:
        m = "0.5"
    roll = rng.random()
    if not points and roll < 0.12:  # 百分之二十, 百分之三点五
        text = "百分之" + (chinese_decimal(m) if "." in m else chinese_integer(int(m)))
        return Figure(text, float(Decimal(m)), unit, "percent", form="chinese")
    if not points and roll < 0.2:  # 10%-15%, 10%至15%
        a = rng.randint(1, 60)
        b = rng.randint(a + 1, a + 20)
        text, form = _range_text(rng, str(a), str(b), "", unit_text, percent=True)
        return Figure(text, float(a), unit, "percent", "range", float(b), form=form)
    if roll < 0.28 and "." not in m and int(m) >= 1:
        text = chinese_integer(int(m)) if points and rng.random() < 0.5 else m
        return Figure(text + unit_text, float(Decimal(m)), unit, "percent", form="arabic")
    form = "arabic"
    text = m
    if rng.random() < 0.12:
        text, form = to_fullwidth(m), "fullwidth"
    qualifier = rng.choice(("exact",) * 6 + ("approx", "over", "under"))
    before, after = ("", "") if qualifier == "exact" else _marker(rng, qualifier, False)
    return Figure(text + unit_text, float(Decimal(m)), unit, "percent", qualifier, None, before, after, form)


def make_rank(rng: random.Random) -> tuple[str, Figure, str]:
    """``(words before, figure, words after)`` of a rank: 居全国第5位, 位列全省第三, 跻身全国前十, 居首位."""
    n = rng.randint(1, 20)
    numeral = str(n) if rng.random() < 0.45 else chinese_integer(n)
    scope = rng.choice(("全国", "全省", "全市", "同类城市", "中西部地区", ""))
    way = rng.random()
    if way < 0.35:
        return f"居{scope}", Figure(f"第{numeral}位", float(n), "位", "rank", form="rank-di"), ""
    if way < 0.55:
        return f"位列{scope}", Figure(f"第{numeral}", float(n), "位", "rank", form="rank-di-bare"), ""
    if way < 0.75:
        n = rng.randint(3, 10)
        numeral = str(n) if rng.random() < 0.3 else chinese_integer(n)
        word = rng.choice(("", "", "名", "位"))  # 前十, 前十名, 前十位: the measure word, when written, is the unit
        return f"跻身{scope}", Figure(f"前{numeral}{word}", float(n), word or "位", "rank", form="rank-qian"), ""
    if way < 0.88:
        return f"排名{scope}", Figure(f"第{numeral}名", float(n), "名", "rank", form="rank-di-ming"), ""
    return f"居{scope}", Figure("首位", 1.0, "位", "rank", form="rank-shou"), ""


# -- what was measured --------------------------------------------------------------

# (words with {V} for a verb and {F} for the figure, unit, kind, multipliers, smallest and largest plain number)
TEMPLATES: tuple[tuple[str, str, str, tuple[str, ...], int, int], ...] = (
    ("实现营业收入{F}", "元", "money", ("万", "亿", "亿"), 1, 999),
    ("完成固定资产投资{F}", "元", "money", ("万", "亿"), 1, 999),
    ("研发经费投入{V}{F}", "元", "money", ("万", "亿"), 1, 999),
    ("地区生产总值{V}{F}", "元", "money", ("亿", "亿", "万亿"), 1, 999),
    ("项目总投资{V}{F}", "元", "money", ("万", "亿"), 1, 999),
    ("累计发放贷款{F}", "元", "money", ("万", "亿"), 1, 999),
    ("实现税收收入{F}", "元", "money", ("万", "亿"), 1, 999),
    ("带动社会投资人民币{F}", "元", "money", ("亿",), 1, 999),
    ("居民人均可支配收入{V}{F}", "元", "money", ("", "", "万"), 12000, 98000),
    ("实际使用外资{V}{F}", "美元", "money", ("万", "亿"), 1, 999),
    ("签订合同金额{V}{F}", "欧元", "money", ("万", "亿"), 1, 999),
    ("完成跨境融资{F}", "港元", "money", ("亿",), 1, 999),
    ("新建商品住宅均价{V}{F}", "元/平方米", "money", ("", "万"), 5000, 60000),
    ("土地流转租金{V}{F}", "元/亩", "money", ("",), 300, 3000),
    ("出口额{V}{F}", "美元", "money", ("万", "亿"), 1, 999),
    ("新增高新技术企业{F}", "家", "count", ("",), 2, 3000),
    ("全市共有规上工业企业{F}", "家", "count", ("", "万"), 2, 9000),
    ("吸引{F}企业入驻", "家", "count", ("",), 2, 900),
    ("培育专精特新企业{F}", "家", "count", ("",), 2, 900),
    ("获得授权发明专利{F}", "项", "count", ("", "万"), 2, 9000),
    ("承担国家级科研项目{F}", "项", "count", ("",), 2, 500),
    ("{F}科技成果实现转化", "项", "count", ("",), 2, 900),
    ("建成村级服务站{F}", "个", "count", ("",), 2, 900),
    ("实施重点项目{F}", "个", "count", ("",), 2, 900),
    ("{F}项目集中签约", "个", "count", ("",), 2, 300),
    ("新增城镇就业{F}", "人", "count", ("", "万"), 100, 90000),
    ("常住人口{V}{F}", "人", "count", ("万",), 1, 3000),
    ("引进高层次人才{F}", "名", "count", ("",), 2, 3000),
    ("{F}志愿者参与服务", "名", "count", ("",), 2, 5000),
    ("接待游客{F}", "人次", "count", ("万", "亿"), 1, 999),
    ("受理群众诉求{F}", "件", "count", ("", "万"), 2, 9000),
    ("新能源汽车产量{V}{F}", "辆", "count", ("万",), 1, 999),
    ("新建改扩建学校{F}", "所", "count", ("",), 2, 200),
    ("建设保障性住房{F}", "套", "count", ("", "万"), 100, 9000),
    ("建筑面积{V}{F}", "平方米", "measure", ("", "万"), 500, 90000),
    ("新建标准厂房{F}", "平方米", "measure", ("万",), 1, 999),
    ("规划面积{V}{F}", "平方公里", "measure", ("",), 2, 900),
    ("项目占地{F}", "亩", "measure", ("",), 10, 9000),
    ("流转土地{F}", "亩", "measure", ("", "万"), 100, 9000),
    ("新建改建农村公路{F}", "公里", "measure", ("",), 10, 5000),
    ("轨道交通运营里程{V}{F}", "公里", "measure", ("",), 10, 900),
    ("粮食总产量{V}{F}", "吨", "measure", ("万", "亿"), 1, 999),
    ("减少二氧化碳排放{F}", "吨", "measure", ("", "万"), 100, 9000),
    ("新增装机容量{F}", "千瓦", "measure", ("", "万"), 100, 9000),
    ("全年发电量{V}{F}", "千瓦时", "measure", ("万", "亿"), 1, 999),
    ("日供水能力{V}{F}", "立方米", "measure", ("万",), 1, 999),
    ("完成植树造林{F}", "公顷", "measure", ("",), 100, 9000),
    ("大桥主跨{V}{F}", "米", "measure", ("",), 100, 2000),
    ("新增光伏装机{F}", "兆瓦", "measure", ("",), 10, 900),
)
PERCENTS = ("同比增长{F}", "比上年增长{F}", "增速{V}{F}", "占全省比重{V}{F}", "覆盖率{V}{F}", "下降{F}", "贡献率{V}{F}")
POINTS = ("比上年提高{F}", "同比下降{F}", "占比提升{F}")
RANK_LEADS = ("总量", "增速", "综合实力", "规模", "创新指数")
VERBS = ("达", "达", "达到", "为", "", "", "共计", "累计达")
SUBJECTS = ("全市", "全省", "我省", "全区", "该市", "本市", "高新区", "该公司", "集团", "成都", "杭州", "浙江",
            "广东省", "苏州工业园区", "我国", "全县")  # fmt: skip

# Not facts: (the sentence with {D} where the non-fact goes, the non-fact's maker).
SLOGANS = ("四个全面", "五大发展理念", "三大攻坚战", "一带一路", "八项规定", "两个维护", "四个意识", "六稳",
           "两个毫不动摇", "三大科创高地", "三个代表")  # fmt: skip
SLOGAN_FRAMES = ("坚持以“{D}”为引领", "深入贯彻{D}", "围绕{D}", "严格落实{D}要求", "推动{D}取得新成效")
PLAN_FRAMES = ("根据《{S}“十四五”规划》", "按照“十四五”规划纲要部署", "《{S}国民经济和社会发展第十四个五年规划》提出")
STOCKS = ("贵州茅台", "宁德时代", "平安银行", "海康威视", "万科A", "中国平安", "招商银行")


# -- time phrases -------------------------------------------------------------------


@dataclass
class Time:
    surface: str  # the phrase as written (without the comma after it)
    year: int | None
    year_end: int | None = None
    period: bool = False  # two years, 2015年至2019年: a move 由A增长到B takes one each


def make_time(rng: random.Random, article_year: int) -> Time:
    """A time phrase and the years it gives (README: explicit, ranges, 去年/今年 from the article date, 十四五)."""
    y = rng.randint(max(2010, article_year - 8), article_year)
    roll = rng.random()
    if roll < 0.22:
        return Time(f"{y}年" + ("度" if rng.random() < 0.1 else ""), y)
    if roll < 0.32:
        part = rng.choice(("上半年", "前三季度", "一季度", "1-6月", "1至9月", "全年"))
        return Time(f"{y}年{part}", y)
    if roll < 0.42:
        month = rng.randint(1, 12)
        return Time(
            rng.choice((f"截至{y}年底", f"截至{y}年{month}月底", f"截至{y}年{month}月{rng.randint(1, 28)}日")), y
        )
    if roll < 0.5:
        target = rng.randint(article_year + 1, article_year + 10)
        return Time(f"到{target}年", target)
    if roll < 0.6:
        a = rng.randint(2010, article_year - 2)
        b = rng.randint(a + 2, min(article_year, a + 6))
        return Time(rng.choice((f"{a}年至{b}年", f"{a}年到{b}年", f"{a}—{b}年", f"{a}-{b}年")), a, b, period=True)
    if roll < 0.7:
        return Time(rng.choice(("去年", "去年全年", "去年上半年", "去年前三季度", "截至去年底")), article_year - 1)
    if roll < 0.8:
        return Time(
            rng.choice(("今年以来", "今年上半年", "今年1-6月", "今年一季度", "今年前三季度", "今年初")), article_year
        )
    if roll < 0.85:
        return Time(rng.choice(("上半年", "前三季度", "一季度")), article_year)
    if roll < 0.93:
        plan, start = rng.choice((("十四五", 2021), ("十三五", 2016)))
        quoted = f"“{plan}”" if rng.random() < 0.7 else plan
        return Time(quoted + rng.choice(("期间", "时期")), start, start + 4, period=True)
    month = rng.randint(1, 12)
    return Time(f"{y}年{month}月", y)


# -- host sentences -----------------------------------------------------------------

# A host must give no figure and no year of its own: no numeral of any script, no
# time word, no word the README counts (首位, 头部, 数家, 三方 — 双方 likewise).
_HOST_BAD = re.compile(
    r"[0-9０-９〇○零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿卅双俩仨半几%％]"
    r"|[今去明前当本上下同次全近每往历]年|年[底初末内度代]|季度|月|首[位家个批款届]|头部|数[家个项人名件次位所座条种]"
)
_SENTENCE_END = re.compile(r"(?<=[。！？])")


def usable_host(text: str) -> bool:
    return 10 <= len(text) <= 90 and "，" in text and not _HOST_BAD.search(text) and "\n" not in text


@lru_cache(maxsize=4)
def _host_pool(data_dir: str | None) -> tuple[str, ...]:
    from ..training.corpora import load_split, shared_data_dir

    root = Path(data_dir) if data_dir else shared_data_dir()
    texts = [s.text for corpus in ("msra", "cluener") for s in load_split(corpus, "dev", root)]
    pku = root / "icwb2" / "testing" / "pku_test.utf8"
    if pku.exists():
        for line in pku.read_text(encoding="utf-8").splitlines():
            texts += [s for s in _SENTENCE_END.split(line.strip()) if s]
    return tuple(sorted({t.strip() for t in texts if usable_host(t.strip())}))


def host_sentences(data_dir: str | Path | None = None) -> list[str]:
    """Numeral-free, time-free sentences of the MSRA and CLUENER dev splits and the icwb2 PKU test text."""
    return list(_host_pool(str(data_dir) if data_dir else None))


# -- documents ----------------------------------------------------------------------


class _Writer:
    """Text written piece by piece, facts and distractors recorded at their offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.facts: list[GoldFact] = []
        self.distractors: list[Distractor] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def figure(self, fig: Figure, year: int | None, year_end: int | None, time_surface: str | None) -> None:
        self.add(fig.before)
        start = self.length
        self.add(fig.surface)
        self.facts.append(GoldFact(start, self.length, fig.surface, fig.value, fig.unit, fig.kind, fig.qualifier,
                                   fig.value_max, year, year_end, time_surface, fig.form))  # fmt: skip
        self.add(fig.after)

    def distractor(self, text: str, what: str) -> None:
        start = self.length
        self.add(text)
        self.distractors.append(Distractor(start, self.length, text, what))

    def text(self) -> str:
        return "".join(self.parts)


def _clauses(host: str) -> list[str]:
    """The clauses of a host sentence: no clause holds a sentence end (a list item with a 。 in
    it would end the sentence that dates it)."""
    return [c for c in re.split(r"[，。！？；]", host) if c.strip("”“）（ ")]


def _fact_clause(rng: random.Random, w: _Writer, time: Time | None, subject: str) -> None:
    """One clause of figures: what was measured, a verb, the figure; maybe a growth rate after it."""
    year, year_end, ts = (time.year, time.year_end, time.surface) if time else (None, None, None)
    w.add(subject)
    roll = rng.random()
    if roll < 0.05:  # a duration: 历时3年, 用两年时间, 建设周期18个月
        n = rng.randint(2, 15)
        months = rng.random() < 0.3
        numeral = str(n) if rng.random() < 0.5 else with_liang(chinese_integer(n))
        head, tail = rng.choice((("项目建设历时", ""), ("用", "时间完成改造"), ("建设周期为", "")))
        w.add(head)
        unit, written = ("月", "个月") if months else ("年", "年")
        w.figure(Figure(numeral + written, float(n), unit, "measure", form="duration"), year, year_end, ts)
        w.add(tail)
        return
    if roll < 0.09:  # respective figures: 营业收入和利润总额分别为50亿元和3.2亿元, 分别增长5%、6.3%和7%
        n = rng.choice((2, 2, 3))
        if rng.random() < 0.5:
            w.add(rng.choice(("营业收入、利润总额和税收", "进口、出口和转口")) if n == 3 else "营业收入和利润总额")
            w.add(rng.choice(("分别为", "分别达到", "分别")))
            mult = rng.choice(("万", "亿"))
            figures = []
            for _ in range(n):
                m = _mantissa(rng, 1, 999)
                text, form = _write_number(rng, m, mult, allow_chinese=False)
                figures.append(Figure(text + "元", _value(m, mult), "元", "money", form=form + "-respective"))
        else:
            w.add(rng.choice(("一、二、三产业增加值", "工业、农业和服务业")) if n == 3 else "进口和出口")
            w.add(rng.choice(("分别增长", "分别下降", "分别占")))
            figures = []
            for _ in range(n):
                fig = make_percent(rng)
                if fig.qualifier != "exact" or fig.form == "chinese":
                    m = _mantissa(rng, 1, 60, decimals=0.6)
                    fig = Figure(m + "%", float(Decimal(m)), "%", "percent", form="arabic")
                fig.form += "-respective"
                figures.append(fig)
        for i, fig in enumerate(figures):
            if i:
                w.add("和" if i == n - 1 else "、")
            w.figure(fig, year, year_end, ts)
        return
    if roll < 0.16:  # a rank
        words, fig, after = make_rank(rng)
        w.add(rng.choice(RANK_LEADS) + words)
        w.figure(fig, year, year_end, ts)
        w.add(after)
        return
    if roll < 0.25:  # a growth rate on its own
        pattern = rng.choice(PERCENTS + POINTS)
        fig = make_percent(rng, points=pattern in POINTS)
        head, _, tail = pattern.partition("{F}")
        w.add(rng.choice(("规上工业增加值", "社会消费品零售总额", "进出口总额", "城镇化率", "营业收入")))
        w.add(head.replace("{V}", "" if fig.before else rng.choice(VERBS)))
        w.figure(fig, year, year_end, ts)
        w.add(tail)
        return
    pattern, unit, kind, multipliers, lo, hi = rng.choice(TEMPLATES)
    head, _, tail = pattern.partition("{F}")
    noun_after = bool(tail)
    if roll < 0.33 and not noun_after and (time is None or time.period):
        # a value moving over a period: 由1263.4亿元增长到1616.3亿元 takes each end's year
        mult = rng.choice(multipliers)
        a = _mantissa(rng, lo if not mult else 1, hi if not mult else 999)
        b = _mantissa(rng, int(float(a)) + 1, int(float(a)) * 2 + 2)
        w.add(head.replace("{V}", "").replace("实现", "").replace("完成", "") + "由")
        ta, fa = _write_number(rng, a, mult, allow_chinese=False)
        tb, fb = _write_number(rng, b, mult, allow_chinese=False)
        first, last = (time.year, time.year_end) if time else (None, None)
        w.figure(Figure(ta + unit, _value(a, mult), unit, kind, form=fa + "-move"), first, None, ts)
        w.add(rng.choice(("增长到", "增加到", "提高到", "增至")))
        w.figure(Figure(tb + unit, _value(b, mult), unit, kind, form=fb + "-move"), last, None, ts)
        return
    fig = make_figure(rng, unit, kind, multipliers, noun_after=noun_after, lo=lo, hi=hi)
    w.add(head.replace("{V}", "" if fig.before else rng.choice(VERBS)))
    if fig.unit == "元" and not fig.after and not tail and rng.random() < 0.15:
        fig.after = "人民币"  # 50亿元人民币: the currency named after the unit, outside the surface
    w.figure(fig, year, year_end, ts)
    w.add(tail)
    if time is not None and not time.period and time.surface[:2] in ("今年", "上半", "前三", "一季"):
        if rng.random() < 0.25:  # 比去年同期增长20%: the base, not the year of the figure
            w.add("，" + rng.choice(("比去年同期增长", "较去年同期增长", "比上年同期下降")))
            rate = make_percent(rng)
            rate.before, rate.after = "", ""
            rate.qualifier = "range" if rate.qualifier == "range" else "exact"
            w.figure(rate, year, year_end, ts)
            return
    if time is not None and time.surface.endswith("年") and not time.period and time.surface[:4].isdigit():
        if rng.random() < 0.25:  # 比2019年增长20%: a base year, not the year of the figure
            w.add(f"，比{time.year - rng.randint(1, 5)}年增长")
            rate = make_percent(rng)
            rate.before, rate.after = "", ""
            rate.qualifier = "range" if rate.qualifier == "range" else "exact"
            w.figure(rate, year, year_end, ts)
            return
    if rng.random() < 0.35:
        w.add("，" + rng.choice(("同比增长", "比上年增长", "增长", "同比下降", "年均增长")))
        rate = make_percent(rng)
        rate.before, rate.after, rate.qualifier = "", "", "exact" if rate.qualifier != "range" else "range"
        w.figure(rate, year, year_end, ts)


def _fact_sentence(rng: random.Random, w: _Writer, hosts: list[str], time: Time | None) -> None:
    clauses = _clauses(rng.choice(hosts))
    lead = clauses[0] if len(clauses) > 1 and rng.random() < 0.5 else ""
    if lead:
        w.add(lead + "，")
    if rng.random() < 0.1:  # a plan's name in front of a target year: 根据《…“十四五”规划》，到2025年
        if time is not None and time.surface.startswith("到"):
            w.distractor(rng.choice(PLAN_FRAMES).replace("{S}", rng.choice(("浙江省", "成都市", ""))), "plan")
            w.add("，")
    elif rng.random() < 0.1:
        w.distractor(rng.choice(SLOGAN_FRAMES).replace("{D}", rng.choice(SLOGANS)), "slogan")
        w.add("，")
    subject = rng.choice(SUBJECTS) if rng.random() < 0.6 else ""
    if time is not None and subject and rng.random() < 0.2:
        w.add(subject + time.surface)  # 成都2023年实现营业收入…: the year after the subject, no comma
        subject = ""
    elif time is not None:
        w.add(time.surface + rng.choice(("，", "，", "，", "")))
    if rng.random() < 0.15:  # list counters around the figures: 一是…；二是…
        w.add(subject + "重点抓好以下工作：")
        for n in range(rng.randint(2, 3)):
            w.distractor(DIGITS[n + 1] + "是", "counter")
            if rng.random() < 0.7:
                _fact_clause(rng, w, time, "")
            else:
                w.add(rng.choice(_clauses(rng.choice(hosts))))
            w.add("；")
        w.parts[-1] = "。"
        return
    _fact_clause(rng, w, time, subject)
    if rng.random() < 0.4:
        w.add("，")
        _fact_clause(rng, w, time, "")
    tail = clauses[1:] if lead else clauses
    if tail and rng.random() < 0.6:
        w.add("，" + "，".join(tail[: rng.randint(1, 2)]))
    w.add("。")


def _distractor_sentence(rng: random.Random, w: _Writer, hosts: list[str], article_year: int, dated: bool) -> None:
    """A sentence whose numerals are no facts; ``dated`` lets it hold a year (a date, a plan's name)."""
    clauses = _clauses(rng.choice(hosts))
    kinds = ["time", "phone", "stock", "counter", "slogan", "name"] + (["date", "date", "plan"] if dated else ["day"])
    what = rng.choice(kinds)
    y, m, d = rng.randint(article_year - 3, article_year), rng.randint(1, 12), rng.randint(1, 28)
    if what in ("date", "day"):
        text = (
            rng.choice((f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日上午")) if dated else f"{m}月{d}日"
        )
        w.add(clauses[0] + "，")
        w.distractor(text, "date")
        w.add(rng.choice(("，", "举行的", "发布的")) + "，".join(clauses[1:2]) + "。")
    elif what == "time":
        w.add(clauses[0] + "，当天" + rng.choice(("上午", "下午", "晚上", "")))
        w.distractor(rng.choice((f"{rng.randint(1, 11)}时{rng.randint(10, 59)}分", f"{rng.randint(1, 11)}点{rng.randint(10, 59)}分",
                                 f"{rng.randint(1, 11)}时许", f"{rng.randint(8, 20)}:{rng.randint(10, 59)}")), "time")  # fmt: skip
        w.add("，" + "，".join(clauses[1:2]) + "。")
    elif what == "phone":
        w.add(clauses[0] + "。" + rng.choice(("咨询电话：", "联系电话：", "服务热线：", "市民可拨打")))
        w.distractor(rng.choice((f"0{rng.randint(10, 999)}-{rng.randint(10**7, 10**8 - 1)}", f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
                                 f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", "12345")), "phone")  # fmt: skip
        w.add("。")
    elif what == "stock":
        w.add(clauses[0] + "，" + rng.choice(STOCKS) + "（")
        code = rng.choice((f"600{rng.randint(100, 999)}", f"000{rng.randint(100, 999)}", f"300{rng.randint(100, 999)}"))
        w.distractor(code, "stock")
        w.add(
            rng.choice(("", ".SH", ".SZ"))
            + "）"
            + rng.choice(("股价", "公告称", "表示"))
            + "，".join(clauses[1:2])
            + "。"
        )
    elif what == "counter":
        ordinal = rng.random() < 0.4  # 第一，…；第二，… rather than 一是…；二是…
        for n, clause in enumerate((clauses + _clauses(rng.choice(hosts)))[:3]):
            w.distractor(f"第{DIGITS[n + 1]}" if ordinal else f"{DIGITS[n + 1]}是", "counter")
            w.add(("，" if ordinal else "") + clause + "；")
        w.parts[-1] = w.parts[-1][:-1] + "。"
    elif what == "name":  # numbers in names: 地铁2号线, 中山路88号, 第十四届全运会, 11号楼
        w.add(clauses[0] + "，")
        n = rng.randint(1, 30)
        w.distractor(rng.choice((f"地铁{n}号线", f"中山路{n * 3}号", f"第{chinese_integer(n)}届", f"{n}号楼")), "name")
        w.add(rng.choice(("附近", "开幕", "所在地")) + "，" + "，".join(clauses[1:2]) + "。")
    elif what == "slogan":
        w.add(clauses[0] + "，")
        w.distractor(rng.choice(SLOGAN_FRAMES).replace("{D}", rng.choice(SLOGANS)), "slogan")
        w.add("。")
    else:  # plan
        w.distractor(rng.choice(PLAN_FRAMES).replace("{S}", rng.choice(("浙江省", "成都市", ""))), "plan")
        w.add("，" + clauses[0] + "。")


def make_document(rng: random.Random, hosts: list[str]) -> Sample:
    """One short document: fact sentences (all with their own time phrase, or none with any), host
    sentences and non-fact sentences; a document in eight has no fact at all."""
    article_year = rng.randint(2018, 2025)
    date = f"{article_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    w = _Writer()
    if rng.random() < 0.12:
        for _ in range(rng.randint(1, 3)):
            _distractor_sentence(rng, w, hosts, article_year, dated=True)
        return Sample(w.text(), date, w.facts, w.distractors)
    timed = rng.random() < 0.75
    sentences = rng.randint(1, 3)
    for _ in range(sentences):
        if rng.random() < 0.35:
            # a sentence holding a year only where every later fact has a time phrase of its own
            _distractor_sentence(rng, w, hosts, article_year, dated=timed)
        _fact_sentence(rng, w, hosts, make_time(rng, article_year) if timed else None)
        if rng.random() < 0.2:
            w.add("\n")  # a new paragraph
    if rng.random() < 0.3:
        _distractor_sentence(rng, w, hosts, article_year, dated=True)
    if rng.random() < 0.3:
        w.add(rng.choice(hosts))
    return Sample(w.text(), date, w.facts, w.distractors)


def generate(n: int, seed: int, hosts: list[str] | None = None) -> list[Sample]:
    """``n`` documents, the same for the same ``seed`` and host sentences."""
    rng = random.Random(seed)
    hosts = list(hosts) if hosts is not None else host_sentences()
    if not hosts:
        raise ValueError("no host sentences: is ../shared/data there (or $CNNLP_SHARED set)?")
    return [make_document(rng, hosts) for _ in range(n)]


# -- scoring ------------------------------------------------------------------------

FIELDS = ("value", "unit", "kind", "qualifier", "year", "year_end")


def match_facts(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    """One-to-one ``(gold, predicted)`` pairs by largest overlap of the gold ``start``/``end``
    with the predicted ``raw_start``/``raw_end``."""
    pairs = []
    for g in gold:
        for p in pred:
            overlap = min(g["end"], p["raw_end"]) - max(g["start"], p["raw_start"])
            if overlap > 0:
                pairs.append((overlap, id(g), id(p), g, p))
    pairs.sort(key=lambda t: -t[0])
    used_g, used_p, out = set(), set(), []
    for _, ig, ip, g, p in pairs:
        if ig in used_g or ip in used_p:
            continue
        used_g.add(ig)
        used_p.add(ip)
        out.append((g, p))
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def field_right(field: str, gold: dict, pred: dict) -> bool:
    """Whether ``pred`` has ``gold``'s field; a value counts its range's ``value_max`` too."""
    if field == "value":
        return _same(gold["value"], pred["value"]) and _same(gold.get("value_max"), pred.get("value_max"))
    return gold[field] == pred.get(field)


def score_facts(pairs: list[tuple[dict, dict]], n_pred: int, n_gold: int) -> dict:
    """Detection P/R/F1 (by overlap), each field's accuracy among the matched, and ``span``:
    the share of matched facts with exactly the gold offsets."""
    tp = len(pairs)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    out = {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "pred": n_pred, "gold": n_gold}
    for name in FIELDS:
        out[name] = sum(field_right(name, g, q) for g, q in pairs) / tp if tp else 0.0
    out["span"] = sum(g["start"] == q["raw_start"] and g["end"] == q["raw_end"] for g, q in pairs) / tp if tp else 0.0
    return out


__all__ = [
    "FIELDS", "Distractor", "GoldFact", "Sample", "chinese_integer", "field_right", "generate", "host_sentences",
    "make_document", "match_facts", "score_facts",
]  # fmt: skip
