"""What the rest of a news article says about a name.

The model finds many company names it cannot type (``海底捞/ORG``, ``工银瑞信/ORG``),
and articles give a name once in full, then cite it by a short form.  Each
function here reads the document around the names, documented with the
pattern that motivated it:

* :func:`stock_quote_companies`: a name before a stock quote is a listed
  company (``某某信息(300324,股吧)``, ``某某高发(17.78 -3.32%,诊股)``);
* :func:`listed_companies`: the items of a list closed by ``等`` and a
  company noun (``某某医药、某某医疗等一批创新型企业``);
* :func:`companies_by_cues`: a name the model could not type, in a sentence
  about shares, revenue, stores or founders (``某某年底前关店300家，股价反弹``);
* :func:`short_forms` and :func:`mentions`: a company or laboratory cited
  again by its short name (``杭州某某威视数字技术股份有限公司`` … ``某某威视``,
  ``某某实验室`` … ``某某``), and every repeat of a typed name typed alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from .rules import HAN, Span, Tok, common_word_frequency, is_generic, strip_place
from .vocab import vocabulary

# Labels a later mention may take from a name typed once in the document.
MENTION_LABELS = ("COMPANY", "LAB")
# Model spans a mention may overrule (an untyped ORG, or LAC reading a short name as a place or person).
_WEAK = frozenset({"ORG", "LOC", "PERSON"})
# A place word after a name: the name is the place (之江大地, 长江两岸), not a short name.
PLACE_AFTER = ("大地", "两岸", "沿岸", "之滨", "畔", "流域")
# Two-character short forms must be rare words (海康, not 联合 or 长城).
MAX_SHORT_FORM_FREQUENCY = 50
CUE_WINDOW = 20  # characters either side of a name searched for company cues
_SENTENCE_STOPS = "。！？!?；;\r\n"  # a line end (\n, \r\n, a lone \r) stops a sentence
_CLAUSE_STOPS = _SENTENCE_STOPS + "，,：:、"


# -- stock quotes ---------------------------------------------------------------------

_STOCK_CODE = r"(?:(?:SH|SZ|BJ|sh|sz|bj)\s*)?\d{6}(?:\.(?:SH|SZ|BJ|SS|sh|sz|bj))?|\d{4,5}\.(?:HK|hk)"
_STOCK_QUOTE = re.compile(
    rf"[(（]\s*(?:(?:{_STOCK_CODE})\s*(?:[,，]\s*[\u4e00-\u9fff]{{2,4}})?"
    r"|[-+\d .%]+[,，]\s*(?:股吧|诊股))\s*[)）]"
)


def stock_quote_companies(text: str, tokens: Sequence[Tok]) -> list[Span]:
    """``上市公司某某信息(300324,股吧)``: the name before a stock quote is a company.

    Financial sites print a quote after a listed company's short name.  The
    name is the run of Han characters before the bracket, after any company
    word (上市公司|某某信息); stock short names have two to four characters, so
    a longer run is cut at a word start within its last four.
    """
    vocab = vocabulary()
    starts = {t.start for t in tokens}
    out = []
    for m in _STOCK_QUOTE.finditer(text):
        end = m.start()
        start = end
        while start > 0 and HAN.match(text[start - 1]):
            start -= 1
        run = text[start:end]
        cut = max(
            (run.rfind(word) + len(word) for word in vocab.company_nouns | vocab.company_cues if word in run),
            default=0,
        )
        start += cut
        if end - start > 4:
            start = next((p for p in range(end - 4, end - 1) if p in starts), end - 4)
        if end - start >= 2:
            out.append(Span(start, end, "COMPANY", "rule", 1))
    return out


# -- lists of companies -----------------------------------------------------------------

_LIST_SEPARATORS = frozenset({"、", "和", "及", "与", "以及"})


def listed_companies(text: str, tokens: Sequence[Tok], entities: list[Span]) -> list[Span]:
    """``甲医药、乙医疗、丙科技等一批创新型企业和丁等互联网巨头``: companies all.

    A list closed by ``等`` and, in the same clause, a company noun
    (企业, 公司, 巨头...) lists companies: each item that is a name the model
    found (an untyped organization, an ``nz`` word) becomes a COMPANY.  A
    place or a person in the list stops it (北京、上海等地的企业).
    Returns the entities, retyped, with the new spans added.
    """
    vocab = vocabulary()
    by_end = {e.end: e for e in entities}
    tok_by_end = {t.end: t for t in tokens}
    added: list[Span] = []
    for k, tok in enumerate(tokens):
        if tok.word != "等" or k == 0:
            continue
        clause = []
        for nxt in tokens[k + 1 : k + 8]:
            if nxt.word in _CLAUSE_STOPS or nxt.tag == "w":
                break
            clause.append(nxt.word)
        if not any(word.endswith(tuple(vocab.company_nouns)) for word in clause):
            continue
        pos = tok.start
        while True:
            item = by_end.get(pos)
            if item is not None:
                if item.label not in ("ORG", "COMPANY") or vocab.head_of(text[item.start : item.end]) is not None:
                    break
                item.label = "COMPANY"
                start = item.start
            else:
                word = tok_by_end.get(pos)
                if word is None or not _could_be_company(word):
                    break
                added.append(Span(word.start, word.end, "COMPANY", "rule", 3))
                start = word.start
            sep = tok_by_end.get(start)
            if sep is None or sep.word not in _LIST_SEPARATORS:
                break
            pos = sep.start
    return entities + added


def _could_be_company(tok: Tok) -> bool:
    """An unclaimed word that may be a company's name: a model organization or an
    ``nz`` word of two or more Han characters that is no common word."""
    if tok.tag not in ("ORG", "nz") or len(tok.word) < 2 or not all(HAN.match(c) for c in tok.word):
        return False
    if tok.word in vocabulary().places or is_generic(tok.word):
        return False
    return tok.tag == "ORG" or common_word_frequency(tok.word) < 100


# -- business context ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cue_pattern() -> re.Pattern[str]:
    cues = sorted(vocabulary().company_cues, key=len, reverse=True)
    return re.compile("|".join(re.escape(c) for c in cues))


def _sentence_window(text: str, start: int, end: int, stops: str = _SENTENCE_STOPS) -> tuple[int, int]:
    left = max(0, start - CUE_WINDOW)
    for p in range(start - 1, left - 1, -1):
        if text[p] in stops:
            left = p + 1
            break
    right = min(len(text), end + CUE_WINDOW)
    for p in range(end, right):
        if text[p] in stops:
            right = p
            break
    return left, right


def _has_cue(text: str, start: int, end: int, names: set[int]) -> bool:
    """A business word in the sentence around ``start:end``, outside other names
    (电商 in 某某跨境电商研究中心 says nothing of its neighbours)."""
    left, right = _sentence_window(text, start, end)
    pattern = _cue_pattern()
    for lo, hi in ((left, start), (end, right)):
        for m in pattern.finditer(text, lo, hi):
            if not any(p in names for p in range(m.start(), m.end())):
                return True
    return False


def companies_by_cues(text: str, tokens: Sequence[Tok], entities: list[Span]) -> list[Span]:
    """A name the model could not type is a company when its sentence talks business.

    ``某某/ORG 年底前关店300家，股价开始反弹``: an organization without any
    head word (no 大学, 局, 研究院...) in a sentence with a business word
    (股价, 营收, 门店, 创始人, 旗下, 上市; ``company_cues.txt``) within
    twenty characters is a company.  An ``nz`` word the model did not take as
    a name needs the cue right beside it (进入某某供应体系).
    """
    vocab = vocabulary()
    covered = {p for e in entities for p in range(e.start, e.end)}
    for span in entities:
        name = text[span.start : span.end]
        if span.label != "ORG" or vocab.head_of(name) is not None or is_generic(name):
            continue
        if _has_cue(text, span.start, span.end, covered):
            span.label = "COMPANY"
    added = []
    for k, tok in enumerate(tokens):
        if any(p in covered for p in range(tok.start, tok.end)):
            continue
        if tok.tag == "nz" and _could_be_company(tok):
            if text.startswith(tuple(vocab.company_cues_after), tok.end):
                added.append(Span(tok.start, tok.end, "COMPANY", "rule", 4))
        elif tok.word in vocab.industry_words and k > 0:
            span = _headline_short_name(text, tokens, k, covered)
            if span is not None:
                added.append(span)
    return entities + added


def _headline_short_name(text: str, tokens: Sequence[Tok], k: int, covered: set[int]) -> Span | None:
    """``某某化学上半年营收188亿元``: a stock short name made of a common word and an
    industry word (which :func:`~.rules.company_short_names` leaves alone) opening
    a clause whose business word follows in the same clause."""
    coined, industry = tokens[k - 1], tokens[k]
    if coined.tag not in ("n", "nz") or coined.end != industry.start or len(coined.word) != 2:
        return None
    if not all(HAN.match(c) for c in coined.word) or coined.word in vocabulary().places:
        return None
    if coined.start > 0 and text[coined.start - 1] not in _CLAUSE_STOPS + " \u3000\t":
        return None
    left, right = _sentence_window(text, coined.start, industry.end, _CLAUSE_STOPS)
    if not any(_cue_pattern().finditer(text, industry.end, right)):
        return None
    if any(p in covered for p in range(coined.start, industry.end)):
        return None
    return Span(coined.start, industry.end, "COMPANY", "rule", 4)


# -- short names and repeated mentions ------------------------------------------------------

_PRODUCT_CODE = re.compile(r"[A-Za-z][A-Za-z0-9\-]*$")
_BRACKETED = re.compile(r"[(（][^()（）]{1,8}[)）]")


def short_forms(name: str, label: str) -> list[str]:
    """The short forms a document may cite ``name`` by, longest first.

    A company: the registered name without its legal form, leading place and
    trailing business words, each step a form (浙江某某生物科技股份有限公司 →
    某某生物科技, 某某生物, 某某; 某某医疗 → 某某).  A laboratory: its proper
    name without the head (某某实验室 → 某某), when that is no place.
    Two-character forms must be rare words (see :data:`MAX_SHORT_FORM_FREQUENCY`).
    """
    vocab = vocabulary()
    core = _BRACKETED.sub("", name)
    forms: list[str] = []
    if label == "COMPANY":
        for form in vocab.legal_forms:
            if core.endswith(form) and len(core) - len(form) >= 2:
                core = core[: -len(form)]
                break
        core = strip_place(core)
        forms.append(core)
        while True:
            word = next(
                (
                    core[-size:]
                    for size in range(2, min(4, len(core) - 2) + 1)
                    if core[-size:] in vocab.trade_name_words
                ),
                None,
            )
            if word is None:
                break
            core = core[: -len(word)]
            forms.append(core)
    elif label == "LAB":
        head = vocab.head_of(core)
        if head is None or head.label != "LAB":
            return []
        rest = core[: -len(head.head)]
        if 2 <= len(rest) <= 4 and rest not in vocab.places and strip_place(rest) == rest:
            forms.append(rest)
    out = []
    for form in forms:
        if form == name or len(form) < 2 or not all(HAN.match(c) or c.isalnum() for c in form):
            continue
        if form in vocab.places or is_generic(form) or form in vocab.trade_name_words:
            continue
        if label == "COMPANY" and len(form) == 2 and common_word_frequency(form) > MAX_SHORT_FORM_FREQUENCY:
            continue
        out.append(form)
    return out


_DECLARED = re.compile(
    r"[（(]\s*(?:以下)?简称[为作]?\s*[“\"「『]?([^“”\"「」『』（）()，,。]{2,12}?)[”\"」』]?\s*[）)]"
)
_DECLARABLE = frozenset({"LAB", "COMPANY", "GOV", "EDU", "ORG"})


def declared_short_names(text: str, entities: Sequence[Span]) -> dict[str, str]:
    """``某某产业创新中心（以下简称“创新中心”）``: the article says which short name it
    will use; the short name is typed like the name it follows."""
    by_end = {e.end: e for e in entities}
    out: dict[str, str] = {}
    for m in _DECLARED.finditer(text):
        pos = m.start()
        while pos > 0 and text[pos - 1] in " \u3000":
            pos -= 1
        name = by_end.get(pos)
        if name is not None and name.label in _DECLARABLE:
            out[m.group(1).strip()] = name.label
    return out


def mentions(text: str, tokens: Sequence[Tok], entities: list[Span]) -> list[Span]:
    """Every later (or earlier) citation of a company or laboratory of the document.

    The forms are each COMPANY / LAB name and its :func:`short_forms`; a form
    found as a whole word (on word boundaries, or before Latin letters: 某某AED
    is the company's product) is typed like its name.  It overrules the model's
    untyped organization, place or person on the same characters, never a
    typed name.  An untyped organization that starts with a company's name
    and goes on in Han characters is a unit of it (某某国际站, 某某云): a COMPANY.
    """
    vocab = vocabulary()
    forms: dict[str, str] = {}
    for span in entities:
        if span.label not in MENTION_LABELS:
            continue
        name = text[span.start : span.end]
        for form in [name, *short_forms(name, span.label)]:
            if len(form) >= 2 and forms.setdefault(form, span.label) != span.label:
                forms[form] = ""  # one form, two kinds of names: leave it
    forms = {f: label for f, label in forms.items() if label}
    forms.update(declared_short_names(text, entities))
    if not forms:
        return entities
    for span in entities:
        name = text[span.start : span.end]
        code = _PRODUCT_CODE.search(name)
        if span.label in ("ORG", "COMPANY") and code and forms.get(name[: code.start()]) == "COMPANY":
            span.end = span.start + code.start()  # 某某AED: the company, then its product's model
            span.label = "COMPANY"
            continue
        if span.label == "ORG" and vocab.head_of(name) is None:
            owner = next((f for f in forms if name.startswith(f) and forms[f] == "COMPANY"), None)
            if owner is not None and len(name) > len(owner) and HAN.match(name[len(owner)]):
                span.label = "COMPANY"
    starts = {t.start for t in tokens} | {0}
    ends = {t.end for t in tokens} | {len(text)}
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    kept = list(entities)
    by_pos: dict[int, Span] = {}
    for span in kept:
        for p in range(span.start, span.end):
            by_pos[p] = span
    added: list[Span] = []
    for m in pattern.finditer(text):
        start, end = m.span()
        if start not in starts and HAN.match(text[start - 1]):
            continue
        if end not in ends and (HAN.match(text[end]) or text[end].isdigit()):
            continue
        if text.startswith(PLACE_AFTER, end):
            continue
        label = forms[m.group()]
        overlapping = {id(s): s for p in range(start, end) if (s := by_pos.get(p)) is not None}
        if any(
            s.label not in _WEAK or (s.label == "ORG" and vocab.head_of(text[s.start : s.end]) is not None)
            for s in overlapping.values()
        ):
            if all(s.start == start and s.end == end for s in overlapping.values()):
                continue  # already this name
            continue
        if any(s.start < start or s.end > end for s in overlapping.values() if s.label != "ORG"):
            continue  # inside a longer place or person: leave it
        for s in overlapping.values():
            kept.remove(s)
            for p in range(s.start, s.end):
                by_pos.pop(p, None)
        span = Span(start, end, label, "rule", 2)
        added.append(span)
        for p in range(start, end):
            by_pos[p] = span
    return sorted(kept + added, key=lambda s: s.start)
