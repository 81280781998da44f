"""Storing parsed articles: new, changed, unchanged and duplicate files."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsarchive.ingest.draft import ArticleDraft
from newsarchive.ingest.reading import FileStamp
from newsarchive.models import Article, ArticleFile, IndexRemoval

#: Id lengths tried in turn: a prefix of the content hash at first sight, so
#: ids are short to type and the same in every archive that ingests the file.
ID_LENGTHS = (10, 12, 14, 16)


class Outcome(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


def known_stamps(session: Session, paths: list[str]) -> dict[str, tuple[FileStamp, str | None]]:
    """Size, mtime and article source last recorded for each of ``paths`` already in the archive."""
    rows = session.execute(
        select(ArticleFile.path, ArticleFile.size, ArticleFile.mtime_ns, Article.source)
        .join(Article)
        .where(ArticleFile.path.in_(paths))
    )
    return {path: (FileStamp(size, mtime), source) for path, size, mtime, source in rows}


def touch_file(session: Session, path: str, now: datetime) -> None:
    file = session.get(ArticleFile, path)
    if file is not None:
        file.seen_at = now


def store_article(
    session: Session,
    *,
    path: str,
    stamp: FileStamp,
    draft: ArticleDraft,
    source: str | None,
    now: datetime,
) -> tuple[Outcome, Article]:
    """Record that ``path`` holds ``draft``; return what that changed and the article it belongs to.

    Each file belongs to exactly one article, and each distinct text is one
    article: a file whose text is already stored joins that article.
    """
    content_hash = draft.content_hash()
    file = session.get(ArticleFile, path)
    same_text = session.scalar(select(Article).where(Article.content_hash == content_hash))

    if file is not None:
        _restamp(file, stamp, now)
        current = file.article
        if current.content_hash == content_hash:
            if source is not None and current.source != source:
                current.source = source
                _bump(current, now)
                return Outcome.UPDATED, current
            return Outcome.UNCHANGED, current
        if same_text is not None:
            # The file now reads like another stored article: it joins that one,
            # and its old version goes unless another file still holds it.
            _move(file, current, same_text, session)
            return Outcome.UPDATED, same_text
        if len(current.files) == 1:
            _fill(current, draft, content_hash, source)
            _bump(current, now)
            return Outcome.UPDATED, current
        current.files.remove(file)
        session.flush()
        article = _new_article(session, draft, content_hash, source, now)
        article.files.append(_new_file(path, stamp, now))
        return Outcome.NEW, article

    if same_text is not None:
        same_text.files.append(_new_file(path, stamp, now))
        return Outcome.DUPLICATE, same_text
    article = _new_article(session, draft, content_hash, source, now)
    article.files.append(_new_file(path, stamp, now))
    return Outcome.NEW, article


def _move(file: ArticleFile, old: Article, new: Article, session: Session) -> None:
    old.files.remove(file)
    session.flush()
    new.files.append(ArticleFile(path=file.path, size=file.size, mtime_ns=file.mtime_ns, seen_at=file.seen_at))
    if not old.files:
        session.delete(old)
        session.merge(IndexRemoval(article_id=old.id))


def _new_article(session: Session, draft: ArticleDraft, content_hash: str, source: str | None, now: datetime) -> Article:
    article = Article(id=_free_id(session, content_hash), ingested_at=now, updated_at=now, revision=1)
    _fill(article, draft, content_hash, source)
    session.add(article)
    # A pending removal for a reused id would delete the new article from the index.
    removal = session.get(IndexRemoval, article.id)
    if removal is not None:
        session.delete(removal)
    return article


def _free_id(session: Session, content_hash: str) -> str:
    for length in ID_LENGTHS:
        candidate = content_hash[:length]
        if session.get(Article, candidate) is None:
            return candidate
    raise RuntimeError(f"no free article id for content hash {content_hash}")


def _fill(article: Article, draft: ArticleDraft, content_hash: str, source: str | None) -> None:
    article.title = draft.title
    article.description = draft.description
    article.body = [{"kind": block.kind, "text": block.text} for block in draft.blocks]
    published = draft.published
    article.published_at = published.at if published else None
    article.date_text = published.text if published else None
    article.date_precision = published.precision if published else None
    article.authors = list(draft.authors)
    article.url = draft.url
    article.source_domain = draft.source_domain
    article.language = draft.language
    article.content_hash = content_hash
    if source is not None:
        article.source = source


def _bump(article: Article, now: datetime) -> None:
    article.revision += 1
    article.updated_at = now


def _new_file(path: str, stamp: FileStamp, now: datetime) -> ArticleFile:
    return ArticleFile(path=path, size=stamp.size, mtime_ns=stamp.mtime_ns, seen_at=now)


def _restamp(file: ArticleFile, stamp: FileStamp, now: datetime) -> None:
    file.size = stamp.size
    file.mtime_ns = stamp.mtime_ns
    file.seen_at = now
