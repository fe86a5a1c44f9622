"""CRF decoding in numpy against brute force over every tag sequence of tiny problems."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinese_news_nlp.crf import Crf, bioes_spans, bioes_transitions, forward_backward, viterbi_batch


def _sequence_score(crf: Crf, emissions: np.ndarray, tags) -> float:
    score = crf.start[tags[0]] + crf.end[tags[-1]] + sum(emissions[t, k] for t, k in enumerate(tags))
    return float(score + sum(crf.transitions[a, b] for a, b in zip(tags, tags[1:])))


def _random_crf(rng: np.random.Generator, n_tags: int, forbid: bool) -> Crf:
    trans = rng.normal(0, 1, (n_tags, n_tags)).astype(np.float32)
    if forbid:
        trans[0, 1] = -1e4  # one forbidden transition, as BIOES has many
    return Crf(trans, rng.normal(0, 1, n_tags).astype(np.float32), rng.normal(0, 1, n_tags).astype(np.float32))


@pytest.mark.parametrize("seed", range(5))
def test_viterbi_and_marginals_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_tags, lengths = 3, np.array([4, 2, 1])
    crf = _random_crf(rng, n_tags, forbid=seed % 2 == 0)
    emissions = rng.normal(0, 2, (len(lengths), int(lengths.max()), n_tags)).astype(np.float32)
    paths = crf.decode(emissions, lengths)
    post = forward_backward(crf, emissions, lengths)
    marginals = post.marginals()
    for row, n in enumerate(lengths):
        seqs = list(itertools.product(range(n_tags), repeat=int(n)))
        scores = np.array([_sequence_score(crf, emissions[row], s) for s in seqs])
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        assert tuple(paths[row, :n]) == seqs[int(scores.argmax())]
        for t in range(n):
            for k in range(n_tags):
                expected = sum(p for s, p in zip(seqs, probs) if s[t] == k)
                assert marginals[row, t, k] == pytest.approx(expected, abs=1e-6)
        # the probability of a segment of tags, e.g. positions 1..2 of row 0
        if n >= 3:
            segment = (2, 0)
            expected = sum(p for s, p in zip(seqs, probs) if s[1:3] == segment)
            assert post.segment_probability(row, 1, np.array(segment)) == pytest.approx(expected, abs=1e-6)


def test_padding_does_not_change_a_row():
    rng = np.random.default_rng(7)
    crf = _random_crf(rng, 5, forbid=True)
    short = rng.normal(0, 2, (1, 3, 5)).astype(np.float32)
    padded = np.concatenate([short, rng.normal(0, 50, (1, 6, 5)).astype(np.float32)], axis=1)
    one = forward_backward(crf, short, np.array([3])).marginals()[0]
    two = forward_backward(crf, padded, np.array([3])).marginals()[0, :3]
    assert np.allclose(one, two)
    assert (crf.decode(short, np.array([3]))[0] == crf.decode(padded, np.array([3]))[0, :3]).all()


def test_bioes_constraints_and_spans():
    allowed, may_start, may_end = bioes_transitions(2)
    # O → I is forbidden, B-x → E-x allowed, B-x → E-y forbidden
    assert not allowed[0, 2] and allowed[1, 3] and not allowed[1, 7]
    assert may_start[1] and not may_start[2] and may_end[3] and not may_end[1]
    assert bioes_spans(np.array([1, 2, 3, 0, 8, 5, 7]), ("A", "B")) == [(0, 3, "A"), (4, 5, "B"), (5, 7, "B")]
    # a broken name (B without its E) is no span
    assert bioes_spans(np.array([1, 2, 0]), ("A",)) == []


def test_viterbi_batch_rows_are_independent():
    rng = np.random.default_rng(3)
    trans = rng.normal(0, 0.1, (4, 4)).astype(np.float32)
    em = rng.normal(0, 1, (3, 6, 4)).astype(np.float32)
    lengths = np.array([6, 3, 1])
    batch = viterbi_batch(em, trans, lengths)
    for row, n in enumerate(lengths):
        alone = viterbi_batch(em[row : row + 1, :n], trans, np.array([n]))
        assert (batch[row, :n] == alone[0]).all()


@pytest.mark.parametrize("seed", range(4))
def test_bioes_viterbi_equals_the_full_viterbi(seed):
    rng = np.random.default_rng(seed)
    n_labels = 3
    allowed, may_start, may_end = bioes_transitions(n_labels)
    n_tags = allowed.shape[0]
    trans = np.where(allowed, rng.normal(0, 1, (n_tags, n_tags)), -1e4).astype(np.float32)
    crf = Crf(trans, np.where(may_start, 0, -1e4).astype(np.float32), np.where(may_end, 0, -1e4).astype(np.float32))
    assert crf.bioes_labels == n_labels
    lengths = np.array([9, 1, 5, 7, 2])
    em = rng.normal(0, 3, (len(lengths), int(lengths.max()), n_tags)).astype(np.float32)
    full = viterbi_batch(crf.with_boundaries(em, lengths), trans, lengths)
    fast = crf.decode(em, lengths)
    for row, n in enumerate(lengths):
        assert (full[row, :n] == fast[row, :n]).all()


def test_span_probabilities_equal_the_chain_rule():
    from chinese_news_nlp.crf import span_probabilities

    rng = np.random.default_rng(11)
    allowed, may_start, may_end = bioes_transitions(2)
    n_tags = allowed.shape[0]
    trans = np.where(allowed, rng.normal(0, 1, (n_tags, n_tags)), -1e4).astype(np.float32)
    crf = Crf(trans, np.where(may_start, 0, -1e4).astype(np.float32), np.where(may_end, 0, -1e4).astype(np.float32))
    lengths = np.array([8, 3, 6])
    em = rng.normal(0, 2, (3, 8, n_tags)).astype(np.float32)
    paths = crf.decode(em, lengths)
    post = forward_backward(crf, em, lengths)
    spans = [(r, s, e) for r, n in enumerate(lengths) for s in range(n) for e in range(s + 1, n + 1)]
    fast = span_probabilities(post, paths, spans)
    slow = [post.segment_probability(r, s, paths[r, s:e]) for r, s, e in spans]
    assert np.allclose(fast, slow, atol=1e-9)


def test_small_batch_viterbi_equals_the_batched_one():
    from chinese_news_nlp.crf import viterbi_small

    rng = np.random.default_rng(5)
    trans = rng.normal(0, 0.2, (6, 6)).astype(np.float32)
    lengths = np.array([5, 2, 7])
    em = rng.normal(0, 1, (3, 7, 6)).astype(np.float32)
    a, b = viterbi_small(em, trans, lengths), viterbi_batch(em, trans, lengths)
    for row, n in enumerate(lengths):
        assert (a[row, :n] == b[row, :n]).all()


def test_stacked_decoding_equals_each_crf_alone():
    from chinese_news_nlp.crf import decode_stacked, forward_backward_stacked

    rng = np.random.default_rng(2)
    crfs = []
    for n_labels in (3, 1):
        allowed, may_start, may_end = bioes_transitions(n_labels)
        k = allowed.shape[0]
        trans = np.where(allowed, rng.normal(0, 1, (k, k)), -1e4).astype(np.float32)
        crfs.append(Crf(trans, rng.normal(0, 1, k).astype(np.float32), np.where(may_end, 0, -1e4).astype(np.float32)))
    lengths = np.array([6, 3])
    ems = [rng.normal(0, 2, (2, 6, c.n_tags)).astype(np.float32) for c in crfs]
    stacked = decode_stacked(crfs, ems, lengths)
    posts = forward_backward_stacked(crfs, ems, lengths)
    for crf, em, path, post in zip(crfs, ems, stacked, posts):
        alone = crf.decode(em, lengths)
        ref = forward_backward(crf, em, lengths)
        for row, n in enumerate(lengths):
            assert (alone[row, :n] == path[row, :n]).all()
            assert np.allclose(ref.marginals()[row, :n], post.marginals()[row, :n])


def _plain_viterbi(emissions: np.ndarray, transitions: np.ndarray) -> list[int]:
    """The textbook Viterbi of one row: every K×K move at every step, first maximum on ties."""
    dp = emissions[0].copy()
    back = []
    for t in range(1, len(emissions)):
        scores = dp[:, None] + transitions  # [from, to]
        back.append(scores.argmax(axis=0))
        dp = scores.max(axis=0) + emissions[t]
    path = [int(dp.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]


@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 9), st.integers(2, 6), st.booleans())
@settings(max_examples=60, deadline=None)
def test_viterbi_batch_equals_the_plain_viterbi_row_by_row(seed, rows, steps, n_tags, ties):
    # its shortcuts (one transition row where a tag provably leads; only running rows visited,
    # longest first) must give the textbook paths, ties (rounded scores) and empty rows included
    rng = np.random.default_rng(seed)
    em = rng.normal(0, rng.choice([0.1, 1.0, 5.0]), (rows, steps, n_tags)).astype(np.float32)
    trans = rng.normal(0, rng.choice([0.05, 1.0]), (n_tags, n_tags)).astype(np.float32)
    if ties:
        em, trans = np.round(em), np.round(trans)
    lengths = rng.integers(0, steps + 1, rows)
    paths = viterbi_batch(em, trans, lengths)
    for row, n in enumerate(lengths):
        if n:
            assert paths[row, :n].tolist() == _plain_viterbi(em[row, :n], trans)


@pytest.mark.parametrize("seed", range(6))
def test_probable_names_are_every_name_at_least_half_probable(seed):
    """Brute force over every tag sequence: the names whose probability (summed over the
    sequences spelling them) is ≥ 0.5 are exactly probable_names', with their probabilities."""
    from chinese_news_nlp.crf import probable_names

    rng = np.random.default_rng(seed)
    labels = ("A", "B")
    allowed, may_start, may_end = bioes_transitions(len(labels))
    n_tags = allowed.shape[0]
    trans = np.where(allowed, rng.normal(0, 1, (n_tags, n_tags)), -1e4).astype(np.float32)
    crf = Crf(trans, np.where(may_start, 0, -1e4).astype(np.float32), np.where(may_end, 0, -1e4).astype(np.float32))
    lengths = np.array([5, 4, 1])
    # weak emissions (scale 1): the CRF is unsure, so the best path's names are often improbable
    em = rng.normal(0, 1 + seed % 3, (len(lengths), int(lengths.max()), n_tags)).astype(np.float32)
    post = forward_backward(crf, em, lengths)
    got = probable_names(lengths, labels, post)
    for row, n in enumerate(lengths):
        seqs = list(itertools.product(range(n_tags), repeat=int(n)))
        scores = np.array([_sequence_score(crf, em[row], s) for s in seqs])
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        mass: dict[tuple[int, int, str], float] = {}
        for s, p in zip(seqs, probs):
            for name in bioes_spans(np.array(s), labels):
                mass[name] = mass.get(name, 0.0) + p
        expected = sorted((a, b, lab) for (a, b, lab), p in mass.items() if p >= 0.5)
        assert [(a, b, lab) for a, b, lab, _ in got[row]] == expected
        for a, b, lab, p in got[row]:
            assert p == pytest.approx(mass[(a, b, lab)], abs=1e-6)
