"""What each stage reads and writes on a :class:`~chinese_news_nlp.doc.Doc`, and the orders that follow.

A stage declares, as class attributes, in the spirit of spaCy's ``requires``/``assigns``:

* ``requires``: the Doc attributes it cannot work without.  Each must come from the input
  (``raw``, ``text``, ``meta`` and any ``meta.<key>`` the user may pass) or from a stage
  before it: a stage that needs ``tokens`` goes after one that makes them;
* ``uses``: attributes it reads when the pipeline makes them (the fact stage takes subjects
  from ``entities`` when there are any): the stage making them must then come first;
* ``assigns``: the attributes it writes.  One that it also ``uses`` it rewrites when present
  (the entity stage re-cuts ``tokens`` so that each entity is one token) but does not make.

:func:`check_order` reads the declarations of a pipeline's stages, in order, before any of
them is built (they are class attributes), and raises :class:`StageContractError` for

* an attribute a stage ``requires`` that nothing before it makes;
* an attribute a stage reads (``requires`` or ``uses``) that a later stage writes, unless the
  reader writes it too: what it read would change under it.  This is why repair goes before
  convert (the convert stage ``uses`` the ``repairs``: UTF-8 read as GBK, 国际贸易 → 鍥介檯璐告槗,
  converted t2s is 锲介台璐告槗, whose characters no longer encode to the original bytes), and
  why every stage reading ``text`` goes after both;
* a declaration that is not a tuple of Doc attribute names (``requires="text"``, ``"token"``).

A stage that declares nothing is not checked (stages written before these declarations keep
working); a user's own stage that declares is checked like the built-in ones.

>>> class Keywords:
...     name = "keywords"
...     requires = ("tokens",)
...     assigns = ("meta.keywords",)
>>> check_order([("keywords", Keywords)])
Traceback (most recent call last):
...
chinese_news_nlp.errors.StageContractError: stage 'keywords' requires doc.tokens, which no stage before it assigns (the input gives raw, text, meta)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .errors import StageContractError

# What a Doc has before any stage runs: make_doc fills raw, text (= raw) and meta (id, date...).
INPUT_ATTRIBUTES = ("raw", "text", "meta")
# Everything a stage may declare: the Doc's fields, and ``meta.<key>`` for one key of meta.
DOC_ATTRIBUTES = ("raw", "text", "alignment", "meta", "repairs", "zones", "tokens", "entities", "officials", "facts")
DECLARATIONS = ("requires", "uses", "assigns")


@dataclass(frozen=True)
class Contract:
    """The declarations of one stage (empty tuples for a stage that declares nothing)."""

    name: str
    requires: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()

    @property
    def declared(self) -> bool:
        return bool(self.requires or self.uses or self.assigns)

    def reads(self) -> tuple[str, ...]:
        return self.requires + self.uses

    def makes(self) -> tuple[str, ...]:
        """What it assigns without reading it first: attributes it rewrites only when present are not made."""
        return tuple(a for a in self.assigns if not _among(a, self.uses))


def contract_of(name: str, stage: Any) -> Contract:
    """The :class:`Contract` of a stage (its class, factory or instance), its declarations checked."""
    values = {}
    for key in DECLARATIONS:
        value = getattr(stage, key, ())
        if isinstance(value, str) or not isinstance(value, (tuple, list)):
            raise StageContractError(
                f"stage {name!r} declares {key}={value!r}: a tuple of Doc attribute names, e.g. {key}=('tokens',)"
            )
        for attribute in value:
            if not _is_attribute(attribute):
                known = ", ".join(DOC_ATTRIBUTES)
                raise StageContractError(
                    f"stage {name!r} declares {key} {attribute!r}, which is not a Doc attribute; "
                    f"known: {known}, or meta.<key>"
                )
        values[key] = tuple(value)
    return Contract(name, **values)


def check_order(stages: Sequence[tuple[str, Any]]) -> list[Contract]:
    """Check the declarations of ``(name, stage)`` pairs in pipeline order (see the module docstring)."""
    contracts = [contract_of(name, stage) for name, stage in stages]
    made: list[tuple[str, str]] = [(a, "the input") for a in INPUT_ATTRIBUTES]
    for i, contract in enumerate(contracts):
        for attribute in contract.requires:
            if not any(_covers(m, attribute) for m, _ in made):
                makers = [c.name for c in contracts[i + 1 :] if _among(attribute, c.makes())]
                hint = f"; {makers[0]!r}, after it, does: put it first" if makers else ""
                raise StageContractError(
                    f"stage {contract.name!r} requires doc.{attribute}, which no stage before it assigns "
                    f"(the input gives {', '.join(INPUT_ATTRIBUTES)}){hint}"
                )
        for later in contracts[i + 1 :]:
            for attribute in contract.reads():
                if _among(attribute, later.assigns) and not _among(attribute, contract.assigns):
                    raise StageContractError(
                        f"stage {contract.name!r} reads doc.{attribute}, which {later.name!r} assigns after it: "
                        f"put {later.name!r} before {contract.name!r}"
                    )
        made += [(a, contract.name) for a in contract.makes()]
    return contracts


def describe(contracts: Iterable[Contract]) -> str:
    """One line per stage: what it requires, uses and assigns (for error messages and the README)."""
    lines = []
    for c in contracts:
        parts = [f"{key}={getattr(c, key)}" for key in DECLARATIONS if getattr(c, key)]
        lines.append(f"{c.name}: {', '.join(parts) or 'not declared'}")
    return "\n".join(lines)


def _is_attribute(attribute: object) -> bool:
    if not isinstance(attribute, str):
        return False
    if attribute.startswith("meta."):
        return len(attribute) > len("meta.")
    return attribute in DOC_ATTRIBUTES


def _covers(given: str, wanted: str) -> bool:
    """Whether an attribute made as ``given`` provides ``wanted`` (``meta`` gives every ``meta.<key>``)."""
    return given == wanted or (given == "meta" and wanted.startswith("meta."))


def _among(attribute: str, others: Iterable[str]) -> bool:
    """Whether ``attribute`` overlaps one of ``others`` (``meta`` and ``meta.date`` overlap)."""
    return any(_covers(o, attribute) or _covers(attribute, o) for o in others)


__all__ = ["DOC_ATTRIBUTES", "INPUT_ATTRIBUTES", "Contract", "StageContractError", "check_order", "contract_of"]
