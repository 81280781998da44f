"""The PostgreSQL engine's own side on a real server: its tables, the rows a unit of work stages, rebuilds,
writers and the vocabulary the query side looks words up in. (What it answers is in tests/contract.)"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from _postgres import Server
from engine_kit import article, new_engine
from newsarchive.config import ArchiveConfig
from newsarchive.engines import open_engine
from newsarchive.engines.postgres import schema, vocabulary
from newsarchive.engines.postgres.engine import PostgresEngine, server_url
from newsarchive.errors import ConfigError, IndexUnavailable
from newsarchive.storage.database import Database, open_database
from newsarchive.storage.models import Article
from newsarchive.storage.unit_of_work import UnitOfWork

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
def config(postgres: Server, tmp_path: Path) -> ArchiveConfig:
    url = postgres.database()
    return ArchiveConfig(home=tmp_path, database_url=url, index_dir=tmp_path / "index", engine="postgres")


@pytest.fixture
def db(config: ArchiveConfig) -> Iterator[Database]:
    database = open_database(config, create=True)
    yield database
    database.close()


@pytest.fixture
def engine(config: ArchiveConfig) -> Iterator[PostgresEngine]:
    made = open_engine(config)
    assert isinstance(made, PostgresEngine)
    yield made
    made.close()


def connect(config: ArchiveConfig):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(server_url(config.database_url))


def stored(title: str, body: str, article_id: str, **values: object) -> Article:
    values = {"authors": [], **values}
    return Article(
        id=article_id, title=title, description=None, body=[{"kind": "paragraph", "text": body}],
        content_hash=article_id, ingested_at=NOW, updated_at=NOW, **values,
    )  # fmt: skip


def terms(config: ArchiveConfig) -> dict[str, int]:
    with connect(config) as connection:
        return dict(connection.execute("SELECT term, docs FROM search_terms").fetchall())


def matching(config: ArchiveConfig, lexeme: str) -> list[str]:
    with connect(config) as connection:
        rows = connection.execute("SELECT id FROM search_docs WHERE vector @@ %s::tsquery ORDER BY id", (lexeme,))
        return [row[0] for row in rows]


def test_before_the_first_build_a_unit_of_work_writes_no_rows_and_the_build_has_its_articles(
    db: Database, engine: PostgresEngine, config: ArchiveConfig
) -> None:
    """(Making the tables under the log's lock would wait for other writers' articles while they wait for it.)"""
    db.stage = engine.stage
    with UnitOfWork(db) as work:
        work.session.add(stored("Harbour works", "Work on the harbour begins.", "a"))
        work.stored(["a"])
        work.commit()
    assert not engine.exists()
    assert engine.rebuild([], 0) == 1 and matching(config, "harbour") == ["a"]


def test_a_unit_of_work_stages_rows_and_vocabulary_that_commit_with_it(db: Database, engine: PostgresEngine, config: ArchiveConfig) -> None:
    engine.rebuild([], 0)  # (the first build makes the tables)
    db.stage = engine.stage  # (as the Archive wires it: the unit of work stages just before its commit)
    with UnitOfWork(db) as work:
        work.session.add_all([
            stored("Harbour works", "Work on the harbour begins.", "a", published_at=datetime(2024, 1, 3, 9, tzinfo=UTC),
                   date_precision="minute", source="bbc", language="en", authors=["Ann Lee"]),
            stored("Ferry strike", "The ferry crews strike.", "b"),
        ])  # fmt: skip
        work.stored(["a", "b"])
        work.commit()
    assert matching(config, "harbour") == ["a"] and matching(config, "'ferri':A") == ["b"]
    assert terms(config)["harbour"] == 1 and terms(config)["work"] == 1
    with connect(config) as connection:
        row = connection.execute("SELECT published, precision, source, lang, authors, grp, revision FROM search_docs WHERE id = 'a'").fetchone()
    assert row == (datetime(2024, 1, 3, 9, tzinfo=UTC), "minute", "bbc", "en", ["Ann Lee"], "a", 1)

    with UnitOfWork(db) as work:  # a changed article: its old terms leave the vocabulary
        changed = work.session.get(Article, "a")
        assert changed is not None
        changed.body = [{"kind": "paragraph", "text": "The council met."}]
        work.changed(changed, NOW)
        work.commit()
    assert matching(config, "harbour") == ["a"] and matching(config, "council") == ["a"]
    assert "begin" not in terms(config) and terms(config)["work"] == 1 and terms(config)["council"] == 1
    assert ("a", 2) in engine.entries()

    with UnitOfWork(db) as work:  # a removal: the row is read for its terms, then deleted
        work.session.delete(work.session.get(Article, "b"))
        work.removed(["b"])
        work.commit()
    assert matching(config, "ferri") == [] and "ferri" not in terms(config) and "strike" not in terms(config)
    assert engine.entries() == [("a", 2)] and engine.document_count() == 1


def test_a_removal_not_staged_is_refused_at_commit(db: Database, engine: PostgresEngine) -> None:
    """The foreign key is checked at commit: rows are never left behind their article, nor their terms counted."""
    import sqlalchemy.exc

    engine.rebuild([], 0)
    db.stage = engine.stage
    with UnitOfWork(db) as work:
        work.session.add(stored("Harbour works", "Work on the harbour.", "a"))
        work.stored(["a"])
        work.commit()
    db.stage = None  # (a machine that would not stage)
    with UnitOfWork(db) as work, pytest.raises(sqlalchemy.exc.IntegrityError):
        work.session.delete(work.session.get(Article, "a"))
        work.removed(["a"])
        work.commit()


def test_rebuild_replaces_every_row_and_records_the_version(db: Database, engine: PostgresEngine, config: ArchiveConfig) -> None:
    assert not engine.exists() and not engine.is_current()
    with UnitOfWork(db) as work:
        work.session.add_all([stored("Harbour works", "The harbour.", "a"), stored("Ferry strike", "The ferry.", "b")])
        work.stored(["a", "b"])
        work.commit()
    # Rebuilt from "a" alone as of position 0: "b", logged after it, is applied from the articles too.
    assert engine.rebuild([article("a", "Harbour works", "The harbour.")], 0) == 2
    assert engine.exists() and engine.is_current() and engine.position() == 2
    assert sorted(engine.entries()) == [("a", 1), ("b", 1)] and engine.damage() == []
    assert terms(config) == {"harbour": 1, "work": 1, "ferri": 1, "strike": 1}
    assert engine.rebuild([article("a", "Harbour works", "The harbour.")], 2) == 1  # (as if "b" were gone)
    assert terms(config) == {"harbour": 1, "work": 1}


def test_a_writer_is_seen_at_commit_and_close_drops_it(db: Database, engine: PostgresEngine, config: ArchiveConfig) -> None:
    with UnitOfWork(db) as work:
        work.session.add_all([stored("Harbour", "x", "a"), stored("Ferry", "y", "b")])
        work.commit()
    engine.rebuild([article("a", "Harbour", "x")], 0)
    writer = engine.writer()
    writer.add(article("b", "Ferry", "y"))
    writer.delete("a")
    writer.commit()
    assert matching(config, "ferri") == ["b"] and matching(config, "harbour") == []
    assert terms(config) == {"ferri": 1}
    writer = engine.writer()
    writer.replace(article("b", "Strike", "y", revision=2))
    writer.close()
    assert engine.entries() == [("b", 1)]


def test_the_tables_are_made_once_by_machines_starting_together(config: ArchiveConfig, db: Database) -> None:
    with connect(config) as first, connect(config) as second:
        assert schema.make(first)
        made: list[bool] = []
        waiting = threading.Thread(target=lambda: made.append(schema.make(second)))
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()  # held by the first one's lock
        first.commit()
        waiting.join(5)
        assert made == [False]
        assert schema.meta(second, "trigrams") == "yes"


def test_the_vocabulary_counts_and_looks_up_words(config: ArchiveConfig, db: Database) -> None:
    with connect(config) as connection:
        schema.make(connection)
        words = Counter("government governor govern goverment cat cut cats ca_t apple apply o'brien".split())
        vocabulary.count(connection, words, Counter())
        vocabulary.count(connection, Counter(["cat", "cat"]), Counter(["apply", "cut"]))
        assert vocabulary.docs_of(connection, ["cat", "cut", "apply", "nothing"]) == {"cat": 3}
        # (by the key, bitmaps off for that statement alone: the trigram index would answer = too, and slowly)
        assert connection.execute("SHOW enable_bitmapscan").fetchone() == ("on",)
        connection.execute("SET LOCAL enable_bitmapscan = off")  # a caller's own setting is left as it was
        assert vocabulary.docs_of(connection, ["cat"]) == {"cat": 3}
        assert connection.execute("SHOW enable_bitmapscan").fetchone() == ("off",)
        connection.execute("SET LOCAL enable_bitmapscan = on")
        assert vocabulary.terms_like(connection, "gov%", 10) == ["goverment", "govern", "government", "governor"]
        assert vocabulary.terms_like(connection, "ca\\_%", 10) == ["ca_t"]
        assert vocabulary.terms_between(connection, "c", "cats", False, True, 10) == ["ca_t", "cat"]
        assert vocabulary.terms_between(connection, "govern", None, True, False, 2) == ["government", "governor"]
        for trigrams in (True, False):
            if not trigrams:  # a server that refused pg_trgm: the words sharing the first letters are looked at
                connection.execute("DROP INDEX search_terms_trigrams")
            assert vocabulary.has_trigrams(connection) is trigrams
            assert vocabulary.terms_near(connection, "goverment", 1, 1, 10) == ["goverment", "government"]
            assert vocabulary.terms_near(connection, "governmint", 1, 3, 10) == ["government"]
            assert vocabulary.terms_near(connection, "cot", 1, 1, 10) == ["cat"]
        assert vocabulary.total_docs(connection) == 0


def test_the_engine_needs_a_postgresql_database(tmp_path: Path) -> None:
    config = ArchiveConfig(home=tmp_path, database_url=f"sqlite:///{tmp_path}/a.db", index_dir=tmp_path, engine="postgres")
    with pytest.raises(ConfigError, match="PostgreSQL database"):
        open_engine(config)


def test_a_server_out_of_reach_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    engine = open_engine(ArchiveConfig(home=tmp_path, database_url=url, index_dir=tmp_path, engine="postgres"))
    with pytest.raises(IndexUnavailable, match="^cannot reach the search database: ") as raised:
        engine.exists()
    assert "\n" not in raised.value.message


def test_the_contract_kit_stores_its_documents_as_articles(postgres: Server, tmp_path: Path) -> None:
    documents = [article("a", "Harbour", "x"), article("b", "Copy", "x", duplicate_of="a")]
    engine = new_engine("postgres", tmp_path, documents, 3, database_url=postgres.database())
    assert engine.is_current() and sorted(engine.entries()) == [("a", 1), ("b", 1)]


def test_an_archive_on_the_engine_has_its_units_of_work_stage_the_rows(config: ArchiveConfig, db: Database) -> None:
    import dataclasses

    from newsarchive.archive import Archive

    with Archive(config) as archive:
        assert archive.database.stage == archive.engine.stage
        assert not archive.engine.exists()
    with Archive(dataclasses.replace(config, engine="whoosh")) as archive:  # a local index follows the log instead,
        assert archive.engine.follows_log  # but the team's search rows are still written with each change
        assert archive.database.stage is not None and archive.database.stage != archive.engine.stage


def test_a_rebuild_analysed_in_worker_processes_writes_the_same_rows(db: Database, engine: PostgresEngine, config: ArchiveConfig) -> None:
    documents = [article(f"a{number}", f"Harbour {number}", f"Work number {number} on the harbour.") for number in range(30)]
    with UnitOfWork(db) as work:
        work.session.add_all([stored(document.title, document.body, document.id) for document in documents])
        work.commit()
    assert engine.rebuild(documents, 0, processes=2) == 30
    with connect(config) as connection:
        rows = connection.execute("SELECT id, vector::text FROM search_docs ORDER BY id").fetchall()
    vocabulary_then = terms(config)
    engine.rebuild(documents, 0, processes=1)
    with connect(config) as connection:
        assert connection.execute("SELECT id, vector::text FROM search_docs ORDER BY id").fetchall() == rows
    assert terms(config) == vocabulary_then and vocabulary_then["harbour"] == 30
    assert engine.workers_for(100_000, 1) == engine.workers_for(100, None) == 1


def test_while_a_writer_with_workers_is_open_units_of_work_analyse_their_rows_in_them(
    db: Database, engine: PostgresEngine, config: ArchiveConfig
) -> None:
    """(An ingest opens one before it reads files, so the rows of its batches are analysed beside the storing.)"""
    import multiprocessing

    from newsarchive.engines.postgres.writing import Analysers

    engine.rebuild([], 0)
    db.stage = engine.stage
    texts = [(f"a{number:02}", f"Harbour {number}", f"Work number {number} on the harbour.") for number in range(80)]
    assert len(texts) >= Analysers.IN_PROCESS_BELOW
    before = set(multiprocessing.active_children())
    writer = engine.writer(processes=2)
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 2
    with UnitOfWork(db) as work:
        work.session.add_all([stored(title, body, article_id) for article_id, title, body in texts])
        work.stored([article_id for article_id, _, _ in texts])
        work.commit()
    with connect(config) as connection:
        in_workers = connection.execute("SELECT id, vector::text FROM search_docs ORDER BY id").fetchall()
    writer.close()
    assert not any(worker.is_alive() for worker in workers)

    engine.rebuild([], 0)  # the same rows, made again from the change log in this process
    with connect(config) as connection:
        assert connection.execute("SELECT id, vector::text FROM search_docs ORDER BY id").fetchall() == in_workers
    assert len(in_workers) == 80 and terms(config)["harbour"] == 80


def test_a_connection_lost_while_staging_the_rows_is_tried_again(db: Database, engine: PostgresEngine, config: ArchiveConfig) -> None:
    from newsarchive.storage.unit_of_work import attempt

    engine.rebuild([], 0)
    lost: list[int] = []

    def stage(session, stored_ids, removed) -> None:  # type: ignore[no-untyped-def]
        if not lost:  # the first time: the server ends this session's connection after its articles were sent
            session.flush()
            lost.append(session.connection().connection.driver_connection.info.backend_pid)
            with connect(config) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (lost[0],))
        engine.stage(session, stored_ids, removed)

    db.stage = stage

    runs: list[int] = []

    def work(unit: UnitOfWork) -> None:
        runs.append(len(runs) + 1)
        unit.session.add(stored("Harbour works", "Work on the harbour begins.", "a"))
        unit.stored(["a"])
        unit.commit()

    attempt(db, work)
    assert lost and runs == [1, 2]
    assert matching(config, "harbour") == ["a"] and terms(config)["harbour"] == 1


def test_catching_up_the_rows_is_not_refused_when_another_machine_stores_the_first_articles_meanwhile(
    db: Database, engine: PostgresEngine, config: ArchiveConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Rows written in the articles' own transactions cannot outlive them: no database looks emptied beside them.)"""
    from newsarchive.services.indexing import catch_up

    engine.rebuild([], 0)
    db.stage = engine.stage
    counted = engine.document_count

    def another_machine_stores_then_count() -> int:  # between this machine's look at the articles and its count
        with UnitOfWork(db) as work:
            work.session.add(stored("Harbour works", "Work on the harbour begins.", "a"))
            work.stored(["a"])
            work.commit()
        return counted()

    monkeypatch.setattr(engine, "document_count", another_machine_stores_then_count)
    assert not catch_up(db, engine).rebuilt  # (before: "the archive database holds no articles, while its
    # search index holds 1", from a look at the articles and a count of the rows a commit apart)
