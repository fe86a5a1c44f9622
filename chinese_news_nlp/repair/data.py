"""Loading the repair stage's data files (``chinese_news_nlp/data/repair/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..pieces import lines_with_ends

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "repair"


def _lines(name: str) -> list[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [ln.rstrip("\n") for ln in fh if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def pinyin_parts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    parts = dict(ln.split("\t", 1) for ln in _lines("pinyin.txt"))
    return tuple(parts["initials"].split()), tuple(parts["finals"].split())


@lru_cache(maxsize=1)
def content_farm_table() -> tuple[tuple[str, str], ...]:
    return tuple(tuple(ln.split("\t")[:2]) for ln in _lines("content_farm.tsv"))  # type: ignore[misc]


@lru_cache(maxsize=1)
def measure_words() -> frozenset[str]:
    return frozenset(w for ln in _lines("measure_words.txt") for w in ln.split())


@lru_cache(maxsize=1)
def question_words() -> tuple[str, ...]:
    return tuple(w for ln in _lines("question_words.txt") for w in ln.split())


def split_lines(text: str) -> list[str]:
    """Lines with their line ends (``\\n``, ``\\r\\n``, a lone ``\\r``) kept; unlike
    ``str.splitlines`` never splits at U+0085 or U+001C-U+001E, which are bytes of mojibake,
    not line ends (:func:`chinese_news_nlp.pieces.lines_with_ends`)."""
    return lines_with_ends(text)


@lru_cache(maxsize=1)
def deleted_characters() -> tuple[str, ...]:
    return tuple(ln.split("\t")[0].strip() for ln in _lines("deleted_characters.txt"))
