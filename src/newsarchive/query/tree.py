"""A parsed query, in terms no engine owns; each engine compiles it to its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Query:
    #: The query as the user typed it.
    text: str
