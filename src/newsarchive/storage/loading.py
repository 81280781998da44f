"""Loading stored articles whole (with their files) for the services that read them.

A row with a value that cannot be read (see ``storage.database.damaged_record``)
is passed to the caller's ``on_damaged`` and left out, so one damaged article
does not keep the others from being read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from newsarchive.errors import DamagedRecord
from newsarchive.storage.database import DAMAGE_ERRORS, ROW_ERRORS, damaged_record, unreadable
from newsarchive.storage.models import Article

#: Articles loaded at once by ``iter_articles``: memory stays flat however many there are.
CHUNK = 500


def iter_articles(
    sessions: sessionmaker[Session],
    ids: Sequence[str],
    chunk: int = CHUNK,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
) -> Iterator[Article]:
    """The articles with these ids, in this order, loaded a chunk at a time so memory stays flat.

    A row with a value that cannot be read (see ``storage.database.damaged_record``) is
    passed to ``on_damaged`` and left out, and the others still come; with
    no ``on_damaged`` it is raised.
    """
    for start in range(0, len(ids), chunk):
        wanted = ids[start : start + chunk]
        with sessions() as session:
            found = load_articles(session, wanted, on_damaged)
            yield from (found[article_id] for article_id in wanted if article_id in found)


def load_articles(
    session: Session, ids: Sequence[str], on_damaged: Callable[[DamagedRecord], None] | None = None
) -> dict[str, Article]:
    """The articles with these ids (with their files), by id; a damaged row goes to ``on_damaged``, else is raised."""
    def load(wanted: Sequence[str]) -> dict[str, Article]:
        query = select(Article).where(Article.id.in_(wanted)).options(selectinload(Article.files))
        return {article.id: article for article in session.scalars(query)}

    try:
        return load(ids)
    except (*ROW_ERRORS, *DAMAGE_ERRORS) as exc:
        if not unreadable(exc):
            raise
        # One row or more is damaged (or lies in a damaged part of the file):
        # load them one at a time, to keep the others.
    found: dict[str, Article] = {}
    for article_id in ids:
        try:
            found.update(load([article_id]))
        except (*ROW_ERRORS, *DAMAGE_ERRORS) as exc:
            if not unreadable(exc):
                raise
            error = damaged_record(session, Article, article_id)
            if on_damaged is None:
                raise error from None
            on_damaged(error)
    return found
