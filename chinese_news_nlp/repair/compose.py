"""Compose passes: each pass edits the text the previous one produced, the
result is one list of fine-grained edits on the original text.

A later edit that touches an earlier one is merged into it (the earlier cause,
the root damage, is kept); later edits that touch the same earlier one are
merged together with it (``锟斤拷`` undone into one run, then two runs of
U+FFFD reported inside it); an edit on untouched text stays its own edit, so
offsets stay tight: one edit per damaged run.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..alignment import Edit, apply_edits, sorted_edits

_RECOVERY_ORDER = {None: 0, "full": 1, "partial": 2, "none": 3}


@dataclass(slots=True)
class _Segment:
    orig_start: int
    orig_end: int
    text: str
    edit: Edit | None = None  # the edit this segment is the output of


class EditLog:
    """The original text, the current text, and the edits between them."""

    def __init__(self, text: str):
        self.original = text
        self._segments = [_Segment(0, len(text), text)]
        self.text = text

    def apply(self, edits: list[Edit]) -> None:
        """Apply ``edits`` (offsets on :attr:`text`)."""
        if not edits:
            return  # (most fixes find nothing on a line: no sort)
        edits = sorted_edits(edits)
        if len(self._segments) == 1 and self._segments[0].edit is None:
            self._first(edits)
            return
        segments = self._split_plain(sorted({p for e in edits for p in (e.start, e.end)}))
        starts, ends = [], []
        pos = 0
        for seg in segments:
            starts.append(pos)
            pos += len(seg.text)
            ends.append(pos)
        # Each edit touches a range of segments [lo, hi) (empty for an insertion
        # between segments); edits whose ranges share a segment are one group.
        groups: list[tuple[int, int, list[Edit]]] = []
        for edit in edits:
            s, e = edit.start, edit.end
            if s < e:
                lo, hi = bisect_right(ends, s), bisect_left(starts, e)
            else:
                k = bisect_right(ends, s)  # the first segment ending after s
                lo, hi = (k, k + 1) if k < len(segments) and starts[k] < s else (k, k)
            if groups and lo < groups[-1][1] and hi > lo:
                g_lo, g_hi, members = groups[-1]
                groups[-1] = (g_lo, max(g_hi, hi), [*members, edit])
            else:
                groups.append((lo, hi, [edit]))
        out: list[_Segment] = []
        i = 0
        for lo, hi, members in groups:
            out.extend(segments[i:lo])
            i = max(i, lo)
            if hi == lo:  # an insertion between segments: its own segment
                anchor = segments[lo].orig_start if lo < len(segments) else (out[-1].orig_end if out else 0)
                for edit in members:
                    out.append(_Segment(anchor, anchor, edit.replacement, edit))
                continue
            base = starts[lo]
            joined = "".join(seg.text for seg in segments[lo:hi])
            shifted = [Edit(m.start - base, m.end - base, *m[2:]) for m in members]
            earlier = [seg.edit for seg in segments[lo:hi] if seg.edit is not None]
            out.append(
                _Segment(
                    segments[lo].orig_start,
                    segments[hi - 1].orig_end,
                    apply_edits(joined, shifted),
                    _merge(members, earlier),
                )
            )
            i = hi
        out.extend(segments[i:])
        self._segments = out
        self.text = "".join(seg.text for seg in out)

    def _first(self, edits: list[Edit]) -> None:
        """The first edits on the untouched text: each its own segment."""
        text = self.original
        out: list[_Segment] = []
        pos = 0
        for edit in edits:
            if edit.start > pos:
                out.append(_Segment(pos, edit.start, text[pos : edit.start]))
            out.append(_Segment(edit.start, edit.end, edit.replacement, edit))
            pos = edit.end
        if pos < len(text):
            out.append(_Segment(pos, len(text), text[pos:]))
        self._segments = out
        self.text = "".join(seg.text for seg in out)

    def untouched(self, start: int, end: int, causes: frozenset[str] | None = None) -> bool:
        """Is ``text[start:end]`` (offsets on :attr:`text`) outside every edit so
        far (of ``causes``, when given)?"""
        pos = 0
        for seg in self._segments:
            seg_end = pos + len(seg.text)
            if seg.edit is not None and pos < end and start < seg_end and (causes is None or seg.edit.cause in causes):
                return False
            if pos >= end:
                break
            pos = seg_end
        return True

    def _split_plain(self, cuts: list[int]) -> list[_Segment]:
        """Split untouched segments at ``cuts`` (offsets on the current text)."""
        result: list[_Segment] = []
        pos = 0
        k = 0
        for seg in self._segments:
            end = pos + len(seg.text)
            if seg.edit is not None:
                result.append(seg)
                pos = end
                continue
            start = pos
            while k < len(cuts) and cuts[k] <= start:
                k += 1
            while k < len(cuts) and cuts[k] < end:
                cut = cuts[k]
                n = cut - start
                result.append(_Segment(seg.orig_start, seg.orig_start + n, seg.text[:n]))
                seg = _Segment(seg.orig_start + n, seg.orig_end, seg.text[n:])
                start = cut
                k += 1
            result.append(seg)
            pos = end
        return [s for s in result if s.text or s.edit is not None or s.orig_end > s.orig_start]

    def edits(self) -> list[Edit]:
        """The edits on the original text that produce :attr:`text`."""
        out = []
        for seg in self._segments:
            if seg.edit is None:
                continue
            before = self.original[seg.orig_start : seg.orig_end]
            if before == seg.text:
                continue  # a later pass undid an earlier one
            out.append(Edit(seg.orig_start, seg.orig_end, seg.text, *seg.edit[3:]))
        return out


def _merge(edits: list[Edit], earlier: list[Edit]) -> Edit:
    """One edit standing for ``edits`` and the ``earlier`` ones they touch: the
    root cause, the lowest confidence, the worst recovery; guessed if any was."""
    every = [*earlier, *edits]
    if len(every) == 1:
        return every[0]
    recov = max((e.recoverable for e in every), key=lambda r: _RECOVERY_ORDER.get(r, 0))
    return Edit(
        edits[0].start,
        edits[-1].end,
        edits[0].replacement,
        every[0].cause,
        min(e.confidence for e in every),
        recov,
        any(e.guessed for e in every),
    )
