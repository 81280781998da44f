"""A batch's new articles are written by insert-or-get: what another writer stored meanwhile is taken as theirs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from newsarchive.archive import Archive
from newsarchive.config import resolve_config
from newsarchive.services.ingest import IngestOptions
from newsarchive.storage import log, store
from newsarchive.storage.database import open_database
from newsarchive.storage.models import Article, ArticleFile

sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
from test_faults import make_collection  # noqa: E402


def _another_writers_row(article_id: str, content_hash: str) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "id": article_id, "title": "Stored by another machine", "body": [], "authors": [], "content_hash": content_hash,
        "revision": 1, "ingested_at": now, "updated_at": now,
    }  # fmt: skip


def test_a_text_stored_meanwhile_is_theirs_and_an_id_taken_meanwhile_gives_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = resolve_config(tmp_path / "home")
    folder = make_collection(tmp_path / "in", 3)
    write_fresh = store.BatchStore._write_fresh
    meanwhile: dict[str, str] = {}

    def another_writer_first(self: store.BatchStore) -> None:
        theirs, collided, _ = sorted(self.fresh, key=lambda article: article.content_hash)
        meanwhile.update(hash=theirs.content_hash, collided=collided.content_hash)
        rows = [_another_writers_row("theirs0001", theirs.content_hash), _another_writers_row(collided.id, "f" * 64)]
        self.session.execute(insert(Article), rows)
        write_fresh(self)

    monkeypatch.setattr(store.BatchStore, "_write_fresh", another_writer_first)
    with Archive(config) as archive:
        report = archive.ingest([folder], IngestOptions(processes=1))
    assert (report.new, report.duplicate, report.failed) == (2, 1, 0)
    db = open_database(config)
    try:
        with db.sessions() as session:
            ids = dict(session.execute(select(Article.content_hash, Article.id)).all())
            places = dict(session.execute(select(ArticleFile.article_id, ArticleFile.path)).all())
            logged = [article_id for _position, article_id, _kind in log.entries(session, 0)]
    finally:
        db.close()
    assert ids[meanwhile["hash"]] == "theirs0001" and "theirs0001" in places  # (its file joined their article)
    assert ids[meanwhile["collided"]] == meanwhile["collided"][:12]  # (the next length of its hash)
    assert sorted(logged) == sorted(ids[h] for h in ids if h not in (meanwhile["hash"], "f" * 64))
