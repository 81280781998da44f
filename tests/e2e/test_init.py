"""`archive init` makes an archive and records the search engine every machine on it uses (storage.settings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _postgres import Server
from newsarchive.config import resolve_config
from newsarchive.storage.dialects import Dialect
from newsarchive.storage.settings import chosen_engine
from test_faults import make_collection


@pytest.mark.sqlite_only("an SQLite archive's engine; on a server: test_every_machine_on_a_server_uses_the_engine_init_recorded")
def test_init_makes_an_archive_in_the_home_that_searches_with_whoosh(archive, archive_home: Path) -> None:
    database = archive_home / "archive.db"
    assert archive("init").stdout == f"Made the archive in {database}; every machine searches it with whoosh.\n"
    assert json.loads(archive("info", "--json").stdout)["engine"] == "whoosh"
    again = json.loads(archive("init", "--engine", "whoosh", "--json").stdout)
    assert again == {"database": str(database), "engine": "whoosh", "created": False, "previous": None, "articles": 0}


@pytest.mark.sqlite_only("the refusal is of an SQLite archive")
def test_the_postgres_engine_is_refused_on_an_sqlite_archive(archive, archive_home: Path) -> None:
    result = archive("init", "--engine", "postgres", expect=2)
    assert result.stderr == (
        f"Error: the postgres engine searches in a PostgreSQL server, and this archive's database is {archive_home / 'archive.db'}\n"
        "Hint: keep whoosh here; for a team's archive on a server, set ARCHIVE_DATABASE_URL=postgresql+psycopg://USER@HOST/DB first\n"
    )
    assert not archive_home.exists()  # (refused before anything is made)


@pytest.mark.no_archive
def test_an_sqlite_archive_never_asks_its_file_which_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def asked(*_args: object) -> None:
        raise AssertionError("the database was asked")

    monkeypatch.setattr(Dialect, "glance", asked)
    assert chosen_engine(resolve_config(tmp_path / "nowhere")) == "whoosh"
    monkeypatch.setenv("ARCHIVE_ENGINE", "lucene")
    assert chosen_engine(resolve_config(tmp_path / "nowhere")) == "lucene"


def test_every_machine_on_a_server_uses_the_engine_init_recorded(
    archive, postgres: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.database()
    name = url.rsplit("@", 1)[1]
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    made = json.loads(archive("init", "--engine", "whoosh", "--json").stdout)
    assert made == {"database": name, "engine": "whoosh", "created": True, "previous": None, "articles": 0}
    archive("ingest", make_collection(tmp_path / "in", 3))
    assert archive("check", "--repair").stdout.endswith("OK: the database and the index agree.\n")  # (no rowid there)
    other = tmp_path / "other-machine"  # another home on the same database: no ARCHIVE_ENGINE, the setting decides
    archive("--home", other, "reindex")
    assert "1 article matches 'zqx1'" in archive("--home", other, "search", "zqx1").stdout
    assert json.loads(archive("--home", other, "info", "--json").stdout)["engine"] == "whoosh"
    assert archive("init").stdout == f"The archive in {name}; every machine searches it with whoosh.\n"
    changed = archive("init", "--engine", "postgres")
    assert changed.stderr == (
        "note: the archive's engine was whoosh: its 3 articles are searched with postgres "
        "once `archive reindex` has indexed them for it\n"
    )
    monkeypatch.setenv("ARCHIVE_ENGINE", "whoosh")  # one machine keeps its own index over the server
    assert json.loads(archive("--home", other, "info", "--json").stdout)["engine"] == "whoosh"
    monkeypatch.delenv("ARCHIVE_ENGINE")
    assert chosen_engine(resolve_config(other)) == "postgres"


def test_a_search_right_after_init_finds_nothing_rather_than_no_index(archive, archive_home: Path) -> None:
    archive("init")
    facts = json.loads(archive("info", "--json").stdout)
    assert facts["index_documents"] == 0 and facts["local_index"] == (facts["engine"] == "whoosh")
    [index] = [line for line in archive("info").stdout.splitlines() if line.startswith("index:")]
    assert index == "index:           " + (str(archive_home / "index") if facts["local_index"] else "in the database, beside the articles")
    assert archive("search", "kursk").stdout == "No articles match 'kursk'.\n"
    assert [(series["counts"], series["undated"]) for series in json.loads(archive("trend", "kursk", "--json").stdout)["series"]] == [([], 0)]


def test_an_unknown_engine_is_a_usage_error(archive, monkeypatch: pytest.MonkeyPatch) -> None:
    archive("init")
    monkeypatch.setenv("ARCHIVE_ENGINE", "lucene")
    assert archive("search", "kursk", expect=2).stderr == (
        "Error: unknown search engine 'lucene'\nHint: set ARCHIVE_ENGINE to one of: whoosh, postgres\n"
    )
