"""Decode byte strings that have holes.

When mojibake went through a lossy decoder, each U+FFFD stands for one or two
bytes that are gone (Python's GBK decoder swallows two bytes when the second is
in the trail range, one otherwise).  :func:`decode_with_holes` finds the
parse of the surviving bytes and the holes that is most plausible as Chinese:
a character with one lost byte is chosen among the few the encoding allows
(``E4 ?? AD`` → 64 candidates) by the language model; a character with every
byte lost stays U+FFFD.

A character chosen that way is a *guess*, and the :class:`Reading` says so:
each character is ``read`` (all its bytes survive), ``guessed`` (some were
lost; the context chose among the candidates, with the probability the
language model gives the choice among them) or ``lost`` (nothing to choose
from).  ``本报北京12月31日讯`` written as UTF-8 and read as GBK leaves
``鏈�鎶ュ寳浜�12鏈�31鏃ヨ��``: ``报北`` and ``日`` are read, ``本``, ``京``,
``月`` and ``讯`` are guesses from 64 or 4,096 candidates each.
:func:`reading_edits` turns a reading into repairs that keep the two apart.
"""

from __future__ import annotations

import codecs
import math
import sys
import threading
from dataclasses import dataclass
from functools import cache, lru_cache

from ..alignment import Edit
from . import lm

HOLE = -1  # a lost byte (or two: the parser decides)
# A hole is filled from the likeliest candidates alone (by character
# frequency): the context model picks among these.
FILL_CANDIDATES = 16
MAX_CANDIDATES = 40
HOLE_BYTE = -2  # exactly one lost byte (half of a dropped private-use pair)
LOST = "\ufffd"

READ, GUESSED, LOST_CHAR = "read", "guessed", "lost"

# A guessed character's confidence: GUESS_FLOOR + GUESS_SPAN times the
# probability the context model gives the chosen candidate among the others
# (times the confidence of the repair it is part of), so always below 0.5.
GUESS_FLOOR = 0.05
GUESS_SPAN = 0.4

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

# -- candidates ---------------------------------------------------------------------
# Where the characters a hole may be filled with live: CJK ideographs of the
# basic plane; Chinese punctuation comes from lm.CJK_PUNCT.
_CJK_BMP = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
_UTF8_GUESSED_LEADS = range(0xE3, 0xEA)  # a lost UTF-8 lead byte: CJK and CJK punctuation


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _logps(chars: list[str]) -> list[float]:
    """:func:`lm.char_logp` of many characters, their simplified forms found in one OpenCC call."""
    table = lm.char_log_freq()
    out = []
    for ch, simple in zip(chars, lm.simplified_chars(chars)):
        if lm.is_han(ch):
            own = table.get(ch, lm.UNSEEN_LOGP)
            out.append(max(own, table.get(simple, lm.UNSEEN_LOGP)) if simple != ch else own)
        else:
            out.append(lm.char_logp(ch))
    return out


@cache
def _index(encoding: str) -> dict[tuple[int | None, ...], tuple[str, ...]]:
    """Every byte pattern with unknown bytes (None) that a guess may fill, and the
    characters of ``encoding`` matching it, likeliest first (ties in byte order,
    the order an enumeration of the pattern's bytes meets them).

    Built once per encoding (tens of milliseconds) instead of enumerating the
    bytes of each hole: two lost UTF-8 continuation bytes are 4,096 patterns.
    """
    entries: list[tuple[bytes, str]] = []
    if encoding == "utf-8":
        chars = [chr(c) for lo, hi in _CJK_BMP for c in range(lo, hi)] + sorted(lm.CJK_PUNCT)
        entries = [(ch.encode("utf-8"), ch) for ch in chars]
    else:
        for a in range(0x81, 0xFF):
            for b in range(0x40, 0xFF):
                try:
                    ch = bytes((a, b)).decode(encoding)
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1 and b != 0x7F and (lm.is_han(ch) or ch in lm.CJK_PUNCT):
                    entries.append((bytes((a, b)), ch))  # a character with two byte pairs is listed under each
    distinct = sorted({ch for _, ch in entries})
    logp = dict(zip(distinct, _logps(distinct)))
    entries.sort(key=lambda e: (-logp[e[1]], e[0]))
    found: dict[tuple[int | None, ...], list[str]] = {}
    for data, ch in entries:
        if encoding == "utf-8":
            keys = [tuple(None if k in mask else b for k, b in enumerate(data)) for mask in _UTF8_MASKS[len(data)]]
            if len(data) == 3 and data[0] in _UTF8_GUESSED_LEADS:
                keys.append((None, data[1], data[2]))
        else:
            keys = [(data[0], None), (None, data[1])]
        for key in keys:
            found.setdefault(key, []).append(ch)
    return {k: tuple(v) for k, v in found.items()}


# Unknown positions a UTF-8 pattern may have when its lead byte survives.
_UTF8_MASKS = {
    2: ({1},),
    3: ({1}, {2}, {1, 2}),
    4: ({1}, {2}, {3}, {1, 2}, {1, 3}, {2, 3}, {1, 2, 3}),
}


@lru_cache(maxsize=50_000)
def candidates(pattern: tuple[int | None, ...], encoding: str, lost_in: str | None = None) -> tuple[str, ...]:
    """Characters of ``encoding`` matching a byte pattern with unknown bytes, likeliest first.

    Only Han characters and Chinese punctuation are proposed, at most
    :data:`MAX_CANDIDATES`.  A lost UTF-8 lead byte is taken for one of CJK's
    (E3-E9); a lead byte lost with a continuation byte, or both bytes of a
    double-byte character, or any byte of a GB18030 four-byte sequence, leave
    too much open: no candidates.

    ``lost_in``: the codec whose decoder lost the unknown bytes.  It loses a
    byte only where the byte and the next one make no character of its own
    (``A4 40``, 一 in Big5, is a GBK character and would have been read as
    one; ``A1 41``, ，in Big5, is not and was lost): candidates it would have
    read are dropped.
    """
    if encoding != "utf-8" and len(pattern) != 2:
        return ()
    if all(b is None for b in pattern):
        return ()
    if encoding == "utf-8" and pattern[0] is None and any(b is None for b in pattern[1:]):
        return ()  # lead and a continuation byte both lost: too open to guess
    if encoding == "utf-8" and len(pattern) == 4:
        found = _utf8_enumerated(pattern)  # the supplementary planes: rare enough to enumerate
    else:
        found = _index(encoding).get(pattern, ())
    out = []
    for ch in found:
        if lost_in is None or _lost_by(ch.encode(encoding), pattern, lost_in):
            out.append(ch)
            if len(out) == MAX_CANDIDATES:
                break
    return tuple(out)


def _utf8_enumerated(pattern: tuple[int | None, ...]) -> list[str]:
    options = [[b] if b is not None else list(range(0x80, 0xC0)) for b in pattern]
    out = []
    for combo in _product(options):
        try:
            ch = bytes(combo).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if lm.is_han(ch) or ch in lm.CJK_PUNCT:
            out.append(ch)
    out.sort(key=lm.char_logp, reverse=True)
    return out


def _product(options: list[list[int]]):
    if not options:
        yield ()
        return
    for head in options[0]:
        for rest in _product(options[1:]):
            yield (head, *rest)


def _lost_by(data: bytes, pattern: tuple[int | None, ...], codec: str) -> bool:
    for i in range(len(pattern) - 1):
        if pattern[i] is None and pattern[i + 1] is not None and _pair_decodes(data[i], data[i + 1], codec):
            return False
    return True


@cache
def _pair_decodes(a: int, b: int, codec: str) -> bool:
    try:
        bytes((a, b)).decode(codec)
    except UnicodeDecodeError:
        return False
    return True


# -- the parse ------------------------------------------------------------------------
def _char_length(lead: int | None, nxt: int | None, encoding: str) -> list[int]:
    if encoding == "utf-8":
        if lead is None:
            return [3]
        n = _utf8_length(lead)
        return [n] if n else []
    if lead is None:
        return [2]
    if lead < 0x80:
        return [1]
    if lead == 0x80 or lead == 0xFF:
        return []
    if encoding == "gb18030" and nxt is not None and 0x30 <= nxt <= 0x39:
        return [4]
    return [2]


@dataclass
class Reading:
    """A parse of bytes with holes: one entry per character.

    ``spans`` locate each character in the expanded byte positions (a hole is
    two positions, the second optional); :attr:`token_positions` maps token
    indices to those positions.  ``posterior``: 1.0 for a character read, the
    context model's probability of the chosen candidate for a guess, 0.0 for
    a character lost.
    """

    chars: list[str]
    status: list[str]
    spans: list[tuple[int, int]]
    posterior: list[float]
    token_positions: list[int]

    @property
    def text(self) -> str:
        return "".join(self.chars)

    @property
    def recovered(self) -> int:
        """Characters filled from candidates (guessed)."""
        return self.status.count(GUESSED)

    @property
    def lost(self) -> int:
        return self.status.count(LOST_CHAR)


def _record_replacement(error: UnicodeDecodeError) -> tuple[str, int]:
    _decoding.errors.append((error.start, error.end))
    return LOST, error.end


_decoding = threading.local()
codecs.register_error("chinese_news_nlp.repair.recorded", _record_replacement)


def decode_spans(data: bytes, encoding: str) -> tuple[str, list[tuple[int, int]], list[bool]]:
    """``data.decode(encoding, errors="replace")``, the bytes each character came
    from, and whether it is a U+FFFD the decoder wrote for bytes it could not read."""
    _decoding.errors = errors = []
    text = data.decode(encoding, errors="chinese_news_nlp.repair.recorded")
    spans = []
    replaced = []
    pos = 0
    k = 0
    for ch in text:
        if k < len(errors) and errors[k][0] == pos and ch == LOST:
            spans.append(errors[k])
            replaced.append(True)
            pos = errors[k][1]
            k += 1
            continue
        n = len(ch.encode(encoding))
        spans.append((pos, pos + n))
        replaced.append(False)
        pos += n
    return text, spans, replaced


def plain_reading(data: bytes, encoding: str) -> Reading:
    """The reading of bytes without holes: ``data.decode(encoding, errors="replace")``."""
    text, spans, replaced = decode_spans(data, encoding)
    status = [LOST_CHAR if r else READ for r in replaced]
    posterior = [0.0 if r else 1.0 for r in replaced]
    return Reading(list(text), status, spans, posterior, list(range(len(data) + 1)))


def guesses_off(min_guess: float) -> bool:
    """No guess is kept: every character with lost bytes is written as U+FFFD."""
    return min_guess > GUESS_FLOOR + GUESS_SPAN


def decode_with_holes(
    tokens: list[int],
    encoding: str,
    fill: bool = True,
    left: str = "",
    right: str = "",
    open_end: bool = False,
    lost_in: str | None = None,
) -> Reading | None:
    """Best reading of ``tokens`` (bytes and :data:`HOLE`) in ``encoding``, or None
    when no parse exists.

    A character with lost bytes is its likeliest candidate; with ``fill`` the
    candidates are weighed in their context (``left`` and ``right`` extend
    it), the slow part.  ``open_end``: the bytes may stop inside a character
    (its trail byte was read as the ASCII after the run, ``簟C`` of ``停水。``);
    the missing bytes are unknown.  ``lost_in``: see :func:`candidates`.
    """
    # Each hole is one byte, optionally followed by a second one.
    expanded: list[tuple[int | None, bool]] = []
    token_positions = []
    for t in tokens:
        token_positions.append(len(expanded))
        if t == HOLE:
            expanded.append((None, False))
            expanded.append((None, True))
        elif t == HOLE_BYTE:
            expanded.append((None, False))
        else:
            expanded.append((t, False))
    n = len(expanded)
    token_positions.append(n)

    def reads(i: int, k: int) -> list[tuple[tuple, int]]:
        """The patterns of ``k`` bytes from position ``i`` (an optional byte may be skipped)."""
        out = []
        stack = [(i, k, ())]
        while stack:
            i, k, acc = stack.pop()
            if k == 0:
                out.append((acc, i))
                continue
            if i >= n:
                if open_end and acc:
                    out.append((acc + (None,) * k, n))
                continue
            b, optional = expanded[i]
            if optional:
                stack.append((i + 1, k, acc))
            stack.append((i + 1, k - 1, acc + (b,)))
        return out

    # best[i]: the best score of a parse of positions i.. ; choice[i]: its first character
    best: list[float | None] = [None] * (n + 1)
    choice: list[tuple | None] = [None] * (n + 1)
    best[n] = 0.0
    for i in range(n - 1, -1, -1):
        b, optional = expanded[i]
        result = best[i + 1] if optional else None  # a hole's optional second byte may be absent
        pick = None
        nxt = expanded[i + 1][0] if i + 1 < n else None
        for length in _char_length(b, nxt, encoding):
            for pattern, j in reads(i, length):
                ch, score = _read_char(pattern, encoding, lost_in)
                if ch is None or best[j] is None:
                    continue
                total = score + best[j]
                if result is None or total > result:
                    result, pick = total, (ch, pattern, j)
        best[i] = result
        choice[i] = pick
    if best[0] is None:
        return None
    chars, status, spans, posterior = [], [], [], []
    holes: list[tuple[int, tuple[str, ...]]] = []
    i = 0
    while i < n:
        pick = choice[i]
        if pick is None:  # a skipped optional byte
            if spans:
                spans[-1] = (spans[-1][0], i + 1)
            i += 1
            continue
        ch, pattern, j = pick
        k = len(chars)
        spans.append((i, j))
        if None not in pattern:
            chars.append(ch)
            status.append(READ)
            posterior.append(1.0)
        else:
            options = candidates(pattern, encoding, lost_in)
            if not options:
                chars.append(ch)
                status.append(LOST_CHAR)
                posterior.append(0.0)
            else:
                chars.append(options[0])  # the likeliest character first: the context of its neighbours
                status.append(GUESSED)
                posterior.append(1.0 / len(options))
                holes.append((k, options[:FILL_CANDIDATES]))
        i = j
    if fill and holes:
        # Two sweeps: a hole next to another is chosen again once its neighbour is.
        for _sweep in range(2 if len(holes) > 1 else 1):
            for k, options in holes:
                before = (left + "".join(chars[:k]))[-3:]
                after = ("".join(chars[k + 1 :]) + right)[:3]
                scores = [lm.word_logp(before + c + after) + 0.1 * lm.char_logp(c) for c in options]
                top = max(range(len(options)), key=scores.__getitem__)
                chars[k] = options[top]
                posterior[k] = 1.0 / sum(10 ** (s - scores[top]) for s in scores)
    return Reading(chars, status, spans, posterior, token_positions)


@lru_cache(maxsize=200_000)
def _read_char(pattern: tuple[int | None, ...], encoding: str, lost_in: str | None = None) -> tuple[str | None, float]:
    if None not in pattern:
        try:
            ch = bytes(pattern).decode(encoding)
        except UnicodeDecodeError:
            return None, 0.0
        if len(ch) != 1:
            return None, 0.0
        return ch, lm.char_logp(ch) - lm.NEUTRAL_LOGP
    options = candidates(pattern, encoding, lost_in)
    if options:
        # a guessed character earns no more than a neutral one: guesses must not outscore evidence
        return "?", min(lm.char_logp(options[0]) - lm.NEUTRAL_LOGP, 0.0) - 0.5
    if all(b is None for b in pattern) or encoding != "utf-8":
        return LOST, -2.0
    return None, 0.0


# -- repairs from a reading -------------------------------------------------------------
def guess_confidence(posteriors: list[float], confidence: float) -> float:
    """The confidence of a repair holding guessed characters: below 0.5."""
    return max(0.01, round((GUESS_FLOOR + GUESS_SPAN * math.prod(posteriors)) * confidence, 2))


def reading_edits(
    reading: Reading,
    source: list[tuple[int, int]],
    text: str,
    cause: str,
    confidence: float,
    recoverable: str,
    min_guess: float = 0.0,
    lost_as: str = LOST,
) -> list[Edit]:
    """The edits that write ``reading`` over the damaged text it was read from.

    ``source``: for each boundary between characters of the damaged text, the
    token index and the text offset, ``(0, start)`` to ``(len(tokens), end)``.
    A reading without guesses is one edit of ``cause``, ``confidence`` and
    ``recoverable``.  Guessed characters are cut out into edits of their own
    wherever the damaged characters and the read ones share a byte boundary:
    ``guessed``, ``partial``, with :func:`guess_confidence`; the characters
    read keep ``confidence``.  A guess less certain than ``min_guess`` is
    written as U+FFFD instead (``min_guess`` above 0.5: every guess).  Lost
    characters are written ``lost_as``.
    """
    start, end = source[0][1], source[-1][1]
    if GUESSED not in reading.status:
        out = "".join(lost_as if s == LOST_CHAR else c for c, s in zip(reading.chars, reading.status))
        edit = tight_edit(text, start, end, out, cause, confidence, recoverable)
        return [edit] if edit is not None else []
    offset_at = {reading.token_positions[t]: off for t, off in source}
    pieces: list[tuple[int, int, list[int]]] = []  # (text start, text end, character indices)
    piece_start = start
    current: list[int] = []
    for k, (a, _b) in enumerate(reading.spans):
        if current and a in offset_at:
            pieces.append((piece_start, offset_at[a], current))
            piece_start, current = offset_at[a], []
        current.append(k)
    pieces.append((piece_start, end, current))
    edits: list[Edit] = []
    pending: list[tuple[int, int, list[int]]] = []  # consecutive pieces without a guess kept

    def flush() -> None:
        if not pending:
            return
        idx = [k for p in pending for k in p[2]]
        out = "".join(_written(reading, k, min_guess, lost_as) for k in idx)
        statuses = {reading.status[k] for k in idx}
        recov = "full" if statuses <= {READ} else ("none" if READ not in statuses else "partial")
        edit = tight_edit(text, pending[0][0], pending[-1][1], out, cause, confidence, recov)
        if edit is not None:
            edits.append(edit)
        pending.clear()

    for piece in pieces:
        guessed = [k for k in piece[2] if _kept_guess(reading, k, min_guess)]
        if not guessed:
            pending.append(piece)
            continue
        flush()
        out = "".join(_written(reading, k, min_guess, lost_as) for k in piece[2])
        conf = guess_confidence([reading.posterior[k] for k in guessed], confidence)
        edit = tight_edit(text, piece[0], piece[1], out, cause, conf, "partial", guessed=True)
        if edit is not None:
            edits.append(edit)
    flush()
    return edits


def _kept_guess(reading: Reading, k: int, min_guess: float) -> bool:
    return reading.status[k] == GUESSED and GUESS_FLOOR + GUESS_SPAN * reading.posterior[k] >= min_guess


def _written(reading: Reading, k: int, min_guess: float, lost_as: str) -> str:
    status = reading.status[k]
    if status == READ:
        return reading.chars[k]
    if status == GUESSED and _kept_guess(reading, k, min_guess):
        return reading.chars[k]
    return LOST if status == GUESSED else lost_as


def tight_edit(
    text: str, start: int, end: int, fixed: str, cause: str, conf: float, recov: str, guessed: bool = False
) -> Edit | None:
    """Trim the characters the run and its repair share at both ends (not a
    U+FFFD: the one written for a lost character is not the damaged one)."""
    before = text[start:end]
    if before == fixed:
        return None
    a = 0
    while a < min(len(before), len(fixed)) and before[a] == fixed[a] != LOST:
        a += 1
    b = 0
    while b < min(len(before), len(fixed)) - a and before[len(before) - 1 - b] == fixed[len(fixed) - 1 - b] != LOST:
        b += 1
    return Edit(start + a, end - b, fixed[a : len(fixed) - b], cause, conf, recov, guessed)
