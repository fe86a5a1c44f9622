"""The lac-rules engine (the rules of earlier releases): fine types, boundaries, titles, context.

These rules were written against the seed pages; they stay as ``engine="lac-rules"``
for comparison, and these tests keep their behaviour from drifting.
"""

from __future__ import annotations

import pytest

from chinese_news_nlp.entities import extract_entities, extract_officials
from chinese_news_nlp.entities.rules import is_person_name, org_label, trim_org


def labels(text: str, **options) -> list[tuple[str, str]]:
    return [(e["text"], e["label"]) for e in extract_entities(text, engine="lac-rules", **options)]


def officials(text: str) -> list[tuple[str, str, str | None]]:
    return [(o["person"], o["title"], o["org"]) for o in extract_officials(text, engine="lac-rules")]


# -- fine typing by heads ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, label",
    [
        ("西溪实验室", "LAB"),
        ("中国科学院", "LAB"),
        ("某省先进材料研究院", "LAB"),
        ("江南纺织技术创新中心", "LAB"),
        ("宁波天明电子股份有限公司", "COMPANY"),
        ("华东能源集团", "COMPANY"),
        ("腾讯", "COMPANY"),
        ("苏州市统计局", "GOV"),
        ("江苏省教育厅", "GOV"),
        ("国家发改委", "GOV"),
        ("交通运输部", "GOV"),
        ("湖州市政府", "GOV"),
        ("高新区管委会", "GOV"),
        ("全国政协", "GOV"),
        ("省委", "GOV"),
        ("南京大学", "EDU"),
        ("江西水利职业学院", "EDU"),
        ("经济日报", "ORG"),
        ("江苏省科协", "ORG"),
    ],
)
def test_org_label_by_head(name, label):
    assert org_label(name) == label


def test_not_heads_are_not_organizations():
    # 布局 ends with 局 and 全部 with 部, but they are not bureaus or ministries
    assert org_label("产业布局") == "ORG"
    assert org_label("全部") == "ORG"


@pytest.mark.parametrize(
    "word, kept",
    [
        ("南京大学党委", "南京大学"),  # the party committee belongs to the title
        ("省教育厅规划处", "省教育厅"),  # a department is named with its parent
        ("天明电子有限公司董事长", "天明电子有限公司"),
        ("江苏省教育厅", "江苏省教育厅"),
    ],
)
def test_trim_org(word, kept):
    assert word[: trim_org(word)] == kept


def test_person_name_check():
    assert is_person_name("王建国")
    assert is_person_name("欧阳明")
    assert is_person_name("王 平")  # a two-character name set with a space
    assert not is_person_name("美云")  # no family name
    assert not is_person_name("王")
    assert not is_person_name("王建国家乡人")


# -- boundaries and nesting -----------------------------------------------------------


def test_name_cut_short_by_the_model_is_rebuilt_from_its_head():
    # LAC reads 西溪 as a place and 实验室 as a common noun
    assert ("西溪实验室", "LAB") in labels("在西溪实验室，科研人员正在调试设备。")


def test_title_written_with_its_organization_is_split():
    found = labels("西溪实验室主任、南京大学党委副书记张明华表示，合作很重要。")
    assert ("西溪实验室", "LAB") in found
    assert ("主任", "TITLE") in found
    assert ("南京大学", "EDU") in found  # nested 南京大学党委 only at the organization
    assert ("党委副书记", "TITLE") in found
    assert not any(text == "南京大学党委" for text, _ in found)


def test_generic_kinds_are_not_names():
    found = labels("多家上市公司与国家重点实验室开展合作。")
    assert not any(label in ("COMPANY", "LAB") for _, label in found)


def test_titles_only_when_held_by_someone():
    assert labels("记者在现场看到，工人们正忙着施工。") == []


def test_company_short_name_from_a_coined_word_and_an_industry():
    # 青禾 is no dictionary word: 青禾生物 reads as a listed company's short name
    assert ("青禾生物", "COMPANY") in labels("青禾生物发布公告称，新药获批上市。")
    # 金融 is a common word: 金融科技 is an industry, not a company
    assert labels("项目涉及金融科技和智慧医疗。") == []


def test_bracketed_place_stays_in_the_name():
    found = labels("苏州工业园区(高新区)科技局局长刘某某说")
    assert any(label == "GOV" and "(高新区)" in text for text, label in found)
    assert ("腾讯(深圳)", "COMPANY") in labels("园区已集聚腾讯(深圳)、华为南京研究所等机构。")


def test_township_before_a_company_is_an_address():
    found = labels("位于新桥镇天宇控股集团北面的地块。")
    assert ("天宇控股集团", "COMPANY") in found
    assert ("新桥镇", "LOC") in found


def test_place_then_smaller_place_are_two_places():
    from chinese_news_nlp.entities.rules import Span, split_places

    parts = split_places(Span(0, 6, "LOC", "model"), "云南滇中新区")
    assert [(p.start, p.end) for p in parts] == [(0, 2), (2, 6)]
    assert len(split_places(Span(0, 3, "LOC", "model"), "杭州市")) == 1


# -- officials patterns -----------------------------------------------------------------


def test_org_title_name():
    assert officials("杭州市科技局副局长王建国说，今年将加大投入。") == [("王建国", "副局长", "杭州市科技局")]


def test_title_chain_before_name():
    assert officials("西溪实验室主任、南京大学党委副书记张明华表示，合作很重要。") == [
        ("张明华", "党委副书记", "南京大学党委"),
        ("张明华", "主任", "西溪实验室"),
    ]


def test_name_then_parenthesized_org_title():
    assert officials("李国强（宁波天明电子有限公司董事长）表示，订单增长很快。") == [
        ("李国强", "董事长", "宁波天明电子有限公司")
    ]


def test_name_comma_org_title_comma_says():
    assert officials("“这是关键一步。”王志刚，南京大学教授，说。") == [("王志刚", "教授", "南京大学")]


def test_byline_with_several_names():
    assert officials("（记者 张海涛 李小平）") == [("张海涛", "记者", None), ("李小平", "记者", None)]


def test_byline_name_with_a_space():
    entities = extract_entities("人民日报记者 王 平", engine="lac-rules")
    person = next(e for e in entities if e["label"] == "PERSON")
    assert person["text"] == "王 平"  # the entity spans the text as written
    assert officials("人民日报记者 王 平") == [("王平", "记者", "人民日报")]  # the official is normalized


def test_name_followed_by_title():
    assert officials("据陈志明教授介绍，该技术已经成熟。") == [("陈志明", "教授", None)]


def test_official_offsets_point_at_the_person():
    text = "杭州市科技局副局长王建国说。"
    (found,) = extract_officials(text, engine="lac-rules")
    assert text[found["person_start"] : found["person_end"]] == "王建国"


# -- document context: business cues, lists, stock quotes, short names ------------------------


def test_name_before_a_stock_quote_is_a_company():
    assert ("青禾信息", "COMPANY") in labels("上市公司青禾信息(300999,股吧)目前面临一些问题。")
    assert ("宁波恒远", "COMPANY") in labels("宁波恒远(12 50 -1 20%,诊股)在互动平台回复投资者提问。")


def test_untyped_name_in_a_business_sentence_is_a_company():
    found = labels("鸿星尔克在发布年底前关停50家门店的公告后，股价开始反弹。")
    assert ("鸿星尔克", "COMPANY") in found


def test_items_of_a_list_of_companies():
    found = labels("园区吸纳了拓斯达、汇川等一批制造企业和美团等互联网巨头。")
    assert ("美团", "COMPANY") in found
    assert ("汇川", "COMPANY") not in found  # a place in the list stops it


def test_short_name_cites_the_registered_name():
    text = "杭州云象智能科技股份有限公司今天发布新品。云象智能表示，明年营收将翻番。"
    found = labels(text)
    assert ("杭州云象智能科技股份有限公司", "COMPANY") in found
    assert ("云象智能", "COMPANY") in found


def test_short_forms_of_registered_names():
    from chinese_news_nlp.entities.context import short_forms

    assert short_forms("浙江云象生物科技股份有限公司", "COMPANY") == ["云象生物科技", "云象生物", "云象"]
    assert short_forms("甬江实验室", "LAB") == ["甬江"]
    assert short_forms("广州实验室", "LAB") == []  # a place is no short name of a laboratory


def test_laboratory_cited_by_its_proper_name():
    found = labels("甬江实验室主任张明华介绍，近年来国内外科研力量汇聚甬江，成果不断。")
    assert [text for text, label in found if label == "LAB"] == ["甬江实验室", "甬江"]


def test_declared_short_name():
    text = "星河量子产业创新中心（以下简称“创新中心”）成立于2020年。创新中心主任李国强说，设备已到位。"
    assert ("创新中心", "LAB") in labels(text)
    assert officials(text) == [("李国强", "主任", "创新中心")]


def test_company_then_product_model_code():
    found = labels("苏州青禾医疗发布新品。青禾X3已进入临床，青禾医疗股价上涨。")
    assert ("青禾", "COMPANY") in found and ("青禾X3", "COMPANY") not in found


def test_company_kinds_are_not_names():
    found = labels("课题组对多家深圳智能制造公司进行调研，打造低碳化学科技公司。")
    assert not any(label == "COMPANY" for _, label in found)


def test_no_entity_starts_or_ends_with_a_space():
    # the company's name was lost before its legal form: nothing is left to name
    found = extract_entities("　　股份有限公司在上海证券交易所挂牌上市。", engine="lac-rules")
    assert all(e["text"] == e["text"].strip() for e in found)
    assert not any(e["label"] == "COMPANY" for e in found)


def test_research_unit_of_a_named_parent():
    found = labels("在鹏城实验室3号楼的量子测控芯片研究中心内，科研人员正在调试。")
    assert ("量子测控芯片研究中心", "LAB") in found
    assert not any(label == "LAB" and text == "研究中心" for text, label in found)


def test_officials_are_deduplicated_per_document():
    assert officials("张明华教授说，这是关键。随后张明华教授又说，要坚持。") == [("张明华", "教授", None)]
