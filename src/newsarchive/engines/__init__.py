"""Search engines behind one protocol (``protocol.SearchEngine``); ``open_engine`` picks the archive's.

Only the engine packages below import their search library; everything else
sees the protocol's types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.config import ArchiveConfig
    from newsarchive.engines.protocol import SearchEngine

#: The engines an archive's settings may name (``ARCHIVE_ENGINE``), the default first.
ENGINES = ("whoosh", "postgres")


def open_engine(config: ArchiveConfig) -> SearchEngine:
    """The search engine the archive's settings name (``storage.settings.chosen_engine``; on SQLite the index in its home)."""
    from newsarchive.config import ENGINE_ENV
    from newsarchive.errors import InvalidSetting
    from newsarchive.storage.settings import chosen_engine

    name = chosen_engine(config)
    if name == "whoosh":
        from newsarchive.engines.whoosh.engine import WhooshEngine

        return WhooshEngine(config.index_dir)
    if name == "postgres":
        from newsarchive.engines.postgres.engine import PostgresEngine

        return PostgresEngine(config)
    raise InvalidSetting(
        f"unknown search engine {name!r}",
        hint=f"set {ENGINE_ENV} to one of: " + ", ".join(ENGINES),
    )


def documents_held(engine: SearchEngine) -> int:
    """How many documents ``engine``'s index holds: 0 when there is none, or it cannot be read."""
    from newsarchive.errors import IndexUnavailable

    if not engine.exists():
        return 0
    try:
        return engine.document_count()
    except IndexUnavailable:
        return 0
