"""The run summary, and progress reporting while the run goes."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class Summary:
    """What a corpus run did: counts added up from every document's stats."""

    documents: int = 0  # processed in this run, errors included
    errors: int = 0
    skipped: int = 0  # already in the output (resume)
    chars: int = 0
    tokens: int = 0
    officials: int = 0
    guessed: int = 0  # entities and facts read across characters guessed or lost (Entity.guessed)
    entities: Counter = field(default_factory=Counter)
    facts: Counter = field(default_factory=Counter)
    repairs: Counter = field(default_factory=Counter)
    errors_by_stage: Counter = field(default_factory=Counter)
    errors_by_type: Counter = field(default_factory=Counter)
    zones: Counter = field(default_factory=Counter)  # entities + facts by zone group: article, related, boilerplate
    duplicates: int = 0  # documents marked as reposts (--dedup)
    error_samples: list[dict] = field(default_factory=list)  # the first few, with id, stage, message
    seconds: float = 0.0
    output: str | None = None
    engine: str = "local"
    workers: int = 1
    threads: int = 1  # batches at a time in each worker process (corpus.runner.plan_workers)
    plan: str = ""  # why that many (corpus.runner.plan_workers)

    MAX_SAMPLES = 10  # kept (and written by --summary-json)
    SHOWN_SAMPLES = 5  # printed; the rest are counted

    def add(self, stats: dict[str, Any]) -> None:
        self.documents += 1
        self.chars += stats.get("chars", 0)
        self.tokens += stats.get("tokens", 0)
        self.officials += stats.get("officials", 0)
        self.guessed += stats.get("guessed", 0)
        self.entities.update(stats.get("entities") or {})
        self.facts.update(stats.get("facts") or {})
        self.repairs.update(stats.get("repairs") or {})
        self.zones.update(stats.get("zones") or {})
        self.duplicates += bool(stats.get("duplicate"))
        error = stats.get("error")
        if error:
            self.errors += 1
            self.errors_by_stage[error.get("stage") or "?"] += 1
            self.errors_by_type[error.get("type") or "?"] += 1
            if len(self.error_samples) < self.MAX_SAMPLES:
                self.error_samples.append({"id": stats.get("id"), **error})

    def merge(self, other: Summary) -> None:
        for name in ("documents", "errors", "skipped", "chars", "tokens", "officials", "guessed", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("entities", "facts", "repairs", "errors_by_stage", "errors_by_type", "zones"):
            getattr(self, name).update(getattr(other, name))
        self.error_samples = (self.error_samples + other.error_samples)[: self.MAX_SAMPLES]

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds > 0 else 0.0

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "errors": self.errors,
            "skipped": self.skipped,
            "chars": self.chars,
            "tokens": self.tokens,
            "officials": self.officials,
            "guessed": self.guessed,
            "entities": dict(self.entities.most_common()),
            "facts": dict(self.facts.most_common()),
            "repairs": dict(self.repairs.most_common()),
            "errors_by_stage": dict(self.errors_by_stage.most_common()),
            "errors_by_type": dict(self.errors_by_type.most_common()),
            "zones": dict(self.zones.most_common()),
            "duplicates": self.duplicates,
            "error_samples": self.error_samples,
            "seconds": round(self.seconds, 3),
            "chars_per_second": round(self.chars_per_second, 1),
            "output": self.output,
            "engine": self.engine,
            "workers": self.workers,
            "threads": self.threads,
            "plan": self.plan,
        }

    def __str__(self) -> str:
        def counts(c: Counter) -> str:
            return ", ".join(f"{k} {v:,}" for k, v in c.most_common()) or "none"

        lines = [
            f"documents  {self.documents:,} processed"
            + (f", {self.skipped:,} skipped (already written)" if self.skipped else "")
            + f" ({self.chars:,} characters)",
            f"errors     {self.errors:,}" + (f" ({counts(self.errors_by_stage)})" if self.errors else ""),
            f"tokens     {self.tokens:,}",
            f"entities   {sum(self.entities.values()):,}: {counts(self.entities)}",
            f"facts      {sum(self.facts.values()):,}: {counts(self.facts)}",
            f"repairs    {sum(self.repairs.values()):,}: {counts(self.repairs)}",
            f"officials  {self.officials:,}",
        ]
        if self.guessed:
            lines.append(
                f"guessed    {self.guessed:,} entities and facts read across characters guessed where bytes were lost,"
                " or across U+FFFD (their .guessed)"
            )
        if self.zones:
            elsewhere = {k: v for k, v in self.zones.items() if k != "article"}
            lines.append(
                f"zones      {self.zones.get('article', 0):,} entities and facts in the articles themselves (title, meta, heading, body)"
                + (
                    ", and " + ", ".join(f"{v:,} more in {k}" for k, v in sorted(elsewhere.items()))
                    if elsewhere
                    else ""
                )
            )
        if self.duplicates:
            lines.append(f"reposts    {self.duplicates:,} documents marked as near-duplicates of an earlier one")
        lines += [
            f"time       {self.seconds:.1f} s ({self.docs_per_second:,.1f} docs/s, {self.chars_per_second:,.0f} chars/s;"
            f" {self.engine}, {self.workers} worker{'s' if self.workers != 1 else ''}"
            + (f", {self.threads} batches at a time" if self.threads > 1 else "")
            + ")",
        ]
        if self.output:
            lines.append(f"output     {self.output}")
        if self.errors:
            lines.insert(2, f"  by type  {counts(self.errors_by_type)}")
        shown = self.error_samples[: self.SHOWN_SAMPLES]
        for sample in shown:
            message = str(sample.get("message"))
            message = message if len(message) <= 300 else message[:300] + "…"
            lines.append(f"  error in {sample.get('id')!s}: [{sample.get('stage')}] {message}")
        if self.errors > len(shown):
            lines.append(
                f"  …and {self.errors - len(shown):,} more error{'s' if self.errors - len(shown) != 1 else ''} "
                "(each is in the output with its error)"
            )
        return "\n".join(lines)


class Progress:
    """A tqdm bar with docs/s and chars/s on a terminal; a log line every ``interval`` s otherwise."""

    def __init__(
        self, total: int | None = None, enabled: bool = True, stream: TextIO | None = None, interval: float = 10.0
    ):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.start = self.last = time.monotonic()
        self.docs = self.chars = self.errors = 0
        self.bar = None
        if enabled and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def update(self, docs: int, chars: int, errors: int) -> None:
        self.docs += docs
        self.chars += chars
        self.errors += errors
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(docs)
            self.bar.set_postfix_str(f"{self.chars / elapsed:,.0f} chars/s, {self.errors} errors", refresh=False)
        elif now - self.last >= self.interval:
            self.last = now
            self._log(elapsed)

    def _log(self, elapsed: float) -> None:
        print(
            f"[cnnlp] {self.docs:,} documents, {self.errors:,} errors, {elapsed:.0f} s "
            f"({self.docs / elapsed:,.1f} docs/s, {self.chars / elapsed:,.0f} chars/s)",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
