"""HTML input: the main text of a web page, extracted with trafilatura, then the usual pipeline.

``nlp(Html(page))``, a JSONL record with an ``html`` field, or an ``.html``/``.htm`` file given
to ``cnnlp process`` is extracted here: trafilatura keeps the article's headline, paragraphs and
lists (extractors often leave related lists in: the zones stage still runs) and its metadata.
Each extracted block becomes one line of ``doc.raw`` (a table: a line per row, its cells
separated by a tab), so **offsets point into the extracted text, not into the HTML**; ``doc.meta["input"] == "html"`` says so, and
``doc.meta["html"]`` keeps what the extractor read (``title``, ``date``, ``author``,
``sitename``, ``url``).  Where the page text itself states no title, date or author, the
extractor's are used.

Needs the ``html`` extra: ``pip install chinese-news-nlp[html]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import InputError

_SPACES = re.compile(r"\s+")
# Blocks trafilatura's XML body holds; a list gives one line per item, a table one per row.
_BLOCKS = {"p", "head", "quote", "item", "row", "code"}
# Where a row's cell begins, in the parts of its line (XML text cannot hold a NUL); the line
# then has a tab between its cells.
_CELL = "\x00"


@dataclass(frozen=True)
class Html:
    """A web page to extract (``str`` or ``bytes`` of HTML), with its URL when known."""

    content: str | bytes
    url: str | None = None


class HtmlExtractionError(InputError):
    """The page holds no text the extractor recognizes as an article."""


def _trafilatura():
    try:
        import trafilatura
    except ImportError as exc:
        raise ImportError(
            "HTML input needs trafilatura, an optional extra: pip install chinese-news-nlp[html]"
        ) from exc
    return trafilatura


def extract_html(content: str | bytes, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """The page's main text (one block per line) and the extractor's metadata.

    Bytes are decoded with the pipeline's detection (UTF-8, GB18030, Big5...) first.
    """
    if isinstance(content, (bytes, bytearray, memoryview)):
        from .decode import decode_bytes

        content = decode_bytes(bytes(content)).text
    if not isinstance(content, str) or not content.strip():
        raise HtmlExtractionError("empty HTML: no document")
    if url is not None and not isinstance(url, str):  # (the extractor calls url.encode())
        raise InputError(f"url must be a string or None, not {type(url).__name__}: {url!r:.80}")
    # a lone surrogate (JSON "\ud800", bytes read with surrogateescape) ends lxml's text there:
    # what followed it was lost without a word; as U+FFFD it stays, marking the damage
    from .decode import sanitize

    content, _ = sanitize(content)
    trafilatura = _trafilatura()
    found = trafilatura.bare_extraction(
        content, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    if found is None:
        raise HtmlExtractionError("the extractor found no article text in this HTML")
    lines = _body_lines(getattr(found, "body", None)) or [
        line for line in (_SPACES.sub(" ", x).strip() for x in (found.text or "").splitlines()) if line
    ]
    if not lines:
        raise HtmlExtractionError("the extractor found no article text in this HTML")
    meta = {key: getattr(found, key, None) for key in ("title", "date", "author", "sitename", "url")}
    return "\n".join(lines), {k: v for k, v in meta.items() if v}


def _body_lines(body) -> list[str]:
    """A line per block of trafilatura's XML body, in order, each character once: a block's own
    text on either side of the blocks it holds is a line of its own (a quote's text around its
    paragraphs was lost, a nested list's items came twice: inside their parent's line and on
    their own), and ``<lb/>`` (``<br>``) ends a line (its lines were joined into one word).

    A table row is a line with a tab between its cells (they ran together: ``外层文字甲乙丙``, and
    an entity model read ``甲乙丙外层`` as one word).  A tab because nothing else in a line is one
    (other whitespace is one space), so it marks a cell and nothing else, while every stage reads
    it as a space (no word, name or fact holds one).  Empty cells are left out.  Inside a row a
    paragraph, list item or ``<lb/>`` is a space, so that the row stays one line (facts and zones
    read lines); a row inside a row (a table in a cell) is a line of its own, the outer cell's
    text before and after it the lines around it."""
    if body is None:
        return []
    lines: list[str] = []

    def flush(parts: list[str]) -> None:
        cells = (_SPACES.sub(" ", cell).strip() for cell in "".join(parts).split(_CELL))
        text = "\t".join(cell for cell in cells if cell)
        if text:
            lines.append(text)
        parts.clear()

    # An explicit stack rather than recursion (a deeply nested page): (op, item, parts, in_row) with
    # op "enter" (an element), "text" (a str) or "flush", ``parts`` being the line written to and
    # ``in_row`` whether that line is a table row's.
    top: list[str] = []
    stack: list[tuple[str, Any, list[str], bool]] = [("enter", body, top, False)]
    while stack:
        op, item, parts, in_row = stack.pop()
        if op == "flush":
            flush(parts)
            continue
        if op == "text":
            parts.append(item)
            continue
        if item.text and isinstance(item.tag, str):  # (a comment's text is no page text)
            parts.append(item.text)
        for child in reversed(item):  # pushed in reverse: they come off the stack in document order
            if child.tail:  # a tail goes on in the line around its element
                stack.append(("text", child.tail, parts, in_row))
            tag = child.tag if isinstance(child.tag, str) else None
            if tag == "row" or (tag in _BLOCKS and not in_row):
                inner: list[str] = []
                row = tag == "row"
                stack += [("flush", None, inner, row), ("enter", child, inner, row), ("flush", None, parts, in_row)]
            elif tag in _BLOCKS or (tag == "lb" and in_row):  # within a row's cell: a space
                stack += [("text", " ", parts, True), ("enter", child, parts, True), ("text", " ", parts, True)]
            elif tag == "lb":
                stack.append(("flush", None, parts, in_row))
            else:
                stack.append(("enter", child, parts, in_row))
                if tag == "cell":
                    stack.append(("text", _CELL, parts, in_row))
    flush(top)
    return lines


def html_meta_fallbacks(meta: dict[str, Any]) -> None:
    """Fill ``title``/``date``/``authors`` from the extractor's metadata where the page text gave none."""
    found = meta.get("html") or {}
    if not meta.get("title") and found.get("title"):
        meta["title"] = found["title"]
    if not meta.get("date") and found.get("date") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(found["date"])):
        meta["date"] = found["date"]
        meta["date_from"] = "html"
        meta.pop("date_text", None)
    if not meta.get("authors") and found.get("author"):
        meta["authors"] = [a.strip() for a in re.split(r"[;；,，、/]", found["author"]) if a.strip()]
    if not meta.get("site") and found.get("sitename"):
        meta["site"] = found["sitename"]


__all__ = ["Html", "HtmlExtractionError", "extract_html"]
