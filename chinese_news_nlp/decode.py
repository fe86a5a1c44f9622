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
import unicodedata
from dataclasses import dataclass

from .doc import Doc
from .errors import BinaryInputError, DocumentTooLargeError, EmptyInputError, InputError, UndecodableInputError
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


def make_doc(item, *, date: str | None = None, id: str | None = None, max_chars: int = 2_000_000) -> Doc:
    """A fresh :class:`Doc` from text, bytes or an :class:`~chinese_news_nlp.html.Html` page, with ``meta`` filled in."""
    meta: dict = {}
    if id is not None:
        meta["id"] = str(id)
    if date is not None:
        meta["date"] = str(date)
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
            f"document of {len(text):,} characters exceeds max_chars={max_chars:,}; "
            "split it, or raise the limit with load(max_chars=...)"
        )
    if text and unicodedata.category(text[0]) == "Cf" and text[0] == "\ufeff":
        meta["bom"] = True  # a BOM inside a str is kept: raw is the input as given
    return Doc(raw=text, meta=meta)
