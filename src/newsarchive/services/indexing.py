"""Keeping the search index in step with the database, which is the source of truth.

An article is indexed when its ``indexed_revision`` equals its ``revision``.
The database commits first and the index follows; whatever a crash leaves
behind in between (articles not yet indexed, removals not yet made) is
finished by ``sync_index`` at the start of the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import ArchiveConfig
from newsarchive.engines.protocol import Document
from newsarchive.errors import ArchiveError, DamagedRecord
from newsarchive.render.progress import Progress
from newsarchive.storage.database import Database
from newsarchive.storage.models import Article, IndexRemoval

if TYPE_CHECKING:
    from newsarchive.engines.protocol import IndexWriter

REBUILD_BATCH = 500


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
        body="\n".join(block["text"] for block in article.body),
        published=published.replace(tzinfo=None) if published else None,
        precision=article.date_precision,
        offset=article.published_offset,
        source=article.source,
        revision=article.revision,
        authors=tuple(article.authors),
        language=article.language,
        duplicate_of=article.duplicate_of,
    )


def _stale():  # type: ignore[no-untyped-def]
    return or_(Article.indexed_revision.is_(None), Article.indexed_revision != Article.revision)


def sync_index(db: Database, config: ArchiveConfig) -> SyncResult:
    """Index every article whose index entry is stale and make the pending removals.

    A missing index, or one built by another schema version, is rebuilt whole.
    """
    from newsarchive.engines.whoosh.store import index_is_current, write_index

    damaged: list[DamagedRecord] = []
    _refuse_an_emptied_database(db, config)
    if not index_is_current(config.index_dir):
        indexed = rebuild(db, config, on_damaged=damaged.append)
        return SyncResult(indexed=indexed, removed=0, rebuilt=True, damaged=tuple(damaged))
    with db.sessions() as session:
        if pending_counts(session) == (0, 0):
            return SyncResult(indexed=0, removed=0, rebuilt=False)
        removals = session.scalars(select(IndexRemoval.article_id)).all()
        stale = session.scalars(select(Article.id).where(_stale()).order_by(Article.id)).all()
        done: list[tuple[str, int]] = []
        with write_index(config.index_dir) as writer:
            for article_id in removals:
                writer.delete(article_id)
            for article in iter_articles(db.sessions, stale, on_damaged=damaged.append):
                writer.replace(article_document(article))
                done.append((article.id, article.revision))
        mark_indexed(session, done, removals)
        session.commit()
    return SyncResult(indexed=len(done), removed=len(removals), rebuilt=False, damaged=tuple(damaged))


def _refuse_an_emptied_database(db: Database, config: ArchiveConfig) -> None:
    """Refuse to write beside an index of articles that a database without any knows nothing of.

    None of our own writes leaves it so (a removal is recorded until the index
    has made it): the database was emptied or replaced, and the index holds
    the last copies of its articles. `archive reindex` empties the index on purpose.
    """
    from newsarchive.storage.database import indexed_articles

    with db.sessions() as session:  # (any article, or any removal on record: a question, not a count)
        if session.scalar(select(Article.id).limit(1)) is not None:
            return
        if session.scalar(select(IndexRemoval.article_id).limit(1)) is not None:
            return
    indexed = indexed_articles(config)
    if indexed:
        raise ArchiveError(
            f"the archive database holds no articles, while its search index holds {indexed}: "
            "the database looks emptied or replaced",
            hint="restore archive.db from a backup; or `archive reindex` empties the index to match it",
        )


class IndexFeed:
    """Feeds the articles an ingest stores to one index writer.

    Documents are written as their batches are stored (so the work is spread
    over the run) and committed every ``commit_every`` articles, whenever the
    writer's memory is full, and at the end; each index commit is followed
    by marking its articles indexed in the database. A crash in between
    leaves them stale in the database, and the next run indexes them again:
    nothing is lost, and ``replace`` never leaves two copies. A writer cannot
    take back a document it has not committed yet, so an article fed twice
    between commits (rare) first commits what came before.

    With ``processes`` > 1 the segments are built in that many worker
    processes, beside the storing in this one.
    """

    def __init__(self, db: Database, config: ArchiveConfig, commit_every: int = 25_000, processes: int = 1) -> None:
        self.db = db
        self.config = config
        self.commit_every = commit_every
        self.processes = processes
        self.writer: IndexWriter | None = None
        self.written: dict[str, int] = {}  # id -> revision, not committed yet
        self.removals: set[str] = set()
        if processes > 1:  # start the workers now, before the caller starts threads of its own
            from newsarchive.engines import open_engine

            self.writer = open_engine(config).writer(processes)

    def feed(self, new: Iterable[Article], changed: Iterable[Article], removed: Iterable[str]) -> None:
        for article_id in removed:
            self._writer_for(article_id).delete(article_id)
            self.removals.add(article_id)
        for article in new:
            self._writer_for(article.id).add(article_document(article))
            self.written[article.id] = article.revision
        for article in changed:
            self._writer_for(article.id).replace(article_document(article))
            self.written[article.id] = article.revision
        if len(self.written) >= self.commit_every or (self.writer is not None and self.writer.full()):
            self.commit()

    def _writer_for(self, article_id: str) -> IndexWriter:
        from newsarchive.engines import open_engine

        if article_id in self.written:
            self.commit()
        if self.writer is None:
            self.writer = open_engine(self.config).writer(self.processes)
        return self.writer

    def commit(self) -> None:
        if self.writer is None or not (self.written or self.removals):
            return
        self.writer.commit()
        with self.db.sessions() as session:
            mark_indexed(session, list(self.written.items()), self.removals)
            session.commit()
        self.written.clear()
        self.removals.clear()

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """At the end of a run, after the last ``commit``: merge the index's segments that are due."""
        if self.writer is not None:
            self.writer.merge(announce)

    def close(self) -> None:
        """Drop what is not committed (those articles stay stale and the next run indexes them) and let go."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def mark_indexed(session: Session, done: list[tuple[str, int]], removals: Iterable[str]) -> None:
    # Guarded by the revision, so an article changed meanwhile stays stale.
    table = Article.__table__
    assert isinstance(table, Table)
    if done:
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("article_id"), table.c.revision == bindparam("indexed"))
            .values(indexed_revision=bindparam("indexed")),
            [{"article_id": article_id, "indexed": revision} for article_id, revision in done],
        )
    removal_ids = list(removals)
    if removal_ids:
        session.execute(delete(IndexRemoval).where(IndexRemoval.article_id.in_(removal_ids)))


def rebuild(
    db: Database,
    config: ArchiveConfig,
    progress: Progress | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> int:
    """Build the index anew from every article in the database; return how many were indexed.

    Articles with a value that cannot be read go to ``on_damaged`` (see ``iter_articles``) and stay unindexed.
    """
    from newsarchive.engines import open_engine
    from newsarchive.storage.database import readable_keys

    done: list[tuple[str, int]] = []
    with db.sessions() as session:
        ids = readable_keys(session, select(Article.id).order_by(Article.id), on_damaged)

    def documents() -> Iterator[Document]:
        for article in iter_articles(db.sessions, ids, on_damaged=on_damaged):
            done.append((article.id, article.revision))
            yield article_document(article)
            if progress is not None:
                progress.advance(1)

    engine = open_engine(config)
    count = engine.rebuild(documents(), 0, processes=engine.workers_for(len(ids)))
    with db.sessions() as session:
        session.execute(update(Article).values(indexed_revision=None))
        mark_indexed(session, done, session.scalars(select(IndexRemoval.article_id)).all())
        session.commit()
    return count


def iter_articles(
    sessions: sessionmaker[Session],
    ids: Sequence[str],
    chunk: int = REBUILD_BATCH,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> Iterator[Article]:
    """The articles with these ids, in this order, loaded a chunk at a time so memory stays flat.

    A row with a value that cannot be read (see ``db.damaged_record``) is
    passed to ``on_damaged`` and left out, and the others still come; with
    no ``on_damaged`` it is raised.
    """
    for start in range(0, len(ids), chunk):
        wanted = ids[start : start + chunk]
        with sessions() as session:
            found = load_articles(session, wanted, on_damaged)
            yield from (found[article_id] for article_id in wanted if article_id in found)


def load_articles(
    session: Session, ids: Sequence[str], on_damaged: Callable[[DamagedRecord], None] | None = None
) -> dict[str, Article]:
    """The articles with these ids (with their files), by id; a damaged row goes to ``on_damaged``, else is raised."""
    from sqlalchemy.orm import selectinload

    from newsarchive.storage.database import DAMAGE_ERRORS, ROW_ERRORS, damaged_record, unreadable

    def load(wanted: Sequence[str]) -> dict[str, Article]:
        query = select(Article).where(Article.id.in_(wanted)).options(selectinload(Article.files))
        return {article.id: article for article in session.scalars(query)}

    try:
        return load(ids)
    except (*ROW_ERRORS, *DAMAGE_ERRORS) as exc:
        if not unreadable(exc):
            raise
        # One row or more is damaged (or lies in a damaged part of the file):
        # load them one at a time, to keep the others.
    found: dict[str, Article] = {}
    for article_id in ids:
        try:
            found.update(load([article_id]))
        except (*ROW_ERRORS, *DAMAGE_ERRORS) as exc:
            if not unreadable(exc):
                raise
            error = damaged_record(session, Article, article_id)
            if on_damaged is None:
                raise error from None
            on_damaged(error)
    return found


def pending_counts(session: Session) -> tuple[int, int]:
    """How many articles wait to be indexed, and how many index entries wait to be removed."""
    from sqlalchemy import func

    stale = session.scalar(select(func.count()).select_from(Article).where(_stale())) or 0
    removals = session.scalar(select(func.count()).select_from(IndexRemoval)) or 0
    return stale, removals


def reindex_archive(
    db: Database,
    config: ArchiveConfig,
    *,
    progress: Progress | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> SyncResult:
    """Rebuild the search index from the database (``archive reindex``).

    An article with a value that cannot be read is left out, passed to
    ``on_damaged`` and listed in the result; the others are indexed. The caller holds the writer's lock.
    """
    from sqlalchemy import func

    progress = progress or Progress()
    damaged: list[DamagedRecord] = []

    def note(error: DamagedRecord) -> None:
        damaged.append(error)
        if on_damaged is not None:
            on_damaged(error)

    with db.sessions() as session:
        progress.begin(session.scalar(select(func.count()).select_from(Article)) or 0)
    indexed = rebuild(db, config, progress, on_damaged=note)
    return SyncResult(indexed=indexed, removed=0, rebuilt=True, damaged=tuple(damaged))
