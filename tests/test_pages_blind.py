"""The blind page generator (benchmarks/pages_blind.py) itself: deterministic, fully labelled."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

pages_blind = pytest.importorskip("pages_blind")
if not pages_blind.MSRA.exists():  # shared data absent: nothing to generate from
    pytest.skip(f"no {pages_blind.MSRA}", allow_module_level=True)

N = 40  # five of each family


@pytest.fixture(scope="module")
def pages():
    return pages_blind.make_pages(N, 7)


def test_deterministic_for_a_seed(pages):
    again = pages_blind.make_pages(N, 7)
    assert [(p.text, p.zones, p.meta) for p in again] == [(p.text, p.zones, p.meta) for p in pages]
    other = pages_blind.make_pages(N, 8)
    assert [p.text for p in other] != [p.text for p in pages]


def test_every_non_blank_line_labelled_once(pages):
    for p in pages:
        lines = p.text.split("\n")
        non_blank = [i for i, t in enumerate(lines) if t.strip()]
        idx = [i for i, _ in p.zones]
        assert idx == non_blank, p.family
        assert len(set(idx)) == len(idx)


def test_labels_are_the_six_zones(pages):
    labels = {lab for p in pages for _, lab in p.zones}
    assert labels <= {"title", "meta", "heading", "body", "boilerplate", "related"}
    assert {"title", "meta", "body", "boilerplate", "related"} <= labels
    for p in pages:
        assert sum(lab == "title" for _, lab in p.zones) >= 1
        assert sum(lab == "body" for _, lab in p.zones) >= 1


def test_metadata_shape(pages):
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for p in pages:
        assert set(p.meta) >= {"title", "date", "time", "source", "authors"}
        assert p.meta["date"] is None or iso.match(p.meta["date"])
        assert p.meta["time"] is None or re.match(r"^\d{2}:\d{2}(:\d{2})?$", p.meta["time"])
        assert isinstance(p.meta["authors"], list)
        assert p.meta["title"]


def test_families_and_variants_covered(pages):
    assert {p.family for p in pages} == set(pages_blind.FAMILIES)
    many = pages_blind.make_pages(80, 3)
    assert any(p.flags["traditional"] for p in many)
    assert any(p.flags["crlf"] and "\r\n" in p.text for p in many)
    assert any(not p.flags["blank"] for p in many) and any(p.flags["blank"] for p in many)
    assert any(p.meta["date"] is None for p in many)
