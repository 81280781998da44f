"""The database is the source of truth; a crash between its commit and the index's is repaired."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from newsarchive.config import resolve_config
from newsarchive.storage.database import open_database
from newsarchive.storage.unit_of_work import UnitOfWork
from test_faults import make_collection

pytestmark = pytest.mark.local_index("the home's Whoosh index: its files, its position in the change log, its repairs")


def _search_total(archive, query: str) -> int:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", query, "--json").stdout)["total"]


def _simulate_crash_before_index_commit(home: Path, article_id: str) -> None:
    """The database has the article and its log entry, the index does not: as if killed between the two commits."""
    db = open_database(resolve_config(home))
    with UnitOfWork(db) as work:
        work.stored([article_id])
        work.commit()
    db.close()
    ix = whoosh_index.open_dir(str(home / "index"))
    writer = ix.writer()
    writer.delete_by_term("id", article_id)
    writer.commit()


def test_the_next_ingest_repairs_an_interrupted_one(archive, seed_dir: Path, archive_home: Path, tmp_path: Path) -> None:
    archive("ingest", seed_dir)
    article_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    _simulate_crash_before_index_commit(archive_home, article_id)

    empty = tmp_path / "nothing-new"
    empty.mkdir()
    result = archive("ingest", empty)
    assert "re-indexed 1 left over from an interrupted run" in result.stdout
    assert _search_total(archive, "Kursk") == 1
    assert "not yet indexed" not in archive("info").stdout


def test_the_next_ingest_rebuilds_an_index_of_an_earlier_version_and_says_so(
    archive, seed_dir: Path, archive_home: Path, tmp_path: Path
) -> None:
    archive("ingest", seed_dir)
    marker = archive_home / "index" / "newsarchive-index.json"
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "schema_version": 1}), encoding="utf-8")
    assert "built by another version" in archive("search", "Kursk", expect=1).stderr

    empty = tmp_path / "nothing-new"
    empty.mkdir()
    result = archive("ingest", empty)
    assert "rebuilt the search index from the 1 article stored before (it was missing, or made by an earlier version)" in (
        result.stdout
    )
    assert "left over" not in result.stdout
    assert _search_total(archive, "Kursk") == 1


def test_a_search_first_catches_up_with_the_log(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    article_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    _simulate_crash_before_index_commit(archive_home, article_id)
    found = archive("search", "Kursk", "--json")
    assert json.loads(found.stdout)["total"] == 1 and found.stderr == ""
    assert "OK: the database and the index agree." in archive("check").stdout


def test_a_search_that_cannot_catch_up_says_how_far_behind_it_is(archive, seed_dir: Path, archive_home: Path) -> None:
    from newsarchive.storage.locks import writer_lock

    archive("ingest", seed_dir)
    article_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    _simulate_crash_before_index_commit(archive_home, article_id)
    with writer_lock(resolve_config(archive_home)):  # (another process writing to this home)
        behind = archive("search", "Kursk", "--json")
        info = archive("info").stdout
    assert json.loads(behind.stdout)["total"] == 0
    assert behind.stderr == (
        "note: the search index is 1 change behind the archive database (another process is writing to it); "
        "it is not searched\n"
    )
    assert "not yet indexed: 1 articles" in info
    assert _search_total(archive, "Kursk") == 1


def test_a_lost_index_is_rebuilt_by_the_next_ingest(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    shutil.rmtree(archive_home / "index")
    assert "no search index" in archive("search", "Kursk", expect=1).stderr
    archive("ingest", seed_dir)
    assert _search_total(archive, "Kursk") == 1


def test_reindex_rebuilds_a_damaged_index(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    postings = list((archive_home / "index").glob("*.pst"))
    assert postings
    for path in postings:
        path.write_bytes(b"garbage")
    assert "the search index is damaged" in archive("search", "Kursk", expect=1).stderr
    archive("reindex")
    assert _search_total(archive, "Kursk") == 1


@pytest.mark.sqlite_only("an archive file of schema 0003, downgraded and edited with sqlite3")
def test_an_archive_from_before_the_change_log_catches_up_what_was_pending_without_a_reindex(
    archive, tmp_path: Path, archive_home: Path
) -> None:
    """At schema 0003 an index's pending work was a stale article and a removal: after the upgrade, the log holds just those."""
    import sqlite3

    from alembic import command
    from sqlalchemy import create_engine

    from newsarchive.storage.database import alembic_config

    archive("ingest", make_collection(tmp_path / "in", 5))
    database = archive_home / "archive.db"
    engine = create_engine(f"sqlite:///{database}")
    command.downgrade(alembic_config(engine), "0003")
    engine.dispose()
    with sqlite3.connect(database) as connection:
        stale, gone = [row[0] for row in connection.execute("SELECT id FROM articles ORDER BY id LIMIT 2")]
        connection.execute("UPDATE articles SET indexed_revision = revision")
        connection.execute("UPDATE articles SET title = 'Renamed zqxrenamed', revision = 2 WHERE id = ?", (stale,))
        connection.execute("DELETE FROM article_files WHERE article_id = ?", (gone,))
        connection.execute("DELETE FROM articles WHERE id = ?", (gone,))
        connection.execute("INSERT INTO index_removals (article_id) VALUES (?)", (gone,))
    marker = archive_home / "index" / "newsarchive-index.json"
    written = json.loads(marker.read_text(encoding="utf-8"))
    del written["log_position"]  # (an index made before the log records no position)
    marker.write_text(json.dumps(written), encoding="utf-8")

    assert _search_total(archive, "zqxrenamed") == 1
    facts = json.loads(archive("check", "--json").stdout)
    assert facts["ok"] and (facts["index_position"], facts["log_head"]) == (2, 2)
    assert (facts["articles"], facts["index_documents"]) == (4, 4)



def test_a_search_in_a_read_only_home_answers_from_the_index_as_it_is(
    archive, seed_dir: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    archive("ingest", seed_dir)
    article_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    _simulate_crash_before_index_commit(archive_home, article_id)
    real_access = os.access

    def access(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        inside = Path(path).absolute().is_relative_to(archive_home)
        return False if mode & os.W_OK and inside else real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)  # (as the archive asks whether it may write)
    behind = archive("search", "Kursk", "--json")
    assert json.loads(behind.stdout)["total"] == 0
    assert behind.stderr == (
        "note: the search index is 1 change behind the archive database (it is read-only here); it is not searched\n"
    )
    assert "1 to catch up" in archive("check", expect=1).stdout
    monkeypatch.setattr(os, "access", real_access)
    assert _search_total(archive, "Kursk") == 1


def test_an_index_written_before_the_engine_had_its_package_is_read_without_a_reindex(
    archive, seed_dir: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh keeps the schema pickled, its field classes named by module: an index made before the move
    names ``newsarchive.index.analysis.StemmedText``, and a new process reads it as it is."""
    import subprocess
    import sys

    from newsarchive.engines.whoosh import analysis
    from newsarchive.engines.whoosh.files import LEGACY_MODULES, _legacy_names

    _legacy_names()
    monkeypatch.setattr(analysis.StemmedText, "__module__", "newsarchive.index.analysis")
    archive("ingest", seed_dir)
    monkeypatch.undo()
    for name in LEGACY_MODULES:
        sys.modules.pop(name)
    (toc,) = (archive_home / "index").glob("_MAIN_*.toc")
    assert b"newsarchive.index.analysis" in toc.read_bytes()
    found = subprocess.run(
        [sys.executable, "-m", "newsarchive", "search", "Kursk", "--json"],
        env={**os.environ, "ARCHIVE_HOME": str(archive_home)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == 1
