"""Every test gets its own archive home, on a stack; CLI tests run through click's CliRunner.

The fixtures of all three layers (unit, integration, e2e) stay in this one file: pytest imports
every conftest.py outside a package as the module `conftest`, so a second one in a layer folder
would shadow this one for the test modules that `from conftest import SEED`.

Stacks, one copy of every test: each test in tests/e2e and tests/integration runs once per stack in
``STACKS`` (ids ``test_x[sqlite]``, ``test_x[postgres]``): ``pytest_generate_tests`` below
parametrises the ``stack`` fixture, in module scope, and the autouse ``archive_home`` takes it.
On "sqlite" the archive's database is the SQLite file in its home, as a user's is by default. On
"postgres" ARCHIVE_DATABASE_URL names a new, empty database on the session's server (the
``postgres`` fixture), which the test's first ``archive ingest`` makes an archive as it would a
file (an empty database is made ahead on a thread, ~45 ms; one migrated once and copied as a
template would not be a fresh archive: commands before the first ingest say "no archive"), and
ARCHIVE_ENGINE is ``POSTGRES_STACK_ENGINE`` (unset: the server's own search, the default there).
A module's fixture of module scope makes its archive with ``stack.database()`` and
``stack.settings(...)`` (see test_bbc.py); helpers give what differs (``database_url``,
``no_archive_error``, ``database_rows``, ``database_or``, ``another_archive``).

Where not: unit tests run once, on SQLite; so do tests marked ``no_archive`` (an index or files
alone). A test that takes ``postgres`` itself runs once, on the postgres stack. A test whose
subject is SQLite itself carries ``@pytest.mark.sqlite_only("why")`` and is skipped on a server; one
whose subject is a home's own Whoosh index carries ``@pytest.mark.local_index("why")`` and, on a
server, keeps one over it (ARCHIVE_ENGINE=whoosh, as a machine may).
The contract tests (tests/contract) run once per engine and the stacks it runs over
(``ENGINE_STACKS``: Whoosh on SQLite, Whoosh over PostgreSQL, later the engine in the server): a
test that takes ``engine_name`` is parametrised by both, and a module fixture with
``params=ENGINE_STACKS`` makes its engine with ``engine_kit.stacked_engine``. ``--stacks sqlite``
leaves the server out. Without a server the postgres stack's tests are skipped, saying why (they
fail instead with NEWSARCHIVE_REQUIRE_POSTGRES set, as CI sets it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from _postgres import Server, stop
from newsarchive.cli import cli
from newsarchive.engines import ENGINES

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_cd238a70ece2adb2.txt"

#: The stacks an archive of an e2e or integration test is on: its database (and search engine).
STACKS = ("sqlite", "postgres")
#: The search engine of the postgres stack: None, the archive's default on a server (the search in
#: the server, "postgres"); "whoosh" would run it with a Whoosh index following the change log.
POSTGRES_STACK_ENGINE: str | None = None
#: Each stack's ARCHIVE_ENGINE (None: the archive's default); "postgres-whoosh" keeps a Whoosh
#: index over a server's database under test whatever the postgres stack's engine is.
STACK_ENGINES: dict[str, str | None] = {"sqlite": None, "postgres": POSTGRES_STACK_ENGINE, "postgres-whoosh": "whoosh"}
#: Each search engine with the stacks it runs over, for the contract tests: (engine, stack), and their ids.
_ENGINE_STACK_IDS = {
    ("whoosh", "sqlite"): "whoosh",
    ("whoosh", "postgres-whoosh"): "whoosh-over-postgres",
    ("postgres", "postgres"): "postgres",
}
ENGINE_STACKS = [pair for pair in _ENGINE_STACK_IDS if pair[0] in ENGINES]


def engine_stack_id(pair: tuple[str, str]) -> str:
    return _ENGINE_STACK_IDS[pair]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--stacks", default=",".join(STACKS), help="the stacks e2e and integration tests run on (default: %(default)s)")


@pytest.hookimpl(trylast=True)  # (after the tests' own parameters: ids read test_x[1-postgres])
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = metafunc.config.getoption("--stacks").split(",")
    if "engine_name" in metafunc.fixturenames:
        pairs = [pair for pair in ENGINE_STACKS if _server_or_not(pair[1]) in chosen]
        ids = [engine_stack_id(pair) for pair in pairs]
        metafunc.parametrize(("engine_name", "stack"), pairs, indirect=True, ids=ids)
    elif Path(metafunc.definition.path).parent.name in ("e2e", "integration") and not metafunc.definition.get_closest_marker(
        "no_archive"
    ):
        stacks = ["postgres"] if "postgres" in metafunc.fixturenames else STACKS
        # (in module scope: the tests of a module run on one stack, then on the next, each fixture of that scope
        # made once per stack)
        metafunc.parametrize("stack", [stack for stack in stacks if stack in chosen], indirect=True, scope="module")


def _server_or_not(stack: str) -> str:
    return "sqlite" if stack == "sqlite" else "postgres"


@dataclass(frozen=True)
class Stack:
    """A stack an archive is on: a name (``STACKS``, or "postgres-whoosh") and, on a server, the session's server."""

    name: str
    server: Server | None = None

    @classmethod
    def named(cls, name: str, request: pytest.FixtureRequest) -> Stack:
        """The stack ``name`` for a fixture of any scope; its server is started (or the test skipped) here."""
        return cls(name, None if name == "sqlite" else request.getfixturevalue("postgres"))

    @property
    def engine(self) -> str | None:
        """The ARCHIVE_ENGINE of the stack's archives (None: the archive's default)."""
        return STACK_ENGINES[self.name]

    def database(self) -> str | None:
        """A new, empty database on the stack: its URL; None on SQLite (an archive's file in its home)."""
        return None if self.server is None else self.server.database()

    def copy(self, database: str | None) -> str | None:
        """A new database holding what ``database`` (one of ``database()``) holds; None on SQLite, where copying
        the home copies its database."""
        return None if self.server is None or database is None else self.server.copy(database)

    def drop(self, database: str | None) -> None:
        if self.server is not None and database is not None:
            self.server.drop(database)

    def settings(self, database: str | None) -> dict[str, str]:
        """The environment an archive on ``database`` of this stack is opened with (as ``archive_home`` sets it)."""
        found = {"ARCHIVE_DATABASE_URL": database, "ARCHIVE_ENGINE": self.engine}
        return {name: value for name, value in found.items() if value is not None}


#: The archive's settings in the environment: none from outside reaches a test (``archive_home`` sets its own).
SETTINGS = ("ARCHIVE_HOME", "ARCHIVE_DATABASE_URL", "ARCHIVE_READ_DATABASE_URL", "ARCHIVE_ENGINE")


@pytest.fixture(scope="session", autouse=True)
def _no_settings_from_outside() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")  # (for a module's fixtures of that scope too: one archive for all its tests)
def stack(request: pytest.FixtureRequest) -> Stack:
    """The stack of the test's archives: "sqlite" unless the test is parametrised by one."""
    return Stack.named(str(getattr(request, "param", "sqlite")), request)


@pytest.fixture(autouse=True)
def archive_home(request: pytest.FixtureRequest, tmp_path: Path, stack: Stack) -> Iterator[Path]:
    """The test's archive home (ARCHIVE_HOME), its database a new one on the stack's server (ARCHIVE_DATABASE_URL)
    or the SQLite file in the home; on a server, a test marked ``sqlite_only`` is skipped, and one marked
    ``local_index`` searches with a Whoosh index in its home.

    Set apart from the test's ``monkeypatch``, which a test may undo whole."""
    only = request.node.get_closest_marker("sqlite_only")
    if stack.server is not None and only is not None:
        pytest.skip(f"SQLite only: {only.kwargs.get('reason') or (only.args[0] if only.args else 'its subject is SQLite')}")
    if stack.server is not None and request.node.get_closest_marker("local_index") is not None:
        stack = Stack("postgres-whoosh", stack.server)
    home = tmp_path / "archive"
    database = stack.database()
    with pytest.MonkeyPatch.context() as settings:
        for name in SETTINGS:
            settings.delenv(name, raising=False)
        for name, value in {"ARCHIVE_HOME": str(home), **stack.settings(database)}.items():
            settings.setenv(name, value)
        yield home
    stack.drop(database)


def database_url(home: Path) -> str:
    """The URL of the archive database of ``home`` as the test's stack has it (as `archive info` shows it)."""
    return database_or(home / "archive.db")


def no_archive_error(home: Path) -> str:
    """The first line of the error of a command that reads an archive where none is (``home`` on SQLite)."""
    if os.environ.get("ARCHIVE_DATABASE_URL", "sqlite").startswith("sqlite"):
        return f"Error: no archive at {home}\n"
    return f"Error: no archive in {database_url(home)}: the database is empty\n"


def database_rows(home: Path, statement: str, *, write: bool = False, **values: object) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` (its ``:names`` the ``values``) in the archive database of ``home``; with
    ``write`` committed, SQLite's foreign keys on as the archive has them. (The last connection to a SQLite
    file to close takes away its -wal and -shm.)

    Raises sqlalchemy's DBAPIError where there is no such database or table (yet)."""
    from sqlalchemy import create_engine, text

    url = database_url(home)
    sqlite = url.startswith("sqlite:///")
    if sqlite and not write and not Path(url.removeprefix("sqlite:///")).exists():  # (not made by looking)
        url = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if sqlite and write:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            result = connection.execute(text(statement), values)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def database_or(file: Path) -> str:
    """The URL of the test's database on a server stack (as ``archive_home`` set it); else of the SQLite file ``file``.

    For tests whose homes share one database, a file of their own on SQLite."""
    return os.environ.get("ARCHIVE_DATABASE_URL") or f"sqlite:///{file}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """A PostgreSQL server for the session (``tests/_postgres.py``); ``postgres.database()`` makes a fresh database."""
    server, folder = Server.started()
    try:
        yield server
    finally:
        server.close()
        if folder is not None:
            stop(folder)


@pytest.fixture
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each search engine in turn, on each stack it runs over (``ENGINE_STACKS``): a test that takes it states
    what every engine must do (tests/contract)."""
    return str(request.param)


class Cli:
    """Runs `archive ...` in-process and refuses tracebacks."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.runner = CliRunner(env=env)  # (``env``: settings its commands have, whatever the test's are)

    def __call__(self, *args: str, expect: int | None = 0) -> Result:
        result = self.runner.invoke(cli, [str(arg) for arg in args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        if expect is not None:
            assert result.exit_code == expect, (
                f"archive {' '.join(map(str, args))} exited {result.exit_code}, wanted {expect}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result


@pytest.fixture
def archive() -> Cli:
    return Cli()


@pytest.fixture
def another_archive(stack: Stack) -> Iterator[Cli]:
    """`archive ...` on a database of its own, for a second home that is another archive (on SQLite each home's
    database is its own file; on a server it is a second new database)."""
    database = stack.database()
    yield Cli(stack.settings(database))
    stack.drop(database)


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A copy of the repository's seeds/ folder that a test may change."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder
