"""What a processed document becomes on output, and the counts the summary adds up.

Both run inside the workers, so that the parent only writes ready strings or
rows and adds small counters: with two cores, serializing a 3,000-character
document's JSON in the parent would cost as much as a third of a worker.

Output forms:

* ``jsonl``: one line, ``json.dumps(doc.to_dict())`` (the documented schema);
* ``parquet``: rows of flat tables, each row carrying the document id:
  ``documents`` (one row per document, with its error if any), ``entities``,
  ``facts``, ``repairs``, ``officials``, ``zones`` and, on request, ``tokens``;
* ``dict``: ``doc.to_dict()`` itself (the Dask bag API).
"""

from __future__ import annotations

import json
import typing
from collections import Counter
from dataclasses import fields
from typing import Any

from ..doc import ARTICLE_ZONES, Doc, Entity, Fact, Official, Repair, Token, Zone, span_dict

FORMATS = ("jsonl", "parquet", "dict")

# Flat tables: name -> the dataclass of its rows (documents is built by hand).
SPAN_TABLES: dict[str, type] = {
    "entities": Entity,
    "facts": Fact,
    "repairs": Repair,
    "officials": Official,
    "tokens": Token,
    "zones": Zone,
}
DEFAULT_TABLES = ("documents", "entities", "facts", "repairs", "officials", "zones")

DOCUMENT_COLUMNS: dict[str, str] = {
    "id": "string",
    "date": "string",
    "encoding": "string",
    "raw": "string",
    "text": "string",
    "n_chars": "int64",
    "n_tokens": "int64",
    "n_entities": "int64",
    "n_facts": "int64",
    "n_repairs": "int64",
    "n_officials": "int64",
    "error_stage": "string",
    "error_type": "string",
    "error_message": "string",
    "meta": "string",  # the full meta mapping as JSON
    "duplicate_of": "string",  # with --dedup: the id of the earlier document this one reposts
    "duplicate_similarity": "float64",
}


def table_columns(table: str) -> dict[str, str]:
    """Column name -> Arrow type name of a flat table (derived from the Doc dataclasses)."""
    if table == "documents":
        return dict(DOCUMENT_COLUMNS)
    columns = {"doc_id": "string"}
    hints = typing.get_type_hints(SPAN_TABLES[table])
    for f in fields(SPAN_TABLES[table]):
        hint = str(hints[f.name])
        columns[f.name] = "float64" if "float" in hint else "int64" if "int" in hint else "string"
    return columns


def doc_stats(doc: Doc) -> dict[str, Any]:
    """The counts of one document that the run summary adds up (small, cheap to send)."""
    return {
        "id": doc.id,
        "chars": len(doc.raw),
        "tokens": len(doc.tokens),
        "entities": dict(Counter(e.label for e in doc.entities)),
        "facts": dict(Counter(f.kind for f in doc.facts)),
        "repairs": dict(Counter(r.cause for r in doc.repairs)),
        "officials": len(doc.officials),
        "error": None if doc.error is None else {k: doc.error.get(k) for k in ("stage", "type", "message")},
        # where the entities and facts lie: the article's own zones, or other articles' and the site's
        "zones": dict(Counter(_zone_group(x.zone) for x in (*doc.entities, *doc.facts) if x.zone is not None)),
    }


def _zone_group(zone: str) -> str:
    return "article" if zone in ARTICLE_ZONES else zone


def encode(doc: Doc, fmt: str, tables: tuple[str, ...] = DEFAULT_TABLES) -> Any:
    """``doc`` in output form ``fmt`` (see the module docstring)."""
    if fmt == "jsonl":
        return json.dumps(doc.to_dict(), ensure_ascii=False)
    if fmt == "dict":
        return doc.to_dict()
    if fmt == "parquet":
        return flat_rows(doc, tables)
    raise ValueError(f"unknown output format {fmt!r}; known: {', '.join(FORMATS)}")


def flat_rows(doc: Doc, tables: tuple[str, ...] = DEFAULT_TABLES) -> dict[str, list[dict]]:
    error = doc.error or {}
    rows: dict[str, list[dict]] = {
        "documents": [
            {
                "id": doc.id,
                "date": doc.date,
                "encoding": doc.meta.get("encoding"),
                "raw": doc.raw,
                "text": doc.text,
                "n_chars": len(doc.raw),
                "n_tokens": len(doc.tokens),
                "n_entities": len(doc.entities),
                "n_facts": len(doc.facts),
                "n_repairs": len(doc.repairs),
                "n_officials": len(doc.officials),
                "error_stage": error.get("stage"),
                "error_type": error.get("type"),
                "error_message": error.get("message"),
                "meta": json.dumps(doc.meta, ensure_ascii=False, default=str),
                "duplicate_of": None,
                "duplicate_similarity": None,
            }
        ]
    }
    for table in tables:
        if table != "documents":
            rows[table] = [{"doc_id": doc.id, **span_dict(x)} for x in getattr(doc, table)]
    return rows


def mark_duplicate(payload: Any, fmt: str, duplicate_of: str | None, similarity: float | None) -> Any:
    """Write a ``--dedup`` verdict into an encoded document: a top-level ``duplicate`` object
    in JSONL (``{"of": id, "similarity": 0.93}``), two columns of the documents row in Parquet."""
    if duplicate_of is None:
        return payload
    if fmt == "jsonl":
        mark = json.dumps({"of": duplicate_of, "similarity": similarity}, ensure_ascii=False)
        return payload[:-1] + ', "duplicate": ' + mark + "}"
    if fmt == "parquet":
        payload["documents"][0]["duplicate_of"] = duplicate_of
        payload["documents"][0]["duplicate_similarity"] = similarity
    elif fmt == "dict":
        payload["duplicate"] = {"of": duplicate_of, "similarity": similarity}
    return payload
