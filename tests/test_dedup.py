"""Near-duplicates: reposts with other boilerplate, edited sentences or traditional script are
marked with the id they repost; unrelated articles and empty pages are not; nothing is dropped."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("datasketch", reason="dedup extra not installed: pip install chinese-news-nlp[dedup]")

import chinese_news_nlp as cnn  # noqa: E402
from chinese_news_nlp.cli import main  # noqa: E402
from chinese_news_nlp.near_duplicates import Deduplicator, dedup, normalized_article, shingle_hashes  # noqa: E402

ARTICLE = [
    "某地新材料产业规模突破千亿元",
    "记者日前从某地获悉，当地新材料产业规模去年突破千亿元，同比增长百分之十二，增速居全省前列。",
    "据介绍，当地已集聚新材料企业三百余家，其中高新技术企业一百二十家，研发投入连续三年保持两位数增长。",
    "当地有关负责人表示，下一步将围绕关键材料开展联合攻关，推动产学研深度融合，加快建设一批公共服务平台。",
    "业内人士认为，新材料产业链条长、带动性强，是培育新质生产力的重要方向，需要持续加大政策支持力度。",
    "今年以来，当地还出台了支持新材料企业上市融资的专项政策，设立了规模为五十亿元的产业引导基金。",
]
OTHER = [
    "另一地冬季旅游持续升温",
    "入冬以来，另一地冰雪旅游持续火热，各大滑雪场客流量同比增长三成，酒店预订量创历年新高。",
    "当地文旅部门介绍，今年新开通了多条冰雪旅游专线，串联起滑雪场、温泉和特色小镇等热门景点。",
    "不少游客表示，交通更便利了，服务更周到了，冬天来这里玩已经成为一家人的保留节目。",
]


def page(lines, top="当前位置：首页 > 新闻 > 正文", bottom="版权所有 © 某某网"):
    return "\n\n".join([top, lines[0], "2024-05-20 10:00 来源：某某日报", *lines[1:], bottom, "相关阅读", "又一条新闻"])


def repost_edited():
    lines = list(ARTICLE)
    lines[2] = "据介绍，当地已集聚新材料企业三百余家。"  # a sentence cut
    lines.append("（本文转载自其他媒体，内容有删改。）")
    return page(lines, top="首页 | 国内 | 财经 | 科技", bottom="分享到：微博 微信")


@pytest.fixture(scope="module")
def nlp():
    return cnn.load(["repair", "convert", "zones"])


def test_reposts_are_marked_with_the_original(nlp):
    import opencc

    traditional = opencc.OpenCC("s2t").convert(page(ARTICLE, top="您的位置：首頁", bottom="京ICP备12345678号"))
    texts = [page(ARTICLE), page(OTHER), repost_edited(), traditional, page(ARTICLE)]
    docs = [nlp(t, id=f"d{i}") for i, t in enumerate(texts)]
    marks = list(cnn.dedup(docs))
    assert [m.id for m in marks] == ["d0", "d1", "d2", "d3", "d4"]  # every document, in order
    assert [m.duplicate_of for m in marks] == [None, None, "d0", "d0", "d0"]
    assert marks[4].similarity == 1.0 and 0.5 <= marks[2].similarity < 1.0


def test_same_boilerplate_different_articles_are_not_duplicates(nlp):
    docs = [nlp(page(ARTICLE), id="a"), nlp(page(OTHER), id="b")]
    assert [m.duplicate_of for m in dedup(docs)] == [None, None]
    # compared whole, the shared furniture does not make them reposts either
    assert normalized_article(docs[0]) != normalized_article(docs[1])


def test_plain_strings_and_json_records(nlp):
    marks = list(
        dedup(["同一段文字，完全一样的内容，用来测试。", "同一段文字，完全一样的内容，用来测试！"], ids=["x", "y"])
    )
    assert [(m.id, m.duplicate_of) for m in marks] == [("x", None), ("y", "x")]
    record = nlp(page(ARTICLE), id="j").to_dict()
    assert [m.duplicate_of for m in dedup([record, nlp(repost_edited(), id="k")])] == [None, "j"]


def test_empty_pages_are_not_reposts_of_each_other():
    index = Deduplicator()
    assert index.add("a", "").duplicate_of is None
    assert index.add("b", "").duplicate_of is None
    assert len(index) == 2


def test_reposts_of_reposts_name_the_first():
    index = Deduplicator(threshold=0.5)
    base = "".join(ARTICLE)
    assert index.add("a", normalized_article(base)).duplicate_of is None
    assert index.add("b", normalized_article(base + "补充一句")).duplicate_of == "a"
    assert index.add("c", normalized_article(base + "补充一句再加一句")).duplicate_of == "a"


def test_index_grows_past_its_first_allocation():
    index = Deduplicator()
    for i in range(1100):
        index.add(str(i), f"第{i}号文档的内容各不相同编号{i * 7919}结束")
    assert len(index) == 1100 and index.add("again", "第5号文档的内容各不相同编号39595结束").duplicate_of == "5"


def test_shingles_and_bad_threshold():
    assert len(shingle_hashes("abcdefg", 5)) == 3 and len(shingle_hashes("abc", 5)) == 1
    with pytest.raises(ValueError):
        Deduplicator(threshold=0)


def test_cli_marks_reposts(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text(page(ARTICLE), encoding="utf-8")
    (folder / "b.txt").write_text(page(OTHER), encoding="utf-8")
    (folder / "c.txt").write_text(repost_edited(), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["process", str(folder), "-o", str(out), "--stages", "repair,convert,zones", "--dedup", "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [(folder / name).as_posix() for name in ("a.txt", "b.txt", "c.txt")]  # the paths as given
    assert [r["id"] for r in records] == ids
    assert [r.get("duplicate", {}).get("of") for r in records] == [None, None, ids[0]]
    # --dedup cannot resume: the index would miss what is already written
    assert main(["process", str(folder), "-o", str(out), "--dedup", "--resume", "-q"]) == 2


@pytest.mark.parametrize("item", [None, 5, b"abc", {"foo": 1}, {"text": None}])
def test_what_is_no_document_is_a_clear_type_error(item):
    # unicodedata.normalize() and len(None) complained before, naming no document
    with pytest.raises(TypeError, match="dedup compares|needs a str 'text'"):
        list(dedup(["北京大学", item]))
