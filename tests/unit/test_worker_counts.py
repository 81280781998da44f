"""How many worker processes an ingest starts, by cores, collection size and the caller's cap."""

from __future__ import annotations

import pytest

from newsarchive.engines.whoosh.parallel import MIN_DOCUMENTS, worker_count
from newsarchive.reading.workers import parse_worker_count


@pytest.mark.parametrize(
    ("cores", "documents", "cap", "indexers", "parsers"),
    [
        (2, 10_000, None, 2, 1),  # this machine: two index workers, one parser beside the main process
        (8, 10_000, None, 2, 4),
        (1, 10_000, None, 1, 0),  # one core: everything in the main process
        (2, MIN_DOCUMENTS - 1, None, 1, 1),  # too few articles to start index workers
        (4, 10_000, 1, 1, 0),  # capped at one process
    ],
)
def test_workers_by_cores_size_and_cap(
    monkeypatch: pytest.MonkeyPatch, cores: int, documents: int, cap: int | None, indexers: int, parsers: int
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert worker_count(documents, cap) == indexers
    assert parse_worker_count(indexers, cap) == parsers
