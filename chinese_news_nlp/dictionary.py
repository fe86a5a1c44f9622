"""jieba's main dictionary, loaded once per process and shared.

Three stages read it: segmentation (a private ``jieba.Tokenizer`` per engine, so that
user dictionaries never leak between pipelines), the repair language model and the
entity rules (word frequencies, read only).  Each loading of jieba's cache costs
~0.45 s; a process used to load it twice, which was a quarter of the pipeline's
start-up (and of each worker's, in a pool).  It is now loaded once, into a tokenizer
of our own rather than the global ``jieba.dt``, so that ``jieba.add_word`` in user
code does not change what the repair model believes.
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
_BASE: Any = None


def _base() -> Any:
    """The shared tokenizer, loaded by the first caller; threads arriving meanwhile wait for it."""
    global _BASE
    if _BASE is None:
        with _LOCK:
            if _BASE is None:
                import jieba

                jieba.setLogLevel(60)  # jieba logs its cache building at INFO on stderr
                tokenizer = jieba.Tokenizer()
                tokenizer.check_initialized()
                _BASE = tokenizer
    return _BASE


def word_frequencies() -> tuple[dict[str, int], int]:
    """``(word → frequency, total)`` of jieba's main dictionary; prefixes of words map to 0.  Do not modify."""
    base = _base()
    return base.FREQ, base.total


def new_tokenizer() -> Any:
    """A ``jieba.Tokenizer`` of its own, initialized from a copy of the shared dictionary."""
    import jieba

    base = _base()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    return tokenizer
