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
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from itertools import accumulate, compress
from operator import add, is_not, itemgetter
from typing import Callable, Sequence

from ..alignment import Edit, trim_pieces
from ..doc import LOST
from . import lm

HOLE = -1  # a lost byte (or two: the parser decides)
# A hole is filled from the likeliest candidates alone (by character
# frequency): the context model picks among these.
FILL_CANDIDATES = 16
MAX_CANDIDATES = 40
HOLE_BYTE = -2  # exactly one lost byte (half of a dropped private-use pair)

READ, GUESSED, LOST_CHAR = "read", "guessed", "lost"

# A guessed character's confidence: GUESS_FLOOR + GUESS_SPAN times the
# probability the context model gives the chosen candidate among the others
# (times the confidence of the repair it is part of), so always below 0.5.
GUESS_FLOOR = 0.05
GUESS_SPAN = 0.4

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

# -- candidates ---------------------------------------------------------------------


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


@lru_cache(maxsize=1)
def _candidate_logp() -> dict[str, float]:
    """:func:`lm.char_logp` of every character a hole may be filled with: the
    Han characters of the basic plane and Chinese punctuation."""
    out = dict(lm.han_logps())
    for ch in lm.CJK_PUNCT:
        out[ch] = lm.char_logp(ch)
    return out


@lru_cache(maxsize=1)
def _rank() -> dict[str, int]:
    """Each character a hole may be filled with, numbered likeliest first (ties in
    code point order)."""
    logp = _candidate_logp()
    return {ch: k for k, ch in enumerate(sorted(logp, key=lambda ch: (-logp[ch], ord(ch))))}


@cache
def _pair_table(encoding: str) -> dict[tuple[int | None, int | None], list[str]]:
    """For a double-byte ``encoding``: the characters a hole may be filled with
    under each surviving lead byte ``(lead, None)`` and each surviving trail byte
    ``(None, trail)``, likeliest first (ties in byte order)."""
    # All pairs decoded at once, a line break between them (never a trail
    # byte: an invalid pair cannot swallow the next one).
    pairs = [bytes((a, b)) for a in range(0x81, 0xFF) for b in range(0x40, 0xFF) if b != 0x7F]
    decoded = b"\n".join(pairs).decode(encoding, errors="replace").split("\n")
    logp = _candidate_logp()
    entries = sorted((-logp[ch], data, ch) for data, ch in zip(pairs, decoded) if ch in logp)
    table: dict[tuple[int | None, int | None], list[str]] = {}
    for _, data, ch in entries:  # a character with two byte pairs (Big5-HKSCS) is listed under each
        table.setdefault((data[0], None), []).append(ch)
        table.setdefault((None, data[1]), []).append(ch)
    return table


def warm_up() -> None:
    """Build the candidate tables of every encoding the repairs read."""
    for encoding in ("gb18030", "gbk", "big5hkscs"):
        _pair_table(encoding)
    for lead in range(0xE3, 0xEA):
        _utf8_block(lead)


@cache
def _utf8_block(lead: int) -> list[str]:
    """The characters a hole may be filled with under a UTF-8 lead byte whose two
    continuation bytes were lost (4,096 code points), likeliest first."""
    return sorted(_matching((lead, None, None)), key=_rank().__getitem__)


def _matching(pattern: tuple[int | None, ...]) -> list[str]:
    """The characters a hole may be filled with that match a UTF-8 ``pattern``, in byte order."""
    if len(pattern) == 2:
        return ["·"] if pattern == (0xC2, None) else []
    if len(pattern) != 3:
        return []  # the other planes
    b0, b1, b2 = pattern
    if any(b is not None and not 0x80 <= b <= 0xBF for b in (b1, b2)):
        return []  # a continuation byte that is none
    leads = range(0xE3, 0xEA) if b0 is None else (b0,)  # a lost lead byte is taken for a CJK one
    mids = range(0x80, 0xC0) if b1 is None else (b1,)
    ends = range(0x80, 0xC0) if b2 is None else (b2,)
    logp = _candidate_logp()
    out = []
    for x in leads:
        if not 0xE0 <= x <= 0xEF:
            return []
        for y in mids:
            if x == 0xE0 and y < 0xA0:
                continue  # overlong
            for z in ends:
                ch = chr((x & 0x0F) << 12 | (y & 0x3F) << 6 | z & 0x3F)
                if ch in logp:
                    out.append(ch)
    return out


@lru_cache(maxsize=50_000)
def candidates(pattern: tuple[int | None, ...], encoding: str, lost_in: str | None = None) -> tuple[str, ...]:
    """Characters of ``encoding`` matching a byte pattern with unknown bytes, likeliest first.

    Only Han characters of the basic plane and Chinese punctuation are
    proposed, at most :data:`MAX_CANDIDATES`.  A lost UTF-8 lead byte is taken
    for one of CJK's (E3-E9); a lead byte lost with a continuation byte, both
    bytes of a double-byte character, any byte of a four-byte sequence (UTF-8
    or GB18030: the rare ideographs of the other planes, and what a GBK byte
    F0-F4 read as a UTF-8 lead pretends to be) leave too much open: no
    candidates.

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
    if encoding != "utf-8":
        found = _pair_table(encoding).get(pattern, ())
    elif len(pattern) == 3 and pattern[1] is None and pattern[2] is None:
        found = _utf8_block(pattern[0])
    else:
        found = sorted(_matching(pattern), key=_rank().__getitem__)
    out = []
    for ch in found:
        if lost_in is None or _lost_by(ch.encode(encoding), pattern, lost_in):
            out.append(ch)
            if len(out) == MAX_CANDIDATES:
                break
    return tuple(out)


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
def _char_length(lead: int | None, nxt: int | None, encoding: str) -> int:
    """How many bytes a character starting with ``lead`` (``nxt`` after it)
    takes, 0 when none can start there (one length at most in these codecs)."""
    if encoding == "utf-8":
        return 3 if lead is None else _utf8_length(lead)
    if lead is None:
        return 2
    if lead < 0x80:
        return 1
    if lead == 0x80 or lead == 0xFF:
        return 0
    if encoding == "gb18030" and nxt is not None and 0x30 <= nxt <= 0x39:
        return 4
    return 2


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
    holes: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # (guessed character, its candidates)

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
    widths = _widths(encoding)
    if not errors:  # every character read: where each starts, from the widths in C
        try:
            starts = list(accumulate(map(widths.__getitem__, text), initial=0))
        except KeyError:  # a character not seen yet
            for ch in set(text) - widths.keys():
                widths[ch] = len(ch.encode(encoding))
            starts = list(accumulate(map(widths.__getitem__, text), initial=0))
        return text, list(zip(starts, starts[1:])), [False] * len(text)
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
        n = widths.get(ch) or widths.setdefault(ch, len(ch.encode(encoding)))
        spans.append((pos, pos + n))
        replaced.append(False)
        pos += n
    return text, spans, replaced


@cache
def _widths(encoding: str) -> dict[str, int]:
    """How many bytes each character seen takes in ``encoding`` (filled as
    characters are met, bounded by the character set: one look-up a character
    rather than one encoding)."""
    return {}


def plain_reading(data: bytes, encoding: str) -> Reading:
    """The reading of bytes without holes: ``data.decode(encoding, errors="replace")``."""
    text, spans, replaced = decode_spans(data, encoding)
    status = [LOST_CHAR if r else READ for r in replaced]
    posterior = [0.0 if r else 1.0 for r in replaced]
    return Reading(list(text), status, spans, posterior, list(range(len(data) + 1)))


def guesses_off(min_guess: float) -> bool:
    """No guess is kept: every character with lost bytes is written as U+FFFD."""
    return min_guess > GUESS_FLOOR + GUESS_SPAN


def _expand(tokens: list[int]) -> tuple[list[int | None], list[bool], list[int]]:
    """Byte values (None: unknown) and optional flags of the positions of
    ``tokens`` (a hole is one byte, optionally followed by a second one), and
    where each token starts (one more entry: the end)."""
    if HOLE not in tokens:  # single lost bytes only (a codec's U+FFFD): a position each
        values: list[int | None] = list(tokens)
        for k in _positions(tokens, HOLE_BYTE):
            values[k] = None
        return values, [False] * len(values), list(range(len(values) + 1))
    holes = [k for k, t in enumerate(tokens) if t < 0]  # HOLE and HOLE_BYTE
    values = []
    optional: list[bool] = []
    token_positions: list[int] = []
    # the surviving bytes between holes copied a stretch at a time (runs are
    # long, holes few: a loop over every byte was a tenth of the decoding)
    done = 0
    for k in [*holes, len(tokens)]:
        stretch = tokens[done:k]
        token_positions.extend(range(len(values), len(values) + len(stretch) + 1))  # and the hole's
        values.extend(stretch)
        optional.extend([False] * len(stretch))
        if k < len(tokens):
            if tokens[k] == HOLE:
                values += (None, None)
                optional += (False, True)
            else:
                values.append(None)
                optional.append(False)
        done = k + 1
    return values, optional, token_positions


def _reads(values: list, optional: list, n: int, i: int, k: int, open_end: bool) -> list[tuple[tuple, int]]:
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
        if optional[i]:
            stack.append((i + 1, k, acc))
        stack.append((i + 1, k - 1, (*acc, values[i])))
    return out


def _transitions(
    values: list, optional: list, n: int, i: int, encoding: str, open_end: bool, lost_in: str | None
) -> list[tuple[str, float, tuple, int]]:
    """The characters that may start at position ``i``: (character, score, pattern, end)."""
    length = _char_length(values[i], values[i + 1] if i + 1 < n else None, encoding)
    if not length:
        return []
    j = i + length
    if True in optional[i:j]:
        patterns = _reads(values, optional, n, i, length, open_end)
    elif j <= n:  # one pattern (nearly every position): read at once
        pattern = tuple(values[i:j])
        ch, score = _read_char(pattern, encoding, lost_in)
        return [] if ch is None else [(ch, score, pattern, j)]
    elif open_end:
        patterns = [(tuple(values[i:n]) + (None,) * (j - n), n)]
    else:
        return []
    found = []
    for pattern, end in patterns:
        ch, score = _read_char(pattern, encoding, lost_in)
        if ch is not None:
            found.append((ch, score, pattern, end))
    return found


def _backward(n: int, optional: list, transitions, order) -> tuple[list[float | None], list[tuple | None]]:
    """best[i]: the best score of a parse of positions i..n; choice[i]: its
    first character (None: the optional byte at i is skipped)."""
    best: list[float | None] = [None] * (n + 1)
    choice: list[tuple | None] = [None] * (n + 1)
    best[n] = 0.0
    for i in order:
        result = best[i + 1] if optional[i] else None
        pick = None
        for ch, score, pattern, j in transitions[i]:
            rest = best[j]
            if rest is None:
                continue
            total = score + rest
            if result is None or total > result:
                result, pick = total, (ch, pattern, j)
        best[i] = result
        choice[i] = pick
    return best, choice


def _parse(
    values: list, optional: list, n: int, encoding: str, open_end: bool, lost_in: str | None
) -> list[tuple[str, tuple, int, int]] | None:
    """The best parse of positions 0..n: (character, pattern, start, end) for each
    character (positions between two are skipped optional bytes); None if none."""
    # The characters that may start at each position reachable from the
    # start (in a run of surviving bytes the parse is forced: one position in
    # two of a double-byte stream is never reached), found left to right.
    transitions: dict[int, list[tuple[str, float, tuple, int]]] = {}
    reachable = bytearray(n + 1)
    reachable[0] = 1
    for i in range(n):
        if not reachable[i]:
            continue
        if optional[i]:
            reachable[i + 1] = 1  # a hole's optional second byte may be absent
        found = transitions[i] = _transitions(values, optional, n, i, encoding, open_end, lost_in)
        for t in found:
            reachable[t[3]] = 1
    if not reachable[n]:
        return None
    best, choice = _backward(n, optional, transitions, sorted(transitions, reverse=True))
    if best[0] is None:
        return None
    picks = []
    i = 0
    while i < n:
        pick = choice[i]
        if pick is None:
            i += 1
            continue
        ch, pattern, j = pick
        picks.append((ch, pattern, i, j))
        i = j
    return picks


# The bytes that may stand after the first of a character (its continuation or trail bytes).
_FOLLOWING = {
    "utf-8": frozenset(range(0x80, 0xC0)),
    "gbk": frozenset([*range(0x40, 0x7F), *range(0x80, 0xFF)]),
    "big5hkscs": frozenset([*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
}
# The surviving bytes that may not (None, an unknown byte, is in neither).
_NOT_FOLLOWING = {encoding: frozenset(range(0x100)) - following for encoding, following in _FOLLOWING.items()}


def _parse_split(
    values: list, optional: list, n: int, encoding: str, open_end: bool, lost_in: str | None
) -> list[tuple[str, tuple, int, int]] | None:
    """:func:`_parse`, cut where every parse starts a character: at a surviving
    byte that cannot follow another (after a surviving byte, for the
    double-byte codecs: a lost lead byte and any byte make a lost character).
    The stretches between are read apart, those without a hole by the codec:
    UTF-8 mojibake resynchronises at each lead byte, and read as Big5 its
    continuation bytes 80-A0 are no trail bytes."""
    if encoding == "utf-8":
        return _parse_utf8(values, optional, n, open_end, lost_in)
    return _parse_stretches(values, optional, n, encoding, open_end, lost_in, 0, n)


def _parse_utf8(
    values: list, optional: list, n: int, open_end: bool, lost_in: str | None
) -> list[tuple[str, tuple, int, int]] | None:
    """:func:`_parse_split` for UTF-8, found from the holes: the stretches that
    hold one (from the lead byte before it to the next) are parsed, the
    surviving bytes between them read in one decoding each, as the stretches
    there, valid together, would be one by one (the codec resynchronises at
    each lead byte); only where such bytes are no valid UTF-8 are they cut
    into stretches and read as :func:`_parse_split` reads them."""
    leading = _NOT_FOLLOWING["utf-8"]
    holey: list[tuple[int, int]] = []  # the stretches holding a hole, in order
    for h in _positions(values, None):
        if holey and h < holey[-1][1]:
            continue  # in the stretch of the hole before
        a = h
        while a > 0 and values[a] not in leading:
            a -= 1
        b = h + 1
        while b < n and values[b] not in leading:
            b += 1
        holey.append((a, b))
    picks: list[tuple[str, tuple, int, int]] = []
    pos = 0
    for a, b in [*holey, (n, n)]:
        if pos < a:  # surviving bytes only
            found = _read_whole(values[pos:a], pos, "utf-8")
            if found is None:
                found = _parse_stretches(values, optional, n, "utf-8", open_end, lost_in, pos, a)
                if found is None:
                    return None
            picks.extend(found)
        if a < b:
            found = _parse(values[a:b], optional[a:b], b - a, "utf-8", open_end and b == n, lost_in)
            if found is None:
                return None
            picks.extend([(ch, pattern, i + a, j + a) for ch, pattern, i, j in found])
        pos = b
    return picks


def _positions(items: list, value: object) -> list[int]:
    """Where ``items`` holds ``value`` (the few holes of a run), found in C.

    >>> _positions([0xE6, None, 0xAC, None], None)
    [1, 3]
    """
    out: list[int] = []
    at = -1
    while True:
        try:
            at = items.index(value, at + 1)
        except ValueError:
            return out
        out.append(at)


def _parse_stretches(
    values: list, optional: list, n: int, encoding: str, open_end: bool, lost_in: str | None, lo: int, hi: int
) -> list[tuple[str, tuple, int, int]] | None:
    """:func:`_parse_split` of the positions ``lo..hi``, cut into its stretches."""
    leading = _NOT_FOLLOWING[encoding]
    if encoding == "utf-8":
        cuts = [p for p in range(lo + 1, hi) if values[p] in leading]
    else:
        cuts = [p for p in range(lo + 1, hi) if values[p] in leading and values[p - 1] is not None]
    cuts = [lo, *cuts, hi]
    picks: list[tuple[str, tuple, int, int]] = []
    stretches = list(zip(cuts, cuts[1:]))
    k = 0
    while k < len(stretches):
        a, b = stretches[k]
        if encoding == "utf-8" and None not in values[a:b]:
            # UTF-8 stretches are one character each: the ones in a row without
            # a hole, valid together, are valid apart and read as they would
            # be apart (the codec resynchronises at each lead byte), in one call
            m = k
            while m + 1 < len(stretches) and None not in values[stretches[m + 1][0] : stretches[m + 1][1]]:
                m += 1
            if m > k:
                found = _read_whole(values[a : stretches[m][1]], a, encoding)
                if found is not None:
                    picks.extend(found)
                    k = m + 1
                    continue
        k += 1
        part = values[a:b]
        last = b == n
        if None not in part:
            found = _read_whole(part, a, encoding)
            if found is not None:
                picks.extend(found)
                continue
            if not (last and open_end):
                return None
        found = _parse(part, optional[a:b], b - a, encoding, open_end and last, lost_in)
        if found is None:
            return None
        picks.extend((ch, pattern, i + a, j + a) for ch, pattern, i, j in found)
    return picks


def _read_whole(part: list[int], at: int, encoding: str) -> list[tuple[str, tuple, int, int]] | None:
    """The characters of surviving bytes, as :func:`_parse` reads them (None if it
    cannot), each with an empty pattern: its bytes are all known, and only a
    pattern with unknown bytes is read again (:func:`decode_with_holes`), so
    no copy of them is made."""
    try:
        text = bytes(part).decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding == "utf-8":  # each character is its own encoding: where they start, found in C
        starts = list(accumulate(map(len, map(str.encode, text)), initial=0))
        return [(ch, _KNOWN, at + i, at + j) for ch, i, j in zip(text, starts, starts[1:])]
    out = []
    i = 0
    for ch in text:
        if i >= len(part):
            return None  # a pair read as two characters (Big5-HKSCS 88 62 is Ê̄): the parse reads it as none
        j = i + (len(ch.encode("utf-8")) if encoding == "utf-8" else 1 if part[i] < 0x80 else 2)
        if j > len(part):
            return None  # a pair read as two characters (Big5-HKSCS): the parse reads it as none
        out.append((ch, _KNOWN, at + i, at + j))
        i = j
    return out if i == len(part) else None


_KNOWN: tuple[int, ...] = ()  # the pattern of a character read whole (see _read_whole)


# Bytes that are neither the first byte of a UTF-8 character (_utf8_length) nor a
# continuation byte (80-BF): a parse must read every surviving byte as one or the other.
_NEVER_UTF8 = frozenset((0xC0, 0xC1, *range(0xF5, 0x100)))


def _unreadable_as_big5(tokens: list[int]) -> bool:
    """Does a byte 80 or FF, neither a lead nor a trail byte of Big5-HKSCS, stand
    at the start of ``tokens`` or after a surviving byte?  Then no parse reads
    it: it cannot start a character, nor end one with the byte before it (a
    lost byte before it could have been a lead: a lost character).  UTF-8
    continuation bytes tried as Big5, found in C.

    >>> _unreadable_as_big5([0xE4, 0xB8, 0x80]), _unreadable_as_big5([0xA4, HOLE, 0x80])
    (True, False)
    """
    for byte in (0x80, 0xFF):
        at = -1
        while True:
            try:
                at = tokens.index(byte, at + 1)
            except ValueError:
                break
            if at == 0 or tokens[at - 1] >= 0:
                return True
    return False


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
    if encoding == "utf-8" and not _NEVER_UTF8.isdisjoint(tokens):
        return None  # a byte no UTF-8 character holds: no parse (Big5 or GBK read as UTF-8, found in C)
    if encoding == "big5hkscs" and _unreadable_as_big5(tokens):
        return None
    values, optional, token_positions = _expand(tokens)
    n = len(values)
    if encoding in _FOLLOWING:
        picks = _parse_split(values, optional, n, encoding, open_end, lost_in)
    else:
        picks = _parse(values, optional, n, encoding, open_end, lost_in)
    if picks is None:
        return None
    # every character read, then those with unknown bytes (a few) guessed or lost
    chars = [pick[0] for pick in picks]
    spans = [(i, j) for _, _, i, j in picks]
    status = [READ] * len(picks)
    posterior = [1.0] * len(picks)
    holes: list[tuple[int, tuple[str, ...]]] = []
    for k in [k for k, pick in enumerate(picks) if None in pick[1]]:
        options = candidates(picks[k][1], encoding, lost_in)
        if not options:
            status[k], posterior[k] = LOST_CHAR, 0.0
        else:
            chars[k] = options[0]  # the likeliest character first: the context of its neighbours
            status[k], posterior[k] = GUESSED, 1.0 / len(options)
            holes.append((k, options[:FILL_CANDIDATES]))
    if True in optional:  # skipped optional bytes join the character before
        for k in range(1, len(spans)):
            if spans[k - 1][1] < spans[k][0]:
                spans[k - 1] = (spans[k - 1][0], spans[k][0])
    if spans and spans[-1][1] < n:
        spans[-1] = (spans[-1][0], n)
    reading = Reading(chars, status, spans, posterior, token_positions, holes)
    if fill:
        fill_guesses(reading, left, right)
    return reading


def _read_extent(values: list, optional: list, n: int, i: int, encoding: str) -> int:
    """One past the last position :func:`_transitions` reads from ``i``, or ``n + 1``
    when what it finds depends on where the positions end: every length tried,
    failed ones too (a lead byte that made no character before its trail byte
    was replaced may make one after), each optional byte skipped (the farthest
    a pattern reaches).

    >>> _read_extent([0xB0, 0x31, 0x81, 0x30], [False] * 4, 4, 0, "gb18030")
    4
    >>> _read_extent([0xB0, 0x31, 0x81], [False] * 3, 3, 0, "gb18030")
    4
    """
    nxt = values[i + 1] if i + 1 < n else None
    far = i + 2  # the lead and the byte after it choose the length
    pos, left = i, _char_length(values[i], nxt, encoding)
    while left:
        if pos >= n:
            return n + 1
        left -= not optional[pos]
        pos += 1
    return max(far, pos)


# The most positions one character covers: four bytes, and the optional
# byte after each hole among them skipped.
_MAX_SPAN = 8


class Splicer:
    """Best readings of ``tokens`` with unknown bytes inserted at one place or
    another (a character dropped without a trace: where was it?).

    The best parse of the bytes before each position and after it is found
    once (two passes); a reading with an insertion re-reads only the few
    positions around it, not the whole run, and of those only the ones whose
    characters reach the insertion (the others are read as the tokens were).
    """

    def __init__(self, tokens: list[int], encoding: str, lost_in: str | None = None):
        self.encoding, self.lost_in = encoding, lost_in
        self.values, self.optional, self.token_positions = _expand(tokens)
        n = self.n = len(self.values)
        trans = [_transitions(self.values, self.optional, n, i, encoding, False, lost_in) for i in range(n)]
        # how far the characters starting at i read: an insertion at or after
        # it leaves them as they are (see :func:`_read_extent`)
        self.reach = [_read_extent(self.values, self.optional, n, i, encoding) for i in range(n)]
        self.trans = trans
        self.best, self.choice = _backward(n, self.optional, trans, range(n - 1, -1, -1))
        # forward[i]: the best score of a parse of positions ..i; back[i]: its last step
        forward: list[float | None] = [None] * (n + 1)
        back: list[tuple | None] = [None] * (n + 1)
        forward[0] = 0.0
        for i in range(n):
            here = forward[i]
            if here is None:
                continue
            if self.optional[i] and (forward[i + 1] is None or here > forward[i + 1]):
                forward[i + 1], back[i + 1] = here, (i, None)
            for ch, score, pattern, j in trans[i]:
                total = here + score
                if forward[j] is None or total > forward[j]:
                    forward[j], back[j] = total, (i, (ch, pattern))
        self.forward, self.back = forward, back
        # (text, characters lost, guess gain) of the best readings before and after each position
        self._prefix: dict[int, tuple[str, int, float]] = {0: ("", 0, 0.0)}
        self._suffix: dict[int, tuple[str, int, float]] = {n: ("", 0, 0.0)}

    def _shown(self, ch: str, pattern: tuple) -> tuple[str, int, float]:
        """What a reading shows for a character, whether it is lost, and for a
        guess what its candidate scores in :func:`lm.relative_logp` beyond what
        it scored in the parse (see :func:`_read_char`)."""
        if None not in pattern:
            return ch, 0, 0.0
        options = candidates(pattern, self.encoding, self.lost_in)
        if not options:
            return LOST, 1, 0.0
        relative = lm.char_logp(options[0]) - lm.NEUTRAL_LOGP
        return options[0], 0, relative - _read_char(pattern, self.encoding, self.lost_in)[1]

    def _prefix_at(self, i: int) -> tuple[str, int, float]:
        chain = []
        while i not in self._prefix:
            j, step = self.back[i]
            chain.append((i, step))
            i = j
        text, lost, gain = self._prefix[i]
        for at, step in reversed(chain):
            if step is not None:
                shown, gone, more = self._shown(*step)
                text, lost, gain = text + shown, lost + gone, gain + more
            self._prefix[at] = (text, lost, gain)
        return text, lost, gain

    def _suffix_at(self, i: int) -> tuple[str, int, float]:
        chain = []
        while i not in self._suffix:
            pick = self.choice[i]
            chain.append((i, pick))
            i = i + 1 if pick is None else pick[2]
        text, lost, gain = self._suffix[i]
        for at, pick in reversed(chain):
            if pick is not None:
                shown, gone, more = self._shown(pick[0], pick[1])
                text, lost, gain = shown + text, lost + gone, gain + more
            self._suffix[at] = (text, lost, gain)
        return text, lost, gain

    def read(self, at: int | None = None, count: int = 0) -> tuple[str, int, float, float] | None:
        """(text, characters lost, score, guess gain) of the best reading with
        ``count`` unknown bytes inserted before token ``at`` (none: the tokens
        as they are), the likeliest candidate for each character with unknown
        bytes; None when no parse exists.  Of readings that score the same,
        another may be found than a decoding of the whole finds.

        The score is the parse's; the guess gain is what the guessed
        characters shown score in :func:`lm.relative_logp` beyond it, so that
        the parse score and the gain estimate the text's relative score
        without reading it again (:func:`.byteshift._with_dropped_pairs`)."""
        if at is None or count == 0:
            return None if self.best[0] is None else (*self._suffix_at(0)[:2], self.best[0], self._suffix_at(0)[2])
        p = self.token_positions[at]
        lo = max(0, p - _MAX_SPAN)
        hi = min(self.n, p + _MAX_SPAN + 2)
        # the positions lo..hi with the unknown bytes in, as a trial reads them
        values = self.values[lo:p] + [None] * count + self.values[p:hi]
        optional = self.optional[lo:p] + [False] * count + self.optional[p:hi]
        end = len(values)  # the end of the run if hi is, else never reached from below p + count
        edge = p - lo + count  # local positions from here on are the untouched bytes after p
        reach, whole_trans = self.reach, self.trans
        # best[q]: the best score from local position q to the end; from the
        # edge on, the untouched bytes' scores of the whole (local q is p + q - edge)
        best: list[float | None] = [None] * edge + self.best[p : hi + 1]
        choice: list[tuple | None] = [None] * edge
        for q in range(edge - 1, -1, -1):
            result = best[q + 1] if optional[q] else None
            pick = None
            if lo + q < p and reach[lo + q] <= p:  # read before the insertion: as the tokens were
                found, shift = whole_trans[lo + q], lo
            else:
                found, shift = _transitions(values, optional, end, q, self.encoding, False, self.lost_in), 0
            for ch, score, pattern, j in found:
                j -= shift
                after = best[j]
                if after is None:
                    continue
                total = score + after
                if result is None or total > result:
                    result, pick = total, (ch, pattern, j)
            best[q], choice[q] = result, pick
        top = None
        for q in range(0, p - lo + 1):  # every parse passes a position within _MAX_SPAN before p
            before, after = self.forward[lo + q], best[q]
            if before is not None and after is not None and (top is None or before + after > top[0]):
                top = (before + after, q)
        if top is None:
            return None
        q = top[1]
        text, lost, gain = self._prefix_at(lo + q)
        parts = [text]
        while q < edge:
            pick = choice[q]
            if pick is None:
                q += 1
                continue
            shown, gone, more = self._shown(pick[0], pick[1])
            parts.append(shown)
            lost += gone
            gain += more
            q = pick[2]
        tail, gone, more = self._suffix_at(q - edge + p)
        parts.append(tail)
        return "".join(parts), lost + gone, top[0], gain + more


def fill_guesses(reading: Reading, left: str = "", right: str = "") -> Reading:
    """Choose each guessed character of ``reading`` among its candidates by its
    context (``left`` and ``right`` extend it): the word model's score of the
    three characters on each side, and the probability of the choice."""
    chars, posterior = reading.chars, reading.posterior
    seen: dict[int, tuple[str, str]] = {}
    # Two sweeps: a hole next to another is chosen again once its neighbour is.
    for _sweep in range(2 if len(reading.holes) > 1 else 1):
        for k, options in reading.holes:
            before = (left + "".join(chars[max(0, k - 3) : k]))[-3:]
            after = ("".join(chars[k + 1 : k + 4]) + right)[:3]
            if seen.get(k) == (before, after):
                continue  # the same context chooses the same
            seen[k] = (before, after)
            top, posterior[k] = _choose(before, options, after)
            chars[k] = options[top]
    return reading


@lru_cache(maxsize=50_000)
def _choose(before: str, options: tuple[str, ...], after: str) -> tuple[int, float]:
    """The candidate that reads best between ``before`` and ``after``, and its probability."""
    if len(options) == 1:
        return 0, 1.0  # what the sums below give a lone candidate, without the word model
    # Ranked by the fast sums; candidates tied with the best up to their
    # rounding are summed exactly as the word model does, which decides.
    bonus = _unigram_bonus(options)
    scores = list(map(add, lm.word_logps_around(before, options, after), bonus))
    high = max(scores)
    near = [m for m, v in enumerate(scores) if v >= high - 1e-9]
    if len(near) > 1:
        exact = lm.word_logps_between(before, tuple(options[m] for m in near), after)
        for m, w in zip(near, exact):
            scores[m] = w + bonus[m]
        top = max(range(len(options)), key=scores.__getitem__)
    else:
        top = near[0]  # the one best
    best = scores[top]
    return top, 1.0 / sum([10 ** (v - best) for v in scores])


@lru_cache(maxsize=20_000)
def _unigram_bonus(options: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(0.1 * lm.char_logp(c) for c in options)


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


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_IS_CUT = partial(is_not, None)


def reading_edits(
    reading: Reading,
    source: list[tuple[int, int]],
    text: str,
    cause: str,
    confidence: float,
    recoverable: str,
    min_guess: float = 0.0,
    lost_as: str = LOST,
    refuse: Callable[[list[str], Callable[[int, int], str]], set[int]] | None = None,
    shifted: bool = False,
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
    characters are written ``lost_as``.  ``refuse``: given the damaged text
    of each piece and ``read(i, j)``, the text pieces ``i`` to ``j - 1`` read
    together (built only where asked), the pieces to leave as they were; the
    read text is what will be written when a guess is written as U+FFFD.

    ``shifted``: the damaged characters were read one byte out of phase (a
    byte shift), so they never share a boundary with the restored ones; a
    restored character then starts a piece where a damaged one starts a byte
    before it, the damaged character counted with the piece before.
    """
    start, end = source[0][1], source[-1][1]
    pieces, shared_at = _pieces(reading, source, start, end, shifted)

    def whole() -> list[Edit]:
        out = [lost_as if s == LOST_CHAR else c for c, s in zip(reading.chars, reading.status)]
        lengths = _piece_lengths(pieces, shared_at, out)
        edit = tight_edit(text, start, end, "".join(out), cause, confidence, recoverable, pieces=lengths)
        return [edit] if edit is not None else []

    if GUESSED not in reading.status and refuse is None:
        return whole()
    chars, status, posterior = reading.chars, reading.status, reading.posterior
    # which characters are guesses kept, and what each writes (once, not per piece)
    if GUESSED not in status:  # (most readings: every character read in full, or lost)
        kept = [False] * len(status)
        written = chars if LOST_CHAR not in status else [c if s == READ else lost_as for c, s in zip(chars, status)]
    else:
        kept = [s == GUESSED and GUESS_FLOOR + GUESS_SPAN * p >= min_guess for s, p in zip(status, posterior)]
        written = [
            c if s == READ or keep else (LOST if s == GUESSED else lost_as) for c, s, keep in zip(chars, status, kept)
        ]
    refused: set[int] = set()
    if refuse is not None:
        # judged as written: a guess written as U+FFFD does not make the reading read well
        judged = written if kept.count(True) < status.count(GUESSED) else chars

        def read(i: int, j: int) -> str:  # the pieces' characters are consecutive
            return "".join(judged[pieces[i][2].start : pieces[j - 1][2].stop])

        refused = refuse([text[a:b] for a, b, _ in pieces], read)
        if not refused and GUESSED not in status:
            return whole()
    edits: list[Edit] = []
    pending: list[tuple[int, int, range]] = []  # consecutive pieces without a guess kept

    def flush() -> None:
        if not pending:
            return
        a, b = pending[0][2].start, pending[-1][2].stop
        statuses = set(status[a:b])
        recov = "full" if statuses <= {READ} else ("none" if READ not in statuses else "partial")
        lengths = _piece_lengths(pending, shared_at, written)
        fixed = "".join(written[a:b])
        edit = tight_edit(text, pending[0][0], pending[-1][1], fixed, cause, confidence, recov, pieces=lengths)
        if edit is not None:
            edits.append(edit)
        pending.clear()

    for n, piece in enumerate(pieces):
        if n in refused:
            flush()
            continue
        idx = piece[2]
        if True not in kept[idx.start : idx.stop]:
            pending.append(piece)
            continue
        flush()
        conf = guess_confidence([posterior[k] for k in idx if kept[k]], confidence)
        out = "".join(written[idx.start : idx.stop])
        edit = tight_edit(text, piece[0], piece[1], out, cause, conf, "partial", guessed=True)
        if edit is not None:
            edits.append(edit)
    flush()
    return edits


def tight_edit(
    text: str,
    start: int,
    end: int,
    fixed: str,
    cause: str,
    conf: float,
    recov: str,
    guessed: bool = False,
    pieces: Sequence[tuple[int, int]] | None = None,
) -> Edit | None:
    """Trim the characters the run and its repair share at both ends (not a
    U+FFFD: the one written for a lost character is not the damaged one).
    ``pieces``: the edit's :attr:`~chinese_news_nlp.alignment.Edit.pieces`, untrimmed."""
    before = text[start:end]
    if before == fixed:
        return None
    a = 0
    while a < min(len(before), len(fixed)) and before[a] == fixed[a] != LOST:
        a += 1
    b = 0
    while b < min(len(before), len(fixed)) - a and before[len(before) - 1 - b] == fixed[len(fixed) - 1 - b] != LOST:
        b += 1
    kept = trim_pieces(pieces, a, b) if pieces else None
    return Edit(start + a, end - b, fixed[a : len(fixed) - b], cause, conf, recov, guessed, pieces=kept)


def _pieces(
    reading: Reading, source: list[tuple[int, int]], start: int, end: int, shifted: bool
) -> tuple[list[tuple[int, int, range]], set[int]]:
    """``(text start, text end, the indices of its characters: consecutive)`` of each piece
    of the damaged text ``[start, end)`` that maps onto characters of ``reading`` (see
    :func:`reading_edits`'s ``shifted``), and the text offsets of the damaged characters
    two restored ones share: read one byte out of phase, ``碧`` = B1 CC holds the last byte
    of ``”`` (A1 B1) and the first of ``蘇`` (CC D5); each such character begins the piece
    of the character whose first byte it holds."""
    # the position in the reading of each boundary of the damaged text, and its offset (built in C)
    offset_at = dict(zip(map(reading.token_positions.__getitem__, map(_FIRST, source)), map(_SECOND, source)))
    if not shifted:
        # a piece starts at every character but the first that starts where a damaged one does
        cut_at = list(map(offset_at.get, map(_FIRST, reading.spans)))
        cuts = list(compress(range(1, len(cut_at)), map(_IS_CUT, cut_at[1:])))
        offsets = [start, *map(cut_at.__getitem__, cuts), end]
        # (built in C: a piece a character, for most readings)
        return list(zip(offsets, offsets[1:], map(range, [0, *cuts], [*cuts, len(cut_at)]))), set()
    pieces, shared_at = [], set()
    piece_start, first = start, 0
    for k, (a, _b) in enumerate(reading.spans):
        cut, shared = offset_at.get(a), False
        if cut is None:
            cut, shared = offset_at.get(a - 1), True
        if k > first and cut is not None and cut > piece_start:
            pieces.append((piece_start, cut, range(first, k)))
            piece_start, first = cut, k
            if shared:
                shared_at.add(cut)
    pieces.append((piece_start, end, range(first, len(reading.spans))))
    return pieces, shared_at


def _piece_lengths(
    pieces: Sequence[tuple[int, int, range]], shared_at: set[int], written: Sequence[str]
) -> list[tuple[int, int]]:
    """The :attr:`~chinese_news_nlp.alignment.Edit.pieces` of consecutive ``pieces``: a shared
    damaged character (``shared_at``) a piece of its own with no new text, which the
    alignment lets the pieces on both sides cover."""
    # the lengths of what the characters write, summed once for all the pieces (a piece
    # is a character or two: a sum over each piece's slice was most of the cost)
    first = pieces[0][2].start
    ends = list(accumulate(map(len, written[first : pieces[-1][2].stop]), initial=0))
    if not shared_at:
        return [(b - a, ends[idx.stop - first] - ends[idx.start - first]) for a, b, idx in pieces]
    out = []
    for n, (a, b, idx) in enumerate(pieces):
        new = ends[idx.stop - first] - ends[idx.start - first]
        if n and a in shared_at and b > a:
            out += [(1, 0), (b - a - 1, new)]
        else:
            out.append((b - a, new))
    return out
