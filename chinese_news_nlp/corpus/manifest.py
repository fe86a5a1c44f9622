"""The manifest of a corpus run: its inputs and the options that decide its records.

Written beside the output before any document is processed (``out.jsonl.manifest.json``
for a JSONL file, ``_manifest.json`` inside an output folder), it lets ``--resume`` check,
on every engine, that it continues the same run: a resume with other options (stages,
their config, ``--max-chars``, ``--date``, the output format...) would mix records made
two ways, and one with other inputs would skip or lose documents.  Either is refused with
a message saying what differs.  ``--resume --allow-new-inputs`` accepts inputs the first
run did not have and appends their documents; inputs it had may not go missing.

Options that do not change a record (workers, batch size, time-out, progress) are not in
it, so a resume may change them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import InputError

MANIFEST_VERSION = 1
FOLDER_MANIFEST = "_manifest.json"
# What a resume must find unchanged (``inputs`` are compared as a set; see check_resume).
COMPARED = ("engine", "format", "tables", "stages", "config", "code", "max_chars", "piece_chars", "date")


class ResumeMismatchError(InputError):
    """``resume`` was asked for an output written from other inputs or with other options."""


def option(name: str, cli: bool, value: str | None = None) -> str:
    """How to name an option to the user: ``--allow-new-inputs`` (``--format jsonl``) on the
    command line, ``allow_new_inputs=True`` (``format='jsonl'``) in Python."""
    if cli:
        return "--" + name.replace("_", "-") + (f" {value}" if value is not None else "")
    return f"{name}={'True' if value is None else repr(value)}"


def manifest_path(output: str | os.PathLike, folder: bool) -> Path:
    out = Path(output)
    return out / FOLDER_MANIFEST if folder else out.with_name(out.name + ".manifest.json")


def describe(run: Any, engine: str, inputs: list[str], date: str | None, **extra: Any) -> dict[str, Any]:
    """The manifest of a run of :class:`~.worker.RunConfig` ``run`` over ``inputs`` (their labels)."""
    from .. import __version__

    manifest = {
        "manifest": MANIFEST_VERSION,
        "written_by": f"chinese-news-nlp {__version__}",
        "engine": engine,
        "format": run.format,
        "tables": list(run.tables),
        "stages": list(run.stages),
        "config": run.config,
        "code": list(run.code),
        "max_chars": run.max_chars,
        "piece_chars": run.piece_chars,
        "date": date,
        "inputs": list(inputs),
        **extra,
    }
    return json.loads(json.dumps(manifest, default=str))  # as it will read back


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise ResumeMismatchError(f"{path} is damaged ({exc}); run without resume to start over") from None


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Atomically: a kill leaves the old manifest or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def check_resume(
    previous: dict[str, Any] | None,
    current: dict[str, Any],
    *,
    output: str | os.PathLike,
    output_exists: bool,
    allow_new_inputs: bool,
    cli: bool,
) -> list[str]:
    """Raise :class:`ResumeMismatchError` unless ``current`` continues the run of ``previous``;
    return the inputs ``current`` adds (only with ``allow_new_inputs``), in the order given."""
    start_over = f"run without {option('resume', cli)} to start over, or write to another output"
    if previous is None:
        if output_exists:
            raise ResumeMismatchError(
                f"cannot resume {output}: it has no manifest (written by an older version, or not by a run); {start_over}"
            )
        return []
    differing = [k for k in COMPARED if previous.get(k) != current.get(k)]
    if differing:
        lines = "; ".join(f"{k} was {_show(previous.get(k))}, now {_show(current.get(k))}" for k in differing)
        raise ResumeMismatchError(f"cannot resume {output}: it was written with other options ({lines}); {start_over}")
    before, now = previous.get("inputs", []), current["inputs"]
    missing = [i for i in before if i not in now]
    added = [i for i in now if i not in before]
    if missing:
        raise ResumeMismatchError(
            f"cannot resume {output}: the run's inputs {_show(missing)} are not given now "
            f"(its inputs: {_show(before)}); give them all, or {start_over}"
        )
    if added and not allow_new_inputs:
        raise ResumeMismatchError(
            f"cannot resume {output}: {_show(added)} {'was' if len(added) == 1 else 'were'} not an input of the run "
            f"(its inputs: {_show(before)}); add {option('allow_new_inputs', cli)} to process "
            f"{'it' if len(added) == 1 else 'them'} too, or {start_over}"
        )
    return added


def _show(value: Any) -> str:
    if isinstance(value, list):
        shown = ", ".join(map(str, value[:5])) + (f", …and {len(value) - 5} more" if len(value) > 5 else "")
        return f"[{shown}]"
    return json.dumps(value, ensure_ascii=False)
