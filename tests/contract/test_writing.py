"""What every search engine does with changes: adding, replacing, deleting, committing, rebuilding."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine_kit import article, at, find, ids, new_engine, q, rebuilt, stored, unbuilt_engine

FIRST = [
    article("a", "Council meets", "The council met to discuss the harbour.", datetime(2024, 1, 2, 9)),
    article("b", "Harbour works", "Work on the harbour begins in spring.", datetime(2024, 1, 3, 9)),
]


def test_rebuild_makes_a_new_index_at_a_position(engine_name: str, tmp_path: Path) -> None:
    engine = unbuilt_engine(engine_name, tmp_path, FIRST)
    assert not engine.exists()
    assert engine.rebuild(FIRST, 4) == 2
    assert engine.exists() and engine.is_current()
    assert (engine.document_count(), engine.position()) == (2, at(engine, 4))
    assert sorted(engine.entries()) == [("a", 1), ("b", 1)]


def test_rebuild_replaces_everything(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path, FIRST, 4)
    later = [article("c", "Ferry strike", "The ferry crews strike over pay.", None)]
    assert rebuilt(engine, later, 10) == 1
    assert engine.matching_ids(q("harbour")) == []
    assert ids(find(engine, "ferry")) == ["c"]
    assert (engine.document_count(), engine.position(), engine.entries()) == (1, at(engine, 10), [("c", 1)])


def test_nothing_is_seen_before_commit_and_close_drops_it(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path, FIRST, 4)
    writer = engine.writer()
    writer.add(stored(engine, article("c", "Ferry strike", "The ferry crews strike over pay.")))
    writer.delete("a")
    assert engine.matching_ids(q("ferry")) == [] and engine.document_count() == 2
    writer.close()
    assert engine.matching_ids(q("ferry")) == [] and sorted(engine.matching_ids(q("harbour"))) == ["a", "b"]
    assert engine.position() == at(engine, 4)


def test_commit_makes_changes_seen_and_records_the_position(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path, FIRST, 4)
    writer = engine.writer()
    writer.add(stored(engine, article("c", "Ferry strike", "The ferry crews strike over pay.")))
    writer.commit(7)
    writer.close()
    assert ids(find(engine, "ferry")) == ["c"]
    assert (engine.document_count(), engine.position()) == (3, at(engine, 7))
    writer = engine.writer()
    writer.commit()  # (a commit part-way through a run records no position)
    writer.close()
    assert engine.position() == at(engine, 7)


def test_replace_leaves_one_document_with_the_new_text(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path, FIRST, 4)
    writer = engine.writer()
    changed = article("a", "Council adjourns", "The council adjourned without a vote.", datetime(2024, 1, 2, 9), revision=2)
    writer.replace(stored(engine, changed))
    writer.commit(5)
    writer.close()
    assert ids(find(engine, "adjourned")) == ["a"]
    assert ids(find(engine, "harbour")) == ["b"]  # the old text is gone
    assert sorted(engine.entries()) == [("a", 2), ("b", 1)]
    assert engine.document_count() == 2


def test_delete_takes_a_document_out_of_every_answer(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path, FIRST, 4)
    writer = engine.writer()
    writer.delete("b")
    writer.delete("never-indexed")  # (nothing to delete: no error)
    writer.commit(6)
    writer.close()
    assert ids(find(engine, "harbour")) == ["a"]
    assert engine.matching_ids(q("spring")) == []
    assert engine.count_by_period(None, [datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)]).counts == [1]
    assert (engine.document_count(), engine.entries(), engine.position()) == (1, [("a", 1)], at(engine, 6))


def test_several_commits_and_a_merge_keep_every_document(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path)
    notices = [article(f"n{number:02d}", f"Notice {number}", "A notice about the harbour.") for number in range(30)]
    stored(engine, *notices)
    writer = engine.writer()
    for number, notice in enumerate(notices):
        writer.add(notice)
        if number % 10 == 9:
            writer.commit(number)
    writer.merge()
    writer.close()
    assert (engine.document_count(), engine.position()) == (30, at(engine, 29))
    assert find(engine, "notice", limit=5).total == 30


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the engine writes in this process only")
def test_writing_in_several_processes_gives_the_same_index(engine_name: str, tmp_path: Path) -> None:
    documents = [article(f"n{number:03d}", f"Notice {number}", f"Notice {number} about the harbour.") for number in range(120)]
    engine = new_engine(engine_name, tmp_path / "one", documents, 3)
    processes = engine.workers_for(len(documents), cap=2)
    both = new_engine(engine_name, tmp_path / "many", (), 0)
    assert both.rebuild(iter(documents), 3, processes=processes) == 120
    assert sorted(both.entries()) == sorted(engine.entries())
    assert sorted(both.matching_ids(q("harbour"))) == sorted(engine.matching_ids(q("harbour")))


def test_workers_for_keeps_a_small_or_capped_job_in_one_process(engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path)
    assert engine.workers_for(10) == 1
    assert engine.workers_for(1_000_000, cap=1) == 1
    assert 1 <= engine.workers_for(1_000_000) <= (os.cpu_count() or 1)
