"""chinese-news-nlp: raw Chinese news text, however damaged, into clean structured data.

>>> import chinese_news_nlp as cnn
>>> nlp = cnn.load()
>>> doc = nlp("2023年，成都大数据产业规模达1039亿元")
>>> [(e.text, e.label) for e in doc.entities]          # doctest: +SKIP

Stages are usable alone: :func:`repair_text`, :func:`to_simplified`,
:func:`find_zones`, :func:`segment`, :func:`extract_entities`, :func:`extract_facts`;
:func:`dedup` marks reposts across a corpus.
"""

from __future__ import annotations

from typing import Any

from .alignment import Alignment, Edit
from .doc import Doc, Entity, Fact, Official, Repair, Token, Zone
from .errors import (
    BinaryInputError,
    ChineseNewsNLPError,
    ConfigError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    EmptyInputError,
    InputError,
    InvalidDateError,
    StageContractError,
    StageError,
    UndecodableInputError,
    UnknownStageError,
)
from .html import Html
from .pipeline import Pipeline, create_stage, load, register_stage, registered_stages

__version__ = "0.1.0"


def repair_text(text: str, **options: Any) -> str:
    """Repair mojibake, pasted pinyin, half-width punctuation and content-farm damage.

    ``options``: ``causes``, ``min_confidence``, ``lost_bytes`` ("guess" or
    "replace"), as :func:`chinese_news_nlp.repair.fix_and_explain`.
    """
    from .repair import repair_text as _repair_text

    return _repair_text(text, **options)


def explain_repairs(text: str, **options: Any) -> list[Repair]:
    """The repairs :func:`repair_text` would make, each with before, after, cause,
    confidence, and whether it was guessed where bytes were lost."""
    from .repair import explain_repairs as _explain

    return _explain(text, **options)


def to_simplified(text: str, config: str = "t2s") -> str:
    """Convert with OpenCC (``t2s`` by default; ``tw2sp``, ``hk2s``, ``s2t``... also work)."""
    from .convert import convert_text

    return convert_text(text, config=config)


def segment(text: str, engine: str = "auto", **options: Any) -> list[str]:
    """Words of ``text``: ``engine="auto"`` is the best the install has (see ``chinese_news_nlp.segmentation``).

    Control characters separate words, as in the pipeline: none is ever part of a word.
    """
    from .decode import without_controls
    from .segmentation import segment_text

    if not isinstance(text, str):  # (an AttributeError from deep inside before)
        raise TypeError(f"segment needs a str, not {type(text).__name__}")
    return segment_text(without_controls(text), engine=engine, **options)


def _outside_controls(text: str, spans: list[dict]) -> list[dict]:
    """The spans found on ``without_controls(text)`` that hold no control character of ``text``."""
    from .pipeline import holds_control

    return [s for s in spans if not holds_control(text[s["start"] : s["end"]])]


def extract_entities(text: str, **options: Any) -> list[dict]:
    """Entities of ``text`` as dicts (``text``, ``label``, ``start``, ``end``, ...); none holds a control character."""
    from .decode import without_controls
    from .entities import extract_entities as _extract

    if not isinstance(text, str):
        return _extract(text, **options)  # its own typed complaint
    return _outside_controls(text, _extract(without_controls(text), **options))


def render(doc: Doc, style: str = "all", **options: Any) -> str:
    """HTML of ``doc`` with entities, facts and repairs marked (what Jupyter shows for a Doc)."""
    from .display import render as _render

    return _render(doc, style=style, **options)


def to_frames(docs: Any) -> dict:
    """pandas DataFrames of many Docs: documents, entities, facts, officials, repairs."""
    from .frames import to_frames as _to_frames

    return _to_frames(docs)


def find_zones(text: str) -> list[Zone]:
    """The page zones of ``text`` (title, meta, heading, body, boilerplate, related), one per non-blank line."""
    from .zones import find_zones as _find_zones

    if not isinstance(text, str):  # (an AttributeError from deep inside before)
        raise TypeError(f"find_zones needs a str, not {type(text).__name__}")
    return _find_zones(text)


def dedup(docs: Any, threshold: float = 0.5, **options: Any):
    """Yield, for each document (Doc, its JSON dict, or str), the id of the earlier one it
    reposts and the estimated similarity (``DuplicateMark``); needs the ``dedup`` extra."""
    from .near_duplicates import dedup as _dedup

    return _dedup(docs, threshold=threshold, **options)


def extract_facts(text: str, date: str | None = None, **options: Any) -> list[dict]:
    """Number–unit–year facts of ``text`` as dicts (fields of the gold README); none holds a control character."""
    from .decode import without_controls
    from .facts import extract_facts as _extract

    if not isinstance(text, str):
        return _extract(text, date=date, **options)  # its own typed complaint
    return _outside_controls(text, _extract(without_controls(text), date=date, **options))


__all__ = [
    "Alignment",
    "BinaryInputError",
    "ChineseNewsNLPError",
    "ConfigError",
    "Doc",
    "DocumentTimeoutError",
    "DocumentTooLargeError",
    "Edit",
    "EmptyInputError",
    "Entity",
    "Fact",
    "Html",
    "InputError",
    "InvalidDateError",
    "Official",
    "Pipeline",
    "Repair",
    "StageContractError",
    "StageError",
    "Token",
    "UndecodableInputError",
    "UnknownStageError",
    "Zone",
    "create_stage",
    "dedup",
    "explain_repairs",
    "extract_entities",
    "extract_facts",
    "find_zones",
    "load",
    "register_stage",
    "registered_stages",
    "render",
    "repair_text",
    "segment",
    "to_frames",
    "to_simplified",
]
