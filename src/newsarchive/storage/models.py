"""The archive's tables as SQLAlchemy 2.x declarative models. No I/O here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, ForeignKeyConstraint, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from newsarchive.errors import UnreadableValue


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    SQLite has no time zones, so values are written as naive UTC and given
    their zone back on the way out; PostgreSQL keeps them as timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Whole(TypeDecorator[int]):
    """An integer column whose values are read back as whole numbers within bounds.

    SQLite keeps whatever a column is given ('abc' in an INTEGER column): a
    value that is not one fails as it is read, a damaged value of its row.
    """

    impl = Integer
    cache_ok = True

    def __init__(self, low: int | None = None, high: int | None = None, meaning: str | None = None) -> None:
        super().__init__()
        self.low, self.high, self.meaning = low, high, meaning

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise UnreadableValue(f"not a whole number: {value!r}"[:100])
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise UnreadableValue(f"{value} is not {self.meaning}" if self.meaning else f"{value} is out of range ({self.low} to {self.high})")
        return value


class BigWhole(Whole):
    impl = BigInteger  # (a wider integer, checked the same way)
    cache_ok = True


class Words(TypeDecorator[str]):
    """A text column whose values are read back as text.

    SQLite keeps a BLOB in a TEXT column as it was given (``X'4142'``): read
    back as bytes, it failed far from its row, wherever text was expected.
    """

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            raise UnreadableValue(f"not text: {value!r}"[:100])
        return value


class Prose(Words):
    impl = Text  # (long text, checked the same way)
    cache_ok = True


class OneOf(TypeDecorator[str]):
    """A short text column that holds one of a few values, checked as it is read."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, *choices: str) -> None:
        super().__init__(length)
        self.choices = choices

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is not None and value not in self.choices:
            raise UnreadableValue(f"{value!r} is not one of {', '.join(self.choices)}"[:100])
        return value


class CheckedJSON(TypeDecorator[Any]):
    """JSON read back in the shape the code relies on: body blocks, or a list of names."""

    impl = JSON
    cache_ok = True

    def __init__(self, shape: str) -> None:
        super().__init__()
        self.shape = shape

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if self.shape == "blocks":
            good = isinstance(value, list) and all(
                isinstance(block, dict) and isinstance(block.get("text"), str) and isinstance(block.get("kind"), str)
                for block in value
            )
        else:
            good = isinstance(value, list) and all(isinstance(name, str) for name in value)
        if not good:
            raise UnreadableValue(f"not a list of {'text blocks' if self.shape == 'blocks' else 'names'}")
        return value


#: A UTC offset in minutes that a time zone can have: strictly within a day.
MAX_OFFSET = 24 * 60 - 1


class Base(DeclarativeBase):
    pass


class Article(Base):
    """One article: the source of truth that the search indexes are built from.

    ``revision`` goes up with every change, and every change is an entry in
    the change log (``LogEntry``), which each index follows on its own.
    """

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(Prose())
    description: Mapped[str | None] = mapped_column(Prose())
    # Ordered blocks: [{"kind": "paragraph"|"heading", "text": ...}, ...]
    body: Mapped[list[dict[str, str]]] = mapped_column(CheckedJSON("blocks"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The UTC offset in minutes the article was published with (+180 for +03:00);
    # None when no zone was known, and the date is shown in UTC.
    published_offset: Mapped[int | None] = mapped_column(Whole(-MAX_OFFSET, MAX_OFFSET, "a UTC offset in minutes (within a day)"))
    date_text: Mapped[str | None] = mapped_column(Words(200))
    date_precision: Mapped[str | None] = mapped_column(OneOf(10, "day", "minute", "second"))
    source: Mapped[str | None] = mapped_column(Words(200), index=True)
    source_domain: Mapped[str | None] = mapped_column(Words(255))
    url: Mapped[str | None] = mapped_column(Prose())
    # The URL reduced to what identifies the page (reading.formats.fields.url_key).
    url_key: Mapped[str | None] = mapped_column(Prose(), index=True)
    authors: Mapped[list[str]] = mapped_column(CheckedJSON("names"))
    language: Mapped[str | None] = mapped_column(Words(35))
    content_hash: Mapped[str] = mapped_column(Words(64), unique=True)
    # Bottom-k MinHash sketch of the body (reading.neardup); a near-duplicate
    # links to the earlier article it copies.
    sketch: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[str | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    revision: Mapped[int] = mapped_column(Whole(1), default=1)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    files: Mapped[list[ArticleFile]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="(ArticleFile.root, ArticleFile.path, ArticleFile.item)",
    )


class SourceFile(Base):
    """A file ingest has read, with the signals that tell whether it changed since.

    ``size`` and ``mtime_ns`` are written in the same transaction as the last
    of the file's articles, so a file whose ingest was cut short is read again.

    A file is known by its absolute ``path`` (``root`` ""), or, read from a named
    source folder (``archive ingest --source NAME FOLDER``), by the name and its
    path relative to that folder: one share mounted at different places on
    different machines is then one set of files.
    """

    __tablename__ = "files"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    root: Mapped[str] = mapped_column(Text, primary_key=True, default="", server_default="")  # (second: a row is named by its path)
    format: Mapped[str] = mapped_column(Words(10))
    size: Mapped[int | None] = mapped_column(BigWhole(0))
    mtime_ns: Mapped[int | None] = mapped_column(BigWhole())
    items: Mapped[int] = mapped_column(Whole(0), default=0)
    source: Mapped[str | None] = mapped_column(Words(200))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleFile(Base):
    """Where an article was read: a file, and the item within it ("" for a one-article file).

    Identical copies under several paths or items share one article.
    """

    __tablename__ = "article_files"
    __table_args__ = (
        ForeignKeyConstraint(["path", "root"], ["files.path", "files.root"], ondelete="CASCADE"),
    )

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    root: Mapped[str] = mapped_column(Text, primary_key=True, default="", server_default="")  # (second: a row is named by its path)
    item: Mapped[str] = mapped_column(Text, primary_key=True, default="")
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )

    article: Mapped[Article] = relationship(back_populates="files")
    # Declared so that a batch inserts a file's row before the rows that point at it.
    file: Mapped[SourceFile] = relationship()

    @property
    def location(self) -> str:
        """Where it was read, as the user sees it: ``path`` or ``NAME:relative/path``, with `` [item]``."""
        place = f"{self.root}:{self.path}" if self.root else self.path
        return f"{place} [{self.item}]" if self.item else place


class LogEntry(Base):
    """One change to an article, in the order the database committed it: the change log.

    Every stored (new or updated) and removed article appends an entry in
    the transaction that changes it; each search index records the position
    up to which it has applied the log, and catches up from there. Entries
    are never rewritten, so a position is never given twice.
    """

    __tablename__ = "change_log"

    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(OneOf(10, "stored", "removed"))


class Setting(Base):
    """A setting every machine on the database shares (``storage.settings``): e.g. ``engine``, the search engine."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
