"""Number–unit–year facts: 投入24亿元, 同比增长26.7%, 超1100家, 到2025年建成10至15家.

:class:`FactStage` (registered as ``"facts"``) appends :class:`~chinese_news_nlp.doc.Fact`
records to ``doc.facts``; :func:`extract_facts` does the same for a plain string and
returns dicts with the fields of the gold facts.jsonl.

The work is split by question: :mod:`.numerals` (what number), :mod:`.detect`
(which spans are figures, their unit and qualifier), :mod:`.timeframe` (which
year), :mod:`.attach` (what was measured, whose).  Vocabularies are data files in
``chinese_news_nlp/data/facts/``.
"""

from __future__ import annotations

import bisect
from typing import Any

from ..doc import Doc, Fact
from ..pieces import LINE_BREAKS
from ..pipeline import register_stage
from .attach import metric_for, pair_respective_lists, subject_finder
from .detect import find_figures, normalize_for_scan
from .timeframe import MentionIndex, find_time_mentions, last_break_before, reference_year, resolve_year

FACT_FIELDS = (
    "surface", "value", "value_max", "unit", "kind", "qualifier", "year", "year_end", "time_surface",
    "metric", "subject", "start", "end", "raw_start", "raw_end",
)  # fmt: skip


def find_facts(text: str, date: str | None = None, entities: list | None = None) -> list[Fact]:
    """The facts of ``text`` (offsets on ``text``; raw offsets are left to the caller)."""
    if not text:
        return []
    norm = normalize_for_scan(text)
    figures = find_figures(norm)
    ref_year = reference_year(norm, date)
    mentions = find_time_mentions(norm, ref_year)
    index = MentionIndex.of(mentions)  # in order: find_time_mentions sorts them
    subject_of = subject_finder(norm, entities or [])
    entities = entities or []
    respective = pair_respective_lists(norm, [(f.start, f.end) for f in figures])
    facts: list[Fact] = []
    # The ends of the figures before this one, sorted: whether one ends in this figure's clause
    # is a bisection, not a pass over all of them (quadratic: 8,000 figures took 2.6 s for it).
    ends: list[int] = []
    for i, fig in enumerate(figures):
        clause_start = last_break_before(norm, fig.start, "，,；;。！？!?" + LINE_BREAKS) + 1
        at = bisect.bisect_left(ends, clause_start)
        earlier = at < len(ends) and ends[at] <= fig.start
        bisect.insort(ends, fig.end)
        year, year_end, time_surface = resolve_year(norm, mentions, fig.start, fig.end, earlier, index)
        subject = subject_of(fig.start)
        metric = respective.get(i) or metric_for(norm, fig.start, fig.end, fig.after_end, fig.kind, subject)
        # no full stop between the last fact and this one (a find between them: an rfind to the
        # text's start per figure was quadratic on a page without full stops)
        prev = facts[-1] if facts and norm.find("。", facts[-1].start, fig.start) < 0 else None
        if prev is not None and prev.metric:
            if metric is None:
                metric = prev.metric  # 达1039亿元，……首次突破千亿元: the same measure again
            elif metric.startswith(("同比", "比上年", "较上年", "环比", "增长", "增加", "年均")):
                metric = prev.metric + metric
        facts.append(
            Fact(
                surface=text[fig.start : fig.end],
                value=fig.value,
                unit=fig.unit,
                kind=fig.kind,
                start=fig.start,
                end=fig.end,
                value_max=fig.value_max,
                qualifier=fig.qualifier,
                year=year,
                year_end=year_end,
                time_surface=time_surface,
                metric=metric,
                subject=subject,
            )
        )
    return facts


@register_stage("facts")
class FactStage:
    """Append number–unit–year facts to ``doc.facts``.

    Uses ``doc.entities`` for subjects when the entity stage ran; the document
    date is ``doc.meta["date"]`` (the user's, else the page's dateline as the zones stage
    read it), else the page's date read the same way when the zones stage did not run.
    """

    name = "facts"
    requires = ("text",)
    uses = ("entities", "zones", "meta.date")  # subjects; the page's date as the zone stage read it
    assigns = ("facts",)

    def __init__(self) -> None:  # no options: load(facts={"x": 1}) is an error, not ignored
        pass

    def __call__(self, doc: Doc) -> Doc:
        date = doc.meta.get("date")
        if date is None and not doc.zones:  # the zones stage did not run: read the page's date the same way
            from ..zones import page_date

            date = page_date(doc.text)
        doc.facts.extend(find_facts(doc.text, date=date, entities=list(doc.entities)))
        # its own spans only: each stage maps what it writes (mapping every token again here
        # was a quarter of this stage's time on converted text), and the pipeline's last pass
        # maps whatever a user's stage left unmapped
        doc.fill_raw_offsets(["facts"])
        return doc


def extract_facts(text: str, date: str | None = None, **options: Any) -> list[dict]:
    """Facts of a plain string as dicts with the gold README fields (and offsets)."""
    if not isinstance(text, str):
        raise TypeError(f"extract_facts needs a str, not {type(text).__name__}")
    doc = Doc(raw=text, meta={"date": date} if date else {})
    FactStage(**options)(doc)
    return [{name: getattr(f, name) for name in FACT_FIELDS} for f in doc.facts]


__all__ = ["FactStage", "extract_facts", "find_facts"]
