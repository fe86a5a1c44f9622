"""The entity rules of earlier releases, as one engine (``engine="lac-rules"``).

LAC's PER/LOC/ORG names typed by their head words and re-bounded by the rules
of :mod:`.rules` and :mod:`.context`; titles found by the title vocabulary and
kept where :func:`.officials.link_officials` links them to a person.  Written
against the seed pages, it generalizes worse than the trained model (see
``benchmarks/entities.py``) and is kept so the two can be compared.
"""

from __future__ import annotations

from typing import Sequence

from . import context, rules
from .officials import link_officials
from .rules import Span, Tok


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


def analyze_paragraph_tokens(text: str, tokens: Sequence[Tok], gazetteers: Sequence) -> tuple[list[Span], list[Span]]:
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


def analyze(text: str, tokens: Sequence[Tok]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the names of ``text`` and of the titles linked to a person."""
    spans, titles = analyze_paragraph_tokens(text, tokens, [])
    links = link_officials(text, spans, titles)
    linked = {(link.title.start, link.title.end) for link in links}
    out = [(s.start, s.end, s.label) for s in spans]
    out += [(s.start, s.end, "TITLE") for s in titles if (s.start, s.end) in linked]
    return sorted(out)
