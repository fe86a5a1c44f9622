"""The language model every repair consults before it changes anything.

Two scores, both built from jieba's ``dict.txt`` (349,046 words with corpus
frequencies), so no text from the seeds or the gold files is involved:

* :func:`char_logp` – a character unigram (log10 of the summed frequency of
  the words a character occurs in).  Cheap; good at telling mojibake
  (``鍙戝睍``) from Chinese (``发展``), and at picking the one decoding of a
  byte string that reads as Chinese.
* :func:`word_logp` – the log-probability of the best segmentation of a string
  into dictionary words (jieba's own DAG model).  Slower; used to choose
  between a few candidate readings of a short window (``头部阶段`` vs
  ``第一阶段``, which filler fits ``重大创新?台``).

Traditional text is scored through its simplified form (OpenCC ``t2s``), so
``產業`` scores like ``产业``: jieba's dictionary contains rare traditional
characters with tiny counts, which would otherwise make clean Big5 text look
like mojibake.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Iterable
from functools import lru_cache, reduce
from operator import add
from typing import NamedTuple

from ..charfreq import char_log_freq, is_cjk

# Punctuation of Chinese text: as plausible as a common character.
# Also the small forms (﹕﹐) Big5 text uses, and ○ written for zero in dates (二○○○年).
CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉【】—…·「」『』　％－﹐﹑﹔﹕﹖﹗○●")

# A character the dictionary never saw: rarer than anything it did see.
UNSEEN_LOGP = -1.0

# char_logp of every Han character of the basic plane (filled in bulk on first
# use) and of every other character met so far: a plain dict is read fastest.
_SEEN: dict[str, float] = {}


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified_char(ch: str) -> str:
    """The simplified form of one character (itself when OpenCC has none)."""
    if ch <= "\uffff":
        return _han_tables()[0].get(ord(ch), ch) if is_cjk(ch) else ch
    return _simplified_other(ch)


@lru_cache(maxsize=20_000)
def _simplified_other(ch: str) -> str:
    out = _t2s().convert(ch)
    return out if len(out) == 1 else ch


# The Han characters of the basic plane (the others are converted one by one).
HAN_BMP = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _han_tables() -> tuple[dict[int, str], dict[str, float]]:
    """For the Han characters of the basic plane, found in one OpenCC call (some
    30 ms, once): the simplified form of those that have one (a
    :meth:`str.translate` table), and every one's :func:`char_logp`."""
    chars = [chr(c) for lo, hi in HAN_BMP for c in range(lo, hi)]
    table = char_log_freq()
    to_simple = {}
    logp = {}
    out = _t2s().convert("\n".join(chars)).split("\n")
    simple_forms = [s if len(s) == 1 else ch for ch, s in zip(chars, out)] if len(out) == len(chars) else chars
    for ch, simple in zip(chars, simple_forms):
        own = table.get(ch, UNSEEN_LOGP)
        if simple != ch:
            to_simple[ord(ch)] = simple
            logp[ch] = max(own, table.get(simple, UNSEEN_LOGP))
        else:
            logp[ch] = own
    return to_simple, logp


def han_logps() -> dict[str, float]:
    """:func:`char_logp` of every Han character of the basic plane (do not change it)."""
    return _han_tables()[1]


def to_simplified(text: str) -> str:
    """Character-wise t2s (keeps the length, so offsets of candidates agree)."""
    if text.isascii():
        return text
    if max(text) <= "\uffff":
        return text.translate(_han_tables()[0])
    return "".join(simplified_char(ch) if is_cjk(ch) else ch for ch in text)


def char_logp(ch: str) -> float:
    """Plausibility of one character in Chinese news (log10 scale, higher is likelier)."""
    try:
        return _SEEN[ch]
    except KeyError:
        if not _SEEN:
            _SEEN.update(_han_tables()[1])
        value = _SEEN[ch] = _char_logp(ch)
        return value


def _char_logp(ch: str) -> float:
    if is_cjk(ch):
        if ch <= "\uffff":
            return _han_tables()[1][ch]
        table = char_log_freq()
        own = table.get(ch, UNSEEN_LOGP)
        simple = simplified_char(ch)
        return max(own, table.get(simple, UNSEEN_LOGP)) if simple != ch else own
    if ch in CJK_PUNCT:
        return 5.0
    if ch.isascii():
        return 4.0 if ch.isprintable() else -3.0
    if "\uff01" <= ch <= "\uff5e":
        return 1.0  # full-width Latin letters and digits: what a shifted decoding of A3 xx gives
    if ch == "\ufffd":
        return -4.0
    if "\ue000" <= ch <= "\uf8ff":
        return -5.0  # private use: what a wrong decoding of GBK's user areas gives
    if ch.isalpha():
        return 0.0  # kana, Hangul, Latin-1 letters, Cyrillic: rare in Chinese news
    return -1.0  # symbols, box drawing, control characters


# char_logp and char_logp - NEUTRAL_LOGP of the characters of the basic plane
# by code point (_UNSCORED until first met): a text is scored by indexing a
# list, twice as fast as a dict keyed by the fresh one-character strings that
# iterating over it makes (each one hashed and compared).
_UNSCORED = math.nan
_LOGP_AT: list[float] = [_UNSCORED] * 0x10000
_RELATIVE_AT: list[float] = [_UNSCORED] * 0x10000


def _score_characters(text: str) -> None:
    """Fill the code-point tables for the characters of ``text`` (the Han
    characters of the basic plane all at once, the first time)."""
    if _LOGP_AT[0x4E00] is _UNSCORED:
        for ch, value in han_logps().items():
            _LOGP_AT[ord(ch)] = value
            _RELATIVE_AT[ord(ch)] = value - NEUTRAL_LOGP
    for ch in set(text):
        if ch <= "\uffff" and _LOGP_AT[ord(ch)] is _UNSCORED:
            value = _LOGP_AT[ord(ch)] = char_logp(ch)
            _RELATIVE_AT[ord(ch)] = value - NEUTRAL_LOGP


# The code points of a text as native unsigned ints, from one encoding in C
# (a fifth faster to score than ``map(ord, text)`` on a line; four-byte ints
# only), for texts long enough to repay the encoding and the view.
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_NATIVE_UINT32 = "I" if array("I").itemsize == 4 else None
_ENCODED_FROM = 16


def _code_points(text: str) -> Iterable[int]:
    """``map(ord, text)``, faster.

    >>> list(_code_points("中a")), list(_code_points("中a" * 8))[-2:]
    ([20013, 97], [20013, 97])
    """
    if _NATIVE_UINT32 is not None and len(text) >= _ENCODED_FROM:
        try:
            return memoryview(text.encode(_UTF32)).cast(_NATIVE_UINT32)
        except UnicodeEncodeError:  # a lone surrogate
            pass
    return map(ord, text)


def text_logp(text: str) -> float:
    """Sum of :func:`char_logp` over ``text``."""
    try:
        total = sum(map(_LOGP_AT.__getitem__, _code_points(text)))
    except IndexError:  # a character outside the basic plane
        return sum(map(char_logp, text))
    if total != total:  # a character not scored yet
        _score_characters(text)
        total = sum(map(_LOGP_AT.__getitem__, _code_points(text)))
    return total


def char_logps(text: str) -> list[float]:
    """:func:`char_logp` of each character of ``text``: :func:`text_logp`'s terms,
    so that ``sum(char_logps(text)[a:b]) == text_logp(text[a:b])`` (the same
    terms added in the same order) for many pieces of one text, scored once.

    >>> t = "鍙戝睍发展"
    >>> sum(char_logps(t)[2:]) == text_logp(t[2:])
    True
    """
    try:
        terms = list(map(_LOGP_AT.__getitem__, _code_points(text)))
    except IndexError:  # a character outside the basic plane
        return list(map(char_logp, text))
    if _UNSCORED in terms:  # a character not scored yet
        _score_characters(text)
        terms = list(map(_LOGP_AT.__getitem__, _code_points(text)))
    return terms


@lru_cache(maxsize=20_000)
def mean_logp(text: str) -> float:
    """Mean :func:`char_logp` (0.0 for empty text)."""
    return text_logp(text) / len(text) if text else 0.0


@lru_cache(maxsize=4)
def _scoring_at_least(threshold: float) -> re.Pattern[str]:
    """The characters of the basic plane :func:`char_logp` scores ``threshold``
    or more, as one regex class: Han characters, Chinese punctuation and
    printable ASCII (every other character scores 1.0 or less)."""
    if threshold <= 1.0:
        raise ValueError(f"threshold must be above 1.0, got {threshold}")
    chars = [*han_logps(), *CJK_PUNCT, *map(chr, range(0x20, 0x7F))]
    points = sorted(ord(c) for c in chars if c <= "\uffff" and char_logp(c) >= threshold)
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return re.compile("[" + "".join(re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in ranges) + "]*")


def scores_at_least(text: str, threshold: float) -> bool:
    """Does every character of ``text`` score ``threshold`` or more?  Then so
    does their mean, exactly as :func:`mean_logp` computes it (a float sum of
    terms each at least ``threshold`` stays at least ``threshold`` times their
    count, rounding being monotone), found in one regex scan, not a sum.  False
    may also mean "not known": a character outside the basic plane.

    >>> scores_at_least("中国的", 4.0), scores_at_least("中国鍙", 4.0)
    (True, False)
    """
    return _scoring_at_least(threshold).fullmatch(text) is not None


# A typical character of news text scores about 5; mojibake characters about 2.
# Scores measured relative to this are positive for good text, negative for bad.
NEUTRAL_LOGP = 3.8


# One to three ASCII characters (not a space) between two non-ASCII ones.
_FLANKED_ASCII = re.compile(r"(?<=[^\x00-\x7f])[\x00-\x1f\x21-\x7f]{1,3}(?=[^\x00-\x7f])")
_DEBRIS = 1.0 - NEUTRAL_LOGP


@lru_cache(maxsize=200_000)
def _relative_char(ch: str) -> float:
    return char_logp(ch) - NEUTRAL_LOGP


def relative_logp(text: str) -> float:
    """Sum of ``char_logp - NEUTRAL_LOGP``: positive for text that reads as Chinese.

    One to three ASCII letters or marks between two non-ASCII characters
    (``碧K州``, ``鄙虾H醫``, ``估算?hF公路``, ``亮點?_@次``) are scored as the
    debris of a shifted decoding they nearly always are; digits are not.
    """
    try:
        terms = list(map(_RELATIVE_AT.__getitem__, _code_points(text)))
    except IndexError:  # a character outside the basic plane
        terms = list(map(_relative_char, text))
    else:
        if _UNSCORED in terms:
            _score_characters(text)
            terms = list(map(_RELATIVE_AT.__getitem__, _code_points(text)))
    for m in _FLANKED_ASCII.finditer(text):
        for k in range(m.start(), m.end()):
            if text[k] not in "0123456789,;:":
                terms[k] = _DEBRIS
    return reduce(add, terms, 0.0)  # left to right, as a loop adds


def debris_adjustment(text: str) -> float:
    """What :func:`relative_logp` scores the debris of ``text`` (see there) beyond
    the characters' own scores: with :func:`relative_logp`'s terms known
    otherwise, its value without summing them again."""
    total = 0.0
    for m in _FLANKED_ASCII.finditer(text):
        for k in range(m.start(), m.end()):
            if text[k] not in "0123456789,;:":
                total += _DEBRIS - _relative_char(text[k])
    return total


# -- word model ---------------------------------------------------------------------
@lru_cache(maxsize=1)
def _word_model() -> tuple[dict[str, int], float]:
    from ..dictionary import word_frequencies

    freq, total = word_frequencies()
    return freq, math.log10(total)


MAX_WORD_LEN = 8
PUNCT_STEP = {"，": -1.3, "。": -1.6, "、": -2.0, "；": -2.5, "：": -2.3, "“": -2.2, "”": -2.2, "「": -2.2, "」": -2.2}


@lru_cache(maxsize=100_000)
def word_logp(text: str) -> float:
    """log10 probability of the best segmentation of ``text`` into jieba words.

    A character that is not a dictionary word costs one unseen-word penalty
    plus its unigram, so strings of rare characters score very low.
    """
    return _best_path(text)[0][-1]


def best_segmentation(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the words of :func:`word_logp`'s best segmentation."""
    back = _best_path(text)[1]
    spans = []
    j = len(text)
    while j > 0:
        spans.append((back[j], j))
        j = back[j]
    return spans[::-1]


def _best_path(text: str) -> tuple[list[float], list[int]]:
    freq, log_total = _word_model()
    s = to_simplified(text)
    n = len(s)
    best = [0.0] + [-math.inf] * n
    back = [0] * (n + 1)
    # one character on its own: :func:`_single_step`, from the table by character
    steps = list(map(_single, text))
    for i in range(n):
        base = best[i]
        if base == -math.inf:
            continue
        step = steps[i]
        if base + step > best[i + 1]:
            best[i + 1] = base + step
            back[i + 1] = i
        for j in range(i + 2, min(n, i + MAX_WORD_LEN) + 1):
            f = freq.get(s[i:j])
            if f is None:
                break  # jieba's FREQ holds every prefix of every word (with count 0)
            if f:
                v = base + math.log10(f) - log_total
                if v > best[j]:
                    best[j] = v
                    back[j] = i
    return best, back


def _single_step(s_ch: str, ch: str, freq: dict, log_total: float) -> float:
    """The score of one character as a word of its own, ``s_ch`` its simplified form."""
    if not is_cjk(s_ch):
        # Chinese punctuation is as common as the commonest words (a hole in
        # Big5 A1 41 is "，" far more often than 你); digits and Latin: a
        # flat cost, the same for every candidate.
        return PUNCT_STEP.get(s_ch, -3.0)
    f = freq.get(s_ch, 0)
    return math.log10(f) - log_total if f else -log_total - 2.0 + min(char_logp(ch), 5.0) - 5.0


@lru_cache(maxsize=50_000)
def _single(ch: str) -> float:
    """:func:`_single_step` of ``ch``, its simplified form found."""
    freq, log_total = _word_model()
    return _single_step(simplified_char(ch) if is_cjk(ch) else ch, ch, freq, log_total)


@lru_cache(maxsize=20_000)
def _prefix_paths(before: str) -> tuple[list[float], list[int]]:
    """The best path scores through ``before`` to each position, and the
    positions whose words may run past its end (do not change the lists)."""
    freq, log_total = _word_model()
    sb = to_simplified(before)
    lb = len(before)
    prefix = [0.0] + [-math.inf] * lb
    reaching = []
    for i in range(lb):
        base = prefix[i]
        if base == -math.inf:
            continue
        step = _single_step(sb[i], before[i], freq, log_total)
        if base + step > prefix[i + 1]:
            prefix[i + 1] = base + step
        words, reached = _words_at(sb, i, i + 2, min(lb, i + MAX_WORD_LEN), freq)
        for j, f in words:
            v = base + math.log10(f) - log_total
            if v > prefix[j]:
                prefix[j] = v
        if reached and i + MAX_WORD_LEN > lb:
            reaching.append(i)
    return prefix, reaching


def _words_at(s: str, i: int, first: int, last: int, freq: dict) -> tuple[list[tuple[int, int]], bool]:
    """The dictionary words ``s[i:j]`` for ``first <= j <= last`` with their counts,
    and whether the scan got to ``last`` (jieba's FREQ holds every prefix of
    every word, with count 0: a string it lacks begins no longer word)."""
    words = []
    for j in range(first, last + 1):
        f = freq.get(s[i:j])
        if f is None:
            return words, False
        if f:
            words.append((j, f))
    return words, True


def word_logps_between(before: str, middles: tuple[str, ...], after: str) -> tuple[float, ...]:
    """``word_logp(before + c + after)`` for each one-character ``c`` of ``middles``.

    What a candidate changes is only the words that hold it: the best paths
    through ``before`` are found once, and for each candidate the words that
    reach into it from there and the paths on to the end (the same sums as
    :func:`word_logp`, so the same values).
    """
    freq, log_total = _word_model()
    sb, sa = to_simplified(before), to_simplified(after)
    lb = len(before)
    n = lb + 1 + len(after)
    prefix, reaching = _prefix_paths(before)
    out = []
    for c in middles:
        s = sb + (simplified_char(c) if is_cjk(c) else c) + sa
        text = before + c + after
        best = prefix + [-math.inf] * (n - lb)
        for i in [*reaching, *range(lb, n)]:
            base = best[i]
            if base == -math.inf:
                continue
            if i >= lb:
                step = _single_step(s[i], text[i], freq, log_total)
                if base + step > best[i + 1]:
                    best[i + 1] = base + step
            for j, f in _words_at(s, i, max(i + 2, lb + 1), min(n, i + MAX_WORD_LEN), freq)[0]:
                v = base + math.log10(f) - log_total
                if v > best[j]:
                    best[j] = v
        out.append(best[n])
    return tuple(out)


@lru_cache(maxsize=20_000)
def _suffix_paths(after: str) -> tuple[float, ...]:
    """The best path scores through ``after`` from each of its positions to its end."""
    freq, log_total = _word_model()
    sa = to_simplified(after)
    m = len(after)
    suffix = [-math.inf] * m + [0.0]
    for k in range(m - 1, -1, -1):
        top = _single(after[k]) + suffix[k + 1]
        for e in range(k + 2, min(m, k + MAX_WORD_LEN) + 1):
            f = freq.get(sa[k:e])
            if f is None:
                break
            if f:
                v = math.log10(f) - log_total + suffix[e]
                if v > top:
                    top = v
        suffix[k] = top
    return tuple(suffix)


@lru_cache(maxsize=20_000)
def _before_paths(before: str) -> tuple[float, tuple[tuple[float, str], ...]]:
    """The best path score through ``before``, and where a word holding the
    character after it may start: the best path score up to there and the
    start of the word (simplified).  :func:`_prefix_paths`'s sums, in one pass
    for the few characters of a window's context."""
    freq, log_total = _word_model()
    sb = to_simplified(before)
    lb = len(before)
    prefix = [0.0] + [-math.inf] * lb
    starts = []
    for i in range(lb):
        base = prefix[i]
        v = base + _single(before[i])
        if v > prefix[i + 1]:
            prefix[i + 1] = v
        reached = True
        for j in range(i + 2, min(lb, i + MAX_WORD_LEN) + 1):
            f = freq.get(sb[i:j])
            if f is None:
                reached = False
                break
            if f:
                v = base + math.log10(f) - log_total
                if v > prefix[j]:
                    prefix[j] = v
        if reached and i + MAX_WORD_LEN > lb:
            starts.append((base, sb[i:]))
    return prefix[-1], tuple(starts)


def warm_up() -> None:
    """Build the word model's index of two-character entries (:func:`_pairs`,
    some 0.2 s) now, not when the first hole is filled."""
    _pairs()


@lru_cache(maxsize=1)
def _pairs() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The two-character entries of the word model (words and prefixes of
    words) by their first character (the characters that may follow it) and
    by their second (those that may precede it): which of a window's
    candidates make a word with a neighbour, from one small set, rather
    than one look-up per candidate in the large dictionary (some 0.2 s, once)."""
    following: dict[str, list[str]] = {}
    preceding: dict[str, list[str]] = {}
    for key in _word_model()[0]:
        if len(key) == 2:
            following.setdefault(key[0], []).append(key[1])
            preceding.setdefault(key[1], []).append(key[0])
    return {c: frozenset(v) for c, v in following.items()}, {c: frozenset(v) for c, v in preceding.items()}


_NONE: frozenset[str] = frozenset()


def word_pairs() -> dict[str, frozenset[str]]:
    """The two-character entries of the word model (words and prefixes of
    words, simplified), by their first character: the characters that may
    follow it.  Every two-character word (:func:`is_word`) is one of them, so
    a character not listed after ``a`` makes no word with it (do not change
    the table).

    >>> "司" in word_pairs()["公"]
    True
    """
    return _pairs()[0]


def is_word(simplified: str) -> bool:
    """Whether ``simplified`` (in simplified script) is a word of the word model.

    >>> is_word("公司"), is_word("限公")
    (True, False)
    """
    return bool(_word_model()[0].get(simplified))


@lru_cache(maxsize=50_000)
def word_logps_around(before: str, middles: tuple[str, ...], after: str) -> tuple[float, ...]:
    """:func:`word_logps_between`, summed in another order: the best path
    through ``before``, the one word that holds the candidate, the best path
    through ``after`` (found once for all candidates).  Equal but for the last
    bits of rounding, and a few times faster: for ranking many candidates."""
    freq, log_total = _word_model()
    following, preceding = _pairs()
    sa = to_simplified(after)
    suffix = _suffix_paths(after)
    here, starts = _before_paths(before)
    simple = _simplified_tuple(middles)
    longest = min(len(after), MAX_WORD_LEN - 1)
    # the candidate as a word of its own
    alone = suffix[0]
    out = [here + step + alone for step in _singles(middles)]
    # words that reach into it from before, then those that start with it; most
    # candidates make no word with either neighbour: a one-character neighbour
    # tells which do from the pairs that hold it (one set operation for all)
    for base, left in (*starts, (here, "")):
        first = 1 if not left else 0
        if first > longest:
            continue
        room = MAX_WORD_LEN - len(left) - 1
        if len(left) < 2:
            pairs = following.get(left, _NONE) if left else preceding.get(sa[0], _NONE)
            if pairs.isdisjoint(simple):
                continue
            hits = [k for k, sc in enumerate(simple) if sc in pairs]
        else:
            hits = [k for k, sc in enumerate(simple) if left + sc in freq]
        for k in hits:
            word = left + simple[k]
            top = out[k]
            for m in range(first, min(longest, room) + 1):
                f = freq.get(word + sa[:m])
                if f is None:
                    break
                if f:
                    v = base + math.log10(f) - log_total + suffix[m]
                    if v > top:
                        top = v
            out[k] = top
    return tuple(out)


def word_logp_after(before: str, rest: str) -> float:
    """``word_logp(before + rest)``, the best paths through ``before`` those of
    :func:`_before_paths` (found once for the readings of many ``rest``): the
    same sums as :func:`word_logp`, so the same value.

    >>> word_logp_after("有限", "公司") == word_logp("有限公司")
    True
    """
    freq, log_total = _word_model()
    here, starts = _before_paths(before)
    s = to_simplified(rest)
    n = len(rest)
    best = [here] + [-math.inf] * n  # at each position of rest
    for base, left in starts:  # the words from before that go on into rest
        for t in range(1, min(n, MAX_WORD_LEN - len(left)) + 1):
            f = freq.get(left + s[:t])
            if f is None:
                break
            if f:
                v = base + math.log10(f) - log_total
                if v > best[t]:
                    best[t] = v
    for t in range(n):
        base = best[t]
        v = base + _single(rest[t])
        if v > best[t + 1]:
            best[t + 1] = v
        for e in range(t + 2, min(n, t + MAX_WORD_LEN) + 1):
            f = freq.get(s[t:e])
            if f is None:
                break
            if f:
                v = base + math.log10(f) - log_total
                if v > best[e]:
                    best[e] = v
    return best[n]


class PairCandidates(NamedTuple):
    """The pairs ``(a, b)`` of ``firsts`` × ``seconds`` that
    :func:`best_pair_logp` weighs, with what it needs of each character
    found once (:func:`pair_candidates`): the simplified forms, the scores as
    one-character words (:func:`_single`), where each simplified form stands,
    and for each first of ``together`` (where it stands, simplified) its
    seconds (where each stands, simplified, its score, the pair)."""

    firsts: tuple[str, ...]
    first_simple: tuple[str, ...]
    first_singles: tuple[float, ...]
    first_at: dict[str, tuple[int, ...]]
    seconds: tuple[str, ...]
    second_singles: tuple[float, ...]
    second_at: dict[str, tuple[int, ...]]
    together: tuple[tuple[int, str, tuple[tuple[int, str, float, str], ...]], ...]


def _positions(simple: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    at = {sc: (k,) for k, sc in enumerate(simple)}
    if len(at) < len(simple):  # 國 and 国 both stand for 国
        at = {}
        for k, sc in enumerate(simple):
            at[sc] = at.get(sc, ()) + (k,)
    return at


def pair_candidates(
    firsts: tuple[str, ...], seconds: tuple[str, ...], together: tuple[tuple[str, tuple[str, ...]], ...]
) -> PairCandidates:
    """The pairs of ``firsts`` × ``seconds`` for :func:`best_pair_logp`;
    ``together``: firsts with the seconds they make a word with (each first
    of ``firsts``, each second of ``seconds``)."""
    first_simple, first_singles, first_at = _candidate_side(firsts)
    second_simple, second_singles, second_at = _candidate_side(seconds)
    pairs = []
    for a, words in together:
        k_a = firsts.index(a)
        at = [seconds.index(b) for b in words]
        pairs.append(
            (k_a, first_simple[k_a], tuple((k, second_simple[k], second_singles[k], a + b) for k, b in zip(at, words)))
        )
    return PairCandidates(
        firsts, first_simple, first_singles, first_at, seconds, second_singles, second_at, tuple(pairs)
    )


@lru_cache(maxsize=20_000)
def _candidate_side(chars: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[float, ...], dict[str, tuple[int, ...]]]:
    """The simplified forms of ``chars``, their scores as one-character words,
    where each simplified form stands (the firsts of a merge are those of its
    lead byte, the seconds those of its trail byte: shared by many characters)."""
    simple = tuple(to_simplified("".join(chars)))  # character by character
    return simple, tuple(map(_single, chars)), _positions(simple)


def best_pair_logp(before: str, kinds: Iterable[PairCandidates], after: str) -> tuple[float, str]:
    """The best reading of ``before + a + b + after`` over the pairs ``(a, b)``
    of ``kinds`` (:func:`pair_candidates`), and that pair (``-inf, ""`` for
    none).  A pair of no word is scored as the best reading ending with a
    first plus the best one starting with a second, the pairs of
    ``together`` whole; ties go to the first pair so found.  The same values
    as (``kinds`` made of ``(firsts, seconds, together)``)::

        best, pair = -math.inf, ""
        for firsts, seconds, together in kinds:
            ending = word_logps_around(before, firsts, "")
            starting = word_logps_around("", seconds, after)
            m, n = ending.index(max(ending)), starting.index(max(starting))
            if ending[m] + starting[n] > best:
                best, pair = ending[m] + starting[n], firsts[m] + seconds[n]
            for a, words in together:
                found = max(zip(word_logps_around(before + a, words, after), (a + b for b in words)))
                if found[0] > best:
                    best, pair = found

    (the same sums, so the same floats: tests/test_repair_properties.py),
    found with what those calls share done once: the paths through
    ``before`` and ``after``, the words starting with each second; and
    through ``before + a`` the best path is ``a``'s ending score, the words
    reaching into ``a`` those of ``before`` that go on with it.

    >>> kinds = [pair_candidates(("公", "國"), ("司", "際"), (("公", ("司",)),))]
    >>> score, pair = best_pair_logp("有限", kinds, "執行")
    >>> pair, round(score, 9) == round(word_logp("有限公司執行"), 9)
    ('公司', True)
    """
    freq, log_total = _word_model()
    following, preceding = _pairs()
    get, log10 = freq.get, math.log10
    here, starts = _before_paths(before)
    sa = to_simplified(after)
    suffix = _suffix_paths(after)
    longest = min(len(after), MAX_WORD_LEN - 1)
    alone = suffix[0]
    # the characters that make a two-character entry with the first one after
    ahead = preceding.get(sa[0], _NONE) if longest else _NONE
    best, pair = -math.inf, ""
    open_starts = [(base, left) for base, left in starts if len(left) < MAX_WORD_LEN - 1]  # room for a and more
    for c in kinds:
        # word_logps_around(before, firsts, ""): no path after ("" scores 0.0),
        # a first alone or the end of a word from before
        # (adding the 0.0 of no path after changes no sum, none being -0.0)
        ending = [here + step for step in c.first_singles]
        for base, left in starts:
            if len(left) < 2:  # the pair index tells which firsts make an entry with it
                for sc in following.get(left, _NONE).intersection(c.first_at):
                    f = get(left + sc)
                    if f:
                        v = base + log10(f) - log_total + 0.0
                        for k in c.first_at[sc]:
                            if v > ending[k]:
                                ending[k] = v
            else:
                counts = list(map(get, map(left.__add__, c.first_simple)))
                if any(counts):
                    for k, f in enumerate(counts):
                        if f:
                            v = base + log10(f) - log_total + 0.0
                            if v > ending[k]:
                                ending[k] = v
        # word_logps_around("", seconds, after): no path before (0.0), a second
        # alone or the start of a word into after; those words (where they
        # end in after, log10 count) are kept for the pairs of together
        # (0.0 + step is step: none is -0.0)
        starting = [step + alone for step in c.second_singles]
        words_from: dict[int, list[tuple[int, float]]] = {}
        if ahead:
            for sc in ahead.intersection(c.second_at):
                found_words = []
                for m in range(1, longest + 1):
                    f = get(sc + sa[:m])
                    if f is None:
                        break
                    if f:
                        found_words.append((m, log10(f)))
                for k in c.second_at[sc] if found_words else ():
                    words_from[k] = found_words
                    top = starting[k]
                    for m, lf in found_words:
                        v = 0.0 + lf - log_total + suffix[m]
                        if v > top:
                            top = v
                    starting[k] = top
        e, s = max(ending), max(starting)
        if e + s > best:
            best, pair = e + s, c.firsts[ending.index(e)] + c.seconds[starting.index(s)]
        for k_a, simple_a, words in c.together:
            # word_logps_around(before + a, words, after): the best path through
            # before + a is a's ending score; the words starting in before that
            # go on with a, and a itself, may go on with the second
            here_a = ending[k_a]
            starts_a = [(base, left + simple_a) for base, left in open_starts if left + simple_a in freq]
            starts_a.append((here, simple_a))
            found = None
            for k, sc, single, ab in words:
                top = here_a + single + alone
                for base, left in starts_a:
                    word = left + sc
                    for m in range(min(longest, MAX_WORD_LEN - len(left) - 1) + 1):
                        f = get(word + sa[:m])
                        if f is None:
                            break
                        if f:
                            v = base + log10(f) - log_total + suffix[m]
                            if v > top:
                                top = v
                for m, lf in words_from.get(k, ()):
                    v = here_a + lf - log_total + suffix[m]
                    if v > top:
                        top = v
                if found is None or (top, ab) > found:
                    found = (top, ab)
            if found is not None and found[0] > best:
                best, pair = found
    return best, pair


@lru_cache(maxsize=20_000)
def _singles(chars: tuple[str, ...]) -> tuple[float, ...]:
    """:func:`_single` of each of ``chars`` (a hole's candidates: the same tuple
    for every hole of the same bytes, one look-up rather than one a candidate)."""
    return tuple(map(_single, chars))


@lru_cache(maxsize=20_000)
def _simplified_tuple(chars: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(simplified_char(c) if is_cjk(c) else c for c in chars)


def word_freq(word: str) -> int:
    """jieba's corpus count of ``word`` (simplified form), 0 when it is not a word."""
    return _word_model()[0].get(to_simplified(word)) or 0


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def word_tag(word: str) -> str:
    """jieba's part-of-speech tag of ``word`` (``""`` when it is not in the dictionary)."""
    return _word_tags().get(to_simplified(word), "")


def is_han(ch: str) -> bool:
    return is_cjk(ch)


# The ranges of :func:`.charfreq.is_cjk`, for finding them in one scan.
_HAN_RANGES = "\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002fa1f\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_RANGES}]")


def count_han(text: str) -> int:
    """How many characters of ``text`` are :func:`is_han`.

    >>> count_han("北京abc，市")
    3
    """
    return len(_HAN.findall(text))


def looks_chinese(ch: str) -> bool:
    """A Han character or Chinese punctuation (the context that makes ASCII punctuation wrong)."""
    return is_cjk(ch) or ch in CJK_PUNCT


# What is not :func:`looks_chinese`, for dropping it in one scan.
_NOT_CHINESE = re.compile(f"[^{_HAN_RANGES}{''.join(map(re.escape, sorted(CJK_PUNCT)))}]+")


def chinese_only(text: str) -> str:
    """The characters of ``text`` that :func:`looks_chinese`, in order.

    >>> chinese_only("×报北a，é")
    '报北，'
    """
    return _NOT_CHINESE.sub("", text)


def holds_han(text: str) -> bool:
    """Does ``text`` hold a character that :func:`is_han`?"""
    return _HAN.search(text) is not None
