"""The unit of work: its order at commit (lock, hooks, the engine's staging, entries), and runs tried again."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from newsarchive.config import resolve_config
from newsarchive.storage import log, unit_of_work
from newsarchive.storage.database import Database, open_database
from newsarchive.storage.unit_of_work import UnitOfWork, attempt, transient


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(resolve_config(tmp_path / "home"), create=True)
    yield database
    database.close()


class Refusal(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"refused ({sqlstate})\nDETAIL: the statement")
        self.sqlstate = sqlstate


def test_commit_stages_the_engine_rows_after_the_hooks_under_the_lock_and_before_the_entries(db: Database) -> None:
    said: list[tuple[str, object]] = []

    def stage(session: Session, stored: Sequence[str], removed: Sequence[str]) -> None:
        said.append(("stage", (list(stored), list(removed), log.head(session))))

    db.stage = stage
    with UnitOfWork(db) as work:
        work.stored(["a1", "a2"])
        work.removed(["a0"])
        work.when_locked(lambda session: said.append(("hook", log.head(session))))
        assert work.commit() == range(1, 4)
    assert said == [("hook", 0), ("stage", (["a1", "a2"], ["a0"], 0))]
    with UnitOfWork(db) as work:
        work.when_locked(lambda session: said.append(("hook", None)))
        work.commit()  # (nothing changed: no lock, no hook, no staging)
    assert len(said) == 2


def test_a_run_that_met_another_writer_is_tried_again_and_other_errors_are_not(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(unit_of_work, "PAUSE", 0.0)
    runs: list[int] = []
    forgotten: list[int] = []

    def clashes_twice(work: UnitOfWork) -> str:
        runs.append(1)
        if len(runs) < 3:
            raise OperationalError("UPDATE ...", {}, Refusal("40P01"))
        return "stored"

    assert attempt(db, clashes_twice, retrying=lambda: forgotten.append(1)) == "stored"
    assert (len(runs), len(forgotten)) == (3, 2)
    # (the driver's own warning of a failed pipeline does not reach stderr: the error is reported, in one line)
    assert any(isinstance(handler, logging.NullHandler) for handler in logging.getLogger("psycopg").handlers)

    def always(work: UnitOfWork) -> None:
        runs.append(1)
        raise IntegrityError("INSERT ...", {}, Refusal("23505"))

    runs.clear()
    with pytest.raises(IntegrityError):
        attempt(db, always)
    assert len(runs) == unit_of_work.ATTEMPTS

    def broken(work: UnitOfWork) -> None:
        runs.append(1)
        raise OperationalError("SELECT ...", {}, Refusal("42P01"))

    runs.clear()
    with pytest.raises(OperationalError):
        attempt(db, broken)
    assert len(runs) == 1


@pytest.mark.parametrize(
    ("error", "again"),
    [
        (OperationalError("x", {}, Refusal("40001")), True),  # serialization failure
        (OperationalError("x", {}, Refusal("08006")), True),  # connection failure
        (IntegrityError("x", {}, Refusal("23505")), True),  # unique violation: another writer stored it first
        (IntegrityError("x", {}, Refusal(None)), False),  # (SQLite's, which has no SQLSTATE: a real constraint error)
        (OperationalError("x", {}, Refusal("53100")), False),  # disk full
        (OperationalError("x", {}, Exception("server closed the connection")), False),
        (ValueError("x"), False),
    ],
)
def test_what_is_tried_again(error: Exception, again: bool) -> None:
    assert transient(error) is again
