"""The entity stage: engines and their registry, label mappings, the conflict policy,
refinement steps, user candidates, officials linking (a pure function over spans)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chinese_news_nlp
from chinese_news_nlp.doc import Doc, Entity
from chinese_news_nlp.entities import (
    Analysis,
    Candidate,
    EntityStage,
    extract_entities,
    extract_officials,
    map_hanlp_tag,
    register_engine,
)
from chinese_news_nlp.entities.officials import link_officials, to_official
from chinese_news_nlp.entities.policy import merge_same_spans, resolve
from chinese_news_nlp.entities.refine import lab_edu_by_head, photo_credit
from chinese_news_nlp.entities.rules import Span, Tok


def labels(text: str, **options) -> list[tuple[str, str]]:
    return [(e["text"], e["label"]) for e in extract_entities(text, **options)]


# -- the trained model through the stage ---------------------------------------------------


def test_model_engine_finds_fine_labels():
    found = labels("华为公司董事长任正非在深圳接受了新华社记者的采访。")
    assert ("任正非", "PERSON") in found
    assert ("董事长", "TITLE") in found
    assert ("深圳", "LOC") in found
    assert any(label == "COMPANY" and "华为" in text for text, label in found)


def test_entities_carry_their_probability_and_source():
    (person,) = [e for e in extract_entities("记者王建国报道。") if e["label"] == "PERSON"]
    assert 0.0 < person["score"] <= 1.0
    assert person["source"].startswith("model:")


def test_pipe_equals_call():
    stage = EntityStage()
    texts = ["杭州市科技局副局长王建国说。", "", "南京大学教授王志刚在北京讲学。"]
    piped = list(stage.pipe([Doc(raw=t) for t in texts]))
    single = [stage(Doc(raw=t)) for t in texts]
    assert [d.entities for d in piped] == [d.entities for d in single]
    assert piped[1].entities == [] and piped[1].officials == []


def test_traditional_text_through_the_pipeline_conversion():
    nlp = chinese_news_nlp.load(["convert", "entities"])
    raw = "杭州市科技局副局長王建國說，浙江大學將加大投入。"
    doc = nlp(raw)
    doc.check()
    edu = next(e for e in doc.entities if e.label == "EDU")
    assert raw[edu.raw_start : edu.raw_end] == "浙江大學"  # raw offsets point at the original
    assert ("王建国", "副局长") in {(o.person, o.title) for o in doc.officials}


def test_after_segmentation_each_entity_is_one_token():
    nlp = chinese_news_nlp.load(["convert", "segment", "entities"])
    doc = nlp("西溪实验室主任、南京大学党委副书记张明华表示，杭州市科技局将加大投入。")
    doc.check()
    tokens = {(t.start, t.end) for t in doc.tokens}
    assert doc.entities and all((e.start, e.end) in tokens for e in doc.entities)


def test_extract_entities_rejects_non_text():
    with pytest.raises(TypeError):
        extract_entities(b"\xe4\xb8\xad")  # type: ignore[arg-type]


def test_control_characters_are_never_part_of_an_entity():
    text = "".join(map(chr, range(1, 32))) * 10 + "张明华在北京\x07工作"
    for e in extract_entities(text):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in e["text"])


def test_a_name_is_written_in_some_script():
    """Emoji are no name: the model, which never saw them, took a family for a PERSON."""
    assert [e["text"] for e in extract_entities("👨\u200d👩\u200d👧一家，点赞😀😀，记者王明")] == ["记者", "王明"]


@settings(max_examples=25, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("王张李建国明华说记者主任局长大学公司实验室研究院（）()，、。 \n\x01"), max_size=60
    )
)
def test_spans_slice_to_their_text(text):
    doc = EntityStage()(Doc(raw=text))
    doc.check()
    for e in doc.entities:
        assert e.text == text[e.start : e.end] and e.text == e.text.strip()
    for official in doc.officials:
        assert "".join(text[official.person_start : official.person_end].split()) == official.person


# -- engines and their registry ------------------------------------------------------------


def test_unknown_engine_policy_or_step_is_an_error_at_construction():
    with pytest.raises(ValueError, match="unknown entity engine"):
        EntityStage(engine="spacy")
    with pytest.raises(ValueError, match="model="):
        EntityStage(engine="hanlp")
    with pytest.raises(ValueError, match="unknown conflict policy"):
        EntityStage(policy="random")
    with pytest.raises(ValueError, match="unknown refinement step"):
        EntityStage(refine=["guess-more"])


def test_a_registered_engine_is_used_by_the_stage():
    @register_engine("test-fixed")
    class FixedEngine:
        name = "test-fixed"

        def analyze(self, paragraphs):
            return [Analysis([], [Candidate(off, off + 2, "PERSON", 0.9, "fixed")]) for off, _ in paragraphs]

    doc = EntityStage(engine="test-fixed")(Doc(raw="张三说\n李四说"))
    assert [(e.text, e.label, e.source) for e in doc.entities] == [
        ("张三", "PERSON", "fixed"),
        ("李四", "PERSON", "fixed"),
    ]


def test_lac_rules_engine_is_the_earlier_behaviour():
    found = labels("杭州市科技局副局长王建国说，今年将加大投入。", engine="lac-rules")
    assert ("杭州市科技局", "GOV") in found and ("副局长", "TITLE") in found and ("王建国", "PERSON") in found


@pytest.mark.parametrize(
    "tag, tagset, label",
    [
        ("NR", "msra", "PERSON"),
        ("NS", "msra", "LOC"),
        ("B-NT", "msra", "ORG"),
        ("DATE", "msra", None),
        ("GPE", "ontonotes", "LOC"),
        ("FAC", "ontonotes", "LOC"),
        ("NORP", "ontonotes", None),
        ("nr", "pku", "PERSON"),
        ("nt", "pku", "ORG"),
        # fine tag sets keep their detail instead of collapsing to ORG
        ("company", "cluener", "COMPANY"),
        ("B-government", None, "GOV"),
        ("position", None, "TITLE"),
        ("LAB", None, "LAB"),
    ],
)
def test_hanlp_tag_mapping(tag, tagset, label):
    assert map_hanlp_tag(tag, tagset) == label


# -- conflict policy -------------------------------------------------------------------


def test_score_policy_takes_the_more_probable_span_not_the_longest():
    long_ = Candidate(0, 6, "ORG", 0.40, "model:coarse")
    short = Candidate(0, 2, "LOC", 0.95, "model:fine")
    assert resolve([long_, short], "score") == [short]
    assert resolve([long_, short], "longest") == [long_]


def test_the_fine_label_wins_on_a_span_both_heads_found():
    coarse = Candidate(0, 4, "ORG", 0.97, "model:coarse")
    fine = Candidate(0, 4, "COMPANY", 0.80, "model:fine")
    (merged,) = merge_same_spans([coarse, fine])
    assert (merged.label, merged.score) == ("COMPANY", 0.97)
    # a fine label that does not refine the coarse one is just another candidate
    other = Candidate(0, 4, "WORK", 0.5, "model:fine")
    assert merge_same_spans([coarse, other])[0].label == "ORG"


def test_user_spans_win_over_the_model():
    user = Candidate(2, 4, "COMPANY", 0.1, "gazetteer")
    model = Candidate(0, 6, "ORG", 0.99, "model:fine")
    assert resolve([model, user], "score") == [user]


def test_user_gazetteer_names_are_candidates(tmp_path):
    path = tmp_path / "names.tsv"
    path.write_text("# my names\n青禾智联\tCOMPANY\n", encoding="utf-8")
    found = labels("青禾智联与星河研究会签署协议。", gazetteers=[str(path), {"星河研究会": "ORG"}])
    assert ("青禾智联", "COMPANY") in found and ("星河研究会", "ORG") in found
    with pytest.raises(ValueError):
        EntityStage(gazetteers=[{"某某": "THING"}])


def test_gazetteer_names_only_as_whole_words():
    found = labels("他住在上海南路。", gazetteers=[{"海南": "LOC"}])
    assert ("海南", "LOC") not in found


def test_entities_of_a_users_own_stage_are_kept():
    doc = Doc(raw="青禾智联发布新品。")
    doc.entities = [Entity("青禾智联", "COMPANY", 0, 4, source="mine")]
    out = EntityStage()(doc)
    assert ("青禾智联", "COMPANY") in {(e.text, e.label) for e in out.entities}


# -- refinement steps ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, label, refined",
    [
        ("之江实验室", "ORG", "LAB"),
        ("中科院近代物理研究所", "GOV", "LAB"),
        ("浙江大学", "ORG", "EDU"),
        ("江西水利职业学院", "ORG", "EDU"),
        ("星河研究院有限公司", "COMPANY", "COMPANY"),  # a company named after an institute
        ("研究所", "ORG", "ORG"),  # a head alone names nothing
        ("浙江大学", "PERSON", "PERSON"),  # only organizations are retyped
    ],
)
def test_lab_and_edu_by_head_word(name, label, refined):
    (out,) = lab_edu_by_head(name, [Candidate(0, len(name), label, 0.9, "model:fine")], [])
    assert out.label == refined


def test_photo_credit_is_the_name_without_she():
    text = "（新华社记者兰红光摄）"
    (out,) = photo_credit(text, [Candidate(6, 10, "PERSON", 0.9, "model:fine")], [])
    assert text[out.start : out.end] == "兰红光"
    # 摄 inside a name that does not close a credit stays
    text = "王摄影说"
    (kept,) = photo_credit(text, [Candidate(0, 2, "PERSON", 0.9, "model:fine")], [])
    assert (kept.start, kept.end) == (0, 2)


# -- officials: a pure function over spans ----------------------------------------------


def _spans(text: str, marked: list[tuple[str, str]]) -> tuple[list[Span], list[Span]]:
    names, titles, pos = [], [], 0
    for surface, label in marked:
        start = text.index(surface, pos)
        span = Span(start, start + len(surface), label, "test")
        (titles if label == "TITLE" else names).append(span)
        pos = start + len(surface)
    return names, titles


def _officials(text: str, marked: list[tuple[str, str]]) -> list[tuple[str, str, str | None]]:
    names, titles = _spans(text, marked)
    return [
        (o.person, o.title, o.org) for o in (to_official(text, link) for link in link_officials(text, names, titles))
    ]


def test_org_title_name():
    text = "杭州市科技局副局长王建国说"
    assert _officials(text, [("杭州市科技局", "GOV"), ("副局长", "TITLE"), ("王建国", "PERSON")]) == [
        ("王建国", "副局长", "杭州市科技局")
    ]


def test_title_chain_before_a_name():
    text = "西溪实验室主任、南京大学党委副书记张明华表示"
    marked = [
        ("西溪实验室", "LAB"),
        ("主任", "TITLE"),
        ("南京大学", "EDU"),
        ("党委副书记", "TITLE"),
        ("张明华", "PERSON"),
    ]
    assert _officials(text, marked) == [("张明华", "党委副书记", "南京大学党委"), ("张明华", "主任", "西溪实验室")]


def test_name_then_bracketed_org_and_title():
    text = "李国强（宁波天明电子有限公司董事长）表示"
    marked = [("李国强", "PERSON"), ("宁波天明电子有限公司", "COMPANY"), ("董事长", "TITLE")]
    assert _officials(text, marked) == [("李国强", "董事长", "宁波天明电子有限公司")]


def test_name_comma_org_title():
    text = "王志刚，南京大学教授，说"
    assert _officials(text, [("王志刚", "PERSON"), ("南京大学", "EDU"), ("教授", "TITLE")]) == [
        ("王志刚", "教授", "南京大学")
    ]


def test_byline_title_shared_by_several_names():
    text = "（记者 张海涛 李小平）"
    marked = [("记者", "TITLE"), ("张海涛", "PERSON"), ("李小平", "PERSON")]
    assert _officials(text, marked) == [("张海涛", "记者", None), ("李小平", "记者", None)]


def test_name_followed_by_its_title():
    assert _officials("据陈志明教授介绍", [("陈志明", "PERSON"), ("教授", "TITLE")]) == [("陈志明", "教授", None)]


def test_a_name_with_a_space_is_normalized_in_the_official():
    text = "人民日报记者 王 平"
    assert _officials(text, [("人民日报", "ORG"), ("记者", "TITLE"), ("王 平", "PERSON")]) == [
        ("王平", "记者", "人民日报")
    ]


def test_officials_from_the_stage_are_deduplicated_and_point_at_the_person():
    text = "张明华教授说，这是关键。随后张明华教授又说，要坚持。"
    found = extract_officials(text)
    assert [(o["person"], o["title"]) for o in found] == [("张明华", "教授")]
    assert text[found[0]["person_start"] : found[0]["person_end"]] == "张明华"


def test_tokens_type_is_shared_with_rules():
    # engines hand the stage LAC's words as rules.Tok, offsets in the document
    stage = EntityStage()
    (analysis,) = stage.engine.analyze([(10, "张三在北京市工作")])
    assert [(t.word, t.start) for t in analysis.tokens][:3] == [("张三", 10), ("在", 12), ("北京市", 13)]
    assert isinstance(analysis.tokens[0], Tok)


def test_unknown_options_fail_when_the_pipeline_is_built():
    with pytest.raises(chinese_news_nlp.ConfigError, match="nope"):
        chinese_news_nlp.load(["entities"], entities={"nope": 1})
    with pytest.raises(chinese_news_nlp.ConfigError, match="unknown entity engine"):
        chinese_news_nlp.load(["entities"], entities={"engine": "spacy"})
    chinese_news_nlp.load(["entities"], entities={"heads": ["fine"], "policy": "longest"})  # accepted


# -- the gold README's conventions ------------------------------------------------------


def test_party_organ_moves_into_the_title():
    from chinese_news_nlp.entities.refine import organ_titles

    text = "浙江省委书记袁家军"
    spans = [Candidate(0, 4, "GOV", 0.9, "m"), Candidate(4, 6, "TITLE", 0.8, "m"), Candidate(6, 9, "PERSON", 0.9, "m")]
    out = {(text[c.start : c.end], c.label) for c in organ_titles(text, spans, [])}
    assert out == {("浙江", "LOC"), ("省委书记", "TITLE"), ("袁家军", "PERSON")}
    # no title read after the organ: the title vocabulary gives it
    text = "浙江大学党委副书记朱某某说"
    out = {(text[c.start : c.end], c.label) for c in organ_titles(text, [Candidate(0, 6, "ORG", 0.9, "m")], [])}
    assert out == {("浙江大学", "ORG"), ("党委副书记", "TITLE")}


def test_titles_only_where_someone_holds_them():
    from chinese_news_nlp.entities.refine import titles_held

    text = "记者在现场看到，董事长王建国说"
    spans = [
        Candidate(0, 2, "TITLE", 0.9, "m"),
        Candidate(8, 11, "TITLE", 0.9, "m"),
        Candidate(11, 14, "PERSON", 0.9, "m"),
    ]
    assert [text[c.start : c.end] for c in titles_held(text, spans, [])] == ["董事长", "王建国"]


@pytest.mark.parametrize(
    "name, label, refined",
    [
        ("吴兴科创园", "LOC", "ORG"),
        ("光明科学城", "SCENE", "ORG"),
        ("萧山经济技术开发区", "LOC", "LOC"),  # an administrative area stays a place
        ("科技日报", "COMPANY", "ORG"),
        ("新华社", "COMPANY", "ORG"),
        ("南方日报", "WORK", "ORG"),  # CLUENER's newspapers are books
        ("三国群英传", "WORK", "WORK"),
        ("某某网络科技有限公司", "COMPANY", "COMPANY"),
    ],
)
def test_parks_and_media_are_organizations(name, label, refined):
    from chinese_news_nlp.entities.refine import media_are_organizations, parks_are_organizations

    (c,) = [Candidate(0, len(name), label, 0.9, "m")]
    (out,) = media_are_organizations(name, parks_are_organizations(name, [c], []), [])
    assert out.label == refined


@pytest.mark.parametrize(
    "words, pieces",
    [
        ([("太原市", "LOC"), ("五一广场", "LOC")], ["太原市", "五一广场"]),  # a city holds the square
        ([("上海", "LOC"), ("浦东新区", "LOC")], ["上海", "浦东新区"]),  # a city of places.txt
        ([("新浜镇", "LOC"), ("林建村", "LOC")], ["新浜镇", "林建村"]),
        ([("密歇", "LOC"), ("根州", "LOC")], ["密歇根州"]),  # LAC cut a foreign name: kept whole
        ([("五常大道", "LOC"), ("181号", "m")], ["五常大道181号"]),  # not all places
    ],
)
def test_places_one_by_one(words, pieces):
    from chinese_news_nlp.entities.refine import places_one_by_one
    from chinese_news_nlp.entities.rules import Tok

    text, toks, at = "".join(w for w, _ in words), [], 0
    for word, tag in words:
        toks.append(Tok(word, tag, at, at + len(word)))
        at += len(word)
    out = places_one_by_one(text, [Candidate(0, len(text), "LOC", 0.9, "model:fine")], toks)
    assert [text[c.start : c.end] for c in out] == pieces
    assert all(c.label == "LOC" and c.score == 0.9 for c in out)


@pytest.mark.parametrize(
    "candidate, label",
    [
        (Candidate(0, 4, "ORG", 0.99, "model:coarse", (("COMPANY", 0.0), ("GOV", 0.21), ("ORG", 0.04))), "GOV"),
        (Candidate(0, 4, "ORG", 0.99, "model:coarse", (("COMPANY", 0.3), ("GOV", 0.1), ("ORG", 0.2))), "COMPANY"),
        (Candidate(0, 4, "ORG", 0.99, "model:coarse", (("COMPANY", 0.1), ("GOV", 0.1), ("ORG", 0.5))), "ORG"),
        (Candidate(0, 4, "ORG", 0.99, "model:coarse"), "ORG"),  # no kinds read (the coarse head alone)
        (Candidate(0, 4, "LOC", 0.99, "model:coarse"), "LOC"),
        (Candidate(0, 4, "ORG", 0.99, "model:fine"), "ORG"),  # the fine head's own label stands
    ],
)
def test_organizations_by_kind(candidate, label):
    from chinese_news_nlp.entities.refine import organizations_by_kind

    (out,) = organizations_by_kind("全国政协委员", [candidate], [])
    assert out.label == label and (out.start, out.end, out.score) == (0, 4, 0.99)
    assert out.source.endswith(">organizations-by-kind") == (label != candidate.label)


def test_kinds_survive_the_stage_up_to_the_step():
    """The kinds the model read reach the step through offsets, policy and trimming: with the
    step, the stage's coarse organizations carry the fine head's likeliest kind."""
    from chinese_news_nlp.entities.refine import DEFAULT_STEPS

    raw = "前言。\n今年两会，全国政协委员在北京发言。华为公司和浙江大学也派人参加。农业农村部在新闻发布会上表示。"
    doc = EntityStage()(Doc(raw=raw))
    plain = EntityStage(refine=[s for s in DEFAULT_STEPS if s != "organizations-by-kind"])(Doc(raw=raw))
    found = {e.text: (e.label, e.source) for e in doc.entities}
    assert found["农业农村部"] == ("GOV", "model:coarse>organizations-by-kind")
    assert {e.text: e.label for e in plain.entities}["农业农村部"] == "ORG"
    assert {(e.start, e.end) for e in doc.entities} == {(e.start, e.end) for e in plain.entities}
    assert found["华为公司"] == ("COMPANY", "model:fine")


def test_a_department_is_cut_back_to_its_parent_organ():
    from chinese_news_nlp.entities.refine import parent_organs

    for text, kept in (
        ("省科技厅规划处", "省科技厅"),
        ("市教育局基教处", "市教育局"),
        ("国家发改委", "国家发改委"),
        ("街道办事处", "街道办事处"),  # 办事处 and 办公室 are organ words, not 办 + a unit
        ("卫生部地方病防治办公室", "卫生部地方病防治办公室"),
    ):
        (out,) = parent_organs(text, [Candidate(0, len(text), "GOV", 0.9, "m")], [])
        assert text[out.start : out.end] == kept


def test_conventions_choose_heads_and_steps():
    text = "浙江省委书记袁家军在杭州调研，记者在现场看到。"
    gold = {(e["text"], e["label"]) for e in extract_entities(text)}
    cluener = {(e["text"], e["label"]) for e in extract_entities(text, conventions="cluener")}
    msra = {e["label"] for e in extract_entities(text, conventions="msra")}
    assert ("省委书记", "TITLE") in gold and ("浙江", "LOC") in gold  # the organ's place, the title split off
    assert ("记者", "TITLE") not in gold  # a title held by a person: nobody holds 记者 here
    from chinese_news_nlp.entities.refine import DEFAULT_STEPS

    every = {
        (e["text"], e["label"]) for e in extract_entities(text, refine=[s for s in DEFAULT_STEPS if s != "titles-held"])
    }
    assert ("记者", "TITLE") in every  # the model marks every job word, as CLUENER does
    assert msra <= {"PERSON", "LOC", "ORG"}
    assert all(e["source"] == "model:fine" for e in extract_entities(text, conventions="cluener"))
    assert cluener != gold
    with pytest.raises(ValueError, match="unknown conventions"):
        EntityStage(conventions="ontonotes")


def test_a_declared_short_name_is_typed_like_its_name():
    from chinese_news_nlp.entities.refine import declared_short_names

    text = "星河量子产业创新中心（以下简称“创新中心”）成立于2020年。创新中心主任李国强说"
    title = text.index("主任")
    spans = [Candidate(0, 10, "LAB", 0.9, "m"), Candidate(title, title + 2, "TITLE", 0.9, "m")]
    out = [(text[c.start : c.end], c.label) for c in declared_short_names(text, spans, [])]
    assert out.count(("创新中心", "LAB")) == 2  # in the declaration and where it is cited


def test_a_name_before_a_stock_quote_is_a_company():
    from chinese_news_nlp.entities.refine import stock_quotes

    text = "上市公司青禾信息(300999,股吧)目前面临一些问题。"
    out = [(text[c.start : c.end], c.label) for c in stock_quotes(text, [], [])]
    assert out == [("青禾信息", "COMPANY")]


# -- hard-wrapped text (wrapping.py) ---------------------------------------------------------
def test_a_name_cut_by_a_hard_wrap_is_found():
    text = "浙江大学副校长王小明在杭\n州召开会议，部署今年的科\n技创新工作。"
    doc = EntityStage()(Doc(raw=text))
    doc.check()
    assert ("杭\n州", "LOC") in [(e.text, e.label) for e in doc.entities]
    for e in doc.entities:
        assert doc.text[e.start : e.end] == e.text


def test_lines_of_other_widths_are_paragraphs_of_their_own():
    from chinese_news_nlp.entities import paragraphs
    from chinese_news_nlp.entities.wrapping import wrapped_paragraphs

    for text in (
        "浙江召开科技创新大会\n省委书记出席会议并发表重要讲话",  # a wider second line
        "会议在杭州举行，会议由王明主持。\n北京大学的代表也来了。",  # two lines, the first a sentence
        "北京大学\n清华大学\n浙江大学",  # a list: too narrow
        "第一段第一段第一段第一段\n\n第二段第二段第二段第二段",  # a blank line between
        "第一段第一段第一段第一段\n　　第二段第二段第二段第二",  # an indent
    ):
        paras = paragraphs(text)
        assert wrapped_paragraphs(text, paras) == paras, text


def test_a_false_join_without_a_name_across_the_break_changes_nothing():
    """A headline over a shorter subheading lines up as a wrapped block; no name crosses its
    break, so the lines' own readings stand."""
    text = "浙江召开全省科技创新大会\n省委书记袁家军出席并讲话"
    joined = EntityStage()(Doc(raw=text)).entities
    alone = [EntityStage()(Doc(raw=line)).entities for line in text.split("\n")]
    assert [(e.text, e.label, e.start) for e in joined] == [(e.text, e.label, e.start) for e in alone[0]] + [
        (e.text, e.label, e.start + 13) for e in alone[1]
    ]


def test_a_two_line_block_is_taken_where_the_text_shows_its_width():
    from chinese_news_nlp.entities import paragraphs
    from chinese_news_nlp.entities.wrapping import wrapped_paragraphs

    two = "浙江大学副校长王小明在杭\n州召开了全省科技工作会"
    assert wrapped_paragraphs(two, paragraphs(two)) == paragraphs(two)  # once: no evidence
    page = "省科技厅今天发布通知，要\n求各地加快推进重大科技项\n目建设。\n\n" + two
    joined = [line for _, line in wrapped_paragraphs(page, paragraphs(page))]
    assert joined == ["省科技厅今天发布通知，要\n求各地加快推进重大科技项\n目建设。", two]


def test_numbered_items_are_no_wrapped_block():
    from chinese_news_nlp.entities import paragraphs
    from chinese_news_nlp.entities.wrapping import wrapped_paragraphs

    text = "（二）担任连级职务的三十五岁\n（三）担任营级职务的四十岁整\n（四）担任团级职务的四十五岁"
    assert wrapped_paragraphs(text, paragraphs(text)) == paragraphs(text)


# -- line ends: \n, \r\n and a lone \r ---------------------------------------------------------
def test_paragraphs_end_at_a_lone_cr_as_at_lf_and_crlf():
    from chinese_news_nlp.entities import paragraphs

    lf = "\u3000\u3000浙江大学\n\n  北京 \n杭州"
    assert paragraphs(lf.replace("\n", "\r")) == paragraphs(lf) == [(2, "浙江大学"), (10, "北京"), (14, "杭州")]
    crlf = lf.replace("\n", "\r\n")
    assert [(crlf[p : p + len(line)], line) for p, line in paragraphs(crlf)] == [
        (line, line) for _, line in paragraphs(lf)
    ]


def test_a_page_of_lone_cr_line_ends_has_the_entities_of_its_lf_form():
    text = (
        "浙江：创新为基构筑三大产业高地\n2022-03-08 10:44:57   来源：科技日报\n\n"
        "记者从浙江省科技厅获悉，之江实验室主任朱世强表示，2023年全省研发投入达2640亿元。\n\n"
        "相关文章\n浙江大学发布新成果\n"
    )
    nlp = chinese_news_nlp.load()
    lf = nlp(text)
    assert ("朱世强", "PERSON") in [(e.text, e.label) for e in lf.entities]
    for variant in (text.replace("\n", "\r"), text.replace("\n", "\r\n")):
        doc = nlp(variant)
        doc.check()
        assert [(e.label, e.text, e.zone) for e in doc.entities] == [(e.label, e.text, e.zone) for e in lf.entities]
        assert [(o.person, o.title) for o in doc.officials] == [(o.person, o.title) for o in lf.officials]
        for e in doc.entities:
            assert doc.text[e.start : e.end] == e.text and doc.raw[e.raw_start : e.raw_end] == e.text
            assert "\r" not in e.text
    cr = nlp(text.replace("\n", "\r"))
    assert [(e.start, e.end) for e in cr.entities] == [(e.start, e.end) for e in lf.entities]


def test_a_name_cut_by_a_hard_wrap_with_a_lone_cr_is_found():
    from chinese_news_nlp.entities import paragraphs
    from chinese_news_nlp.entities.wrapping import wrapped_blocks

    text = "浙江大学副校长王小明在杭\r州召开会议，部署今年的科\r技创新工作。"
    assert wrapped_blocks(text, paragraphs(text)) == [(0, 3)]
    doc = EntityStage()(Doc(raw=text))
    doc.check()
    assert ("杭\r州", "LOC") in [(e.text, e.label) for e in doc.entities]
    lf = EntityStage()(Doc(raw=text.replace("\r", "\n")))
    assert [(e.label, e.start, e.end) for e in doc.entities] == [(e.label, e.start, e.end) for e in lf.entities]
