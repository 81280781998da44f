"""The change log: every stored and removed article, in the order the database committed it.

Any number of search indexes follow one database: each records the position
up to which it has applied the log, and catches up from there
(``services.indexing.catch_up``). Entries are appended in the transaction
that makes the change, so the log and the articles never disagree.

Positions follow the order of commits: SQLite lets one transaction write at
a time; on a server the appending transaction locks the log table first, so
that no reader ever sees a later position before an earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STORED = "stored"
REMOVED = "removed"


class Change(NamedTuple):
    """The last change of one article in a stretch of the log.

    (A named tuple: a search imports this module, and a dataclass costs it a millisecond to make.)
    """

    position: int
    kind: str  # STORED or REMOVED


def claim(session: Session) -> None:
    """Take the database's write lock now, so that what the transaction reads next is what it writes against.

    (SQLite takes it with the first write, even one that changes no row;
    PostgreSQL's rows lock one by one, so the log table is locked instead.)
    """
    from sqlalchemy import false, text, update

    from newsarchive.storage.models import LogEntry

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE change_log IN EXCLUSIVE MODE"))
    else:
        session.execute(update(LogEntry).where(false()).values(kind=LogEntry.kind))


def append(session: Session, changes: Mapping[str, str]) -> range:
    """Append one entry per article (id -> STORED or REMOVED) to the log; return their positions.

    Call it last in the transaction, just before its commit, with the changes
    flushed and the write lock held (``claim``: ``UnitOfWork.commit`` does
    both), so the positions are consecutive and follow every position
    committed before.
    """
    from sqlalchemy import insert

    from newsarchive.storage.models import LogEntry

    if not changes:
        return range(0)
    session.execute(insert(LogEntry), [{"article_id": article_id, "kind": kind} for article_id, kind in changes.items()])
    last = head(session)
    return range(last - len(changes) + 1, last + 1)


def head(session: Session) -> int:
    """The position of the log's last entry; 0 for an empty log."""
    from sqlalchemy import func, select

    from newsarchive.storage.models import LogEntry

    return session.scalar(select(func.max(LogEntry.position))) or 0


def entries(session: Session, after: int, upto: int | None = None) -> list[tuple[int, str, str]]:
    """(position, article id, kind) of the entries after ``after`` (up to ``upto``), in order."""
    from sqlalchemy import select

    from newsarchive.storage.models import LogEntry

    query = select(LogEntry.position, LogEntry.article_id, LogEntry.kind).where(LogEntry.position > after)
    if upto is not None:
        query = query.where(LogEntry.position <= upto)
    return [(position, article_id, kind) for position, article_id, kind in session.execute(query.order_by(LogEntry.position))]


def count(session: Session, after: int, upto: int) -> int:
    """How many entries lie after ``after``, up to ``upto``."""
    from sqlalchemy import func, select

    from newsarchive.storage.models import LogEntry

    return session.scalar(select(func.count()).where(LogEntry.position > after, LogEntry.position <= upto)) or 0


def collapse(found: list[tuple[int, str, str]]) -> dict[str, Change]:
    """Each article's last change among these entries (an article stored, then removed, is removed)."""
    return {article_id: Change(position, kind) for position, article_id, kind in found}


def changes(session: Session, after: int, upto: int | None = None) -> dict[str, Change]:
    """Each article's last change after ``after`` (up to ``upto``)."""
    return collapse(entries(session, after, upto))


def sqlite_head(database: Path) -> int | None:
    """The log's head, read from an SQLite file with the standard library alone.

    A search asks this before anything else: when its index is at the head
    there is nothing to catch up, and SQLAlchemy is never imported. None
    when it cannot be read so (no log yet: an older schema; a file SQLite
    cannot open read-only): the caller then opens the database properly.
    """
    import sqlite3
    from urllib.parse import quote

    try:
        connection = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT max(position) FROM change_log").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    value = row[0] if row else None
    return value if isinstance(value, int) else 0 if value is None else None


def sqlite_state(database: Path) -> tuple[int, ...] | None:
    """What changes whenever a commit reaches the SQLite file ``database``: its and its write-ahead log's
    size and modification time. Unchanged, nothing was committed, so the log's head is what it was."""
    try:
        main, wal = database.stat(), Path(f"{database}-wal").stat()
    except OSError:
        return None
    return main.st_size, main.st_mtime_ns, wal.st_size, wal.st_mtime_ns
