"""Invariants of the repair stage, on generated text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinese_news_nlp.alignment import Edit, apply_edits
from chinese_news_nlp.doc import Doc
from chinese_news_nlp.repair import RepairStage, fix_and_explain, lm, repair_text
from chinese_news_nlp.repair.bytes_model import (
    HOLE,
    HOLE_BYTE,
    Splicer,
    _backward,
    _expand,
    _parse,
    _transitions,
    decode_with_holes,
)
from chinese_news_nlp.repair.compose import EditLog

# Common characters of news text and full-width punctuation: clean Chinese.
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
TRADITIONAL = "這個國際經濟發展產業創業們為會時說對來學動進過員開機關應點長現實體與還當內從種頭臺灣報導區場層務樂華電視營軍隊選舉議"
PUNCT = "，。、；：？！“”（）《》"
LATIN_WORDS = ["lol", "NBA", "Office", "iPhone", "CEO", "GDP", "5G", "Wi-Fi"]

clean_text = st.lists(
    st.one_of(
        st.text(alphabet=COMMON + PUNCT + "0123456789", min_size=1, max_size=12),
        st.text(alphabet=TRADITIONAL + PUNCT, min_size=1, max_size=12),
        st.sampled_from(LATIN_WORDS),
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean_text)
def test_clean_text_unchanged(text: str) -> None:
    """Simplified and traditional text, full-width marks, Latin words: byte-identical."""
    assert repair_text(text) == text


# Damaged text: clean text with pasted readings, folded punctuation and mojibake runs.
@st.composite
def damaged_text(draw) -> str:
    parts = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4]).flatmap(_piece), min_size=1, max_size=6))
    return "".join(parts)


def _piece(kind: int):
    word = st.text(alphabet=COMMON, min_size=2, max_size=6)
    if kind == 0:
        return word
    if kind == 1:
        return word.map(lambda w: w + "(yè)")
    if kind == 2:
        return word.map(lambda w: w + ",")
    if kind == 3:
        return word.map(lambda w: w.encode("utf-8").decode("gb18030", errors="replace"))
    return word.map(lambda w: w.encode("utf-8").decode("latin-1"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_text())
def test_idempotent(text: str) -> None:
    once = repair_text(text)
    assert repair_text(once) == once


# Everything at once (issue 12): 锟斤拷, replacement characters, traditional and
# simplified text, pinyin, half-width punctuation, private-use characters, and
# mojibake of each codec.
mixture = st.lists(
    st.one_of(
        st.text(alphabet=COMMON, min_size=1, max_size=8),
        st.text(alphabet=TRADITIONAL, min_size=1, max_size=8),
        st.sampled_from(["锟斤拷", "锟斤拷锟斤拷", "锟", "拷", "\ufffd", "\ufffd\ufffd", "?"]),
        st.sampled_from(["(yè)", "(chuàng)", "(shuì wù)", "(de)", "(zhōng)", "?yōu)", "（fā zhǎn）"]),
        st.sampled_from(list(",.!?:;()\"'") + list(PUNCT)),
        st.sampled_from(["&ldquo;", "&rdquo;", "&nbsp;", "&amp;", "&amp;ldquo;", "&#x4e2d;", "&#20013;", "&copy", "&"]),
        st.sampled_from(["\u200b", "\u200d", "\u00ad", "\ufeff", "\u2060\u200b"]),
        st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789 ", min_size=1, max_size=5),
        st.text(alphabet=COMMON, min_size=2, max_size=6).map(lambda w: w.encode("utf-8").decode("gbk", "replace")),
        st.text(alphabet=TRADITIONAL, min_size=2, max_size=6).map(
            lambda w: w.encode("big5", "ignore").decode("gbk", "replace")
        ),
        st.text(alphabet=COMMON, min_size=2, max_size=6).map(lambda w: w.encode("gbk").decode("utf-8", "replace")),
        st.text(alphabet=COMMON, min_size=2, max_size=6).map(lambda w: w.encode("utf-8").decode("latin-1")),
        st.text(alphabet=COMMON, min_size=2, max_size=6).map(
            lambda w: w.encode("gbk").decode("utf-8", "replace").encode("utf-8").decode("gbk", "replace")
        ),
        st.just("\n"),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixture, st.sampled_from(["guess", "replace"]))
def test_mixtures_never_raise_and_are_idempotent(text: str, lost_bytes: str) -> None:
    fixed, edits = fix_and_explain(text, lost_bytes=lost_bytes)
    assert apply_edits(text, edits) == fixed
    assert repair_text(fixed, lost_bytes=lost_bytes) == fixed
    for e in edits:
        assert (e.confidence < 0.5) == e.guessed, e  # a guess, and only a guess, is below 0.5
        assert not (lost_bytes == "replace" and e.guessed)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixture)
def test_repairs_slice_the_raw_text(text: str) -> None:
    doc = RepairStage()(Doc(raw=text))
    fixed, edits = fix_and_explain(text)
    assert doc.text == fixed
    assert len(doc.repairs) == len(edits)
    for r in doc.repairs:
        assert doc.raw[r.raw_start : r.raw_end] == r.before
        assert doc.text[r.start : r.end] == r.after
    doc.check()


# -- the incremental machinery reads as the whole computation does --------------------
_bytes = st.lists(
    st.one_of(st.integers(0x81, 0xFE), st.integers(0x40, 0x7E), st.just(HOLE), st.just(HOLE_BYTE), st.just(0x41)),
    min_size=1,
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(_bytes, st.integers(0, 30), st.sampled_from([2, 4]))
def test_splicer_reads_as_a_whole_decoding(tokens: list[int], at: int, count: int) -> None:
    """A dropped pair re-read around the insertion finds a reading as good as the
    best of the whole (the same one, unless several score the same)."""
    at = at % (len(tokens) + 1)
    spliced = tokens[:at] + [HOLE_BYTE] * count + tokens[at:]
    values, optional, _ = _expand(spliced)
    n = len(values)
    transitions = [_transitions(values, optional, n, i, "gb18030", False, None) for i in range(n)]
    best = _backward(n, optional, transitions, range(n - 1, -1, -1))[0][0]
    whole = decode_with_holes(spliced, "gb18030", fill=False)
    found = Splicer(tokens, "gb18030").read(at, count)
    assert (found is None) == (whole is None) == (best is None)
    if found is not None:
        assert abs(found[2] - best) < 1e-9


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0x00, 0xFF), st.just(HOLE_BYTE)), min_size=1, max_size=30),
    st.sampled_from(["utf-8", "gbk", "big5hkscs"]),
    st.booleans(),
)
def test_split_parse_equals_the_whole_parse(tokens: list[int], encoding: str, open_end: bool) -> None:
    """Stretches cut where every parse starts a character are read as the whole is."""
    values, optional, _ = _expand(tokens)
    whole = _parse(values, optional, len(values), encoding, open_end, "gbk")
    reading = decode_with_holes(tokens, encoding, fill=False, open_end=open_end, lost_in="gbk")
    assert (whole is None) == (reading is None)
    if reading is not None:
        assert [s for s, *_ in reading.spans] == [i for _c, _p, i, _j in whole]


_words = st.text(alphabet=COMMON[:300] + "，。、國際發展abc12", max_size=3)


@settings(max_examples=300, deadline=None)
@given(_words, st.lists(st.sampled_from(COMMON[:200] + "國際，"), min_size=1, max_size=6), _words)
def test_word_scores_of_candidates(before: str, middles: list[str], after: str) -> None:
    exact = lm.word_logps_between(before, tuple(middles), after)
    fast = lm.word_logps_around(before, tuple(middles), after)
    for c, e, f in zip(middles, exact, fast):
        assert e == lm.word_logp(before + c + after) == lm.word_logp_after(before, c + after)
        assert abs(f - e) < 1e-9


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdef", min_size=1, max_size=20), st.data())
def test_editlog_composes_passes(text: str, data) -> None:
    """Passes of edits, each on the text the last one gave: the composed edits on
    the original give the final text, and never overlap."""
    log = EditLog(text)
    for _ in range(data.draw(st.integers(1, 4))):
        current = log.text
        cuts = sorted(data.draw(st.lists(st.integers(0, len(current)), max_size=6)))
        edits = []
        last = -1
        for a, b in zip(cuts[::2], cuts[1::2]):
            if a > last:
                edits.append(Edit(a, b, data.draw(st.text(alphabet="XYZ", max_size=3)), "x"))
                last = b
        log.apply(edits)
    assert apply_edits(text, log.edits()) == log.text


# Text where folded ASCII, lost bytes and Latin letters meet Chinese: what the
# run finders and the byte-shift templates see.
_MIXED = st.text(alphabet="上海國際醫?\ufffd !~AzH@1éÿ，。\t\U00020000", max_size=16)


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_codec_runs_found_a_block_at_a_time(text: str) -> None:
    """The codec-confusion runs, found a block of non-ASCII characters at a
    time, are those of the pattern read one character at a time."""
    import re

    from chinese_news_nlp.repair.encoding import _NON_ASCII_RUN

    one_at_a_time = re.compile(
        r"[^\x00-\x7f](?:[^\x00-\x7f]|(?<=[^\x00-\x7f\u00c0-\u024f])[\x40-\x7e](?![\x40-\x7e]))+"
    )
    assert [m.span() for m in _NON_ASCII_RUN.finditer(text)] == [m.span() for m in one_at_a_time.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_shift_templates_of_prefixes(text: str) -> None:
    """The byte-shift template of each prefix, built from the longest run's
    characters, is the template of that prefix alone."""
    from chinese_news_nlp.repair.byteshift import _template, _Templates

    templates = _Templates(text)
    for length in range(len(text) + 1):
        assert templates.of(length) == _template(text[:length], last_is_resync=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | _MIXED)
def test_text_scores_sum_character_scores(text: str) -> None:
    """A text's score, read from code-point tables, is the sum of its characters' scores, left to right."""
    assert lm.text_logp(text) == sum(map(lm.char_logp, text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=COMMON + TRADITIONAL + PUNCT + "鍙戝睍頭部瑕侀\ufffd", min_size=1, max_size=30) | _MIXED)
def test_common_characters_read_well_without_a_sum(text: str) -> None:
    """Text of characters each scoring 4.0 or more is found so by one scan, and
    its mean, summed, is 4.0 or more: the damage tests may skip the sum."""
    found = lm.scores_at_least(text, 4.0)
    if "\U00020000" not in text:
        assert found == all(lm.char_logp(c) >= 4.0 for c in text)
    if found and text:
        assert lm.mean_logp(text) >= 4.0


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COMMON + TRADITIONAL + PUNCT))
def test_merged_pairs_are_what_the_bytes_allow(ch: str) -> None:
    """Each pair a character read in a byte shift may be the merge of keeps the
    character's lead byte and trail byte, and what lies between them is a pair
    of GBK's user areas: the pair the damaged text may have dropped."""
    from chinese_news_nlp.repair.byteshift import merged_pairs

    lead, trail = ch.encode("gb18030")
    for firsts, seconds, together in merged_pairs(ch):
        for a in firsts:
            for b in seconds:
                first, second = a.encode("gb18030"), b.encode("gb18030")
                assert first[0] == lead and second[1] == trail
                assert "\ue000" <= bytes((first[1], second[0])).decode("gb18030") <= "\uf8ff"
        for a, words in together:
            assert a in firsts and set(words) <= set(seconds)
            assert all(lm.is_word(lm.simplified_char(a) + lm.simplified_char(b)) for b in words)


def _pair_reading_by_word_logps(before: str, kinds, after: str) -> tuple[float, str]:
    """The best pair of :func:`.lm.best_pair_logp`, the plain way (its docstring)."""
    import math

    best, pair = -math.inf, ""
    for firsts, seconds, together in kinds:
        ending = lm.word_logps_around(before, firsts, "")
        starting = lm.word_logps_around("", seconds, after)
        m, n = ending.index(max(ending)), starting.index(max(starting))
        if ending[m] + starting[n] > best:
            best, pair = ending[m] + starting[n], firsts[m] + seconds[n]
        for a, words in together:
            found = max(zip(lm.word_logps_around(before + a, words, after), (a + b for b in words)))
            if found[0] > best:
                best, pair = found
    return best, pair


# Contexts that make words with what is around them (有限 + 公司, 中华人民 + 共和国).
_context = st.one_of(
    st.text(alphabet=COMMON[:300] + TRADITIONAL[:30] + "，。a1", max_size=4),
    st.sampled_from(["有限", "四川有限", "上海", "中華人民", "人民", "執行", "董事會", "發展", "國際", "的", "，"]),
)


@settings(max_examples=300, deadline=None)
@given(_context, st.sampled_from(COMMON + TRADITIONAL + "咕练硅举"), _context)
def test_best_pair_reading_is_that_of_the_word_scores(before: str, ch: str, after: str) -> None:
    """The pair a merged character is weighed against, found in one pass, is
    the one the word model's scores of its readings give, with the same
    score to the last bit: the check decides exactly as it would one call at
    a time."""
    from chinese_news_nlp.repair.byteshift import _merge_candidates, merged_pairs

    kinds = merged_pairs(ch)
    assert lm.best_pair_logp(before, _merge_candidates(ch), after) == _pair_reading_by_word_logps(before, kinds, after)
    assert lm.word_logp_after(before, ch + after) == lm.word_logp(before + ch + after)  # the merge's own score
