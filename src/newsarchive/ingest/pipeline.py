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

from newsarchive.config import ArchiveConfig
from newsarchive.errors import BadInputFile
from newsarchive.ingest.discover import Found, discover
from newsarchive.progress import Progress

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

    def skipped(self, note: FileNote) -> None:
        """A file was passed over on purpose (hidden, not an article type)."""

    def undated(self, path: Path) -> None:
        """A new or updated article has no recognisable date."""


def ingest_paths(
    config: ArchiveConfig,
    paths: Iterable[str | Path],
    options: IngestOptions = IngestOptions(),
    observer: IngestObserver | None = None,
) -> IngestReport:
    """Ingest every article file under ``paths`` into the archive at ``config``."""
    from newsarchive.db import open_database
    from newsarchive.indexing import sync_index
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
            for start in range(0, len(found), BATCH_SIZE):
                touched = _ingest_batch(db, found[start : start + BATCH_SIZE], options, report, observer)
                sync_index(db, config, touched)
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
            observer.skipped(note)
    return found


def _ingest_batch(
    db,  # type: ignore[no-untyped-def]
    batch: Sequence[Path],
    options: IngestOptions,
    report: IngestReport,
    observer: IngestObserver,
) -> set[str]:
    from newsarchive.ingest.reading import read_article, stamp_of
    from newsarchive.ingest.store import Outcome, known_stamps, store_article

    touched: set[str] = set()
    with db.sessions() as session:
        known = {} if options.force else known_stamps(session, [str(path) for path in batch])
        now = datetime.now(timezone.utc)
        for path in batch:
            observer.advance(1)
            prior = known.get(str(path))
            try:
                if prior is not None and _unchanged(prior, stamp_of(path), options):
                    report.unchanged += 1
                    continue
                read = read_article(path, options.default_tz)
            except BadInputFile as exc:
                _fail(report, observer, path, exc.reason)
                continue
            except OSError as exc:
                _fail(report, observer, path, f"cannot read file: {exc.strerror or exc}")
                continue
            for message in read.draft.warnings:
                observer.warning(FileNote(path, message))
            outcome, article = store_article(
                session, path=str(path), stamp=read.stamp, draft=read.draft, source=options.source, now=now
            )
            setattr(report, outcome.value, getattr(report, outcome.value) + 1)
            if outcome in (Outcome.NEW, Outcome.UPDATED):
                touched.add(article.id)
                if article.published_at is None:
                    report.undated += 1
                    observer.undated(path)
        session.commit()
    return touched


def _unchanged(prior, stamp, options: IngestOptions) -> bool:  # type: ignore[no-untyped-def]
    recorded, source = prior
    return recorded == stamp and (options.source is None or options.source == source)


def _fail(report: IngestReport, observer: IngestObserver, path: Path, reason: str) -> None:
    note = FileNote(path, reason)
    report.failures.append(note)
    observer.failure(note)
