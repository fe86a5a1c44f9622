import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinese_news_nlp.alignment import Alignment, Edit, apply_edits


def test_same_length_edits_are_identity():
    align = Alignment.from_edits(4, [Edit(0, 2, "国际")])
    assert align.is_identity
    assert [align.to_old(i) for i in range(5)] == [0, 1, 2, 3, 4]


def test_deletion_maps_starts_past_and_ends_before():
    # "產業(yè)發展" -> "產業發展": the reading is deleted
    align = Alignment.from_edits(8, [Edit(2, 6, "")])
    assert align.new_len == 4
    assert align.span_to_old(0, 2) == (0, 2)  # 產業 keeps its raw span without the reading
    assert align.span_to_old(2, 4) == (6, 8)  # 發展
    assert align.span_to_old(1, 3) == (1, 7)  # 業發 covers the reading between them
    assert align.to_new(4) == 2  # inside the deleted run


def test_attached_deletion_goes_with_the_character_before():
    # "新區(qū)發展" -> "新區發展": the reading is 區's, so a name ending at 區 takes it along
    # (the gold README's surface of 浦東新區 in seed 004 is 浦東新區(qū))
    align = Alignment.from_edits(8, [Edit(2, 6, "", attached=True)])
    assert align.new_len == 4
    assert align.span_to_old(0, 2) == (0, 6)  # 新區 with its reading
    assert align.span_to_old(1, 2) == (1, 6)  # 區 alone
    assert align.span_to_old(0, 1) == (0, 1)  # 新 is untouched
    assert align.span_to_old(2, 4) == (6, 8)  # 發展 starts after the reading
    assert align.span_to_new(0, 6) == (0, 2)
    # at the start of the text there is no character to attach to: a plain deletion
    assert Alignment.from_edits(4, [Edit(0, 2, "", attached=True)]).span_to_old(0, 2) == (2, 4)


def test_replacement_run_maps_to_its_ends():
    # "部落格" (3) -> "博客" (2) at offset 2
    align = Alignment.from_edits(6, [Edit(2, 5, "博客")])
    assert align.span_to_old(2, 4) == (2, 5)
    assert align.span_to_old(3, 4) == (2, 5)  # inside: the whole run
    assert align.span_to_old(4, 5) == (5, 6)
    assert align.span_to_new(2, 5) == (2, 4)


def test_an_edit_with_pieces_maps_inside_to_its_pieces():
    # 碧K州 (a byte-shift reading) -> 蘇州 restored: 碧 holds 蘇's first byte, K its second
    pieces = Alignment.from_edits(5, [Edit(1, 4, "蘇州", pieces=((2, 1), (1, 1)))])
    assert pieces.span_to_old(1, 2) == (1, 3)
    assert pieces.span_to_old(2, 3) == (3, 4)
    whole = Alignment.from_edits(5, [Edit(1, 4, "蘇州")])
    assert whole.span_to_old(2, 3) == (1, 4)
    # pieces that do not add up to the edit are not trusted: it maps whole
    wrong = Alignment.from_edits(5, [Edit(1, 4, "蘇州", pieces=((1, 1), (1, 1)))])
    assert wrong.span_to_old(2, 3) == (1, 4)


def test_a_shared_piece_is_covered_from_both_sides():
    # ?!碧K → 。”蘇: 碧 holds the last byte of ” and the first of 蘇, a piece with no new text
    edit = Edit(0, 4, "。”蘇", pieces=((1, 1), (1, 1), (1, 0), (1, 1)))
    align = Alignment.from_edits(6, [edit])
    assert align.span_to_old(1, 2) == (1, 3)  # ” ends after 碧
    assert align.span_to_old(2, 3) == (2, 4)  # 蘇 starts at 碧
    assert align.span_to_old(2, 5) == (2, 6)
    assert align.span_to_new(2, 3) == (2, 2)
    again = Alignment.from_dict(align.to_dict())
    assert [again.span_to_old(i, j) for i in range(6) for j in range(i, 6)] == [
        align.span_to_old(i, j) for i in range(6) for j in range(i, 6)
    ]
    both = Alignment.concat([align, align])
    assert (both.span_to_old(6, 7), both.span_to_old(7, 8)) == ((7, 9), (8, 10))


def test_insertion():
    align = Alignment.from_edits(4, [Edit(2, 2, "平")])
    assert align.new_len == 5
    assert align.span_to_old(2, 3) == (2, 2)
    assert align.span_to_old(0, 5) == (0, 4)


def test_overlapping_edits_are_rejected():
    with pytest.raises(ValueError):
        Alignment.from_edits(5, [Edit(0, 3, "a"), Edit(2, 4, "b")])


def test_composition_and_serialisation():
    a = Alignment.from_edits(8, [Edit(2, 6, "")])  # 8 -> 4
    b = Alignment.from_edits(4, [Edit(0, 2, "x")])  # 4 -> 3
    c = a.then(b)
    assert (c.old_len, c.new_len) == (8, 3)
    assert c.span_to_old(1, 3) == (6, 8)
    assert c.span_to_old(0, 1) == (0, 2)
    back = Alignment.from_dict(c.to_dict())
    assert [back.to_old(i, s) for i in range(4) for s in ("start", "end")] == [
        c.to_old(i, s) for i in range(4) for s in ("start", "end")
    ]
    with pytest.raises(ValueError):
        a.then(a)


def test_out_of_range_offset():
    with pytest.raises(IndexError):
        Alignment.identity(3).to_old(4)


@st.composite
def text_and_edits(draw):
    text = draw(st.text(alphabet="abc國際醫學()yè,", min_size=0, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits, last = [], -1
    for i in range(0, len(cuts) - 1, 2):
        s, e = cuts[i], cuts[i + 1]
        if s <= last:
            continue
        replacement = draw(st.text(alphabet="xyz国", max_size=4))
        # a deleted reading goes with the character before it (attached)
        attached = not replacement and draw(st.booleans())
        edits.append(Edit(s, e, replacement, attached=attached))
        last = e
    return text, edits


@given(text_and_edits())
def test_unchanged_characters_map_to_themselves(case):
    text, edits = case
    new = apply_edits(text, edits)
    align = Alignment.from_edits(len(text), edits)
    assert align.new_len == len(new)
    changed_new = set()
    shift = 0
    for e in sorted(edits):
        changed_new.update(range(e.start + shift, e.start + shift + len(e.replacement)))
        shift += len(e.replacement) - (e.end - e.start)
    previous = 0
    for p in range(len(new) + 1):
        s, t = align.to_old(p, "start"), align.to_old(p, "end")
        assert 0 <= s <= len(text) and 0 <= t <= len(text)
        assert s >= previous or s == t  # monotone
        previous = min(s, t)
        if p < len(new) and p not in changed_new:
            o = align.to_old(p, "start")
            assert text[o] == new[p]
            assert align.to_new(o, "start") == p
