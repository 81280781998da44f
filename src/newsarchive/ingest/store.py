"""Storing parsed articles: new, changed, unchanged and duplicate files."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from newsarchive.ingest.draft import ArticleDraft
from newsarchive.ingest.reading import FileStamp, ReadArticle
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


class BatchStore:
    """Stores one batch of read articles in one session.

    Everything the batch needs from the database (its files, the articles
    with the same texts, the ids those texts would take) is loaded in a few
    queries up front; the rest happens in memory, so storing costs no query
    per file.
    """

    def __init__(self, session: Session, reads: list[ReadArticle], *, source: str | None, now: datetime) -> None:
        self.session = session
        self.source = source
        self.now = now
        #: Ids of articles this batch deleted (their last file now reads like another article).
        self.removed: list[str] = []
        paths = [str(read.path) for read in reads]
        hashes = [read.draft.content_hash() for read in reads]
        self.hashes = dict(zip(paths, hashes))
        self.files: dict[str, ArticleFile] = {
            file.path: file
            for file in session.scalars(
                select(ArticleFile)
                .where(ArticleFile.path.in_(paths))
                .options(selectinload(ArticleFile.article).selectinload(Article.files))
            )
        }
        self.by_hash: dict[str, Article] = {
            article.content_hash: article
            for article in session.scalars(
                select(Article).where(Article.content_hash.in_(hashes)).options(selectinload(Article.files))
            )
        }
        for file in self.files.values():
            self.by_hash.setdefault(file.article.content_hash, file.article)
        self.taken_ids: set[str] = set(
            session.scalars(select(Article.id).where(Article.id.in_({h[: ID_LENGTHS[0]] for h in hashes})))
        )

    def store(self, read: ReadArticle) -> tuple[Outcome, Article]:
        """Record that the file holds the article read from it.

        Each file belongs to exactly one article, and each distinct text is
        one article: a file whose text is already stored joins that article.
        """
        with self.session.no_autoflush:
            return self._store(str(read.path), read.stamp, read.draft, self.hashes[str(read.path)])

    def _store(self, path: str, stamp: FileStamp, draft: ArticleDraft, content_hash: str) -> tuple[Outcome, Article]:
        file = self.files.get(path)
        same_text = self.by_hash.get(content_hash)
        if file is not None:
            _restamp(file, stamp, self.now)
            current = file.article
            if current.content_hash == content_hash:
                if self.source is not None and current.source != self.source:
                    current.source = self.source
                    _bump(current, self.now)
                    return Outcome.UPDATED, current
                return Outcome.UNCHANGED, current
            if same_text is not None:
                # The file now reads like another stored article: it joins that
                # one, and its old version goes unless another file still holds it.
                self._move(file, current, same_text)
                return Outcome.UPDATED, same_text
            if len(current.files) == 1:
                del self.by_hash[current.content_hash]
                self._fill(current, draft, content_hash)
                _bump(current, self.now)
                return Outcome.UPDATED, current
            current.files.remove(file)
            self.session.flush()
            return Outcome.NEW, self._new_article(path, stamp, draft, content_hash)
        if same_text is not None:
            self._attach(same_text, path, stamp)
            return Outcome.DUPLICATE, same_text
        return Outcome.NEW, self._new_article(path, stamp, draft, content_hash)

    def _move(self, file: ArticleFile, old: Article, new: Article) -> None:
        old.files.remove(file)
        self.session.flush()
        self._attach(new, file.path, FileStamp(file.size, file.mtime_ns))
        if not old.files:
            del self.by_hash[old.content_hash]
            self.session.delete(old)
            self.session.merge(IndexRemoval(article_id=old.id))
            self.removed.append(old.id)

    def _attach(self, article: Article, path: str, stamp: FileStamp) -> None:
        file = ArticleFile(path=path, size=stamp.size, mtime_ns=stamp.mtime_ns, seen_at=self.now)
        article.files.append(file)
        self.files[path] = file

    def _new_article(self, path: str, stamp: FileStamp, draft: ArticleDraft, content_hash: str) -> Article:
        article = Article(id=self._free_id(content_hash), ingested_at=self.now, updated_at=self.now, revision=1)
        self._fill(article, draft, content_hash)
        self.session.add(article)
        self._attach(article, path, stamp)
        return article

    def _free_id(self, content_hash: str) -> str:
        for length in ID_LENGTHS:
            candidate = content_hash[:length]
            if candidate in self.taken_ids:
                continue
            if length == ID_LENGTHS[0] or self.session.get(Article, candidate) is None:
                self.taken_ids.add(candidate)
                return candidate
        raise RuntimeError(f"no free article id for content hash {content_hash}")

    def _fill(self, article: Article, draft: ArticleDraft, content_hash: str) -> None:
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
        if self.source is not None:
            article.source = self.source
        self.by_hash[content_hash] = article


def _bump(article: Article, now: datetime) -> None:
    article.revision += 1
    article.updated_at = now


def _restamp(file: ArticleFile, stamp: FileStamp, now: datetime) -> None:
    file.size = stamp.size
    file.mtime_ns = stamp.mtime_ns
    file.seen_at = now
