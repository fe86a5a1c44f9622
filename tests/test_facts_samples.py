"""The generator of fact-bearing sentences (chinese_news_nlp.facts.samples) and the facts
stage measured on what it writes."""

from __future__ import annotations

import random
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinese_news_nlp.facts import extract_facts, samples
from chinese_news_nlp.facts.numerals import parse_numeral

HOSTS = ["记者从有关部门获悉，各项工作进展顺利。", "据了解，这项工作受到群众欢迎，效果明显。"]
KINDS = {"money", "count", "percent", "measure", "rank"}
QUALIFIERS = {"exact", "approx", "over", "under", "range"}


def test_same_seed_same_documents_other_seed_other_documents():
    first = [d.to_dict() for d in samples.generate(40, seed=5, hosts=HOSTS)]
    again = [d.to_dict() for d in samples.generate(40, seed=5, hosts=HOSTS)]
    other = [d.to_dict() for d in samples.generate(40, seed=6, hosts=HOSTS)]
    assert first == again
    assert first != other


def test_gold_offsets_slice_to_surfaces_and_fields_are_well_formed():
    docs = samples.generate(300, seed=3, hosts=HOSTS)
    assert sum(len(d.facts) for d in docs) > 500
    for doc in docs:
        spans = []
        for f in doc.facts:
            assert doc.text[f.start : f.end] == f.surface
            assert f.kind in KINDS and f.qualifier in QUALIFIERS
            assert (f.value_max is not None) == (f.qualifier == "range")
            assert f.value_max is None or f.value_max > f.value
            assert f.year_end is None or (f.year is not None and f.year_end > f.year)
            spans.append((f.start, f.end))
        for d in doc.distractors:
            assert doc.text[d.start : d.end] == d.surface
            spans.append((d.start, d.end))
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), doc.text  # no fact inside a non-fact


def test_the_forms_the_readme_defines_are_written():
    docs = samples.generate(400, seed=4, hosts=HOSTS)
    facts = [f for d in docs for f in d.facts]
    assert {f.kind for f in facts} == KINDS
    assert {f.qualifier for f in facts} == QUALIFIERS
    forms = {f.form.split("-")[0] for f in facts}
    assert {"arabic", "chinese", "fullwidth", "grouped", "range", "rank", "shu", "duration"} <= forms
    assert {d.what for d in docs for d in d.distractors} >= {
        "date",
        "time",
        "phone",
        "stock",
        "counter",
        "slogan",
        "plan",
    }
    assert any(f.year_end for f in facts) and any(f.year is None for f in facts)


def test_relative_years_follow_the_article_date():
    for doc in samples.generate(300, seed=8, hosts=HOSTS):
        year = int(doc.date[:4])
        for f in doc.facts:
            if f.time_surface and f.time_surface.startswith("去年"):
                assert f.year == year - 1
            elif f.time_surface and f.time_surface.startswith("今年"):
                assert f.year == year


@pytest.mark.parametrize(
    "n, written",
    [(10, "十"), (15, "十五"), (105, "一百零五"), (1050, "一千零五十"), (12_000_000, "一千二百万"),
     (100_500, "十万零五百"), (120_000_000, "一亿二千万"), (100_000_005, "一亿零五"), (2_0000, "二万")],
)  # fmt: skip
def test_chinese_integer(n, written):
    assert samples.chinese_integer(n) == written


@given(st.integers(min_value=1, max_value=10**12 - 1))
@settings(max_examples=300, deadline=None)
def test_chinese_integers_read_back_by_the_stage(n):
    """Two independent implementations (the generator's writer, the stage's reader) agree."""
    assert parse_numeral(samples.chinese_integer(n)).value == n


def test_hosts_hold_no_figure_and_no_time_of_their_own(shared_dir):
    hosts = samples.host_sentences(shared_dir / "data")
    assert len(hosts) > 1000
    rng = random.Random(0)
    for host in rng.sample(hosts, 300):
        assert samples.usable_host(host)
        assert extract_facts(host, date="2020-01-01") == [], host


# The facts stage alone on generated documents of a seed used neither for development (1) nor
# as the held-out figure (2): floors a little under what it measured when they were set
# (2026-12, seed 9, 150 documents: F1 0.99, every field 1.00; see benchmarks/facts.py --generated).
FLOORS = {"f1": 0.95, "value": 0.97, "unit": 0.97, "kind": 0.97, "qualifier": 0.97, "year": 0.95, "span": 0.95}


def test_facts_stage_reaches_its_floor_on_generated_documents(shared_dir):
    docs = samples.generate(150, seed=9, hosts=samples.host_sentences(shared_dir / "data"))
    pairs, n_pred, n_gold = [], 0, 0
    for doc in docs:
        pred = extract_facts(doc.text, date=doc.date)
        gold = [asdict(f) for f in doc.facts]
        pairs += samples.match_facts(pred, gold)
        n_pred, n_gold = n_pred + len(pred), n_gold + len(gold)
    result = samples.score_facts(pairs, n_pred, n_gold)
    assert n_gold > 300
    low = {k: round(result[k], 3) for k, floor in FLOORS.items() if result[k] < floor}
    assert not low, low
