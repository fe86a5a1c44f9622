"""Encoding confusions: Chinese bytes decoded with the wrong codec.

Each fix re-encodes a suspicious run with the codec that was wrongly used and
decodes it with the one that should have been, keeping the result only when
it reads as Chinese far better than the run did (:mod:`.lm`).

* ``utf8-as-gbk`` – the 古文码 ``鍙戝睍`` (``发展`` in UTF-8 read as GBK).
* ``utf8-as-latin1`` / ``gbk-as-latin1`` – ``æµ™æ±Ÿ`` (浙江, UTF-8 read as
  Latin-1 or cp1252), ``ÕâÊÇ`` (这是, GBK read as Latin-1).
* ``big5-as-gbk`` / ``gbk-as-big5`` – ``い差`` (中船 in Big5 read as GBK).
* ``kunjinkao`` – ``锟斤拷``: U+FFFD written as UTF-8 and read as GBK; the
  characters were lost before that, so the run is undone as far as the bytes
  go and reported as not recoverable.
* ``gbk-as-utf8`` – GBK read as UTF-8 leaves U+FFFD runs: reported, not
  repairable.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate
from typing import Callable

from ..alignment import Edit, overlap_test
from . import lm
from .bytes_model import (
    HOLE,
    HOLE_BYTE,
    LOST,
    READ,
    Reading,
    decode_spans,
    decode_with_holes,
    fill_guesses,
    plain_reading,
    reading_edits,
    tight_edit,
)

# -- Latin-1 / cp1252 -------------------------------------------------------------
_CP1252_SPECIALS = {
    bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_LATIN_CLASS = "\x00-\xff" + "".join(re.escape(c) for c in _CP1252_SPECIALS)
# A run of Latin-1/cp1252 characters holding at least two non-ASCII ones.
_LATIN_RUN = re.compile(
    f"[\x80-\xff{''.join(_CP1252_SPECIALS)}][{_LATIN_CLASS}]*[\x80-\xff{''.join(_CP1252_SPECIALS)}][\x21-\x7e]?"
)


# cp1252's characters to the bytes they stand for, as characters Latin-1 encodes to those bytes.
_CP1252_TO_LATIN1 = str.maketrans({ch: chr(b) for ch, b in _CP1252_SPECIALS.items()})


def _latin_bytes(run: str) -> bytes:
    """The bytes of a Latin-1/cp1252 reading (``?`` for a character of neither).

    >>> _latin_bytes("æµ™€中")
    b'\\xe6\\xb5\\x99\\x80?'
    """
    return run.translate(_CP1252_TO_LATIN1).encode("latin-1", errors="replace")


def fix_latin1_mojibake(text: str) -> list[Edit]:
    """``æµ™æ±Ÿ`` → ``浙江``; ``ÕâÊÇ`` → ``这是``."""
    edits = []
    for m in _LATIN_RUN.finditer(text):
        # A run may begin with a genuine Latin letter (the è of a pinyin
        # reading "(yè)" just before): retry from the next few characters.
        for skip in range(0, min(4, len(m.group()) - 1)):
            edit = _fix_latin_run(text, m.start() + skip, m.end())
            if edit is not None:
                edits.append(edit)
                break
    return edits


# What UTF-8 text of Western marks and letters reads as when its bytes are read as Latin-1
# (``Â©`` is ``©``, ``â€œ`` is ``“``, ``Ã©`` is ``é``): Latin-1's and Latin Extended-A's
# letters and signs, general punctuation, currency and letter-like symbols.
_WESTERN = re.compile(r"[\x00-\x7f\u00a0-\u017f\u2010-\u205e\u20a0-\u20bf\u2100-\u214f]+")


def _western_reading(raw: bytes) -> str | None:
    """The bytes as UTF-8 when they read as Western marks and letters, without Han.

    Such a run's bytes are often a GBK character's too (``Â©``'s C2 A9 is ``漏``, ``Â£``'s
    ``拢``), and only the Han reading was tried: ``Â©2024 某某日报`` became ``漏2024``, as
    certain as any repair.  UTF-8 bytes that read as a sign or a Latin letter are that sign
    (ftfy's reading); GBK text read as Latin-1 gives such bytes one character in a dozen, and
    longer runs whose every pair does so hardly ever.

    >>> _western_reading(_latin_bytes("Â©")), _western_reading(_latin_bytes("æµ™"))
    ('©', None)
    """
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if not fixed.isascii() and _WESTERN.fullmatch(fixed) else None


def _fix_latin_run(text: str, start: int, end: int) -> Edit | None:
    run = text[start:end]
    if run[0].isascii():
        return None
    raw = _latin_bytes(run)
    western = _western_reading(raw)
    if western is not None:
        return tight_edit(text, start, end, western, "utf8-as-latin1", 0.9, "full")
    best = None
    for codec, cause in (("utf-8", "utf8-as-latin1"), ("gb18030", "gbk-as-latin1")):
        for keep_last in (True, False):
            data = raw if keep_last or len(raw) < 2 else raw[:-1]
            try:
                fixed = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if not lm.holds_han(fixed):
                continue
            score = lm.mean_logp(fixed)
            span_end = end if keep_last else end - 1
            if best is None or score > best[0]:
                best = (score, fixed, cause, span_end)
            break
    if best is None:
        return None
    score, fixed, cause, span_end = best
    if score < lm.mean_logp(text[start:span_end]) + 1.0 or score < 3.0:
        return None
    return tight_edit(text, start, span_end, fixed, cause, 0.95, "full")


# -- CJK-codec confusions -----------------------------------------------------------
# A run of non-ASCII characters: in all these codecs ASCII bytes stand for
# themselves outside multi-byte characters, so ASCII text splits runs.  A
# single ASCII letter or mark 0x40-0x7E right after a non-ASCII character is
# kept in the run: it may be the second byte of a Big5 or GBK character whose
# first byte was lost or read out of phase (``停水。`` in Big5 read as GBK ends
# ``簟C``).  Not after a Latin letter: ``(ōu)`` is a pinyin reading.
# (Non-ASCII characters taken a block at a time: the same runs, the regex
# engine looping once per block rather than once per character.)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]+|(?<=[^\x00-\x7f\u00c0-\u024f])[\x40-\x7e](?![\x40-\x7e]))+")

KUNJINKAO = "锟斤拷"
_KUNJINKAO_RUN = re.compile(r"(?:锟斤拷|锟[^\x00-\x7f]|[^\x00-\x7f]拷)")

# (read as, should have been, cause): the run's characters are re-encoded with
# the first codec and decoded with the second.
_CONFUSIONS = (
    ("gb18030", "utf-8", "utf8-as-gbk"),
    ("gb18030", "big5hkscs", "big5-as-gbk"),
    ("big5hkscs", "gbk", "gbk-as-big5"),
)

# Below this mean character score a run is worth the expensive path.
SUSPICIOUS_MEAN = 4.0


# A U+FFFD in text read as GB18030 came from a GBK decoder: GB18030 maps
# nearly every pair, GBK leaves its user areas unmapped.
_LOST_BY = {"gb18030": "gbk"}


def _tokens(run: str, codec: str) -> list[int] | None:
    """The bytes ``run`` was decoded from with ``codec``.  Python's GBK, GB18030
    and Big5 decoders replace one byte by U+FFFD and resume at the next
    (``A6 7C`` → ``�|``; ``AF E8 A6`` → ``�瑕``): each U+FFFD is exactly one
    lost byte."""
    try:
        if LOST not in run:
            return list(run.encode(codec))
        out: list[int] = []
        for k, chunk in enumerate(run.split(LOST)):
            if k:
                out.append(HOLE_BYTE)
            out.extend(chunk.encode(codec))
        return out
    except UnicodeEncodeError:
        return None


# How many bytes each character seen takes in each codec (U+FFFD: the one lost
# byte it stands for): a table bounded by the character set, for :func:`_starts`
# (one look-up a character rather than one encoding).
_WIDTHS: dict[str, dict[str, int]] = {}


def _starts(run: str, codec: str) -> list[int]:
    """Where each character of ``run`` starts in :func:`_tokens` (one more entry: the end)."""
    widths = _WIDTHS.get(codec) or _WIDTHS.setdefault(codec, {LOST: 1})
    try:
        return list(accumulate(map(widths.__getitem__, run), initial=0))
    except KeyError:
        for ch in set(run) - widths.keys():
            widths[ch] = len(ch.encode(codec))
        return list(accumulate(map(widths.__getitem__, run), initial=0))


def reinterpret(run: str, confusions=_CONFUSIONS) -> tuple[Reading, str, list[int]] | None:
    """The best reading of ``run`` under each confusion: (reading, cause, where
    each character of ``run`` starts in the reading's bytes).

    The confusions are compared on their unfilled readings (a character with a
    lost byte as its likeliest candidate); only the winner's holes are filled
    from context (:func:`.bytes_model.fill_guesses`, the slow part), and only
    once it passes the tests of :func:`fix_codec_confusions`.
    """
    best = None
    encoded: dict[str, list[int] | None] = {}  # the bytes of the run in each codec read with (two read GB18030)
    for wrong, right, cause in confusions:
        if wrong not in encoded:
            encoded[wrong] = _tokens(run, wrong)
        tokens = encoded[wrong]
        if tokens is None:
            continue
        result: Reading | bytes | None = None
        if HOLE not in tokens and HOLE_BYTE not in tokens:
            try:
                fixed = bytes(tokens).decode(right)
            except UnicodeDecodeError:
                pass
            else:
                result = bytes(tokens)  # read in full: its Reading is made only if it wins
        if result is None:
            lost_in = _LOST_BY.get(wrong, wrong)
            result = (
                decode_with_holes(tokens, right, fill=False, open_end=True, lost_in=lost_in)
                if len(tokens) < 4000
                else None
            )
            if result is None:
                continue
            fixed = result.text
        if not fixed or lm.count_han(fixed) < max(1, len(fixed) // 3):
            continue
        score = lm.mean_logp(fixed)
        if best is None or score > best[0]:
            best = (score, result, cause, wrong, right)
    if best is None:
        return None
    _score, reading, cause, wrong, right = best
    if isinstance(reading, bytes):
        reading = plain_reading(reading, right)
    return reading, cause, _starts(run, wrong)


@lru_cache(maxsize=4096)
def _run_edits(run: str, min_guess: float) -> tuple[tuple[Edit, ...], str, str]:
    """The edits that repair one run of :func:`fix_codec_confusions`, on the run
    alone (they read nothing outside it), with the cause and ``recoverable``
    of its reading.  Cached: a run comes back in the next round of a line's
    repairs when it was left alone, and in the boilerplate of other lines."""
    if LOST not in run and lm.scores_at_least(run, SUSPICIOUS_MEAN):
        return (), "", ""  # (common characters only: a mean above SUSPICIOUS_MEAN, found without a sum)
    before = lm.mean_logp(run)
    if _reads_around_lost(run) if LOST in run else before >= SUSPICIOUS_MEAN:
        return (), "", ""
    kunjinkao = _holds_kunjinkao(run)
    found = reinterpret(run, _CONFUSIONS[:1]) if kunjinkao else reinterpret(run)
    if found is None or kunjinkao and not _reads_as_text(found[0]):
        return (), "", ""  # (U+FFFD's bytes, and not UTF-8 text that held U+FFFD: fix_kunjinkao's)
    reading, cause, starts = found
    if _reads_nothing_but_loss(reading, run) or LOST in run and _reads_no_better_than_kept(reading, run):
        return (), "", ""
    fixed = reading.text
    if cause != "utf8-as-gbk" and _reads_letters_out_of_chinese(fixed, run):
        return (), "", ""
    # A clean run never gains this much; mojibake gains 2 or more.  Filling
    # the guesses from context never raises the mean (the unfilled ones are
    # the likeliest characters alone): a run that fails unfilled fails filled.
    after = lm.mean_logp(_judged(reading))
    if after < before + 1.2 or after < 3.6:
        return (), "", ""
    if reading.recovered:
        fill_guesses(reading)
        fixed = reading.text
        after = lm.mean_logp(_judged(reading))
        if after < before + 1.2 or after < 3.6:
            return (), "", ""
    recovered, lost = reading.recovered, reading.lost
    recoverable = "full" if not recovered and not lost else ("none" if lost > len(fixed) // 2 else "partial")
    confidence = round(min(0.99, 0.5 + (after - before) / 6), 2)
    source = list(zip(starts, range(len(starts))))  # (token index, offset in the run)
    found_edits = reading_edits(reading, source, run, cause, confidence, recoverable, min_guess, refuse=_worsened)
    return tuple(found_edits), cause, recoverable


@lru_cache(maxsize=1024)
def utf8_text_holding_lost(run: str) -> bool:
    """Is ``run``, which holds U+FFFD's UTF-8 bytes read as GBK (:func:`_holds_kunjinkao`),
    UTF-8 text that held U+FFFD before it was read as GBK, rather than text that lost most of
    its characters before (GBK read as UTF-8, then read as GBK: :func:`fix_kunjinkao`'s)?
    Read as UTF-8, its characters (read in full or guessed where GBK lost a byte) outnumber
    the U+FFFD it reads in full.
    ``本报记者\ufffd\ufffd报道`` written as UTF-8 and read as GBK
    (``鏈\ufffd鎶ヨ\ufffd拌\ufffd咃拷锟芥姤閬\ufffd``) was left to :func:`fix_kunjinkao`,
    which undid the pieces beside 锟 and 拷 only, and the text GBK had lost around them
    was left as it stood.

    >>> damaged = "本报记者\ufffd\ufffd报道".encode().decode("gbk", "replace")
    >>> utf8_text_holding_lost(damaged), utf8_text_holding_lost("锟斤拷锟斤拷新华社")
    (True, False)
    """
    found = reinterpret(run, _CONFUSIONS[:1])
    return found is not None and _reads_as_text(found[0])


def _reads_as_text(reading: Reading) -> bool:
    """Do the characters of ``reading`` (read in full or guessed) outnumber the U+FFFD it reads in full?"""
    lost = sum(c == LOST and status == READ for c, status in zip(reading.chars, reading.status))
    return len(reading.chars) - lost > lost


def _judged(reading: Reading) -> str:
    """The characters of ``reading`` its score is judged on: all but the U+FFFD it reads in full
    (the text held them before it was misread: they tell nothing of the reading)."""
    if LOST not in reading.chars:
        return reading.text
    return "".join(c for c, status in zip(reading.chars, reading.status) if c != LOST or status != READ)


def _holds_kunjinkao(run: str) -> bool:
    """Does ``run`` hold the UTF-8 bytes of U+FFFD (EF BF BD) read as GBK, in
    either phase: ``锟斤拷`` and its pieces beside other characters (``锟脚``
    is EF BF BD C5, ``斤拷`` BD EF BF BD)?  Such a run is U+FFFD written as
    UTF-8 and read as GBK: no Big5 or GBK mojibake, left to
    :func:`fix_kunjinkao` (or read as UTF-8 alone where it is UTF-8 text that
    held U+FFFD, :func:`utf8_text_holding_lost`).  ``lost_bytes="replace"`` read
    ``\ufffd锟脚斤拷`` (U+FFFD, Ž, U+FFFD in UTF-8 read as GBK) as Big5 read
    as GBK (``\ufffd蕭鬚嚙\ufffd``), the next rounds read that back and forth
    (``\ufffd脚斤\ufffd``, ``\ufffd鬚\ufffd``), and its repair changed it again
    (``\ufffd\ufffd``).

    >>> _holds_kunjinkao("锟脚斤拷"), _holds_kunjinkao("锟斤拷"), _holds_kunjinkao("王锟说")
    (True, True, False)
    """
    if "锟" not in run and "拷" not in run:
        return False
    return b"\xef\xbf\xbd" in run.encode("gb18030", errors="replace")


def _reads_nothing_but_loss(reading: Reading, run: str) -> bool:
    """A reading of ``run`` that reads no character in full and guesses more
    characters than the run shows lost (its U+FFFD): it cuts the run's
    characters into guesses, one past the run's end, a loss the text does not
    show.  The gain of such a reading is only its U+FFFD (scored -4) turned
    into guesses, no sign the characters beside it are mojibake.
    ``lost_bytes="replace"`` repaired ``\ufffd悠W不`` to ``\ufffd祥`` (Big5
    read as GBK); repaired again, ``\ufffd祥`` was read as GBK read as Big5,
    two guesses (``叢会``, written ``\ufffd\ufffd``).  Mojibake whose bytes were
    lost reads as many guesses as U+FFFD (``鏈\ufffd``: ``本`` of UTF-8 read as
    GBK, its last byte lost), or reads characters in full beside them.

    >>> [(reinterpret(run)[0].text, _reads_nothing_but_loss(reinterpret(run)[0], run)) for run in ("\ufffd祥", "鏈\ufffd")]
    [('叢会', True), ('有', False)]
    """
    return READ not in reading.status and reading.recovered + reading.lost > run.count(LOST)


# Any ASCII character: one scan in C rather than a test per character.
_ASCII_CHAR = re.compile(r"[\x00-\x7f]")


def _reads_no_better_than_kept(reading: Reading, run: str) -> bool:
    """A reading of ``run`` beside U+FFFD whose characters read in full score
    no better than the characters the run shows (U+FFFD and guesses left out
    of both): the gain of such a reading is its U+FFFD turned into guesses,
    no sign the characters beside them are mojibake.  ``lost_bytes="replace"``
    repaired ``鏈\ufffd鎶ユ澀宸\ufffd`` (本报杭州 in UTF-8 read as GBK) to
    ``\ufffd报杭\ufffd``; repaired again, 报杭 was read as Big5 read as GBK
    (``\ufffd那\ufffd``), one character read where the text shows two.

    >>> [_reads_no_better_than_kept(reinterpret(run)[0], run) for run in ("\ufffd报杭\ufffd", "鏈\ufffd鎶ユ澀宸\ufffd")]
    [True, False]
    """
    read = "".join(c for c, status in zip(reading.chars, reading.status) if status == READ)
    kept = run.replace(LOST, "")
    if not read or _ASCII_CHAR.search(kept):
        return False  # (an ASCII letter amid Chinese is a trail byte: mojibake's own sign)
    before = lm.mean_logp(kept)
    return before >= SUSPICIOUS_MEAN and lm.mean_logp(read) < before + GAIN_BESIDE_LOST


def _reads_letters_out_of_chinese(fixed: str, run: str) -> bool:
    """A Big5 or GBK reading ``fixed`` of ``run`` with more ASCII characters
    than the run holds, or than its U+FFFD: an ASCII character of a reading is
    one the run took in as a possible trail byte that was ASCII after all,
    which a lost byte can leave (``\ufffdH\ufffdC``); beyond those, a letter
    the run took in was no trail byte (``┻_案``), or the reading cuts a Chinese
    character of the run into a guess and a Latin letter.
    ``lost_bytes="replace"`` repaired ``\ufffd悠W不`` (Big5 read as GBK, a
    lead byte lost) to ``\ufffd灣祥`` in its first round, read that as GBK
    read as Big5 in the next (``\ufffdW不``: 灣 cut into a guess and ``W``),
    and again (``\ufffd祥``): 灣, read in full from bytes the input holds, was
    lost.

    >>> [(reinterpret(run)[0].text, _reads_letters_out_of_chinese(reinterpret(run)[0].text, run)) for run in ("\ufffd灣祥", "┻_案", "\ufffd悠W不")]
    [('埰W不', True), ('拋_偶', True), ('個灣祥', False)]
    """
    letters = len(fixed.encode("ascii", "ignore"))
    return letters > 0 and letters > min(run.count(LOST), len(run.encode("ascii", "ignore")))


# A word of two or more Cyrillic or Greek letters, all of one alphabet: GBK and Big5 hold both
# alphabets, and read again as Big5 ``Москва`` was ``妙抉扼抗志忘`` (confidence 0.99).  Mojibake
# makes such a run only where every character of a Big5 or GBK text falls in those few rows.
def _alphabet_words(letters: int) -> re.Pattern[str]:
    """Words of at least ``letters`` letters, all Cyrillic or all Greek."""
    return re.compile("|".join(f"[{alphabet}]{{{letters},}}" for alphabet in ("\u0400-\u04ff", "\u0370-\u03ff")))


_ALPHABET_WORD = _alphabet_words(2)


def fix_codec_confusions(text: str, min_guess: float = 0.0) -> list[Edit]:
    """UTF-8 read as GBK, Big5 read as GBK and the reverse, on runs that read badly.

    ``min_guess``: characters guessed where bytes were lost are written as
    U+FFFD when less certain than this (see :func:`.bytes_model.reading_edits`).
    """
    edits = []
    evidence: list[tuple[str, int]] = []  # (cause, characters) of runs restored in full
    for m in _NON_ASCII_RUN.finditer(text):
        if _ALPHABET_WORD.fullmatch(m.group()):
            continue  # a Russian or Greek word, which GBK holds as such
        for at, run in _beside_alphabet_words(m.group(), m.start()):
            found_edits, cause, recoverable = _run_edits(run, min_guess)
            if not found_edits:
                continue  # (most runs read as they stand)
            if recoverable == "full":
                evidence.append((cause, sum(len(e.replacement) for e in found_edits)))
            edits.extend(Edit(e.start + at, e.end + at, *e[2:]) for e in found_edits)
    return edits + fix_short_runs(text, edits, evidence)


# A word of three or more letters of one alphabet inside a longer run: a Russian or Greek word
# beside Chinese characters (世界Привет, no space between), which was read as Big5 with the
# characters around it (妤把我志快找, confidence 0.94, "full"), and the next word (мир) after it
# as evidence.  Big5 read as GBK makes such a word only where three characters in a row fall in
# those rows: 1 line in 15,817 of icwb2's Traditional test sets (as, cityu) read so (38 two letters).
_ALPHABET_WORD_IN_RUN = _alphabet_words(3)
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")


def _beside_alphabet_words(run: str, at: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` of ``run`` (at ``at`` in the text) to read: the run whole, or where it
    holds a word of :data:`_ALPHABET_WORD_IN_RUN`, the pieces beside such words (each with a
    non-ASCII character), read on their own and the words left as they stand."""
    if _ALPHABET_WORD_IN_RUN.search(run) is None:
        return [(at, run)]
    pieces, pos = [], 0
    for word in _ALPHABET_WORD_IN_RUN.finditer(run):
        pieces.append((at + pos, run[pos : word.start()]))
        pos = word.end()
    pieces.append((at + pos, run[pos:]))
    return [(start, piece) for start, piece in pieces if _NON_ASCII_CHAR.search(piece)]


# How much worse (mean log10 frequency) characters that read as Chinese must
# read to be left alone: mojibake of Big5 holds common-looking pairs whose
# reading is a little rarer (方基 of 源價); 一不 read again as 珨祥 is 3 worse.
WORSE_BY = 1.5


def _worsened(damaged: list[str], read: Callable[[int, int], str]) -> set[int]:
    """The pieces of a reading to leave as they were (``damaged``: the damaged text
    of each; ``read(i, j)``: what pieces ``i`` to ``j - 1`` read, together): two
    or more characters in a row that read as Chinese (each piece on its own),
    and would read far worse (``报北`` beside the U+FFFD of lost characters is
    not read again as ``迂``; one mojibake character can look like a common
    one: ``差`` of ``い差``).

    U+FFFD is left out on both sides: in the damaged text it is a lost
    character beside the others, no sign they are mojibake, and in the
    reading it is nothing read (a guess written as U+FFFD, as
    ``lost_bytes="replace"`` writes every guess, does not make the reading
    read well).  ``钉\ufffd叹僧删骶\ufffd一`` (隊們導時機學一 in Big5 read as
    GBK, two bytes lost) was written ``隊\ufffd導時機\ufffd珨``; the next
    round read it as GBK read as Big5, ``導時機`` as ``僧删`` with two
    guesses, and the rounds and each repair of the repair went on reading it
    back and forth (``钉\ufffd僧删\ufffd一``, ``隊\ufffd時\ufffd珨``,
    ``钉\ufffd\ufffd一``).  Now ``隊`` and ``導時機`` (5.2) are kept from
    ``钉`` and ``僧删`` (3.5), and only ``珨`` is read back (``一``):
    ``隊\ufffd導時機\ufffd一``, which stays.

    >>> reads = ["钉", "\ufffd僧删\ufffd", "珨"]
    >>> sorted(_worsened(["隊", "\ufffd導時機\ufffd", "珨"], lambda i, j: "".join(reads[i:j])))
    [0, 1]
    """
    refused: set[int] = set()
    # the pieces' characters scored at once; a piece's sum is text_logp's of the piece
    joined = "".join(damaged)
    if LOST in joined:
        kept = [before.replace(LOST, "") for before in damaged]
        joined = "".join(kept)
    else:
        kept = damaged
    terms = lm.char_logps(joined)
    lengths = list(map(len, kept))
    if lengths.count(1) == len(lengths):  # a character each (most readings): a piece's sum is its one term
        good = [t >= SUSPICIOUS_MEAN for t in terms]
    else:
        good = [
            n > 0 and sum(terms[a : a + n]) >= SUSPICIOUS_MEAN * n
            for a, n in zip(accumulate(lengths, initial=0), lengths)
        ]
    if True not in good:
        return refused
    # each stretch of pieces that read as Chinese, from one to the next (what the
    # pieces read is found only for the stretches of two characters or more)
    good.append(False)
    first = good.index(True)
    while True:
        n = good.index(False, first)
        was = "".join(kept[first:n])
        if len(was) >= 2:
            now = read(first, n).replace(LOST, "")
            if now and lm.mean_logp(now) < lm.mean_logp(was) - WORSE_BY:
                refused.update(range(first, n))
        try:
            first = good.index(True, n)
        except ValueError:
            return refused


# How much better (mean log10 frequency) the characters of a reading beside U+FFFD
# read in full must read than the characters the run shows: the gain asked of a run
# as a whole (see _run_edits).
GAIN_BESIDE_LOST = 1.2

# The mean frequency of characters beside U+FFFD that read as Chinese (报北: 5.1)
# rather than as mojibake that happens to look common (航材 of Big5 read as GBK: 4.2).
AROUND_LOST_MEAN = 4.5


def _reads_around_lost(run: str) -> bool:
    """U+FFFD amid two or more characters that read as Chinese (``\ufffd报北\ufffd``):
    characters lost and nothing more, not mojibake, whose characters read badly
    or hold the ASCII of trail bytes (``\ufffdH\ufffdC``).

    A symbol among them (``×``, ``é``, ``①``, a private-use character of the
    publisher's font) is no sign they are mojibake: the Chinese characters,
    most of the run, are judged alone.  ``lost_bytes="replace"`` writes
    ``\ufffd上上\ue000`` for ``涓\ufffd涓婁笂(yè)\ue000``; the private-use
    character let the next round read it as Big5, one byte out of phase
    through the U+FFFD (``\ufffd珈洈\ufffd``, then ``\ufffd上\ufffd``), and
    each repair of the repair changed it again (``\ufffd\ufffd``);
    ``\ufffd报北×`` lost 报北 outright.

    >>> _reads_around_lost("\ufffd上上\ue000"), _reads_around_lost("\ufffd报北×")
    (True, True)
    >>> _reads_around_lost("\ufffdH\ufffdC"), _reads_around_lost("\ufffd鎶ュ寳\ue000")
    (False, False)
    """
    kept = run.replace(LOST, "")
    if len(kept) < 2 or _ASCII_CHAR.search(kept):
        return False
    chinese = lm.chinese_only(kept)  # most of them: a few symbols among Chinese
    return len(chinese) >= 2 and 2 * len(chinese) > len(kept) and lm.mean_logp(chinese) >= AROUND_LOST_MEAN


# Once a line shows one confusion, its short runs between ASCII (``3る30日``:
# 月 in Big5 read as GBK, between two numbers; ``2\ue52e\ue4c9``: ％。) are
# read the same way: too short to judge alone, they share the line's codec.
_SHORT_RUN = re.compile(r"[^\x00-\x7f]+")
_CODECS = {cause: (wrong, right) for wrong, right, cause in _CONFUSIONS}
MIN_SHORT_GAIN = 0.5
SHORT_RUN_EVIDENCE = 6  # characters the line's confusion already restored in full


def fix_short_runs(text: str, edits: list[Edit], evidence: list[tuple[str, int]]) -> list[Edit]:
    """Runs the first pass left, read with the confusion the line already showed
    (``evidence``: the cause and length of each run it restored in full)."""
    causes = [cause for cause, _ in evidence]
    if sum(n for _, n in evidence) < SHORT_RUN_EVIDENCE:
        return []
    cause = max(set(causes), key=causes.count)
    wrong, right = _CODECS[cause]
    touches = overlap_test((e.start, e.end) for e in edits)
    out = []
    for m in _SHORT_RUN.finditer(text):
        if touches(m.start(), m.end()):
            continue
        run = m.group()
        try:
            fixed = run.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed == run or not all(lm.is_han(c) or c in lm.CJK_PUNCT or "\uff01" <= c <= "\uff5e" for c in fixed):
            continue
        before, after = lm.mean_logp(run), lm.mean_logp(fixed)
        if after < before + MIN_SHORT_GAIN or after < 3.0:
            continue
        edit = tight_edit(
            text, m.start(), m.end(), fixed, cause, round(min(0.9, 0.5 + (after - before) / 8), 2), "full"
        )
        if edit is not None:
            out.append(edit)
    return out


def split_reading(before: str, after: str, at: int, cause: str) -> int | None:
    """Where in ``before`` (damaged text a codec confusion read as ``after``)
    the characters read as ``after[:at]`` end: the offset whose bytes, in the
    codec the text was wrongly read with, are those of ``after[:at]`` in the
    right one; ``None`` where no character of ``before`` ends there (read out
    of phase), bytes were lost, or ``cause`` is no codec confusion.  Lets a
    character inserted inside a reading (a deleted character) be an edit of its
    own beside the two halves, each keeping its confidence.

    >>> split_reading("甶籓籓", "展臺臺", 2, "big5-as-gbk")
    2
    >>> split_reading("鍙戝睍", "发展", 1, "utf8-as-gbk"), split_reading("鍙戝睍", "发展", 1, "kunjinkao")
    (None, None)
    """
    codecs = _CODECS.get(cause)
    if codecs is None or LOST in before or LOST in after:
        return None
    wrong, right = codecs
    try:
        head = after[:at].encode(right)
        ends = list(accumulate((len(c.encode(wrong)) for c in before), initial=0))
    except UnicodeEncodeError:
        return None
    if len(head) not in ends:
        return None
    k = ends.index(len(head))
    return k if 0 < k < len(before) and before[:k].encode(wrong) == head else None


_KUNJINKAO_CHARS = frozenset(KUNJINKAO)
_NON_ASCII_STRETCH = re.compile(r"[^\x00-\x7f]+(?:[\x00-\x7f]{1,6}[^\x00-\x7f]+)*")


def _gbk_spans(text: str):
    """(start, end) of the stretches of ``text`` a GBK decoder can have written:
    non-ASCII runs with short ASCII between them, split at characters GBK lacks."""
    for m in _NON_ASCII_STRETCH.finditer(text):
        start = m.start()
        for k in range(m.start(), m.end()):
            try:
                text[k].encode("gbk")
            except UnicodeEncodeError:
                if k > start:
                    yield start, k
                start = k + 1
        if m.end() > start:
            yield start, m.end()


def fix_kunjinkao(text: str) -> list[Edit]:
    """``锟斤拷`` runs: undo the GBK reading; what was lost before stays U+FFFD.

    The run is undone piece by piece, where its characters and the UTF-8 ones
    share a byte boundary: a piece holding ``锟斤拷`` is undone, any other only
    when it reads no worse undone (``一`` beside ``锟斤拷`` is ``D2 BB``, which
    UTF-8 reads as Cyrillic ``һ``: it stays).
    """
    edits: list[Edit] = []
    if text.count("锟") < 2:
        return edits
    text_runs = [
        m.span()
        for m in _NON_ASCII_RUN.finditer(text)
        if _holds_kunjinkao(m.group()) and utf8_text_holding_lost(m.group())
    ]
    for run_start, run_end in _gbk_spans(text):
        run = text[run_start:run_end]
        if run.count("锟") < 2 or any(a <= run_start and run_end <= b for a, b in text_runs):
            continue  # (UTF-8 text that held U+FFFD: fix_codec_confusions reads it)
        data = run.encode("gbk")
        fixed, spans, _ = decode_spans(data, "utf-8")
        if fixed == run:
            continue
        char_at = {}
        pos = 0
        for k, ch in enumerate(run):
            char_at[pos] = k
            pos += len(ch.encode("gbk"))
        char_at[pos] = len(run)
        kept: list[tuple[int, int, str, bool]] = []  # (start, end, after, read from survivors)
        survivors = read_survivors(fixed) if LOST in fixed else list(fixed)
        i = a = 0  # the piece run[i:], fixed[a:]
        for b, (_s, e) in enumerate(spans, 1):
            if e not in char_at:
                continue
            j = char_at[e]
            before, after = run[i:j], fixed[a:b]
            if before != after and (
                _KUNJINKAO_CHARS.intersection(before) or lm.mean_logp(after) >= lm.mean_logp(before)
            ):
                read = "".join(survivors[a:b])
                lost = LOST in after or read != after
                if kept and kept[-1][1] == i:
                    kept[-1] = (kept[-1][0], j, kept[-1][2] + read, kept[-1][3] or lost)
                else:
                    kept.append((i, j, read, lost))
            i, a = j, b
        for i, j, after, lost in kept:
            if lost:
                # GBK read as UTF-8 before the 锟斤拷 round: see read_survivors
                edits.append(Edit(run_start + i, run_start + j, after, "kunjinkao", 0.6, "none"))
            else:
                edits.append(Edit(run_start + i, run_start + j, after, "kunjinkao", 0.9, "full"))
    return edits


def read_survivors(fixed: str) -> list[str]:
    """What each character of ``fixed`` (GBK bytes read as UTF-8) stands for.

    GBK read as UTF-8 keeps, between its U+FFFD, the byte runs that happened
    to be valid UTF-8: ``新华社北京`` (D0C2 BBAA C9E7 B1B1 BEA9) reads
    ``\ufffd»\ufffd\ufffd籱\ufffd\ufffd``.  A surviving character's bytes are GBK
    again, in the phase its offset in the run gives: each U+FFFD stands for
    one byte (the decoder writes one per invalid byte, and GBK's lead and
    trail bytes are rarely a valid UTF-8 prefix), ASCII for a whole character.
    Bytes whose partners were lost become one U+FFFD, as the survivor was
    one character (more would only lengthen the loss).  A character likelier
    than its reading (likelier than any character news does not use, when
    nothing reads) was UTF-8 text beside the U+FFFD and stands: ``报`` of
    ``本报记者\ufffd\ufffd报道`` written as UTF-8 and read as GBK.  The count is off
    where a U+FFFD stood for two bytes: of the characters other than U+FFFD
    these pieces write on the dev set's damaged rows, 13 of 22 (0.59) stand
    in the clean text (``benchmarks/repair.py``; the survivors written as
    they were stood right 0 of 93 times), so the repair says 0.6.

    >>> "".join(read_survivors("\ufffd»\ufffd\ufffd籱\ufffd\ufffd")), "".join(read_survivors("\ufffd报"))
    ('\ufffd\ufffd\ufffd\ufffd\ufffd北\ufffd\ufffd', '\ufffd报')
    """
    out = []
    at = 0  # bytes since the last character boundary known for certain
    for ch in fixed:
        if ch == LOST:
            at += 1
        elif ch < "\x80":
            at = 0
        else:
            data = ch.encode("utf-8")
            reread = _gbk_pairs(data, at % 2).replace(LOST * 2, LOST)
            read = reread.replace(LOST, "")
            # UTF-8 text beside U+FFFD (报 of 记者\ufffd报道) stands: likelier than its reading
            if lm.char_logp(ch) <= (lm.mean_logp(read) if read else 1.0):
                ch = reread
            at += len(data)
        out.append(ch)
    return out


def _gbk_pairs(data: bytes, phase: int) -> str:
    """``data`` read as GBK pairs from byte ``phase`` on; U+FFFD for a byte
    whose partner was lost and for a pair that is not a GBK character.

    >>> _gbk_pairs(b"\\xe7\\xb1\\xb1", 1), _gbk_pairs(b"\\xe7\\xb1\\xb1", 0)
    ('\\ufffd北', '绫\\ufffd')
    """
    out = [LOST] * phase
    for k in range(phase, len(data), 2):
        pair = data[k : k + 2]
        try:
            ch = pair.decode("gbk") if len(pair) == 2 and pair[0] >= 0x81 else LOST
        except UnicodeDecodeError:
            ch = LOST
        out.append(ch if len(ch) == 1 else LOST)
    return "".join(out)


_LOST_RUN = re.compile(r"\ufffd(?:[^\r\n]{0,2}\ufffd){2,}")  # not across a line end


def report_lost_runs(text: str) -> list[Edit]:
    """Runs of U+FFFD left by GBK read as UTF-8: nothing to recover, only to report.

    >>> [(e.start, e.end) for e in report_lost_runs("报道\ufffd\ufffd说\ufffd")]
    [(2, 6)]
    """
    if LOST not in text:
        return []  # every line but the few with lost bytes: one scan in C, not a regex search
    return [Edit(m.start(), m.end(), m.group(), "gbk-as-utf8", 0.6, "none") for m in _LOST_RUN.finditer(text)]
