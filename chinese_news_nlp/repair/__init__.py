"""The repair stage: the ``ftfy`` of Chinese text.

Scraped Chinese news arrives damaged in ways general tools do not know:
GB18030 streams shifted by a byte, UTF-8 read as GBK, Big5 read as GBK, pinyin
readings pasted after characters, punctuation folded to half width, words
swapped by content farms.  Each family of damage has its own module; each fix
is an :class:`~chinese_news_nlp.alignment.Edit` with a ``cause``, a
``confidence`` and whether the bytes allowed a ``full``, ``partial`` or no
(``none``) recovery.

>>> from chinese_news_nlp.repair import repair_text
>>> repair_text("加強科技創(chuàng)新,推動產業(yè)發展")
'加強科技創新，推動產業發展'

Clean text is never touched: a cheap detector (:func:`needs_repair`) lets a
line through to the fixes only when it shows a sign of damage, and every fix
must make the text read better as Chinese by a clear margin (:mod:`.lm`).
The stage runs before t2s conversion: it needs the bytes the damage came from.

Deleted characters (``重大创新台`` for ``重大创新平台``, :mod:`.deletion`) are
looked for in the whole text the line fixes wrote: a filter that strips a
character works through the whole text, and the evidence is counted there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from ..alignment import Edit, apply_edits
from ..doc import Doc, Repair
from ..pieces import has_line_break
from ..pipeline import register_stage
from . import lm
from .byteshift import fix_byte_shifts
from .compose import EditLog
from .contentfarm import fix_content_farm
from .data import content_farm_table, split_lines
from .deletion import fix_deleted_characters
from .encoding import (
    SUSPICIOUS_MEAN,
    fix_codec_confusions,
    fix_kunjinkao,
    fix_latin1_mojibake,
    report_lost_runs,
    split_reading,
)
from .html_entities import REFERENCE, fix_html_entities
from .invisible import INVISIBLE, fix_invisible_characters
from .pinyin import fix_pinyin_annotations
from .punctuation import fix_halfwidth_punctuation

CAUSES = (
    "gb18030-byte-shift",
    "pinyin-annotation",
    "pinyin-annotation-misaligned",
    "content-farm-substitution",
    "deleted-character",
    "utf8-as-gbk",
    "gbk-as-utf8",
    "utf8-as-latin1",
    "gbk-as-latin1",
    "big5-as-gbk",
    "gbk-as-big5",
    "kunjinkao",
    "halfwidth-punctuation",
    "html-entity",
    "invisible-character",
)

# The fixes in the order they run: the damage done last (by the reader of the
# bytes) is undone first, so later fixes see the text as it was written.
FIXES: tuple[tuple[str, Callable[[str], list[Edit]]], ...] = (
    ("kunjinkao", fix_kunjinkao),
    ("latin1", fix_latin1_mojibake),
    ("codecs", fix_codec_confusions),
    ("lost", report_lost_runs),
    ("byteshift", fix_byte_shifts),
    # after the codecs (a reference is ASCII, which every codec reads alike: the scraper left it
    # in a text it decoded), before the marks (its ``;`` is no folded ``；``)
    ("html", fix_html_entities),
    ("invisible", fix_invisible_characters),  # before the readings: 产业\u200b(yè) is a reading
    ("pinyin", fix_pinyin_annotations),
    ("punctuation", fix_halfwidth_punctuation),
    ("contentfarm", fix_content_farm),
)

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _triggers() -> re.Pattern[str]:
    farm = "|".join(re.escape(w) for w, _ in content_farm_table())
    return re.compile(
        r"[\ufffd\ue000-\uf8ff\x80-\xb6\xb8-\xd6\xd8-\xf6\xf8-\xff]"  # replacement, private use, Latin-1 letters
        r"|[^\x00-\x7f][,()!?:;]|[,()!?:;][^\x00-\x7f]"  # ASCII punctuation touching Chinese
        # a Latin word in a Chinese sentence: 说SPL,MSL; 标签KTV; (at the line's end)
        r"|[^\x00-\x7f][A-Za-z0-9 .+\-'&]*(?:[A-Za-z][,;][A-Za-z0-9]|[0-9][,;][A-Za-z]|[A-Za-z0-9][,;:!?](?=[\r\n]|$))"
        r"|[(][a-zü]"  # a pinyin reading
        rf"|{REFERENCE.pattern}"  # an HTML character reference: &ldquo;
        rf"|[{INVISIBLE}]"  # a zero-width character: 浙\u200b江
        rf"|{farm}"
    )


_TRIGGERS = _triggers()


def _signs() -> re.Pattern[str]:
    """The characters every trigger holds one of: a line without them needs no
    search of the triggers (one scan of a character class, ten times faster)."""
    farm = "".join(sorted({w[0] for w, _ in content_farm_table()}))
    return re.compile(
        r"[\ufffd\ue000-\uf8ff\x80-\xb6\xb8-\xd6\xd8-\xf6\xf8-\xff,()!?:;&" + INVISIBLE + re.escape(farm) + "]"
    )


_SIGNS = _signs()


def needs_repair(line: str) -> bool:
    """Cheap test: does ``line`` show any sign of damage?"""
    if line.isascii():
        return False
    if _SIGNS.search(line) and _TRIGGERS.search(line):
        return True
    text_logp = lm.text_logp
    for run in _NON_ASCII_RUN.findall(line):  # a loop, not any() of a generator: clean text's hot path
        # (common characters only read well whatever their sum: no sum needed)
        if not lm.scores_at_least(run, SUSPICIOUS_MEAN) and text_logp(run) / len(run) < SUSPICIOUS_MEAN:
            return True
    return False


LOST_BYTES = ("guess", "replace")


def fix_and_explain(
    text: str, causes: Iterable[str] | None = None, min_confidence: float = 0.0, lost_bytes: str = "guess"
) -> tuple[str, list[Edit]]:
    """Repair ``text``; return the repaired text and the edits on ``text`` that produce it.

    ``causes`` restricts the repairs to those causes; ``min_confidence`` drops
    less certain ones.  One edit per damaged run, so offsets stay tight.

    ``lost_bytes``: what to write for a character whose bytes were partly lost
    (``鏈�`` is ``本`` written as UTF-8 and read as GBK, its last byte gone):
    ``"guess"`` (the default) the likeliest character in context, in an edit
    of its own marked ``guessed`` with a confidence below 0.5; ``"replace"``
    U+FFFD.  A guess below ``min_confidence`` is written as U+FFFD too, so the
    characters restored from surviving bytes around it stay.
    """
    if not isinstance(text, str):
        raise TypeError(f"repair expects str, got {type(text).__name__}")
    if lost_bytes not in LOST_BYTES:
        raise ValueError(f"lost_bytes must be one of {', '.join(LOST_BYTES)}, got {lost_bytes!r}")
    if text.isascii():
        return text, []  # every repair reads Chinese
    min_guess = 1.0 if lost_bytes == "replace" else min_confidence
    wanted = set(causes) if causes is not None else None
    edits: list[Edit] = []
    pos = 0
    for line in split_lines(text) if has_line_break(text) else (text,):  # \n, \r\n, a lone \r
        if needs_repair(line):
            for e in _fix_line(line, min_guess):
                if (wanted is None or e.cause in wanted) and e.confidence >= min_confidence:
                    edits.append(Edit(e.start + pos, e.end + pos, *e[2:]) if pos else e)
        pos += len(line)
    if edits and _ascii_punctuation_is_house_style(text, edits):
        edits = [e for e in edits if e.cause != "halfwidth-punctuation"]
    if wanted is None or "deleted-character" in wanted:
        edits = _with_deletions(text, edits, min_confidence)
    return (apply_edits(text, edits) if edits else text), edits


def _with_deletions(text: str, edits: list[Edit], min_confidence: float) -> list[Edit]:
    """Add the deleted characters found in the whole text (the evidence may
    span lines: a filter deletes throughout).

    They are looked for in the text the other repairs wrote, as the filter
    saw it and as a repair of the repaired text would: ``甶籓籓甶籓籓`` (Big5
    read as GBK) reads ``展臺臺展臺臺``, whose 臺 stand bare (``平`` of
    ``平臺`` stripped); searched in the damaged text, the first repair left them
    and the repair of its output inserted them (not idempotent).  A character
    inserted inside another repair's replacement is an edit of its own where
    that repair splits there (:func:`_inserted_at`)."""
    repaired = apply_edits(text, edits) if edits else text
    found = [d for d in fix_deleted_characters(repaired) if d.confidence >= min_confidence]
    if not found:
        return edits
    edits = list(edits)
    added = 0  # characters inserted before: first to last, so a split keeps the confidence of the reading it halves
    for d in sorted(found, key=lambda d: d.start):
        edits = _inserted_at(text, edits, d._replace(start=d.start + added, end=d.end + added))
        added += len(d.replacement)
    return sorted(edits, key=lambda e: (e.start, e.end))


def _inserted_at(text: str, edits: list[Edit], insertion: Edit) -> list[Edit]:
    """``edits`` (on ``text``, sorted) with ``insertion`` (at an offset of the
    text they write) added.  Outside their replacements it is its own edit at
    the offset it maps to.  Inside one, the replacement is split there when
    its halves are readings of halves of the damaged text
    (:func:`.encoding.split_reading`): ``甶籓籓`` → ``展臺臺`` splits after
    ``甶籓``, ``平`` between, each half keeping its confidence.  Where it does
    not split (a reading out of phase), the character goes into that edit,
    which takes the insertion's confidence if lower and is ``partial``: an
    inserted character is never part of a certain repair.

    >>> ins = Edit(2, 2, "平", "deleted-character", 0.7, "partial")
    >>> _inserted_at("甶籓籓", [Edit(0, 3, "展臺臺", "big5-as-gbk", 0.99, "full")], ins)  # doctest: +NORMALIZE_WHITESPACE
    [Edit(start=0, end=2, replacement='展臺', cause='big5-as-gbk', confidence=0.99, recoverable='full', guessed=False, attached=False,
     pieces=None),
     Edit(start=2, end=2, replacement='平', cause='deleted-character', confidence=0.7, recoverable='partial', guessed=False, attached=False,
     pieces=None),
     Edit(start=2, end=3, replacement='臺', cause='big5-as-gbk', confidence=0.99, recoverable='full', guessed=False, attached=False,
     pieces=None)]
    """
    at = insertion.start
    shift = 0
    for k, e in enumerate(edits):
        new_start = e.start + shift
        if at <= new_start:
            break
        if at < new_start + len(e.replacement):
            q = at - new_start
            cut = split_reading(text[e.start : e.end], e.replacement, q, e.cause or "")
            if cut is None:
                merged = e._replace(
                    replacement=e.replacement[:q] + insertion.replacement + e.replacement[q:],
                    confidence=min(e.confidence, insertion.confidence),
                    recoverable="partial" if e.recoverable in (None, "full") else e.recoverable,
                )
                return [*edits[:k], merged, *edits[k + 1 :]]
            mid = e.start + cut
            halves = [
                e._replace(end=mid, replacement=e.replacement[:q]),
                e._replace(start=mid, replacement=e.replacement[q:]),
            ]
            return [*edits[:k], halves[0], Edit(mid, mid, *insertion[2:]), halves[1], *edits[k + 1 :]]
        shift += len(e.replacement) - (e.end - e.start)
    return [*edits, Edit(at - shift, at - shift, *insertion[2:])]


# Some publishers write ASCII commas throughout (seeds 000-003 of the project:
# 94 to 203 "," and not one "，").  In such a document, with no other damage,
# the ASCII marks are how it was written, not folding, and are left alone.
# Folding that came with other damage (document 004: pinyin, byte shifts) or
# in a short text is restored.
HOUSE_STYLE_MIN_COMMAS = 20


def _ascii_punctuation_is_house_style(text: str, edits: list[Edit]) -> bool:
    if text.count(",") < HOUSE_STYLE_MIN_COMMAS or "，" in text:
        return False
    return all(e.cause in ("halfwidth-punctuation", "content-farm-substitution", "deleted-character") for e in edits)


# The fixes that may guess characters whose bytes were lost.
_GUESSING = frozenset(("codecs", "byteshift"))
# A repair can uncover damage another fix knows (the pinyin reading after a
# character a codec confusion hid, ``锟斤拷`` beside Latin-1 mojibake): the
# fixes run again over their own output until the line reads clean or stops
# changing, so repairing repaired text changes nothing.
MAX_ROUNDS = 3


@lru_cache(maxsize=4096)
def _fix_line(line: str, min_guess: float = 0.0) -> tuple[Edit, ...]:
    """The edits that repair one line (cached: scraped corpora repeat lines,
    a site's damaged boilerplate on every page)."""
    log = EditLog(line)
    for _round in range(MAX_ROUNDS):
        before = log.text
        for name, fix in FIXES:
            if name in _GUESSING:
                log.apply(fix(log.text, min_guess))
            elif name == "lost":
                # U+FFFD the input holds; the repairs so far report their own (and
                # write it for a character they will not guess).
                log.apply([e for e in fix(log.text) if log.untouched(e.start, e.end)])
            else:
                log.apply(fix(log.text))
        if log.text == before or not needs_repair(log.text):
            break
    return tuple(log.edits())


def warm_up() -> None:
    """Load what the repairs consult (the language model, the candidate tables
    of lost bytes, the deleted-character remainders, the word model's pair
    index) now rather than on the first damaged document: a few tenths of a
    second, once per process."""
    from .bytes_model import warm_up as _tables

    fix_and_explain("測試,鍙戝睍頭部台(yè)")
    _tables()
    lm.warm_up()


def repair_text(text: str, **options) -> str:
    """``text`` with every repair applied (``options``: as :func:`fix_and_explain`)."""
    return fix_and_explain(text, **options)[0]


def explain_repairs(text: str, **options) -> list[Repair]:
    """The repairs :func:`repair_text` makes, as :class:`~chinese_news_nlp.doc.Repair` records on ``text``."""
    _, edits = fix_and_explain(text, **options)
    doc = Doc(raw=text)
    doc.apply_edits(edits)
    return doc.repairs


@register_stage("repair")
class RepairStage:
    """Pipeline stage: repairs ``doc.text`` and records each fix in ``doc.repairs``.

    ``causes``: only these causes (default: all, see :data:`CAUSES`);
    ``min_confidence``: skip repairs less certain than this (a character
    guessed where its bytes were lost is then written as U+FFFD);
    ``lost_bytes``: ``"guess"`` (the default: such characters guessed, their
    repairs marked ``guessed``) or ``"replace"`` (U+FFFD), see :func:`fix_and_explain`.
    """

    name = "repair"
    requires = ("text",)
    assigns = ("text", "repairs")

    def __init__(self, causes: Iterable[str] | None = None, min_confidence: float = 0.0, lost_bytes: str = "guess"):
        self.causes = tuple(causes) if causes is not None else None
        unknown = set(self.causes or ()) - set(CAUSES)
        if unknown:
            raise ValueError(f"unknown repair causes {sorted(unknown)}; known: {', '.join(CAUSES)}")
        if lost_bytes not in LOST_BYTES:
            raise ValueError(f"lost_bytes must be one of {', '.join(LOST_BYTES)}, got {lost_bytes!r}")
        self.min_confidence = float(min_confidence)
        self.lost_bytes = lost_bytes

    def warm_up(self) -> None:
        """Load the tables of damaged-text repair now (the corpus workers call it once)."""
        warm_up()

    def __call__(self, doc: Doc) -> Doc:
        _, edits = fix_and_explain(
            doc.text, causes=self.causes, min_confidence=self.min_confidence, lost_bytes=self.lost_bytes
        )
        doc.apply_edits(edits)
        return doc


__all__ = [
    "CAUSES",
    "LOST_BYTES",
    "RepairStage",
    "explain_repairs",
    "fix_and_explain",
    "needs_repair",
    "repair_text",
    "warm_up",
]
