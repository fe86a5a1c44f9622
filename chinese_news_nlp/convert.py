"""Script conversion with OpenCC, with exact offsets.

OpenCC converts character by character except where a phrase table matches,
and phrase rules may change length (``tw2sp``: ``部落格`` → ``博客``,
``記憶體`` → ``内存``).  To recover exact edits we convert each line twice:
character by character (one output character per input character, so
positions are kept) and phrase-aware (the real output).  Where the two agree
in length the real output maps one to one; elsewhere a diff of the two, which
differ only where a phrase rule fired, gives tight length-changing edits.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import cache

from .alignment import Edit
from .doc import Doc
from .pipeline import register_stage

# Configs OpenCC ships; the names users type, with or without ".json".
KNOWN_CONFIGS = (
    "t2s", "s2t", "tw2s", "tw2sp", "s2tw", "s2twp", "hk2s", "s2hk", "t2tw", "t2hk", "tw2t", "hk2t", "jp2t", "t2jp",
)  # fmt: skip


@cache
def get_converter(config: str = "t2s"):
    """One OpenCC converter per config per process (they are thread-safe and costly to build)."""
    import opencc

    name = config[:-5] if config.endswith(".json") else config
    if name not in KNOWN_CONFIGS:
        raise ValueError(f"unknown OpenCC config {config!r}; known: {', '.join(KNOWN_CONFIGS)}")
    return opencc.OpenCC(name)


def conversion_edits(text: str, config: str = "t2s") -> list[Edit]:
    """Edits turning ``text`` into its OpenCC conversion (no ``cause``: not repairs)."""
    converter = get_converter(config)
    edits: list[Edit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        converted = converter.convert(line)
        if converted != line:
            edits.extend(_line_edits(line, converted, offset, converter))
        offset += len(line)
    return edits


def _line_edits(line: str, converted: str, offset: int, converter) -> list[Edit]:
    if len(converted) == len(line):
        return [Edit(offset, offset + len(line), converted)]  # one to one: identity offsets
    # Character by character: "\n" stops every phrase match; keeps one piece per character.
    per_char = converter.convert("\n".join(line.replace("\n", " "))).split("\n")
    if len(per_char) != len(line) or any(len(p) != 1 for p in per_char):
        return _diff_edits(line, converted, offset)
    baseline = "".join(per_char)
    edits = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, baseline, converted, autojunk=False).get_opcodes():
        if tag == "equal":
            if baseline[i1:i2] != line[i1:i2]:
                edits.append(Edit(offset + i1, offset + i2, converted[j1:j2]))
        else:
            edits.append(Edit(offset + i1, offset + i2, converted[j1:j2]))
    return edits


def _diff_edits(line: str, converted: str, offset: int) -> list[Edit]:
    """Fallback for conversions that are not one character per character."""
    return [
        Edit(offset + i1, offset + i2, converted[j1:j2])
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, line, converted, autojunk=False).get_opcodes()
        if tag != "equal"
    ]


def convert_text(text: str, config: str = "t2s") -> str:
    """``text`` converted by OpenCC ``config`` (``t2s`` by default)."""
    return get_converter(config).convert(text)


@register_stage("convert")
class ConvertStage:
    """Convert ``doc.text`` with OpenCC (``config="t2s"`` by default), keeping offsets exact."""

    name = "convert"

    def __init__(self, config: str = "t2s"):
        get_converter(config)  # fail at construction on an unknown config
        self.config = config

    def __call__(self, doc: Doc) -> Doc:
        doc.apply_edits(conversion_edits(doc.text, self.config))
        doc.meta["script_conversion"] = self.config
        return doc

    def __repr__(self) -> str:
        return f"ConvertStage(config={self.config!r})"
