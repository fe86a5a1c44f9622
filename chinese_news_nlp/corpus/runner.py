"""``process()``: a corpus in, JSONL or Parquet out, every document accounted for."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .. import pipeline as _pipeline
from ..decode import parse_date
from ..errors import InputError
from ..pieces import PIECE_CHARS
from ..pipeline import batched
from .manifest import check_resume, describe, manifest_path, option, read_manifest, write_manifest
from .pool import WorkerPool, module_refs
from .readers import JSONL_SUFFIXES, PARQUET_SUFFIXES, Record, Source, check_unique_ids, iter_records, sources
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


def implied_format(output: str | os.PathLike) -> str | None:
    """The format an output's name says: ``.jsonl`` (``.ndjson``, ``.json``) → JSONL; ``.parquet``,
    no extension, or an existing folder → a folder of Parquet tables; anything else → ``None``."""
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in PARQUET_SUFFIXES or suffix == "" or path.is_dir():
        return "parquet"
    return None


def output_format(output: str | os.PathLike, fmt: str | None, cli: bool = False) -> str:
    """``fmt`` if given (it must not contradict the output's extension), else the one the name implies;
    an extension that names neither (``x.csv``) is an error rather than a Parquet folder called ``x.csv``."""
    implied = implied_format(output)
    if fmt:
        if fmt not in ("jsonl", "parquet"):
            raise UsageError(f"unknown format {fmt!r}: jsonl or parquet")
        if implied is not None and implied != fmt and Path(output).suffix:
            raise UsageError(f"the output {output} names a {implied} output, but the format asked is {fmt}")
        return fmt
    if implied is None:
        raise UsageError(
            f"cannot tell the output format from {output!s}: {Path(output).suffix!r} is neither .jsonl (one JSON "
            f"document per line) nor .parquet or a folder (Parquet tables); rename it, or give "
            f"{option('format', cli, 'jsonl')} or {option('format', cli, 'parquet')}"
        )
    return implied


def make_run_config(
    stages: str | Sequence[str] | None = None,
    *,
    config: dict[str, dict] | None = None,
    max_chars: int = 2_000_000,
    timeout: float | None = DEFAULT_TIMEOUT,
    format: str = "jsonl",
    tables: Sequence[str] = DEFAULT_TABLES,
    code: Sequence[str] = (),
    piece_chars: int = PIECE_CHARS,
    cli: bool = False,
    dedup: bool = False,
) -> RunConfig:
    """The run's configuration, checked: the stages are built once here (and thrown away), so an
    unknown stage, option or engine fails now, on every engine, not on each document."""
    from .pool import import_file

    if timeout is not None and timeout < 0:
        raise UsageError(f"the time-out must be a positive number of seconds, or 0 for none (got {timeout:g})")
    if max_chars < 1:
        raise UsageError(f"max_chars must be at least 1 (got {max_chars})")
    code = tuple(str(Path(p).resolve()) for p in code)
    for path in code:
        import_file(path)  # registers the custom stages here too, before they are looked up
    names = parse_stages(stages)
    names, checked = _pipeline.check_config(names, config or {})
    _pipeline.build_pipeline(names, checked, max_chars=max_chars, piece_chars=piece_chars)
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}")
    return RunConfig(
        stages=tuple(names),
        config=checked,
        max_chars=max_chars,
        timeout=timeout if timeout and timeout > 0 else None,
        format=format,
        tables=tuple(dict.fromkeys(("documents", *tables))),
        modules=tuple(stage_modules(names)),
        code=code,
        piece_chars=piece_chars,
        limit_hint="--max-chars N" if cli else "process(max_chars=...)",
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
    allow_new_inputs: bool = False,
    batch_size: int = 16,
    date: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_chars: int = 2_000_000,
    config: dict[str, dict] | None = None,
    tables: Sequence[str] = DEFAULT_TABLES,
    code: Sequence[str] = (),
    progress: bool | None = None,
    docs_per_part: int = 1000,
    piece_chars: int = PIECE_CHARS,
    cli: bool = False,
    dedup: bool = False,
) -> Summary:
    """Run the pipeline over a corpus and write every document, failed ones included.

    ``inputs``: folders (``*.txt``, recursively, any encoding the pipeline
    detects), ``.txt`` files, ``.jsonl`` (``text`` plus optional ``id``,
    ``date``), ``.parquet``, or ``"-"`` for JSONL on standard input; document ids
    are unique across them (:mod:`.readers`), and two documents with one id are an
    error before anything is processed.  ``output``: a ``.jsonl`` file, or a folder of
    Parquet tables (see :mod:`.writers`); its format is the extension's or ``format``'s.
    ``workers`` > 1 runs worker processes (``engine="local"``, default 1)
    or sizes the Dask ``LocalCluster`` (``engine="dask"`` without
    ``scheduler``, default 2).  ``timeout`` is per document (or piece of a large one)
    and per stage; ``date`` an ISO date for documents that have none.  With ``resume``,
    documents already in the output are skipped, after checking that the output was
    written from the same inputs with the same options (:mod:`.manifest`); with
    ``allow_new_inputs`` too, inputs the first run did not have are added.  With ``dedup``,
    each document that reposts an earlier one is marked with that one's id and the estimated
    similarity (:mod:`chinese_news_nlp.near_duplicates`; nothing is dropped).  ``cli``:
    messages name command-line options (``--max-chars``) instead of keyword arguments.

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
    if allow_new_inputs and not resume:
        raise UsageError(f"{option('allow_new_inputs', cli)} goes with {option('resume', cli)}")
    if date is not None:
        try:
            date = parse_date(date)
        except InputError as exc:
            raise UsageError(f"{option('date', cli, str(date))}: {exc}") from None
    fmt = output_format(output, format, cli)
    if dedup and (engine == "dask" or resume):
        raise UsageError(
            f"{option('dedup', cli)} needs one pass over the whole corpus: not with "
            f"{option('engine', cli, 'dask')} or {option('resume', cli)} "
            "(run chinese_news_nlp.dedup() over the output instead)"
        )
    run = make_run_config(
        stages, config=config, max_chars=max_chars, timeout=timeout, format=fmt, tables=tables, code=code,
        piece_chars=piece_chars, cli=cli, dedup=dedup,
    )  # fmt: skip
    index = None
    if dedup:
        from ..near_duplicates import Deduplicator

        index = Deduplicator()
    srcs = sources(inputs)
    total = check_unique_ids(srcs)
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
            allow_new_inputs=allow_new_inputs,
            date=date,
            progress=show,
            batch_size=batch_size,
            cli=cli,
        )

    started = time.perf_counter()
    summary = Summary(output=str(output), engine="local", workers=workers)
    target = _output_path(output, fmt)
    manifest = describe(run, "local", [s.label for s in srcs], date)
    where = manifest_path(target, folder=fmt == "parquet")
    if resume:
        exists = _has_output(target, fmt)
        check_resume(read_manifest(where), manifest, output=output, output_exists=exists,
                     allow_new_inputs=allow_new_inputs, cli=cli)  # fmt: skip
    writer = _open_writer(target, fmt, resume, run, docs_per_part)
    write_manifest(where, manifest)  # before the first document: a kill leaves an output a resume can check
    records = _skip_done(iter_records(srcs, date), writer.done_ids, summary)
    bar = Progress(total=max(0, total - len(writer.done_ids)), enabled=show)
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


def _output_path(output: str | os.PathLike, fmt: str) -> Path:
    path = Path(output)
    if fmt == "jsonl" and (path.is_dir() or (path.suffix == "" and not path.exists())):
        return path / "documents.jsonl"
    return path


def _has_output(path: Path, fmt: str) -> bool:
    if fmt == "jsonl":
        return path.is_file() and path.stat().st_size > 0
    return any((path / "documents").glob("part-*.parquet"))


def _open_writer(path: Path, fmt: str, resume: bool, run: RunConfig, docs_per_part: int) -> Any:
    if fmt == "jsonl":
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
        deadline=run.hard_deadline,
    )
    with pool:
        yield from pool.imap(batches)


__all__ = ["DEFAULT_TIMEOUT", "ENGINES", "Source", "UsageError", "make_run_config", "output_format", "process"]
