"""Shared fixtures: where the shared data lives, the seeds and the gold files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def find_shared_dir() -> Path:
    """``$CNNLP_SHARED``, else ``../shared`` beside the repository (as in CI)."""
    env = os.environ.get("CNNLP_SHARED")
    return Path(env) if env else REPO.parent / "shared"


SHARED = find_shared_dir()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED} (set CNNLP_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return REPO / "seeds"


@pytest.fixture(scope="session")
def gold_dir(shared_dir: Path) -> Path:
    return shared_dir / "gold"


@pytest.fixture(scope="session")
def seed_texts(seeds_dir: Path) -> dict[str, str]:
    """``{file name: text}`` of the five seed articles."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture
def workers_forced(monkeypatch):
    """Worker processes even for the few documents of a test, and on a loaded machine: pipe()
    keeps small inputs in-process, and the worker plan runs in-process when no core is free
    (a stage that calls os._exit would then end pytest itself)."""
    monkeypatch.setenv("CNNLP_WORKERS_PLAN", "processes")
