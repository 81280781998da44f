"""Engine, sessions and schema upgrades for the archive's database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import (
    ArchiveConfig,
    ensure_home,
    read_only_error,
    redacted,
    require_archive,
    sqlite_file,
    writable,
)
from newsarchive.errors import ArchiveError, ConfigError, DamagedRecord

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Mapper


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    revision: str
    read_only: bool = False

    def close(self) -> None:
        self.engine.dispose()


def open_database(config: ArchiveConfig, *, create: bool = False) -> Database:
    """Connect to the archive's database and bring its schema to the newest revision.

    Only with ``create`` (ingest) is a missing archive made; an archive this
    process cannot write to is opened read-only.
    """
    engine, read_only = make_engine(config, create=create)
    revision = ensure_schema(engine, read_only=read_only, config=config)
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, revision=revision, read_only=read_only)


def make_engine(config: ArchiveConfig, *, create: bool = False) -> tuple[Engine, bool]:
    """The database's engine, and whether it is open read-only."""
    url = config.database_url
    database = sqlite_file(config)
    read_only = False
    if url.startswith("sqlite"):
        if not create:
            require_archive(config)
        elif config.database_is_default:
            ensure_home(config)
        read_only = database is not None and database.exists() and not writable(config)
    try:
        if read_only and database is not None:
            engine = create_engine(_read_only_url(database), connect_args={"timeout": 60})
        elif url.startswith("sqlite"):
            # A writer holds SQLite's lock for one batch at a time; readers and a
            # second writer wait for it instead of failing at once.
            engine = create_engine(url, connect_args={"timeout": 60}, json_serializer=_json_text)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_text)
    except ImportError as exc:
        raise ConfigError(
            f"the database driver for {redacted(url)!r} is not installed (no module {exc.name!r})",
            hint="install it into newsarchive's environment, e.g. pip install 'psycopg[binary]' for PostgreSQL",
        ) from exc
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigError(
            f"cannot use database URL {redacted(url)!r}: {type(exc).__name__}",
            hint="check ARCHIVE_DATABASE_URL (an SQLAlchemy URL such as sqlite:////path/archive.db)",
        ) from exc
    return engine, read_only


def _read_only_url(database: Path) -> str:
    """SQLite's URI for reading a database in a folder this process cannot write to.

    In WAL mode a reader needs the shared-memory file beside the database:
    where a writer left it (and its log), SQLite reads them as they are;
    where there is none and none can be made, the database is read as an
    unchanging file (``immutable``), which a snapshot is.
    """
    from urllib.parse import quote

    beside = [Path(f"{database}-wal"), Path(f"{database}-shm")]
    mode = "mode=ro" if all(path.exists() for path in beside) else "immutable=1"
    return f"sqlite:///file:{quote(str(database))}?{mode}&uri=true"


def _json_text(value: object) -> str:
    # As written: escaped, a Russian or Chinese body took three or six bytes a letter, and as much memory to store.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrations_path() -> Path:
    """The Alembic script folder, shipped inside the package as newsarchive.migrations."""
    return Path(str(resources.files("newsarchive.migrations")))


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


#: The newest migration's revision. Knowing it without Alembic spares every
#: command Alembic's import (a tenth of a second) when the database is current;
#: a test holds it to the head of the migrations folder.
HEAD_REVISION = "0002"


def head_revision() -> str:
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, read from Alembic's version table; None for an empty database."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(versions) > 1:  # branches: let Alembic say what that means
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return versions[0] if versions else None


def ensure_schema(engine: Engine, *, read_only: bool = False, config: ArchiveConfig | None = None) -> str:
    """Run ``alembic upgrade head`` unless the database is already there; return the revision."""
    head = head_revision()
    current = _readable_revision(engine)
    if current == head:
        return head
    _refuse_unknown_revision(current)
    if read_only and config is not None:
        raise read_only_error(config, f", and its database needs an upgrade to schema revision {head} first")
    from alembic import command

    cfg = alembic_config(engine)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        # Two first runs racing to create the schema: the loser finds it made.
        if _readable_revision(engine) == head:
            return head
        raise _unusable(engine, exc) from exc
    return head


def _readable_revision(engine: Engine) -> str | None:
    try:
        return current_revision(engine)
    except SQLAlchemyError as exc:
        raise _unusable(engine, exc) from exc


def _unusable(engine: Engine, exc: SQLAlchemyError) -> ArchiveError:
    reason = getattr(exc, "orig", None) or exc
    return ArchiveError(
        f"cannot open the archive database {redacted(engine.url.render_as_string(hide_password=False))}: {reason}",
        hint="check that its folder exists and is writable, or ARCHIVE_DATABASE_URL",
    )


def _refuse_unknown_revision(current: str | None) -> None:
    if current is None:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise ArchiveError(
            f"the archive database is at schema revision {current}, which this newsarchive does not know",
            hint="it was written by a newer newsarchive: upgrade newsarchive",
        )


#: What reading a damaged value of a row raises: JSON that does not parse, a date that does not.
ROW_ERRORS = (ValueError, TypeError, OverflowError)


def damaged_record(session: Session, model: type, key: str) -> DamagedRecord:
    """The first column of the row with this primary key that cannot be read, as an error naming both."""
    from sqlalchemy import inspect, select

    mapper: Mapper[Any] = inspect(model)
    primary = mapper.primary_key[0]
    for attribute in mapper.column_attrs:
        try:
            session.execute(select(attribute.class_attribute).where(primary == key)).all()
        except ROW_ERRORS as exc:
            return DamagedRecord(key, attribute.key, _row_reason(exc))
    return DamagedRecord(key, "row", "it does not load")


def damaged_records(session: Session, model: type, chunk: int = 2000) -> list[DamagedRecord]:
    """Every row of ``model``'s table with a value that cannot be read, each named by its first such column.

    Reads every column of every row as plain rows (no objects, so it is
    quick), a chunk at a time, and a chunk that fails one row at a time.
    """
    from sqlalchemy import inspect, select

    mapper: Mapper[Any] = inspect(model)
    primary = mapper.primary_key[0]
    columns = [attribute.class_attribute for attribute in mapper.column_attrs]
    keys = session.scalars(select(primary).order_by(primary)).all()
    found = []
    for start in range(0, len(keys), chunk):
        wanted = keys[start : start + chunk]
        try:
            session.execute(select(*columns).where(primary.in_(wanted))).all()
        except ROW_ERRORS:
            for key in wanted:
                try:
                    session.execute(select(*columns).where(primary == key)).all()
                except ROW_ERRORS:
                    found.append(damaged_record(session, model, key))
    return found


def _row_reason(exc: BaseException) -> str:
    import json

    if isinstance(exc, json.JSONDecodeError):
        return "not valid JSON"
    return str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
