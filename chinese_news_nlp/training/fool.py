"""foolnltk's NER network (Apache-2.0, on PyPI) as ONNX nodes: its logits are a feature of the head.

foolnltk ships a small TensorFlow-1 NER model (``ner.pb``: a 100-d character
embedding, a BiLSTM of 100 units each way, a tanh layer and 25 BMES logits
over person, org, company, job, location and time).  TensorFlow is not
needed: the frozen GraphDef is read with the protobuf reader of
:mod:`chinese_news_nlp.lac`, and the weights are rebuilt as ONNX nodes —
the TF ``BasicLSTMCell`` (gates i, j, f, o; ``forget_bias`` 1.0 added to f)
is an ONNX LSTM with gates reordered to i, o, f, c and 1.0 added to the f
bias.  The nodes read LAC's ``token_ids`` through a table from LAC's
character ids to foolnltk's, so the whole head still runs inside LAC's graph.

Only training reads ``ner.pb`` (the exported head carries the weights);
foolnltk is fetched without its TensorFlow dependency:
``pip download --no-deps foolnltk==0.1.7`` (see ``find_foolnltk``).
"""

from __future__ import annotations

import json
import struct
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from ..lac import _fields, _payload, _read_varint

FOOL_VERSION = "0.1.7"
_TF_DTYPES = {1: np.float32, 3: np.int32, 9: np.int64}


def _graph_nodes(graph: bytes) -> dict[str, tuple[str, list[str], dict[str, bytes]]]:
    """``{name: (op, inputs, attrs)}`` of a TF GraphDef (GraphDef.node = 1; NodeDef name 1, op 2, input 3, attr 5)."""
    out = {}
    for number, _wire, raw in _fields(graph):
        if number != 1:
            continue
        fields = _fields(_payload(raw))
        name = next(_payload(r) for n, _, r in fields if n == 1).decode()
        op = next(_payload(r) for n, _, r in fields if n == 2).decode()
        inputs = [_payload(r).decode() for n, _, r in fields if n == 3]
        attrs = {}
        for n, _, r in fields:
            if n == 5:
                entry = _fields(_payload(r))
                attrs[_payload(entry[0][2]).decode()] = _payload(entry[1][2])
        out[name] = (op, inputs, attrs)
    return out


def _tensor(attr_value: bytes) -> np.ndarray:
    """A TensorProto inside an AttrValue (field 8): dtype 1, shape 2, tensor_content 4, float_val 5."""
    for number, _wire, raw in _fields(attr_value):
        if number != 8:
            continue
        dtype, dims, content, floats = 1, [], b"", []
        for n, wire, r in _fields(_payload(raw)):
            if n == 1:
                dtype = _read_varint(r, 1)[0]
            elif n == 2:
                for n4, _, r4 in _fields(_payload(r)):
                    if n4 == 2:
                        dims += [_read_varint(r5, 1)[0] for n5, _, r5 in _fields(_payload(r4)) if n5 == 1]
            elif n == 4:
                content = _payload(r)
            elif n == 5:
                floats += (
                    list(np.frombuffer(_payload(r), np.float32)) if wire == 2 else [struct.unpack("<f", r[1:5])[0]]
                )
        if content:
            return np.frombuffer(content, _TF_DTYPES[dtype]).reshape(dims).copy()
        # TF fills the rest of a tensor with its last listed value
        values = np.array(floats or [0.0], np.float32)
        size = int(np.prod(dims)) if dims else values.size
        return np.resize(values, size).reshape(dims or values.shape)
    raise ValueError("attribute holds no tensor")


def read_fool(model_dir: Path) -> dict:
    """Weights, character map and tag names of foolnltk's NER model in ``model_dir`` (holding ner.pb, map.zip)."""
    nodes = _graph_nodes((model_dir / "ner.pb").read_bytes())

    def const(name: str) -> np.ndarray:
        return _tensor(nodes[name][2]["value"])

    pad = const("Const_1")
    embedding = const("char_embeding")
    weights = {
        "embedding": np.concatenate(
            [np.broadcast_to(pad.reshape(1, -1) if pad.size > 1 else pad, (1, embedding.shape[1])), embedding]
        ),
        "hidden_w": const("project/hidden/w_tanh"),
        "hidden_b": const("project/hidden/b_tanh"),
        "out_w": const("project/output/w_out"),
        "out_b": const("project/output/b_out"),
    }
    for direction in ("fw", "bw"):
        weights[f"{direction}_kernel"] = const(f"char_bilstm/bidirectional_rnn/{direction}/basic_lstm_cell/kernel")
        weights[f"{direction}_bias"] = const(f"char_bilstm/bidirectional_rnn/{direction}/basic_lstm_cell/bias")
    with zipfile.ZipFile(model_dir / "map.zip") as zf:
        maps = json.loads(zf.read("all_map.json"))
    tags = [maps["ner_map"][str(i)] for i in range(len(maps["ner_map"]))]
    return {"weights": weights, "char_map": maps["char_map"], "tags": tags}


def find_foolnltk(cache: Path) -> Path:
    """The folder holding foolnltk's ``ner.pb`` and ``map.zip``: an installed copy, or the sdist in ``cache``
    (``pip download --no-deps foolnltk==0.1.7 -d cache``), unpacked there."""
    import sys

    for root in (Path(sys.prefix) / "fool", cache / f"foolnltk-{FOOL_VERSION}" / "data"):
        if (root / "ner.pb").exists() and (root / "map.zip").exists():
            return root
    sdist = cache / f"foolnltk-{FOOL_VERSION}.tar.gz"
    if not sdist.exists():
        import subprocess

        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", f"foolnltk=={FOOL_VERSION}", "-d", str(cache), "-q"],
            check=True,
        )
    with tarfile.open(sdist) as tf:
        members = [m for m in tf.getmembers() if m.name.endswith(("data/ner.pb", "data/map.zip"))]
        tf.extractall(cache, members=members, filter="data")
    return cache / f"foolnltk-{FOOL_VERSION}" / "data"


def lac_to_fool_table(char_map: dict[str, int]) -> np.ndarray:
    """LAC token id → foolnltk character id (its ``<OOV>`` for characters it lacks).

    LAC folds full-width forms to half-width (q2b.dic) before its lookup; the
    table maps each LAC id to foolnltk's id of the character LAC's vocabulary
    holds for it, so run time and training see the same ids.
    """
    from ..lac import _load_tsv, model_dir

    vocab = _load_tsv(model_dir() / "word.dic")  # id → character
    size = max(int(k) for k in vocab) + 1
    oov = char_map.get("<OOV>", 1)
    table = np.full(size, oov, np.int64)
    for key, char in vocab.items():
        table[int(key)] = char_map.get(char, oov)
    return table


def onnx_nodes(fool: dict, table: np.ndarray, prefix: str, lengths: str) -> tuple[list, list, str]:
    """``(nodes, initializers, output name)``: foolnltk's logits ``(B, T, 25)`` computed from ``token_ids``."""
    from onnx import helper, numpy_helper

    w = fool["weights"]
    hidden = w["fw_bias"].shape[0] // 4
    width = w["embedding"].shape[1]
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), prefix + name))
        return prefix + name

    def onnx_gates(m):  # TF i, j, f, o → ONNX i, o, f, c
        i, j, f, o = np.split(m, 4, axis=0)
        return np.concatenate([i, o, f, j], axis=0)

    ws, rs, bs = [], [], []
    for direction in ("fw", "bw"):
        kernel, bias = w[f"{direction}_kernel"], w[f"{direction}_bias"].copy()
        bias[2 * hidden : 3 * hidden] += 1.0  # BasicLSTMCell's forget_bias
        ws.append(onnx_gates(kernel[:width].T))
        rs.append(onnx_gates(kernel[width:].T))
        bs.append(np.concatenate([onnx_gates(bias), np.zeros(4 * hidden, np.float32)]))
    nodes.append(helper.make_node("Gather", [const("table", table), "token_ids"], [prefix + "ids"]))
    nodes.append(
        helper.make_node(
            "Gather", [const("embedding", w["embedding"].astype(np.float32)), prefix + "ids"], [prefix + "emb"]
        )
    )
    nodes.append(helper.make_node("Transpose", [prefix + "emb"], [prefix + "tm"], perm=[1, 0, 2]))
    nodes.append(
        helper.make_node(
            "LSTM",
            [prefix + "tm", const("w", np.stack(ws)), const("r", np.stack(rs)), const("b", np.stack(bs)), lengths],
            [prefix + "y"],
            direction="bidirectional",
            hidden_size=hidden,
        )
    )
    nodes.append(helper.make_node("Transpose", [prefix + "y"], [prefix + "bt"], perm=[2, 0, 1, 3]))
    nodes.append(
        helper.make_node("Reshape", [prefix + "bt", const("shape", np.array([0, 0, -1], np.int64))], [prefix + "rnn"])
    )
    nodes.append(helper.make_node("MatMul", [prefix + "rnn", const("hidden_w", w["hidden_w"])], [prefix + "h_mm"]))
    nodes.append(helper.make_node("Add", [prefix + "h_mm", const("hidden_b", w["hidden_b"])], [prefix + "h_add"]))
    nodes.append(helper.make_node("Tanh", [prefix + "h_add"], [prefix + "hidden"]))
    nodes.append(helper.make_node("MatMul", [prefix + "hidden", const("out_w", w["out_w"])], [prefix + "o_mm"]))
    nodes.append(helper.make_node("Add", [prefix + "o_mm", const("out_b", w["out_b"])], [prefix + "logits"]))
    return nodes, inits, prefix + "logits"


def feature_graph(fool: dict, table: np.ndarray) -> bytes:
    """A graph of only foolnltk's network, ready for :func:`chinese_news_nlp.lac.merge_graph` (training features)."""
    from onnx import TensorProto, helper

    from ..lac import LAC_LENGTHS_I32

    nodes, inits, out = onnx_nodes(fool, table, "cnnlp_fool/", LAC_LENGTHS_I32)
    inputs = [
        helper.make_tensor_value_info("token_ids", TensorProto.INT64, ["batch", "time"]),
        helper.make_tensor_value_info(LAC_LENGTHS_I32, TensorProto.INT32, ["batch"]),
    ]
    outputs = [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["batch", "time", len(fool["tags"])])]
    model = helper.make_model(
        helper.make_graph(nodes, "fool", inputs, outputs, inits), opset_imports=[helper.make_opsetid("", 13)]
    )
    model.ir_version = 7
    return model.SerializeToString()
