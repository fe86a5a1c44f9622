"""Dictionary matching with an Aho–Corasick automaton (pyahocorasick).

A :class:`Gazetteer` maps names to labels and finds every occurrence in a text
in one pass, however many names it holds.  Users pass their own as
``EntityStage(gazetteers=[{"名字": "COMPANY"}, "my_names.tsv"])``; a file has
one ``name<TAB>label`` a line (``#`` comments allowed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Mapping, Union

import ahocorasick

from ..doc import ENTITY_LABELS

GazetteerSource = Union[str, Path, Mapping[str, str]]


class Gazetteer:
    def __init__(self, entries: Mapping[str, str] | None = None):
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        if entries:
            self.update(entries)

    def update(self, entries: Mapping[str, str]) -> None:
        for name, label in entries.items():
            if not name:
                continue
            if label not in ENTITY_LABELS:
                raise ValueError(f"gazetteer label {label!r} for {name!r} is not one of {ENTITY_LABELS}")
            self._automaton.add_word(name, (name, label))
            self._size += 1
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Every ``(start, end, label)`` occurrence, overlaps included."""
        if not self._size:
            return
        for last, (name, label) in self._automaton.iter(text):
            yield last + 1 - len(name), last + 1, label

    @classmethod
    def from_sources(cls, sources: Iterable[GazetteerSource]) -> Gazetteer:
        entries: dict[str, str] = {}
        for source in sources:
            entries.update(read_gazetteer(source) if not isinstance(source, Mapping) else source)
        return cls(entries)


def read_gazetteer(path: str | Path) -> dict[str, str]:
    """``name<TAB>label`` lines of a file (``#`` comments, blank lines skipped)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split("\t") if "\t" in line else line.split()
            if len(parts) != 2:
                raise ValueError(f"{path}:{n}: expected 'name<TAB>label', got {line!r}")
            out[parts[0]] = parts[1]
    return out
