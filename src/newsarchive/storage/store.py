"""Storing what was read: new, changed, unchanged and duplicate articles.

One article per distinct text, and one per URL: a file or item whose text
(or URL) is already stored joins that article instead of doubling it. Each
(file, item) belongs to exactly one article. Near-duplicates stay separate
articles, linked to the earlier one they copy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from newsarchive.errors import ArchiveError
from newsarchive.reading.discover import path_key
from newsarchive.reading.files import FileRead, FileStamp, ReadItem
from newsarchive.reading.formats import ItemError
from newsarchive.reading.neardup import NearDuplicates
from newsarchive.storage.models import Article, ArticleFile, SourceFile
from newsarchive.storage.unit_of_work import UnitOfWork

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
        path: KnownFile(FileStamp(size, mtime), fmt, source, items)
        for path, size, mtime, fmt, source, items in rows
        if size is not None and mtime is not None  # (the query asks for complete reads, which have both)
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
            .execution_options(yield_per=2000)
        )
        for article_id, packed in rows:
            if packed:
                finder.add(article_id, packed)
    finder.forget_sketches()
    return finder


class BatchStore:
    """Stores the articles of a batch of whole files in one unit of work, which logs what changed.

    What the batch needs from the database (its files' items, articles with
    the same texts or URLs, the ids those texts would take) is loaded in a
    few queries up front; the rest happens in memory.
    """

    def __init__(
        self,
        work: UnitOfWork,
        reads: list[FileRead],
        *,
        source: str | None,
        now: datetime,
        near: NearDuplicates,
    ) -> None:
        self.work = work
        self.session = session = work.session
        self.source = source
        self.now = now
        self.near = near
        #: Articles that lost their last place in this batch; ``finish`` decides their fate.
        self.orphans: list[Article] = []
        #: The copies of deleted articles, which ``finish`` made stand alone (changed, for the index too).
        self.released: list[Article] = []
        items = [item for read in reads for item in read.items if isinstance(item, ReadItem)]
        paths = [path_key(read.path) for read in reads]
        hashes = {item.content_hash for item in items}
        urls = {item.url_key for item in items if item.url_key}
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
        # The sketches of earlier articles this batch may copy, in one query rather than one per article.
        near.prefetch(item.sketch for item in items if item.sketch)

    def _remember(self, article: Article) -> None:
        self.by_hash.setdefault(article.content_hash, article)
        if article.url_key:
            self.by_url.setdefault(article.url_key, article)

    def store_file(self, read: FileRead) -> list[tuple[ReadItem, Outcome, Article]]:
        """Record the file and the article at each of its items; return what each item did.

        Texts already stored are matched first, so that an item whose key
        moved (a line inserted above it) finds its article again; only then
        do new texts take over the article their key pointed at, when that
        article's text left the file.
        """
        with self.session.no_autoflush:
            path = path_key(read.path)
            self._record_file(read, path)
            items = [item for item in read.items if isinstance(item, ReadItem)]
            done: dict[str, tuple[Outcome, Article]] = {}
            for item in items:
                target = self._known(item)
                if target is not None:
                    done[item.key] = self._store_known(path, item, target)
            present = {article.id for _outcome, article in done.values()}
            for item in items:
                if item.key not in done:
                    done[item.key] = self._store_new(path, item, present)
            return [(item, *done[item.key]) for item in items]

    def _record_file(self, read: FileRead, path: str) -> None:
        """The file's row (``path`` its key); its stamp says "read completely" only when no item
        of it failed, so a file with broken items is read (and its errors reported) again next time."""
        file = self.files.get(path)
        if file is None:
            file = SourceFile(path=path)
            self.session.add(file)
            self.files[file.path] = file
        complete = not any(isinstance(item, ItemError) for item in read.items)
        file.format = read.format
        file.size = read.stamp.size if complete else None
        file.mtime_ns = read.stamp.mtime_ns if complete else None
        file.items = sum(1 for item in read.items if isinstance(item, ReadItem))
        file.source = self.source
        file.seen_at = self.now

    def _known(self, item: ReadItem) -> Article | None:
        """The stored article with this text, or else with this page's URL."""
        article = self.by_hash.get(item.content_hash)
        if article is None and item.url_key:
            article = self.by_url.get(item.url_key)
        return article

    def _store_known(self, path: str, item: ReadItem, target: Article) -> tuple[Outcome, Article]:
        link = self.links.get((path, item.key))
        if link is not None and link.article is target:
            source_or_offset = (self.source is not None and target.source != self.source) or _offset_found(target, item)
            # (A language that differs: read again with --lang, or stored before languages were.)
            if source_or_offset or target.language != item.draft.language:
                if source_or_offset:
                    target.source = self.source or target.source
                    target.published_offset = item.draft.published.offset if item.draft.published else None
                target.language = item.draft.language
                self.work.changed(target, self.now)
                return Outcome.UPDATED, target
            return Outcome.UNCHANGED, target
        # The same text, or the same page in another place: one article that
        # remembers every place. The first text stored stays; a text is only
        # replaced by a new version at the same place.
        if link is not None:
            self._detach(link)
        self._attach(target, path, item.key)
        return Outcome.DUPLICATE, target

    def _store_new(self, path: str, item: ReadItem, present: set[str]) -> tuple[Outcome, Article]:
        link = self.links.get((path, item.key))
        if link is not None:
            current = link.article
            if current.id not in present and len(current.files) == 1:
                self._update(current, item)  # a new version of the text at this place
                return Outcome.UPDATED, current
            self._detach(link)
        return Outcome.NEW, self._new_article(path, item)

    def _detach(self, link: ArticleFile) -> None:
        article = link.article
        article.files.remove(link)
        del self.links[(link.path, link.item)]
        if not article.files:
            self.orphans.append(article)

    def finish(self) -> list[str]:
        """Delete the articles whose every place now holds another text; return their ids.

        Their near-duplicate copies stand alone from then on: ``released`` holds them.

        Deciding at the end of the batch lets a text that moved to another
        place or file within the batch keep its article and id.
        """
        removed = []
        for article in self.orphans:
            if article.files or article in removed:
                continue
            self.by_hash.pop(article.content_hash, None)
            if article.url_key and self.by_url.get(article.url_key) is article:
                del self.by_url[article.url_key]
            self.near.remove(article.id)
            removed.append(article)
        self.orphans.clear()
        released = self.work.release_copies(article.id for article in removed)
        if released:
            self.released = list(self.session.scalars(select(Article).where(Article.id.in_(released))))
        for article in removed:
            self.session.delete(article)
        self.work.removed(article.id for article in removed)
        return [article.id for article in removed]

    def _attach(self, article: Article, path: str, key: str) -> None:
        link = ArticleFile(path=path, item=key)
        article.files.append(link)
        self.links[(path, key)] = link

    def _new_article(self, path: str, item: ReadItem) -> Article:
        article = Article(id=self._free_id(item.content_hash), ingested_at=self.now, updated_at=self.now, revision=1)
        self._fill(article, item)
        self.session.add(article)
        self._attach(article, path, item.key)
        self.work.stored([article.id])
        return article

    def _update(self, article: Article, item: ReadItem) -> None:
        self.by_hash.pop(article.content_hash, None)
        self._fill(article, item)
        self.work.changed(article, self.now)

    def _free_id(self, content_hash: str) -> str:
        for length in ID_LENGTHS:
            candidate = content_hash[:length]
            if candidate in self.taken_ids:
                continue
            if length == ID_LENGTHS[0] or self.session.get(Article, candidate) is None:
                self.taken_ids.add(candidate)
                return candidate
        # Possible only if four articles' content hashes share the first 16 hex digits (a 64-bit collision).
        raise ArchiveError(
            f"no free article id for content hash {content_hash}: "
            f"articles already take each of its first {', '.join(map(str, ID_LENGTHS))} digits",
            hint="nothing of this batch was stored; this cannot happen by chance: please report it",
        )

    def _fill(self, article: Article, item: ReadItem) -> None:
        draft = item.draft
        article.title = draft.title
        article.description = draft.description
        article.body = [{"kind": block.kind, "text": block.text} for block in draft.blocks]
        published = draft.published
        article.published_at = published.at if published else None
        article.date_text = published.text if published else None
        article.date_precision = published.precision if published else None
        article.published_offset = published.offset if published else None
        article.authors = list(draft.authors)
        article.url = draft.url
        article.url_key = item.url_key
        article.source_domain = draft.source_domain
        article.language = draft.language
        article.content_hash = item.content_hash
        article.sketch = item.sketch
        if self.source is not None or draft.source:
            article.source = self.source or draft.source
        self._link_near_duplicate(article, item.sketch)
        self._remember(article)

    def _link_near_duplicate(self, article: Article, sketch: bytes | None) -> None:
        article.duplicate_of = self.near.find(sketch, exclude=article.id) if sketch else None
        if sketch and article.duplicate_of is None:
            self.near.add(article.id, sketch)


def _offset_found(article: Article, item: ReadItem) -> bool:
    """The date the article was stored with, read again, now with the UTC offset it
    lacked (stored before offsets were kept)."""
    published = item.draft.published
    return (
        published is not None and published.offset is not None
        and article.published_offset is None and article.date_text == published.text
    )  # fmt: skip
