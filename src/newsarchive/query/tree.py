"""A parsed query, in terms no engine owns; each engine compiles it to its own.

``newsarchive.query.parse(text)`` gives a ``Query``: the text as typed and
its tree. Leaves keep their text as typed (each engine analyses and stems it
as it indexes); ``field`` is one of FIELDS, or None for the word fields
together (WORD_FIELDS). ``boost`` is the ``^2`` typed after a term or group.
Date clauses are resolved when the query is parsed, in the zone chosen
(``periods.zone_context``), to aware UTC moments.

The nodes are named tuples, not dataclasses: `archive search` imports this
module at every start, and fifteen frozen dataclasses cost it 5 ms to make.
Compare trees by ``repr`` where the kind of node matters: tuples of equal
fields are equal whatever their class.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, TypeAlias

#: The fields a word without a field name is looked for in.
WORD_FIELDS = ("title", "description", "body")
#: The fields a query may name (``title:kursk``, ``source:bbc``); ``date:`` clauses are read apart.
FIELDS = (*WORD_FIELDS, "source", "author", "lang")


class Word(NamedTuple):
    """A word, or words typed as one (``peace-talks``, ``'peace talks'``): all of them, each analysed."""

    text: str
    field: str | None = None
    boost: float = 1.0


class Phrase(NamedTuple):
    """``"peace talks"~3``: the words in order, at most ``slop`` positions apart (1: side by side)."""

    text: str
    field: str | None = None
    slop: int = 1
    boost: float = 1.0


class Prefix(NamedTuple):
    """``negotiat*``: every word that starts with ``text``."""

    text: str
    field: str | None = None
    boost: float = 1.0


class Wildcard(NamedTuple):
    """``p?ace``, ``*smith``: ``?`` stands for one character, ``*`` for any run of them."""

    pattern: str
    field: str | None = None
    boost: float = 1.0


class Fuzzy(NamedTuple):
    """``genva~``, ``genev~2``: words at most ``edits`` edits away that keep the first ``prefix`` letters."""

    text: str
    field: str | None = None
    edits: int = 1
    prefix: int = 1
    boost: float = 1.0


class Range(NamedTuple):
    """``[a TO c]``, ``{a TO c}``: the words between two words (an end None or empty: open)."""

    start: str | None
    end: str | None
    field: str | None = None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


class Every(NamedTuple):
    """``*:*``: every article."""


class DateRange(NamedTuple):
    """A ``date:`` clause: articles published from ``start`` to ``end`` (aware UTC, both inclusive; None: open)."""

    start: datetime | None
    end: datetime | None


class And(NamedTuple):
    """All of ``children`` (words side by side, ``AND``, a group in parentheses)."""

    children: tuple[Node, ...]
    boost: float = 1.0


class Or(NamedTuple):
    """Any of ``children``, ranked higher the more match."""

    children: tuple[Node, ...]
    boost: float = 1.0


class Not(NamedTuple):
    """``NOT x``: articles that do not match ``child``."""

    child: Node


class AndNot(NamedTuple):
    """``a ANDNOT b``: ``positive`` without the articles ``negative`` matches."""

    positive: Node
    negative: Node


class AndMaybe(NamedTuple):
    """``a ANDMAYBE b``: what ``required`` matches, ranked higher where ``optional`` matches too."""

    required: Node
    optional: Node


class Require(NamedTuple):
    """``a REQUIRE b``: what both match, ranked by ``scored`` alone."""

    scored: Node
    required: Node


Node: TypeAlias = (
    Word | Phrase | Prefix | Wildcard | Fuzzy | Range | Every | DateRange | And | Or | Not | AndNot | AndMaybe | Require
)
#: The leaves that name a field (None: the word fields).
FIELDED = (Word, Phrase, Prefix, Wildcard, Fuzzy, Range)


class Query(NamedTuple):
    #: The query as the user typed it.
    text: str
    #: Its tree, as ``newsarchive.query.parse`` makes it.
    root: Node
