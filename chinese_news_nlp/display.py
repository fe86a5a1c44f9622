"""See a :class:`~chinese_news_nlp.doc.Doc` at a glance: HTML for notebooks and browsers.

``render(doc)`` returns an HTML fragment (``Doc._repr_html_`` uses it, so a Doc
shows itself in Jupyter) with three layers over the current text:

- entities highlighted by label, with a legend of colours
  (``<mark class="cnnlp-ent" data-label="LAB">``);
- facts underlined, their value, unit, kind, qualifier and year in the tooltip
  (``<span class="cnnlp-fact" data-kind="money" ...>``);
- repairs shown as before → after (``<del>鄙虾H</del>→<ins>上海國際</ins>``);
- page zones, once the zones stage ran: the article's own lines (title, meta, heading, body)
  as they are, with a coloured rule at the left; lists of other articles and site furniture
  (``related``, ``boilerplate``) muted, so that an entity there reads as not this article's
  (``<span class="cnnlp-zone" data-zone="related">``), with a legend of zones.

``style`` picks the layers: ``"all"`` (the default), ``"entities"``,
``"facts"``, ``"repairs"`` or ``"zones"``.  ``save_html`` writes a standalone page.

Readable on light and dark themes: every colour is a hue at low opacity over
the page's own background, and text keeps the theme's colour (``color:
inherit``, ``currentColor``).  The colours are inline styles, so they survive
renderers that drop ``<style>`` blocks (the ``<style>`` block only picks a CJK
font).  Each entity ends with a small label tag that cannot be selected, so
copied text stays the document's.  All text and attribute values are HTML-escaped.

Spans may nest (an entity inside a repaired run) or cross (a fact straddling an
entity's end); a crossing span is closed and reopened around the boundary, and
fragments after the first carry ``data-cont`` (so the first counts as the mark),
all but the last carry ``data-more`` (the label tag ends the last), and all
share a ``data-span`` number.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Union

from .doc import ARTICLE_ZONES, ENTITY_LABELS, ZONE_LABELS, Doc, Entity, Fact, Repair, Zone

STYLES = ("all", "entities", "facts", "repairs", "zones")

_COLOURS_FILE = Path(__file__).parent / "data" / "display" / "colours.tsv"
_FALLBACK_RGB = (128, 128, 128)  # a label missing from the colour table

# Opacity of the hue over the page background: enough to tell labels apart on
# white and on a dark theme, little enough that black or white text stays readable.
_ENTITY_ALPHA = 0.28
_REPAIR_ALPHA = 0.22


@dataclass(frozen=True)
class Swatch:
    """A row of ``data/display/colours.tsv``."""

    name: str
    rgb: tuple[int, int, int]
    legend: str

    def rgba(self, alpha: float) -> str:
        r, g, b = self.rgb
        return f"rgba({r}, {g}, {b}, {alpha})"


@lru_cache(maxsize=1)
def colour_table() -> dict[str, Swatch]:
    """The colour of each entity label and layer, read from the data table."""
    table: dict[str, Swatch] = {}
    header_seen = False
    for line in _COLOURS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, rgb, legend = line.split("\t")
        if not header_seen:  # the column names
            header_seen = True
            continue
        r, g, b = (int(x) for x in rgb.split(","))
        table[name] = Swatch(name, (r, g, b), legend)
    return table


def swatch(name: str) -> Swatch:
    return colour_table().get(name) or Swatch(name, _FALLBACK_RGB, name)


# -- public API -----------------------------------------------------------------------
def render(doc: Doc, style: str = "all", max_chars: int | None = None) -> str:
    """HTML of ``doc`` with the layers chosen by ``style`` (see :data:`STYLES`).

    ``max_chars`` shows only the beginning of a long text (the header still
    counts everything).
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    text = doc.text or ""
    hidden = 0
    if max_chars is not None and 0 <= max_chars < len(text):
        hidden = len(text) - max_chars
        text = text[:max_chars]
    show_entities = style in ("all", "entities")
    show_facts = style in ("all", "facts")
    show_repairs = style in ("all", "repairs")
    show_zones = style in ("all", "zones") and bool(doc.zones)
    spans: list[_Span] = []
    if show_zones:
        spans += [_zone_span(z) for z in doc.zones]
    if show_repairs:
        spans += [_repair_span(r) for r in doc.repairs]
    if show_entities:
        spans += [_entity_span(e) for e in doc.entities]
    if show_facts:
        spans += [_fact_span(f) for f in doc.facts]
    body = _nest(text, [s for s in (_clip(s, len(text)) for s in spans) if s is not None])
    parts = [
        '<div class="cnnlp">',
        _CSS,
        _header(doc),
        _zone_legend(doc) if show_zones else "",
        _legend(doc, show_entities, show_facts, show_repairs),
        f'<div class="cnnlp-text" style="white-space: pre-wrap; line-height: 2.1;">{body}</div>',
        f'<div class="cnnlp-more" style="opacity: 0.6; font-size: 0.85em;">… {hidden} more characters</div>'
        if hidden
        else "",
        "</div>",
    ]
    return "\n".join(p for p in parts if p)


HtmlSource = Union[Doc, str]


def save_html(doc_or_html: HtmlSource, path: str | Path, style: str = "all", title: str | None = None) -> Path:
    """Write a standalone HTML page of a Doc (rendered with ``style``) or of an HTML fragment.

    The page follows the reader's light or dark preference (``color-scheme``).
    """
    if isinstance(doc_or_html, Doc):
        fragment = render(doc_or_html, style=style)
        title = title or doc_or_html.id or "chinese-news-nlp document"
    elif isinstance(doc_or_html, str):
        fragment = doc_or_html
        title = title or "chinese-news-nlp document"
    else:
        raise TypeError(f"save_html takes a Doc or an HTML string, not {type(doc_or_html).__name__}")
    page = _PAGE.format(title=html.escape(title), body=fragment)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path


# -- spans to nested HTML -------------------------------------------------------------
@dataclass
class _Span:
    start: int
    end: int
    rank: int  # at equal extent: lower rank is outer (repair, then entity, then fact)
    open_html: str  # the first (or only) fragment's opening
    cont_html: str  # the opening of a fragment after a split
    close_html: str
    split_close_html: str = ""  # closes a fragment that is not the last (default: close_html)


def _clip(span: _Span, length: int) -> _Span | None:
    """Spans from a bad Doc are clipped to the text, never a crash."""
    if span.start > span.end or span.start > length:
        return None
    start, end = max(0, min(span.start, length)), max(0, min(span.end, length))
    if start == end and span.end > span.start:  # nothing of it is left in the text
        return None
    if start == end and span.rank != 0:  # only repairs are shown at a point (deleted text)
        return None
    span.start, span.end = start, end
    return span


def _nest(text: str, spans: list[_Span]) -> str:
    """Escape ``text`` and wrap ``spans`` around their ranges as well-nested tags."""
    starts: dict[int, list[_Span]] = {}
    points: dict[int, list[_Span]] = {}
    for span in spans:
        (points if span.start == span.end else starts).setdefault(span.start, []).append(span)
    for group in starts.values():
        group.sort(key=lambda s: (-s.end, s.rank))
    ends = {s.end for s in spans}
    out: list[str] = []
    stack: list[_Span] = []
    opened_at: dict[int, int] = {}  # id(span) -> index in out of its latest opening
    split_ids: dict[int, int] = {}  # id(span) -> number shared by its fragments
    pos = 0
    for here in sorted(set(starts) | set(points) | ends):
        out.append(html.escape(text[pos:here]))
        pos = here
        if any(s.end == here for s in stack):
            # Close every open span down to the deepest one ending here; spans
            # above it that go on are reopened as continuation fragments.
            reopen: list[_Span] = []
            while any(s.end == here for s in stack):
                span = stack.pop()
                goes_on = span.end != here
                out.append(span.split_close_html if goes_on and span.split_close_html else span.close_html)
                if span.end != here:
                    reopen.append(span)
            for span in reversed(reopen):
                # The fragment just closed is not the last (its label tag waits for
                # the end); all fragments of a span share a data-span number.
                key = id(span)
                if key not in split_ids:
                    split_ids[key] = len(split_ids)
                tag = f'data-span="{split_ids[key]}"'
                out[opened_at[key]] = _with_attr(out[opened_at[key]], f'data-more="1" {tag}')
                opened_at[key] = len(out)
                out.append(_with_attr(span.cont_html, tag))
                stack.append(span)
        for span in points.get(here, ()):
            out.append(span.open_html + span.close_html)
        for span in starts.get(here, ()):
            opened_at[id(span)] = len(out)
            out.append(span.open_html)
            stack.append(span)
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _with_attr(tag_html: str, attr: str) -> str:
    """Add ``attr`` to the first tag of ``tag_html`` (``<mark ...>`` → ``<mark attr ...>``)."""
    name_end = tag_html.index(" ") if " " in tag_html.split(">", 1)[0] else tag_html.index(">")
    return f"{tag_html[:name_end]} {attr}{tag_html[name_end:]}"


def _attrs(**values: object) -> str:
    """``key="value"`` pairs, escaped; ``data_label`` becomes ``data-label``, ``class_`` ``class``; None is left out."""
    return "".join(
        f' {key.rstrip("_").replace("_", "-")}="{html.escape(str(value), quote=True)}"'
        for key, value in values.items()
        if value is not None
    )


_MUTED_OPACITY = 0.5


def _zone_style(label: str) -> str:
    r, g, b = swatch(f"zone.{label}").rgb
    style = f"border-left: 3px solid rgba({r}, {g}, {b}, 0.6); padding-left: 0.4em;"
    if label not in ARTICLE_ZONES:
        style += f" opacity: {_MUTED_OPACITY};"
    if label in ("title", "heading"):
        style += " font-weight: 600;"
    if label == "meta":
        style += " font-size: 0.9em;"
    return style


def _zone_span(zone: Zone) -> _Span:
    tip = f"zone: {zone.label} · {swatch('zone.' + zone.label).legend}"
    if zone.repeat_of is not None:
        tip += f" · repeats line {zone.repeat_of + 1} of the zones"
    common = dict(class_="cnnlp-zone", data_zone=zone.label, title=tip, style=_zone_style(zone.label))
    return _Span(
        zone.start,
        zone.end,
        -1,
        f"<span{_attrs(**common)}>",
        f"<span{_attrs(**common, data_cont='1')}>",
        "</span>",
    )


def _zone_legend(doc: Doc) -> str:
    """Zones with their line counts, and how many entities and facts lie outside the article."""
    counts = Counter(z.label for z in doc.zones)
    chips = []
    for label in [z for z in ZONE_LABELS if z in counts]:
        sw = swatch(f"zone.{label}")
        chips.append(
            f'<span class="cnnlp-chip"{_attrs(data_zone=label, title=sw.legend)} style="{_zone_style(label)} margin-right: 0.6em;">'
            f"{html.escape(label)} <small>{counts[label]}</small></span>"
        )
    outside = sum(1 for x in (*doc.entities, *doc.facts) if x.zone is not None and x.zone not in ARTICLE_ZONES)
    note = (
        '<span class="cnnlp-zone-note" style="opacity: 0.75;">muted: not this article'
        + (f" ({outside} entities and facts there)" if outside else "")
        + "</span>"
    )
    return (
        '<div class="cnnlp-legend cnnlp-zones" style="font-size: 0.85em; margin-bottom: 0.3em; line-height: 1.9;">'
        f"{''.join(chips)}{note}</div>"
    )


def _entity_span(ent: Entity) -> _Span:
    sw = swatch(ent.label)
    style = f"background: {sw.rgba(_ENTITY_ALPHA)}; color: inherit; border-radius: 0.3em; padding: 0.1em 0.15em;"
    tip = f"{ent.label} · {sw.legend}" + (f" · {ent.source}" if ent.source else "")
    if ent.guessed:  # read across characters guessed (or lost) where bytes were lost
        tip += " · holds guessed characters"
    common = dict(
        class_="cnnlp-ent", data_label=ent.label, data_guessed="1" if ent.guessed else None, title=tip, style=style
    )
    return _Span(
        ent.start,
        ent.end,
        1,
        f"<mark{_attrs(**common, data_source=ent.source)}>",
        f"<mark{_attrs(**common, data_cont='1')}>",
        f"{_label_tag(ent.label)}</mark>",
        "</mark>",
    )


def _label_tag(label: str) -> str:
    """The small label ending an entity: a real element, so it shows where ``<style>`` is
    stripped (notebooks on code hosts), but unselectable, so copied text stays the document's."""
    style = (
        "font-size: 0.6em; font-weight: 600; margin-left: 0.25em; vertical-align: 0.15em; "
        "opacity: 0.75; user-select: none; -webkit-user-select: none;"
    )
    return f'<span class="cnnlp-tag" aria-hidden="true" style="{style}">{html.escape(label)}</span>'


def _fact_span(fact: Fact) -> _Span:
    sw = swatch("fact")
    r, g, b = sw.rgb
    style = (
        "text-decoration-line: underline; text-decoration-style: solid; text-decoration-thickness: 2px; "
        f"text-underline-offset: 0.3em; text-decoration-color: rgb({r}, {g}, {b}); cursor: help;"
    )
    common = dict(
        class_="cnnlp-fact",
        data_kind=fact.kind,
        data_value=_plain_number(fact.value),
        data_unit=fact.unit,
        data_year=fact.year,
        title=fact_tooltip(fact),
        style=style,
    )
    return _Span(
        fact.start,
        fact.end,
        2,
        f"<span{_attrs(**common)}>",
        f"<span{_attrs(**common, data_cont='1')}>",
        "</span>",
    )


def _repair_span(rep: Repair) -> _Span:
    before_sw, after_sw = swatch("repair.before"), swatch("repair.after")
    tip = f"{rep.cause} · confidence {rep.confidence:.2f}"
    if rep.guessed:  # its bytes were lost: the characters shown are a guess, not a recovery
        tip += " · guessed (bytes lost)"
    if rep.recoverable:
        tip += f" · recoverable: {rep.recoverable}"
    tip += f"\n{rep.before or '∅'} → {rep.after or '∅'}"
    outer = _attrs(
        class_="cnnlp-rep",
        data_cause=rep.cause,
        data_confidence=f"{rep.confidence:.2f}",
        data_guessed="1" if rep.guessed else None,
        title=tip,
    )
    del_style = f"background: {before_sw.rgba(_REPAIR_ALPHA)}; color: inherit; text-decoration: line-through;"
    ins_style = f"background: {after_sw.rgba(_REPAIR_ALPHA)}; color: inherit; text-decoration: none;"
    if rep.guessed:  # a guess reads as one: dashed underline, not the plain inserted text
        ins_style += " border-bottom: 1px dashed currentColor; font-style: italic;"
    before = f'<del class="cnnlp-before" style="{del_style}">{html.escape(rep.before)}</del>' if rep.before else ""
    arrow = '<span class="cnnlp-arrow" style="opacity: 0.6;">→</span>' if rep.before else ""
    ins_open = f'<ins class="cnnlp-after" style="{ins_style}">'
    if rep.start == rep.end:  # a deletion (after is empty) or an insertion not in the text any more
        return _Span(rep.start, rep.end, 0, f"<span{outer}>{before}", "", f"{_empty_after(rep, ins_style)}</span>")
    return _Span(
        rep.start,
        rep.end,
        0,
        f"<span{outer}>{before}{arrow}{ins_open}",
        f"<span{_attrs(class_='cnnlp-rep', data_cause=rep.cause, data_cont='1', title=tip)}>{ins_open}",
        "</ins></span>",
    )


def _empty_after(rep: Repair, ins_style: str) -> str:
    if rep.after:  # inserted, but a later rewrite removed it again
        return f'<ins class="cnnlp-after" style="{ins_style}">{html.escape(rep.after)}</ins>'
    return ""


# -- tooltips, header, legend -----------------------------------------------------------
def _plain_number(value: float | None) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return f"{value:.15g}"


def format_value(value: float | None) -> str:
    """A value as an analyst reads it: ``103,900,000,000`` (and ``1039亿`` beside it when large)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    if float(value).is_integer():
        plain = f"{int(value):,}"
    else:
        plain = f"{value:,.6g}"
    for size, name in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size:
            return f"{plain} ({value / size:.6g}{name})"
    return plain


def fact_tooltip(fact: Fact) -> str:
    """One line per field worth reading: value, kind, year, metric, subject."""
    value = format_value(fact.value)
    if fact.value_max is not None:
        value += f" – {format_value(fact.value_max)}"
    lines = [f"{value} {fact.unit or ''}".rstrip(), f"{fact.kind} · {fact.qualifier}"]
    if fact.year is not None:
        years = f"{fact.year}–{fact.year_end}" if fact.year_end else str(fact.year)
        lines.append(f"year {years}" + (f" ({fact.time_surface})" if fact.time_surface else ""))
    if fact.metric:
        lines.append(f"metric: {fact.metric}")
    if fact.subject:
        lines.append(f"subject: {fact.subject}")
    if fact.guessed:
        lines.append("holds guessed characters (bytes lost)")
    return "\n".join(lines)


def _header(doc: Doc) -> str:
    bits = [f"<b>{html.escape(str(doc.id))}</b>" if doc.id else ""]
    if doc.meta.get("title"):
        bits.append(f"《{html.escape(str(doc.meta['title']))}》")
    if doc.date:
        bits.append(html.escape(str(doc.date)))
    bits.append(f"{len(doc.text or '')} chars")
    counts = (("entities", doc.entities), ("facts", doc.facts), ("officials", doc.officials), ("repairs", doc.repairs))
    bits += [f"{len(items)} {name}" for name, items in counts]
    head = f'<div class="cnnlp-head" style="opacity: 0.8; font-size: 0.85em; margin-bottom: 0.3em;">{" · ".join(b for b in bits if b)}</div>'
    if doc.error:
        err = " · ".join(f"{k}: {v}" for k, v in doc.error.items() if k in ("stage", "type", "message"))
        head += (
            '<div class="cnnlp-error" style="border-left: 3px solid rgb(229, 57, 53); padding-left: 0.5em; margin: 0.3em 0;">'
            f"error — {html.escape(err)}</div>"
        )
    return head


def _legend(doc: Doc, entities: bool, facts: bool, repairs: bool) -> str:
    chips: list[str] = []
    if entities:
        counts = Counter(e.label for e in doc.entities)
        labels = [lab for lab in ENTITY_LABELS if lab in counts] + sorted(set(counts) - set(ENTITY_LABELS))
        for label in labels:
            sw = swatch(label)
            chips.append(
                f'<span class="cnnlp-chip"{_attrs(data_label=label, title=sw.legend)} '
                f'style="background: {sw.rgba(_ENTITY_ALPHA)}; border-radius: 0.3em; padding: 0.05em 0.4em; margin-right: 0.4em;">'
                f"{html.escape(label)} <small>{counts[label]}</small></span>"
            )
    if facts and doc.facts:
        r, g, b = swatch("fact").rgb
        chips.append(
            f'<span class="cnnlp-chip" data-layer="fact" title="{html.escape(swatch("fact").legend)}" '
            f'style="text-decoration: underline 2px rgb({r}, {g}, {b}); text-underline-offset: 0.3em; margin-right: 0.4em;">'
            f"fact <small>{len(doc.facts)}</small></span>"
        )
    if repairs and doc.repairs:
        b_sw, a_sw = swatch("repair.before"), swatch("repair.after")
        chips.append(
            '<span class="cnnlp-chip" data-layer="repair" style="margin-right: 0.4em;">'
            f'<del style="background: {b_sw.rgba(_REPAIR_ALPHA)}; color: inherit;">before</del>→'
            f'<ins style="background: {a_sw.rgba(_REPAIR_ALPHA)}; color: inherit; text-decoration: none;">after</ins>'
            f" <small>{len(doc.repairs)}</small></span>"
        )
        by_cause = Counter(r.cause for r in doc.repairs).most_common()
        chips.append(
            '<span class="cnnlp-causes" style="opacity: 0.75;">'
            + " · ".join(f"{html.escape(str(cause))} {n}" for cause, n in by_cause)
            + "</span>"
        )
    if not chips:
        return ""
    return f'<div class="cnnlp-legend" style="font-size: 0.85em; margin-bottom: 0.5em; line-height: 1.9;">{"".join(chips)}</div>'


_CSS = """<style>
.cnnlp { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
.cnnlp .cnnlp-rep del, .cnnlp .cnnlp-rep ins { border-radius: 0.2em; padding: 0 0.1em; }
</style>"""

_PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<style>
body {{ background: Canvas; color: CanvasText; max-width: 52em; margin: 2em auto; padding: 0 1em; font-size: 17px; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def render_many(docs: Iterable[Doc], style: str = "all") -> str:
    """One HTML fragment for several documents, separated by rules."""
    return '\n<hr style="opacity: 0.3;">\n'.join(render(d, style=style) for d in docs)


__all__ = ["STYLES", "colour_table", "fact_tooltip", "format_value", "render", "render_many", "save_html"]
