"""Our query language: the text a user types, parsed once into an engine-neutral tree that each engine compiles.

``parse(text)`` gives a ``Query`` (``.text`` as typed, ``.root`` its tree of
``tree`` nodes) or raises InvalidQuery with the reason and a hint.
"""

from __future__ import annotations

from newsarchive.query.parser import parse
from newsarchive.query.tree import Query

__all__ = ["Query", "parse"]
