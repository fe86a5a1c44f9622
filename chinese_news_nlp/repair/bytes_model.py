"""Decode byte strings that have holes.

When mojibake went through a lossy decoder, each U+FFFD stands for one or two
bytes that are gone (Python's GBK decoder swallows two bytes when the second is
in the trail range, one otherwise).  :func:`decode_with_holes` finds the
parse of the surviving bytes and the holes that is most plausible as Chinese:
a character with one lost byte is chosen among the few the encoding allows
(``E4 ?? AD`` → 64 candidates) by the language model; a character with every
byte lost stays U+FFFD.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from . import lm

HOLE = -1  # a lost byte (or two: the parser decides)
# A hole is filled from the likeliest candidates alone (by character
# frequency): the context model picks among these.
FILL_CANDIDATES = 16
HOLE_BYTE = -2  # exactly one lost byte (half of a dropped private-use pair)
LOST = "\ufffd"

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


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


def _utf8_candidates(pattern: tuple[int | None, ...]) -> list[str]:
    """Characters whose UTF-8 bytes match ``pattern`` (None = any byte)."""
    options = []
    for pos, b in enumerate(pattern):
        if b is not None:
            options.append([b])
        elif pos == 0:
            options.append(list(range(0xE3, 0xEA)))  # CJK and CJK punctuation leads
        else:
            options.append(list(range(0x80, 0xC0)))
    if len(options[0]) > 1 and sum(len(o) > 1 for o in options) > 1:
        return []  # lead and a continuation byte both lost: too open to guess
    out = []
    for combo in _product(options):
        try:
            ch = bytes(combo).decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append(ch)
    return out


def _double_candidates(pattern: tuple[int | None, ...], encoding: str) -> list[str]:
    lead, trail = pattern
    if lead is None and trail is None:
        return []
    leads = [lead] if lead is not None else range(0x81, 0xFF)
    trails = [trail] if trail is not None else [t for t in range(0x40, 0xFF) if t != 0x7F]
    out = []
    for a in leads:
        for b in trails:
            try:
                ch = bytes((a, b)).decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append(ch)
    return out


def _product(options: list[list[int]]):
    if not options:
        yield ()
        return
    for head in options[0]:
        for rest in _product(options[1:]):
            yield (head, *rest)


@lru_cache(maxsize=50_000)
def candidates(pattern: tuple[int | None, ...], encoding: str, lost_in: str | None = None) -> tuple[str, ...]:
    """Characters of ``encoding`` matching a byte pattern with unknown bytes.

    ``lost_in``: the codec whose decoder lost the unknown bytes.  It loses a
    byte only where the byte and the next one make no character of its own
    (``A4 40``, 一 in Big5, is a GBK character and would have been read as
    one; ``A1 41``, ，in Big5, is not and was lost): candidates it would have
    read are dropped.
    """
    if encoding == "utf-8":
        found = _utf8_candidates(pattern)
    else:
        found = _double_candidates(pattern, encoding)
    if lost_in is not None:
        found = [ch for ch in found if _lost_by(ch.encode(encoding), pattern, lost_in)]
    found = [ch for ch in found if lm.is_han(ch) or ch in lm.CJK_PUNCT]
    found.sort(key=lm.char_logp, reverse=True)
    return tuple(found[:40])


def _lost_by(data: bytes, pattern: tuple[int | None, ...], codec: str) -> bool:
    for i in range(len(pattern) - 1):
        if pattern[i] is None and pattern[i + 1] is not None:
            try:
                bytes((data[i], data[i + 1])).decode(codec)
            except UnicodeDecodeError:
                continue
            return False
    return True


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


def decode_with_holes(
    tokens: list[int],
    encoding: str,
    fill: bool = True,
    left: str = "",
    right: str = "",
    open_end: bool = False,
    lost_in: str | None = None,
) -> tuple[str, int, int] | None:
    """Best reading of ``tokens`` (bytes and :data:`HOLE`) in ``encoding``.

    Returns ``(text, recovered, lost)``: the text (lost characters as U+FFFD),
    the number of characters filled from candidates, the number lost; or None
    when no parse exists.  ``open_end``: the bytes may stop inside a character
    (its trail byte was read as the ASCII after the run, ``簟C`` of ``停水。``);
    the missing bytes are unknown.  ``lost_in``: see :func:`candidates`.
    """
    # Each hole is one byte, optionally followed by a second one.
    expanded: list[tuple[int | None, bool]] = []
    for t in tokens:
        if t == HOLE:
            expanded.append((None, False))
            expanded.append((None, True))
        elif t == HOLE_BYTE:
            expanded.append((None, False))
        else:
            expanded.append((t, False))
    n = len(expanded)
    memo: dict[int, tuple[float, list] | None] = {}

    def reads(i: int, k: int, acc: tuple) -> list[tuple[tuple, int]]:
        if k == 0:
            return [(acc, i)]
        if i >= n:
            return [(acc + (None,) * k, n)] if open_end and acc else []
        b, optional = expanded[i]
        out = reads(i + 1, k - 1, acc + (b,))
        if optional:
            out += reads(i + 1, k, acc)
        return out

    def best(i: int):
        if i >= n:
            return (0.0, [])
        if i in memo:
            return memo[i]
        b, optional = expanded[i]
        result = None
        if optional:  # a hole's optional second byte may be absent
            result = best(i + 1)
        nxt = expanded[i + 1][0] if i + 1 < n else None
        for length in _char_length(b, nxt, encoding):
            for pattern, j in reads(i, length, ()):
                ch, score = _read_char(pattern, encoding, lost_in)
                if ch is None:
                    continue
                rest = best(j)
                if rest is None:
                    continue
                total = score + rest[0]
                if result is None or total > result[0]:
                    result = (total, [(ch, pattern)] + rest[1])
        memo[i] = result
        return result

    for i in range(n - 1, -1, -1):  # fill the memo bottom-up: no deep recursion
        best(i)
    found = best(0)
    if found is None:
        return None
    chars = found[1]
    text = [ch for ch, _ in chars]
    recovered = lost = 0
    holes: list[tuple[int, tuple[str, ...]]] = []
    for k, (_ch, pattern) in enumerate(chars):
        if None not in pattern:
            continue
        options = candidates(pattern, encoding, lost_in)
        if not options:
            lost += 1
            continue
        text[k] = options[0]  # the likeliest character first: the context of its neighbours
        recovered += 1
        holes.append((k, options[:FILL_CANDIDATES]))
    if fill:
        # Two sweeps: a hole next to another is chosen again once its neighbour is.
        for _sweep in range(2 if len(holes) > 1 else 1):
            for k, options in holes:
                before = (left + "".join(text[:k]))[-3:]
                after = ("".join(text[k + 1 :]) + right)[:3]
                text[k] = max(options, key=lambda c: lm.word_logp(before + c + after) + 0.1 * lm.char_logp(c))
    return "".join(text), recovered, lost


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
