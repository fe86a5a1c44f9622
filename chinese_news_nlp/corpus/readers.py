"""Inputs: folders of ``.txt`` files, JSONL, Parquet, standard input.

Everything is read lazily and becomes ``(item, id, date)`` triples, the form
:meth:`Pipeline.pipe` batches: ``item`` is the file's *bytes* (decoding and
encoding detection happen in the workers, with the pipeline's
:func:`~chinese_news_nlp.decode.make_doc`), or the ``text`` of a JSONL/Parquet
record.  Ids are unique across the inputs of a run and do not change when inputs
are added or reordered (``--resume`` relies on both):

* a ``.txt`` file: its path as given on the command line, normalized
  (``corpus/2024/05/a.txt`` for a file under the folder ``corpus``), so that
  ``A/a.txt`` and ``B/a.txt`` stay two documents;
* JSONL: the record's ``id``, else ``<path>:<line>`` (1-based; ``stdin:<line>``
  for standard input); Parquet: the ``id`` column, else ``<path>:<row>`` (0-based).
  JSONL is UTF-8 (a BOM is allowed); a file in UTF-16 or UTF-32 (after its BOM, or told by
  its zero bytes as :func:`json.loads` tells them) is decoded and read a line per record
  (:func:`jsonl_lines`);
* a ``.json`` file is one JSON document (:func:`read_json`): an array gives a record per
  element, its ``id``, else ``<path>:<n>`` (1-based, as JSONL counts its lines), a single
  object with a ``text`` one record (``<path>:1``), an object wrapping the records in one
  field (``{"data": [...]}``) a record per element of that list (``<path>:data:<n>``), any
  other object one failure naming the file and why; a file that is no JSON gives one
  failure, id ``<path>``.
  A ``.json`` file whose first line is a whole JSON object is JSONL (many are named so) and
  read as such, unless that object is no record and the whole file (:func:`json_document`).
  A ``.jsonl`` or ``.ndjson`` file, or standard input, that is one JSON array or object is
  read as a ``.json`` file is (``stdin:<n>``, ``stdin:<field>:<n>``, ``stdin``).
  A JSON document is read whole (a few times its size in memory); JSONL streams.

Two documents with the same id (a file given twice, two JSONL files whose records
share an ``id``) are an error before anything is processed: :func:`check_unique_ids`.

Folders are walked following symbolic links to folders, each real folder once (a
link back to a parent is not a loop).  An input that cannot be read (a bad JSON line,
a record without ``text`` or with a date that is not ISO, an unreadable file, a link
that points nowhere, a Parquet file that is none or has no ``text`` column) becomes a
:class:`ReadFailure` item, so that it is reported like any other failing document
instead of stopping the run.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Union

from ..decode import parse_date
from ..errors import InputError

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")  # extracted with trafilatura (the html extra)
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
JSON_SUFFIXES = (".json",)  # a "jsonl" source too, read as one JSON document unless it is JSONL (read_jsonl)
PARQUET_SUFFIXES = (".parquet", ".pq")

Record = tuple[Any, str, Union[str, None]]  # (bytes | str | ReadFailure, id, date)


@dataclass(frozen=True)
class ReadFailure:
    """Stands in for a document that could not be read; becomes an error record with stage ``read``."""

    message: str


class DuplicateIdError(InputError):
    """Two documents of a run have the same id, or one document would be read twice under two ids
    (a file given by two paths, or inside a folder also given): raised before anything is processed."""


@dataclass(frozen=True)
class Source:
    """One input: ``kind`` is ``folder``, ``text``, ``jsonl`` (``.jsonl``, ``.ndjson``, ``.json``),
    ``parquet`` or ``stdin``."""

    kind: str
    path: str
    spool: Any = field(default=None, compare=False, repr=False)  # stdin, copied to an anonymous file

    @property
    def name(self) -> str:
        return "stdin" if self.kind == "stdin" else Path(self.label).name  # as the label writes it

    @property
    def label(self) -> str:
        """How ids and the manifest name this input: the path as given, normalized."""
        return "stdin" if self.kind == "stdin" else input_label(self.path)


def input_label(path: str | os.PathLike) -> str:
    """``path`` as given, normalized (``./corpus/`` → ``corpus``), with ``/`` separators.

    A byte of a file name that is not UTF-8 (a name in GBK, as unzipped archives leave them) is
    written ``\\xb1``, as ``ls -b`` shows it: Python reads it as a lone surrogate, which no output
    can hold (such an id ended the run when its document was written)."""
    label = Path(os.path.normpath(os.fspath(path))).as_posix()
    if not _unwritable(label):
        return label
    try:
        return label.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte (a str given as such)
        return label.encode("utf-8", "backslashreplace").decode("utf-8")


def sources(inputs: Iterable[str | os.PathLike]) -> list[Source]:
    """Classify the inputs; raise :class:`InputError` for one that does not exist.

    Standard input (``-``) is copied to an anonymous temporary file (removed by the system
    when it is closed, even after a kill), so that its ids can be checked before processing.
    """
    found = []
    for raw in inputs:
        path = str(raw)
        if path == "-":
            spool = tempfile.TemporaryFile()
            shutil.copyfileobj(sys.stdin.buffer, spool)
            spool.seek(0)
            found.append(Source("stdin", "-", spool))
        elif os.path.isdir(path):
            found.append(Source("folder", path))
        elif os.path.isfile(path):
            suffix = Path(path).suffix.lower()
            kind = "jsonl" if suffix in JSONL_SUFFIXES else "parquet" if suffix in PARQUET_SUFFIXES else "text"
            found.append(Source(kind, path))
        elif os.path.exists(path):  # it said "not found" of a pipe (<(zcat a.jsonl.gz)) or /dev/null
            raise InputError(
                f"input is not a file or folder: {path} (a pipe or a device); give - to read JSONL from "
                "standard input (zcat a.jsonl.gz | cnnlp process - ...), or a file"
            )
        else:
            raise InputError(f"input not found: {path}")
    return found


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
            yield read_text_file(src.path, src.label, date)
        elif src.kind == "jsonl":
            with open(src.path, "rb") as fh:
                yield from read_jsonl(fh, src, date)
        elif src.kind == "stdin":
            src.spool.seek(0)
            yield from read_jsonl(src.spool, src, date)
        else:
            yield from read_parquet(src, date)


def iter_ids(srcs: list[Source]) -> Iterator[str]:
    """The id of every document of ``srcs``, in :func:`iter_records` order, without reading texts
    (a JSONL line is parsed only if it may hold an ``"id"``; Parquet reads the ``id`` column)."""
    for src in srcs:
        if src.kind == "folder":
            yield from (doc_id for _, doc_id in text_files(src.path))
        elif src.kind == "text":
            yield src.label
        elif src.kind in ("jsonl", "stdin"):
            fh = open(src.path, "rb") if src.kind == "jsonl" else src.spool
            try:
                if json_document(fh, src):
                    yield from (doc_id for _, doc_id, _ in read_json(fh, src, None))
                    continue
                fh.seek(0)
                for line_no, line in jsonl_lines(fh):
                    yield _line_id(line, f"{src.label}:{line_no}")
            finally:
                if src.kind == "jsonl":
                    fh.close()
        else:
            yield from _parquet_ids(src)


# A key that decodes to "id" is written "id", or with an escape for one of its letters (\u0069 is
# "i", \u0064 "d"; JSON has no other escape for a letter): a line with none of these holds no id.
_ID_KEY_SPELLINGS = ('"id"', "\\u0069", "\\u0064")
_ID_KEY_SPELLINGS_UTF8 = tuple(spelling.encode() for spelling in _ID_KEY_SPELLINGS)


def _line_id(line: bytes | str | ReadFailure, fallback_id: str) -> str:
    """The id :func:`parse_record` gives ``line``, parsing the line only if it may hold an ``id`` key."""
    if isinstance(line, ReadFailure):
        return fallback_id
    quoted, i, d = _ID_KEY_SPELLINGS_UTF8 if isinstance(line, bytes) else _ID_KEY_SPELLINGS
    if quoted not in line and i not in line and d not in line:  # type: ignore[operator]
        return fallback_id
    try:
        data = _loads(line)
    except ValueError:
        return fallback_id
    return _record_id(data.get("id") if isinstance(data, dict) else None, fallback_id)


def _loads(data: bytes | str) -> Any:
    """:func:`json.loads`, JSON nested too deeply for it (a ``RecursionError``) a ``ValueError`` as
    any other JSON it cannot read: that line's or file's failure, not the run's end."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("arrays or objects nested too deeply to be read (about a thousand levels)") from None


def _record_id(value: Any, fallback_id: str) -> str:
    """The id of a record whose ``id`` field is ``value``: that, else ``fallback_id`` (the line or row),
    for no id and for one no output can hold (:func:`_unwritable`: that record's failure)."""
    if value is None or value == "":
        return fallback_id
    doc_id = str(value)
    return fallback_id if _unwritable(doc_id) else doc_id


def _unwritable(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (``"\\ud800"`` in JSON), which UTF-8 cannot encode:
    as a document's id it ended the run when the record was written, and the documents after it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parquet_ids(src: Source) -> Iterator[str]:
    pf, _ = parquet_file(src)
    if pf is None:
        yield src.label
        return
    for group in range(pf.num_row_groups):
        yield from _group_ids(pf, group, src.label)


def _group_ids(pf: Any, group: int, label: str) -> list[str]:
    """The ids of row group ``group``'s records: their ``id`` values, else ``<label>:<row>``; all
    of the latter where the ids cannot be read (a damaged page: the records' failures take them)."""
    first = sum(pf.metadata.row_group(g).num_rows for g in range(group))
    rows = pf.metadata.row_group(group).num_rows
    values: list[Any] = [None] * rows
    if "id" in pf.schema_arrow.names:
        try:
            values = pf.read_row_group(group, columns=["id"]).column(0).to_pylist()
        except (OSError, ValueError):  # ArrowIOError, ArrowInvalid
            pass
    return [_record_id(value, f"{label}:{first + k}") for k, value in enumerate(values)]


def check_unique_ids(srcs: list[Source], already: Iterable[str] = ()) -> int:
    """Raise :class:`DuplicateIdError` if two documents of ``srcs`` share an id; return how many there are.

    ``already``: ids a previous run wrote that are not from ``srcs`` (none on a fresh run).
    Every duplicate is counted, the first few are named with where they come from.
    """
    check_distinct_inputs(srcs)
    seen: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    total = 0
    for doc_id in iter_ids(srcs):
        total += 1
        if doc_id in seen:
            duplicates[doc_id] = duplicates.get(doc_id, 1) + 1
        else:
            seen[doc_id] = total
    if duplicates:
        shown = ", ".join(f"{k!r} ({n} times)" for k, n in list(duplicates.items())[:5])
        more = f", …and {len(duplicates) - 5:,} more" if len(duplicates) > 5 else ""
        raise DuplicateIdError(
            f"{len(duplicates):,} ids are used by more than one document: {shown}{more}. An id must name one "
            "document: give each input once, and make the 'id' fields of JSONL/Parquet records unique "
            "(or leave them out: the line or row number is used)"
        )
    return total


def check_distinct_inputs(srcs: list[Source]) -> None:
    """Raise :class:`DuplicateIdError` if two inputs are one file or folder under two paths
    (``a.jsonl`` and ``/data/a.jsonl``, a link and what it points to), or an input lies in a folder
    also given (``corpus`` and ``/data/corpus/a.txt``): their documents would be read twice, under
    two ids, which the check of ids does not see (it sees an input given twice by one path, and
    ``corpus corpus/a.txt``: the same ids).  Paths are compared as the system resolves them."""
    where: dict[tuple[int, int], str] = {}
    folders: dict[str, str] = {}
    for src in srcs:
        if src.kind == "stdin":
            continue
        try:
            st = os.stat(src.path)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in where and where[key] != src.label:
            raise DuplicateIdError(
                f"{where[key]!r} and {src.label!r} are the same {'folder' if src.kind == 'folder' else 'file'}: "
                "its documents would be read twice, under two ids; give it once"
            )
        where[key] = src.label
        if src.kind == "folder":
            folders[os.path.realpath(src.path)] = src.label
    for src in srcs:
        name = Path(src.path).name
        walked = src.kind == "folder" or (name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES) and name[:1] != ".")
        if src.kind in ("folder", "text") and walked:
            real = os.path.realpath(src.path)
            parent = os.path.dirname(real)
            while parent != real:
                outer = folders.get(parent)
                if outer is not None and not src.label.startswith(f"{outer}/"):
                    raise DuplicateIdError(
                        f"{src.label!r} is in the folder {outer!r}, also given: its documents would be "
                        "read twice, under two ids; give one of them"
                    )
                real, parent = parent, os.path.dirname(parent)


# -- text files -----------------------------------------------------------------------
def text_files(folder: str) -> Iterator[tuple[str, str]]:
    """``(path, id)`` of every ``*.txt`` and ``*.html`` under ``folder``, sorted, walked lazily.

    Links to folders are followed, each real folder once: a link back up the tree
    (``sub/loop -> ..``) is not walked again, so a loop neither hangs the run nor
    gives a document twice.  A link to a file is a file (read through the link).
    """
    visited: set[tuple[int, int]] = set()
    unlisted: list[OSError] = []  # folders os.walk could not list: it skipped them, and their documents
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True, onerror=unlisted.append):
        yield from _unlisted(unlisted)
        try:
            st = os.stat(dirpath)
            key = (st.st_dev, st.st_ino)
        except OSError:
            dirnames[:] = []
            yield dirpath, input_label(dirpath)  # read_text_file records why
            continue
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES) and not name.startswith("."):
                path = os.path.join(dirpath, name)
                yield path, input_label(path)
    yield from _unlisted(unlisted)


def unread_record_files(folder: str) -> list[str]:
    """The files of records (``.jsonl``, ``.json``, ``.parquet``...) under ``folder``, sorted.

    A folder input reads its ``*.txt`` and ``*.html`` only (a ``.json`` beside each article is
    often that article's metadata, not documents): the command line names these instead, so
    that documents a user meant to give are not left out without a word.
    """
    suffixes = JSONL_SUFFIXES + PARQUET_SUFFIXES
    return sorted(
        os.path.join(dirpath, name)
        for dirpath, _, filenames in os.walk(folder, followlinks=False)
        for name in filenames
        if name.lower().endswith(suffixes) and not name.startswith(".")
    )


def _unlisted(errors: list[OSError]) -> Iterator[tuple[str, str]]:
    """A folder that could not be listed stands for its documents: ``(path, id)`` of the folder,
    which :func:`read_text_file` records as a failure (it was skipped without a word)."""
    while errors:
        path = os.fspath(errors.pop(0).filename or "")
        if path:
            yield path, input_label(path)


def read_text_file(path: str, doc_id: str, date: str | None) -> Record:
    """The record of a ``.txt`` (``.html``) file: its bytes; a file that cannot be read, or is no
    regular file (a pipe named ``a.txt`` waited for a writer for ever, a link to ``/dev/zero`` read
    without end), a failure whose message names it as its id does (:func:`input_label`)."""
    shown = input_label(path)  # a name that is not UTF-8 could not be written in the message either
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            return ReadFailure(f"cannot read {shown}: not a regular file (a pipe, socket or device)"), doc_id, date
        with open(path, "rb") as fh:
            data = fh.read()
        if path.lower().endswith(HTML_SUFFIXES):
            from ..html import Html

            return Html(data), doc_id, date
        return data, doc_id, date
    except IsADirectoryError:
        return (
            ReadFailure(f"cannot read the folder {shown}, its documents are not processed: {_why_unlisted(path)}"),
            doc_id,
            date,
        )
    except OSError as exc:
        return ReadFailure(f"cannot read {shown}: {exc.strerror or exc}"), doc_id, date


def _why_unlisted(path: str) -> str:
    try:
        os.scandir(path).close()
        os.stat(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    return "it could not be listed"


# -- JSONL ------------------------------------------------------------------------------
def read_jsonl(
    fh: IO[bytes], src: Source, date: str | None, first_line: int = 1, end: int | None = None
) -> Iterator[Record]:
    """Records of a JSONL stream from its current position (up to byte ``end`` if given).

    A ``.json`` file holding one JSON document (:func:`json_document`) is read whole by
    :func:`read_json` from its start, and a range that starts further on is empty: the Dask
    engine cuts every ``jsonl`` source into byte ranges, so each record still comes once.
    """
    if json_document(fh, src):
        if fh.tell() == 0:
            yield from read_json(fh, src, date)
        return
    for line_no, line in jsonl_lines(fh, first_line, end):
        doc_id = f"{src.label}:{line_no}"
        yield (line, doc_id, date) if isinstance(line, ReadFailure) else parse_record(line, doc_id, date)


# Stands for bytes that do not decode in a JSONL file decoded as text (UTF-16, UTF-32): a lone
# surrogate, which no strict decoding gives, so that the line holding it is that line's failure.
_UNDECODABLE = "\udc80"
codecs.register_error("cnnlp-undecodable", lambda exc: (_UNDECODABLE, exc.end))
_BLANK_LINE = " \t\n\r\x0b\x0c"  # what bytes.strip() strips: a line of these is no record


def jsonl_encoding(fh: IO[bytes]) -> str | None:
    """``None`` for a UTF-8 JSONL stream (with or without a BOM), else the encoding of its text:
    ``utf-16``/``utf-32`` after their BOM, ``utf-16-le`` and the others from where the zero bytes
    of the first characters lie, as :func:`json.loads` tells them apart.  The position is kept."""
    pos = fh.tell()
    try:
        fh.seek(0)
        head = fh.read(64)
    finally:
        fh.seek(pos)
    encoding = json.detect_encoding(head[:4])
    if encoding in ("utf-8", "utf-8-sig"):
        return None
    if encoding.endswith(("-le", "-be")) and head.count(0) < min(4, len(head) // 4):
        return None  # a zero byte or two at the start of UTF-8: JSON in UTF-16 starts {"te, 4 zero bytes
    return encoding


def jsonl_lines(
    fh: IO[bytes], first_line: int = 1, end: int | None = None
) -> Iterator[tuple[int, bytes | str | ReadFailure]]:
    """``(line number, line)`` of every line of a JSONL stream that is not blank, from its position
    (up to byte ``end`` if given): what :func:`read_jsonl` parses and :func:`iter_ids` reads the ids of.

    UTF-8 lines are bytes, cut at each ``\\n``.  A file in UTF-16 or UTF-32 (:func:`jsonl_encoding`) is
    decoded as text and its lines are ``str``, cut at each ``\\n`` character (cut at the byte 0x0A, a
    line ended inside characters such as 上, U+4E0A): read whole from the start of the file, and a
    range that starts further on is empty, as a JSON document is.  A line with bytes that do not
    decode is a :class:`ReadFailure` of its own.
    """
    encoding = jsonl_encoding(fh)
    line_no = first_line - 1
    if encoding is None and end is None:
        for line_no, line in enumerate(fh, first_line):
            if line.strip():
                yield line_no, line
        return
    if encoding is None:
        while fh.tell() < end:  # type: ignore[operator]
            line = fh.readline()
            if not line:
                return
            line_no += 1
            if line.strip():
                yield line_no, line
        return
    if fh.tell() != 0:
        return
    text = io.TextIOWrapper(fh, encoding=encoding, errors="cnnlp-undecodable", newline="\n")
    try:
        for line_no, line in enumerate(text, first_line):
            if _UNDECODABLE in line:
                at = line.index(_UNDECODABLE)
                yield (
                    line_no,
                    ReadFailure(
                        f"not valid {encoding.upper()}: bytes that do not decode at character {at + 1} of the line"
                    ),
                )
            elif line.strip(_BLANK_LINE):
                yield line_no, line.removeprefix("\ufeff")  # the BOM of a file cat put after another
    finally:
        text.detach()  # fh stays open: standard input's copy is read again


# -- one JSON document (.json) ---------------------------------------------------------------
_JSON_BLANK = " \t\r\n"  # what JSON takes for white space


def json_document(fh: IO[bytes], src: Source) -> bool:
    """Whether ``src`` (a ``jsonl`` source or standard input) is to be read as one JSON document
    (:func:`read_json`), not as JSONL.

    1. JSONL when its first line that is not blank is a whole JSON object (one record per line,
       as many ``.json`` files hold; a record on one line is the same record either way), unless
       that object is no record (no ``text`` or ``html``) and the whole file: an object wrapping
       the records on one line (``{"data": [...]}``) is a document as it is over several;
    2. else JSONL when its second line that is not blank is a whole object and the whole is no
       JSON: JSONL whose first line is damaged, each line its own record still (the whole file
       was one failure);
    3. else, for a ``.json`` file, a document: an array, pretty-printed or on one line, an object
       over several lines, something that is no JSON (one failure).  A ``.jsonl`` or ``.ndjson``
       file or standard input is a document if it starts with ``[`` on a line that is no whole
       JSON value or is all of it, or with ``{`` and is one JSON object, else JSONL: a JSON array
       there gave a failure per line (15 for 4 documents, pretty-printed) or one for all.

    The start is read, and the whole only when 2 or 3 need it and it may be one JSON value (its
    first megabyte shows whether it is not).  The position of ``fh`` is kept.
    """
    stdin = src.kind == "stdin"
    if not stdin and src.kind != "jsonl":
        return False
    dot_json = not stdin and Path(src.path).suffix.lower() in JSON_SUFFIXES
    pos = fh.tell()
    try:
        start, first, more = _head(fh)
        value = _value(first) if first else None
        if isinstance(value, dict):
            return not _is_record(value) and not more  # a record per line, or an object alone
        second = _line(fh, 2) if more else ""  # read once: the first line may be megabytes long
        if isinstance(_value(second), dict):
            return _whole_json(fh)
        if dot_json:
            return True
        if start == "[":  # a document, cut short or not, unless its first line is a whole value, alone
            return _value(_line(fh, 1)) is _NO_JSON or not second
        return start == "{" and _whole_json(fh)
    finally:
        fh.seek(pos)


def _text(fh: IO[bytes]) -> io.TextIOWrapper:
    """``fh`` from its start, decoded (UTF-8, or UTF-16/32: :func:`jsonl_encoding`); bytes that do not
    decode are :data:`_UNDECODABLE`.  Detach it when done: closing it would close ``fh``."""
    encoding = jsonl_encoding(fh) or "utf-8-sig"
    fh.seek(0)
    return io.TextIOWrapper(fh, encoding=encoding, errors="cnnlp-undecodable", newline="\n")


def _head(fh: IO[bytes]) -> tuple[str, str, bool]:
    """The first character of ``fh`` that is not blank (``""`` if none), its line if it is ``{``
    (else ``""``: an array or something that is no JSON is not read further), and whether anything
    but blanks follows that line (``True`` when it is not read)."""
    text = _text(fh)
    try:
        head = ""
        while not head:
            chunk = text.read(4096)
            if not chunk:
                return "", "", False
            head = chunk.lstrip(_JSON_BLANK)
        if not head.startswith("{"):
            return head[0], "", True
        line, newline, rest = head.partition("\n")
        if not newline:
            line += text.readline()
        while not rest.strip(_JSON_BLANK):
            rest = text.read(1 << 16)
            if not rest:
                return "{", line, False
        return "{", line, True
    finally:
        text.detach()


def _line(fh: IO[bytes], n: int) -> str:
    """The ``n``-th line of ``fh`` that is not blank (1-based), ``""`` if there is none."""
    text = _text(fh)
    try:
        lines = (line for line in text if line.strip(_BLANK_LINE))
        for _ in range(n - 1):
            next(lines, "")
        return next(lines, "")
    finally:
        text.detach()


_PREFIX_CHARS = 1 << 20


def _whole_json(fh: IO[bytes]) -> bool:
    """Whether all of ``fh`` is one JSON array or object.  Its first megabyte is parsed first: an
    error well before its end (not one of a string it cuts) is an error of the whole, and a JSONL
    file of gigabytes whose first line is damaged is not read whole to tell; else it is read whole,
    as :func:`read_json` would read it."""
    text = _text(fh)
    try:
        prefix = text.read(_PREFIX_CHARS)
        cut = bool(text.read(1))
    finally:
        text.detach()
    try:
        value = _loads(prefix)
        if not cut:
            return isinstance(value, (list, dict))
    except json.JSONDecodeError as exc:
        if not cut:
            return False
        if exc.pos < len(prefix) - 64 and not exc.msg.startswith("Unterminated string"):
            return False  # an error the rest cannot mend (a literal or escape cut short lies within 64)
    except ValueError:
        if not cut:
            return False
    fh.seek(0)
    try:
        return isinstance(_loads(fh.read()), (list, dict))
    except ValueError:
        return False


_NO_JSON = object()  # what _value gives for text that is no JSON (None is JSON's null)


def _value(text: str) -> Any:
    """The JSON value ``text`` holds, else :data:`_NO_JSON`."""
    try:
        return _loads(text)
    except ValueError:
        return _NO_JSON


def read_json(fh: IO[bytes], src: Source, date: str | None) -> Iterator[Record]:
    """The records of a ``.json`` file read whole as one JSON document (any encoding JSON allows).

    * An array: a record per element, its ``id`` else ``<label>:<n>`` (1-based), an element that
      is no object or has no string ``text`` (or ``html``) a failure of its own, as a JSONL line.
    * An object with a ``text`` (or ``html``) field: one record, its ``id`` else ``<label>:1``.
    * An object without one that wraps the records (``{"data": [...]}``, ``{"status": "ok",
      "articles": [...]}``): when exactly one of its fields holds a list with a record in it (an
      object with ``text`` or ``html``), each element of that list is read as an array's element,
      and the field is said in the ids, ``<label>:<field>:<n>`` (``news.json:articles:3``); the
      wrapper's other fields are not read (its ``date`` is no date of the records).
    * Any other object (no list of records, an empty one, two lists of records, records deeper
      down): one failure, its ``id`` else ``<label>:1``, naming the file and what it holds.  Two
      lists are not both read, nor one chosen: which of them are the documents is not guessed.
    * Anything else (no JSON, an empty file, a number or string): one failure, id ``<label>``.
    """
    fh.seek(0)
    try:
        value = _loads(fh.read())
    except ValueError as exc:  # UnicodeDecodeError too
        yield (
            ReadFailure(
                f"not valid JSON: {exc}. {'Standard input' if src.kind == 'stdin' else 'A .json file'} is read as "
                "one JSON document (an array of records, or one record); JSONL (a record per line) is read as "
                "such when its first line is a record"
            ),
            src.label,
            date,
        )
        return
    if isinstance(value, list):
        for n, element in enumerate(value, 1):
            yield record_of(element, f"{src.label}:{n}", date)
    elif isinstance(value, dict):
        yield from _object_records(value, src, date)
    else:
        yield ReadFailure(f"expected an array of records or a JSON object, got {type(value).__name__}"), src.label, date


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and ("text" in value or "html" in value)


def _holds_records(value: Any) -> bool:
    return isinstance(value, list) and any(_is_record(x) for x in value)


def _object_records(value: dict, src: Source, date: str | None) -> Iterator[Record]:
    """The records of a ``.json`` file that is one object (see :func:`read_json`)."""
    if _is_record(value):
        yield from_mapping(value, f"{src.label}:1", date)
        return
    held = [k for k, v in value.items() if _holds_records(v)]
    if len(held) == 1:
        key = held[0].encode("utf-8", "backslashreplace").decode("utf-8")  # no lone surrogate in an id
        for n, element in enumerate(value[held[0]], 1):
            yield record_of(element, f"{src.label}:{key}:{n}", date)
        return
    _, doc_id, _ = from_mapping(value, f"{src.label}:1", date)
    yield ReadFailure(f"{src.label}: {_not_records(value, held, src.name)}"), doc_id, date


def _not_records(value: dict, held: list[str], name: str) -> str:
    """Why an object of a ``.json`` file gives no record, and how to give its records."""
    fields = ", ".join(repr(k) for k in list(value)[:8]) + (", …" if len(value) > 8 else "")
    if held:
        listed = ", ".join(repr(k) for k in held)
        return (
            f"an object without 'text' whose fields {listed} each hold a list of records: which of them "
            f"are the documents is not guessed; give one list (jq '.{held[0]}' {name} > records.json)"
        )
    lists = [k for k, v in value.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)]
    if lists:
        return (
            f"an object without 'text' whose {lists[0]!r} holds a list of objects without 'text' or 'html': "
            f"no records (a record is an object with a string 'text', or 'html')"
        )
    deeper = [
        f"{k}.{k2}" for k, v in value.items() if isinstance(v, dict) for k2, v2 in v.items() if _holds_records(v2)
    ]
    if deeper:
        return (
            f"an object without 'text' whose records are deeper than one field, in {deeper[0]!r}: not read; "
            f"give the list itself (jq '.{deeper[0]}' {name} > records.json)"
        )
    empty = [k for k, v in value.items() if isinstance(v, list) and not v]
    why = f" (its {empty[0]!r} is an empty list)" if empty else ""
    return (
        f"no 'text' field, and no field holds a list of records{why}; its fields: {fields}. A .json file is an array "
        "of records, one record, or an object one field of which holds the records"
    )


def parse_record(line: bytes | str, fallback_id: str, date: str | None) -> Record:
    try:
        data = _loads(line)
    except ValueError as exc:
        cr = (b"\r" if isinstance(line, bytes) else "\r") in line.rstrip()  # type: ignore[operator]
        hint = (
            "; the line holds carriage returns (\\r) alone: lines of JSONL end with \\n (or \\r\\n), "
            "a \\r alone ends none (convert the file: tr '\\r' '\\n')"
            if cr
            else ""
        )
        return ReadFailure(f"not valid JSON: {exc}{hint}"), fallback_id, date
    item, doc_id, doc_date = record_of(data, fallback_id, date)
    if isinstance(item, ReadFailure) and isinstance(data, dict) and not _is_record(data):
        held = [k for k, v in data.items() if _holds_records(v)]
        if held:  # a wrapper on a line of JSONL: its records are not read, and the failure says so
            item = ReadFailure(
                f"{item.message}; its {held[0]!r} holds a list of records, which are not read from a line of "
                "JSONL (a record per line; a .json file that is one such object is read as its records)"
            )
    return item, doc_id, doc_date


def record_of(data: Any, fallback_id: str, date: str | None) -> Record:
    """The record of one parsed JSONL line or ``.json`` array element: an object's, else a failure."""
    if not isinstance(data, dict):
        return ReadFailure(f"expected a JSON object, got {type(data).__name__}"), fallback_id, date
    return from_mapping(data, fallback_id, date)


def from_mapping(data: dict, fallback_id: str, date: str | None) -> Record:
    doc_id = _record_id(data.get("id"), fallback_id)
    if isinstance(data.get("id"), str) and _unwritable(data["id"]):
        return ReadFailure(f"'id' field: {data['id']!r} holds a lone surrogate, which no output can hold"), doc_id, date
    doc_date = data.get("date")
    if doc_date is None or doc_date == "":
        doc_date = date
    else:
        try:
            doc_date = parse_date(doc_date)  # Parquet date and timestamp columns too
        except InputError as exc:
            return ReadFailure(f"'date' field: {exc}"), doc_id, None
    text = data.get("text")
    if text is None and isinstance(data.get("html"), str):
        from ..html import Html

        url = data.get("url")
        if url is not None and not isinstance(url, str):  # it ended the run, in the extractor
            return ReadFailure(f"'url' is {type(url).__name__}, not a string"), doc_id, doc_date
        return Html(data["html"], url=url), doc_id, doc_date
    if not isinstance(text, str):
        what = "no 'text' field" if text is None else f"'text' is {type(text).__name__}, not a string"
        return ReadFailure(what), doc_id, doc_date
    return text, doc_id, doc_date


# -- Parquet ------------------------------------------------------------------------------
def parquet_file(src: Source) -> tuple[Any, str | None]:
    """The ``ParquetFile`` of ``src``, else ``None`` and why its documents cannot be read: a file
    that is no Parquet (or empty), or one without a ``text`` column, is one failure, id ``<label>``,
    as a ``.json`` file that is no JSON (it stopped the run, after the documents before it)."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src.path)
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError, ArrowIOError an OSError
        return None, f"cannot read {src.label} as Parquet: {exc}"
    names = pf.schema_arrow.names
    if "text" not in names:
        return None, f"{src.label}: no 'text' column (columns: {sorted(names)}), so no documents"
    return pf, None


def read_parquet(src: Source, date: str | None, row_groups: list[int] | None = None) -> Iterator[Record]:
    """The records of a Parquet file, of ``row_groups`` if given (the Dask engine's partitions: the
    failure of a file that cannot be read, :func:`parquet_file`, comes with row group 0)."""
    pf, why = parquet_file(src)
    if pf is None:
        if row_groups is None or 0 in row_groups:
            yield ReadFailure(str(why)), src.label, date
        return
    names = set(pf.schema_arrow.names)
    columns = [c for c in ("text", "id", "date") if c in names]
    groups = range(pf.num_row_groups) if row_groups is None else row_groups
    for group in groups:
        row = sum(pf.metadata.row_group(g).num_rows for g in range(group))
        read = 0  # records of the group given so far
        batches = pf.iter_batches(batch_size=512, row_groups=[group], columns=columns)
        while True:
            try:
                batch = next(batches, None)
            except (OSError, ValueError) as exc:  # a damaged page (it ended the run, later inputs unread)
                why = f"cannot read {src.label}, row group {group}, past its record {read}: {exc}"
                for doc_id in _group_ids(pf, group, src.label)[read:]:  # each record the group still held
                    yield ReadFailure(why), doc_id, date
                break
            if batch is None:
                break
            for rec in batch.to_pylist():
                yield from_mapping(rec, f"{src.label}:{row}", date)
                row += 1
                read += 1
