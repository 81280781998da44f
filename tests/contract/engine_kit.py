"""What the contract tests share: an empty engine of a given name, documents and queries in its neutral terms.

The tests in this folder state what every search engine must do; each runs
once per name in ``newsarchive.engines.ENGINES`` and database stack that engine
runs over (``conftest.ENGINE_STACKS``: Whoosh over SQLite and over PostgreSQL):
a test takes the ``engine_name`` fixture (its database is then the test's
stack's), or a fixture has ``params=ENGINE_STACKS`` and makes its engine with
``stacked_engine``. A new engine is added to ENGINES and ENGINE_STACKS and runs
them all.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import ENGINE_STACKS, Stack, engine_stack_id
from newsarchive.config import DATABASE_URL_ENV, ArchiveConfig
from newsarchive.engines import open_engine
from newsarchive.engines.protocol import Document, HitPage, SearchEngine, SearchOptions
from newsarchive.query import parse
from newsarchive.query.tree import Query

__all__ = ["ENGINE_STACKS", "engine_stack_id"]  # (for the contract tests' fixtures)


#: The database of each engine that keeps its rows there (they reference its articles, and read their text).
_DATABASES: weakref.WeakKeyDictionary[SearchEngine, str] = weakref.WeakKeyDictionary()


def new_engine(
    name: str, folder: Path, documents: Iterable[Document] = (), position: int = 0, *, database_url: str | None = None
) -> SearchEngine:
    """The engine ``name`` for an archive in ``folder``, its index made from ``documents`` (by ``rebuild``).

    Its database is ``database_url``, by default the test's stack's: the new database on the
    server the ``stack`` fixture names in ARCHIVE_DATABASE_URL, or a SQLite file in ``folder``.
    An engine whose rows live in the database (it does not follow the log) finds the documents
    stored there as articles first, as the archive would have them.
    """
    given = list(documents)
    engine = unbuilt_engine(name, folder, given, database_url=database_url)
    engine.rebuild(given, position)
    return engine


def unbuilt_engine(
    name: str, folder: Path, documents: Iterable[Document] = (), *, database_url: str | None = None
) -> SearchEngine:
    """The engine ``name`` as ``new_engine`` makes it, its index not built yet (the documents stored, where it reads them)."""
    url = database_url or os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{folder / 'archive.db'}"
    engine = open_engine(ArchiveConfig(home=folder, database_url=url, index_dir=folder / "index", engine=name))
    if not engine.follows_log:
        _DATABASES[engine] = url
        _store(url, list(documents))
    return engine


def _store(url: str, documents: list[Document]) -> None:
    """The documents as the database's articles (made or replaced), originals first; the archive made if missing."""
    from newsarchive.storage.database import open_database
    from newsarchive.storage.models import Article

    db = open_database(ArchiveConfig(home=Path(), database_url=url, index_dir=Path("index")), create=True)
    now = datetime.now(UTC)
    try:
        with db.sessions() as session:
            for document in sorted(documents, key=lambda document: document.duplicate_of is not None):
                session.merge(Article(
                    id=document.id, title=document.title, description=document.description or None,
                    body=[{"kind": "paragraph", "text": document.body}],
                    published_at=document.published.replace(tzinfo=UTC) if document.published else None,
                    published_offset=document.offset, date_precision=document.precision, source=document.source,
                    authors=list(document.authors), language=document.language, content_hash=document.id,
                    duplicate_of=document.duplicate_of, revision=document.revision, ingested_at=now, updated_at=now,
                ))  # fmt: skip
                session.flush()
            session.commit()
    finally:
        db.close()


def stacked_engine(
    request: pytest.FixtureRequest, folders: pytest.TempPathFactory, documents: Iterable[Document] = (), position: int = 0
) -> SearchEngine:
    """For a fixture of any scope with ``params=ENGINE_STACKS``: its engine, in a new folder, on a new database of its stack."""
    name, stack = request.param
    folder = folders.mktemp(engine_stack_id(request.param))
    return new_engine(name, folder, documents, position, database_url=Stack.named(stack, request).database())


def written(engine: SearchEngine, *commits: tuple[Iterable[Document], int]) -> SearchEngine:
    """``engine`` after each (documents, position) is added through its writer and committed at that position."""
    for documents, position in commits:
        documents = list(documents)
        stored(engine, *documents)
        writer = engine.writer()
        for document in documents:
            writer.add(document)
        writer.commit(position)
        writer.close()
    return engine


def stored(engine: SearchEngine, *documents: Document) -> Document:
    """The documents stored (made or replaced) as articles, where ``engine`` reads them; the last one."""
    if engine in _DATABASES:
        _store(_DATABASES[engine], list(documents))
    return documents[-1]


def rebuilt(engine: SearchEngine, documents: Iterable[Document], position: int) -> int:
    """``engine.rebuild(documents, position)``, the documents stored first for an engine whose rows live there."""
    documents = list(documents)
    stored(engine, *documents)
    return engine.rebuild(documents, position)


def at(engine: SearchEngine, position: int) -> int:
    """The position ``engine`` reports after a commit at ``position``: that one for an engine that follows
    the change log; for one written with each change, the head of its database's log (current by then)."""
    if engine.follows_log:
        return position
    from newsarchive.storage import log
    from newsarchive.storage.database import open_database

    db = open_database(ArchiveConfig(home=Path(), database_url=_DATABASES[engine], index_dir=Path("index")))
    try:
        with db.sessions() as session:
            return log.head(session)
    finally:
        db.close()


def q(text: str) -> Query:
    """A query as the services hand it to an engine."""
    return parse(text)


def article(
    article_id: str,
    title: str,
    body: str,
    published: datetime | None = None,
    *,
    precision: str = "minute",
    source: str | None = None,
    authors: tuple[str, ...] = (),
    language: str | None = None,
    duplicate_of: str | None = None,
    revision: int = 1,
    offset: int | None = None,
) -> Document:
    """A document as the database gives it to an engine (``published`` naive UTC, ``offset`` in minutes)."""
    return Document(
        id=article_id, title=title, description="", body=body, published=published,
        precision=precision if published else None, source=source, revision=revision, authors=authors,
        language=language, duplicate_of=duplicate_of, offset=offset,
    )  # fmt: skip


def find(engine: SearchEngine, text: str, **options: object) -> HitPage:
    return engine.search(q(text), SearchOptions(**options))  # type: ignore[arg-type]


def ids(page: HitPage) -> list[str]:
    return [hit.id for hit in page.hits]
