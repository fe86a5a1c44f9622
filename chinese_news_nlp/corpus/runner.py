"""``process()``: a corpus in, JSONL or Parquet out, every document accounted for."""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .. import pipeline as _pipeline
from ..errors import InputError
from ..pipeline import batched
from .pool import WorkerPool, module_refs
from .readers import Record, count_records, iter_records, sources
from .records import DEFAULT_TABLES, FORMATS, mark_duplicate
from .summary import Progress, Summary
from .worker import RunConfig, get_pipeline, init_worker, lost_item, process_batch, run_worker_batch
from .writers import JsonlWriter, ParquetWriter

ENGINES = ("local", "dask")
DEFAULT_TIMEOUT = 120.0


class UsageError(InputError):
    """Options that do not fit together (the CLI exits with status 2)."""


def parse_stages(stages: str | Sequence[str] | None) -> tuple[str, ...]:
    if stages is None:
        return tuple(_pipeline.DEFAULT_STAGES)
    if isinstance(stages, str):
        stages = [s.strip() for s in stages.split(",")]
    names = tuple(s for s in stages if s)
    if not names:
        raise UsageError("no stages given")
    return names


def stage_modules(names: Iterable[str]) -> list[tuple[str, str | None]]:
    """The modules defining the stages, so that worker processes register custom ones too."""
    return module_refs(_pipeline.stage_factory(name).__module__ for name in names)


def output_format(output: str | os.PathLike, fmt: str | None) -> str:
    """``--format`` if given, else from the output name: ``.jsonl`` → JSONL, anything else → a Parquet folder."""
    if fmt:
        if fmt not in ("jsonl", "parquet"):
            raise UsageError(f"unknown format {fmt!r}: jsonl or parquet")
        return fmt
    return "jsonl" if Path(output).suffix.lower() in (".jsonl", ".ndjson", ".json") else "parquet"


def make_run_config(
    stages: str | Sequence[str] | None = None,
    *,
    config: dict[str, dict] | None = None,
    max_chars: int = 2_000_000,
    timeout: float | None = DEFAULT_TIMEOUT,
    format: str = "jsonl",
    tables: Sequence[str] = DEFAULT_TABLES,
    code: Sequence[str] = (),
    dedup: bool = False,
) -> RunConfig:
    from .pool import import_file

    code = tuple(str(Path(p).resolve()) for p in code)
    for path in code:
        import_file(path)  # registers the custom stages here too, before they are looked up
    names = parse_stages(stages)
    config = {k: dict(v) for k, v in (config or {}).items()}
    unknown = set(config) - set(names)
    if unknown:
        raise UsageError(f"config given for stages not in the pipeline: {sorted(unknown)}")
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}")
    return RunConfig(
        stages=names,
        config=config,
        max_chars=max_chars,
        timeout=timeout if timeout and timeout > 0 else None,
        format=format,
        tables=tuple(dict.fromkeys(("documents", *tables))),
        modules=tuple(stage_modules(names)),
        code=code,
        dedup=dedup,
    )


def process(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    output: str | os.PathLike,
    *,
    format: str | None = None,
    stages: str | Sequence[str] | None = None,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    batch_size: int = 16,
    date: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_chars: int = 2_000_000,
    config: dict[str, dict] | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    code: Sequence[str] = (),
    progress: bool | None = None,
    docs_per_part: int = 1000,
    dedup: bool = False,
) -> Summary:
    """Run the pipeline over a corpus and write every document, failed ones included.

    ``inputs``: folders (``*.txt``, recursively, any encoding the pipeline
    detects), ``.txt`` files, ``.jsonl`` (``text`` plus optional ``id``,
    ``date``), ``.parquet``, or ``"-"`` for JSONL on standard input.
    ``output``: a ``.jsonl`` file, or a folder of Parquet tables (see
    :mod:`.writers`).  ``workers`` > 1 runs worker processes (``engine="local"``, default 1)
    or sizes the Dask ``LocalCluster`` (``engine="dask"`` without
    ``scheduler``, default 2).  ``timeout`` is per document and per stage.  With
    ``resume``, documents whose id is already in the output are skipped.  With ``dedup``, each
    document that reposts an earlier one is marked with that one's id and the estimated
    similarity (:mod:`chinese_news_nlp.near_duplicates`; nothing is dropped).

    >>> summary = process("seeds", "out/seeds.jsonl", stages="convert")  # doctest: +SKIP
    >>> summary.errors                                                    # doctest: +SKIP
    0
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [str(p) for p in inputs]
    if not inputs:
        raise UsageError("no inputs given")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: {' or '.join(ENGINES)}")
    if workers is None:
        workers = 2 if engine == "dask" else 1
    if workers < 1 or batch_size < 1:
        raise UsageError("workers and batch size must be at least 1")
    fmt = output_format(output, format)
    if dedup and (engine == "dask" or resume):
        raise UsageError(
            "--dedup needs one pass over the whole corpus: not with --engine dask or --resume "
            "(run chinese_news_nlp.dedup() over the output instead)"
        )
    run = make_run_config(
        stages, config=config, max_chars=max_chars, timeout=timeout, format=fmt, tables=tables, code=code, dedup=dedup
    )
    index = None
    if dedup:
        from ..near_duplicates import Deduplicator

        index = Deduplicator()
    srcs = sources(inputs)
    show = progress if progress is not None else True
    if engine == "dask":
        from .dask_engine import process_sources

        return process_sources(
            srcs,
            output,
            run,
            scheduler=scheduler,
            workers=workers,
            resume=resume,
            date=date,
            progress=show,
            batch_size=batch_size,
        )

    started = time.perf_counter()
    summary = Summary(output=str(output), engine="local", workers=workers)
    writer = _open_writer(output, fmt, resume, run, docs_per_part)
    records = _skip_done(iter_records(srcs, date), writer.done_ids, summary)
    total = None
    if show and sys.stderr.isatty():
        counted = count_records(srcs)
        total = None if counted is None else max(0, counted - len(writer.done_ids))
    bar = Progress(total=total, enabled=show)
    try:
        for results in _run_batches(run, batched(records, batch_size), workers):
            chars = errors = 0
            for payload, stats in results:
                if index is not None:
                    mark = index.add(stats["id"], signature=stats.pop("signature", None))
                    if mark.duplicate_of is not None:
                        payload = mark_duplicate(payload, fmt, mark.duplicate_of, mark.similarity)
                        stats["duplicate"] = True
                writer.write(payload)
                summary.add(stats)
                chars += stats["chars"]
                errors += stats["error"] is not None
            bar.update(len(results), chars, errors)
    finally:
        writer.close()
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _open_writer(output: str | os.PathLike, fmt: str, resume: bool, run: RunConfig, docs_per_part: int) -> Any:
    path = Path(output)
    if fmt == "jsonl":
        if path.is_dir() or (path.suffix == "" and not path.exists()):
            path = path / "documents.jsonl"
        return JsonlWriter(path, resume=resume)
    if path.exists() and not path.is_dir():
        raise UsageError(f"Parquet output goes to a folder, and {path} is a file")
    return ParquetWriter(path, resume=resume, tables=run.tables, docs_per_part=docs_per_part)


def _skip_done(records: Iterator[Record], done: set[str], summary: Summary) -> Iterator[Record]:
    if not done:
        yield from records
        return
    for record in records:
        if record[1] in done:
            summary.skipped += 1
        else:
            yield record


def _run_batches(run: RunConfig, batches: Iterator[list[Record]], workers: int) -> Iterator[list]:
    if workers <= 1:
        get_pipeline(run)  # build (and fail on a bad config) before reading the corpus
        for batch in batches:
            yield process_batch(run, batch)
        return
    pool = WorkerPool(
        workers,
        initializer=init_worker,
        initargs=(run,),
        task=run_worker_batch,
        fail_item=functools.partial(lost_item, run),
        deadline=lambda items: run.hard_deadline(len(items)),
    )
    with pool:
        yield from pool.imap(batches)
