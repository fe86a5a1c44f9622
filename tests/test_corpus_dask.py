"""The Dask engine on a real LocalCluster with two worker processes (kept small)."""

from __future__ import annotations

import pytest
from conftest import read_jsonl

pytest.importorskip("dask.distributed")
pytest.importorskip("pyarrow")

pytestmark = [pytest.mark.dask, pytest.mark.slow]


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_process_bag_and_dataframe(client):
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    from chinese_news_nlp.corpus.dask_engine import process_bag, process_dataframe

    items = [{"id": f"d{i}", "text": f"第{i}篇：臺灣經濟"} for i in range(6)] + [b"", "香港新聞"]
    out = process_bag(db.from_sequence(items, npartitions=3), stages="convert").compute()
    assert [d["id"] for d in out[:6]] == [f"d{i}" for i in range(6)]
    assert out[0]["text"] == "第0篇：台湾经济" and out[7]["text"] == "香港新闻"
    assert out[6]["error"]["stage"] == "decode"

    frame = pd.DataFrame({"body": ["臺北", "北京", "香港"]}, index=[10, 11, 12])
    result = process_dataframe(dd.from_pandas(frame, npartitions=2), text_column="body", stages="convert").compute()
    assert list(result.index) == [10, 11, 12] and list(result["text"]) == ["台北", "北京", "香港"]
    assert list(result["id"]) == ["10", "11", "12"] and result["error_stage"].isna().all()


def test_cli_engine_dask_writes_shards_and_resumes(tmp_path, seeds_dir):
    from chinese_news_nlp.corpus import process

    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(9):
        (corpus / f"{i}.txt").write_text(f"第{i}篇：臺灣經濟", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "shards"
    summary = process(corpus, out, format="jsonl", engine="dask", workers=2, stages="convert", progress=False)
    assert summary.documents == 10 and summary.errors == 1 and summary.workers == 2
    docs = [d for part in sorted(out.glob("part-*.jsonl")) for d in read_jsonl(part)]
    names = [f"{i}.txt" for i in range(9)] + ["empty.txt"]
    assert sorted(d["id"] for d in docs) == sorted((corpus / n).as_posix() for n in names)
    again = process(
        corpus, out, format="jsonl", engine="dask", workers=2, stages="convert", progress=False, resume=True
    )
    assert again.documents == 0 and again.skipped == 10


def test_killed_dask_run_resumed_equals_uninterrupted_run(tmp_path):
    """Kill ``cnnlp process --engine dask`` (client, nannies and workers) mid-run, resume it:
    every document once, as in an uninterrupted run; no half-written shard counts as done."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import test_corpus_stages
    from test_corpus import cli, small_corpus

    corpus = tmp_path / "corpus"
    ids = small_corpus(corpus, 300)  # 19 shards of 16 documents
    full = tmp_path / "full.jsonl"
    assert cli(str(corpus), "-o", str(full), "--stages", "convert", "--quiet").returncode == 0

    out = tmp_path / "shards"
    options = ["--engine", "dask", "--workers", "2", "--format", "jsonl", "--quiet",
               "--stages", "convert,test_slow", "--code", str(Path(test_corpus_stages.__file__)),
               "--config", json.dumps({"test_slow": {"delay": 0.05}})]  # fmt: skip
    cmd = [sys.executable, "-m", "chinese_news_nlp.cli", "process", str(corpus), "-o", str(out), *options]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(6000):
            if len(list(out.glob("part-*.jsonl"))) >= 4 or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the client and every process of its LocalCluster
    finally:
        proc.wait()
    shards = len(list(out.glob("part-*.jsonl")))
    assert 4 <= shards < 19, f"the kill did not land mid-run ({shards} shards)"

    resumed = cli(str(corpus), "-o", str(out), *options, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert not list(out.glob("*.tmp")), "temporary shards left behind"
    got = [d for part in sorted(out.glob("part-*.jsonl")) for d in read_jsonl(part)]
    got_ids = [d["id"] for d in got]
    assert len(got_ids) == len(set(got_ids)), "duplicates after resume"
    expected_text = {d["id"]: d["text"] for d in read_jsonl(full)}
    assert set(got_ids) == set(ids) == set(expected_text)
    assert all(d["text"] == expected_text[d["id"]] and d["error"] is None for d in got)


def test_dask_parquet_shards_hold_every_table(tmp_path, seeds_dir):
    import pyarrow.parquet as pq

    from chinese_news_nlp.corpus import process

    out = tmp_path / "tables"
    summary = process(seeds_dir, out, format="parquet", engine="dask", workers=2, progress=False)
    assert summary.documents == 5 and summary.errors == 0
    documents = pq.read_table(out / "documents").to_pylist()
    entities = pq.read_table(out / "entities").to_pylist()
    facts = pq.read_table(out / "facts").to_pylist()
    assert sorted(d["id"] for d in documents) == sorted(p.as_posix() for p in seeds_dir.glob("*.txt"))
    assert sum(d["n_entities"] for d in documents) == len(entities) == sum(summary.entities.values())
    assert sum(d["n_facts"] for d in documents) == len(facts) == sum(summary.facts.values())
    text = {d["id"]: d["text"] for d in documents}
    assert all(text[e["doc_id"]][e["start"] : e["end"]] == e["text"] for e in entities)


def test_dask_resume_checks_the_manifest_and_appends_new_inputs(tmp_path):
    """Issue 12: the manifest is checked on every engine; on Dask it also holds the partition plan."""
    from chinese_news_nlp.corpus import process
    from chinese_news_nlp.corpus.manifest import ResumeMismatchError

    corpus, more = tmp_path / "c", tmp_path / "more"
    corpus.mkdir()
    more.mkdir()
    for i in range(20):
        (corpus / f"{i:02d}.txt").write_text(f"第{i}篇：臺灣經濟", encoding="utf-8")
    (more / "x.txt").write_text("新的輸入", encoding="utf-8")
    out = tmp_path / "shards"
    options = {"format": "jsonl", "engine": "dask", "workers": 2, "stages": "convert", "progress": False}
    process(corpus, out, **options)
    with pytest.raises(ResumeMismatchError, match="stages was"):  # refused before a cluster starts
        process(corpus, out, **{**options, "stages": "convert,segment"}, resume=True)
    with pytest.raises(ResumeMismatchError, match="allow_new_inputs"):
        process([corpus, more], out, **options, resume=True)
    (corpus / "000.txt").write_text("排在最前的新文件", encoding="utf-8")  # shifts every file after it
    with pytest.raises(ResumeMismatchError, match="would now hold other documents"):
        process(corpus, out, **options, resume=True)
    (corpus / "000.txt").unlink()
    summary = process([more, corpus], out, **options, resume=True, allow_new_inputs=True)  # any order
    assert (summary.documents, summary.skipped) == (1, 20)
    docs = [d for part in sorted(out.glob("part-*.jsonl")) for d in read_jsonl(part)]
    assert sorted(d["id"] for d in docs) == sorted(
        [(corpus / f"{i:02d}.txt").as_posix() for i in range(20)] + [(more / "x.txt").as_posix()]
    )


def test_a_cluster_of_separate_processes_through_scheduler(tmp_path):
    """``--scheduler ADDRESS`` on a cluster started as a user starts one: ``dask scheduler`` and
    two ``dask worker`` commands, each its own process (as on separate machines sharing a disk)."""
    import json
    import os
    import shutil
    import subprocess
    import sys
    import time
    from pathlib import Path

    import test_corpus_stages
    from test_corpus import cli, small_corpus

    dask_cli = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask_cli is None:
        pytest.skip("the dask command is not installed")
    corpus = tmp_path / "corpus"
    ids = small_corpus(corpus, 80)  # 5 partitions
    address_file = tmp_path / "scheduler.json"
    # The workers import the package as the client does (PYTHONPATH: this checkout), and the
    # test's own stages from the --code file, whose path they share with the client.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[1]),
                                                                       os.environ.get("PYTHONPATH")]))}  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "start_new_session": True}
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
         "--scheduler-file", str(address_file)], **quiet,
    )  # fmt: skip
    workers = []
    try:
        for _ in range(3000):
            if address_file.exists() and address_file.stat().st_size:
                break
            time.sleep(0.01)
        address = json.loads(address_file.read_text())["address"]
        for n in range(2):
            workers.append(subprocess.Popen(
                [dask_cli, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                 "--name", f"w{n}"], **quiet,
            ))  # fmt: skip
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "shards"
        done = cli(
            str(corpus), "-o", str(out), "--engine", "dask", "--scheduler", address, "--format", "jsonl",
            "--stages", "convert,test_tag", "--code", str(Path(test_corpus_stages.__file__)),
            "--summary-json", str(tmp_path / "summary.json"), "--quiet",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        docs = [d for part in sorted(out.glob("part-*.jsonl")) for d in read_jsonl(part)]
        assert sorted(d["id"] for d in docs) == sorted(ids) and all(d["error"] is None for d in docs)
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["documents"] == 80 and summary["engine"] == "dask"
        # both workers took partitions: the same code path scales by the cluster's workers
        with Client(address, timeout=60) as client:
            tasks = client.run(lambda dask_worker: dask_worker.state.executed_count)
        assert len(tasks) == 2 and all(count > 0 for count in tasks.values()), tasks
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_parquet_file_that_is_no_parquet_is_one_partition_of_one_failure(tmp_path):
    # plan_partitions raised ArrowInvalid (the file not named) before any document ran
    from chinese_news_nlp.corpus.dask_engine import plan_partitions
    from chinese_news_nlp.corpus.readers import ReadFailure, sources

    bad, good = tmp_path / "bad.parquet", tmp_path / "a.jsonl"
    bad.write_bytes(b"not a parquet file")
    good.write_text('{"text": "北京"}\n', encoding="utf-8")
    parts = plan_partitions(sources([good, bad]))
    records = [[r for r in part.records(None)] for part in parts]
    assert [len(r) for r in records] == [1, 1]
    item, doc_id, _ = records[1][0]
    assert isinstance(item, ReadFailure) and "as Parquet" in item.message and doc_id.endswith("bad.parquet")
