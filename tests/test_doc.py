import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinese_news_nlp import Doc, Edit, Entity, Fact, Official, Token
from chinese_news_nlp.doc import json_text


def test_apply_edits_records_repairs_and_keeps_spans():
    doc = Doc(raw="產業(yè)發展,很好")
    doc.tokens = [Token("發展", 6, 8)]
    doc.apply_edits([Edit(2, 6, "", cause="pinyin-annotation"), Edit(8, 9, "，", cause="halfwidth-punctuation")])
    assert doc.text == "產業發展，很好"
    assert doc.raw == "產業(yè)發展,很好"
    assert doc.tokens[0].text == "發展" and (doc.tokens[0].start, doc.tokens[0].end) == (2, 4)
    assert (doc.tokens[0].raw_start, doc.tokens[0].raw_end) == (6, 8)
    first, second = doc.repairs
    assert (first.raw_start, first.raw_end, first.before, first.after) == (2, 6, "(yè)", "")
    assert (second.raw_start, second.before, second.after, second.start, second.end) == (8, ",", "，", 4, 5)
    doc.check()


def test_pinyin_repair_keeps_the_reading_with_its_character():
    # through the repair stage: 產業's raw span holds 業's reading, 發展's starts after it
    from chinese_news_nlp import load

    doc = load(["repair"])("產業(yè)發展,很好")
    assert doc.text.startswith("產業發展")
    assert doc.to_raw(0, 2) == (0, 6) and doc.raw[slice(*doc.to_raw(0, 2))] == "產業(yè)"
    assert doc.to_raw(2, 4) == (6, 8)
    first = doc.repairs[0]
    assert (first.raw_start, first.raw_end, first.before, first.after, first.start, first.end) == (
        2,
        6,
        "(yè)",
        "",
        2,
        2,
    )


def test_later_rewrite_moves_earlier_repairs():
    doc = Doc(raw="ab(x)cd")
    doc.apply_edits([Edit(2, 5, "", cause="pinyin-annotation")])
    doc.apply_edits([Edit(0, 0, "zz")])
    assert doc.text == "zzabcd"
    assert (doc.repairs[0].start, doc.repairs[0].end) == (4, 4)
    assert doc.to_raw(4, 6) == (5, 7)


def test_round_trip_through_json():
    doc = Doc(raw="蘇州(sū)將在2023年投入5億元", meta={"id": "d1", "date": "2024-01-02", "encoding": "utf-8"})
    doc.apply_edits([Edit(2, 6, "", cause="pinyin-annotation", confidence=0.99, recoverable="full")])
    doc.tokens = [Token("蘇州", 0, 2), Token("投入", 9, 11, pos="v")]
    doc.entities = [Entity("蘇州", "LOC", 0, 2, source="lac")]
    doc.officials = [Official("张三", "局长", "科技局", 0, 2)]
    doc.facts = [Fact("5億元", 5e8, "元", "money", 11, 14, year=2023, time_surface="2023年")]
    doc.fill_raw_offsets()
    doc.check()
    line = doc.to_json()
    again = Doc.from_json(line)
    assert again.to_dict() == json.loads(line)
    assert again.id == "d1" and again.date == "2024-01-02"
    assert again.to_raw(9, 11) == doc.to_raw(9, 11) == (13, 15)
    again.check()


def test_to_json_is_json_text_of_to_dict_whatever_a_span_holds():
    # to_json hands the encoder each span's own __dict__ where it is exactly the fields in
    # order: a span with an attribute of its own, or whose fields were deleted and set again
    # (so its __dict__ is out of field order), must still be written as to_dict writes it
    doc = Doc(raw="北京“引号”\\和\t控制", meta={"id": "d2"})
    extra = Token("北京", 0, 2)
    extra.note = "not a field"
    reordered = Entity("北京", "LOC", 0, 2, score=0.5)
    del reordered.text
    reordered.text = "北京"
    doc.tokens = [extra, Token("引号", 3, 5, pos="n")]
    doc.entities = [reordered, Entity("控制", "ORG", 8, 10, score=float("nan"))]
    doc.fill_raw_offsets()
    assert doc.to_json() == json_text(doc.to_dict())
    assert "note" not in doc.to_json()
    assert doc.to_json(raw=False, alignment=False) == json_text(doc.to_dict(raw=False, alignment=False))
    # compact JSON, characters as they are, the keys in field order; NaN (not JSON) as null
    line = doc.to_json(raw=False, alignment=False)
    assert '"text":"北京“引号”\\\\和\\t控制"' in line and ", " not in line
    assert '{"text":"北京","label":"LOC","start":0,"end":2,' in line
    expected = doc.to_dict(raw=False, alignment=False)
    expected["entities"][1]["score"] = None
    assert json.loads(line) == expected


def test_json_text_falls_back_to_the_standard_library_where_orjson_refuses():
    # orjson stops at 64-bit integers and lone surrogates; the standard library writes both
    assert json_text({"n": 2**70, "s": "\ud800"}) == '{"n":1180591620717411303424,"s":"\ud800"}'
    assert json.loads(json_text({"n": 2**70})) == {"n": 2**70}
    with pytest.raises(TypeError):  # what neither can write is still an error
        json_text({"x": object()})


def test_to_dict_without_raw():
    doc = Doc(raw="你好")
    assert "raw" not in doc.to_dict(raw=False)


# -- names and facts over guessed characters ------------------------------------------------
# Big5 bytes of traditional text read as GBK lose bytes: the repair guesses characters there.
_BIG5_AS_GBK = (
    "深圳市騰訊計算機系統有限公司董事長馬化騰在會上發言。浙江大學校長吳朝暉表示，2023年學校科研經費達到72億元。".encode(
        "big5"
    ).decode("gbk", errors="replace")
)


def _touches_a_guess(doc: Doc, start: int, end: int) -> bool:
    """The definition, span by span against every repair (Doc.fill_guessed searches by bisection)."""
    for r in doc.repairs:
        if r.guessed and ((r.start < end and start < r.end) or (r.start == r.end and start < r.start < end)):
            return True
    return "\ufffd" in doc.text[start:end]


@pytest.fixture(scope="module")
def damaged_doc() -> Doc:
    import chinese_news_nlp as cnn

    return cnn.load(["repair", "convert", "segment", "entities", "facts"])(_BIG5_AS_GBK)


def test_names_over_guessed_characters_say_so(damaged_doc: Doc) -> None:
    doc = damaged_doc
    assert any(r.guessed for r in doc.repairs)  # (the damage lost bytes: the repair guessed)
    spans = [(e, e.start, e.end) for e in doc.entities] + [(f, f.start, f.end) for f in doc.facts]
    assert [s.guessed for s, _, _ in spans] == [_touches_a_guess(doc, a, b) for _, a, b in spans]
    assert any(e.guessed for e in doc.entities) and not all(e.guessed for e in doc.entities)
    again = Doc.from_json(doc.to_json())
    assert [e.guessed for e in again.entities] == [e.guessed for e in doc.entities]


def test_clean_text_has_no_guessed_names() -> None:
    import chinese_news_nlp as cnn

    doc = cnn.load()("深圳市腾讯计算机系统有限公司董事长马化腾在会上发言，2023年营收达到6090亿元。")
    assert doc.entities and doc.facts
    assert not any(s.guessed for s in [*doc.entities, *doc.facts])


def test_guessed_follows_rewrites_after_annotation() -> None:
    """A user's own rewrite after the entity stage re-reads the flags where the spans moved."""
    from chinese_news_nlp.doc import Repair

    doc = Doc(raw="浙江大学的校长", text="浙江大学的校长")
    doc.repairs = [Repair(3, 4, "?", "学", "big5-as-gbk", 0.4, "partial", 3, 4, guessed=True)]
    doc.entities = [Entity("浙江大学", "EDU", 0, 4), Entity("校长", "TITLE", 5, 7)]
    doc.fill_raw_offsets()
    assert [e.guessed for e in doc.entities] == [True, False]
    doc.apply_edits([Edit(4, 5, "", "user-deletion")])  # 的 goes: 校长 moves next to the guess
    assert [(e.text, e.guessed) for e in doc.entities] == [("浙江大学", True), ("校长", False)]
    doc.apply_edits([Edit(4, 5, "\ufffd", "user-loss")])  # 校 lost in the user's own reading
    assert doc.entities[1].guessed


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_guessed_flags_match_their_definition(data):
    """Doc.fill_guessed's bisection against the definition, span by span, on guesses that do
    not overlap (points among them: characters left out) and spans anywhere."""
    from chinese_news_nlp.doc import Repair

    n = 30
    text = "".join(data.draw(st.lists(st.sampled_from("浙江大学\ufffd"), min_size=n, max_size=n)))
    doc = Doc(raw=text, text=text)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=12)))
    for a, b in zip(cuts[::2], cuts[1::2]):
        if not doc.repairs or doc.repairs[-1].end < a or (doc.repairs[-1].end == a and a < b):
            doc.repairs.append(
                Repair(a, b, "?", text[a:b], "x", 0.4, "partial", a, b, guessed=data.draw(st.booleans()))
            )
    for a, b in data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted), max_size=8)):
        if a < b:
            doc.entities.append(Entity(text[a:b], "ORG", a, b))
    doc.fill_guessed()
    assert [e.guessed for e in doc.entities] == [_touches_a_guess(doc, e.start, e.end) for e in doc.entities]
