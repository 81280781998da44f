"""Where an archive lives. Resolves locations; opens nothing.

The home folder is ``--home`` if given, else ``$ARCHIVE_HOME``, else the
platform's user data folder. It holds the SQLite database and the search
index; ``$ARCHIVE_DATABASE_URL`` (any SQLAlchemy URL) puts the database
elsewhere, e.g. on PostgreSQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "ARCHIVE_HOME"
DATABASE_URL_ENV = "ARCHIVE_DATABASE_URL"
DATABASE_FILE = "archive.db"
INDEX_DIR = "index"


@dataclass(frozen=True)
class ArchiveConfig:
    home: Path
    database_url: str
    index_dir: Path

    @property
    def database_is_default(self) -> bool:
        return self.database_url == _sqlite_url(self.home / DATABASE_FILE)


def resolve_config(home: str | os.PathLike[str] | None = None) -> ArchiveConfig:
    """Work out the archive's locations from the option, the environment and the platform."""
    if home is None:
        home = os.environ.get(HOME_ENV) or None
    if home is None:
        from platformdirs import user_data_dir

        home_path = Path(user_data_dir("newsarchive", appauthor=False))
    else:
        home_path = Path(home).expanduser()
    home_path = home_path.absolute()
    database_url = os.environ.get(DATABASE_URL_ENV) or _sqlite_url(home_path / DATABASE_FILE)
    return ArchiveConfig(home=home_path, database_url=database_url, index_dir=home_path / INDEX_DIR)


def ensure_home(config: ArchiveConfig) -> None:
    """Create the archive folder if need be, or say clearly why it cannot be."""
    from newsarchive.errors import ConfigError

    try:
        config.home.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(
            f"the archive home {config.home} is a file, not a folder",
            hint="give --home (or ARCHIVE_HOME) a folder",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot create the archive home {config.home}: {exc.strerror}",
            hint="give --home (or ARCHIVE_HOME) a folder you can write to",
        ) from exc


def redacted(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show only its scheme
        return url.split(":", 1)[0] + ":..."


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
