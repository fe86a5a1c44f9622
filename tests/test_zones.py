"""The zones stage: each cue and layout rule on the layout that motivated it, page metadata,
the seeds' gold, zones on every span kind, and the page's date in the fact stage.

The pages here are written for the tests (placeholder names such as 某地, 某某日报): they
describe layouts, not the seeds' strings.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chinese_news_nlp as cnn
from chinese_news_nlp.doc import ZONE_LABELS, Doc, Entity
from chinese_news_nlp.zones import ZoneStage, find_zones, page_date
from chinese_news_nlp.zones.layout import ends_sentence, line_shape
from chinese_news_nlp.zones.lexicon import is_navigation, lexicon
from chinese_news_nlp.zones.metadata import find_authors, find_date, find_site, find_source, parse_byline

P1 = "记者日前从某地获悉，当地新材料产业规模去年突破千亿元，同比增长百分之十二，增速居全省前列。"
P2 = "据介绍，当地已集聚新材料企业三百余家，其中高新技术企业一百二十家，研发投入连续三年保持两位数增长。"
P3 = "当地有关负责人表示，下一步将围绕关键材料开展联合攻关，推动产学研深度融合，加快建设一批公共服务平台。"
ARTICLE = ["某地新材料产业规模突破千亿元", "2024-05-20 10:00 来源:某某日报", P1, P2, P3]  # a page's own lines
P4 = "业内人士认为，新材料产业链条长、带动性强，是培育新质生产力的重要方向，需要持续加大政策支持力度。"
LEAD = "另一地数字经济核心产业增加值增长百分之九，占地区生产总值比重提高到百分之十五，带动就业"


def zones_of(lines: list[str], blank: bool = True) -> list[tuple[str, str]]:
    text = ("\n\n" if blank else "\n").join(lines)
    return [(z.label, text[z.start : z.end]) for z in find_zones(text)]


def labels(lines: list[str], blank: bool = True) -> list[str]:
    return [label for label, _ in zones_of(lines, blank)]


# -- line shapes and cues -----------------------------------------------------------------------
def test_line_shapes():
    assert line_shape(P1) == "prose"
    assert line_shape("推动新材料产业集聚发展") == "head"
    assert line_shape(LEAD) == "lead"  # long and cut off mid-sentence
    assert line_shape(P1[:50] + "...") == "lead"  # a listing's ellipsis
    assert line_shape("2022-03-08") == line_shape("09-24") == line_shape("3小时前") == "date"
    # a byline group closing the last paragraph does not hide its full stop
    assert ends_sentence(P1 + "（张三 李四）")
    # a headline ending in ! is no paragraph; a clause with a comma before ! is
    assert not ends_sentence("某地各类科创园汇总表来啦!") and ends_sentence("记者来到现场，气氛热烈!")


@pytest.mark.parametrize(
    "line, zone",
    [
        ("【相关阅读】", "related"),
        (">>推荐阅读：", "related"),
        ("当前位置:首页 > 某地资讯 > 正文内容", "boilerplate"),
        ("版权声明：本文由某某网发布，如需转载请注明出处。", "boilerplate"),
        ("标签: 新材料 产业", "boilerplate"),
        ("分享给朋友:", "boilerplate"),
        ("长按/扫一扫加某某的微信号", "boilerplate"),
        ("招商热线：400 1234 567", "boilerplate"),  # a phone number in a short line: a contact ad
        ("本文链接：http://news.example.com/post/1.html", "boilerplate"),
        ("来源：某某日报", "meta"),
        ("（责任编辑：张三）", "meta"),
        ("核心阅读", "heading"),
    ],
)
def test_cue_words(line, zone):
    assert lexicon().cue_zone(line) == zone


def test_a_cue_word_does_not_decide_a_paragraph():
    line = "记者从会上获悉，二维码溯源系统已覆盖全省，市民扫码即可查询每一批蔬菜的产地和检测结果，分享到朋友圈的人越来越多。"
    assert lexicon().cue_zone(line) is None


def test_navigation_layout_without_a_known_cue():
    # menus and breadcrumbs are recognised by their separators, whatever their words
    assert is_navigation("首页 | 国内 | 国际 | 财经 | 体育")
    assert is_navigation("位置：首页 > 国内 > 正文")
    assert not is_navigation("2024/04/06") and not is_navigation(P1)


# -- page layouts ---------------------------------------------------------------------------------
def test_headline_dateline_article_related_list():
    """Layout of a portal page: headline, dateline with source, paragraphs with subheadings,
    tags, then a related list whose items are headline, category, truncated lead, date."""
    items = []
    for k in range(4):
        items += [f"另一地第{k}条新闻的标题在这里", "科技", LEAD, f"2022-03-0{k + 1}"]
    lines = ["某地新材料产业规模突破千亿元", "2022-03-08 10:44:57   来源:某某日报", P1, "推动产业集聚发展", P2, P3]
    lines += ["标签: 新材料 产业", "相关阅读", *items]
    got = labels(lines)
    assert got[:6] == ["title", "meta", "body", "heading", "body", "body"]
    assert got[6] == "boilerplate"
    assert set(got[7:]) == {"related"}


def test_related_list_without_a_header():
    """Items after the article with no header: headline, category word, truncated lead, date
    — three or more items with list evidence are a related list."""
    items = []
    for k in range(4):
        items += [f"另一地第{k}条新闻的标题在这里", "财经", LEAD, "2024-05-20"]
    got = labels(["某地新材料产业规模突破千亿元", P1, P2, P3, *items])
    assert got[:4] == ["title", "body", "body", "body"]
    assert set(got[4:]) == {"related"}


def test_doubled_headlines_list_and_contact_ad():
    """A content-farm page: breadcrumb, headline, a byline with a relative time, paragraphs,
    a contact ad (one of its lines is a full sentence), copyright, share buttons, then
    相关文章 with every headline printed twice."""
    lines = [
        "当前位置:首页 > 某地资讯 > 正文内容",
        "某地着力建设新材料产业高地",
        "admin3个月前 (09-24)某地资讯12",
        P1,
        P2,
        P3,
    ]
    ad = [
        "某某微信号",
        "产业招商/厂房租售:400 1234 567",
        "请说明您的需求、用途、公司、联系人、手机号,以便快速帮您对接资源。",
    ]
    lines += ad + ["版权声明:本文由某某厂房网发布,如需转载请注明出处。", "分享给朋友:", "相关文章"]
    for k in range(3):
        lines += [f"另一地第{k}个产业园开园", f"另一地第{k}个产业园开园", LEAD + "..."]
    got = labels(lines)
    assert got[:6] == ["boilerplate", "title", "meta", "body", "body", "body"]
    assert got[6:11] == ["boilerplate"] * 5
    assert set(got[11:]) == {"related"}


def test_headline_deck_repeat_and_cue_heading():
    """A newspaper page: headline, deck, headline again, 核心阅读 and its summary, region
    subheadings (``上海浦东——`` then a subheading) between paragraphs, copyright; no blank lines."""
    lines = [
        "抢抓机遇 布局建设新兴产业",
        "多地开展前沿技术攻关，加强科技创新与产业创新深度融合",
        "抢抓机遇 布局建设新兴产业",
    ]
    lines += [
        "核心阅读",
        P1,
        "某省某市——",
        "推动细胞和基因技术产业化",
        P2,
        P3,
        "版权声明：凡注明“来源：某某网”的所有作品，版权归某公司所有。",
    ]
    got = labels(lines, blank=False)
    assert got == ["title", "title", "title", "heading", "body", "heading", "heading", "body", "body", "boilerplate"]


def test_deck_after_headline_and_furniture_before_paragraphs():
    lines = ["某某网", "某地新材料产业规模突破千亿元", "——记者走访多家新材料企业", "发布时间：2024年5月20日 09:30"]
    lines += ["【字体：大 中 小】 【打印】", P1, P2, P3]
    assert labels(lines) == ["boilerplate", "title", "title", "meta", "boilerplate", "body", "body", "body"]


def test_source_line_after_the_article_is_meta():
    got = labels(["某地新材料产业规模突破千亿元", "2025-01-20 09:51:37 某某网", P1, P2, P3, "来源:某某日报"])
    assert got == ["title", "meta", "body", "body", "body", "meta"]


def test_question_after_subheading_is_body():
    """``糖尿病有望实现功能性治愈了?`` after a subheading opens the section's first paragraph."""
    got = labels(["某地产业发展势头良好", P1, "以创新突破塑造发展新优势", "新药研发有望取得突破了?", P2, P3])
    assert got == ["title", "body", "heading", "body", "body", "body"]


def test_interview_question_is_body():
    got = labels(["专访某地新材料产业负责人", P1, "记者：当地新材料产业为什么能保持两位数增长，关键在哪里？", P2, P3])
    assert got[2] == "body"


def test_ad_inside_the_article_does_not_end_it():
    got = labels(["某地新材料产业规模突破千亿元", P1, "扫码关注我们的公众号", P2, P3, P4])
    assert got == ["title", "body", "boilerplate", "body", "body", "body"]


def test_headline_list_before_the_article():
    """A sidebar of the day's headlines above the article, with a header no cue file knows."""
    lines = [
        "某某网",
        "▌图片新闻",
        "某地举行新春团拜会",
        "某地发布年度经济数据",
        "某地启动新一轮城市更新",
        "某地新材料产业规模突破千亿元",
    ]
    lines += ["2024/04/06", P1, P2, P3]
    got = labels(lines)
    assert got[2:5] == ["related"] * 3 and got[5:] == ["title", "meta", "body", "body", "body"]


def test_page_without_prose_is_not_an_article():
    got = labels(["首页 | 国内 | 国际", "某地举行新春团拜会", "2024-01-05"])
    assert "body" not in got and "title" not in got


def test_repeated_lines_point_to_their_first():
    text = "\n\n".join(["某地新材料产业规模突破千亿元", P1, P2, "相关阅读", "某地新材料产业规模突破", P1[:30]])
    zones = find_zones(text)
    assert zones[4].repeat_of == 0  # the headline cut short in the list
    assert zones[5].repeat_of == 1  # the first paragraph's beginning as a lead


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([P1, P2, "相关阅读", "某地新闻标题", "2024-05-20", "", "  ", LEAD, "来源：某某日报"]),
        max_size=25,
    )
)
def test_every_non_blank_line_gets_one_zone(lines):
    text = "\n".join(lines)
    zones = find_zones(text)
    assert len(zones) == sum(1 for line in lines if line.strip())
    assert all(z.label in ZONE_LABELS for z in zones)
    assert all(a.end <= b.start for a, b in zip(zones, zones[1:]))
    assert all(text[z.start : z.end].strip() == text[z.start : z.end] != "" for z in zones)


# -- metadata -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, expected",
    [
        ("2022-03-08 10:44:57   来源:某某日报", {"date": "2022-03-08", "time": "10:44:57"}),
        ("发布时间：2024年5月20日 09:30", {"date": "2024-05-20", "time": "09:30"}),
        ("2017/04/14　稿源：某某报", {"date": "2017-04-14", "time": None}),
        ("2019.1.5 08:00", {"date": "2019-01-05", "time": "08:00"}),
        ("admin9个月前 (09-24)某地资讯9", {"date": None, "time": None, "date_text": "09-24"}),
        ("某某 3天前 (12-01) 国内", {"date": None, "time": None, "date_text": "12-01"}),
    ],
)
def test_date_forms(line, expected):
    assert find_date([line]) == expected


def test_no_year_is_invented():
    assert find_date(["2024-13-45 来源：某某报"])["date"] is None


@pytest.mark.parametrize(
    "line, source",
    [
        ("2022-03-08 10:44:57   来源:某某日报", "某某日报"),
        ("稿源：某某网 作者：张三", "某某网"),
        ("（来源：某某报）", "某某报"),
    ],
)
def test_source_forms(line, source):
    assert find_source([line]) == source


@pytest.mark.parametrize(
    "byline, authors",
    [
        ("本报记者 张三 李四 王小五", ["张三", "李四", "王小五"]),
        ("记者 张三 通讯员 李四", ["张三"]),
        ("通讯员 李四 记者 张三", ["张三"]),
        ("某某社记者 张三", ["张三"]),
        ("记者 张三 李四 见习记者 王五", ["张三", "李四", "王五"]),
        ("张三 李四 王五", ["张三", "李四", "王五"]),
        ("王五 赵六 某某日报记者 张 三", []),  # who reported is not stated
        ("记者张三", ["张三"]),
    ],
)
def test_byline_forms(byline, authors):
    assert parse_byline(byline) == authors


def test_not_a_byline():
    assert parse_byline("以下简称“规划”") is None
    assert parse_byline("300324,股吧") is None


def test_where_bylines_are_read():
    # a meta line with a role word
    assert find_authors(["2024-05-20 作者：张三 李四"], [P1]) == ["张三", "李四"]
    assert find_authors(["文/张三"], [P1]) == ["张三"]
    # the dateline form opening the first paragraph
    assert find_authors([], ["本报北京3月8日电（记者 张三）" + P1]) == ["张三"]
    # a closing group credits a bare article text only, not a page with its own meta block
    assert find_authors([], [P1, P2 + "（张三 李四）"]) == ["张三", "李四"]
    assert find_authors(["2024-05-20 来源：某某日报"], [P1, P2 + "（记者 张三 李四）"]) == []
    # a source name that starts with a one-character role word is no byline
    assert find_authors(["来源：文汇某报"], [P1]) == []


def test_site_forms():
    assert find_site(["版权声明:本文由某某厂房网发布,如需转载请注明出处。"]) == "某某厂房网"
    assert find_site(["某某资讯网版权所有，未经授权禁止转载"]) == "某某资讯网"
    assert find_site(["Copyright © 2001-2024 某某在线"]) == "某某在线"
    assert find_site(["分享到：微博 微信"]) is None


def test_stage_fills_meta_and_user_date_wins():
    text = "\n\n".join(["某地新材料产业规模突破千亿元", "2022-03-08 10:44:57 来源:某某日报", P1, P2, P3])
    doc = ZoneStage()(Doc(raw=text))
    assert doc.meta["title"] == "某地新材料产业规模突破千亿元"
    assert (doc.meta["date"], doc.meta["time"], doc.meta["source"], doc.meta["date_from"]) == (
        "2022-03-08",
        "10:44:57",
        "某某日报",
        "page",
    )
    mine = ZoneStage()(Doc(raw=text, meta={"date": "2024-01-01"}))
    assert mine.meta["date"] == "2024-01-01" and mine.meta["date_from"] == "user"
    assert mine.meta["page_date"] == "2022-03-08"
    untouched = ZoneStage(metadata=False)(Doc(raw=text))
    assert "title" not in untouched.meta and untouched.zones


def test_title_is_normalized():
    nlp = cnn.load(["repair", "convert", "zones"])
    doc = nlp("\n".join(["某地佈局建設未來產業", P1, P2, P3]))
    assert doc.meta["title"] == "某地布局建设未来产业"
    assert doc.raw.startswith("某地佈局")


def test_fact_stage_uses_the_page_date():
    text = "\n\n".join(
        [
            "某地产业规模突破千亿元",
            "2022-03-08 10:44:57 来源:某某日报",
            "去年，某地新材料产业规模达7175亿元，增速领先。",
            P2,
        ]
    )
    nlp = cnn.load(["repair", "convert", "zones", "facts"])
    assert [f.year for f in nlp(text).facts if f.surface == "7175亿元"] == [2021]
    assert [f.year for f in nlp(text, date="2024-06-01").facts if f.surface == "7175亿元"] == [2023]
    # without the zones stage the fact stage reads the same date, the same way
    assert [f.year for f in cnn.load(["facts"])(text).facts if f.surface == "7175亿元"] == [2021]
    assert page_date(text) == "2022-03-08"


# -- the seeds' gold ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_docs(seed_texts):
    nlp = cnn.load(["repair", "convert", "zones"])
    return {name: nlp(text, id=name) for name, text in seed_texts.items()}


def test_seed_zones_against_gold(gold_dir, seed_docs, seed_texts):
    gold = [json.loads(x) for x in (gold_dir / "zones.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = []
    for g in gold:
        doc = seed_docs[g["doc"]]
        raw_line = seed_texts[g["doc"]][g["start"] : g["end"]]
        at = g["start"] + len(raw_line) - len(raw_line.lstrip())
        got = next((z.label for z in doc.zones if z.raw_start <= at < z.raw_end), None)
        pairs.append((g["zone"], got))
    accuracy = sum(a == b for a, b in pairs) / len(pairs)
    assert accuracy >= 0.95
    for label in {a for a, _ in pairs}:
        tp = sum(1 for a, b in pairs if a == b == label)
        fp = sum(1 for a, b in pairs if b == label != a)
        fn = sum(1 for a, b in pairs if a == label != b)
        assert 2 * tp / (2 * tp + fp + fn) >= 0.90, label


def test_seed_metadata_against_gold(gold_dir, seed_docs):
    for line in (gold_dir / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        meta = seed_docs[gold["doc"]].meta
        for key, value in gold.items():
            if key != "doc":
                assert meta.get(key) == value, (gold["doc"], key)


# -- zones on every span kind ----------------------------------------------------------------------
def test_every_span_kind_carries_its_zone(seed_texts):
    nlp = cnn.load()
    name = next(n for n in seed_texts if n.startswith("000"))
    doc = nlp(seed_texts[name], id=name)
    doc.check()
    related = [z for z in doc.zones if z.label == "related"]
    assert related and all(e.zone is not None for e in doc.entities)
    in_related = [f for f in doc.facts if f.zone == "related"]
    assert in_related and all(any(z.start <= f.start < z.end for z in related) for f in in_related)
    assert {e.zone for e in doc.entities} >= {"title", "body", "related"}
    assert all(o.zone == doc.zone_at(o.person_start).label for o in doc.officials)
    # the JSON form keeps zones and every span's zone
    again = Doc.from_json(doc.to_json())
    assert [z.label for z in again.zones] == [z.label for z in doc.zones]
    assert [e.zone for e in again.entities] == [e.zone for e in doc.entities]
    # the damaged seed: repairs are located too
    damaged = nlp(seed_texts[next(n for n in seed_texts if n.startswith("004"))])
    assert damaged.repairs and all(r.zone in ZONE_LABELS for r in damaged.repairs if r.start < len(damaged.text))


def test_a_users_own_stage_gets_zones():
    @cnn.register_stage("test_zone_marker")
    class Marker:
        name = "test_zone_marker"

        def __call__(self, doc):
            at = doc.text.index("相关阅读")
            doc.entities.append(Entity("相关", "ORG", at, at + 2, source="test"))
            return doc

    nlp = cnn.load(["zones", "test_zone_marker"])
    doc = nlp("\n\n".join(["某地新材料产业规模突破千亿元", P1, P2, "相关阅读", "另一条新闻"]))
    assert doc.entities[0].zone == "related"


# -- rendering, frames, run summary ------------------------------------------------------------------
def _page_doc():
    text = "\n\n".join(
        [
            "某地新材料产业规模突破千亿元",
            "2024-05-20 10:00 来源:某某日报",
            P1,
            P2,
            "相关阅读",
            "另一地去年引进企业300家",
        ]
    )
    return cnn.load(["repair", "convert", "zones", "facts"])(text, id="p")


def test_render_shows_zones_muted_outside_the_article():
    from chinese_news_nlp.display import render

    doc = _page_doc()
    out = render(doc)
    assert out.count('class="cnnlp-zone"') == len(doc.zones)
    related = out.split('data-zone="related"')[1]
    assert "opacity: 0.5" in related.split(">")[0]  # muted
    body = out.split('data-zone="body"')[1]
    assert "opacity" not in body.split(">")[0]
    assert 'class="cnnlp-legend cnnlp-zones"' in out and "not this article (1 entities and facts there)" in out
    assert "《某地新材料产业规模突破千亿元》" in out
    assert 'class="cnnlp-zone"' in render(doc, style="zones") and "cnnlp-zone" not in render(doc, style="facts")


def test_frames_have_zones():
    pytest.importorskip("pandas")
    from chinese_news_nlp.frames import to_frames

    frames = to_frames([_page_doc()])
    assert list(frames["zones"]["label"]) == ["title", "meta", "body", "body", "related", "related"]
    assert set(frames["facts"]["zone"]) == {"title", "body", "related"}
    assert frames["documents"]["title"].tolist() == ["某地新材料产业规模突破千亿元"]


def test_summary_counts_article_and_other_zones():
    from chinese_news_nlp.corpus.records import doc_stats
    from chinese_news_nlp.corpus.summary import Summary

    summary = Summary()
    summary.add(doc_stats(_page_doc()))
    assert summary.zones["article"] >= 3 and summary.zones["related"] == 1
    assert "1 more in related" in str(summary)


@pytest.mark.parametrize(
    "lines",
    [
        ["北京"] * 20_000,  # list furniture all the way down: each start walked over the rest
        [f"第{i}条新闻标题" for i in range(20_000)],  # headline-like items with no list evidence
        [f"浙江新材料产业高地建设提速第{i}号" for i in range(20_000)],  # rows sharing their first characters
    ],
)
def test_many_short_lines_take_linear_time(lines):
    import time

    started = time.perf_counter()
    zones = find_zones("\n".join(lines))
    # quadratic before: 6 s for 30,000 lines 北京, 52 s for 8,000 distinct headlines; now well under 1 s
    assert time.perf_counter() - started < 10
    assert len(zones) == len(lines)


def test_repeat_of_is_the_earliest_zone_related_either_way():
    from chinese_news_nlp.doc import Zone
    from chinese_news_nlp.zones import mark_repeated

    texts = [
        "某地新材料产业高地建设",
        "某地新材料产业高地建设提速",
        "某地新材料产业高地",
        "某地新材料产业高地建设",
        "某地新材料产业规模",
    ]
    zones = [Zone("related", 0, 1) for _ in texts]
    mark_repeated(zones, texts)
    # 1 begins with 0; 2 begins 0 (and 1); 3 equals 0; 4 shares only the first characters
    assert [z.repeat_of for z in zones] == [None, 0, 0, 0, None]


# -- line ends: \n, \r\n and a lone \r ------------------------------------------------------------
CR_PAGE = (
    "浙江：创新为基构筑三大产业高地\r2022-03-08 10:44:57   来源：科技日报\r\r"
    "记者从浙江省科技厅获悉，之江实验室主任朱世强表示，2023年全省研发投入达2640亿元。\r\r"
    "相关文章\r浙江大学发布新成果\r"
)
META_KEYS = ("title", "date", "time", "date_text", "source", "authors")


def _zones_and_meta(doc):
    return [(z.label, doc.text[z.start : z.end], z.repeat_of) for z in doc.zones], {
        k: doc.meta.get(k) for k in META_KEYS
    }


def test_a_page_of_lone_cr_line_ends_has_the_zones_of_its_lf_form():
    """Classic Mac line ends (some CMS exports): read as lines where they stand, the text not rewritten."""
    nlp = cnn.load(["repair", "convert", "zones"])
    lf = nlp(CR_PAGE.replace("\r", "\n").encode())
    assert [z.label for z in lf.zones] == ["title", "meta", "body", "related", "related"]
    for variant in (CR_PAGE, CR_PAGE.replace("\r", "\r\n")):
        doc = nlp(variant.encode())
        assert doc.text == variant  # the line ends are kept
        assert _zones_and_meta(doc) == _zones_and_meta(lf)
        assert doc.meta["title"] == "浙江：创新为基构筑三大产业高地" and doc.meta["source"] == "科技日报"
        for z in doc.zones:  # spans exclude the line end, raw offsets slice raw to the same text
            assert (
                "\r" not in doc.text[z.start : z.end] and doc.raw[z.raw_start : z.raw_end] == doc.text[z.start : z.end]
            )
    cr = nlp(CR_PAGE.encode())
    assert [(z.start, z.end) for z in cr.zones] == [(z.start, z.end) for z in lf.zones]  # same length: same offsets


def test_seed_pages_with_lone_cr_or_crlf_have_the_same_zones_and_metadata(seed_texts):
    nlp = cnn.load(["repair", "convert", "zones"])
    for name, text in seed_texts.items():
        lf = nlp(text, id=name)
        cr = nlp(text.replace("\n", "\r"), id=name)
        crlf = nlp(text.replace("\n", "\r\n"), id=name)
        assert _zones_and_meta(cr) == _zones_and_meta(lf) == _zones_and_meta(crlf), name
        assert [(z.start, z.end) for z in cr.zones] == [(z.start, z.end) for z in lf.zones], name


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [P1, P2, "相关阅读", "某地新材料产业规模突破千亿元", "2024-05-20 10:00 来源:某某日报", "  ", ""]
        ),
        max_size=8,
    ),
    st.lists(st.sampled_from(["\n", "\n\n", "\r\n"]), min_size=8, max_size=8),
)
def test_lone_cr_line_ends_zone_as_lf(lines, ends):
    text = "".join(line + end for line, end in zip(lines, ends))
    cr = text.replace("\r\n", "\n").replace("\n", "\r")
    assert [(z.label, cr[z.start : z.end]) for z in find_zones(cr)] == [
        (z.label, text[z.start : z.end]) for z in find_zones(text)
    ]


# -- layouts of the blind page test (benchmarks/zones_blind.py), each on a page of its own ---------
def test_a_footer_ends_a_related_list():
    got = labels(
        [
            *ARTICLE,
            "相关新闻",
            "另一地数字经济核心产业增加值增长",
            "某地召开新材料产业推进会",
            "某地新材料企业突破三百家",
            "Copyright © 2004-2024 某某网 All Rights Reserved 某某网络科技有限公司",
            "某ICP备12345678号",
            "互联网新闻信息服务许可证：12345678901",
        ]
    )
    assert got[-3:] == ["boilerplate"] * 3
    assert got[5:9] == ["related"] * 4


def test_a_hard_wrapped_column_is_body():
    column = [
        "在某地召开的一次新材料产业推进会上，厂区内",
        "规模不大的一家企业成为“老总”们关注的话题",
        "。这家企业是当地最早的新材料企业，总资产达",
        "数百亿，而它的厂房只不过两层楼，为何会引起",
        "大企业负责人们浓厚的兴趣呢？",
        "但如何寻找更多的合作伙伴，帮助企业开拓市",
        "场，成为当地决策者面临的一道难题。当地有关",
        "负责人表示，将围绕关键材料开展联合攻关。",
    ]
    got = labels(
        [
            "某报　2024年05月20日　第06版：综合",
            "某地新材料产业规模突破千亿元",
            "本报记者　某某",
            *column,
            "本版责编：某某　版式设计：某某",
        ]
    )
    assert got[3:-1] == ["body"] * len(column)
    assert got[-1] == "meta"


def test_a_caption_is_body_not_a_heading():
    got = labels(
        [
            "某地新材料产业规模突破千亿元",
            "2024-05-20 10:00 来源:某某日报",
            P1,
            "图为5月20日，市民在展会现场参观。本报记者 某某 摄",
            P2,
            P3,
        ]
    )
    assert got[3] == "body"


def test_editor_lines_in_brackets_are_meta():
    page = ARTICLE
    assert labels([*page, "(责编：某某、某某)"])[-1] == "meta"
    assert labels([*page, "【责任编辑:某某】"])[-1] == "meta"


def test_previous_and_next_article_are_related():
    got = labels(
        [
            *ARTICLE,
            "上一篇：另一地数字经济核心产业增加值增长",
            "下一篇：某地召开新材料产业推进会",
            "【打印本页】【关闭窗口】",
        ]
    )
    assert got[-3:] == ["related", "related", "boilerplate"]


def test_comments_after_the_article_are_no_related_list():
    got = labels(
        [
            *ARTICLE,
            "评论区",
            "回复 引用 举报 顶 踩",
            "2楼  网友123  发表于 2024-5-20 11:10",
            "mark一下，回头细看",
            "3楼  网友456  发表于 2024-5-20 12:10",
            "顶一个",
            "分享 收藏 在看 点赞",
        ]
    )
    assert "related" not in got[5:]


def test_a_reporter_line_above_the_dateline_is_meta():
    text = "\n".join(
        ["某地新材料产业规模突破千亿元", "某某新闻记者 某某", "2024-05-20 10:00 来源：某某新闻", P1, P2, P3]
    )
    assert [z.label for z in find_zones(text)][:3] == ["title", "meta", "meta"]
    from chinese_news_nlp.zones.metadata import page_metadata

    meta = page_metadata(text, find_zones(text))
    assert meta["title"] == "某地新材料产业规模突破千亿元"
    assert meta["authors"] == ["某某"]


def test_a_dateline_naming_a_client_app_and_a_month_day_time():
    assert find_date(["03-05 08:45　来源: 某某日报"]) == {"date": None, "time": "08:45", "date_text": "03-05"}
    text = "\n".join(["某地新材料产业规模突破千亿元", "2018年5月15日 19:50  来源: 某某新闻客户端", P1, P2, P3])
    from chinese_news_nlp.zones.metadata import page_metadata

    meta = page_metadata(text, find_zones(text))
    assert (meta["date"], meta["time"], meta["source"]) == ("2018-05-15", "19:50", "某某新闻客户端")


# -- comment sections: readers' comments and forum replies are furniture ---------------------------
def test_readers_comments_do_not_join_the_list_after_them():
    comments = [
        "读者评论",
        "登录后参与评论",
        "网友35871 [某地] 说得在理，支持",
        "文明上网，理性发言",
        "某某用户 (某市) 盼望早点推开",
        "网友90412 [某县] 已转给家里人看",
        "查看更多评论>>",
    ]
    headlines = ["某地召开新材料产业推进会", "某市数字经济核心产业增加值增长", "某县新建三座污水处理厂"]
    got = labels([*ARTICLE, *comments, "今日热榜", *headlines, "Copyright © 2024 某某网"])
    assert got[5 : 5 + len(comments)] == ["boilerplate"] * len(comments)
    assert got[-4:-1] == ["related"] * 3


def test_a_comment_section_stops_at_an_article_paragraph():
    # a comment header in a sidebar above the article does not swallow the article
    got = labels(["读者评论", "网友35871 [某地] 说得在理，支持", "查看更多评论>>", *ARTICLE])
    assert got[:3] == ["boilerplate"] * 3
    assert got[3:] == ["title", "meta", "body", "body", "body"]


def test_a_forum_reply_header_is_no_dateline():
    page = [
        "某地新材料产业规模突破千亿元",
        "楼主  某某网友88  发表于 2024-5-20 09:12:40",
        P1,
        P2,
        "回复 引用 举报 顶 踩",
        "2楼  网友1024  发表于 2024-5-20 10:02",
        "写得详细，收藏了",
        "3楼  访客77  发表于 2024-5-20 10:40",
        "同问，蹲一个后续",
        "返回列表 发新帖",
    ]
    got = labels(page)
    assert got[:4] == ["title", "meta", "body", "body"]
    assert got[4:] == ["boilerplate"] * 6
    meta = cnn.load()("\n".join(page)).meta
    assert (meta["date"], meta["time"]) == ("2024-05-20", "09:12:40")


def test_a_one_character_role_word_is_a_token_of_its_own():
    assert parse_byline("文明上网，理性发言", needs_role=True) is None
    assert parse_byline("文/某某") == parse_byline("文 某某") == ["某某"]


# -- subheadings with one paragraph each; buttons and tags are no subheadings -------------------
LONG1 = (
    "从需求看，当地新材料企业的订单去年增长了三成，其中出口订单增长近五成，不少企业的生产线满负荷运转，"
    "有的企业不得不把交货期从一个月延长到两个月，新建厂房的计划也随之提前了半年。"
)
LONG2 = (
    "从供给看，原材料价格的上涨压缩了企业的利润空间，部分中小企业资金周转困难，研发投入随之减少，"
    "当地有关部门为此设立了专项资金，帮助企业渡过难关，并牵线高校与企业共建研发中心。"
)
LONG3 = (
    "从政策看，当地今年将出台支持新材料产业发展的若干措施，在用地、融资、人才引进等方面给予倾斜，"
    "力争用三年时间培育十家以上产值超过百亿元的龙头企业，带动上下游配套企业集聚发展。"
)


def test_bulleted_subheadings_with_one_paragraph_each_are_the_article():
    got = labels(
        [
            "某地新材料产业规模突破千亿元",
            "2024-05-20 10:00 来源:某某日报",
            P1,
            "■ 订单增长带来的新变化",
            LONG1,
            "■ 成本上涨带来的新压力",
            LONG2,
            "■ 政策支持带来的新机遇",
            LONG3,
            "附件：",
            "上一篇：另一地数字经济核心产业增加值增长",
        ]
    )
    assert got[2:9] == ["body", "heading", "body", "heading", "body", "heading", "body"]


def test_a_one_paragraph_post_is_no_list():
    got = labels(
        [
            "某地新材料产业规模突破千亿元",
            "原创 某某号 2024-05-20",
            "欢迎关注我们",
            LONG1,
            "- END -",
            "编辑：某某 | 审核：某某",
        ]
    )
    assert got[:4] == ["title", "meta", "boilerplate", "body"]
    assert got[5] == "meta"


@pytest.mark.parametrize(
    "furniture", ["举报", "字号 关注", "收录于话题 #某地 #民生", "收录于合集 #某地新闻 8个", "上一页 1 2 3 下一页"]
)
def test_a_button_or_a_tag_line_under_the_dateline_is_no_heading(furniture):
    got = labels(["某地新材料产业规模突破千亿元", "2024-05-20 10:00 来源:某某日报", furniture, P1, P2, P3])
    assert got == ["title", "meta", "boilerplate", "body", "body", "body"]


def test_a_button_between_paragraphs_is_no_heading_but_a_subheading_is():
    got = labels([*ARTICLE[:3], "举报", P2, "一、总体情况", P3, "结语", P4])
    assert got[2:] == ["body", "boilerplate", "body", "heading", "body", "heading", "body"]


# -- a headline over its deck under the site's navigation ----------------------------------------
def test_a_headline_over_its_deck_under_a_breadcrumb():
    page = [
        "某某网>>地方>>滚动",
        "某地新材料产业规模突破千亿元",
        "三百余家企业集聚成链",
        "2024年05月20日 10:00  来源：某某网-某某日报",
        P1,
        P2,
        P3,
    ]
    got = labels(page)
    assert got[:4] == ["boilerplate", "title", "title", "meta"]
    meta = cnn.load()("\n".join(page)).meta
    assert meta["title"] == "某地新材料产业规模突破千亿元"


@pytest.mark.parametrize("furniture", ["阅读: 1234|回复: 56", "打开APP，阅读体验更佳"])
def test_a_counter_or_an_app_banner_under_the_navigation_is_no_headline(furniture):
    page = [
        "首页 › 论坛 › 某地杂谈 › 帖子",
        furniture,
        "某地新材料产业规模突破千亿元",
        "2024-05-20 10:00 来源:某某日报",
        P1,
        P2,
    ]
    assert labels(page)[:3] == ["boilerplate", "boilerplate", "title"]


def test_a_two_line_paragraph_in_a_hard_wrapped_column_is_body():
    column = [
        "在某地召开的一次新材料产业推进会上，厂区内",
        "规模不大的一家企业成为“老总”们关注的话题",
        "。这家企业是当地最早的新材料企业，总资产达",
        "数百亿，厂房却只有两层楼。",
    ]
    pair = ["有关负责人认为，企业规模虽然不大，但“专精", "特新”的路子走对了。"]
    assert {len(line) for line in column[:3] + pair[:1]} == {21}
    got = labels(
        [
            "某报　2024年05月20日　第06版：综合",
            "某地新材料产业规模突破千亿元",
            "本报记者　某某",
            *column,
            *pair,
            "（一）专精特新的路子",
            *column,
            "本版责编：某某　版式设计：某某",
        ]
    )
    assert got[3:9] == ["body"] * 6
    assert got[9] == "heading"


def test_a_short_notice_after_the_closing_credit_is_no_paragraph():
    got = labels([*ARTICLE, "责任编辑：某某", "本文转自网络，如有侵权请联系删除。", "分享到："])
    assert got[-3:] == ["meta", "boilerplate", "boilerplate"]
    # a paragraph after a credit in the middle of the article is the article going on
    got = labels([ARTICLE[0], ARTICLE[1], P1, "记者 某某", P2, P3])
    assert got[2:] == ["body", "meta", "body", "body"]


def test_a_comment_button_heads_the_comments_under_it_but_not_the_headline():
    comments = ["我要评论", "网友35871 [某地] 说得在理，支持", "网友90412 [某县] 已转给家里人看", "查看更多评论>>"]
    headlines = ["某地召开新材料产业推进会", "某市数字经济核心产业增加值增长", "某县新建三座污水处理厂"]
    got = labels([*ARTICLE, *comments, "今日热榜", *headlines])
    assert got[5:9] == ["boilerplate"] * 4
    assert got[-3:] == ["related"] * 3
    top = ["发表评论", "某地新材料产业规模突破千亿元", "2024-05-20 10:00 来源:某某日报", "0 评论 收藏", P1, P2, P3]
    assert labels(top)[:4] == ["boilerplate", "title", "meta", "boilerplate"]


def test_a_cue_word_inside_a_hard_wrapped_column_line_does_not_cut_the_column():
    column = [
        "在某地召开的一次新材料产业推进会上，厂区内",
        "规模不大的一家企业成为“老总”们关注的话题",
        "。当地一家报纸当天发表评论指出，这家企业的",
        "路子走对了，总资产达数百亿，厂房却只有两层",
        "楼，为何会引起大企业负责人们浓厚的兴趣呢？",
        "当地有关负责人表示，将围绕关键材料攻关。",
    ]
    assert lexicon().cue_zone(column[2]) == "boilerplate"  # 发表评论, a comment button's word
    got = labels(["某报　2024年05月20日　第06版：综合", "某地新材料产业规模突破千亿元", "本报记者　某某", *column])
    assert got[3:] == ["body"] * len(column)


def test_teaser_sentences_under_headlines_after_the_article_are_the_list():
    items = [
        "某地召开新材料产业推进会",
        "记者从会上获悉，当地将新建三个新材料产业园。",
        "某市数字经济核心产业增加值增长",
        "某县新建三座污水处理厂",
        "据介绍，三座污水处理厂日处理能力合计十万吨。",
        "某省出台支持民营企业发展的若干措施",
    ]
    got = labels(
        [*ARTICLE, "责任编辑：某某", "分享到：微信 微博", "今日热榜", *items, "关于我们 | 联系我们 | 网站地图"]
    )
    assert got[-len(items) - 1 : -1] == ["related"] * len(items)
    assert got[-1] == "boilerplate"
