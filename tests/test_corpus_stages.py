"""Test-only stages for the corpus tests (no tests here), importable by worker processes
(spawned workers import this module by name: pytest puts tests/ on sys.path, and spawn
passes sys.path on; CLI subprocesses load it with ``--code``).

They are real stages (registered with ``register_stage``) that misbehave on purpose on
documents carrying a marker word, to check that the corpus machinery loses nothing.
"""

from __future__ import annotations

import os
import signal
import time

from chinese_news_nlp.alignment import Edit
from chinese_news_nlp.doc import Doc, Entity
from chinese_news_nlp.pipeline import register_stage


@register_stage("test_raise")
class RaiseStage:
    """Raises on documents containing BOOM."""

    name = "test_raise"

    def __init__(self, **config):
        pass

    def __call__(self, doc: Doc) -> Doc:
        if "BOOM" in doc.text:
            raise RuntimeError("stage exploded on purpose")
        return doc


@register_stage("test_slow")
class SlowStage:
    """Sleeps forever on SLOW (interruptible: a soft time-out stops it); ``delay`` s on every doc."""

    name = "test_slow"

    def __init__(self, delay: float = 0.0, **config):
        self.delay = delay

    def __call__(self, doc: Doc) -> Doc:
        if self.delay:
            time.sleep(self.delay)
        while "SLOW" in doc.text:
            time.sleep(0.01)
        return doc


@register_stage("test_hang")
class HangStage:
    """On HANG, blocks SIGALRM and never returns, like native code that ignores signals; on DIE, exits."""

    name = "test_hang"

    def __init__(self, **config):
        pass

    def __call__(self, doc: Doc) -> Doc:
        if "DIE" in doc.text:
            os._exit(3)
        if "HANG" in doc.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            while True:
                time.sleep(0.01)
        return doc


@register_stage("test_tag")
class TagStage:
    """Tags every 北京 as LOC and repairs ASCII ',' between CJK characters to '，' (cause 'punct')."""

    name = "test_tag"

    def __init__(self, **config):
        pass

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        edits = [
            Edit(i, i + 1, "，", cause="punct")
            for i, ch in enumerate(text)
            if ch == ","
            and 0 < i < len(text) - 1
            and "\u4e00" <= text[i - 1] <= "\u9fff"
            and "\u4e00" <= text[i + 1] <= "\u9fff"
        ]
        doc.apply_edits(edits)
        start = doc.text.find("北京")
        while start >= 0:
            doc.entities.append(Entity("北京", "LOC", start, start + 2, source="test"))
            start = doc.text.find("北京", start + 2)
        doc.fill_raw_offsets()
        return doc


@register_stage("test_mark")
class MarkStage:
    """Leaves a file named after each document in ``folder`` as it starts on it, then sleeps ``delay`` s:
    a test can count the documents a worker took up (after its parent was killed, say)."""

    name = "test_mark"

    def __init__(self, folder: str, delay: float = 0.0):
        self.folder = folder
        self.delay = delay
        self.count = 0

    def __call__(self, doc: Doc) -> Doc:
        self.count += 1
        path = os.path.join(self.folder, f"{os.getpid()}-{self.count}")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(doc.id or "")
        time.sleep(self.delay)
        return doc


@register_stage("test_tag_all")
class TagAllStage:
    """Tags each line of the text as one ORG entity and one token, whatever it holds (controls
    included): the pipeline, not the stage, must keep control characters out of spans."""

    name = "test_tag_all"

    def __init__(self, **config):
        pass

    def __call__(self, doc: Doc) -> Doc:
        from chinese_news_nlp.doc import Token

        pos = 0
        for line in doc.text.split("\n"):
            if line:
                doc.entities.append(Entity(line, "ORG", pos, pos + len(line), source="test"))
                doc.tokens.append(Token(line, pos, pos + len(line)))
            pos += len(line) + 1
        return doc


@register_stage("test_longest")
class LongestStage:
    """Records in ``doc.meta["longest_seen"]`` the longest text it was given in this process."""

    name = "test_longest"
    longest = 0

    def __init__(self, **config):
        pass

    def __call__(self, doc: Doc) -> Doc:
        LongestStage.longest = max(LongestStage.longest, len(doc.text))
        doc.meta["longest_seen"] = LongestStage.longest
        return doc
