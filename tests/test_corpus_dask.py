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
    assert sorted(d["id"] for d in docs) == sorted([f"{i}.txt" for i in range(9)] + ["empty.txt"])
    again = process(
        corpus, out, format="jsonl", engine="dask", workers=2, stages="convert", progress=False, resume=True
    )
    assert again.documents == 0 and again.skipped == 10
