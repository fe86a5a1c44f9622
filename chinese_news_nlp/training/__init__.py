"""Reproducible training of the shipped models from ``../shared/data``.

``python -m chinese_news_nlp.training.entities`` rebuilds the entity model in
``chinese_news_nlp/data/models/``.  Training needs the ``train`` extra (torch,
onnx); the corpora and their dev splits (:mod:`.corpora`) need neither, so the
benchmarks and tests score on exactly the sentences training never saw.
"""
