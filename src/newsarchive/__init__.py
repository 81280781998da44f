"""newsarchive: a news-article archive with full-text search.

    import newsarchive

    with newsarchive.open("~/news") as archive:
        for hit in archive.search("kursk").hits:
            print(hit.id, hit.title)

Importing the package is cheap and has no side effects; the heavy libraries
(SQLAlchemy, Alembic, Whoosh) load only in the code paths that need them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newsarchive.errors import (
    ArchiveBusy,
    ArchiveError,
    ArchiveNotFound,
    ArchiveReadOnly,
    ArticleNotFound,
    BadInputFile,
    ConfigError,
    DamagedRecord,
    IndexDamaged,
    IndexUnavailable,
    InvalidDate,
    InvalidQuery,
    UnparseableArticle,
    UnreadableFile,
)

if TYPE_CHECKING:
    from newsarchive.archive import Archive

__version__ = "0.1.0"


def open(  # (as shelve.open and dbm.open: the one way in, named after what it does)
    home: str | os.PathLike[str] | None = None,
    *,
    database_url: str | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
    read_database_url: str | None = None,
) -> Archive:
    """The archive at ``home`` (default: $ARCHIVE_HOME, else the user data folder); see ``newsarchive.archive``.

    Nothing is opened until a method needs it; use it in a ``with`` block, or call ``close()``.
    """
    from newsarchive.archive import open_archive

    return open_archive(home, database_url=database_url, on_damaged=on_damaged, read_database_url=read_database_url)


def __getattr__(name: str) -> Any:
    # The Archive class on demand, so that importing the package stays cheap.
    if name == "Archive":
        from newsarchive.archive import Archive

        return Archive
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "__version__",
    "open",
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "ArchiveNotFound",
    "ArchiveReadOnly",
    "ArticleNotFound",
    "BadInputFile",
    "ConfigError",
    "DamagedRecord",
    "IndexDamaged",
    "IndexUnavailable",
    "InvalidDate",
    "InvalidQuery",
    "UnparseableArticle",
    "UnreadableFile",
]
