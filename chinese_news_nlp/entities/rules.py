"""From model tokens to typed, well-bounded entities.

The statistical model (LAC or HanLP) gives words with coarse tags
(PER/LOC/ORG and parts of speech).  Each function here is one rule on top of
it, documented with the example that motivated it:

* :func:`model_people`, :func:`model_places`, :func:`model_orgs` take the
  model's own names, filtered and trimmed;
* :func:`head_extended_orgs` rebuilds names the model cut short, from their
  head word leftwards (``之/ORG 江/n 实验室/n`` → ``之江实验室``);
* :func:`quoted_orgs` takes a quoted name ending with a head
  (``“滑动轴承性能计算中心”``);
* :func:`gazetteer_names` adds dictionary names (well-known companies, user
  gazetteers, places) where they stand as whole words;
* :func:`find_titles` finds titles (``党委副书记``, ``常务副省长``);
* :func:`byline_people` and :func:`people_after_titles` find names the model
  missed where the context says a name must be (``记者 江 耘``);
* :func:`resolve` keeps the longest of overlapping candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from .vocab import Vocabulary, vocabulary


@dataclass(frozen=True)
class Tok:
    """A model word with its coarse tag and offsets in the document text."""

    word: str
    tag: str
    start: int
    end: int


@dataclass
class Span:
    start: int
    end: int
    label: str
    source: str
    rank: int = 5  # lower wins among candidates of equal length


HAN = re.compile(r"[\u3400-\u9fff]")
SPACE = " \t\u3000\xa0"

# Tags that may be part of an organization name (LAC tag set).
NAME_TAGS = frozenset({"n", "nz", "nw", "LOC", "ORG", "vn", "an", "s", "j", "t"})
# Tags that may join two halves of a name (涡轮机械与推进系统研究院): only
# allowed when a place or organization anchors the name further left.
JOIN_TAGS = frozenset({"c", "v", "a"})
JOIN_CONJUNCTIONS = frozenset({"与", "和", "及"})
ANCHOR_TAGS = frozenset({"LOC", "ORG", "nz"})
MAX_NAME_CHARS = 30
MAX_NAME_TOKENS = 10

# A department written after its parent organ (省科技厅规划处): the entity is the parent.
SUB_UNIT_SUFFIXES = ("处", "科", "司", "室", "股", "部", "办")


# -- the model's own names -------------------------------------------------------


def is_person_name(name: str, vocab: Vocabulary | None = None) -> bool:
    """A plausible Chinese personal name: 2–4 Han characters starting with a family name.

    LAC tags some phrases as PER (``方为江海``'s ``江海``, ``美云``); the
    family-name check removes most.  Transliterated names with ``·`` pass.
    """
    vocab = vocab or vocabulary()
    compact = "".join(name.split())
    if "·" in compact:
        parts = compact.split("·")
        return all(parts) and all(HAN.fullmatch(c) for p in parts for c in p)
    if not 2 <= len(compact) <= 4 or not all(HAN.fullmatch(c) for c in compact):
        return False
    surname = vocab.surname_of(compact)
    if surname is None:
        return False
    return len(compact) - len(surname) >= 1


def model_people(tokens: Sequence[Tok]) -> list[Span]:
    vocab = vocabulary()
    return [
        Span(t.start, t.end, "PERSON", "model", 6) for t in tokens if t.tag == "PER" and is_person_name(t.word, vocab)
    ]


_PLACE_TAIL = re.compile(r"(?:[0-9０-９]+号|东部|西部|南部|北部|中部|一带|周边|沿岸|畔|边|旁|内|外)$")


def model_places(tokens: Sequence[Tok]) -> list[Span]:
    """LOC words of two or more characters (a single 浙 or 之 is too often wrong),
    without a trailing position or house number (白马湖畔 → 白马湖, 五常大道181号 → 五常大道)."""
    out = []
    for t in tokens:
        if t.tag != "LOC":
            continue
        end = t.end
        m = _PLACE_TAIL.search(t.word)
        if m and m.start() >= 2:
            end = t.start + m.start()
        if end - t.start < 2:
            continue
        name = t.word[: end - t.start]
        head = vocabulary().head_of(name, strong_only=True)
        if head is not None and head.label == "ORG" and len(name) > len(head.head):
            out.append(Span(t.start, end, "ORG", "model", 6))  # parks as organizations: 某某科创园, 某某科技城
            continue
        if is_generic_place(name):
            continue
        out.extend(split_places(Span(t.start, end, "LOC", "model", 6), name))
    return out


def is_generic_place(name: str) -> bool:
    """A kind of place (街道, 产业集聚区), not a place."""
    vocab = vocabulary()
    pos = 0
    while pos < len(name):
        for size in range(min(5, len(name) - pos), 0, -1):
            piece = name[pos : pos + size]
            if piece in vocab.generic_places or piece in vocab.generic:
                pos += size
                break
        else:
            return False
    return True


_PLACE_SUFFIXES = ("新区", "区", "县", "市", "镇", "乡", "州", "湾", "岛")


def split_places(span: Span, name: str) -> list[Span]:
    """A province or city written before a smaller place is two places
    (云南|滇中新区, 浙江|杭州); 杭州市 and 浙江省 stay whole."""
    vocab = vocabulary()
    for size in (3, 2):
        first, rest = name[:size], name[size:]
        if (
            first in vocab.places
            and len(rest) >= 2
            and not rest.startswith(("省", "市"))
            and rest not in vocab.zone_words
        ):
            if rest in vocab.places or rest.endswith(_PLACE_SUFFIXES):
                cut = span.start + size
                return [
                    Span(span.start, cut, "LOC", span.source, span.rank),
                    Span(cut, span.end, "LOC", span.source, span.rank),
                ]
    return [span]


def trim_org(name: str) -> int:
    """How many leading characters of an ORG word are the organization itself.

    ``浙江大学党委`` keeps ``浙江大学`` (the party committee is written into the
    title 党委副书记); ``省科技厅规划处`` keeps ``省科技厅`` (a department is
    named with its parent organ); ``某某公司董事长`` keeps the company.
    """
    vocab = vocabulary()
    end = len(name)
    for title in sorted(vocab.titles, key=len, reverse=True):
        if name.endswith(title) and len(name) > len(title) + 1:
            end = len(name) - len(title)
            break
    core = name[:end]
    for prefix in vocab.title_org_prefixes:
        if core.endswith(prefix) and len(core) > len(prefix) + 1:
            rest = core[: -len(prefix)]
            if vocab.head_of(rest) is not None:
                end = len(rest)
                core = rest
            break
    if core.endswith(SUB_UNIT_SUFFIXES):
        for cut in range(len(core) - 2, 1, -1):
            head = vocab.head_of(core[:cut])
            if head is not None and (head.strong or head.label == "GOV") and len(core) - cut >= 2:
                return cut
    return end


_CLOSE = ")）"
_OPEN = "(（"
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:镇|乡|街道)")


def normalize_tokens(tokens: Sequence[Tok]) -> list[Tok]:
    """Token fixes before the rules.

    * punctuation glued to words is cut off (LAC's ``)科技局`` → ``)`` + ``科技局``);
    * a place or organization followed by a place in brackets is one name:
      ``杭州高新区(滨江)`` (a district with its other name), ``网易(杭州)``
      (a company with its registered city);
    * an ORG word starting with a township is an address plus a name
      (``某某镇|某某集团``).
    """
    vocab = vocabulary()
    cut: list[Tok] = []
    for tok in _split_spaces(tokens):
        if len(tok.word) > 1 and tok.word[0] in _CLOSE + _OPEN and HAN.match(tok.word[1]):
            cut.append(Tok(tok.word[0], "w", tok.start, tok.start + 1))
            rest = tok.word[1:]
            cut.append(Tok(rest, "ORG" if vocab.head_of(rest) else "n", tok.start + 1, tok.end))
            continue
        m = _TOWNSHIP.match(tok.word) if tok.tag == "ORG" else None
        if m and len(tok.word) - m.end() >= 3 and vocab.head_of(tok.word[m.end() :], strong_only=True):
            cut.append(Tok(tok.word[: m.end()], "LOC", tok.start, tok.start + m.end()))
            cut.append(Tok(tok.word[m.end() :], "ORG", tok.start + m.end(), tok.end))
            continue
        cut.append(tok)
    cut = _merge_split_heads(_recut_glued_names(cut, vocab), vocab)
    out: list[Tok] = []
    i = 0
    while i < len(cut):
        tok = cut[i]
        # a place and the zone after it are one place (某市|经开区, 某某|新区)
        while (
            tok.tag == "LOC"
            and i + 1 < len(cut)
            and cut[i + 1].start == tok.end
            and cut[i + 1].word in vocab.zone_words
        ):
            i += 1
            tok = Tok(tok.word + cut[i].word, "LOC", tok.start, cut[i].end)
        if (
            tok.tag in ("LOC", "ORG")
            and i + 3 < len(cut)
            and cut[i + 1].word in _OPEN
            and _bracketed_place(cut[i + 2], vocab)
            and cut[i + 3].word in _CLOSE
            and cut[i + 3].start == cut[i + 2].end == cut[i + 1].end + len(cut[i + 2].word)
            and cut[i + 1].start == tok.end
        ):
            out.append(Tok("".join(t.word for t in cut[i : i + 4]), tok.tag, tok.start, cut[i + 3].end))
            i += 4
            continue
        out.append(tok)
        i += 1
    return out


def _split_spaces(tokens: Sequence[Tok]) -> list[Tok]:
    """A line's indent LAC read into a word (``　　股份有限公司/ORG``) is a word of its own:
    no name starts or ends with a space."""
    out = []
    for tok in tokens:
        word = tok.word.strip(SPACE)
        if not word or word == tok.word:
            out.append(tok)
            continue
        lead = len(tok.word) - len(tok.word.lstrip(SPACE))
        start, end = tok.start + lead, tok.start + lead + len(word)
        if lead:
            out.append(Tok(tok.word[:lead], "w", tok.start, start))
        out.append(Tok(word, tok.tag, start, end))
        if end < tok.end:
            out.append(Tok(tok.word[lead + len(word) :], "w", end, tok.end))
    return out


@lru_cache(maxsize=1)
def _split_head_starts() -> frozenset[str]:
    """Every proper prefix of a strong head of three or more characters (创新 of 创新中心)."""
    heads = [h for h, head in vocabulary().heads.items() if head.strong and len(h) >= 3]
    return frozenset(h[:k] for h in heads for k in range(1, len(h)))


def _merge_split_heads(tokens: list[Tok], vocab: Vocabulary) -> list[Tok]:
    """Words that together spell a head word are one word (创新/v 中心/n → 创新中心),
    so names ending with it are rebuilt from it (LAC splits heads of names it does not know)."""
    starts = _split_head_starts()
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        if tokens[i].word not in starts:
            out.append(tokens[i])
            i += 1
            continue
        for width in (3, 2):
            group = tokens[i : i + width]
            if len(group) < width or any(a.end != b.start for a, b in zip(group, group[1:])):
                continue
            if any(t.tag in ("PER", "LOC", "ORG", "w") for t in group):
                continue
            word = "".join(t.word for t in group)
            head = vocab.heads.get(word)
            if head is not None and head.strong and len(word) >= 3:
                out.append(Tok(word, "n", group[0].start, group[-1].end))
                i += width
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _recut_glued_names(tokens: list[Tok], vocab: Vocabulary) -> list[Tok]:
    """An ORG word that took the first character of the next word loses it.

    LAC glues names it does not know to what follows: ``某某科技科/ORG 创板/v``
    (科创板), ``某某瑞信始/ORG`` (始终).  The name is one character shorter when
    that shorter name ends with a head or industry word the longer does not
    (某某科技|科), or is found elsewhere in the document as an ORG of its own.
    """
    org_words = {t.word for t in tokens if t.tag == "ORG"}
    out = []
    for tok in tokens:
        word = tok.word
        if tok.tag == "ORG" and len(word) >= 4 and HAN.match(word[-1]) and vocab.head_of(word) is None:
            shorter = word[:-1]
            if shorter in org_words or (
                shorter.endswith(tuple(vocab.industry_words)) or vocab.head_of(shorter, strong_only=True)
            ):
                out.append(Tok(shorter, "ORG", tok.start, tok.end - 1))
                out.append(Tok(word[-1], "n", tok.end - 1, tok.end))
                continue
        out.append(tok)
    return out


def _bracketed_place(tok: Tok, vocab: Vocabulary) -> bool:
    """A place, zone or district in brackets: (滨江), (高新区), (未来科技城)."""
    return (
        tok.tag == "LOC"
        or tok.word in vocab.zone_words
        or (tok.tag in ("n", "ORG", "nz") and tok.word.endswith(("区", "城", "县", "市")))
    )


def split_org_tokens(tokens: Sequence[Tok]) -> list[Tok]:
    """Cut ORG words where :func:`trim_org` ends the organization, so the rest
    (党委, 规划处, 市场开发部) is a word of its own for titles and departments."""
    out = []
    for tok in tokens:
        keep = trim_org(tok.word) if tok.tag == "ORG" else len(tok.word)
        if 2 <= keep < len(tok.word):
            out.append(Tok(tok.word[:keep], "ORG", tok.start, tok.start + keep))
            out.append(Tok(tok.word[keep:], "n", tok.start + keep, tok.end))
        else:
            out.append(tok)
    return out


_BRACKETED_TAIL = re.compile(r"[(（][^()（）]{1,8}[)）]$")


def org_label(name: str, default: str = "ORG") -> str:
    """LAB / COMPANY / GOV / EDU / ORG by the name's head or known short name."""
    vocab = vocabulary()
    name = _BRACKETED_TAIL.sub("", name) or name  # 某某(杭州): typed by 某某
    if name in vocab.companies:
        return "COMPANY"
    head = vocab.head_of(name)
    if head is not None and len(name) > len(head.head):
        return head.label
    if (
        head is not None
        and name == head.head
        and (head.whole_name or (head.label == "GOV" and not head.strong))
        and len(name) >= 2
    ):
        return head.label  # an organ named by its head alone: 省委, 国务院, 中科院
    return default


def model_orgs(tokens: Sequence[Tok]) -> list[Span]:
    out = []
    for t in tokens:
        if t.tag != "ORG":
            continue
        keep = trim_org(t.word)
        lead = len(t.word) - len(t.word.lstrip(SPACE))  # an indent LAC read into the name
        name = t.word[lead:keep]
        label = org_label(name)
        if len(name) < 2 or (label != "GOV" and is_generic(name)):
            continue
        head = vocabulary().head_of(name)
        if head is not None and name == head.head and label == "ORG" and head.label != "ORG":
            continue  # a bare 股份有限公司 (the name lost) names nothing; 省委, 中科院 do
        if label == "ORG" and len(name) <= 2 and name not in vocabulary().companies:
            continue  # LAC's two-character ORGs without a head are mostly wrong (华东, 统筹, 科普)
        out.append(Span(t.start + lead, t.start + keep, label, "model", 4))
    return out


# Newspapers are named with common words (人民日报, 科技日报): never "generic".
MEDIA_HEADS = ("日报", "晚报", "早报", "都市报", "时报", "电视台", "广播电台")


BARE_COMPANY_HEADS = ("公司", "企业")
# Heads that also name a designation a place is given (某地建设国际科技创新中心, 综合性国家科学中心):
# with only a place and generic words before them they are no organization.
DESIGNATION_HEADS = BARE_COMPANY_HEADS + ("创新中心", "科技创新中心", "科学中心", "实验室", "联合实验室")


def is_generic(name: str) -> bool:
    """A kind of organization, not a name: only generic words before the head
    (上市公司, 国家重点实验室, 金融科技)."""
    vocab = vocabulary()
    if name.endswith(MEDIA_HEADS):
        return False
    head = vocab.head_of(name)
    rest = name[: len(name) - len(head.head)] if head is not None else name
    if not rest:
        return head is None
    if head is not None and head.head in DESIGNATION_HEADS:
        # a registered name carries its legal form; 多家深圳智能制造公司 is a kind of company
        rest = strip_place(rest)
        if rest in vocabulary().places and head.head in BARE_COMPANY_HEADS:
            return True
    # greedy longest-first cover of the rest by generic words
    pos = 0
    while pos < len(rest):
        for size in range(min(4, len(rest) - pos), 0, -1):
            if rest[pos : pos + size] in vocab.generic:
                pos += size
                break
        else:
            return False
    return True


# -- names rebuilt from their heads ------------------------------------------------


def _is_head_token(tok: Tok, vocab: Vocabulary) -> bool:
    if tok.tag in ("PER", "w", "m", "q", "p", "u", "d", "r", "c", "xc"):
        return False  # (TIME stays: LAC reads 近代物理研究所 as a time)
    head = vocab.head_of(tok.word, strong_only=True)
    if head is not None:
        return True
    # Bureau-like compounds (科技局, 经信厅, 发改委): a weak GOV head on a 3+ char noun.
    head = vocab.head_of(tok.word)
    return head is not None and head.label == "GOV" and len(tok.word) >= 3 and tok.tag in ("n", "nz", "ORG", "nt")


def _name_part(tok: Tok, vocab: Vocabulary) -> bool:
    if tok.tag not in NAME_TAGS:
        return False
    if tok.word in vocab.titles or tok.word in vocab.not_heads or tok.word in BARE_COMPANY_HEADS:
        return False  # 公司|研发团队联合某研究所: a bare 公司 ends the name on its left
    return not any(c in SPACE for c in tok.word)


def head_extended_orgs(tokens: Sequence[Tok], text: str) -> list[Span]:
    """Organization names rebuilt leftwards from a head word.

    LAC splits names it has not seen: ``在/p 之/ORG 江/n 实验室/n`` or
    ``浙江省/LOC 涡轮/n 机械/n 与/c 推进/v 系统/n 研究院/n``.  From a head
    (实验室, 研究院, 有限公司, 科技局...) we walk left over name-like words
    (nouns, places, organizations) and stop at punctuation, prepositions,
    particles, numbers and titles.  A conjunction or verb inside
    (``与``, ``推进``) is crossed only if a place or organization word further
    left anchors the name, so ``浙江着力建设研究院`` does not become a name.
    """
    vocab = vocabulary()
    out = []
    for i, tok in enumerate(tokens):
        if not _is_head_token(tok, vocab):
            continue
        first = i
        j = i - 1
        chars = len(tok.word)
        while j >= 0 and i - j <= MAX_NAME_TOKENS:
            cand = tokens[j]
            if cand.end != tokens[j + 1].start:
                break
            if _name_part(cand, vocab) and chars + len(cand.word) <= MAX_NAME_CHARS:
                # a complete organization on the left is a separate name (浙江大学 材料学院) unless
                # what follows is only a head (华为 公司 → 华为公司)
                first = j
                chars += len(cand.word)
                j -= 1
                continue
            if _joins_name(tokens, j, vocab):
                anchor = _anchor_left(tokens, j - 1, vocab, chars)
                if anchor is not None:
                    chars += sum(len(t.word) for t in tokens[anchor : j + 1])
                    first = anchor
                    j = anchor - 1
                    continue
            break
        if first == i:
            head = vocab.head_of(tok.word)
            if head is None or (len(tok.word) <= len(head.head) and head.label != "GOV"):
                continue  # a bare 实验室 or 股份有限公司 names nothing
        # a leading township or street is the address, not the name (洞泾镇|某某集团)
        while first < i and tokens[first].tag == "LOC" and tokens[first].word.endswith(_ADDRESS_SUFFIXES):
            first += 1
        part = tokens[first : i + 1]
        if not _anchored(part, vocab) and not _unit_of_named_parent(tokens, first, part, vocab):
            continue  # no proper name in it: 企业研究院, 细胞培养实验室
        start, end = tokens[first].start, tok.end
        name = text[start:end]
        label = org_label(name)
        if label != "GOV" and is_generic(name):
            continue
        out.append(Span(start, end, label, "rule", 3))
    return out


_ADDRESS_SUFFIXES = ("镇", "乡", "街道", "村", "路", "街", "号")
# Government bodies are named by their level, not a proper name: 省科技厅, 全国政协, 国家统计局.
ADMINISTRATIVE_LEVELS = frozenset({"省", "市", "区", "县", "州", "镇", "乡", "国家", "全国", "中央", "省级", "市级"})


def _anchored(part: Sequence[Tok], vocab: Vocabulary) -> bool:
    """Does a candidate name hold a proper name (or, for a government body, its level)?"""
    head_tok = part[-1]
    if (head_tok.tag == "ORG" and not is_generic(head_tok.word)) or head_tok.word.endswith(MEDIA_HEADS):
        return True
    if any(t.tag in ANCHOR_TAGS and not _common_short_word(t) for t in part[:-1]):
        return True
    if _holds_place("".join(t.word for t in part[:-1])):
        return True  # 量子科技长三角产业创新中心: a place inside a token LAC did not tag
    head = vocab.head_of("".join(t.word for t in part))
    if head is not None and head.label == "GOV":
        words = [t.word for t in part]
        return words[0] in ADMINISTRATIVE_LEVELS or any(
            words[0].startswith(level) for level in ("省", "市", "国家", "全国")
        )
    return False


def _unit_of_named_parent(tokens: Sequence[Tok], first: int, part: Sequence[Tok], vocab: Vocabulary) -> bool:
    """A research unit named by its field alone, written as a part of a named parent:
    ``某某实验室11号楼的智能计算硬件研究中心``.  The parent (an institution's head
    word, then at most a building or floor) and ``的`` stand right before it; the
    field must be specific (four characters or more), unlike 企业研究院."""
    head = vocab.head_of(part[-1].word)
    field = sum(len(t.word) for t in part[:-1])
    if head is None or head.label != "LAB" or field < 4 or first < 2 or tokens[first - 1].word != "的":
        return False
    k = first - 2
    chars = 0
    while k >= 0 and tokens[k].tag in ("m", "n", "q", "f") and chars < 6:
        parent = vocab.head_of(tokens[k].word, strong_only=True)
        if parent is not None and parent.label in ("LAB", "EDU", "COMPANY") and tokens[k].word == parent.head:
            return True
        chars += len(tokens[k].word)
        k -= 1
    return k >= 0 and tokens[k].tag == "ORG" and vocab.head_of(tokens[k].word) is not None


def _common_short_word(tok: Tok) -> bool:
    """A two-character common word LAC tagged as a name (统筹/ORG 实验室): no anchor."""
    return len(tok.word) == 2 and tok.tag != "LOC" and common_word_frequency(tok.word) > 300


def _holds_place(text: str) -> bool:
    """Does ``text`` contain a province, city or region of the place vocabulary?"""
    return any(label == "LOC" for _, _, label in builtin_gazetteer().finditer(text))


def _joins_name(tokens: Sequence[Tok], j: int, vocab: Vocabulary) -> bool:
    """May the walk cross ``tokens[j]`` inside a name?

    A conjunction joins two halves of one name (涡轮机械|与|推进系统研究院) but
    not two names (省科技厅|和|省政府, 苏州市|及|相城区政府): the word left of
    it must be a plain noun.  A verb is crossed only right after such a
    conjunction (与|推进|系统), so 浙江|新增|省级企业研究院 stays apart.
    """
    tok = tokens[j]
    if tok.tag == "c":
        if tok.word not in JOIN_CONJUNCTIONS or j == 0:
            return False
        left = tokens[j - 1]
        return left.tag in ("n", "vn", "nz", "an") and vocab.head_of(left.word) is None
    if tok.tag in ("v", "a"):
        return j > 0 and tokens[j - 1].tag == "c" and _joins_name(tokens, j - 1, vocab)
    return False


def _anchor_left(tokens: Sequence[Tok], j: int, vocab: Vocabulary, chars: int) -> int | None:
    """Index of a place/organization word at most three name words left of ``j``."""
    steps = 0
    while j >= 0 and steps < 4:
        tok = tokens[j]
        if tok.end != tokens[j + 1].start:
            return None
        if not _name_part(tok, vocab) and not (
            tok.tag in JOIN_TAGS and (tok.tag != "c" or tok.word in JOIN_CONJUNCTIONS)
        ):
            return None
        if tok.tag in ANCHOR_TAGS:
            return j
        j -= 1
        steps += 1
    return None


_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』\r\n，。、；：！？,;:!?]{3,30})[”\"」』]")


def quoted_orgs(text: str) -> list[Span]:
    """A quoted name ending with a head is a name as a whole (“滑动轴承性能计算中心”)."""
    vocab = vocabulary()
    out = []
    for m in _QUOTED.finditer(text):
        name = m.group(1)
        head = vocab.head_of(name, strong_only=True)
        if head is not None and len(name) > len(head.head):
            out.append(Span(m.start(1), m.end(1), head.label, "rule", 2))
    return out


_SHORT_NAME_TAGS = frozenset({"n", "nz", "ORG", "PER", "r", "an", "vn", "j"})


@lru_cache(maxsize=1)
def _common_words() -> dict[str, int]:
    """jieba's dictionary (word → frequency): a short name is *not* a common word."""
    from ..dictionary import word_frequencies

    return word_frequencies()[0]


def common_word_frequency(word: str) -> int:
    """How common ``word`` is in jieba's dictionary (0: not a dictionary word)."""
    return _common_words().get(word, 0) or 0


def company_short_names(tokens: Sequence[Tok]) -> list[Span]:
    """``某某生物``, ``某某科技``: a word no dictionary knows, then an industry word.

    Listed companies are written by short names made of a coined word and an
    industry (我武生物, 旋极信息).  The coined part is what LAC cannot place:
    two or three characters that are not a dictionary word (卫星化学 thus is
    missed, 金融科技 rightly not taken).  A model ORG before the industry word
    (某某/ORG 医疗) counts as coined too.
    """
    vocab = vocabulary()
    words = _common_words()
    out = []
    for i, tok in enumerate(tokens):
        if tok.word not in vocab.industry_words or i == 0:
            continue
        for width in (1, 2):
            part = tokens[max(0, i - width) : i]
            if len(part) < width or any(t.tag not in _SHORT_NAME_TAGS for t in part):
                break
            if any(a.end != b.start for a, b in zip(part + [tok], (part + [tok])[1:])):
                break
            coined = "".join(t.word for t in part)
            if width == 1 and part[0].tag == "ORG":
                coined = strip_place(coined)  # 深圳某某/ORG 生物: the coined part is 某某
            if not 2 <= len(coined) <= 3 or not all(HAN.match(c) for c in coined):
                continue
            if coined in vocab.places or coined in vocab.generic:
                continue
            if words.get(coined, 0) > 0 and not (width == 1 and part[0].tag == "ORG"):
                continue
            start, end = part[0].start, tok.end
            before = tokens[i - width - 1] if i - width - 1 >= 0 else None
            if before is not None and before.end == start and before.word in vocab.places:
                start = before.start  # 深圳某某生物: the city is part of the short name
            after = tokens[i + 1 : i + 4]
            if (
                len(after) == 3
                and after[0].word in _OPEN
                and after[1].tag == "LOC"
                and after[2].word in _CLOSE
                and after[0].start == end
            ):
                end = after[2].end  # 某某生物(上海)
            out.append(Span(start, end, "COMPANY", "rule", 4))
            break
    return out


def strip_place(name: str) -> str:
    """``name`` without a leading province or city (深圳某某 → 某某, 浙江省某某 → 某某),
    if at least two characters remain."""
    vocab = vocabulary()
    for size in (6, 5, 4, 3, 2):
        place = name[:size]
        if place in vocab.places:
            rest = name[size:]
            if rest[:1] in ("省", "市") and len(rest) > 2:
                rest = rest[1:]
            if len(rest) >= 2:
                return rest
    return name


# -- dictionaries ------------------------------------------------------------------


@lru_cache(maxsize=1)
def builtin_gazetteer():
    from .gazetteer import Gazetteer

    vocab = vocabulary()
    entries = {name: "LOC" for name in vocab.places}
    entries.update({name: "COMPANY" for name in vocab.companies})
    return Gazetteer(entries)


def gazetteer_names(text: str, tokens: Sequence[Tok], gazetteers: Iterable, rank: int = 1) -> list[Span]:
    """Dictionary names standing as whole words (token boundaries on both sides).

    The boundary check keeps 海南 out of 上海南路.  A known company short name
    followed by a company word (华为 公司, 比亚迪 汽车) extends over it.
    """
    vocab = vocabulary()
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    by_start = {t.start: t for t in tokens}
    out = []
    for gaz in gazetteers:
        for start, end, label in gaz.finditer(text):
            if start not in starts or end not in ends:
                continue
            if label == "COMPANY" and end in by_start:
                nxt = by_start[end]
                head = vocab.head_of(nxt.word)
                if head is not None and head.label == "COMPANY" and nxt.word == head.head:
                    end = nxt.end
            out.append(Span(start, end, label, "gazetteer", rank))
    return out


# -- titles ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def title_pattern() -> re.Pattern[str]:
    """``(organ)? (prefix)* core (助理)?``: 党委副书记, 常务副省长, 见习记者, 总监助理."""
    vocab = vocabulary()

    def alternation(words: Iterable[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    return re.compile(
        f"(?P<organ>{alternation(vocab.title_org_prefixes)})?(?:{alternation(vocab.title_prefixes)})*"
        f"(?:{alternation(vocab.titles)})(?:助理)?"
    )


# A title named after a unit (部长, 班长, 科长): the unit's name may stand before it
# (科技人才部长, 生产班长); other titles take a department ending in a unit word
# (市场开发部部长, 生产技术中心副主任).
UNIT_TITLES = ("部长", "班长", "科长", "处长", "组长", "队长", "室主任")
UNIT_SUFFIXES = ("部", "中心", "处", "科", "室", "办", "组", "班", "车间")
DEPARTMENT_TAGS = frozenset({"n", "vn", "nz", "an"})


def find_titles(text: str, boundaries: set[int], tokens: Sequence[Tok] = (), names: Sequence[Span] = ()) -> list[Span]:
    """Title spans that end on a word boundary (``主任务`` holds no ``主任``).

    A title starts on a boundary, or with an organ that ends on one
    (``云南滇中新区党工委|副书记`` tagged as one ORG word by LAC).  A department
    written before the title joins it (:func:`department_before`).
    """
    pattern = title_pattern()
    name_ends = {span.end for span in names if span.label != "PERSON"}
    by_end = {t.end: k for k, t in enumerate(tokens)}
    out = []
    for m in pattern.finditer(text):
        start, end = m.start(), m.end()
        organ_end = m.end("organ") if m.group("organ") else None
        if start not in boundaries and not (organ_end is not None and organ_end in boundaries):
            # shrink from the left until the start sits on a boundary (局副局长 → 副局长)
            while start < end and start not in boundaries:
                start += 1
        if end not in boundaries or end - start < 2 or not pattern.fullmatch(text, start, end):
            continue
        start = department_before(text, start, end, tokens, by_end, name_ends)
        out.append(Span(start, end, "TITLE", "rule", 0))
    return out


def department_before(
    text: str, start: int, end: int, tokens: Sequence[Tok], by_end: dict[int, int], name_ends: set[int]
) -> int:
    """Where a title starts once the department written before it is included.

    Nouns right before the title form its department when they follow an
    organization (某某公司|科技人才|部长) or end with a unit word
    (公司|生产技术中心|副主任); ``项目首席科学家`` keeps 首席科学家 alone.
    """
    title = text[start:end]
    k = by_end.get(start)
    first = start
    chars = 0
    while k is not None and k >= 0:
        tok = tokens[k]
        if tok.tag not in DEPARTMENT_TAGS or chars + len(tok.word) > 8:
            break
        if tok.end in name_ends and tok.end != start:
            break
        first = tok.start
        chars += len(tok.word)
        if tok.start in name_ends:
            break
        k -= 1
    if first == start or first not in name_ends:
        return start
    department = text[first:start]
    if vocabulary().head_of(department, strong_only=True) is not None:
        return start  # 纺织技术创新中心 is an organization the model missed, not a department
    if department.endswith(UNIT_SUFFIXES) or title.startswith(UNIT_TITLES):
        return first
    return start


def title_organ(title: str) -> str | None:
    """The organ written at the start of a title (``党委``副书记), if any."""
    for prefix in vocabulary().title_org_prefixes:
        if title.startswith(prefix) and len(title) > len(prefix):
            return prefix
    return None


# -- names the model missed --------------------------------------------------------

BYLINE_TITLES = ("记者", "通讯员", "见习记者", "实习记者", "特约记者", "摄影", "实习生")
_NAME_END = re.compile(r"(?:说|表示|介绍|认为|指出|称|告诉|强调|坦言|透露|谈到|提到|[，。、；：:（(\s“”])")


def byline_people(text: str, titles: Sequence[Span]) -> list[Span]:
    """Names listed after a reporter title: ``记者 梁建伟 曾福泉``, ``记者 江 耘``.

    Space-separated single characters pair up into one name (``江 耘`` is 江耘
    written with a space, a common typesetting of two-character names).
    """
    vocab = vocabulary()
    out = []
    for title in titles:
        if not text[title.start : title.end].endswith(BYLINE_TITLES):
            continue
        pos = title.end
        runs: list[tuple[int, int]] = []
        while True:
            gap = pos
            while gap < len(text) and text[gap] in SPACE:
                gap += 1
            if gap == pos and runs:
                break
            end = gap
            while end < len(text) and HAN.match(text[end]):
                end += 1
            if end == gap or end - gap > 4:
                break
            runs.append((gap, end))
            pos = end
        k = 0
        while k < len(runs):
            start, end = runs[k]
            if end - start == 1 and k + 1 < len(runs) and runs[k + 1][1] - runs[k + 1][0] <= 2:
                end = runs[k + 1][1]
                k += 1
            name = "".join(text[start:end].split())
            if is_person_name(name, vocab) or (len(name) in (2, 3) and vocab.surname_of(name)):
                out.append(Span(start, end, "PERSON", "rule", 1))
            else:
                break
            k += 1
    return out


def people_after_titles(text: str, titles: Sequence[Span], taken: Sequence[Span]) -> list[Span]:
    """A name right after a title and before 说/表示/punctuation (``副局长傅宇峰说``)."""
    vocab = vocabulary()
    covered = set()
    for span in taken:
        covered.update(range(span.start, span.end))
    out = []
    for title in titles:
        pos = title.end
        if pos in covered:
            continue
        for size in (3, 2):
            name = text[pos : pos + size]
            if len(name) == size and is_person_name(name, vocab) and _NAME_END.match(text, pos + size):
                if not any(p in covered for p in range(pos, pos + size)):
                    out.append(Span(pos, pos + size, "PERSON", "rule", 5))
                break
    return out


# -- choosing among candidates -------------------------------------------------------


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Longest first (nested names at their longest extent), then by rank; no overlaps."""
    chosen: list[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.rank, s.start)):
        if span.end <= span.start:
            continue
        if any(p in taken for p in range(span.start, span.end)):
            continue
        chosen.append(span)
        taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)
