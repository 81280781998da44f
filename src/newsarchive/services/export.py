"""`archive export`: every matching record, complete and uncapped, streamed out.

``newsarchive.render.export`` writes them as JSON Lines, CSV or Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from newsarchive.errors import DamagedRecord
from newsarchive.services.articles import ArticleRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.engines.protocol import SearchEngine
    from newsarchive.storage.database import Database


def export_records(
    db: Database,
    engine: SearchEngine,
    query: str | None = None,
    on_damaged: Callable[[DamagedRecord], None] | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[ArticleRecord]:
    """Every article (or every one matching ``query``), oldest first, read in chunks so memory stays flat;
    with ``since`` or ``until`` (aware, inclusive), only the dated ones between them, as a search has it.

    The records come from the database; only
    which articles match is asked of the search ``engine``. An article with
    a value that cannot be read goes to ``on_damaged`` and the export carries
    on without it (without ``on_damaged`` it is raised).
    """
    from newsarchive.services.search import parse_query
    from newsarchive.storage.loading import iter_articles

    matching = set(engine.matching_ids(parse_query(query))) if query else None
    with db.sessions() as session:
        ids = [i for i in _export_order(session, on_damaged, since, until) if matching is None or i in matching]
    for article in iter_articles(db.sessions, ids, on_damaged=on_damaged):
        yield ArticleRecord.from_model(article)


def _export_order(
    session: Session, on_damaged: Callable[[DamagedRecord], None] | None, since: datetime | None = None,
    until: datetime | None = None,
) -> list[str]:  # fmt: skip
    """The ids of every article (published between ``since`` and ``until``, when given), oldest first; by id
    when a damaged database file cannot give that order.

    An export is how the readable articles of a damaged database are saved,
    so it reads what it can: the date's index may be the damaged part.
    """
    from sqlalchemy import select

    from newsarchive.storage.database import DAMAGE_ERRORS, is_damage, readable_keys
    from newsarchive.storage.models import Article

    order = (Article.published_at.is_(None), Article.published_at, Article.id)
    chosen = select(Article.id)
    if since is not None:
        chosen = chosen.where(Article.published_at >= since)
    if until is not None:
        chosen = chosen.where(Article.published_at <= until)
    try:
        return readable_keys(session, chosen.order_by(*order), on_damaged)
    except DAMAGE_ERRORS as exc:
        if not is_damage(exc):
            raise
    session.rollback()
    return readable_keys(session, chosen.order_by(Article.id), on_damaged)


