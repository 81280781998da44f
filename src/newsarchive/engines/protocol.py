"""What every search engine offers the rest of newsarchive, in types that name no engine.

The database is the source of truth; an engine holds a derived, rebuildable
index of its articles (``Document``), follows the database's change log up to
a ``position`` it records itself, and answers queries given as the
engine-neutral tree of ``newsarchive.query``. Nothing here imports an engine:
services and the CLI depend on this module, and ``engines.open_engine`` picks
the implementation named in the archive's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Literal, Protocol, get_args

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.query.budget import Budget
    from newsarchive.query.tree import Query

Sort = Literal["relevance", "newest", "oldest"]
Undated = Literal["include", "exclude", "only"]
Facet = Literal["source", "year", "month", "lang", "author"]
#: Orders of results, what to do with undated articles, and what can be counted: each list defined once.
SORTS: tuple[Sort, ...] = get_args(Sort)
UNDATED: tuple[Undated, ...] = get_args(Undated)
FACETS: tuple[Facet, ...] = get_args(Facet)

#: When an article was published, as counting by period needs it: an aware UTC datetime; the ``date`` written
#: when the article gives only its day (so that it is counted on that day in any time zone); None when undated.
Published = datetime | date | None


@dataclass(frozen=True)
class Document:
    """What an engine holds of one article. ``published`` is naive UTC or None;
    ``offset`` the UTC offset in minutes it was published with, or None."""

    id: str
    title: str
    description: str
    body: str
    published: datetime | None
    precision: str | None
    source: str | None
    revision: int
    authors: tuple[str, ...] = ()
    language: str | None = None
    #: The article this one is a near-duplicate of; copies share it as their group.
    duplicate_of: str | None = None
    offset: int | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    published: datetime | None
    precision: str | None
    source: str | None
    score: float | None
    snippet: str  # matched words wrapped in snippets.MATCH_START ... MATCH_END
    copies: int = 0  # near-duplicates folded into this hit
    offset: int | None = None  # the UTC offset in minutes it was published with


#: Counts of hits by the values of one field, most first: {"source": [("bbc.co.uk", 12), ...]}.
Facets = dict[str, list[tuple[str, int]]]


@dataclass(frozen=True)
class HitPage:
    total: int
    hits: list[Hit]
    facets: Facets = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodCounts:
    """How many articles a query matches per period (``SearchEngine.count_by_period``).

    An article's moment is its publication date; for a date given only by its day, the midnight that opens
    that day in the zone counted in, so that it is counted on the day written in any zone.
    """

    counts: list[int]  # per period: edges[i] <= moment < edges[i + 1], and inside since..until
    undated: int  # matching articles without a date: in no period, whatever the bounds
    first: datetime | None  # the earliest and latest moment of a dated match inside since..until, aware
    last: datetime | None  # (None when there is none), whichever edges were given


@dataclass(frozen=True)
class SearchOptions:
    """How to filter, order and page one search. ``since``/``until`` are aware datetimes, both ends inclusive."""

    since: datetime | None = None
    until: datetime | None = None
    sort: Sort = "relevance"
    limit: int = 10
    page: int = 1
    undated: Undated = "include"
    facets: Sequence[str] = ()
    #: Fold an article's near-duplicates into its hit (the best-ranked of the group stands for it).
    collapse: bool = True


class IndexWriter(Protocol):
    """Changes to an engine's index; none is visible to searches until ``commit``."""

    def add(self, document: Document) -> None:
        """Add a document the index does not hold yet (may be cheaper than ``replace``)."""

    def replace(self, document: Document) -> None:
        """Add a document, removing any committed one with the same id."""

    def delete(self, article_id: str) -> None: ...

    def full(self) -> bool:
        """Whether the writer holds as much as it should in memory: time to commit."""

    def commit(self, position: int | None = None) -> None:
        """Make the changes so far visible; with ``position``, record that the index has applied the change log up to it.

        (A long run commits as its writer's memory fills, before it has reached a position worth recording.)
        """

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """After the last commit of a run: tidy the index (e.g. merge segments); ``announce`` is called first if so."""

    def close(self) -> None:
        """Drop whatever is not committed and let go of the index."""


class SearchEngine(Protocol):
    """One index over one archive database."""

    name: str
    #: Whether the index follows the database's change log after commits (an index kept apart, e.g. a
    #: Whoosh folder on one machine), or is written inside each transaction that changes articles
    #: (``stage``: search rows in the same database), so that every reader sees it at commit.
    follows_log: bool

    def stage(self, session: Session, stored: Sequence[str], removed: Sequence[str]) -> None:
        """Inside the unit of work that stored and removed these articles, just before it commits: write
        their search rows in ``session``'s transaction. Nothing to do for an engine that follows the log."""

    def close(self) -> None:
        """Let go of whatever the engine holds open (connections to a server); it opens them again when asked."""

    # --- the index itself ---------------------------------------------------------
    def exists(self) -> bool:
        """Whether an index was made (damaged or not)."""

    def is_current(self) -> bool:
        """Whether the index exists and was built by this version's schema (else it must be rebuilt)."""

    def position(self) -> int:
        """How far into the database's change log the index has applied; 0 for an index that holds nothing yet."""

    def document_count(self) -> int: ...

    def entries(self) -> list[tuple[str, int]]:
        """(article id, revision) of every document the index holds, for ``archive check`` (an id twice if damaged).

        Raises ``IndexUnavailable`` when the index cannot be read, ``IndexDamaged`` when they do not read back.
        """

    def damage(self) -> list[str]:
        """What is wrong with the index, one line each; empty when it reads whole."""

    def workers_for(self, documents: int, cap: int | None = None) -> int:
        """How many processes a writer of about ``documents`` documents should use (``writer(processes=...)``).

        ``cap`` is the user's limit (1: everything in this process); None lets the engine choose by the machine.
        """

    def writer(self, processes: int = 1) -> IndexWriter: ...

    def rebuild(self, documents: Iterable[Document], position: int, processes: int = 1) -> int:
        """Build the index anew from ``documents``, recorded as applied up to ``position``; return how many."""

    # --- questions ----------------------------------------------------------------
    def search(self, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage: ...

    def suggest(self, query: Query, budget: Budget | None = None) -> str | None:
        """The query with its words spelled as the archive spells them, when that finds more; else None."""

    def similar(self, article_id: str, limit: int) -> tuple[str, HitPage]:
        """The article's whole id (``article_id`` may be its start) and the articles most like it."""

    def telling_terms(self, query: Query, count: int) -> tuple[int, list[tuple[str, float]]]:
        """How many articles match, and the words most over-represented in them, with their weights."""

    def matching_ids(self, query: Query) -> list[str]:
        """The ids of every matching article."""

    def count_by_period(
        self,
        query: Query | None,
        edges: Sequence[datetime],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        zone: tzinfo = UTC,
    ) -> PeriodCounts:
        """How many articles ``query`` matches (every article, for None) in each period between ``edges``.

        ``edges`` are aware UTC moments in ascending order, the end of one period the start of the next:
        period ``i`` holds ``edges[i] <= moment < edges[i + 1]``; no edges ask only for the undated count and
        the first and last moments. Only moments inside ``since``..``until`` (aware, both ends inclusive, as
        in ``SearchOptions``) are counted. ``zone`` places a date given only by its day: at the midnight
        opening that day in ``zone``. (A server can count in one pass: each moment's period found among the
        edges, e.g. SQL's ``width_bucket``, grouped; calendar edges of a zone are ``date_trunc`` in it.)
        """
