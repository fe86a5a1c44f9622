import re

import pytest
import test_corpus_stages  # noqa: F401 - registers the test_* stages

from chinese_news_nlp import (
    BinaryInputError,
    ChineseNewsNLPError,
    ConfigError,
    Doc,
    InputError,
    Pipeline,
    StageError,
    UnknownStageError,
    create_stage,
    load,
    register_stage,
)
from chinese_news_nlp.pipeline import DEFAULT_STAGES, build_pipeline, registered_stages

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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


def test_pipe_in_worker_processes_keeps_order(workers_forced):
    nlp = load(["convert", "segment"])
    texts = [f"第{i}篇報道，經濟發展。" for i in range(12)]
    serial = [d.to_dict() for d in nlp.pipe(texts, batch_size=3)]
    parallel = [d.to_dict() for d in nlp.pipe(texts, batch_size=3, n_process=2)]
    assert parallel == serial


# -- issue 13: one worker protocol for pipe() and the corpus runner ---------------------------
def test_pipe_in_two_processes_equals_one_document_for_document(seed_texts, workers_forced):
    nlp = load(piece_chars=3_000)  # the default pipeline; the longest seed goes in pieces
    items = [
        *seed_texts.values(),
        next(iter(seed_texts.values())).encode("gb18030"),  # bytes in another encoding
        "產業(yè)發展，經濟增長5.2%。",  # damaged, traditional
        b"\x00\x01\x02binary",  # a decode failure, recorded
        {"html": "<html><head><title>标题</title></head><body><p>北京市政府发布数据。</p></body></html>", "id": "page"},
        "",
        {"text": "2024年5月，上海市经济增长。", "id": "dated", "date": "2024-05-01"},
    ]
    assert any(len(t) > 3_000 for t in seed_texts.values())
    one = [d.to_dict() for d in nlp.pipe(items, batch_size=2, n_process=1)]
    two = [d.to_dict() for d in nlp.pipe(items, batch_size=2, n_process=2)]
    assert len(two) == len(items)
    for i, (a, b) in enumerate(zip(one, two)):
        assert a == b, f"document {i} differs"
    assert one[7]["error"]["stage"] == "decode" and one[8]["id"] == "page" and one[10]["meta"]["date"] == "2024-05-01"


@pytest.mark.parametrize("n_process", [1, 2])
def test_pipe_records_a_document_that_overruns_its_time_out(n_process, workers_forced):
    nlp = load(["convert", "test_slow"])
    texts = [f"第{i}篇：臺灣" for i in range(6)]
    texts[2] = "SLOW 臺灣"  # sleeps until interrupted: the soft time-out stops it
    docs = list(nlp.pipe(texts, batch_size=2, n_process=n_process, timeout=0.5))
    assert len(docs) == 6
    assert docs[2].error["type"] == "DocumentTimeoutError" and docs[2].error["stage"] == "test_slow"
    assert [d.text for i, d in enumerate(docs) if i != 2] == [f"第{i}篇：台湾" for i in range(6) if i != 2]


def test_pipe_kills_a_worker_stuck_past_its_time_out(workers_forced):
    nlp = load(["convert", "test_hang"])
    texts = ["一篇", "HANG 卡住", "三篇", "四篇"]  # HANG blocks SIGALRM: only the hard deadline stops it
    docs = list(nlp.pipe(texts, batch_size=1, n_process=2, timeout=0.5))
    assert [d.error is None for d in docs] == [True, False, True, True]
    assert docs[1].error["type"] == "DocumentTimeoutError" and "killed" in docs[1].error["message"]
    assert docs[1].error["stage"] == "test_hang"


# -- issue 12: options checked when the pipeline is built ------------------------------------
@pytest.mark.parametrize(
    "config, message",
    [
        ({"segment": {"engine": "nope"}}, "unknown segmentation engine 'nope'"),
        ({"segment": {"no_such_option": 1}}, "no_such_option"),
        ({"facts": {"x": 1}}, "stage 'facts' has no option 'x'"),
        ({"convert": {"config": "zz"}}, "unknown OpenCC config"),
        ({"convert": "t2s"}, "must be a mapping"),
        ({"test-upper": {"fail_onn": "x"}}, "its options: fail_on"),
    ],
)
def test_bad_stage_options_fail_when_the_pipeline_is_built(config, message):
    names = ["convert", "segment", "facts", "test-upper"]
    with pytest.raises(ConfigError, match=message):
        load(names, **config)
    with pytest.raises(ConfigError, match=message):  # the same check the corpus runner and pool workers use
        build_pipeline(names, config)


def test_workers_of_pipe_build_with_the_same_check(workers_forced):
    nlp = load(["convert", "segment"])
    nlp._spec = {"stages": ["convert", "segment"], "config": {"segment": {"engine": "nope"}}}
    with pytest.raises(ChineseNewsNLPError, match="unknown segmentation engine"):
        list(nlp.pipe(["一", "二"], n_process=2))


# -- issue 12: control characters never in a span -------------------------------------------
def test_control_characters_as_str_are_rejected_or_kept_out_of_entities():
    nlp = load()
    with pytest.raises(BinaryInputError):  # the example of issue 12: 11 ORG entities made of \x01…\x1f
        nlp("".join(map(chr, range(1, 32))) * 10)
    doc = nlp("北京大学\x00的学生\x1b[0m在上海\x85工作。")
    assert doc.raw == "北京大学\x00的学生\x1b[0m在上海\x85工作。"
    for span in [*doc.tokens, *doc.entities]:
        assert not CONTROL.search(span.text), span
    assert {"北京大学", "上海"} <= {e.text for e in doc.entities}
    doc.check()


def test_the_pipeline_keeps_controls_out_of_what_any_stage_makes():
    # C1 controls next to Latin letters are left for the repair stage (they may be mojibake);
    # a stage that tags them anyway does not get them into the output
    nlp = load(["test_tag_all"])
    doc = nlp("abc\x85def\n北京\n")
    assert [e.text for e in doc.entities] == ["北京"]
    assert [t.text for t in doc.tokens] == ["abc", "def", "北京"]
    assert [(t.raw_start, t.raw_end) for t in doc.tokens] == [(0, 3), (4, 7), (8, 10)]
    doc.check()


# -- issue 12: large documents in bounded pieces --------------------------------------------
def _long_text(seed_texts: dict[str, str], chars: int) -> str:
    block = "\n".join(seed_texts.values()) + "\n"
    return (block * (chars // len(block) + 1))[:chars]


def test_a_large_document_in_pieces_equals_the_whole(seed_texts):
    text = _long_text(seed_texts, 60_000)
    stages = ["convert", "segment", "facts"]
    whole = load(stages, piece_chars=1_000_000)(text, date="2024-05-01")
    pieces = load(stages, piece_chars=7_000)(text, date="2024-05-01")
    # cut at paragraph ends: the same tokens, facts (years, year ranges), offsets and alignment
    assert any(f.year_end for f in whole.facts)
    assert pieces.to_dict() == whole.to_dict()
    pieces.check()


def test_no_stage_sees_more_than_a_piece_and_the_stitched_doc_is_consistent(seed_texts):
    from test_corpus_stages import LongestStage

    text = _long_text(seed_texts, 40_000)
    LongestStage.longest = 0
    nlp = load(["repair", "convert", "segment", "test_longest", "facts"], piece_chars=5_000)
    doc = nlp(text, date="2024-05-01")
    assert 0 < doc.meta["longest_seen"] <= 5_000 and LongestStage.longest <= 5_000
    assert doc.raw == text and len(doc.tokens) > 10_000 and doc.facts
    doc.check()
    again = Doc.from_json(doc.to_json())
    again.check()
    LongestStage.longest = 0
    [batched] = list(nlp.pipe([{"text": text, "date": "2024-05-01"}]))
    assert batched.to_dict() == doc.to_dict()


def test_a_piece_that_fails_fails_its_document_and_says_where():
    nlp = Pipeline([create_stage("convert"), UpperStage(fail_on="坏")], piece_chars=100)
    text = "好" * 99 + "\n" + "好" * 50 + "坏" + "\n" + "好" * 99 + "\n"
    [doc] = list(nlp.pipe([text]))
    assert doc.error["stage"] == "test-upper" and doc.error["piece_raw_start"] == 100
    with pytest.raises(StageError, match="in the piece at characters 100–"):
        nlp(text)


def test_the_stage_functions_used_alone_keep_controls_out_too():
    import chinese_news_nlp as cnn

    assert cnn.segment("北京大学\x00上海\x07交通") == ["北京大学", "上海", "交通"]
    entities = cnn.extract_entities("北京大学\x00上海交通大学\x85浙江大学")
    assert [e["text"] for e in entities] == ["北京大学", "上海交通大学", "浙江大学"]
    facts = cnn.extract_facts("投资\x0010亿元")
    assert [(f["surface"], f["metric"]) for f in facts] == [("10亿元", "投资")]


def test_pipe_keeps_a_small_input_in_its_own_process(monkeypatch):
    # starting workers (an interpreter and the models each) costs more than a few documents take
    import chinese_news_nlp.corpus.worker as worker

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a small input")

    monkeypatch.delenv("CNNLP_WORKERS_PLAN", raising=False)
    monkeypatch.setattr(worker, "WorkerPool", no_pool)
    nlp = load(["convert", "segment"])
    texts = [f"第{i}篇報道，經濟發展。" for i in range(12)]
    assert [d.to_dict() for d in nlp.pipe(texts, batch_size=3, n_process=2)] == [
        d.to_dict() for d in nlp.pipe(texts, batch_size=3)
    ]
    monkeypatch.setattr(worker, "PIPE_MIN_CHARS", 20)  # past it, the workers are started
    with pytest.raises(AssertionError, match="worker pool was started"):
        list(nlp.pipe(texts, batch_size=3, n_process=2))


class NewDocStage:
    """Returns a new Doc, as ``__call__(doc) -> doc`` allows."""

    name = "test-new-doc"

    def __call__(self, doc: Doc) -> Doc:
        new = Doc(raw=doc.raw, text=doc.text, meta={**doc.meta, "new": True}, alignment=doc.alignment)
        return new


class ShortBatchStage(UpperStage):
    """A batch ``pipe`` that loses a document."""

    name = "test-short-batch"

    def pipe(self, docs):
        return [self(d) for d in docs][:-1]


def test_pipe_keeps_the_doc_a_stage_returns_and_its_errors():
    # pipe() kept the Docs it made, not the ones stages returned: the new Doc's work was dropped,
    # and so was a later stage's error (the document was reported as processed)
    nlp = Pipeline([NewDocStage(), UpperStage(fail_on="坏")])
    assert nlp("北京").meta["new"]
    docs = list(nlp.pipe(["北京", "坏", "上海"], batch_size=3))
    assert [d.meta.get("new") for d in docs] == [True, True, True]
    assert [d.error and d.error["type"] for d in docs] == [None, "RuntimeError", None]
    # a large document's pieces too
    docs = list(
        Pipeline([NewDocStage(), UpperStage(fail_on="坏")], piece_chars=5).pipe(["北京上海。广州", "北京上海。坏"])
    )
    assert [d.error and d.error["type"] for d in docs] == [None, "RuntimeError"]


def test_a_batch_pipe_that_loses_a_document_is_run_one_by_one():
    docs = list(Pipeline([ShortBatchStage()]).pipe(["北京", "上海", "广州"], batch_size=3))
    assert [d.text for d in docs] == ["北京", "上海", "广州"] and all(d.meta.get("seen") for d in docs)


def test_a_document_a_stage_makes_large_is_not_processed_again_in_pieces():
    from chinese_news_nlp.alignment import Edit

    class Grow:
        name = "test-grow"

        def __call__(self, doc: Doc) -> Doc:
            doc.apply_edits([Edit(len(doc.text), len(doc.text), "尾巴" * 10)])
            return doc

    # its pieces were cut from the processed text: ValueError out of pipe(), the batch lost
    docs = list(Pipeline([Grow()], piece_chars=10).pipe(["北京上海广州", "小"]))
    assert [len(d.text) for d in docs] == [26, 21] and docs[0].error is None


class NotADocStage:
    """Returns ``None`` (a forgotten ``return doc``) or a str for the documents holding 坏."""

    name = "test-not-a-doc"

    def __init__(self, value=None, batch: bool = False):
        self.value = value
        if batch:
            self.pipe = lambda docs: [self(d) for d in docs]

    def __call__(self, doc: Doc):
        return self.value if "坏" in doc.text else doc


@pytest.mark.parametrize("value", [None, "oops"])
@pytest.mark.parametrize("batch", [False, True])
def test_a_stage_that_returns_no_doc_fails_that_document(value, batch):
    # None: the document came out with no error and without the later stages' work (seen unset);
    # a str: AttributeError out of pipe(), the whole batch lost
    nlp = Pipeline([NotADocStage(value, batch), UpperStage()])
    docs = list(nlp.pipe(["北京", "坏的", "上海"], batch_size=3))
    assert [d.text for d in docs] == ["北京", "坏的", "上海"]
    assert [d.meta.get("seen") for d in docs] == [True, None, True]
    assert docs[1].error["stage"] == "test-not-a-doc" and docs[1].error["type"] == "StageError"
    assert "not a Doc" in docs[1].error["message"]
    with pytest.raises(StageError, match="test-not-a-doc"):
        nlp("坏的")


def test_pipe_records_a_mapping_without_text():
    # {"id": "x"} was an empty document, processed without an error (the corpus runner records it)
    docs = list(Pipeline([UpperStage()]).pipe([{"id": "x"}, {"id": "y", "text": "北京"}, {"id": "z", "text": ""}]))
    assert [d.id for d in docs] == ["x", "y", "z"]
    assert docs[0].error["type"] == "InputError" and "text" in docs[0].error["message"]
    assert docs[1].error is None and docs[2].error is None  # an empty str is a valid, empty Doc


def test_pipe_in_workers_records_items_that_are_no_text():
    # n_process=1 records them; n_process=2 counted their characters to decide on starting the
    # workers: TypeError (len(None)) out of pipe(), every document lost
    nlp = load(["convert"])
    docs = list(nlp.pipe([None, 5, {"text": 5}, "北京"], n_process=2))
    assert [d.error and d.error["type"] for d in docs] == ["InputError", "InputError", "InputError", None]
    assert docs[3].text == "北京"


def test_a_document_that_breaks_decoding_or_finishing_fails_alone():
    # each of these raised out of pipe(), the batch lost: a url the extractor calls .encode() on,
    # a bug in decoding (here a subclass's), a stage leaving doc.entities None
    pytest.importorskip("trafilatura")
    docs = list(Pipeline([UpperStage()]).pipe([{"html": "<p>北京</p>", "url": 5}, "上海"]))
    assert docs[0].error["type"] == "InputError" and "url must be a string" in docs[0].error["message"]
    assert docs[1].error is None and docs[1].meta["seen"]

    class Fragile(Pipeline):
        def make_doc(self, item, date=None, id=None):
            if "坏" in str(item):
                raise RuntimeError("decoder bug")
            return super().make_doc(item, date=date, id=id)

    docs = list(Fragile([UpperStage()]).pipe(["北京", "坏的", "上海"], ids=["a", "b", "c"]))
    assert [d.id for d in docs] == ["a", "b", "c"] and [d.error is None for d in docs] == [True, False, True]
    assert docs[1].error["stage"] == "decode" and docs[1].error["type"] == "RuntimeError"

    class DropsEntities:
        name = "test-drops-entities"

        def __call__(self, doc: Doc) -> Doc:
            if "坏" in doc.text:
                doc.entities = None
            return doc

    docs = list(Pipeline([DropsEntities()]).pipe(["北京", "坏的", "上海"], ids=["a", "b", "c"]))
    assert [d.id for d in docs] == ["a", "b", "c"] and [d.error is None for d in docs] == [True, False, True]
    assert docs[1].error["stage"] == "finish" and docs[1].error["type"] == "TypeError"
