"""The ingest run: discover files, read and parse them, store them, index them.

Files go through in batches of whole files. Each batch is one database
transaction (a file's articles and the record that it was read land
together), and the index follows in large commits, so an interrupted run
loses at most the batch in flight and the next run picks up where it stopped.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from newsarchive.config import ArchiveConfig
from newsarchive.ingest.discover import Found, discover
from newsarchive.ingest.formats import ItemError
from newsarchive.ingest.reading import FileFailure, FileRead, ReadItem, stamp_of
from newsarchive.progress import Progress

if TYPE_CHECKING:
    from newsarchive.db import Database
    from newsarchive.indexing import IndexFeed
    from newsarchive.ingest.neardup import NearDuplicates
    from newsarchive.ingest.store import KnownFile

#: Articles per database transaction (a batch always holds whole files).
BATCH_ITEMS = 500


@dataclass(frozen=True)
class IngestOptions:
    source: str | None = None
    default_tz: tzinfo = UTC
    force: bool = False
    wait: bool = True
    format: str | None = None
    processes: int | None = None
    batch_items: int = BATCH_ITEMS


@dataclass(frozen=True)
class FileNote:
    path: Path
    message: str


@dataclass
class IngestReport:
    files: int = 0
    done: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    undated: int = 0
    repaired: int = 0
    interrupted: bool = False
    failures: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicate


class IngestObserver(Progress):
    """Hears about a run as it goes; the CLI shows progress and problems through it."""

    def failure(self, note: FileNote) -> None:
        """A file, folder or item could not be ingested."""

    def warning(self, note: FileNote) -> None:
        """A file was ingested, but something in it was off (e.g. cut short)."""

    def note(self, note: FileNote) -> None:
        """Detail for the curious: a file passed over, an undated article, a legacy encoding."""

    def interrupted(self) -> None:
        """Ctrl-C: the run stops after the batch in flight."""


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
            feed = IndexFeed(db, config, commit_every=10 * options.batch_items)
            try:
                with _stop_requested(observer) as stop:
                    _run(db, feed, found, options, report, observer, stop)
            except BaseException:
                feed.cancel()
                raise
            feed.commit()
        finally:
            db.close()
    report.elapsed = time.monotonic() - started
    return report


def _run(
    db: Database,
    feed: IndexFeed,
    found: list[Path],
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
    stop: threading.Event,
) -> None:
    from newsarchive.ingest.store import near_duplicate_finder
    from newsarchive.ingest.workers import read_files

    to_read = _changed_files(db, found, options, report, observer)
    near: NearDuplicates | None = None
    batch: list[FileRead] = []
    for result in read_files(to_read, options.default_tz, options.format, options.processes):
        observer.advance(1)
        report.done += 1
        if isinstance(result, FileFailure):
            _fail(report, observer, result.path, result.reason)
        else:
            batch.append(result)
        if sum(len(read.items) for read in batch) >= options.batch_items or (stop.is_set() and batch):
            near = near or near_duplicate_finder(db.sessions)
            _store_batch(db, feed, batch, options, report, observer, near)
            batch = []
        if stop.is_set():
            report.interrupted = True
            return
    if batch:
        _store_batch(db, feed, batch, options, report, observer, near or near_duplicate_finder(db.sessions))


def _changed_files(
    db: Database, found: list[Path], options: IngestOptions, report: IngestReport, observer: IngestObserver
) -> list[Path]:
    """The files that must be read: new ones and those whose size, mtime or --source changed."""
    from newsarchive.ingest.store import known_files

    if options.force:
        return found
    changed: list[Path] = []
    with db.sessions() as session:
        for start in range(0, len(found), BATCH_ITEMS):
            chunk = found[start : start + BATCH_ITEMS]
            known = known_files(session, [str(path) for path in chunk])
            for path in chunk:
                prior = known.get(str(path))
                if prior is not None and _unchanged(path, prior, options):
                    report.unchanged += prior.items
                    report.done += 1
                    observer.advance(1)
                else:
                    changed.append(path)
    return changed


def _unchanged(path: Path, prior: KnownFile, options: IngestOptions) -> bool:
    """Unchanged since its last complete read, and asked for the same way (--source, --format)."""
    try:
        stamp = stamp_of(path)
    except OSError:
        return False  # reading it will say what is wrong
    return (
        prior.stamp == stamp
        and (options.source is None or options.source == prior.source)
        and (options.format is None or options.format == prior.format)
    )


def _store_batch(
    db: Database,
    feed: IndexFeed,
    batch: list[FileRead],
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
    near: NearDuplicates,
) -> None:
    """Store whole files in one transaction, then hand their articles to the index."""
    from newsarchive.ingest.store import BatchStore, Outcome

    with db.sessions() as session:
        store = BatchStore(session, batch, source=options.source, now=datetime.now(UTC), near=near)
        new, changed = {}, {}
        for read in batch:
            _notes(read, observer)
            store.record_file(read, sum(1 for item in read.items if isinstance(item, ReadItem)))
            for item in read.items:
                if isinstance(item, ItemError):
                    _fail(report, observer, read.path, f"{item.key}: {item.reason}")
                    continue
                outcome, article = store.store(str(read.path), item)
                setattr(report, outcome.value, getattr(report, outcome.value) + 1)
                if outcome in (Outcome.NEW, Outcome.UPDATED):
                    (new if outcome is Outcome.NEW else changed)[article.id] = article
                    if article.published_at is None:
                        report.undated += 1
                        where = f" [{item.key}]" if item.key else ""
                        observer.note(FileNote(read.path, f"undated{where}: no recognisable date"))
        session.commit()
    feed.feed(new.values(), (a for a in changed.values() if a.id not in new), store.removed)


def _notes(read: FileRead, observer: IngestObserver) -> None:
    for item in read.items:
        if isinstance(item, ReadItem):
            for message in item.draft.warnings:
                observer.warning(FileNote(read.path, message))
    if read.encoding not in (None, "utf-8", "utf-8-sig", "ascii"):
        observer.note(FileNote(read.path, f"decoded as {read.encoding}"))


def _fail(report: IngestReport, observer: IngestObserver, path: Path, reason: str) -> None:
    note = FileNote(path, reason)
    report.failures.append(note)
    observer.failure(note)


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


@contextmanager
def _stop_requested(observer: IngestObserver) -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C; a second Ctrl-C interrupts at once."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_interrupt(_signum, _frame) -> None:  # type: ignore[no-untyped-def]
        stop.set()
        observer.interrupted()
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
