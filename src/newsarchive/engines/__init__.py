"""Search engines behind one protocol (``protocol.SearchEngine``); ``open_engine`` picks the archive's.

Only the engine packages below import their search library; everything else
sees the protocol's types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.config import ArchiveConfig
    from newsarchive.engines.protocol import SearchEngine

#: The engines an archive's settings may name.
ENGINES = ("whoosh",)


def open_engine(config: ArchiveConfig) -> SearchEngine:
    """The search engine of this archive (the embedded Whoosh index in its home)."""
    from newsarchive.engines.whoosh.engine import WhooshEngine

    return WhooshEngine(config.index_dir)
