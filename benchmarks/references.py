"""What a user would pick instead: SQLite FTS5 through sqlite-utils and plain Whoosh; and tantivy.

sqlite-utils gets the same articles as `archive ingest` stores: title, lede,
body and date of each distinct file, written to NDJSON by ``write_ndjson``
(timed apart from the insert). FTS5 indexes title, description and body,
the same text our index holds. Plain Whoosh and tantivy build from the files
for the ingest figures, and from the same NDJSON records for the comparison
with `archive reindex`. Each tool is driven as a fresh process (the cold
figures) and through its library in one process (``InProcess``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from make_corpus import article_files, decode_bytes, split_article
from measure import Task, warm_latencies
from queries import Query

HERE = Path(__file__).resolve().parent
TABLE = "articles"
FTS_COLUMNS = ("title", "description", "body")
# The statement `sqlite-utils search --sql` prints, with a date range added
# (`sqlite-utils search` itself has no --where).
_DATED_SEARCH_SQL = f"""
with original as (select rowid, * from {TABLE})
select original.* from original join {TABLE}_fts on original.rowid = {TABLE}_fts.rowid
where {TABLE}_fts match :query and original.date >= :since and original.date < :until
order by {TABLE}_fts.rank limit 10
"""
_SNIPPET_SQL = f"""
select a.id, a.title, a.date, snippet({TABLE}_fts, -1, '**', '**', '…', 24)
from {TABLE}_fts join {TABLE} a on a.rowid = {TABLE}_fts.rowid
where {TABLE}_fts match :query and (:since is null or (a.date >= :since and a.date < :until))
order by {TABLE}_fts.rank limit 10
"""


def tool(name: str) -> str:
    """A console script installed beside this Python (the venv's archive, sqlite-utils)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


# --- sqlite-utils ------------------------------------------------------------------


def write_ndjson(corpus: Path, out: Path) -> int:
    """One JSON line per distinct file under ``corpus`` (byte-identical copies once); returns the count.

    Parsed by the benchmark itself (``split_article``), not by newsarchive, so
    the reference does not change when the project's parser does.
    """
    seen: set[str] = set()
    with out.open("w", encoding="utf-8") as sink:
        for path in article_files(corpus):
            data = path.read_bytes()
            key = hashlib.sha256(data).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            article = split_article(decode_bytes(data))
            record = {
                "id": key[:16],
                "title": article.title,
                "description": article.description,
                "body": "\n".join(article.paragraphs),
                "date": article.published.isoformat() + "+00:00" if article.published else None,
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(seen)


def timed_ndjson(corpus: Path, out: Path) -> tuple[int, float]:
    started = time.perf_counter()
    records = write_ndjson(corpus, out)
    return records, time.perf_counter() - started


def sqlite_ingest_task(ndjson: Path, db: Path) -> Task:
    """`sqlite-utils insert` then `enable-fts --fts5 --tokenize porter`, into a new database."""
    sqlite_utils = tool("sqlite-utils")
    return Task.of(
        [sqlite_utils, "insert", db, TABLE, ndjson, "--nl", "--pk", "id"],
        [sqlite_utils, "enable-fts", db, TABLE, *FTS_COLUMNS, "--fts5", "--tokenize", "porter"],
        prepare=lambda: _remove_database(db),
    )


def sqlite_search_task(db: Path, query: Query) -> Task:
    """`sqlite-utils search` (top 10 by rank); a date range goes through `sqlite-utils query`."""
    sqlite_utils = tool("sqlite-utils")
    if not query.dated:
        return Task.of([sqlite_utils, "search", db, TABLE, query.text, "--limit", "10"])
    since, until = query.sql_range()
    return Task.of(
        [sqlite_utils, "query", db, _DATED_SEARCH_SQL, "-p", "query", query.text, "-p", "since", since, "-p", "until", until]
    )


def sqlite_hit_count(db: Path, query: Query) -> int:
    since, until = query.sql_range() if query.dated else (None, None)
    with sqlite3.connect(db) as connection:
        return connection.execute(
            f"select count(*) from {TABLE}_fts join {TABLE} a on a.rowid = {TABLE}_fts.rowid "
            f"where {TABLE}_fts match :query and (:since is null or (a.date >= :since and a.date < :until))",
            {"query": query.text, "since": since, "until": until},
        ).fetchone()[0]


def sqlite_warm_latencies(db: Path, queries: Sequence[Query]) -> list[float]:
    """Seconds per query for top-10 hits with FTS5 snippets, on one open connection, after a warm-up pass."""
    connection = sqlite3.connect(db)
    try:

        def run(query: Query) -> None:
            since, until = query.sql_range() if query.dated else (None, None)
            connection.execute(_SNIPPET_SQL, {"query": query.text, "since": since, "until": until}).fetchall()

        return warm_latencies(run, queries)
    finally:
        connection.close()


def _remove_database(db: Path) -> None:
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)


# --- plain Whoosh ------------------------------------------------------------------


def whoosh_build_task(corpus: Path, index_dir: Path) -> Task:
    return Task.of([sys.executable, HERE / "whoosh_baseline.py", "build", corpus, index_dir])


def whoosh_records_task(ndjson: Path, index_dir: Path) -> Task:
    return Task.of([sys.executable, HERE / "whoosh_baseline.py", "build-records", ndjson, index_dir])


def whoosh_search_task(index_dir: Path, query: Query) -> Task | None:
    """None for a date range: the baseline stores no dates."""
    if query.dated:
        return None
    return Task.of([sys.executable, HERE / "whoosh_baseline.py", "search", index_dir, query.text])


# --- tantivy -----------------------------------------------------------------------


def tantivy_build_task(corpus: Path, index_dir: Path) -> Task:
    return Task.of([sys.executable, HERE / "tantivy_baseline.py", "build", corpus, index_dir])


def tantivy_records_task(ndjson: Path, index_dir: Path) -> Task:
    return Task.of([sys.executable, HERE / "tantivy_baseline.py", "build-records", ndjson, index_dir])


def tantivy_search_task(index_dir: Path, query: Query) -> Task:
    dates = [*(["--since", query.since.isoformat()] if query.since else []), *(["--until", query.until.isoformat()] if query.until else [])]
    return Task.of([sys.executable, HERE / "tantivy_baseline.py", "search", index_dir, query.text, *dates])


# --- the references through their libraries, in one process --------------------------


class InProcess:
    """Each reference opened once, for searches in a warm process: ``top10`` as the cold commands
    print them (titles or rows, no snippets), ``snippets`` for the warm table, and hit counts."""

    def __init__(self, sqlite_db: Path, whoosh_index: Path, tantivy_index: Path) -> None:
        import sqlite_utils
        import tantivy_baseline
        import whoosh_baseline

        self.sqlite = sqlite_utils.Database(sqlite_db)
        self.whoosh = whoosh_baseline.Searching(whoosh_index)
        self.tantivy = tantivy_baseline.Searching(tantivy_index)

    def top10(self, tool: str, query: Query) -> list[object] | None:
        """What the tool's cold command prints, or None when it cannot run the query."""
        if tool == "sqlite-utils":
            if not query.dated:
                return list(self.sqlite[TABLE].search(query.text, limit=10))
            since, until = query.sql_range()
            return list(self.sqlite.query(_DATED_SEARCH_SQL, {"query": query.text, "since": since, "until": until}))
        if tool == "whoosh":
            return None if query.dated else self.whoosh.titles(query.text)
        return self.tantivy.titles(query.text, query.since, query.until)

    def snippets(self, tool: str, query: Query) -> list[str] | None:
        """The top 10 with snippets (plain Whoosh: titles only, and no date ranges)."""
        if tool == "whoosh":
            return self.top10(tool, query)  # type: ignore[return-value]
        return self.tantivy.snippets(query.text, query.since, query.until)

    def hit_count(self, tool: str, query: Query) -> int | None:
        if tool == "whoosh":
            return None if query.dated else self.whoosh.count(query.text)
        return self.tantivy.count(query.text, query.since, query.until)

    def close(self) -> None:
        self.sqlite.close()
        self.whoosh.close()
