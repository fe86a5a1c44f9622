"""GB18030 byte shift: ``?!鄙虾H醫`` was ``。”上海國際醫``.

A GB18030 byte stream lost one byte at a sentence end (the lead byte of
``。`` A1 A3, or of ``！`` A3 A1 / ``？`` A3 BF); the rest of the run was decoded
one byte out of phase, unmappable pairs became U+FFFD and private-use
characters, and the text was then folded to half width (``！`` → ``!``).  The
decoder falls back in phase by itself after a character whose second byte is
ASCII (``際`` = EB 48 leaves a visible ``H``) or after a U+FFFD.

Repair (:func:`fix_byte_shifts`): at a ``?`` after Chinese text, undo the
folding (inside the run an ASCII character is half of a full-width pair A3 xx,
a space is A1 A1, a ``?`` is a lost byte), put the lost lead byte back, decode,
and try every place the decoder may have resynchronised; keep the reading the
language model likes best, if it beats the text as it stands by a clear margin.
Characters whose bytes are gone are filled only from the few candidates their
surviving byte allows (``來`` from 81 ??), else left out and the span reported
as partially recovered.

Where a private-use pair of the shifted bytes was dropped (it decoded to a
character of GBK's user areas), the characters on each side of it read as
one, often a real one (``公司`` read ``咕``): a character read from surviving
bytes that the word model likes less than the pair it may be the merge of is
a guess, and where the pair reads clearly better it is written, as a guess
(:func:`_doubt_merged_characters`).

The same machinery repairs a pinyin reading pasted *inside* a character
(``變?yōu)楫a`` → ``變為產``): the lead byte of ``為`` and the ``(`` became one
``?``; the characters after ``)`` are out of phase by one byte.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ..alignment import Edit
from . import lm
from .bytes_model import (
    GUESSED,
    HOLE,
    HOLE_BYTE,
    LOST,
    READ,
    Reading,
    Splicer,
    _pair_table,
    decode_with_holes,
    fill_guesses,
    guesses_off,
    plain_reading,
    reading_edits,
)
from .data import split_lines
from .pinyin import ANNOTATION, MISALIGNED, looks_like_reading

# Lead bytes a sentence end loses: 。 = A1 A3; ！ = A3 A1; ？ = A3 BF.
SENTENCE_END_LEADS = (0xA1, 0xA3)
ANY_LEAD = tuple(range(0x81, 0xFF))
MAX_ENDS = 40
MIN_GAIN = 3.0


def _char_bytes(ch: str, resync: bool) -> list[int] | None:
    """The bytes of one character of a folded, shifted run (see module doc);
    ``resync``: the run's last character, where ASCII stands for itself (the
    decoder was back in phase).  None if impossible."""
    if ch in "?\ufffd":
        return [HOLE]
    if resync and ch.isascii():
        return [ord(ch)]
    if ch == " ":
        return [0xA1, 0xA1]
    if "!" <= ch <= "~":
        return [0xA3, ord(ch) + 0x80]
    try:
        return list(ch.encode("gb18030"))
    except UnicodeEncodeError:
        return None


def _template(run: str, last_is_resync: bool) -> tuple[list[int], list[int]] | None:
    """Bytes of a folded, shifted run (see module doc), and where each character
    of ``run`` starts in them (one more entry: the end); None if impossible."""
    out: list[int] = []
    starts: list[int] = []
    for k, ch in enumerate(run):
        starts.append(len(out))
        found = _char_bytes(ch, last_is_resync and k == len(run) - 1)
        if found is None:
            return None
        out.extend(found)
    starts.append(len(out))
    return out, starts


# _char_bytes of each character met inside a run (not its last), by character: a
# table bounded by the character set, one look-up a character rather than one
# encoding (do not change the lists).
_RUN_BYTES: dict[str, list[int]] = {}


class _LineBytes:
    """:data:`_RUN_BYTES` of each character of a line, end to end, found once for the line:
    the :class:`_Templates` of each ``?`` of a long line are slices of it, not a pass over
    the rest of the line each (up to its fortieth ASCII character)."""

    def __init__(self, line: str):
        self.flat: list[int] = []
        self.at: list[int] = []  # where each character's bytes start in flat (one more entry: the end)
        self.impossible: list[int] = []  # the characters without bytes (none in flat)
        known = _RUN_BYTES
        for k, ch in enumerate(line):
            self.at.append(len(self.flat))
            found = known.get(ch)
            if found is None:
                found = _char_bytes(ch, False)
                if found is None:
                    self.impossible.append(k)
                    continue
                known[ch] = found
            self.flat.extend(found)
        self.at.append(len(self.flat))


class _Templates:
    """:func:`_template` of the prefixes of ``text[start:stop]`` (``last_is_resync``): the
    runs a shift may end with are prefixes of the longest one, and only their
    last character is read differently, so the bytes of each character are
    found once rather than once per candidate end (``line_bytes``: those of
    ``text``, when known)."""

    def __init__(self, text: str, start: int = 0, stop: int | None = None, line_bytes: _LineBytes | None = None):
        stop = len(text) if stop is None else stop
        if line_bytes is None:
            text, start, stop = text[start:stop], 0, stop - start
            line_bytes = _LineBytes(text)
        self.text, self.start, self.line_bytes = text, start, line_bytes
        self.base = line_bytes.at[start]
        # how many prefixes have their characters before the last all possible: up to the
        # first impossible character, and that one as the last
        k = bisect_left(line_bytes.impossible, start)
        impossible = line_bytes.impossible[k] if k < len(line_bytes.impossible) else stop
        self.available = impossible - start + 1 if impossible < stop else stop - start

    def tokens(self, length: int) -> list[int] | None:
        """The bytes of :meth:`of` alone."""
        if length == 0:
            return []
        if self.available < length:
            return None  # a character before the last is impossible
        last = _char_bytes(self.text[self.start + length - 1], True)
        if last is None:
            return None
        return self.line_bytes.flat[self.base : self.line_bytes.at[self.start + length - 1]] + last

    def of(self, length: int) -> tuple[list[int], list[int]] | None:
        """``_template(text[start:stop][:length], last_is_resync=True)``.

        >>> _Templates("上?A").of(3) == _template("上?A", True)
        True
        >>> _Templates("中文上?A", 2, 5, _LineBytes("中文上?A")).of(3) == _template("上?A", True)
        True
        """
        tokens = self.tokens(length)
        if tokens is None:
            return None
        if length == 0:
            return tokens, [0]
        at, base = self.line_bytes.at, self.base
        starts = [a - base for a in at[self.start : self.start + length]]
        return tokens, [*starts, len(tokens)]


def _decode(tokens: list[int], fill: bool, left: str = "", right: str = "") -> Reading | None:
    if HOLE not in tokens and HOLE_BYTE not in tokens:
        return plain_reading(bytes(tokens), "gb18030")
    return decode_with_holes(tokens, "gb18030", fill=fill, left=left, right=right)


# A private-use character (a pair in GBK's user areas) that the damaged text
# dropped: two bytes gone without a trace.  Tried at each character boundary.
DROPPED_PAIR = [HOLE_BYTE, HOLE_BYTE]
DROP_PENALTY = 4.0
# A plain decoding is suspected of a dropped pair only when it holds a
# character this rare (004: unseen readings; 深水埗 keeps its rare 埗 at 1.95).
DROP_TRIGGER_LOGP = 1.5
DOUBLE_DROP_TRIALS = 3
# A lost character scores -2.0 in the parse (:func:`.bytes_model._read_char`), U+FFFD's relative score in the text.
LOST_BEYOND_PARSE = lm.char_logp(LOST) - lm.NEUTRAL_LOGP + 2.0


# Estimates of two readings' scores this close are both replaced by the exact
# scores before they are compared (the estimate sums the same terms in another
# order: it is off by the last bits of rounding, some 1e-13).
EXACT_MARGIN = 1e-6


def _with_dropped_pairs(starts: list[int], score_at, exact_at=None) -> tuple[float, tuple[int, int]]:
    """Insert up to two dropped pairs where they make the run read best: (score,
    (where, pairs)); ``starts``: where the run's characters start in its bytes;
    ``score_at(where, pairs)``: the score of the run with the pairs inserted.

    With ``exact_at``, ``score_at`` may be an estimate within
    :data:`EXACT_MARGIN` of the score, and ``exact_at`` gives it exactly: every
    comparison the choice depends on is then made on exact scores (those of
    the readings that come within the margin of the best or of each other), so
    the choice and its score are those of exact scores throughout."""
    exact = exact_at or score_at
    best = (exact(0, 0), (0, 0))
    singles = [(score_at(b, 1) - DROP_PENALTY, b) for b in starts[1:-1]]
    if exact_at is not None and singles:
        # the three best (doubles are tried there) and the best single are
        # among those within the margin of the third best estimate: made exact
        third = sorted((v for v, _ in singles), reverse=True)[:DOUBLE_DROP_TRIALS][-1]
        singles = [(exact(b, 1) - DROP_PENALTY, b) if v >= third - EXACT_MARGIN else (v, b) for v, b in singles]
    singles.sort(key=lambda t: t[0], reverse=True)
    # Two pairs are tried only where one pair already read best (a third of the decodings).
    doubles = [(score_at(b, 2) - DROP_PENALTY * 2, b) for _, b in singles[:DOUBLE_DROP_TRIALS]]
    for found, b in singles:
        if found > best[0]:
            best = (found, (b, 1))
    if exact_at is not None and any(found >= best[0] - EXACT_MARGIN for found, _ in doubles):
        doubles = [(exact(b, 2) - DROP_PENALTY * 2, b) for _, b in doubles]
    for found, b in doubles:
        if found > best[0]:
            best = (found, (b, 2))
    return best


def _scored(tokens: list[int], must_start: str | None) -> tuple[float, str, Reading | None] | None:
    """The score of the text ``tokens`` decode to, that text, and the unfilled
    reading of tokens with holes (None: no reading, or one that does not start
    with ``must_start``).  The reading chosen is filled, not parsed again."""
    if must_start and len(tokens) > 1 and tokens[1] >= 0x40 and tokens[0] >= 0x81:
        # the first character is these two bytes in every reading: check it first
        try:
            if bytes(tokens[:2]).decode("gb18030") not in must_start:
                return None
        except UnicodeDecodeError:
            pass
    decoded = None
    if HOLE not in tokens and HOLE_BYTE not in tokens:
        text = bytes(tokens).decode("gb18030", errors="replace")
        lost = text.count(LOST)  # the template writes no U+FFFD of its own: each is a byte not read
    else:
        decoded = decode_with_holes(tokens, "gb18030", fill=False)
        if decoded is None:
            return None
        text, lost = decoded.text, decoded.lost
    if must_start and not text.startswith(tuple(must_start)):
        return None
    return lm.relative_logp(text) - 2.0 * lost, text, decoded


_ASCII_CHAR = re.compile(r"[\x00-\x7f]")


# How far past its ``?`` a shifted run is read, beyond the first place it may end.  The longest
# run repaired on mojibake_dev and the seeds is 120 characters (the longest tried, 162), so no
# such line changes; without a bound, a long line without breaks was quadratic: each ``?``
# read a run to each of its next 40 ASCII characters and to the line's end, and a line of
# 160,000 characters with a ``?`` every 370 took 50 s, now 0.8 s (tests/test_repair.py counts it).
MAX_RUN = 2_000


def _candidate_ends(line: str, start: int) -> list[int]:
    """Where the shifted run may end: after an ASCII character, or a pinyin reading, or at the
    line's end; none but the first more than :data:`MAX_RUN` characters after ``start``.

    >>> _candidate_ends("上A中B", 0)
    [2, 4]
    >>> far = "上" * MAX_RUN
    >>> _candidate_ends("A" + far + "B" + far, 0), _candidate_ends(far + "B", 0) == [MAX_RUN + 1]
    ([1], True)
    """
    ends = []
    k = start
    n = len(line.rstrip("\r\n"))
    stopped = False
    while k < n and len(ends) < MAX_ENDS and not stopped:
        # only ASCII characters end a run or stop the search: the others skipped in one scan
        # (a character at a time, this was a pass over the rest of a long line at each ``?``)
        found = _ASCII_CHAR.search(line, k, n)
        if found is None:
            break
        k = found.start()
        if ends and k - start >= MAX_RUN:
            break  # (this end and any after it are beyond the bound)
        ch = line[k]
        if ch == "(" and k > start and _intact_reading(line, k):
            stopped = True  # an intact pinyin reading: the damage did not reach it
            break
        if ch.isascii() and ch not in " ":
            m = MISALIGNED.match(line, k) if ch == "?" else None
            if m and looks_like_reading(m.group(1)):
                ends.append(m.end())
                k = m.end()
                continue
            ends.append(k + 1)
            if ch == "?" and k + 1 < n and line[k + 1].isascii():
                stopped = True  # a lost byte before ASCII: the decoder was back in phase here
                break
        k += 1
    if not stopped and n > start and n not in ends and (not ends or n - start <= MAX_RUN):
        ends.append(n)
    return ends


def _intact_reading(line: str, k: int) -> bool:
    m = ANNOTATION.match(line, k)
    return m is not None and looks_like_reading(m.group(1))


@dataclass
class _Shift:
    """The best reading of a shifted run ``line[p:end]``."""

    score: float
    end: int
    tokens: list[int]
    source: list[tuple[int, int]]  # (token index, line offset) at each character boundary of line[p:end]
    lead_posterior: float  # the probability of the lead byte put back, among the leads tried
    unfilled: Reading | None = None  # the reading of ``tokens`` as scored, its holes not yet filled


def _run_lengths(line: str, run_start: int, stop: int) -> Callable[[int], int]:
    """``length(end)``: how many characters of ``line[run_start:end]`` (``end`` up to ``stop``)
    the shifted run read from holds: a misaligned pinyin reading that ends the run is cut off
    (the ``?`` is the lost byte; the reading goes), if it is the run's first such match.

    Searched once for all the ends rather than in each run (a pass over a long line for
    each of its up to 40 ends): a match holds no ``?`` after its first character, so the
    matches in ``line`` do not overlap, and the first in ``line[run_start:end]`` is the
    first of ``line[run_start:stop]`` whenever that one ends by ``end`` (there is none
    otherwise: any other ends later).

    >>> length = _run_lengths("中?yè)上?ye)大", 1, 11)
    >>> length(2), length(5), length(11)
    (1, 1, 10)
    """
    first = MISALIGNED.search(line, run_start, stop)
    cut = first.end() if first and looks_like_reading(first.group(1)) else -1

    def length(end: int) -> int:
        return first.start() + 1 - run_start if end == cut and first else end - run_start

    return length


# Below this many characters summed over the candidate ends, each end's rest is just summed.
REST_ESTIMATE_FROM = 2_000


def _is_debris_ascii(ch: str) -> bool:
    """Can ``ch`` be debris to :func:`.lm.relative_logp` (ASCII, not a space)?"""
    return ch < "\x80" and ch != " "


class _Rests:
    """``lm.relative_logp(line[end:horizon])``, the score of what follows a reading, for
    each candidate ``end`` of one shifted run.

    Summed afresh for every end, a long line without breaks cost up to 40 sums of tens of
    thousands of characters at each ``?`` (quadratic: 100,000 characters, a ``?`` every
    1,000, spent 9 s of 15 there).  :meth:`contenders` tells which readings may be the best
    from an estimate that sums the line once, and only theirs are summed exactly.

    The estimate cuts ``line[end:horizon]`` where no character's score depends on the cut:
    neither side of it is ASCII other than a space (the debris :func:`.lm.relative_logp`
    scores is one to three such characters between two non-ASCII ones: none crosses such
    a cut, and each keeps its neighbours).  Then the pieces' exact sums add up to the
    whole's in real numbers, and the floats differ by rounding only: :attr:`slack` bounds
    that, from the sum of the terms' magnitudes.  One cut after each end (the first clean
    place), so one piece runs from each cut to the next and the pieces are summed once.
    """

    def __init__(self, line: str, ends: list[int], horizon: int):
        self.line, self.horizon = line, horizon
        self._exact: dict[int, float] = {}
        self.estimate: dict[int, float] | None = None
        if len(ends) < 2 or sum(horizon - end for end in ends) < REST_ESTIMATE_FROM:
            return  # (few or short sums: all exact, as cheap)
        cuts, cut = [], ends[0]
        for end in ends:
            cut = min(max(cut, end), horizon)
            while cut < horizon and (_is_debris_ascii(line[cut - 1]) or _is_debris_ascii(line[cut])):
                cut += 1
            cuts.append(cut)
        after = {horizon: 0.0}  # from each cut to the horizon: the pieces after it, added from the right
        for a, b in zip(reversed(cuts), [horizon, *reversed(cuts)]):
            if a not in after:
                after[a] = lm.relative_logp(line[a:b]) + after[b]
        self.estimate = {end: lm.relative_logp(line[end:cut]) + after[cut] for end, cut in zip(ends, cuts)}
        # |estimate - exact| for any end: each is within (terms + pieces) rounding units of the
        # sum of the terms' magnitudes (a term is char_logp - NEUTRAL_LOGP, or the debris
        # score 1.0 - NEUTRAL_LOGP); taken four times over
        window = line[min(ends) : horizon]
        magnitude = sum(map(abs, lm.char_logps(window))) + len(window) * (lm.NEUTRAL_LOGP + 1.0)
        self.slack = 4.0 * (len(window) + len(cuts) + 8) * 2.0**-53 * magnitude
        self.magnitude = magnitude

    def likely(self, end: int) -> float:
        """The estimate of the rest after ``end``, where there is one; else the exact rest."""
        return self.exact(end) if self.estimate is None else self.estimate[end]

    def exact(self, end: int) -> float:
        """``lm.relative_logp(line[end:horizon])``."""
        rest = self._exact.get(end)
        if rest is None:
            rest = self._exact[end] = lm.relative_logp(self.line[end : self.horizon])
        return rest

    def contenders(self, tried: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
        """The readings of ``tried`` (score, end, lead), in order, that may score best with
        their rest: all of them without an estimate; else those whose estimated total is
        within twice the slack of the best estimated one.  Any other scores less than that
        one, exactly (the first best of all is among those returned)."""
        if self.estimate is None:
            return tried
        estimate = self.estimate
        totals = [score + estimate[end] for score, end, _ in tried]
        if not all(map(math.isfinite, totals)) or not math.isfinite(self.slack):
            return tried  # (no bound on the rounding: all exact)
        # each total's own rounding, beside its rest's: a few units of its magnitude
        largest = max(abs(score) for score, _, _ in tried) + self.magnitude
        margin = 2.0 * (self.slack + 4.0 * 2.0**-53 * largest)
        top = max(totals)
        return [t for t, total in zip(tried, totals) if total >= top - margin]


def _best_reading(
    line: str,
    p: int,
    run_start: int,
    leads: tuple[int, ...],
    must_start: str | None,
    line_bytes: _LineBytes | None = None,
):
    """The best :class:`_Shift` for a shifted run ``line[run_start:end]`` replacing
    ``line[p:end]``, and the score of the text as it stands."""
    ends = _candidate_ends(line, run_start)
    if not ends:
        return None
    horizon = min(len(line.rstrip("\r\n")), max(ends) + 4)
    lead_scores: dict[int, list[float]] = {}
    templates = _Templates(line, run_start, max(ends), line_bytes)
    run_length = _run_lengths(line, run_start, max(ends))
    rest_of = _Rests(line, ends, horizon)
    tried: list[tuple[float, int, int]] = []  # (score, end, lead) of each reading that decodes, in the order tried
    # the decoding of the likeliest winner (by the estimate), kept: the others' are not, up
    # to 40 ends times 126 leads of a long line
    kept: tuple[float, int, int, tuple[float, str, Reading | None]] | None = None
    for end in ends:
        tokens = templates.tokens(run_length(end))  # the run is a prefix of the longest
        if tokens is None:
            continue
        for lead in leads:
            found_score = _scored([lead, *tokens], must_start)
            if found_score is None:
                continue
            lead_scores.setdefault(end, []).append(found_score[0])
            tried.append((found_score[0], end, lead))
            likely = found_score[0] + rest_of.likely(end)
            if kept is None or likely > kept[0]:
                kept = (likely, end, lead, found_score)
    if kept is None:
        return None
    # The reading that scores best with what follows it (the first of equals), exactly as
    # comparing each reading's score + rest in turn chose it.
    best: tuple[float, int, int] | None = None  # (score + rest, end, lead)
    for read_score, read_end, read_lead in rest_of.contenders(tried):
        total = read_score + rest_of.exact(read_end)
        if best is None or total > best[0]:
            best = (total, read_end, read_lead)
    assert best is not None  # (tried holds one reading or more: contenders keeps the best)
    score, end, lead = best
    rest = rest_of.exact(end)
    run = line[run_start : run_start + run_length(end)]
    found = templates.of(len(run))
    if found is None:
        raise AssertionError("a reading that decoded no longer does")
    tokens, starts = found
    # (a winner the estimate did not foresee is decoded again: the same text and reading)
    found_score = kept[3] if (kept[1], kept[2]) == (end, lead) else _scored([lead, *tokens], must_start)
    if found_score is None:
        raise AssertionError("a reading that decoded no longer does")
    plain_score, plain_text, unfilled = found_score
    top = max(lead_scores[end])
    lead_posterior = 1.0 / sum(10 ** (s - top) for s in lead_scores[end])
    inserted = (0, 0)
    if len(run) > 2 and min(map(lm.char_logp, plain_text)) < DROP_TRIGGER_LOGP:
        splicer = Splicer([lead, *tokens], "gb18030")
        reads: dict[tuple[int, int], tuple[str, int, float, float] | None] = {}

        def read_at(b: int, pairs: int) -> tuple[str, int, float, float] | None:
            key = (b, pairs)
            if key not in reads:
                read = splicer.read(1 + b, len(DROPPED_PAIR) * pairs)
                ok = read is not None and not (must_start and not read[0].startswith(tuple(must_start)))
                reads[key] = read if ok else None
            return reads[key]

        def exact_at(b: int, pairs: int) -> float:
            if not pairs:
                return plain_score
            read = read_at(b, pairs)
            return -1e9 if read is None else lm.relative_logp(read[0]) - 2.0 * read[1]

        def estimate_at(b: int, pairs: int) -> float:
            """exact_at from the parse: its score, what the guesses and the lost
            characters score beyond it, and the debris (see Splicer.read)."""
            read = read_at(b, pairs)
            if read is None:
                return -1e9
            text, lost, parsed, gain = read
            return parsed + gain + LOST_BEYOND_PARSE * lost + lm.debris_adjustment(text) - 2.0 * lost

        pair_score, inserted = _with_dropped_pairs(starts, estimate_at, exact_at)
        where, pairs = inserted
        if pairs:
            tokens = tokens[:where] + DROPPED_PAIR * pairs + tokens[where:]
        score = pair_score + rest
    # Where the characters of line[p:end] start in the tokens: the lead byte
    # stands for line[p:run_start]; a dropped pair sits between two characters.
    where, pairs = inserted
    source = [(0, p)]
    for k, t in enumerate(starts[:-1]):
        if pairs and t == where:
            source.append((1 + t, run_start + k))
        source.append((1 + t + (2 * pairs if pairs and t >= where else 0), run_start + k))
    source.append((1 + len(tokens), end))  # a pinyin tail cut from the run ends with it
    baseline = lm.relative_logp(line[p:horizon].replace("?", "？", 1))
    return _Shift(score, end, [lead, *tokens], source, lead_posterior, None if pairs else unfilled), baseline


def fix_byte_shifts(text: str, min_guess: float = 0.0) -> list[Edit]:
    """Repair runs after a lost sentence-end lead byte, and misaligned pinyin readings.

    ``min_guess``: see :func:`.bytes_model.reading_edits`; above every guess's
    confidence (``lost_bytes="replace"``) characters whose bytes are gone are
    written as U+FFFD, not left out.
    """
    edits: list[Edit] = []
    pos = 0
    for line in split_lines(text):
        edits.extend(_fix_line(line, pos, min_guess))
        pos += len(line)
    return edits


def _fix_line(line: str, offset: int, min_guess: float) -> list[Edit]:
    edits = []
    p = line.find("?")
    line_bytes = None  # (found at the first ``?`` that may start a shift, for all of them)
    while p != -1:
        next_p = p + 1
        if p > 0 and (lm.looks_chinese(line[p - 1]) or line[p - 1].isdigit()) and p + 1 < len(line.rstrip("\r\n")):
            line_bytes = line_bytes or _LineBytes(line)
            m = MISALIGNED.match(line, p)
            if m and looks_like_reading(m.group(1)) and lm.is_han(line[p - 1]):
                found = _best_reading(line, p, m.end(), ANY_LEAD, None, line_bytes)
                cause = "pinyin-annotation-misaligned"
            else:
                found = _best_reading(line, p, p + 1, SENTENCE_END_LEADS, "。！？", line_bytes)
                cause = "gb18030-byte-shift"
            if found is not None:
                shift, baseline = found
                if shift.score >= baseline + MIN_GAIN:
                    end, tokens = shift.end, shift.tokens
                    run = line[p:end]
                    left, right = line[max(0, p - 3) : p], line[end : end + 3]
                    if shift.unfilled is not None:  # the tokens scored: their parse is known
                        reading = fill_guesses(shift.unfilled, left, right)
                    else:
                        reading = _decode(tokens, fill=True, left=left, right=right)
                    if reading is not None:
                        if cause == "pinyin-annotation-misaligned" and reading.status[0] == READ:
                            # the lead byte lost with the "(" was chosen among all leads: a guess
                            reading.status[0] = GUESSED
                            reading.posterior[0] = shift.lead_posterior
                        if cause == "gb18030-byte-shift":
                            _doubt_merged_characters(reading, left, right)
                        partial = (
                            reading.recovered
                            or reading.lost
                            or cause != "gb18030-byte-shift"
                            or HOLE_BYTE in tokens
                            or "?" in run[1:]
                        )
                        conf = round(min(0.99, 0.6 + (shift.score - baseline) / 40), 2)
                        recov = "partial" if partial else "full"
                        # characters whose bytes are all gone are left out, unless guesses are off
                        lost_as = LOST if guesses_off(min_guess) else ""
                        found_edits = _doubted_beside_guesses(
                            reading_edits(
                                reading, shift.source, line, cause, conf, recov, min_guess, lost_as, shifted=True
                            )
                        )
                        edits.extend(Edit(e.start + offset, e.end + offset, *e[2:]) for e in found_edits)
                        next_p = end
        p = line.find("?", next_p)
    return edits


# How sure a character a shifted reading reads in full is, next to one it guessed (or wrote
# as U+FFFD): on mojibake_dev's byte-shift rows, 1,068 of 1,128 such characters stand in the
# clean text (0.947), against 101 of 102 elsewhere; they were stated at 0.98
# (benchmarks/repair.py, "beside lost"): 法律 of 运用法律手段 read 飞, at 0.99.
BESIDE_GUESS_CONFIDENCE = 0.95


def _doubted_beside_guesses(edits: list[Edit]) -> list[Edit]:
    """``edits`` with the characters read next to guessed ones (in a piece of their own
    beside a guess, or beside the U+FFFD written for one) stated at most
    :data:`BESIDE_GUESS_CONFIDENCE`.

    >>> read, guess = Edit(0, 2, "运用", "gb18030-byte-shift", 0.99, "partial"), Edit(2, 3, "法", "gb18030-byte-shift", 0.4, "partial", True)
    >>> [e.confidence for e in _doubted_beside_guesses([read, guess])]
    [0.95, 0.4]
    >>> _doubted_beside_guesses([read._replace(replacement="运用\ufffd")])[0].confidence
    0.95
    """
    guessed = {(e.start, e.end) for e in edits if e.guessed or e.replacement.strip(LOST) == ""}
    bounds = {p for span in guessed for p in span}
    return [
        e._replace(confidence=min(e.confidence, BESIDE_GUESS_CONFIDENCE))
        if (e.start, e.end) not in guessed and (LOST in e.replacement or e.start in bounds or e.end in bounds)
        else e
        for e in edits
    ]


# -- characters read across a dropped pair ---------------------------------------------
# A pair of GBK's user areas in the shifted bytes (the trail byte of one
# character, the lead byte of the next) was dropped without a trace, and the
# two characters around it read as one: 公司 = B9 AB CB BE lost AB CB, and B9 BE
# reads 咕, a real character (seed 004; 龍頭 read 练, 如果需要 read 如硅 in
# samples.byte_shift_lines damage).  Any character of a shifted run may be
# such a merge; the word model tells which read about as well as, or worse
# than, a pair they may have been.
#
# A character is in doubt where the best pair reads better than it (log10,
# by more than -MERGE_DOUBT): it is likelier a merge than not.  Chosen on
# byte_shift_lines damage of icwb2 pku and cityu (seed 7), every character
# weighed: that flagged a quarter of those read wrong and 4 of 549 read right
# (msr and as, seed 8: 75 of 315, none of 412); doubting also pairs up to 1.0
# below flagged 19 and 9 read right.  Where the pair reads better by
# MERGE_SPLIT it is written instead, as a guess.
MERGE_DOUBT = 0.0
MERGE_SPLIT = 1.0
MERGE_CANDIDATES = 16  # of each half, likeliest first
MERGE_CONTEXT = 3


def merged_pairs(
    ch: str,
) -> tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]], ...]:
    """The pairs of characters ``ch`` may be the merge of, by kind of the
    dropped pair: (firsts, seconds, the firsts with the seconds they make a
    two-character word with).  A first shares ``ch``'s lead byte and ends in
    a byte that with a second's lead byte makes a user-area pair (AAA1-AFFE,
    F8A1-FEFE, A140-A7A0); a second shares ``ch``'s trail byte.

    >>> [any(a == "公" and "司" in words for a, words in together) for _, _, together in merged_pairs("咕")]
    [True, False]
    >>> merged_pairs("a")
    ()
    """
    data = ch.encode("gb18030")
    if len(data) != 2:
        return ()
    following = lm.word_pairs()
    out = []
    for found, kind in zip(_merge_half("first", data[0]), _merge_half("second", data[1])):
        if not found or not kind:
            continue
        simple = tuple(lm.to_simplified("".join(kind)))  # character by character
        simple_set = frozenset(simple)
        together = []
        for a, simple_a in zip(found, lm.to_simplified("".join(found))):
            # a two-character word is an entry of the word model's pair index:
            # the seconds not in it are no word with ``a`` (most of them)
            hits = simple_set.intersection(following.get(simple_a, ()))
            if hits:
                words = tuple(b for b, sb in zip(kind, simple) if sb in hits and lm.is_word(simple_a + sb))
                if words:
                    together.append((a, words))
        out.append((found, kind, tuple(together)))
    return tuple(out)


# A merge's first and second by the byte they share with it, in two kinds: the
# first's trail byte and the second's lead byte make a pair of the user area
# AAA1-AFFE or F8A1-FEFE (trail AA-AF or F8-FE; lead A1-FE), or of A140-A7A0
# (trail A1-A7; lead 81-A0).  Per byte, not per character: a character's
# candidates are those of its lead byte and its trail byte.  Per half: the byte
# it shares (0: lead, 1: trail), and for each kind the ranges of its other byte.
_MERGE_HALVES = {
    "first": (0, (((0xAA, 0xAF), (0xF8, 0xFE)), ((0xA1, 0xA7),))),
    "second": (1, (((0xA1, 0xFE),), ((0x81, 0xA0),))),
}


@lru_cache(maxsize=512)
def _merge_half(half: str, byte: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The characters sharing ``byte`` that may be a merge's ``half`` (``"first"``:
    ``byte`` is their lead byte; ``"second"``: their trail byte), by kind (see
    above), likeliest first, :data:`MERGE_CANDIDATES` of each."""
    shared, kinds = _MERGE_HALVES[half]
    key = (byte, None) if shared == 0 else (None, byte)
    found: tuple[list[str], list[str]] = ([], [])
    for c in _pair_table("gb18030").get(key, []):
        other = c.encode("gb18030")[1 - shared]
        for into, ranges in zip(found, kinds):
            if any(lo <= other <= hi for lo, hi in ranges):
                into.append(c)
                break
        if all(len(into) >= MERGE_CANDIDATES for into in found):
            break
    return tuple(found[0][:MERGE_CANDIDATES]), tuple(found[1][:MERGE_CANDIDATES])


@lru_cache(maxsize=20_000)
def _merge_candidates(ch: str) -> tuple[lm.PairCandidates, ...]:
    """:func:`merged_pairs` of ``ch`` as :func:`.lm.best_pair_logp` weighs them
    (a table by character, like the word model's)."""
    return tuple(lm.pair_candidates(*kind) for kind in merged_pairs(ch))


def _doubt_merged_characters(reading: Reading, left: str, right: str) -> None:
    """Mark guessed each character read from surviving bytes that a pair it may
    be the merge of (:func:`merged_pairs`) reads better than in its context
    (see :data:`MERGE_DOUBT`): its bytes all survive, but they need not have
    been neighbours.  Where the pair reads better by :data:`MERGE_SPLIT`, the
    pair is written.  The posterior: the probability of what is written,
    against the other."""
    chars, status = reading.chars, reading.status
    # a character inside a word of the reading's best segmentation is taken as read (a merge
    # seldom makes a word with its neighbours: 咕 of 有限咕執 does not); the others are weighed
    in_words = bytearray(len(chars))
    for a, b in lm.best_segmentation("".join(chars)):  # one character each: offsets are indices
        if b - a > 1:
            in_words[a:b] = b"\x01" * (b - a)
    for k, ch in enumerate(chars):
        # (the first character holds the lead byte put back: no pair before it)
        if status[k] != READ or reading.spans[k][0] == 0 or in_words[k]:
            continue
        kinds = _merge_candidates(ch)
        if not kinds:  # no pair of GBK's user areas lies within its bytes
            continue
        # (the neighbours within the context only, not the whole reading joined for each
        # character: every entry holds a character or two)
        before = (left + "".join(chars[max(0, k - MERGE_CONTEXT) : k]))[-MERGE_CONTEXT:]
        after = ("".join(chars[k + 1 : k + 1 + MERGE_CONTEXT]) + right)[:MERGE_CONTEXT]
        merged = lm.word_logp_after(before, ch + after)  # word_logp(before + ch + after)
        # the word model scores a segmentation word by word: where no word holds
        # both characters, the pair's best reading is the best one ending with
        # the first and the best one starting with the second; pairs that make
        # a word are scored whole
        best, pair = lm.best_pair_logp(before, kinds, after)
        gain = best - merged
        if gain > MERGE_SPLIT:
            chars[k], status[k], reading.posterior[k] = pair, GUESSED, round(1.0 / (1.0 + 10**-gain), 2)
        elif gain > -MERGE_DOUBT:
            status[k], reading.posterior[k] = GUESSED, round(1.0 / (1.0 + 10**gain), 2)
