"""The change log: written with every change, followed by each index on its own, and a race that loses nothing."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import database_or
from newsarchive.archive import Archive
from newsarchive.config import ArchiveConfig, resolve_config
from newsarchive.engines import open_engine
from newsarchive.engines.protocol import SearchEngine
from newsarchive.services.ingest import IngestOptions, IngestReport
from newsarchive.storage import log
from newsarchive.storage.database import Database, open_database
from newsarchive.storage.unit_of_work import UnitOfWork

sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
from test_faults import make_collection  # noqa: E402

ONE_PROCESS = IngestOptions(processes=1, batch_items=10)


def ingest_paths(config: ArchiveConfig, paths: list[Path], options: IngestOptions) -> IngestReport:
    """An ingest into the home of ``config``, as `archive ingest` makes it."""
    with Archive(config) as archive:
        return archive.ingest(paths, options)


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ArchiveConfig, ArchiveConfig]:
    """Two homes on one database (a file of their own on SQLite)."""
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_or(tmp_path / "shared.db"))
    return resolve_config(tmp_path / "a"), resolve_config(tmp_path / "b")


@pytest.fixture
def db(homes: tuple[ArchiveConfig, ArchiveConfig], tmp_path: Path) -> Iterator[Database]:
    ingest_paths(homes[0], [make_collection(tmp_path / "first", 12)], ONE_PROCESS)
    database = open_database(homes[0])
    yield database
    database.close()


def _ids(engine: SearchEngine) -> set[str]:
    return {article_id for article_id, _revision in engine.entries()}


def _log(db: Database) -> list[tuple[int, str, str]]:
    with db.sessions() as session:
        return log.entries(session, 0)


def test_every_stored_article_is_an_entry_in_order(db: Database) -> None:
    entries = _log(db)
    assert [position for position, _, _ in entries] == list(range(1, 13))
    assert {kind for _, _, kind in entries} == {log.STORED}


def test_a_unit_of_work_appends_its_entries_with_its_commit_and_nothing_without(db: Database) -> None:
    before = _log(db)
    with UnitOfWork(db) as work:
        work.stored(["x1", "x2"])
        work.removed(["x1"])  # (its last change counts: one entry an article)
    assert _log(db) == before  # not committed: rolled back
    with UnitOfWork(db) as work:
        work.stored(["x1", "x2"])
        work.removed(["x1"])
        positions = work.commit()
    assert positions == range(13, 15)
    assert _log(db)[-2:] == [(13, "x2", log.STORED), (14, "x1", log.REMOVED)]


def test_an_ingest_applies_what_another_home_logged_between_its_batches(homes, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Its index commit records the position of its last entry: the other home's entries before it are applied first."""
    import newsarchive.services.ingest as ingest

    first, second = homes
    ingest_paths(second, [make_collection(tmp_path / "base", 5, first=900)], ONE_PROCESS)
    other = make_collection(tmp_path / "other", 7, first=500)
    original = ingest._store_once
    calls = []

    def with_another_home_between(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            ingest_paths(second, [other], ONE_PROCESS)
        return original(*args, **kwargs)

    monkeypatch.setattr(ingest, "_store_once", with_another_home_between)
    ingest_paths(first, [make_collection(tmp_path / "mine", 30)], ONE_PROCESS)
    engine = open_engine(first)
    database = open_database(first)
    try:
        with database.sessions() as session:
            head = log.head(session)
    finally:
        database.close()
    assert len(calls) == 3 + 1  # (three batches of mine, and the other home's one)
    assert engine.position() == head == 5 + 30 + 7
    assert len(_ids(engine)) == 42  # without any catch-up after the ingest


def test_a_batch_another_home_stored_first_joins_what_it_stored(homes, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Between a batch's reading of its files and its storing them another home stores the same files: the batch
    finds what it stored (its files' rows are written, and held, before anything is read), losing nothing."""
    from newsarchive.services.freshness import catch_up_before_reading
    from newsarchive.storage import store

    first, second = homes
    folder = make_collection(tmp_path / "in", 6)
    original = store.BatchStore._record_files
    raced: list[bool] = []

    def racing(self, reads):  # type: ignore[no-untyped-def]
        if not raced:
            raced.append(True)
            ingest_paths(second, [folder], ONE_PROCESS)
        return original(self, reads)

    monkeypatch.setattr(store.BatchStore, "_record_files", racing)
    report = ingest_paths(first, [folder], ONE_PROCESS)
    assert raced and (report.new, report.unchanged, report.failed) == (0, 6, 0)
    catch_up_before_reading(first)
    engine = open_engine(first)
    assert len(_ids(engine)) == 6 and _ids(engine) == _ids(open_engine(second))
