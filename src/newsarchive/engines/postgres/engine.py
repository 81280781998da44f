"""The PostgreSQL engine behind ``SearchEngine``: search rows in the archive's own database.

Its rows are written inside each unit of work that changes articles
(``stage``), so they are current at every commit and it follows no log:
``position()`` is the log's head. Reads go to ``ARCHIVE_READ_DATABASE_URL``
when set (a standby following the primary), writes and rebuilds to
``ARCHIVE_DATABASE_URL``. It talks to the server with psycopg directly, not
through SQLAlchemy: a search then costs a connect and its queries, not the
import of the database layer. Each connection is made when first needed and
kept for the process (``close`` lets go of them).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from newsarchive.engines.protocol import Document, HitPage, IndexWriter, PeriodCounts, SearchOptions

if TYPE_CHECKING:
    from psycopg import Connection
    from sqlalchemy.orm import Session

    from newsarchive.config import ArchiveConfig
    from newsarchive.engines.postgres.writing import Analysers
    from newsarchive.query.budget import Budget
    from newsarchive.query.tree import Query

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: A rebuild of fewer articles is analysed in its own process (starting workers costs about a second).
_PARALLEL_FROM = 5000
_REINDEX_HINT = "`archive reindex` makes the search rows from the articles"


def server_url(url: str) -> str:
    """The libpq URL of the engine's database; a database that is not on a PostgreSQL server is refused."""
    from newsarchive.storage.dialects import Dialect, libpq_url

    if Dialect.for_url(url).name != "postgresql":
        from newsarchive.config import redacted
        from newsarchive.errors import ConfigError

        raise ConfigError(
            f"the postgres search engine keeps its rows in a PostgreSQL database, not in {redacted(url)!r}",
            hint="set ARCHIVE_DATABASE_URL to a postgresql+psycopg:// URL, or use the whoosh engine",
        )
    return libpq_url(url)


def _server_errors(method: F) -> F:
    """What the server or the connection to it fails with, as one line of a typed error."""

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        import psycopg

        try:
            return method(*args, **kwargs)
        except psycopg.Error as exc:
            raise _typed(exc) from exc

    return run  # type: ignore[return-value]


def _typed(error: Exception) -> Exception:
    import psycopg

    from newsarchive.config import DATABASE_URL_ENV, READ_DATABASE_URL_ENV
    from newsarchive.errors import ArchiveError, IndexUnavailable

    line = (str(error).splitlines() or [type(error).__name__])[0]
    if isinstance(error, psycopg.errors.UndefinedTable):
        return IndexUnavailable(f"the database holds no search rows yet ({line})", hint=_REINDEX_HINT)
    if isinstance(error, psycopg.OperationalError):
        return IndexUnavailable(
            f"cannot reach the search database: {line}",
            hint=f"check that the server is running, and {DATABASE_URL_ENV} (and {READ_DATABASE_URL_ENV})",
        )
    return ArchiveError(f"search database error: {line}", hint="`archive check` looks for what is wrong")


class PostgresEngine:
    """The ``SearchEngine`` over the search rows of the archive's PostgreSQL database."""

    name = "postgres"
    follows_log = False

    def __init__(self, config: ArchiveConfig) -> None:
        self._write_url = server_url(config.database_url)
        self._read_url = server_url(config.reads_from)
        self._reads: Connection | None = None
        self._writes: Connection | None = None
        #: The worker processes of an open ``writer(processes)``, which analyse the rows ``stage`` writes.
        self._analysers: Analysers | None = None

    def close(self) -> None:
        """Let go of the connections (a later call connects again) and of any workers."""
        self._stop_analysers()
        for connection in (self._reads, self._writes):
            if connection is not None:
                connection.close()
        self._reads = self._writes = None

    def _stop_analysers(self) -> None:
        if self._analysers is not None:
            self._analysers.close()
            self._analysers = None

    # --- connections --------------------------------------------------------------

    def _reading(self, ask: Callable[[Connection], T]) -> T:
        """``ask`` on the read connection, its transaction ended after (a reader keeps no snapshot open)."""
        if self._reads is None or self._reads.closed:
            self._reads = _connect(self._read_url)
        try:
            return ask(self._reads)
        finally:
            if not (self._reads.closed or self._reads.broken):  # (a lost connection is made again next time)
                self._reads.rollback()

    def _writing(self) -> Connection:
        if self._writes is None or self._writes.closed:
            self._writes = _connect(self._write_url)
        return self._writes

    # --- the index itself ---------------------------------------------------------

    @_server_errors
    def exists(self) -> bool:
        from newsarchive.engines.postgres.schema import exists

        return self._reading(exists)

    @_server_errors
    def is_current(self) -> bool:
        from newsarchive.engines.postgres.schema import ANALYSIS_VERSION, version

        return self._reading(version) == ANALYSIS_VERSION

    @_server_errors
    def position(self) -> int:
        """The change log's head: the rows are written in the transaction of each change, so current at its commit."""
        return self._reading(_log_head)

    @_server_errors
    def document_count(self) -> int:
        from newsarchive.engines.postgres.vocabulary import total_docs

        return self._reading(total_docs)

    @_server_errors
    def entries(self) -> list[tuple[str, int]]:
        def ask(connection: Connection) -> list[tuple[str, int]]:
            return [
                (article_id, revision)
                for article_id, revision in connection.execute("SELECT id, revision FROM search_docs")
            ]

        return self._reading(ask)

    @_server_errors
    def damage(self) -> list[str]:
        """The engine's tables that are missing (dropped by hand). Rows that differ from their articles
        are not damage: ``archive check`` finds them by ``entries`` and repairs only those."""

        def ask(connection: Connection) -> list[str]:
            tables = ("search_docs", "search_terms", "search_meta")
            found = connection.execute(
                "SELECT to_regclass(name) IS NOT NULL FROM unnest(%s::text[]) AS name", (list(tables),)
            )
            return [
                f"the table {table} is missing"
                for table, (there,) in zip(tables, found.fetchall(), strict=True)
                if not there
            ]

        return self._reading(ask)

    def workers_for(self, documents: int, cap: int | None = None) -> int:
        """Processes that analyse the articles' rows: a rebuild's, or an open writer's units of work's."""
        if (cap is not None and cap <= 1) or documents < _PARALLEL_FROM or not hasattr(os, "fork"):
            return 1  # (the workers are forked: see ``writing.Analysers``)
        return max(1, min(cap or 2, os.cpu_count() or 1))

    def stage(self, session: Session, stored: Sequence[str], removed: Sequence[str]) -> None:
        """Write the rows of the articles stored and delete those of the articles removed, in ``session``'s
        transaction (the unit of work's, after it took the change log's lock), with their vocabulary counts.

        Where the tables are not made yet nothing is written: the first build
        (``rebuild``, by the first command that searches or ingests with this
        engine) makes them from every article. (Making them here, under the
        log's lock, would wait for other writers' articles while they wait
        for that lock.) The server's errors are raised as SQLAlchemy raises
        them on the session, so that the unit of work tries a clash, or a
        lost connection, again.
        """
        if not stored and not removed:
            return
        import psycopg
        from sqlalchemy.exc import DBAPIError

        from newsarchive.engines.postgres import schema
        from newsarchive.engines.postgres.writing import put_articles

        session.flush()
        connection: Connection = session.connection().connection.driver_connection  # type: ignore[assignment]
        try:
            if schema.exists(connection):
                put_articles(connection, stored, removed, self._analysers)
        except psycopg.Error as exc:
            lost = connection.broken
            if lost:  # (as SQLAlchemy does with a connection it finds lost: the pool makes a new one)
                session.connection().invalidate(exc)
            raise DBAPIError.instance(None, None, exc, psycopg.Error, connection_invalidated=lost) from exc

    def writer(self, processes: int = 1) -> IndexWriter:
        """A writer of rows; with ``processes`` > 1, while it is open, the rows of every unit of work (``stage``)
        are analysed in that many worker processes, started now (before the caller starts threads)."""
        from newsarchive.engines.postgres.writing import Analysers

        if processes > 1 and self._analysers is None:
            self._analysers = Analysers(processes)
        return RowWriter(self._writing, self._analysers, on_close=self._stop_analysers)

    @_server_errors
    def rebuild(self, documents: Iterable[Document], position: int, processes: int = 1) -> int:
        """Replace every row, in one transaction (searches see the old rows until it commits).

        It holds the change log's lock throughout, so no article changes
        while the rows are written; the changes logged after ``position``
        (committed between the caller's reading of the log and that lock)
        are applied from the articles before the commit.
        """
        from newsarchive.engines.postgres import schema
        from newsarchive.engines.postgres.vocabulary import total_docs
        from newsarchive.engines.postgres.writing import analysed, changes_since, fill, put_articles, record_version

        connection = self._writing()
        try:
            # (In a writer's order: its articles, then the log's lock. Making the tables refers to articles.)
            connection.execute("LOCK TABLE articles IN SHARE ROW EXCLUSIVE MODE")
            connection.execute("LOCK TABLE change_log IN EXCLUSIVE MODE")
            schema.make(connection)
            written = fill(connection, analysed(documents, processes))
            stored, removed = changes_since(connection, position)
            if stored or removed:
                put_articles(connection, stored, removed)
                written = total_docs(connection)
            record_version(connection)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        return written

    # --- questions ----------------------------------------------------------------

    @_server_errors
    def search(self, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage:
        from newsarchive.engines.postgres import search

        return self._reading(lambda connection: search.search(connection, query, options, budget))

    @_server_errors
    def suggest(self, query: Query, budget: Budget | None = None) -> str | None:
        from newsarchive.engines.postgres import explore

        return self._reading(lambda connection: explore.suggest(connection, query, budget))

    @_server_errors
    def similar(self, article_id: str, limit: int) -> tuple[str, HitPage]:
        from newsarchive.engines.postgres import explore

        return self._reading(lambda connection: explore.similar(connection, article_id, limit))

    @_server_errors
    def telling_terms(self, query: Query, count: int) -> tuple[int, list[tuple[str, float]]]:
        from newsarchive.engines.postgres import explore

        return self._reading(lambda connection: explore.telling_terms(connection, query, count))

    @_server_errors
    def matching_ids(self, query: Query) -> list[str]:
        from newsarchive.engines.postgres import search

        return self._reading(lambda connection: search.matching_ids(connection, query))

    @_server_errors
    def count_by_period(
        self,
        query: Query | None,
        edges: Sequence[datetime],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        zone: tzinfo = UTC,
    ) -> PeriodCounts:
        from newsarchive.engines.postgres import trend

        return self._reading(
            lambda connection: trend.count_by_period(connection, query, edges, since=since, until=until, zone=zone)
        )


class RowWriter:
    """Rows written in a transaction of the engine's write connection, seen by searches at ``commit``.

    Documents are held until ``_FLUSH_EVERY`` of them, then written (still
    uncommitted), so a long repair does not hold every article in memory.
    """

    _FLUSH_EVERY = 1000

    def __init__(
        self,
        connection: Callable[[], Connection],
        analysers: Analysers | None = None,
        on_close: Callable[[], None] = lambda: None,
    ) -> None:
        self._connection = connection
        self._analysers = analysers
        self._on_close = on_close
        self._documents: dict[str, Document] = {}
        self._deleted: set[str] = set()

    def add(self, document: Document) -> None:
        self.replace(document)

    def replace(self, document: Document) -> None:
        self._documents[document.id] = document
        self._deleted.discard(document.id)
        if len(self._documents) >= self._FLUSH_EVERY:
            self._flush()

    def delete(self, article_id: str) -> None:
        self._documents.pop(article_id, None)
        self._deleted.add(article_id)

    def full(self) -> bool:
        return False

    @_server_errors
    def commit(self, position: int | None = None) -> None:
        """Write what is held and commit (``position`` is not kept: the rows are current at the log's head)."""
        self._flush()
        self._connection().commit()

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """Nothing to merge: the server keeps its indexes itself."""

    def close(self) -> None:
        self._documents.clear()
        self._deleted.clear()
        try:
            self._connection().rollback()
        finally:
            self._on_close()

    @_server_errors
    def _flush(self) -> None:
        from newsarchive.engines.postgres import schema
        from newsarchive.engines.postgres.writing import put

        if not self._documents and not self._deleted:
            return
        connection = self._connection()
        schema.make(connection)
        put(connection, list(self._documents.values()), sorted(self._deleted), self._analysers)
        self._documents.clear()
        self._deleted.clear()


def _connect(url: str) -> Connection:
    import psycopg

    return psycopg.connect(url)


def _log_head(connection: Connection) -> int:
    row = connection.execute("SELECT max(position) FROM change_log").fetchone()
    return int(row[0]) if row and row[0] is not None else 0
