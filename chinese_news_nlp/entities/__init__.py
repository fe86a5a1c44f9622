"""The entity stage: people, titles, labs, companies, government bodies, schools,
other organizations and places, and officials linked to their titles.

>>> from chinese_news_nlp.entities import extract_entities, extract_officials
>>> [(e["text"], e["label"]) for e in extract_entities("之江实验室主任朱某某说")]   # doctest: +SKIP
[('之江实验室', 'LAB'), ('主任', 'TITLE'), ('朱某某', 'PERSON')]

A statistical engine (LAC by default, or a HanLP model) gives words and coarse
names; the rules of :mod:`.rules` type and re-bound them; :mod:`.officials`
links people to titles.  See ``data/entities/`` for the vocabularies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..doc import Doc, Entity, Official, span_dict
from ..pipeline import register_stage
from ..segmentation import merge_entity_tokens
from . import context, rules
from .engines import HanlpEngine, LacEngine, make_engine, map_hanlp_tag
from .gazetteer import Gazetteer, GazetteerSource
from .officials import link_officials, normalized_name, to_official
from .rules import Span, Tok

__all__ = [
    "EntityStage",
    "Gazetteer",
    "HanlpEngine",
    "LacEngine",
    "extract_entities",
    "extract_officials",
    "map_hanlp_tag",
    "normalized_name",
]


def paragraphs(text: str) -> list[tuple[int, str]]:
    """``(offset, line)`` for each non-blank line: LAC reads a paragraph at a time."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def _clip_to_titles(entities: list[Span], titles: list[Span], text: str) -> tuple[list[Span], list[Span]]:
    """Titles win over names they overlap at the end (浙江省委|书记 → 浙江 + 省委书记);
    a title wholly inside a name (院士 in 中国工程院士...) is no title."""
    kept_titles = []
    covered: dict[int, Span] = {}
    for ent in entities:
        for p in range(ent.start, ent.end):
            covered[p] = ent
    for title in titles:
        owner = covered.get(title.start)
        if owner is None:
            if any(p in covered for p in range(title.start, title.end)):
                continue  # a name starts inside the title: leave both as the model saw them
            kept_titles.append(title)
            continue
        if owner.end >= title.end or owner.label == "PERSON":
            continue
        residue = text[owner.start : title.start]
        if title.start == owner.start:
            # the organ the title starts with was read as a name (区委|副书记): the title wins
            owner.end = owner.start
        elif _is_name(residue):
            owner.end = title.start  # 浙江省委|书记 → 浙江 + 省委书记
            owner.label = _residue_label(residue, owner.label)
        else:
            # what would be left is no name (全国|政协委员): the organization keeps its organ
            rest = rules.title_pattern().fullmatch(text, owner.end, title.end)
            if rest is None:
                continue
            title = Span(owner.end, title.end, "TITLE", title.source, title.rank)
        kept_titles.append(title)
    out = []
    for ent in entities:
        if ent.end <= ent.start:
            continue
        out.extend(rules.split_places(ent, text[ent.start : ent.end]) if ent.label == "LOC" else [ent])
    return out, kept_titles


def _is_name(name: str) -> bool:
    if len(name) < 2 or name in rules.ADMINISTRATIVE_LEVELS or rules.is_generic(name):
        return False
    return True


def _residue_label(name: str, label: str) -> str:
    vocab = rules.vocabulary()
    if name in vocab.places or name.endswith(("省", "市", "区", "县", "州", "镇", "乡", "村")):
        return "LOC"
    return rules.org_label(name, default=label)


def analyze_paragraph_tokens(
    text: str, tokens: Sequence[Tok], gazetteers: Sequence[Gazetteer]
) -> tuple[list[Span], list[Span]]:
    """Entities and titles of ``text`` given the engine's tokens of the whole text."""
    tokens = rules.split_org_tokens(rules.normalize_tokens(tokens))
    candidates: list[Span] = []
    candidates += rules.model_people(tokens)
    candidates += rules.model_places(tokens)
    candidates += rules.model_orgs(tokens)
    candidates += rules.head_extended_orgs(tokens, text)
    candidates += rules.quoted_orgs(text)
    candidates += rules.company_short_names(tokens)
    candidates += context.stock_quote_companies(text, tokens)
    candidates += rules.gazetteer_names(text, tokens, [rules.builtin_gazetteer()], rank=4)
    if gazetteers:
        candidates += rules.gazetteer_names(text, tokens, gazetteers, rank=1)

    boundaries = {t.start for t in tokens} | {t.end for t in tokens} | {len(text)}
    for span in candidates:
        boundaries.update((span.start, span.end))
    titles = rules.find_titles(text, boundaries, tokens, rules.resolve(candidates))
    candidates += rules.byline_people(text, titles)
    entities = rules.resolve(candidates)
    entities, titles = _clip_to_titles(entities, titles, text)
    extra = rules.people_after_titles(text, titles, entities + titles)
    if extra:
        entities = rules.resolve(entities + extra)
    entities = rules.resolve(context.listed_companies(text, tokens, entities))
    entities = rules.resolve(context.companies_by_cues(text, tokens, entities))
    entities = context.mentions(text, tokens, entities)
    return entities, titles


@register_stage("entities")
class EntityStage:
    """Fill ``doc.entities`` and ``doc.officials``.

    Config: ``engine="lac"`` (default) or ``"hanlp"`` with ``model=`` a HanLP
    model name or local path (``tagset="msra" | "ontonotes" | "pku"`` if the
    tags are ambiguous); ``gazetteers=`` a list of ``{name: label}`` dicts or
    ``name<TAB>label`` files, matched before the model's names.
    """

    name = "entities"

    def __init__(
        self,
        engine: str = "lac",
        model: str | Path | None = None,
        gazetteers: Iterable[GazetteerSource] = (),
        **engine_options: Any,
    ):
        self.engine = make_engine(engine, model=model, **engine_options)
        sources = list(gazetteers)
        self.gazetteers = [Gazetteer.from_sources(sources)] if sources else []

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Sequence[Doc] | Iterable[Doc]) -> Iterator[Doc]:
        docs = list(docs)
        paras = [paragraphs(doc.text) for doc in docs]
        flat = [p for ps in paras for p in ps]
        token_lists = self.engine.tokens(flat) if flat else []
        # all inference done: now annotate each document
        results = []
        k = 0
        for doc, ps in zip(docs, paras):
            tokens = [t for toks in token_lists[k : k + len(ps)] for t in toks]
            k += len(ps)
            results.append(self._annotate(doc.text, tokens))
        for doc, (entities, officials) in zip(docs, results):
            doc.entities = entities
            doc.officials = officials
            if doc.tokens:
                merge_entity_tokens(doc)  # re-cut the words so each entity is one token
            doc.fill_raw_offsets(["entities"])
            yield doc

    def _annotate(self, text: str, tokens: list[Tok]) -> tuple[list[Entity], list[Official]]:
        spans, titles = analyze_paragraph_tokens(text, tokens, self.gazetteers)
        links = link_officials(text, spans, titles)
        linked_titles = {(link.title.start, link.title.end) for link in links}
        entities = [_entity(text, s.start, s.end, s.label, s.source) for s in spans]
        entities += [
            _entity(text, s.start, s.end, "TITLE", "rule") for s in titles if (s.start, s.end) in linked_titles
        ]
        entities = sorted((e for e in entities if e is not None), key=lambda e: (e.start, e.end))
        return entities, dedupe_officials(to_official(text, link) for link in links)


def _entity(text: str, start: int, end: int, label: str, source: str) -> Entity | None:
    """An entity without the spaces at its ends (a name never starts or ends with one;
    ``  股份有限公司`` after a line indent is the indent plus a name)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return None
    return Entity(text[start:end], label, start, end, source=source)


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
    """Entities of ``text`` as dicts: ``text``, ``label``, ``start``, ``end``, ``raw_start``, ``raw_end``, ``source``.

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
