"""A throwaway PostgreSQL server for the benchmarks: the tests' ``tests/pg.sh`` with benchmark settings.

``pg.sh start`` makes a cluster with the tests' settings (fsync, synchronous
commits and full-page writes off, shared_buffers 256MB); ``BenchServer``
then sets the benchmark's own with ``ALTER SYSTEM`` (shared_buffers 4GB,
work_mem 64MB, maintenance_work_mem 1GB, and fsync, synchronous_commit and
full_page_writes on or off together) and restarts it. Each measured stack
gets a database of its own, made fresh before each ingest. A cold search
restarts the server first (``restart``): its shared buffers are then empty,
while the operating system's page cache is not (dropping that needs root on
the host, which a benchmark must not need).

The server's CPU time is read from ``/proc``: the postmaster's own time and
that of the backends it has reaped (``cutime``/``cstime``), plus the
processes still running, so a command's server-side CPU is the difference
of two readings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_SH = REPO / "tests" / "pg.sh"
#: The benchmark's server settings on top of pg.sh's (CI) ones.
SETTINGS = {"shared_buffers": "4GB", "work_mem": "64MB", "maintenance_work_mem": "1GB"}
#: Set together by ``fsync``: on is how a team's server runs, off is how the tests run it.
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")
SHOWN = (*SETTINGS, *DURABILITY, "max_connections", "server_version")


class ServerFailed(RuntimeError):
    pass


class BenchServer:
    """One PostgreSQL cluster in a temporary folder, for the length of a benchmark run (a context manager)."""

    def __init__(self, *, fsync: bool, parent: Path | None = None, keep: bool = False) -> None:
        self.fsync = fsync
        self.keep = keep
        # Under /tmp by default: the server's user must be able to reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="newsarchive-bench-pg-", dir=parent))
        self.port: int | None = None

    def __enter__(self) -> BenchServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.keep:
            print(f"the server is left running at {self.url('news')} (stop it: bash {PG_SH} stop {self.folder})")
            return
        self.stop()

    # --- lifetime --------------------------------------------------------------------

    def start(self) -> None:
        _run(["bash", str(PG_SH), "start", str(self.folder)])
        env = dict(line.split("=", 1) for line in (self.folder / "env").read_text().split())
        self.port = int(env["PG_PORT"])
        durability = "on" if self.fsync else "off"
        with self._connect("news") as connection:
            for name, value in {**SETTINGS, **dict.fromkeys(DURABILITY, durability)}.items():
                connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        self.restart()

    def restart(self) -> float:
        """Stop and start the server (its shared buffers emptied); the seconds it took."""
        started = time.perf_counter()
        _run([*_as_server_user(), _pg_bin("pg_ctl"), "-D", str(self.folder / "primary"), "-l",
              str(self.folder / "primary" / "log"), "-m", "fast", "-w", "-t", "120", "restart"])  # fmt: skip
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.folder.exists():
            _run(["bash", str(PG_SH), "stop", str(self.folder)], check=False)
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- databases -------------------------------------------------------------------

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://news@127.0.0.1:{self.port}/{database}"

    def fresh_database(self, database: str) -> str:
        """An empty database (dropped first if it exists); its SQLAlchemy URL."""
        with self._connect("news") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def drop_database(self, database: str) -> None:
        with self._connect("news") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def database_bytes(self, database: str) -> int:
        """pg_database_size: tables, indexes and TOAST of the database (not the shared WAL)."""
        with self._connect("news") as connection:
            row = connection.execute("SELECT pg_database_size(%s)", (database,)).fetchone()
        return int(row[0]) if row else 0

    def relation_bytes(self, database: str) -> dict[str, int]:
        """The largest tables of ``database``: total bytes (with indexes and TOAST) by name."""
        with self._connect(database) as connection:
            rows = connection.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 8"
            ).fetchall()
        return {name: int(size) for name, size in rows}

    def settings(self) -> dict[str, str]:
        with self._connect("news") as connection:
            return {name: str(connection.execute(f"SHOW {name}").fetchone()[0]) for name in SHOWN}  # type: ignore[index]

    def extensions(self) -> list[str]:
        """The extensions this server could create (contrib ones the engines may use)."""
        with self._connect("news") as connection:
            rows = connection.execute(
                "SELECT name FROM pg_available_extensions WHERE name IN ('pg_trgm', 'rum', 'unaccent', 'btree_gin', "
                "'fuzzystrmatch') ORDER BY name"
            ).fetchall()
        return [name for (name,) in rows]

    # --- CPU -------------------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """User + system seconds the server has used so far, its exited backends included."""
        pid = int((self.folder / "primary" / "postmaster.pid").read_text().split()[0])
        ticks = _stat_ticks(pid, children=True)
        for child in _children(pid):
            ticks += _stat_ticks(child, children=True)
        return ticks / os.sysconf("SC_CLK_TCK")

    def _connect(self, database: str) -> Any:
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="news", dbname=database, autocommit=True)


def _stat_ticks(pid: int, *, children: bool) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0  # gone between the listing and the reading
    # After the name: state is field 3; utime, stime, cutime, cstime are fields 14-17.
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if children else 0)


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:
        return []


def _pg_bin(name: str) -> str:
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    found = os.environ.get("PG_BIN") or (str(folders[-1]) if folders else "")
    return str(Path(found) / name) if found else name


def _as_server_user() -> list[str]:
    """What pg.sh does: root runs the server as the ``postgres`` user."""
    if os.geteuid() != 0:
        return []
    user = "postgres" if subprocess.run(["getent", "passwd", "postgres"], capture_output=True).returncode == 0 else "nobody"
    return ["runuser", "-u", user, "--"]


def _run(command: list[str], *, check: bool = True) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise ServerFailed(f"exit {done.returncode}: {' '.join(command)}\n{(done.stderr or done.stdout)[-2000:]}")
