"""Statistical engines under the entity rules: LAC (default) and HanLP.

An engine turns paragraphs into :class:`~.rules.Tok` lists in LAC's tag set
(words with parts of speech, names tagged PER / LOC / ORG).  The HanLP engine
keeps LAC's words and parts of speech but takes its names from the HanLP
model: HanLP tag sets are mapped onto PER / LOC / ORG (or onto our fine labels
when a model already predicts them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from ..doc import ENTITY_LABELS
from .rules import Tok

# HanLP tag sets → the coarse tags the rules read (None: not a name we keep).
MSRA_TAGS = {
    "NR": "PER", "NS": "LOC", "NT": "ORG",
    "PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG",
}  # fmt: skip
ONTONOTES_TAGS = {
    "PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
}  # fmt: skip
PKU_TAGS = {"nr": "PER", "ns": "LOC", "nt": "ORG", "nrf": "PER", "nrj": "PER"}
_FINE_TO_COARSE = {
    "PERSON": "PER",
    "LOC": "LOC",
    "LAB": "ORG",
    "COMPANY": "ORG",
    "GOV": "ORG",
    "EDU": "ORG",
    "ORG": "ORG",
}


def map_hanlp_tag(tag: str, tagset: str | None = None) -> str | None:
    """A HanLP NER tag as PER / LOC / ORG, or ``None`` for tags we do not keep.

    ``tagset`` is ``"msra"``, ``"ontonotes"`` or ``"pku"``; without it the
    tag is looked up in all three (they do not conflict on the tags we keep).
    Our own labels (LAB, COMPANY...) pass as their coarse class, so a model
    trained on them works too.
    """
    tables = {"msra": (MSRA_TAGS,), "ontonotes": (ONTONOTES_TAGS,), "pku": (PKU_TAGS,)}.get(
        (tagset or "").lower(), (MSRA_TAGS, ONTONOTES_TAGS, PKU_TAGS)
    )
    bare = re.sub(r"^[BIMESL]-", "", tag)
    for table in tables:
        if bare in table:
            return table[bare]
    if bare in ENTITY_LABELS:
        return _FINE_TO_COARSE.get(bare)
    return None


class LacEngine:
    """LAC through :func:`chinese_news_nlp.lac.get_lac` (one shared session)."""

    name = "lac"

    def tokens(self, paragraphs: Sequence[tuple[int, str]]) -> list[list[Tok]]:
        from ..lac import get_lac

        analyzed = get_lac().analyze([text for _, text in paragraphs])
        out = []
        for (offset, _text), words in zip(paragraphs, analyzed):
            toks = []
            pos = offset
            for word, tag in words:
                toks.append(Tok(word, tag, pos, pos + len(word)))
                pos += len(word)
            out.append(toks)
        return out


class HanlpEngine:
    """A HanLP NER (or multi-task) model loaded with ``hanlp.load`` by name or path."""

    name = "hanlp"

    def __init__(self, model: str | Path, tagset: str | None = None, **load_options: Any):
        self.model_name = str(model)
        self.tagset = tagset
        self.load_options = load_options
        self._model = None
        self._lac = LacEngine()

    @property
    def model(self):
        if self._model is None:
            import hanlp

            self._model = hanlp.load(self.model_name, **self.load_options)
        return self._model

    def spans(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """``(start, end, PER|LOC|ORG)`` character spans per text, from the HanLP model."""
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
            coarse = map_hanlp_tag(str(tag), self.tagset)
            if coarse is None or not 0 <= begin < end <= len(text):
                continue
            spans.append((begin, end, coarse))
        return sorted(spans)

    def tokens(self, paragraphs: Sequence[tuple[int, str]]) -> list[list[Tok]]:
        words = self._lac.tokens(paragraphs)
        names = self.spans([text for _, text in paragraphs])
        return [
            overlay_names(toks, [(offset + s, offset + e, tag) for s, e, tag in spans])
            for (offset, _), toks, spans in zip(paragraphs, words, names)
        ]


def _ner_items(result: Any) -> list:
    if isinstance(result, dict):  # a multi-task Document: {'ner/msra': [...], ...}
        for key, value in result.items():
            if key.startswith("ner"):
                return value
        return []
    return list(result or [])


def overlay_names(tokens: Sequence[Tok], names: Sequence[tuple[int, int, str]]) -> list[Tok]:
    """LAC words with the other model's names: tokens a name covers merge into it,
    and LAC's own PER/LOC/ORG elsewhere become plain nouns."""
    if not tokens:
        return []
    out: list[Tok] = []
    names = sorted(names)
    k = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        while k < len(names) and names[k][1] <= tok.start:
            k += 1
        if k < len(names) and names[k][0] < tok.end:
            start, end, tag = names[k]
            start = min(start, tok.start)
            word = []
            while i < len(tokens) and tokens[i].start < end:
                word.append(tokens[i].word)
                end = max(end, tokens[i].end)
                i += 1
            out.append(Tok("".join(word), tag, start, end))
            k += 1
            continue
        tag = "n" if tok.tag in ("PER", "LOC", "ORG") else tok.tag
        out.append(Tok(tok.word, tag, tok.start, tok.end))
        i += 1
    return out


def make_engine(engine: str = "lac", model: str | Path | None = None, **options: Any):
    if engine == "lac":
        return LacEngine()
    if engine == "hanlp":
        if model is None:
            raise ValueError("engine='hanlp' needs model= (a HanLP model name or a local path)")
        return HanlpEngine(model, **options)
    raise ValueError(f"unknown entity engine {engine!r}; use 'lac' or 'hanlp'")
