"""Entity engines: paragraphs in, LAC words and scored candidate spans out.

An engine is any object with a ``name`` and ``analyze(paragraphs)`` taking
``(offset, text)`` pairs and returning one :class:`Analysis` per paragraph,
offsets in document coordinates.  Engines are registered by name
(:func:`register_engine`) and built by :func:`make_engine`:

* ``model`` (default): the trained head on LAC's graph (:mod:`.model`), its
  labels kept, each span scored by its CRF probability;
* ``lac-rules``: LAC's names typed and re-bounded by the hand-written rules of
  :mod:`.rules` and :mod:`.context` — the engine of earlier releases, kept for
  comparison (it was written against the seed pages and generalizes worse);
* ``hanlp``: a HanLP NER model by name or path, its labels mapped onto ours
  without collapsing fine ones (:func:`map_hanlp_tag`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from .model import Candidate
from .registry import Registry
from .rules import Tok


@dataclass
class Analysis:
    """One paragraph: the engine's words (LAC's, with parts of speech) and its candidate names."""

    tokens: list[Tok] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


class EntityEngine(Protocol):
    name: str

    def analyze(self, paragraphs: Sequence[tuple[int, str]]) -> list[Analysis]: ...


_ENGINES: Registry[Callable[..., EntityEngine]] = Registry("entity engine")
register_engine = _ENGINES.register  # class decorator: EntityStage(engine=name) builds it
engine_names = _ENGINES.names


def make_engine(engine: str = "model", **options: Any) -> EntityEngine:
    return _ENGINES.lookup(engine)(**options)


def _tokens(offset: int, words: Sequence[tuple[str, str]]) -> list[Tok]:
    toks, pos = [], offset
    for word, tag in words:
        toks.append(Tok(word, tag, pos, pos + len(word)))
        pos += len(word)
    return toks


# -- the trained model ----------------------------------------------------------------


@register_engine("model")
class ModelEngine:
    """The shipped entity model (or ``model=`` another file trained the same way).

    ``heads`` chooses which label sets propose candidates: ``("fine", "coarse")``
    (default) lets the conflict policy pick among both, ``("fine",)`` gives
    CLUENER's labels only.  ``names``: ``"probable"`` (default) proposes each name
    the CRF finds at least 0.5 probable, ``"best-path"`` the Viterbi path's names
    (:data:`.model.NAME_DECODINGS`; ``benchmarks/entities.py`` prints both).
    """

    name = "model"

    def __init__(
        self, model: str | Path | None = None, heads: Sequence[str] = ("fine", "coarse"), names: str = "probable"
    ):
        from .model import get_model

        self.model = get_model(model, names)
        unknown = set(heads) - set(self.model.heads)
        if unknown:
            raise ValueError(f"the entity model has no head {sorted(unknown)}; it has {sorted(self.model.heads)}")
        self.heads = tuple(heads)

    def analyze(
        self, paragraphs: Sequence[tuple[int, str]], words: bool | Callable[[str, Sequence[tuple]], bool] = True
    ) -> list[Analysis]:
        """``words=False``: no LAC words (empty ``tokens``), when the stage needs none; a
        predicate over a paragraph and its names ``(start, end, label, ...)``: words only for
        the paragraphs it accepts."""
        tagged = self.model.tag([text for _, text in paragraphs], words=words, heads=self.heads)
        return [
            Analysis(
                _tokens(offset, found) if words and found is not None else [],  # a cached pass may hold words
                [Candidate(c.start + offset, c.end + offset, c.label, c.score, c.source, c.kinds) for c in candidates]
                if offset
                else list(candidates),
            )
            for (offset, _text), (found, candidates) in zip(paragraphs, tagged)
        ]


# -- LAC and the hand-written rules ---------------------------------------------------


def lac_tokens(paragraphs: Sequence[tuple[int, str]]) -> list[list[Tok]]:
    """LAC's words of each paragraph through the shared :func:`chinese_news_nlp.lac.get_lac`."""
    from ..lac import get_lac

    analyzed = get_lac().analyze([text for _, text in paragraphs])
    return [_tokens(offset, words) for (offset, _), words in zip(paragraphs, analyzed)]


@register_engine("lac-rules")
class LacRulesEngine:
    """LAC's PER/LOC/ORG typed and re-bounded by :mod:`.rules` (the engine before the trained model).

    Its spans carry no probability (``score`` 1.0) and its titles are those the
    rules could link to a person, as before.
    """

    name = "lac-rules"

    def analyze(self, paragraphs: Sequence[tuple[int, str]]) -> list[Analysis]:
        from . import legacy

        out = []
        for (offset, text), toks in zip(paragraphs, lac_tokens(paragraphs)):
            local = [Tok(t.word, t.tag, t.start - offset, t.end - offset) for t in toks]
            spans = legacy.analyze(text, local)
            out.append(
                Analysis(toks, [Candidate(s + offset, e + offset, label, 1.0, "lac-rules") for s, e, label in spans])
            )
        return out


# -- HanLP ------------------------------------------------------------------------------

# HanLP tag sets → our labels.  MSRA/PKU/OntoNotes tags map onto the coarse names they
# are; fine tag sets (CLUENER's, or a model trained on our own labels) keep their detail.
MSRA_TAGS = {
    "NR": "PERSON", "NS": "LOC", "NT": "ORG",
    "PERSON": "PERSON", "LOCATION": "LOC", "ORGANIZATION": "ORG",
}  # fmt: skip
ONTONOTES_TAGS = {
    "PERSON": "PERSON", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
}  # fmt: skip
PKU_TAGS = {"nr": "PERSON", "ns": "LOC", "nt": "ORG", "nrf": "PERSON", "nrj": "PERSON"}
CLUENER_TAGS = {
    "name": "PERSON", "position": "TITLE", "company": "COMPANY", "government": "GOV",
    "organization": "ORG", "address": "LOC", "book": "WORK", "game": "WORK", "movie": "WORK",
    "scene": "SCENE",
}  # fmt: skip


def map_hanlp_tag(tag: str, tagset: str | None = None) -> str | None:
    """A HanLP NER tag as one of our labels, or ``None`` for tags we do not keep (DATE, ...).

    ``tagset`` is ``"msra"``, ``"ontonotes"``, ``"pku"`` or ``"cluener"``;
    without it the tag is looked up in each (they do not conflict on the tags
    we keep).  Our own labels pass unchanged, so a model trained on them works.

    >>> map_hanlp_tag("B-NT"), map_hanlp_tag("company"), map_hanlp_tag("GPE", "ontonotes"), map_hanlp_tag("DATE")
    ('ORG', 'COMPANY', 'LOC', None)
    """
    from ..doc import ENTITY_LABELS

    tables = {
        "msra": (MSRA_TAGS,),
        "ontonotes": (ONTONOTES_TAGS,),
        "pku": (PKU_TAGS,),
        "cluener": (CLUENER_TAGS,),
    }.get((tagset or "").lower(), (MSRA_TAGS, ONTONOTES_TAGS, PKU_TAGS, CLUENER_TAGS))
    bare = re.sub(r"^[BIMESL]-", "", tag)
    for table in tables:
        if bare in table:
            return table[bare]
    if bare in ENTITY_LABELS:
        return bare
    return None


@register_engine("hanlp")
class HanlpEngine:
    """A HanLP NER (or multi-task) model loaded with ``hanlp.load`` by name or path.

    Words come from LAC (HanLP's tokenizers are separate models); names and
    their labels from the HanLP model, fed one character per token.
    """

    name = "hanlp"

    def __init__(self, model: str | Path | None = None, tagset: str | None = None, **load_options: Any):
        if model is None:
            raise ValueError("engine='hanlp' needs model= (a HanLP model name or a local path)")
        self.model_name = str(model)
        self.tagset = tagset
        self.load_options = load_options
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import hanlp

            self._model = hanlp.load(self.model_name, **self.load_options)
        return self._model

    def spans(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """``(start, end, label)`` character spans per text, from the HanLP model."""
        todo = [(i, t) for i, t in enumerate(texts) if t.strip()]
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if not todo:
            return out
        results = self.model([list(t) for _, t in todo])
        for (i, text), result in zip(todo, results):
            out[i] = self._char_spans(text, result)
        return out

    def _char_spans(self, text: str, result: Any) -> list[tuple[int, int, str]]:
        spans = []
        for item in _ner_items(result):
            # HanLP gives (entity, tag, begin, end) in token offsets; we feed characters,
            # so they are character offsets (the surface may be joined with spaces)
            tag, begin, end = item[1], int(item[2]), int(item[3])
            label = map_hanlp_tag(str(tag), self.tagset)
            if label is None or not 0 <= begin < end <= len(text):
                continue
            spans.append((begin, end, label))
        return sorted(spans)

    def analyze(self, paragraphs: Sequence[tuple[int, str]]) -> list[Analysis]:
        words = lac_tokens(paragraphs)
        names = self.spans([text for _, text in paragraphs])
        return [
            Analysis(toks, [Candidate(offset + s, offset + e, label, 1.0, "hanlp") for s, e, label in spans])
            for (offset, _), toks, spans in zip(paragraphs, words, names)
        ]


def _ner_items(result: Any) -> list:
    if isinstance(result, dict):  # a multi-task Document: {'ner/msra': [...], ...}
        for key, value in result.items():
            if key.startswith("ner"):
                return value
        return []
    return list(result or [])


__all__ = [
    "Analysis",
    "EntityEngine",
    "HanlpEngine",
    "LacRulesEngine",
    "ModelEngine",
    "engine_names",
    "make_engine",
    "map_hanlp_tag",
    "register_engine",
]
