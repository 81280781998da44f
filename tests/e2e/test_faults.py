"""Ingest under faults: killed runs, Ctrl-C, damaged indexes, a second writer, bad files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from conftest import database_rows
from newsarchive.config import resolve_config
from newsarchive.engines import open_engine
from newsarchive.reading.files import FileFailure, read_file_safely

ARTICLES = 240
BATCH = "40"


def make_collection(folder: Path, count: int = ARTICLES, first: int = 0) -> Path:
    """Articles with one made-up word each (zqx0, zqx1, ...) to find every one of them again."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        (folder / f"{n:04d}.txt").write_text(
            f"Council meeting number {n} ends\n"
            f"The council met for the {n}th time and discussed the word zqx{n}.\n"
            f"{1 + n % 28} March 2024 10:{n % 60:02d}\n"
            f"Members talked about roads, schools and the budget for item {n}.\n"
            "The meeting ended late in the evening after a long debate.\n",
            encoding="utf-8",
        )
    return folder


def ingest_process(home: Path, folder: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "ingest", "--home", str(home), "--batch-size", BATCH, "-q", *extra, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored_articles(home: Path) -> int:
    from sqlalchemy.exc import DBAPIError

    try:
        return database_rows(home, "SELECT count(*) FROM articles")[0][0]
    except DBAPIError:
        return 0  # not created yet


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def assert_complete(archive, home: Path, count: int = ARTICLES) -> None:  # type: ignore[no-untyped-def]
    """Every article stored once, indexed once, findable by its own word."""
    assert stored_articles(home) == count
    check = archive("check", "--home", home, "--json")
    facts = json.loads(check.stdout)
    assert facts["ok"] and facts["index_documents"] == count
    for n in (0, count // 3, count // 2, count - 1):
        assert json.loads(archive("search", "--home", home, f"zqx{n}", "--json").stdout)["total"] == 1


@pytest.mark.parametrize("kill_after", [0, 40, 120, ARTICLES])
def test_killed_ingest_then_rerun_stores_everything_exactly_once(archive, tmp_path: Path, kill_after: int) -> None:
    folder = make_collection(tmp_path / "in")
    home = tmp_path / "home"
    process = ingest_process(home, folder)
    try:
        if kill_after:
            wait_for(lambda: stored_articles(home) >= kill_after or process.poll() is not None)
        else:
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    rerun = ingest_process(home, folder)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert_complete(archive, home)


def test_ctrl_c_stops_after_the_batch_and_a_rerun_continues(archive, tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "in")
    home = tmp_path / "home"
    process = ingest_process(home, folder)
    wait_for(lambda: stored_articles(home) >= 40 or process.poll() is not None)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the ingest finished before Ctrl-C arrived")
    assert process.returncode == 130, err
    assert "Interrupted after" in out and "run the same command again to continue" in out
    assert "Traceback" not in err
    stored = stored_articles(home)
    assert 40 <= stored < ARTICLES
    rerun = ingest_process(home, folder, "--json")
    out, _ = rerun.communicate(timeout=120)
    report = json.loads(out)
    assert (report["unchanged"], report["new"]) == (stored, ARTICLES - stored)
    assert_complete(archive, home)


@pytest.mark.sqlite_only("a dangling file link written with sqlite3, which a server's foreign keys refuse")
def test_check_finds_and_repair_fixes_a_damaged_archive(archive, tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "in", 30)
    home = tmp_path / "home"
    archive("ingest", "--home", home, folder)
    with sqlite3.connect(home / "archive.db") as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM articles ORDER BY id")]
        connection.execute("UPDATE articles SET revision = revision + 1 WHERE id = ?", (ids[0],))
        connection.execute("INSERT INTO article_files (path, item, article_id) VALUES ('/gone.txt', '', 'nosuchid00')")
    ix = whoosh_index.open_dir(str(home / "index"))
    writer = ix.writer()
    writer.delete_by_term("id", ids[1])
    writer.add_document(id="phantom000", title="Not in the database", revision=1)
    searcher_doc = dict(ix.searcher().document(id=ids[2]))
    # The revision is a column only, not stored: the copy gets the original's, 1.
    writer.add_document(**{k: v for k, v in searcher_doc.items() if k in ix.schema.names()}, revision=1)
    writer.commit()

    result = archive("check", "--home", home, expect=1)
    assert f"missing from index:   1 ({ids[1]})" in result.stdout
    assert "not in the database:  1 (phantom000)" in result.stdout
    assert f"stale in the index:   1 ({ids[0]})" in result.stdout
    assert f"doubled in the index: 1 ({ids[2]})" in result.stdout
    assert "dangling rows:        1 file links" in result.stdout  # (one row, pointing at neither)
    assert "`archive check --repair` fixes them" in result.stdout

    repaired = archive("check", "--home", home, "--repair")
    assert "Repaired: the database and the index agree now." in repaired.stdout
    assert "OK: the database and the index agree." in archive("check", "--home", home).stdout
    assert_complete(archive, home, 30)


def test_a_second_writer_waits_or_fails_as_asked(archive, tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "in", 5)
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from newsarchive.config import resolve_config; from newsarchive.storage.locks import writer_lock\n"
            f"with writer_lock(resolve_config({str(home)!r}), create=True):\n"
            "    print('locked', flush=True); time.sleep(1.5)\n"
        )],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    refused = archive("ingest", "--home", home, "--no-wait", folder, expect=1)
    assert "another process is writing to the archive" in refused.stderr
    waited = archive("ingest", "--home", home, folder)
    assert "waiting for it to finish" in waited.stderr
    assert ": 5 new," in waited.stdout
    holder.wait()


def test_searches_keep_working_during_an_ingest(archive, tmp_path: Path) -> None:
    from newsarchive.services.search import SearchRequest, search

    home = tmp_path / "home"
    archive("ingest", "--home", home, make_collection(tmp_path / "first", 10, first=1000))
    config = resolve_config(home)
    process = ingest_process(home, make_collection(tmp_path / "in"))
    totals = []
    while process.poll() is None:
        totals.append(search(open_engine(config), SearchRequest(query="council", limit=3)).total)
    assert process.returncode == 0
    totals.append(search(open_engine(config), SearchRequest(query="council", limit=3)).total)
    assert totals == sorted(totals) and totals[0] >= 10 and totals[-1] == 10 + ARTICLES


# --- files that go wrong -------------------------------------------------------------------


def test_a_file_that_vanishes_or_changes_while_read_is_reported(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]

    from newsarchive.reading import files as reading

    gone = read_file_safely(tmp_path / "vanished.txt", UTC)
    assert isinstance(gone, FileFailure) and gone.reason == "cannot read file: No such file or directory"
    path = make_collection(tmp_path / "in", 1) / "0000.txt"
    stamps = iter([reading.FileStamp(100, 1), reading.FileStamp(120, 2)])
    monkeypatch.setattr(reading, "stamp_of", lambda _path: next(stamps))
    changed = read_file_safely(path, UTC)
    assert isinstance(changed, FileFailure) and "file changed while it was being read" in changed.reason


def test_unreadable_folders_huge_files_and_nul_bytes_are_reported(archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = make_collection(tmp_path / "in", 3)
    locked = folder / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if isinstance(path, (str, os.PathLike)) and Path(path) == locked:  # (shutil passes descriptors)
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    (folder / "huge.txt").write_bytes(b"word " * (10 * 1024 * 1024))  # 50 MB on one line
    (folder / "nul.txt").write_bytes(b"Title\n\nText with a \x00 NUL byte in it.\n")
    result = archive("ingest", folder, expect=1)
    assert f"error: {locked}: cannot read folder: Permission denied" in result.stderr
    assert f"error: {(folder / 'huge.txt').resolve()}: file too large" in result.stderr
    assert f"error: {(folder / 'nul.txt').resolve()}: binary file" in result.stderr
    assert ": 3 new, 0 updated, 0 unchanged, 0 duplicate, 3 failed," in result.stdout


def test_fifos_and_symlink_loops_in_a_folder_are_reported_not_waited_on(archive, tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "in", 2)
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    result = archive("ingest", folder, expect=1)
    assert f"error: {folder / 'pipe.txt'}: not a regular file" in result.stderr
    assert f"error: {folder / 'loop1.txt'}: broken or looping symbolic link" in result.stderr
    assert ": 2 new," in result.stdout and ", 3 failed," in result.stdout


def test_linked_folders_are_read_once_and_links_to_devices_named(archive, tmp_path: Path) -> None:
    outside = make_collection(tmp_path / "outside", 3)
    folder = make_collection(tmp_path / "in" / "own", 2, first=3).parent
    (folder / "sport").symlink_to(outside)  # a folder of links is what the user points at
    (folder / "own" / "up").symlink_to(folder)  # a loop
    (folder / "own" / "again").symlink_to(outside)  # the same folder by another link
    (folder / "zero.txt").symlink_to(os.devnull)
    (folder / "gone").symlink_to(tmp_path / "nowhere")
    result = archive("ingest", "-v", folder, expect=1)
    assert "5 files: 5 new, 0 updated, 0 unchanged, 0 duplicate, 2 failed, 0 undated, 2 passed over;" in result.stdout
    assert f"{folder / 'own' / 'again'}: passed over: link to a folder read as {folder / 'sport'}\n" in result.stderr
    assert f"{folder / 'own' / 'up'}: passed over: link to a folder read as {folder}\n" in result.stderr
    assert f"error: {folder / 'zero.txt'}: not a regular file (a link to a device)\n" in result.stderr
    assert f"error: {folder / 'gone'}: broken or looping symbolic link\n" in result.stderr
    assert f"error: {os.devnull}: not a regular file (a device)\n" in archive("ingest", os.devnull, expect=1).stderr
    paths = {path for line in archive("export").stdout.splitlines() for path in json.loads(line)["files"]}
    assert sorted(Path(path).name for path in paths) == ["0000.txt", "0001.txt", "0002.txt", "0003.txt", "0004.txt"]


def test_unusable_homes_and_database_urls_get_one_line(archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    afile = tmp_path / "afile"
    afile.write_text("x")
    folder = make_collection(tmp_path / "in", 1)
    assert "Directory" in archive("ingest", "--home", afile, folder, expect=2).stderr  # Click checks --home
    monkeypatch.setenv("ARCHIVE_HOME", str(afile))
    result = archive("ingest", folder, expect=1)
    assert result.stderr.startswith(f"Error: the archive home {afile} is a file, not a folder\n")
    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"sqlite:///{tmp_path}/missing/folder/x.db")
    result = archive("info", expect=1)
    assert result.stderr.startswith(f"Error: no archive database at {tmp_path}/missing/folder/x.db\n")
    result = archive("ingest", folder, expect=1)
    assert "cannot open the archive database" in result.stderr and "unable to open database file" in result.stderr
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresql://user:secret@127.0.0.1:9/news")  # (nothing on port 9)
    result = archive("info", expect=1)
    assert result.stderr.count("\n") == 2 and "secret" not in result.stderr and "127.0.0.1:9" in result.stderr
    monkeypatch.setitem(sys.modules, "psycopg", None)  # (without the driver)
    result = archive("info", expect=1)
    assert "is not installed" in result.stderr and "secret" not in result.stderr


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@pytest.mark.local_index("the Whoosh index's worker processes, and what they leave in the index")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_index_workers_die_with_a_killed_ingest(archive, tmp_path: Path) -> None:
    # 240 files: enough for the index to be built by worker processes on a multi-core machine.
    folder = make_collection(tmp_path / "in")
    home = tmp_path / "home"
    process = ingest_process(home, folder)
    try:
        wait_for(lambda: stored_articles(home) >= 40 or process.poll() is not None)
        workers = _children_of(process.pid)
        if process.poll() is None and (os.cpu_count() or 1) > 1:
            assert workers  # parsing and index workers
    finally:
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate(timeout=30)
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=10)
    # (they die with it, not on writing to a pipe no one reads: nothing of theirs on its stderr)
    assert "Traceback" not in err, err
    # Nothing they left behind (a half-built segment, a lock) stands in the way of the rerun.
    rerun = ingest_process(home, folder)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert_complete(archive, home)


@pytest.mark.local_index("the Whoosh index's worker processes updating it")
def test_a_reingest_of_changed_files_through_the_index_workers_leaves_one_current_copy_each(
    archive, tmp_path: Path
) -> None:
    # Enough changed files (100) for the index to be rebuilt in worker processes on a multi-core machine.
    folder = make_collection(tmp_path / "in", 150)
    home = tmp_path / "home"
    archive("ingest", "--home", home, folder)
    for n in range(100):
        path = folder / f"{n:04d}.txt"
        path.write_text(path.read_text(encoding="utf-8").replace(f"zqx{n}.", f"zqy{n}."), encoding="utf-8")
    report = json.loads(archive("ingest", "--home", home, "--json", folder).stdout)
    assert (report["updated"], report["unchanged"]) == (100, 50)
    facts = json.loads(archive("check", "--home", home, "--json").stdout)
    assert facts["ok"] and facts["index_documents"] == 150
    for word, total in (("zqx5", 0), ("zqy5", 1), ("zqx99", 0), ("zqy99", 1), ("zqx120", 1)):
        assert json.loads(archive("search", "--home", home, word, "--json").stdout)["total"] == total, word


def _disk_full() -> None:
    raise OSError("No space left on device")


def _killed() -> None:
    os._exit(9)  # as if the worker were killed (the kernel's OOM killer, say)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (_disk_full, "indexing failed: OSError: No space left on device"),
        (_killed, "an indexing process for"),
    ],
)
@pytest.mark.local_index("the Whoosh index's workers")
def test_a_failing_index_worker_fails_the_ingest_clearly_and_a_rerun_repairs_it(
    archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault, message: str
) -> None:  # type: ignore[no-untyped-def]
    from newsarchive.engines.whoosh.bulk import BulkWriter

    original = BulkWriter.add_document

    def failing(self, **fields):  # type: ignore[no-untyped-def]
        if any("zqx77" in str(value) for value in fields.values()):
            fault()
        original(self, **fields)

    # The index workers are forked from this process, so they inherit the fault.
    monkeypatch.setattr(BulkWriter, "add_document", failing)
    folder = make_collection(tmp_path / "in", 150)
    home = tmp_path / "home"
    result = archive("ingest", "--home", home, "-q", folder, expect=1)
    assert message in result.output and "Hint: the articles are stored" in result.output
    assert "Traceback" not in result.output
    assert stored_articles(home) == 150  # the database kept what it stored
    monkeypatch.setattr(BulkWriter, "add_document", original)
    archive("ingest", "--home", home, "-q", folder)  # finishes the index from the database
    assert_complete(archive, home, 150)


def test_a_batch_the_database_refuses_is_one_line_without_its_statement(
    archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server's refusal carries the statement and every parameter (10 KB for a batch); the user gets its first line.
    from sqlalchemy.exc import OperationalError

    from newsarchive.services import ingest

    statement = "INSERT INTO articles (id, title, body) VALUES " + ", ".join(["(%s, %s, %s)"] * 500)
    refusal = OperationalError(statement, [("x" * 40,) * 3] * 500, Exception("server closed the connection unexpectedly\nDETAIL: ..."))

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise refusal

    monkeypatch.setattr(ingest, "_store_once", refuse)
    result = archive("ingest", make_collection(tmp_path / "in", 3), expect=1)
    assert "could not store the batch of 3 files starting with" in result.stderr
    assert result.stderr.splitlines()[0].endswith(": server closed the connection unexpectedly")
    assert "INSERT" not in result.stderr and len(result.stderr) < 400
