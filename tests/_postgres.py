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
from concurrent.futures import Future, ThreadPoolExecutor
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
        # Databases are made, emptied and dropped one at a time, on a thread of their own, ahead of the tests.
        self._admin = ThreadPoolExecutor(1, thread_name_prefix="postgres-admin")
        self._next: Future[str] | None = None
        self._emptied: list[str] = []  # (databases given back, as empty as new ones)
        self._fresh: tuple[object, ...] | None = None  # what a new database's catalog holds (``_contents``)
        self._made: set[str] = set()  # (dropped when the server is given: its databases outlive the session)

    def database(self) -> str:
        """A new, empty database: its SQLAlchemy URL.

        Making one takes the server 45 ms (300 ms on a busy machine), so the next is made on a thread
        of this process while the test that asked runs; and one given back (``drop``) is emptied
        (10 ms) and given out again if its catalog then holds just what a new database's does.
        """
        name = self._next.result() if self._next is not None else self._create()
        self._next = self._admin.submit(self._ready)
        return f"{self.admin_url.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    def copy(self, url: str) -> str:
        """A new database holding what the database at ``url`` holds (``CREATE DATABASE ... TEMPLATE``)."""
        name = self._admin.submit(self._create, url.rsplit("/", 1)[1]).result()
        return f"{url.rsplit('/', 1)[0]}/{name}"

    def drop(self, url: str) -> None:
        """Give back a database ``database()`` made (connections still open to it are ended): emptied for the
        next test, or dropped."""
        self._admin.submit(self._empty, url.rsplit("/", 1)[1])

    def close(self) -> None:
        """Wait for the databases being made and dropped; on a server given, drop those still there."""
        if self._next is not None:
            self._next.result()
        if self.folder is None:
            for name in sorted(self._made):
                self._drop(name)
        self._admin.shutdown(wait=True)

    def _ready(self) -> str:
        return self._emptied.pop() if self._emptied else self._create()

    def _create(self, template: str | None = None) -> str:
        name = f"t{os.getpid()}_{next(_numbers)}"
        if template is None:
            self._execute(f'CREATE DATABASE "{name}"')
        else:  # (no session may be connected to a template: those a test left open are ended)
            self._end_sessions(template)
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._made.add(name)
        return name

    def _empty(self, name: str) -> None:
        """Empty a database a test used, as new, or drop it where its catalog then differs from a new one's."""
        import psycopg

        if self._fresh is None:  # (once: a new database to hold it to, given out next)
            new = self._create()
            self._fresh = self._contents(new)
            self._emptied.append(new)
        self._end_sessions(name)
        url = f"{self.admin_url.rsplit('/', 1)[0]}/{name}"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(EMPTY)
        if self._contents(name) == self._fresh:
            self._emptied.append(name)
        else:
            self._drop(name)

    def _contents(self, name: str) -> tuple[object, ...]:
        import psycopg

        with psycopg.connect(f"{self.admin_url.rsplit('/', 1)[0]}/{name}", autocommit=True) as connection:
            return tuple(connection.execute(CONTENTS).fetchone() or ())

    def _end_sessions(self, name: str) -> None:
        self._execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    def _drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.discard(name)

    def _execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]  # (a statement of ours, names we made)

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

        # (Where WAL has been inserted, not written: with synchronous_commit off, as the tests run the server, a
        # commit's record may wait in the WAL buffers, past pg_current_wal_lsn, until the WAL writer flushes it.)
        with psycopg.connect(self.admin_url, autocommit=True) as primary:
            written = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
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


#: Everything a test made in a database goes with the schema it made it in (PostgreSQL 15's own "public",
#: remade as it was); ``CONTENTS`` then says whether anything was left elsewhere.
EMPTY = """
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';
"""
#: What a database's catalog holds beside the system's own: its schemas (with owner and rights),
#: extensions, and the number of relations, functions, types and text search objects outside the
#: system's schemas, settings made for the database, and large objects.
CONTENTS = """
WITH mine AS (
    SELECT oid FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%temp\\_%'
)
SELECT
    (SELECT string_agg(nspname || ':' || nspowner::regrole || ':' || coalesce(nspacl::text, ''), ',' ORDER BY nspname)
     FROM pg_namespace WHERE oid IN (SELECT oid FROM mine)),
    (SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension),
    (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM mine)),
    (SELECT count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM mine)),
    (SELECT count(*) FROM pg_type WHERE typnamespace IN (SELECT oid FROM mine)),
    (SELECT count(*) FROM pg_ts_config WHERE cfgnamespace IN (SELECT oid FROM mine)),
    (SELECT count(*) FROM pg_ts_dict WHERE dictnamespace IN (SELECT oid FROM mine)),
    (SELECT count(*) FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),
    (SELECT count(*) FROM pg_largeobject_metadata)
"""


def stop(folder: Path) -> None:
    """Stop the throwaway server and remove its folder (also when it never started)."""
    subprocess.run(["bash", str(PG_SH), "stop", str(folder)], capture_output=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)
