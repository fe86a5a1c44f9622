"""Corpus processing: readers, writers, resume, worker pool, fault tolerance, CLI."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import test_corpus_stages  # noqa: F401 - registers the test_* stages
from conftest import read_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

import chinese_news_nlp as cnn
from chinese_news_nlp.corpus import DEFAULT_TABLES, JsonlWriter, jsonl_ids, process
from chinese_news_nlp.corpus.manifest import ResumeMismatchError
from chinese_news_nlp.corpus.readers import (
    DuplicateIdError,
    ReadFailure,
    Source,
    input_label,
    iter_ids,
    iter_records,
    sources,
)
from chinese_news_nlp.corpus.writers import truncate_partial_line
from chinese_news_nlp.pieces import piece_bounds


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)


def small_corpus(folder: Path, n: int) -> list[str]:
    """``n`` short articles in traditional script, a few in GB18030 and Big5; their ids when
    ``folder`` is given as is (the path as given, then the path inside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        text = f"第{i}號新聞：臺北市政府今日發佈{i % 97}項經濟數據，國際觀察家表示樂觀。"
        encoding = ("utf-8", "gb18030", "big5")[i % 3]
        name = f"{i // 100:02d}/doc{i:04d}.txt"
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(text.encode(encoding))
        ids.append(input_label(folder / name))
    return ids


def by_name(docs: list[dict]) -> dict[str, dict]:
    """Records by file name (their ids are the paths as given)."""
    return {Path(d["id"]).name: d for d in docs}


# -- readers ------------------------------------------------------------------------------
def test_folder_ids_are_paths_as_given_and_bytes_are_left_to_the_pipeline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small_corpus(Path("c"), 5)
    records = list(iter_records(["./c/"]))
    assert [r[1] for r in records] == [f"c/00/doc{i:04d}.txt" for i in range(5)]
    assert all(isinstance(r[0], bytes) for r in records)


def test_jsonl_ids_dates_and_bad_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "北京", "date": "2024-05-01"}, ensure_ascii=False),
        json.dumps({"text": "上海"}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": 7, "body": "no text"}),
        json.dumps(["a list"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(iter_records([path], date="2020-01-01"))
    at = input_label(path)
    assert [(r[1], r[2]) for r in records] == [
        ("a", "2024-05-01"),
        (f"{at}:2", "2020-01-01"),
        (f"{at}:4", "2020-01-01"),
        ("7", "2020-01-01"),
        (f"{at}:6", "2020-01-01"),
    ]
    assert records[0][0] == "北京" and records[1][0] == "上海"
    assert all(isinstance(r[0], ReadFailure) for r in records[2:])


def test_jsonl_with_carriage_returns_alone_for_line_ends_says_so(tmp_path):
    """A file of old Mac line ends is one line: its failure said "Extra data" and nothing of why."""
    path = tmp_path / "in.jsonl"
    path.write_bytes('{"text": "北京"}\r{"text": "上海"}\r'.encode())
    [(failure, doc_id, _)] = iter_records([path])
    assert doc_id == f"{input_label(path)}:1" and "carriage returns (\\r) alone" in failure.message
    path.write_bytes('{"text": "北京"}\r\n{"text": "上海"}\r\n'.encode())  # \r\n is a line end
    assert [r[0] for r in iter_records([path])] == ["北京", "上海"]


def test_jsonl_line_ids_are_always_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.jsonl", "b.jsonl"):
        Path(name).write_text('{"text": "文"}\n', encoding="utf-8")
    assert [r[1] for r in iter_records(["a.jsonl"])] == ["a.jsonl:1"]  # alone as with others
    assert [r[1] for r in iter_records(["b.jsonl", "a.jsonl"])] == ["b.jsonl:1", "a.jsonl:1"]


# -- .json: one JSON document (the fuzz round: a pretty-printed file gave an error per line) ------------
def _json_file(path: Path, value, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


def test_a_json_array_is_a_record_per_element(tmp_path):
    elements = [
        {"id": "a", "text": "北京", "date": "2024-05-01"},
        {"text": "上海"},
        "not an object",
        {"id": 7, "body": "no text"},
        {"text": 5},
        {"id": "h", "html": "<html><body><p>广州</p></body></html>"},
    ]
    at = input_label(_json_file(tmp_path / "in.json", elements))
    for indent in (2, None):  # pretty-printed or on one line
        records = list(iter_records([_json_file(tmp_path / "in.json", elements, indent)], date="2020-01-01"))
        assert [(r[1], r[2]) for r in records] == [
            ("a", "2024-05-01"),
            (f"{at}:2", "2020-01-01"),
            (f"{at}:3", "2020-01-01"),
            ("7", "2020-01-01"),
            (f"{at}:5", "2020-01-01"),
            ("h", "2020-01-01"),
        ]
        assert records[0][0] == "北京" and records[1][0] == "上海" and isinstance(records[5][0], cnn.Html)
        assert [r[0].message for r in records[2:5]] == [
            "expected a JSON object, got str",  # as a JSONL line that is no object
            "no 'text' field",
            "'text' is int, not a string",
        ]
        assert [i for i in iter_ids(sources([tmp_path / "in.json"]))] == [r[1] for r in records]


def test_a_json_object_with_text_is_one_record(tmp_path):
    at = input_label(_json_file(tmp_path / "one.json", {"text": "北京"}))
    assert list(iter_records([tmp_path / "one.json"])) == [("北京", f"{at}:1", None)]  # as its one line gives
    assert list(iter_records([_json_file(tmp_path / "one.json", {"id": "x", "text": "北京"})])) == [("北京", "x", None)]
    both = {"text": "北京", "related": [{"text": "上海"}]}  # a record that holds others is a record
    assert [r[0] for r in iter_records([_json_file(tmp_path / "one.json", both)])] == ["北京"]


@pytest.mark.parametrize("indent", [2, None])  # pretty-printed, or the whole object on one line
def test_a_json_object_wrapping_the_records_in_one_field_is_read_as_those_records(tmp_path, indent):
    """``{"data": [...]}`` gave one failure for the file, its documents read as none."""
    wrapped = {
        "status": "ok",
        "total": 4,
        "tags": ["新闻"],  # a list, but of no records
        "data": [{"text": "北京", "date": "2024-05-01"}, {"id": "s", "text": "上海"}, "junk", {"body": "no text"}],
    }
    path = _json_file(tmp_path / "news.json", wrapped, indent)
    at = input_label(path)
    records = list(iter_records([path], date="2020-01-01"))
    assert [(r[1], r[2]) for r in records] == [
        (f"{at}:data:1", "2024-05-01"),
        ("s", "2020-01-01"),
        (f"{at}:data:3", "2020-01-01"),
        (f"{at}:data:4", "2020-01-01"),
    ]
    assert records[0][0] == "北京" and records[1][0] == "上海"
    assert [r[0].message for r in records[2:]] == ["expected a JSON object, got str", "no 'text' field"]
    assert list(iter_ids(sources([path]))) == [r[1] for r in records]
    out = tmp_path / "out.jsonl"
    result = cli(str(path), "-o", str(out), "--stages", "convert", "-q")
    assert result.returncode == 1, result.stderr  # two elements failed, each recorded
    assert [d["id"] for d in read_jsonl(out)] == [r[1] for r in records]


@pytest.mark.parametrize(
    "value, message",
    [
        ({"articles": [{"text": "北京"}], "comments": [{"text": "上海"}]}, "'articles', 'comments' each hold"),
        ({"data": []}, "its 'data' is an empty list"),
        ({"data": [{"body": "北京"}]}, "'data' holds a list of objects without 'text' or 'html'"),
        ({"response": {"docs": [{"text": "北京"}]}}, "jq '.response.docs' in.json"),
        ({"title": "标题", "body": "北京"}, "no field holds a list of records; its fields: 'title', 'body'"),
    ],
)
def test_any_other_json_object_is_one_failure_naming_the_file_and_why(tmp_path, value, message):
    for indent in (2, None):
        path = _json_file(tmp_path / "in.json", value, indent)
        [(failure, doc_id, _)] = iter_records([path])
        assert doc_id == f"{input_label(path)}:1" and list(iter_ids(sources([path]))) == [doc_id]
        assert isinstance(failure, ReadFailure) and failure.message.startswith(f"{input_label(path)}: ")
        assert message in failure.message


def test_a_wrapper_key_with_a_lone_surrogate_is_escaped_in_the_ids(tmp_path):
    """``{"\\ud800": [...]}``: the key went into the ids as it was, and writing them ended the run."""
    path = tmp_path / "in.json"
    path.write_text('{"\\ud800": [{"text": "北京"}]}', encoding="utf-8")
    summary = process([path], tmp_path / "out.jsonl", stages="convert", progress=False)
    [doc] = read_jsonl(tmp_path / "out.jsonl")
    assert summary.errors == 0 and doc["id"] == f"{input_label(path)}:\\ud800:1"


def test_a_wrapper_on_a_line_of_jsonl_is_that_lines_failure_and_says_so(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"data": [{"text": "北京"}, {"text": "上海"}]}\n{"text": "广州"}\n', encoding="utf-8")
    (failure, first, _), (text, second, _) = iter_records([path])
    assert (first, second, text) == (f"{input_label(path)}:1", f"{input_label(path)}:2", "广州")
    assert "no 'text' field; its 'data' holds a list of records, which are not read" in failure.message


@pytest.mark.parametrize(
    "content, message",
    [
        ('[\n  {"text": "北京"},\n  {"text": "上海"\n', "not valid JSON"),  # cut short: one error, not one per line
        ('{\n  "text": "北京",\n}\n', "not valid JSON"),
        ("", "not valid JSON"),
        ("\n  \n", "not valid JSON"),
        ('"北京"', "expected an array of records or a JSON object, got str"),
        ("42\n", "expected an array of records or a JSON object, got int"),
    ],
)
def test_a_malformed_json_file_is_one_failure_for_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    [(failure, doc_id, date)] = iter_records([path], date="2020-01-01")
    assert isinstance(failure, ReadFailure) and message in failure.message
    assert (doc_id, date) == (input_label(path), "2020-01-01")
    assert list(iter_ids(sources([path]))) == [doc_id]


def test_a_json_file_holding_jsonl_is_read_as_jsonl(tmp_path):
    """A .json file whose first line is a record is JSONL (many are named so): a record per line, ids
    ``<file>:<line>``, a bad line its own failure, exactly as the same lines in a .jsonl file."""
    lines = '\ufeff{"text": "北京"}\n{not json\n\n{"id": "c", "text": "上海"}\n["a list"]\n'
    (tmp_path / "in.json").write_text(lines, encoding="utf-8")
    (tmp_path / "in.jsonl").write_text(lines, encoding="utf-8")
    as_json = list(iter_records([tmp_path / "in.json"]))
    as_jsonl = list(iter_records([tmp_path / "in.jsonl"]))
    assert [r[1].replace(".json:", ".jsonl:") for r in as_json] == [r[1] for r in as_jsonl]
    assert [r[0] for r in as_json] == [r[0] for r in as_jsonl]
    assert [r[1].rsplit("/", 1)[-1] for r in as_json] == ["in.json:1", "in.json:2", "c", "in.json:5"]
    (tmp_path / "in.json").write_bytes('{"text": "\xff"}\n{"text": "北京"}\n'.encode().replace(b"\xc3\xbf", b"\xff"))
    bad, good = iter_records([tmp_path / "in.json"])  # a byte that is not UTF-8 in the first line: JSONL still
    assert "can't decode byte 0xff" in bad[0].message and good[:2] == ("北京", f"{input_label(tmp_path)}/in.json:2")


def test_json_files_through_a_run(tmp_path):
    _json_file(
        tmp_path / "a.json", [{"id": "x", "text": "臺北市政府今日發佈經濟數據。"}, {"text": "上海"}, ["no object"]]
    )
    (tmp_path / "b.json").write_text('[\n  {"text": "北京"},\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli(str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(out), "--stages", "convert", "-q")
    assert result.returncode == 1, result.stderr  # some documents failed, each recorded
    docs = read_jsonl(out)
    a, b = input_label(tmp_path / "a.json"), input_label(tmp_path / "b.json")
    assert [d["id"] for d in docs] == ["x", f"{a}:2", f"{a}:3", b]
    assert docs[0]["text"] == "台北市政府今日发布经济数据。" and docs[1]["error"] is None
    assert [d["error"]["stage"] for d in docs[2:]] == ["read", "read"]
    _json_file(tmp_path / "c.json", [{"id": "x", "text": "北京"}])
    with pytest.raises(DuplicateIdError, match="'x' \\(2 times\\)"):  # ids are checked across inputs
        process([tmp_path / "a.json", tmp_path / "c.json"], tmp_path / "o2.jsonl", stages="convert", progress=False)


def test_a_json_document_cut_into_dask_partitions_is_read_once(tmp_path):
    """The Dask engine cuts a .json input into byte ranges as JSONL: the first reads the document whole,
    the others nothing, so that each record comes once."""
    from chinese_news_nlp.corpus.dask_engine import Partition, _jsonl_ranges

    path = _json_file(tmp_path / "in.json", [{"text": f"第{i}號新聞"} for i in range(20)])
    ranges = list(_jsonl_ranges(str(path), size=64))
    assert len(ranges) > 3
    parts = [Partition(n, "jsonl", path=str(path), start=s, end=e, first_line=f) for n, (s, e, f) in enumerate(ranges)]
    records = [r for p in parts for r in p.records(None)]
    assert [r[0] for r in records] == [f"第{i}號新聞" for i in range(20)]
    assert [r[1] for r in records] == [f"{input_label(path)}:{i}" for i in range(1, 21)]
    jsonl = tmp_path / "lines.json"  # JSONL in a .json file keeps its ranges
    jsonl.write_text("".join(json.dumps({"text": f"第{i}號"}, ensure_ascii=False) + "\n" for i in range(20)), "utf-8")
    parts = [Partition(n, "jsonl", path=str(jsonl), start=s, end=e, first_line=f)
             for n, (s, e, f) in enumerate(_jsonl_ranges(str(jsonl), size=64))]  # fmt: skip
    assert [r[1] for p in parts for r in p.records(None)] == [f"{input_label(jsonl)}:{i}" for i in range(1, 21)]


# -- JSONL in UTF-16 or UTF-32 (the fuzz round: cut at the byte 0x0A, 上 U+4E0A ended a line) ---------
def _lines(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_jsonl_in_utf16_or_utf32_is_a_record_per_line(tmp_path, encoding):
    records = [{"id": "a", "text": "上海市政府今日發佈經濟數據。"}, {"text": "北京"}, {"id": "c", "text": "廣州"}]
    for name in ("in.jsonl", "in.json"):  # a .json file holding JSONL too
        path = tmp_path / name
        path.write_bytes(_lines(records).encode(encoding))  # "utf-16", "utf-32": with a BOM
        srcs = sources([path])
        got = list(iter_records(srcs))
        assert got == [
            ("上海市政府今日發佈經濟數據。", "a", None),
            ("北京", f"{input_label(path)}:2", None),
            ("廣州", "c", None),
        ]
        assert list(iter_ids(srcs)) == [r[1] for r in got]
    path.write_bytes(_lines(records[:2]).encode(encoding) + _lines(records[2:]).encode(encoding))  # cat a b
    assert [r[0] for r in iter_records([path])] == [r["text"] for r in records]  # a BOM inside for utf-16, -32
    path.write_bytes(_lines([*records, {"id": "a", "text": "又"}]).encode(encoding))
    with pytest.raises(DuplicateIdError, match="'a' \\(2 times\\)"):  # the check reads the same ids
        process([path], tmp_path / "o.jsonl", stages="convert", progress=False)


def test_jsonl_in_utf16_through_a_run_and_in_dask_partitions(tmp_path):
    from chinese_news_nlp.corpus.dask_engine import Partition, _jsonl_ranges

    path = tmp_path / "in.jsonl"
    path.write_bytes(_lines([{"text": f"第{i}號上海新聞"} for i in range(20)]).encode("utf-16"))
    out = tmp_path / "out.jsonl"
    result = cli(str(path), "-o", str(out), "--stages", "convert", "-q")
    assert result.returncode == 0, result.stderr
    docs = read_jsonl(out)
    assert [(d["id"], d["text"]) for d in docs] == [
        (f"{input_label(path)}:{i + 1}", f"第{i}号上海新闻") for i in range(20)
    ]
    ranges = list(_jsonl_ranges(str(path), size=64))  # byte ranges: the first reads the file, the others nothing
    assert len(ranges) > 3
    parts = [Partition(n, "jsonl", path=str(path), start=s, end=e, first_line=f) for n, (s, e, f) in enumerate(ranges)]
    assert [r[0] for p in parts for r in p.records(None)] == [f"第{i}號上海新聞" for i in range(20)]


def test_utf8_jsonl_that_starts_with_a_zero_byte_is_not_taken_for_utf16(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\x00\n" + _lines([{"text": "北京"}, {"text": "上海"}]).encode())
    records = list(iter_records([path]))
    assert isinstance(records[0][0], ReadFailure) and [r[0] for r in records[1:]] == ["北京", "上海"]
    chinese = _lines([{"text": "上海市政府今日發佈經濟數據。" * 4}, {"text": "北京"}])  # UTF-16 of mostly no zero byte
    path.write_bytes(chinese.encode("utf-16-le"))
    assert [r[0] for r in iter_records([path])] == ["上海市政府今日發佈經濟數據。" * 4, "北京"]


def test_a_utf16_jsonl_line_with_bytes_that_do_not_decode_is_that_lines_failure(tmp_path):
    data = _lines([{"text": "北京"}, {"text": "上海"}, {"text": "广州"}]).encode("utf-16-le")
    second = data.index("上".encode("utf-16-le"))
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xff\xfe" + data[:second] + b"\x00\xdc" + data[second:])  # a lone low surrogate
    records = list(iter_records([path]))
    assert [r[1] for r in records] == [f"{input_label(path)}:{n}" for n in (1, 2, 3)]
    assert (records[0][0], records[2][0]) == ("北京", "广州")
    assert isinstance(records[1][0], ReadFailure) and "not valid UTF-16" in records[1][0].message


def test_json_nested_too_deeply_is_that_lines_or_files_failure(tmp_path):
    """100,000 ``[`` on a line raised RecursionError out of the reader (and the id check): the run ended."""
    deep = "[" * 100_000
    path = tmp_path / "in.jsonl"
    path.write_text(f'{{"text": "北京"}}\n{deep}\n{{"id": "d", "x": {deep}\n{{"text": "上海"}}\n', encoding="utf-8")
    (tmp_path / "in.json").write_text(deep, encoding="utf-8")
    srcs = sources([path, tmp_path / "in.json"])
    records = list(iter_records(srcs))
    assert list(iter_ids(srcs)) == [r[1] for r in records]
    assert [r[0] for r in records[::3]] == ["北京", "上海"]
    assert all("nested too deeply" in r[0].message for r in (*records[1:3], records[4]))
    summary = process([path, tmp_path / "in.json"], tmp_path / "out.jsonl", stages="convert", progress=False)
    assert (summary.documents, summary.errors) == (5, 3)
    assert [d["id"] for d in read_jsonl(tmp_path / "out.jsonl")] == [r[1] for r in records]


def test_a_record_field_that_would_end_the_run_is_that_records_failure(tmp_path):
    """An ``id`` with a lone surrogate could not be written (UTF-8), a ``url`` that is no string made the
    extractor raise: either ended the run, the documents after it never written."""
    path = tmp_path / "in.jsonl"
    lines = [
        '{"id": "a\\ud800", "text": "北京"}',
        '{"html": "<html><body><p>北京市政府今日发布经济数据。</p></body></html>", "url": 5}',
        '{"id": "ok", "text": "上海"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    srcs = sources([path])
    records = list(iter_records(srcs))
    at = input_label(path)
    assert [r[1] for r in records] == list(iter_ids(srcs)) == [f"{at}:1", f"{at}:2", "ok"]
    assert [r[0].message for r in records[:2]] == [
        "'id' field: 'a\\ud800' holds a lone surrogate, which no output can hold",
        "'url' is int, not a string",
    ]
    summary = process([path], tmp_path / "out.jsonl", stages="convert", progress=False)
    assert (summary.documents, summary.errors) == (3, 2)
    assert [d["id"] for d in read_jsonl(tmp_path / "out.jsonl")] == [f"{at}:1", f"{at}:2", "ok"]


def test_a_file_name_that_is_not_utf8_is_an_id_with_its_bytes_escaped(tmp_path, monkeypatch):
    """A file named in GBK (as unzipped archives leave them) had an id with lone surrogates, which ended
    the run when its document was written (exit 2, the documents after it unwritten)."""
    monkeypatch.chdir(tmp_path)
    os.mkdir("c")
    try:
        with open(os.path.join(b"c", "北京.txt".encode("gbk")), "wb") as fh:
            fh.write("北京市政府今日發佈經濟數據。".encode())
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    Path("c/z.txt").write_text("上海", encoding="utf-8")
    lines = os.path.join(b"c", "上海.jsonl".encode("gbk"))
    with open(lines, "wb") as fh:
        fh.write('{"text": "广州"}\n'.encode())
    inputs = ["c", os.fsdecode(lines)]
    expected = ["c/z.txt", "c/\\xb1\\xb1\\xbe\\xa9.txt", "c/\\xc9Ϻ\\xa3.jsonl:1"]  # \xcf\xba is UTF-8 for Ϻ
    assert [r[1] for r in iter_records(inputs)] == list(iter_ids(sources(inputs))) == expected
    summary = process(inputs, "out.jsonl", stages="convert", progress=False)
    assert (summary.documents, summary.errors) == (3, 0)
    docs = read_jsonl(Path("out.jsonl"))
    assert [d["id"] for d in docs] == expected and docs[1]["text"] == "北京市政府今日发布经济数据。"
    resumed = process(inputs, "out.jsonl", stages="convert", progress=False, resume=True)
    assert (resumed.documents, resumed.skipped) == (0, 3)
    wrapper = os.path.join(b"c", "新闻.json".encode("gbk"))  # a failure that names the file (its jq hint)
    with open(wrapper, "wb") as fh:
        fh.write(json.dumps({"a": [{"text": "北京"}], "b": [{"text": "上海"}]}).encode())
    summary = process([os.fsdecode(wrapper)], "w.jsonl", stages="convert", progress=False)
    [doc] = read_jsonl(Path("w.jsonl"))
    assert summary.errors == 1 and "jq '.a' \\xd0\\xc2\\xce\\xc5.json" in doc["error"]["message"]


def test_a_file_in_a_folder_that_is_no_regular_file_is_recorded_not_waited_on(tmp_path, monkeypatch):
    """A pipe named ``a.txt`` in a folder: reading it waited for a writer for ever, the run hung."""
    monkeypatch.chdir(tmp_path)
    os.mkdir("c")
    os.mkfifo("c/a.txt")
    Path("c/b.txt").write_text("北京", encoding="utf-8")
    records = list(iter_records(["c"]))
    assert [r[1] for r in records] == ["c/a.txt", "c/b.txt"] and records[1][0] == "北京".encode()
    assert records[0][0].message == "cannot read c/a.txt: not a regular file (a pipe, socket or device)"


def test_a_file_that_cannot_be_read_and_is_named_in_gbk_is_recorded(tmp_path, monkeypatch):
    """Its failure's message held the name's lone surrogates: writing it ended the run (exit 2)."""
    monkeypatch.chdir(tmp_path)
    os.mkdir("c")
    try:
        os.symlink(b"nowhere", os.path.join(b"c", "北京.txt".encode("gbk")))
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    summary = process(["c"], "out.jsonl", stages="convert", progress=False)
    [doc] = read_jsonl(Path("out.jsonl"))
    assert summary.errors == 1 and doc["id"] == "c/\\xb1\\xb1\\xbe\\xa9.txt"
    assert doc["error"]["message"] == "cannot read c/\\xb1\\xb1\\xbe\\xa9.txt: No such file or directory"


def test_missing_input_is_a_typed_error(tmp_path):
    with pytest.raises(cnn.InputError):
        process([tmp_path / "nope"], tmp_path / "out.jsonl", stages="convert")


def test_an_input_that_is_a_pipe_is_a_typed_error_that_says_so(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # as <(zcat a.jsonl.gz) gives: it was "input not found"
    for path in (tmp_path / "pipe", "/dev/null"):
        with pytest.raises(cnn.InputError, match="is not a file or folder: .* give - to read JSONL"):
            sources([path])


# -- writers and resume ----------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 8), cut=st.integers(0, 400), ids=st.lists(st.text(min_size=1, max_size=6), min_size=8, max_size=8)
)
def test_resume_after_a_cut_keeps_exactly_the_complete_lines(tmp_path_factory, n, cut, ids):
    path = tmp_path_factory.mktemp("w") / "out.jsonl"
    with JsonlWriter(path) as writer:
        for doc_id in ids[:n]:
            writer.write(cnn.Doc(raw="北京" * 5, meta={"id": doc_id}).to_json())
    data = path.read_bytes()
    path.write_bytes(data[: min(cut, len(data))])  # a kill, anywhere
    truncate_partial_line(path)
    kept = path.read_bytes()
    assert kept == b"" or kept.endswith(b"\n")
    complete = [json.loads(line)["id"] for line in kept.splitlines()]
    assert jsonl_ids(path) == set(complete)
    assert set(complete) <= set(ids[:n])


def test_jsonl_resume_skips_written_ids_and_drops_partial_line(tmp_path):
    corpus = tmp_path / "c"
    ids = small_corpus(corpus, 12)
    out = tmp_path / "out.jsonl"
    process(corpus, out, stages="convert", progress=False)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:5]) + lines[5][:20])  # as if killed while writing line 6
    summary = process(corpus, out, stages="convert", resume=True, progress=False)
    assert summary.skipped == 5 and summary.documents == 7
    docs = read_jsonl(out)
    assert sorted(d["id"] for d in docs) == sorted(ids)


def test_parquet_tables_carry_doc_ids_and_resume(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(7):
        (corpus / f"{i}.txt").write_text(f"北京,上海的第{i}篇报道提到北京。", encoding="utf-8")
    out = tmp_path / "pq"
    summary = process(corpus, out, stages="convert,test_tag", progress=False, docs_per_part=3)
    assert summary.documents == 7 and summary.entities["LOC"] == 14 and summary.repairs["punct"] == 7
    documents = pq.read_table(out / "documents").to_pylist()
    entities = pq.read_table(out / "entities").to_pylist()
    repairs = pq.read_table(out / "repairs").to_pylist()
    assert sorted(d["id"] for d in documents) == [input_label(corpus / f"{i}.txt") for i in range(7)]
    assert Counter(e["doc_id"] for e in entities) == {input_label(corpus / f"{i}.txt"): 2 for i in range(7)}
    assert all(r["before"] == "," and r["after"] == "，" for r in repairs)
    by_id = {d["id"]: d for d in documents}
    for e in entities:  # offsets on the raw text survive the repair
        assert by_id[e["doc_id"]]["raw"][e["raw_start"] : e["raw_end"]] == "北京"
    # an uncommitted part (no documents part) is dropped on resume, and nothing is redone twice
    (out / "entities" / "part-00099.parquet").write_bytes(b"junk")
    again = process(corpus, out, stages="convert,test_tag", progress=False, resume=True, docs_per_part=3)
    assert again.documents == 0 and again.skipped == 7
    assert not (out / "entities" / "part-00099.parquet").exists()
    assert pq.read_table(out / "documents").num_rows == 7


def test_parquet_input(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"text": ["臺灣的經濟", "香港新聞", None], "id": ["x", "y", "z"]})
    pq.write_table(table, tmp_path / "in.parquet")
    summary = process(tmp_path / "in.parquet", tmp_path / "out.jsonl", stages="convert", progress=False)
    docs = {d["id"]: d for d in read_jsonl(tmp_path / "out.jsonl")}
    assert docs["x"]["text"] == "台湾的经济" and docs["y"]["text"] == "香港新闻"
    assert docs["z"]["error"]["stage"] == "read"
    assert summary.errors == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no 'text' column (columns: ['body']), so no documents"),
        (b"not a parquet file", "as Parquet: Parquet magic bytes not found"),
        (b"", "as Parquet: Parquet file size is 0 bytes"),
    ],
)
def test_a_parquet_file_that_gives_no_documents_is_one_failure(tmp_path, content, message):
    """It raised (InputError, ArrowInvalid) before or in the run: a stop, after the documents before it."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    if content is None:
        pq.write_table(pa.table({"body": ["北京", "上海"]}), path)
    else:
        path.write_bytes(content)
    (tmp_path / "a.jsonl").write_text('{"text": "北京"}\n', encoding="utf-8")
    inputs = [tmp_path / "a.jsonl", path]
    records = list(iter_records(inputs))
    assert (
        [r[1] for r in records]
        == list(iter_ids(sources(inputs)))
        == [f"{input_label(tmp_path)}/a.jsonl:1", input_label(path)]
    )
    assert isinstance(records[1][0], ReadFailure) and message in records[1][0].message
    summary = process(inputs, tmp_path / "out.jsonl", stages="convert", progress=False)
    assert (summary.documents, summary.errors) == (2, 1)
    assert [d["id"] for d in read_jsonl(tmp_path / "out.jsonl")] == [r[1] for r in records]


# -- faults ---------------------------------------------------------------------------------
def test_salted_corpus_loses_nothing(tmp_path, seeds_dir, workers_forced):
    """Undecodable bytes, an empty file, a 20 MB file, a raising stage, a slow document:
    every seed is processed, each bad document is an error record with its stage."""
    corpus = tmp_path / "salted"
    corpus.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "undecodable.txt").write_bytes(b"\x81\x20\xff\xfe\x80\x80" * 50)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "huge.txt").write_bytes(("新闻内容" * 1_700_000).encode("utf-8"))  # 20.4 MB
    (corpus / "boom.txt").write_text("这篇文章让阶段出错 BOOM", encoding="utf-8")
    (corpus / "slow.txt").write_text("这篇文章处理不完 SLOW", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = process(
        corpus, out, stages="convert,test_raise,test_slow", workers=2, timeout=1, batch_size=3, progress=False
    )
    docs = by_name(read_jsonl(out))
    assert len(docs) == summary.documents == 10
    for seed in seeds_dir.glob("*.txt"):
        assert docs[seed.name]["error"] is None and docs[seed.name]["text"]
    expected = {
        "undecodable.txt": ("decode", "UndecodableInputError"),
        "empty.txt": ("decode", "EmptyInputError"),
        "huge.txt": ("decode", "DocumentTooLargeError"),
        "boom.txt": ("test_raise", "RuntimeError"),
        "slow.txt": ("test_slow", "DocumentTimeoutError"),
    }
    for doc_id, (stage, kind) in expected.items():
        assert (docs[doc_id]["error"]["stage"], docs[doc_id]["error"]["type"]) == (stage, kind), doc_id
        assert docs[doc_id]["error"]["message"]
    assert summary.errors == 5 and summary.errors_by_stage == {"decode": 3, "test_raise": 1, "test_slow": 1}


def test_worker_that_dies_or_ignores_its_timeout_costs_one_document(tmp_path, workers_forced):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"doc{i}.txt").write_text(f"第{i}篇正常的文章。", encoding="utf-8")
    (corpus / "doc3.txt").write_text("这篇让进程退出 DIE", encoding="utf-8")
    (corpus / "doc5.txt").write_text("这篇卡在原生代码里 HANG", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = process(corpus, out, stages="convert,test_hang", workers=2, timeout=1, batch_size=1, progress=False)
    docs = by_name(read_jsonl(out))
    assert len(docs) == 8 and summary.errors == 2
    assert docs["doc3.txt"]["error"]["type"] == "WorkerDied" and docs["doc3.txt"]["error"]["stage"] == "test_hang"
    assert docs["doc5.txt"]["error"]["type"] == "DocumentTimeoutError"
    assert "killed" in docs["doc5.txt"]["error"]["message"]
    assert all(docs[f"doc{i}.txt"]["error"] is None for i in (0, 1, 2, 4, 6, 7))


def test_pipe_keeps_order_and_survives_a_dying_worker(monkeypatch):
    monkeypatch.setenv("CNNLP_WORKERS_PLAN", "processes")  # workers even for a small input
    nlp = cnn.load(["convert", "test_hang"])
    texts = [f"第{i}篇：臺灣" for i in range(30)]
    texts[11] = "DIE 臺灣"
    docs = list(nlp.pipe(texts, batch_size=4, n_process=2, ids=[str(i) for i in range(30)]))
    assert [d.id for d in docs] == [str(i) for i in range(30)]
    assert [d.text for i, d in enumerate(docs) if i != 11] == [f"第{i}篇：台湾" for i in range(30) if i != 11]
    assert docs[11].error is not None and "died" in docs[11].error["message"]


# -- the command line ------------------------------------------------------------------------
def test_cli_exit_status_and_summary(tmp_path, seeds_dir):
    out = tmp_path / "seeds.jsonl"
    ok = cli(str(seeds_dir), "-o", str(out), "--stages", "convert")
    assert ok.returncode == 0, ok.stderr
    assert "documents  5 processed" in ok.stdout and "errors     0" in ok.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"")
    failed = cli(str(bad), "-o", str(tmp_path / "bad.jsonl"), "--stages", "convert")
    assert failed.returncode == 1 and "errors     1 (decode 1)" in failed.stdout
    usage = cli(str(seeds_dir), "-o", str(tmp_path / "u.jsonl"), "--stages", "no_such_stage", "--quiet")
    assert usage.returncode == 2 and "no_such_stage" in usage.stderr


def test_cli_reads_jsonl_from_stdin(tmp_path):
    lines = "".join(json.dumps({"id": f"s{i}", "text": "臺灣經濟"}, ensure_ascii=False) + "\n" for i in range(3))
    out = tmp_path / "o.jsonl"
    done = cli("-", "-o", str(out), "--stages", "convert", "--quiet", input=lines)
    assert done.returncode == 0, done.stderr
    assert [(d["id"], d["text"]) for d in read_jsonl(out)] == [(f"s{i}", "台湾经济") for i in range(3)]


def _stdin(data: str) -> Source:
    """Standard input holding ``data``, as :func:`sources` makes it of ``-``."""
    spool = tempfile.TemporaryFile()
    spool.write(data.encode("utf-8"))
    spool.seek(0)
    return Source("stdin", "-", spool)


_PRETTY = json.dumps([{"text": "北京"}, {"id": "b", "text": "上海"}], ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "data, expected",
    [
        (_PRETTY, [("北京", "stdin:1"), ("上海", "b")]),  # a pretty-printed array gave a failure per line
        (
            json.dumps([{"text": "北京"}, {"text": "上海"}], ensure_ascii=False),
            [("北京", "stdin:1"), ("上海", "stdin:2")],
        ),
        (json.dumps({"data": [{"text": "北京"}]}, ensure_ascii=False, indent=1), [("北京", "stdin:data:1")]),
        ('{"text": "北京"}\n{"text": "上海"}\n', [("北京", "stdin:1"), ("上海", "stdin:2")]),
        (
            '{"text": 北京\n{"text": "上海"}\n',
            [("not valid JSON", "stdin:1"), ("上海", "stdin:2")],
        ),  # damaged first line
        (
            '["a list"]\n"bare"\n{"text": "上海"}\n',
            [("got list", "stdin:1"), ("got str", "stdin:2"), ("上海", "stdin:3")],
        ),
        (_PRETTY[:-3], [("not valid JSON", "stdin")]),  # cut short: one failure, not one per line
        ("", []),
    ],
)
def test_standard_input_is_jsonl_or_one_json_document(data, expected):
    src = _stdin(data)
    records = list(iter_records([src]))
    got = [(r[0].message if isinstance(r[0], ReadFailure) else r[0], r[1]) for r in records]
    assert len(got) == len(expected)
    assert all(want in text and doc_id == want_id for (text, doc_id), (want, want_id) in zip(got, expected))
    assert list(iter_ids([src])) == [r[1] for r in records]


@pytest.mark.parametrize(
    "data, expected",
    [
        (_PRETTY, ["北京", "上海"]),  # a pretty-printed array gave a "not valid JSON" failure per line
        (json.dumps([{"text": "北京"}, {"text": "上海"}], ensure_ascii=False), ["北京", "上海"]),  # one for all
        ('["a list"]\n{"text": "上海"}\n', ["got list", "上海"]),  # JSONL whose first line is an array
        ('{\n "text": "北京"\n}\n', ["北京"]),  # one object over several lines
        ('{"text": 北京\n{"text": "上海"}\n', ["not valid JSON", "上海"]),
    ],
)
def test_a_jsonl_file_that_is_one_json_document_is_read_as_one(tmp_path, data, expected):
    for name in ("in.jsonl", "in.ndjson"):
        (tmp_path / name).write_text(data, encoding="utf-8")
        srcs = sources([tmp_path / name])
        records = list(iter_records(srcs))
        got = [r[0].message if isinstance(r[0], ReadFailure) else r[0] for r in records]
        assert len(got) == len(expected) and all(want in text for text, want in zip(got, expected))
        assert list(iter_ids(srcs)) == [r[1] for r in records]


def test_jsonl_and_a_json_document_are_told_apart_past_the_first_megabyte(tmp_path):
    """Past its first line, JSONL and a JSON document can look alike; the first megabyte tells them apart
    when the first line is damaged, and a document is still read whole when it is one."""
    body = "".join(json.dumps({"text": f"第{i}號" + "新聞" * 40}, ensure_ascii=False) + "\n" for i in range(12_000))
    assert len(body) > 1 << 20
    (tmp_path / "in.jsonl").write_text('{"text": 北京\n' + body, encoding="utf-8")
    records = list(iter_records([tmp_path / "in.jsonl"]))
    assert len(records) == 12_001 and isinstance(records[0][0], ReadFailure) and records[-1][0].startswith("第11999號")
    array = "[\n" + body.replace("}\n", "},\n", 12_000 - 1) + "]\n"  # a line per element, the second a whole object
    (tmp_path / "in.json").write_text(array, encoding="utf-8")
    assert [r[1] for r in iter_records([tmp_path / "in.json"])][-1] == f"{input_label(tmp_path)}/in.json:12000"


def test_cli_reads_a_json_array_from_stdin(tmp_path):
    out = tmp_path / "o.jsonl"
    done = cli("-", "-o", str(out), "--stages", "convert", "--quiet", input=_PRETTY)
    assert done.returncode == 0, done.stderr
    assert [(d["id"], d["text"]) for d in read_jsonl(out)] == [("stdin:1", "北京"), ("b", "上海")]


@pytest.mark.parametrize(
    "content",
    [
        '{"text": 北京\n{"text": "上海"}\n{"id": "c", "text": "广州"}\n',
        '["a list"]\n{"text": "上海"}\n{"id": "c", "text": "广州"}\n',
    ],
)
def test_a_json_file_of_jsonl_with_a_damaged_first_line_is_still_a_record_per_line(tmp_path, content):
    """Its first line no whole object, it was read as one JSON document: one failure for all its lines."""
    (tmp_path / "in.json").write_text(content, encoding="utf-8")
    records = list(iter_records([tmp_path / "in.json"]))
    at = input_label(tmp_path / "in.json")
    assert [r[1] for r in records] == list(iter_ids(sources([tmp_path / "in.json"]))) == [f"{at}:1", f"{at}:2", "c"]
    assert isinstance(records[0][0], ReadFailure) and [r[0] for r in records[1:]] == ["上海", "广州"]


def test_killed_run_resumed_equals_uninterrupted_run(tmp_path):
    corpus = tmp_path / "corpus"
    ids = small_corpus(corpus, 300)
    code = Path(test_corpus_stages.__file__)
    stages = ["--stages", "convert,test_slow", "--code", str(code), "--workers", "2", "--batch-size", "4", "--quiet",
              "--config", json.dumps({"test_slow": {"delay": 0.02}})]  # fmt: skip
    full = tmp_path / "full.jsonl"
    assert cli(str(corpus), "-o", str(full), "--stages", "convert", "--quiet").returncode == 0

    # a slow stage (20 ms per document) so that the kill lands mid-run
    out = tmp_path / "killed.jsonl"
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", str(corpus), "-o", str(out), *stages]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(3000):
            if out.exists() and out.read_bytes().count(b"\n") >= 40:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, mid-run
    finally:
        proc.wait()
    written = out.read_bytes().count(b"\n")
    assert 40 <= written < 300, f"the kill did not land mid-run ({written} lines)"

    resumed = cli(str(corpus), "-o", str(out), *[s for s in stages if s != "--quiet"], "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "skipped" in resumed.stdout
    got = read_jsonl(out)
    got_ids = [d["id"] for d in got]
    assert len(got_ids) == len(set(got_ids)), "duplicates after resume"
    assert set(got_ids) == set(ids) == {d["id"] for d in read_jsonl(full)}
    expected_text = {d["id"]: d["text"] for d in read_jsonl(full)}
    assert all(d["text"] == expected_text[d["id"]] and d["error"] is None for d in got)


def test_workers_run_lac_on_one_core():
    from chinese_news_nlp import lac
    from chinese_news_nlp.corpus import worker

    assert worker.LAC_THREADS_ENV == lac.LAC_THREADS_ENV


# -- issue 12: ids unique across inputs, resume checked against a manifest ------------------------
def test_same_file_name_in_two_folders_is_two_documents_and_a_resume_keeps_both(tmp_path, seeds_dir, monkeypatch):
    """The example of issue 12: A/a.txt and B/a.txt were both "a.txt", and the resume lost one."""
    monkeypatch.chdir(tmp_path)
    seeds = sorted(seeds_dir.glob("*.txt"))
    for folder, seed in (("A", seeds[0]), ("B", seeds[1])):
        Path(folder).mkdir()
        Path(folder, "a.txt").write_bytes(seed.read_bytes())
    process(["A"], "o.jsonl", stages="convert", progress=False)
    summary = process(["A", "B"], "o.jsonl", stages="convert", progress=False, resume=True, allow_new_inputs=True)
    assert (summary.documents, summary.skipped) == (1, 1)
    assert [d["id"] for d in read_jsonl(Path("o.jsonl"))] == ["A/a.txt", "B/a.txt"]


def test_jsonl_ids_do_not_change_when_an_input_is_added(tmp_path, monkeypatch):
    """The example of issue 12: adding b.jsonl renamed a.jsonl's lines from 1, 2 to a.jsonl:1, a.jsonl:2
    and the resume processed them again (5 lines)."""
    monkeypatch.chdir(tmp_path)
    Path("a.jsonl").write_text('{"text":"北京"}\n{"text":"上海"}\n', encoding="utf-8")
    Path("b.jsonl").write_text('{"text":"广州"}\n', encoding="utf-8")
    process("a.jsonl", "n.jsonl", stages="convert", progress=False)
    summary = process(["a.jsonl", "b.jsonl"], "n.jsonl", stages="convert", progress=False, resume=True,
                      allow_new_inputs=True)  # fmt: skip
    assert (summary.documents, summary.skipped) == (1, 2)
    assert [d["id"] for d in read_jsonl(Path("n.jsonl"))] == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"]


def test_duplicate_ids_are_an_error_before_anything_is_processed(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "北京"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "y", "text": "上"}\n{"id": "x", "text": "海"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(DuplicateIdError, match="'x' \\(2 times\\)"):
        process([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], out, stages="convert", progress=False)
    with pytest.raises(DuplicateIdError, match="2 ids"):  # an input given twice
        process([tmp_path / "b.jsonl", tmp_path / "b.jsonl"], out, stages="convert", progress=False)
    assert not out.exists()


_ODD_LINES = [
    '{"id": "a", "text": "北京"}',
    '{"\\u0069d": "a", "text": "上海"}',
    '{"text": "广州"}',
    '{"id": "a\\ud800", "text": "文"}',
    '{"id": 7, "html": "<p>文</p>", "url": 5}',
    '{"data": [{"text": "北京"}, {"id": "b", "text": "上海"}]}',
    '{"text": 北京',
    '["a list"]',
    '"bare"',
    "42",
    "[",
    "{",
    "]",
    "}",
    "",
    "  ",
    '{"text": "a"}\r{"text": "b"}',
    "\ufeff" + '{"text": "文"}',
    '{"id": "x", "text": "文", "date": "not a date"}',
]


@settings(max_examples=120, deadline=None)
@given(
    lines=st.lists(st.sampled_from(_ODD_LINES), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32"]),
    name=st.sampled_from(["in.jsonl", "in.json", "-"]),
)
def test_whatever_the_lines_the_check_and_the_records_see_the_same_ids(tmp_path_factory, lines, encoding, name):
    """The fuzz round's inputs, mixed: no exception, and the duplicate-id check sees the records' ids."""
    data = "\n".join(lines).encode(encoding)
    if name == "-":
        spool = tempfile.TemporaryFile()
        spool.write(data)
        srcs = [Source("stdin", "-", spool)]
    else:
        path = tmp_path_factory.mktemp("odd") / name
        path.write_bytes(data)
        srcs = sources([path])
    records = list(iter_records(srcs))
    assert list(iter_ids(srcs)) == [r[1] for r in records]
    assert all(isinstance(r[0], (str, ReadFailure, cnn.Html)) and r[1].encode() for r in records)  # writable
    assert all(not isinstance(r[0], ReadFailure) or r[0].message.encode() for r in records)


@pytest.mark.parametrize(
    "inputs, message",
    [
        (["a.jsonl", "{here}/a.jsonl"], "'a.jsonl' and '{here}/a.jsonl' are the same file"),
        (["a.jsonl", "link.jsonl"], "'a.jsonl' and 'link.jsonl' are the same file"),
        (["c", "{here}/c/a.txt"], "'{here}/c/a.txt' is in the folder 'c', also given"),
        (["{here}/c/sub", "c"], "'{here}/c/sub' is in the folder 'c', also given"),
    ],
)
def test_one_document_under_two_ids_is_an_error_before_anything_is_processed(tmp_path, monkeypatch, inputs, message):
    """The same file by two paths was read twice, under two ids, which the check of ids did not see."""
    monkeypatch.chdir(tmp_path)
    os.makedirs("c/sub")
    Path("c/a.txt").write_text("北京", encoding="utf-8")
    Path("c/sub/b.txt").write_text("上海", encoding="utf-8")
    Path("a.jsonl").write_text('{"text": "广州"}\n', encoding="utf-8")
    os.symlink("a.jsonl", "link.jsonl")
    here = input_label(tmp_path)
    with pytest.raises(DuplicateIdError, match=re.escape(message.format(here=here))):
        process([i.format(here=here) for i in inputs], "out.jsonl", stages="convert", progress=False)
    assert not Path("out.jsonl").exists()
    assert process(["c", "a.jsonl"], "out.jsonl", stages="convert", progress=False).documents == 3  # distinct


@pytest.mark.parametrize("key", ["\\u0069d", "i\\u0064", "\\u0069\\u0064"])
def test_an_id_key_written_with_escapes_is_seen_by_the_duplicate_check(tmp_path, key):
    """``{"\\u0069d": "a"}`` is ``{"id": "a"}``: the check's fast scan looked for ``"id"`` only and saw
    line numbers, while the records got the id ``a`` twice and the run wrote both."""
    path = tmp_path / "in.jsonl"
    lines = [f'{{"{key}": "{i}", "text": "{t}"}}' for i, t in (("a", "北京"), ("a", "上海"), ("b", "广州"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    srcs = sources([path])
    assert list(iter_ids(srcs)) == [r[1] for r in iter_records(srcs)] == ["a", "a", "b"]
    with pytest.raises(DuplicateIdError, match="'a' \\(2 times\\)"):
        process([path], tmp_path / "out.jsonl", stages="convert", progress=False)
    assert not (tmp_path / "out.jsonl").exists()


def _spelled(text: str, escaped: list[bool]) -> str:
    """``text`` as a JSON string, each character as itself or as a \\u escape."""
    return '"' + "".join(f"\\u{ord(c):04x}" if e else c for c, e in zip(text, escaped + [False] * len(text))) + '"'


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["id", "text", "ID", "di", "idx"]),
            st.lists(st.booleans(), max_size=3),
            st.one_of(st.none(), st.just(""), st.integers(-5, 5), st.text('ab:"\\北', max_size=4)),
        ),
        max_size=6,
    )
)
def test_the_ids_the_duplicate_check_sees_are_the_ids_the_records_get(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("ids") / "in.jsonl"
    body = [f'{{{_spelled(key, escaped)}: {json.dumps(value)}, "text": "文"}}' for key, escaped, value in lines]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    srcs = sources([path])
    assert list(iter_ids(srcs)) == [r[1] for r in iter_records(srcs)]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stages": "convert,segment"}, "stages was"),
        ({"config": {"convert": {"config": "tw2sp"}}}, "config was"),
        ({"max_chars": 1000}, "max_chars was"),
        ({"date": "2024-01-01"}, "date was"),
        ({"inputs": ["A"]}, "inputs \\[B\\] are not given now"),
        ({"inputs": ["A", "B", "C"]}, "allow_new_inputs=True"),
    ],
)
def test_a_resume_with_other_options_or_inputs_is_refused(tmp_path, monkeypatch, change, message):
    monkeypatch.chdir(tmp_path)
    for folder in "ABC":
        Path(folder).mkdir()
        Path(folder, "x.txt").write_text(f"{folder}的新闻", encoding="utf-8")
    process(["A", "B"], "o.jsonl", stages="convert", progress=False)
    options = {"stages": "convert", "progress": False, "resume": True, **change}
    inputs = options.pop("inputs", ["A", "B"])
    with pytest.raises(ResumeMismatchError, match=message):
        process(inputs, "o.jsonl", **options)
    assert len(read_jsonl(Path("o.jsonl"))) == 2  # untouched


def test_a_resume_of_an_output_without_manifest_is_refused(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.txt").write_text("新闻", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    out.write_text('{"schema": 1, "id": "x"}\n', encoding="utf-8")
    with pytest.raises(ResumeMismatchError, match="no manifest"):
        process(tmp_path / "c", out, stages="convert", progress=False, resume=True)
    # the CLI says so with its own option names
    done = cli(str(tmp_path / "c"), "-o", str(out), "--stages", "convert", "--resume")
    assert done.returncode == 2 and "run without --resume" in done.stderr


def test_symlink_loops_are_walked_once_and_dangling_links_are_recorded(tmp_path):
    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("新闻", encoding="utf-8")
    os.symlink("..", corpus / "sub" / "loop")  # back up the tree
    os.symlink("self.txt", corpus / "self.txt")  # a link to itself
    records = list(iter_records([corpus]))
    assert [r[1] for r in records] == [input_label(corpus / "self.txt"), input_label(corpus / "sub" / "a.txt")]
    assert isinstance(records[0][0], ReadFailure) and "symbolic links" in records[0][0].message


# -- issue 12: arguments checked at start-up ---------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "notadate"], "not an ISO date"),
        (["--timeout", "-1"], "positive number of seconds"),
        (["--config", '{"segment": {"engine": "nope"}}'], "unknown segmentation engine 'nope'"),
        (["--config", '{"segment": {"engine": "nope"}}', "--workers", "2"], "unknown segmentation engine 'nope'"),
        (["--config", "{bad json"], "not valid JSON"),
        (["--max-chars", "0"], "at least 1"),
        (["--stages", "convert,nope"], "no stage named 'nope'"),
    ],
)
def test_bad_arguments_stop_the_run_before_any_document(tmp_path, seeds_dir, args, message):
    out = tmp_path / "o.jsonl"
    done = cli(str(seeds_dir), "-o", str(out), "--stages", "convert,segment", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not out.exists()


def test_output_format_from_the_extension_or_format(tmp_path, seeds_dir):
    done = cli(str(seeds_dir), "-o", str(tmp_path / "x.csv"), "--stages", "convert")
    assert done.returncode == 2 and "cannot tell the output format" in done.stderr and "--format" in done.stderr
    assert not (tmp_path / "x.csv").exists()
    done = cli(str(seeds_dir), "-o", str(tmp_path / "x.jsonl"), "--format", "parquet", "--stages", "convert")
    assert done.returncode == 2 and "names a jsonl output" in done.stderr
    done = cli(str(seeds_dir), "-o", str(tmp_path / "x.csv"), "--format", "jsonl", "--stages", "convert", "-q")
    assert done.returncode == 0 and len(read_jsonl(tmp_path / "x.csv")) == 5


def test_a_bad_date_in_a_record_is_that_records_failure(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"text": ["北京", "上海"], "date": ["bad-date", "2024-05-01"]})
    pq.write_table(table, tmp_path / "in.parquet")
    summary = process(tmp_path / "in.parquet", tmp_path / "o.jsonl", stages="convert", progress=False)
    bad, good = read_jsonl(tmp_path / "o.jsonl")
    assert bad["error"]["stage"] == "read" and "not an ISO date" in bad["error"]["message"]
    assert good["error"] is None and good["meta"]["date"] == "2024-05-01" and summary.errors == 1


# -- issue 12: large documents and bounded error records ----------------------------------------------
def _long_text(chars: int, seeds_dir: Path) -> str:
    block = "\n".join(p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))) + "\n"
    return (block * (chars // len(block) + 1))[:chars]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_large_document_is_written_piece_by_piece_as_the_stitched_doc(tmp_path, seeds_dir, fmt):
    from chinese_news_nlp.corpus.records import PieceEncoder, encode
    from chinese_news_nlp.corpus.writers import ParquetWriter

    text = _long_text(30_000, seeds_dir)
    nlp = cnn.load(["repair", "convert", "segment", "facts"], piece_chars=4_000)
    doc = nlp.make_doc(text, id="big", date="2024-05-01")
    encoded = PieceEncoder(fmt, (*DEFAULT_TABLES, "tokens"))(doc, nlp._pieces(doc))
    stitched = nlp(text, id="big", date="2024-05-01")
    if fmt == "jsonl":
        assert b"".join(encoded.payload.chunks()).decode("utf-8") == encode(stitched, "jsonl")
    else:
        tables = (*DEFAULT_TABLES, "tokens")
        for payload, name in ((encoded.payload, "streamed"), (encode(stitched, "parquet", tables), "whole")):
            with ParquetWriter(tmp_path / name, tables=tables) as writer:
                writer.write(payload)
        for table in tables:
            assert pq_rows(tmp_path / "streamed" / table) == pq_rows(tmp_path / "whole" / table), table
    assert encoded.stats["tokens"] == len(stitched.tokens) and sum(encoded.stats["facts"].values()) == len(
        stitched.facts
    )


def pq_rows(folder: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(folder).to_pylist()


def test_an_error_record_holds_the_error_and_an_excerpt_not_the_document(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = ("正常的一段话。" * 100 + "\n") * 30 + "BOOM" + "尾" * 10_000
    (corpus / "big.txt").write_text(text, encoding="utf-8")
    (corpus / "small.txt").write_text("小文档出错 BOOM", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    process(corpus, out, stages="convert,segment,test_raise", progress=False, piece_chars=5_000)
    for record in read_jsonl(out):
        error = record["error"]
        assert error["stage"] == "test_raise" and error["message"] == "stage exploded on purpose"
        assert record["raw"] == record["text"] == "" and record["tokens"] == record["repairs"] == []
        assert 0 < len(error["excerpt"]) <= 200
    big = by_name(read_jsonl(out))["big.txt"]
    boom = text.index("BOOM")
    [(start, end)] = [(s, e) for s, e in piece_bounds(text, 5_000) if s <= boom < e]
    assert big["error"]["chars"] == len(text) and (big["error"]["piece_raw_start"], big["error"]["piece_raw_end"]) == (
        start,
        end,
    )
    assert big["error"]["excerpt"] == text[start : start + 200]
    assert out.stat().st_size < 10_000


# -- issue 12: messages --------------------------------------------------------------------------------
def test_the_summary_counts_every_error_and_says_how_many_are_not_listed(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"{i}.txt").write_bytes(b"")
    (corpus / "big.txt").write_text("字" * 50, encoding="utf-8")
    done = cli(str(corpus), "-o", str(tmp_path / "o.jsonl"), "--stages", "convert", "--max-chars", "10")
    assert done.returncode == 1
    assert "errors     9 (decode 9)" in done.stdout
    assert "by type  EmptyInputError 8, DocumentTooLargeError 1" in done.stdout
    assert done.stdout.count("  error in ") == 5 and "…and 4 more errors" in done.stdout
    too_large = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert "--max-chars" in too_large["error"]["message"] and "load(" not in too_large["error"]["message"]
    quiet = cli(str(corpus), "-o", str(tmp_path / "q.jsonl"), "--stages", "convert", "-q")
    assert quiet.returncode == 1 and quiet.stdout == "" and quiet.stderr == ""


def test_help_documents_the_exit_status():
    done = subprocess.run([sys.executable, "-m", "chinese_news_nlp.cli", "process", "--help"], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert "exit status:" in done.stdout and "1    some documents failed" in done.stdout
    assert "130  interrupted" in done.stdout


# -- issue 12: workers die with their parent --------------------------------------------------------------
def test_workers_exit_at_once_and_quietly_when_their_parent_is_killed(tmp_path, workers_forced):
    corpus = tmp_path / "c"
    ids = small_corpus(corpus, 80)
    marks = tmp_path / "marks"
    marks.mkdir()
    config = json.dumps({"test_mark": {"folder": str(marks), "delay": 0.25}})
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", str(corpus), "-o", str(tmp_path / "o.jsonl"),
           "--stages", "convert,test_mark", "--code", test_corpus_stages.__file__, "--config", config,
           "--workers", "2", "--batch-size", "40", "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(6000):  # both workers busy with their batch of 40 (10 s each)
            if len({p.name.split("-")[0] for p in marks.iterdir()}) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.01)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone
        started = len(list(marks.iterdir()))
        _, stderr = proc.communicate(timeout=120)  # EOF once every process holding stderr is gone
    finally:
        if proc.poll() is None:
            proc.kill()
    for _ in range(3000):  # closing stderr is part of exiting: give the last exits a moment to finish
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.01)
    assert len(workers) >= 2 and [_cmdline(pid) for pid in workers if _alive(pid)] == []
    assert len(list(marks.iterdir())) - started <= 2, "workers went on after their parent died"
    assert started < len(ids)
    assert b"Traceback" not in stderr and b"Error" not in stderr, stderr.decode(errors="replace")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return "(gone)"


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("workers", [1, 2])
def test_a_large_document_through_a_run_is_the_stitched_doc(tmp_path, seeds_dir, workers):
    text = _long_text(30_000, seeds_dir)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "big.txt").write_text(text, encoding="utf-8")
    (corpus / "small.txt").write_text("小文档：浙江大学", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    stages = ["repair", "convert", "segment", "facts"]
    summary = process(corpus, out, stages=stages, progress=False, piece_chars=4_000, workers=workers)
    big, small = read_jsonl(out)
    expected = cnn.load(stages, piece_chars=4_000)(text.encode("utf-8"), id=big["id"])
    assert big == json.loads(expected.to_json()) and small["error"] is None
    assert summary.tokens == len(expected.tokens) + len(small["tokens"])
    cnn.Doc.from_dict(big).check()


# -- issue 13: --workers auto ------------------------------------------------------------------
def test_auto_workers_follow_cores_memory_and_input_size(tmp_path):
    from chinese_news_nlp.corpus.readers import sources
    from chinese_news_nlp.corpus.runner import AUTO_MIN_BYTES, WORKER_BYTES, auto_workers

    small, large = tmp_path / "small", tmp_path / "large"
    small_corpus(small, 5)
    large.mkdir()
    (large / "a.txt").write_bytes("经济增长。".encode() * (AUTO_MIN_BYTES // 15 + 1))
    assert auto_workers(sources([small]), cores=8, available=64 << 30) == 1  # workers would cost more than they save
    assert auto_workers(sources([large]), cores=2, available=64 << 30) == 2
    assert auto_workers(sources([large]), cores=1, available=64 << 30) == 1
    assert auto_workers(sources([large]), cores=8, available=3 * WORKER_BYTES) == 3  # what memory holds
    assert auto_workers(sources([large]), cores=8, available=WORKER_BYTES // 2) == 1


def test_workers_auto_is_the_default_and_is_reported(tmp_path):
    corpus = tmp_path / "c"
    small_corpus(corpus, 3)
    summary_file = tmp_path / "summary.json"
    done = cli(str(corpus), "-o", str(tmp_path / "o.jsonl"), "--stages", "convert", "--quiet",
               "--summary-json", str(summary_file))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(summary_file.read_text())["workers"] == 1  # three short documents: one process
    again = cli(str(corpus), "-o", str(tmp_path / "p.jsonl"), "--stages", "convert", "--workers", "auto", "-q")
    assert again.returncode == 0, again.stderr
    bad = cli(str(corpus), "-o", str(tmp_path / "q.jsonl"), "--workers", "many")
    assert bad.returncode == 2 and "'many' is not a whole number" in bad.stderr


def test_plan_workers_takes_processes_for_large_inputs_on_free_cores(tmp_path, monkeypatch):
    from chinese_news_nlp.corpus.readers import sources
    from chinese_news_nlp.corpus.runner import AUTO_MIN_BYTES, PLAN_ENV, UsageError, plan_workers

    monkeypatch.delenv(PLAN_ENV, raising=False)
    small, large = tmp_path / "small", tmp_path / "large"
    small_corpus(small, 5)
    large.mkdir()
    (large / "a.txt").write_bytes("经济增长。".encode() * (AUTO_MIN_BYTES // 15 + 1))
    big, little = sources([large]), sources([small])

    def shape(*args, **kwargs):
        plan = plan_workers(*args, **kwargs)
        return plan.processes, plan.threads

    assert shape("auto", big, cores=2, free=1.9, available=64 << 30) == (2, 1)  # a worker per core
    assert shape("auto", big, cores=2, free=1.0, available=64 << 30) == (2, 1)  # measured faster beside a busy core
    plan = plan_workers("auto", big, cores=2, free=0.2, available=64 << 30)
    assert (plan.processes, plan.threads) == (1, 1) and "0.2 of 2 cores free" in plan.why  # they would take turns
    assert shape("auto", little, cores=2, free=2.0) == (1, 1)  # starting workers costs more than they save
    assert shape("auto", big, cores=1, free=1.0) == (1, 1)
    assert shape(2, little, cores=2, free=2.0) == (2, 1)  # asked for, and the cores are there
    assert shape(1, big, cores=8, free=8.0) == (1, 1)
    monkeypatch.setenv(PLAN_ENV, "threads")
    assert shape(2, big, cores=2, free=2.0) == (1, 2) and shape(1, big, cores=2) == (1, 1)
    monkeypatch.setenv(PLAN_ENV, "processes")
    assert shape("auto", little, cores=2, free=0.0) == (2, 1)
    monkeypatch.setenv(PLAN_ENV, "some")
    with pytest.raises(UsageError, match="'processes' or 'threads'"):
        plan_workers(2, big, cores=2)


def test_batches_in_threads_give_what_one_batch_at_a_time_gives(tmp_path):
    from chinese_news_nlp.corpus.runner import make_run_config
    from chinese_news_nlp.corpus.worker import run_batches
    from chinese_news_nlp.pipeline import batched

    corpus = tmp_path / "c"
    small_corpus(corpus, 23)
    (corpus / "bad.txt").write_bytes(b"")  # an empty document: recorded the same either way
    run = make_run_config("repair,convert,segment", timeout=60)
    one = [r for b in run_batches(run, batched(iter_records([str(corpus)]), 4), 1) for r in b]
    two = [r for b in run_batches(run, batched(iter_records([str(corpus)]), 4), 1, threads=3) for r in b]
    assert len(one) == 24 and one == two


def test_worker_warm_up_runs_each_stages_own_warm_up():
    # a clean warm-up document never fills a hole: the repair stage's own warm-up builds those tables
    import chinese_news_nlp as cnn
    from chinese_news_nlp.corpus.worker import warm_up
    from chinese_news_nlp.repair import lm

    lm._pairs.cache_clear()
    nlp = cnn.load(["repair"])
    warm_up(nlp)
    assert lm._pairs.cache_info().currsize == 1


def test_a_folder_that_cannot_be_listed_is_recorded_not_skipped(tmp_path, monkeypatch):
    # os.walk skipped a folder it could not list (permissions), and every document in it, without a word
    corpus = tmp_path / "c"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "a.txt").write_text("新闻", encoding="utf-8")
    (corpus / "z.txt").write_text("北京", encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    records = list(iter_records([corpus]))
    assert [r[1] for r in records] == [input_label(corpus / "z.txt"), input_label(corpus / "locked")]
    assert isinstance(records[1][0], ReadFailure) and "Permission denied" in records[1][0].message
    out = tmp_path / "out.jsonl"
    summary = process([corpus], out, stages="convert", workers=1, progress=False)
    assert summary.errors == 1 and [d["id"] for d in read_jsonl(out)] == [r[1] for r in records]


def test_the_summary_counts_names_read_across_guesses(tmp_path):
    """Entities and facts over characters the repair guessed (Entity.guessed) are counted in
    the run's summary, as many as the records hold."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    damaged = "深圳市騰訊計算機系統有限公司董事長馬化騰在會上發言。".encode("big5").decode("gbk", errors="replace")
    (corpus / "damaged.txt").write_text(damaged, encoding="utf-8")
    (corpus / "clean.txt").write_text("浙江大学校长吴朝晖表示，2023年学校科研经费达到72亿元。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = process(str(corpus), str(out), progress=False)
    flagged = sum(x["guessed"] for d in read_jsonl(out) for x in (*d["entities"], *d["facts"]))
    assert summary.guessed == flagged > 0
    assert f"guessed    {flagged:,} entities and facts" in str(summary)
    assert summary.to_dict()["guessed"] == flagged


def test_a_parquet_page_damaged_past_the_first_row_group_fails_its_records_alone(tmp_path):
    # the OSError of the damaged page ended the run (exit 2): the inputs after it unread
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    table = pa.table({"id": [f"d{i}" for i in range(20)], "text": [f"北京第{i}条新闻" for i in range(20)]})
    pq.write_table(table, path, row_group_size=10)
    page = pq.ParquetFile(path).metadata.row_group(1).column(1).data_page_offset  # the 2nd group's text
    data = bytearray(path.read_bytes())
    data[page : page + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    (tmp_path / "a.jsonl").write_text('{"text": "上海"}\n', encoding="utf-8")
    inputs = [path, tmp_path / "a.jsonl"]
    records = list(iter_records(inputs))
    assert [r[1] for r in records] == list(iter_ids(sources(inputs)))
    assert [r[1] for r in records[:20]] == [f"d{i}" for i in range(20)] and records[20][0] == "上海"
    assert [isinstance(r[0], ReadFailure) for r in records] == [False] * 10 + [True] * 10 + [False]
    assert "row group 1" in records[10][0].message
