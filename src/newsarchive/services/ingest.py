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
from newsarchive.errors import ArchiveError
from newsarchive.reading.discover import Found, discover, path_key
from newsarchive.reading.files import FileFailure, FileRead, stamp_of
from newsarchive.reading.formats import ItemError
from newsarchive.services.progress import FileNote, IngestObserver

if TYPE_CHECKING:
    from newsarchive.engines.protocol import SearchEngine
    from newsarchive.reading.files import ReadItem
    from newsarchive.reading.neardup import NearDuplicates
    from newsarchive.services.indexing import IndexFeed
    from newsarchive.storage.database import Database
    from newsarchive.storage.models import Article
    from newsarchive.storage.store import KnownFile, Outcome, Places
    from newsarchive.storage.unit_of_work import UnitOfWork

#: Articles per database transaction (a batch always holds whole files).
BATCH_ITEMS = 500
#: The index commits every this many batches (or sooner, when its writer's memory is full):
#: each commit makes a segment, and every segment costs each search a little.
COMMIT_BATCHES = 50


@dataclass(frozen=True)
class IngestOptions:
    source: str | None = None
    default_tz: tzinfo = UTC
    force: bool = False
    wait: bool = True
    format: str | None = None
    #: The language of every article read (ISO 639-1, or "und"), whatever the files say; None: theirs, else identified.
    language: str | None = None
    processes: int | None = None  # a cap on worker processes (1: everything in this one); None: by the cores
    batch_items: int = BATCH_ITEMS


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
    #: Articles indexed anew because the index was missing or made for another analysis (an earlier version).
    rebuilt: int = 0
    read: int = 0  # articles parsed (not counting files skipped as unchanged)
    interrupted: bool = False
    failures: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


def ingest_paths(
    db: Database,
    config: ArchiveConfig,
    engine: SearchEngine,
    paths: Iterable[str | Path],
    options: IngestOptions = IngestOptions(),
    observer: IngestObserver | None = None,
) -> IngestReport:
    """Ingest every article file under ``paths`` into the archive at ``config``; the caller holds the writer's lock."""
    from newsarchive.reading.workers import parse_worker_count
    from newsarchive.services.indexing import IndexFeed, catch_up
    from newsarchive.services.languages import fill_languages
    from newsarchive.storage.store import Places

    observer = observer or IngestObserver()
    report = IngestReport()
    started = time.monotonic()
    paths = list(paths)
    places = Places.under(options.source, paths)
    found = _discover(paths, config, report, observer)
    report.files = len(found)
    filled = fill_languages(db, observer)
    leftover = catch_up(db, engine)
    if leftover.rebuilt:
        report.rebuilt = leftover.indexed
    else:
        report.repaired = max(0, leftover.indexed + leftover.removed - filled)  # (the filled ones were announced)
    observer.begin(len(found))
    to_read = _changed_files(db, found, places, options, report, observer)
    # The index workers fork here, before the parsing pool and its threads start.
    indexers = engine.workers_for(len(to_read), options.processes)
    feed = IndexFeed(db, engine, commit_every=COMMIT_BATCHES * options.batch_items, processes=indexers)
    # An engine that writes in each unit of work (it follows no log) works in its processes only while this
    # one waits for them, so they leave the parsers every core; a log-following engine builds beside the parsing.
    parsers = parse_worker_count(indexers if engine.follows_log else 0, options.processes)
    try:
        with _stop_requested(observer) as stop:
            _run(db, feed, to_read, places, options, report, observer, stop, parsers)
        feed.commit()
        if not report.interrupted:
            feed.merge(announce=lambda: observer.phase("Merging the search index's segments..."))
    finally:
        feed.close()
    report.elapsed = time.monotonic() - started
    return report


def _run(
    db: Database,
    feed: IndexFeed,
    to_read: list[Path],
    places: Places,
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
    stop: threading.Event,
    parsers: int,
) -> None:
    from newsarchive.reading.workers import read_files
    from newsarchive.storage.store import near_duplicate_finder

    near: NearDuplicates | None = None
    batch: list[FileRead] = []
    batch_items = 0
    for result in read_files(to_read, options.default_tz, options.format, parsers, language=options.language):
        observer.advance(1)
        report.done += 1
        if isinstance(result, FileFailure):
            _fail(report, observer, result.path, result.reason)
        else:
            batch.append(result)
            batch_items += len(result.items)
        if batch_items >= options.batch_items or (stop.is_set() and batch):
            near = near or near_duplicate_finder(db.sessions)
            _store_batch(db, feed, batch, places, options, report, observer, near)
            batch, batch_items = [], 0
        if stop.is_set():
            report.interrupted = True
            return
    if batch:
        _store_batch(db, feed, batch, places, options, report, observer, near or near_duplicate_finder(db.sessions))


def _changed_files(
    db: Database, found: list[Path], places: Places, options: IngestOptions, report: IngestReport, observer: IngestObserver
) -> list[Path]:
    """The files that must be read: new ones and those whose size, mtime or --source changed."""
    from newsarchive.storage.store import known_files

    if options.force:
        return found
    changed: list[Path] = []
    with db.sessions() as session:
        for start in range(0, len(found), BATCH_ITEMS):
            chunk = found[start : start + BATCH_ITEMS]
            keys = {path: places.key(path) for path in chunk}
            known = known_files(session, list(keys.values()))
            for path in chunk:
                prior = known.get(keys[path])
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
    places: Places,
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
    near: NearDuplicates,
) -> None:
    """Store whole files in one transaction, then hand the articles that changed to the index.

    Other processes may write to the same database at once (other homes'
    ingests of the same files): the batch takes what they stored as theirs
    (see ``storage.store``), and a batch that meets theirs anyway (a deadlock,
    an article removed meanwhile, a connection lost) is stored again, a few
    times, before its error is reported, in one line.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from newsarchive.storage.unit_of_work import attempt

    try:
        # (a batch tried again forgets the sketches the failed one cached: it may hold articles that were rolled back)
        stored = attempt(db, lambda work: _store_once(work, batch, places, options, near), retrying=near.forget_sketches)
    except SQLAlchemyError as exc:
        raise _not_stored(batch, exc) from exc
    from newsarchive.storage.store import Outcome

    near.trim()  # stored now: a sketch dropped from memory is read back when a later copy needs it
    for read in batch:
        _notes(read, observer, report)
        for item, outcome, article in stored.outcomes[read.path]:
            setattr(report, outcome.value, getattr(report, outcome.value) + 1)
            if outcome is Outcome.NEW or outcome is Outcome.UPDATED:
                if article.published_at is None:
                    report.undated += 1
                    where = f" [{item.key}]" if item.key else ""
                    observer.note(FileNote.about(read.path, f"undated{where}: no recognisable date"))
    gone = set(stored.removed)
    feed.feed(
        [article for article in stored.new.values() if article.id not in gone],
        [article for article in stored.changed.values() if article.id not in gone and article.id not in stored.new],
        stored.removed,
        stored.positions,
    )


@dataclass
class _Stored:
    """What one batch's transaction did: each file's items, the articles it added, changed, removed."""

    outcomes: dict[Path, list[tuple[ReadItem, Outcome, Article]]] = field(default_factory=dict)
    new: dict[str, Article] = field(default_factory=dict)
    changed: dict[str, Article] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    positions: range = range(0)


def _store_once(work: UnitOfWork, batch: list[FileRead], places: Places, options: IngestOptions, near: NearDuplicates) -> _Stored:
    from newsarchive.storage.store import BatchStore, Outcome, follow_log

    stored = _Stored()
    follow_log(work.session, near)  # (what other writers stored since the last batch: this one may copy it)
    work.session.commit()  # (a read transaction left open would keep SQLite's WAL from being checkpointed)
    store = BatchStore(work, batch, source=options.source, now=datetime.now(UTC), near=near, places=places)
    for read in batch:
        store.store_file(read)
    stored.removed = store.finish()
    for read in batch:
        stored.outcomes[read.path] = store.outcomes[places.key(read.path)]
        for _item, outcome, article in stored.outcomes[read.path]:
            if outcome is Outcome.NEW or outcome is Outcome.UPDATED:
                (stored.new if outcome is Outcome.NEW else stored.changed)[article.id] = article
    for article in store.released:
        stored.changed.setdefault(article.id, article)
    stored.positions = work.commit()
    if stored.positions:
        near.position = stored.positions[-1]  # (the entries before this batch's were followed under the write lock)
    return stored


def _not_stored(batch: list[FileRead], exc: Exception) -> ArchiveError:
    from newsarchive.storage.database import error_line

    return ArchiveError(
        f"could not store the batch of {len(batch)} files starting with {path_key(batch[0].path)}: {error_line(exc)}",
        hint="nothing of this batch was stored; the files before it were",
    )


def _notes(read: FileRead, observer: IngestObserver, report: IngestReport) -> None:
    """Report a file's broken items, warnings and notes, and count what was read.

    A note that every article of the file has (a feed's encoding) is said once, for the file.
    """
    notes: dict[str, list[str]] = {}
    for item in read.items:
        if isinstance(item, ItemError):
            _fail(report, observer, read.path, f"{item.key}: {item.reason}")
            continue
        report.read += 1
        for message in item.draft.warnings:
            observer.warning(FileNote.about(read.path, message))
        for message in item.draft.notes:
            notes.setdefault(message, []).append(item.key)
    articles = sum(1 for item in read.items if not isinstance(item, ItemError))
    for message, keys in notes.items():
        where = f"{keys[0]}: " if keys[0] and len(keys) < articles else ""
        observer.note(FileNote.about(read.path, where + message))
    if read.encoding not in (None, "utf-8", "utf-8-sig", "ascii"):
        observer.note(FileNote.about(read.path, f"decoded as {read.encoding}"))


def _fail(report: IngestReport, observer: IngestObserver, path: Path, reason: str) -> None:
    note = FileNote.about(path, reason)
    report.failures.append(note)
    observer.failure(note)


def _discover(
    paths: Iterable[str | Path], config: ArchiveConfig, report: IngestReport, observer: IngestObserver
) -> list[Path]:
    found: list[Path] = []
    for item in discover(paths, exclude=config.home):
        if isinstance(item, Found):
            found.append(item.path)
            continue
        if item.failed:
            _fail(report, observer, item.path, item.reason)
        else:
            report.skipped.append(FileNote.about(item.path, item.reason))
            observer.note(FileNote.about(item.path, f"passed over: {item.reason}"))
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
