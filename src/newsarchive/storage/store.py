"""Storing what was read: new, changed, unchanged and duplicate articles.

One article per distinct text, and one per URL: a file or item whose text
(or URL) is already stored joins that article instead of doubling it. Each
(file, item) belongs to exactly one article. Near-duplicates stay separate
articles, linked to the earlier one they copy.

Several machines may store into one database at once. A batch first writes
its files' rows (insert or update), which holds them until it commits, so
two writers of one file take turns; new articles are written with INSERT ...
ON CONFLICT DO NOTHING, and a text another writer stored meanwhile is taken
as theirs (one article per text, stored once); rows go in in the order of
their keys, so that two writers never wait for each other in opposite
orders. Once the log's write lock is held, the batch's new originals are
compared with those other writers committed while it ran (``_settle``), so
no near-duplicate link is lost between them.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from newsarchive.errors import ArchiveError
from newsarchive.reading.discover import path_key
from newsarchive.reading.files import FileRead, FileStamp, ReadItem
from newsarchive.reading.formats import ItemError
from newsarchive.reading.neardup import NearDuplicates
from newsarchive.storage import log
from newsarchive.storage.models import Article, ArticleFile, SourceFile
from newsarchive.storage.unit_of_work import UnitOfWork

#: Id lengths tried in turn: a prefix of the content hash at first sight, so
#: ids are short to type and the same in every archive that ingests the file.
ID_LENGTHS = (10, 12, 14, 16)
#: Ids looked up per query (well within SQLite's and PostgreSQL's limits on parameters).
ROWS_PER_QUERY = 500


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


#: A file's key in the database: (root, path); see ``Places``.
FileKey = tuple[str, str]
#: An item's place: its file's key and the item's key within the file.
Place = tuple[str, str, str]


@dataclass(frozen=True)
class Places:
    """How an ingest run records where its files are: by absolute path (root ""), or, given a source
    name and its folder, by the name and the path relative to the folder (``NAME:relative/path``)."""

    root: str = ""
    folder: Path | None = None

    @classmethod
    def under(cls, source: str | None, paths: Iterable[str | Path]) -> Places:
        """The places of a run with ``--source`` (None: absolute paths): relative to the folder the paths
        given share (a file's own folder when one file is given), as found after links."""
        import os

        if source is None:
            return cls()
        given = [Path(path).expanduser() for path in paths]
        folders = [path.resolve() if path.is_dir() else path.resolve().parent for path in given]
        return cls(source, Path(os.path.commonpath(folders))) if folders else cls()

    def key(self, path: Path) -> FileKey:
        if self.folder is not None:
            try:
                return self.root, path_key(path.relative_to(self.folder).as_posix())
            except ValueError:
                pass  # (a file outside the folder, reached through a link: known by its absolute path)
        return "", path_key(path)


def where_files(root: Any, path: Any, keys: Iterable[FileKey]) -> ColumnElement[bool]:
    """The rows whose (``root``, ``path``) columns are among ``keys``: one IN per root (a run has one or two)."""
    roots: dict[str, list[str]] = {}
    for key_root, key_path in keys:
        roots.setdefault(key_root, []).append(key_path)
    return or_(false(), *(and_(root == key_root, path.in_(paths)) for key_root, paths in roots.items()))


def known_files(session: Session, keys: list[FileKey]) -> dict[FileKey, KnownFile]:
    """The files among ``keys`` that were read completely before."""
    rows = session.execute(
        select(
            SourceFile.root, SourceFile.path, SourceFile.size, SourceFile.mtime_ns, SourceFile.format, SourceFile.source,
            SourceFile.items,
        ).where(where_files(SourceFile.root, SourceFile.path, keys), SourceFile.size.is_not(None))
    )  # fmt: skip
    return {
        (root, path): KnownFile(FileStamp(size, mtime), fmt, source, items)
        for root, path, size, mtime, fmt, source, items in rows
        if size is not None and mtime is not None  # (the query asks for complete reads, which have both)
    }


def near_duplicate_finder(sessions: sessionmaker[Session]) -> NearDuplicates:
    """A finder that knows every stored original's sketch keys, as of the log position it records.

    Each lookup uses a short session of its own, so that no read transaction
    stays open through a long ingest (it would keep SQLite's WAL from being
    checkpointed). The log's head is read before the originals: what is
    committed in between is met again by ``follow_log``, which adding twice
    does not harm.
    """

    def load_sketches(ids: list[str]) -> dict[str, bytes]:
        with sessions() as session:
            rows = session.execute(select(Article.id, Article.sketch).where(Article.id.in_(ids)))
            return {article_id: packed for article_id, packed in rows if packed}

    finder = NearDuplicates(load_sketches)
    with sessions() as session:
        finder.position = log.head(session)
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


def follow_log(session: Session, near: NearDuplicates) -> dict[str, bytes]:
    """Bring ``near`` up to the log's head: the originals stored since its position (by other writers) are added,
    removed articles and copies forgotten. Returns the originals added (id -> sketch)."""
    found = log.entries(session, near.position)
    if not found:
        return {}
    near.position = found[-1][0]
    changes = log.collapse(found)
    stored = [article_id for article_id, change in changes.items() if change.kind == log.STORED]
    originals: dict[str, bytes] = {}
    for start in range(0, len(stored), ROWS_PER_QUERY):
        query = select(Article.id, Article.sketch, Article.duplicate_of).where(Article.id.in_(stored[start : start + ROWS_PER_QUERY]))
        for article_id, packed, copies in session.execute(query):
            if packed and copies is None:
                originals[article_id] = packed
    for article_id in changes:
        if article_id in originals:
            near.add(article_id, originals[article_id])
        else:
            near.remove(article_id)
    return originals


def _insert(session: Session, model: type) -> Any:
    """An INSERT into ``model``'s table with its dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's: the same API)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model.__table__)  # type: ignore[attr-defined]


def _write(session: Session, statement: Any, rows: Sequence[dict[str, Any]], returning: Any) -> list[Any]:
    """Run ``statement`` for each row, in their order, many rows a statement; return ``returning`` of the rows
    written. (With RETURNING, SQLAlchemy sends the rows as INSERT ... VALUES of many rows, compiled once.)"""
    if not rows:
        return []
    return list(session.scalars(statement.returning(returning), rows))


class BatchStore:
    """Stores the articles of a batch of whole files in one unit of work, which logs what changed.

    The files' rows are written first (they stay locked until the commit);
    then what the batch needs from the database (its files' items, articles
    with the same texts or URLs, the ids those texts would take) is loaded in
    a few queries; what each item does is decided in memory; ``finish``
    writes it all. New articles and file links are written there in
    statements of many rows, as INSERT ... ON CONFLICT, in key order.
    """

    def __init__(
        self,
        work: UnitOfWork,
        reads: list[FileRead],
        *,
        source: str | None,
        now: datetime,
        near: NearDuplicates,
        places: Places = Places(),
    ) -> None:
        self.work = work
        self.session = session = work.session
        self.source = source
        self.places = places
        self.now = now
        self.near = near
        #: Articles that lost their last place in this batch; ``finish`` decides their fate.
        self.orphans: list[Article] = []
        #: The copies of deleted articles, which ``finish`` made stand alone (changed, for the index too).
        self.released: list[Article] = []
        #: What each file's items did (``store_file``), final once ``finish`` has run.
        self.outcomes: dict[FileKey, list[tuple[ReadItem, Outcome, Article]]] = {}
        #: New articles, written by ``finish``; those another writer stored first map to theirs.
        self.fresh: list[Article] = []
        self.theirs: dict[Article, Article] = {}
        #: Articles whose text this batch stored (new and updated), in order: ``_settle`` compares them.
        self.filled: list[Article] = []
        #: Each place (root, path, item) and its article: as loaded, then as this batch leaves it.
        self.links: dict[Place, Article] = {}
        #: The stored link rows (to delete when a place changes article), and the new links.
        self.loaded: dict[Place, ArticleFile] = {}
        self.placed: dict[Place, Article] = {}
        self.gained: Counter[Article] = Counter()
        items = [item for read in reads for item in read.items if isinstance(item, ReadItem)]
        keys = self._record_files(reads)
        hashes = {item.content_hash for item in items}
        urls = {item.url_key for item in items if item.url_key}
        for link in session.scalars(
            select(ArticleFile)
            .where(where_files(ArticleFile.root, ArticleFile.path, keys))
            .options(selectinload(ArticleFile.article).selectinload(Article.files))
        ):
            self.loaded[(link.root, link.path, link.item)] = link
            self.links[(link.root, link.path, link.item)] = link.article
        self.by_hash: dict[str, Article] = {}
        self.by_url: dict[str, Article] = {}
        related = select(Article).options(selectinload(Article.files))
        for article in session.scalars(related.where(Article.content_hash.in_(hashes))):
            self._remember(article)
        for article in session.scalars(related.where(Article.url_key.in_(urls))):
            self._remember(article)
        for article in self.links.values():
            self._remember(article)
        self.taken_ids: set[str] = set(
            session.scalars(select(Article.id).where(Article.id.in_({h[: ID_LENGTHS[0]] for h in hashes})))
        )
        # The sketches of earlier articles this batch may copy, in one query rather than one per article.
        near.prefetch(item.sketch for item in items if item.sketch)
        work.when_locked(self._settle)

    def _record_files(self, reads: list[FileRead]) -> list[FileKey]:
        """Write each file's row (insert or update, in key order); return their keys.

        Its stamp says "read completely" only when no item of it failed, so a
        file with broken items is read (and its errors reported) again next time.
        Written first, the rows stay locked until the batch commits: another
        writer of the same files waits, then finds what this one stored.
        """
        keyed = sorted(((self.places.key(read.path), read) for read in reads), key=lambda pair: pair[0])
        moved = self._moved_here(keyed) if self.places.root else {}
        rows: list[dict[str, Any]] = []
        for (root, path), read in keyed:
            complete = not any(isinstance(item, ItemError) for item in read.items)
            rows.append({
                "root": root, "path": path, "format": read.format,
                "size": read.stamp.size if complete else None, "mtime_ns": read.stamp.mtime_ns if complete else None,
                "items": sum(1 for item in read.items if isinstance(item, ReadItem)),
                "source": self.source, "seen_at": self.now,
            })  # fmt: skip
        statement = _insert(self.session, SourceFile)
        kept = {name: statement.excluded[name] for name in rows[0] if name not in ("root", "path")} if rows else {}
        _write(self.session, statement.on_conflict_do_update(index_elements=["root", "path"], set_=kept), rows, SourceFile.path)
        for (root, path), (old_root, old_path) in moved.items():
            self.session.execute(
                update(ArticleFile).where(ArticleFile.root == old_root, ArticleFile.path == old_path).values(root=root, path=path)
            )
            self.session.execute(delete(SourceFile).where(SourceFile.root == old_root, SourceFile.path == old_path))
        return [key for key, _read in keyed]

    def _moved_here(self, keyed: list[tuple[FileKey, FileRead]]) -> dict[FileKey, FileKey]:
        """The files of this run's source folder recorded before under another key: new key -> old key.

        That is the same file by its absolute path (recorded without --source), or the same
        texts at the same relative path under another source name (the source renamed).
        Their places move to the new key, rather than the file being a second set of places.
        """
        new = [key for key, _read in keyed if key[0]]
        known = set(self.session.execute(select(SourceFile.root, SourceFile.path).where(where_files(SourceFile.root, SourceFile.path, new))))
        wanted = {key: read for key, read in keyed if key[0] and key not in known}
        if not wanted:
            return {}
        absolute = {("", path_key(read.path)): key for key, read in wanted.items()}
        relative = {key[1]: key for key in wanted}
        found = self.session.execute(
            select(ArticleFile.root, ArticleFile.path, ArticleFile.item, Article.content_hash)
            .join(Article, Article.id == ArticleFile.article_id)
            .where(or_(
                where_files(ArticleFile.root, ArticleFile.path, absolute),
                and_(ArticleFile.root != "", ArticleFile.root != self.places.root, ArticleFile.path.in_(relative)),
            ))
        )  # fmt: skip
        texts: dict[FileKey, set[tuple[str, str]]] = {}
        for root, path, item, content_hash in found:
            texts.setdefault((root, path), set()).add((item, content_hash))
        moved: dict[FileKey, FileKey] = {}
        for old in sorted(texts):
            key = absolute.get(old) or relative[old[1]]
            read = wanted[key]
            same = {(item.key, item.content_hash) for item in read.items if isinstance(item, ReadItem)} == texts[old]
            if key not in moved and (not old[0] or same):
                moved[key] = old
        return moved

    def _remember(self, article: Article) -> None:
        self.by_hash.setdefault(article.content_hash, article)
        if article.url_key:
            self.by_url.setdefault(article.url_key, article)

    def _places(self, article: Article) -> int:
        """How many places the article has as this batch leaves it."""
        return len(article.files) + self.gained[article]

    def store_file(self, read: FileRead) -> list[tuple[ReadItem, Outcome, Article]]:
        """Decide the article at each of the file's items; return what each item did (final after ``finish``).

        Texts already stored are matched first, so that an item whose key
        moved (a line inserted above it) finds its article again; only then
        do new texts take over the article their key pointed at, when that
        article's text left the file.
        """
        with self.session.no_autoflush:
            path = self.places.key(read.path)
            items = [item for item in read.items if isinstance(item, ReadItem)]
            done: dict[str, tuple[Outcome, Article]] = {}
            for item in items:
                target = self._known(item)
                if target is not None:
                    done[item.key] = self._store_known(path, item, target)
            present = {id(article) for _outcome, article in done.values()}
            for item in items:
                if item.key not in done:
                    done[item.key] = self._store_new(path, item, present)
            self.outcomes[path] = [(item, *done[item.key]) for item in items]
            return self.outcomes[path]

    def _known(self, item: ReadItem) -> Article | None:
        """The stored article with this text, or else with this page's URL."""
        article = self.by_hash.get(item.content_hash)
        if article is None and item.url_key:
            article = self.by_url.get(item.url_key)
        return article

    def _store_known(self, path: FileKey, item: ReadItem, target: Article) -> tuple[Outcome, Article]:
        current = self.links.get((*path, item.key))
        if current is target:
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
        if current is not None:
            self._detach((*path, item.key))
        self._attach(target, path, item.key)
        return Outcome.DUPLICATE, target

    def _store_new(self, path: FileKey, item: ReadItem, present: set[int]) -> tuple[Outcome, Article]:
        current = self.links.get((*path, item.key))
        if current is not None:
            if id(current) not in present and self._places(current) == 1:
                self._update(current, item)  # a new version of the text at this place
                return Outcome.UPDATED, current
            self._detach((*path, item.key))
        return Outcome.NEW, self._new_article(path, item)

    def _detach(self, place: Place) -> None:
        article = self.links.pop(place)
        link = self.loaded.pop(place, None)
        if link is not None:
            article.files.remove(link)  # (its row is deleted as the session flushes)
        else:
            del self.placed[place]
            self.gained[article] -= 1
        if not self._places(article):
            self.orphans.append(article)

    def _attach(self, article: Article, path: FileKey, key: str) -> None:
        self.links[(*path, key)] = self.placed[(*path, key)] = article
        self.gained[article] += 1

    def finish(self) -> list[str]:
        """Write what the batch decided; delete the articles whose every place now holds another text,
        and return their ids.

        Their near-duplicate copies stand alone from then on: ``released`` holds them.

        Deciding at the end of the batch lets a text that moved to another
        place or file within the batch keep its article and id.
        """
        removed = []
        for article in self.orphans:
            if self._places(article) or article in removed:
                continue
            self.by_hash.pop(article.content_hash, None)
            if article.url_key and self.by_url.get(article.url_key) is article:
                del self.by_url[article.url_key]
            self.near.remove(article.id)
            removed.append(article)
        self.orphans.clear()
        self._write_fresh()
        self.session.flush()  # (the updates, and the links that left their places, before the new links take them)
        released = self.work.release_copies(article.id for article in removed)
        if released:
            self.released = list(self.session.scalars(select(Article).where(Article.id.in_(released))))
        for article in removed:
            self.session.delete(article)
        self.work.removed(article.id for article in removed)
        self._write_links()
        return [article.id for article in removed]

    def _write_fresh(self) -> None:
        """Insert the new articles, in the order of their texts' hashes; a text another writer stored
        meanwhile is theirs (``_take_theirs``), an id another text took meanwhile gives way to a longer one.

        A copy of another new article is inserted unlinked and linked once its original's id is final.
        """
        fresh_ids = {article.id: article for article in self.fresh}
        originals = {article: fresh_ids[article.duplicate_of] for article in self.fresh if article.duplicate_of in fresh_ids}
        pending = sorted(self.fresh, key=lambda article: article.content_hash)
        while pending:
            rows = [_row(article, linked=article not in originals) for article in pending]
            statement = _insert(self.session, Article).on_conflict_do_nothing()
            inserted = set(_write(self.session, statement, rows, Article.content_hash))
            missed = [article for article in pending if article.content_hash not in inserted]
            if not missed:
                break
            found = self.session.scalars(
                select(Article).where(Article.content_hash.in_([article.content_hash for article in missed]))
                .options(selectinload(Article.files))
            )  # fmt: skip
            stored = {article.content_hash: article for article in found}
            pending = []
            for article in missed:
                if article.content_hash in stored:
                    self._take_theirs(article, stored[article.content_hash])
                else:
                    self.taken_ids.add(article.id)
                    self._rename(article, self._free_id(article.content_hash))
                    pending.append(article)
        for copy, original in originals.items():
            if copy not in self.theirs:
                copy.duplicate_of = self.theirs.get(original, original).id
                self.session.execute(update(Article).where(Article.id == copy.id).values(duplicate_of=copy.duplicate_of))
        for article in self.filled:
            if article.duplicate_of in fresh_ids and article not in originals:  # (a stored article updated into a copy)
                article.duplicate_of = self.theirs.get(fresh_ids[article.duplicate_of], fresh_ids[article.duplicate_of]).id
        if self.theirs:
            for path, outcomes in self.outcomes.items():
                self.outcomes[path] = [
                    (item, Outcome.DUPLICATE, self.theirs[article]) if article in self.theirs else (item, outcome, article)
                    for item, outcome, article in outcomes
                ]

    def _take_theirs(self, ours: Article, theirs: Article) -> None:
        """Another writer stored this text first: its article is this batch's too, and ours is never written."""
        self.theirs[ours] = theirs
        self.work.forget(ours.id)
        if ours.id != theirs.id:
            self.near.remove(ours.id)

    def _rename(self, article: Article, new_id: str) -> None:
        self.work.forget(article.id)
        if article.duplicate_of is None and article.sketch:
            self.near.remove(article.id)
            self.near.add(new_id, article.sketch)
        article.id = new_id
        self.work.stored([new_id])

    def _write_links(self) -> None:
        """Insert the new links (a place taken by another article meanwhile becomes this one's), in key order."""
        rows = [
            {"root": root, "path": path, "item": key, "article_id": self.theirs.get(article, article).id}
            for (root, path, key), article in sorted(self.placed.items(), key=lambda pair: pair[0])
        ]
        statement = _insert(self.session, ArticleFile)
        kept = {"article_id": statement.excluded.article_id}
        _write(self.session, statement.on_conflict_do_update(index_elements=["root", "path", "item"], set_=kept), rows, ArticleFile.item)

    def _settle(self, session: Session) -> None:
        """Under the write lock: link this batch's new originals to the originals other writers committed
        while it ran (their log entries since the finder's position), as if those had come first, which they did."""
        theirs = follow_log(session, self.near)
        if not theirs:
            return
        probe = NearDuplicates(lambda _ids: {})
        for article_id, packed in theirs.items():
            probe.add(article_id, packed)
        relinked: dict[str, str] = {}
        for article in self.filled:
            if article in self.theirs or article.duplicate_of is not None or not article.sketch:
                continue
            found = probe.find(article.sketch, exclude=article.id)
            if found is not None:
                relinked[article.id] = found
                self.near.remove(article.id)
                self.near.add(found, theirs[found])
        if not relinked:
            return
        for article in self.filled:
            target = relinked.get(article.id) or relinked.get(article.duplicate_of or "")
            if target is not None and article not in self.theirs:
                article.duplicate_of = target
                session.execute(update(Article).where(Article.id == article.id).values(duplicate_of=target))

    def _new_article(self, path: FileKey, item: ReadItem) -> Article:
        article = Article(id=self._free_id(item.content_hash), ingested_at=self.now, updated_at=self.now, revision=1)
        self._fill(article, item)
        self.fresh.append(article)
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
        self.filled.append(article)

    def _link_near_duplicate(self, article: Article, sketch: bytes | None) -> None:
        article.duplicate_of = self.near.find(sketch, exclude=article.id) if sketch else None
        if sketch and article.duplicate_of is None:
            self.near.add(article.id, sketch)


def _row(article: Article, *, linked: bool) -> dict[str, Any]:
    """A new article's row; ``linked`` False leaves its near-duplicate link for later."""
    row = {column.key: getattr(article, column.key) for column in Article.__table__.columns}
    if not linked:
        row["duplicate_of"] = None
    return row


def _offset_found(article: Article, item: ReadItem) -> bool:
    """The date the article was stored with, read again, now with the UTC offset it
    lacked (stored before offsets were kept)."""
    published = item.draft.published
    return (
        published is not None and published.offset is not None
        and article.published_offset is None and article.date_text == published.text
    )  # fmt: skip
