"""The data files of the zones stage (``chinese_news_nlp/data/zones/``), read once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import regex

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "zones"

# Characters that decorate a cue line without being part of it: 【相关阅读】, >>相关文章:, ▌推荐阅读
CUE_DECORATION = " \t\u3000\xa0【】[]〖〗《》<>＜＞»«›‹>→▶►▌■□●◆◇★☆·•|｜:：-—_=*#"


def _rows(name: str) -> list[list[str]]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class ZoneLexicon:
    line_cues: dict[str, str]  # the whole (undecorated) line → zone
    prefix_cues: tuple[tuple[str, str], ...]  # (lower-cased prefix, zone)
    short_cues: tuple[tuple[str, str], ...]  # (cue anywhere in a short line, zone)
    patterns: dict[str, regex.Pattern]
    roles: dict[str, str]  # byline word → "reporter" | "other"
    site_patterns: tuple[regex.Pattern, ...]
    comment_headers: frozenset[str] = frozenset()  # the header of a comment section (网友评论)
    comment_words: tuple[str, ...] = ()  # a short line naming comments (查看更多评论, 共有评论0条)
    _prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False)  # the prefix cues alone

    def __post_init__(self) -> None:
        object.__setattr__(self, "_prefixes", tuple(cue for cue, _ in self.prefix_cues))

    def cue_zone(self, line: str, anywhere: bool = True) -> str | None:
        """The zone a cue word gives ``line`` (stripped), or None.  ``anywhere=False`` looks
        only at whole-line and prefix cues, not at a cue inside a short line, a phone number,
        a link, a menu or a row of buttons or tags.

        >>> lexicon().cue_zone("【相关阅读】")
        'related'
        >>> lexicon().cue_zone("当前位置:首页 > 新闻 > 正文")
        'boilerplate'
        >>> lexicon().cue_zone("来源:某某日报")
        'meta'
        >>> lexicon().cue_zone("记者从会上获悉，二维码溯源系统已覆盖全省，市民扫码即可查询每一批蔬菜的产地和检测结果。") is None
        True
        """
        bare = line.strip(CUE_DECORATION)
        zone = self.line_cues.get(bare)
        if zone is not None:
            return zone
        low = line.lstrip(CUE_DECORATION[:4]).lower()
        # a cue in brackets is the same cue: 【责任编辑:…】, (责编：…), 【打印本页】【关闭窗口】
        opened = low.lstrip(OPENING_BRACKETS)
        for text in (low, opened) if opened != low else (low,):
            if text.startswith(self._prefixes):  # one C-level test first: most lines start with no cue
                for cue, zone in self.prefix_cues:  # the first cue listed wins, as before
                    if text.startswith(cue):
                        return zone
        if not anywhere:
            return None
        if len(line) <= SHORT_LINE and not self.patterns["source"].search(line):
            # a dateline naming its source is meta whatever the source is called (来源：某某客户端)
            for cue, zone in self.short_cues:
                if cue in line:
                    return zone
        if len(line) <= 60 and (self.patterns["phone"].search(line) or self.patterns["url"].search(line)):
            return "boilerplate"  # a contact ad or a link: 热线电话：0571-88888888, 本文链接：http://…
        if is_navigation(line) or is_button_bar(line) or is_tag_line(line):
            return "boilerplate"
        return None

    def is_list_header(self, line: str) -> bool:
        """Whether ``line`` is a related-list header (相关阅读), not an item naming another
        article by a prefix cue (``上一篇：…``)."""
        return self.line_cues.get(line.strip(CUE_DECORATION)) == "related"

    def is_comment_header(self, line: str) -> bool:
        """Whether ``line`` opens a section of readers' comments (``网友评论``, ``【热门评论】``).

        >>> lexicon().is_comment_header("【热门评论】"), lexicon().is_comment_header("0 评论 收藏")
        (True, False)
        """
        return line.strip(CUE_DECORATION) in self.comment_headers

    def names_comments(self, line: str) -> bool:
        """A short line about the comments (``查看更多评论>>``, ``共有评论0条``, ``登录后参与评论``).

        >>> lexicon().names_comments("查看更多评论>>"), lexicon().names_comments("某地新材料产业规模突破千亿元")
        (True, False)
        """
        return len(line) <= COMMENT_LINE and any(word in line for word in self.comment_words)


SHORT_LINE = 40
COMMENT_LINE = 24  # a line naming comments is a link or a count, not a sentence about them
OPENING_BRACKETS = "【[(（〖"
NAV_SEPARATORS = "|｜>＞»›/"


def is_navigation(line: str) -> bool:
    """A menu or breadcrumb: three or more short items between separators, whatever the words.

    Motivating layouts: ``首页 | 国内 | 国际 | 财经``, ``位置：首页 > 国内 > 正文`` (a breadcrumb
    whose label is not a known cue), ``某某网>>社会>>滚动`` (a doubled separator is one).

    >>> is_navigation("首页 | 国内 | 国际 | 财经"), is_navigation("位置：首页 > 国内 > 正文")
    (True, True)
    >>> is_navigation("某某网>>社会>>滚动"), is_navigation("首页 >> 国内 >> 正文")
    (True, True)
    >>> is_navigation("2015年至2019年，全省医药工业总产值由1263.4亿元增长到1616.3亿元"), is_navigation("2024/04/06")
    (False, False)
    """
    if len(line) > 80:
        return False
    pieces = [""]
    for ch in line:
        if ch in NAV_SEPARATORS:
            if pieces[-1].strip() or len(pieces) == 1:  # >> is one separator
                pieces.append("")
        else:
            pieces[-1] += ch
    items = [p.strip() for p in pieces]
    worded = sum(1 for p in items if any(ch.isalpha() for ch in p))  # not a date: 2024/04/06
    return len(items) >= 3 and worded >= 2 and all(0 < len(p) <= 12 for p in items[1:]) and len(items[0]) <= 12


def is_button_bar(line: str) -> bool:
    """A row of buttons: three or more words of one or two characters between spaces, whatever
    the words (``分享 收藏 在看 点赞``, ``回复 引用 举报 顶 踩``); a headline's words are longer.

    >>> is_button_bar("分享 收藏 在看 点赞"), is_button_bar("第二要全面 不要片面")
    (True, False)
    """
    items = line.replace("\u3000", " ").split()
    return len(items) >= 3 and all(len(item) <= 2 for item in items)


TAG = regex.compile(r"(?:^|\s)#[\p{Han}\p{L}]")  # a topic tag: #民生, #某地新闻#


def is_tag_line(line: str) -> bool:
    """A short line of topic tags (``收录于话题 #民生 #某地``, ``#某地新闻# 12篇``): site
    furniture, whatever the words before the tags; a sentence that quotes a tag ends with a stop.

    >>> is_tag_line("收录于话题 #民生"), is_tag_line("#某地新闻# 12篇"), is_tag_line("第3号 C#程序")
    (True, True, False)
    """
    return len(line) <= SHORT_LINE and TAG.search(line) is not None and line.rstrip()[-1:] not in "。！？!?"


@cache
def lexicon() -> ZoneLexicon:
    line_cues: dict[str, str] = {}
    prefix: list[tuple[str, str]] = []
    short: list[tuple[str, str]] = []
    headers: set[str] = set()
    words: list[str] = []
    rows = _rows("cues.tsv")
    for zone, match, cue in rows[1:]:  # the first row names the columns
        if zone == "comments":  # page furniture: boilerplate, and evidence of a comment section
            if match == "line":
                headers.add(cue)
                line_cues[cue] = "boilerplate"
            elif match == "short":
                words.append(cue)
            else:
                raise ValueError(f"cues.tsv: comments cues match a line or a short line, not {match!r}")
        elif match == "line":
            line_cues[cue] = zone
        elif match == "prefix":
            prefix.append((cue.lower(), zone))
        elif match == "short":
            short.append((cue, zone))
        else:
            raise ValueError(f"cues.tsv: unknown match {match!r} for {cue!r}")
    patterns = {name: regex.compile(pattern) for name, pattern in _rows("patterns.tsv")}
    roles = {word: role for word, role in _rows("byline_roles.tsv")[1:]}
    sites = tuple(regex.compile(pattern) for _, pattern in _rows("site_patterns.tsv"))
    return ZoneLexicon(line_cues, tuple(prefix), tuple(short), patterns, roles, sites, frozenset(headers), tuple(words))
