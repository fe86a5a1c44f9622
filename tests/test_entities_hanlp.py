"""The HanLP engine: the real ``hanlp.load`` and tag mapping on a tiny model trained here.

HanLP cannot download models in this environment, so a small RNN+CRF NER
tagger is trained for a few epochs on a handful of BIO sentences with MSRA
tags (NR/NS/NT), saved to a temporary directory and loaded by path, as a user
with a local HanLP model would.
"""

from __future__ import annotations

import os

import pytest

hanlp = pytest.importorskip("hanlp")

from chinese_news_nlp.doc import Doc  # noqa: E402
from chinese_news_nlp.entities import EntityStage, map_hanlp_tag  # noqa: E402
from chinese_news_nlp.entities.engines import HanlpEngine  # noqa: E402

pytestmark = pytest.mark.hanlp

SENTENCES = [
    ("张伟在北京工作", {"张伟": "NR", "北京": "NS"}),
    ("李娜考入上海大学", {"李娜": "NR", "上海大学": "NT"}),
    ("王芳访问杭州", {"王芳": "NR", "杭州": "NS"}),
    ("刘强来到南京大学", {"刘强": "NR", "南京大学": "NT"}),
]


def _bio(text: str, names: dict[str, str]) -> str:
    tags = ["O"] * len(text)
    for name, tag in names.items():
        at = text.index(name)
        tags[at] = f"B-{tag}"
        for k in range(at + 1, at + len(name)):
            tags[k] = f"I-{tag}"
    return "\n".join(f"{c}\t{t}" for c, t in zip(text, tags))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> str:
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    root = tmp_path_factory.mktemp("hanlp_ner")
    data = root / "train.tsv"
    data.write_text("\n\n".join(_bio(t, n) for t, n in SENTENCES * 8) + "\n", encoding="utf-8")
    model_dir = root / "model"
    RNNNamedEntityRecognizer().fit(
        str(data),
        str(data),
        str(model_dir),
        epochs=12,
        embed=32,
        rnn_hidden=32,
        batch_size=8,
        lr=0.01,
        verbose=False,
        devices=[],
        seed=1,
    )
    return str(model_dir)


def test_engine_loads_by_path_and_maps_every_span(tiny_model):
    engine = HanlpEngine(tiny_model, tagset="msra", devices=[])
    texts = [t for t, _ in SENTENCES] + [""]
    raw = engine.model([list(t) for t in texts[:-1]])
    spans = engine.spans(texts)
    assert spans[-1] == []
    for _text, items, mapped in zip(texts, raw, spans):
        expected = sorted((b, e, map_hanlp_tag(tag, "msra")) for _, tag, b, e in items if map_hanlp_tag(tag, "msra"))
        assert mapped == expected
        assert all(label in ("PERSON", "LOC", "ORG") for _, _, label in mapped)


def test_stage_with_hanlp_engine_fills_entities(tiny_model):
    stage = EntityStage(engine="hanlp", model=tiny_model, tagset="msra", devices=[], refine=[])
    text = "张伟在北京工作。李娜考入上海大学。"
    doc = stage(Doc(raw=text))
    doc.check()
    names = stage.engine.spans([text])[0]
    # without refinement steps, the entities are exactly the HanLP model's names
    assert [(e.start, e.end, e.label) for e in doc.entities] == names
    assert all(e.source == "hanlp" for e in doc.entities)


@pytest.mark.skipif(
    not os.environ.get("HANLP_HOME"), reason="needs a published HanLP model installed locally (no download here)"
)
def test_published_msra_model():
    stage = EntityStage(engine="hanlp", model=hanlp.pretrained.ner.MSRA_NER_ELECTRA_SMALL_ZH)
    doc = stage(Doc(raw="杭州市科技局副局长王建国说。"))
    assert any(e.label == "PERSON" and e.text == "王建国" for e in doc.entities)


def test_hanlp_engine_gives_lac_words_and_its_own_names(tiny_model):
    engine = HanlpEngine(tiny_model, tagset="msra", devices=[])
    text = "王芳访问杭州，刘强来到南京大学"
    (analysis,) = engine.analyze([(5, text)])
    assert "".join(t.word for t in analysis.tokens) == text
    assert analysis.tokens[0].start == 5
    spans = engine.spans([text])[0]
    assert [(c.start - 5, c.end - 5, c.label) for c in analysis.candidates] == spans
