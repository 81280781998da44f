"""The ingest run: discover files, read and parse them, store them, index them.

Files go through in batches. Each batch is one database transaction,
followed by the index update for exactly the articles it touched, so an
interrupted run loses at most the batch in flight and the next run picks up
where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from typing import TYPE_CHECKING

from newsarchive.config import ArchiveConfig
from newsarchive.errors import BadInputFile
from newsarchive.ingest.discover import Found, discover
from newsarchive.ingest.reading import FileStamp, ReadArticle, read_article, stamp_of
from newsarchive.progress import Progress

if TYPE_CHECKING:
    from newsarchive.db import Database
    from newsarchive.indexing import IndexFeed

BATCH_SIZE = 500


@dataclass(frozen=True)
class IngestOptions:
    source: str | None = None
    default_tz: tzinfo = timezone.utc
    force: bool = False
    wait: bool = True


@dataclass(frozen=True)
class FileNote:
    path: Path
    message: str


@dataclass
class IngestReport:
    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    undated: int = 0
    repaired: int = 0
    failures: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


class IngestObserver(Progress):
    """Hears about a run as it goes; the CLI shows progress and problems through it."""

    def failure(self, note: FileNote) -> None:
        """A file or folder could not be ingested."""

    def warning(self, note: FileNote) -> None:
        """A file was ingested, but something in it was off (e.g. cut short)."""

    def note(self, note: FileNote) -> None:
        """Detail for the curious: a file passed over, an undated article, a legacy encoding."""


def ingest_paths(
    config: ArchiveConfig,
    paths: Iterable[str | Path],
    options: IngestOptions = IngestOptions(),
    observer: IngestObserver | None = None,
) -> IngestReport:
    """Ingest every article file under ``paths`` into the archive at ``config``."""
    from newsarchive.db import open_database
    from newsarchive.indexing import IndexFeed, sync_index
    from newsarchive.locks import writer_lock

    observer = observer or IngestObserver()
    report = IngestReport()
    started = time.monotonic()
    found = _discover(paths, report, observer)
    report.files = len(found)
    with writer_lock(config.home, wait=options.wait, on_wait=observer.waiting):
        db = open_database(config)
        try:
            leftover = sync_index(db, config)
            report.repaired = leftover.indexed + leftover.removed
            observer.begin(len(found))
            feed = IndexFeed(db, config)
            for start in range(0, len(found), BATCH_SIZE):
                _ingest_batch(db, feed, found[start : start + BATCH_SIZE], options, report, observer)
            feed.commit()
        finally:
            db.close()
    report.elapsed = time.monotonic() - started
    return report


def _discover(paths: Iterable[str | Path], report: IngestReport, observer: IngestObserver) -> list[Path]:
    found: list[Path] = []
    for item in discover(paths):
        if isinstance(item, Found):
            found.append(item.path)
            continue
        note = FileNote(item.path, item.reason)
        if item.failed:
            report.failures.append(note)
            observer.failure(note)
        else:
            report.skipped.append(note)
            observer.note(FileNote(item.path, f"skipped: {item.reason}"))
    return found


def _ingest_batch(
    db: Database,
    feed: IndexFeed,
    batch: Sequence[Path],
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
) -> None:
    """Read the batch's changed files, store them in one transaction, hand them to the index."""
    from newsarchive.ingest.store import BatchStore, Outcome, known_stamps

    with db.sessions() as session:
        known = {} if options.force else known_stamps(session, [str(path) for path in batch])
        reads = [read for path in batch if (read := _read(path, known, options, report, observer))]
        store = BatchStore(session, reads, source=options.source, now=datetime.now(timezone.utc))
        new, changed = [], []
        for read in reads:
            outcome, article = store.store(read)
            setattr(report, outcome.value, getattr(report, outcome.value) + 1)
            if outcome in (Outcome.NEW, Outcome.UPDATED):
                (new if outcome is Outcome.NEW else changed).append(article)
                if article.published_at is None:
                    report.undated += 1
                    observer.note(FileNote(read.path, "undated: no recognisable dateline"))
        session.commit()
    feed.feed(new, changed, store.removed)


def _read(
    path: Path, known: dict, options: IngestOptions, report: IngestReport, observer: IngestObserver  # type: ignore[type-arg]
) -> ReadArticle | None:
    """The file's article, or None when it is unchanged since the last run or cannot be read."""
    observer.advance(1)
    prior = known.get(str(path))
    try:
        if prior is not None and _unchanged(prior, stamp_of(path), options):
            report.unchanged += 1
            return None
        read = read_article(path, options.default_tz)
    except BadInputFile as exc:
        note = FileNote(path, exc.reason)
    except OSError as exc:
        note = FileNote(path, f"cannot read file: {exc.strerror or exc}")
    else:
        for message in read.draft.warnings:
            observer.warning(FileNote(path, message))
        if read.encoding not in ("utf-8", "utf-8-sig", "ascii"):
            observer.note(FileNote(path, f"decoded as {read.encoding}"))
        return read
    report.failures.append(note)
    observer.failure(note)
    return None


def _unchanged(prior, stamp: FileStamp, options: IngestOptions) -> bool:  # type: ignore[no-untyped-def]
    recorded, source = prior
    return recorded == stamp and (options.source is None or options.source == source)
