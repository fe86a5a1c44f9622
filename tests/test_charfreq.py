"""The shipped character table is what jieba's dictionary and OpenCC give today."""

from __future__ import annotations

from chinese_news_nlp import charfreq


def test_shipped_counts_equal_a_fresh_build() -> None:
    assert charfreq.COUNTS_FILE.exists()
    assert charfreq.load_char_counts() == charfreq.build_char_counts()


def test_mojibake_scores_below_chinese() -> None:
    assert charfreq.plausibility("发展") > charfreq.plausibility("鍙戝睍") + 2.0
    # a traditional form missing from the dictionary scores like its simplified one
    assert charfreq.char_log_freq()["業"] == charfreq.char_log_freq()["业"]
