"""pandas views of Docs: columns, dtypes, doc ids, corpus frames."""

from __future__ import annotations

import sys
from dataclasses import fields

import pytest

from chinese_news_nlp.alignment import Edit
from chinese_news_nlp.doc import Doc, Entity, Fact, Official
from chinese_news_nlp.frames import FRAME_NAMES, entities_frame, facts_frame, to_frames

pd = pytest.importorskip("pandas", reason="pandas extra not installed: pip install chinese-news-nlp[pandas]")


def make_doc(doc_id: str | None, date: str | None = None) -> Doc:
    raw = "之江实验室主任王建宇说，浙江去年研发投入超2000亿元，增长10.5%，蕞前沿。"
    doc = Doc(raw=raw, meta={k: v for k, v in (("id", doc_id), ("date", date)) if v})
    farm = raw.index("蕞")
    doc.apply_edits([Edit(farm, farm + 1, "最", cause="content-farm-substitution", confidence=0.9)])
    text = doc.text
    doc.entities = [Entity("之江实验室", "LAB", 0, 5, source="rule"), Entity("王建宇", "PERSON", 7, 10)]
    money = text.index("2000亿元")
    pct = text.index("10.5%")
    doc.facts = [
        Fact("2000亿元", 2e11, "元", "money", money, money + 6, qualifier="over", year=2023, time_surface="去年"),
        Fact("10.5%", 10.5, "%", "percent", pct, pct + 5),
    ]
    doc.officials = [Official("王建宇", "主任", "之江实验室", 7, 10)]
    doc.fill_raw_offsets()
    doc.check()
    return doc


def test_entities_frame_has_a_row_per_entity():
    doc = make_doc("a")
    frame = entities_frame(doc)
    assert list(frame.columns) == ["doc_id"] + [f.name for f in fields(Entity)]
    assert frame["text"].tolist() == ["之江实验室", "王建宇"]
    assert frame["label"].tolist() == ["LAB", "PERSON"]
    assert set(frame["doc_id"]) == {"a"}
    assert frame.loc[0, "source"] == "rule"
    assert doc.entities_frame().equals(frame)


def test_facts_frame_keeps_numbers_numeric_and_years_nullable():
    doc = make_doc("a")
    frame = facts_frame(doc)
    assert list(frame.columns) == ["doc_id"] + [f.name for f in fields(Fact)]
    assert frame["value"].dtype == "float64" and frame["value_max"].dtype == "float64"
    assert str(frame["year"].dtype) == "Int64"
    assert frame.loc[0, "year"] == 2023 and pd.isna(frame.loc[1, "year"])
    assert frame.loc[0, "value"] == 2e11
    # raw offsets come from the alignment: the fact sits after the repair, same length
    assert (frame["raw_start"] == frame["start"]).all()
    assert doc.facts_frame().equals(frame)


def test_empty_doc_gives_empty_frames_with_all_columns():
    doc = Doc(raw="")
    assert entities_frame(doc).empty and "label" in entities_frame(doc).columns
    assert facts_frame(doc).empty and str(facts_frame(doc)["year"].dtype) == "Int64"


def test_to_frames_tabulates_a_corpus():
    failed = Doc(raw="坏", meta={"id": "bad"})
    failed.error = {"stage": "entities", "type": "RuntimeError", "message": "boom"}
    docs = (d for d in [make_doc("a", "2024-05-01"), make_doc(None), failed])  # a generator is read once
    frames = to_frames(docs)
    assert tuple(frames) == FRAME_NAMES
    documents = frames["documents"]
    assert documents["doc_id"].tolist() == ["a", "1", "bad"]  # no id: its position
    assert documents["date"].tolist()[0] == "2024-05-01"
    assert documents[["entities", "facts", "officials", "repairs"]].values.tolist()[0] == [2, 2, 1, 1]
    assert documents.loc[2, "error_stage"] == "entities" and documents.loc[2, "error_message"] == "boom"
    assert documents.loc[0, "raw_chars"] == len(make_doc("a").raw)
    for name in ("entities", "facts", "officials", "repairs"):
        assert frames[name]["doc_id"].tolist()[:1] == ["a"], name
        assert set(frames[name]["doc_id"]) == {"a", "1"}, name
    repairs = frames["repairs"]
    assert repairs[["before", "after", "cause"]].values.tolist()[0] == ["蕞", "最", "content-farm-substitution"]
    officials = frames["officials"]
    assert officials[["person", "title", "org"]].values.tolist()[0] == ["王建宇", "主任", "之江实验室"]
    # frames join on doc_id
    joined = frames["facts"].merge(documents[["doc_id", "date"]], on="doc_id")
    assert len(joined) == 4


def test_to_frames_of_nothing_has_every_column():
    frames = to_frames([])
    assert all(frames[name].empty for name in FRAME_NAMES)
    assert "error_stage" in frames["documents"].columns and "cause" in frames["repairs"].columns


def test_missing_pandas_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an environment without pandas looks like
    with pytest.raises(ImportError, match=r"pip install chinese-news-nlp\[pandas\]"):
        to_frames([Doc(raw="x")])
    with pytest.raises(ImportError, match="pandas"):
        Doc(raw="x").entities_frame()


def test_to_frames_reads_the_json_form_of_docs():
    doc = make_doc("a", "2024-05-01")
    from_json = to_frames([Doc.from_json(doc.to_json())])
    direct = to_frames([doc])
    for name in FRAME_NAMES:
        assert from_json[name].equals(direct[name]), name
    assert to_frames([doc.to_dict()])["facts"].equals(direct["facts"])
