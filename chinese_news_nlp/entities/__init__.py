"""The entity stage: people, titles, labs, companies, government bodies, schools,
other organizations and places, and officials linked to their titles.

>>> from chinese_news_nlp.entities import extract_entities
>>> [(e["text"], e["label"]) for e in extract_entities("之江实验室主任朱某某说")]   # doctest: +SKIP
[('之江实验室', 'LAB'), ('主任', 'TITLE'), ('朱某某', 'PERSON')]

How a paragraph becomes entities:

1. an engine (:mod:`.engines`; the trained model by default) gives LAC's words
   and scored candidate spans;
2. user gazetteers and spans a user's own stage already put on
   ``doc.entities`` join the candidates;
3. a conflict policy (:mod:`.policy`) picks spans that do not overlap;
4. refinement steps (:mod:`.refine`) retype or re-bound them over the whole
   document (LAB/EDU by head word, party organs in titles, parks, repeated
   names, photo credits, titles someone holds), each kept only while it
   measures better;
5. officials are linked over the result by a pure function (:mod:`.officials`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..doc import Doc, Entity, Official, span_dict
from ..pieces import has_line_break, lines_at
from ..pipeline import register_stage
from ..segmentation import merge_entity_tokens
from .engines import (
    Analysis,
    EntityEngine,
    HanlpEngine,
    LacRulesEngine,
    ModelEngine,
    engine_names,
    make_engine,
    map_hanlp_tag,
    register_engine,
)
from .gazetteer import Gazetteer, GazetteerSource
from .model import Candidate
from .officials import link_officials, normalized_name, to_official
from .policy import Policy, register_policy, resolve
from .refine import DEFAULT_STEPS, Step, refine, register_step
from .rules import Span, Tok
from .wrapping import block_text, squeezed, wrapped_blocks

__all__ = [
    "Analysis",
    "Candidate",
    "EntityEngine",
    "EntityStage",
    "Gazetteer",
    "HanlpEngine",
    "LacRulesEngine",
    "ModelEngine",
    "engine_names",
    "extract_entities",
    "extract_officials",
    "map_hanlp_tag",
    "normalized_name",
    "paragraphs",
    "refine",
    "register_engine",
    "register_policy",
    "register_step",
]


def paragraphs(text: str) -> list[tuple[int, str]]:
    r"""``(offset, line)`` for each non-blank line, without the spaces at its ends: the model
    reads a paragraph at a time.

    The model learned from sentences, none indented; an indent changed what it read after
    it.  Measured (``benchmarks/damaged_entities.py``, the dev sentences indented by
    ideographic spaces, spaces, no-break spaces or a tab): CLUENER F1 0.734 against 0.745
    for the same sentences unindented, MSRA 0.901 against 0.907 (``  鲁尼打进制胜球`` lost
    鲁尼).  No name starts or ends with a space, so none is cut.

    >>> paragraphs("\u3000\u3000浙江大学\n\n  北京 ")
    [(2, '浙江大学'), (10, '北京')]
    """
    out = []
    for pos, line in lines_at(text):  # a line ends at \n, \r\n or a lone \r
        body = line.strip()
        if body:
            out.append((pos + len(line) - len(line.lstrip()), body))
    return out


# Whose annotation the output follows (EntityStage(conventions=...)).
CONVENTIONS: dict[str, dict[str, Any]] = {
    "gold": {"heads": ("fine", "coarse"), "refine": DEFAULT_STEPS},
    "cluener": {"heads": ("fine",), "refine": ()},
    "msra": {"heads": ("coarse",), "refine": ()},
}


@register_stage("entities")
class EntityStage:
    """Fill ``doc.entities`` and ``doc.officials``.

    Config:

    * ``engine``: ``"model"`` (default, the trained model), ``"lac-rules"``
      (the rules of earlier releases) or ``"hanlp"`` (with ``model=`` a HanLP
      model name or local path, ``tagset=`` if its tags are ambiguous); any
      engine registered with :func:`register_engine`;
    * ``model``: another model file for the engine;
    * ``conventions``: whose annotation the output follows — ``"gold"`` (default:
      the label definitions of the project's gold README: places one by one,
      LAB/EDU, parks and media as ORG, party organs out of titles),
      ``"cluener"`` (CLUENER2020's: the fine head alone, no steps) or ``"msra"``
      (People's Daily's PER/LOC/ORG: the coarse head alone); ``heads`` and
      ``refine`` given explicitly win over it;
    * ``policy``: how overlapping candidates are settled — ``"score"``
      (default), ``"fine-first"``, ``"longest"`` or a callable
      (:mod:`.policy`);
    * ``refine``: the refinement steps, by name or callable
      (default :data:`.refine.DEFAULT_STEPS`);
    * ``gazetteers``: ``{name: label}`` dicts or ``name<TAB>label`` files; their
      names are candidates that win over the model's where they stand as whole
      words.

    Spans already on ``doc.entities`` when the stage runs (from a user's
    stage) are candidates too, and win like gazetteer names.
    """

    name = "entities"
    requires = ("text",)
    assigns = ("entities", "officials")

    def __init__(
        self,
        engine: str = "model",
        model: str | Path | None = None,
        conventions: str = "gold",
        policy: str | Policy = "score",
        refine: Sequence[str | Step] | None = None,
        gazetteers: Iterable[GazetteerSource] = (),
        **engine_options: Any,
    ):
        try:
            preset = CONVENTIONS[conventions]
        except KeyError:
            raise ValueError(f"unknown conventions {conventions!r}; known: {', '.join(CONVENTIONS)}") from None
        self.conventions = conventions
        refine = preset["refine"] if refine is None else refine
        options = dict(engine_options)
        if engine == "model":
            options.setdefault("heads", preset["heads"])
        if model is not None:
            options["model"] = model
        self.engine = make_engine(engine, **options)
        self.policy = policy
        resolve([], policy)  # an unknown policy fails here, not on the first document
        from .refine import get_step

        self.steps = [get_step(s) for s in refine]
        sources = list(gazetteers)
        self.gazetteer = Gazetteer.from_sources(sources) if sources else None

    STAGE_OPTIONS = ("engine", "model", "conventions", "policy", "refine", "gazetteers")

    @classmethod
    def check_config(cls, options: dict) -> None:
        """Raise ``ValueError`` for an option neither the stage nor its engine takes (called by ``load()``)."""
        import inspect

        from .engines import _ENGINES

        engine = options.get("engine", "model")
        factory = _ENGINES.lookup(engine)
        rest = {k for k in options if k not in cls.STAGE_OPTIONS}
        params = inspect.signature(factory).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return  # the engine takes any option (HanLP's load options)
        unknown = rest - {p.name for p in params}
        if unknown:
            accepted = sorted(set(cls.STAGE_OPTIONS) | {p.name for p in params})
            raise ValueError(f"unknown option(s) {sorted(unknown)} for engine {engine!r}; accepted: {accepted}")

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Sequence[Doc] | Iterable[Doc]) -> Iterator[Doc]:
        docs = list(docs)
        lines = [paragraphs(doc.text) for doc in docs]
        # A hard-wrapped block (wrapping.py) is read again without its line breaks; its reading
        # is kept where it finds a name across a break, else its lines' readings are.
        blocks = [wrapped_blocks(doc.text, ps) for doc, ps in zip(docs, lines)]
        views = [
            (offset, *squeezed(block))
            for doc, ps, bs in zip(docs, lines, blocks)
            for offset, block in (block_text(doc.text, ps, i, j) for i, j in bs)
        ]
        flat = [p for ps in lines for p in ps] + [(offset, view) for offset, view, _ in views]
        given = any(doc.entities for doc in docs)  # a user's spans may be steps' matter too
        analyses = self._analyze(flat, given) if flat else []
        n_lines = sum(map(len, lines))
        k = v = 0  # the next line's analysis, the next block's view
        for doc, ps, bs in zip(docs, lines, blocks):
            paras, mine = list(ps), analyses[k : k + len(ps)]
            k += len(ps)
            kept = []  # the blocks whose own reading stands, with it
            for (i, j), (offset, _, keep) in zip(bs, views[v : v + len(bs)]):
                read = _unsqueezed(doc.text, offset, keep, analyses[n_lines + v])
                v += 1
                if any(has_line_break(doc.text[c.start : c.end]) for c in read.candidates):
                    kept.append((i, j, read))
            for i, j, read in reversed(kept):  # (from the last: the earlier lines keep their places)
                paras[i:j] = [block_text(doc.text, ps, i, j)]
                mine[i:j] = [read]
            given = [e for e in doc.entities]  # a user's stage ran before us
            entities, officials = self.annotate(doc.text, paras, mine, given)
            doc.entities = entities
            doc.officials = officials
            if doc.tokens:
                merge_entity_tokens(doc)  # re-cut the words so each entity is one token
            doc.fill_raw_offsets(["entities"])
            yield doc

    def _analyze(self, paragraphs: list[tuple[int, str]], given: bool = False) -> list[Analysis]:
        # LAC's words matter only to gazetteer matching and steps that read them; the model
        # engine skips decoding them where nothing reads them (a third of its decoding time
        # on one sentence).  A step that reads them only around some names says which
        # (``tokens_for``: places-one-by-one, around the model's places it could split).
        readers = [s for s in self.steps if getattr(s, "uses_tokens", False)]
        if not isinstance(self.engine, ModelEngine):
            return self.engine.analyze(paragraphs)
        if self.gazetteer is not None:
            return self.engine.analyze(paragraphs)
        if not readers:
            return self.engine.analyze(paragraphs, words=False)
        if given or any(getattr(s, "tokens_for", None) is None for s in readers):
            return self.engine.analyze(paragraphs)  # (a user's span is no model name: words everywhere)
        wanted = [s.tokens_for for s in readers]
        return self.engine.analyze(paragraphs, words=lambda text, names: any(w(text, names) for w in wanted))

    # -- one document ---------------------------------------------------------------
    def annotate(
        self,
        text: str,
        paras: Sequence[tuple[int, str]],
        analyses: Sequence[Analysis],
        given: Sequence[Entity] = (),
    ) -> tuple[list[Entity], list[Official]]:
        chosen: list[Candidate] = []
        tokens: list[Tok] = []
        for (offset, line), analysis in zip(paras, analyses):
            end = offset + len(line)
            candidates = list(analysis.candidates)
            candidates += [
                Candidate(e.start, e.end, e.label, e.score if e.score is not None else 1.0, "user")
                for e in given
                if offset <= e.start and e.end <= end
            ]
            if self.gazetteer is not None:
                candidates += gazetteer_candidates(text, self.gazetteer, analysis.tokens, offset, end)
            spans = [c for c in (clean_span(text, c) for c in candidates) if c is not None]
            chosen.extend(resolve(spans, self.policy))
            tokens.extend(analysis.tokens)
        # refinement steps see the whole document (a name typed in one paragraph types its repeats)
        for step in self.steps:
            chosen = step(text, chosen, tokens)
        chosen = [c for c in (clean_span(text, c) for c in chosen) if c is not None]
        chosen.sort(key=lambda c: (c.start, c.end))
        names = [Span(c.start, c.end, c.label, c.source) for c in chosen if c.label != "TITLE"]
        titles = [Span(c.start, c.end, c.label, c.source) for c in chosen if c.label == "TITLE"]
        links = link_officials(text, names, titles)
        entities = [
            Entity(text[c.start : c.end], c.label, c.start, c.end, source=c.source, score=c.score) for c in chosen
        ]
        return entities, dedupe_officials(to_official(text, link) for link in links)


def _unsqueezed(text: str, offset: int, keep: list[int], analysis: Analysis) -> Analysis:
    """An analysis of a paragraph read without its line breaks, in the document's offsets."""

    def at(pos: int) -> int:
        return offset + keep[pos - offset]

    def end(pos: int) -> int:
        return offset + keep[pos - 1 - offset] + 1

    return Analysis(
        [Tok(text[at(t.start) : end(t.end)], t.tag, at(t.start), end(t.end)) for t in analysis.tokens],
        [Candidate(at(c.start), end(c.end), c.label, c.score, c.source, c.kinds) for c in analysis.candidates],
    )


# Unicode's Cc but the line breaks: a name may hold the break of a hard-wrapped line (wrapping.py)
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_span(text: str, c: Candidate) -> Candidate | None:
    """A span without the spaces at its ends, never one holding a control character, and
    never one without a letter, digit or Han character.

    A name never starts or ends with a space (``  股份有限公司`` after an indent is
    the indent plus a name); a control character (U+0000–U+001F, U+007F–U+009F)
    is no part of any name, so a span holding one is dropped (but a line break, inside a
    name of a hard-wrapped block: ``浙江大\n学``); and a name is written in
    some script: the model, which never saw emoji, took ``👨\u200d👩\u200d👧一家``'s family for a PERSON.
    """
    start, end = c.start, c.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start or _CONTROL.search(text, start, end) is not None:
        return None
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    if (start, end) == (c.start, c.end):
        return c
    return Candidate(start, end, c.label, c.score, c.source, c.kinds)


def gazetteer_candidates(
    text: str, gazetteer: Gazetteer, tokens: Sequence[Tok], start: int, end: int
) -> list[Candidate]:
    """User dictionary names in ``text[start:end]`` that stand as whole words: both ends on a
    word boundary of the engine's words, so 海南 is not found in 上海南路."""
    bounds = {t.start for t in tokens} | {t.end for t in tokens} | {start, end}
    out = []
    for s, e, label in gazetteer.finditer(text[start:end]):
        s, e = s + start, e + start
        if s in bounds and e in bounds:
            out.append(Candidate(s, e, label, 1.0, "gazetteer"))
    return out


def dedupe_officials(officials: Iterable[Official]) -> list[Official]:
    """One official per ``(person, title, org)`` in a document: an article that names
    the same person with the same title twice (in the headline and the body) has one link."""
    seen = set()
    out = []
    for official in officials:
        key = (official.person, official.title, official.org)
        if key not in seen:
            seen.add(key)
            out.append(official)
    return out


_STAGES: dict[tuple, EntityStage] = {}


def _stage(options: dict[str, Any]) -> EntityStage:
    key = tuple(sorted((k, repr(v)) for k, v in options.items()))
    if key not in _STAGES:
        _STAGES[key] = EntityStage(**options)
    return _STAGES[key]


def extract_entities(text: str, **options: Any) -> list[dict]:
    """Entities of ``text`` as dicts: ``text``, ``label``, ``start``, ``end``, ``raw_start``, ``raw_end``,
    ``source``, ``score``.

    Options are :class:`EntityStage`'s.  The text is used as given (run the
    pipeline to repair and convert traditional text first).
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_entities() takes a str, not {type(text).__name__}")
    doc = _stage(options)(Doc(raw=text))
    return [span_dict(e) for e in doc.entities]


def extract_officials(text: str, **options: Any) -> list[dict]:
    """Officials of ``text`` as dicts: ``person``, ``title``, ``org``, ``person_start``, ``person_end``."""
    if not isinstance(text, str):
        raise TypeError(f"extract_officials() takes a str, not {type(text).__name__}")
    doc = _stage(options)(Doc(raw=text))
    return [span_dict(o) for o in doc.officials]
