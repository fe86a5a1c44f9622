"""Damaged lines made from clean text, seeded: repairs measured on text no rule
was written against (the benchmark and the tests use the same makers).

Each maker takes clean lines (``../shared/data`` text, say) and a seed, and
returns ``(damaged, clean)`` pairs; a repair is right when it gives back
``clean`` exactly.

>>> pairs = latin_punctuation_lines(["他常玩游戏，也看比赛。"], seed=1, size=1)
>>> damaged, clean = pairs[0]
>>> "，" in clean and "，" not in damaged
True
"""

from __future__ import annotations

import random
import re
from typing import Iterable

# Latin words Chinese news writes inside Chinese sentences.
LATIN_WORDS = (
    "lol", "nba", "NBA", "Office", "Word", "iPhone", "CEO", "GDP", "App", "AI", "5G", "Windows XP",
    "dota", "CBA", "WTO", "Google", "IT", "MBA", "DVD", "KTV", "PK", "VIP", "USB", "B2B", "Wi-Fi",
    "3D", "F1", "ATM", "SUV", "CPI", "PM2.5", "QQ", "MP3", "iPad", "Twitter", "eBay",
)  # fmt: skip
# What a bracket around a Latin word says in Chinese: 新版Office（含Word）.
BRACKET_LEADS = ("含", "即", "简称", "如", "英文", "包括")

FOLD = {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")"}
_FOLD_RE = re.compile("[" + "".join(FOLD) + "]")
_MARK = re.compile("[，；：！？]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def fold(text: str) -> str:
    """Full-width ``，；：！？（）`` written as ASCII, as scrapers and some editors do."""
    return _FOLD_RE.sub(lambda m: FOLD[m.group()], text)


def latin_punctuation_lines(lines: Iterable[str], seed: int, size: int) -> list[tuple[str, str]]:
    """``他常玩lol,也看nba``: a Latin word put beside one or two marks of a clean
    line (before or after it) or a bracket with a Latin word after a Han
    character (``新版Office（含Word）``), then every mark folded to ASCII."""
    rng = random.Random(seed)
    pool = [ln for ln in lines if _MARK.search(ln)]
    rng.shuffle(pool)
    out = []
    for line in pool[:size]:
        clean = line
        marks = [m.start() for m in _MARK.finditer(clean)]
        for at in sorted(rng.sample(marks, min(len(marks), rng.choice((1, 2)))), reverse=True):
            word = rng.choice(LATIN_WORDS)
            way = rng.random()
            if way < 0.4:
                clean = clean[:at] + word + clean[at:]  # 玩lol，
            elif way < 0.8:
                clean = clean[: at + 1] + word + clean[at + 1 :]  # ，nba
            else:
                hans = [m.end() for m in _HAN.finditer(clean, 0, at)]
                if not hans:
                    continue
                k = rng.choice(hans)
                clean = clean[:k] + f"{word}（{rng.choice(BRACKET_LEADS)}{rng.choice(LATIN_WORDS)}）" + clean[k:]
        out.append((fold(clean), clean))
    return out


# The meant words content farms write 头部 for, in the frames where 头部 is damage.
_FIRST = re.compile(
    "第一(?=[个次年批款天位步轮块只部条艘代名届章节期家项种号回场季阶课排层站关手枪声份棒集组例首篇封件张辆架台套周日月])"
)


def content_farm_lines(lines: Iterable[str], seed: int, size: int, written: str = "头部") -> list[tuple[str, str]]:
    """``头部批``: ``第一`` before a measure word of a clean line written as
    ``written`` (``頭部`` for traditional text: ``頭部屆``, its measure words
    found through the simplified form), as content farms do."""
    from .lm import to_simplified

    rng = random.Random(seed)
    pool = [ln for ln in lines if "第一" in ln and _FIRST.search(to_simplified(ln))]
    rng.shuffle(pool)
    out = []
    for line in pool[:size]:
        spots = [m.start() for m in _FIRST.finditer(to_simplified(line))]
        damaged = line
        for at in reversed(spots):
            damaged = damaged[:at] + written + damaged[at + 2 :]
        out.append((damaged, line))
    return out


_PINYIN = (
    ("税务", "shuì wù"), ("发展", "fā zhǎn"), ("创新", "chuàng xīn"), ("产业", "chǎn yè"), ("经济", "jīng jì"),
    ("银行", "yín háng"), ("重庆", "chóng qìng"), ("长江", "cháng jiāng"), ("企业", "qǐ yè"), ("记者", "jì zhě"),
)  # fmt: skip


def pinyin_lines(lines: Iterable[str], seed: int, size: int) -> list[tuple[str, str]]:
    """``税务(shuì wù)局``: a two-syllable reading pasted after a word of a clean line."""
    rng = random.Random(seed)
    out = []
    pool = [ln for ln in lines if any(w in ln for w, _ in _PINYIN)]
    rng.shuffle(pool)
    for line in pool[:size]:
        word, reading = next((w, r) for w, r in _PINYIN if w in line)
        spaced = reading if rng.random() < 0.7 else reading.replace(" ", "")
        out.append((line.replace(word, f"{word}({spaced})", 1), line))
    return out


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def shift_damage(clean: str) -> str | None:
    """``clean`` after the lead byte of its first ``。`` was lost from its
    GB18030 bytes (written ``?``), as the damage of seed 004 came about: the rest decoded one
    byte out of phase (GB18030, unreadable bytes U+FFFD), the private-use
    characters of GBK's user areas dropped without a trace (a pair of bytes
    gone: the characters on each side of it straddle the loss), U+FFFD
    written ``?``, full-width ASCII folded to half width; None without a ``。``.

    >>> shift_damage("說。”四川有限公司執行董事")  # AB CB of 公司 dropped; 事 lost its trail byte
    '說?!彼拇ㄓ邢薰緢绦卸?'
    """
    at = clean.find("。")
    if at == -1:
        return None
    data = clean[:at].encode("gb18030") + b"?" + clean[at:].encode("gb18030")[1:]
    text = _PRIVATE_USE.sub("", data.decode("gb18030", errors="replace")).replace("\ufffd", "?")
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else " " if c == "\u3000" else c for c in text)


def byte_shift_lines(lines: Iterable[str], seed: int, size: int, longest: int = 20) -> list[tuple[str, str]]:
    """:func:`shift_damage` of clean lines cut after a ``。`` and at most
    ``longest`` characters more, the most whose shifted bytes drop exactly one
    private-use pair inside the run and read no U+FFFD before its end: the damage where the
    character read across the loss may be a real one (004: 公司 read ``咕``)."""
    rng = random.Random(seed)
    pool = [ln for ln in lines if re.search("。[\u4e00-\u9fff]{4}", ln)]
    rng.shuffle(pool)
    out = []
    for line in pool:
        at = line.find("。")
        for length in range(min(longest, len(line) - at - 1), 3, -1):
            clean = line[: at + 1 + length]
            shifted = clean[at:].encode("gb18030")[1:].decode("gb18030", errors="replace")
            inside = shifted[:-2]  # the last byte is half a pair, and the pair before it reads the line's end
            if "\ufffd" not in inside and len(_PRIVATE_USE.findall(inside)) == 1 == len(_PRIVATE_USE.findall(shifted)):
                out.append((shift_damage(clean), clean))
                break
        if len(out) == size:
            break
    return out


def replacement_in_utf8_lines(lines: Iterable[str], seed: int, size: int) -> list[tuple[str, str]]:
    """A clean line holding one to three U+FFFD (characters an earlier decoder lost) between
    Chinese characters, written as UTF-8 and read as GBK: ``本报记者\\ufffd\\ufffd报道`` reads
    ``鏈\\ufffd鎶ヨ\\ufffd拌\\ufffd咃拷锟芥姤閬\\ufffd``, U+FFFD's bytes (EF BF BD) read as 锟, 拷
    and pieces of them.  The clean side keeps the U+FFFD: the text held them.

    >>> replacement_in_utf8_lines(["本报记者王明报道"], seed=1, size=1)[0][1].count("\\ufffd") >= 1
    True
    """
    rng = random.Random(seed)
    pool = [ln for ln in lines if 8 <= len(ln) <= 80 and len(_HAN.findall(ln)) >= len(ln) // 2]
    rng.shuffle(pool)
    out = []
    for line in pool[:size]:
        spots = [k for k in range(1, len(line)) if _HAN.match(line[k - 1]) and _HAN.match(line[k])]
        if not spots:
            continue
        clean = line
        for k in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 3))), reverse=True):
            clean = clean[:k] + "\ufffd" * rng.randint(1, 2) + clean[k:]
        out.append((clean.encode("utf-8").decode("gbk", errors="replace"), clean))
    return out
