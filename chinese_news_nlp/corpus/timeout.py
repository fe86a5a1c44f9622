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
import time
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


class _Watchdog:
    """One thread per process that raises time-outs in the threads whose deadline passed.

    A ``threading.Timer`` per call started a thread for every document and stage:
    ~1,400 threads for 472 documents, each start preempting a busy core, which cost
    Dask workers 3 % of their speed.  This thread sleeps until the earliest deadline
    and is only woken when a new deadline comes before it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._entries: dict[int, tuple[float, int]] = {}  # token -> (deadline, thread id)
        self._fired: set[int] = set()
        self._next_token = 0
        self._wake_at = float("inf")
        self._thread: threading.Thread | None = None

    def add(self, seconds: float, thread_id: int) -> int:
        with self._cond:
            self._next_token += 1
            token = self._next_token
            expiry = time.monotonic() + seconds
            self._entries[token] = (expiry, thread_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cnnlp-timeout-watchdog", daemon=True)
                self._thread.start()
            elif expiry < self._wake_at:
                self._cond.notify()
            return token

    def remove(self, token: int) -> bool:
        """Forget ``token``; True if its time-out was raised (it may still be pending in the thread)."""
        with self._cond:
            self._entries.pop(token, None)
            if token in self._fired:
                self._fired.discard(token)
                return True
            return False

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for token, (expiry, thread_id) in list(self._entries.items()):
                    if expiry <= now:
                        del self._entries[token]
                        self._fired.add(token)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(thread_id), ctypes.py_object(_ThreadTimeout)
                        )
                self._wake_at = min((e for e, _ in self._entries.values()), default=float("inf"))
                self._cond.wait(None if self._wake_at == float("inf") else self._wake_at - now)


_WATCHDOG = _Watchdog()


@contextmanager
def _watchdog(seconds: float, what: str) -> Iterator[None]:
    target = threading.get_ident()
    token = _WATCHDOG.add(seconds, target)
    try:
        yield
    finally:
        if _WATCHDOG.remove(token):  # delivered already, or still pending: clear a pending one
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


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
