"""A team's archive: several machines (homes) writing one PostgreSQL database at once, losing nothing.

Each "machine" is an `archive` process with a home of its own and the same ARCHIVE_DATABASE_URL; every
test runs with each search engine a team may use: the server's own (its rows written with each change,
the default there), and a Whoosh index in each home following the database's change log.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from _postgres import Server
from newsarchive.engines import ENGINES
from newsarchive.storage.database import HEAD_REVISION
from test_faults import make_collection

#: Articles per transaction in these runs: small, so that the machines' batches interleave.
BATCH = "4"
WORDS = (
    "harbour weather budget river school market election railway hospital bridge museum festival "
    "farmers storm winter factory teachers court minister village airport energy water housing "
    "police library football orchestra tunnel vaccine harvest miners strike ferry").split()


def _text(number: int, words: int = 120) -> list[str]:
    rng = random.Random(number)
    return [rng.choice(WORDS) for _ in range(words)]


def write_pairs(folder_a: Path, folder_b: Path, count: int) -> None:
    """Near-duplicate pairs: an original in ``folder_a``, the same text with two words changed in ``folder_b``."""
    for folder in (folder_a, folder_b):
        folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        words = _text(n)
        copy = list(words)
        copy[30], copy[90] = f"qqcopy{n}", "changed"
        for folder, body, title in ((folder_a, words, "Original"), (folder_b, copy, "Reprinted")):
            paragraphs = "\n".join(" ".join(body[start : start + 40]) + "." for start in range(0, len(body), 40))
            (folder / f"pair{n:03d}.txt").write_text(
                f"{title} report {n} on zqp{n}\nThe desk filed report {n}.\n{1 + n % 28} May 2024 09:00\n{paragraphs}\n",
                encoding="utf-8",
            )


def write_same(folders: tuple[Path, ...], count: int) -> None:
    """The same texts under another path in each folder: one article each, with a place in each folder."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            (folder / f"same{n:03d}.txt").write_text(
                f"Shared wire story {n}\nThe wire carried story zqs{n} to every desk.\n2 June 2024 08:00\n", encoding="utf-8"
            )


class Machine:
    """One machine of the team: `archive` in its own home, on the shared database."""

    def __init__(self, home: Path, url: str, engine: str) -> None:
        self.home = home
        self.env = {**os.environ, "ARCHIVE_HOME": str(home), "ARCHIVE_DATABASE_URL": url}
        if engine != "postgres":  # (the server's own search is the default there)
            self.env["ARCHIVE_ENGINE"] = engine

    def start(self, *args: str | Path) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "newsarchive", *map(str, args)]
        return subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ingest(self, *paths: Path) -> subprocess.Popen[str]:
        return self.start("ingest", "-q", "--batch-size", BATCH, *paths)

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "newsarchive", *map(str, args)], env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def total(self, query: str) -> int:
        return int(json.loads(self.run("search", query, "--json").stdout)["total"])


def finished(*runs: subprocess.Popen[str]) -> list[tuple[int, str]]:
    """Each run's exit code and stderr; a run's stderr never holds a traceback nor the driver's pipeline noise."""
    outcomes = []
    for run in runs:
        _out, err = run.communicate(timeout=180)
        assert "Traceback" not in err and "pipeline" not in err.lower(), err
        outcomes.append((run.returncode, err))
    return outcomes


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The search engine of every machine of the team."""
    return str(request.param)


@pytest.fixture
def team(postgres: Server, tmp_path: Path, engine: str) -> Iterator[tuple[Machine, Machine, str]]:
    url = postgres.database()
    yield Machine(tmp_path / "a", url, engine), Machine(tmp_path / "b", url, engine), url


def rows(url: str, query: str) -> list[tuple]:  # type: ignore[type-arg]
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def assert_each_sees(machines: tuple[Machine, ...], articles: int, expected: dict[str, int]) -> None:
    for machine in machines:
        for query, total in expected.items():
            assert machine.total(query) == total, (machine.home.name, query)
        facts = json.loads(machine.run("check", "--json").stdout)
        assert facts["ok"] and facts["behind"] == 0, (machine.home.name, facts)
        assert facts["articles"] == facts["index_documents"] == articles, machine.home.name


@pytest.mark.parametrize("trial", range(2))
def test_two_machines_ingesting_overlapping_folders_at_once_store_each_article_once(team, tmp_path: Path, trial: int) -> None:  # type: ignore[no-untyped-def]
    a, b, url = team
    common = make_collection(tmp_path / "common", 40)
    write_pairs(tmp_path / "originals", tmp_path / "copies", 20)
    write_same((tmp_path / "originals", tmp_path / "copies"), 12)
    outcomes = finished(a.ingest(common, tmp_path / "originals"), b.ingest(tmp_path / "copies", common))
    assert [code for code, _err in outcomes] == [0, 0], outcomes
    assert rows(url, "SELECT count(*), count(DISTINCT content_hash) FROM articles") == [(40 + 20 + 20 + 12, 92)]
    # Every near-duplicate pair linked, whichever machine stored its half first.
    linked = rows(url, "SELECT c.title, o.title FROM articles c JOIN articles o ON o.id = c.duplicate_of")
    assert sorted(int(copy.split()[2]) for copy, _original in linked) == list(range(20)), linked
    assert all(copy.split()[2] == original.split()[2] for copy, original in linked)
    # Each wire story is one article with a place in each folder.
    places = rows(url, "SELECT count(*) FROM article_files f JOIN articles a ON a.id = f.article_id WHERE a.title LIKE 'Shared%'")
    assert places == [(24,)]
    assert_each_sees((a, b), 92, {"zqx0": 1, "zqx39": 1, "zqs5": 1, "zqp7": 2, "qqcopy3": 1, "council": 40})


def test_a_machine_killed_mid_ingest_converges_when_run_again(team, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, url = team
    folder = make_collection(tmp_path / "in", 240)
    killed, other = a.ingest(folder), b.ingest(folder)
    deadline = time.monotonic() + 60
    while _stored(url) < 30:
        assert time.monotonic() < deadline and killed.poll() is None, "the ingest ended before it could be killed"
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert [code for code, _err in finished(other)] == [0]
    assert [code for code, _err in finished(a.ingest(folder))] == [0]
    assert rows(url, "SELECT count(*), count(DISTINCT content_hash) FROM articles") == [(240, 240)]
    assert_each_sees((a, b), 240, {"zqx0": 1, "zqx120": 1, "zqx239": 1, "council": 240})


def _stored(url: str) -> int:
    """Articles stored so far (0 before the schema is made)."""
    if not rows(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'articles'")[0][0]:
        return 0
    return int(rows(url, "SELECT count(*) FROM articles")[0][0])


def test_an_update_and_a_removal_on_one_machine_are_seen_by_the_others_next_search(team, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _url = team
    folder = make_collection(tmp_path / "in", 20)
    assert [code for code, _err in finished(a.ingest(folder), b.ingest(folder))] == [0, 0]
    assert b.total("zqx5") == 1
    (folder / "0005.txt").write_text(
        "Council meeting number 5 ends\nThe council changed its mind about zqxnew.\n6 March 2024 10:05\n", encoding="utf-8"
    )
    assert [code for code, _err in finished(a.ingest(folder))] == [0]
    removed = json.loads(a.run("search", "zqx7", "--json").stdout)["hits"][0]["id"]
    a.run("remove", removed)
    assert (b.total("zqx5"), b.total("zqxnew"), b.total("zqx7"), b.total("council")) == (0, 1, 0, 19)
    assert_each_sees((a, b), 19, {"zqxnew": 1, "zqx7": 0})


def test_machines_starting_together_on_a_fresh_database_migrate_it_once_and_store_everything(  # type: ignore[no-untyped-def]
    postgres: Server, tmp_path: Path, engine: str
) -> None:
    url = postgres.database()
    machines = [Machine(tmp_path / f"home{n}", url, engine) for n in range(4)]
    folders = [make_collection(tmp_path / f"in{n}", 5, first=100 * n) for n in range(4)]
    outcomes = finished(*(machine.ingest(folder) for machine, folder in zip(machines, folders, strict=True)))
    assert [code for code, _err in outcomes] == [0] * 4, outcomes
    assert rows(url, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    assert rows(url, "SELECT count(*) FROM articles") == [(20,)]
    assert_each_sees((machines[0], machines[3]), 20, {"zqx0": 1, "zqx304": 1, "council": 20})


def test_a_machine_with_its_own_index_and_one_searching_the_server_see_each_others_changes(
    postgres: Server, tmp_path: Path
) -> None:
    url = postgres.database()
    replica, server = Machine(tmp_path / "replica", url, "whoosh"), Machine(tmp_path / "server", url, "postgres")
    server.run("init", "--engine", "postgres")
    folder = make_collection(tmp_path / "in", 12)
    assert [code for code, _err in finished(replica.ingest(folder))] == [0]
    assert server.total("council") == 12  # (the replica's ingest wrote the server's search rows too)
    gone = json.loads(server.run("search", "zqx3", "--json").stdout)["hits"][0]["id"]
    server.run("remove", gone)
    (folder / "0005.txt").write_text(
        "Council meeting number 5 ends\nThe council changed its mind about zqxnew.\n6 March 2024 10:05\n", encoding="utf-8"
    )
    assert [code for code, _err in finished(replica.ingest(folder))] == [0]
    for machine in (replica, server):
        assert (machine.total("zqx3"), machine.total("zqx5"), machine.total("zqxnew"), machine.total("council")) == (
            0, 0, 1, 11
        ), machine.home.name
