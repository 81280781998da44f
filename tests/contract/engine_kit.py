"""What the contract tests share: an empty engine of a given name, documents and queries in its neutral terms.

The tests in this folder state what every search engine must do; each runs
once per name in ``newsarchive.engines.ENGINES`` (the ``engine_name`` fixture
in tests/conftest.py, or ``params=ENGINES``). A new engine is added to
ENGINES and runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from _postgres import Server
from newsarchive.config import ArchiveConfig
from newsarchive.engines import open_engine
from newsarchive.engines.protocol import Document, HitPage, SearchEngine, SearchOptions
from newsarchive.query import parse
from newsarchive.query.tree import Query


def new_engine(
    name: str, folder: Path, documents: Iterable[Document] = (), position: int = 0, *, server: Server | None = None
) -> SearchEngine:
    """The engine ``name`` for an archive in ``folder``, its index made from ``documents`` (by ``rebuild``).

    The postgres engine needs the session's ``postgres`` fixture as ``server``: it gets a fresh database there.
    """
    if name == "postgres":
        assert server is not None, "the postgres engine is made on the `postgres` fixture's server"
        return postgres_engine(server, folder, documents, position)
    config = ArchiveConfig(
        home=folder, database_url=f"sqlite:///{folder / 'archive.db'}", index_dir=folder / "index", engine=name
    )
    engine = open_engine(config)
    engine.rebuild(documents, position)
    return engine


def postgres_engine(server: Server, folder: Path, documents: Iterable[Document] = (), position: int = 0) -> SearchEngine:
    """The postgres engine on a fresh database of ``server``, the documents stored as its articles, then rebuilt.

    (Its rows are derived from the ``articles`` table, which they reference, and read their snippets' text there.)
    """
    from datetime import UTC

    from newsarchive.storage.database import open_database
    from newsarchive.storage.models import Article

    given = list(documents)
    config = ArchiveConfig(home=folder, database_url=server.database(), index_dir=folder / "index", engine="postgres")
    db = open_database(config, create=True)
    now = datetime.now(UTC)
    try:
        with db.sessions() as session:
            # Originals first: a copy's duplicate_of must name a stored article.
            for document in sorted(given, key=lambda document: document.duplicate_of is not None):
                session.add(Article(
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
    engine = open_engine(config)
    engine.rebuild(given, position)
    return engine


def written(engine: SearchEngine, *commits: tuple[Iterable[Document], int]) -> SearchEngine:
    """``engine`` after each (documents, position) is added through its writer and committed at that position."""
    for documents, position in commits:
        writer = engine.writer()
        for document in documents:
            writer.add(document)
        writer.commit(position)
        writer.close()
    return engine


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
