import codecs

import pytest

from chinese_news_nlp import (
    BinaryInputError,
    DocumentTooLargeError,
    EmptyInputError,
    InputError,
    UndecodableInputError,
    load,
)
from chinese_news_nlp.decode import decode_bytes, make_doc


@pytest.mark.parametrize("name, encoding", [("pku_test", "gb18030"), ("cityu_test", "big5")])
def test_sighan_files_decode(shared_dir, name, encoding):
    data = (shared_dir / "data/icwb2/testing" / f"{name}.txt").read_bytes()
    expected = (shared_dir / "data/icwb2/testing" / f"{name}.utf8").read_text(encoding="utf-8")
    decoded = decode_bytes(data)
    assert decoded.encoding.startswith(encoding)
    got, want = decoded.text.replace("\r\n", "\n"), expected.lstrip("\ufeff").replace("\r\n", "\n")
    assert len(got) == len(want)
    # Big5 codecs differ on a few symbols (0xA145: '•' in HKSCS, '‧' in CP950); no CJK character may differ.
    differing = [(a, b) for a, b in zip(got, want) if a != b]
    assert len(differing) <= 2 and not any("\u4e00" <= a <= "\u9fff" for a, _ in differing), differing


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5", "utf-16", "utf-8-sig"])
def test_round_trip_encodings(encoding):
    text = "香港特別行政區政府今天發表聲明，經濟發展很快。" * 3
    if encoding == "gb18030":
        text = "浙江省委书记在杭州表示，数字经济发展很快。" * 3
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text.lstrip("\ufeff") == text


def test_encoding_recorded_in_meta():
    doc = load([])("浙江大学".encode("gb18030"), id="x", date="2024-05-01")
    assert doc.meta["encoding"] == "gb18030" and doc.meta["id"] == "x" and doc.meta["date"] == "2024-05-01"


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", EmptyInputError),
        (bytes(range(256)) * 4, BinaryInputError),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BinaryInputError),
        (b"\x80\x80\xff" * 50, UndecodableInputError),
    ],
)
def test_bad_bytes_raise_typed_errors(data, error):
    with pytest.raises(error):
        decode_bytes(data)
    assert issubclass(error, InputError)


def test_utf16_bom_detected():
    assert decode_bytes(codecs.BOM_UTF16_LE + "新闻".encode("utf-16-le")).text == "新闻"


def test_str_inputs_are_never_rejected():
    assert make_doc("").text == ""
    assert make_doc("   \n\t ").text == "   \n\t "
    doc = make_doc("控制\x00字符\x07\x1b")
    assert doc.text == "控制\x00字符\x07\x1b"
    doc = make_doc("坏\ud800的\udfff")
    assert doc.text == "坏\ufffd的\ufffd" and doc.meta["replaced_surrogates"] == 2


def test_too_large_is_typed():
    with pytest.raises(DocumentTooLargeError, match="max_chars"):
        make_doc("字" * 11, max_chars=10)
