"""The training code on a few sentences: it trains, exports, and the exported head (run by
onnxruntime inside LAC's graph) tags exactly as the torch model; the dev splits are fixed."""

from __future__ import annotations

import numpy as np
import pytest

from chinese_news_nlp.training.corpora import load_split, split_indices
from chinese_news_nlp.training.entities import bioes_tags


def test_dev_split_is_fixed_and_disjoint(shared_dir):
    train, dev = split_indices(1000, 0.1)
    assert len(dev) == 100 and not set(train) & set(dev)
    assert split_indices(1000, 0.1) == (train, dev)  # the same every time
    for corpus in ("cluener", "msra"):
        tr = load_split(corpus, "train", shared_dir / "data")
        dv = load_split(corpus, "dev", shared_dir / "data")
        assert not {s.line for s in tr} & {s.line for s in dv}
        assert all(s.text[a:b] for s in dv[:50] for a, b, _ in s.spans)


def test_bioes_tags_keep_the_longest_of_overlapping_gold():
    tags = bioes_tags(6, [(0, 2, "PERSON"), (0, 4, "ORG"), (5, 6, "LOC")], ("PERSON", "ORG", "LOC"))
    assert tags.tolist() == [5, 6, 6, 7, 0, 12]


@pytest.mark.slow
@pytest.mark.parametrize("bigrams", [0, 101], ids=["chars", "chars+hashed-bigrams"])
def test_a_tiny_training_run_exports_a_head_equal_to_the_torch_model(shared_dir, tmp_path, bigrams):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from chinese_news_nlp.entities.model import EntityModel, read_metadata
    from chinese_news_nlp.training import entities as T

    config = dict(
        T.DEFAULT_CONFIG,
        epochs=1,
        limit=40,
        gru=True,
        lstm=False,
        features=["states", "emissions", "embedding", "layer1"],
        hidden=32,
        proj=32,
        char_dim=8,
        bigram_buckets=bigrams,
        bigram_dim=4,
        cluener_epochs=1,  # the CLUENER-only loop too (off in the shipped configuration)
    )
    model, table, _ = T.train(config, shared_dir / "data", log=lambda *_: None)
    path = tmp_path / "entities.onnx"
    path.write_bytes(T.export_onnx(model, table, T.model_metadata(model, config)))
    assert read_metadata(path.read_bytes())["config"]["gru"] is True
    runtime = EntityModel(path, names="best-path")  # tags: the best paths, as torch decodes them
    texts = [s.text for s in load_split("cluener", "dev", shared_dir / "data")[:8]]
    tagged = runtime.encoder.tag(texts)
    ids, feats = T.lac_features(texts, layer1=True, dtype=np.float32)
    stored = T.stored_groups(config)
    cols = T.feature_columns([f for f in config["features"] if f not in T.GRU_FEATURES], stored)
    gcols = T.feature_columns(config["features"], stored, T.GRU_FEATURES)
    for i, f, tagging in zip(ids, feats, tagged):
        with torch.no_grad():
            emissions = model(
                torch.tensor(f[:, cols].astype(np.float32))[None],
                torch.tensor(table[i])[None],
                torch.tensor([len(i)]),
                torch.tensor(f[:, gcols].astype(np.float32))[None],
            )
        for head in ("fine", "coarse"):
            crf = runtime.encoder.head.crfs[f"cnnlp_{head}"]
            path_torch = crf.decode(emissions[head].numpy(), np.array([len(i)]))[0]
            assert np.array_equal(path_torch, tagging.heads[f"cnnlp_{head}"])
    rebuilt, _, _ = T.tagger_from_onnx(path.read_bytes())
    assert sum(p.numel() for p in rebuilt.parameters()) == sum(p.numel() for p in model.parameters())
