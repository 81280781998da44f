"""`archive check`: are the database and this home's search index whole, and do they agree? And `--repair`.

The database is the source of truth; each home's index follows its change
log, and is checked (and repaired) on its own, as it is: the report says how
far into the log it has come, and what it lacks is listed (the next reader
would catch it up; --repair does). The index may miss articles (a crash
between the two commits), hold articles the database no longer has, hold an
older revision, or hold one article twice, or be damaged (a file cut short,
flipped bytes: every part of it is read back); the database may hold rows
that point at nothing, rows with a value that cannot be read, or damage
SQLite's own check finds. Each finding is listed; repair makes the index say
what the database says (rebuilding a damaged one) and drops the dangling
rows. Damage in the database itself is for the user to mend: it is the
source of truth, so there is nothing to rebuild it from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from newsarchive.config import ArchiveConfig
from newsarchive.services.progress import Progress
from newsarchive.storage import log
from newsarchive.storage.database import Database, damaged_links, damaged_records, head_revision
from newsarchive.storage.models import Article, ArticleFile, SourceFile

if TYPE_CHECKING:
    from newsarchive.engines.protocol import SearchEngine


@dataclass
class CheckReport:
    schema_revision: str
    schema_head: str
    index_state: str  # "current", "missing", "outdated" or "unreadable: ..."
    articles: int = 0
    index_documents: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    orphan_links: int = 0
    broken_duplicate_links: int = 0
    #: One line for each damaged part of the index.
    index_damage: list[str] = field(default_factory=list)
    #: What SQLite's quick_check finds wrong in the database file.
    database_damage: list[str] = field(default_factory=list)
    #: (article id, field, why) of each row with a value that cannot be read.
    damaged_rows: list[tuple[str, str, str]] = field(default_factory=list)
    #: (path, field, why) of each row of the files read with a value that cannot be read.
    damaged_files: list[tuple[str, str, str]] = field(default_factory=list)
    #: Index documents that no article and no pending removal explains: when they are
    #: most of the index, the database looks emptied or replaced, and repair leaves the index alone.
    unexplained: int = 0
    repaired: bool = False
    #: How far into the database's change log this index has come, and where the log ends.
    index_position: int = 0
    log_head: int = 0

    @property
    def behind(self) -> int:
        """Entries of the change log this index has yet to apply (it catches up when it can be written)."""
        return max(self.log_head - self.index_position, 0)

    @property
    def problems(self) -> int:
        index_problem = self.index_state not in ("current", "not checked")
        return (
            int(self.schema_revision != self.schema_head)
            + int(index_problem)
            + len(self.missing)
            + len(self.extra)
            + len(self.stale)
            + len(self.doubled)
            + self.orphan_links
            + self.broken_duplicate_links
            + len(self.database_damage)
            + len(self.damaged_rows)
            + len(self.damaged_files)
        )

    @property
    def database_looks_replaced(self) -> bool:
        """Whether the index holds more articles the database does not know than ones it knows.

        The database is the source of truth, but one that lost its articles
        (emptied, replaced by another file) would take the index's copies
        with it: --repair then refuses, and `archive reindex` is the explicit
        choice to rebuild the index from the database as it is.
        """
        return self.unexplained > 0 and (self.articles == 0 or 2 * self.unexplained > self.index_documents)

    @property
    def ok(self) -> bool:
        return self.problems == 0


def check_archive(
    db: Database, engine: SearchEngine, *, repair: bool = False, progress: Progress | None = None
) -> CheckReport:
    """Compare the database with the index; with ``repair``, fix what was found and check again.

    The caller holds the writer's lock where it may (see ``Archive.check``).
    """
    progress = progress or Progress()
    report = _inspect(db, engine)
    if repair and not report.ok and not report.database_damage and not report.database_looks_replaced:
        _repair(db, engine, report, progress)
        report = _inspect(db, engine)
        report.repaired = True
    return report


def damaged_file_report(config: ArchiveConfig) -> CheckReport:
    """The report on a database file too damaged to open: what SQLite's check finds, and nothing else checked."""
    from newsarchive.storage.database import make_engine, quick_check

    engine, _ = make_engine(config)
    try:
        found = quick_check(engine)
    finally:
        engine.dispose()
    return CheckReport(
        schema_revision="unknown", schema_head=head_revision(), index_state="not checked",
        database_damage=found or ["the database file cannot be opened"],
    )  # fmt: skip


def _inspect(db: Database, engine: SearchEngine) -> CheckReport:
    from newsarchive.storage.database import DAMAGE_ERRORS, is_damage, quick_check

    report = CheckReport(schema_revision=db.revision, schema_head=head_revision(), index_state="current")
    report.database_damage = quick_check(db.engine)
    try:
        return _compare(db, engine, report)
    except DAMAGE_ERRORS as exc:
        if not (report.database_damage and is_damage(exc)):
            raise
        # What lies in the damaged part cannot be compared: the damage found is the report.
        report.index_state = "not checked"
        return report


def _compare(db: Database, engine: SearchEngine, report: CheckReport) -> CheckReport:
    from newsarchive.errors import IndexDamaged, IndexUnavailable

    report.index_position = engine.position()

    with db.sessions() as session:
        report.damaged_rows = [
            (error.article_id, error.field, error.reason)
            for error in [*damaged_records(session, Article), *damaged_links(session)]
        ]
        report.damaged_files = [
            (error.article_id, error.field, error.reason) for error in damaged_records(session, SourceFile)
        ]
        stored = _stored_revisions(session)
        report.log_head = log.head(session)
        pending = log.changes(session, report.index_position)
        removals = {article_id for article_id, change in pending.items() if change.kind == log.REMOVED}
        report.articles = len(stored)
        report.orphan_links = len(_orphan_links(session))
        report.broken_duplicate_links = len(_broken_duplicate_links(session))
    # A damaged row cannot be indexed: it is reported as damaged, not again as missing.
    unreadable = {article_id for article_id, _, _ in report.damaged_rows}
    if not engine.exists():
        report.index_state = "missing"
        report.missing = sorted(set(stored) - unreadable)
        return report
    if not engine.is_current():
        report.index_state = "outdated"
        return report
    report.index_damage = engine.damage()
    if report.index_damage:
        report.index_state = "damaged"
        return report
    try:
        entries = engine.entries()
    except IndexDamaged as exc:  # (damage the reading back above did not meet)
        report.index_state = "damaged"
        report.index_damage = [exc.message.removeprefix("the search index is damaged: ")]
        return report
    except (IndexUnavailable, OSError) as exc:
        report.index_state = f"unreadable: {exc}"
        return report
    report.index_documents = len(entries)
    counts = Counter(article_id for article_id, _ in entries)
    indexed = dict(entries)
    report.doubled = sorted(article_id for article_id, count in counts.items() if count > 1)
    report.missing = sorted(set(stored) - set(indexed) - unreadable)
    report.extra = sorted(set(indexed) - set(stored))
    report.unexplained = len(set(report.extra) - removals)
    report.stale = sorted(
        article_id
        for article_id, revision in indexed.items()
        if article_id in stored and article_id not in unreadable and stored[article_id] != revision
    )
    return report


def _stored_revisions(session, chunk: int = 5000) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every article's revision by id, but those whose id is not UTF-8 (the damaged rows name them)."""
    from sqlalchemy import Integer, type_coerce

    from newsarchive.errors import UndecodableText
    from newsarchive.storage.database import readable_keys

    # (Read as SQLite holds it, unchecked: a revision that is not a number is 0 here, and named as damage.)
    revision = type_coerce(Article.revision, Integer)
    try:
        rows = list(session.execute(select(Article.id, revision)))
    except UndecodableText:
        ids = readable_keys(session, select(Article.id), lambda _error: None)
        rows = []
        for start in range(0, len(ids), chunk):
            rows += session.execute(select(Article.id, revision).where(Article.id.in_(ids[start : start + chunk]))).all()
    return {article_id: number if isinstance(number, int) else 0 for article_id, number in rows}


def _orphan_links(session) -> list[Any]:  # type: ignore[no-untyped-def]
    """The rowids of the file links that point at no article or no file (by rowid: their text may not read)."""
    rowid = _row_locator(session)
    no_article = select(rowid).where(ArticleFile.article_id.not_in(select(Article.id)))
    its_file = select(SourceFile.path).where(SourceFile.root == ArticleFile.root, SourceFile.path == ArticleFile.path)
    no_file = select(rowid).select_from(ArticleFile).where(~its_file.exists())
    return sorted(set(session.scalars(no_article)) | set(session.scalars(no_file)))


def _row_locator(session) -> Any:  # type: ignore[no-untyped-def]
    """The column locating a file link (SQLite's rowid, PostgreSQL's ctid), as the database's dialect names it."""
    from sqlalchemy import literal_column

    from newsarchive.storage.dialects import Dialect

    return literal_column(f"article_files.{Dialect.for_url(session.get_bind().dialect.name).row_locator}")


def _broken_duplicate_links(session) -> list[str]:  # type: ignore[no-untyped-def]
    from newsarchive.storage.database import readable_keys

    broken = select(Article.id).where(Article.duplicate_of.is_not(None), Article.duplicate_of.not_in(select(Article.id)))
    return readable_keys(session, broken, lambda _error: None)  # (a key that is not UTF-8 is named as damage)


def _repair(db: Database, engine: SearchEngine, report: CheckReport, progress: Progress) -> None:
    """Drop the dangling rows, and make this home's index say what the database says, up to the log's head."""
    from sqlalchemy import update

    from newsarchive.services.indexing import article_document, catch_up, rebuild
    from newsarchive.storage.loading import iter_articles
    from newsarchive.storage.unit_of_work import UnitOfWork, attempt

    def drop_dangling(work: UnitOfWork) -> list[str]:
        orphans = _orphan_links(work.session)
        if orphans:
            work.session.execute(delete(ArticleFile).where(_row_locator(work.session).in_(orphans)))
        broken = _broken_duplicate_links(work.session)
        if broken:
            work.session.execute(update(Article).where(Article.id.in_(broken)).values(duplicate_of=None))
            work.stored(broken)  # (every index is to drop the link)
        work.commit()
        return broken

    broken = attempt(db, drop_dangling)
    if report.index_state != "current":
        rebuild(db, engine, progress, on_damaged=lambda _error: None)  # (the report names them)
        return
    unreadable = {article_id for article_id, _, _ in report.damaged_rows}
    redo = sorted((set(report.missing) | set(report.stale) | set(report.doubled) | set(broken)) - unreadable)
    articles = list(iter_articles(db.sessions, redo, on_damaged=lambda _error: None))  # (the report names them)
    writer = engine.writer()
    try:
        for article_id in set(report.extra) | set(report.doubled):
            writer.delete(article_id)
        for article in articles:
            if article.id in report.doubled:
                writer.add(article_document(article))  # its copies were deleted above
            else:
                writer.replace(article_document(article))
        writer.commit(engine.position())  # (the log is applied as far as before: catch_up goes on from there)
    finally:
        writer.close()
    catch_up(db, engine, on_damaged=lambda _error: None)
