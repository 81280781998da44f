"""Searching a real Whoosh index made in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.no_archive  # (a Whoosh index or files alone: once, not once per stack)


def test_date_filters_work_when_whoosh_skips_counting(tmp_path: Path) -> None:
    """With many hits Whoosh stops counting exactly, and its collapsing collector then
    failed when given a filter ('TopCollector' object has no attribute 'subsearchers')."""
    from datetime import UTC, datetime

    from newsarchive.engines.protocol import Document, SearchOptions
    from newsarchive.engines.whoosh.engine import WhooshEngine
    from newsarchive.engines.whoosh.store import create_index, holds_copies
    from newsarchive.query import parse

    path = tmp_path / "index"
    create_index(path)
    engine = WhooshEngine(path)
    writer = engine.writer()
    for n in range(600):
        writer.add(Document(
            id=f"a{n:04d}", title=f"Election report {n}", description="Polls open.",
            body="The election campaign goes on. " * (1 + n % 7), published=datetime(2020 + n % 3, 1 + n % 12, 10),
            precision="day", source=None, revision=1, duplicate_of="a0000" if n == 599 else None,
        ))  # fmt: skip
    writer.commit()
    assert holds_copies(path)
    options = SearchOptions(
        since=datetime(2021, 1, 1, tzinfo=UTC), until=datetime(2021, 12, 31, tzinfo=UTC), limit=2, facets=("year",)
    )
    page = engine.search(parse("election"), options)
    assert page.total == 200 and len(page.hits) == 2  # a0599 is a copy of a0000, from 2020
    assert dict(page.facets["year"]) == {"2021": 200}
