"""Compose passes: each pass edits the text the previous one produced, the
result is one list of fine-grained edits on the original text.

A later edit that touches an earlier one is merged into it (the earlier cause,
the root damage, is kept); an edit on untouched text stays its own edit, so
offsets stay tight: one edit per damaged run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..alignment import Edit, sorted_edits

_RECOVERY_ORDER = {None: 0, "full": 1, "partial": 2, "none": 3}


@dataclass
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
        edits = sorted_edits(edits)
        if not edits:
            return
        segments = self._split_plain(sorted({p for e in edits for p in (e.start, e.end)}))
        bounds = []
        pos = 0
        for seg in segments:
            bounds.append((pos, pos + len(seg.text)))
            pos += len(seg.text)
        out: list[_Segment] = []
        i = 0
        for edit in edits:
            s, e = edit.start, edit.end
            if s == e:
                # an insertion: inside an edited segment it merges, else it is its own segment
                while i < len(segments) and (bounds[i][1] < s or (bounds[i][1] == s and not _inside(bounds[i], s))):
                    out.append(segments[i])
                    i += 1
                if i < len(segments) and bounds[i][0] < s < bounds[i][1]:
                    group = [i]
                else:
                    anchor = segments[i].orig_start if i < len(segments) else (out[-1].orig_end if out else 0)
                    out.append(_Segment(anchor, anchor, edit.replacement, edit))
                    continue
            else:
                while i < len(segments) and bounds[i][1] <= s:
                    out.append(segments[i])
                    i += 1
                group = []
                while i + len(group) < len(segments) and bounds[i + len(group)][0] < e:
                    group.append(i + len(group))
            g0, g1 = group[0], group[-1]
            head = segments[g0].text[: s - bounds[g0][0]]
            tail = segments[g1].text[e - bounds[g1][0] :] if e < bounds[g1][1] else ""
            earlier = [segments[k].edit for k in group if segments[k].edit is not None]
            out.append(
                _Segment(
                    segments[g0].orig_start,
                    segments[g1].orig_end,
                    head + edit.replacement + tail,
                    _merge(edit, earlier),
                )
            )
            i = g1 + 1
        out.extend(segments[i:])
        self._segments = out
        self.text = "".join(seg.text for seg in out)

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
            e = seg.edit
            out.append(Edit(seg.orig_start, seg.orig_end, seg.text, e.cause, e.confidence, e.recoverable))
        return out


def _inside(bound: tuple[int, int], pos: int) -> bool:
    return bound[0] < pos < bound[1]


def _merge(edit: Edit, earlier: list[Edit]) -> Edit:
    if not earlier:
        return edit
    root = earlier[0]
    recov = max([edit.recoverable, *(e.recoverable for e in earlier)], key=lambda r: _RECOVERY_ORDER.get(r, 0))
    conf = min([edit.confidence, *(e.confidence for e in earlier)])
    return Edit(edit.start, edit.end, edit.replacement, root.cause, conf, recov)
