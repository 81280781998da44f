"""Revision 0001 creates the whole schema; there is one head; commands upgrade by themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from conftest import database_or
from newsarchive.config import resolve_config
from newsarchive.storage.database import alembic_config, ensure_schema, head_revision, open_database
from newsarchive.storage.models import Base


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]  # HEAD_REVISION must follow a new migration


def test_upgrading_an_empty_database_equals_the_models(tmp_path: Path) -> None:
    engine = create_engine(database_or(tmp_path / "empty.db"))
    assert ensure_schema(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_ensure_schema_is_a_no_op_when_current(tmp_path: Path) -> None:
    engine = create_engine(database_or(tmp_path / "a.db"))
    ensure_schema(engine)
    tables = set(inspect(engine).get_table_names())
    assert ensure_schema(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == tables


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    engine = create_engine(database_or(tmp_path / "b.db"))
    ensure_schema(engine)
    cfg = alembic_config(engine)
    command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(cfg, "head")
    assert {"articles", "article_files", "change_log"} <= set(inspect(engine).get_table_names())


@pytest.mark.sqlite_only("a SQLite file named by ARCHIVE_DATABASE_URL")
def test_the_database_url_from_the_environment_is_used(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    db = open_database(resolve_config(tmp_path / "home"), create=True)
    db.close()
    assert (tmp_path / "elsewhere.db").exists()
    assert not (tmp_path / "home" / "archive.db").exists()


def test_0003_writes_a_backslash_in_stored_paths_twice(tmp_path: Path) -> None:
    from sqlalchemy import text

    engine = create_engine(database_or(tmp_path / "c.db"))
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0002")
    old_keys = {
        "/in/r\\xe9sum\\xe9.txt": "/in/r\\xe9sum\\xe9.txt",  # a Latin-1 name: its bytes stay escapes
        "/in/a\\b.txt": "/in/a\\\\b.txt",  # a real backslash is written twice
        "/in/plain.txt": "/in/plain.txt",
    }
    with engine.begin() as connection:
        for n, path in enumerate(old_keys):
            connection.execute(
                text(
                    "INSERT INTO articles (id, title, body, authors, content_hash, revision, ingested_at, updated_at) "
                    "VALUES (:id, 't', '[]', '[]', :id, 1, '2026-01-01', '2026-01-01')"
                ),
                {"id": f"a{n}"},
            )
            connection.execute(
                text("INSERT INTO files (path, format, items, seen_at) VALUES (:path, 'text', 1, '2026-01-01')"),
                {"path": path},
            )
            connection.execute(
                text("INSERT INTO article_files (path, item, article_id) VALUES (:path, '', :id)"),
                {"path": path, "id": f"a{n}"},
            )
    command.upgrade(cfg, "head")
    with engine.connect() as connection:
        files = set(connection.execute(text("SELECT path FROM files")).scalars())
        links = {row[0]: row[1] for row in connection.execute(text("SELECT article_id, path FROM article_files"))}
    assert files == set(old_keys.values())
    assert links == {f"a{n}": new for n, new in enumerate(old_keys.values())}
    command.downgrade(cfg, "0002")
    with engine.connect() as connection:
        assert set(connection.execute(text("SELECT path FROM article_files")).scalars()) == set(old_keys)


def test_upgrade_fills_the_offset_the_date_text_names(tmp_path: Path) -> None:
    from alembic import command

    engine = create_engine(database_or(tmp_path / "old.db"))
    command.upgrade(alembic_config(engine), "0001")
    rows = {
        "a1": ("2024-11-09 22:30:00", "10 November 2024 01:30 +03:00"),
        "a2": ("2024-11-10 14:05:00", "2024-11-10T09:05:00-05:00"),
        "a3": ("2024-11-10 09:13:00", "Sun, 10 Nov 2024 09:13:00 GMT"),
        "a4": ("2024-11-10 09:13:00", "10 November 2024 09:13"),  # no zone written
        "a5": ("2024-11-10 00:00:00", "10 November 2024"),
        "a6": ("2024-11-10 09:13:00", "10 November 2024 09:13 MSK"),  # a zone dateutil does not know
        "a7": ("2024-11-10 09:13:00", "2024-11-10T12:13:00+02:00"),  # not the moment stored
    }
    with engine.begin() as connection:
        for article_id, (published, written) in rows.items():
            connection.execute(
                text(
                    "INSERT INTO articles (id, title, body, published_at, date_text, authors, content_hash,"
                    " revision, ingested_at, updated_at) VALUES (:id, 't', '[]', :published, :written, '[]',"
                    " :id, 1, :now, :now)"
                ),
                {"id": article_id, "published": published, "written": written, "now": datetime.now(UTC).isoformat()},
            )
    ensure_schema(engine)
    with engine.connect() as connection:
        offsets = dict(connection.execute(text("SELECT id, published_offset FROM articles")).all())
    assert offsets == {"a1": 180, "a2": -300, "a3": 0, "a4": None, "a5": None, "a6": None, "a7": None}


def test_0004_moves_what_was_pending_into_the_change_log(tmp_path: Path) -> None:
    """A pending removal and a stale article become the log's entries; an index at position 0 catches up just those."""
    engine = create_engine(database_or(tmp_path / "d.db"))
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0003")
    insert = text(
        "INSERT INTO articles (id, title, body, authors, content_hash, revision, indexed_revision, ingested_at, updated_at)"
        " VALUES (:id, 't', '[]', '[]', :id, :revision, :indexed, '2026-01-01', '2026-01-01')"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"id": "current", "revision": 2, "indexed": 2})
        connection.execute(insert, {"id": "changed", "revision": 3, "indexed": 2})
        connection.execute(insert, {"id": "neverindexed", "revision": 1, "indexed": None})
        connection.execute(text("INSERT INTO index_removals (article_id) VALUES ('gone')"))
    command.upgrade(cfg, "head")
    with engine.connect() as connection:
        entries = connection.execute(text("SELECT position, article_id, kind FROM change_log ORDER BY position")).all()
        columns = {column["name"] for column in inspect(connection).get_columns("articles")}
    assert [tuple(entry) for entry in entries] == [(1, "gone", "removed"), (2, "changed", "stored"), (3, "neverindexed", "stored")]
    assert "indexed_revision" not in columns and "index_removals" not in inspect(engine).get_table_names()
    command.downgrade(cfg, "0003")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT article_id FROM index_removals")).scalars().all() == ["gone"]
        assert set(connection.execute(text("SELECT indexed_revision FROM articles")).scalars()) == {None}
