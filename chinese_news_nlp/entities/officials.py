"""Linking people to the titles and organizations written with them.

The patterns of Chinese news, each a function below:

* ``ORG TITLE NAME`` and chains ``ORG TITLE、ORG TITLE NAME``
  (之江实验室主任、浙江大学党委副书记朱世强) — :func:`titles_before`;
* bylines, one title for several names (``(记者 梁建伟 曾福泉)``) —
  :func:`byline_continuation`;
* ``NAME（ORG TITLE）`` and ``NAME，ORG TITLE，说`` — :func:`titles_after`;
* ``NAME TITLE`` (陈某某教授), with an organization right before the name
  (浙江大学陈某某博士) — also :func:`titles_after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..doc import Official
from .rules import HAN, SPACE, Span, title_organ

ORG_LABELS = frozenset({"LAB", "COMPANY", "GOV", "EDU", "ORG", "LOC"})
CHAIN_SEPARATORS = "、/，,兼"
APPOSITION_OPEN = "，,"
APPOSITION_CLOSE = "，,。；;：:说表"
PARENS = {"（": "）", "(": ")"}


@dataclass
class Link:
    person: Span
    title: Span
    org_start: int | None  # the organization as written: text[org_start:org_end]
    org_end: int | None


def _skip_space_left(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in SPACE:
        pos -= 1
    return pos


def _skip_space_right(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in SPACE:
        pos += 1
    return pos


class _Index:
    def __init__(self, entities: Sequence[Span], titles: Sequence[Span]):
        self.by_end: dict[int, Span] = {}
        self.by_start: dict[int, Span] = {}
        for span in list(entities) + list(titles):
            self.by_end.setdefault(span.end, span)
            self.by_start.setdefault(span.start, span)

    def ending_at(self, pos: int, labels: frozenset[str] | set[str]) -> Span | None:
        span = self.by_end.get(pos)
        return span if span is not None and span.label in labels else None

    def starting_at(self, pos: int, labels: frozenset[str] | set[str]) -> Span | None:
        span = self.by_start.get(pos)
        return span if span is not None and span.label in labels else None


def _org_before(text: str, index: _Index, title: Span) -> tuple[int | None, int | None]:
    """The organization a title belongs to: the names written right before it
    (云南 滇中新区 党工委副书记 → 云南滇中新区党工委), plus an organ inside the title."""
    organ = title_organ(text[title.start : title.end])
    start = None
    pos = title.start
    while True:
        span = index.ending_at(pos, ORG_LABELS)
        if span is None:
            break
        start = span.start
        pos = span.start
    end = title.start + len(organ) if organ else title.start
    if start is None:
        if organ and organ not in ("党委", "党组", "党支部", "董事会", "监事会"):
            return title.start, end  # 区委副书记: the 区委 itself; 党委书记 alone names no one's party
        return None, None
    return start, end


def titles_before(text: str, index: _Index, person: Span) -> list[Link]:
    """``[ORG] TITLE [、[ORG] TITLE]* NAME``: every title of the chain ending at the name.

    Titles of one person may be listed with 、, 兼 or a comma
    (党工委副书记、管委会副主任，某某产业链链长赵某); an organization the model
    did not find is taken as written between the separator and the title
    (之江实验室副主任、天枢平台总架构师鲍某).
    """
    links = []
    pos = _skip_space_left(text, person.start)
    title = index.ending_at(pos, {"TITLE"})
    while title is not None:
        org_start, org_end = _org_before(text, index, title)
        left = org_start if org_start is not None and org_start < title.start else title.start
        if org_start is None:
            unnamed = _unnamed_org_start(text, title.start)
            if unnamed is not None:
                left = unnamed
                if title.start - unnamed >= 3:
                    org_start, org_end = unnamed, title.start
        links.append(Link(person, title, org_start, org_end))
        if left > 0 and text[left - 1] in CHAIN_SEPARATORS:
            title = _title_ending_chain(text, index, left - 1)
        else:
            title = None
    return links


def _unnamed_org_start(text: str, pos: int, limit: int = 16) -> int | None:
    """Start of the run of name characters before ``pos`` if a separator precedes it."""
    start = pos
    while (
        start > 0
        and pos - start < limit
        and (HAN.match(text[start - 1]) or text[start - 1].isalnum())
        and text[start - 1] not in CHAIN_SEPARATORS
    ):
        start -= 1
    if start == pos or start == 0 or text[start - 1] not in CHAIN_SEPARATORS:
        return None
    return start


def _title_ending_chain(text: str, index: _Index, pos: int) -> Span | None:
    return index.ending_at(_skip_space_left(text, pos), {"TITLE"})


def titles_after(text: str, index: _Index, person: Span) -> list[Link]:
    """``NAME（ORG TITLE）``, ``NAME，ORG TITLE，`` and ``NAME TITLE``."""
    pos = _skip_space_right(text, person.end)
    if pos >= len(text):
        return []
    ch = text[pos]
    if ch in PARENS:
        close = text.find(PARENS[ch], pos + 1)
        if close == -1 or close - pos > 60:
            return []
        return _titles_in(text, index, person, pos + 1, close)
    if ch in APPOSITION_OPEN:
        stop = pos + 1
        while stop < len(text) and stop - pos < 60 and text[stop] not in APPOSITION_CLOSE:
            stop += 1
        if stop >= len(text) or text[stop] not in APPOSITION_CLOSE:
            return []
        links = _titles_in(text, index, person, pos + 1, stop)
        # the apposition must be only organizations and titles (张三，李四的同事，... is not)
        return links if _covered(index, pos + 1, stop, text) else []
    title = index.starting_at(pos, {"TITLE"})
    if title is not None:
        before = _skip_space_left(text, person.start)
        if before > 0 and text[before - 1] == "的":  # 浙江大学的陈某某博士
            before -= 1
        org = index.ending_at(before, ORG_LABELS - {"LOC"})
        if org is not None:
            start = org.start
            while (more := index.ending_at(start, ORG_LABELS)) is not None:
                start = more.start
            return [Link(person, title, start, org.end)]
        return [Link(person, title, None, None)]
    return []


def _titles_in(text: str, index: _Index, person: Span, start: int, end: int) -> list[Link]:
    links = []
    pos = start
    while pos < end:
        span = index.by_start.get(pos)
        if span is None:
            pos += 1
            continue
        if span.label == "TITLE" and span.end <= end:
            org_start, org_end = _org_before(text, index, span)
            links.append(Link(person, span, org_start, org_end))
        pos = max(span.end, pos + 1)
    return links


def _covered(index: _Index, start: int, end: int, text: str) -> bool:
    pos = start
    while pos < end:
        if text[pos] in SPACE or text[pos] in CHAIN_SEPARATORS:
            pos += 1
            continue
        span = index.by_start.get(pos)
        if span is None or span.label == "PERSON":
            return False
        pos = span.end
    return True


def byline_continuation(text: str, people: Sequence[Span], links_of: dict[int, list[Link]]) -> None:
    """``记者 梁建伟 曾福泉``, ``记者王建国、李小平``: a name separated from a linked name by
    spaces or 、 only takes over its title (only for reporter-like bylines, where lists
    are the rule)."""
    for prev, person in zip(people, people[1:]):
        gap = text[prev.end : person.start]
        if not gap or gap.strip(SPACE + "、") or person.start in links_of and links_of[person.start]:
            continue
        inherited = [
            link
            for link in links_of.get(prev.start, [])
            if text[link.title.start : link.title.end].endswith(("记者", "通讯员", "摄影"))
        ]
        if inherited:
            links_of[person.start] = [Link(person, link.title, link.org_start, link.org_end) for link in inherited]


def link_officials(text: str, entities: Sequence[Span], titles: Sequence[Span]) -> list[Link]:
    index = _Index(entities, titles)
    people = sorted((e for e in entities if e.label == "PERSON"), key=lambda s: s.start)
    links_of: dict[int, list[Link]] = {}
    for person in people:
        links = titles_before(text, index, person)
        seen = {(link.title.start, link.title.end) for link in links}
        for link in titles_after(text, index, person):
            if (link.title.start, link.title.end) not in seen:
                links.append(link)
        links_of[person.start] = links
    byline_continuation(text, people, links_of)
    return [link for person in people for link in links_of.get(person.start, [])]


def normalized_name(surface: str) -> str:
    """A person's name without the spaces typesetting put inside (江 耘 → 江耘)."""
    return "".join(surface.split())


def to_official(text: str, link: Link) -> Official:
    org = None
    if link.org_start is not None and link.org_end is not None and link.org_end > link.org_start:
        org = text[link.org_start : link.org_end]
    return Official(
        person=normalized_name(text[link.person.start : link.person.end]),
        title=text[link.title.start : link.title.end],
        org=org,
        person_start=link.person.start,
        person_end=link.person.end,
    )
