"""HTML input: a page built here is extracted with trafilatura, then runs through the pipeline."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("trafilatura", reason="html extra not installed: pip install chinese-news-nlp[html]")

import chinese_news_nlp as cnn  # noqa: E402
from chinese_news_nlp.cli import main  # noqa: E402
from chinese_news_nlp.html import Html, HtmlExtractionError, extract_html  # noqa: E402

PARAGRAPHS = [
    "记者日前从某地获悉，当地新材料产业规模去年突破千亿元，同比增长百分之十二，增速居全省前列。",
    "据介绍，当地已集聚新材料企业三百余家，其中高新技术企业一百二十家，研发投入连续三年保持两位数增长。",
    "当地有关负责人表示，下一步将围绕关键材料开展联合攻关，推动产学研深度融合，加快建设一批公共服务平台。",
    "业内人士认为，新材料产业链条长、带动性强，是培育新质生产力的重要方向，需要持续加大政策支持力度。",
]


def build_page(dateline: bool = True) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    info = '<div class="info">2024-05-20 10:30 来源：某某日报</div>' if dateline else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某地新材料产业规模突破千亿元_某某网</title>
<meta property="article:published_time" content="2023-11-02T08:00:00+08:00">
<meta property="og:site_name" content="某某网"></head>
<body><nav><a href="/">首页</a> | <a href="/n">新闻</a> | <a href="/k">科技</a></nav>
<article><h1>某地新材料产业规模突破千亿元</h1>{info}
{body}
</article><footer>版权所有 某某网 京ICP备12345678号</footer></body></html>"""


def test_extraction_keeps_blocks_and_metadata():
    text, meta = extract_html(build_page())
    lines = text.split("\n")
    assert lines[0] == "某地新材料产业规模突破千亿元"
    assert PARAGRAPHS[0] in lines and "首页" not in text and "ICP" not in text
    assert meta["title"] == "某地新材料产业规模突破千亿元" and meta["sitename"] == "某某网"


def test_html_through_the_pipeline():
    doc = cnn.load(["repair", "convert", "zones", "facts"])(Html(build_page().encode("gb18030")))
    assert doc.meta["input"] == "html" and doc.meta["offsets"] == "extracted text"
    assert [z.label for z in doc.zones][:3] == ["title", "meta", "body"]
    assert doc.meta["date"] == "2024-05-20" and doc.meta["source"] == "某某日报"  # the page text's dateline
    assert any(f.surface == "一百二十家" for f in doc.facts)
    for f in doc.facts:  # offsets index the extracted text
        assert doc.raw[f.raw_start : f.raw_end] == f.surface


def test_extractor_metadata_fills_what_the_text_lacks():
    doc = cnn.load(["zones"])(Html(build_page(dateline=False)))
    assert doc.meta["date"] == "2023-11-02" and doc.meta["date_from"] == "html"
    assert doc.meta["site"] == "某某网"


def test_a_lone_surrogate_in_the_page_loses_nothing_after_it():
    # the text after it was cut off without an error: '…规模去年突破千亿元，' and no more
    broken = PARAGRAPHS[0].replace("，同比", "，\ud800同比")
    text, _ = extract_html(build_page().replace(PARAGRAPHS[0], broken))
    assert broken.replace("\ud800", "\ufffd") in text.split("\n")
    assert PARAGRAPHS[3] in text.split("\n")


def test_not_an_article():
    with pytest.raises(HtmlExtractionError):
        extract_html("   ")
    docs = list(cnn.load(["zones"]).pipe([{"id": "empty", "html": "<html><body></body></html>"}]))
    assert docs[0].id == "empty" and docs[0].error is not None  # recorded, not raised


def test_corpus_html_files_and_jsonl_field(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(build_page(), encoding="utf-8")
    (folder / "plain.txt").write_text("\n\n".join(["某地新闻", *PARAGRAPHS]), encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "r1", "html": build_page()}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["process", str(folder), str(records), "-o", str(out), "--stages", "repair,convert,zones", "-q"]) == 0
    got = {r["id"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(got) == {"page.html", "plain.txt", "r1"}
    assert got["page.html"]["meta"]["input"] == got["r1"]["meta"]["input"] == "html"
    assert "input" not in got["plain.txt"]["meta"]
    assert got["r1"]["meta"]["title"] == "某地新材料产业规模突破千亿元"


@pytest.mark.parametrize(
    "inner, lines",
    [
        # a quote's own text around its paragraph was lost (a block holding blocks was skipped whole)
        ("<blockquote>引用开头文字<p>引用段落一</p>尾巴文字</blockquote>", ["引用开头文字", "引用段落一", "尾巴文字"]),
        # a nested list's items came twice: in the outer item's line and on their own
        (
            "<ul><li>项目一<ul><li>子项目</li></ul>项目一尾</li><li>项目二</li></ul>",
            ["项目一", "子项目", "项目一尾", "项目二"],
        ),
        # a line break joined two lines into one word (第一行北京第二行上海)
        ("<p>第一行北京<br>第二行上海<br/>第三行</p>", ["第一行北京", "第二行上海", "第三行"]),
    ],
)
def test_extraction_keeps_every_block_once(inner, lines):
    body = "<p>" + PARAGRAPHS[0] * 2 + "</p>"
    text, _ = extract_html(f"<html><body><article>{body}{inner}{body}</article></body></html>")
    assert text.split("\n") == [PARAGRAPHS[0] * 2, *lines, PARAGRAPHS[0] * 2]


# A row is a line and its cells are separated by a tab (cells ran together: 外层文字甲乙丙, and an
# entity model read 甲乙丙外层 as one word); a paragraph, list item or <br> inside a cell is a space,
# so that a row stays one line (facts and zones read lines).
TABLE_CASES = [
    (
        "<table><tr><td>外层文字</td><td>甲乙丙</td></tr><tr><td>外层第二格</td></tr></table>",
        ["外层文字\t甲乙丙", "外层第二格"],
    ),
    (
        "<table><tr><th>姓名</th><th>籍贯</th></tr><tr><td><p>张三</p><p>北京</p></td><td>上海<br>广州</td></tr>"
        "<tr><td>李四</td><td><ul><li>项一</li><li>项二</li></ul></td></tr><tr><td></td><td>  空格前 </td></tr></table>",
        ["姓名\t籍贯", "张三 北京\t上海 广州", "李四\t项一 项二", "空格前"],
    ),
    # a nested table: trafilatura moves it after the outer one; each cell's text comes once
    (
        "<table><tr><td>外层文字<table><tr><td>内一</td><td>内二</td></tr></table>外尾</td><td>甲乙丙</td></tr>"
        "<tr><td>外层第二格</td></tr></table>",
        ["外层文字 外尾\t甲乙丙", "外层第二格", "内一\t内二"],
    ),
]


@pytest.mark.parametrize("inner, lines", TABLE_CASES)
def test_a_table_row_is_a_line_and_its_cells_are_tab_separated(inner, lines):
    body = "<p>" + PARAGRAPHS[0] * 2 + "</p>"
    text, _ = extract_html(f"<html><body><article>{body}{inner}{body}</article></body></html>")
    assert text.split("\n") == [PARAGRAPHS[0] * 2, *lines, PARAGRAPHS[0] * 2]


def test_a_table_nested_in_a_cell_of_the_extracted_body_gives_each_character_once():
    """Should the extractor leave a table inside a cell, its rows are lines of their own, between
    the outer cell's text before and after it (the generic rule for a block inside a block)."""
    from lxml import etree

    from chinese_news_nlp.html import _body_lines

    body = etree.fromstring(
        "<body><table><row><cell>外层文字<table><row><cell>内一</cell><cell>内二<lb/>内三</cell></row></table>"
        "外尾</cell><cell>甲乙丙</cell></row><row><cell>外层第二格</cell></row></table></body>"
    )
    assert _body_lines(body) == ["外层文字", "内一\t内二 内三", "外尾\t甲乙丙", "外层第二格"]


def test_table_cells_through_the_pipeline_keep_offsets_and_words_apart():
    page = (
        f"<html><body><article><h1>某地新材料产业规模突破千亿元</h1><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p>"
        "<table><tr><th>企业</th><th>城市</th><th>产值</th></tr>"
        "<tr><td>华为技术有限公司</td><td>深圳市</td><td>增长百分之十二</td></tr>"
        "<tr><td>北京</td><td>大学生</td><td>王芳</td></tr><tr><td>中国</td><td>银行家</td></tr></table>"
        f"<p>{PARAGRAPHS[2]}</p></article></body></html>"
    )
    doc = cnn.load()(Html(page))
    assert doc.error is None, doc.error
    doc.check()
    assert "华为技术有限公司\t深圳市\t增长百分之十二" in doc.raw.split("\n")
    names = {e.text for e in doc.entities}  # the cells ran together into 北京大学 EDU, 中国银行 COMPANY
    assert "北京大学" not in names and "中国银行" not in names and {"北京", "中国"} <= names
    cells = [(m, m + 1) for m, ch in enumerate(doc.raw) if ch == "\t"]
    for span in [*doc.tokens, *doc.entities, *doc.facts]:  # nothing runs across a cell boundary
        assert not any(span.raw_start <= s < span.raw_end for s, _ in cells), span
    for f in doc.facts:
        assert doc.raw[f.raw_start : f.raw_end] == f.surface
