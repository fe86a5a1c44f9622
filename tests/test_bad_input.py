"""Bad input through the whole default pipeline: a typed error or a valid Doc, never a crash."""

import os

import pytest

from chinese_news_nlp import DocumentTooLargeError, InputError, load
from chinese_news_nlp.pipeline import DEFAULT_STAGES, registered_stages


@pytest.fixture(scope="module")
def nlp():
    return load([s for s in DEFAULT_STAGES if s in registered_stages()])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\n\t",
        "\x00\x01\x02控制\x1b[31m字符",
        "坏\ud800的\udfff代理",
        "\ufeff带BOM的新闻",
        "a" * 5000,
        "。" * 3000,
        "𠀀𠀁𪚥",
    ],
)
def test_odd_text_gives_a_valid_doc(nlp, text):
    doc = nlp(text)
    doc.check()
    assert doc.to_json()  # serialisable, surrogates included


@pytest.mark.parametrize("data", [os.urandom(4096), b"\x00" * 100, b"\x80\x80\xff" * 10, b""])
def test_binary_junk_is_a_typed_error(nlp, data):
    with pytest.raises(InputError):
        nlp(data)


def test_binary_junk_in_a_batch_is_recorded(nlp):
    docs = list(nlp.pipe([os.urandom(1000), "浙江大学", b""]))
    assert [d.error is not None for d in docs] == [True, False, True]
    assert docs[1].text == "浙江大学"


def test_ten_megabyte_document(nlp):
    big = ("浙江省委书记在杭州表示，数字经济发展很快。" * 300 + "\n") * 800  # about 10 MB in UTF-8
    assert len(big.encode("utf-8")) > 10_000_000
    with pytest.raises(DocumentTooLargeError):
        nlp(big)
    with pytest.raises(DocumentTooLargeError):
        nlp(big.encode("utf-8"))
    docs = list(nlp.pipe([big, "小文档"]))
    assert docs[0].error["type"] == "DocumentTooLargeError" and docs[1].error is None


def test_large_document_under_the_limit_is_processed():
    # jieba, the fastest engine: this is about size, and auto alone may be the pkuseg vote (~30 k chars/s)
    nlp = load(["convert", "segment"], max_chars=20_000_000, segment={"engine": "jieba"})
    big = ("浙江省委书记在杭州表示，数字经济发展很快。" * 300 + "\n") * 800
    doc = nlp(big)
    assert len(doc.tokens) > 1_000_000
    assert doc.tokens[-1].end <= len(doc.text)


@pytest.mark.parametrize("name", ["segment", "find_zones", "to_simplified", "extract_entities", "extract_facts"])
def test_stage_functions_alone_take_odd_str_and_refuse_non_str(name):
    import chinese_news_nlp as cnn

    fn = getattr(cnn, name)
    for text in ["", "北\ud800京", "\ud800", "\r\n\r\n"]:
        fn(text)  # segment, to_simplified and extract_entities raised UnicodeEncodeError on a surrogate
    for bad in (None, 5, b"\xe5\x8c\x97"):
        with pytest.raises(TypeError):  # segment and find_zones raised AttributeError
            fn(bad)
