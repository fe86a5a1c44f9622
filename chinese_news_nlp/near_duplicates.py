"""Near-duplicate articles across a corpus: MinHash signatures and LSH banding (``datasketch``).

A repost of an article on another site has other boilerplate, a few edited sentences, maybe
traditional script.  So the signature is taken over the *article* only — the ``title``,
``heading`` and ``body`` zones of the normalized (repaired, simplified) text — with
punctuation and spaces removed, as character 5-gram shingles.

:func:`dedup` streams: each document's signature (64 integers) is compared, through LSH
bands, with the documents before it, then stored; texts are never kept.  Memory grows by
about 2 kB per document (the 256-byte signature and one dictionary entry per LSH band; measured
by ``benchmarks/zones.py``: 1,976 bytes), so 100,000 documents take some 200 MB.
Each document gets a :class:`DuplicateMark`: the id of the
earliest earlier document it duplicates and the estimated similarity (Jaccard of shingles),
or ``None`` — nothing is dropped.

>>> marks = list(dedup(["浙江省新材料产业规模去年突破七千亿元，居全国第四位，增速领先。",
...                     "浙江省新材料产业规模去年突破七千亿元，居全国第四位，增速领先！",
...                     "成都大数据产业规模去年首次突破千亿元，同比增长百分之二十六。"]))
>>> [(m.id, m.duplicate_of) for m in marks]
[('0', None), ('1', '0'), ('2', None)]

Needs the ``dedup`` extra: ``pip install chinese-news-nlp[dedup]``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

from .doc import Doc

SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.5


@dataclass(frozen=True)
class DuplicateMark:
    """``id`` duplicates ``duplicate_of`` (an earlier document) with estimated ``similarity``; both None when unique."""

    id: str | None
    duplicate_of: str | None = None
    similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "duplicate_of": self.duplicate_of, "similarity": self.similarity}


def _datasketch():
    try:
        import datasketch
    except ImportError as exc:
        raise ImportError(
            "near-duplicate detection needs datasketch, an optional extra: pip install chinese-news-nlp[dedup]"
        ) from exc
    return datasketch


def normalized_article(doc: Doc | Mapping[str, Any] | str) -> str:
    """The text a signature is taken over: the article's zones (title, heading, body) of the
    normalized text, NFKC-folded and lower-cased, letters and digits only.

    >>> normalized_article("浙江：创新为基，构筑“三大”高地！")
    '浙江创新为基构筑三大高地'
    """
    if isinstance(doc, Mapping):
        if not isinstance(doc.get("text"), str):  # (Doc.from_dict failed on len(None))
            raise TypeError(f"a document's JSON form needs a str 'text', not {type(doc.get('text')).__name__}")
        doc = Doc.from_dict(doc)
    if isinstance(doc, Doc):
        from .zones import article_text

        text = article_text(doc)
    else:
        text = doc
    if not isinstance(text, str):  # (unicodedata.normalize's complaint named no document)
        raise TypeError(f"dedup compares Docs, their JSON form or str, not {type(doc).__name__}")
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the character ``size``-grams of ``text`` (one for a shorter text), vectorized."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) == 0:
        return np.zeros(0, dtype=np.uint64)
    if len(codes) < size:
        size = len(codes)
    n = len(codes) - size + 1
    h = np.zeros(n, dtype=np.uint64)
    for k in range(size):
        h = (h * np.uint64(1_000_003) + codes[k : k + n]) & np.uint64(0xFFFFFFFF)
    return np.unique(h)


def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` of the LSH banding that best separates similarities above and below
    ``threshold`` (datasketch's own optimization), a missed duplicate weighted nine times a
    false candidate: every candidate is checked against its signature anyway, so a false
    candidate costs a comparison, a missed one a wrong count.  For 0.5 and 64 permutations:
    21 bands of 3 rows, which find a pair at similarity 0.5 with probability 0.94."""
    bands, rows = _datasketch().lsh._optimal_param(threshold, num_perm, 0.1, 0.9)
    return int(bands), int(rows)


class Deduplicator:
    """A streaming near-duplicate index: :meth:`add` one document after another.

    ``threshold`` is the estimated Jaccard similarity of article shingles from which a
    document counts as a duplicate (0.5: a repost with a few sentences edited scores
    0.7–0.95, two articles on the same topic below 0.1).
    """

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, shingle: int = SHINGLE, seed: int = 1):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        ds = _datasketch()
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        template = ds.MinHash(num_perm=num_perm, seed=seed)
        self._minhash = lambda: ds.MinHash(
            num_perm=num_perm, seed=seed, hashfunc=int, permutations=template.permutations, scheme=template.scheme
        )
        self.bands, self.rows = optimal_bands(threshold, num_perm)
        self._index: dict[int, int] = {}  # hash of (band, band's values) → first document with it
        self._signatures = np.zeros((1024, num_perm), dtype=np.uint32)
        self._ids: list[str | None] = []
        self._dup_of: dict[int, int] = {}  # document number → the number it duplicates

    def __len__(self) -> int:
        return len(self._ids)

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature (``num_perm`` 32-bit values) of a normalized article text."""
        m = self._minhash()
        m.update_batch(shingle_hashes(text, self.shingle).tolist())
        return np.asarray(m.hashvalues, dtype=np.uint32)

    def add(self, doc_id: str | None, text: str | None = None, signature: np.ndarray | None = None) -> DuplicateMark:
        """Index one document (its normalized article ``text``, or a ready ``signature``) and say what it duplicates.

        An empty text duplicates nothing and is not indexed (two empty pages are not reposts).
        """
        number = len(self._ids)
        self._ids.append(doc_id)
        if signature is None:
            if not text:
                return DuplicateMark(doc_id)
            signature = self.signature(text)
        sig = np.asarray(signature, dtype=np.uint32)
        keys = [hash((b, sig[b * self.rows : (b + 1) * self.rows].tobytes())) for b in range(self.bands)]
        best, best_sim = None, 0.0
        for c in sorted({self._index[k] for k in keys if k in self._index}):
            sim = self._similarity(c, sig)
            if sim >= self.threshold and sim > best_sim:
                best, best_sim = c, sim
        if best is not None:
            # A repost of a repost names the cluster's first document when it is still similar enough.
            root = best
            while root in self._dup_of:
                root = self._dup_of[root]
            if root != best and (root_sim := self._similarity(root, sig)) >= self.threshold:
                best, best_sim = root, root_sim
            self._dup_of[number] = best
        for k in keys:
            self._index.setdefault(k, number)
        if number >= len(self._signatures):
            grown = np.zeros((2 * len(self._signatures), self.num_perm), dtype=np.uint32)
            grown[: len(self._signatures)] = self._signatures
            self._signatures = grown
        self._signatures[number] = sig
        if best is None:
            return DuplicateMark(doc_id)
        return DuplicateMark(doc_id, self._ids[best], round(best_sim, 3))

    def _similarity(self, number: int, sig: np.ndarray) -> float:
        return float(np.count_nonzero(self._signatures[number] == sig)) / self.num_perm


def dedup(
    docs: Iterable[Doc | Mapping[str, Any] | str],
    threshold: float = THRESHOLD,
    num_perm: int = NUM_PERM,
    ids: Iterable[str] | None = None,
) -> Iterator[DuplicateMark]:
    """Yield a :class:`DuplicateMark` per document, in order, streaming.

    ``docs`` are processed Docs (their article zones are compared), their JSON form (a line of
    ``cnnlp process`` output, parsed), or plain strings (compared whole: run the pipeline first
    to leave boilerplate out).  A document's id is ``doc.id``, else ``ids``, else its position.
    """
    index = Deduplicator(threshold=threshold, num_perm=num_perm)
    id_iter = iter(ids) if ids is not None else None
    for position, item in enumerate(docs):
        given = next(id_iter, None) if id_iter is not None else None
        doc_id = given
        if isinstance(item, Doc):
            doc_id = item.id if item.id is not None else given
        elif isinstance(item, Mapping):
            doc_id = item.get("id", given)
        yield index.add(str(doc_id) if doc_id is not None else str(position), normalized_article(item))


__all__ = ["Deduplicator", "DuplicateMark", "dedup", "normalized_article", "shingle_hashes"]
