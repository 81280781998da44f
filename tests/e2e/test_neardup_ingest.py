"""Near-duplicate lookups in a long ingest through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from newsarchive.reading import neardup
from test_cli import write_article
from test_neardup import story


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
