"""The pipeline on a Dask cluster: one pipeline per worker process, shards written by the workers.

Three entry points:

* :func:`process_bag` — a bag of ``str``/``bytes``/``{"text", "id", "date"}``
  in, a bag of Doc dicts (``Doc.to_dict()``, the JSONL schema) out;
* :func:`process_dataframe` — a Dask DataFrame with a text column in, a
  DataFrame of the ``documents`` table (same index) out, with the entities,
  facts, repairs and officials of each document as lists of dicts;
* :func:`process_sources` (``cnnlp process --engine dask``) — folders, JSONL
  and Parquet in; each partition is read, processed and written by a worker
  as one shard (``part-00012.jsonl``, or ``<table>/part-00012-00000.parquet``),
  committed by an atomic rename, so that ``--resume`` skips finished shards.
  The manifest (:mod:`.manifest`) holds the partition plan, and a resume refuses
  inputs whose partitions would now hold other documents.

A worker builds the pipeline on its first task and keeps it for the others
(:func:`~chinese_news_nlp.corpus.worker.get_pipeline` caches it per process):
with ``threads_per_worker=1`` that is one pipeline, and one copy of each
model, per worker.  Shards are written where the workers run: on a real
cluster the output folder must be on a file system they share.

Per-document time-outs are soft here (Dask runs tasks in threads, so a
watchdog raises the time-out in the stage); a stage stuck in native code
blocks its task.  The local engine (``--workers N``) also kills such workers.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..pipeline import batched
from .manifest import FOLDER_MANIFEST, check_resume, describe, read_manifest, write_manifest
from .readers import Record, Source, from_mapping, parquet_file, read_jsonl, read_parquet, read_text_file, text_files
from .records import DEFAULT_TABLES, flat_rows, table_columns
from .runner import UsageError, make_run_config
from .summary import Progress, Summary
from .worker import RunConfig, one_core_per_process, process_batch
from .writers import JsonlWriter, ParquetWriter

# Small partitions keep two workers busy to the end of a corpus (8 of 64 documents
# for 472 documents left one worker idle for the last one); a task costs ~ms.
DOCS_PER_PARTITION = 16
JSONL_BYTES_PER_PARTITION = 4 << 20
MANIFEST = FOLDER_MANIFEST


# -- clusters ---------------------------------------------------------------------------
def get_client(scheduler: str | None = None, workers: int = 2) -> tuple[Any, Any]:
    """A client for ``scheduler``, or for a new ``LocalCluster`` (returned too, to be closed)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    # A local cluster is as many worker processes as cores, each task holding its core for
    # seconds: the scheduler's and workers' housekeeping only takes CPU from the tasks.
    # Measured on 2 cores, 2 MB of news: ~4 % faster end to end without it.
    with dask.config.set({**_LEAN_LOCAL_CLUSTER, "distributed.nanny.pre-spawn-environ": _worker_environ()}):
        cluster = LocalCluster(
            n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
        )
    return Client(cluster), cluster


_LEAN_LOCAL_CLUSTER = {
    "distributed.worker.profile.enabled": False,  # stack sampling every 10 ms, GIL included
    "distributed.scheduler.work-stealing": False,  # partitions are alike; nothing to rebalance
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.admin.tick.interval": "200ms",
}


def _worker_environ() -> dict[str, Any]:
    """Dask's environment for new workers, without ``MALLOC_TRIM_THRESHOLD_``.

    Dask sets it to 65536 so that glibc returns freed memory to the system at once; the
    pipeline allocates and frees small objects all the time and ran 5 % slower for it (one
    process, 1.35 M chars: 49.5 k vs 47.0 k chars/s), while its memory stays flat without it.
    The rest (thread limits, and whatever the user configured) is kept.
    """
    import dask

    environ = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    return {k: v for k, v in environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}


# -- bags and data frames -------------------------------------------------------------------
def process_bag(
    bag: Any,
    stages: str | Sequence[str] | None = None,
    *,
    batch_size: int = 16,
    timeout: float | None = None,
    max_chars: int = 2_000_000,
    code: Sequence[str] = (),
    **config: dict,
) -> Any:
    """A bag of Doc dicts, one per item of ``bag`` (``str``, ``bytes`` or mapping with ``text``).

    ``config`` holds per-stage options, as in :func:`chinese_news_nlp.load`.
    A failing item gives a dict with ``"error": {"stage", "message", ...}``.
    """
    run = make_run_config(stages, config=config, max_chars=max_chars, timeout=timeout, format="dict", code=code)
    return bag.map_partitions(_bag_partition, run, batch_size)


def _bag_partition(items: Sequence[Any], run: RunConfig, batch_size: int) -> list[dict]:
    one_core_per_process()
    records = (_as_record(item) for item in items)
    return [payload for batch in batched(records, batch_size) for payload, _ in process_batch(run, batch)]


def _as_record(item: Any) -> Record:
    if isinstance(item, dict):
        return from_mapping(item, None, None)  # type: ignore[arg-type]
    return item, None, None  # type: ignore[return-value]


def process_dataframe(
    ddf: Any,
    text_column: str = "text",
    id_column: str | None = None,
    date_column: str | None = None,
    stages: str | Sequence[str] | None = None,
    *,
    batch_size: int = 16,
    timeout: float | None = None,
    max_chars: int = 2_000_000,
    code: Sequence[str] = (),
    **config: dict,
) -> Any:
    """The ``documents`` table of each row's document, same index, plus list columns
    ``entities``, ``facts``, ``repairs``, ``officials`` (dicts as in the Parquet tables).

    Without ``id_column`` the row's index value is the document id.
    """
    import pandas as pd

    run = make_run_config(stages, config=config, max_chars=max_chars, timeout=timeout, format="dict", code=code)
    meta = pd.DataFrame({c: pd.Series(dtype=_pandas_dtype(k)) for c, k in table_columns("documents").items()})
    for table in ("entities", "facts", "repairs", "officials"):
        meta[table] = pd.Series(dtype=object)
    columns = (text_column, id_column, date_column)
    return ddf.map_partitions(_frame_partition, run, columns, batch_size, meta=meta)


def _pandas_dtype(arrow_kind: str) -> str:
    return {"int64": "int64", "float64": "float64"}.get(arrow_kind, "object")


def _frame_partition(frame: Any, run: RunConfig, columns: tuple, batch_size: int) -> Any:
    one_core_per_process()
    import pandas as pd

    from ..doc import Doc

    text_column, id_column, date_column = columns
    records = []
    for index, row in zip(frame.index, frame.itertuples(index=False)):
        data = row._asdict()
        mapping = {
            "text": data.get(text_column),
            "id": data.get(id_column) if id_column else index,
            "date": data.get(date_column) if date_column else None,
        }
        records.append(from_mapping(mapping, str(index), None))
    rows = []
    for batch in batched(records, batch_size):
        for payload, _ in process_batch(run, batch):
            tables = flat_rows(Doc.from_dict(payload), ("documents", "entities", "facts", "repairs", "officials"))
            row = tables["documents"][0]
            for table in ("entities", "facts", "repairs", "officials"):
                row[table] = [{k: v for k, v in r.items() if k != "doc_id"} for r in tables[table]]
            rows.append(row)
    out = pd.DataFrame(
        rows, index=frame.index, columns=[*table_columns("documents"), "entities", "facts", "repairs", "officials"]
    )
    return out.astype({c: _pandas_dtype(k) for c, k in table_columns("documents").items()})


# -- corpora: partitions read, processed and written by the workers ---------------------
@dataclass(frozen=True)
class Partition:
    """What one task reads: text files, a byte range of a JSONL file, or Parquet row groups."""

    number: int
    kind: str  # files, jsonl, parquet
    files: tuple[tuple[str, str], ...] = ()
    path: str = ""
    start: int = 0
    end: int = 0
    first_line: int = 1
    row_groups: tuple[int, ...] = ()
    rows: int = 0  # Parquet: rows in the row groups

    def records(self, date: str | None) -> Iterator[Record]:
        if self.kind == "files":
            for path, doc_id in self.files:
                yield read_text_file(path, doc_id, date)
        elif self.kind == "jsonl":
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                yield from read_jsonl(fh, Source("jsonl", self.path), date, self.first_line, self.end)
        else:
            yield from read_parquet(Source("parquet", self.path), date, list(self.row_groups))

    def digest(self) -> str:
        """What the partition holds, in short: a resume checks that each finished shard still
        stands for the same documents (a file added to a folder shifts the files after it)."""
        if self.kind == "files":
            what = "\n".join(doc_id for _, doc_id in self.files)
        elif self.kind == "jsonl":
            what = f"{Source('jsonl', self.path).label}:{self.start}-{self.end}:{self.first_line}"
        else:
            what = f"{Source('parquet', self.path).label}:{self.row_groups}:{self.rows}"
        return hashlib.sha1(f"{self.kind}\n{what}".encode()).hexdigest()[:16]


def plan_partitions(srcs: Sequence[Source], docs_per_partition: int = DOCS_PER_PARTITION) -> list[Partition]:
    """Cut the inputs into partitions, deterministically (``--resume`` relies on it)."""
    plans: list[Partition] = []
    for src in srcs:
        if src.kind == "stdin":
            raise UsageError("the Dask engine cannot read standard input: write it to a .jsonl file first")
        if src.kind in ("folder", "text"):
            files = text_files(src.path) if src.kind == "folder" else iter([(src.path, src.label)])
            for chunk in batched(files, docs_per_partition):
                plans.append(Partition(len(plans), "files", files=tuple(chunk)))
        elif src.kind == "jsonl":
            for start, end, first_line in _jsonl_ranges(src.path):
                plans.append(Partition(len(plans), "jsonl", path=src.path, start=start, end=end, first_line=first_line))
        else:
            pf, _ = parquet_file(src)
            if pf is None:  # one partition, which reads as the file's one failure
                plans.append(Partition(len(plans), "parquet", path=src.path, row_groups=(0,), rows=0))
                continue
            meta = pf.metadata
            for group in range(meta.num_row_groups):
                rows = meta.row_group(group).num_rows
                plans.append(Partition(len(plans), "parquet", path=src.path, row_groups=(group,), rows=rows))
    return plans


def _jsonl_ranges(path: str, size: int = JSONL_BYTES_PER_PARTITION) -> Iterator[tuple[int, int, int]]:
    """``(start, end, first line number)`` of byte ranges of about ``size`` ending on line ends."""
    with open(path, "rb") as fh:
        start, line = 0, 1
        while True:
            fh.seek(start)
            chunk = fh.read(size)
            if not chunk:
                return
            cut = len(chunk)
            if len(chunk) == size:
                rest = fh.readline()  # finish the line the chunk ends inside
                chunk += rest
                cut = len(chunk)
            yield start, start + cut, line
            line += chunk.count(b"\n")
            start += cut


def write_partition(
    part: Partition, run: RunConfig, out_dir: str, date: str | None, batch_size: int, tables: tuple[str, ...]
) -> Summary:
    """Task: read, process and write one partition as a shard; return its summary."""
    one_core_per_process()
    started = time.perf_counter()
    summary = Summary()
    name = f"part-{part.number:05d}"
    records = part.records(date)
    if run.format == "jsonl":
        final = Path(out_dir) / f"{name}.jsonl"
        tmp = final.with_name(final.name + ".tmp")
        with JsonlWriter(tmp) as writer:
            _write_all(writer, run, records, batch_size, summary)
        os.replace(tmp, final)
    else:
        with ParquetWriter(out_dir, resume=False, tables=tables, docs_per_part=1 << 62, part_prefix=name) as writer:
            _write_all(writer, run, records, batch_size, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _write_all(writer: Any, run: RunConfig, records: Iterator[Record], batch_size: int, summary: Summary) -> None:
    for batch in batched(records, batch_size):
        exit_if_orphaned()
        for payload, stats in process_batch(run, batch):
            writer.write(payload)
            summary.add(stats)


def exit_if_orphaned() -> None:
    """Between batches: a worker of a LocalCluster whose client was killed (``kill -9``) stops
    here, quietly, instead of writing shards for nobody until its nanny notices."""
    from .pool import parent_is_gone

    if parent_is_gone():
        os._exit(0)


def shard_done(out_dir: Path, fmt: str, number: int) -> bool:
    if fmt == "jsonl":
        return (out_dir / f"part-{number:05d}.jsonl").exists()
    return any((out_dir / "documents").glob(f"part-{number:05d}-*.parquet"))


def process_sources(
    srcs: Sequence[Source],
    output: str | os.PathLike,
    run: RunConfig,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    resume: bool = False,
    allow_new_inputs: bool = False,
    date: str | None = None,
    progress: bool = True,
    batch_size: int = 16,
    docs_per_partition: int = DOCS_PER_PARTITION,
    cli: bool = False,
) -> Summary:
    """``cnnlp process --engine dask``: shards in ``output`` (a folder), a summary back."""
    out_dir = Path(output)
    if out_dir.suffix.lower() in (".jsonl", ".ndjson", ".json") or (out_dir.exists() and not out_dir.is_dir()):
        raise UsageError(f"the Dask engine writes shards into a folder: give a folder, not {out_dir}")
    started = time.perf_counter()
    manifest_path = out_dir / MANIFEST
    previous = read_manifest(manifest_path) if resume else None
    if previous is not None:  # plan the first run's inputs in the first run's order, new ones after
        order = {label: i for i, label in enumerate(previous.get("inputs", []))}
        srcs = sorted(srcs, key=lambda s: order.get(s.label, len(order)))
    plans = plan_partitions(srcs, docs_per_partition)
    manifest = describe(
        run, "dask", [s.label for s in srcs], date,
        docs_per_partition=docs_per_partition, partitions=[p.digest() for p in plans],
    )  # fmt: skip
    if resume:
        has_shards = any(out_dir.glob("part-*.jsonl")) or any((out_dir / "documents").glob("part-*.parquet"))
        check_resume(previous, manifest, output=output, output_exists=has_shards,
                     allow_new_inputs=allow_new_inputs, cli=cli)  # fmt: skip
        _check_plan(previous, manifest, output, cli)
    resume = resume and previous is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_shards(out_dir, temporary_only=resume)
    write_manifest(manifest_path, manifest)

    summary = Summary(output=str(out_dir), engine="dask", workers=workers)
    todo = [p for p in plans if not (resume and shard_done(out_dir, run.format, p.number))]
    skipped_parts = len(plans) - len(todo)
    bar = Progress(total=None, enabled=progress)
    client, cluster = get_client(scheduler, workers)
    try:
        from dask.distributed import as_completed

        if scheduler is None:
            summary.workers = len(client.scheduler_info().get("workers", {})) or workers
        # (a partial: Client.map has its own ``batch_size`` keyword)
        task = functools.partial(
            write_partition, run=run, out_dir=str(out_dir), date=date, batch_size=batch_size, tables=run.tables
        )
        futures = client.map(task, todo, pure=False)
        numbers = {f.key: p.number for f, p in zip(futures, todo)}
        for future in as_completed(futures):
            try:
                part_summary = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the shard is missing, say so
                again = "run again with --resume to retry it" if cli else "run again with resume=True to retry it"
                part_summary = Summary()
                part_summary.add({"id": f"part-{numbers[future.key]:05d}", "chars": 0, "error": {
                    "stage": "partition", "type": type(exc).__name__,
                    "message": f"shard not written ({exc}); {again}"}})  # fmt: skip
                part_summary.documents = 0
            summary.merge(part_summary)
            bar.update(part_summary.documents, part_summary.chars, part_summary.errors)
            future.release()
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    if skipped_parts:
        summary.skipped = _count_skipped(out_dir, run.format, plans, todo)
    summary.seconds = time.perf_counter() - started
    return summary


def _check_plan(previous: dict | None, manifest: dict, output: Any, cli: bool) -> None:
    """Each partition of the first run must hold the same documents now (new inputs add partitions after)."""
    if previous is None:
        return
    before, now = previous.get("partitions", []), manifest["partitions"]
    changed = [i for i, digest in enumerate(before) if i >= len(now) or now[i] != digest]
    if changed or previous.get("docs_per_partition") != manifest["docs_per_partition"]:
        from .manifest import ResumeMismatchError, option

        raise ResumeMismatchError(
            f"cannot resume {output}: the inputs changed since the run began (files added, removed or grown), so "
            f"{len(changed):,} of its {len(before):,} partitions would now hold other documents; run without "
            f"{option('resume', cli)} to start over, or write the new documents to another output"
        )


def _clear_shards(out_dir: Path, temporary_only: bool = False) -> None:
    """Delete the shards (a fresh run), or only the temporary files of killed tasks (a resume)."""
    for path in out_dir.glob("part-*.jsonl.tmp" if temporary_only else "part-*.jsonl*"):
        path.unlink()
    for table in (*DEFAULT_TABLES, "tokens"):
        for path in (out_dir / table).glob("part-*.tmp" if temporary_only else "part-*"):
            path.unlink()


def _count_skipped(out_dir: Path, fmt: str, plans: list[Partition], todo: list[Partition]) -> int:
    done = {p.number for p in plans} - {p.number for p in todo}
    if fmt == "jsonl":
        total = 0
        for number in done:
            with open(out_dir / f"part-{number:05d}.jsonl", "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        return total
    import pyarrow.parquet as pq

    return sum(
        pq.ParquetFile(path).metadata.num_rows
        for number in done
        for path in (out_dir / "documents").glob(f"part-{number:05d}-*.parquet")
    )
