import pytest

from chinese_news_nlp import Doc, load, to_simplified
from chinese_news_nlp.convert import ConvertStage, conversion_edits


def test_t2s_default():
    assert to_simplified("搶抓機遇 布局建設未來產業") == "抢抓机遇 布局建设未来产业"


@pytest.mark.parametrize(
    "config, text, expected",
    [
        ("tw2sp", "我的部落格在記憶體裡。\n滑鼠壞了", "我的博客在内存里。\n鼠标坏了"),
        ("s2twp", "我的博客在内存里", "我的部落格在記憶體裡"),
    ],
)
def test_length_changing_phrases_keep_exact_offsets(config, text, expected):
    doc = ConvertStage(config)(Doc(raw=text))
    assert doc.text == expected
    assert len(doc.text) != len(doc.raw)
    # every word maps back to exactly the raw characters it was converted from
    for word, source in [("博客", "部落格"), ("内存", "記憶體"), ("部落格", "博客"), ("記憶體", "内存")]:
        start = doc.text.find(word)
        if start < 0:
            continue
        rs, re_ = doc.to_raw(start, start + len(word))
        assert doc.raw[rs:re_] == source
    # characters outside the phrases map one to one
    for ch in "我的在":
        i = doc.text.index(ch)
        rs, re_ = doc.to_raw(i, i + 1)
        assert doc.raw[rs:re_] == ch


def test_edits_carry_no_cause():
    assert all(e.cause is None for e in conversion_edits("發展", "t2s"))


def test_unknown_config():
    with pytest.raises(ValueError, match="unknown OpenCC config"):
        ConvertStage("t2x")


def test_config_through_load():
    nlp = load(["convert"], convert={"config": "s2t"})
    assert nlp("发展").text == "發展"


@pytest.mark.parametrize(
    "config, text, runs",
    [
        # a converted phrase next to its own output: a plain diff would pair the wrong 博客
        ("tw2sp", "部落格博客", [[0, 3, 0, 2]]),
        # two phrases side by side stay two runs
        ("tw2sp", "記憶體記憶體", [[0, 3, 0, 2], [3, 6, 2, 4]]),
        ("s2twp", "博客博客部落格", [[0, 2, 0, 3], [2, 4, 3, 6]]),
        # phrases separated by one character, across a line end
        ("tw2sp", "我的部落格在記憶體裡。\n滑鼠壞了", [[2, 5, 2, 4], [6, 9, 5, 7]]),
    ],
)
def test_phrase_runs_are_exact(config, text, runs):
    doc = ConvertStage(config)(Doc(raw=text))
    assert doc.alignment.to_dict()["steps"][0]["runs"] == runs


def test_convert_text_keeps_lone_surrogates_and_refuses_non_str():
    from chinese_news_nlp.convert import convert_text

    # OpenCC takes UTF-8: a lone surrogate raised UnicodeEncodeError
    assert convert_text("國\ud800際發展") == "国\ud800际发展"
    with pytest.raises(TypeError):
        convert_text(None)
