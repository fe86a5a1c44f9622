"""Corpus processing: streaming, worker processes, Dask, resumable, no document lost.

>>> from chinese_news_nlp.corpus import process
>>> summary = process("seeds", "out/seeds.jsonl", workers=2)   # doctest: +SKIP
>>> print(summary)                                              # doctest: +SKIP

* :func:`process` reads folders of ``.txt`` (any encoding the pipeline
  detects), JSONL and Parquet, and writes JSONL (one Doc per line) or Parquet
  tables (documents, entities, facts, repairs, officials; tokens on request).
* ``workers=N`` runs a supervised pool of worker processes; ``engine="dask"``
  runs on a Dask cluster (:mod:`chinese_news_nlp.corpus.dask_engine`).
* A document that fails (bad bytes, a stage error, a time-out, a worker
  crash) is written as an error record with its id, stage, message and an
  excerpt of its text.
* Ids are unique across a run's inputs and stable when inputs are added
  (:mod:`.readers`); a duplicate stops the run before it starts.
* ``resume=True`` skips the documents already in the output, after checking
  the run's manifest (:mod:`.manifest`); ``allow_new_inputs=True`` adds inputs.
* Options are checked before the first document: a bad stage, option, date,
  time-out or output name is a :class:`UsageError` or ``ConfigError``.
"""

from __future__ import annotations

from .manifest import ResumeMismatchError
from .readers import DuplicateIdError, ReadFailure, iter_records, sources
from .records import DEFAULT_TABLES, doc_stats, flat_rows, table_columns
from .runner import UsageError, process
from .summary import Summary
from .timeout import DocumentTimeoutError, deadline
from .writers import JsonlWriter, ParquetWriter, jsonl_ids, parquet_ids

__all__ = [
    "DEFAULT_TABLES",
    "DocumentTimeoutError",
    "DuplicateIdError",
    "JsonlWriter",
    "ParquetWriter",
    "ReadFailure",
    "ResumeMismatchError",
    "Summary",
    "UsageError",
    "deadline",
    "doc_stats",
    "flat_rows",
    "iter_records",
    "jsonl_ids",
    "parquet_ids",
    "process",
    "sources",
    "table_columns",
]
