"""``process()``: a corpus in, JSONL or Parquet out, every document accounted for."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .. import pipeline as _pipeline
from ..decode import parse_date
from ..errors import InputError
from ..pieces import PIECE_CHARS
from ..pipeline import batched
from .manifest import check_resume, describe, manifest_path, option, read_manifest, write_manifest
from .pool import module_refs
from .readers import JSONL_SUFFIXES, PARQUET_SUFFIXES, Record, Source, check_unique_ids, iter_records, sources
from .records import DEFAULT_TABLES, FORMATS, mark_duplicate
from .summary import Progress, Summary
from .worker import RunConfig, run_batches
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
    workers: int | str | None = "auto",
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
    ``workers``: ``"auto"`` (the default) picks the number of processes from the usable
    cores, the memory and the size of the input (:func:`auto_workers`); a number > 1 runs
    that many worker processes (``engine="local"``), or sizes the Dask ``LocalCluster``
    (``engine="dask"`` without ``scheduler``; ``auto`` is 2 there).  ``timeout`` is per document (or piece of a large one)
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
    if workers is None or workers == AUTO:
        workers = AUTO if engine == "local" else 2
    elif not isinstance(workers, int) or isinstance(workers, bool):
        raise UsageError(f"workers is a number or {AUTO!r}, not {workers!r}")
    if (workers != AUTO and workers < 1) or batch_size < 1:
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
    plan = plan_workers(workers, srcs)
    summary = Summary(output=str(output), engine="local", workers=plan.processes, threads=plan.threads,
                      plan=plan.why)  # fmt: skip
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
        for results in run_batches(run, batched(records, batch_size), plan.processes, plan.threads):
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


AUTO = "auto"
# Below this much input a worker pool costs more than it saves: each worker is an interpreter
# that imports the package and loads the models (~2.5 CPU-s) before its first document, which
# one process does in the time it would take them to start.  benchmarks/throughput.py shows the
# ratios either side.
AUTO_MIN_BYTES = 1_500_000
# What one worker holds once its models are loaded (peak RSS ~420 MiB on 2 cores), with margin.
WORKER_BYTES = 700 << 20


def auto_workers(srcs: Sequence[Source], cores: int | None = None, available: int | None = None) -> int:
    """How many processes ``workers="auto"`` runs: one per usable core, as many as the available
    memory holds, and one alone for an input too small to pay for starting workers.

    >>> auto_workers([], cores=2, available=8 << 30)   # nothing to read: one process
    1
    """
    from .worker import usable_cores

    cores = usable_cores() if cores is None else cores
    if cores < 2 or input_bytes(srcs, AUTO_MIN_BYTES) < AUTO_MIN_BYTES:
        return 1
    available = available_memory() if available is None else available
    return max(1, min(cores, available // WORKER_BYTES))


@dataclass(frozen=True)
class Plan:
    """How a local run uses the machine: ``processes`` workers, each running ``threads`` batches at once."""

    processes: int
    threads: int
    why: str


# Set to "processes" or "threads" to override the measurement (benchmarks/throughput.py measures both).
PLAN_ENV = "CNNLP_WORKERS_PLAN"
# A core counts as taken by other programs when it is busy this much of a short sample.
BUSY_SAMPLE_SECONDS = 0.3


def plan_workers(
    workers: int | str,
    srcs: Sequence[Source],
    cores: int | None = None,
    free: float | None = None,
    available: int | None = None,
) -> Plan:
    """Processes and batch threads for ``workers`` (a number, or ``"auto"``), as measured best.

    Worker **processes**, one per core, each its model on one thread, against the default (one
    process, one batch at a time, its model's batches on both cores), by
    ``benchmarks/throughput.py`` on 2 cores shared with other programs (load 0.9–2.3): 1.19×
    (1.07–1.30) on 2 MB, 1.16× on 1 MB; below ``AUTO_MIN_BYTES`` the workers' start (an
    interpreter and the models, ~2.5 CPU-s each) costs more than they save.  Batch **threads** in
    one process (:func:`.worker.threaded_batches`: one batch in the model, which releases the GIL,
    while another is in Python) measured 1.25× on 1 MB but 0.88× on 2 MB in the same conditions:
    not reliably faster, so they run only when asked (``CNNLP_WORKERS_PLAN=threads``).

    So: ``auto`` runs a process per usable core (as many as the memory holds) when the input pays
    for them, else one process; ``N`` runs ``N`` processes; either runs one process when other
    programs keep the cores so busy that less than half a core is free (``free``: sampled for
    ``BUSY_SAMPLE_SECONDS`` from ``/proc/stat``), where workers would only take turns.
    ``workers=1`` is one process running one batch at a time.  ``CNNLP_WORKERS_PLAN=processes``
    (or ``threads``) in the environment overrides the measurement for ``workers`` > 1 or ``auto``.

    >>> plan_workers(1, [], cores=2, free=2.0)
    Plan(processes=1, threads=1, why='one process, one batch at a time (workers=1)')
    >>> plan_workers(2, [], cores=2, free=1.0).processes   # another program keeps a core busy
    2
    """
    from .worker import usable_cores

    cores = usable_cores() if cores is None else cores
    forced = os.environ.get(PLAN_ENV, "")
    if forced not in ("", "processes", "threads"):
        raise UsageError(f"{PLAN_ENV} is 'processes' or 'threads', not {forced!r}")
    if workers != AUTO and workers <= 1:
        return Plan(1, 1, "one process, one batch at a time (workers=1)")
    if workers == AUTO:
        wanted = auto_workers(srcs, cores=cores, available=available)
        if wanted < 2 and not forced:
            why = "one usable core" if cores < 2 else "input too small to pay for starting workers"
            return Plan(1, 1, f"one process, one batch at a time ({why})")
        wanted = max(2, wanted)
    else:
        wanted = int(workers)
    if forced == "processes":
        return Plan(wanted, 1, f"{wanted} worker processes ({PLAN_ENV}=processes)")
    if forced == "threads":
        return Plan(1, 2, f"one process, two batches at a time ({PLAN_ENV}=threads)")
    free = free_cores(cores) if free is None else free
    if free < 0.5:
        return Plan(1, 1, f"one process, one batch at a time (only {free:.1f} of {cores} cores free)")
    return Plan(wanted, 1, f"{wanted} worker processes ({free:.1f} of {cores} cores free)")


def free_cores(cores: int, seconds: float = BUSY_SAMPLE_SECONDS) -> float:
    """Usable cores minus the share other programs keep busy (sampled from ``/proc/stat``; where
    there is none, every core counts as free)."""
    try:
        usable = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = []

    def sample() -> dict[str, tuple[int, int]]:
        out = {}
        with open("/proc/stat", encoding="ascii") as fh:
            for line in fh:
                name, *fields = line.split()
                if name.startswith("cpu") and name != "cpu":
                    values = [int(v) for v in fields[:8]]
                    out[name] = (sum(values), values[3] + values[4])  # total, idle + iowait
        return out

    try:
        before = sample()
        time.sleep(seconds)
        after = sample()
    except (OSError, ValueError, IndexError):
        return float(cores)
    names = [f"cpu{n}" for n in usable] or list(after)
    busy = 0.0
    for name in names:
        if name in before and name in after:
            total = after[name][0] - before[name][0]
            idle = after[name][1] - before[name][1]
            busy += (total - idle) / total if total > 0 else 0.0
    return max(0.0, cores - busy)


def input_bytes(srcs: Sequence[Source], enough: int) -> int:
    """The bytes of the inputs, counted up to ``enough`` (a large folder is not walked to its end)."""
    from .readers import text_files

    total = 0
    for src in srcs:
        if src.kind == "stdin":
            sizes: Iterable[int] = [os.fstat(src.spool.fileno()).st_size]
        elif src.kind == "folder":
            sizes = (_file_size(path) for path, _ in text_files(src.path))
        else:
            sizes = [_file_size(src.path)]
        for size in sizes:
            total += size
            if total >= enough:
                return total
    return total


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def available_memory() -> int:
    """MemAvailable from ``/proc/meminfo`` (bytes); where there is none, as if memory were plenty."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 62


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


__all__ = [
    "AUTO",
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "Plan",
    "auto_workers",
    "free_cores",
    "plan_workers",
    "Source",
    "UsageError",
    "make_run_config",
    "output_format",
    "process",
]
