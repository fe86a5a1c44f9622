"""Named pieces of the entity stage — engines, conflict policies, refinement steps — registered
by a decorator and looked up by name, one :class:`Registry` per kind.

>>> steps = Registry("refinement step", ordered=True)
>>> @steps.register("upper")
... def upper(text):
...     return text.upper()
>>> steps.get("upper")("abc"), steps.names()
('ABC', ['upper'])
>>> steps.get("lower")
Traceback (most recent call last):
...
ValueError: unknown refinement step 'lower'; known: upper
"""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

T = TypeVar("T", bound=Callable)


class Registry(Generic[T]):
    """Callables of one ``kind`` by name; ``ordered`` lists names as registered, else sorted."""

    def __init__(self, kind: str, ordered: bool = False):
        self.kind = kind
        self.ordered = ordered
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(item: T) -> T:
            self._items[name] = item
            return item

        return decorate

    def names(self) -> list[str]:
        return list(self._items) if self.ordered else sorted(self._items)

    def lookup(self, name: str) -> T:
        """The callable registered as ``name``; ``ValueError`` naming the known ones if none is."""
        try:
            return self._items[name]
        except KeyError:
            raise ValueError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}") from None

    def get(self, item: str | T) -> T:
        """:meth:`lookup` for a name; a callable is used as it is."""
        return item if callable(item) else self.lookup(item)
