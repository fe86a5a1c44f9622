"""Which year a figure refers to.

Time mentions are read first (2023年, 2015年至2019年, 到2025年, 截至2020年底,
“十四五”期间, 去年底, 今年1-6月, 上半年), each with a *scope* decided by where it
stands, because that is how Chinese news text frames its figures:

* **topic** — a mention opening a clause and followed by a comma
  (``2023年，成都……``): it frames the rest of the paragraph, across semicolons
  and sentences, until another topic or a sentence opening with 目前/未来… ;
* **inline** — any other mention (``……增速达11%，2020年全省总产值达7175亿元，……；
  同时……30家``): it holds until the next semicolon or full stop, after which the
  paragraph's topic frame is back;
* **event** — a date after 于 (``创建于2008年3月，总占地320亩``): it dates its own
  clause only.

A figure before any mention of its clause may take a mention later in the same
clause (``80万平方米的启动区将于上半年开工``); a calendar year later in the clause even
wins over the paragraph's topic (``2023年，……。人口300万人（2000年）``: the clause says
which year its figure is of, a topic only frames what says nothing).  A frame spanning years gives its
figures both ends (``“十三五”期间……年均增速达11%`` → 2016–2020), except a value
moving between the two years: ``由1263.4亿元增长到1616.3亿元`` over 2015年至2019年
gives 2015 to the first and 2019 to the second.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from ..pieces import LINE_BREAKS
from .lexicon import lexicon

# A line end (\n, \r\n or a lone \r: pieces.LINE_BREAKS) breaks a paragraph, a sentence and a clause.
CLAUSE_BREAKS = "，,；;。！？!?：:" + LINE_BREAKS
SEMI_BREAKS = "；;。！？!?" + LINE_BREAKS
SENTENCE_BREAKS = "。！？!?" + LINE_BREAKS
OPENERS = " \u3000“”\"'‘’「」『』(（【"
SUFFIX = (
    r"(?:年底|年初|年末|底|初|末|上半年|下半年|前三季度|[一二三四]季度|第[一二三四]季度|全年|"
    r"\d{1,2}(?:[-至到]\d{1,2})?月(?:份|底|初|末|上旬|中旬|下旬)?(?:\d{1,2}日)?)?"
)
YEAR_RE = regex.compile(
    r"(?P<pre>截至|截止到|截止|预计到|到|至|自|从|于)?"
    r"(?P<y1>(?:19|20)\d{2})年?(?:(?:至|到|-|—|~|－)(?P<y2>(?:19|20)\d{2}))?年(?!代|度报告)" + SUFFIX
)
CN_YEAR_RE = regex.compile(r"(?P<pre>截至|到|自|从|于)?(?P<y1>[〇零一二三四五六七八九]{4})年" + SUFFIX)
PLAN_RE = regex.compile(r"“?(?P<plan>十[一二三四五六]五)”?(?:期间|时期|以来|末|初)?(?!规划|计划|纲要)")
QUOTED_PLAN_RE = regex.compile(r"“(?P<plan>十五)”(?:期间|时期)")
MOVEMENT_START = regex.compile(r"(?:由|从)(?:约|近|超)?$")
MOVEMENT_END = regex.compile(r"(?:增长|增加|提高|上升|下降|减少|扩大|提升|降低|跃升|突破)?(?:到|至)(?:约|近|超)?$")
FUTURE_BEFORE = regex.compile(r"(?:到|至|预计|计划|力争|将|将于|目标|有望|争取)$")
# A year after these is the base of a comparison (为2000年的两倍, 比2000年增长), not the year of
# the figure before it.
COMPARED_BEFORE = regex.compile(r"(?:比|较|为|是|相当于|相比|与|和|同|超过|高于|低于|多于|少于|回到|恢复到|接近)$")
# A year after these is the base a later figure is compared with (比2019年增长20%, 较去年同期下降,
# 与2015年相比): it dates no figure.
BASE_BEFORE = regex.compile(r"(?:比|较|与|同|相比|相较于?|较之)$")


@dataclass
class TimeMention:
    start: int
    end: int
    year: int | None
    year_end: int | None
    surface: str
    role: str  # topic, inline, event, reset, base
    calendar: bool = False  # a year written out (2000年, 二〇二三年), not 去年 or 十四五
    target: bool = False  # 到2025年, 预计2024年: a year aimed at, not the year of what is said


@cache  # the lexicon is loaded once: so are its patterns
def _relative_re():
    words = sorted(lexicon().relative_years, key=len, reverse=True)
    years = [w for w in words if w.endswith("年") or w.endswith("年度")]
    parts = [w for w in words if w not in years]
    yr = "|".join(map(regex.escape, years))
    pt = "|".join(map(regex.escape, parts))
    return regex.compile(rf"(?P<rel>{yr}){SUFFIX}"), regex.compile(rf"(?<![年\d])(?P<part>{pt})")


def _in_title(text: str, pos: int) -> bool:
    """Inside 《…》 on the same line (a title cut off by a teaser's "..." never closes)."""
    line_start, line_end = _bounds(text, pos, LINE_BREAKS)
    opened = text.rfind("《", line_start, pos)
    return opened >= 0 and text.rfind("》", opened, pos) < 0 and text.find("》", pos, line_end) >= 0


def _clause_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in OPENERS:
        i -= 1
    if i < 0 or text[i] in CLAUSE_BREAKS:
        return True
    # A short adverb may open the clause: 仅去年一年, 而2023年, 早在2015年.
    for adverb in ("仅", "而", "早在", "在", "但", "同时", "其中"):
        j = i - len(adverb) + 1
        if j >= 0 and text[j : i + 1] == adverb and (j == 0 or text[j - 1] in CLAUSE_BREAKS + OPENERS):
            return True
    return False


def _role(text: str, start: int, end: int, pre: str | None) -> str:
    if pre == "于":
        return "event"
    if _clause_start(text, start) and text[end : end + 1] in ("，", ","):
        return "topic"
    return "inline"


def find_time_mentions(text: str, reference_year: int | None) -> list[TimeMention]:
    lex = lexicon()
    out: list[TimeMention] = []
    # The spans taken, sorted (they never overlap, so their ends are sorted too): only the last
    # one starting before a new span's end can overlap it (a pass over all of them per mention
    # was quadratic: 4,000 years took a second).
    taken_starts: list[int] = []
    taken_ends: list[int] = []

    titled = "《" in text  # else no mention is inside a title: no line bounds to find for each

    def add(start, end, year, year_end, pre, surface_start, calendar=False):
        k = bisect.bisect_left(taken_starts, end)
        if (titled and _in_title(text, start)) or (k and taken_ends[k - 1] > start):
            return
        taken_starts.insert(k, start)
        taken_ends.insert(k, end)
        target = pre in ("到", "至", "预计到") or bool(FUTURE_BEFORE.search(text, max(0, start - 3), start))
        role = "base" if BASE_BEFORE.search(text, max(0, start - 3), start) else _role(text, start, end, pre)
        out.append(TimeMention(surface_start, end, year, year_end, text[surface_start:end], role, calendar, target))

    for m in _year_matches(text):
        pre = m.group("pre")
        y1 = int(m.group("y1"))
        y2 = int(m.group("y2")) if m.group("y2") else None
        if y2 is not None and y2 <= y1:
            y2 = None
        surface_start = m.start("y1") if pre == "于" else m.start() + (2 if pre and pre.startswith("预计") else 0)
        add(m.start(), m.end(), y1, y2, pre, surface_start, calendar=True)
    for m in CN_YEAR_RE.finditer(text):
        digits = "".join(str("〇一二三四五六七八九".find(c) if c != "零" else 0) for c in m.group("y1"))
        if 1900 <= int(digits) <= 2099:
            pre = m.group("pre")
            add(m.start(), m.end(), int(digits), None, pre, m.start("y1") if pre == "于" else m.start(), calendar=True)
    for pattern in (PLAN_RE, QUOTED_PLAN_RE):
        for m in pattern.finditer(text):
            first, last = lex.plan_periods[m.group("plan")]
            add(m.start(), m.end(), first, last, None, m.start())
    rel_re, part_re = _relative_re()
    for m in rel_re.finditer(text):
        year = None if reference_year is None else reference_year + lex.relative_years[m.group("rel")]
        pre = "于" if text[m.start() - 1 : m.start()] == "于" else None
        add(m.start(), m.end(), year, None, pre, m.start())
    for m in part_re.finditer(text):
        year = None if reference_year is None else reference_year + lex.relative_years[m.group("part")]
        pre = "于" if text[m.start() - 1 : m.start()] == "于" else None
        add(m.start(), m.end(), year, None, pre, m.start())
    out.extend(_frame_resets(text))
    out.sort(key=lambda t: t.start)
    return out


@lru_cache(maxsize=4)  # the page's years: read by estimate_year, then by find_time_mentions
def _year_matches(text: str) -> list[regex.Match]:
    return list(YEAR_RE.finditer(text))


def _frame_resets(text: str) -> list[TimeMention]:
    """目前/未来/近年来 opening a sentence: later figures of the paragraph are "now", no year."""
    out = []
    for m in _frame_reset_pattern().finditer(text):
        out.append(TimeMention(m.start(1), m.end(1), None, None, m.group(1), "reset"))
    return out


@cache
def _frame_reset_pattern() -> regex.Pattern:
    words = "|".join(map(regex.escape, lexicon().frame_resets))
    return regex.compile(rf"(?:^|(?<=[{regex.escape(SENTENCE_BREAKS)}]))[{regex.escape(OPENERS)}]*({words})")


def _bounds(text: str, pos: int, breaks: str) -> tuple[int, int]:
    """The span around ``pos`` between break characters: after the last one before ``pos`` (or
    the text's start), to the first one at or after it (or the text's end).

    >>> _bounds("甲，乙丙。丁", 3, "，。")
    (2, 4)
    """
    positions = break_positions(text, breaks)
    i = bisect.bisect_left(positions, pos)
    return (positions[i - 1] + 1 if i else 0), (positions[i] if i < len(positions) else len(text))


@lru_cache(maxsize=32)  # a page's text and its scan form, under ~8 sets of breaks each
def break_positions(text: str, breaks: str) -> list[int]:
    """Where a character of ``breaks`` stands in ``text``, in order: computed once per text and set of
    breaks, where a ``find`` and ``rfind`` per break character and figure (each to the text's end
    when the character is not there) made a page's clause bounds quadratic in its length.

    >>> break_positions("甲，乙。丙（丁）", "，。"), break_positions("甲，乙。丙（丁）", "）#")
    ([1, 3], [7])
    """
    wanted = _break_set(breaks)
    if wanted <= _ANY_BREAK_SET:  # the sets this stage uses: filtered from one scan for all of them
        return [pos for pos, ch in _any_breaks(text) if ch in wanted]
    return [m.start() for m in _break_class(breaks).finditer(text)]


# Every break character of the sets the stage asks for (clauses, sentences, lines; attach's metric
# breaks: brackets, quotes, 、): the text is scanned once for all of them, and each set is a filter
# of that (a scan per set was six scans per page, half the time of finding the clause bounds).
_ANY_BREAK = CLAUSE_BREAKS + '、（）()“”"《》'
_ANY_BREAK_SET = frozenset(_ANY_BREAK)


@lru_cache(maxsize=4)  # one page's text and scan form at a time, as break_positions asks
def _any_breaks(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _break_class(_ANY_BREAK).finditer(text)]


@cache
def _break_set(breaks: str) -> frozenset[str]:
    return frozenset(breaks)


@cache
def _break_class(breaks: str) -> re.Pattern:
    return re.compile(f"[{re.escape(breaks)}]")


def last_break_before(text: str, pos: int, breaks: str) -> int:
    """``max(text.rfind(ch, 0, pos) for ch in breaks)``: where the last break before ``pos`` is, or -1."""
    positions = break_positions(text, breaks)
    i = bisect.bisect_left(positions, pos)
    return positions[i - 1] if i else -1


@dataclass
class MentionIndex:
    """The starts of a page's time mentions (in order) and, at each, the index of the last topic or
    reset up to it (-1 for none): what :func:`resolve_year` bisects."""

    starts: list[int]
    last_frame: list[int]

    @classmethod
    def of(cls, mentions: list[TimeMention]) -> MentionIndex:
        last, frames = -1, []
        for i, m in enumerate(mentions):
            last = i if m.role in ("topic", "reset") else last
            frames.append(last)
        return cls([m.start for m in mentions], frames)


def resolve_year(
    text: str,
    mentions: list[TimeMention],
    start: int,
    end: int,
    earlier_in_clause: bool,
    index: MentionIndex | None = None,
) -> tuple[int | None, int | None, str | None]:
    """(year, year_end, time_surface) of the figure at ``start``–``end``.

    ``mentions`` are in order of start (as :func:`find_time_mentions` gives them); ``index``
    (:meth:`MentionIndex.of` them), made once per page, finds the ones a figure looks at by
    bisection: a pass over every mention of the paragraph per figure was quadratic (16,000
    years and figures in a paragraph: 7.6 s).
    """
    if index is None:
        index = MentionIndex.of(mentions)
    starts = index.starts
    para = _bounds(text, start, LINE_BREAKS)
    semi = _bounds(text, start, SEMI_BREAKS)
    sentence = _bounds(text, start, SENTENCE_BREAKS)
    clause = _bounds(text, start, CLAUSE_BREAKS)
    # the mentions of the figure's clause at and after its end, in order
    after = mentions[bisect.bisect_left(starts, end) : bisect.bisect_left(starts, clause[1])]
    # Of the paragraph's mentions before the figure: the latest topic (or reset) is the frame;
    # the latest inline mention of the sentence, or event of the clause, after it is the local one.
    lo, hi = bisect.bisect_left(starts, para[0]), bisect.bisect_left(starts, start)
    f = index.last_frame[hi - 1] if hi else -1
    frame: TimeMention | None = mentions[f] if f >= lo else None  # the paragraph's latest topic (or reset)
    local: TimeMention | None = None  # the latest inline or event mention in scope
    for k in range(hi - 1, max(f + 1, lo, bisect.bisect_left(starts, sentence[0])) - 1, -1):
        m = mentions[k]
        if (m.role == "inline" and m.start >= sentence[0]) or (m.role == "event" and m.start >= clause[0]):
            local = m
            break
    # An inline mention holds to the next semicolon; past it the paragraph's topic is back,
    # and only when the paragraph has none does it run on to the full stop.  A mention before a
    # colon heads the list the colon opens (十四五时期重点抓好以下工作：一是……；二是……：every item).
    if (
        local is not None
        and local.role == "inline"
        and local.start < semi[0]
        and frame is not None
        and not _heads_list(text, local.end, semi[0])
    ):
        local = None
    chosen = local or frame
    if chosen is None or chosen.start < clause[0]:
        # nothing dates the figure inside its clause: a calendar year later in the clause does
        # (人口300万人（2000年）), before the paragraph's frame; not a target year (到2025年), nor
        # the base of a comparison (达300万人，为2000年的两倍)
        said = [m for m in after if m.calendar and m.role == "inline"]
        if (
            said
            and not said[0].target
            and said[0].year is not None
            and not COMPARED_BEFORE.search(text, max(0, said[0].start - 3), said[0].start)
        ):
            chosen = said[0]
    if chosen is None or chosen.role == "reset":
        later = [m for m in after if m.role not in ("reset", "base")]
        if chosen is None and later:
            chosen = later[0]
        else:
            return None, None, None
    if chosen.year is None:
        return None, None, None
    if chosen.year_end is not None:
        head = text[clause[0] : start]
        if MOVEMENT_START.search(head):
            return chosen.year, None, chosen.surface
        if earlier_in_clause and MOVEMENT_END.search(head):
            return chosen.year_end, None, chosen.surface
    return chosen.year, chosen.year_end, chosen.surface


def _heads_list(text: str, after: int, item_start: int) -> bool:
    """A colon after a mention (ending at ``after``) before any semicolon, and the list item at
    ``item_start`` after that colon: the mention heads the list (an item may hold a colon of its own)."""
    head = regex.match(r"[^；;：:]*[：:]", text[after:item_start])  # the first colon, no semicolon before it
    return head is not None


def reference_year(text: str, date: str | None) -> int | None:
    """The year "今年" means: the document date's (the user's, else the page's: the zones stage
    reads the dateline into ``doc.meta["date"]``), else an estimate."""
    if date:
        m = re.match(r"\s*((?:19|20)\d{2})", str(date))
        if m:
            return int(m.group(1))
    return estimate_year(text)


def estimate_year(text: str) -> int | None:
    """The latest year the text speaks of as past: a year's totals (``2023年，成都……达1039亿元``)
    are published the year after, so a topic year counts as year + 1; targets (到2025年,
    预计2024年建成) do not count.  ``None`` when the text names no year."""
    best = None
    titled = "《" in text
    for m in _year_matches(text):
        if titled and _in_title(text, m.start()):
            continue
        if m.group("pre") in ("到", "至", "预计到") or FUTURE_BEFORE.search(text[max(0, m.start() - 3) : m.start()]):
            continue
        if text[m.end() : m.end() + 2].startswith(("计划", "将", "预计", "力争", "目标")):
            continue
        year = int(m.group("y2") or m.group("y1"))
        whole_year = (
            not m.group(0).endswith(("月", "日", "底", "初", "末", "季度", "半年"))
            and text[m.end() : m.end() + 1] in "，,"
        )
        year = year + 1 if whole_year else year
        best = year if best is None else max(best, year)
    return best
