"""A throwaway PostgreSQL server for the tests: one per test session, a fresh database per test.

``tests/pg.sh`` starts it from the distribution's packages on 127.0.0.1 and a free port (as the
"postgres" user when the tests run as root; pytest's own temporary folders are closed to that user,
so the server lives in a folder of its own). Where no server can be started (no binaries, no
psycopg) the tests that need one are skipped, saying why; with NEWSARCHIVE_REQUIRE_POSTGRES set
(``.ci/run`` sets it) they fail instead, so CI never skips them. ARCHIVE_TEST_POSTGRES_URL (a
libpq URL of a database the tests may create databases from) uses a running server instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_SH = Path(__file__).with_name("pg.sh")
REQUIRE = "NEWSARCHIVE_REQUIRE_POSTGRES"
_numbers = itertools.count(1)


def unavailable(reason: str) -> None:
    """Skip the test for want of a server, or fail it where a server is required."""
    if os.environ.get(REQUIRE):
        pytest.fail(f"PostgreSQL is required here ({REQUIRE} is set), but {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL: {reason}")


class Server:
    """A PostgreSQL server the tests may create databases on."""

    def __init__(self, admin_url: str, folder: Path | None) -> None:
        self.admin_url = admin_url  # a libpq URL of its "postgres" database
        self.folder = folder  # the throwaway server's folder (None: a server given)

    def database(self) -> str:
        """A new, empty database (about 55 ms): its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        base = self.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}/{name}"

    @classmethod
    def started(cls) -> tuple[Server, Path | None]:
        """The server the session uses, started if none is given; skips or fails when there can be none."""
        try:
            import psycopg  # noqa: F401
        except ImportError:
            unavailable("psycopg is not installed (pip install '.[postgres]')")
        given = os.environ.get("ARCHIVE_TEST_POSTGRES_URL")
        if given:
            return cls(given, None), None
        folder = Path(tempfile.mkdtemp(prefix="newsarchive-pg-"))
        started = subprocess.run(["bash", str(PG_SH), "start", str(folder)], capture_output=True, text=True, timeout=180)
        if started.returncode != 0:
            stop(folder)
            said = (started.stderr or started.stdout).strip().splitlines()
            unavailable(f"tests/pg.sh could not start one: {said[-1] if said else started.returncode}")
        settings = dict(line.split("=", 1) for line in (folder / "env").read_text().split())
        return cls(f"postgresql://news@127.0.0.1:{settings['PG_PORT']}/postgres", folder), folder

    def standby(self) -> str:
        """A streaming standby of the throwaway server (started once, ``pg.sh standby``): the libpq URL of its
        "postgres" database. Every database of the server is there too, read-only, a moment after its primary."""
        if self.folder is None:
            pytest.skip("needs the tests' own server, to start a standby of it (ARCHIVE_TEST_POSTGRES_URL is given)")
        settings = dict(line.split("=", 1) for line in (self.folder / "env").read_text().split())
        if "STANDBY_PORT" not in settings:
            started = subprocess.run(["bash", str(PG_SH), "standby", str(self.folder)], capture_output=True, text=True, timeout=180)
            if started.returncode != 0:
                said = (started.stderr or started.stdout).strip().splitlines()
                unavailable(f"tests/pg.sh could not start a standby: {said[-1] if said else started.returncode}")
            settings = dict(line.split("=", 1) for line in (self.folder / "env").read_text().split())
        return self.admin_url.replace(f":{settings['PG_PORT']}/", f":{settings['STANDBY_PORT']}/", 1)

    def replayed(self, standby_url: str, seconds: float = 30.0) -> None:
        """Wait until the standby at ``standby_url`` has replayed everything the primary has written so far."""
        import time

        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as primary:
            written = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        ends = time.monotonic() + seconds
        with psycopg.connect(standby_url, autocommit=True) as standby:
            while True:
                replayed = standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (written,)
                ).fetchone()[0]  # type: ignore[index]
                if replayed:
                    return
                if time.monotonic() > ends:
                    raise AssertionError(f"the standby has not replayed the primary's WAL up to {written} in {seconds} s")
                time.sleep(0.02)


def stop(folder: Path) -> None:
    """Stop the throwaway server and remove its folder (also when it never started)."""
    subprocess.run(["bash", str(PG_SH), "stop", str(folder)], capture_output=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)
