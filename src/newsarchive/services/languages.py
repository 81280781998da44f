"""Recording the language of the articles stored before languages were recorded.

An archive made by an earlier version holds articles without a language. The
first ingest or ``archive reindex`` after the upgrade identifies each one's
from its text and records it, in units of work whose change-log entries bring
every index, this home's and others', up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarchive.errors import DamagedRecord

if TYPE_CHECKING:
    from newsarchive.services.progress import Progress
    from newsarchive.storage.database import Database

#: Articles whose language ``fill_languages`` identifies and records per transaction.
FILL_BATCH = 500


def fill_languages(db: Database, progress: Progress | None = None) -> int:
    """Identify and record the language of every article stored without one; return how many were
    filled. ``progress`` counts the articles and announces what was done.

    An article whose row cannot be read is recorded as "und" (its language
    cannot be told), so that it is not read again by every run; they are
    announced once, and ``archive check`` names them. The caller holds the
    writer's lock.
    """
    from sqlalchemy import select

    from newsarchive.reading.language import identify_article
    from newsarchive.storage.database import readable_keys
    from newsarchive.storage.loading import load_articles
    from newsarchive.storage.models import Article
    from newsarchive.storage.unit_of_work import UnitOfWork, attempt

    damaged: list[DamagedRecord] = []
    with db.sessions() as session:
        query = select(Article.id).where(Article.language.is_(None)).order_by(Article.id)
        ids = readable_keys(session, query, on_damaged=damaged.append)
    if not ids and not damaged:
        return 0
    if progress is not None:
        progress.begin(len(ids))
    filled = undated = 0
    for start in range(0, len(ids), FILL_BATCH):
        def fill(work: UnitOfWork, wanted: list[str] = ids[start : start + FILL_BATCH]) -> tuple[int, int]:
            found: list[DamagedRecord] = []
            articles = load_articles(work.session, wanted, on_damaged=found.append)
            filled = undated = 0
            for article in articles.values():
                if article.language is None:  # (unless another process filled it meanwhile)
                    article.language = identify_article(article.title, article.description, (b["text"] for b in article.body))
                    work.changed(article)
                    filled += 1
                    undated += article.published_at is None
            work.commit()
            damaged.extend(found)  # (only once it is committed: a run that is tried again reports them once)
            return filled, undated

        done = attempt(db, fill)
        filled, undated = filled + done[0], undated + done[1]
        if progress is not None:
            progress.advance(min(FILL_BATCH, len(ids) - start))
    selected = set(ids)
    _give_up_on(db, [error.article_id for error in damaged if error.article_id in selected])
    if progress is not None:
        for message in filled_message(filled, undated), damaged_message(len(damaged)):
            if message:
                progress.announce(message)
    return filled


def _give_up_on(db: Database, article_ids: list[str]) -> None:
    """Record "und" as the language of these articles, whose rows cannot be read.

    Only that column is written: the rest of the row stays as it is for ``check``
    to name, and no change-log entry is made, since no index holds an article it
    could not read. A row that cannot even be written is left for the next run.
    """
    from sqlalchemy import update

    from newsarchive.reading.language import UNDETERMINED
    from newsarchive.storage.database import unreadable
    from newsarchive.storage.models import Article

    if not article_ids:
        return
    try:
        with db.sessions() as session:
            session.execute(
                update(Article)
                .where(Article.id.in_(article_ids), Article.language.is_(None))
                .values(language=UNDETERMINED)
                .execution_options(synchronize_session=False)
            )
            session.commit()
    except Exception as error:
        if not unreadable(error):
            raise


def filled_message(filled: int, undated: int = 0) -> str:
    """What ``fill_languages`` did, in one line for the user ("" for nothing); ``undated`` of the articles
    have no date, which their datelines in their languages may give once their files are read again."""
    if not filled:
        return ""
    message = f"identified the language of {filled} article{'s' if filled != 1 else ''} stored before languages were recorded"
    if undated:
        message += (
            f"; {undated} of them {'are' if undated != 1 else 'is'} undated: `archive ingest --force FOLDER` reads "
            "their files again, and datelines in their languages with them"
        )
    return message


def damaged_message(damaged: int) -> str:
    """The articles ``fill_languages`` could not read, in one line for the user ("" for none)."""
    if not damaged:
        return ""
    return (
        f"could not read {damaged} article{'s' if damaged != 1 else ''} stored before languages were recorded: "
        "their language stays undetermined (`archive check` names them)"
    )
