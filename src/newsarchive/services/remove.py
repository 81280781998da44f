"""`archive remove`: delete articles from the database and the index together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.engines.protocol import SearchEngine
    from newsarchive.storage.database import Database


#: Ends the message for ids that name no article: all or nothing.
_NONE = "; nothing was removed"


@dataclass(frozen=True)
class Removed:
    id: str
    title: str


def remove_articles(db: Database, engine: SearchEngine, article_ids: Sequence[str]) -> list[Removed]:
    """Delete the articles (all of them, or none if one id is unknown) and their index entries.

    The database commits first with an entry in its change log for each, so
    a crash before the index commit is finished by the next catch-up (and
    every other index over the same database removes them too). The files they
    came from stay recorded as read, so an unchanged file does not bring an
    article back (``archive ingest --force`` does). The caller holds the writer's lock.
    """
    from sqlalchemy import delete

    from newsarchive.ids import whole_ids
    from newsarchive.services.articles import ids_starting_with
    from newsarchive.services.indexing import catch_up
    from newsarchive.storage.models import Article, ArticleFile
    from newsarchive.storage.unit_of_work import UnitOfWork, attempt

    def remove(work: UnitOfWork) -> list[Removed]:
        session = work.session
        # Only ids and titles are read, so that an article with a damaged value can be removed too.
        found = _titles(session, whole_ids(article_ids, partial(ids_starting_with, session), where=_NONE))
        session.execute(delete(ArticleFile).where(ArticleFile.article_id.in_(found)))
        work.release_copies(found)  # (a copy removed too is logged as removed below: the last entry counts)
        session.execute(delete(Article).where(Article.id.in_(found)))
        work.removed(found)
        work.commit()
        return [Removed(article_id, title) for article_id, title in found.items()]

    removed = attempt(db, remove)
    catch_up(db, engine)
    return removed


def _titles(session: Session, article_ids: Sequence[str]) -> dict[str, str]:
    """The titles of these articles by id; a title that cannot be read (a damaged row) is said to be so."""
    from sqlalchemy import select

    from newsarchive.storage.database import ROW_ERRORS
    from newsarchive.storage.models import Article

    try:
        return dict(session.execute(select(Article.id, Article.title).where(Article.id.in_(article_ids))).all())
    except ROW_ERRORS:
        pass
    titles = {}
    for article_id in article_ids:
        try:
            titles[article_id] = session.scalar(select(Article.title).where(Article.id == article_id)) or ""
        except ROW_ERRORS:
            titles[article_id] = "(its title cannot be read)"
    return titles
