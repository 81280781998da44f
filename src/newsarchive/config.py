"""Where an archive lives. Resolves locations; opens nothing.

The home folder is ``--home`` if given, else ``$ARCHIVE_HOME``, else the
platform's user data folder. It holds the SQLite database and the search
index; ``$ARCHIVE_DATABASE_URL`` (any SQLAlchemy URL) puts the database
elsewhere, e.g. on PostgreSQL. ``$ARCHIVE_ENGINE`` names the search engine
(``engines.ENGINES``; the embedded Whoosh index in the home by default).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.errors import ArchiveReadOnly, DamagedRecord

HOME_ENV = "ARCHIVE_HOME"
DATABASE_URL_ENV = "ARCHIVE_DATABASE_URL"
READ_DATABASE_URL_ENV = "ARCHIVE_READ_DATABASE_URL"
ENGINE_ENV = "ARCHIVE_ENGINE"
DEFAULT_ENGINE = "whoosh"
DATABASE_FILE = "archive.db"
INDEX_DIR = "index"


@dataclass(frozen=True)
class ArchiveConfig:
    home: Path
    database_url: str
    index_dir: Path
    #: The search engine this machine is told to use ($ARCHIVE_ENGINE); None: the one the archive's settings
    #: name (``storage.settings.chosen_engine``; ``engines.open_engine`` says whether it is one it knows).
    engine: str | None = None
    #: Where a reader of many rows (list, dupes, info) sends a row it leaves out
    #: because a value of it cannot be read; without one, such a row is raised.
    on_damaged: Callable[[DamagedRecord], None] | None = field(default=None, compare=False, repr=False)
    #: Where the commands that only read (search, show, list, export, trend, terms, similar, dupes, info)
    #: read the articles and the change log: a standby server that follows ``database_url`` by streaming
    #: replication. None: from ``database_url``. Writes, schema upgrades, reindex, check and init never use it.
    read_database_url: str | None = None

    @property
    def reads_from(self) -> str:
        """The database URL that reading commands read from."""
        return self.read_database_url or self.database_url

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
    return ArchiveConfig(
        home=home_path,
        database_url=database_url,
        index_dir=home_path / INDEX_DIR,
        engine=os.environ.get(ENGINE_ENV) or None,
        read_database_url=os.environ.get(READ_DATABASE_URL_ENV) or None,
    )


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


def sqlite_file(config: ArchiveConfig) -> Path | None:
    """The SQLite database file of the archive; None for a server database (or an in-memory one)."""
    if not config.database_url.startswith("sqlite"):
        return None
    if config.database_is_default:
        return config.home / DATABASE_FILE
    try:
        from sqlalchemy.engine import make_url

        database = make_url(config.database_url).database
    except Exception:  # not a URL SQLAlchemy can read: opening it says why
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).absolute()


def require_archive(config: ArchiveConfig) -> None:
    """Refuse a home (or database file) that holds no archive: only `archive ingest` makes one.

    A database on a server cannot be looked for without connecting: there,
    connecting says whether it is there.
    """
    from newsarchive.errors import ArchiveNotFound

    if config.home.is_file():
        ensure_home(config)  # (says that it is a file)
    database = sqlite_file(config)
    if database is None or database.exists():
        return
    if config.database_is_default:
        raise ArchiveNotFound(
            f"no archive at {config.home}",
            hint="`archive ingest FOLDER` makes one there; or check --home (and $ARCHIVE_HOME)",
        )
    raise ArchiveNotFound(
        f"no archive database at {database}",
        hint="check ARCHIVE_DATABASE_URL; `archive ingest FOLDER` makes one there",
    )


def writable(config: ArchiveConfig, *, index: bool = True) -> bool:
    """Whether this process may write to the archive (without ``index``: to its database)."""
    return unwritable(config, index=index) is None


def unwritable(config: ArchiveConfig, *, index: bool = True) -> Path | None:
    """The first place a write to the archive touches that this process may not write to; None when there is none.

    Asked before anything is changed, so that a write is refused whole rather
    than done in the database and failed in the index: the home (the writer's
    lock, a rebuilt index beside the old one), the database file, its folder
    and SQLite's log beside it, and with ``index`` the index folder and its lock.
    """
    database = sqlite_file(config)
    places = [config.home]
    if database is not None:
        places += [database.parent, database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    if index:
        places += [config.index_dir, config.index_dir / INDEX_LOCK]
    for place in places:
        if place.exists() and not os.access(place, os.W_OK):
            return place
    return None


#: Whoosh's lock file in the index folder, which every writer of the index opens for writing.
INDEX_LOCK = "MAIN_WRITELOCK"


def read_only_error(config: ArchiveConfig, also: str = "") -> ArchiveReadOnly:
    """The error for a write to an archive this process may only read; ``also`` adds to its message."""
    from newsarchive.errors import ArchiveReadOnly

    place = unwritable(config)
    if not also and place is not None and place != config.home:
        also = f" ({place} cannot be written)"
    return ArchiveReadOnly(
        f"the archive at {config.home} is read-only{also}",
        hint="ingest, remove, reindex and check --repair write to it; search, show, list, export and check only read",
    )


def redacted(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show only its scheme
        return url.split(":", 1)[0] + ":..."


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
