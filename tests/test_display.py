"""The HTML view of a Doc: layers, escaping, nesting, legend, standalone pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinese_news_nlp.alignment import Edit
from chinese_news_nlp.display import STYLES, colour_table, fact_tooltip, format_value, render, save_html
from chinese_news_nlp.doc import ENTITY_LABELS, Doc, Entity, Fact, Repair

VOID = {"br", "meta", "hr", "img", "input", "link"}


class Tree(HTMLParser):
    """Parse a fragment, check tags nest, collect marks and the visible text of the body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict]] = []
        self.body_text: list[str] = []  # text inside .cnnlp-text, minus removed text and arrows
        self.mark_text: dict[int, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in VOID:
            self.stack.append((tag, attrs))
            if tag == "mark":
                self.mark_text[len(self.elements) - 1] = []

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        open_tag, _ = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"

    def _inside(self, cls: str) -> bool:
        return any(cls in (a.get("class") or "").split() for _, a in self.stack)

    def handle_data(self, data):
        if (
            any(t in ("del", "style") for t, _ in self.stack)
            or self._inside("cnnlp-arrow")
            or self._inside("cnnlp-tag")
        ):
            return  # text removed by a repair, the arrow and label tags are not part of the document
        if self._inside("cnnlp-text"):
            self.body_text.append(data)
        for index, parts in self.mark_text.items():
            if any(a is self.elements[index][1] for _, a in self.stack):
                parts.append(data)

    def marks(self) -> list[tuple[str, str]]:
        """(label, text) of each entity mark, continuation fragments joined to their head."""
        out: list[list[str]] = []
        heads: dict[str, list[str]] = {}  # data-span of a split mark -> its entry
        for index, parts in self.mark_text.items():
            attrs = self.elements[index][1]
            if "data-cont" in attrs:
                heads[attrs["data-span"]][1] += "".join(parts)
                continue
            out.append([attrs["data-label"], "".join(parts)])
            if "data-span" in attrs:
                assert "data-more" in attrs
                heads[attrs["data-span"]] = out[-1]
        return [tuple(x) for x in out]


def parse(fragment: str) -> Tree:
    tree = Tree()
    tree.feed(fragment)
    tree.close()
    assert not tree.stack, f"unclosed tags: {[t for t, _ in tree.stack]}"
    return tree


def entity(text: str, doc_text: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = doc_text.index(text, start + 1)
    return Entity(text, label, start, start + len(text))


def sample_doc() -> Doc:
    raw = "之江实验室主任王建宇说，2023年浙江研发投入超2000亿元，增长10.5%。"
    doc = Doc(raw=raw, meta={"id": "sample", "date": "2024-03-01"})
    doc.entities = [
        entity("之江实验室", raw, "LAB"),
        entity("主任", raw, "TITLE"),
        entity("王建宇", raw, "PERSON"),
        entity("浙江", raw, "LOC", nth=0),
    ]
    start = raw.index("2000亿元")
    doc.facts = [
        Fact(
            "2000亿元",
            2e11,
            "元",
            "money",
            start,
            start + 6,
            qualifier="over",
            year=2023,
            time_surface="2023年",
            metric="研发投入",
            subject="浙江",
        ),
        Fact("10.5%", 10.5, "%", "percent", raw.index("10.5%"), raw.index("10.5%") + 5, year=2023),
    ]
    doc.fill_raw_offsets()
    doc.check()
    return doc


# -- entities -------------------------------------------------------------------------
def test_entities_are_marked_with_their_labels_in_order():
    doc = sample_doc()
    tree = parse(render(doc, style="entities"))
    assert tree.marks() == [(e.label, e.text) for e in sorted(doc.entities, key=lambda e: e.start)]
    assert "".join(tree.body_text) == doc.text


def test_legend_lists_each_label_present_with_its_count_and_colour():
    doc = sample_doc()
    doc.entities.append(entity("浙江", doc.text, "LOC", nth=0))  # a second LOC (same span twice)
    tree = parse(render(doc))
    chips = {
        a["data-label"]: a["style"]
        for t, a in tree.elements
        if "cnnlp-chip" in (a.get("class") or "") and "data-label" in a
    }
    assert set(chips) == {"LAB", "TITLE", "PERSON", "LOC"}
    r, g, b = colour_table()["LAB"].rgb
    assert f"rgba({r}, {g}, {b}," in chips["LAB"]
    html = render(doc)
    assert re.search(r'data-label="LOC"[^>]*>LOC <small>2</small>', html)
    # legend order follows ENTITY_LABELS
    assert list(chips) == [lab for lab in ENTITY_LABELS if lab in chips]


def test_colour_table_gives_every_label_its_own_colour():
    table = colour_table()
    assert set(ENTITY_LABELS) <= set(table)
    assert len({table[lab].rgb for lab in ENTITY_LABELS}) == len(ENTITY_LABELS)
    assert {"fact", "repair.before", "repair.after"} <= set(table)


def test_unknown_label_renders_with_a_fallback_colour():
    doc = Doc(raw="新华社报道")
    doc.entities = [Entity("新华社", "MEDIA", 0, 3)]
    tree = parse(render(doc))
    assert tree.marks() == [("MEDIA", "新华社")]


def test_colours_do_not_fix_the_text_colour():
    """Readable on dark themes: marks inherit the text colour and use translucent backgrounds."""
    html = render(sample_doc())
    for style in re.findall(r'<mark [^>]*style="([^"]*)"', html):
        assert "color: inherit" in style
        assert re.search(r"background: rgba\(\d+, \d+, \d+, 0\.\d+\)", style)
    assert not re.search(r"(?<![-\w])color:\s*(#|rgb|black|white)", html)


# -- facts ----------------------------------------------------------------------------
def test_facts_are_underlined_with_their_values_in_the_tooltip():
    doc = sample_doc()
    tree = parse(render(doc, style="facts"))
    facts = [a for t, a in tree.elements if "cnnlp-fact" in (a.get("class") or "")]
    assert len(facts) == 2
    money = facts[0]
    assert money["data-kind"] == "money" and money["data-year"] == "2023" and money["data-unit"] == "元"
    assert float(money["data-value"]) == 2e11
    assert "200,000,000,000" in money["title"] and "2000亿" in money["title"]
    assert "over" in money["title"] and "研发投入" in money["title"] and "浙江" in money["title"]
    assert "underline" in money["style"]
    assert not tree.marks()  # the facts view leaves entities out


def test_fact_tooltip_shows_ranges_and_periods():
    fact = Fact(
        "1263.4亿元",
        1.2634e11,
        "元",
        "money",
        0,
        8,
        value_max=1.6163e11,
        qualifier="range",
        year=2015,
        year_end=2019,
        time_surface="2015年至2019年",
    )
    tip = fact_tooltip(fact)
    assert "126,340,000,000 (1263.4亿) – 161,630,000,000 (1616.3亿) 元" in tip
    assert "year 2015–2019 (2015年至2019年)" in tip


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "?"),
        (float("nan"), "?"),
        (26.0, "26"),
        (0.35, "0.35"),
        (35000.0, "35,000 (3.5万)"),
        (1e8, "100,000,000 (1亿)"),
    ],
)
def test_format_value(value, shown):
    assert format_value(value) == shown


# -- repairs --------------------------------------------------------------------------
def repaired_doc() -> Doc:
    raw = "加強科技創(chuàng)新，重大创新台与产业蕞前沿"
    doc = Doc(raw=raw, meta={"id": "rep"})
    pinyin = raw.index("(chuàng)")
    farm = raw.index("蕞")
    gap = raw.index("台")
    doc.apply_edits(
        [
            Edit(pinyin, pinyin + len("(chuàng)"), "", cause="pinyin-annotation", confidence=0.95, recoverable="full"),
            Edit(gap, gap, "平", cause="deleted-character", confidence=0.6, recoverable="partial"),
            Edit(farm, farm + 1, "最", cause="content-farm-substitution", confidence=0.9),
        ]
    )
    return doc


def test_repairs_show_before_and_after():
    doc = repaired_doc()
    html = render(doc, style="repairs")
    tree = parse(html)
    reps = [a for t, a in tree.elements if "cnnlp-rep" in (a.get("class") or "")]
    assert [a["data-cause"] for a in reps] == ["pinyin-annotation", "deleted-character", "content-farm-substitution"]
    assert '<del class="cnnlp-before"' in html and ">(chuàng)</del>" in html
    assert re.search(r">蕞</del><span class=\"cnnlp-arrow\"[^>]*>→</span><ins [^>]*>最</ins>", html)
    assert re.search(r"<ins [^>]*>平</ins>", html)
    # the visible text (without the struck-out before) is the repaired text
    assert "".join(tree.body_text) == doc.text == "加強科技創新，重大创新平台与产业最前沿"
    assert "confidence 0.95" in reps[0]["title"] and "recoverable: full" in reps[0]["title"]
    causes = re.search(r'<span class="cnnlp-causes"[^>]*>(.*?)</span>', html).group(1)
    assert causes == "pinyin-annotation 1 · deleted-character 1 · content-farm-substitution 1"


def test_entity_inside_a_repair_nests():
    doc = repaired_doc()
    start = doc.text.index("最前沿")
    doc.entities = [
        Entity("创新平台", "ORG", doc.text.index("创新平台"), doc.text.index("创新平台") + 4),
        Entity("最前沿", "LOC", start, start + 3),
    ]
    doc.fill_raw_offsets()
    doc.check()
    tree = parse(render(doc))
    assert tree.marks() == [("ORG", "创新平台"), ("LOC", "最前沿")]
    assert "".join(tree.body_text) == doc.text


# -- structure, styles, safety ----------------------------------------------------------
def test_html_in_the_text_is_escaped():
    raw = '<script>alert("x")</script> R&D 中心 <b>粗</b> & "引号"'
    doc = Doc(raw=raw, meta={"id": '<img src=x onerror="alert(1)">', "date": "2024&<"})
    doc.entities = [Entity("R&D 中心", "LAB", raw.index("R&D"), raw.index("R&D") + 6, source='rule" onmouseover="x')]
    doc.error = {"stage": "facts", "message": "<b>boom</b>"}
    html = render(doc)
    assert "<script>" not in html and "<b>粗</b>" not in html and "<img" not in html and "<b>boom</b>" not in html
    assert "&lt;script&gt;" in html and "R&amp;D" in html and "&amp; &quot;引号&quot;" in html
    assert 'onmouseover="x' not in html
    tree = parse(html)
    assert tree.marks() == [("LAB", "R&D 中心")]
    assert "".join(tree.body_text) == raw


def test_crossing_spans_are_split_into_well_nested_fragments():
    raw = "上海国际医学园区集团有限公司"
    doc = Doc(raw=raw)
    doc.entities = [Entity(raw[0:6], "ORG", 0, 6), Entity(raw[6:], "COMPANY", 6, len(raw))]
    doc.facts = [Fact(raw[4:9], None, None, "count", 4, 9)]  # crosses the first entity's end
    tree = parse(render(doc))
    assert tree.marks() == [("ORG", raw[0:6]), ("COMPANY", raw[6:])]
    # the fact is closed and reopened at the ORG's end, COMPANY at the fact's end
    conts = [a["class"] for t, a in tree.elements if "data-cont" in a]
    assert conts == ["cnnlp-fact", "cnnlp-ent"]
    assert len([a for t, a in tree.elements if "data-more" in a]) == 2
    # one label tag per entity, at the end of its last fragment
    html = render(doc)
    assert html.count('class="cnnlp-tag"') == 2
    assert re.search(r'data-label="COMPANY"[^>]*data-cont="1">[^<]*<span class="cnnlp-tag"', html)
    assert "".join(tree.body_text) == raw


def test_style_picks_the_layers():
    doc = repaired_doc()
    doc.entities = [Entity("科技", "ORG", 2, 4)]
    doc.facts = [Fact("创新", None, None, "count", 4, 6)]
    doc.fill_raw_offsets()
    layers = {"entities": "cnnlp-ent", "facts": "cnnlp-fact", "repairs": "cnnlp-rep"}
    for style in STYLES:
        html = render(doc, style=style)
        for name, cls in layers.items():
            assert (f'class="{cls}"' in html) == (style in ("all", name)), (style, name)
    with pytest.raises(ValueError, match="unknown style"):
        render(doc, style="tokens")


def test_repr_html_is_the_default_render():
    doc = sample_doc()
    assert doc._repr_html_() == render(doc)


def test_header_shows_id_date_counts_and_error():
    doc = sample_doc()
    doc.error = {"stage": "entities", "type": "RuntimeError", "message": "model missing"}
    html = render(doc)
    head = re.search(r'<div class="cnnlp-head"[^>]*>(.*?)</div>', html).group(1)
    assert "sample" in head and "2024-03-01" in head and "4 entities" in head and "2 facts" in head
    assert "model missing" in html and "entities" in html


def test_spans_outside_the_text_do_not_crash():
    doc = Doc(raw="短文")
    doc.entities = [Entity("x", "LOC", 1, 99), Entity("y", "LOC", 5, 3)]
    tree = parse(render(doc))
    assert "".join(tree.body_text) == "短文"
    assert tree.marks() == [("LOC", "文")]


def test_empty_doc_renders():
    tree = parse(render(Doc(raw="")))
    assert tree.body_text == []


# -- standalone pages -------------------------------------------------------------------
def test_save_html_writes_a_standalone_page(tmp_path):
    doc = sample_doc()
    path = save_html(doc, tmp_path / "doc.html", style="entities")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<title>sample</title>" in page and 'content="light dark"' in page
    assert render(doc, style="entities") in page
    other = save_html("<p>已渲染</p>", tmp_path / "frag.html", title="a<b")
    assert "<p>已渲染</p>" in other.read_text(encoding="utf-8") and "<title>a&lt;b</title>" in other.read_text(
        encoding="utf-8"
    )
    with pytest.raises(TypeError):
        save_html(42, tmp_path / "x.html")  # type: ignore[arg-type]


# -- property: any set of spans renders well-nested, the text intact --------------------
@st.composite
def docs_with_spans(draw):
    text = draw(st.text(alphabet=st.sampled_from(list("中文新闻<>&\"'\n 数据")), min_size=0, max_size=30))
    n = len(text)
    bounds = st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted)
    doc = Doc(raw=text)
    for a, b in draw(st.lists(bounds, max_size=6)):
        if a < b:
            doc.entities.append(Entity(text[a:b], draw(st.sampled_from(ENTITY_LABELS)), a, b))
    for a, b in draw(st.lists(bounds, max_size=4)):
        if a < b:
            doc.facts.append(Fact(text[a:b], draw(st.none() | st.floats(-1e12, 1e12)), "元", "money", a, b))
    return doc


@settings(max_examples=150, deadline=None)
@given(docs_with_spans())
def test_any_spans_render_well_nested_with_the_text_intact(doc):
    tree = parse(render(doc))
    assert "".join(tree.body_text) == doc.text
    # one mark head per entity, and its fragments spell the entity
    ordered = sorted(doc.entities, key=lambda e: (e.start, -e.end))
    assert sorted(tree.marks()) == sorted((e.label, e.text) for e in ordered)


def test_max_chars_shows_the_beginning_and_says_how_much_is_left():
    doc = sample_doc()
    cut = doc.text.index("王建宇") + 1  # inside the PERSON, before the facts
    html = render(doc, max_chars=cut)
    tree = parse(html)
    assert "".join(tree.body_text) == doc.text[:cut]
    assert tree.marks() == [("LAB", "之江实验室"), ("TITLE", "主任"), ("PERSON", "王")]
    assert 'class="cnnlp-fact"' not in html
    assert f"… {len(doc.text) - cut} more characters" in html
    assert "4 entities" in html  # the header counts the whole document
    assert render(doc, max_chars=len(doc.text)) == render(doc)


@st.composite
def repaired_docs(draw):
    """A random text, random repairs applied with Doc.apply_edits, then random entities on the result."""
    raw = draw(st.text(alphabet=st.sampled_from(list("業產(yè)蕞,<&中文")), min_size=0, max_size=24))
    cuts = sorted(draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    edits, last = [], -1
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a > last:  # non-overlapping, and at most one insertion per point
            edits.append(
                Edit(a, b, draw(st.text(alphabet="最，平", max_size=2)), cause=draw(st.sampled_from(["x", "y"])))
            )
            last = b
    doc = Doc(raw=raw)
    doc.apply_edits(edits)
    n = len(doc.text)
    for a, b in draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted), max_size=4)):
        if a < b:
            doc.entities.append(Entity(doc.text[a:b], "ORG", a, b))
    doc.fill_raw_offsets()
    return doc


@settings(max_examples=150, deadline=None)
@given(repaired_docs())
def test_repairs_and_entities_render_well_nested_with_the_text_intact(doc):
    html = render(doc)
    tree = parse(html)
    assert "".join(tree.body_text) == doc.text
    assert sorted(tree.marks()) == sorted((e.label, e.text) for e in doc.entities)
    shown = [a for t, a in tree.elements if "cnnlp-rep" in (a.get("class") or "") and "data-cont" not in a]
    assert len(shown) == len(doc.repairs)


def test_guessed_repairs_are_marked_as_guesses():
    import chinese_news_nlp as cnn

    doc = cnn.load(stages=["repair"])("本报北京12月31日讯".encode().decode("gbk", "replace"))
    assert any(r.guessed for r in doc.repairs) and any(not r.guessed for r in doc.repairs)
    reps = [a for t, a in parse(render(doc, style="repairs")).elements if "cnnlp-rep" in (a.get("class") or "")]
    outer = [a for a in reps if "data-cont" not in a]
    assert [a.get("data-guessed") == "1" for a in outer] == [r.guessed for r in doc.repairs]
    assert all("guessed (bytes lost)" in a["title"] for a in outer if a.get("data-guessed"))


def test_names_over_guessed_characters_are_marked():
    """An entity read across guessed characters (Entity.guessed) says so in its tooltip."""
    doc = Doc(raw="浙江大学的校长", text="浙江大学的校长")
    doc.repairs = [Repair(3, 4, "?", "学", "big5-as-gbk", 0.4, "partial", 3, 4, guessed=True)]
    doc.entities = [Entity("浙江大学", "EDU", 0, 4), Entity("校长", "TITLE", 5, 7)]
    doc.fill_raw_offsets()
    marks = [a for t, a in parse(render(doc, style="entities")).elements if "cnnlp-ent" in (a.get("class") or "")]
    assert [a.get("data-guessed") == "1" for a in marks] == [True, False]
    assert "holds guessed characters" in marks[0]["title"] and "guessed" not in marks[1]["title"]
