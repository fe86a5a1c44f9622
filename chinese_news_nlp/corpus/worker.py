"""The work done on each batch, the same in-process, in a pool worker and on a Dask worker.

:class:`RunConfig` says what to build (picklable, sent once to each worker);
:func:`get_pipeline` builds the pipeline once per process and caches it;
:func:`process_batch` turns ``(item, id, date)`` triples into
``(payload, stats)`` pairs, one per item, whatever happens to the item.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from ..doc import Doc
from ..pieces import PIECE_CHARS
from ..pipeline import DEFAULT_STAGES, Pipeline, build_pipeline, failed_doc
from .pool import import_file, import_modules
from .readers import ReadFailure, Record
from .records import DEFAULT_TABLES, Encoded, PieceEncoder, doc_stats, encode
from .timeout import TimedStage


@dataclass(frozen=True)
class RunConfig:
    """What each worker builds: the pipeline, its limits, and the output form."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    config: dict[str, dict] = field(default_factory=dict)
    max_chars: int = 2_000_000
    timeout: float | None = None  # seconds per document (or piece of one) per stage; None: no limit
    format: str = "jsonl"
    tables: tuple[str, ...] = DEFAULT_TABLES
    modules: tuple[tuple[str, str | None], ...] = ()  # modules registering custom stages
    code: tuple[str, ...] = ()  # Python files registering custom stages
    piece_chars: int = PIECE_CHARS  # longer documents go through the stages in pieces
    limit_hint: str = "process(max_chars=...)"  # how the error of a too-large document says to raise the limit
    dedup: bool = False  # send each document's MinHash signature with its stats (cnnlp process --dedup)

    def key(self) -> str:
        return repr(
            (self.stages, sorted(self.config.items()), self.max_chars, self.timeout, self.modules, self.code,
             self.piece_chars, self.limit_hint)
        )  # fmt: skip

    def hard_deadline(self, items: list[Record] | int) -> float | None:
        """When the pool kills a worker: past the soft limit of every stage, twice (a timed-out
        batched call is retried one document at a time), plus one more time-out of slack.  A
        large document counts once per piece: each piece has the time-out of a document."""
        if not self.timeout:
            return None
        if isinstance(items, int):
            units = items
        else:
            units = sum(max(1, -(-_size(item) // self.piece_chars)) for item, _, _ in items)
        return 2 * self.timeout * max(1, len(self.stages)) * max(1, units) + self.timeout


def _size(item: object) -> int:
    return len(item) if isinstance(item, (str, bytes)) else 0


_PIPELINES: dict[str, Pipeline] = {}
_ACTIVE: RunConfig | None = None


def load_code(run: RunConfig) -> None:
    import_modules(run.modules)
    for path in run.code:
        import_file(path)


# chinese_news_nlp.lac.LAC_THREADS_ENV, named here so that a worker need not import numpy
# (whose BLAS threads would catch the signals a worker's time-out relies on) before it must.
LAC_THREADS_ENV = "CNNLP_LAC_THREADS"


def one_core_per_process() -> None:
    """In a worker of a pool the processes share the cores: models run single-threaded there."""
    os.environ.setdefault(LAC_THREADS_ENV, "1")


def get_pipeline(run: RunConfig, progress: Any = None) -> Pipeline:
    """The pipeline of ``run`` for this process, built on first use (models load once)."""
    key = run.key()
    if key not in _PIPELINES:
        load_code(run)
        nlp = build_pipeline(run.stages, run.config, max_chars=run.max_chars, piece_chars=run.piece_chars)
        nlp.limit_hint = run.limit_hint
        warm_up(nlp)
        nlp.stages = [TimedStage(s, run.timeout, i, progress) for i, s in enumerate(nlp.stages)]
        _PIPELINES[key] = nlp
    return _PIPELINES[key]


# Stages load models lazily, on the first document; a warm-up document loads them
# before any deadline runs, so that loading a model never counts as a time-out.
WARM_UP_TEXT = "2024年5月，北京市政府发布新的经济数据，全市生产总值增长5.2%。"


def warm_up(nlp: Pipeline) -> None:
    try:
        nlp._run_batch([(WARM_UP_TEXT, None, None)])
    except Exception:  # noqa: BLE001 - a stage failing here fails again, recorded, on real documents
        pass


def init_worker(run: RunConfig, progress: Any = None) -> None:
    """Pool initializer: build the pipeline before the first batch arrives."""
    global _ACTIVE
    _ACTIVE = run
    get_pipeline(run, progress)


def run_worker_batch(items: list[Record]) -> list[tuple[Any, dict]]:
    """Pool task: one batch with the pipeline built by :func:`init_worker`."""
    assert _ACTIVE is not None, "init_worker was not called in this process"
    return process_batch(_ACTIVE, items)


def process_batch(run: RunConfig, items: list[Record]) -> list[tuple[Any, dict]]:
    nlp = get_pipeline(run)
    out: list[Any] = [None] * len(items)
    readable = [i for i, (item, _, _) in enumerate(items) if not isinstance(item, ReadFailure)]
    for i, (item, doc_id, date) in enumerate(items):
        if isinstance(item, ReadFailure):
            out[i] = _encoded(run, failed_doc(doc_id, date, "read", "ReadError", item.message))
    encoder = PieceEncoder(run.format, run.tables)

    def assemble(doc: Doc, pieces: Any) -> Encoded:
        try:
            return encoder(doc, pieces)
        except Exception as exc:  # noqa: BLE001 - a stage left something unserializable: still recorded
            failed = failed_doc(doc.id, doc.date, "write", type(exc).__name__, str(exc))
            failed.error["traceback"] = traceback.format_exc(limit=5)
            return Encoded(*_encoded(run, failed))

    docs = nlp._run_batch([items[i] for i in readable], assemble=assemble) if readable else []
    for i, doc in zip(readable, docs):
        out[i] = (doc.payload, doc.stats) if isinstance(doc, Encoded) else _encoded(run, doc)
    return out


def _encoded(run: RunConfig, doc: Doc) -> tuple[Any, dict]:
    try:
        stats = doc_stats(doc)
        if run.dedup:
            stats["signature"] = _signature(doc)
        return encode(doc, run.format, run.tables), stats
    except Exception as exc:  # noqa: BLE001 - a stage left something unserializable: still recorded
        failed = failed_doc(doc.id, doc.date, "write", type(exc).__name__, str(exc))
        failed.error["traceback"] = traceback.format_exc(limit=5)
        return encode(failed, run.format, run.tables), doc_stats(failed)


_DEDUPLICATOR = None


def _signature(doc: Doc) -> list[int] | None:
    """The document's MinHash signature, computed here in the worker (None: nothing to compare)."""
    global _DEDUPLICATOR
    from ..near_duplicates import Deduplicator, normalized_article

    if doc.error is not None:
        return None
    text = normalized_article(doc)
    if not text:
        return None
    if _DEDUPLICATOR is None:
        _DEDUPLICATOR = Deduplicator()
    return _DEDUPLICATOR.signature(text).tolist()


def lost_item(run: RunConfig, item: Record, stage_index: int, message: str) -> tuple[Any, dict]:
    """The record of a document whose worker died or was killed (built in the parent)."""
    _, doc_id, date = item
    stage = run.stages[stage_index] if 0 <= stage_index < len(run.stages) else "worker"
    kind = "DocumentTimeoutError" if "timed out" in message else "WorkerDied"
    return _encoded(run, failed_doc(doc_id, date, stage, kind, message))
