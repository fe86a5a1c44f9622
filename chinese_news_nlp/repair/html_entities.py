"""HTML character references left in text: ``&ldquo;一带一路&rdquo;`` → ``“一带一路”``.

A scraper that takes a page's text without unescaping it (or escapes it twice:
``&amp;nbsp;``) leaves the references a browser would have shown as
characters.  Chinese news writes quotation marks, dashes and spaces that way
(``&ldquo;`` ``&mdash;`` ``&nbsp;``), and a left-over ``;`` then reads as a
folded ``；`` to the half-width punctuation fix, which made ``&ldquo；``.

Only complete references are read: a name of the HTML5 table followed by its
``;``, or ``&#20013;`` / ``&#x4e2d;``; a name without its ``;`` (``AT&T``,
``&copy 2023``) or a number naming no character stays as written.  A
reference to a line break or a control character stays too: the text's lines
are the stage's unit.  Each reference is one repair, read to the end through
every level of escaping (``&amp;ldquo;`` → ``“``), so a repaired text repairs
to itself.

Unlike ``ftfy``, a line holding tags (``<br>``) is read too: this stage gets
text, and an HTML page goes through :class:`chinese_news_nlp.html.Html`, whose
extractor unescapes it.

>>> [(e.start, e.end, e.replacement) for e in fix_html_entities("&ldquo;双碳&rdquo;目标")]
[(0, 7, '“'), (9, 16, '”')]
>>> fix_html_entities("AT&T公司与&copy 2023")
[]
"""

from __future__ import annotations

import html
import re
from html.entities import html5

from ..alignment import Edit

# A reference as HTML writes it: a name, or a decimal or hexadecimal number, and its ``;``.
REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# What a reference may not stand for: line breaks and other controls (the stage's lines stay
# its lines), surrogates.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\ud800-\udfff]")
# Escaping inside escaping, read out at most this deep (``&amp;amp;nbsp;`` is three).
MAX_DEPTH = 4
CONFIDENCE = 0.99


def read_reference(ref: str) -> str | None:
    """The character(s) a complete reference stands for, or None.

    >>> read_reference("&nbsp;"), read_reference("&#x4e2d;"), read_reference("&#20013;")
    ('\\xa0', '中', '中')
    >>> read_reference("&notaname;"), read_reference("&#0;"), read_reference("&#10;")
    (None, None, None)
    """
    if ref[1] != "#":
        value = html5.get(ref[1:])
    else:
        number = int(ref[3:-1], 16) if ref[2] in "xX" else int(ref[2:-1])
        # html.unescape reads what browsers read (&#150; is the cp1252 dash, 0 and numbers past
        # Unicode U+FFFD): a reference that names no character stays as written
        value = None if number == 0 or number > 0x10FFFF else html.unescape(ref)
    if not value or value == "\ufffd" or _UNWRITABLE.search(value):
        return None
    return value


def fix_html_entities(text: str) -> list[Edit]:
    """One edit per reference (or run of nested ones: ``&amp;ldquo;``), read to the end."""
    if "&" not in text:
        return []
    edits: list[Edit] = []
    for m in REFERENCE.finditer(text):
        if edits and m.start() < edits[-1].end:
            continue  # inside a reference an ``&amp;`` before it took in
        value, end = read_reference(m.group()), m.end()
        if value is None:
            continue
        for _ in range(MAX_DEPTH):  # ``&`` read out of ``&amp;ldquo;``: with ``ldquo;`` one more reference
            inner = REFERENCE.match(value + text[end : end + 40]) if value == "&" else None
            reading = read_reference(inner.group()) if inner else None
            if reading is None:
                break
            value, end = reading, end + inner.end() - 1
        edits.append(Edit(m.start(), end, value, "html-entity", CONFIDENCE, "full"))
    return edits
