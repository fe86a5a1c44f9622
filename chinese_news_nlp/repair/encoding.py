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

from ..alignment import Edit
from . import lm
from .bytes_model import HOLE, LOST, decode_with_holes

# -- Latin-1 / cp1252 -------------------------------------------------------------
_CP1252_SPECIALS = {
    bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_LATIN_CLASS = "\x00-\xff" + "".join(re.escape(c) for c in _CP1252_SPECIALS)
# A run of Latin-1/cp1252 characters holding at least two non-ASCII ones.
_LATIN_RUN = re.compile(f"[\x80-\xff{''.join(_CP1252_SPECIALS)}][{_LATIN_CLASS}]*[\x80-\xff{''.join(_CP1252_SPECIALS)}][\x21-\x7e]?")


def _latin_bytes(run: str) -> bytes:
    return bytes(_CP1252_SPECIALS.get(ch, ord(ch) if ord(ch) < 256 else 0x3F) for ch in run)


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


def _fix_latin_run(text: str, start: int, end: int) -> Edit | None:
    run = text[start:end]
    if run[0].isascii():
        return None
    raw = _latin_bytes(run)
    best = None
    for codec, cause in (("utf-8", "utf8-as-latin1"), ("gb18030", "gbk-as-latin1")):
        for keep_last in (True, False):
            data = raw if keep_last or len(raw) < 2 else raw[:-1]
            try:
                fixed = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if not any(lm.is_han(c) for c in fixed):
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
    return _tight_edit(text, start, span_end, fixed, cause, 0.95, "full")


# -- CJK-codec confusions -----------------------------------------------------------
# A run of non-ASCII characters: in all these codecs ASCII bytes stand for
# themselves outside multi-byte characters, so ASCII text splits runs safely.
# An ASCII character right after U+FFFD is kept in the run: the lossy decoder
# dropped the byte before it, and it may be the second byte of a character
# (Big5 and GBK trail bytes include 0x40-0x7E).
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]|(?<=\ufffd)[\x40-\x7e])+")

KUNJINKAO = "锟斤拷"
_KUNJINKAO_RUN = re.compile(r"(?:锟斤拷|锟[^\x00-\x7f]|[^\x00-\x7f]拷)")

# (read as, should have been, cause): the run's characters are re-encoded with
# the first codec and decoded with the second.
_CONFUSIONS = (
    ("gb18030", "utf-8", "utf8-as-gbk"),
    ("gb18030", "big5", "big5-as-gbk"),
    ("big5", "gbk", "gbk-as-big5"),
)

# Below this mean character score a run is worth the expensive path.
SUSPICIOUS_MEAN = 4.0


def _tokens(run: str, codec: str) -> list[int] | None:
    out: list[int] = []
    for ch in run:
        if ch == LOST:
            out.append(HOLE)
            continue
        try:
            out.extend(ch.encode(codec))
        except UnicodeEncodeError:
            return None
    return out


def reinterpret(run: str) -> tuple[str, str, int, int] | None:
    """The best reading of ``run`` under each confusion: (text, cause, recovered, lost)."""
    best = None
    for wrong, right, cause in _CONFUSIONS:
        tokens = _tokens(run, wrong)
        if tokens is None:
            continue
        if HOLE not in tokens:
            try:
                fixed = bytes(tokens).decode(right)
                result = (fixed, 0, 0)
            except UnicodeDecodeError:
                result = decode_with_holes(tokens, right) if len(tokens) < 4000 else None
        else:
            result = decode_with_holes(tokens, right) if len(tokens) < 4000 else None
        if result is None:
            continue
        fixed, recovered, lost = result
        if not fixed or sum(lm.is_han(c) for c in fixed) < max(1, len(fixed) // 3):
            continue
        score = lm.mean_logp(fixed)
        if best is None or score > best[0]:
            best = (score, fixed, cause, recovered, lost)
    if best is None:
        return None
    return best[1], best[2], best[3], best[4]


def fix_codec_confusions(text: str) -> list[Edit]:
    """UTF-8 read as GBK, Big5 read as GBK and the reverse, on runs that read badly."""
    edits = []
    for m in _NON_ASCII_RUN.finditer(text):
        run = m.group()
        if KUNJINKAO in run:
            continue
        before = lm.mean_logp(run)
        if before >= SUSPICIOUS_MEAN and LOST not in run:
            continue
        found = reinterpret(run)
        if found is None:
            continue
        fixed, cause, recovered, lost = found
        after = lm.mean_logp(fixed)
        # A clean run never gains this much; mojibake gains 2 or more.
        if after < before + 1.2 or after < 3.6:
            continue
        recoverable = "full" if not recovered and not lost else ("none" if lost > len(fixed) // 2 else "partial")
        confidence = round(min(0.99, 0.5 + (after - before) / 6), 2)
        edit = _tight_edit(text, m.start(), m.end(), fixed, cause, confidence, recoverable)
        if edit is not None:
            edits.append(edit)
    return edits


def fix_kunjinkao(text: str) -> list[Edit]:
    """``锟斤拷`` runs: undo the GBK reading; what was lost before stays U+FFFD."""
    edits = []
    for m in re.finditer(r"[^\x00-\x7f]+(?:[\x00-\x7f]{1,6}[^\x00-\x7f]+)*", text):
        run = m.group()
        if run.count("锟") < 2:
            continue
        try:
            data = run.encode("gbk", errors="strict")
        except UnicodeEncodeError:
            continue
        fixed = data.decode("utf-8", errors="replace")
        if fixed == run:
            continue
        edits.append(Edit(m.start(), m.end(), fixed, "kunjinkao", 0.9, "none"))
    return edits


def report_lost_runs(text: str) -> list[Edit]:
    """Runs of U+FFFD left by GBK read as UTF-8: nothing to recover, only to report."""
    return [
        Edit(m.start(), m.end(), m.group(), "gbk-as-utf8", 0.6, "none")
        for m in re.finditer(r"\ufffd(?:[^\n]{0,2}\ufffd){2,}", text)
    ]


def _tight_edit(text: str, start: int, end: int, fixed: str, cause: str, conf: float, recov: str) -> Edit | None:
    """Trim the characters the run and its repair share at both ends."""
    before = text[start:end]
    a = 0
    while a < min(len(before), len(fixed)) and before[a] == fixed[a]:
        a += 1
    b = 0
    while b < min(len(before), len(fixed)) - a and before[len(before) - 1 - b] == fixed[len(fixed) - 1 - b]:
        b += 1
    if a == len(before) and a == len(fixed):
        return None
    return Edit(start + a, end - b, fixed[a : len(fixed) - b], cause, conf, recov)
