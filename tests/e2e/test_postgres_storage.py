"""The archive's database on a PostgreSQL server (a throwaway one, ``tests/_postgres.py``).

Searching still runs in this home's Whoosh index, which follows the database's change log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _postgres import Server

#: Machines starting at once on an empty database, each running the migrations if it finds none.
RACERS = 4


@pytest.fixture(autouse=True)
def whoosh_in_each_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each machine searches its own Whoosh index over the server (not the archive's default there, postgres)."""
    monkeypatch.setenv("ARCHIVE_ENGINE", "whoosh")


def _archive(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_HOME": str(home), "ARCHIVE_DATABASE_URL": url}
    command = [sys.executable, "-m", "newsarchive", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_ingest_and_search_with_the_database_on_a_server(
    archive, postgres: Server, seed_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", postgres.database())
    archive("ingest", seed_dir)
    found = json.loads(archive("search", "Kursk", "--json").stdout)
    assert [hit["title"] for hit in found["hits"]] == ["Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat"]
    assert "postgresql" in archive("info").stdout


@pytest.mark.parametrize("trial", range(2))
def test_machines_starting_together_on_an_empty_database_migrate_it_once(
    postgres: Server, seed_dir: Path, tmp_path: Path, trial: int
) -> None:
    url = postgres.database()
    env = {**os.environ, "ARCHIVE_DATABASE_URL": url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "newsarchive", "ingest", str(seed_dir)],
            env={**env, "ARCHIVE_HOME": str(tmp_path / f"home{n}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(RACERS)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert [code for code, _ in outcomes] == [0] * RACERS, [said for _, said in outcomes]
    listed = json.loads(_archive(tmp_path / "home0", url, "list", "--json").stdout)
    assert listed["total"] == 1
