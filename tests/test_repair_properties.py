"""Invariants of the repair stage, on generated text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinese_news_nlp.doc import Doc
from chinese_news_nlp.repair import RepairStage, fix_and_explain, repair_text

# Common characters of news text and full-width punctuation: clean Chinese.
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
PUNCT = "，。、；：？！“”（）《》"

clean_text = st.text(alphabet=COMMON + PUNCT + "0123456789", min_size=1, max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean_text)
def test_clean_cjk_text_unchanged(text: str) -> None:
    assert repair_text(text) == text


# Damaged text: clean text with pasted readings, folded punctuation and mojibake runs.
@st.composite
def damaged_text(draw) -> str:
    parts = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4]).flatmap(_piece), min_size=1, max_size=6))
    return "".join(parts)


def _piece(kind: int):
    word = st.text(alphabet=COMMON, min_size=2, max_size=6)
    if kind == 0:
        return word
    if kind == 1:
        return word.map(lambda w: w + "(yè)")
    if kind == 2:
        return word.map(lambda w: w + ",")
    if kind == 3:
        return word.map(lambda w: w.encode("utf-8").decode("gb18030", errors="replace"))
    return word.map(lambda w: w.encode("utf-8").decode("latin-1"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_text())
def test_idempotent(text: str) -> None:
    once = repair_text(text)
    assert repair_text(once) == once


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_text())
def test_repairs_slice_the_raw_text(text: str) -> None:
    doc = RepairStage()(Doc(raw=text))
    fixed, edits = fix_and_explain(text)
    assert doc.text == fixed
    assert len(doc.repairs) == len(edits)
    for r in doc.repairs:
        assert doc.raw[r.raw_start : r.raw_end] == r.before
        assert doc.text[r.start : r.end] == r.after
    doc.check()
