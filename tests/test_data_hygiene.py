"""The vocabularies describe Chinese naming in general: no name from the gold annotations is in them.

General vocabularies (provinces and cities, title words, organization head words) naturally
share words with any news text and are left out of the check.
"""

import json
from pathlib import Path

import chinese_news_nlp

DATA = Path(chinese_news_nlp.__file__).parent / "data"
GENERAL_VOCABULARIES = {"places.txt", "titles.txt", "org_heads.tsv", "title_org_prefixes.txt", "title_prefixes.txt"}
NAME_LABELS = {"PERSON", "LAB", "COMPANY", "GOV", "EDU", "ORG"}


def _entries(path: Path) -> set[str]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        out.update(line.replace("\t", " ").split())
    return out


def test_no_gold_names_in_data_files(gold_dir):
    gold = [json.loads(line) for line in (gold_dir / "entities.jsonl").read_text(encoding="utf-8").splitlines()]
    names = {g["normalized"].replace(" ", "") for g in gold if g["label"] in NAME_LABELS}
    people = {g["normalized"].replace(" ", "") for g in gold if g["label"] == "PERSON"}
    leaks = {}
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or path.suffix not in {".txt", ".tsv"}:
            continue
        watched = people if path.name in GENERAL_VOCABULARIES or path.parent.name != "entities" else names
        found = _entries(path) & watched
        if found:
            leaks[str(path.relative_to(DATA))] = sorted(found)
    assert not leaks, leaks
