"""Character frequencies of Chinese text, from jieba's dictionary.

jieba ships ``dict.txt``: 349,046 words with corpus frequencies.  Summing the
frequency of every word a character occurs in gives a character unigram model
good enough to tell real Chinese from mojibake (``鍙戝睍`` scores far below
``发展``).  Traditional characters get the frequency of their simplified form,
so Big5 text scores like GB text.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def char_log_freq() -> dict[str, float]:
    """``log10`` of each character's frequency, simplified and traditional forms."""
    import jieba

    counts: dict[str, int] = {}
    path = Path(jieba.__file__).with_name("dict.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            word, freq = parts[0], int(parts[1])
            for ch in word:
                counts[ch] = counts.get(ch, 0) + freq
    table = {ch: math.log10(n + 1) for ch, n in counts.items()}
    try:
        import opencc

        simplified = "".join(table)
        traditional = opencc.OpenCC("s2t").convert(simplified)
        if len(traditional) == len(simplified):
            for s_ch, t_ch in zip(simplified, traditional):
                if t_ch not in table:
                    table[t_ch] = table[s_ch]
    except ImportError:  # pragma: no cover - opencc is a core dependency
        pass
    return table


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F or 0xF900 <= cp <= 0xFAFF


_CJK_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】—…·「」『』　")


def char_score(ch: str, table: dict[str, float] | None = None) -> float:
    """A plausibility score of one character in Chinese news text (higher is likelier)."""
    table = table if table is not None else char_log_freq()
    if is_cjk(ch):
        return table.get(ch, -1.0)
    if ch.isascii():
        return 3.0 if ch.isprintable() or ch in "\n\t" else -3.0
    if ch in _CJK_PUNCT or "\uff01" <= ch <= "\uff5e":
        return 4.0
    if ch == "\ufffd":
        return -4.0
    return -2.0  # kana, box drawing, private use...: rare in Chinese news


def plausibility(text: str) -> float:
    """Mean :func:`char_score` over ``text`` (0.0 for empty text)."""
    if not text:
        return 0.0
    table = char_log_freq()
    return sum(char_score(ch, table) for ch in text) / len(text)
