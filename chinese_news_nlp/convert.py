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

import re
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
        body = line.rstrip("\r\n")  # line ends are never converted; keeping them out keeps the per-character pass exact
        converted = converter.convert(body)
        if converted != body:
            edits.extend(_line_edits(body, converted, offset, converter))
        offset += len(line)
    return edits


def _line_edits(line: str, converted: str, offset: int, converter) -> list[Edit]:
    if len(converted) == len(line):
        return [Edit(offset, offset + len(line), converted)]  # one to one: identity offsets
    # Character by character: "\n" stops every phrase match; keeps one piece per character.
    per_char = converter.convert("\n".join(line)).split("\n")
    if len(per_char) != len(line) or any(len(p) != 1 for p in per_char):
        return _diff_edits(line, converted, offset)
    return _resync_edits(line, "".join(per_char), converted, offset, converter)


# Longest phrase rewrite looked for, and how many characters must agree after it.
_MAX_PHRASE = 8
_RESYNC = 4


def _resync_edits(line: str, baseline: str, converted: str, offset: int, converter) -> list[Edit]:
    """Walk the character-by-character conversion and the real one side by side.

    Where they disagree, the smallest rewrite ``baseline[i:i+a] → converted[j:j+b]``
    after which both agree again is one phrase rule.  A general diff is not enough:
    for ``部落格博客`` (tw2sp → ``博客博客``) it pairs the raw ``博客`` with the first
    converted ``博客`` and calls the second an insertion.
    """
    edits: list[Edit] = []
    i = j = 0
    while i < len(baseline) or j < len(converted):
        if i < len(baseline) and j < len(converted) and baseline[i] == converted[j]:
            if baseline[i] != line[i]:
                edits.append(Edit(offset + i, offset + i + 1, converted[j]))
            i, j = i + 1, j + 1
            continue
        step = _smallest_rewrite(line, baseline, converted, i, j, converter)
        if step is None:  # no local resynchronisation: fall back to a diff of the rest
            edits.extend(_diff_edits(line[i:], converted[j:], offset + i))
            break
        a, b = step
        edits.append(Edit(offset + i, offset + i + a, converted[j : j + b]))
        i, j = i + a, j + b
    return edits


def _smallest_rewrite(line: str, baseline: str, converted: str, i: int, j: int, converter) -> tuple[int, int] | None:
    """The rewrite ``(a, b)`` at ``i``/``j``: the smallest that splits the line where OpenCC's
    own conversion splits too; else the smallest after which the next few characters agree."""
    loose = None
    for total in range(1, 2 * _MAX_PHRASE + 1):
        for a in range(max(0, total - _MAX_PHRASE), min(total, _MAX_PHRASE) + 1):
            b = total - a
            if i + a > len(baseline) or j + b > len(converted):
                continue
            # Exact: OpenCC turns line[i:i+a] into converted[j:j+b] and the rest into the rest.
            if a and converter.convert(line[i : i + a]) == converted[j : j + b]:
                if converter.convert(line[i + a :]) == converted[j + b :]:
                    return a, b
            if loose is None and baseline[i + a : i + a + _RESYNC] == converted[j + b : j + b + _RESYNC]:
                loose = (a, b)
    return loose


def _diff_edits(line: str, converted: str, offset: int) -> list[Edit]:
    """Fallback for conversions that are not one character per character."""
    return [
        Edit(offset + i1, offset + i2, converted[j1:j2])
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, line, converted, autojunk=False).get_opcodes()
        if tag != "equal"
    ]


# OpenCC takes UTF-8, which cannot hold a lone surrogate (UnicodeEncodeError): the text around
# them is converted, and they are kept as they are (the pipeline has made them U+FFFD already).
_SURROGATES = re.compile("([\ud800-\udfff]+)")


def convert_text(text: str, config: str = "t2s") -> str:
    r"""``text`` converted by OpenCC ``config`` (``t2s`` by default).

    >>> convert_text("國\ud800際")
    '国\ud800际'
    """
    if not isinstance(text, str):
        raise TypeError(f"convert_text needs a str, not {type(text).__name__}")
    converter = get_converter(config)
    if _SURROGATES.search(text) is None:
        return converter.convert(text)
    return "".join(part if i % 2 else converter.convert(part) for i, part in enumerate(_SURROGATES.split(text)))


@register_stage("convert")
class ConvertStage:
    """Convert ``doc.text`` with OpenCC (``config="t2s"`` by default), keeping offsets exact."""

    name = "convert"
    requires = ("text",)
    # the repaired text: t2s on mojibake (鍥介檯璐告槗 → 锲介台璐告槗) leaves characters whose
    # bytes are no longer the original's, so the repair stage, if any, must run first
    uses = ("repairs",)
    assigns = ("text", "meta.script_conversion")

    def __init__(self, config: str = "t2s"):
        get_converter(config)  # fail at construction on an unknown config
        self.config = config

    def __call__(self, doc: Doc) -> Doc:
        doc.apply_edits(conversion_edits(doc.text, self.config))
        doc.meta["script_conversion"] = self.config
        return doc

    def __repr__(self) -> str:
        return f"ConvertStage(config={self.config!r})"
