"""The archive as a library: ``newsarchive.open(home)`` gives an ``Archive``, and every command calls one of its methods.

An ``Archive`` holds the archive's settings and opens the database and the
search engine when a method first needs them (so a search never loads the
database layer), and closes them. A method that writes takes the archive's
writer lock first, which refuses a home that holds no archive or that this
process may not write to, and opens the database under it; a method that
only reads refuses a home without an archive, once. Each method returns the
typed result of the service it calls and raises the typed errors of
``newsarchive.errors``.

    with newsarchive.open("~/news") as archive:
        page = archive.search("kursk", sort="newest")
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from newsarchive.config import ArchiveConfig, require_archive, resolve_config
from newsarchive.errors import ArchiveError, IndexUnavailable

F = TypeVar("F", bound=Callable[..., Any])
if TYPE_CHECKING:
    from newsarchive.engines.protocol import SearchEngine
    from newsarchive.errors import DamagedRecord
    from newsarchive.services.articles import ArchiveInfo, ArticlePage, ArticleRecord, DuplicateGroup
    from newsarchive.services.check import CheckReport
    from newsarchive.services.ingest import IngestOptions, IngestReport
    from newsarchive.services.progress import IngestObserver, Progress
    from newsarchive.services.remove import Removed
    from newsarchive.services.search import SearchPage
    from newsarchive.services.trend import Trend
    from newsarchive.storage.database import Database

#: A date as ``--since`` and ``--until`` take it ("2024-11", "2024-11-10 09:00"), or an aware datetime.
DateBound = str | datetime | None


@dataclass(frozen=True)
class Similar:
    """The articles most like one article."""

    article_id: str  # as asked for: the id, or its start
    page: SearchPage


@dataclass(frozen=True)
class Terms:
    """The words most over-represented in the best matches of a query, with their weights."""

    query: str
    matched: int  # how many articles match
    terms: list[tuple[str, float]]


@dataclass(frozen=True)
class Reindexed:
    indexed: int
    elapsed: float  # seconds
    #: Articles left out because a value of theirs cannot be read.
    damaged: tuple[DamagedRecord, ...] = ()


@dataclass(frozen=True)
class Initialized:
    """An archive made (or found) by ``Archive.init``, and the search engine every machine on it uses."""

    database: str  # where it is: a file, or host:port/dbname on a server
    engine: str
    created: bool  # made now
    #: The engine it used before, when ``init`` changed it; its ``articles`` are then searched only after a reindex.
    previous: str | None = None
    articles: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def typed_error(error: Exception, config: ArchiveConfig | None = None, *, reading: bool = False) -> ArchiveError | None:
    """The library's typed error for a failure met below it, or None for a bug (to be seen as it is).

    A value of the database that cannot be read, and the database layer's own
    errors (a damaged or foreign database file, a server gone away), become an
    ``ArchiveError`` saying so, for a Python user as for the command line;
    a server gone away is named from ``config`` (its reading URL when ``reading``).
    """
    from newsarchive.errors import DAMAGED_ROW_HINT, UndecodableText, UnreadableValue

    if isinstance(error, ArchiveError):
        return error
    if isinstance(error, UnreadableValue):  # met where rows are not read one at a time
        held = f"text that is {error}" if isinstance(error, UndecodableText) else f"a value that cannot be read: {error}"
        return ArchiveError(f"a row of the archive database holds {held}", hint="`archive check` names it; " + DAMAGED_ROW_HINT)
    if type(error).__module__.startswith("sqlalchemy"):
        from newsarchive.config import DATABASE_URL_ENV, READ_DATABASE_URL_ENV
        from newsarchive.storage.database import database_error

        if config is None:
            return database_error(error)
        if reading and config.read_database_url is not None:
            return database_error(error, config.read_database_url, READ_DATABASE_URL_ENV)
        return database_error(error, config.database_url, DATABASE_URL_ENV)
    return None


@contextmanager
def _errors_typed(config: ArchiveConfig | None = None, *, reading: bool = False) -> Iterator[None]:
    """Raise what goes wrong below the library as its typed error (``typed_error``); a bug as it is."""
    try:
        yield
    except ArchiveError:
        raise
    except Exception as error:
        typed = typed_error(error, config, reading=reading)
        if typed is None:
            raise
        raise typed from error


def _typed(method: F) -> F:
    """An ``Archive`` method that raises only typed errors for what goes wrong below it."""

    reading = method.__name__ in READING

    @functools.wraps(method)
    def run(archive: Archive, *args: Any, **kwargs: Any) -> Any:
        with _errors_typed(archive.config, reading=reading):
            try:
                return method(archive, *args, **kwargs)
            except IndexUnavailable:
                if reading:
                    archive._require_database()  # (no archive at all: said as every other command says it)
                raise

    return run  # type: ignore[return-value]


#: The methods that only read: they read from ``config.reads_from`` (a standby server, where one is named).
READING = frozenset({
    "search", "similar", "terms", "trend", "get", "articles", "export", "duplicates", "copies", "info",
})


def _typed_records(records: Iterator[ArticleRecord], config: ArchiveConfig) -> Iterator[ArticleRecord]:
    """``records`` read under the same rule, for an export that fails part of the way."""
    with _errors_typed(config, reading=True):
        yield from records


def open_archive(
    home: str | os.PathLike[str] | None = None,
    *,
    database_url: str | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
    read_database_url: str | None = None,
) -> Archive:
    """The archive at ``home`` (default: $ARCHIVE_HOME, else the user data folder); opens nothing yet.

    ``database_url`` (any SQLAlchemy URL) puts its database elsewhere, as
    $ARCHIVE_DATABASE_URL does; ``read_database_url`` sends the reads of the
    methods that only read to a standby of it, as $ARCHIVE_READ_DATABASE_URL
    does. ``on_damaged`` hears of each row a reader of many rows leaves out
    because a value of it cannot be read; without it, such a row raises
    ``DamagedRecord``.
    """
    config = resolve_config(home)
    if database_url is not None:
        config = dataclasses.replace(config, database_url=database_url)
    if read_database_url is not None:
        config = dataclasses.replace(config, read_database_url=read_database_url)
    return Archive(dataclasses.replace(config, on_damaged=on_damaged))


class Archive:
    """One archive: its database (the source of truth) and its search index."""

    def __init__(self, config: ArchiveConfig) -> None:
        self.config = config
        self._database: Database | None = None
        #: The database reads go to, when it is another (``config.read_database_url``).
        self._read_database: Database | None = None
        self._engine: SearchEngine | None = None
        #: The database's own engine, when this machine searches its own index but writes a team's search rows.
        self._shared: SearchEngine | None = None
        #: The database file's state when the index was last found up to date (see ``_caught_up``).
        self._fresh_at: tuple[int, ...] | None = None
        self._found = False

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Archive at {self.config.home}>"

    def close(self) -> None:
        """Let go of the database (and the engine); a method called later opens them again."""
        databases, engines = (self._database, self._read_database), (self._engine, self._shared)
        self._database, self._read_database, self._engine, self._shared = None, None, None, None
        for database in databases:
            if database is not None:
                database.close()
        for engine in engines:
            if engine is not None:
                engine.close()

    @property
    def database(self) -> Database:
        """The database, connected (and its schema brought up to date) when first asked for."""
        self._require()
        return self._open()

    @property
    def _reader(self) -> Database:
        """The database the methods that only read read from: ``config.reads_from``, never upgraded when it is another."""
        if self.config.read_database_url is None:
            return self.database
        self._require()
        if self._read_database is None:
            from newsarchive.storage.database import open_database

            self._read_database = open_database(self.config, read=True)
        return self._read_database

    @property
    def engine(self) -> SearchEngine:
        """The search engine named in the archive's settings."""
        if self._engine is None:
            from newsarchive.engines import open_engine

            self._engine = open_engine(self.config)
        return self._engine

    def _caught_up(self, warn: Callable[[str], None] | None = None, *, required: bool = True) -> SearchEngine:
        """The engine, first brought up to the database's change log (one read of its head when nothing changed).

        A home whose index cannot be written now (read-only, or another
        process writing) is read as it is; ``warn`` (stderr by default) says how far behind.
        """
        from newsarchive.services.freshness import catch_up_before_reading
        from newsarchive.storage.dialects import Dialect

        self._require()
        # A database unchanged since the index was last found at the log's head needs no reading of the
        # head: for an SQLite file two stat calls instead, for a process that searches many times.
        # (A server tells nothing without being asked: its head is read once a call.)
        state = Dialect.for_url(self.config.reads_from).state(self.config)
        if state is None or state != self._fresh_at:
            if catch_up_before_reading(self.config, self.engine, warn, required=required) == 0:
                self._fresh_at = state
        return self.engine

    def _open(self, *, create: bool = False) -> Database:
        if self._database is None:
            from newsarchive.storage.database import open_database

            self._database = open_database(self.config, create=create)
            stager = self._stager()
            if stager is not None:  # (its rows are written in each unit of work's transaction)
                self._database.stage = stager.stage
        return self._database

    def _stager(self) -> SearchEngine | None:
        """The engine whose rows every change must write: this machine's, when it keeps them in the database;
        else the database's own, when a machine with an index of its own ($ARCHIVE_ENGINE) writes to an
        archive whose every other machine searches the server (their search must see its changes too)."""
        if not self.engine.follows_log:
            return self.engine
        if self.config.engine is None:
            return None
        from newsarchive.engines import open_engine

        self._shared = self._shared or open_engine(dataclasses.replace(self.config, engine=None))
        return None if self._shared.follows_log else self._shared

    def _require(self) -> None:
        """Refuse a home that holds no archive (only ``ingest`` makes one); asked once."""
        if not self._found:
            require_archive(self.config)
            self._found = True

    def _require_database(self) -> None:
        """Refuse a database that holds no archive, when this read has not opened the database yet.

        A read that asks the engine first (a search asks the server one query,
        or reads the index in the home, without the database layer) learns
        only that the engine has nothing to read: its search rows, or its
        index, are missing or unreadable. On that error alone the database is
        opened, which refuses one that holds no archive (ArchiveNotFound) or
        another program's tables, as every other command does; else the
        engine's error stands.
        """
        if self._database is None and self._read_database is None:
            self._reader  # noqa: B018  (opening it is the check)

    @contextmanager
    def _writing(self, *, wait: bool, on_wait: Callable[[], None] | None = None, create: bool = False) -> Iterator[None]:
        """The writer's lock for the block: the one way to write, so that two writers never meet.

        The lock refuses a home without an archive (unless ``create``) and one
        this process may not write to, before anything is changed; the
        database is best opened under it (its schema may be upgraded, or made).
        """
        from newsarchive.storage.locks import writer_lock

        with writer_lock(self.config, wait=wait, on_wait=on_wait, create=create):
            self._found = True
            if self.config.read_database_url is None:
                yield
                return
            # Everything a write opens (the engine, the team's search rows, the database) reads the primary
            # too, never a standby: what was opened to read one is opened again, and after again.
            reading, self.config = self.config, dataclasses.replace(self.config, read_database_url=None)
            self.close()
            try:
                yield
            finally:
                self.config = reading
                self.close()

    # --- writing ------------------------------------------------------------------------

    @_typed
    def ingest(
        self, paths: str | Path | Iterable[str | Path], options: IngestOptions | None = None, *,
        observer: IngestObserver | None = None, language: str | None = None,
    ) -> IngestReport:  # fmt: skip
        """Read the article files and folders at ``paths`` into the archive, making it if need be.

        ``language`` (an ISO 639-1 code such as "ru", or "und") is recorded for
        every article read, whatever its file says; by default each article's
        is the one its file names, else the one identified from its text.
        An unknown code raises InvalidLanguage before anything is done.
        """
        from newsarchive.reading.language import checked_language
        from newsarchive.services.ingest import IngestOptions, ingest_paths
        from newsarchive.services.progress import IngestObserver

        options = options or IngestOptions()
        if language is not None:
            options = dataclasses.replace(options, language=language)
        if options.language is not None:
            checked_language(options.language)
        observer = observer or IngestObserver()
        with self._writing(wait=options.wait, on_wait=observer.waiting, create=True):
            db = self._open(create=True)
            stager = self._stager()
            if stager is not None and stager is not self.engine:  # (the team's search rows, made first where
                from newsarchive.services.indexing import catch_up  # none are, as ingest_paths makes its engine's)

                catch_up(db, stager)
            return ingest_paths(db, self.config, self.engine, _each(paths), options, observer)

    @_typed
    def init(self, *, engine: str | None = None, wait: bool = True) -> Initialized:
        """Make the archive if it is missing, and record the search ``engine`` every machine on it then uses.

        Without ``engine`` the one recorded stays (none recorded: the
        database's default, whoosh on SQLite and postgres on a server).
        "postgres" searches in a PostgreSQL server, so an SQLite archive
        refuses it (InvalidSetting). Changing the engine of an archive that
        holds articles leaves them to ``reindex`` for the new one.
        """
        from newsarchive.errors import InvalidSetting
        from newsarchive.storage import settings
        from newsarchive.storage.dialects import Dialect

        dialect = Dialect.for_url(self.config.database_url)
        if engine == settings.SERVER_ENGINE and dialect.name != "postgresql":
            raise InvalidSetting(
                f"the {engine} engine searches in a PostgreSQL server, and this archive's database is {dialect.named(self.config.database_url)}",
                hint="keep whoosh here; for a team's archive on a server, set ARCHIVE_DATABASE_URL=postgresql+psycopg://USER@HOST/DB first",
            )  # fmt: skip
        with self._writing(wait=wait, create=True):
            db = self._open(create=True)
            before, chosen, articles = settings.record_engine(db, self.config.database_url, engine)
            created = db.created
            self.close()  # (the engine, and the database's staging of its rows, are opened again as now chosen)
            if not articles:  # (an empty archive's index is made now: a search then finds nothing, not "no index")
                from newsarchive.services.indexing import catch_up

                catch_up(self._open(), self.engine)
        changed = chosen != before and not created
        return Initialized(
            database=dialect.named(self.config.database_url), engine=chosen, created=created,
            previous=before if changed else None, articles=articles,
        )  # fmt: skip

    @_typed
    def remove(self, article_ids: Sequence[str], *, wait: bool = True) -> list[Removed]:
        """Delete these articles (ids or unambiguous starts of ids) from the database and the index: all or none."""
        from newsarchive.services.remove import remove_articles

        with self._writing(wait=wait):
            return remove_articles(self.database, self.engine, article_ids)

    @_typed
    def reindex(self, *, wait: bool = True, progress: Progress | None = None) -> Reindexed:
        """Rebuild the search index from the database."""
        from newsarchive.services.indexing import reindex_archive
        from newsarchive.services.progress import Progress

        progress = progress or Progress()
        started = time.monotonic()
        with self._writing(wait=wait, on_wait=progress.waiting):
            result = reindex_archive(self.database, self.engine, progress=progress, on_damaged=self.config.on_damaged)
        return Reindexed(indexed=result.indexed, elapsed=time.monotonic() - started, damaged=result.damaged)

    @_typed
    def check(self, *, repair: bool = False, wait: bool = True, progress: Progress | None = None) -> CheckReport:
        """Compare the database with the index; with ``repair``, fix what was found and check again.

        The check waits for a writer to finish, so as not to report its work
        in progress as damage; an archive this process may only read is
        checked as it is, and so is one whose home is not made yet (a new
        machine on a server's database: no writer of it to wait for, and a
        check makes nothing).
        """
        from contextlib import nullcontext

        from newsarchive.config import writable
        from newsarchive.errors import DatabaseDamaged
        from newsarchive.services.check import check_archive, damaged_file_report
        from newsarchive.services.progress import Progress

        progress = progress or Progress()
        locked = repair or (writable(self.config) and self.config.home.exists())
        with self._writing(wait=wait, on_wait=progress.waiting) if locked else nullcontext():
            try:
                db = self.database
            except DatabaseDamaged:
                return damaged_file_report(self.config)
            return check_archive(db, self.engine, repair=repair, progress=progress)

    # --- reading the index ------------------------------------------------------------

    @_typed
    def search(
        self, query: str, *, since: str | None = None, until: str | None = None, sort: str = "relevance",
        limit: int = 10, page: int = 1, undated: str = "include", facets: Sequence[str] = (), collapse: bool = True,
    ) -> SearchPage:  # fmt: skip
        """One page of the articles matching ``query`` (the query language of ``archive search --help``), best first."""
        from newsarchive.services.search import SearchRequest, search

        request = SearchRequest(
            query=query, since=since, until=until, sort=sort, limit=limit, page=page, undated=undated,
            facets=tuple(facets), collapse=collapse,
        )  # fmt: skip
        return search(self._caught_up(), request)

    @_typed
    def similar(self, article_id: str, limit: int = 10) -> Similar:
        """The articles most like this one (its id, or the start of its id)."""
        from newsarchive.services.search import similar

        return Similar(article_id=article_id, page=similar(self._caught_up(), article_id, limit))

    @_typed
    def terms(self, query: str, limit: int = 20) -> Terms:
        """The words that set the best matches of ``query`` apart from the whole archive."""
        from newsarchive.services.search import telling_terms

        matched, words = telling_terms(self._caught_up(), query, limit)
        return Terms(query=query, matched=matched, terms=words)

    @_typed
    def trend(
        self, queries: str | Sequence[str], *, by: str = "month", since: DateBound = None, until: DateBound = None,
        normalize: bool = False,
    ) -> Trend:  # fmt: skip
        """How many articles match each query per day, week, month or year (``by``)."""
        from newsarchive.services.trend import trend

        self._require()
        start, end = _period(since, until)
        return trend(self._caught_up(), _each(queries), by=by, since=start, until=end, normalize=normalize)

    # --- reading the database ----------------------------------------------------------

    @_typed
    def get(self, article_id: str) -> ArticleRecord:
        """One article, whole, by its id or an unambiguous start of it."""
        from newsarchive.services.articles import get_article

        return get_article(self._reader, self.config, article_id)

    @_typed
    def articles(
        self, *, since: DateBound = None, until: DateBound = None, source: str | None = None, limit: int = 20,
        page: int = 1,
    ) -> ArticlePage:  # fmt: skip
        """One page of the articles, newest first (undated last), by date and source."""
        from newsarchive.services.articles import list_articles

        self._require()
        start, end = _period(since, until)
        return list_articles(self._reader, self.config, since=start, until=end, source=source, limit=limit, page=page)

    @_typed
    def export(self, query: str | None = None, *, since: DateBound = None, until: DateBound = None) -> Iterator[ArticleRecord]:
        """Every article, or every one matching ``query``, oldest first (undated last), read a chunk at a time;
        with ``since`` or ``until``, only those published between them (as ``search`` takes them)."""
        from newsarchive.services.export import export_records

        start, end = _period(since, until)
        engine = self._caught_up() if query else self.engine
        records = export_records(self._reader, engine, query, on_damaged=self.config.on_damaged, since=start, until=end)
        return _typed_records(records, self.config)

    @_typed
    def duplicates(self, *, limit: int | None = None) -> list[DuplicateGroup]:
        """Every article that has copies (identical files, near-duplicates), most copied first."""
        from newsarchive.services.articles import duplicate_groups

        return duplicate_groups(self._reader, self.config, limit=limit)

    @_typed
    def copies(self, article_id: str) -> DuplicateGroup | None:
        """The article's copies: its original and every near-duplicate of that original (None: it has none).

        ``article_id`` is a whole id (``get`` gives one); identical files of one article are its ``files``.
        """
        from newsarchive.services.articles import copies_of

        return copies_of(self._reader, self.config, article_id)

    @_typed
    def info(self) -> ArchiveInfo:
        """Where the archive is, its schema revision and what it holds."""
        from newsarchive.services.articles import archive_info

        return archive_info(self._reader, self.config, self._caught_up(warn=_quiet, required=False))


def _each(given: Any) -> list[Any]:
    """One path or query, or many: ``ingest("seeds")`` is one folder, not five one-letter paths."""
    return [given] if isinstance(given, (str, os.PathLike)) else list(given)


def _quiet(_line: str) -> None:
    """(info shows how far behind the index is itself.)"""


def _period(since: DateBound, until: DateBound) -> tuple[datetime | None, datetime | None]:
    """Typed bounds read as ``--since`` and ``--until`` are (in the ``--tz`` zone); datetimes as they are."""
    from newsarchive.periods import parse_period

    start, end = parse_period(since if isinstance(since, str) else None, until if isinstance(until, str) else None)
    return (since if isinstance(since, datetime) else start), (until if isinstance(until, datetime) else end)
