"""Very large documents, processed in bounded pieces and stitched back into one Doc.

A 20 MB page (8 M characters: a dump, a log of a live blog) sent through the stages in one
piece held every stage's working state for the whole text at once: 4.8 GB of memory, a
time-out in the entity stage, and an error record of 477 MB.  The pipeline instead cuts a
document longer than :data:`PIECE_CHARS` into pieces at paragraph ends
(:func:`piece_bounds`), sends each piece through every stage as a document of its own, and
stitches the results (:func:`stitch`): one Doc whose ``raw`` is the input, whose ``text`` is
the pieces' texts end to end, whose alignment is the pieces' alignments end to end
(:meth:`Alignment.concat`), and whose spans are the pieces' spans moved by each piece's
offsets.  Nothing here knows what a stage does: spans are moved by field name, so a stage
that adds a new list of spans to ``Doc`` is stitched too (see :func:`span_lists`).

What a stage sees of its document is a piece: work that reads the whole document (a name
mentioned again pages later, a dateline on top) is done per piece.  News articles are far
below the limit; documents above it are collections, whose parts are separate anyway.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import fields
from typing import Any, Iterable, Iterator

from .alignment import Alignment
from .doc import Doc

# Longer documents are cut into pieces of at most this many characters.
PIECE_CHARS = 100_000

# -- lines ------------------------------------------------------------------------------------
# A line ends at "\n", "\r\n" or a lone "\r" (classic Mac OS, some CMS exports), in every stage
# that reads lines (zones, entities, facts, repair): the text is never rewritten, so a page
# of lone CRs has to be read as lines where it stands.  Not ``str.splitlines``, which also ends
# a line at \x0b, \x0c, \x1c-\x1e, U+0085, U+2028 and U+2029: U+0085 and \x1c-\x1e are bytes
# of mojibake the repair stage reads back ("\x85" is the Latin-1 reading of a UTF-8
# continuation byte), \x0b and \x0c are control characters the decoder cleans, and the
# Unicode separators are no line end of any page the project has seen.
LINE_BREAKS = "\r\n"  # the characters of a line end, as a set (a break list: "。！？" + LINE_BREAKS)
_LINE_END = re.compile(r"(\r\n?|\n)")
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def has_line_break(text: str) -> bool:
    """Whether ``text`` holds a line end (``\\n``, ``\\r\\n`` or a lone ``\\r``)."""
    return "\n" in text or "\r" in text


def lines_at(text: str) -> list[tuple[int, str]]:
    r"""``(offset, line)`` of every line of ``text``, its line end left out: what
    ``text.split("\n")`` gives (a last, empty line after a final line end too), with offsets,
    and with ``\r\n`` and a lone ``\r`` ending lines as ``\n`` does.

    >>> lines_at("一\r二\r\n三\n")
    [(0, '一'), (2, '二'), (5, '三'), (7, '')]
    """
    out = []
    pos = 0
    if "\r" not in text:  # most pages: one split in C
        for line in text.split("\n"):
            out.append((pos, line))
            pos += len(line) + 1
        return out
    parts = _LINE_END.split(text)  # line, its end, line, its end, ..., the last line
    for k in range(0, len(parts) - 1, 2):
        out.append((pos, parts[k]))
        pos += len(parts[k]) + len(parts[k + 1])
    out.append((pos, parts[-1]))
    return out


def lines_with_ends(text: str) -> list[str]:
    r"""The lines of ``text`` with their line ends kept (``"".join`` gives ``text`` back), no
    empty last line: ``str.splitlines(keepends=True)`` at ``\n``, ``\r\n`` and ``\r`` only.

    >>> lines_with_ends("一\r二\r\n三")
    ['一\r', '二\r\n', '三']
    """
    if "\r" not in text:
        parts = text.split("\n")
        out = [p + "\n" for p in parts[:-1]]
        if parts[-1]:
            out.append(parts[-1])
        return out
    return _LINE_WITH_END.findall(text)


# Where a piece may end, best first: a paragraph, then a sentence, then a clause or a space.
_PARAGRAPH_ENDS = LINE_BREAKS
_SENTENCE_ENDS = "。！？!?…"
_CLAUSE_ENDS = "；;，,、 \u3000\t"
_CLOSERS = "”’」』）)】》\"'"


@functools.cache
def span_lists() -> tuple[str, ...]:
    """The fields of :class:`Doc` that hold lists of spans (tokens, entities, ...)."""
    return tuple(f.name for f in fields(Doc) if str(f.type).startswith("list["))


def piece_bounds(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` covering ``text``, each at most ``limit`` long.

    A piece ends after a line break if one falls in the second half of its window, else
    after a sentence end (and its closing quotes), else after a clause mark or a space; a
    text with none of them is cut at the limit.

    >>> piece_bounds("一二三。\\n四五六。七八", limit=6)
    [(0, 5), (5, 11)]
    >>> piece_bounds("一二三四五，六七八九十。", limit=5)
    [(0, 5), (5, 10), (10, 12)]
    """
    limit = max(2, limit)
    bounds = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def _cut(text: str, start: int, stop: int) -> int:
    floor = start + (stop - start) // 2
    for marks in (_PARAGRAPH_ENDS, _SENTENCE_ENDS, _CLAUSE_ENDS):
        at = max(text.rfind(ch, floor, stop) for ch in marks)
        if at >= 0:
            end = at + 1
            if text[at] == "\r" and text[end : end + 1] == "\n":
                end = at  # the window ends inside a \r\n: cut before it, never between its halves
            while end < stop and text[end] in _CLOSERS:
                end += 1
            return end
    end = stop
    if "\udc00" <= text[end - 1 : end] <= "\udfff" or text[end - 1 : end] == "\r":
        end -= 1  # never between the halves of a pair
    return end


def split_doc(doc: Doc, bounds: Iterable[tuple[int, int]]) -> Iterator[tuple[int, Doc]]:
    """``(raw offset, piece)`` for each bound: a Doc of that stretch with the spans it holds.

    ``doc`` must not have been rewritten in length yet (a freshly made Doc, whose text and
    raw are aligned one to one); the spans already on it (the control-character repairs of
    :func:`~chinese_news_nlp.decode.make_doc`) go to the piece that contains them.
    """
    if len(doc.text) != len(doc.raw) or not doc.alignment.is_identity:
        raise ValueError("only a Doc whose text is aligned one to one with raw can be split")
    for start, end in bounds:
        piece = Doc(raw=doc.raw[start:end], text=doc.text[start:end], meta=dict(doc.meta))
        for name in span_lists():
            inside = [s for s in getattr(doc, name) if _within(s, start, end)]
            getattr(piece, name).extend(shifted(s, -start, -start) for s in inside)
        yield start, piece


def _within(span: Any, start: int, end: int) -> bool:
    text_fields, raw_fields = offset_fields(type(span))
    offsets = [getattr(span, name) for name in (*text_fields, *raw_fields)]
    offsets = [v for v in offsets if v >= 0]
    return bool(offsets) and all(start <= v <= end for v in offsets)


@functools.cache
def offset_fields(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(fields with offsets into text, fields with offsets into raw)`` of a span class.

    The convention of :mod:`chinese_news_nlp.doc`: offsets come in pairs, ``<x>start`` and
    ``<x>end`` (``start``/``end``, ``person_start``/``person_end``), and those of a pair named
    ``raw_…`` index raw.  ``Fact.year_end`` has no ``year_start``: it is a year, not an offset.
    """
    names = {f.name for f in fields(kind)}
    pairs = [n[: -len("start")] for n in sorted(names) if n.endswith("start") and n[: -len("start")] + "end" in names]
    offsets = [p + side for p in pairs for side in ("start", "end")]
    return tuple(n for n in offsets if not n.startswith("raw_")), tuple(n for n in offsets if n.startswith("raw_"))


# Fields that hold the index of another span of the same list (Zone.repeat_of): moved by the
# number of spans the earlier pieces put in that list.
LIST_INDEX_FIELDS = ("repeat_of",)


def shift(spans: Iterable[Any], text_offset: int, raw_offset: int, index_offset: int = 0) -> None:
    """Move the offsets of ``spans`` in place (unset ones, -1, stay): a piece's spans onto its document;
    ``index_offset`` moves the fields that index the spans' own list (:data:`LIST_INDEX_FIELDS`)."""
    for span in spans:
        if index_offset:
            for name in LIST_INDEX_FIELDS:
                value = getattr(span, name, None)
                if isinstance(value, int):
                    setattr(span, name, value + index_offset)
        text_fields, raw_fields = offset_fields(type(span))
        for name in text_fields:
            value = getattr(span, name)
            if value >= 0:
                setattr(span, name, value + text_offset)
        for name in raw_fields:
            value = getattr(span, name)
            if value >= 0:
                setattr(span, name, value + raw_offset)


def shifted(span: Any, text_offset: int, raw_offset: int) -> Any:
    """A copy of ``span`` with its offsets moved (see :func:`shift`)."""
    out = copy.copy(span)
    shift([out], text_offset, raw_offset)
    return out


def stitch(doc: Doc, pieces: Iterable[tuple[int, Doc]]) -> Doc:
    """One Doc from ``doc`` (as made from the input) and its processed pieces.

    The first piece that failed gives the Doc its error (with where the piece starts), and
    the pieces after it are not asked for.
    """
    texts: list[str] = []
    alignments: list[Alignment] = []
    out = Doc(raw=doc.raw, text="", meta=dict(doc.meta), alignment=Alignment.identity(0))
    text_offset = 0
    first = True
    for raw_offset, piece in pieces:
        merge_meta(out.meta, piece.meta, first)
        first = False
        if piece.error is not None:
            out.error = piece_error(piece.error, raw_offset, piece)
            out.text = doc.text
            out.alignment = doc.alignment
            for name in span_lists():
                setattr(out, name, [])
            return out
        texts.append(piece.text)
        alignments.append(piece.alignment)
        for name in span_lists():
            spans = getattr(piece, name)
            # the piece is done with: its spans become the document's
            shift(spans, text_offset, raw_offset, len(getattr(out, name)))
            getattr(out, name).extend(spans)
        text_offset += len(piece.text)
    out.text = "".join(texts)
    out.alignment = Alignment.concat(alignments)
    return out


def merge_meta(meta: dict, piece_meta: dict, first: bool) -> None:
    """What stages wrote into a piece's meta, into the document's: the first piece's as it is (the
    top of a document is where its title and date are), later pieces only add keys."""
    if first:
        meta.update(piece_meta)
    else:
        for key, value in piece_meta.items():
            meta.setdefault(key, value)


def piece_error(error: dict, raw_offset: int, piece: Doc) -> dict:
    """A piece's error as the document's: the same, plus where in ``raw`` the piece lies."""
    return {**error, "piece_raw_start": raw_offset, "piece_raw_end": raw_offset + len(piece.raw)}
