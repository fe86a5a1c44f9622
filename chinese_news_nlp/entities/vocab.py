"""The vocabularies of ``data/entities/``, loaded once per process.

Every table is plain text (``#`` starts a comment), in the jieba/OpenCC
style, so users can read and extend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "entities"


def _lines(name: str) -> list[str]:
    out = []
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


def _words(name: str) -> list[str]:
    return [w for line in _lines(name) for w in line.split()]


@dataclass(frozen=True)
class OrgHead:
    head: str
    label: str
    strong: bool
    whole_name: bool = False  # 中科院, 国务院: a name even with nothing before the head


@dataclass(frozen=True)
class Vocabulary:
    heads: dict[str, OrgHead]
    head_last_chars: frozenset[str]  # a quick no for the many words that end no head
    titles: frozenset[str]
    title_prefixes: tuple[str, ...]
    title_org_prefixes: tuple[str, ...]
    surnames: frozenset[str]
    companies: frozenset[str]
    places: frozenset[str]
    not_heads: frozenset[str]
    generic: frozenset[str]
    generic_places: frozenset[str]
    zone_words: frozenset[str]
    company_cues: frozenset[str]
    company_cues_after: frozenset[str]
    company_nouns: frozenset[str]
    legal_forms: tuple[str, ...]  # longest first
    industry_words: frozenset[str]
    trade_name_words: frozenset[str]  # industry words included

    def head_of(self, name: str, strong_only: bool = False) -> OrgHead | None:
        """The longest head ``name`` ends with (``strong_only``: only heads that start a name)."""
        if name[-1:] not in self.head_last_chars:
            return None
        if any(name[-size:] in self.not_heads for size in (2, 3, 4)):
            return None  # 产业布局 ends in 局 but names no bureau
        for size in range(min(len(name), 8), 0, -1):
            head = self.heads.get(name[-size:])
            if head is not None and (head.strong or not strong_only):
                return head
        return None

    def surname_of(self, name: str) -> str | None:
        if name[:2] in self.surnames:
            return name[:2]
        if name[:1] in self.surnames:
            return name[:1]
        return None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    heads = {}
    for line in _lines("org_heads.tsv"):
        head, label, strength = line.split("\t")
        heads[head] = OrgHead(head, label, strength in ("strong", "name"), strength == "name")
    return Vocabulary(
        heads=heads,
        head_last_chars=frozenset(h[-1] for h in heads),
        titles=frozenset(_words("titles.txt")),
        title_prefixes=tuple(sorted(_words("title_prefixes.txt"), key=len, reverse=True)),
        title_org_prefixes=tuple(sorted(_words("title_org_prefixes.txt"), key=len, reverse=True)),
        surnames=frozenset(_words("surnames.txt")),
        companies=frozenset(_words("companies.txt")),
        places=frozenset(_words("places.txt")),
        not_heads=frozenset(_words("not_heads.txt")),
        generic=frozenset(_words("generic_modifiers.txt")),
        generic_places=frozenset(_words("generic_places.txt")),
        zone_words=frozenset(_words("zone_words.txt")),
        company_cues=frozenset(_words("company_cues.txt")),
        company_cues_after=frozenset(_words("company_cues_after.txt")),
        company_nouns=frozenset(_words("company_nouns.txt")),
        legal_forms=tuple(sorted(_words("legal_forms.txt"), key=len, reverse=True)),
        industry_words=frozenset(_words("industry_words.txt")),
        trade_name_words=frozenset(_words("trade_name_words.txt") + _words("industry_words.txt")),
    )
