"""What a page says about its article: title, date and time, source, authors, site.

Read from the zones, on the normalized text (repaired, simplified):

- ``title``: the first ``title`` line;
- ``date``/``time``: the first full date (ISO ``2022-03-08``) and clock time (``10:44:57``) in
  a ``meta`` line; a page that gives only month and day (``admin9个月前 (09-24)``) gets
  ``date: None`` and ``date_text: "09-24"`` — the year is not invented;
- ``source``: the media named after 来源/稿源 in a ``meta`` line (a copyright notice that
  mentions 来源 is boilerplate and says nothing about this article);
- ``authors``: the reporters of a byline — a ``meta`` line with a role word (``作者：``,
  ``本报记者``), a bracketed group at the start of the first paragraph (``本报北京3月8日电（记者
  张三）``) or at the end of the last (``……负责人说。（张三 李四 王五）``);
- ``site``: the site a boilerplate line names as publisher or rights holder.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..doc import Zone
from .lexicon import lexicon

NAME_CHARS = 4  # a Chinese personal name has 2 to 4 characters (复姓 + 2)
BYLINE_SEPARATORS = " \t\u3000\xa0、，,/／|｜"


def page_metadata(text: str, zones: Sequence[Zone]) -> dict[str, Any]:
    """The metadata of the page ``text`` whose zones are ``zones`` (see the module docstring)."""
    lines = {label: [text[z.start : z.end].strip() for z in zones if z.label == label] for label in _LABELS}
    out: dict[str, Any] = {"title": lines["title"][0] if lines["title"] else None}
    out.update(find_date(lines["meta"]))
    out["source"] = find_source(lines["meta"])
    out["authors"] = find_authors(lines["meta"], lines["body"])
    out["site"] = find_site(lines["boilerplate"])
    return out


_LABELS = ("title", "meta", "body", "boilerplate")


def find_date(meta_lines: Sequence[str]) -> dict[str, Any]:
    """``{"date", "time"}`` from the first meta line with a full date; else ``date_text``.

    >>> find_date(["2022-03-08 10:44:57   来源:某某日报"])
    {'date': '2022-03-08', 'time': '10:44:57'}
    >>> find_date(["发布时间：2024年5月20日 09:30"])
    {'date': '2024-05-20', 'time': '09:30'}
    >>> find_date(["admin9个月前 (09-24)某某资讯9"])
    {'date': None, 'time': None, 'date_text': '09-24'}
    """
    pats = lexicon().patterns
    for line in meta_lines:
        for m in pats["date"].finditer(line):
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
            if 1 <= month <= 12 and 1 <= day <= 31:
                rest = line[m.end() :]
                t = pats["time"].match(rest.lstrip()) or pats["time"].search(rest)
                return {"date": f"{year:04d}-{month:02d}-{day:02d}", "time": _iso_time(t)}
    for line in meta_lines:
        for m in pats["month_day"].finditer(line):
            month, day = int(m["m"]), int(m["d"])
            if 1 <= month <= 12 and 1 <= day <= 31 and not _inside_time(line, m.start(), m.end()):
                # the clock time after it is stated in full (``03-05 08:45``), the year is not
                t = pats["time"].match(line[m.end() :].lstrip())
                return {"date": None, "time": _iso_time(t), "date_text": m.group(0).strip()}
    return {"date": None, "time": None}


def _inside_time(line: str, start: int, end: int) -> bool:
    return (start > 0 and line[start - 1] in ":：") or (end < len(line) and line[end] in ":：")


def _iso_time(m) -> str | None:
    if m is None:
        return None
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 23:
        return None
    return f"{hour:02d}:{minute:02d}" + (f":{int(m['s']):02d}" if m["s"] else "")


def find_source(meta_lines: Sequence[str]) -> str | None:
    """The media after a source label in a meta line.

    >>> find_source(["2022-03-08 10:44:57   来源:某某日报"]), find_source(["稿源：某某网 作者：张三"])
    ('某某日报', '某某网')
    """
    pattern = lexicon().patterns["source"]
    for line in meta_lines:
        m = pattern.search(line)
        if m:
            return m["source"]
    return None


def find_authors(meta_lines: Sequence[str], body_lines: Sequence[str]) -> list[str]:
    """The reporters named by the page's byline (see :func:`parse_byline`), or ``[]``.

    >>> find_authors([], ["……负责人说。（张三 李四 王小五）"])
    ['张三', '李四', '王小五']
    >>> find_authors(["作者：张三 编辑：李四"], [])
    ['张三']
    >>> find_authors(["2024-05-20 来源：某某日报"], ["……负责人说。（张三 李四）"])
    []
    """
    roles = lexicon().roles
    # One-character role words (文, 图) only with their separator: 文/张三, not 文汇报.
    words = [w for w in sorted(roles, key=len, reverse=True) if roles[w] == "reporter" and len(w) > 1]
    words += [w + sep for w in roles if len(w) == 1 and roles[w] == "reporter" for sep in "/／|｜:："]
    for line in meta_lines:
        for word in words:
            at = line.find(word)
            if at < 0:
                continue
            names = parse_byline(_cut_fields(line[at:]))
            if names:
                return names
    if body_lines:
        head = body_lines[0][:60]
        for opening in "（(":
            at = head.find(opening)
            if at >= 0:
                close = head.find("）" if opening == "（" else ")", at)
                if close > at:
                    names = parse_byline(head[at + 1 : close], needs_role=True)
                    if names:
                        return names
        last = body_lines[-1]
        # A page with a dateline or byline block of its own states its authorship there: the
        # bracketed names closing its text are the original story's credits (a repost keeps
        # them), as the gold annotations read them.  Only a bare article text, with no meta
        # line at all, is credited by its closing group (``……负责人说。（张三 李四 王五）``).
        if last and last[-1] in ")）" and not meta_lines:
            opening = max(last.rfind("("), last.rfind("（"))
            if opening >= 0 and len(last) - opening <= 40:
                return parse_byline(last[opening + 1 : -1]) or []
    return []


_FIELD_LABELS = ("来源", "稿源", "发布", "时间", "日期", "浏览", "阅读", "点击")


def _cut_fields(text: str) -> str:
    """A byline up to the next field of the same meta line (来源：…, 发布时间…)."""
    cut = len(text)
    for label in _FIELD_LABELS:
        at = text.find(label)
        if 0 < at < cut:
            cut = at
    return text[:cut].strip(" :：")


def parse_byline(text: str, needs_role: bool = False) -> list[str] | None:
    """The reporters of a byline, ``[]`` when it names none for sure, None when ``text`` is no byline.

    A byline is role words (``记者``, ``通讯员``, ``某某社记者``; data/zones/byline_roles.tsv) and
    names of 2 to 4 characters, nothing else.  Names after a reporter word are reporters; a
    group of names with no role word at all is the reporters' (a trailing ``（张三 李四）``).
    When the first names carry no role but later ones do (``（王五 赵六 某某日报记者 张 三）``,
    where the first two are presumably correspondents), who reported is not stated: ``[]``.
    Two single characters in a row are one name split by a space (``江 耘``).

    >>> parse_byline("记者 张三 通讯员 李四"), parse_byline("本报记者 张三 李四")
    (['张三'], ['张三', '李四'])
    >>> parse_byline("王五 赵六 某某日报记者 张 三")
    []
    >>> parse_byline("以下简称“规划”") is None
    True
    """
    roles = lexicon().roles
    tokens = [t for t in _split(text) if t]
    if not tokens:
        return None
    names: list[tuple[str, str | None]] = []
    role: str | None = None
    seen_role = False
    pending = ""
    for token in tokens:
        word_role, rest = _role_prefix(token, roles)
        if word_role is not None:
            if pending:
                return None
            role, seen_role = word_role, True
            token = rest
            if not token:
                continue
        if not _name_like(token):
            if len(token) == 1 and "\u4e00" <= token <= "\u9fff":
                if pending:
                    names.append((pending + token, role))
                    pending = ""
                else:
                    pending = token
                continue
            return None
        if pending:
            return None
        names.append((token, role))
    if pending or not names:
        return None
    if needs_role and not seen_role:
        return None
    if not seen_role:
        return [name for name, _ in names]
    if any(r is None for _, r in names):
        return []
    return [name for name, r in names if r == "reporter"]


def _split(text: str) -> list[str]:
    out, word = [], []
    for ch in text:
        if ch in BYLINE_SEPARATORS or ch in ":：":
            out.append("".join(word))
            word = []
        else:
            word.append(ch)
    out.append("".join(word))
    return out


def _role_prefix(token: str, roles: dict[str, str]) -> tuple[str | None, str]:
    """The role a token starts with (``记者张三`` → reporter, ``张三``), or ends with after a
    media name (``某某日报记者`` → reporter).  A one-character role (文, 图, 摄) is a token of
    its own (``文/张三``, ``图 李四``): glued to what follows it is the first character of a
    word, ``文明上网`` no 文 by 明上网.

    >>> _role_prefix("记者张三", lexicon().roles), _role_prefix("文明上网", lexicon().roles)
    (('reporter', '张三'), (None, '文明上网'))
    """
    for word in sorted(roles, key=len, reverse=True):
        if len(token) > len(word) == 1:
            continue
        if token.startswith(word) and (len(token) == len(word) or _name_like(token[len(word) :])):
            return roles[word], token[len(word) :]
    for suffix, role in (("记者", "reporter"), ("通讯员", "other")):
        if token.endswith(suffix) and len(token) > len(suffix):
            return role, ""
    return None, token


def _name_like(token: str) -> bool:
    bare = token.replace("·", "").replace("•", "")
    return 2 <= len(bare) <= NAME_CHARS and all("\u4e00" <= ch <= "\u9fff" for ch in bare)


def find_site(boilerplate_lines: Sequence[str]) -> str | None:
    """The site a copyright or publisher line names.

    >>> find_site(["版权声明:本文由某某厂房网发布,如需转载请注明出处。"])
    '某某厂房网'
    >>> find_site(["版权声明:凡注明“来源:某某网”的所有作品,版权归某公司。"])
    '某某网'
    """
    for pattern in lexicon().site_patterns:
        for line in boilerplate_lines:
            m = pattern.search(line)
            if m and m["site"].strip():
                return m["site"].strip()
    return None
