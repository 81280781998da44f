"""Engine, sessions and schema upgrades for the archive's database."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import (
    DATABASE_URL_ENV,
    READ_DATABASE_URL_ENV,
    ArchiveConfig,
    ensure_home,
    read_only_error,
    redacted,
    require_archive,
    sqlite_file,
    writable,
)
from newsarchive.errors import (
    DAMAGED_DATABASE_HINT,
    ArchiveError,
    ArchiveNotFound,
    ConfigError,
    DamagedRecord,
    DatabaseDamaged,
    DatabaseUnreachable,
    UndecodableText,
)
from newsarchive.storage.dialects import HEAD_REVISION, Dialect, driver_missing, json_text, read_only_url, sqlite_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from alembic.config import Config as AlembicConfig
    from sqlalchemy import Select
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Mapper


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    revision: str
    read_only: bool = False
    #: A read-only archive at an older schema is read from an upgraded copy, removed on close.
    scratch: Path | None = None
    #: Called by every unit of work just before it commits, with the ids it stored and removed: a search
    #: engine that keeps its rows in this database writes them there (``SearchEngine.stage``).
    stage: Callable[[Session, Sequence[str], Sequence[str]], None] | None = None
    #: Whether opening it made the archive (its schema, in an empty database).
    created: bool = False

    def close(self) -> None:
        self.engine.dispose()
        if self.scratch is not None:
            self.scratch.unlink(missing_ok=True)


def open_database(config: ArchiveConfig, *, create: bool = False, read: bool = False) -> Database:
    """Connect to the archive's database and bring its schema to the newest revision.

    Only with ``create`` (ingest) is a missing archive made, in a missing or
    empty database and never beside a search index that holds articles; an
    archive this process cannot write to is opened read-only. With ``read``
    (a command that only reads) the database read is ``config.reads_from``:
    a standby server, when one is named, opened read-only and never upgraded.
    """
    if read and config.read_database_url is not None:
        return _open_reader(config.read_database_url)
    if config.read_database_url is not None:  # (what this asks, of the engine too, it asks the primary)
        import dataclasses

        config = dataclasses.replace(config, read_database_url=None)
    engine, read_only = make_engine(config, create=create)
    scratch = None
    try:
        database = sqlite_file(config)
        current = _readable_revision(engine) if read_only and database is not None else None
        if database is not None and current not in (None, head_revision()):
            _refuse_unknown_revision(current)
            engine.dispose()
            engine, scratch = _upgraded_copy(database)
        created = create and _readable_revision(engine) is None
        revision = ensure_schema(engine, read_only=read_only and scratch is None, config=config, create=create)
    except BaseException:
        engine.dispose()
        if scratch is not None:
            scratch.unlink(missing_ok=True)
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(
        engine=engine, sessions=sessions, revision=revision, read_only=read_only, scratch=scratch, created=created
    )


def _open_reader(url: str) -> Database:
    """The database at ``url`` ($ARCHIVE_READ_DATABASE_URL), to read: at the newest schema revision, or refused."""
    engine = engine_for(url, names=READ_DATABASE_URL_ENV)
    try:
        current = _readable_revision(engine, READ_DATABASE_URL_ENV)
        if current != head_revision():
            _refuse_unknown_revision(current)
            behind = f"at schema revision {current}, not {head_revision()}" if current else "not an archive (no schema)"
            raise ArchiveError(
                f"the read database {Dialect.for_url(url).named(url)} ({READ_DATABASE_URL_ENV}) is {behind}",
                hint=f"a standby catches up with its primary's upgrade by itself: wait, or check that "
                f"{READ_DATABASE_URL_ENV} names a standby of {DATABASE_URL_ENV}'s server",
            )
    except BaseException:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, revision=current, read_only=True)


def require_archive_database(config: ArchiveConfig) -> None:
    """Refuse a database that holds no archive, changing nothing (neither it nor the home).

    What opening it would raise, asked before anything is made for it: a
    home on a database elsewhere holds only its index and the writer's lock,
    made when the archive is first written from it, and never for a database
    that holds no archive (ArchiveNotFound) or another program's tables.
    """
    engine, _read_only = make_engine(config)
    try:
        if _readable_revision(engine) is None:
            _refuse_to_create(_where(engine, config), _tables(engine), config, create=False)
    finally:
        engine.dispose()


def _upgraded_copy(database: Path) -> tuple[Engine, Path]:
    """An engine on a temporary copy of a read-only database, for ``ensure_schema`` to upgrade.

    A snapshot or a colleague's archive written by an older newsarchive can
    then be read as it is, the archive itself never changed. The copy costs
    the database's size on the temporary disk while the command runs.
    """
    import os
    import sqlite3
    import tempfile

    handle, name = tempfile.mkstemp(prefix="newsarchive-", suffix=".db")
    os.close(handle)
    scratch = Path(name)
    try:
        source = sqlite3.connect(read_only_url(database).removeprefix("sqlite:///"), uri=True)
        try:
            with sqlite3.connect(scratch) as target:
                source.backup(target)
            target.close()
        finally:
            source.close()
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{scratch}", json_serializer=json_text)
    event.listen(engine, "connect", sqlite_text)
    return engine, scratch


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
        if database is not None and (not database.exists() or database.stat().st_size == 0):
            _refuse_to_create(str(database), set(), config, create)  # before SQLite writes its header in it
        read_only = database is not None and database.exists() and not writable(config, index=False)
    return engine_for(url, read_only=database if read_only else None), read_only


def engine_for(url: str, *, read_only: Path | None = None, names: str = DATABASE_URL_ENV) -> Engine:
    """The SQLAlchemy engine for the database at ``url`` (named by the setting ``names``), as its dialect makes it."""
    try:
        return Dialect.for_url(url).create_engine(url, read_only=read_only)
    except ImportError as exc:
        raise driver_missing(url, exc.name or "?") from exc
    except (SQLAlchemyError, ValueError) as exc:
        from sqlalchemy.exc import NoSuchModuleError

        scheme = url.split(":", 1)[0]
        why = f"no database is known by the scheme {scheme!r}" if isinstance(exc, NoSuchModuleError) else type(exc).__name__
        raise ConfigError(
            f"cannot use database URL {redacted(url)!r}: {why}",
            hint=f"check {names} (an SQLAlchemy URL such as sqlite:////path/archive.db or postgresql://user@host/db)",
        ) from exc


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


def ensure_schema(
    engine: Engine, *, read_only: bool = False, config: ArchiveConfig | None = None, create: bool = True
) -> str:
    """Run ``alembic upgrade head`` unless the database is already there; return the revision.

    A database without a schema revision is made an archive only with
    ``create``, and only when it is empty; see ``_refuse_to_create``.
    """
    head = head_revision()
    current = _readable_revision(engine)
    if current == head:
        return head
    if current is None:
        tables = _tables(engine)
        # (Another machine may have made the archive since: its tables and revision are committed together,
        # so a revision read after the tables is there if they are hers.)
        current = _readable_revision(engine)
        if current == head:
            return head
        if current is None:
            _refuse_to_create(_where(engine, config), tables, config, create)
    _refuse_unknown_revision(current)
    if read_only and config is not None:
        raise read_only_error(config, f", and its database needs an upgrade to schema revision {head} first")
    from alembic import command

    cfg = alembic_config(engine)
    try:
        with engine.connect() as connection, Dialect.for_url(engine.url.drivername).upgrade_lock(connection):
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
            connection.commit()
    except OperationalError as exc:
        # Two first runs racing to create the schema: the loser finds it made.
        if _readable_revision(engine) == head:
            return head
        raise _unusable(engine, exc) from exc
    return head


def _where(engine: Engine, config: ArchiveConfig | None) -> str:
    """The database as a message names it: its file, or its URL without the password."""
    database = sqlite_file(config) if config is not None else None
    return str(database) if database is not None else redacted(engine.url.render_as_string(hide_password=False))


def _tables(engine: Engine) -> set[str]:
    from sqlalchemy import inspect

    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    except SQLAlchemyError as exc:
        raise _unusable(engine, exc) from exc


def _refuse_to_create(where: str, tables: set[str], config: ArchiveConfig | None, create: bool) -> None:
    """Refuse to make an archive in a database that holds no archive, unless that is safe and asked for.

    A database with tables but no schema revision belongs to something else;
    an empty one (a file emptied, or made by mistake) is no archive, and only
    ingest may make one in it. Not even ingest makes one beside a search index
    that holds articles: that database was lost or replaced, and a new one
    would take the index's copies of its articles for articles it never had.
    """
    from newsarchive.storage.models import Base

    foreign = sorted(tables - set(Base.metadata.tables))
    if foreign:
        raise ArchiveError(
            f"{where} is not an archive database: it holds other tables ({', '.join(foreign[:3])})",
            hint="check --home and ARCHIVE_DATABASE_URL: newsarchive writes only to a database of its own",
        )
    indexed = indexed_articles(config) if config is not None else 0
    if indexed:
        refuse_beside_a_full_index(indexed, f"{where} is {'empty' if tables or _exists(config) else 'missing'}")
    if not create:
        raise ArchiveNotFound(
            f"no archive in {where}: the database is empty",
            hint="`archive ingest FOLDER` makes one there; or check --home (and $ARCHIVE_HOME)",
        )


def refuse_beside_a_full_index(indexed: int, lacking: str | None = None) -> None:
    """Refuse to go on with a database that knows nothing of the ``indexed`` articles its search index holds.

    None of our own writes leaves it so: the database was lost, emptied or
    replaced, and the index holds the last copies of its articles. With
    ``lacking`` (where the database is, and "empty" or "missing") there is no
    archive schema at all, and the index cannot rebuild one; without, the
    schema is there and its articles are gone, and ``archive reindex`` may
    empty the index on purpose.
    """
    if not indexed:
        return
    if lacking is None:
        raise ArchiveError(
            f"the archive database holds no articles, while its search index holds {indexed}: "
            "the database looks emptied or replaced",
            hint="restore archive.db from a backup; or `archive reindex` empties the index to match it",
        )
    raise ArchiveNotFound(
        f"the archive database {lacking}, while the search index beside it holds {indexed} articles",
        hint="restore archive.db from a backup (the index cannot rebuild it); "
        "to start a new archive here instead, move the index folder away first",
    )


def _exists(config: ArchiveConfig | None) -> bool:
    from newsarchive.config import sqlite_file

    database = sqlite_file(config) if config is not None else None
    return database is None or database.exists()


def indexed_articles(config: ArchiveConfig) -> int:
    """How many documents the archive's search index holds (0 when there is none, or it cannot be read)."""
    from newsarchive.engines import documents_held, open_engine

    try:
        engine = open_engine(config)
    except ConfigError:  # (an engine this newsarchive does not have holds nothing it could lose)
        return 0
    return documents_held(engine)


def read_setting(url: str, key: str, names: str = DATABASE_URL_ENV) -> str | None:
    """The setting ``key`` of the database at ``url``, as it is (None without one, or without a settings table)."""
    from sqlalchemy import inspect, select

    from newsarchive.storage.models import Setting

    engine = engine_for(url, names=names)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(Setting.__tablename__):
                return None
            return connection.scalar(select(Setting.value).where(Setting.key == key))
    except SQLAlchemyError as exc:
        raise _unusable(engine, exc, names) from exc
    finally:
        engine.dispose()


def _readable_revision(engine: Engine, names: str = DATABASE_URL_ENV) -> str | None:
    try:
        return current_revision(engine)
    except SQLAlchemyError as exc:
        raise _unusable(engine, exc, names) from exc


def _unusable(engine: Engine, exc: SQLAlchemyError, names: str = DATABASE_URL_ENV) -> ArchiveError:
    if is_damage(exc):
        return database_error(exc)
    return _unreachable(engine.url.render_as_string(hide_password=False), exc, names)


def _unreachable(url: str, error: Exception, names: str) -> DatabaseUnreachable:
    """The database at ``url`` (named by the setting ``names``) could not be used: one line, as its dialect says it."""
    message, hint = Dialect.for_url(url).unreachable(url, str(getattr(error, "orig", None) or error), names)
    return DatabaseUnreachable(message, hint=hint)


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
    """The first column of the row with this primary key that cannot be read, as an error naming both.

    An article's row loads with its file links: a link whose path cannot be
    read is named as the article's ``file path``, with its bytes.
    """
    from sqlalchemy import inspect, select

    from newsarchive.storage.models import Article

    mapper: Mapper[Any] = inspect(model)
    primary = mapper.primary_key[0]
    kind = "article" if model is Article else "file"
    files: tuple[str, ...] = ()
    bad_link: tuple[str, bytes] | None = None
    if model is Article:
        try:
            files, bad_link = _article_links(session, key)
        except DAMAGE_ERRORS:
            pass
    for attribute in mapper.column_attrs:
        try:
            session.execute(select(attribute.class_attribute).where(primary == key)).all()
        except ROW_ERRORS as exc:
            return DamagedRecord(key, attribute.key, _row_reason(exc), files, kind=kind)
        except DAMAGE_ERRORS as exc:
            if not is_damage(exc):
                raise
            reason = f"in a damaged part of the database file: {error_line(exc)}"
            return DamagedRecord(key, "row", reason, files, in_file=True, kind=kind)
    if bad_link is not None:
        field, raw = bad_link
        return DamagedRecord(key, field, f"not valid UTF-8: {raw!r}", files)
    return DamagedRecord(key, "row", "it does not load", files, kind=kind)


def _article_links(session: Session, article_id: str) -> tuple[tuple[str, ...], tuple[str, bytes] | None]:
    """The files an article was read from, and the first (field, bytes) of its links that is not UTF-8."""
    from sqlalchemy import LargeBinary, cast, select

    from newsarchive.storage.models import ArticleFile

    raw = select(cast(ArticleFile.path, LargeBinary), cast(ArticleFile.item, LargeBinary))
    files: list[str] = []
    bad: tuple[str, bytes] | None = None
    for path, item in session.execute(raw.where(ArticleFile.article_id == article_id)):
        try:
            files.append(path.decode("utf-8"))
        except UnicodeDecodeError:
            bad = bad or ("file path", path)
        try:
            item.decode("utf-8")
        except UnicodeDecodeError:
            bad = bad or ("file item", item)
    return tuple(dict.fromkeys(files)), bad


def damaged_links(session: Session) -> list[DamagedRecord]:
    """Every file link (a row of article_files) with a path or item that is not UTF-8, named by its article."""
    from sqlalchemy import LargeBinary, cast, select

    from newsarchive.storage.models import ArticleFile

    found: list[DamagedRecord] = []
    raw = select(cast(ArticleFile.article_id, LargeBinary), cast(ArticleFile.path, LargeBinary), cast(ArticleFile.item, LargeBinary))
    for article_id, path, item in session.execute(raw):
        for field, value in (("id", article_id), ("file path", path), ("file item", item)):
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                owner = article_id.decode("utf-8", "backslashreplace")
                found.append(DamagedRecord(owner, field, f"not valid UTF-8: {value!r}"))
                break
    return found


def readable_keys(
    session: Session, query: Select[Any], on_damaged: Callable[[DamagedRecord], None] | None = None
) -> list[Any]:
    """What a query of one column of primary keys selects, passing over keys that are not UTF-8.

    Such a key cannot be typed or named as text: it goes to ``on_damaged``
    named by its row's rowid and bytes (without ``on_damaged`` it is raised).
    """
    from sqlalchemy import LargeBinary, cast, literal_column

    try:
        return list(session.scalars(query))
    except UndecodableText:
        pass
    (column,) = query.selected_columns
    table = column.table.name
    raw: Any = query.with_only_columns(cast(column, LargeBinary), literal_column(f"{table}.rowid"))
    keys = []
    for value, rowid in session.execute(raw):
        try:
            keys.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            error = DamagedRecord(
                f"at rowid {rowid} ({value!r})", "id" if table == "articles" else column.name, "not valid UTF-8",
                kind="article" if table == "articles" else "file",
                hint=f'no command can name it: sqlite3 archive.db "DELETE FROM {table} WHERE rowid = {rowid}", '
                "then `archive check --repair`, then `archive ingest --force` its file",
            )  # fmt: skip
            if on_damaged is None:
                raise error from None
            on_damaged(error)
    return keys


def damaged_records(session: Session, model: type, chunk: int = 2000) -> list[DamagedRecord]:
    """Every row of ``model``'s table with a value that cannot be read, each named by its first such column.

    Reads every column of every row as plain rows (no objects, so it is
    quick), a chunk at a time, and a chunk that fails one row at a time.
    """
    from sqlalchemy import inspect, select

    mapper: Mapper[Any] = inspect(model)
    primary = mapper.primary_key[0]
    columns = [attribute.class_attribute for attribute in mapper.column_attrs]
    found: list[DamagedRecord] = []
    keys = readable_keys(session, select(primary).order_by(primary), found.append)
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


#: What SQLite says of a database file that is damaged (or not a database at all).
_DAMAGED_FILE = ("malformed", "not a database", "file is encrypted")



def database_error(error: Exception, url: str | None = None, names: str = DATABASE_URL_ENV) -> ArchiveError:
    """One line for an error of the database layer: a damaged file, a server gone away, a bug of the database.

    ``url`` is the database the command was using (named by the setting ``names``), named when the server went away.
    """
    reason = error_line(error)
    if is_damage(error):
        return DatabaseDamaged(f"the archive database is damaged: {reason}", hint=DAMAGED_DATABASE_HINT)
    if url is not None and isinstance(error, OperationalError) and not url.startswith("sqlite"):
        # (a server gone away mid-command, a connection dropped, a timeout: said as when it cannot be reached)
        return _unreachable(url, error, names)
    return ArchiveError(f"database error: {reason}", hint="`archive check` looks for what is wrong")


def is_damage(error: BaseException) -> bool:
    """Whether SQLite failed because the database file is damaged (a page that does not read)."""
    return isinstance(error, SQLAlchemyError) and any(words in error_line(error) for words in _DAMAGED_FILE)


#: What a read of a damaged database file raises (a page that does not read); see ``is_damage``.
DAMAGE_ERRORS = (DatabaseError,)


def unreadable(error: BaseException) -> bool:
    """Whether a failure to read rows is damage (a value, or a part of the file) rather than a bug or an outage."""
    return isinstance(error, ROW_ERRORS) or is_damage(error)


def error_line(error: BaseException) -> str:
    """A database error's first line: the driver's own message, without the statement and its parameters."""
    text = str(getattr(error, "orig", None) or error)
    return text.splitlines()[0] if text else type(error).__name__


def quick_check(engine: Engine, lines: int = 5) -> list[str]:
    """What the database's own check finds wrong in it (SQLite's quick check), in at most ``lines`` lines; empty when whole."""
    return Dialect.for_url(engine.url.drivername).damage(engine, lines)


def _row_reason(exc: BaseException) -> str:
    import json

    if isinstance(exc, json.JSONDecodeError):
        return "not valid JSON"
    if isinstance(exc, UndecodableText):
        return "not valid UTF-8"
    return str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
