"""Per-document time-outs, and stage wrappers that enforce them.

A pathological document (a 2 MB line with no punctuation, a regex that
backtracks) must not stall a corpus run.  Two layers:

* soft: :func:`deadline` raises :class:`DocumentTimeoutError` inside the stage
  when time is up; the pipeline records it as that stage's error and goes on
  with the next document.  In a process's main thread this is ``SIGALRM``;
  elsewhere (Dask runs tasks in threads) a watchdog thread raises the error
  asynchronously in the worker thread.  Either way it lands at the next Python
  bytecode, so a long call into C code is only interrupted when it returns.
* hard: the local worker pool (:mod:`.pool`) kills a worker that overruns its
  batch's deadline by a margin and records the document as timed out; this
  covers C code that never returns.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from ..doc import Doc
from ..errors import DocumentTimeoutError


@contextmanager
def deadline(seconds: float | None, what: str = "document") -> Iterator[None]:
    """Raise :class:`DocumentTimeoutError` in this thread if the block runs past ``seconds``."""
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds, what):
            yield
    else:
        with _watchdog(seconds, what):
            yield


@contextmanager
def _alarm(seconds: float, what: str) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise DocumentTimeoutError(f"{what} timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _ThreadTimeout(DocumentTimeoutError):
    """Raised asynchronously in a thread; the message is fixed (no arguments can be passed)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ("document timed out (watchdog)",)))


@contextmanager
def _watchdog(seconds: float, what: str) -> Iterator[None]:
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(_ThreadTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            if state["fired"]:  # delivered already, or still pending: clear a pending one
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
        timer.cancel()


class TimedStage:
    """A stage wrapped so that each call gets at most ``timeout`` seconds per document.

    ``pipe(docs)`` gets ``timeout × len(docs)``; if it overruns, the pipeline
    retries the batch one document at a time, each under its own deadline, so
    only the slow document is marked.  ``progress`` (a shared integer, may be
    None) receives the index of the stage running, so that a hard kill can
    still name the stage.
    """

    def __init__(self, stage: Any, timeout: float | None, index: int = 0, progress: Any = None):
        self.stage = stage
        self.name = stage.name
        self.timeout = timeout
        self.index = index
        self.progress = progress
        if hasattr(stage, "pipe"):
            self.pipe = self._pipe

    def _mark(self) -> None:
        if self.progress is not None:
            self.progress.value = self.index

    def __call__(self, doc: Doc) -> Doc:
        self._mark()
        with deadline(self.timeout, f"stage {self.name!r}"):
            return self.stage(doc)

    def _pipe(self, docs: list[Doc]) -> list[Doc]:
        self._mark()
        budget = self.timeout * len(docs) if self.timeout else None
        with deadline(budget, f"stage {self.name!r} on a batch of {len(docs)}"):
            return list(self.stage.pipe(docs))

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.stage, attr)
