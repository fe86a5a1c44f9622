"""Typed errors: bad input is reported, never a bare crash."""

from __future__ import annotations


class ChineseNewsNLPError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(ChineseNewsNLPError, ValueError):
    """The input cannot be processed as a document."""


class EmptyInputError(InputError):
    """Bytes that decode to nothing (an empty ``str`` is a valid, empty Doc)."""


class UndecodableInputError(InputError):
    """Bytes that decode strictly in none of the encodings tried."""


class BinaryInputError(InputError):
    """Bytes that look like binary data (NULs, control bytes), not text."""


class InvalidDateError(InputError):
    """A date that is not an ISO date (``YYYY-MM-DD``)."""


class DocumentTooLargeError(InputError):
    """A document longer than the pipeline's ``max_chars``."""


class StageError(ChineseNewsNLPError):
    """A stage failed on a document; ``stage`` names it."""

    def __init__(self, stage: str, message: str):
        super().__init__(f"stage {stage!r} failed: {message}")
        self.stage = stage
        self.message = message


class ConfigError(ChineseNewsNLPError, ValueError):
    """A stage's options are wrong (unknown option, bad value): raised when the pipeline is built."""


class DocumentTimeoutError(ChineseNewsNLPError):
    """A stage took longer than the per-document time-out."""


class UnknownStageError(ChineseNewsNLPError, KeyError):
    """No stage is registered under that name."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""
