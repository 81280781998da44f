"""Reading articles and archive facts from the database, as plain records."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive.config import ArchiveConfig, redacted
from newsarchive.errors import DamagedRecord, IndexUnavailable
from newsarchive.storage.database import Database
from newsarchive.storage.models import Article, ArticleFile, SourceFile

if TYPE_CHECKING:
    from newsarchive.engines.protocol import SearchEngine


@dataclass(frozen=True)
class ArticleRecord:
    """Everything stored about one article, in news-please's field meanings."""

    id: str
    title: str
    description: str | None
    blocks: list[dict[str, str]]
    published_at: datetime | None
    published_offset: int | None
    date_text: str | None
    date_precision: str | None
    source: str | None
    source_domain: str | None
    url: str | None
    authors: list[str]
    language: str | None
    content_hash: str
    files: list[str]
    ingested_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, article: Article) -> ArticleRecord:
        return cls(
            id=article.id,
            title=article.title,
            description=article.description,
            blocks=list(article.body),
            published_at=article.published_at,
            published_offset=article.published_offset,
            date_text=article.date_text,
            date_precision=article.date_precision,
            source=article.source,
            source_domain=article.source_domain,
            url=article.url,
            authors=list(article.authors),
            language=article.language,
            content_hash=article.content_hash,
            files=[file.location for file in article.files],
            ingested_at=article.ingested_at,
            updated_at=article.updated_at,
        )


@dataclass(frozen=True)
class ArchiveInfo:
    home: Path
    database_url: str
    index_dir: Path
    schema_revision: str
    articles: int
    files: int
    undated: int
    oldest: datetime | None
    newest: datetime | None
    sources: int
    index_documents: int | None
    pending_index: int
    pending_removals: int
    #: Why the search index cannot be read (damaged, unreadable), when it cannot.
    index_problem: str | None = None
    #: The search engine this machine searches with (``storage.settings.chosen_engine``).
    engine: str = "whoosh"
    #: Where the commands that only read read from, when not from ``database_url`` ($ARCHIVE_READ_DATABASE_URL).
    read_database_url: str | None = None
    #: Whether the engine's index is ``index_dir`` in the home (else its rows are in the database).
    local_index: bool = True

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def get_article(db: Database, config: ArchiveConfig, article_id: str) -> ArticleRecord:
    """The article with this id, or with this unambiguous id prefix."""
    from newsarchive.ids import whole_ids
    from newsarchive.storage.dialects import Dialect
    from newsarchive.storage.loading import load_articles

    dialect = Dialect.for_url(config.reads_from)
    where = f" in the archive at {config.home}" if dialect.name == "sqlite" else f" in the archive in {dialect.named(config.reads_from)}"
    with db.sessions() as session:
        starting_with = partial(ids_starting_with, session)
        [wanted] = whole_ids([article_id], starting_with, where=where)
        return ArticleRecord.from_model(load_articles(session, [wanted])[wanted])


def ids_starting_with(session: Session, text: str, limit: int) -> list[str]:
    """Up to ``limit`` ids of the database's articles that begin with ``text``, in order (``ids.whole_ids``)."""
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    starting = select(Article.id).where(Article.id.like(pattern, escape="\\"))
    return list(session.scalars(starting.order_by(Article.id).limit(limit)))


def archive_info(db: Database, config: ArchiveConfig, engine: SearchEngine) -> ArchiveInfo:
    """What the archive holds, and how many documents its search ``engine`` does."""
    from newsarchive.services.indexing import pending_counts

    with db.sessions() as session:
        articles, undated, sources = session.execute(
            select(
                func.count(Article.id),
                func.count(Article.id).filter(Article.published_at.is_(None)),
                func.count(func.distinct(Article.source)),
            )
        ).one()
        oldest, newest = _date_range(session, config.on_damaged)
        files = session.scalar(select(func.count()).select_from(SourceFile)) or 0
        pending, removals = pending_counts(session, engine.position())
    documents, problem = None, None
    if engine.exists():
        try:
            documents = engine.document_count()
        except IndexUnavailable as exc:  # info says what the archive is, damage included
            problem = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    return ArchiveInfo(
        home=config.home,
        database_url=redacted(config.database_url),
        index_dir=config.index_dir,
        schema_revision=db.revision,
        articles=articles,
        files=files,
        undated=undated,
        oldest=oldest,
        newest=newest,
        sources=sources,
        index_documents=documents,
        local_index=engine.follows_log,
        pending_index=pending,
        pending_removals=removals,
        index_problem=problem,
        engine=engine.name,
        read_database_url=redacted(config.read_database_url) if config.read_database_url else None,
    )


def _date_range(session: Session, on_damaged: Callable[[DamagedRecord], None] | None) -> tuple[datetime | None, datetime | None]:
    """The oldest and newest publication dates, passing over (and reporting) dates that cannot be read."""
    from newsarchive.storage.database import ROW_ERRORS

    try:
        oldest, newest = session.execute(select(func.min(Article.published_at), func.max(Article.published_at))).one()
        return oldest, newest
    except ROW_ERRORS:
        pass  # a date that does not read sorts as text, at one end or the other: walk in from each end
    reported: set[str] = set()

    def first_readable(order: Any) -> datetime | None:
        from newsarchive.storage.database import damaged_record

        dated = select(Article.id).where(Article.published_at.is_not(None)).order_by(order, Article.id)
        for offset in itertools.count():
            article_id = session.scalar(dated.offset(offset).limit(1))
            if article_id is None:
                return None
            try:
                return session.scalar(select(Article.published_at).where(Article.id == article_id))
            except ROW_ERRORS:
                error = damaged_record(session, Article, article_id)
                if on_damaged is None:
                    raise error from None
                if article_id not in reported:
                    reported.add(article_id)
                    on_damaged(error)
        return None  # (never reached: the ids run out first)

    return first_readable(Article.published_at.asc()), first_readable(Article.published_at.desc())


@dataclass(frozen=True)
class ArticleBrief:
    id: str
    title: str
    published_at: datetime | None
    files: list[str]
    similarity: float | None = None
    precision: str | None = None
    source: str | None = None
    published_offset: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class DuplicateGroup:
    """An article with its copies: identical files (in ``original.files``) and near-duplicates."""

    original: ArticleBrief
    copies: list[ArticleBrief]


def duplicate_groups(db: Database, config: ArchiveConfig, *, limit: int | None = None) -> list[DuplicateGroup]:
    """Every article that has copies, most copied first."""
    from sqlalchemy.orm import aliased

    from newsarchive.storage.loading import load_articles

    with db.sessions() as session:
        copy = aliased(Article)
        near_counts: dict[str, int] = {
            str(original): count
            for original, count in session.execute(
                select(copy.duplicate_of, func.count()).where(copy.duplicate_of.is_not(None)).group_by(copy.duplicate_of)
            )
        }
        file_counts: dict[str, int] = {
            article_id: count
            for article_id, count in session.execute(
                select(ArticleFile.article_id, func.count()).group_by(ArticleFile.article_id).having(func.count() > 1)
            )
        }
        ranked = sorted(
            set(near_counts) | set(file_counts),
            key=lambda article_id: (-(near_counts.get(article_id, 0) + file_counts.get(article_id, 1) - 1), article_id),
        )[:limit]
        originals = load_articles(session, ranked, config.on_damaged)
        copy_ids = session.scalars(select(Article.id).where(Article.duplicate_of.in_(ranked))).all()
        copies: dict[str, list[Article]] = {}
        for article in load_articles(session, copy_ids, config.on_damaged).values():
            copies.setdefault(article.duplicate_of or "", []).append(article)
        return [
            _group(originals[article_id], sorted(copies.get(article_id, []), key=lambda near: near.id))
            for article_id in ranked
            if article_id in originals
        ]


def copies_of(db: Database, config: ArchiveConfig, article_id: str) -> DuplicateGroup | None:
    """The group one article (its whole id) belongs to: its original and the original's near-duplicates,
    the similarity of each to the original; None when it is neither a copy nor copied."""
    from newsarchive.storage.loading import load_articles

    with db.sessions() as session:
        original_id = session.scalar(select(Article.duplicate_of).where(Article.id == article_id)) or article_id
        copy_ids = list(session.scalars(select(Article.id).where(Article.duplicate_of == original_id).order_by(Article.id)))
        if not copy_ids:
            return None
        loaded = load_articles(session, [original_id, *copy_ids], config.on_damaged)
        original = loaded.get(original_id)
        if original is None:
            return None
        return _group(original, [loaded[near] for near in copy_ids if near in loaded])


def _group(original: Article, copies: Iterable[Article]) -> DuplicateGroup:
    """An original and its near-duplicates, in the order given, each with its similarity to the original."""
    return DuplicateGroup(original=_brief(original), copies=[_brief(near, _similarity(near, original)) for near in copies])


def _similarity(copy: Article, original: Article) -> float | None:
    from newsarchive.reading.neardup import similarity

    if copy.sketch is None or original.sketch is None:
        return None
    return similarity(copy.sketch, original.sketch)


def _brief(article: Article, similarity: float | None = None) -> ArticleBrief:
    return ArticleBrief(
        id=article.id,
        title=article.title,
        published_at=article.published_at,
        files=[file.location for file in article.files],
        similarity=similarity,
        precision=article.date_precision,
        source=article.source,
        published_offset=article.published_offset,
        language=article.language,
    )


@dataclass(frozen=True)
class ArticlePage:
    total: int
    articles: list[ArticleBrief]
    limit: int = 20
    page: int = 1


def list_articles(
    db: Database,
    config: ArchiveConfig,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    source: str | None = None,
    limit: int = 20,
    page: int = 1,
) -> ArticlePage:
    """Articles newest first (undated last), filtered by date and source, one page at a time."""
    from newsarchive.storage.loading import load_articles

    conditions = []
    if since is not None:
        conditions.append(Article.published_at >= since)
    if until is not None:
        conditions.append(Article.published_at <= until)
    if source is not None:
        conditions.append(Article.source == source)
    with db.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Article).where(*conditions)) or 0
        ids = session.scalars(
            select(Article.id)
            .where(*conditions)
            .order_by(Article.published_at.is_(None), Article.published_at.desc(), Article.id)
            .offset((page - 1) * limit)
            .limit(limit)
        ).all()
        found = load_articles(session, ids, config.on_damaged)
        return ArticlePage(total=total, articles=[_brief(found[i]) for i in ids if i in found], limit=limit, page=page)
