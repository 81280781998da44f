"""What differs between the databases an archive may live in: an SQLite file, a PostgreSQL server, another server.

``Dialect.for_url(url)`` gives the one object that knows, for that kind of
database, how to make its SQLAlchemy engine (pragmas, the read-only file,
the driver's options), how to make a schema upgrade one at a time, how to
read the change log's head without SQLAlchemy (what a search asks first),
what tells that nothing was committed since, how to check the database for
damage, and how to say that it cannot be reached. Everything else in the
storage layer is the same for every database.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from newsarchive.config import ArchiveConfig
    from newsarchive.errors import ConfigError


#: The newest migration's revision. Knowing it without Alembic spares every
#: command Alembic's import (a tenth of a second) when the database is current,
#: and a search SQLAlchemy's; a test holds it to the head of the migrations folder.
HEAD_REVISION = "0006"

#: The PostgreSQL advisory lock that upgrades of the schema take: "newsarchive" in ASCII, as a bigint.
MIGRATION_LOCK_KEY = 0x6E65777361726368

#: How long a connection to a server waits for an answer before it fails (unless the URL's connect_timeout says).
CONNECT_TIMEOUT = 10


class Glance(NamedTuple):
    """What a search needs to know of a database before it searches, read in one query without SQLAlchemy."""

    head: int  # the change log's head (0 for an empty log)
    revision: str | None  # the schema revision
    engine: str | None  # the ``engine`` setting, where there is one


class Dialect:
    """A database server SQLAlchemy can reach and newsarchive knows nothing particular of."""

    name = "server"
    #: The column that locates a row whatever its values hold (a key that does not read as text).
    row_locator = "rowid"

    @staticmethod
    def for_url(url: str) -> Dialect:
        if url.startswith("sqlite"):
            return SQLITE
        if url.startswith("postgres"):
            return POSTGRESQL
        return SERVER

    def named(self, url: str) -> str:
        """The database as a message names it: host:port/dbname on a server, never its password."""
        return where(url)

    def require_driver(self, url: str) -> None:
        """Raise ``driver_missing`` when the database's driver is not installed (SQLAlchemy says so for others)."""

    def create_engine(self, url: str, *, read_only: Path | None = None) -> Engine:
        """The SQLAlchemy engine for ``url`` (``read_only``: an SQLite file this process may only read)."""
        from sqlalchemy import create_engine

        return create_engine(url, pool_pre_ping=True, json_serializer=json_text)

    @contextmanager
    def upgrade_lock(self, connection: Connection) -> Iterator[None]:
        """Held while ``connection`` upgrades the schema, so that two machines never upgrade at once."""
        yield  # (a server's DDL is transactional already)

    def glance(self, url: str) -> Glance | None:
        """The change log's head, the schema revision and the engine setting, cheaply; None when it cannot be so read."""
        return None

    def state(self, config: ArchiveConfig) -> tuple[int, ...] | None:
        """What changes whenever a commit reaches the database, read without asking it; None when nothing tells."""
        return None

    def damage(self, engine: Engine, lines: int = 5) -> list[str]:
        """What the database's own check finds damaged, in at most ``lines`` lines (a server keeps its own)."""
        return []

    def unreachable(self, url: str, reason: str, names: str) -> tuple[str, str]:
        """The message and hint for a database at ``url`` that cannot be used, ``names`` being the setting that names it."""
        server = _server(url)
        return (
            f"cannot open the archive database at {where(url)}: {reason}",
            f"check that the database server at {server} is running and lets this machine in, "
            f"and the user, password and database that {names} names",
        )


class SQLite(Dialect):
    """A database file on this machine."""

    name = "sqlite"

    def create_engine(self, url: str, *, read_only: Path | None = None) -> Engine:
        from sqlalchemy import create_engine, event

        if read_only is not None:
            engine = create_engine(read_only_url(read_only), connect_args={"timeout": 60})
        else:
            # A writer holds SQLite's lock for one batch at a time; readers and a
            # second writer wait for it instead of failing at once.
            engine = create_engine(url, connect_args={"timeout": 60}, json_serializer=json_text)
            event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", sqlite_text)
        return engine

    @contextmanager
    def upgrade_lock(self, connection: Connection) -> Iterator[None]:
        """One transaction that holds the write lock from its start.

        The sqlite3 module begins a transaction only before a change of rows, so
        each CREATE TABLE was committed on its own: two first runs at once (two
        homes on one database file) met half a schema and failed. Begun here,
        the second waits for the first and then finds the schema made. The
        connection gets the sqlite3 module's own handling back afterwards.
        """
        raw: Any = connection.connection.dbapi_connection
        handling = raw.isolation_level
        raw.isolation_level = None  # (transactions are begun and ended by us, DDL included)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
        finally:
            connection.rollback()  # (nothing left to roll back after a commit)
            raw.isolation_level = handling

    def glance(self, url: str) -> Glance | None:
        from newsarchive.storage.log import sqlite_head

        database = _sqlite_path(url)
        if database is None or not database.exists():
            return None
        head = sqlite_head(database)
        # (The engine is always the index in the home: the file is not asked; the revision is read when opened.)
        return None if head is None else Glance(head, None, None)

    def state(self, config: ArchiveConfig) -> tuple[int, ...] | None:
        from newsarchive.config import sqlite_file
        from newsarchive.storage.log import sqlite_state

        database = sqlite_file(config)
        return sqlite_state(database) if database is not None else None

    def damage(self, engine: Engine, lines: int = 5) -> list[str]:
        """What SQLite's quick check finds wrong in the database file; a file too damaged to check, what stopped it."""
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        from newsarchive.storage.database import error_line

        stopped: SQLAlchemyError | None = None
        # SQLite gives what it found, then fails if asked for more findings than
        # there are; the sqlite3 module, reading a row ahead, loses them with it:
        # so fewer are asked for until they come.
        for most in range(lines, 0, -1):
            try:
                with engine.connect() as connection:
                    rows = connection.execute(text(f"PRAGMA quick_check({most})")).all()
            except SQLAlchemyError as exc:
                stopped = stopped or exc
                continue
            found = [line for row in rows for line in str(row[0]).splitlines() if not line.startswith("*** in database")]
            return [] if found == ["ok"] else found
        return [error_line(stopped)] if stopped is not None else []

    def named(self, url: str) -> str:
        from newsarchive.config import redacted

        database = _sqlite_path(url)
        return str(database.absolute()) if database is not None else redacted(url)

    def unreachable(self, url: str, reason: str, names: str) -> tuple[str, str]:
        from newsarchive.config import redacted

        return (
            f"cannot open the archive database {redacted(url)}: {reason}",
            f"check that its folder exists and is writable, or {names}",
        )


class PostgreSQL(Dialect):
    """A PostgreSQL server (psycopg 3)."""

    name = "postgresql"
    row_locator = "ctid"

    def require_driver(self, url: str) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise driver_missing(url, exc.name or "psycopg") from exc

    def create_engine(self, url: str, *, read_only: Path | None = None) -> Engine:
        from sqlalchemy import create_engine

        return create_engine(url, pool_pre_ping=True, json_serializer=json_text, connect_args=_waits(url))

    @contextmanager
    def upgrade_lock(self, connection: Connection) -> Iterator[None]:
        """An advisory lock held to the upgrade's commit (DDL is transactional on PostgreSQL).

        Machines starting together on an empty database: one upgrades, the
        others wait here, then find it done (Alembic reads the revision after the lock).
        """
        from sqlalchemy import text

        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        yield

    def glance(self, url: str) -> Glance | None:
        """One query through psycopg alone (SQLAlchemy and its pool cost a search more than the query does)."""
        try:
            import psycopg
        except ImportError:
            return None
        query = (
            "SELECT (SELECT max(position) FROM change_log), (SELECT min(version_num) FROM alembic_version), "
            "(SELECT value FROM settings WHERE key = 'engine')"
        )
        try:
            with psycopg.connect(libpq_url(url), autocommit=True, **_waits(url)) as connection:
                row = connection.execute(query).fetchone()
        except psycopg.Error:  # (no such table: an older schema; or no server: opening it says why)
            return None
        if row is None:
            return None
        head, revision, engine = row
        return Glance(int(head or 0), revision, engine)

    def unreachable(self, url: str, reason: str, names: str) -> tuple[str, str]:
        return server_error(url, reason, names)


def _waits(url: str) -> dict[str, Any]:
    """How long a connection waits for the server: a server that does not answer fails the command, after a while."""
    return {} if "connect_timeout=" in url else {"connect_timeout": CONNECT_TIMEOUT}


def driver_missing(url: str, module: str) -> ConfigError:
    """The error for a database whose driver (``module``) is not installed."""
    from newsarchive.config import redacted
    from newsarchive.errors import ConfigError

    return ConfigError(
        f"the database driver for {redacted(url)!r} is not installed (no module {module!r})",
        hint="install it into newsarchive's environment: for PostgreSQL, pip install 'newsarchive[postgres]' (psycopg 3)",
    )


def server_error(url: str, reason: str, names: str) -> tuple[str, str]:
    """One line (and a hint) for each way a PostgreSQL server cannot be used, from the driver's message."""
    server, user, name = _server(url), _part(url, "username"), _part(url, "database")
    host, port = _part(url, "host") or "localhost", _part(url, "port") or 5432
    at = where(url)
    cases = (
        (r'database "[^"]*" does not exist', f"database {name} does not exist on the server at {server}",
         f"create it there (createdb -h {host} -p {port} {name}, as a user allowed to), or name another in {names}"),
        (r'role "[^"]*" does not exist', f'the server at {server} has no user (role) "{user}": cannot open {at}',
         f"ask the administrator of {server} for that user, or name another in {names}"),
        (r"authentication failed", f'the server at {server} refused user "{user}": {_first(reason, "authentication failed")}',
         f"check the user and password in {names} (or ~/.pgpass, PGPASSWORD) with the administrator of {server}"),
        (r"no password supplied", f'the server at {server} asks user "{user}" for a password, and none is given ({at})',
         f"give the password of {server} in {names} (postgresql+psycopg://USER:PASSWORD@HOST/DB), ~/.pgpass or PGPASSWORD"),
        (r"no pg_hba\.conf entry", f'the server at {server} does not let this machine in as "{user}" ({at})',
         f"ask the administrator of {server} to let it in (pg_hba.conf), or check the user and database in {names}"),
        (r"connection refused", f"cannot connect to the archive database at {at}: the server refused the connection",
         f"check that the PostgreSQL server at {server} is running and listening there, or the host and port in {names}"),
        (r"resolve host|name or service not known|nodename nor servname",
         f"cannot connect to the archive database at {at}: no host is known by that name",
         f"check the host ({server}) that {names} names"),
        (r"timeout", f"cannot connect to the archive database at {at}: no answer from the server in time",
         f"check that the server at {server} is up and reachable from this machine "
         f"(a slow link: connect_timeout=SECONDS in {names})"),
        (r"closed the connection|terminating connection|connection is (lost|closed)",
         f"the connection to the database at {at} was lost",
         f"the server at {server} ({names}) stopped or dropped the connection: run the command again once it is back"),
    )  # fmt: skip
    for pattern, message, hint in cases:
        if re.search(pattern, reason, re.IGNORECASE):
            return message, hint
    return (
        f"cannot use the archive database at {at}: {_first(reason, 'it failed')}",
        f"check that the PostgreSQL server at {server} is running and lets this machine in, and {names}",
    )


def _first(reason: str, default: str) -> str:
    """The driver's message without libpq's "connection to server at ... failed:" preamble, on one line."""
    line = " ".join(part.strip() for part in reason.splitlines() if part.strip())
    line = re.sub(r'^(connection failed: )?connection to server at "[^"]*"(, port \d+)? failed: ', "", line)
    line = re.sub(r"^FATAL:\s+", "", line)
    return line or default


SQLITE = SQLite()
POSTGRESQL = PostgreSQL()
SERVER = Dialect()


def libpq_url(url: str) -> str:
    """The libpq connection URL of an SQLAlchemy PostgreSQL URL (its driver name dropped)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def where(url: str) -> str:
    """A server database as a message names it: host:port/dbname (never the password)."""
    return f"{_server(url)}/{_part(url, 'database') or ''}"


def _server(url: str) -> str:
    host, port = _part(url, "host"), _part(url, "port")
    return f"{host or 'localhost'}{f':{port}' if port else ''}"


def _part(url: str, part: str) -> Any:
    try:
        from sqlalchemy.engine import make_url

        return getattr(make_url(url), part)
    except Exception:  # not a URL SQLAlchemy can read
        return None


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    database = url.removeprefix("sqlite:///")
    if not database or database == ":memory:" or database.startswith("file:") or "?" in database:
        return None
    return Path(database)


def read_only_url(database: Path) -> str:
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


def json_text(value: object) -> str:
    # As written: escaped, a Russian or Chinese body took three or six bytes a letter, and as much memory to store.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _write_ahead_log(cursor: sqlite3.Cursor, seconds: float = 60.0) -> None:
    """Put the database in WAL mode, once for good; wait while another process holds it.

    Switching the mode does not wait for a lock as statements do: a second
    process opening a new database while the first creates its schema was
    told "database is locked" at once. By then the first has made it WAL.
    """
    import time

    ends = time.monotonic() + seconds
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > ends:
                raise
            time.sleep(0.05)


def _decode_text(value: bytes) -> str:
    from newsarchive.errors import UndecodableText

    try:
        return str(value, "utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableText(f"not valid UTF-8 (byte {value[exc.start]:#04x} at {exc.start})") from None


def sqlite_text(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Decode SQLite's text so that a value that is not UTF-8 fails as a damaged value of its row.

    SQLite stores whatever bytes a TEXT value was given. The sqlite3 module's
    own decoding fails the whole query with an OperationalError that names
    only the column; decoded here, the value raises ``UndecodableText``, a
    ``ValueError`` (see ``ROW_ERRORS``), which the readers of rows meet like
    any other damaged value: the row is named, by id and field, and the
    other rows carry on. (It costs a good value about what sqlite3's own
    decoding does again: 0.15 microseconds.)
    """
    dbapi_connection.text_factory = _decode_text
