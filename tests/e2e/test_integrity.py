"""An archive that is empty, missing, read-only, damaged or on a full disk: one line, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import database_rows, no_archive_error
from test_faults import make_collection


def _ids(home: Path) -> list[str]:
    return [row[0] for row in database_rows(home, "SELECT id FROM articles ORDER BY id")]


def _files(home: Path) -> dict[str, int]:
    """Every file under ``home`` with its modification time."""
    return {str(path.relative_to(home)): path.stat().st_mtime_ns for path in sorted(home.rglob("*"))}


# --- an index that holds no documents ---------------------------------------------------------


@pytest.mark.local_index("a Whoosh index made without a segment")
def test_an_index_without_documents_is_searched_and_checked_like_any_other(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"Title\n\nText with a \x00 NUL byte.\n")
    archive("ingest", folder, expect=1)  # every file failed: the index is made, but gets no segment
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n")
    assert archive("check", "--repair").stdout.endswith("OK: the database and the index agree.\n")
    assert archive("search", "council").stdout.strip() == "No articles match 'council'."
    assert archive("search", "council", "--facet", "source", "--json").stdout
    assert "No dated article matches." in archive("trend", "council").stdout
    assert archive("export", "council").stdout == ""
    assert archive("terms", "council").stdout.strip() == "No articles match 'council'."
    assert "search index:    0 documents" in archive("info").stdout


@pytest.mark.local_index("an index folder made and never committed to")
def test_articles_stored_before_the_first_index_commit_are_found_missing_and_repaired(
    archive, tmp_path: Path, archive_home: Path
) -> None:
    from newsarchive.engines.whoosh.store import create_index

    archive("ingest", make_collection(tmp_path / "in", 3))
    create_index(archive_home / "index")  # as if killed before the index's first commit
    result = archive("check", expect=1)
    assert f"missing from index:   3 ({', '.join(_ids(archive_home))})" in result.stdout
    assert "Repaired" in archive("check", "--repair").stdout
    assert json.loads(archive("search", "zqx1", "--json").stdout)["total"] == 1


# --- no archive where the user points ---------------------------------------------------------

READING_COMMANDS = [
    ["info"], ["show", "abcd1234"], ["list"], ["export"], ["check"], ["search", "kursk"], ["trend", "kursk"],
    ["similar", "abcd1234"], ["terms", "kursk"], ["dupes"], ["remove", "abcd1234"], ["reindex"], ["check", "--repair"],
]  # fmt: skip


@pytest.mark.parametrize("command", READING_COMMANDS, ids=" ".join)
def test_only_ingest_makes_an_archive(archive, tmp_path: Path, command: list[str]) -> None:
    mistyped = tmp_path / "no" / "such" / "archive"
    result = archive(*command, "--home", mistyped, expect=1)
    assert result.stderr.startswith(f"{no_archive_error(mistyped)}Hint: `archive ingest FOLDER` makes one")
    assert not (tmp_path / "no").exists()


@pytest.mark.sqlite_only("a SQLite file named by ARCHIVE_DATABASE_URL, and a server that is not there")
def test_a_database_elsewhere_is_looked_for_there(archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"sqlite:///{tmp_path / 'news.db'}")
    result = archive("list", "--home", tmp_path / "home", expect=1)
    assert result.stderr.startswith(f"Error: no archive database at {tmp_path / 'news.db'}\n")
    archive("ingest", "--home", tmp_path / "home", make_collection(tmp_path / "in", 2))
    assert "2 articles" in archive("list", "--home", tmp_path / "home").stdout
    # A database on a server: the home need not hold anything, connecting tells.
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresql://user@127.0.0.1:9/news")  # (nothing listens on port 9)
    refused = archive("info", "--home", tmp_path / "elsewhere", expect=1).stderr
    assert refused == (
        "Error: cannot connect to the archive database at 127.0.0.1:9/news: the server refused the connection\n"
        "Hint: check that the PostgreSQL server at 127.0.0.1:9 is running and listening there, "
        "or the host and port in ARCHIVE_DATABASE_URL\n"
    )
    monkeypatch.setitem(sys.modules, "psycopg", None)  # (without the driver: the extra says how to get it)
    for command in ("info",), ("search", "kyoto"):
        missing = archive(*command, "--home", tmp_path / "elsewhere", expect=1).stderr
        assert missing == (
            "Error: the database driver for 'postgresql://user@127.0.0.1:9/news' is not installed (no module 'psycopg')\n"
            "Hint: install it into newsarchive's environment: for PostgreSQL, pip install 'newsarchive[postgres]' (psycopg 3)\n"
        )


# --- a read-only archive ----------------------------------------------------------------------


@pytest.fixture
def read_only(archive, tmp_path: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive of 3 articles that this process is told it may not write to (``os.access``, as the archive asks)."""
    archive("ingest", make_collection(tmp_path / "in", 3))
    real_access = os.access

    def access(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        inside = Path(path).absolute().is_relative_to(archive_home)
        return False if mode & os.W_OK and inside else real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    for name in ("archive.db-wal", "archive.db-shm"):  # as a cleanly closed database leaves it
        (archive_home / name).unlink(missing_ok=True)
    return archive_home


_RUN_COMMANDS = """
import json, sys
from click.testing import CliRunner
from newsarchive.cli import cli

runner = CliRunner()
results = [runner.invoke(cli, command) for command in json.loads(sys.argv[1])]
print(json.dumps([[r.exit_code, r.stdout, r.stderr, repr(r.exception)] for r in results]))
"""


def _run_on_a_read_only_folder(home: Path, commands: list[list[str]], folder: Path | None = None) -> list[list]:  # type: ignore[type-arg]
    """Run the commands on the archive at ``home`` in another process that cannot write to ``folder``
    (``home`` itself by default): as root (whom chmod does not stop) in a mount namespace where the
    folder is mounted read-only, else with the folder made read-only."""
    folder = folder or home
    python = [sys.executable, "-c", _RUN_COMMANDS, json.dumps(commands)]
    if os.geteuid() == 0:
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        namespace = ["unshare", "--mount", "sh", "-c", script, "sh", str(folder)]
        run = [*namespace, *python]
        if subprocess.run([*namespace, "true"], capture_output=True).returncode:
            pytest.skip("cannot mount a folder read-only here")
    else:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        run = python
    try:
        done = subprocess.run(run, capture_output=True, text=True, timeout=120, env={**os.environ, "ARCHIVE_HOME": str(home)})
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_read_only_archive_is_read_and_never_written(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 3))
    article_id = _ids(archive_home)[0]
    before = _files(archive_home)
    commands = [
        ["info"], ["show", article_id], ["list"], ["export"], ["search", "zqx1", "--json"], ["trend", "council"],
        ["similar", article_id], ["terms", "council"], ["dupes"], ["check"],
    ]  # fmt: skip
    results = _run_on_a_read_only_folder(archive_home, commands)
    for command, (code, _, stderr, exception) in zip(commands, results, strict=True):
        assert (code, stderr) == (0, ""), (command, stderr, exception)
    info, show, listed, exported, found, *_, checked = (stdout for _, stdout, _, _ in results)
    assert "articles:        3 " in info and article_id in show and listed.count("Council meeting") == 3
    assert exported.count("\n") == 3 and json.loads(found)["total"] == 1
    assert checked.endswith("OK: the database and the index agree.\n")
    assert _files(archive_home) == before


@pytest.mark.parametrize(
    "command", [["ingest", "."], ["remove", "ID"], ["reindex"], ["check", "--repair"]], ids=" ".join
)
def test_writing_to_a_read_only_archive_is_refused_in_one_line(archive, read_only: Path, command: list[str]) -> None:
    command = [_ids(read_only)[0] if part == "ID" else part for part in command]
    before = _files(read_only)
    result = archive(*command, expect=1)
    assert result.stderr.startswith(f"Error: the archive at {read_only} is read-only\nHint: ")
    assert _files(read_only) == before


@pytest.mark.local_index("the home's index folder, read-only")
def test_a_write_to_an_archive_whose_index_alone_is_read_only_is_refused_before_anything_changes(
    archive, tmp_path: Path, archive_home: Path
) -> None:
    archive("ingest", make_collection(tmp_path / "in", 3))
    ids = _ids(archive_home)
    before = _files(archive_home)
    writes = [["remove", ids[0]], ["reindex"], ["check", "--repair"], ["ingest", str(make_collection(tmp_path / "more", 1, 7))]]
    results = _run_on_a_read_only_folder(archive_home, [*writes, ["search", "zqx0", "--json"]], folder=archive_home / "index")
    for command, (code, _, stderr, _) in zip(writes, results, strict=False):
        assert code == 1, (command, stderr)
        assert stderr.startswith(f"Error: the archive at {archive_home} is read-only ({archive_home / 'index'} cannot be written)\n")
    assert json.loads(results[-1][1])["total"] == 1
    assert _ids(archive_home) == ids and _files(archive_home) == before


@pytest.mark.local_index("the rebuilt index folder swapped into the home")
def test_a_rebuilt_index_that_cannot_be_swapped_in_leaves_the_old_one_and_nothing_half_built(
    archive, tmp_path: Path, archive_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive("ingest", make_collection(tmp_path / "in", 3))
    rename = Path.rename

    def busy(self: Path, target):  # type: ignore[no-untyped-def]  # the index folder is a mount point
        if self == archive_home / "index":
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", busy)
    for command in (["reindex"], ["check", "--repair"]):
        if command[0] == "check":
            (archive_home / "index" / "newsarchive-index.json").unlink()  # (so that there is something to repair)
        failed = archive(*command, expect=1).stderr
        assert failed.startswith(f"Error: cannot put the rebuilt index in place of {archive_home / 'index'}: ")
        assert failed.count("\n") == 2 and "nothing half-built is left" in failed
        assert sorted(path.name for path in archive_home.iterdir() if not path.name.startswith("archive.db")) == [
            "index", "writer.lock"
        ]
    monkeypatch.setattr(Path, "rename", rename)
    assert "Repaired" in archive("check", "--repair").stdout
    assert json.loads(archive("search", "zqx1", "--json").stdout)["total"] == 1


# --- a full disk --------------------------------------------------------------------------------

_FILL_DISK = """
import errno, os, sys
from whoosh.filedb import structfile
from newsarchive.cli import cli

main, written, write = os.getpid(), [0], structfile.StructFile.write

def full(self, *args, **kwargs):
    if os.getpid() != main or {in_main}:  # the disk fills up under the index workers (or this process)
        written[0] += 1
        if written[0] > 50:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return write(self, *args, **kwargs)

structfile.StructFile.write = full
cli(sys.argv[1:])
"""


@pytest.mark.local_index("Whoosh's writes of the index files, in the index workers or the process")
@pytest.mark.parametrize(("articles", "in_main"), [(150, False), (5, True)], ids=["index workers", "one process"])
def test_a_full_disk_is_said_once_in_one_line(tmp_path: Path, articles: int, in_main: bool) -> None:
    folder = make_collection(tmp_path / "in", articles)
    result = subprocess.run(
        [sys.executable, "-c", _FILL_DISK.format(in_main=in_main), "ingest", "--home", tmp_path / "home", "-q", folder],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: indexing failed: {os.strerror(errno.ENOSPC)}\n"
        "Hint: the articles are stored; run the same command again to index them\n"
    )


# --- a damaged index ---------------------------------------------------------------------------


def _cut_in_half(index: Path) -> None:
    for postings in index.glob("*.pst"):
        os.truncate(postings, postings.stat().st_size // 2)


def _flip_stored_bytes(index: Path) -> None:
    for stored in index.glob("*._stored.col"):
        data = bytearray(stored.read_bytes())
        for at in range(100, len(data), 400):
            data[at] ^= 0xFF
        stored.write_bytes(data)


@pytest.mark.local_index("damaged files of the home's index")
@pytest.mark.parametrize("damage", [_cut_in_half, _flip_stored_bytes])
def test_a_damaged_index_is_found_said_and_rebuilt(archive, tmp_path: Path, archive_home: Path, damage) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", make_collection(tmp_path / "in", 30))
    damage(archive_home / "index")
    failed = []
    for command in (["search", "zqx1 OR council"], ["export", "council"], ["trend", "council"], ["terms", "council"]):
        result = archive(*command, expect=None)  # (what a command does not read of the index may well be damaged)
        if result.exit_code:
            assert result.exit_code == 1 and result.stderr.startswith("Error: the search index is damaged: segment ")
            assert "Hint: `archive check --repair` rebuilds it" in result.stderr
            failed.append(command[0])
    assert "search" in failed
    checked = archive("check", expect=1).stdout
    assert "search index:         damaged" in checked and "\ndamaged index:        segment " in checked
    assert "Repaired" in archive("check", "--repair").stdout
    assert json.loads(archive("search", "zqx1", "--json").stdout)["total"] == 1
    assert archive("export").stdout.count("\n") == 30


@pytest.mark.local_index("a damaged table of contents of the home's index")
@pytest.mark.parametrize("cut", [0, 40, None], ids=["emptied", "cut short", "overwritten"])
def test_a_damaged_table_of_contents_is_said_and_rebuilt(archive, tmp_path: Path, archive_home: Path, cut) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", make_collection(tmp_path / "in", 5))
    (toc,) = (archive_home / "index").glob("_MAIN_*.toc")
    if cut is None:
        toc.write_bytes(bytes(range(7, 250)) * 4)
    else:
        os.truncate(toc, cut)
    assert f"search index:    the search index at {archive_home / 'index'} is damaged: " in archive("info").stdout
    for command in (["search", "council"], ["trend", "council"]):
        result = archive(*command, expect=1)
        assert result.stderr.startswith(f"Error: the search index at {archive_home / 'index'} is damaged: its table of contents")
        assert result.stderr.count("\n") == 2 and "Hint: `archive check --repair` rebuilds it" in result.stderr
    assert "\ndamaged index:        the search index at " in archive("check", expect=1).stdout
    (archive_home / "index.old").write_text("left by something else")  # (whatever is beside it)
    assert "Repaired" in archive("check", "--repair").stdout
    assert sorted(path.name for path in archive_home.iterdir() if path.name.startswith("index")) == ["index"]
    assert json.loads(archive("search", "zqx1", "--json").stdout)["total"] == 1


@pytest.mark.local_index("the Whoosh index's reader")
def test_a_failure_of_a_sound_index_is_not_called_damage(archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from newsarchive.engines.whoosh import reader

    archive("ingest", make_collection(tmp_path / "in", 3))

    def bug(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("a bug, not damage")

    monkeypatch.setattr(reader, "search_index", bug)
    with pytest.raises(ValueError, match="a bug, not damage"):
        archive("search", "council")


# --- damaged rows in the database ---------------------------------------------------------------


@pytest.mark.sqlite_only("values SQLite stores whatever their column's type (bad JSON, dates, bytes), written with sqlite3")
def test_a_damaged_row_is_named_and_the_others_carry_on(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 6))
    bad_body, bad_date, bad_title, *good = _ids(archive_home)
    with sqlite3.connect(archive_home / "archive.db") as connection:
        connection.execute("UPDATE articles SET body = '{not json' WHERE id = ?", (bad_body,))
        connection.execute("UPDATE articles SET published_at = 'garbage date' WHERE id = ?", (bad_date,))
        connection.execute("UPDATE articles SET title = CAST(X'4142FF43' AS TEXT) WHERE id = ?", (bad_title,))
        files = dict(connection.execute("SELECT article_id, path FROM article_files"))
    named = {
        f"error: article {bad_body}: its body cannot be read (not valid JSON) (from {files[bad_body]})",
        f"error: article {bad_date}: its published_at cannot be read (Invalid isoformat string: 'garbage date')"
        f" (from {files[bad_date]})",
        f"error: article {bad_title}: its title cannot be read (not valid UTF-8) (from {files[bad_title]})",
    }
    exported = archive("export", expect=1)
    assert sorted(json.loads(line)["id"] for line in exported.stdout.splitlines()) == sorted(good)
    assert set(exported.stderr.splitlines()[:3]) == named
    assert exported.stderr.splitlines()[3] == "Error: 3 damaged articles left out of the export"
    reindexed = archive("reindex", expect=1)
    assert reindexed.stdout.startswith("Indexed 3 articles") and set(reindexed.stderr.splitlines()[:3]) == named
    checked = archive("check", expect=1).stdout
    assert f"damaged row:          article {bad_body}, body: not valid JSON\n" in checked
    assert f"damaged row:          article {bad_title}, title: not valid UTF-8\n" in checked
    assert f"damaged row:          article {bad_date}, published_at: " in checked
    assert "missing from index:   0\n" in checked and checked.endswith("\n3 problems found.\n")
    repaired = archive("check", "--repair", expect=1).stdout
    assert "A damaged row cannot be rebuilt from the index: `archive remove ID`, then `archive ingest --force FILE`" in repaired
    shown = archive("show", bad_title, expect=1).stderr
    assert shown.startswith(f"Error: article {bad_title}: its title cannot be read (not valid UTF-8)")
    assert f"Hint: `archive remove {bad_title}`, then `archive ingest --force {files[bad_title]}`" in shown
    assert archive("show", good[0]).stdout.startswith("Council meeting")
    listed = archive("list", expect=1)
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()[2:]) == sorted(good)
    assert set(listed.stderr.splitlines()[:3]) == named
    assert listed.stderr.endswith("left out\nHint: `archive remove ID`, then `archive ingest --force FILE` stores it again from its file\n")
    info = archive("info", expect=1)  # (one damaged date: the hint names the article and its file)
    assert "articles:        6 " in info.stdout and info.stderr.startswith(f"error: article {bad_date}: ")
    assert info.stderr.endswith(f"Hint: `archive remove {bad_date}`, then `archive ingest --force {files[bad_date]}` stores it again from its file\n")
    with sqlite3.connect(archive_home / "archive.db") as connection:  # as if left for the next ingest to index
        connection.execute("INSERT INTO change_log (article_id, kind) SELECT id, 'stored' FROM articles")
    empty = tmp_path / "nothing-new"
    empty.mkdir()
    assert "re-indexed 3 left over" in archive("ingest", empty).stdout
    forced = archive("ingest", "--force", files[bad_title], expect=1).stderr  # (not removed first: one line)
    assert forced.startswith("Error: a row of the archive database holds text that is not valid UTF-8 (byte 0xff at 2)\n")
    assert "(its title cannot be read)" in archive("remove", bad_body, bad_date, bad_title).stdout
    archive("ingest", "--force", files[bad_title], files[bad_date], files[bad_body])  # as the hint says
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n")
    assert sorted(_ids(archive_home)) == sorted([bad_body, bad_date, bad_title, *good])


@pytest.mark.sqlite_only("text that is not UTF-8, which SQLite stores and a server refuses; SQLite's rowid")
def test_an_id_that_is_not_utf8_is_named_by_its_rowid(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 3))
    bad, *good = _ids(archive_home)
    with sqlite3.connect(archive_home / "archive.db") as connection:
        connection.execute("UPDATE articles SET id = CAST(X'41FF43' AS TEXT) WHERE id = ?", (bad,))
        (rowid,) = connection.execute("SELECT rowid FROM articles WHERE id NOT IN (?, ?)", good).fetchone()
    named = f"article at rowid {rowid} (b'A\\xffC'): its id cannot be read (not valid UTF-8)"
    assert f"damaged row:          {named.replace(': its id cannot be read (', ', id: ').rstrip(')')}\n" in archive(
        "check", expect=1
    ).stdout
    exported = archive("export", expect=1)
    assert sorted(json.loads(line)["id"] for line in exported.stdout.splitlines()) == sorted(good)
    assert exported.stderr.startswith(f"error: {named}\nError: 1 damaged article left out of the export\n")
    hint = f'Hint: no command can name it: sqlite3 archive.db "DELETE FROM articles WHERE rowid = {rowid}", '
    assert hint in exported.stderr
    assert archive("reindex", expect=1).stdout.startswith("Indexed 2 articles")
    with sqlite3.connect(archive_home / "archive.db") as connection:  # as the hint says
        connection.execute(f"DELETE FROM articles WHERE rowid = {rowid}")
    archive("check", "--repair")
    archive("ingest", "--force", tmp_path / "in")
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n") and _ids(archive_home) == sorted([bad, *good])


# --- a damaged database file -------------------------------------------------------------------


def _damage_page(database: Path, table: str) -> None:
    """Overwrite a leaf page of ``table`` (a b-tree of the database) with bytes SQLite cannot read.

    (A leaf: an interior page, whichever the layout puts in the middle, would take every row with it.)
    """
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in connection.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
    finally:
        connection.close()
    with open(database, "r+b") as handle:
        handle.seek((pages[len(pages) // 2] - 1) * size)
        handle.write(b"\xa5" * size)


@pytest.mark.sqlite_only("a damaged page of the SQLite file")
@pytest.mark.parametrize("table", ["articles", "ix_articles_published_at"], ids=["a page of articles", "the dates' index"])
def test_a_damaged_database_file_is_checked_and_what_reads_is_saved(archive, tmp_path: Path, archive_home: Path, table: str) -> None:
    archive("ingest", make_collection(tmp_path / "in", 60))
    _damage_page(archive_home / "archive.db", table)
    checked = archive("check", expect=1).stdout
    assert "\ndamaged database:     " in checked  # (and what does not read is not compared with the index)
    assert "A damaged database file cannot be rebuilt from the index: `archive export -o saved.jsonl` saves" in checked
    repaired = archive("check", "--repair", expect=1).stdout
    assert "damaged database:     " in repaired and "Repaired" not in repaired
    exported = archive("export", "-o", tmp_path / "saved.jsonl", expect=None)
    saved = (tmp_path / "saved.jsonl").read_text(encoding="utf-8").splitlines()
    lost = [line for line in exported.stderr.splitlines() if line.startswith("error: article ")]
    assert len(saved) + len(lost) == 60 and len(saved) > 40
    assert all("its row cannot be read (in a damaged part of the database file: " in line for line in lost)
    assert exported.exit_code == (1 if lost else 0)
    listed = archive("list", expect=None)  # reads the damaged part, or not
    if listed.exit_code:
        assert listed.stderr.startswith("Error: the archive database is damaged: database disk image is malformed\n")
        assert listed.stderr.count("\n") == 2 and "Hint: `archive export -o saved.jsonl` saves" in listed.stderr
    archive("ingest", "--home", tmp_path / "new", tmp_path / "saved.jsonl")  # as the hint says
    assert archive("check", "--home", tmp_path / "new").stdout.endswith("OK: the database and the index agree.\n")


# --- a database that is empty, foreign or emptied beside an index that holds articles ---------


def _drop_database(home: Path) -> None:
    """Leave archive.db an empty file, as `: > archive.db` does (SQLite's log beside it goes too)."""
    for name in ("archive.db-wal", "archive.db-shm"):
        (home / name).unlink(missing_ok=True)
    (home / "archive.db").write_bytes(b"")


@pytest.mark.sqlite_only("an emptied SQLite file")
def test_an_emptied_database_file_is_no_archive_and_nothing_writes_in_it(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 5))
    _drop_database(archive_home)
    said = (
        f"Error: the archive database {archive_home / 'archive.db'} is empty, while the search index beside it "
        "holds 5 articles\nHint: restore archive.db from a backup (the index cannot rebuild it); "
    )
    for command in (["info"], ["list"], ["check"], ["check", "--repair"], ["export"], ["ingest", tmp_path / "in"]):
        assert archive(*command, expect=1).stderr.startswith(said)
    assert (archive_home / "archive.db").stat().st_size == 0  # (not even SQLite's header)
    assert json.loads(archive("search", "zqx1", "--json").stdout)["total"] == 1  # the index is kept
    shutil.rmtree(archive_home / "index")  # an empty file and nothing else: no archive, which ingest may make
    assert archive("info", expect=1).stderr.startswith(f"Error: no archive in {archive_home / 'archive.db'}: the database is empty\n")
    archive("ingest", tmp_path / "in")
    assert "articles:        5 " in archive("info").stdout


@pytest.mark.sqlite_only("a SQLite file of other tables, made with sqlite3")
def test_a_database_of_something_else_is_never_made_an_archive(archive, tmp_path: Path, archive_home: Path) -> None:
    archive_home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(archive_home / "archive.db") as connection:
        connection.execute("CREATE TABLE notes (text)")
    for command in (["info"], ["ingest", make_collection(tmp_path / "in", 2)]):
        result = archive(*command, expect=1)
        assert result.stderr.startswith(f"Error: {archive_home / 'archive.db'} is not an archive database: it holds other tables (notes)\n")
    with sqlite3.connect(archive_home / "archive.db") as connection:
        assert [row[0] for row in connection.execute("SELECT name FROM sqlite_master")] == ["notes"]


def _ingest_without_search_rows(archive, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """Ingest into an archive whose every machine keeps an index of its own (`init --engine whoosh`): on a server,
    none of the server's search rows then refers to an article, and the database may lose one unseen."""
    archive("init", "--engine", "whoosh")
    archive("ingest", folder)


@pytest.mark.local_index("an index that holds more than the database it follows")
@pytest.mark.parametrize("lost", [6, 4], ids=["all", "most"])
def test_a_database_that_lost_its_articles_does_not_take_the_index_with_it(
    archive, tmp_path: Path, archive_home: Path, lost: int
) -> None:
    _ingest_without_search_rows(archive, make_collection(tmp_path / "in", 6))
    gone = _ids(archive_home)[:lost]
    # (no removal recorded: not our doing)
    database_rows(archive_home, f"DELETE FROM articles WHERE id IN ({', '.join(map(repr, gone))})", write=True)
    checked = archive("check", expect=1).stdout
    assert f"\nThe database looks emptied or replaced: it holds {6 - lost} articles, while {lost} of the index's 6 documents" in checked
    assert "`archive reindex` rebuilds the index from it" in checked
    repaired = archive("check", "--repair", expect=1).stdout
    assert "--repair leaves the index alone" in repaired and "Repaired" not in repaired
    assert json.loads(archive("search", "council", "--json").stdout)["total"] == 6
    if lost == 6:  # nothing of ours leaves the database without articles beside a full index
        empty = tmp_path / "empty"
        empty.mkdir()
        refused = archive("ingest", empty, expect=1).stderr
        assert refused.startswith("Error: the archive database holds no articles, while its search index holds 6: ")
    archive("reindex")  # the explicit choice
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n")


@pytest.mark.local_index("an index that holds articles the database lost")
def test_a_few_articles_gone_from_the_database_are_dropped_from_the_index(archive, tmp_path: Path, archive_home: Path) -> None:
    _ingest_without_search_rows(archive, make_collection(tmp_path / "in", 6))
    gone = _ids(archive_home)[0]
    database_rows(archive_home, f"DELETE FROM articles WHERE id = '{gone}'", write=True)
    assert f"not in the database:  1 ({gone})" in archive("check", expect=1).stdout
    assert "Repaired" in archive("check", "--repair").stdout
    assert json.loads(archive("search", "council", "--json").stdout)["total"] == 5


# --- values a column cannot hold -----------------------------------------------------------------

BAD_VALUES = [
    ("published_offset", "90000", "90000 is not a UTC offset in minutes (within a day)"),
    ("published_offset", "-1440", "-1440 is not a UTC offset in minutes (within a day)"),
    ("revision", "'abc'", "not a whole number: 'abc'"),
    ("revision", "2.5", "not a whole number: 2.5"),
    ("date_precision", "'hour'", "'hour' is not one of day, minute, second"),
    ("body", "'[1, 2]'", "not a list of text blocks"),
    ("authors", "'\"Jane\"'", "not a list of names"),
    ("title", "X'4142'", "not text: b'AB'"),
]  # fmt: skip


@pytest.mark.sqlite_only("values SQLite stores whatever their column's type, written with sqlite3")
def test_values_their_columns_cannot_hold_are_damaged_rows(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", len(BAD_VALUES) + 2))
    *bad, good_one, good_two = _ids(archive_home)
    damage = dict(zip(bad, BAD_VALUES, strict=True))
    with sqlite3.connect(archive_home / "archive.db") as connection:
        for article_id, (column, value, _) in damage.items():
            connection.execute(f"UPDATE articles SET {column} = {value} WHERE id = ?", (article_id,))
    named = {article_id: f"article {article_id}: its {column} cannot be read ({why}) (from " for article_id, (column, _, why) in damage.items()}
    for article_id, line in named.items():
        assert archive("show", article_id, expect=1).stderr.startswith(f"Error: {line}")
    listed, exported = archive("list", expect=1), archive("export", expect=1)
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()[2:]) == sorted([good_one, good_two])
    assert sorted(json.loads(line)["id"] for line in exported.stdout.splitlines()) == sorted([good_one, good_two])
    for result in (listed, exported):
        assert sorted(line.split(" (from ")[0] for line in result.stderr.splitlines()[: len(bad)]) == sorted(
            "error: " + line.split(" (from ")[0] for line in named.values()
        )
    assert archive("reindex", expect=1).stdout.startswith("Indexed 2 articles")
    checked = archive("check", expect=1).stdout
    for article_id, (column, _, why) in damage.items():
        assert f"damaged row:          article {article_id}, {column}: {why}\n" in checked
    assert checked.endswith(f"\n{len(bad)} problems found.\n")
    assert archive("check", "--repair", expect=1).stdout.endswith("remain after repair; --repair cannot mend the damage above.\n")
    archive("remove", *bad)
    archive("ingest", "--force", tmp_path / "in")  # as the hint says
    assert archive("check").stdout.endswith("OK: the database and the index agree.\n")


@pytest.mark.sqlite_only("text that is not UTF-8, which SQLite stores and a server refuses")
def test_a_file_path_that_is_not_utf8_is_named_with_its_article_and_checked(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 3))
    bad, *good = _ids(archive_home)
    with sqlite3.connect(archive_home / "archive.db") as connection:
        (path,) = connection.execute("SELECT path FROM article_files WHERE article_id = ?", (bad,)).fetchone()
        bad_path = "CAST(X'2F746D702F66FF2E747874' AS TEXT)"  # /tmp/f\xff.txt
        connection.execute(f"UPDATE files SET path = {bad_path} WHERE path = ?", (path,))
        connection.execute(f"UPDATE article_files SET path = {bad_path} WHERE article_id = ?", (bad,))
    named = f"article {bad}: its file path cannot be read (not valid UTF-8: b'/tmp/f\\xff.txt')"
    assert archive("show", bad, expect=1).stderr.startswith(f"Error: {named}\n")
    exported = archive("export", expect=1)
    assert exported.stderr.startswith(f"error: {named}\n") and exported.stdout.count("\n") == 2
    checked = archive("check", expect=1).stdout
    assert f"damaged row:          article {bad}, file path: not valid UTF-8: b'/tmp/f\\xff.txt'\n" in checked
    assert "\ndamaged row:          file at rowid " in checked and "(b'/tmp/f\\xff.txt'), path: not valid UTF-8\n" in checked
    assert archive("check", "--repair", expect=1).stdout.endswith("2 problems remain after repair; --repair cannot mend the damage above.\n")


@pytest.mark.sqlite_only("a value SQLite stores whatever its column's type, written with sqlite3")
def test_a_damaged_value_of_a_file_read_is_found_by_check(archive, tmp_path: Path, archive_home: Path) -> None:
    archive("ingest", make_collection(tmp_path / "in", 2))
    with sqlite3.connect(archive_home / "archive.db") as connection:
        (path,) = connection.execute("SELECT path FROM files LIMIT 1").fetchone()
        connection.execute("UPDATE files SET size = 'big' WHERE path = ?", (path,))
    checked = archive("check", expect=1).stdout
    assert f"damaged row:          file {path}, size: not a whole number: 'big'\n" in checked
    assert "A damaged row of the files read: delete the row with sqlite3 (its articles stay)" in checked


# --- an index file gone ----------------------------------------------------------------------


def _index_file_kinds() -> list[str]:
    """Every kind of file an index of dated, undated and day-precision articles with sources and copies holds."""
    return [
        "pst", "trm", "_stored.col", "_title_len.col", "_description_len.col", "_body_len.col", "id.col", "group.col",
        "revision.col", "dated.col", "published.col", "year.col", "month.col", "source.col", "written_day.col", "toc",
    ]  # fmt: skip


@pytest.mark.local_index("each kind of file of the home's index")
def test_every_kind_of_index_file_gone_is_found_and_rebuilt(archive, tmp_path: Path, archive_home: Path) -> None:
    folder = make_collection(tmp_path / "in", 4)
    (folder / "day.txt").write_text("Roads plan agreed\nThe plan zqxday was agreed.\n5 May 2024\nMore about roads.\n")
    (folder / "news.json").write_text(json.dumps({"title": "Budget", "maintext": "The budget zqxsrc.", "source": "Example News"}))
    archive("ingest", folder)
    index = archive_home / "index"
    shutil.copytree(index, tmp_path / "whole")
    for kind in _index_file_kinds():
        shutil.rmtree(index)
        shutil.copytree(tmp_path / "whole", index)
        files = sorted(index.glob(f"*.{kind}" if kind != "toc" else "_MAIN_*.toc"))
        assert files, kind  # (the collection above makes every kind)
        for path in files:
            path.unlink()
        checked = archive("check", expect=1).stdout
        assert "\ndamaged index:        segment " in checked or "search index:         missing" in checked, kind
        assert "Repaired: the database and the index agree now." in archive("check", "--repair").stdout, kind
        assert json.loads(archive("search", "zqx1 OR zqxday OR zqxsrc", "--json").stdout)["total"] == 3, kind


@pytest.mark.sqlite_only("a read-only SQLite file of an older schema, read from an upgraded copy")
def test_a_read_only_archive_of_an_older_schema_is_read_from_an_upgraded_copy(
    archive, tmp_path: Path, archive_home: Path
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from newsarchive.storage.database import alembic_config

    archive("ingest", make_collection(tmp_path / "in", 3))
    article_id = _ids(archive_home)[0]
    engine = create_engine(f"sqlite:///{archive_home / 'archive.db'}")
    with engine.begin() as connection:  # as a colleague's older newsarchive left it
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0001")
    engine.dispose()
    before = _files(archive_home)
    commands = [["info", "--json"], ["show", article_id], ["list"], ["export"], ["check"]]
    results = _run_on_a_read_only_folder(archive_home, commands)
    for command_, (code, _, stderr, exception) in zip(commands, results, strict=True):
        assert (code, stderr) == (0, ""), (command_, stderr, exception)
    info, show, listed, exported, checked = (stdout for _, stdout, _, _ in results)
    assert json.loads(info)["articles"] == 3 and article_id in show and listed.count("Council meeting") == 3
    assert exported.count("\n") == 3 and checked.endswith("OK: the database and the index agree.\n")
    assert _files(archive_home) == before  # the archive itself is never upgraded
