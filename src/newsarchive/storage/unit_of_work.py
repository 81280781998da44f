"""One unit of work: a transaction that changes articles, committed with its change-log entries.

Every write to articles goes through one (ingest's batches, ``archive remove``,
``check --repair``), so that no change reaches the database without the
entry that tells every search index about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from newsarchive.storage import log

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from newsarchive.storage.models import Article


class UnitOfWork:
    """``with UnitOfWork(db.sessions) as work:`` change ``work.session``, say what changed, ``work.commit()``.

    Leaving the block without a commit rolls everything back. With ``claim``
    the database's write lock is taken first, so that nothing another
    process commits can come between what the work reads and what it writes.
    """

    def __init__(self, sessions: sessionmaker[Session], *, claim: bool = False) -> None:
        self._sessions = sessions
        self._claim = claim
        self._changes: dict[str, str] = {}
        #: The positions the committed entries took in the log.
        self.positions = range(0)

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self._changes = {}
        if self._claim:
            log.claim(self.session)
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
        self.positions = log.append(self.session, self._changes)
        self.session.commit()
        self._changes = {}
        return self.positions
