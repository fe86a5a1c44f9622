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


def _zone_entries(path: Path) -> list[str]:
    """Every cue, pattern and role word of a data/zones file (comments included: examples there count too)."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_no_gold_strings_in_zone_data(gold_dir, seed_texts):
    """The zone cues describe layouts: no gold line of the seeds (beyond a generic cue word of a
    few characters such as 相关阅读), no title, source, author or site of the seed pages."""
    from chinese_news_nlp.zones import find_zones
    from chinese_news_nlp.zones.metadata import page_metadata

    lines = set()
    for g in (json.loads(x) for x in (gold_dir / "zones.jsonl").read_text(encoding="utf-8").splitlines()):
        text = seed_texts[g["doc"]][g["start"] : g["end"]].strip()
        if len(text) >= 7:
            lines.add(text)
    values = set()
    for meta in (json.loads(x) for x in (gold_dir / "metadata.jsonl").read_text(encoding="utf-8").splitlines()):
        values.update(v for k, v in meta.items() if k in ("title", "source") and v)
        values.update(meta.get("authors") or [])
    for text in seed_texts.values():  # the sites the seed pages name, as the stage reads them
        site = page_metadata(text, find_zones(text)).get("site")
        if site:
            values.add(site)
    people = {
        json.loads(x)["normalized"].replace(" ", "")
        for x in (gold_dir / "entities.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(x)["label"] in NAME_LABELS
    }
    leaks = {}
    for path in sorted((DATA / "zones").iterdir()):
        for entry in _zone_entries(path):
            found = [s for s in lines | values | people if len(s) >= 2 and s in entry]
            if found:
                leaks.setdefault(path.name, []).extend(found)
    assert not leaks, leaks
