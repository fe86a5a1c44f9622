"""Inputs: folders of ``.txt`` files, JSONL, Parquet, standard input.

Everything is read lazily and becomes ``(item, id, date)`` triples, the form
:meth:`Pipeline.pipe` batches: ``item`` is the file's *bytes* (decoding and
encoding detection happen in the workers, with the pipeline's
:func:`~chinese_news_nlp.decode.make_doc`), or the ``text`` of a JSONL/Parquet
record.  Ids:

* a ``.txt`` file inside a folder: its path relative to that folder
  (``2024/05/a.txt``); a file named directly: the path as given;
* JSONL: the record's ``id``, else its line number (1-based); Parquet: the
  ``id`` column, else the row number (0-based);
* with several JSONL/Parquet inputs, line and row numbers are qualified by the
  file name (``a.jsonl:17``) so that ids stay unique.

An input that cannot be read (a bad JSON line, a record without ``text``, an
unreadable file) becomes a :class:`ReadFailure` item, so that it is reported
like any other failing document instead of stopping the run.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Union

from ..errors import InputError

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")  # extracted with trafilatura (the html extra)
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".pq")

Record = tuple[Any, str, Union[str, None]]  # (bytes | str | ReadFailure, id, date)


@dataclass(frozen=True)
class ReadFailure:
    """Stands in for a document that could not be read; becomes an error record with stage ``read``."""

    message: str


@dataclass(frozen=True)
class Source:
    """One input: ``kind`` is ``folder``, ``text``, ``jsonl``, ``parquet`` or ``stdin``."""

    kind: str
    path: str
    qualify: bool = False  # prefix line/row numbers with the file name

    @property
    def name(self) -> str:
        return "stdin" if self.kind == "stdin" else Path(self.path).name


def sources(inputs: Iterable[str | os.PathLike]) -> list[Source]:
    """Classify the inputs; raise :class:`InputError` for one that does not exist."""
    found = []
    for raw in inputs:
        path = str(raw)
        if path == "-":
            found.append(Source("stdin", "-"))
        elif os.path.isdir(path):
            found.append(Source("folder", path))
        elif os.path.isfile(path):
            suffix = Path(path).suffix.lower()
            kind = "jsonl" if suffix in JSONL_SUFFIXES else "parquet" if suffix in PARQUET_SUFFIXES else "text"
            found.append(Source(kind, path))
        else:
            raise InputError(f"input not found: {path}")
    several = sum(s.kind in ("jsonl", "parquet", "stdin") for s in found) > 1
    return [Source(s.kind, s.path, qualify=several) for s in found]


def iter_records(inputs: Iterable[str | os.PathLike] | list[Source], date: str | None = None) -> Iterator[Record]:
    """Every document of every input, lazily, in a deterministic order."""
    srcs = [s if isinstance(s, Source) else None for s in inputs]
    if any(s is None for s in srcs):
        srcs = sources(inputs)  # type: ignore[arg-type]
    for src in srcs:
        assert src is not None
        if src.kind == "folder":
            for path, doc_id in text_files(src.path):
                yield read_text_file(path, doc_id, date)
        elif src.kind == "text":
            yield read_text_file(src.path, src.path, date)
        elif src.kind == "jsonl":
            with open(src.path, "rb") as fh:
                yield from read_jsonl(fh, src, date)
        elif src.kind == "stdin":
            yield from read_jsonl(sys.stdin.buffer, src, date)
        else:
            yield from read_parquet(src, date)


def count_records(srcs: list[Source]) -> int | None:
    """How many documents the inputs hold (for a progress bar); None if unknown (stdin)."""
    total = 0
    for src in srcs:
        if src.kind == "folder":
            total += sum(1 for _ in text_files(src.path))
        elif src.kind == "text":
            total += 1
        elif src.kind == "jsonl":
            with open(src.path, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        elif src.kind == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(src.path).metadata.num_rows
        else:
            return None
    return total


# -- text files -----------------------------------------------------------------------
def text_files(folder: str) -> Iterator[tuple[str, str]]:
    """``(path, id)`` of every ``*.txt`` under ``folder``, sorted, walked lazily."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES) and not name.startswith("."):
                path = os.path.join(dirpath, name)
                yield path, Path(os.path.relpath(path, folder)).as_posix()


def read_text_file(path: str, doc_id: str, date: str | None) -> Record:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if path.lower().endswith(HTML_SUFFIXES):
            from ..html import Html

            return Html(data), doc_id, date
        return data, doc_id, date
    except OSError as exc:
        return ReadFailure(f"cannot read {path}: {exc.strerror or exc}"), doc_id, date


# -- JSONL ------------------------------------------------------------------------------
def read_jsonl(
    fh: IO[bytes], src: Source, date: str | None, first_line: int = 1, end: int | None = None
) -> Iterator[Record]:
    """Records of a JSONL stream from its current position (up to byte ``end`` if given)."""
    line_no = first_line - 1
    while end is None or fh.tell() < end:
        line = fh.readline()
        if not line:
            break
        line_no += 1
        if not line.strip():
            continue
        fallback_id = f"{src.name}:{line_no}" if src.qualify else str(line_no)
        yield parse_record(line, fallback_id, date)


def parse_record(line: bytes | str, fallback_id: str, date: str | None) -> Record:
    try:
        data = json.loads(line)
    except ValueError as exc:
        return ReadFailure(f"not valid JSON: {exc}"), fallback_id, date
    if not isinstance(data, dict):
        return ReadFailure(f"expected a JSON object, got {type(data).__name__}"), fallback_id, date
    return from_mapping(data, fallback_id, date)


def from_mapping(data: dict, fallback_id: str, date: str | None) -> Record:
    doc_id = data.get("id")
    doc_id = fallback_id if doc_id is None or doc_id == "" else str(doc_id)
    doc_date = data.get("date") or date
    if hasattr(doc_date, "isoformat"):  # Parquet date/timestamp columns
        doc_date = doc_date.isoformat()
    doc_date = None if doc_date is None else str(doc_date)
    text = data.get("text")
    if text is None and isinstance(data.get("html"), str):
        from ..html import Html

        return Html(data["html"], url=data.get("url")), doc_id, doc_date
    if not isinstance(text, str):
        what = "no 'text' field" if text is None else f"'text' is {type(text).__name__}, not a string"
        return ReadFailure(what), doc_id, doc_date
    return text, doc_id, doc_date


# -- Parquet ------------------------------------------------------------------------------
def read_parquet(src: Source, date: str | None, row_groups: list[int] | None = None) -> Iterator[Record]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(src.path)
    names = set(pf.schema_arrow.names)
    if "text" not in names:
        raise InputError(f"{src.path}: no 'text' column (columns: {sorted(names)})")
    columns = [c for c in ("text", "id", "date") if c in names]
    groups = range(pf.num_row_groups) if row_groups is None else row_groups
    for group in groups:
        row = sum(pf.metadata.row_group(g).num_rows for g in range(group))
        for batch in pf.iter_batches(batch_size=512, row_groups=[group], columns=columns):
            for rec in batch.to_pylist():
                fallback_id = f"{src.name}:{row}" if src.qualify else str(row)
                row += 1
                yield from_mapping(rec, fallback_id, date)
