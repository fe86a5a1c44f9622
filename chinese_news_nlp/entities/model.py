"""The trained entity model, run with onnxruntime inside LAC's own graph.

``data/models/entities.onnx`` is a small head (character embedding, BiLSTM,
two CRF label sets) trained by :mod:`chinese_news_nlp.training.entities` on
frozen LAC features.  At load time its graph is appended to LAC's
(:func:`chinese_news_nlp.lac.merge_graph`), so one ``session.run`` per batch
gives LAC's words and the head's scores; the CRFs are decoded in numpy, and
each span gets its probability under the CRF (:mod:`chinese_news_nlp.crf`).

The model file is self-describing: its metadata (``cnnlp``) holds the label
sets, the CRF parameters, the training configuration and the dev scores the
model card reports.  No torch is needed at run time.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..crf import Crf
from ..lac import FastLAC, Head, Tagging, _delimited, _fields, _payload

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "models" / "entities.onnx"


@dataclass(frozen=True)
class Candidate:
    """A scored span proposed for ``doc.entities`` (offsets in the document text)."""

    start: int
    end: int
    label: str
    score: float
    source: str  # "model:fine", "model:coarse", "gazetteer", "user", "rule:<step>", ...
    # a coarse name's kinds under the fine head, ``((label, probability), ...)``: 全国政协 as
    # ORG of the coarse head, and how probable the fine head finds it as COMPANY, GOV, ORG
    kinds: tuple[tuple[str, float], ...] = ()


# A coarse label and the fine labels that refine it (the fine head's type wins on the same span).
REFINES = {"ORG": ("COMPANY", "GOV", "ORG", "LAB", "EDU"), "LOC": ("LOC",), "PERSON": ("PERSON",)}


def read_metadata(model: bytes) -> dict:
    """The ``cnnlp`` entry of an ONNX model's ``metadata_props`` (ModelProto field 14), parsed."""
    for number, _wire, raw in _fields(model):
        if number != 14:
            continue
        entry = {n: _payload(r) for n, _w, r in _fields(_payload(raw))}
        if entry.get(1) == b"cnnlp":
            return json.loads(entry.get(2, b"{}").decode("utf-8"))
    raise ValueError("not a chinese-news-nlp model: no 'cnnlp' metadata")


def with_metadata(model: bytes, metadata: dict) -> bytes:
    """``model`` with its ``cnnlp`` metadata replaced (used to record scores after export)."""
    kept = []
    for number, _wire, raw in _fields(model):
        if number == 14:
            entry = {n: _payload(r) for n, _w, r in _fields(_payload(raw))}
            if entry.get(1) == b"cnnlp":
                continue
        kept.append(raw)
    prop = _delimited(1, b"cnnlp") + _delimited(2, json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    return b"".join(kept) + _delimited(14, prop)


# How the heads' names are read from their CRFs: "probable" (each name at least 0.5
# probable, from the best path and each position's likeliest tag: CLUENER dev 0.7452 vs
# 0.7385, MSRA dev 0.9067 vs 0.9042) or "best-path" (the Viterbi path's names)
NAME_DECODINGS = ("probable", "best-path")


class EntityModel:
    """The head and LAC in one session; :meth:`tag` gives words and scored spans per text."""

    def __init__(self, path: str | Path | None = None, names: str = "probable", **lac_options):
        self.path = Path(path) if path else MODEL_PATH
        if not self.path.exists():
            raise FileNotFoundError(f"entity model not found at {self.path}")
        graph = self.path.read_bytes()
        self.metadata = read_metadata(graph)
        self.heads = self.metadata["heads"]
        crfs = {
            spec["output"]: Crf(
                np.asarray(spec["transitions"], dtype=np.float32),
                np.asarray(spec["start"], dtype=np.float32),
                np.asarray(spec["end"], dtype=np.float32),
            )
            for spec in self.heads.values()
        }
        labels = {spec["output"]: tuple(spec["labels"]) for spec in self.heads.values()}
        # Batches of 4 rows: with the head's LSTMs in the graph, ORT runs small batches best
        # (38-39 k chars/s at 4 rows, 35-38 k at 8, 32 k at 16, two batches side by side).
        # Paragraphs read in pieces of at most 256 characters, cut after a sentence end: the
        # model learned from sentences, and the CRFs' loops run a step per character of the
        # longest row (the pipeline 6-12 % faster on news pages, 5,740 of 5,748 names unchanged).
        options = {"max_batch": 4, "max_chunk": 256, **lac_options}
        if names not in NAME_DECODINGS:
            raise ValueError(f"names={names!r}: expected one of {', '.join(NAME_DECODINGS)}")
        # each coarse name whose label the fine labels split (an organization) is read as each
        # of those kinds under the other head too: refine.organizations_by_kind reads them
        kinds = tuple(
            (a, label, b, split)
            for a, a_labels in labels.items()
            for b, b_labels in labels.items()
            if a != b
            for label in a_labels
            for split in [tuple(k for k in REFINES.get(label, ()) if k in b_labels)]
            if len(split) > 1
        )
        self.encoder = FastLAC(head=Head(graph, crfs, labels, names, kinds), **options)
        head_of = {spec["output"]: f"model:{name}" for name, spec in self.heads.items()}
        self._kinds_from = {head_of[a]: head_of[b] for a, _, b, _ in kinds}  # a head's kinds: which head read them
        self._cache: dict[str, tuple[list[tuple[str, str]], list[Candidate]]] = {}
        self._cached_chars = 0
        self._cache_lock = threading.Lock()

    # Paragraphs tagged recently, so that the segmentation stage and the entity stage of one
    # pipeline share one model pass (segmentation runs first, on the same paragraphs).
    CACHE_CHARS = 1_000_000

    def tag(
        self,
        texts: Sequence[str],
        words: bool | Callable[[str, Sequence[tuple]], bool] = True,
        heads: Sequence[str] | None = None,
    ) -> list[tuple[list[tuple[str, str]] | None, list[Candidate]]]:
        """Per text: LAC's ``(word, tag)`` list and the heads' candidate spans with probabilities.

        ``words=False`` skips decoding LAC's words (``None`` in their place) and
        ``heads`` decodes only those heads: what an entity stage alone needs.
        ``words`` may be a predicate over a text and its names (``(start, end,
        label, score)``): LAC's words only for the texts it accepts (a piece of a long
        text it does not accept stands as one word tagged ``""``).
        Results of the last ~1 M characters are kept, so a text seen again costs
        nothing (the segment stage's pass serves the entity stage after it).
        Treat what is returned as read-only.
        """
        wanted = tuple(self.heads) if heads is None else tuple(heads)
        keep = {f"model:{h}" for h in wanted}

        def needs_words(text, cands) -> bool:
            if callable(words):
                return words(text, [(c.start, c.end, c.label, c.score) for c in cands if c.source in keep])
            return bool(words)

        def serves(text, entry) -> bool:
            return (
                entry is not None
                and set(wanted) <= set(entry[2])
                and (entry[0] is not None or not needs_words(text, entry[1]))
            )

        with self._cache_lock:
            found = [self._cache.get(t) for t in texts]
        found = [f if serves(t, f) else None for t, f in zip(texts, found)]
        todo = sorted({t for t, f in zip(texts, found) if f is None})
        if todo:
            tagged = self._tag(todo, words, wanted)
            fresh = {text: (got, cands, done) for text, (got, cands, done, _) in zip(todo, tagged)}
            partial = {text: sketch for text, (_, _, _, sketch) in zip(todo, tagged) if sketch is not None}
            with self._cache_lock:
                for text, result in fresh.items():
                    old = self._cache.pop(text, None)
                    self._cached_chars += len(text) - (len(text) if old is not None else 0)
                    self._cache[text] = result
                while self._cached_chars > self.CACHE_CHARS and self._cache:
                    oldest = next(iter(self._cache))
                    self._cached_chars -= len(oldest)
                    del self._cache[oldest]
            found = [f if f is not None else fresh[t] for t, f in zip(texts, found)]
            found = [(partial[t], f[1], f[2]) if t in partial else f for t, f in zip(texts, found)]
        if callable(words):  # a cached pass may hold words for texts the predicate does not accept
            found = [f if f[0] is None or needs_words(t, f[1]) else (None, *f[1:]) for t, f in zip(texts, found)]
        # (a cached pass of both heads read kinds a call without the other head has no say in)
        return [(w, [self._as_asked(c, keep) for c in cands if c.source in keep]) for w, cands, _ in found]

    def _as_asked(self, c: Candidate, heads: set[str]) -> Candidate:
        """``c`` without its kinds if the head that read them was not asked for."""
        return c if not c.kinds or self._kinds_from.get(c.source) in heads else dataclasses.replace(c, kinds=())

    def forget(self) -> None:
        """Empty the cache of recently tagged paragraphs (a timed run starts without it)."""
        with self._cache_lock:
            self._cache.clear()
            self._cached_chars = 0

    def words(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """LAC's ``(word, tag)`` lists of ``texts`` from the same (cached) pass as :meth:`tag`."""
        return [w for w, _ in self.tag(texts)]  # type: ignore[misc]

    def _tag(self, texts: Sequence[str], words, heads: tuple[str, ...]) -> list[tuple]:
        """Per text ``(words or None, candidates, heads, sketch)``: ``sketch`` is the word list
        of a text LAC's words were decoded for in part only (``words`` a predicate, a long
        text), each piece without them one word tagged ``""``; such a text's ``words`` is None."""
        pieces, owner = [], []
        for n, text in enumerate(texts):
            for piece in self.encoder.chunks(text):
                pieces.append(piece)
                owner.append(n)
        outputs = [self.heads[h]["output"] for h in heads]
        with_lac = words
        if callable(words):
            with_lac = lambda text, names: words(text, [n for head in names.values() for n in head])  # noqa: E731
        tagged = self.encoder.tag(pieces, outputs=outputs, with_lac=with_lac)
        out = [[[], [], heads, 0] for _ in texts]  # words, candidates, heads, pieces with words
        offsets = [0] * len(texts)
        for n, piece, tagging in zip(owner, pieces, tagged):
            entry = out[n]
            if len(tagging.lac) or not piece:
                entry[0].extend(self.encoder.words(piece, tagging.lac))
                entry[3] += 1
            else:
                entry[0].append((piece, ""))
            entry[1].extend(self._candidates(tagging, offsets[n], heads))
            offsets[n] += len(piece)
        pieces_of = [0] * len(texts)
        for n in owner:
            pieces_of[n] += 1
        result = []
        for (found, candidates, done, with_words), n_pieces in zip(out, pieces_of):
            if with_words == n_pieces:
                result.append((found, candidates, done, None))
            elif with_words == 0:
                result.append((None, candidates, done, None))
            else:
                result.append((None, candidates, done, found))
        return result

    def _candidates(self, tagging: Tagging, offset: int, heads: tuple[str, ...]) -> list[Candidate]:
        out = []
        for head in heads:
            output = self.heads[head]["output"]
            kinds = tagging.kinds.get(output)
            for k, (start, end, label, score) in enumerate(tagging.spans.get(output, ())):
                out.append(
                    Candidate(
                        offset + start, offset + end, label, round(score, 4), f"model:{head}", kinds[k] if kinds else ()
                    )
                )
        return out


_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _shared(path: str, names: str) -> EntityModel:
    return EntityModel(path, names=names)


def loaded_model() -> EntityModel | None:
    """The shipped model if this process has loaded it already, read either way (it is never
    loaded here): the segmentation stage reads LAC's words from its cached pass."""
    with _LOCK:
        for path, names in _LOADED:
            if path == str(MODEL_PATH):
                return _shared(path, names)
        return None


_LOADED: dict[tuple[str, str], None] = {}  # (path, names) get_model has loaded in this process, in order


def get_model(path: str | Path | None = None, names: str = "probable") -> EntityModel:
    """The process-wide :class:`EntityModel` for ``path`` (the shipped model by default) and
    ``names`` (:data:`NAME_DECODINGS`)."""
    key = (str(Path(path) if path else MODEL_PATH), names)
    with _LOCK:
        model = _shared(*key)
        _LOADED[key] = None
        return model


__all__ = [
    "MODEL_PATH",
    "NAME_DECODINGS",
    "REFINES",
    "Candidate",
    "EntityModel",
    "get_model",
    "loaded_model",
    "read_metadata",
    "with_metadata",
]
