"""One unit of work: a transaction that changes articles, committed with its change-log entries.

Every write to articles goes through one (ingest's batches, ``archive remove``,
``check --repair``), so that no change reaches the database without the
entry that tells every search index about it.

Several machines may write to one database at once. A unit of work that
meets another's rows (a deadlock, a row stored or removed between its read
and its write, a serialization failure, a connection lost) is rolled back and
run again (``attempt``), a few times, after a short random pause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from newsarchive.storage import log

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.storage.database import Database
    from newsarchive.storage.models import Article

T = TypeVar("T")

#: Times a unit of work is run before its error is the user's.
ATTEMPTS = 5
#: The longest pause before the first retry, in seconds; it doubles with each.
PAUSE = 0.05
#: SQLSTATEs of a transaction that met another's at the same moment: serialization failure, deadlock,
#: unique and foreign-key violations (a row stored or removed by another writer since it was read).
_RACES = {"40001", "40P01", "23505", "23503"}


class UnitOfWork:
    """``with UnitOfWork(db) as work:`` change ``work.session``, say what changed, ``work.commit()``.

    Leaving the block without a commit rolls everything back.

    ``commit`` flushes the changes, takes the write lock, runs the hooks
    given to ``when_locked`` (they see every transaction committed before
    this one), lets the search engine stage its rows (``Database.stage``),
    then appends the log's entries and commits.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._changes: dict[str, str] = {}
        self._hooks: list[Callable[[Session], None]] = []
        #: The positions the committed entries took in the log.
        self.positions = range(0)

    def __enter__(self) -> UnitOfWork:
        self.session = self._db.sessions()
        self._changes = {}
        self._hooks = []
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.session.rollback()
        self.session.close()

    def stored(self, article_ids: Iterable[str]) -> None:
        """These articles were added or changed."""
        self._note(article_ids, log.STORED)

    def changed(self, article: Article, at: datetime | None = None) -> None:
        """This stored article was changed: its revision goes up (so every index and ``check`` see a
        new version) and the change is logged. ``at`` is when, for its ``updated_at``; None for a
        change the archive makes on its own (a language filled in), which leaves it."""
        article.revision += 1
        if at is not None:
            article.updated_at = at
        self.stored([article.id])

    def removed(self, article_ids: Iterable[str]) -> None:
        """These articles were deleted."""
        self._note(article_ids, log.REMOVED)

    def forget(self, article_id: str) -> None:
        """This article is not changed after all (another writer stored it first): it gets no entry."""
        self._changes.pop(article_id, None)

    def when_locked(self, hook: Callable[[Session], None]) -> None:
        """Run ``hook(session)`` in ``commit`` once the write lock is held, before the entries are written."""
        self._hooks.append(hook)

    def release_copies(self, original_ids: Iterable[str]) -> list[str]:
        """Make the near-duplicate copies of these originals (about to be deleted) stand alone; return their ids.

        Done here rather than left to the foreign key's ON DELETE SET NULL, which would
        change the copies with no entry, and every index would keep them folded under
        an original that is gone. Each copy is logged as stored.
        """
        from sqlalchemy import select, update

        from newsarchive.storage.models import Article

        originals = list(original_ids)
        copies = list(self.session.scalars(select(Article.id).where(Article.duplicate_of.in_(originals))))
        if copies:
            self.session.execute(update(Article).where(Article.id.in_(copies)).values(duplicate_of=None))
            self.stored(copies)
        return copies

    def _note(self, article_ids: Iterable[str], kind: str) -> None:
        for article_id in article_ids:
            self._changes.pop(article_id, None)  # (one entry per article, in the order of its last change)
            self._changes[article_id] = kind

    def commit(self) -> range:
        """Append the entries for what changed and commit it all together; return the entries' positions."""
        if self._changes:
            self.session.flush()  # (every row lock this work needs is taken before the write lock: no deadlock)
            log.claim(self.session)
            for hook in self._hooks:
                hook(self.session)
            if self._db.stage is not None:
                stored = [article_id for article_id, kind in self._changes.items() if kind == log.STORED]
                removed = [article_id for article_id, kind in self._changes.items() if kind == log.REMOVED]
                self._db.stage(self.session, stored, removed)
        self.positions = log.append(self.session, self._changes)
        self.session.commit()
        self._changes = {}
        return self.positions


def attempt(db: Database, work: Callable[[UnitOfWork], T], *, retrying: Callable[[], None] | None = None) -> T:
    """``work(unit)`` in a unit of work of its own, run again when it met another writer's (see ``transient``).

    ``retrying`` is called before each new run (to forget what the failed one left in memory).
    After ``ATTEMPTS`` runs the error is raised.
    """
    import random
    import time

    from sqlalchemy.exc import SQLAlchemyError

    _quiet_driver()
    for run in range(1, ATTEMPTS + 1):
        try:
            with UnitOfWork(db) as unit:
                return work(unit)
        except SQLAlchemyError as error:
            if run == ATTEMPTS or not transient(error):
                raise
        time.sleep(random.uniform(0, PAUSE * 2 ** (run - 1)))  # (apart, so that the two do not meet again)
        if retrying is not None:
            retrying()
    raise AssertionError("unreachable")


def transient(error: BaseException) -> bool:
    """Whether ``error`` is a clash with another writer or a connection lost, which a new run may not meet."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None) or ""  # (SQLite's errors have none: its writers take turns)
    return state in _RACES or state.startswith("08")  # (08: the connection failed)


def _quiet_driver() -> None:
    """Keep psycopg's own warning about a failed pipeline ("error ignored terminating ...: pipeline aborted") off
    stderr: the error itself is raised as well, and is tried again or reported, in one line."""
    import logging

    driver = logging.getLogger("psycopg")
    if not driver.handlers:
        driver.addHandler(logging.NullHandler())
