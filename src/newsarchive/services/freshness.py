"""Before a command reads this home's index: bring it up to the change log, cheaply when nothing changed.

Every reading command (search, similar, terms, trend, export --query, info)
calls ``catch_up_before_reading`` first. When the index is at the log's
head, that costs one read of the head: from an SQLite file with the
standard library alone, from a PostgreSQL server in one query through its
driver alone, so that a search neither imports SQLAlchemy nor opens the
database through it. The head is read where this machine reads
(``config.reads_from``: a standby server, when one is named).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from newsarchive.config import ArchiveConfig
from newsarchive.errors import ArchiveError, DatabaseUnreachable
from newsarchive.storage import log

if TYPE_CHECKING:
    from newsarchive.engines.protocol import SearchEngine


def catch_up_before_reading(
    config: ArchiveConfig,
    engine: SearchEngine | None = None,
    warn: Callable[[str], None] | None = None,
    *,
    required: bool = False,
) -> int | None:
    """Bring this home's index up to the change log before a command reads it; return how far behind it stays.

    Cheap when nothing changed: one read of the log's head (from an SQLite
    file with the standard library alone). When the index cannot be written
    (a read-only home) or another process holds the home's writer lock, the
    index is read as it is, and ``warn`` (stderr by default) says once how
    far behind it is. None when there is no index to catch up: an outdated
    one is left to the read to report, and so is a missing one, unless the
    read ``required`` it and the database holds articles: then this home has
    no index yet (a new home on a shared database, an index folder deleted),
    and ``archive reindex`` is what builds it, not ingesting more.
    """
    from newsarchive.engines import open_engine

    engine = engine or open_engine(config)
    if not engine.follows_log:
        return 0  # (its rows are written with each change: current at every commit)
    if not engine.is_current():
        if required and not engine.exists() and log_head(config):
            from newsarchive.errors import IndexUnavailable

            raise IndexUnavailable(
                f"no search index in this home yet ({config.index_dir}), while its database holds articles",
                hint="`archive reindex` builds it from the database",
            )
        return None
    position = engine.position()
    head = log_head(config)
    if head is None or head <= position:
        return 0
    from newsarchive.errors import ArchiveBusy, ArchiveReadOnly, IndexUnavailable
    from newsarchive.services.indexing import catch_up
    from newsarchive.storage.database import open_database
    from newsarchive.storage.locks import writer_lock

    try:
        with writer_lock(config, wait=False):
            db = open_database(config, read=True)
            try:
                catch_up(db, engine)
            finally:
                db.close()
        return 0
    except IndexUnavailable:
        return max(head - engine.position(), 0)  # (a damaged index: the read says so)
    except (ArchiveBusy, ArchiveReadOnly) as exc:
        why = "another process is writing to it" if isinstance(exc, ArchiveBusy) else "it is read-only here"
    behind = head - engine.position()
    if behind > 0:
        say = warn or _to_stderr
        say(f"note: the search index is {behind} {'change' if behind == 1 else 'changes'} behind the archive database "
            f"({why}); {'it is' if behind == 1 else 'they are'} not searched")
    return max(behind, 0)


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


def log_head(config: ArchiveConfig) -> int | None:
    """The change log's head, read where this machine reads: cheaply (``Dialect.glance``), else through the database.

    None when the database cannot be opened: the index is then read as it is
    (it holds the last copies of the articles of a database emptied by mistake);
    but a server that cannot be reached is said (DatabaseUnreachable), not
    searched around.
    """
    from newsarchive.storage.dialects import HEAD_REVISION, Dialect

    url = config.reads_from
    glance = Dialect.for_url(url).glance(url)
    if glance is not None and glance.revision in (None, HEAD_REVISION):  # (else opening it upgrades it, or says why not)
        return glance.head
    from newsarchive.storage.database import open_database

    try:
        db = open_database(config, read=True)
    except DatabaseUnreachable:
        if Dialect.for_url(url).name == "sqlite":
            return None
        raise
    except ArchiveError:
        return None
    try:
        with db.sessions() as session:
            return log.head(session)
    finally:
        db.close()
