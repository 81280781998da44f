"""The settings every machine on one archive database shares (the ``settings`` table): which search engine it uses.

``archive init --engine NAME`` records the engine; ``chosen_engine`` is the
one rule for which engine a command opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarchive.config import DEFAULT_ENGINE, ArchiveConfig
from newsarchive.storage.dialects import Dialect

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.storage.database import Database

#: The setting that names the archive's search engine.
ENGINE = "engine"

#: The engine of an archive on a PostgreSQL server whose settings name none: the search in the server.
SERVER_ENGINE = "postgres"


def read(session: Session, key: str) -> str | None:
    """The value of the setting ``key``; None when it was never set."""
    from newsarchive.storage.models import Setting

    found = session.get(Setting, key)
    return None if found is None else found.value


def write(session: Session, key: str, value: str) -> None:
    """Set ``key`` to ``value`` in the session's transaction (the caller commits)."""
    from newsarchive.storage.models import Setting

    session.merge(Setting(key=key, value=value))


def record_engine(db: Database, database_url: str, engine: str | None) -> tuple[str, str, int]:
    """Record ``engine`` as the archive's (None: keep the one recorded, else the database's default).

    Returns the engine it had before, the one it has now, and how many articles it holds.
    """
    from sqlalchemy import func, select

    from newsarchive.storage.models import Article

    with db.sessions() as session, session.begin():
        recorded = read(session, ENGINE)
        before = recorded or default_engine(database_url)
        chosen = engine or before
        if chosen != recorded:
            write(session, ENGINE, chosen)
        articles = session.scalar(select(func.count(Article.id))) or 0
    return before, chosen, articles


def default_engine(database_url: str) -> str:
    """The engine of an archive whose settings name none: the index in the home, or on PostgreSQL the server's search."""
    return SERVER_ENGINE if Dialect.for_url(database_url).name == "postgresql" else DEFAULT_ENGINE


def chosen_engine(config: ArchiveConfig) -> str:
    """The search engine a command on this machine opens.

    $ARCHIVE_ENGINE (``config.engine``) decides when set: a machine may keep
    its own Whoosh index over a server, following its change log. Else an
    archive in an SQLite file uses the index in its home, without asking the
    file (a search does not pay for it); else the archive's ``engine`` setting
    (``archive init --engine``), read where this machine reads; else the
    server's own search.
    """
    if config.engine:
        return config.engine
    if Dialect.for_url(config.database_url).name != "postgresql":
        return DEFAULT_ENGINE
    dialect = Dialect.for_url(config.reads_from)
    dialect.require_driver(config.reads_from)
    glance = dialect.glance(config.reads_from)
    recorded = glance.engine if glance is not None else _recorded_engine(config)
    return recorded or SERVER_ENGINE


def _recorded_engine(config: ArchiveConfig) -> str | None:
    """The engine setting, read through SQLAlchemy: for when it cannot be glanced at (no settings table yet;
    a server that cannot be used, which this names in one line). Nothing is upgraded or made."""
    from newsarchive.config import DATABASE_URL_ENV, READ_DATABASE_URL_ENV
    from newsarchive.storage.database import read_setting

    names = READ_DATABASE_URL_ENV if config.read_database_url else DATABASE_URL_ENV
    return read_setting(config.reads_from, ENGINE, names)
