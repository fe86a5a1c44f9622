import codecs

import pytest

from chinese_news_nlp import (
    BinaryInputError,
    DocumentTooLargeError,
    EmptyInputError,
    InputError,
    InvalidDateError,
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


def test_str_inputs_with_a_few_controls_are_kept_and_cleaned():
    assert make_doc("").text == ""
    assert make_doc("   \n\t ").text == "   \n\t "
    doc = make_doc("控制\x00字符\x07\x1b")
    assert doc.raw == "控制\x00字符\x07\x1b"  # raw is the input as given
    assert doc.text == "控制 字符  "  # controls are separators in the text every stage reads
    assert [(r.raw_start, r.raw_end, r.before, r.cause) for r in doc.repairs] == [
        (2, 3, "\x00", "control-character"),
        (5, 7, "\x07\x1b", "control-character"),
    ]
    doc.check()
    doc = make_doc("坏\ud800的\udfff")
    assert doc.text == "坏\ufffd的\ufffd" and doc.meta["replaced_surrogates"] == 2


@pytest.mark.parametrize("text", ["北京大学\r\n清华大学\r\n", "北京大学\r清华大学\r上海", "\r\n" * 3 + "新闻"])
def test_carriage_returns_are_line_ends_not_controls(text):
    # \r was in the control range: every line of a CRLF file got a control-character repair
    doc = make_doc(text)
    assert doc.text == text and doc.repairs == []
    doc = load(["zones", "segment"])(text)
    assert doc.text == text and doc.repairs == [] and [t.text for t in doc.tokens] == text.split()
    doc.check()
    assert make_doc("控制\x0b\x0c\x0e字符").text == "控制   字符"  # the controls beside \r still are


@pytest.mark.parametrize(
    "text",
    [
        "".join(map(chr, range(1, 32))) * 10,  # the example of issue 12
        "\x00" * 50,
        "\ufffe\uffff\ufdd0" * 20 + "新闻",
        "\x01\x02\x03北京",
    ],
)
def test_str_that_is_mostly_junk_is_rejected_like_bytes(text):
    with pytest.raises(BinaryInputError):
        make_doc(text)
    with pytest.raises(BinaryInputError):
        load([])(text)


def test_c1_controls_of_mojibake_are_left_for_the_repair_stage():
    # UTF-8 read as Latin-1: 中文 -> "ä¸\xadæ\x96\x87"; its C1 bytes are what the repair reads back
    mojibake = "中文".encode().decode("latin-1")
    assert make_doc(mojibake).text == mojibake
    # GBK read as Latin-1 can put a C1 lead byte before printable ASCII (0x81 0x40)
    assert make_doc("\x81@\xb1\xb1").text == "\x81@\xb1\xb1"
    # a C1 control between Chinese characters is a control
    assert make_doc("北京\x85上海").text == "北京 上海"


def test_dates_are_iso_or_an_error():
    assert make_doc("文", date="2024-05-20").date == "2024-05-20"
    assert make_doc("文", date="2024-05-20T08:00:00+08:00").date == "2024-05-20"
    with pytest.raises(InvalidDateError):
        make_doc("文", date="notadate")
    with pytest.raises(InvalidDateError):
        load([])("文", date="2024-13-01")


def test_too_large_is_typed():
    with pytest.raises(DocumentTooLargeError, match="max_chars"):
        make_doc("字" * 11, max_chars=10)


def test_without_controls_replaces_lone_surrogates_one_for_one():
    from chinese_news_nlp.decode import without_controls

    # what the stage functions used alone read: UTF-8 engines cannot take a lone surrogate
    assert without_controls("北\ud800京\x00") == "北\ufffd京 "
