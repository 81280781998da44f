"""The database is the source of truth; a crash between its commit and the index's is repaired."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import update
from whoosh import index as whoosh_index

from newsarchive.config import resolve_config
from newsarchive.db import open_database
from newsarchive.models import Article


def _search_total(archive, query: str) -> int:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", query, "--json").stdout)["total"]


def _simulate_crash_before_index_commit(home: Path, article_id: str) -> None:
    """The database has the article, the index does not: as if killed between the two commits."""
    db = open_database(resolve_config(home))
    with db.sessions() as session:
        session.execute(update(Article).where(Article.id == article_id).values(indexed_revision=None))
        session.commit()
    db.close()
    ix = whoosh_index.open_dir(str(home / "index"))
    writer = ix.writer()
    writer.delete_by_term("id", article_id)
    writer.commit()


def test_the_next_ingest_repairs_an_interrupted_one(archive, seed_dir: Path, archive_home: Path, tmp_path: Path) -> None:
    archive("ingest", seed_dir)
    article_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    _simulate_crash_before_index_commit(archive_home, article_id)
    assert _search_total(archive, "Kursk") == 0
    assert "not yet indexed: 1 articles" in archive("info").stdout

    empty = tmp_path / "nothing-new"
    empty.mkdir()
    result = archive("ingest", empty)
    assert "re-indexed 1 left over from an interrupted run" in result.stdout
    assert _search_total(archive, "Kursk") == 1
    assert "not yet indexed" not in archive("info").stdout


def test_a_lost_index_is_rebuilt_by_the_next_ingest(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    shutil.rmtree(archive_home / "index")
    assert "no search index" in archive("search", "Kursk", expect=1).stderr
    archive("ingest", seed_dir)
    assert _search_total(archive, "Kursk") == 1


def test_reindex_rebuilds_a_damaged_index(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    postings = list((archive_home / "index").glob("*.pst"))
    assert postings
    for path in postings:
        path.write_bytes(b"garbage")
    assert "the search index is damaged" in archive("search", "Kursk", expect=1).stderr
    archive("reindex")
    assert _search_total(archive, "Kursk") == 1


def test_date_filters_work_when_whoosh_skips_counting(tmp_path: Path) -> None:
    """With many hits Whoosh stops counting exactly, and its collapsing collector then
    failed when given a filter ('TopCollector' object has no attribute 'subsearchers')."""
    from datetime import UTC, datetime

    from newsarchive.index.reader import search_index
    from newsarchive.index.schema import IndexDocument
    from newsarchive.index.store import create_index, holds_copies, open_writer

    path = tmp_path / "index"
    create_index(path)
    writer = open_writer(path)
    for n in range(600):
        writer.add(IndexDocument(
            id=f"a{n:04d}", title=f"Election report {n}", description="Polls open.",
            body="The election campaign goes on. " * (1 + n % 7), published=datetime(2020 + n % 3, 1 + n % 12, 10),
            precision="day", source=None, revision=1, duplicate_of="a0000" if n == 599 else None,
        ))  # fmt: skip
    writer.commit()
    assert holds_copies(path)
    page = search_index(
        path, "election", since=datetime(2021, 1, 1, tzinfo=UTC), until=datetime(2021, 12, 31, tzinfo=UTC),
        limit=2, facets=("year",),
    )
    assert page.total == 200 and len(page.hits) == 2  # a0599 is a copy of a0000, from 2020
    assert dict(page.facets["year"]) == {"2021": 200}
