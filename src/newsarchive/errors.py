"""Typed errors raised by the library; the CLI turns them into one-line messages."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class for every error newsarchive raises on purpose.

    ``hint`` tells the user what to do next; the CLI prints it after the message.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(ArchiveError):
    """The archive's location or database URL cannot be used."""


class InvalidSetting(ConfigError):
    """A setting asked for that this archive cannot have (``archive init --engine postgres`` on an SQLite file)."""

    exit_code = 2


class ArchiveNotFound(ConfigError):
    """There is no archive where the user pointed (only `archive ingest` makes one)."""


class DatabaseUnreachable(ArchiveError):
    """The archive's database cannot be reached or used: a server down, unknown or refusing, a connection lost."""


class ArchiveReadOnly(ArchiveError):
    """The archive can be read but not written (a snapshot, someone else's folder)."""


class ArchiveBusy(ArchiveError):
    """Another process is writing to this archive."""


class ArticleNotFound(ArchiveError):
    """No article has the id the user asked for."""


class InvalidQuery(ArchiveError):
    """A search query (or one of its filters) cannot be understood."""

    exit_code = 2


class QueryNote(UserWarning):
    """What of a query an engine could not honour and left out (a boost on the server), one line: a warning,
    since the search goes on. The CLI prints it as ``note: ...``; a Python user gets it from ``warnings``."""


class InvalidDate(InvalidQuery):
    """A date given on the command line cannot be read."""


class InvalidLanguage(ArchiveError):
    """A language given by hand (``ingest --lang``) is not an ISO 639-1 code."""

    exit_code = 2


class IndexUnavailable(ArchiveError):
    """The search index is missing, locked or unreadable."""


class IndexDamaged(IndexUnavailable):
    """Parts of the search index do not read back; a rebuild from the database fixes it."""


class UnreadableValue(ValueError):
    """A value of the database that is not what its column holds (raised as it is read, so a damaged value of its row)."""


class UndecodableText(UnreadableValue):
    """A text value of the database that is not valid UTF-8 (raised as it is read, so a damaged value of its row)."""


#: What mends an article whose row is damaged: the database is the source of truth, so only its file can.
DAMAGED_ROW_HINT = "`archive remove ID`, then `archive ingest --force FILE` stores it again from its file"


#: What mends a damaged row of the files read: it says only how far ingest has read a file.
DAMAGED_FILE_ROW_HINT = "delete the row with sqlite3 (its articles stay), then `archive check --repair`; ingest reads the file again"


#: What to do with a damaged database file: the database is the source of truth, so nothing rebuilds it.
DAMAGED_DATABASE_HINT = (
    "`archive export -o saved.jsonl` saves every article that can still be read (and names the others); "
    "`archive ingest --home NEW saved.jsonl` makes a new archive of them. Or restore archive.db from a backup"
)


class DatabaseDamaged(ArchiveError):
    """SQLite finds the database file itself damaged (``database disk image is malformed``)."""


class DamagedRecord(ArchiveError):
    """A row of the database holds a value that cannot be read (``article_id``, ``field``; ``files`` it came from).

    ``article_id`` is the key of the row, which for a ``kind`` "file" row is its path.
    """

    def __init__(
        self,
        article_id: str,
        field: str,
        reason: str,
        files: tuple[str, ...] = (),
        *,
        in_file: bool = False,
        hint: str | None = None,
        kind: str = "article",
    ) -> None:
        import shlex

        given = hint
        came_from = f" (from {', '.join(files)})" if files else ""
        hint = DAMAGED_ROW_HINT.replace("ID", article_id, 1) if kind == "article" else DAMAGED_FILE_ROW_HINT
        if len(files) == 1:
            hint = hint.replace("FILE", shlex.quote(files[0]), 1)
        super().__init__(
            f"{kind} {article_id}: its {field} cannot be read ({reason}){came_from}",
            hint=DAMAGED_DATABASE_HINT if in_file else given or hint,
        )
        self.article_id = article_id
        #: What the row is: "article", or "file" (a row of the files the articles were read from).
        self.kind = kind
        self.field = field
        self.reason = reason
        self.files = files
        #: Whether the row lies in a damaged part of the database file (rather than holding a damaged value).
        self.in_file = in_file


class BadInputFile(ArchiveError):
    """One input file cannot be ingested; ``reason`` says why in a few words."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason, hint)
        self.reason = reason


class UnreadableFile(BadInputFile):
    """The bytes of a file are not text we can decode (empty, binary, unknown encoding)."""


class UnparseableArticle(BadInputFile):
    """The text decodes but does not have the shape of an article."""


class SearchTimeout(ArchiveError):
    """A search ran past its time budget and was stopped (a runtime limit: the same query may pass on a smaller archive)."""
