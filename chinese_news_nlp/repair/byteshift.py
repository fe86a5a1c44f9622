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

The same machinery repairs a pinyin reading pasted *inside* a character
(``變?yōu)楫a`` → ``變為產``): the lead byte of ``為`` and the ``(`` became one
``?``; the characters after ``)`` are out of phase by one byte.
"""

from __future__ import annotations

from ..alignment import Edit
from . import lm
from .bytes_model import HOLE, HOLE_BYTE, decode_with_holes
from .data import split_lines
from .pinyin import ANNOTATION, MISALIGNED, looks_like_reading

# Lead bytes a sentence end loses: 。 = A1 A3; ！ = A3 A1; ？ = A3 BF.
SENTENCE_END_LEADS = (0xA1, 0xA3)
ANY_LEAD = tuple(range(0x81, 0xFF))
MAX_ENDS = 40
MIN_GAIN = 3.0


def _template(run: str, last_is_resync: bool) -> list[int] | None:
    """Bytes of a folded, shifted run (see module doc); None if impossible."""
    out: list[int] = []
    n = len(run)
    for k, ch in enumerate(run):
        last = k == n - 1
        if ch in "?\ufffd":
            out.append(HOLE)
        elif last and last_is_resync and ch.isascii():
            out.append(ord(ch))
        elif ch == " ":
            out.extend((0xA1, 0xA1))
        elif "!" <= ch <= "~":
            out.extend((0xA3, ord(ch) + 0x80))
        else:
            try:
                out.extend(ch.encode("gb18030"))
            except UnicodeEncodeError:
                return None
    return out


def _decode(tokens: list[int], fill: bool, left: str = "", right: str = "") -> tuple[str, int, int] | None:
    if HOLE not in tokens and HOLE_BYTE not in tokens:
        text = bytes(tokens).decode("gb18030", errors="replace")
        return text, 0, text.count("\ufffd")
    return decode_with_holes(tokens, "gb18030", fill=fill, left=left, right=right)


# A private-use character (a pair in GBK's user areas) that the damaged text
# dropped: two bytes gone without a trace.  Tried at each character boundary.
DROPPED_PAIR = [HOLE_BYTE, HOLE_BYTE]
DROP_PENALTY = 4.0
# A plain decoding is suspected of a dropped pair only when it holds a
# character this rare (004: unseen readings; 深水埗 keeps its rare 埗 at 1.95).
DROP_TRIGGER_LOGP = 1.5
DOUBLE_DROP_TRIALS = 3


def _with_dropped_pairs(run: str, tokens: list[int], score_of) -> tuple[float, list[int]]:
    """Insert up to two dropped pairs where they make the run read best."""
    bounds = [0]
    for ch in run[:-1]:
        bounds.append(
            bounds[-1] + (1 if ch in "?\ufffd" else 2 if ch.isascii() or len(ch.encode("gb18030")) == 2 else 4)
        )
    best = (score_of(tokens), tokens)

    def trial_at(b: int, pairs: int) -> tuple[float, list[int]]:
        trial = tokens[:b] + DROPPED_PAIR * pairs + tokens[b:]
        return score_of(trial) - DROP_PENALTY * pairs, trial

    singles = sorted(((trial_at(b, 1), b) for b in bounds[1:]), key=lambda t: t[0][0], reverse=True)
    # Two pairs are tried only where one pair already read best (a third of the decodings).
    doubles = [trial_at(b, 2) for _, b in singles[:DOUBLE_DROP_TRIALS]]
    for s, trial in [t for t, _ in singles] + doubles:
        if s > best[0]:
            best = (s, trial)
    return best


def _score(tokens: list[int], must_start: str | None) -> float | None:
    decoded = _decode(tokens, fill=False)
    if decoded is None:
        return None
    text, _recovered, lost = decoded
    if must_start and not text.startswith(tuple(must_start)):
        return None
    return lm.relative_logp(text) - 2.0 * lost


def _candidate_ends(line: str, start: int) -> list[int]:
    """Where the shifted run may end: after an ASCII character, or a pinyin reading, or at the line's end."""
    ends = []
    k = start
    n = len(line.rstrip("\r\n"))
    stopped = False
    while k < n and len(ends) < MAX_ENDS and not stopped:
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
    if not stopped and n > start and n not in ends:
        ends.append(n)
    return ends


def _intact_reading(line: str, k: int) -> bool:
    m = ANNOTATION.match(line, k)
    return m is not None and looks_like_reading(m.group(1))


def _best_reading(line: str, p: int, run_start: int, leads: tuple[int, ...], must_start: str | None):
    """The best (score, end, lead) for a shifted run ``line[run_start:end]`` replacing ``line[p:end]``."""
    ends = _candidate_ends(line, run_start)
    if not ends:
        return None
    horizon = min(len(line.rstrip("\r\n")), max(ends) + 4)
    best = None
    for end in ends:
        run = line[run_start:end]
        pinyin_tail = MISALIGNED.search(run)
        if pinyin_tail and pinyin_tail.end() == len(run) and looks_like_reading(pinyin_tail.group(1)):
            run = run[: pinyin_tail.start() + 1]  # the "?" is the lost byte; the reading goes
        tokens = _template(run, last_is_resync=True)
        if tokens is None:
            continue
        rest = lm.relative_logp(line[end:horizon])
        for lead in leads:
            score = _score([lead, *tokens], must_start)
            if score is not None and (best is None or score + rest > best[0]):
                best = (score + rest, end, lead, run, [lead, *tokens], rest)
    if best is None:
        return None
    score, end, lead, run, tokens, rest = best
    plain = _decode(tokens, fill=False)
    if len(run) > 2 and plain is not None and min(map(lm.char_logp, plain[0])) < DROP_TRIGGER_LOGP:

        def score_of(tok):
            found = _score(tok, must_start)
            return found if found is not None else -1e9

        pair_score, tokens = _with_dropped_pairs(run, tokens[1:], lambda t: score_of([lead, *t]))
        tokens = [lead, *tokens]
        score = pair_score + rest
    best = (score, end, tokens)
    baseline = lm.relative_logp(line[p:horizon].replace("?", "？", 1))
    return best, baseline


def fix_byte_shifts(text: str) -> list[Edit]:
    """Repair runs after a lost sentence-end lead byte, and misaligned pinyin readings."""
    edits: list[Edit] = []
    pos = 0
    for line in split_lines(text):
        edits.extend(_fix_line(line, pos))
        pos += len(line)
    return edits


def _fix_line(line: str, offset: int) -> list[Edit]:
    edits = []
    p = line.find("?")
    while p != -1:
        next_p = p + 1
        if p > 0 and (lm.looks_chinese(line[p - 1]) or line[p - 1].isdigit()) and p + 1 < len(line.rstrip("\r\n")):
            m = MISALIGNED.match(line, p)
            if m and looks_like_reading(m.group(1)) and lm.is_han(line[p - 1]):
                found = _best_reading(line, p, m.end(), ANY_LEAD, None)
                cause = "pinyin-annotation-misaligned"
            else:
                found = _best_reading(line, p, p + 1, SENTENCE_END_LEADS, "。！？")
                cause = "gb18030-byte-shift"
            if found is not None:
                (score, end, tokens), baseline = found
                if score >= baseline + MIN_GAIN:
                    run = line[p:end]
                    decoded = _decode(tokens, fill=True, left=line[max(0, p - 3) : p], right=line[end : end + 3])
                    if decoded is not None:
                        fixed, recovered, lost = decoded
                        fixed = fixed.replace("\ufffd", "")
                        partial = (
                            recovered or lost or cause != "gb18030-byte-shift" or HOLE_BYTE in tokens or "?" in run[1:]
                        )
                        conf = round(min(0.99, 0.6 + (score - baseline) / 40), 2)
                        edits.append(
                            Edit(offset + p, offset + end, fixed, cause, conf, "partial" if partial else "full")
                        )
                        next_p = end
        p = line.find("?", next_p)
    return edits
