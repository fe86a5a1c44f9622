"""Outputs that survive being killed: JSONL lines and Parquet part files.

* :class:`JsonlWriter` writes each document as one line followed by
  ``flush``, so a killed run leaves at most one partial last line (the line
  of a document processed in pieces comes as several fragments, written one
  after the other).  On resume it reads the ids already written and cuts that
  partial line off, so nothing is lost and nothing is duplicated.
* :class:`ParquetWriter` buffers rows and writes one part file per table every
  ``docs_per_part`` documents, each to a temporary name renamed when
  complete; the ``documents`` part is renamed last and commits the others.
  On resume, temporary files and parts without their ``documents`` part are
  deleted, and the ids of the committed documents are skipped.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .records import DEFAULT_TABLES, Fragments, arrow_schema

_ID_AT_START = re.compile(rb'^\{"schema": \d+, "id": ')


class JsonlWriter:
    """One JSON document per line; ``done_ids`` holds what a previous run already wrote."""

    def __init__(self, path: str | os.PathLike, resume: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done_ids: set[str] = set()
        if resume and self.path.exists():
            truncate_partial_line(self.path)
            self.done_ids = jsonl_ids(self.path)
        self._fh = open(self.path, "ab" if resume else "wb")
        self.written = 0

    def write(self, line: str | Fragments) -> None:
        """One document: a line (``str``), or the fragments of one (:class:`~.records.PieceEncoder`)."""
        if isinstance(line, str):
            self._fh.write(line.encode("utf-8") + b"\n")  # one write, then flush: a kill cuts at most this line
        else:
            for chunk in line.chunks():
                self._fh.write(chunk)
            self._fh.write(b"\n")
        self._fh.flush()
        self.written += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def truncate_partial_line(path: Path) -> int:
    """Cut a last line that has no newline (a write interrupted by a kill); return bytes cut."""
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "rb+") as fh:
        pos, chunk = size, 1 << 16
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            block = fh.read(pos - start)
            if pos == size and block.endswith(b"\n"):
                return 0
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fh.truncate(keep)
                return size - keep
            pos = start
        fh.truncate(0)
        return size


def jsonl_ids(path: Path) -> set[str]:
    """Ids of the documents in a JSONL output, reading only the start of each line when possible."""
    ids: set[str] = set()
    decoder = json.JSONDecoder()
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            doc_id = _line_id(line, decoder)
            if doc_id is not None:
                ids.add(str(doc_id))
    return ids


def _line_id(line: bytes, decoder: json.JSONDecoder) -> Any:
    match = _ID_AT_START.match(line)
    if match:  # Doc.to_dict() puts "schema" then "id" first: no need to parse 30 kB of JSON
        try:
            return decoder.raw_decode(line[match.end() : match.end() + 4096].decode("utf-8", "replace"))[0]
        except ValueError:
            pass
    try:
        data = json.loads(line)
    except ValueError:
        return None  # a damaged line: its document will be processed again
    return data.get("id") if isinstance(data, dict) else None


class ParquetWriter:
    """Flat tables under ``out_dir/<table>/part-NNNNN.parquet``, committed by the documents part."""

    def __init__(
        self,
        out_dir: str | os.PathLike,
        resume: bool = False,
        tables: tuple[str, ...] = DEFAULT_TABLES,
        docs_per_part: int = 1000,
        part_prefix: str = "part",
        rows_per_part: int = 500_000,
    ):
        import pyarrow as pa

        self.pa = pa
        self.dir = Path(out_dir)
        self.tables = tuple(dict.fromkeys(("documents", *tables)))
        self.docs_per_part = docs_per_part
        self.rows_per_part = rows_per_part  # a part is also written when this many rows are buffered
        self.prefix = part_prefix
        self.schemas = {t: arrow_schema(t) for t in self.tables}
        for table in self.tables:
            (self.dir / table).mkdir(parents=True, exist_ok=True)
        self.done_ids: set[str] = set()
        committed = self._clean(resume)
        if resume:
            self.done_ids = parquet_ids(self.dir, self.prefix)
        self._next_part = max(committed, default=-1) + 1
        self._rows: dict[str, list[dict]] = {t: [] for t in self.tables}
        self._arrow: dict[str, list[Any]] = {t: [] for t in self.tables}  # Arrow tables of large documents
        self._buffered = 0
        self._buffered_rows = 0
        self.written = 0

    def _parts(self, table: str) -> list[Path]:
        return sorted((self.dir / table).glob(f"{self.prefix}-*.parquet"))

    def _clean(self, resume: bool) -> set[int]:
        """Delete temporary files, uncommitted parts and, unless resuming, every part; return committed part numbers."""
        for table in self.tables:
            for tmp in (self.dir / table).glob(f"{self.prefix}-*.tmp"):
                tmp.unlink()
        committed = {_part_number(p) for p in self._parts("documents")} if resume else set()
        for table in self.tables:
            for part in self._parts(table):
                if _part_number(part) not in committed:
                    part.unlink()
        return committed

    def write(self, rows: dict[str, Any]) -> None:
        """One document's rows: per table a list of dicts, or an Arrow table (a large document's)."""
        for table in self.tables:
            value = rows.get(table, ())
            if isinstance(value, list):
                self._rows[table].extend(value)
            else:
                self._arrow[table].append(value)
            self._buffered_rows += len(value) if isinstance(value, list) else value.num_rows
        self._buffered += 1
        self.written += 1
        if self._buffered >= self.docs_per_part or self._buffered_rows >= self.rows_per_part:
            self.flush()

    def flush(self) -> None:
        if not self._buffered:
            return
        import pyarrow.parquet as pq

        name = f"{self.prefix}-{self._next_part:05d}.parquet"
        # documents last: its rename commits the part (see _clean)
        for table in (*[t for t in self.tables if t != "documents"], "documents"):
            arrow = self.pa.Table.from_pylist(self._rows[table], schema=self.schemas[table])
            if self._arrow[table]:
                arrow = self.pa.concat_tables([arrow, *self._arrow[table]])
            final = self.dir / table / name
            tmp = final.with_name(final.name + ".tmp")
            pq.write_table(arrow, tmp)
            os.replace(tmp, final)
        self._rows = {t: [] for t in self.tables}
        self._arrow = {t: [] for t in self.tables}
        self._buffered = self._buffered_rows = 0
        self._next_part += 1

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> ParquetWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _part_number(path: Path) -> int:
    return int(path.name.split(".")[0].rsplit("-", 1)[1])


def parquet_ids(out_dir: str | os.PathLike, prefix: str = "part") -> set[str]:
    """Ids of the documents in the committed parts of a Parquet output."""
    import pyarrow.parquet as pq

    ids: set[str] = set()
    for part in sorted((Path(out_dir) / "documents").glob(f"{prefix}-*.parquet")):
        ids.update(str(x) for x in pq.read_table(part, columns=["id"]).column("id").to_pylist() if x is not None)
    return ids
