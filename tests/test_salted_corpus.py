"""A salted corpus, killed at random points and resumed, on the local engine and on Dask (issue 12).

Every kind of bad input a scraped corpus holds, beside good articles in every encoding; the
run is killed (``kill -9`` of the run and all its processes) at a seeded random point, resumed,
killed again, and resumed to the end.  Every input must be in the output exactly once, every
failure must be a record with its cause, no temporary file may remain, and the records must
equal those of a run that was never interrupted.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_corpus_stages
from conftest import read_jsonl

from chinese_news_nlp.corpus.readers import input_label

pytestmark = pytest.mark.slow

SEED = 12
STAGES = ["--stages", "convert,test_slow", "--code", test_corpus_stages.__file__]
GOOD_ARTICLES = 60  # in five partitions of the Dask engine, with the rest of the folder, the JSONL and the Parquet


def slow(delay: float) -> list[str]:
    """Seconds per document, so that a kill lands mid-run."""
    return ["--config", json.dumps({"test_slow": {"delay": delay}})]


def build(root: Path) -> dict[str, tuple[str, str] | None]:
    """The salted inputs under ``root``; returns ``{id: None for a good document, (stage, error type) for a bad one}``."""
    rng = random.Random(SEED)
    corpus = root / "corpus"
    (corpus / "A").mkdir(parents=True)
    (corpus / "B").mkdir()
    (corpus / "sub").mkdir()
    expected: dict[str, tuple[str, str] | None] = {}

    def put(name: str, data: bytes, outcome: tuple[str, str] | None = None) -> None:
        (corpus / name).write_bytes(data)
        expected[input_label(corpus / name)] = outcome

    for i in range(GOOD_ARTICLES):  # good articles, enough for a run that can be killed half-way
        text = f"第{i}號新聞：臺北市政府今日發佈{i}項經濟數據，國際觀察家表示樂觀。"
        encoding = ("utf-8", "gb18030", "big5")[i % 3]
        put(f"sub/news{i:02d}.txt", text.encode(encoding))
    put("gbk.txt", "浙江省委书记在杭州表示，数字经济发展很快。".encode("gbk"))
    put("big5.txt", "香港特別行政區政府今天發表聲明，經濟發展很快。".encode("big5"))
    put("utf16.txt", codecs.BOM_UTF16_LE + "新闻：上海国际经济中心".encode("utf-16-le"))
    put("utf8bom.txt", codecs.BOM_UTF8 + "新闻：深圳科技创新".encode())
    put("empty.txt", b"", ("decode", "EmptyInputError"))
    put("junk.txt", bytes(rng.randrange(256) for _ in range(3000)) + b"\x00", ("decode", "BinaryInputError"))
    put("controls.txt", "".join(map(chr, range(1, 32))).encode() * 10, ("decode", "BinaryInputError"))
    put("A/same.txt", "同名文件之一：北京".encode())
    put("B/same.txt", "同名文件之二：上海".encode())
    os.symlink("..", corpus / "sub" / "loop")  # a folder loop: walked once
    os.symlink("selfloop.txt", corpus / "selfloop.txt")  # a file loop: unreadable
    expected[input_label(corpus / "selfloop.txt")] = ("read", "ReadError")

    lines = [
        json.dumps({"id": "j-first", "text": "臺灣的經濟", "date": "2024-05-01"}, ensure_ascii=False),
        json.dumps({"text": "没有编号的一行"}, ensure_ascii=False),
        "{this is not json",
        json.dumps({"id": "j-no-text", "body": "没有 text 字段"}, ensure_ascii=False),
        "",
        json.dumps({"text": "最后一行", "date": "bad-date"}, ensure_ascii=False),
    ]
    jsonl = root / "news.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    at = input_label(jsonl)
    expected.update({"j-first": None, f"{at}:2": None, f"{at}:3": ("read", "ReadError"),
                     "j-no-text": ("read", "ReadError"), f"{at}:6": ("read", "ReadError")})  # fmt: skip

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"text": ["香港新聞", None, "广州新闻"], "id": ["p-1", "p-null", None]})
    parquet = root / "table.parquet"
    pq.write_table(table, parquet)
    expected.update({"p-1": None, "p-null": ("read", "ReadError"), f"{input_label(parquet)}:2": None})
    return expected


def inputs(root: Path) -> list[str]:
    return [str(root / "corpus"), str(root / "news.jsonl"), str(root / "table.parquet")]


def cnnlp(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def kill_midway(args: list[str], progress, at: int) -> None:
    """Start ``cnnlp process args``, and kill it and every process it started once ``progress() >= at``."""
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", *args]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(12000):
            if progress() >= at or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()


def lines_written(path: Path):
    return lambda: path.read_bytes().count(b"\n") if path.exists() else 0


def shards_written(folder: Path):
    return lambda: len(list(folder.glob("part-*.jsonl")))


def check(records: list[dict], expected: dict, clean: list[dict], root: Path) -> None:
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(expected), "every input exactly once"
    for record in records:
        outcome = expected[record["id"]]
        if outcome is None:
            assert record["error"] is None and record["text"], record["id"]
        else:
            assert (record["error"]["stage"], record["error"]["type"]) == outcome, record["id"]
            assert record["error"]["message"], record["id"]
    by_id = {r["id"]: r for r in clean}
    assert all(r == by_id[r["id"]] for r in records), "the records of an uninterrupted run"
    assert [str(p) for p in root.rglob("*.tmp")] == [], "temporary files left behind"


@pytest.fixture(scope="module")
def salted(tmp_path_factory):
    pytest.importorskip("pyarrow")
    root = tmp_path_factory.mktemp("salted")
    expected = build(root)
    clean_out = root / "clean.jsonl"
    done = cnnlp(*inputs(root), "-o", str(clean_out), *STAGES, "-q")
    assert done.returncode == 1, done.stderr  # some documents fail, on purpose
    clean = read_jsonl(clean_out)
    check(clean, expected, clean, root)
    return root, expected, clean


def test_local_engine_killed_twice_and_resumed(salted):
    root, expected, clean = salted
    rng = random.Random(SEED)
    out = root / "local.jsonl"
    args = [*inputs(root), "-o", str(out), *STAGES, *slow(0.05), "--workers", "2", "--batch-size", "2", "-q"]
    first, second = sorted(rng.sample(range(2, len(expected) - 2), 2))
    kill_midway(args, lines_written(out), first)
    assert first <= lines_written(out)() < len(expected), "the first kill did not land mid-run"
    kill_midway([*args, "--resume"], lines_written(out), second)
    assert second <= lines_written(out)() < len(expected), "the second kill did not land mid-run"
    done = cnnlp(*args, "--resume")
    assert done.returncode == 1, done.stderr
    check(read_jsonl(out), expected, clean, root)


@pytest.mark.dask
def test_dask_engine_killed_twice_and_resumed(salted):
    pytest.importorskip("dask.distributed")
    root, expected, clean = salted
    rng = random.Random(SEED + 1)
    out = root / "shards"
    args = [*inputs(root), "-o", str(out), "--engine", "dask", "--workers", "2", "--format", "jsonl", *STAGES,
            *slow(0.1), "-q", "--batch-size", "2"]  # fmt: skip
    total = 7  # partitions: five of the folder's files, the JSONL, the Parquet
    first, second = sorted(rng.sample(range(1, total - 1), 2))
    kill_midway(args, shards_written(out), first)
    assert first <= shards_written(out)() < total, "the first kill did not land mid-run"
    kill_midway([*args, "--resume"], shards_written(out), second)
    assert second <= shards_written(out)() < total, "the second kill did not land mid-run"
    done = cnnlp(*args, "--resume")
    assert done.returncode == 1, done.stderr
    records = [r for part in sorted(out.glob("part-*.jsonl")) for r in read_jsonl(part)]
    check(records, expected, clean, root)
