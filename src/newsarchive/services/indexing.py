"""Keeping a search index in step with the database, which is the source of truth.

Every stored and removed article is an entry in the database's change log
(``storage.log``); each index records the position up to which it has
applied it. ``catch_up`` applies what came after: whatever a crash left
behind (an ingest killed between its database and index commits), and
whatever other processes, with indexes of their own, wrote to the same
database. Every index converges on its own, and only ever for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsarchive.engines.protocol import Document
from newsarchive.errors import DamagedRecord
from newsarchive.reading.draft import join_blocks
from newsarchive.storage import log

# (SQLAlchemy is imported where there is work for the database: a search whose
# index is at the log's head reads the head with the standard library alone.)
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.engines.protocol import IndexWriter, SearchEngine
    from newsarchive.services.progress import Progress
    from newsarchive.storage.database import Database
    from newsarchive.storage.models import Article

@dataclass(frozen=True)
class SyncResult:
    indexed: int
    removed: int
    rebuilt: bool
    #: Articles left out because a value of theirs cannot be read (they stay unindexed).
    damaged: tuple[DamagedRecord, ...] = ()


def article_document(article: Article) -> Document:
    published = article.published_at
    return Document(
        id=article.id,
        title=article.title,
        description=article.description or "",
        body=join_blocks(block["text"] for block in article.body),
        published=published.replace(tzinfo=None) if published else None,
        precision=article.date_precision,
        offset=article.published_offset,
        source=article.source,
        revision=article.revision,
        authors=tuple(article.authors),
        language=article.language,
        duplicate_of=article.duplicate_of,
    )


def _collecting(
    on_damaged: Callable[[DamagedRecord], None] | None,
) -> tuple[list[DamagedRecord], Callable[[DamagedRecord], None]]:
    """A list for the result, and a callback that adds each damaged article to it and passes it on to ``on_damaged``."""
    damaged: list[DamagedRecord] = []

    def note(error: DamagedRecord) -> None:
        damaged.append(error)
        if on_damaged is not None:
            on_damaged(error)

    return damaged, note


def catch_up(
    db: Database, engine: SearchEngine, on_damaged: Callable[[DamagedRecord], None] | None = None
) -> SyncResult:
    """Apply the change log after the index's position to the index, and record the new position.

    Each article's last change counts: a stored one is replaced from the
    database as it is now (deleted, if it was removed since), a removed one
    is deleted. A missing index, or one built by another schema version, is
    rebuilt whole. An engine that does not follow the log (its rows are
    written by each unit of work, ``SearchEngine.stage``) is only rebuilt so. An article with a value that cannot be read goes to
    ``on_damaged`` and stays out of the index.
    """
    damaged, note = _collecting(on_damaged)
    _refuse_an_emptied_database(db, engine)
    if not engine.is_current():
        indexed = rebuild(db, engine, on_damaged=note)
        return SyncResult(indexed=indexed, removed=0, rebuilt=True, damaged=tuple(damaged))
    if not engine.follows_log:
        return SyncResult(indexed=0, removed=0, rebuilt=False)  # (written with each change: nothing to catch up)
    position = engine.position()
    with db.sessions() as session:
        head = log.head(session)
        if head <= position:
            return SyncResult(indexed=0, removed=0, rebuilt=False)
        changes = log.changes(session, position, head)
    stored = sorted(article_id for article_id, change in changes.items() if change.kind == log.STORED)
    writer = engine.writer(engine.workers_for(len(stored)))
    try:
        indexed, removed = apply_changes(db, writer, changes, note)
        writer.commit(head)
        writer.merge()
    finally:
        writer.close()
    return SyncResult(indexed=indexed, removed=removed, rebuilt=False, damaged=tuple(damaged))


def apply_changes(
    db: Database, writer: IndexWriter, changes: dict[str, log.Change], on_damaged: Callable[[DamagedRecord], None]
) -> tuple[int, int]:
    """Write these changes to the index (without committing); return how many were indexed and deleted.

    The writer must not hold an uncommitted document of any of these articles.
    """
    from newsarchive.storage.loading import iter_articles

    stored = sorted(article_id for article_id, change in changes.items() if change.kind == log.STORED)
    gone = {article_id for article_id, change in changes.items() if change.kind == log.REMOVED}
    found: set[str] = set()
    unreadable: set[str] = set()

    def skip(error: DamagedRecord) -> None:
        unreadable.add(error.article_id)
        on_damaged(error)

    for article in iter_articles(db.sessions, stored, on_damaged=skip):
        writer.replace(article_document(article))
        found.add(article.id)
    gone |= set(stored) - found - unreadable  # removed since its entry: the log says so further on
    for article_id in sorted(gone):
        writer.delete(article_id)
    return len(found), len(gone)


def _refuse_an_emptied_database(db: Database, engine: SearchEngine) -> None:
    """Refuse to write beside an index of articles that a database without any knows nothing of.

    A database whose every article was removed by us is fine: the change log
    ends each article that is gone with its removal. An engine whose rows are
    in the database itself (it follows no log) is never asked: its rows are
    written and deleted in the articles' own transactions, so they cannot
    outlive them, and on a server another machine's first articles may land
    between the look at the articles here and the count of its rows.
    """
    if not engine.follows_log:
        return
    from sqlalchemy import select

    from newsarchive.storage.models import Article

    with db.sessions() as session:  # (any article: a question, not a count)
        if session.scalar(select(Article.id).limit(1)) is not None:
            return
        last = log.changes(session, 0).values()  # (only read when there is no article: then it is short work)
        if last and all(change.kind == log.REMOVED for change in last):
            return  # every article was removed, as the log says
    from newsarchive.engines import documents_held
    from newsarchive.storage.database import refuse_beside_a_full_index

    refuse_beside_a_full_index(documents_held(engine))


class IndexFeed:
    """Feeds the articles an ingest stores to one index writer, and records how far into the log it has come.

    Documents are written as their batches are stored (so the work is spread
    over the run) and committed every ``commit_every`` articles, whenever the
    writer's memory is full, and at the end. Each commit records the last
    log position applied; entries that other processes appended in between
    (another home's ingest, a removal) are applied from the database first,
    so that the position never passes over a change the index lacks. A crash
    before a commit leaves those entries after the index's position, and
    the next catch-up applies them: nothing is lost, and ``replace`` never
    leaves two copies. A writer cannot take back a document it has not
    committed yet, so an article fed twice between commits (rare) first
    commits what came before.

    With ``processes`` > 1 the segments are built in that many worker
    processes, beside the storing in this one. For an engine that does not
    follow the log, the feed does nothing: each batch's unit of work wrote
    its rows before it committed (``SearchEngine.stage``).
    """

    def __init__(self, db: Database, engine: SearchEngine, commit_every: int = 25_000, processes: int = 1) -> None:
        self.db = db
        self.engine = engine
        self.commit_every = commit_every
        self.processes = processes
        self.writer: IndexWriter | None = None
        #: The log position the index has applied (committed).
        self.applied = engine.position()
        #: Each fed article's log position, and whether it was added (not replaced); not committed yet.
        self.written: dict[str, int] = {}
        self.removals: dict[str, int] = {}
        #: The positions fed since the last commit: how many, and the last.
        self.fed = 0
        self.last = self.applied
        self.damaged: list[DamagedRecord] = []
        if processes > 1:  # start the workers now, before the caller starts threads of its own
            self.writer = engine.writer(processes)

    def feed(self, new: Iterable[Article], changed: Iterable[Article], removed: Iterable[str], positions: range) -> None:
        """Write one committed batch's changes, whose log entries took ``positions``."""
        if not self.engine.follows_log:
            return
        last = positions[-1] if positions else self.last
        for article_id in removed:
            self._writer_for(article_id).delete(article_id)
            self.removals[article_id] = last
        for article in new:
            self._writer_for(article.id).add(article_document(article))
            self.written[article.id] = last
        for article in changed:
            self._writer_for(article.id).replace(article_document(article))
            self.written[article.id] = last
        self.fed += len(positions)
        self.last = max(self.last, last)
        if len(self.written) >= self.commit_every or (self.writer is not None and self.writer.full()):
            self.commit()

    def _writer_for(self, article_id: str) -> IndexWriter:
        if article_id in self.written:
            self.commit()
        if self.writer is None:
            self.writer = self.engine.writer(self.processes)
        return self.writer

    def commit(self) -> None:
        """Commit what was fed, with the other processes' entries up to the last position fed."""
        if not self.engine.follows_log:
            return
        if self.last <= self.applied:
            return
        writer = self._writer_for_commit()
        others, before = self._others()
        for article_id in before:
            writer.delete(article_id)  # an older copy committed before (a writer deletes only those)
        if any(article_id in self.written for article_id in others):
            writer.commit(self.applied)  # (the writer cannot replace what it has not committed)
            self.written.clear()
        apply_changes(self.db, writer, others, self.damaged.append)
        writer.commit(self.last)
        self.applied = self.last
        self.written.clear()
        self.removals.clear()
        self.fed = 0

    def _writer_for_commit(self) -> IndexWriter:
        if self.writer is None:
            self.writer = self.engine.writer(self.processes)
        return self.writer

    def _others(self) -> tuple[dict[str, log.Change], list[str]]:
        """The changes up to the last position fed that other processes logged: each article's last
        one that came after this feed's own, and the articles this feed wrote after another's change."""
        with self.db.sessions() as session:
            if log.count(session, self.applied, self.last) == self.fed:
                return {}, []  # (the usual case: every entry is this ingest's own)
            found = log.changes(session, self.applied, self.last)
        mine = {**self.removals, **self.written}
        later = {article_id: change for article_id, change in found.items() if change.position > mine.get(article_id, 0)}
        before = [article_id for article_id in self.written if article_id in found and article_id not in later]
        return later, before

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """At the end of a run, after the last ``commit``: merge the index's segments that are due."""
        if self.writer is not None:
            self.writer.merge(announce)

    def close(self) -> None:
        """Drop what is not committed (the next catch-up applies it from the log) and let go."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def rebuild(
    db: Database,
    engine: SearchEngine,
    progress: Progress | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> int:
    """Build the index anew from every article in the database; return how many were indexed.

    The log's head is read before the articles, so that whatever is stored
    meanwhile is applied again by the next catch-up, never passed over.
    Articles with a value that cannot be read go to ``on_damaged`` (see
    ``storage.loading.iter_articles``) and stay unindexed.
    """
    from sqlalchemy import select

    from newsarchive.storage.database import readable_keys
    from newsarchive.storage.loading import iter_articles
    from newsarchive.storage.models import Article

    with db.sessions() as session:
        head = log.head(session)
        ids = readable_keys(session, select(Article.id).order_by(Article.id), on_damaged)

    def documents() -> Iterator[Document]:
        for article in iter_articles(db.sessions, ids, on_damaged=on_damaged):
            yield article_document(article)
            if progress is not None:
                progress.advance(1)

    return engine.rebuild(documents(), head, processes=engine.workers_for(len(ids)))


def pending_counts(session: Session, position: int) -> tuple[int, int]:
    """How many articles an index at ``position`` has yet to index, and how many to remove (by the log)."""
    changes = log.changes(session, position).values()
    return sum(change.kind == log.STORED for change in changes), sum(change.kind == log.REMOVED for change in changes)


def reindex_archive(
    db: Database,
    engine: SearchEngine,
    *,
    progress: Progress | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> SyncResult:
    """Rebuild the search index from the database (``archive reindex``), after recording the language
    of the articles stored without one (``fill_languages``; ``progress`` announces how many).

    An article with a value that cannot be read is left out, passed to
    ``on_damaged`` and listed in the result; the others are indexed. The caller holds the writer's lock.
    """
    from sqlalchemy import func, select

    from newsarchive.services.languages import fill_languages
    from newsarchive.services.progress import Progress
    from newsarchive.storage.models import Article

    progress = progress or Progress()
    damaged, note = _collecting(on_damaged)
    fill_languages(db, progress)
    with db.sessions() as session:
        progress.begin(session.scalar(select(func.count()).select_from(Article)) or 0)
    indexed = rebuild(db, engine, progress, on_damaged=note)
    return SyncResult(indexed=indexed, removed=0, rebuilt=True, damaged=tuple(damaged))
