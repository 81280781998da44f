"""What every search engine does with the database's change log: catching up, however many indexes follow it.

Two homes on one database, each with an index of the engine under test
(the ``engine_name`` fixture), each applying the log from its own ``position()``.
"""

from __future__ import annotations

import pytest

from newsarchive.archive import Archive
from newsarchive.engines import open_engine
from newsarchive.engines.protocol import SearchEngine, SearchOptions
from newsarchive.query import parse
from newsarchive.services.indexing import SyncResult, catch_up
from newsarchive.storage.database import Database
from test_change_log import db, homes  # noqa: F401  (the two homes and their database, shared with the log's tests)


@pytest.fixture(autouse=True)
def _every_engine(engine_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_ENGINE", engine_name)


def _ids(engine: SearchEngine) -> set[str]:
    return {article_id for article_id, _revision in engine.entries()}


def test_a_removal_reaches_a_second_index_through_the_log(homes, db: Database, engine_name: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    first, second = homes
    engine = open_engine(second)
    assert engine.name == engine_name
    catch_up(db, engine)  # (no index yet: built from the database, at the log's head)
    assert len(_ids(engine)) == 12 and engine.position() == 12
    gone = sorted(_ids(engine))[0]
    with Archive(first) as archive:
        archive.remove([gone])
    if engine.follows_log:
        assert gone in _ids(engine) and engine.position() == 12  # (nothing reaches it but the log)
        result = catch_up(db, engine)
        assert (result.indexed, result.removed) == (0, 1)
    else:  # (its rows went with the removal's own transaction: nothing left to catch up)
        assert gone not in _ids(engine)
        assert catch_up(db, engine) == SyncResult(indexed=0, removed=0, rebuilt=False)
    assert gone not in _ids(engine) and engine.position() == 13
    assert engine.search(parse("council"), SearchOptions(limit=1)).total == 11
