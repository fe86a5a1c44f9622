"""The data model: one :class:`Doc` holding the text and every span by offset.

``Doc.raw`` is the input as decoded and never changes.  ``Doc.text`` is the
current normalized text.  Rewriting stages call :meth:`Doc.apply_edits`, which
rewrites ``text``, extends the alignment to ``raw`` and turns edits that carry
a ``cause`` into :class:`Repair` records.  Annotating stages add spans with
``start``/``end`` on ``text`` and call :meth:`Doc.fill_raw_offsets`, which
derives every ``raw_start``/``raw_end`` from the alignment and, once the zones
stage has run, the ``zone`` (title, meta, heading, body, boilerplate, related)
each entity, official, fact and repair lies in.

The JSON form (:meth:`Doc.to_dict`) is documented in ``docs/schema.md``.
"""

from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Sequence

from .alignment import Alignment, Edit, apply_edits, sorted_edits

try:
    import orjson
except ImportError:  # a dependency of the package; without it, the standard library's encoder
    orjson = None

SCHEMA_VERSION = 1
LOST = "\ufffd"  # written for a character whose bytes are gone


@dataclass
class Token:
    text: str
    start: int
    end: int
    raw_start: int = -1
    raw_end: int = -1
    pos: str | None = None


@dataclass
class Entity:
    """A named entity; ``label`` is one of :data:`ENTITY_LABELS`."""

    text: str
    label: str
    start: int
    end: int
    raw_start: int = -1
    raw_end: int = -1
    source: str | None = None  # what found it: "model:fine", "gazetteer", "user", "lac-rules", ...
    score: float | None = None  # its probability under the model (1.0 for a user's or a dictionary's)
    zone: str | None = None  # the page zone it lies in (see Zone); filled by Doc.fill_raw_offsets
    # its text holds characters the repair guessed where their bytes were lost (a guessed
    # Repair overlaps it), or U+FFFD for one lost: the name may be misspelt; filled by
    # Doc.fill_raw_offsets
    guessed: bool = False


# WORK (books, films, games) and SCENE (sights) come from the model's fine head, as CLUENER labels them.
ENTITY_LABELS = ("PERSON", "TITLE", "LAB", "COMPANY", "GOV", "EDU", "ORG", "LOC", "WORK", "SCENE")


@dataclass
class Official:
    """A person linked to a title held, and the organization the title belongs to."""

    person: str
    title: str
    org: str | None = None
    person_start: int = -1  # offsets of the person mention in ``text``
    person_end: int = -1
    zone: str | None = None  # the zone of the person mention


@dataclass
class Fact:
    """A number–unit fact; fields as in the gold README (facts.jsonl)."""

    surface: str
    value: float | None
    unit: str | None
    kind: str  # money, count, percent, measure, rank
    start: int
    end: int
    value_max: float | None = None
    qualifier: str = "exact"  # exact, approx, over, under, range
    year: int | None = None
    year_end: int | None = None
    time_surface: str | None = None
    metric: str | None = None
    subject: str | None = None
    raw_start: int = -1
    raw_end: int = -1
    zone: str | None = None
    guessed: bool = False  # its surface holds characters guessed or lost (see Entity)


@dataclass
class Repair:
    """One repair: ``raw[raw_start:raw_end]`` was ``before`` and became ``after``.

    ``start``/``end`` locate ``after`` in the text produced by the repairing
    stage (and are kept current through later rewrites).  ``guessed``: ``after``
    holds characters chosen from context where their bytes were lost (the
    confidence is then below 0.5); otherwise it was read from bytes that survive.
    """

    raw_start: int
    raw_end: int
    before: str
    after: str
    cause: str
    confidence: float = 1.0
    recoverable: str | None = None  # full, partial, none
    start: int = -1
    end: int = -1
    guessed: bool = False  # chosen where the bytes were lost: a guess, confidence below 0.5
    zone: str | None = None


@dataclass
class Zone:
    """What a line (or block of lines) of a page is; ``label`` is one of :data:`ZONE_LABELS`.

    ``start``/``end`` cover the line in ``text`` without its newline; ``repeat_of``
    is the index in ``doc.zones`` of an earlier zone with the same text (or of which
    this one is a truncated copy): a page's repeated headline or lead.
    """

    label: str
    start: int
    end: int
    raw_start: int = -1
    raw_end: int = -1
    repeat_of: int | None = None


ZONE_LABELS = ("title", "meta", "heading", "body", "boilerplate", "related")
# The article itself; entities and facts elsewhere belong to other articles or to the site.
ARTICLE_ZONES = frozenset({"title", "meta", "heading", "body"})

_SPAN_LISTS = ("tokens", "entities", "facts", "zones")


def _raw_extents(spans: Sequence, to_raw, shared: bool) -> list[tuple[int, int]]:
    """``(raw_start, raw_end)`` of each of ``spans``: :meth:`Doc.to_raw` of its offsets.

    With ``shared`` (the alignment holds shared runs), two spans side by side in ``text``
    whose raw extents overlap share a damaged character (a byte-shift reading: 碧 = B1 CC
    holds the last byte of ``”`` and the first of 蘇): the earlier span keeps it, so raw
    extents never overlap where texts do not (the tokens ``”`` and ``苏州市科技局``; the
    entity 苏州市科技局, with no entity before it, covers 碧).  The gold does the same for two
    entities side by side (四川数聚智造科技有限公司 keeps 緢, which holds the last byte of 司 and
    the first of 執; 执行董事 starts after it).
    """
    extents = [to_raw(s.start, s.end) for s in spans]
    if shared:
        order = sorted(range(len(spans)), key=lambda k: (spans[k].start, spans[k].end))
        for i, j in zip(order, order[1:]):
            if spans[i].end <= spans[j].start and extents[i][1] > extents[j][0]:
                extents[j] = (min(extents[i][1], extents[j][1]), extents[j][1])
    return extents


_ZONED_LISTS = ("entities", "facts", "repairs")


@functools.cache
def field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def span_dict(span: Token | Entity | Official | Fact | Repair | Zone) -> dict[str, Any]:
    """``dataclasses.asdict(span)`` for the flat span classes, whose fields all hold scalars.

    ``asdict`` recurses and deep-copies every field: on a 5,700-character article
    (2,800 tokens) it took 13 ms of an 18 ms ``json.dumps(doc.to_dict())``, a fifth
    of the whole pipeline's time; this takes 1 ms.
    """
    values = span.__dict__
    return {name: values[name] for name in field_names(type(span))}


def _fields_view(span: Token | Entity | Official | Fact | Repair | Zone) -> dict[str, Any]:
    """``span_dict(span)`` for encoding at once: the span's ``__dict__`` itself when its keys are
    exactly the fields in order, as ``__init__`` leaves them (the dict comprehension of
    :func:`span_dict` was a third of a document's serialization)."""
    values = span.__dict__
    return values if tuple(values) == field_names(type(span)) else span_dict(span)


# The standard library's encoder, in the same compact form as orjson's, without the
# circular-reference bookkeeping of every span dict: a Doc's JSON form is a tree (a cycle would
# need a stage to put a container inside itself, and then the recursion limit still stops it).
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def json_text(value: Any) -> str:
    """``value`` as compact JSON text, characters as they are (no ``\\u`` escapes): the form of
    every output line.

    orjson encodes a document's JSON form about three times as fast as the standard library
    (on the throughput corpus, serialization was 4-5 % of the whole pipeline's time); where
    orjson refuses a value the standard library accepts (an integer past 64 bits, a lone
    surrogate, nesting past 255 levels) the standard library writes it, in the same form.
    orjson writes NaN and infinities as ``null`` (JSON has no such numbers).

    >>> json_text({"text": "北京", "start": 0, "score": 0.5, 7: None})
    '{"text":"北京","start":0,"score":0.5,"7":null}'
    >>> json_text({"big": 2**70})
    '{"big":1180591620717411303424}'
    """
    if orjson is not None:
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError: try the standard library, which may accept it
            pass
    return _JSON.encode(value)


@dataclass(repr=False)
class Doc:
    raw: str
    text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    error: dict[str, str] | None = None
    alignment: Alignment = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.text is None:
            self.text = self.raw
        if self.alignment is None:
            if self.text != self.raw and len(self.text) != len(self.raw):
                raise ValueError("a Doc whose text differs in length from raw needs an alignment")
            self.alignment = Alignment.identity(len(self.raw))

    # -- identity -----------------------------------------------------------------
    @property
    def id(self) -> str | None:
        return self.meta.get("id")

    @property
    def date(self) -> str | None:
        return self.meta.get("date")

    # -- offsets ------------------------------------------------------------------
    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``raw`` it came from."""
        return self.alignment.span_to_old(start, end)

    def to_text(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        """Map a span of ``raw`` to the span of ``text`` it became."""
        return self.alignment.span_to_new(raw_start, raw_end)

    def fill_raw_offsets(self, lists: Sequence[str] = _SPAN_LISTS) -> None:
        """Derive ``raw_start``/``raw_end`` of every span (of the named lists) from the alignment,
        and the ``zone`` of every entity, official, fact and repair from ``doc.zones``."""
        identity = self.alignment.is_identity  # clean simplified input: nothing to map
        shared = not identity and self.alignment.has_shared
        for name in lists:
            spans = getattr(self, name)
            if identity:
                for span in spans:
                    span.raw_start, span.raw_end = span.start, span.end
                continue
            for span, (raw_start, raw_end) in zip(spans, _raw_extents(spans, self.to_raw, shared)):
                span.raw_start, span.raw_end = raw_start, raw_end
        self.fill_zones()
        self.fill_guessed()

    def fill_guessed(self) -> None:
        """Set ``guessed`` on each entity and fact whose text holds characters a repair guessed
        where their bytes were lost (a :class:`Repair` with ``guessed``; one that left a lost
        character out, strictly inside the span), or U+FFFD, written for a character lost.

        A name read across guessed characters is only as sure as they are (each guess is
        stated below 0.5): the flag says so on the span itself, where a user reading
        ``doc.entities`` or ``doc.facts`` meets it.

        >>> doc = Doc(raw="浙江大学", text="浙江大学")
        >>> doc.repairs = [Repair(3, 4, "?", "学", "big5-as-gbk", 0.4, "partial", 3, 4, guessed=True)]
        >>> doc.entities = [Entity("浙江大学", "EDU", 0, 4), Entity("浙江", "LOC", 0, 2)]
        >>> doc.fill_guessed()
        >>> [e.guessed for e in doc.entities]
        [True, False]
        """
        guesses = sorted((r.start, r.end) for r in self.repairs if r.guessed and r.start >= 0)
        spans = [*self.entities, *self.facts]
        text = self.text
        if not guesses:
            lost = LOST in text  # (most documents: one scan, no span sliced)
            for span in spans:
                span.guessed = lost and LOST in text[span.start : span.end]
            return
        starts = [start for start, _ in guesses]
        # the guesses do not overlap (each covers characters of its own), so going back from
        # the last one that starts before a span's end, the first to end before it ends the search
        for span in spans:
            hit = False
            for k in range(bisect.bisect_left(starts, span.end) - 1, -1, -1):
                start, end = guesses[k]
                if end > span.start and (start < end or start > span.start):
                    hit = True  # it overlaps the span (a point, a character left out: inside it)
                    break
                if end <= span.start:
                    break
            span.guessed = hit or LOST in text[span.start : span.end]

    def fill_zones(self) -> None:
        """Set the ``zone`` of each entity, official, fact and repair: the zone holding its start.

        Done here, for every span kind at once, so that no stage needs to know about zones
        (a user's own stage that adds entities gets them too).  A span in a blank line
        between zones, or on a page without zones, keeps ``zone=None``.
        """
        if not self.zones:
            return
        starts = [z.start for z in self.zones]

        def zone_at(pos: int, point: bool = False) -> str | None:
            i = bisect.bisect_right(starts, pos) - 1
            if i < 0:
                return None
            zone = self.zones[i]
            # a point (a deletion repaired at a line's end) belongs to the line it ends
            return zone.label if pos < zone.end or (point and pos == zone.end) else None

        for name in _ZONED_LISTS:
            for span in getattr(self, name):
                span.zone = zone_at(span.start, span.start == span.end)
        for official in self.officials:
            official.zone = zone_at(official.person_start) if official.person_start >= 0 else None

    def zone_at(self, start: int) -> Zone | None:
        """The zone holding offset ``start`` of ``text``, or None."""
        i = bisect.bisect_right([z.start for z in self.zones], start) - 1
        if i >= 0 and start < self.zones[i].end:
            return self.zones[i]
        return None

    def raw_slice(self, span: Token | Entity | Fact | Repair) -> str:
        return self.raw[span.raw_start : span.raw_end]

    # -- rewriting ----------------------------------------------------------------
    def apply_edits(self, edits: Sequence[Edit]) -> None:
        """Rewrite ``text`` with ``edits`` (offsets on the current ``text``).

        Edits with a ``cause`` are recorded in ``repairs``.  Existing spans are
        carried to the new text, so a rewrite may follow annotation.
        """
        edits = sorted_edits(edits)
        if not edits:
            return
        step = Alignment.from_edits(len(self.text), edits)
        landed = _edit_positions(edits)
        new_repairs = [
            Repair(
                *self.to_raw(edit.start, edit.end),
                before=self.text[edit.start : edit.end],
                after=edit.replacement,
                cause=edit.cause,
                confidence=edit.confidence,
                recoverable=edit.recoverable,
                guessed=edit.guessed,
                start=landed[i][0],
                end=landed[i][1],
            )
            for i, edit in enumerate(edits)
            if edit.cause is not None
        ]
        self.text = apply_edits(self.text, edits)
        self.alignment = self.alignment.then(step)
        for repair in self.repairs:
            repair.start, repair.end = step.span_to_new(repair.start, repair.end)
        self.repairs.extend(new_repairs)
        for name in _SPAN_LISTS:
            for span in getattr(self, name):
                span.start, span.end = step.span_to_new(span.start, span.end)
                if isinstance(span, (Token, Entity)):
                    span.text = self.text[span.start : span.end]
                elif isinstance(span, Fact):
                    span.surface = self.text[span.start : span.end]
        self.fill_raw_offsets()

    # -- checking -----------------------------------------------------------------
    def check(self) -> None:
        """Raise ``AssertionError`` if a span does not slice to its surface."""
        for tok in self.tokens:
            assert self.text[tok.start : tok.end] == tok.text, tok
        for ent in self.entities:
            assert self.text[ent.start : ent.end] == ent.text, ent
        for fact in self.facts:
            assert self.text[fact.start : fact.end] == fact.surface, fact
        shared = self.alignment.has_shared
        for name in _SPAN_LISTS:
            spans = getattr(self, name)
            for span, extent in zip(spans, _raw_extents(spans, self.to_raw, shared)):
                assert (span.raw_start, span.raw_end) == extent, span
        for rep in self.repairs:
            assert 0 <= rep.start <= rep.end <= len(self.text), rep
            assert 0 <= rep.raw_start <= rep.raw_end <= len(self.raw), rep
        for prev, zone in zip(self.zones, self.zones[1:]):
            assert prev.end <= zone.start, (prev, zone)

    # -- JSON ---------------------------------------------------------------------
    def to_dict(self, *, raw: bool = True, alignment: bool = True) -> dict[str, Any]:
        """The documented JSON form; ``raw=False`` leaves the raw text out."""
        return self._json_form(raw, alignment, span_dict)

    def _json_form(self, raw: bool, alignment: bool, as_dict: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": SCHEMA_VERSION, "id": self.id, "meta": dict(self.meta)}
        if raw:
            out["raw"] = self.raw
        out["text"] = self.text
        for name in ("zones", "repairs", "tokens", "entities", "officials", "facts"):
            out[name] = [as_dict(x) for x in getattr(self, name)]
        out["error"] = self.error
        if alignment:
            out["alignment"] = self.alignment.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Doc:
        meta = dict(data.get("meta") or {})
        if data.get("id") is not None:
            meta.setdefault("id", data["id"])
        text = data.get("text")
        raw = data.get("raw", text)
        align = Alignment.from_dict(data["alignment"]) if data.get("alignment") else None
        doc = cls(raw=raw, text=text, meta=meta, error=data.get("error"), alignment=align)
        doc.tokens = [_build(Token, x) for x in data.get("tokens", [])]
        doc.entities = [_build(Entity, x) for x in data.get("entities", [])]
        doc.officials = [_build(Official, x) for x in data.get("officials", [])]
        doc.facts = [_build(Fact, x) for x in data.get("facts", [])]
        doc.repairs = [_build(Repair, x) for x in data.get("repairs", [])]
        doc.zones = [_build(Zone, x) for x in data.get("zones", [])]
        return doc

    def to_json(self, *, raw: bool = True, alignment: bool = True) -> str:
        """``json_text(doc.to_dict())``, the same string, made faster: each span's own ``__dict__``
        goes to the encoder where it holds just the fields, in order (no copy)."""
        return json_text(self._json_form(raw, alignment, _fields_view))

    @classmethod
    def from_json(cls, line: str) -> Doc:
        return cls.from_dict(json.loads(line))

    # -- notebooks (chinese_news_nlp.display, chinese_news_nlp.frames) --------------
    def _repr_html_(self) -> str:
        from .display import render

        return render(self)

    def entities_frame(self):
        """The entities as a pandas DataFrame (needs the ``pandas`` extra)."""
        from .frames import entities_frame

        return entities_frame(self)

    def facts_frame(self):
        """The facts as a pandas DataFrame (needs the ``pandas`` extra)."""
        from .frames import facts_frame

        return facts_frame(self)

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        # Short on purpose: a notebook echoing a Doc must not print thousands of tokens.
        error = f", error={self.error.get('stage')!r}" if self.error else ""
        return (
            f"Doc(id={self.id!r}, chars={len(self.text)}, tokens={len(self.tokens)}, entities={len(self.entities)}, "
            f"officials={len(self.officials)}, facts={len(self.facts)}, repairs={len(self.repairs)}, "
            f"zones={len(self.zones)}{error})"
        )


def _build(kind: type, data: dict[str, Any]):
    return kind(**{name: data[name] for name in field_names(kind) if name in data})


def _edit_positions(edits: Iterable[Edit]) -> list[tuple[int, int]]:
    """Where each (sorted) edit's replacement lands in the new text."""
    out: list[tuple[int, int]] = []
    shift = 0
    for edit in edits:
        start = edit.start + shift
        out.append((start, start + len(edit.replacement)))
        shift += len(edit.replacement) - (edit.end - edit.start)
    return out
