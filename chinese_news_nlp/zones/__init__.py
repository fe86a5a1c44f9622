"""Page structure: which lines of a scraped page are the article, and what the page says about it.

:class:`ZoneStage` (registered as ``"zones"``, in the default pipeline after ``convert``)
labels every non-blank line of ``doc.text`` with a zone — ``title``, ``meta``, ``heading``,
``body``, ``boilerplate``, ``related`` — into ``doc.zones`` (spans with raw offsets), and puts
the page's metadata into ``doc.meta``: ``title``, ``date``, ``time``, ``date_text``,
``source``, ``authors``, ``site`` (see :mod:`.metadata`).  A date the user passed wins over the
page's.  Every entity, official, fact and repair then carries the zone it lies in
(:meth:`~chinese_news_nlp.doc.Doc.fill_zones`).

The rules are in :mod:`.layout`, the cue words and patterns in ``data/zones/``.

>>> page = "当前位置:首页 > 科技\\n\\n某地新材料产业规模突破千亿元\\n\\n2024-05-20 10:00 来源:某某日报\\n\\n" \\
...        "记者日前从某地获悉，当地新材料产业规模去年突破千亿元。\\n\\n相关阅读\\n\\n另一条新闻的标题"
>>> [(z.label, page[z.start:z.end][:6]) for z in find_zones(page)]
[('boilerplate', '当前位置:首'), ('title', '某地新材料产'), ('meta', '2024-0'), ('body', '记者日前从某'), ('related', '相关阅读'), ('related', '另一条新闻的')]
"""

from __future__ import annotations

import bisect
from typing import Any

from ..doc import Doc, Zone
from ..pieces import lines_at
from ..pipeline import register_stage
from .layout import Line, classify_lines, line_shape
from .lexicon import lexicon
from .metadata import page_metadata

_INDENT = " \t\u3000\xa0\ufeff\r"


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with their offsets (indent, trailing spaces and line end excluded)."""
    lex = lexicon()
    out: list[Line] = []
    for start, chunk in lines_at(text):  # a line ends at \n, \r\n or a lone \r
        stripped = chunk.strip(_INDENT)
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip(_INDENT))
        s = start + lead
        out.append(Line(s, s + len(stripped), stripped, line_shape(stripped), lex.cue_zone(stripped), indent=lead))
    return out


def find_zones(text: str) -> list[Zone]:
    """The zones of ``text`` (offsets on ``text``; ``raw_start``/``raw_end`` left to the Doc)."""
    lines = split_lines(text)
    classify_lines(lines)
    zones = [Zone(line.zone or "boilerplate", line.start, line.end) for line in lines]
    mark_repeated(zones, [line.text for line in lines])
    return zones


def _normalized(text: str) -> str:
    """Letters and digits only: a copy that lost its quotes or spaces still matches."""
    return "".join(filter(str.isalnum, text))  # the same test per character, without a generator


_PREFIX = 8  # a truncated copy keeps at least this many characters of its original


def mark_repeated(zones: list[Zone], texts: list[str]) -> None:
    """Set ``repeat_of``: the index of an earlier zone with the same text, or whose text a
    truncated copy begins (a related list repeating the page's headline cut after 20
    characters, a lead repeating the first paragraph's beginning).

    >>> zones = [Zone("title", 0, 9), Zone("related", 10, 14), Zone("related", 15, 24)]
    >>> mark_repeated(zones, ["浙江新材料产业高地建设提速", "别的标题", "浙江新材料产业高地建"])
    >>> [z.repeat_of for z in zones]
    [None, None, 0]
    """
    # The earliest earlier zone whose text equals this one's, begins it or begins with it.  Each
    # zone used to be compared with every earlier zone of the same first characters, which is
    # quadratic in a list of rows that share them (8,000 lines 浙江新材料产业高地建设提速第N号:
    # 3.6 s).  Per first characters, the distinct texts are kept sorted (those beginning with
    # this one follow it) and by length (those this one begins with are its prefixes), each
    # with the first zone that has it; a text seen before takes the answer of its first zone.
    buckets: dict[str, tuple[list[str], dict[str, int], set[int]]] = {}
    answer: dict[str, int] = {}  # distinct text -> repeat_of of a later zone with that text
    for i, norm in enumerate(_normalized(t) for t in texts):
        if len(norm) < _PREFIX:
            continue
        if norm in answer:
            zones[i].repeat_of = answer[norm]
            continue
        keys, first, lengths = buckets.setdefault(norm[:_PREFIX], ([], {}, set()))
        found = [first[norm[:n]] for n in lengths if n < len(norm) and norm[:n] in first]
        at = bisect.bisect_left(keys, norm)
        while at < len(keys) and keys[at].startswith(norm):
            found.append(first[keys[at]])
            at += 1
        zones[i].repeat_of = min(found) if found else None
        answer[norm] = zones[i].repeat_of if found else i
        keys.insert(bisect.bisect_left(keys, norm), norm)
        first[norm] = i
        lengths.add(len(norm))


def page_date(text: str) -> str | None:
    """The ISO date of the page's dateline (as the zones stage reads it), or None.

    >>> page_date("某地新材料产业规模突破千亿元\\n2024-05-20 10:00 来源:某某日报\\n记者日前从某地获悉，当地产业规模去年突破千亿元。")
    '2024-05-20'
    """
    zones = find_zones(text)
    return page_metadata(text, zones).get("date")


def article_text(doc: Doc, zones: tuple[str, ...] = ("title", "heading", "body")) -> str:
    """The text of the article's own zones, one per line (all of ``doc.text`` when the page has no zones)."""
    if not doc.zones:
        return doc.text or ""
    return "\n".join(doc.text[z.start : z.end] for z in doc.zones if z.label in zones)


@register_stage("zones")
class ZoneStage:
    """Label the lines of ``doc.text`` with page zones and read the page's metadata into ``doc.meta``.

    ``metadata=False`` leaves ``doc.meta`` alone.
    """

    name = "zones"
    requires = ("text",)
    assigns = ("zones", "meta.title", "meta.date", "meta.time", "meta.date_text", "meta.source", "meta.authors")

    def __init__(self, metadata: bool = True, **config: Any) -> None:
        if config:
            raise TypeError(f"unknown zones options: {sorted(config)}")
        self.metadata = metadata

    def __call__(self, doc: Doc) -> Doc:
        doc.zones = find_zones(doc.text)
        doc.fill_raw_offsets(["zones"])
        if self.metadata:
            apply_metadata(doc, page_metadata(doc.text, doc.zones))
            if doc.meta.get("input") == "html":
                from ..html import html_meta_fallbacks

                html_meta_fallbacks(doc.meta)
        return doc


def apply_metadata(doc: Doc, found: dict[str, Any]) -> None:
    """Merge the page's metadata into ``doc.meta``; a date (and time) given by the user wins."""
    user_date = doc.meta.get("date")
    for key, value in found.items():
        if key in ("date", "time") and user_date is not None:
            continue
        if key == "date_text" and user_date is not None:
            continue
        doc.meta[key] = value
    if user_date is not None:
        doc.meta["date_from"] = "user"
        if found.get("date") and found["date"] != user_date:
            doc.meta["page_date"] = found["date"]
    elif found.get("date"):
        doc.meta["date_from"] = "page"


__all__ = ["ZoneStage", "article_text", "find_zones", "page_date", "split_lines"]
