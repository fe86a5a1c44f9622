"""Numerals: Arabic, Chinese and mixed, with multipliers, approximations and ranges.

``parse_numeral("3.5万")`` → ``Numeral(35000.0)``; ``"五十余"`` → 50 with the
``over`` hint; ``"八九十"`` → the range 80–90; ``"数千万"`` → 1e7, ``approx``.
The regular expression :data:`NUMERAL` finds the runs this module can read; it is
deliberately greedy and :func:`parse_numeral` returns ``None`` for a run that is
not a well-formed number (``"十四五"``, ``"一二"``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}  # fmt: skip
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)

# Full-width digits and signs as they appear in scraped pages; translated to ASCII
# on a copy of the text of the same length, so offsets do not move.  The full-width comma is
# the clause break of Chinese text (位列第2，504项科技成果): it groups digits only between
# full-width digits (１，２３４), see :data:`FULLWIDTH_GROUPING`.
FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
FULLWIDTH_GROUPING = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")

# One numeral run.  Alternatives, most specific first:
#   数/几 + magnitude (数万, 数千万, 几十)
#   Arabic with thousands separators or decimals, then 余/多 and multipliers (3.5万, 1000余万, 1.6万亿)
#   Chinese numerals with 余/多/几 inside (五十余, 十几, 千余, 八九十), or decimals written with 点
#   (三十五点一, 三点二万; not a clock's 三点二十分, 九点零五分, 三点一刻: no place word, 分 or 刻 after)
NUMERAL = (
    r"(?:[数几][十百千万亿]+(?:[余多]?[万亿]+)?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[余多])?(?:[十百千]?[万亿]+)?"
    r"|\d+(?:\.\d+)?(?:[余多])?(?:[十百千]?[万亿]+|[百千](?=[万亿]))*"
    rf"|[{CN_NUMERAL_CHARS}]+(?:点[〇零一二三四五六七八九]++(?![十百千分刻钟])[万亿]*|[余多几][十百千万亿]*)?)"
)


@dataclass(frozen=True)
class Numeral:
    value: float
    value_max: float | None = None
    qualifier: str | None = None  # a hint from inside the numeral: over, approx, range
    magnitude_only: bool = False  # 亿, 千, 万亿: an order of magnitude, no digits


# Cached: a page's runs repeat (一 alone is a quarter of the runs of news text: 一些, 统一), the
# result is frozen, and reading one was a quarter of the figure scan's time.
@functools.lru_cache(maxsize=4096)
def parse_numeral(run: str) -> Numeral | None:
    """Read one numeral run; ``None`` when it is not a number, or not one a float can hold.

    >>> parse_numeral("1" * 400 + "亿") is None  # would be inf: written as null, read back as None
    True
    """
    numeral = _parse_numeral(run)
    # A run of hundreds of digits (or of 亿亿亿…) overflows to inf (or inf - inf = nan in a
    # range): not a value to report as read, and JSON has no such number (it became null).
    if numeral is None or not math.isfinite(numeral.value) or not math.isfinite(numeral.value_max or 0.0):
        return None
    return numeral


def _parse_numeral(run: str) -> Numeral | None:
    if not run:
        return None
    if run[0] in "数几":
        rest = run[1:]
        value = _parse_multipliers(rest)
        return Numeral(value, qualifier="approx", magnitude_only=True) if value else None
    # 余/多/几 split the run: 五十余, 1000余万 (余 then a multiplier applies to the whole).
    for mark in "余多几":
        if mark in run:
            head, _, tail = run.partition(mark)
            if not head:
                return None
            base = _parse_plain(head)
            if base is None:
                return None
            mult = _parse_multipliers(tail) if tail else 1.0
            if mult is None:
                return None
            return Numeral(base * mult, qualifier="over")
    if run[0].isdigit():
        return _parse_arabic(run)
    if "点" in run:
        return _parse_chinese_decimal(run)
    approx_range = _parse_adjacent_digits(run)
    if approx_range is not None:
        return approx_range
    value = parse_chinese(run)
    if value is None:
        return None
    return Numeral(value, magnitude_only=all(c in CN_SMALL_UNITS or c in CN_BIG_UNITS for c in run))


def _parse_chinese_decimal(run: str) -> Numeral | None:
    """三十五点一 → 35.1, 三点二万 → 32000, 零点五 → 0.5: a whole number, 点, its decimals digit by
    digit, then multipliers.

    >>> _parse_chinese_decimal("三点二万").value, _parse_chinese_decimal("百分之").__class__.__name__
    (32000.0, 'NoneType')
    """
    head, _, tail = run.partition("点")
    digits = 0
    while digits < len(tail) and tail[digits] in CN_DIGITS:
        digits += 1
    whole = parse_chinese(head) if head else None
    if whole is None or not digits or whole != int(whole):
        return None
    value = Decimal(int(whole)) + Decimal("0." + "".join(str(CN_DIGITS[c]) for c in tail[:digits]))
    if tail[digits:]:
        mult = _parse_multipliers(tail[digits:])
        if mult is None:
            return None
        value *= Decimal(int(mult))
    return Numeral(float(value))


def _parse_plain(text: str) -> float | None:
    if text[0].isdigit():
        num = _parse_arabic(text)
        return num.value if num else None
    return parse_chinese(text)


def _parse_arabic(run: str) -> Numeral | None:
    i = 0
    while i < len(run) and (run[i].isdigit() or run[i] in ",."):
        i += 1
    digits, tail = run[:i].replace(",", ""), run[i:]
    try:
        value = Decimal(digits)  # exact: 9960.53亿 is 996053000000, not ...0001
    except InvalidOperation:
        return None
    if tail:
        mult = _parse_multipliers(tail)
        if mult is None:
            return None
        value *= Decimal(int(mult))
    return Numeral(float(value))


def _parse_multipliers(tail: str) -> float | None:
    """The product of a run of magnitude characters: 万亿 → 1e12, 千万 → 1e7, 十 → 10."""
    if not tail:
        return None
    value = 1.0
    for ch in tail:
        if ch in CN_SMALL_UNITS:
            value *= CN_SMALL_UNITS[ch]
        elif ch in CN_BIG_UNITS:
            value *= CN_BIG_UNITS[ch]
        else:
            return None
    return value


def _parse_adjacent_digits(run: str) -> Numeral | None:
    """Two neighbouring digits for an approximate range: 两三 → 2–3, 八九十 → 80–90, 三四百 → 300–400."""
    if len(run) < 2 or run[0] not in CN_DIGITS or run[1] not in CN_DIGITS:
        return None
    low, high = CN_DIGITS[run[0]], CN_DIGITS[run[1]]
    if high != low + 1 or low == 0:
        return None
    tail = run[2:]
    mult = _parse_multipliers(tail) if tail else 1.0
    if mult is None:
        return None
    return Numeral(low * mult, high * mult, qualifier="range")


def parse_chinese(text: str) -> float | None:
    """A Chinese numeral: 一千二百三十四, 十五, 两万, 3千 is not handled here, 二〇二三 digit by digit."""
    if not text:
        return None
    if all(c in CN_DIGITS for c in text):
        if len(text) == 1:
            return float(CN_DIGITS[text])
        if "两" in text or not (len(text) == 4 or "〇" in text or "零" in text):
            return None  # 五六七 is no number; 二〇二三 and 一九九八 are read digit by digit
        return float("".join(str(CN_DIGITS[c]) for c in text))  # 二〇二三 read digit by digit
    total = 0.0  # completed 亿 sections
    section = 0.0  # completed 万 sections within the current 亿 section
    group = 0.0  # below 万
    digit: int | None = None
    last_small = 10_000
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0 and CN_DIGITS[ch] != 0:
                return None  # 一二: two digits in a row
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            if unit >= last_small and group:
                return None  # 十百: units out of order
            group += (digit if digit is not None else 1) * unit
            last_small = unit
            digit = None
        elif ch == "万":
            group += digit or 0
            if not group and not section and not total:
                group = 1
            section = (section + group) * 10_000 if section < 10_000 else section + group * 10_000
            group, digit, last_small = 0.0, None, 10_000
        elif ch == "亿":
            group += digit or 0
            if not group and not section and not total:
                group = 1
            total = (total + section + group) * 100_000_000
            section, group, digit, last_small = 0.0, 0.0, None, 10_000
        else:
            return None
    if digit is not None:
        group += digit
    return float(total + section + group)
