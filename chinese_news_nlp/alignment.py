"""Offsets that survive rewriting.

A rewriting stage describes its work as a list of :class:`Edit` objects on the
text it received.  :class:`Alignment` turns those edits into a monotone,
piecewise map between the old text and the new one, and alignments compose, so
a :class:`~chinese_news_nlp.doc.Doc` keeps a single map from ``text`` to ``raw``.

Only edits that change length are stored as runs: a same-length replacement
(``國`` → ``国``, ``,`` → ``，``) maps offsets one to one, which is finer than
any run could be.  Inside a run, an offset maps to the run's ends: a span
*start* to the run's start, a span *end* to the run's end, so a mapped span
always covers what its text came from.  An edit that knows its pieces (a
byte-shift reading: each restored character and the damaged characters
holding its bytes) is one run per piece; a damaged character holding the
last byte of one character and the first of the next is a *shared* run,
which a span ending before it and a span starting after it both cover.  At a
pure deletion a start maps past the deleted text and an end before it.  A
deletion *attached* to the character
before it (the pinyin reading ``(yè)`` of ``業``) goes with that character: a
span ending at ``業`` ends after the reading in the raw text (``浦東新區(qū)``, as
the gold README's surfaces have it), one starting after it starts after it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter
from typing import Callable, Iterable, Literal, NamedTuple, Sequence

Side = Literal["start", "end"]


class Edit(NamedTuple):
    """Replace ``text[start:end]`` by ``replacement``.

    ``cause`` set means the edit is a repair and is reported as such
    (``Doc.repairs``); ``confidence`` and ``recoverable`` ("full", "partial",
    "none") describe it, ``guessed`` says its replacement holds characters
    chosen where their bytes were lost.  ``attached`` marks a deletion of text
    that belongs to the character before it (that character's pinyin reading):
    the offset map counts it in that character's raw extent.  ``pieces``, when
    known, cut the edit into consecutive ``(old length, new length)`` pieces
    that map onto each other (a byte-shift reading: which damaged characters
    hold each restored character's bytes), so offsets inside the edit map to
    their piece, not to the whole edit; the edit is still one repair.  Offsets
    are on the text the stage received.
    """

    start: int
    end: int
    replacement: str
    cause: str | None = None
    confidence: float = 1.0
    recoverable: str | None = None
    guessed: bool = False
    attached: bool = False
    pieces: tuple[tuple[int, int], ...] | None = None


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return ``text`` with non-overlapping ``edits`` applied."""
    parts: list[str] = []
    pos = 0
    for edit in sorted_edits(edits):
        parts.append(text[pos : edit.start])
        parts.append(edit.replacement)
        pos = edit.end
    parts.append(text[pos:])
    return "".join(parts)


_BY_POSITION = itemgetter(0, 1)  # (start, end), read in C: repair sorts the edits of every fix it runs


def sorted_edits(edits: Iterable[Edit]) -> list[Edit]:
    """Sort edits by position and reject overlaps (they have no single meaning)."""
    ordered = sorted(edits, key=_BY_POSITION)
    last_end = -1
    for edit in ordered:
        if edit.start > edit.end or edit.start < 0:
            raise ValueError(f"malformed edit {edit!r}")
        if edit.start < last_end:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        last_end = edit.end
    return ordered


def _by_pieces(edits: list[Edit]) -> list[tuple[Edit, bool]]:
    """``edits`` with each edit that knows its :attr:`Edit.pieces` cut into them, each with
    whether it is *shared*: a piece with no new text between two with some, the damaged
    character holding the last byte of one character and the first of the next.  Pieces
    that do not add up to the edit are ignored: the edit maps whole."""
    out: list[tuple[Edit, bool]] = []
    for edit in edits:
        pieces = edit.pieces
        if (
            not pieces
            or len(pieces) == 1
            or sum(a for a, _ in pieces) != edit.end - edit.start
            or sum(b for _, b in pieces) != len(edit.replacement)
        ):
            out.append((edit, False))
            continue
        old = new = 0
        for k, (a, b) in enumerate(pieces):
            shared = a > 0 and b == 0 and 0 < k < len(pieces) - 1 and pieces[k - 1][1] > 0 and pieces[k + 1][1] > 0
            out.append((Edit(edit.start + old, edit.start + old + a, edit.replacement[new : new + b]), shared))
            old, new = old + a, new + b
    return out


_NOT_EMPTY = (0, 0).__ne__


def overlap_test(spans: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """``overlaps(start, end)``: whether ``[start, end)`` overlaps one of ``spans``, as
    ``any(s < end and start < e for s, e in spans)`` says, by a bisection.

    The spans starting before ``end`` are a prefix of them sorted by start; one of them
    overlaps exactly when the furthest end in that prefix is past ``start``.  Testing every
    span for every query was quadratic where both are many: the facts' figures against the
    blocked 《titles》 (4,000 of each: 0.7 s, growing 16× per 4×), a long line's short mojibake
    runs against its repairs (40,000 characters of UTF-8 read as GBK between spaces: 40
    million tests, 18 s of 19).

    >>> overlaps = overlap_test([(10, 12), (0, 5)])
    >>> overlaps(4, 6), overlaps(5, 10), overlaps(11, 11), overlaps(12, 20)
    (True, False, True, False)
    """
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(accumulate((e for _, e in ordered), max))  # reach[k]: the furthest end of ordered[: k + 1]

    def overlaps(start: int, end: int) -> bool:
        k = bisect_left(starts, end)  # ordered[:k]: the spans starting before end
        return k > 0 and reach[k - 1] > start

    return overlaps


def trim_pieces(pieces: Sequence[tuple[int, int]], head: int, tail: int) -> tuple[tuple[int, int], ...]:
    """``pieces`` of an edit whose first ``head`` and last ``tail`` characters, the same
    before and after, are trimmed off (on both sides).

    >>> trim_pieces([(2, 1), (1, 1), (1, 1)], 1, 1)
    ((1, 0), (1, 1))
    """
    if not head and not tail:  # nothing trimmed (nearly every repair): only the empty pieces go
        return tuple(filter(_NOT_EMPTY, pieces))
    old_len, new_len = sum(a for a, _ in pieces), sum(b for _, b in pieces)
    cuts, old, new = [(0, 0)], 0, 0
    for a, b in pieces:
        old, new = old + a, new + b
        cuts.append((old, new))
    clipped = [
        (min(max(o - head, 0), old_len - head - tail), min(max(n - head, 0), new_len - head - tail)) for o, n in cuts
    ]
    return tuple((o2 - o1, n2 - n1) for (o1, n1), (o2, n2) in zip(clipped, clipped[1:]) if (o2 - o1, n2 - n1) != (0, 0))


@dataclass(frozen=True)
class _Runs:
    """Parallel sorted lists of length-changing runs: [src_start, src_end) → [dst_start, dst_end)."""

    src_starts: tuple[int, ...]
    src_ends: tuple[int, ...]
    dst_starts: tuple[int, ...]
    dst_ends: tuple[int, ...]
    shared: frozenset[int] = frozenset()  # runs whose text both neighbours cover (Edit.pieces)

    def map(self, pos: int, side: Side) -> int:
        i = bisect_right(self.src_starts, pos) - 1
        if i < 0:
            return pos
        if i - 1 in self.shared and self.src_starts[i - 1] == pos:
            i -= 1  # at a shared run's place: the shared run decides
        s0, s1, d0, d1 = self.src_starts[i], self.src_ends[i], self.dst_starts[i], self.dst_ends[i]
        if pos == s0:
            if s0 == s1:  # pure deletion on the source side: nothing here maps inside
                if i in self.shared:  # but a shared character is covered from both sides
                    return d0 if side == "start" else d1
                return d1 if side == "start" else d0
            return d0
        if pos < s1:
            return d0 if side == "start" else d1
        return d1 + (pos - s1)


class Alignment:
    """Monotone map between an *old* text and a *new* text.

    ``to_old(pos, side)`` and ``to_new(pos, side)`` map a single offset;
    ``span_to_old`` / ``span_to_new`` map a ``(start, end)`` pair.
    """

    __slots__ = ("_new_to_old", "_old_to_new", "old_len", "new_len", "_steps", "_shared")

    def __init__(self, runs: Sequence[tuple[int, ...]] = (), old_len: int = 0, new_len: int = 0):
        """``runs`` are ``(old_start, old_end, new_start, new_end)`` sorted, non-adjacent; a fifth
        element, true, marks a *shared* run (empty on the new side, covered by the spans on
        both sides of it: :attr:`Edit.pieces`)."""
        runs = list(runs)
        self.old_len = old_len
        self.new_len = new_len
        self._steps: list[Alignment] | None = None
        self._old_to_new = _Runs(
            tuple(r[0] for r in runs), tuple(r[1] for r in runs), tuple(r[2] for r in runs), tuple(r[3] for r in runs)
        )
        # new → old: a shared run goes before the run that starts where it is (map looks back)
        back = sorted(runs, key=lambda r: (r[2], not (len(r) > 4 and r[4])))
        self._new_to_old = _Runs(
            tuple(r[2] for r in back),
            tuple(r[3] for r in back),
            tuple(r[0] for r in back),
            tuple(r[1] for r in back),
            frozenset(k for k, r in enumerate(back) if len(r) > 4 and r[4]),
        )
        self._shared = frozenset(k for k, r in enumerate(runs) if len(r) > 4 and r[4])

    # -- construction ------------------------------------------------------------
    @classmethod
    def identity(cls, length: int) -> Alignment:
        return cls((), length, length)

    @classmethod
    def from_edits(cls, old_text_len: int, edits: Sequence[Edit]) -> Alignment:
        """Build the map for ``apply_edits(old_text, edits)``."""
        runs: list[list[int]] = []
        shift = 0
        for edit, shared in _by_pieces(sorted_edits(edits)):
            new_start = edit.start + shift
            new_end = new_start + len(edit.replacement)
            shift += len(edit.replacement) - (edit.end - edit.start)
            if len(edit.replacement) == edit.end - edit.start:
                continue  # same length: offsets map one to one
            if shared:  # its own run, never merged: both neighbours' spans cover it
                runs.append([edit.start, edit.end, new_start, new_start, 1])
                continue
            if edit.attached and not edit.replacement and edit.start > (runs[-1][1] if runs else 0):
                # the character before and its deleted reading: one run, 區(qū) → 區
                runs.append([edit.start - 1, edit.end, new_start - 1, new_start])
                continue
            # Adjacent runs merge when either is empty on a side: a pure insertion or deletion next to a
            # replacement has no offsets of its own to map to.  Two real replacements stay apart.
            touching = runs and runs[-1][1] == edit.start and len(runs[-1]) == 4
            empty_side = touching and (
                runs[-1][0] == runs[-1][1]
                or runs[-1][2] == runs[-1][3]
                or edit.start == edit.end
                or not edit.replacement
            )
            if empty_side:
                runs[-1][1] = edit.end
                runs[-1][3] = new_end
            else:
                runs.append([edit.start, edit.end, new_start, new_end])
        return cls([tuple(r) for r in runs], old_text_len, old_text_len + shift)

    @classmethod
    def concat(cls, parts: Sequence[Alignment]) -> Alignment:
        """The alignment of texts laid end to end, each with its own alignment (a large
        document processed in pieces and stitched back: :mod:`chinese_news_nlp.pieces`).

        Pieces may have gone through different numbers of length-changing steps; a piece
        with fewer is padded with identity steps, which is exact because every step maps
        each piece's stretch onto the same piece's stretch of the next text.
        """
        steps = [[s for s in (p._steps or [p]) if s._old_to_new.src_starts] for p in parts]
        depth = max((len(s) for s in steps), default=0)
        old_len = sum(p.old_len for p in parts)
        if depth == 0:
            return cls.identity(old_len)
        out: Alignment | None = None
        for level in range(depth):
            runs: list[tuple[int, int, int, int]] = []
            old_off = new_off = 0
            for part, part_steps in zip(parts, steps):
                if level < len(part_steps):
                    step = part_steps[level]
                    runs.extend(
                        (r[0] + old_off, r[1] + old_off, r[2] + new_off, r[3] + new_off, *r[4:]) for r in step.runs()
                    )
                    old_off, new_off = old_off + step.old_len, new_off + step.new_len
                else:  # done rewriting: the piece's final text, unchanged by this step
                    old_off, new_off = old_off + part.new_len, new_off + part.new_len
            step_alignment = cls(runs, old_off, new_off)
            out = step_alignment if out is None else out.then(step_alignment)
        assert out is not None
        return out

    def then(self, later: Alignment) -> Alignment:
        """Compose: ``self`` maps A↔B, ``later`` maps B↔C; the result maps A↔C."""
        if later.old_len != self.new_len:
            raise ValueError("alignments do not chain: lengths differ")
        steps = (self._steps or [self]) + (later._steps or [later])
        steps = [s for s in steps if s._old_to_new.src_starts]  # identities add nothing
        if len(steps) == 1:
            return steps[0]
        out = Alignment((), self.old_len, later.new_len)
        out._steps = steps or None
        return out

    # -- mapping -------------------------------------------------------------------
    def to_old(self, pos: int, side: Side = "start") -> int:
        if not 0 <= pos <= self.new_len:
            raise IndexError(f"offset {pos} outside 0..{self.new_len}")
        if self._steps:
            for step in reversed(self._steps):
                pos = step._new_to_old.map(pos, side)
            return pos
        return self._new_to_old.map(pos, side)

    def to_new(self, pos: int, side: Side = "start") -> int:
        if not 0 <= pos <= self.old_len:
            raise IndexError(f"offset {pos} outside 0..{self.old_len}")
        if self._steps:
            for step in self._steps:
                pos = step._old_to_new.map(pos, side)
            return pos
        return self._old_to_new.map(pos, side)

    def span_to_old(self, start: int, end: int) -> tuple[int, int]:
        a, b = self.to_old(start, "start"), self.to_old(end, "end")
        return (a, max(a, b))

    def span_to_new(self, start: int, end: int) -> tuple[int, int]:
        a, b = self.to_new(start, "start"), self.to_new(end, "end")
        return (a, max(a, b))

    @property
    def is_identity(self) -> bool:
        return not self._steps and not self._old_to_new.src_starts

    @property
    def has_shared(self) -> bool:
        """Does a step hold a shared run (a character two spans side by side both cover)?"""
        return any(s._shared for s in (self._steps or [self]))

    # -- serialisation ---------------------------------------------------------------
    def runs(self) -> list[tuple[int, ...]]:
        """This step's runs ``(old_start, old_end, new_start, new_end)``; a composed alignment keeps them per step (``to_dict``)."""
        r = self._old_to_new
        runs = list(zip(r.src_starts, r.src_ends, r.dst_starts, r.dst_ends))
        return [(*run, 1) if k in self._shared else run for k, run in enumerate(runs)]

    def to_dict(self) -> dict:
        steps = self._steps or [self]
        return {
            "old_len": self.old_len,
            "new_len": self.new_len,
            "steps": [{"old_len": s.old_len, "new_len": s.new_len, "runs": [list(r) for r in s.runs()]} for s in steps],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Alignment:
        steps = [cls([tuple(r) for r in s["runs"]], s["old_len"], s["new_len"]) for s in data["steps"]]
        out = steps[0]
        for step in steps[1:]:
            out = out.then(step)
        return out

    def __repr__(self) -> str:
        n = sum(len(s.runs()) for s in (self._steps or [self]))
        return f"Alignment(old_len={self.old_len}, new_len={self.new_len}, runs={n})"
