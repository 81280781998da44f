"""Every test gets its own archive home; CLI tests run through click's CliRunner.

The fixtures of all three layers (unit, integration, e2e) stay in this one file: pytest imports
every conftest.py outside a package as the module `conftest`, so a second one in a layer folder
would shadow this one for the test modules that `from conftest import SEED`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from _postgres import Server, stop
from newsarchive.cli import cli
from newsarchive.engines import ENGINES

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_cd238a70ece2adb2.txt"


@pytest.fixture(autouse=True)
def archive_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "archive"
    monkeypatch.setenv("ARCHIVE_HOME", str(home))
    monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARCHIVE_ENGINE", raising=False)
    return home


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """A PostgreSQL server for the session (``tests/_postgres.py``); ``postgres.database()`` makes a fresh database."""
    server, folder = Server.started()
    try:
        yield server
    finally:
        if folder is not None:
            stop(folder)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each search engine in turn: a test that takes it states what every engine must do (tests/contract)."""
    return str(request.param)


class Cli:
    """Runs `archive ...` in-process and refuses tracebacks."""

    def __init__(self) -> None:
        self.runner = CliRunner()

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
def seed_dir(tmp_path: Path) -> Path:
    """A copy of the repository's seeds/ folder that a test may change."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder
