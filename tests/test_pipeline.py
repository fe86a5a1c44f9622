import pytest

from chinese_news_nlp import (
    Doc,
    InputError,
    Pipeline,
    StageError,
    UnknownStageError,
    create_stage,
    load,
    register_stage,
)
from chinese_news_nlp.pipeline import DEFAULT_STAGES, registered_stages


@register_stage("test-upper")
class UpperStage:
    name = "test-upper"

    def __init__(self, fail_on: str | None = None):
        self.fail_on = fail_on

    def __call__(self, doc: Doc) -> Doc:
        if self.fail_on and self.fail_on in doc.text:
            raise RuntimeError(f"found {self.fail_on}")
        doc.meta["seen"] = True
        return doc


def test_default_pipeline_names():
    assert DEFAULT_STAGES == ("repair", "convert", "zones", "segment", "entities", "facts")


def test_subset_and_config():
    nlp = load(["convert", "segment"], convert={"config": "t2s"}, segment={"engine": "jieba"})
    assert nlp.stage_names == ["convert", "segment"]
    doc = nlp("發展經濟", id="a", date="2024-01-01")
    assert doc.text == "发展经济" and doc.id == "a" and [t.text for t in doc.tokens] == ["发展", "经济"]


def test_unknown_stage_and_stray_config():
    with pytest.raises(UnknownStageError, match="no stage named"):
        load(["nope"])
    with pytest.raises(UnknownStageError, match="not in the pipeline"):
        load(["convert"], segment={"engine": "lac"})


def test_registry_lists_builtins():
    names = registered_stages()
    assert {"convert", "segment"} <= set(names)


def test_stage_usable_alone():
    stage = create_stage("convert")
    assert stage(Doc(raw="國際")).text == "国际"


def test_pipe_keeps_order_and_records_failures():
    nlp = Pipeline([create_stage("convert"), UpperStage(fail_on="坏")])
    items = ["一", b"\x00\x01binary", "壞文件", {"text": "三", "id": "third", "date": "2024-02-02"}, ""]
    docs = list(nlp.pipe(items, batch_size=2))
    assert len(docs) == len(items)
    assert docs[0].text == "一" and docs[0].error is None and docs[0].meta["seen"]
    assert docs[1].error["stage"] == "decode" and docs[1].error["type"] == "BinaryInputError"
    assert docs[2].error["stage"] == "test-upper" and "found 坏" in docs[2].error["message"]
    assert docs[3].id == "third" and docs[3].date == "2024-02-02"
    assert docs[4].text == "" and docs[4].error is None


def test_call_names_the_failing_stage():
    nlp = Pipeline([UpperStage(fail_on="x")])
    with pytest.raises(StageError, match="test-upper") as info:
        nlp("x")
    assert info.value.stage == "test-upper" and isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(InputError):  # typed errors pass through as they are
        nlp(b"")


def test_pipe_in_worker_processes_keeps_order():
    nlp = load(["convert", "segment"])
    texts = [f"第{i}篇報道，經濟發展。" for i in range(12)]
    serial = [d.to_dict() for d in nlp.pipe(texts, batch_size=3)]
    parallel = [d.to_dict() for d in nlp.pipe(texts, batch_size=3, n_process=2)]
    assert parallel == serial
