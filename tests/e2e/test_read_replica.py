"""ARCHIVE_READ_DATABASE_URL: the commands that only read read from a standby server that follows the primary by
streaming replication; writes (and schema upgrades) go to ARCHIVE_DATABASE_URL only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import newsarchive
from _postgres import Server
from newsarchive.storage.database import head_revision
from test_faults import make_collection

CLOSED = "postgresql+psycopg://news@127.0.0.1:9/news"  # (nothing listens on port 9)


def on_standby(standby: str, url: str) -> str:
    """The SQLAlchemy URL of the database ``url`` names, on the standby whose admin URL is ``standby``."""
    return standby.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + url.rsplit("/", 1)[1]


def test_reads_go_to_the_standby_and_writes_to_the_primary(
    archive, postgres: Server, tmp_path: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standby = postgres.standby()
    url = postgres.database()
    monkeypatch.setenv("ARCHIVE_ENGINE", "whoosh")  # (a local index in each home, following the log)
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    archive("ingest", make_collection(tmp_path / "in", 3))
    archive("--home", tmp_path / "other", "ingest", make_collection(tmp_path / "more", 2, first=3))  # another machine
    postgres.replayed(standby)
    # The primary out of reach for this machine: whatever it reads comes from the standby.
    read_url = on_standby(standby, url)
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", CLOSED)
    monkeypatch.setenv("ARCHIVE_READ_DATABASE_URL", read_url)
    assert "1 article matches 'zqx4'" in archive("search", "zqx4").stdout  # (this home's index caught up from the standby)
    found = json.loads(archive("search", "zqx1", "--json").stdout)["hits"]
    article_id = found[0]["id"]
    assert "zqx1" in archive("show", article_id).stdout
    assert "5 articles" in archive("list").stdout
    assert len(archive("export").stdout.splitlines()) == 5
    facts = json.loads(archive("info", "--json").stdout)
    assert (facts["articles"], facts["read_database_url"], facts["engine"]) == (5, read_url, "whoosh")
    assert f"reads from:      {read_url}\n" in archive("info").stdout
    with newsarchive.open(archive_home, database_url=CLOSED, read_database_url=read_url) as library:
        assert library.get(article_id).id == article_id and library.articles().total == 5
    # Writes never go there.
    refused = archive("ingest", make_collection(tmp_path / "late", 1, first=9), expect=1).stderr
    assert refused.startswith("Error: cannot connect to the archive database at 127.0.0.1:9/news: the server refused")
    assert "in ARCHIVE_DATABASE_URL\n" in refused


def test_a_read_database_without_the_archive_is_said_in_one_line(
    archive, postgres: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standby = postgres.standby()
    url, empty = postgres.database(), postgres.database()
    monkeypatch.setenv("ARCHIVE_ENGINE", "whoosh")
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    archive("ingest", make_collection(tmp_path / "in", 1))
    postgres.replayed(standby)
    read_url = on_standby(standby, empty)
    monkeypatch.setenv("ARCHIVE_READ_DATABASE_URL", read_url)
    where = read_url.split("@", 1)[1]
    assert archive("list", expect=1).stderr == (
        f"Error: the read database {where} (ARCHIVE_READ_DATABASE_URL) is not an archive (no schema)\n"
        "Hint: a standby catches up with its primary's upgrade by itself: wait, or check that "
        "ARCHIVE_READ_DATABASE_URL names a standby of ARCHIVE_DATABASE_URL's server\n"
    )
    import psycopg

    older = postgres.database()  # an archive at an older schema (the primary upgraded, its standby not yet)
    with psycopg.connect(older.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('0004')")
    postgres.replayed(standby)
    monkeypatch.setenv("ARCHIVE_READ_DATABASE_URL", on_standby(standby, older))
    assert archive("list", expect=1).stderr.startswith(
        f"Error: the read database {on_standby(standby, older).split('@', 1)[1]} (ARCHIVE_READ_DATABASE_URL) "
        f"is at schema revision 0004, not {head_revision()}\n"
    )
    monkeypatch.setenv("ARCHIVE_READ_DATABASE_URL", CLOSED.replace("news@", "news:secret@"))
    refused = archive("show", "abc", expect=1).stderr
    assert "127.0.0.1:9/news" in refused and "secret" not in refused and refused.endswith("in ARCHIVE_READ_DATABASE_URL\n")


def test_writes_need_only_the_primary_whatever_the_read_database(
    archive, postgres: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.database()
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    monkeypatch.setenv("ARCHIVE_READ_DATABASE_URL", CLOSED)  # (a standby out of reach)
    archive("init", "--engine", "postgres")
    archive("ingest", make_collection(tmp_path / "in", 3))
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n")
    assert archive("check", "--repair").stdout.endswith("OK: the database and the index agree.\n")
    assert archive("reindex").stdout.startswith("Indexed 3 articles")
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        [(article_id,)] = connection.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchall()
    assert archive("remove", article_id).stdout.endswith("1 article removed from the database and the index.\n")
    refused = archive("search", "zqx1", expect=1).stderr  # (reads go to the read database alone)
    assert refused.startswith("Error: cannot connect to the archive database at 127.0.0.1:9/news") and "ARCHIVE_READ_DATABASE_URL" in refused
