"""Bytes → text, with the encoding detected and recorded.

Chinese news arrives as UTF-8, GB18030/GBK (mainland), Big5 (Taiwan, Hong
Kong) or UTF-16 with a byte-order mark.  GB18030 decodes almost any byte
string, and Big5 text is often valid GBK too, so "decodes without error" does
not settle it: every candidate that decodes strictly is scored by how common
its characters are in Chinese text (:mod:`chinese_news_nlp.charfreq`), and the
most plausible wins.  Example that motivated the scoring: the SIGHAN ``cityu``
test file is Big5 and also decodes as GBK, into rare characters such as
``ず``-like kana and ``瞒`` where Big5 gives ``香港``.
"""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata
from dataclasses import dataclass

from .alignment import Edit
from .doc import Doc
from .errors import (
    BinaryInputError,
    DocumentTooLargeError,
    EmptyInputError,
    InputError,
    InvalidDateError,
    UndecodableInputError,
)
from .html import Html, extract_html

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in this order; ties in plausibility go to the earlier one.
_CANDIDATES = ("gb18030", "big5", "big5hkscs")
_SAMPLE_CHARS = 20_000


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    confidence: float


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data``; raise a typed :class:`InputError` when it is not text."""
    if not data:
        raise EmptyInputError("empty bytes: no document")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding, 1.0)
            except UnicodeDecodeError as exc:
                raise UndecodableInputError(f"byte-order mark says {encoding}, but: {exc}") from None
    _reject_binary(data)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    from .charfreq import plausibility

    scored: list[tuple[float, str, str]] = []
    for encoding in _CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text[:_SAMPLE_CHARS]), encoding, text))
    if not scored:
        raise UndecodableInputError(
            "bytes are not valid UTF-8, GB18030, Big5 or UTF-16 with a byte-order mark; "
            "decode them yourself and pass a str"
        )
    best = max(scored, key=lambda s: s[0])
    runner_up = max((s[0] for s in scored if s is not best), default=None)
    confidence = 1.0 if runner_up is None else min(1.0, max(0.0, 0.5 + (best[0] - runner_up)))
    return Decoded(best[2], best[1], round(confidence, 3))


def _reject_binary(data: bytes) -> None:
    head = data[:4096]
    if b"\x00" in head:
        raise BinaryInputError("NUL bytes in input: binary data, or UTF-16 without a byte-order mark")
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(head) * 0.05:
        raise BinaryInputError(f"{controls} control bytes in the first {len(head)}: binary data, not text")


# Characters that are never text: C0 controls but tab, line feed and carriage return, DEL,
# and Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF).  C1 controls (U+0080–U+009F)
# are left to the repair stage: UTF-8 read as Latin-1 turns 中 into "ä¸\xad" and 文 into
# "æ\x96\x87", and those bytes are what the repair reads back.
# (\x0b-\x1f once took in \r too: every line of a CRLF file became a control-character repair,
# and a page with lone CR line ends lost them to spaces.)
_JUNK = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)
)
_JUNK_RUN = re.compile(f"[{_JUNK}]+")
# A C1 control between characters no misread byte becomes (CJK, spaces, the ends of the text)
# is a control, not mojibake: 北京\x85上海.  Next to Latin-1 or printable ASCII it may be the
# lead byte of a misread UTF-8 or GBK sequence (GBK 0x81 0x40 read as Latin-1 is "\x81@"), so it
# is left for the repair stage; the pipeline still keeps it out of every span.
_LONE_C1 = re.compile("(?<![\x21-\x7e\u0080-\u00ff])[\u0080-\u009f]+(?![\x21-\x7e\u0080-\u00ff])")
# A str counts as binary when more than this share of it is junk ("mostly" control characters).
_BINARY_TEXT_SHARE = 0.5
CONTROL_CAUSE = "control-character"


def _reject_binary_text(text: str) -> None:
    r"""Raise :class:`BinaryInputError` for a ``str`` that is mostly control characters, NULs or noncharacters.

    The same error as binary bytes get (``nlp(bytes)`` and ``nlp(str)`` must agree on what is
    not text); the threshold is a majority, because a str has no encoding to get wrong, and a
    few stray controls in real text (``\x1b[31m`` from a terminal) are cleaned, not rejected
    (:func:`control_edits`).  Motivating example: ``"".join(map(chr, range(1, 32))) * 10``.
    """
    if not text:
        return
    junk = sum(m.end() - m.start() for m in _JUNK_RUN.finditer(text))
    if junk > len(text) * _BINARY_TEXT_SHARE:
        raise BinaryInputError(
            f"{junk:,} of {len(text):,} characters are control characters, NULs or noncharacters: binary data, not text"
        )


def control_edits(text: str) -> list[Edit]:
    r"""Same-length edits that turn each run of control characters and noncharacters into spaces.

    Every stage then sees a separator where the control was, so no token, entity or fact
    can contain one (``北京\x00大学`` gives 北京 and 大学, never a name ``北京\x00大学``),
    and no offset moves.  Each run is recorded as a repair with cause ``control-character``.

    >>> [(e.start, e.end, e.replacement) for e in control_edits("北京\x00\x01大学\x85")]
    [(2, 4, '  '), (6, 7, ' ')]
    """
    edits = [
        Edit(m.start(), m.end(), " " * (m.end() - m.start()), CONTROL_CAUSE, 1.0, "full")
        for pattern in (_JUNK_RUN, _LONE_C1)
        for m in pattern.finditer(text)
    ]
    return sorted(edits)


def without_controls(text: str) -> str:
    r"""``text`` with :func:`control_edits` applied: the same length, offsets unchanged.

    What the stage functions used alone (``segment``, ``extract_entities``...) read, so that
    they, like the pipeline, never make a span of a control character.

    >>> without_controls("投资\x0010亿元")
    '投资 10亿元'

    Lone surrogates become U+FFFD, one for one, as :func:`make_doc` makes them: the engines
    take UTF-8, which cannot hold one (``segment("北\ud800京")`` raised UnicodeEncodeError).
    """
    text, _ = sanitize(text)
    edits = control_edits(text)
    if not edits:
        return text
    chars = list(text)
    for edit in edits:
        chars[edit.start : edit.end] = edit.replacement
    return "".join(chars)


def sanitize(text: str) -> tuple[str, int]:
    """Replace lone surrogates (unencodable, they would break JSON output) by U+FFFD.

    The replacement is one character for one, so no offset moves.
    """
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text, 0
    count = 0
    chars = list(text)
    for i, ch in enumerate(chars):
        if "\ud800" <= ch <= "\udfff":
            chars[i] = "\ufffd"
            count += 1
    return "".join(chars), count


def parse_date(value: object) -> str:
    """An ISO date (``2024-05-20``, or a date-time whose date is kept) as ``YYYY-MM-DD``.

    Raise :class:`InvalidDateError` for anything else, so that a bad date is reported where it
    is given instead of being stored as the document's date (``--date notadate``).

    >>> parse_date("2024-05-20T08:30:00+08:00")
    '2024-05-20'
    """
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise InvalidDateError(f"date {str(value)[:40]!r} is not an ISO date (YYYY-MM-DD)") from None


def make_doc(
    item: str | bytes | Html,
    *,
    date: str | None = None,
    id: str | None = None,
    max_chars: int = 2_000_000,
    limit_hint: str = "load(max_chars=...)",
) -> Doc:
    """A fresh :class:`Doc` from text, bytes or an :class:`~chinese_news_nlp.html.Html` page, with ``meta`` filled in.

    Text is validated whatever its type (:func:`_reject_binary_text`), and control characters
    become spaces in ``doc.text`` (``doc.raw`` keeps them; see :func:`control_edits`).
    ``limit_hint`` says how to raise ``max_chars`` where the caller is (``--max-chars`` on the
    command line).
    """
    meta: dict = {}
    if id is not None:
        meta["id"] = str(id)
    if date is not None:
        meta["date"] = parse_date(date)
    if isinstance(item, Html):
        text, found = extract_html(item.content, url=item.url)
        meta["input"] = "html"
        meta["offsets"] = "extracted text"  # raw is the extractor's text, not the HTML
        meta["html"] = found
    elif isinstance(item, (bytes, bytearray, memoryview)):
        decoded = decode_bytes(bytes(item))
        text = decoded.text
        meta["encoding"] = decoded.encoding
        meta["encoding_confidence"] = decoded.confidence
    elif isinstance(item, str):
        text = item
    else:
        raise InputError(f"expected str or bytes, got {type(item).__name__}")
    text, surrogates = sanitize(text)
    if surrogates:
        meta["replaced_surrogates"] = surrogates
    if len(text) > max_chars:
        raise DocumentTooLargeError(
            f"document of {len(text):,} characters exceeds the limit of {max_chars:,}; "
            f"split it, or raise the limit with {limit_hint}"
        )
    _reject_binary_text(text)
    if text and unicodedata.category(text[0]) == "Cf" and text[0] == "\ufeff":
        meta["bom"] = True  # a BOM inside a str is kept: raw is the input as given
    doc = Doc(raw=text, meta=meta)
    edits = control_edits(text)
    if edits:
        doc.apply_edits(edits)
    return doc
