"""Corpus processing: readers, writers, resume, worker pool, fault tolerance, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import test_corpus_stages  # noqa: F401 - registers the test_* stages
from conftest import read_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

import chinese_news_nlp as cnn
from chinese_news_nlp.corpus import JsonlWriter, jsonl_ids, process
from chinese_news_nlp.corpus.readers import ReadFailure, input_label, iter_records
from chinese_news_nlp.corpus.writers import truncate_partial_line


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


def test_jsonl_line_ids_are_always_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.jsonl", "b.jsonl"):
        Path(name).write_text('{"text": "文"}\n', encoding="utf-8")
    assert [r[1] for r in iter_records(["a.jsonl"])] == ["a.jsonl:1"]  # alone as with others
    assert [r[1] for r in iter_records(["b.jsonl", "a.jsonl"])] == ["b.jsonl:1", "a.jsonl:1"]


def test_missing_input_is_a_typed_error(tmp_path):
    with pytest.raises(cnn.InputError):
        process([tmp_path / "nope"], tmp_path / "out.jsonl", stages="convert")


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


# -- faults ---------------------------------------------------------------------------------
def test_salted_corpus_loses_nothing(tmp_path, seeds_dir):
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


def test_worker_that_dies_or_ignores_its_timeout_costs_one_document(tmp_path):
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


def test_pipe_keeps_order_and_survives_a_dying_worker():
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
