"""The NER corpora in ``../shared/data`` and their fixed, seeded dev splits.

Both corpora are read where they lie (never copied into the project) and
turned into :class:`Sentence` records with end-exclusive character spans in
the project's labels:

* CLUENER2020 train (Sina news, 10,748 sentences): ``name`` → PERSON,
  ``position`` → TITLE, ``company`` → COMPANY, ``government`` → GOV,
  ``organization`` → ORG, ``address`` → LOC, ``book``/``game``/``movie`` →
  WORK, ``scene`` → SCENE.  10 % is held out as dev.
* MSRA NER train (People's Daily 1998, 50,658 sentences): PER → PERSON, LOC,
  ORG.  5 % is held out as dev.

The split is a seeded shuffle of line numbers, so the same file always gives
the same dev sentences; training never sees them and every reported figure is
measured on them.  The official test splits of these corpora are the
project's external check and are not read here.

>>> split_indices(20, 0.1, seed=0)[1]            # the dev line numbers
[3, 16]
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261201
CLUENER_DEV_SHARE = 0.10
MSRA_DEV_SHARE = 0.05

CLUENER_LABELS = {
    "name": "PERSON",
    "position": "TITLE",
    "company": "COMPANY",
    "government": "GOV",
    "organization": "ORG",
    "address": "LOC",
    "book": "WORK",
    "game": "WORK",
    "movie": "WORK",
    "scene": "SCENE",
}
MSRA_LABELS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}

# The label sets of the two heads, in a fixed order (the order of the tags in the model).
FINE_LABELS = ("PERSON", "TITLE", "COMPANY", "GOV", "ORG", "LOC", "WORK", "SCENE")
COARSE_LABELS = ("PERSON", "LOC", "ORG")


@dataclass
class Sentence:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end exclusive, label)
    corpus: str = ""
    line: int = -1


def shared_data_dir() -> Path:
    """``$CNNLP_SHARED/data``, else ``../shared/data`` beside the repository."""
    env = os.environ.get("CNNLP_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"
    return root / "data"


def split_indices(n: int, dev_share: float, seed: int = SEED) -> tuple[list[int], list[int]]:
    """``(train, dev)`` line numbers of a corpus of ``n`` lines: a seeded shuffle, dev first."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_dev = round(n * dev_share)
    return sorted(order[n_dev:]), sorted(order[:n_dev])


def read_cluener(path: Path) -> list[Sentence]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            record = json.loads(line)
            spans = []
            for kind, surfaces in record.get("label", {}).items():
                for surface, places in surfaces.items():
                    for start, last in places:
                        # CLUENER ends are inclusive
                        assert record["text"][start : last + 1] == surface, (n, surface)
                        spans.append((start, last + 1, CLUENER_LABELS[kind]))
            out.append(Sentence(record["text"], sorted(spans), "cluener", n))
    return out


def read_msra(path: Path) -> list[Sentence]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            record = json.loads(line)
            spans = sorted((int(s), int(e), MSRA_LABELS[label]) for s, e, label in record["entities"])
            out.append(Sentence(record["text"], spans, "msra", n))
    return out


def load_split(corpus: str, part: str, data_dir: Path | None = None) -> list[Sentence]:
    """``load_split("cluener", "dev")``: the sentences of one part (``train`` or ``dev``) of a corpus."""
    data_dir = data_dir or shared_data_dir()
    if corpus == "cluener":
        sentences, share = read_cluener(data_dir / "cluener" / "train.jsonl"), CLUENER_DEV_SHARE
    elif corpus == "msra":
        sentences, share = read_msra(data_dir / "msra" / "train.jsonl"), MSRA_DEV_SHARE
    else:
        raise ValueError(f"unknown corpus {corpus!r}; use 'cluener' or 'msra'")
    train, dev = split_indices(len(sentences), share)
    if part not in ("train", "dev"):
        raise ValueError(f"unknown part {part!r}; use 'train' or 'dev'")
    return [sentences[i] for i in (train if part == "train" else dev)]


def sample(sentences: list[Sentence], n: int, seed: int = SEED) -> list[Sentence]:
    """A fixed sample of ``n`` sentences (all of them if there are fewer)."""
    if n >= len(sentences):
        return list(sentences)
    picked = sorted(random.Random(seed).sample(range(len(sentences)), n))
    return [sentences[i] for i in picked]
