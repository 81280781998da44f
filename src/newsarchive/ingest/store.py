"""Storing what was read: new, changed, unchanged and duplicate articles.

One article per distinct text, and one per URL: a file or item whose text
(or URL) is already stored joins that article instead of doubling it. Each
(file, item) belongs to exactly one article. Near-duplicates stay separate
articles, linked to the earlier one they copy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from newsarchive.ingest.formats.fields import url_key
from newsarchive.ingest.neardup import NearDuplicates
from newsarchive.ingest.reading import FileRead, FileStamp, ReadItem
from newsarchive.models import Article, ArticleFile, IndexRemoval, SourceFile

#: Id lengths tried in turn: a prefix of the content hash at first sight, so
#: ids are short to type and the same in every archive that ingests the file.
ID_LENGTHS = (10, 12, 14, 16)


class Outcome(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class KnownFile:
    """What the last complete read of a file recorded."""

    stamp: FileStamp
    format: str
    source: str | None
    items: int


def known_files(session: Session, paths: list[str]) -> dict[str, KnownFile]:
    """The files among ``paths`` that were read completely before."""
    rows = session.execute(
        select(
            SourceFile.path, SourceFile.size, SourceFile.mtime_ns, SourceFile.format, SourceFile.source, SourceFile.items
        ).where(SourceFile.path.in_(paths), SourceFile.size.is_not(None))
    )
    return {
        path: KnownFile(FileStamp(size, mtime), fmt, source, items) for path, size, mtime, fmt, source, items in rows
    }


def near_duplicate_finder(sessions: sessionmaker[Session]) -> NearDuplicates:
    """A finder that knows every stored original's sketch keys.

    Each lookup uses a short session of its own, so that no read transaction
    stays open through a long ingest (it would keep SQLite's WAL from being
    checkpointed).
    """

    def load_sketches(ids: list[str]) -> dict[str, bytes]:
        with sessions() as session:
            rows = session.execute(select(Article.id, Article.sketch).where(Article.id.in_(ids)))
            return {article_id: packed for article_id, packed in rows if packed}

    finder = NearDuplicates(load_sketches)
    with sessions() as session:
        rows = session.execute(
            select(Article.id, Article.sketch)
            .where(Article.sketch.is_not(None), Article.duplicate_of.is_(None))
            .order_by(Article.ingested_at, Article.id)
            .execution_options(yield_per=2000)
        )
        for article_id, packed in rows:
            finder.add(article_id, packed)
    finder.forget_sketches()
    return finder


class BatchStore:
    """Stores the articles of a batch of whole files in one session.

    What the batch needs from the database (its files' items, articles with
    the same texts or URLs, the ids those texts would take) is loaded in a
    few queries up front; the rest happens in memory.
    """

    def __init__(
        self,
        session: Session,
        reads: list[FileRead],
        *,
        source: str | None,
        now: datetime,
        near: NearDuplicates,
    ) -> None:
        self.session = session
        self.source = source
        self.now = now
        self.near = near
        #: Ids of articles this batch deleted (their last item now reads like another article).
        self.removed: list[str] = []
        items = [item for read in reads for item in read.items if isinstance(item, ReadItem)]
        paths = [str(read.path) for read in reads]
        hashes = {item.content_hash for item in items}
        urls = {key for item in items if (key := url_key(item.draft.url))}
        self.links: dict[tuple[str, str], ArticleFile] = {
            (link.path, link.item): link
            for link in session.scalars(
                select(ArticleFile)
                .where(ArticleFile.path.in_(paths))
                .options(selectinload(ArticleFile.article).selectinload(Article.files))
            )
        }
        self.files: dict[str, SourceFile] = {
            file.path: file for file in session.scalars(select(SourceFile).where(SourceFile.path.in_(paths)))
        }
        self.by_hash: dict[str, Article] = {}
        self.by_url: dict[str, Article] = {}
        related = select(Article).options(selectinload(Article.files))
        for article in session.scalars(related.where(Article.content_hash.in_(hashes))):
            self._remember(article)
        for article in session.scalars(related.where(Article.url_key.in_(urls))):
            self._remember(article)
        for link in self.links.values():
            self._remember(link.article)
        self.taken_ids: set[str] = set(
            session.scalars(select(Article.id).where(Article.id.in_({h[: ID_LENGTHS[0]] for h in hashes})))
        )

    def _remember(self, article: Article) -> None:
        self.by_hash.setdefault(article.content_hash, article)
        if article.url_key:
            self.by_url.setdefault(article.url_key, article)

    def record_file(self, read: FileRead, items: int) -> None:
        """Mark the file as completely read, in the same transaction as its articles."""
        file = self.files.get(str(read.path))
        if file is None:
            file = SourceFile(path=str(read.path))
            self.session.add(file)
            self.files[file.path] = file
        file.format = read.format
        file.size = read.stamp.size
        file.mtime_ns = read.stamp.mtime_ns
        file.items = items
        file.source = self.source
        file.seen_at = self.now

    def store(self, path: str, item: ReadItem) -> tuple[Outcome, Article]:
        """Record that ``path`` (at ``item.key``) holds the article read there."""
        with self.session.no_autoflush:
            return self._store(path, item)

    def _store(self, path: str, item: ReadItem) -> tuple[Outcome, Article]:
        link = self.links.get((path, item.key))
        key = url_key(item.draft.url)
        target = self.by_hash.get(item.content_hash) or (self.by_url.get(key) if key else None)
        if link is not None:
            current = link.article
            if current.content_hash == item.content_hash:
                if self.source is not None and current.source != self.source:
                    current.source = self.source
                    self._bump(current)
                    return Outcome.UPDATED, current
                return Outcome.UNCHANGED, current
            if target is not None and target is not current:
                # The item now reads like another stored article: it joins that
                # one, and its old article goes unless another item still holds it.
                self._detach(link)
                self._attach(target, path, item.key)
                return Outcome.UPDATED, target
            if len(current.files) == 1:
                self._update(current, item)
                return Outcome.UPDATED, current
            self._detach(link)
            return Outcome.NEW, self._new_article(path, item)
        if target is not None:
            # The same text, or the same URL in another file: one article that
            # remembers both places. The first text stored stays; a page is
            # only replaced by a new version of the same file or item.
            self._attach(target, path, item.key)
            return Outcome.DUPLICATE, target
        return Outcome.NEW, self._new_article(path, item)

    def _detach(self, link: ArticleFile) -> None:
        old = link.article
        old.files.remove(link)
        del self.links[(link.path, link.item)]
        self.session.flush()
        if not old.files:
            self.by_hash.pop(old.content_hash, None)
            if old.url_key and self.by_url.get(old.url_key) is old:
                del self.by_url[old.url_key]
            self.session.delete(old)
            self.session.merge(IndexRemoval(article_id=old.id))
            self.removed.append(old.id)

    def _attach(self, article: Article, path: str, key: str) -> None:
        link = ArticleFile(path=path, item=key)
        article.files.append(link)
        self.links[(path, key)] = link

    def _new_article(self, path: str, item: ReadItem) -> Article:
        article = Article(id=self._free_id(item.content_hash), ingested_at=self.now, updated_at=self.now, revision=1)
        self._fill(article, item)
        self.session.add(article)
        self._attach(article, path, item.key)
        return article

    def _update(self, article: Article, item: ReadItem) -> None:
        self.by_hash.pop(article.content_hash, None)
        self._fill(article, item)
        self._bump(article)

    def _bump(self, article: Article) -> None:
        article.revision += 1
        article.updated_at = self.now

    def _free_id(self, content_hash: str) -> str:
        for length in ID_LENGTHS:
            candidate = content_hash[:length]
            if candidate in self.taken_ids:
                continue
            if length == ID_LENGTHS[0] or self.session.get(Article, candidate) is None:
                self.taken_ids.add(candidate)
                return candidate
        raise RuntimeError(f"no free article id for content hash {content_hash}")

    def _fill(self, article: Article, item: ReadItem) -> None:
        draft = item.draft
        article.title = draft.title
        article.description = draft.description
        article.body = [{"kind": block.kind, "text": block.text} for block in draft.blocks]
        published = draft.published
        article.published_at = published.at if published else None
        article.date_text = published.text if published else None
        article.date_precision = published.precision if published else None
        article.authors = list(draft.authors)
        article.url = draft.url
        article.url_key = url_key(draft.url)
        article.source_domain = draft.source_domain
        article.language = draft.language
        article.content_hash = item.content_hash
        article.sketch = item.sketch
        if self.source is not None:
            article.source = self.source
        self._link_near_duplicate(article, item.sketch)
        self._remember(article)

    def _link_near_duplicate(self, article: Article, sketch: bytes | None) -> None:
        article.duplicate_of = self.near.find(sketch, exclude=article.id) if sketch else None
        if sketch and article.duplicate_of is None:
            self.near.add(article.id, sketch)


def count_items(items: Iterable[object]) -> int:
    return sum(1 for item in items if isinstance(item, ReadItem))
