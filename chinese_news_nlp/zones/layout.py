"""Which lines of a page are the article: cue words weighed with layout evidence.

A scraped page is a sequence of lines: site furniture, the headline, a dateline, the article's
paragraphs and subheadings, then contact ads, a copyright notice, share buttons and lists of
other articles.  Each non-blank line first gets a *shape* from its own text
(:func:`line_shape`) and a *cue* from the data files (:mod:`.lexicon`); the page is then read
as a whole, in this order (each step is a function below, documented by the layout that
motivated it):

1. :func:`related_sections` — a related-list header (相关阅读, 推荐阅读…) opens a list of other
   articles that runs until the page turns back into prose;
2. :func:`list_runs` — a list with no header: three or more items, each a short headline
   followed by at most one lead, with evidence that it is a list (a truncated lead, a date or a
   category line between items, a headline printed twice);
3. :func:`article_span` — the article is the block of paragraphs with the most prose, blocks
   being cut by lists, boilerplate cues and long runs of non-prose lines;
4. :func:`title_lines` — the headline is the headline-like line just before the article's
   first paragraph (with a deck or a repeat of it next to it); datelines around it are meta;
5. inside the article, prose is ``body`` and short unpunctuated lines are ``heading``; after
   it, datelines and source lines are ``meta``, cue lines ``boilerplate``, and a run of three or
   more headline-like lines with nothing else is a ``related`` list (:func:`tail_zones`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import NAV_SEPARATORS, lexicon
from .metadata import parse_byline

# A sentence ends with one of these (after closing quotes and brackets): the line is prose.
SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』\"')）]】》"
# Leads cut by a listing end like this: "...于 20...", "…".
TRUNCATION_MARKS = ("...", "…", "。。。")
HEADLINE_MAX = 40  # longer lines without a sentence end are truncated leads, not headlines
LEAD_MIN = 40
CATEGORY_MAX = 4

# Line shapes
PROSE = "prose"  # a paragraph: ends a sentence
LEAD = "lead"  # long, but cut off: no sentence end, or an ellipsis where a listing cut it
HEAD = "head"  # short, no sentence end: a headline, a subheading, a menu item
DATE = "date"  # a date or time alone: 2022-03-08, 09-24, 3天前
SHAPES = (PROSE, LEAD, HEAD, DATE)


@dataclass
class Line:
    start: int  # offsets in the text, without the newline and the indent
    end: int
    text: str  # stripped
    shape: str
    cue: str | None  # the zone a cue word gives, or None
    indent: int = 0  # characters of indent before the text (a column's width includes it)
    repeated: bool = False  # the same text is on the page more than once
    zone: str | None = None


def strip_trailing_group(text: str) -> str:
    """The line without a closing bracketed group of 40 characters or fewer, which is a byline
    or a note: ``…新材料。(洪恒飞 袁晓玲 科技日报记者 江 耘)`` reads as prose ending in 。.

    >>> strip_trailing_group("产业规模居全国第四。（张三 李四）")
    '产业规模居全国第四。'
    """
    if text and text[-1] in ")）":
        opening = max(text.rfind("("), text.rfind("（"))
        if opening > 0 and len(text) - opening <= 40:
            return text[:opening].rstrip()
    return text


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence (closing quotes and a byline group do not count).

    A headline may end with ! or ? (``汇总表来啦!``); it is prose only when a comma shows
    clauses, as paragraphs have: ``如何当好科技创新的“领头雁”?`` alone reads as a headline.

    >>> ends_sentence("之江大地上,创新热潮处处涌动。"), ends_sentence("杭州城西各类科创园汇总表来啦!")
    (True, False)
    """
    bare = strip_trailing_group(text).rstrip(CLOSERS + " ")
    if not bare:
        return False
    last = bare[-1]
    if last in "。；;":
        return True
    if last in "…":
        # the ellipsis of a sentence is 「……」; a single 「…」 or 「...」 is where a listing cut a lead
        return bare.endswith("……")
    if last in "！？!?":
        return any(ch in bare for ch in "，,。；;")
    return False


def asks_or_exclaims(text: str) -> bool:
    """A short line ending in ? or ! inside an article is a sentence opening a paragraph, not a
    subheading: ``糖尿病有望实现功能性治愈了?`` after a subheading, before the answer.

    >>> asks_or_exclaims("糖尿病有望实现功能性治愈了?"), asks_or_exclaims("在改造升级中焕发活力")
    (True, False)
    """
    return text.rstrip(CLOSERS + " ")[-1:] in ("？", "?", "！", "!")


def line_shape(text: str) -> str:
    """The shape of one stripped line: :data:`PROSE`, :data:`LEAD`, :data:`HEAD` or :data:`DATE`.

    >>> line_shape("2022-03-08"), line_shape("3天前"), line_shape("推动“互联网+”与实体经济融合")
    ('date', 'date', 'head')
    >>> line_shape("在之江实验室11号楼的智能计算硬件研究中心内,亿级神经元类脑计算机的指示灯快速闪烁。这台类脑计算机是我国首台神经")
    'lead'
    """
    pats = lexicon().patterns
    if len(text) <= 24:
        rest = text
        for name in ("date", "time", "relative_time", "month_day"):
            rest = pats[name].sub("", rest)
        if not rest.strip(" ()（）[]【】/-|｜·,，:："):
            return DATE
    if ends_sentence(text) and not text.endswith(TRUNCATION_MARKS[0]):
        return PROSE
    if len(text) > HEADLINE_MAX or text.endswith(TRUNCATION_MARKS):
        return LEAD
    return HEAD


def is_meta_line(line: Line) -> bool:
    """A dateline, source or byline line: a meta cue, or a date with a time or a relative time
    in a short line that is not a sentence (``2022-03-08 10:44:57   来源:科技日报``,
    ``admin9个月前 (09-24)某某资讯9``)."""
    if line.cue == "meta":
        # an interview's 记者：…？ is a question, not a byline
        return line.shape != PROSE or len(line.text) <= 15
    if line.cue is not None or line.shape == PROSE or len(line.text) > 80:
        return False
    pats = lexicon().patterns
    text = line.text
    if pats["source"].search(text):
        return True
    has_date = pats["date"].search(text) is not None
    if has_date and (pats["time"].search(text) or len(text) <= 40):
        return True
    return bool(pats["relative_time"].search(text) and pats["month_day"].search(text))


def classify_lines(lines: list[Line]) -> None:
    """Set ``zone`` on every line (see the module docstring for the order of the steps)."""
    if not lines:
        return
    mark_repeats(lines)
    mark_bylines(lines)
    mark_wrapped(lines)
    for start, end in related_sections(lines):
        for line in lines[start:end]:
            line.zone = "related"
    for start, end in comment_sections(lines):
        for line in lines[start:end]:
            if line.zone is None and line.cue in (None, "boilerplate"):
                line.zone = "boilerplate"
    for start, end in list_runs(lines):
        for line in lines[start:end]:
            line.zone = "related"
    for line in lines:
        if line.zone is None and line.cue in ("boilerplate", "related"):
            line.zone = line.cue  # related: an item named by its cue (上一篇：…)
        elif line.zone == "related" and line.cue == "boilerplate" and not _truncated(line):
            line.zone = "boilerplate"  # a footer after a list: 版权所有, 网站地图
    span = article_span(lines)
    if span is None:
        for line in lines:
            if line.zone is None:
                line.zone = "meta" if is_meta_line(line) else "boilerplate"
        return
    first, last = span
    for line in lines[first : last + 1]:
        if line.zone is not None:
            continue
        if is_meta_line(line) or line.shape == DATE:
            line.zone = "meta"
        elif line.cue == "heading" or (line.shape == HEAD and _subheading_like(line.text)):
            line.zone = "heading"
        elif line.shape == HEAD and not _worded(line.text) and not asks_or_exclaims(line.text):
            line.zone = "boilerplate"  # a button between paragraphs: 举报, 字号 关注
        else:
            line.zone = "body"
    title_lines(lines, first)
    tail_zones(lines, last + 1)


def mark_repeats(lines: list[Line]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        seen[line.text] = seen.get(line.text, 0) + 1
    for line in lines:
        line.repeated = seen[line.text] > 1


def _is_list_header(line: Line) -> bool:
    return line.cue == "related" and len(line.text) <= 16 and lexicon().is_list_header(line.text)


def _truncated(line: Line) -> bool:
    """A lead a listing cut (``…``, ``...``): a list item even when it opens with a cue word."""
    return line.shape == LEAD and line.text.endswith(TRUNCATION_MARKS)


def _holds_sentence(text: str) -> bool:
    """A short line with a full stop inside is a sentence and its tail, not a subheading: an
    image caption ``图为某地街头。本报记者 某某 摄``, ``▲某地一景。图片由受访者提供``."""
    return any(ch in text[:-1] for ch in "。；;")


def _worded(text: str) -> bool:
    """A subheading says something: it has a word of three letters or more.  A button (``举报``)
    or a row of them (``字号 关注``) has none, whatever the words.

    >>> _worded("举报"), _worded("字号 关注"), _worded("一、 总体要求"), _worded("■ 某一方面")
    (False, False, True, True)
    """
    return any(sum(ch.isalpha() for ch in word) >= 3 for word in text.split())


def _subheading_like(text: str) -> bool:
    """A short line inside the article that is a subheading: not a question or exclamation
    opening a paragraph, not a sentence with its tail, not a button."""
    return not asks_or_exclaims(text) and not _holds_sentence(text) and _worded(text)


def mark_bylines(lines: list[Line]) -> None:
    """A short line that is role words and names only (``某某新闻记者 张三``, ``通讯员 李四``)
    is a byline: a meta cue, as ``作者：`` gives one, whatever the media before the role."""
    for line in lines:
        if line.cue is None and line.shape == HEAD and len(line.text) <= 30:
            if parse_byline(line.text, needs_role=True):
                line.cue = "meta"


# A column's lines: the width of each but the last within this of the first's.
WRAP_SLACK = 1
WRAP_MIN, WRAP_MAX = 10, 60
WRAP_PUNCT = "，。、；：！？,;:!?"


def mark_wrapped(lines: list[Line]) -> None:
    """A block of lines cut at one width (an e-paper or PDF column) whose joined text is prose
    is a paragraph: each of its lines gets the shape :data:`PROSE`, whatever its own end.

    A block is three lines or more, all but the last of one width (indent included, ±1) of 10
    to 60 characters and the last no wider, more than half of those before the last stopping inside a sentence
    (no sentence end); the joined text has clause marks on at least half its lines and a
    sentence end.  A list of headlines has no marks; a list of leads ends its lines with an
    ellipsis.  Motivating layout: ``在某地召开的一次会议上，厂区内 / 规模不大的某酒店成为
    关注的话题 / 。某地是我国…``.

    Once a page has such a column, a paragraph of two lines in it is one too: a line of the
    column's width (±1) that stops inside a sentence, with a clause mark, and a next line no
    wider that holds a sentence end (``他认为，由于各国的劳动成本不相同，“社会 / ”的实现尚需时
    间。``), which was a subheading and cut the column into two articles.  A line whose cue is
    only a word inside a short line (:func:`_cut_by_cue`) does not end a block; in a block
    that is prose it loses the cue."""
    n = len(lines)
    widths: set[int] = set()  # the widths of the page's columns
    i = 0
    while i < n:
        j = _wrap_end(lines, i)
        if j - i >= 3 and _wrapped_prose(lines[i:j]):
            widths.add(_width(lines[i]))
            for line in lines[i:j]:
                if line.cue is None or not _cut_by_cue(line):
                    line.cue, line.shape = None, PROSE
            i = j
        else:
            # the lines before the block's last share its width: a block from any of them ends
            # where this one does (one walk per block, not per line: 20,000 rows of one width)
            i = max(j - 1, i + 1)
    if widths:
        for first, second in zip(lines, lines[1:]):
            if _wrapped_pair(first, second, widths):
                first.shape = second.shape = PROSE


def _wrapped_pair(first: Line, second: Line, widths: set[int]) -> bool:
    width = _width(first)
    return (
        first.shape != PROSE
        and first.cue is None
        and second.cue is None
        and any(abs(width - w) <= WRAP_SLACK for w in widths)
        and _width(second) <= width + WRAP_SLACK
        and not first.text.endswith(TRUNCATION_MARKS)
        and any(ch in first.text for ch in WRAP_PUNCT)
        and any(ch in second.text for ch in "。！？；!?;")
    )


def _width(line: Line) -> int:
    return line.indent + len(line.text)


def _wrap_end(lines: list[Line], i: int) -> int:
    width = _width(lines[i])
    if not WRAP_MIN <= width <= WRAP_MAX or _cut_by_cue(lines[i]):
        return i + 1
    j = i + 1
    while j < len(lines):
        prev, line = lines[j - 1], lines[j]
        if prev.text.endswith(TRUNCATION_MARKS) or _cut_by_cue(line):
            break
        w = _width(line)
        if abs(w - width) <= WRAP_SLACK:
            j += 1
            continue
        if w < width:
            j += 1  # a shorter line: the paragraph's last
        break
    return j


def _cut_by_cue(line: Line) -> bool:
    """A cue line ends a column, unless its cue is only a word inside a short line and the line
    has clause marks: a column's line is short whatever its paragraph, and a cue word is in it by
    chance (``全民健身，最难做到的是人人参与。他们的“逼上``: 人参与 of 已有0人参与)."""
    if line.cue is None:
        return False
    if not any(ch in line.text for ch in WRAP_PUNCT):
        return True
    return lexicon().cue_zone(line.text, anywhere=False) is not None


def _wrapped_prose(block: list[Line]) -> bool:
    marked = sum(1 for line in block if any(ch in line.text for ch in WRAP_PUNCT))
    joined = "".join(line.text for line in block)
    if marked * 2 < len(block) or not any(ch in joined for ch in "。！？；!?;"):
        return False
    # a column's line ends where the width does, mostly inside a sentence
    ended = sum(1 for line in block[:-1] if ends_sentence(line.text))
    return ended * 2 < len(block) - 1


def related_sections(lines: list[Line]) -> list[tuple[int, int]]:
    """``[start, end)`` of each list opened by a related-list header.

    Motivating layout: ``相关阅读`` then forty items of headline, category (``科技``), truncated
    lead and date; or ``相关文章`` then items whose headline is printed twice.  The list ends
    where the page turns back into prose: three paragraphs in a row (a sidebar before the
    article), less the article's own headline and dateline just before them.
    """
    sections = []
    i = 0
    while i < len(lines):
        if not _is_list_header(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < len(lines):
            if all(k < len(lines) and lines[k].shape == PROSE for k in range(j, j + 3)):
                break
            if lines[j].cue == "boilerplate" and not _truncated(lines[j]):
                break  # a footer is no item: 版权所有, 打印本页, a breadcrumb
            j += 1
        end = j
        if j < len(lines):  # back off over the next article's dateline and headline
            k = j
            while k - 1 > i and is_meta_line(lines[k - 1]):
                k -= 1
            if k < j and k - 1 > i and lines[k - 1].shape == HEAD:
                k -= 1
            end = k
        sections.append((i, end))
        i = max(end, i + 1)
    return sections


COMMENT_GAP = 3  # lines of comment text between two lines that show the section goes on
REPLY_TEXT = 3  # lines of a forum reply's text after its header
COMMENT_PROSE_MAX = 80  # a longer paragraph is the page turning back into an article


def _is_reply_header(line: Line) -> bool:
    """A forum reply's header: a floor number first (``2楼  某网友  发表于 2024-5-20 10:32``)."""
    return len(line.text) <= 60 and lexicon().patterns["reply_floor"].search(line.text) is not None


def _shows_comments(line: Line) -> bool:
    """A line that only a comment section has: a reply header, a comment under its handle
    (``网友12345 [某地] 支持一下``), a link or count naming the comments (``查看更多评论>>``)."""
    lex = lexicon()
    return (
        _is_reply_header(line)
        or lex.patterns["comment_handle"].search(line.text) is not None
        or lex.names_comments(line.text)
    )


def comment_sections(lines: list[Line]) -> list[tuple[int, int]]:
    """``[start, end)`` of each section of readers' comments or forum replies: furniture, not
    the article and not a list of other articles, however headline-like its short lines are.

    A section opens at a comment header (``网友评论``, data/zones/cues.tsv) or at a forum
    reply's header (a floor number: ``2楼 … 发表于 …``; the post itself is ``楼主`` or 1楼).  It
    runs on while lines show it is one — a reply header, a comment under a user's handle, a
    short line naming the comments — with at most three other lines between two of them (a
    reply's text, ``文明上网，理性发言``); cue lines in between (登录 prompts, a button bar)
    neither extend nor stop it.  The text under the last reply header (up to three lines,
    before the next cue line) is that reply's.  It stops before a related-list header, an item
    naming another article (上一篇：…), a paragraph of more than 80 characters and a dateline
    (a comment button above the headline opens no section over it).  Motivating
    layouts: a portal's ``网友评论 / 请登录后发表评论 / 网友123 [某地] 说得好 / … / 查看更多评论>>
    / 24小时热文 / headlines``, where the comments ran into the headlines as one list; a forum's
    ``回复 引用 举报 / 2楼 … 发表于 … / 顶一个 / 3楼 …``, where the first reply's header read as
    the article's dateline.
    """

    def stops(line: Line) -> bool:
        return (
            _is_list_header(line)
            or line.zone == "related"
            or line.cue == "related"
            or (line.shape == PROSE and len(line.text) > COMMENT_PROSE_MAX)
            or (is_meta_line(line) and not _shows_comments(line))  # the article's dateline
        )

    lex = lexicon()
    sections = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if not (lex.is_comment_header(line.text) or (line.cue is None and _is_reply_header(line))):
            i += 1
            continue
        end = i + 1  # the section so far: up to the last line that shows it
        last_reply = i if _is_reply_header(line) else None
        gap = 0
        j = i + 1
        while j < n and not stops(lines[j]) and gap <= COMMENT_GAP:
            if lines[j].cue is None and _shows_comments(lines[j]):
                end, gap = j + 1, 0
                if _is_reply_header(lines[j]):
                    last_reply = j
            elif lines[j].cue is None:
                gap += 1
            j += 1
        if last_reply is not None and last_reply >= end - 1:
            k = last_reply + 1
            while k < n and k - last_reply <= REPLY_TEXT and lines[k].cue is None and not stops(lines[k]):
                k += 1
            if k == n or lines[k].cue is not None:  # the reply's text ends at a cue line or the page's end
                end = max(end, k)
        sections.append((i, end))
        i = end
    return sections


def list_runs(lines: list[Line]) -> list[tuple[int, int]]:
    """``[start, end)`` of lists of other articles that have no header.

    An item is a headline (printed once or twice), then at most one lead, with dates and
    category words around them; a run of three or more items is a list when at least two
    items carry list evidence: a truncated lead, a date or category line, a doubled headline.
    Motivating layout: the items after a ``相关阅读`` list's own header scrolled away —
    ``headline / 科技 / lead… / 2022-03-08`` repeated.  An article's subheadings are each
    followed by several paragraphs, so they never make a run; nor do subheadings followed by
    one paragraph each, as a whole paragraph of more than 80 characters that ends its
    sentence is no lead (a listing's teaser is cut to a line or two of a sidebar's width):
    ``■ 某一方面 / paragraph / ■ 另一方面 / paragraph / ■ 第三方面 / paragraph`` is the
    article, its bulleted subheadings no list evidence.
    """
    n = len(lines)
    # The walk over items from a line depends on that line only, not on where the run began, so
    # it is made once per line, from the last line back: walking on from every start afresh was
    # quadratic (8,000 distinct headline-like lines took 52 s, 30,000 lines "北京" 6 s).
    # ``items[j]``, ``evidence[j]``: the run walked from line j; ``reach[j]``: where it ends.
    furniture_end = list(range(n + 1))  # the first line at or after k that is not list furniture
    for k in range(n - 1, -1, -1):
        if _is_list_furniture(lines[k]):
            furniture_end[k] = furniture_end[k + 1]
    items = [0] * (n + 1)
    evidence = [0] * (n + 1)
    reach = list(range(n + 1))
    for j in range(n - 1, -1, -1):
        if not (lines[j].zone is None and lines[j].cue is None and lines[j].shape == HEAD):
            continue
        if _is_dateline(lines[j]):
            continue  # a dateline names no article: the run does not go on over the headline above it
        k = j + 1
        ev = _looks_like_item(lines[j].text)
        if k < n and lines[k].text == lines[j].text:  # the headline twice
            k += 1
            ev = True
        if furniture_end[k] > k:
            k = furniture_end[k]
            ev = True
        if k < n and lines[k].zone is None and lines[k].shape in (LEAD, PROSE):
            if lines[k].shape == PROSE and len(lines[k].text) > ITEM_LEAD_MAX:
                continue  # a whole paragraph under a line: a subheading's, not a listing's teaser
            ev = ev or lines[k].shape == LEAD
            k += 1
            if furniture_end[k] > k:
                k = furniture_end[k]
                ev = True
        if k < n and lines[k].shape == PROSE and lines[k - 1].shape == PROSE:
            continue  # two paragraphs in a row: prose, not a list item
        items[j] = 1 + items[k]
        evidence[j] = ev + evidence[k]
        reach[j] = reach[k]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if items[i] >= 3 and evidence[i] >= 2:
            runs.append((i, reach[i]))
            i = reach[i]
        else:
            i += 1
    return runs


BULLETS = "·•▪◦●○■□◆◇-–*>»"
ITEM_LEAD_MAX = 80  # a listing's teaser is cut to a line or two of a sidebar: at most this long


def _looks_like_item(text: str) -> bool:
    """A list item on one line: a bullet before it or a date after it (``· 某地新闻标题  04-07``)."""
    if text[:1] in BULLETS:
        return True
    tail = text[-12:]
    pats = lexicon().patterns
    return bool(pats["date"].search(tail) or pats["month_day"].search(tail[-6:]))


def _is_list_furniture(line: Line) -> bool:
    """A date, or a category word repeated on the page (``科技`` under every headline)."""
    if line.zone is not None or line.cue is not None:
        return False
    return line.shape == DATE or (line.repeated and len(line.text) <= CATEGORY_MAX and line.shape == HEAD)


def article_span(lines: list[Line]) -> tuple[int, int] | None:
    """Indices of the article's first and last paragraph, or None when the page has no prose.

    Blocks of lines are cut by list lines, boilerplate cues and runs of four or more lines
    that are not prose; the block with the most prose is the article.  Motivating layout: a
    contact ad after the article holds one sentence (``请说明您的需求……以便快速帮您对接资源。``)
    between cue lines; it is a block of its own and loses to the article.  A block after the
    article that is separated from it by at most two cue lines and holds one paragraph of 60
    characters or more (or two of 80 together) is the article going on after an inserted ad
    (``扫码关注我们的公众号`` between two paragraphs).
    """
    blocks: list[list[int]] = []
    current: list[int] = []
    non_prose = 0
    for i, line in enumerate(lines):
        cut = line.zone is not None
        if not cut:
            non_prose = 0 if line.shape in (PROSE, LEAD) else non_prose + 1
            if non_prose >= 4:
                cut = True
        if cut:
            if current:
                blocks.append(current)
            current = []
            continue
        current.append(i)
    if current:
        blocks.append(current)

    def prose(block: list[int]) -> list[int]:
        return [i for i in block if lines[i].shape in (PROSE, LEAD) and not is_meta_line(lines[i])]

    scored = [(sum(len(lines[i].text) for i in prose(b) if lines[i].shape == PROSE), b) for b in blocks]
    scored = [(score, b) for score, b in scored if prose(b)]
    if not scored:
        return None
    best = max(range(len(scored)), key=lambda k: scored[k][0])
    first, last = prose(scored[best][1])[0], prose(scored[best][1])[-1]

    def continues(paragraphs: list[int], gap: list[Line], least: int) -> bool:
        size = sum(len(lines[i].text) for i in paragraphs)
        return (
            (len(paragraphs) >= 2 and size >= 80 or size >= least)
            and len(gap) <= 2
            and all(g.zone == "boilerplate" for g in gap)
        )

    for _, block in scored[best + 1 :]:
        paragraphs = prose(block)
        if not continues(paragraphs, lines[last + 1 : block[0]], 60):
            break
        last = paragraphs[-1]
    # Before the article, between the headline and an inserted ad, one paragraph is enough:
    # nothing but the article's opening sits there.
    for _, block in reversed(scored[:best]):
        paragraphs = prose(block)
        if not continues(paragraphs, lines[block[-1] + 1 : first], 20):
            break
        first = paragraphs[0]
    return first, _before_closing_credit(lines, first, last)


CREDIT_TAIL_MAX = 40  # prose after the article's closing credit, at most: a notice, not a paragraph


def _before_closing_credit(lines: list[Line], first: int, last: int) -> int:
    """The article's last paragraph, not a short notice after its closing credit.

    A credit line (a meta cue: ``责任编辑：某某``, ``来源：某某日报``) after the article's
    paragraphs closes it; prose after it that is one short sentence (40 characters or fewer
    in all) is the site's notice (``本文来自网络，如有侵权请联系删除。``), not the article going on.
    """
    credits = [i for i in range(first + 1, last + 1) if lines[i].cue == "meta" and lines[i].shape != PROSE]
    if not credits:
        return last
    after = [i for i in range(credits[-1] + 1, last + 1) if lines[i].shape in (PROSE, LEAD)]
    before = [i for i in range(first, credits[-1]) if lines[i].shape in (PROSE, LEAD) and not is_meta_line(lines[i])]
    if not after or not before or sum(len(lines[i].text) for i in after) > CREDIT_TAIL_MAX:
        return last
    return before[-1]


def title_lines(lines: list[Line], first: int) -> None:
    """Zones of the lines before the article's first paragraph.

    The headline is the nearest headline-like line before the dateline block (or before the
    first paragraph when there is none), skipping cue headings; a deck after it (``——…``) and
    a repeat of it one or two lines up (a page that prints headline, deck, headline) are title
    too.  Motivating layouts: ``headline / dateline+source / paragraphs``; ``breadcrumb /
    headline / byline-with-date / paragraphs``; ``headline / deck / headline / 核心阅读 /
    summary``.  Between the dateline and the first paragraph a cue heading is a heading and
    other lines are furniture (``【字体：大 中 小】``).  Above the headline, three or more
    headline-like lines in a row are a list of other articles (a sidebar of the day's news,
    with its header line); the rest is site furniture.
    """
    before = [i for i in range(first) if lines[i].zone is None]
    metas = [i for i in before if is_meta_line(lines[i])]
    limit = first
    if metas:  # the dateline block nearest the article
        limit = metas[-1]
        while limit - 1 in metas:
            limit -= 1
    anchor = None
    for i in reversed([i for i in before if i < limit]):
        line = lines[i]
        if line.cue == "heading" or line.shape == DATE or is_meta_line(line):
            continue
        if line.shape in (HEAD, LEAD) and line.cue is None and 5 <= len(line.text) <= 80:
            anchor = i
        break
    title = set()
    if anchor is not None and lines[anchor].text.startswith(("—", "-")) and anchor - 1 in before:
        # a deck (``——副题``) under its headline
        if lines[anchor - 1].shape in (HEAD, LEAD) and lines[anchor - 1].cue is None:
            title.add(anchor)
            anchor -= 1
    if anchor is not None:
        title.add(anchor)
        for k in (anchor - 1, anchor - 2):
            if k >= 0 and lines[k].zone is None and lines[k].text == lines[anchor].text:
                title.update(range(k, anchor))
                break
        else:
            up = anchor - 1
            if up >= 1 and up in before and _headline_over_deck(lines[up - 1], lines[up]):
                title.add(up)  # the headline, the anchor its deck: the page's first title line
        k = anchor + 1
        while k < limit and len(title) < 3 and lines[k].zone is None and _deck_like(lines[k]):
            title.add(k)
            k += 1
    top = min(title) if title else limit
    for i in before:
        line = lines[i]
        if i in title:
            line.zone = "title"
        elif is_meta_line(line) or line.shape == DATE:
            line.zone = "meta" if i >= top - 1 else "boilerplate"
        elif i > top and line.cue == "heading":
            line.zone = "heading"
        elif i > top and i > limit:
            line.zone = (
                "heading"
                if line.cue is None and line.shape == HEAD and "【" not in line.text and _worded(line.text)
                else "boilerplate"
            )
        elif i > top:
            line.zone = "title" if _deck_like(line) else "boilerplate"
        else:
            line.zone = "boilerplate"
    _sidebar_lists(lines, [i for i in before if i < top])


def _headline_over_deck(above: Line, line: Line) -> bool:
    """Whether ``line``, just above the headline-like line over the dateline, is the headline
    over its deck: a headline-like line of 5 to 40 characters right under the site's navigation
    (a menu or breadcrumb line).  Motivating layout: ``某某网>>社会>>滚动 / headline / deck /
    dateline``, where the deck was read as the headline and the headline as furniture.  Under
    anything else (a site name, a sidebar) the line is left to the other rules."""
    return (
        above.cue == "boilerplate"
        and any(ch in above.text for ch in NAV_SEPARATORS)
        and line.zone is None
        and line.shape == HEAD
        and _deck_like(line)
        and len(line.text) <= HEADLINE_MAX
        and not any(ch in line.text for ch in NAV_SEPARATORS)  # a menu's second row, 查看: 12|回复: 3
        and lexicon().patterns["counter"].search(line.text) is None
    )


def _sidebar_lists(lines: list[Line], indices: list[int]) -> None:
    """Runs of three or more headline-like lines above the headline are a list of other
    articles; a short line just above such a run is its header (``▌图片新闻``)."""
    run: list[int] = []
    for i in [*indices, -1]:
        line = lines[i] if i >= 0 else None
        if line is not None and line.cue is None and line.shape in (HEAD, LEAD) and len(line.text) >= 4:
            if run and i != run[-1] + 1:
                run = []
            run.append(i)
            continue
        if len(run) >= 3:
            for k in run:
                lines[k].zone = "related"
            head = run[0] - 1
            if head in indices and len(lines[head].text) <= 10 and not is_navigation_like(lines[head]):
                lines[head].zone = "related"
        run = []


def is_navigation_like(line: Line) -> bool:
    return line.cue == "boilerplate"


def _deck_like(line: Line) -> bool:
    return line.cue is None and line.shape in (HEAD, LEAD) and 5 <= len(line.text) <= 60 and not is_meta_line(line)


def _is_dateline(line: Line) -> bool:
    """A date with a clock time, or a source label: an article's dateline, not a list item's
    date (``某地新闻标题　2024-02-09``).

    >>> from chinese_news_nlp.zones import split_lines
    >>> [_is_dateline(line) for line in split_lines("2024-05-20 10:00 来源:某某日报\\n某地新闻标题　2024-02-09")]
    [True, False]
    """
    return lexicon().patterns["source"].search(line.text) is not None or _clock_dated(line)


def _clock_dated(line: Line) -> bool:
    """A date and a clock time on the line: a dateline's, or a post's header."""
    pats = lexicon().patterns
    return bool(pats["date"].search(line.text) and pats["time"].search(line.text))


def _headline_like(line: Line) -> bool:
    """An item of a list of other articles: headline-like, no cue, and no clock time (a post's
    ``2楼 某网友 发表于 2024-5-20 10:32`` is a comment's header, not an article's)."""
    if line.cue is not None or line.shape not in (HEAD, LEAD) or line.text.endswith((":", "：")):
        return False  # a label line (附件：) introduces what follows, it names no article
    return not _clock_dated(line)


def _teaser(line: Line, above: Line) -> bool:
    """A short sentence (80 characters or fewer) right under a headline-like line: the item's
    teaser (``某地新闻标题 / 记者从某地获悉，当地新材料产业规模去年突破千亿元。``)."""
    return (
        line.zone is None
        and line.cue is None
        and line.shape == PROSE
        and len(line.text) <= ITEM_LEAD_MAX
        and above.shape in (HEAD, LEAD)
        and above.zone in (None, "related")
        and above.cue is None
    )


def tail_zones(lines: list[Line], after: int) -> None:
    """Zones of the lines after the article's last paragraph (and of any other leftover line).

    Source and editor lines are meta (``来源:光明日报`` after the last paragraph, ``责任编辑：…``
    after the share buttons), a bare dateline only next to the article; cue lines are boilerplate; a run of three or more headline-like lines with
    no cue is a list of other articles without a header.  What is left is site furniture.
    """
    rest = [i for i in range(len(lines)) if lines[i].zone is None]
    # a run of headline-like lines (with their dates, and the items of a list found before, of
    # which such a run is the rest) is a list; lines between cue lines are furniture
    as_list: set[int] = set()
    run: list[int] = []
    for i in range(after, len(lines) + 1):
        line = lines[i] if i < len(lines) else None
        header = line is not None and _is_list_header(line)  # a list starts at its header
        if not header and (
            line is not None
            and (line.zone == "related" or (line.zone is None and (_headline_like(line) or line.shape == DATE)))
        ):
            run.append(i)
            continue
        if line is not None and not header and run and run[-1] == i - 1 and _teaser(line, lines[i - 1]):
            run.append(i)  # a headline's teaser sentence: part of the list, not counted as an item
            continue
        if sum(1 for k in run if lines[k].shape not in (DATE, PROSE)) >= 3:
            as_list.update(k for k in run if lines[k].zone is None)
        run = [i] if header else []
    near_article = True
    for i in rest:
        line = lines[i]
        if i >= after and (line.cue == "meta" or near_article) and is_meta_line(line):
            line.zone = "meta"  # 来源：…, 责任编辑：… anywhere after the article; a bare date only next to it
            continue
        if i >= after:
            near_article = False
        line.zone = "related" if i in as_list else "boilerplate"
