"""newsarchive: a news-article archive with full-text search.

Importing the package is cheap and has no side effects; the heavy libraries
(SQLAlchemy, Alembic, Whoosh) load only in the code paths that need them.
"""

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

__version__ = "0.1.0"

__all__ = [
    "__version__",
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
