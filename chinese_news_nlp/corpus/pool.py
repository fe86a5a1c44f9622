"""A supervised pool of worker processes: ordered results, and no item lost.

``multiprocessing.Pool`` hangs or raises when a worker dies (a segfault in a
native library, the OOM killer) and cannot stop a task that never returns.
This pool gives each worker one batch at a time over its own pipe, so the
parent always knows which batch a worker holds:

* a worker that dies, or overruns its batch's hard deadline (then it is
  killed), is replaced; its batch is split and retried one item at a time,
  and an item that fails alone becomes ``fail_item(item, stage_index, message)``;
* results come back in input order, with at most ``2 × workers`` batches in
  flight, so memory does not grow with the input.

Workers are started with ``spawn`` (safe with threads and native libraries
in the parent), build their state once in ``initializer`` and report ready
before the first batch, so model loading does not count against deadlines.
A worker exits, quietly, as soon as its parent is gone (a ``kill -9`` of the
run): a thread waits on the parent's sentinel, and a result nobody can receive
is not an error worth a traceback.  Ctrl-C is the parent's to handle.
"""

from __future__ import annotations

import collections
import importlib
import importlib.util
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..errors import ChineseNewsNLPError


class WorkerStartError(ChineseNewsNLPError):
    """A worker process could not build its state (bad stage config, missing model)."""


# -- modules a worker must import so that custom stages are registered -------------
def module_refs(modules: Iterable[str]) -> list[tuple[str, str | None]]:
    """``(name, file)`` of each module, so a worker can import it by name or, failing that, by file."""
    refs = []
    for name in sorted(set(modules)):
        if name in ("__main__", "__mp_main__") or name.startswith("chinese_news_nlp."):
            continue  # main re-runs under spawn; built-ins register themselves when imported
        module = sys.modules.get(name)
        refs.append((name, getattr(module, "__file__", None)))
    return refs


def import_modules(refs: Sequence[tuple[str, str | None]]) -> None:
    for name, path in refs:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except ImportError:
            if not path:
                raise
            import_file(path, name)


def import_file(path: str, name: str | None = None) -> Any:
    """Import a Python file as a module (used for ``--code`` files that register stages)."""
    from pathlib import Path

    name = name or f"cnnlp_code_{Path(path).stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- the worker side ---------------------------------------------------------------
def parent_is_gone() -> bool:
    """Whether the process that started this one has ended (False when there is none to watch)."""
    parent = multiprocessing.parent_process()
    return parent is not None and not parent.is_alive()


def exit_with_parent() -> None:
    """Start a thread that ends this process the moment its parent is gone.

    The thread blocks every signal, so that the time-outs' ``SIGALRM`` still reaches the
    main thread; it exits with ``os._exit``: there is no one left to report to.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="cnnlp-parent-watch", daemon=True).start()


def _worker_main(conn: Connection, progress: Any, initializer: Callable, initargs: tuple, task: Callable) -> None:
    from .worker import one_core_per_process

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the pool
    exit_with_parent()
    one_core_per_process()
    try:
        try:
            initializer(*initargs, progress=progress)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
            conn.send(("init_error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"))
            return
        conn.send(("ready", None))
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            key, items = message
            progress.value = -1
            results = task(items)
            if parent_is_gone():
                return
            conn.send(("done", (key, results)))
    except (BrokenPipeError, ConnectionResetError, EOFError):
        return  # the parent went away while we worked: nothing to report, and no one to report it to


# -- the parent side ----------------------------------------------------------------
@dataclass
class _Task:
    seq: int
    offset: int  # where these items start inside batch ``seq``
    items: list
    retry: bool = False  # a single item retried after its batch failed


@dataclass
class _Worker:
    process: Any
    conn: Connection
    progress: Any
    ready: bool = False
    task: _Task | None = None
    started: float = 0.0


@dataclass
class _Slot:
    results: list
    missing: int
    extra: dict = field(default_factory=dict)


class WorkerPool:
    """``imap(batches)`` over ``n_workers`` processes; see the module docstring.

    ``task(items) -> list`` runs in the workers (one result per item);
    ``initializer(*initargs, progress=shared_int)`` builds their state;
    ``deadline(items) -> seconds | None`` is the hard limit for a batch;
    ``fail_item(item, stage_index, message)`` builds the result of an item lost
    with its worker (``stage_index`` is what the worker last reported, -1 if none).
    """

    def __init__(
        self,
        n_workers: int,
        initializer: Callable,
        initargs: tuple,
        task: Callable[[list], list],
        fail_item: Callable[[Any, int, str], Any],
        deadline: Callable[[list], float | None] = lambda items: None,
        start_timeout: float = 600.0,
    ):
        self.n_workers = max(1, n_workers)
        self.initializer, self.initargs, self.task = initializer, initargs, task
        self.fail_item, self.deadline, self.start_timeout = fail_item, deadline, start_timeout
        self.ctx = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.restarts = 0

    # lifecycle
    def __enter__(self) -> WorkerPool:
        self.workers = [self._spawn() for _ in range(self.n_workers)]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers = []

    def _spawn(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        progress = self.ctx.Value("i", -1, lock=False)
        process = self.ctx.Process(
            target=_worker_main,
            args=(child, progress, self.initializer, self.initargs, self.task),
            daemon=True,
        )
        process.start()
        child.close()
        return _Worker(process, parent, progress, started=time.monotonic())

    def _replace(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._spawn()
        self.restarts += 1

    # work
    def imap(self, batches: Iterable[list]) -> Iterator[list]:
        feed = enumerate(batches)
        feed_done = False
        queue: collections.deque[_Task] = collections.deque()
        slots: dict[int, _Slot] = {}
        next_out = 0
        max_pending = 2 * self.n_workers
        while True:
            # hand work to idle, ready workers; retries first
            for worker in self.workers:
                if not worker.ready or worker.task is not None:
                    continue
                if not queue and not feed_done and len(slots) < max_pending:
                    item = next(feed, None)
                    if item is None:
                        feed_done = True
                    else:
                        seq, batch = item
                        batch = list(batch)
                        slots[seq] = _Slot([None] * len(batch), len(batch))
                        queue.append(_Task(seq, 0, batch))
                if queue:
                    self._send(worker, queue.popleft())
            # yield what is complete, in order
            while next_out in slots and slots[next_out].missing == 0:
                yield slots.pop(next_out).results
                next_out += 1
            if feed_done and not slots:
                return
            self._collect(queue, slots)

    def _send(self, worker: _Worker, task: _Task) -> None:
        worker.task = task
        worker.started = time.monotonic()
        worker.conn.send((task.seq, task.items))

    def _collect(self, queue: collections.deque[_Task], slots: dict[int, _Slot]) -> None:
        now = time.monotonic()
        waits = []
        for worker in self.workers:
            limit = self._limit(worker)
            if limit is not None:
                waits.append(max(0.0, worker.started + limit - now))
        timeout = min(waits + [1.0])
        ready = wait([w.conn for w in self.workers] + [w.process.sentinel for w in self.workers], timeout=timeout)
        for worker in list(self.workers):
            if worker.conn in ready:
                try:
                    kind, payload = worker.conn.recv()
                except (EOFError, OSError):
                    self._lost(worker, queue, slots, f"worker process died (exit code {worker.process.exitcode})")
                    continue
                if kind == "ready":
                    worker.ready = True
                elif kind == "init_error":
                    self.close()
                    raise WorkerStartError(f"a worker process could not start: {payload}")
                else:
                    (_, results), task = payload, worker.task
                    worker.task = None
                    assert task is not None
                    slot = slots[task.seq]
                    slot.results[task.offset : task.offset + len(results)] = results
                    slot.missing -= len(results)
            elif worker.process.sentinel in ready or not worker.process.is_alive():
                self._lost(worker, queue, slots, f"worker process died (exit code {worker.process.exitcode})")
            else:
                limit = self._limit(worker)
                if limit is not None and time.monotonic() - worker.started > limit:
                    what = "batch" if worker.task and len(worker.task.items) > 1 else "document"
                    self._lost(worker, queue, slots, f"{what} timed out after {limit:.0f} s (worker killed)")

    def _limit(self, worker: _Worker) -> float | None:
        if not worker.ready:
            return self.start_timeout
        if worker.task is None:
            return None
        return self.deadline(worker.task.items)

    def _lost(self, worker: _Worker, queue: collections.deque[_Task], slots: dict[int, _Slot], why: str) -> None:
        task, stage_index = worker.task, worker.progress.value
        if "exit code None" in why:  # the pipe closed before the process was reaped
            worker.process.join(timeout=2)
            why = why.replace("None", str(worker.process.exitcode))
        if not worker.ready:
            self.close()
            raise WorkerStartError(f"a worker process did not start: {why}")
        self._replace(worker)
        if task is None:
            return
        if len(task.items) > 1:
            # split: the culprit is found by retrying alone, the others succeed
            singles = [_Task(task.seq, task.offset + i, [item], retry=True) for i, item in enumerate(task.items)]
            queue.extendleft(reversed(singles))
            return
        slot = slots[task.seq]
        slot.results[task.offset] = self.fail_item(task.items[0], stage_index, why)
        slot.missing -= 1
