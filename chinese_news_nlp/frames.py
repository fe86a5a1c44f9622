"""pandas views of Docs: one row per entity, fact, official, repair or document.

``entities_frame(doc)`` and ``facts_frame(doc)`` (also ``doc.entities_frame()``,
``doc.facts_frame()``) tabulate one document; ``to_frames(docs)`` tabulates a
corpus into six DataFrames (documents, entities, facts, officials, repairs, zones)
that join on ``doc_id``; every entity, fact, official and repair row has a ``zone``::

    frames = to_frames(nlp.pipe(texts))
    frames["facts"].groupby(["year", "kind"]).size()
    frames["entities"].query("label == 'LAB'").text.value_counts()

Columns follow the dataclasses of :mod:`chinese_news_nlp.doc` field for field,
so an empty corpus still gives frames with every column.  Years are nullable
integers (``Int64``), so a fact without a year stays ``<NA>`` instead of
turning the column into floats.

pandas is an optional extra: ``pip install chinese-news-nlp[pandas]``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .doc import Doc, Entity, Fact, Official, Repair, Zone, span_dict

if TYPE_CHECKING:  # pandas is optional; only type checkers import it here
    import pandas as pd

FRAME_NAMES = ("documents", "entities", "facts", "officials", "repairs", "zones")

DOCUMENT_COLUMNS = (
    "doc_id",
    "title",
    "date",
    "encoding",
    "raw_chars",
    "text_chars",
    "tokens",
    "entities",
    "facts",
    "officials",
    "repairs",
    "error_stage",
    "error_message",
)

_RECORDS = {"entities": Entity, "facts": Fact, "officials": Official, "repairs": Repair, "zones": Zone}
# Nullable integer columns: absent years and offsets of records that have none.
_NULLABLE_INT = {"year", "year_end", "repeat_of"}


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - exercised only without pandas
        raise ImportError("DataFrames need pandas, an optional extra: pip install chinese-news-nlp[pandas]") from exc
    return pd


def _columns(kind: type) -> list[str]:
    return ["doc_id"] + [f.name for f in fields(kind)]


def _frame(rows: list[dict[str, Any]], kind: type) -> pd.DataFrame:
    pd = _pandas()
    frame = pd.DataFrame(rows, columns=_columns(kind))
    for column in _NULLABLE_INT & set(frame.columns):
        frame[column] = frame[column].astype("Int64")
    if "value" in frame.columns:
        for column in ("value", "value_max"):
            frame[column] = frame[column].astype("float64")
    return frame


def _rows(doc: Doc, name: str, doc_id: Any) -> list[dict[str, Any]]:
    return [{"doc_id": doc_id, **span_dict(item)} for item in getattr(doc, name)]


def entities_frame(doc: Doc) -> pd.DataFrame:
    """One row per entity: ``doc_id``, ``text``, ``label``, offsets on text and raw, ``source``."""
    return _frame(_rows(doc, "entities", doc.id), Entity)


def facts_frame(doc: Doc) -> pd.DataFrame:
    """One row per fact, with every :class:`~chinese_news_nlp.doc.Fact` field."""
    return _frame(_rows(doc, "facts", doc.id), Fact)


def officials_frame(doc: Doc) -> pd.DataFrame:
    """One row per person–title link: ``person``, ``title``, ``org``."""
    return _frame(_rows(doc, "officials", doc.id), Official)


def repairs_frame(doc: Doc) -> pd.DataFrame:
    """One row per repair: ``before``, ``after``, ``cause``, ``confidence``, offsets."""
    return _frame(_rows(doc, "repairs", doc.id), Repair)


def zones_frame(doc: Doc) -> pd.DataFrame:
    """One row per page zone: ``label``, offsets on text and raw, ``repeat_of``."""
    return _frame(_rows(doc, "zones", doc.id), Zone)


def _document_row(doc: Doc, doc_id: Any) -> dict[str, Any]:
    error = doc.error or {}
    return {
        "doc_id": doc_id,
        "title": doc.meta.get("title"),
        "date": doc.date,
        "encoding": doc.meta.get("encoding"),
        "raw_chars": len(doc.raw or ""),
        "text_chars": len(doc.text or ""),
        "tokens": len(doc.tokens),
        "entities": len(doc.entities),
        "facts": len(doc.facts),
        "officials": len(doc.officials),
        "repairs": len(doc.repairs),
        "error_stage": error.get("stage"),
        "error_message": error.get("message"),
    }


def to_frames(docs: Iterable[Doc | Mapping[str, Any]]) -> dict[str, pd.DataFrame]:
    """Tabulate a corpus: ``{"documents", "entities", "facts", "officials", "repairs", "zones"}`` → DataFrame.

    Entities, facts, officials and repairs carry the ``zone`` they lie in:
    ``frames["facts"].query("zone == 'body'")`` keeps the article's own facts.

    Every row carries ``doc_id``; a Doc without an id gets its position in
    ``docs`` (as a string), so the frames still join.  ``docs`` may be a
    generator such as ``nlp.pipe(...)``; it is read once.  Items may also be
    the JSON form of a Doc (``Doc.to_dict()``, a line of corpus output).
    """
    pd = _pandas()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in FRAME_NAMES}
    for position, item in enumerate(docs):
        doc = item if isinstance(item, Doc) else Doc.from_dict(item)
        doc_id = doc.id if doc.id is not None else str(position)
        rows["documents"].append(_document_row(doc, doc_id))
        for name in _RECORDS:
            rows[name].extend(_rows(doc, name, doc_id))
    frames = {"documents": pd.DataFrame(rows["documents"], columns=list(DOCUMENT_COLUMNS))}
    for column in ("raw_chars", "text_chars", "tokens", "entities", "facts", "officials", "repairs"):
        frames["documents"][column] = frames["documents"][column].astype("int64")
    for name, kind in _RECORDS.items():
        frames[name] = _frame(rows[name], kind)
    return frames


__all__ = [
    "FRAME_NAMES",
    "entities_frame",
    "facts_frame",
    "officials_frame",
    "repairs_frame",
    "to_frames",
    "zones_frame",
]
