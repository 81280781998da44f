"""Near-duplicate lookups: exact as before, and a cost per article that does not grow with the archive."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from newsarchive.ingest import neardup
from newsarchive.ingest.neardup import NearDuplicates, similarity, sketch
from test_cli import write_article

WORDS = (
    "minister harbour council budget storm election police court railway hospital school vote market "
    "strike river bridge festival museum airport factory union farmers village mayor ferry"
).split()


def story(number: int, words: int = 60) -> str:
    """A text of its own for each number: the same words in an order the number decides."""
    rng = random.Random(number)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def test_similarity_is_the_bottom_k_estimate() -> None:
    first, copy, other = sketch(story(1)), sketch(story(1) + " and one more line at the end"), sketch(story(2))
    assert first and copy and other
    assert similarity(first, first) == 1.0
    assert similarity(first, copy) >= neardup.SIMILARITY > similarity(first, other)


def test_a_batch_reads_the_sketches_it_needs_in_one_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neardup, "CACHED_SKETCHES", 10)
    stored = {f"a{number}": sketch(story(number)) for number in range(100)}
    loads: list[list[str]] = []

    def load(ids: list[str]) -> dict[str, bytes]:
        loads.append(ids)
        return {article_id: stored[article_id] for article_id in ids}  # type: ignore[misc]

    finder = NearDuplicates(load)
    for article_id, packed in stored.items():
        finder.add(article_id, packed)  # type: ignore[arg-type]
    finder.trim()  # the earlier batches are stored: all but 10 sketches leave memory

    copies = [sketch(story(number) + " with a line added") for number in range(50)]
    finder.prefetch(copies)  # type: ignore[arg-type]
    assert [finder.find(packed) for packed in copies] == [f"a{number}" for number in range(50)]  # type: ignore[arg-type]
    assert len(loads) == 1


def test_copies_far_into_a_long_ingest_cost_no_query_each(archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past CACHED_SKETCHES stored articles, each new article used to read its candidates' sketches alone."""
    monkeypatch.setattr(neardup, "CACHED_SKETCHES", 0)
    for number in range(30):
        write_article(tmp_path / "first", f"{number}.txt", f"Story {number} of the day", "12 March 2024", story(number))
    archive("ingest", tmp_path / "first")
    for number in range(30):
        write_article(tmp_path / "again", f"{number}.txt", f"Story {number}, updated", "13 March 2024", story(number), "A line added.")
    lookups: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT articles.id, articles.sketch"):
            lookups.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        report = json.loads(archive("ingest", tmp_path / "again", "--json").stdout)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert report["new"] == 30
    groups = json.loads(archive("dupes", "--json").stdout)["groups"]
    assert sorted(len(group["copies"]) for group in groups) == [1] * 30
    assert len(lookups) <= 2, "\n\n".join(lookups)  # the finder's keys, then one read of the batch's candidates
