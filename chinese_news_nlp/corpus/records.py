"""What a processed document becomes on output, and the counts the summary adds up.

Both run inside the workers, so that the parent only writes ready strings or
rows and adds small counters: with two cores, serializing a 3,000-character
document's JSON in the parent would cost as much as a third of a worker.

Output forms:

* ``jsonl``: one line, ``doc.to_json()``: ``doc.to_dict()`` as compact JSON (the documented schema);
* ``parquet``: rows of flat tables, each row carrying the document id:
  ``documents`` (one row per document, with its error if any), ``entities``,
  ``facts``, ``repairs``, ``officials``, ``zones`` and, on request, ``tokens``;
* ``dict``: ``doc.to_dict()`` itself (the Dask bag API).

A failed document is written as its id, meta and error, the error carrying a bounded
excerpt of the text (:func:`error_record`): never the whole document and whatever the
stages had made of it before failing (a 20 MB document that timed out in the entity stage
once made a 477 MB record).  A document processed in pieces
(:mod:`chinese_news_nlp.pieces`) is encoded piece by piece (:class:`PieceEncoder`): the
output is the same as for the stitched Doc, and the stitched Doc is never built.
"""

from __future__ import annotations

import json
import typing
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any, Iterator

from ..alignment import Alignment
from ..doc import ARTICLE_ZONES, Doc, Entity, Fact, Official, Repair, Token, Zone, json_text, span_dict
from ..pieces import shift, span_lists
from ..pipeline import bounded

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
    "error_excerpt": "string",  # the start of a failed document's text
    "meta": "string",  # the full meta mapping as JSON
    "duplicate_of": "string",  # with --dedup: the id of the earlier document this one reposts
    "duplicate_similarity": "float64",
}
# How much of a failed document's text its record keeps.
EXCERPT_CHARS = 200


def table_columns(table: str) -> dict[str, str]:
    """Column name -> Arrow type name of a flat table (derived from the Doc dataclasses)."""
    if table == "documents":
        return dict(DOCUMENT_COLUMNS)
    columns = {"doc_id": "string"}
    hints = typing.get_type_hints(SPAN_TABLES[table])
    for f in fields(SPAN_TABLES[table]):
        hint = str(hints[f.name])
        columns[f.name] = (
            "bool_" if "bool" in hint else "float64" if "float" in hint else "int64" if "int" in hint else "string"
        )
    return columns


def arrow_schema(table: str) -> Any:
    import pyarrow as pa

    return pa.schema([(c, getattr(pa, kind)()) for c, kind in table_columns(table).items()])


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
        # entities and facts read across characters guessed or lost (Entity.guessed)
        "guessed": sum(x.guessed for x in (*doc.entities, *doc.facts)),
    }


def _zone_group(zone: str) -> str:
    return "article" if zone in ARTICLE_ZONES else zone


def error_record(doc: Doc) -> Doc:
    """What is written for a failed ``doc``: id, meta and error, with a bounded excerpt.

    The excerpt is the start of the text where it failed (of the piece that failed, for a
    document processed in pieces); ``chars`` is the document's length.
    """
    error = dict(doc.error or {})
    error["message"] = bounded(str(error.get("message", "")))
    if doc.raw:
        at = int(error.get("piece_raw_start", 0))
        error["excerpt"] = doc.raw[at : at + EXCERPT_CHARS]
        error["chars"] = len(doc.raw)
    return Doc(raw="", meta=dict(doc.meta), error=error)


def encode(doc: Doc, fmt: str, tables: tuple[str, ...] = DEFAULT_TABLES) -> Any:
    """``doc`` in output form ``fmt`` (see the module docstring)."""
    if doc.error is not None:
        doc = error_record(doc)
    if fmt == "jsonl":
        return doc.to_json()  # the same string as json_text(doc.to_dict())
    if fmt == "dict":
        return doc.to_dict()
    if fmt == "parquet":
        return flat_rows(doc, tables)
    raise ValueError(f"unknown output format {fmt!r}; known: {', '.join(FORMATS)}")


class Fragments:
    """One JSONL line in parts, most of them zlib-compressed: what :class:`PieceEncoder` makes of a
    document processed in pieces.  JSON of millions of tokens compresses about five times, and it
    is held (and sent from a worker) compressed until it is written."""

    def __init__(self) -> None:
        self.parts: list[tuple[bool, bytes]] = []

    def add(self, data: bytes, compress: bool = False) -> None:
        self.parts.append((compress, zlib.compress(data, 1) if compress else data))

    def chunks(self) -> Iterator[bytes]:
        for compressed, data in self.parts:
            yield zlib.decompress(data) if compressed else data

    def add_field(self, name: str, value: Any) -> None:
        """Add ``"name": value`` at the end of the JSON object (the ``--dedup`` verdict)."""
        compressed, last = self.parts.pop()
        last = zlib.decompress(last) if compressed else last
        assert last.endswith(b"}")
        self.add(last[:-1] + f",{json_text(name)}:{json_text(value)}}}".encode(), compressed)


@dataclass
class Encoded:
    """A document already in output form, with its stats (what :class:`PieceEncoder` returns)."""

    payload: Any
    stats: dict[str, Any]


class PieceEncoder:
    """Encode a document processed in pieces, piece by piece, as :func:`encode` would encode the
    stitched Doc (:func:`chinese_news_nlp.pieces.stitch`), without building it.

    JSONL: each piece's spans become a fragment of JSON (UTF-8 bytes) as it arrives, and the
    record is the list of fragments, written one after another (a kill cuts the line, and a
    resume drops it).  Parquet: each piece's rows become Arrow tables.  Memory is the pieces'
    output in compact form, never their Python objects all at once.
    """

    def __init__(self, fmt: str, tables: tuple[str, ...] = DEFAULT_TABLES):
        self.fmt = fmt
        self.tables = tables

    def __call__(self, doc: Doc, pieces: Iterator[tuple[int, Doc]]) -> Encoded:
        from ..pieces import merge_meta, piece_error, stitch

        if self.fmt == "dict":
            whole = stitch(doc, pieces)
            return Encoded(encode(whole, self.fmt, self.tables), doc_stats(whole))
        names = span_lists()
        fragments: dict[str, Fragments] = {name: Fragments() for name in names}
        arrow: dict[str, list[Any]] = {t: [] for t in self.tables if t != "documents"}
        counts = {name: 0 for name in names}
        counters: dict[str, Counter] = {
            "entities": Counter(),
            "facts": Counter(),
            "repairs": Counter(),
            "zones": Counter(),
        }
        texts: list[str] = []
        alignments: list[Alignment] = []
        meta = dict(doc.meta)
        text_offset = guessed = 0
        for index, (raw_offset, piece) in enumerate(pieces):
            merge_meta(meta, piece.meta, index == 0)
            if piece.error is not None:
                failed = Doc(raw=doc.raw, meta=meta, error=piece_error(piece.error, raw_offset, piece))
                return Encoded(encode(failed, self.fmt, self.tables), doc_stats(failed))
            moved = Doc(raw="", meta=meta)
            for name in names:
                spans = getattr(piece, name)
                shift(spans, text_offset, raw_offset, counts[name])  # in place: the piece is done with
                setattr(moved, name, spans)
                counts[name] += len(spans)
            counters["entities"].update(e.label for e in moved.entities)
            counters["facts"].update(f.kind for f in moved.facts)
            counters["repairs"].update(r.cause for r in moved.repairs)
            moved_stats = doc_stats(moved)
            counters["zones"].update(moved_stats["zones"])
            guessed += moved_stats["guessed"]
            if self.fmt == "jsonl":
                for name in names:
                    spans = getattr(moved, name)
                    if spans:
                        data = json_text([span_dict(x) for x in spans])
                        if fragments[name].parts:
                            fragments[name].add(b",")
                        fragments[name].add(data[1:-1].encode("utf-8"), compress=True)
            else:
                self._arrow_rows(moved, doc.id, arrow)
            texts.append(piece.text)
            alignments.append(piece.alignment)
            text_offset += len(piece.text)
        whole = Doc(raw=doc.raw, text="".join(texts), meta=meta, alignment=Alignment.concat(alignments))
        stats = doc_stats(whole)
        stats.update(tokens=counts.get("tokens", 0), officials=counts.get("officials", 0), guessed=guessed)
        stats.update({k: dict(v) for k, v in counters.items()})
        if self.fmt == "jsonl":
            return Encoded(self._jsonl(whole, fragments), stats)
        rows: dict[str, Any] = flat_rows(whole, ("documents",))
        for name, n in counts.items():
            if f"n_{name}" in rows["documents"][0]:
                rows["documents"][0][f"n_{name}"] = n
        import pyarrow as pa

        for table, parts in arrow.items():
            rows[table] = pa.concat_tables(parts) if parts else []
        return Encoded(rows, stats)

    @staticmethod
    def _jsonl(whole: Doc, fragments: dict[str, Fragments]) -> Fragments:
        """``stitched.to_json()`` as UTF-8 fragments: the skeleton's JSON with each
        span list replaced by its pieces' fragments (whatever fields ``to_dict`` writes)."""
        data = whole.to_dict()
        marks = {name: f"@@cnnlp-{uuid.uuid4().hex}-{name}@@" for name in fragments if name in data}
        for name, mark in marks.items():
            data[name] = mark
        rest = json_text(data)
        out = Fragments()
        for name, mark in sorted(marks.items(), key=lambda item: rest.index(json_text(item[1]))):
            head, rest = rest.split(json_text(mark), 1)
            out.add(head.encode("utf-8") + b"[", compress=True)  # raw and text: the document itself
            out.parts.extend(fragments[name].parts)
            out.add(b"]")
        out.add(rest.encode("utf-8"), compress=True)
        return out

    def _arrow_rows(self, moved: Doc, doc_id: str | None, arrow: dict[str, list[Any]]) -> None:
        import pyarrow as pa

        moved.meta = {**moved.meta, "id": doc_id} if doc_id is not None else moved.meta
        for table, rows in flat_rows(moved, self.tables).items():
            if table in arrow and rows:
                arrow[table].append(pa.Table.from_pylist(rows, schema=arrow_schema(table)))


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
                "error_excerpt": error.get("excerpt"),
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
    if fmt == "jsonl" and isinstance(payload, Fragments):
        payload.add_field("duplicate", {"of": duplicate_of, "similarity": similarity})
    elif fmt == "jsonl":
        return payload[:-1] + ',"duplicate":' + json_text({"of": duplicate_of, "similarity": similarity}) + "}"
    if fmt == "parquet":
        payload["documents"][0]["duplicate_of"] = duplicate_of
        payload["documents"][0]["duplicate_similarity"] = similarity
    elif fmt == "dict":
        payload["duplicate"] = {"of": duplicate_of, "similarity": similarity}
    return payload
