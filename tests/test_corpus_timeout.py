"""Soft per-document time-outs: SIGALRM in the main thread, the watchdog thread elsewhere (Dask)."""

from __future__ import annotations

import threading
import time

import pytest

from chinese_news_nlp.corpus.timeout import deadline
from chinese_news_nlp.errors import DocumentTimeoutError


def run_in_thread(fn) -> list:
    """``fn()``'s result or exception, run in a thread that is not the main one."""
    out: list = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return out


def busy(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # Python bytecode: where an asynchronous exception lands
        pass
    return "finished"


def test_slow_block_times_out_in_a_thread() -> None:
    def slow() -> str:
        with deadline(0.2):
            return busy(10)

    (result,) = run_in_thread(slow)
    assert isinstance(result, DocumentTimeoutError)


def test_fast_blocks_leave_nothing_pending() -> None:
    def many_fast() -> str:
        for _ in range(200):
            with deadline(0.05):
                pass
        return busy(0.3)  # past every deadline set above: none may fire now

    assert run_in_thread(many_fast) == ["finished"]


def test_only_the_thread_past_its_deadline_is_stopped() -> None:
    def slow() -> str:
        with deadline(0.3):
            return busy(10)

    def patient() -> str:
        with deadline(60):
            return busy(0.6)

    results: dict[str, list] = {}
    threads = [threading.Thread(target=lambda n=n, f=f: results.setdefault(n, run_in_thread(f))) for n, f in
               (("slow", slow), ("patient", patient))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(results["slow"][0], DocumentTimeoutError)
    assert results["patient"] == ["finished"]


def test_main_thread_uses_the_alarm() -> None:
    with pytest.raises(DocumentTimeoutError):
        with deadline(0.2):
            busy(10)
    with deadline(0.05):
        pass
    assert busy(0.2) == "finished"
