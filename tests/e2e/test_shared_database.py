"""Two homes on one database (a SQLite file, or on a server), each with its own index, converge through the change log.

On a server both homes use the server's search, unless a test's subject is a home's own index (``local_index``)."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

from conftest import database_or
from test_cli import write_article
from test_faults import ingest_process, make_collection, stored_articles, wait_for
from test_neardup import story


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """Homes a and b, and the one database both use (through ARCHIVE_DATABASE_URL; a file of their own on SQLite)."""
    database = tmp_path / "shared" / "archive.db"  # (where ``stored_articles`` looks in a folder)
    database.parent.mkdir()
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_or(database))
    return tmp_path / "a", tmp_path / "b", database


def _total(archive, home: Path, query: str) -> int:  # type: ignore[no-untyped-def]
    found = archive("search", "--home", home, query, "--json")
    assert found.stderr == ""  # (nothing held either home: each caught up, silently)
    return json.loads(found.stdout)["total"]


def assert_converged(archive, homes: tuple[Path, ...], articles: int, expected: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Each home's searches find what the database holds, and its check finds nothing wrong nor behind."""
    for home in homes:
        for query, total in expected.items():
            assert _total(archive, home, query) == total, (home.name, query)
        facts = json.loads(archive("check", "--home", home, "--json").stdout)
        assert facts["ok"] and facts["behind"] == 0, (home.name, facts)
        assert facts["articles"] == facts["index_documents"] == articles, home.name


def test_ingests_updates_and_removals_on_either_side_reach_the_other(archive, shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = shared
    first = make_collection(tmp_path / "first", 30)
    archive("ingest", "--home", a, first)
    archive("ingest", "--home", b, make_collection(tmp_path / "second", 30, first=100))
    assert_converged(archive, (a, b), 60, {"zqx0": 1, "zqx129": 1, "council": 60})

    (first / "0005.txt").write_text(
        "Council meeting number 5 ends\nThe council changed its mind about zqxnew.\n6 March 2024 10:05\n", encoding="utf-8"
    )
    assert "1 updated" in archive("ingest", "--home", b, first).stdout  # (b updates a file a read first)
    removed = json.loads(archive("search", "--home", a, "zqx100", "--json").stdout)["hits"][0]["id"]
    archive("remove", "--home", a, removed)
    assert_converged(archive, (a, b), 59, {"zqx5": 0, "zqxnew": 1, "zqx100": 0, "council": 59})


def test_two_ingests_at_once_of_overlapping_folders_lose_nothing(archive, shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = shared
    common = make_collection(tmp_path / "common", 120)
    copy = shutil.copytree(common, tmp_path / "copy")  # the same texts in other files
    extra = make_collection(tmp_path / "extra", 40, first=500)
    first = ingest_process(a, common)
    second = ingest_process(b, copy, str(common), str(extra))
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert_converged(archive, (a, b), 160, {"zqx0": 1, "zqx119": 1, "zqx539": 1, "council": 160})
    shown = json.loads(archive("show", "--home", a, _first_id(archive, a, "zqx7"), "--json").stdout)
    assert sorted(Path(path).parent.name for path in shown["files"]) == ["common", "copy"]


def _first_id(archive, home: Path, query: str) -> str:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", "--home", home, query, "--json").stdout)["hits"][0]["id"]


@pytest.mark.parametrize("killed", ["a", "b"])
def test_a_killed_ingest_of_either_home_is_finished_by_each_index_for_itself(archive, shared, tmp_path: Path, killed: str) -> None:  # type: ignore[no-untyped-def]
    a, b, database = shared
    archive("ingest", "--home", a, make_collection(tmp_path / "base", 10, first=900))
    empty = tmp_path / "empty"
    empty.mkdir()
    archive("ingest", "--home", b, empty)  # (b's index, built from what a stored)
    victim = a if killed == "a" else b
    folder = make_collection(tmp_path / "in")
    process = ingest_process(victim, folder)
    try:
        wait_for(lambda: stored_articles(database.parent) >= 10 + 80 or process.poll() is not None)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    stored = stored_articles(database.parent)
    assert stored >= 90
    # Every index catches up with what the killed run stored, the killed home's own too.
    assert_converged(archive, (b, a) if killed == "a" else (a, b), stored, {"zqx900": 1, "council": stored})
    rerun = ingest_process(victim, folder)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert_converged(archive, (a, b), 250, {"zqx0": 1, "zqx239": 1, "council": 250})


@pytest.mark.local_index("a new home's own index, built by reindex")
def test_a_new_home_on_the_shared_database_gets_its_index_from_reindex(archive, shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _, _ = shared
    archive("ingest", "--home", a, make_collection(tmp_path / "in", 12))
    new = tmp_path / "new"  # (no folder yet: the database is elsewhere)
    refused = archive("search", "--home", new, "council", expect=1).stderr
    assert "no search index in this home yet" in refused and "`archive reindex` builds it" in refused
    assert "12 articles" in archive("reindex", "--home", new).stdout
    assert_converged(archive, (a, new), 12, {"council": 12, "zqx3": 1})


def test_copies_of_an_original_replaced_in_one_home_stand_alone_in_the_other(archive, shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The original's file now holds another stored text: the original is deleted, and each index
    must hear that its copies now stand alone."""
    a, b, _ = shared
    original = write_article(tmp_path / "in", "original.txt", "Harbour plan", "12 March 2024", story(7), "zqxcopy")
    other = write_article(tmp_path / "in", "other.txt", "Harbour plan dropped", "14 March 2024", story(8))
    archive("ingest", "--home", a, original, other)
    for name in ("first", "second"):
        write_article(tmp_path / "in", f"{name}.txt", f"Harbour plan, {name} copy", "13 March 2024", story(7), "zqxcopy", f"A line for the {name}.")
    archive("ingest", "--home", a, tmp_path / "in")
    archive("ingest", "--home", b, tmp_path / "in")  # (b's index: the two copies fold under the original)
    assert [hit["copies"] for hit in _hits(archive, b, "zqxcopy")] == [2]
    shutil.copyfile(other, original)
    assert "1 duplicate" in archive("ingest", "--home", a, tmp_path / "in").stdout
    for home in (a, b):
        assert [hit["copies"] for hit in _hits(archive, home, "zqxcopy")] == [0, 0], home.name
    assert_converged(archive, (a, b), 3, {"zqxcopy": 2})


def _hits(archive, home: Path, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", "--home", home, query, "--json").stdout)["hits"]
