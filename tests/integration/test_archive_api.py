"""The library API: `newsarchive.open(home)` and the Archive's methods, as a Python user calls them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import newsarchive
from conftest import SEED, Stack, database_or, database_rows
from newsarchive.archive import Archive, Reindexed, Similar, Terms
from newsarchive.render.views import VIEWS, render

SEED_ID = "c3eaa81b31"
ARTICLES = [
    {"title": "Kursk talks resume", "maintext": "Negotiators met in Kursk to resume the peace talks. " * 6,
     "date_publish": "2024-11-12T08:00:00Z", "source_domain": "example.org"},
    {"title": "Kursk talks resume", "maintext": "Negotiators met in Kursk to resume the peace talks. " * 6
     + "A later edition added this line.", "date_publish": "2024-11-13T08:00:00Z"},
    {"title": "Budget vote delayed", "maintext": "The budget vote was delayed once more. " * 6},
]  # fmt: skip


@pytest.fixture
def folder(seed_dir: Path) -> Path:
    shutil.copy(SEED, seed_dir / "copy.txt")  # the same text from a second place: stored once
    (seed_dir / "more.jsonl").write_text("".join(json.dumps(item) + "\n" for item in ARTICLES), encoding="utf-8")
    return seed_dir


@pytest.fixture
def library(archive_home: Path, folder: Path) -> Archive:
    with newsarchive.open(archive_home) as made:
        report = made.ingest([folder])
    assert (report.files, report.new, report.duplicate, report.failed) == (3, 4, 1, 0)
    return newsarchive.open(archive_home)


def test_importing_the_package_loads_nothing_heavy_and_opening_opens_nothing(tmp_path: Path) -> None:
    probe = (
        "import sys, newsarchive\n"
        f"archive = newsarchive.open({str(tmp_path / 'home')!r})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'whoosh', 'click', 'trafilatura'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "home").exists()


def test_a_search_through_the_library_does_not_load_the_database_layer(library: Archive) -> None:
    probe = (
        "import sys, newsarchive\n"
        f"with newsarchive.open({str(library.config.home)!r}) as archive:\n"
        "    print(archive.search('kursk').total)\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["3", "[]"]


def test_every_reading_method_returns_its_typed_result(library: Archive) -> None:
    with library as archive:
        page = archive.search("kursk", sort="newest", limit=2)
        assert (page.total, len(page.hits), page.request.sort) == (3, 2, "newest")
        assert archive.search("kursk", collapse=True, facets=["year"]).facets == {"year": [("2024", 3)]}
        record = archive.get(SEED_ID[:6])
        assert record.id == SEED_ID and record.title.startswith("Kremlin's Kursk ultimatum")
        listed = archive.articles(since="2024-11", until=datetime(2024, 11, 12, 23, tzinfo=UTC), limit=5)
        assert (listed.total, listed.limit, listed.page) == (2, 5, 1)
        assert [brief.id for brief in listed.articles][1] == SEED_ID
        assert archive.info().articles == 4
        [group] = archive.duplicates()
        assert group.original.id == SEED_ID and len(group.original.files) == 2
        terms = archive.terms("kursk", limit=5)
        assert isinstance(terms, Terms) and terms.matched == 3 and len(terms.terms) == 5
        similar = archive.similar(SEED_ID[:4], limit=3)
        assert isinstance(similar, Similar) and similar.article_id == SEED_ID[:4]
        assert SEED_ID not in [hit.id for hit in similar.page.hits]
        counted = archive.trend(["kursk", "budget"], by="year", since="2024", until="2024")
        assert [series.counts for series in counted.series] == [[3], [0]]
        assert counted.undated == {"kursk": 0, "budget": 1}
        exported = [record.title for record in archive.export("budget OR title:resume")]
        assert exported == ["Kursk talks resume", "Kursk talks resume", "Budget vote delayed"]  # oldest first, undated last
        assert archive.check().ok


def test_writes_go_through_the_archive(library: Archive, folder: Path) -> None:
    with library as archive:
        [found] = archive.search("budget").hits
        [removed] = archive.remove([found.id[:8]])
        assert (removed.id, removed.title) == (found.id, "Budget vote delayed")
        assert archive.search("budget").total == 0
        done = archive.reindex()
        assert isinstance(done, Reindexed) and done.indexed == 3 and not done.damaged
        again = archive.ingest([folder])
        assert (again.unchanged, again.new) == (5, 0)  # (a removed article's file stays recorded as read)
        assert archive.info().articles == 3


def test_errors_are_typed_and_nothing_is_made_where_no_archive_is(tmp_path: Path, library: Archive, stack: Stack) -> None:
    nowhere = newsarchive.open(tmp_path / "no" / "archive", database_url=stack.database())  # (on a server, an empty one)
    for call in (lambda: nowhere.search("kursk"), nowhere.info, lambda: nowhere.remove(["abc"]), nowhere.reindex):
        with pytest.raises(newsarchive.ArchiveNotFound):
            call()
    assert not (tmp_path / "no").exists()
    with library as archive:
        with pytest.raises(newsarchive.ArticleNotFound):
            archive.get("ffffffffff")
        with pytest.raises(newsarchive.InvalidQuery, match="unbalanced quote"):
            archive.search('"peace talks')
        with pytest.raises(newsarchive.InvalidDate):
            archive.articles(since="last tuesday-ish")
        with pytest.raises(newsarchive.ArticleNotFound):
            archive.remove([SEED_ID, "ffffffffff"])  # all or nothing
        assert archive.get(SEED_ID).id == SEED_ID


@pytest.mark.sqlite_only("a SQLite file elsewhere than the home")
def test_a_database_elsewhere_and_closing(tmp_path: Path, seed_dir: Path) -> None:
    elsewhere = tmp_path / "db" / "news.db"
    elsewhere.parent.mkdir()
    archive = newsarchive.open(tmp_path / "home", database_url=f"sqlite:///{elsewhere}")
    archive.ingest([seed_dir])
    assert elsewhere.exists() and not (tmp_path / "home" / "archive.db").exists()
    first = archive.database
    assert archive.database is first  # opened once, kept until closed
    archive.close()
    assert archive.info().articles == 1 and archive.database is not first  # opened again on demand
    archive.close()


def test_the_cli_prints_what_the_library_renders(archive, library: Archive) -> None:  # type: ignore[no-untyped-def]
    with library as api:
        for args, result, view in (
            (["search", "kursk", "--json"], api.search("kursk"), ("search", "json")),
            (["search", "kursk", "--csv"], api.search("kursk"), ("search", "csv")),
            (["list", "--limit", "2"], api.articles(limit=2), ("list", "text")),
            (["terms", "kursk", "--json"], api.terms("kursk"), ("terms", "json")),
            (["dupes"], api.duplicates(), ("dupes", "text")),
            (["info", "--json"], api.info(), ("info", "json")),
        ):
            shown = render(view[0], result, view[1])
            if view[1] == "csv":  # (the runner's stream reads CSV's line ends as newlines)
                assert archive(*args).stdout == shown.replace("\r\n", "\n"), args
            else:
                assert archive(*args).stdout == shown + "\n", args
    assert set(VIEWS) >= {"ingest", "search", "similar", "terms", "trend", "show", "list", "info", "dupes", "remove",
                          "reindex", "check"}  # fmt: skip
    with pytest.raises(ValueError, match="has no csv output"):
        render("info", None, "csv")


def test_an_open_archive_sees_what_another_home_changes_in_their_database(tmp_path: Path, folder: Path) -> None:
    """A long-lived Archive (a server's, a notebook's) checks the database before each read: a removal made
    through another home on the same database reaches its next search, and nothing changed costs no catch-up."""
    database_url = database_or(tmp_path / "shared.db")
    with newsarchive.open(tmp_path / "a", database_url=database_url) as first:
        first.ingest([folder])
        assert first.search("budget").total == 1
        kursk = first.search("kursk").total
        with newsarchive.open(tmp_path / "b", database_url=database_url) as second:
            second.reindex()  # (a new home's index: built from the shared database)
            gone = second.search("budget").hits[0].id
            second.remove([gone])
        assert first.search("budget").total == 0
        assert first.search("kursk").total == kursk


def test_one_path_or_query_is_taken_whole(tmp_path: Path, seed_dir: Path) -> None:
    """``ingest("seeds")`` reads one folder, not five one-letter paths; ``trend("kursk")`` counts one query."""
    with newsarchive.open(tmp_path / "home") as archive:
        report = archive.ingest(str(seed_dir))
        assert (report.files, report.new, report.failed) == (1, 1, 0)
        assert [series.query for series in archive.trend("kursk", by="year").series] == ["kursk"]


def test_a_python_user_gets_typed_errors_for_a_damaged_database_too(library: Archive, archive_home: Path) -> None:
    """Damage below the library (a table that lost a column) reaches a Python user as an ArchiveError with a
    hint, as the command line shows it, never as the database layer's own exception."""
    library.close()
    database_rows(archive_home, "ALTER TABLE articles DROP COLUMN description", write=True)
    with newsarchive.open(archive_home) as damaged, pytest.raises(newsarchive.ArchiveError) as raised:
        damaged.get(SEED_ID)
    assert "description" in raised.value.message and raised.value.hint
