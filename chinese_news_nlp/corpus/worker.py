"""The work done on each batch, the same in-process, in a pool worker and on a Dask worker.

:class:`RunConfig` says what to build (picklable, sent once to each worker);
:func:`get_pipeline` builds the pipeline once per process and caches it;
:func:`process_batch` turns ``(item, id, date)`` triples into
``(payload, stats)`` pairs, one per item, whatever happens to the item;
:func:`run_batches` runs them in this process or in a pool of workers
(:mod:`.pool`), for ``cnnlp process`` and ``nlp.pipe(n_process=N)`` alike.
"""

from __future__ import annotations

import functools
import gc
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..doc import Doc
from ..pieces import PIECE_CHARS
from ..pipeline import DEFAULT_STAGES, Pipeline, build_pipeline, failed_doc
from .pool import WorkerPool, import_file, import_modules, module_refs
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


def _chars(item: object) -> int:
    """The length of an item of ``pipe()``: str, bytes or an Html page's; 0 for anything else (the
    pipeline records it as an error: ``len(None)`` had failed ``pipe(n_process=2)`` as a whole)."""
    content = getattr(item, "content", item)
    return len(content) if isinstance(content, (str, bytes, bytearray)) else 0


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


def usable_cores() -> int:
    """The cores this process may run on (its affinity: ``taskset``, a container's cpuset), not the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def model_threads(workers: int) -> int:
    """Threads for the models' batches in each of ``workers`` processes: the usable cores shared out.

    One process alone runs its ONNX batches on every usable core (the default, 2 on this
    machine); two workers on two cores run one each.  More threads than cores only make the
    processes preempt each other.
    """
    return max(1, usable_cores() // max(1, workers))


def get_pipeline(run: RunConfig, progress: Any = None) -> Pipeline:
    """The pipeline of ``run`` for this process, built on first use (models load once)."""
    key = run.key()
    if key not in _PIPELINES:
        load_code(run)
        nlp = build_pipeline(run.stages, run.config, max_chars=run.max_chars, piece_chars=run.piece_chars)
        nlp.limit_hint = run.limit_hint
        warm_up(nlp)
        freeze_loaded()
        nlp.stages = [TimedStage(s, run.timeout, i, progress) for i, s in enumerate(nlp.stages)]
        _PIPELINES[key] = nlp
    return _PIPELINES[key]


def freeze_loaded() -> None:
    """Keep what is alive once the models are loaded out of the garbage collector's full passes.

    The models' tables (dictionaries, lexicons, tries: millions of objects) live as long as the
    process; without this every full collection walks them all again (``gc.freeze``).  Done in
    the processes this package starts or runs (the command line, pool and Dask workers), where
    everything alive at that point is ours; ``load()`` leaves a notebook's collector alone.

    The youngest generation is collected every :data:`GC_YOUNG_THRESHOLD` allocations instead of
    Python's 700: a batch's tokens and spans (hundreds of thousands of small acyclic objects)
    then survive fewer young collections to be walked again in the older ones (on 300 news
    pages: collection 0.48–0.55 s of the pass at 700, 0.21 s at 20,000; the same output).
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(older, 20), max(oldest, 20))


GC_YOUNG_THRESHOLD = 20_000


# Stages load models lazily, on the first document; a warm-up document loads them
# before any deadline runs, so that loading a model never counts as a time-out.
WARM_UP_TEXT = "2024年5月，北京市政府发布新的经济数据，全市生产总值增长5.2%。"


def warm_up(nlp: Pipeline) -> None:
    """Run the warm-up document, then each stage's own ``warm_up()`` if it has one (what a
    clean document never loads: the repair stage's tables for damaged text)."""
    try:
        nlp._run_batch([(WARM_UP_TEXT, None, None)])
        for stage in nlp.stages:
            hook = getattr(stage, "warm_up", None)
            if callable(hook):
                hook()
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
            failed = failed_doc(doc.id, doc.date, "write", type(exc).__name__, str(exc), trace=True)
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
        failed = failed_doc(doc.id, doc.date, "write", type(exc).__name__, str(exc), trace=True)
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


def run_batches(
    run: RunConfig, batches: Iterable[list[Record]], workers: int, threads: int = 1
) -> Iterator[list[tuple[Any, dict]]]:
    """``process_batch`` of each batch, in order: here with one worker (``threads`` batches at a
    time, :func:`threaded_batches`), else in a :class:`.pool.WorkerPool` (warm-up before the first
    batch, hard deadlines, a lost document recorded, never the run)."""
    if workers <= 1:
        # a process pinned to fewer cores than the machine has runs as many model threads as it may use
        os.environ.setdefault(LAC_THREADS_ENV, str(model_threads(1)))
        get_pipeline(run)  # build (and fail on a bad config) before reading the corpus
        if threads > 1:
            yield from threaded_batches(run, batches, threads)
            return
        for batch in batches:
            yield process_batch(run, batch)
        return
    pool = WorkerPool(
        workers,
        initializer=init_worker,
        initargs=(run,),
        task=run_worker_batch,
        fail_item=functools.partial(lost_item, run),
        deadline=run.hard_deadline,
        environ={LAC_THREADS_ENV: str(model_threads(workers))},
    )
    with pool:
        yield from pool.imap(batches)


def threaded_batches(run: RunConfig, batches: Iterable[list[Record]], threads: int) -> Iterator[list[tuple[Any, dict]]]:
    """``process_batch`` of ``threads`` batches at a time in this process's threads, in order.

    The models run with the GIL released (ONNX sessions are thread-safe), so while one
    batch is in the model, another goes through the Python parts of the stages (repair,
    segmentation's bounds, entity refinement, facts, serialization) that one batch at a
    time leaves a core idle for; one copy of the models, and no worker to start.  Time-outs
    are the soft ones of a thread (:func:`.timeout.deadline`'s watchdog).
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads, thread_name_prefix="cnnlp-batch") as executor:
        pending: deque = deque()
        for batch in batches:
            pending.append(executor.submit(process_batch, run, batch))
            if len(pending) > threads:  # a bounded window: the corpus is streamed, never read ahead whole
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# Characters below which ``pipe(n_process=N)`` stays in its own process: starting a worker (an
# interpreter and the models, ~2.5 CPU-s) costs more than it saves on less (about the bytes of
# the corpus runner's AUTO_MIN_BYTES).  303 lines: 3.8 s in two workers, 1.4 s here.
PIPE_MIN_CHARS = 500_000


def pipe_in_workers(nlp: Pipeline, batches: Iterable[list], workers: int, timeout: float | None) -> Iterator[Doc]:
    """``nlp.pipe(n_process=workers)``: the pipeline rebuilt in each worker from its stages and options.

    The batches are read ahead until they hold :data:`PIPE_MIN_CHARS`; an input that ends
    before is processed here instead, where the workers' start would cost more than they
    save (``CNNLP_WORKERS_PLAN=processes`` in the environment starts them anyway).
    """
    import itertools

    from ..pipeline import stage_factory
    from .runner import PLAN_ENV

    spec = nlp._spec
    assert spec is not None
    batches = iter(batches)
    ahead: list[list] = []
    if os.environ.get(PLAN_ENV) != "processes":
        chars = 0
        for batch in batches:
            ahead.append(batch)
            chars += sum(_chars(item) for item, _, _ in batch)
            if chars >= PIPE_MIN_CHARS:
                break
        else:  # the whole input is here, too small to pay for starting workers
            local = nlp._timed(timeout) if timeout else nlp
            for batch in ahead:
                yield from local._run_batch(batch)
            return
    run = RunConfig(
        stages=tuple(spec["stages"]),
        config=spec["config"],
        max_chars=nlp.max_chars,
        timeout=timeout if timeout and timeout > 0 else None,
        format="dict",
        modules=tuple(module_refs(stage_factory(name).__module__ for name in spec["stages"])),
        piece_chars=nlp.piece_chars,
        limit_hint=nlp.limit_hint,
    )
    for results in run_batches(run, itertools.chain(ahead, batches), workers):
        for payload, _ in results:
            yield Doc.from_dict(payload)
