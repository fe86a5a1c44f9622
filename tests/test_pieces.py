"""Line ends (``\\n``, ``\\r\\n``, a lone ``\\r``) as every stage reads them, and where a very
large document is cut into pieces (chinese_news_nlp.pieces)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chinese_news_nlp.pieces import has_line_break, lines_at, lines_with_ends, piece_bounds

# Line ends, and what str.splitlines ends a line at but a page does not (mojibake bytes, controls, separators).
TEXT = st.lists(
    st.sampled_from(["中", "a", " ", "\n", "\r", "\r\n", "\x85", "\x1c", "\x0c", "\u2028"]), max_size=30
).map("".join)
LINE_END = re.compile(r"\r\n|\r|\n")


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_lines_end_at_lf_crlf_and_a_lone_cr_only(text):
    lines = lines_at(text)
    assert [line for _, line in lines] == LINE_END.split(text)
    for pos, line in lines:
        assert text[pos : pos + len(line)] == line
        assert not has_line_break(line)
    # the text with its line ends written as \n splits the same way, at the same lines
    assert [line for _, line in lines] == LINE_END.sub("\n", text).split("\n")
    kept = lines_with_ends(text)
    assert "".join(kept) == text
    assert [LINE_END.sub("", line) for line in kept] == [line for _, line in lines][: len(kept)]
    for line in kept:  # a line end only at the line's end, and a whole one
        m = LINE_END.search(line)
        assert m is None or m.end() == len(line)


def test_a_text_without_cr_splits_as_before():
    text = "一\n\n二\x85三\n"
    assert [line for _, line in lines_at(text)] == text.split("\n")
    assert lines_with_ends(text) == ["一\n", "\n", "二\x85三\n"]
    assert lines_with_ends("一\r\n二\r三") == ["一\r\n", "二\r", "三"]


def test_a_piece_ends_at_a_lone_cr_as_at_a_lf():
    for end in ("\n", "\r"):
        assert piece_bounds(f"一二三。{end}四五六。七八", limit=6) == [(0, 5), (5, 11)]


def test_a_piece_never_ends_between_cr_and_lf():
    # the window [0, 5) holds the \r of a \r\n but not its \n: the cut goes before the \r
    assert piece_bounds("一二三四\r\n五六", limit=5) == [(0, 4), (4, 8)]
    for text in ("一二\r\n三四\r\n五六\r\n七八", "一二三\r\n四五六七\r\n八九"):
        for limit in range(2, 9):
            for _, end in piece_bounds(text, limit):
                assert text[end - 1 : end + 1] != "\r\n", (text, limit, end)
