"""Invariants on random text: offsets slice to surfaces, mapping is consistent, JSON round-trips."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinese_news_nlp import BinaryInputError, Doc, load
from chinese_news_nlp.pipeline import DEFAULT_STAGES, registered_stages

# Simplified and traditional characters, phrases whose conversion changes length, Latin, digits,
# half- and full-width punctuation, whitespace, controls.
PIECES = st.sampled_from(
    list("国國际際发發展业業的在是了和经經济濟上海浙江大学實驗室")
    + [
        "部落格",
        "記憶體",
        "博客",
        "内存",
        "(yè)",
        "2023年",
        "1039亿元",
        "约60%",
        "HIAF",
        " ",
        "\n",
        "\t",
        "\x07",
        "\x00",
        "\x1b[0m",
        "\x85",
        "\ufffe",
    ]
    + list(",.!?:;()，。！？：；（）“”、—…")
)
TEXT = st.lists(PIECES, max_size=40).map("".join)

LIGHT = load(["convert", "segment"], convert={"config": "tw2sp"})
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(nlp, text: str) -> Doc:
    """``nlp(text)``, except that a text mostly of control characters is rejected as binary."""
    # (a CR is a line end, not junk: decode counts as decode._JUNK does)
    junk = len(re.findall("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe]", text))
    if junk > len(text) / 2:
        with pytest.raises(BinaryInputError):
            nlp(text)
        return nlp("")
    return nlp(text)


def _check_doc(doc: Doc) -> None:
    doc.check()
    last = (0, 0)
    for tok in doc.tokens:
        assert tok.text.strip() and not CONTROL.search(tok.text)
        # Raw spans are in order.  Two words cut out of one length-changing phrase (記憶體 → 内存,
        # cut 国内|存) both cover the whole phrase, so neighbours may share raw characters.
        assert tok.raw_start >= last[0] and tok.raw_end >= last[1]
        last = (tok.raw_start, tok.raw_end)
        ts, te = doc.to_text(tok.raw_start, tok.raw_end)
        assert ts <= tok.start and te >= tok.end  # mapping back and forth covers the span
    assert "".join(t.text for t in doc.tokens) == "".join(doc.text.split())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_convert_segment_offsets(text):
    _check_doc(run(LIGHT, text))


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_json_round_trip(text):
    doc = run(LIGHT, text)
    again = Doc.from_json(doc.to_json())
    assert again.to_dict() == doc.to_dict()
    for tok in doc.tokens:
        assert again.to_raw(tok.start, tok.end) == (tok.raw_start, tok.raw_end)


_FULL = None


def _full_pipeline():
    global _FULL
    if _FULL is None:
        _FULL = load([s for s in DEFAULT_STAGES if s in registered_stages()])
    return _FULL


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_default_pipeline_offsets(text):
    doc = run(_full_pipeline(), text)
    doc.check()
    for ent in doc.entities:
        assert 0 <= ent.raw_start <= ent.raw_end <= len(doc.raw)
        assert not CONTROL.search(ent.text)
    for fact in doc.facts:
        assert not CONTROL.search(fact.surface)
    for rep in doc.repairs:
        assert 0 <= rep.raw_start <= rep.raw_end <= len(doc.raw)
    Doc.from_json(doc.to_json()).check()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_lone_cr_line_ends_read_as_lf(text):
    """A page with lone CR line ends is the page with LF ones: same zones, entities, facts and
    repairs at the same offsets (the text keeps its CRs)."""
    nlp = _full_pipeline()
    text = text.replace("\r", "")
    lf, cr = run(nlp, text), run(nlp, text.replace("\n", "\r"))

    def view(doc):
        return (
            [(z.label, z.start, z.end) for z in doc.zones],
            {k: doc.meta.get(k) for k in ("title", "date", "source", "authors")},
            [(e.label, e.start, e.end) for e in doc.entities],
            [(f.start, f.end, f.value, f.unit, f.year, f.subject, f.metric) for f in doc.facts],
            [(r.start, r.end, r.cause, r.after) for r in doc.repairs],
            [(t.start, t.end) for t in doc.tokens],
        )

    assert view(cr) == view(lf)
    assert cr.text == lf.text.replace("\n", "\r")
