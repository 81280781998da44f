"""Segments of like size are merged at the end of a run, and searches find the same articles afterwards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests._corpus import write_files
from whoosh import index as whoosh_index

import newsarchive
from newsarchive.engines.whoosh import segments
from newsarchive.engines.whoosh.engine import WhooshEngine
from newsarchive.engines.whoosh.parallel import worker_count
from newsarchive.errors import IndexUnavailable
from newsarchive.query import parse
from newsarchive.services import ingest as pipeline
from newsarchive.services.ingest import IngestOptions

pytestmark = pytest.mark.sqlite_only("each home its own database file; the subject is the Whoosh index's segments")


QUERIES = ["people", "oil prices", '"prime minister"', "elect*", "film NOT award"]


def test_nothing_is_due_until_enough_segments_are_alike() -> None:
    assert segments.plan([("a", 3300)] * 7, ways=2) == []
    assert segments.plan([("big", 100_000), ("a", 20), ("b", 20)]) == []
    # Seven small ones and one eight times the smallest: alike enough.
    sizes = [(f"t{i}", 10) for i in range(7)] + [("m", 80), ("big", 100_000)]
    assert segments.plan(sizes) == [[*(f"t{i}" for i in range(7)), "m"]]
    sizes[-2] = ("m", 81)
    assert segments.plan(sizes) == []


def test_a_bulk_load_is_split_between_the_workers_in_order_of_size() -> None:
    sizes = [(f"s{i:02d}", 4_500 - 30 * i) for i in range(22)]
    groups = segments.plan(sizes, ways=2)
    assert [len(group) for group in groups] == [11, 11]
    assert groups[0] == [f"s{i:02d}" for i in range(21, 10, -1)]  # the smaller half
    # Never a group of one: nine segments for four workers make three groups of three.
    assert [len(group) for group in segments.plan(sizes[:9], ways=4)] == [3, 3, 3]


def test_a_run_merges_its_own_segments_first_into_one_per_worker() -> None:
    fresh = {"a", "b", "c", "d"}
    sizes = [("old", 90_000), ("a", 4_650), ("b", 4_651), ("c", 245), ("d", 245)]
    # Dealt largest first, there and back, so that each worker merges about as much.
    assert segments.plan(sizes, ways=2, fresh=fresh) == [["b", "c"], ["a", "d"]]
    assert segments.plan(sizes, ways=1, fresh=fresh) == [["b", "a", "d", "c"]]
    assert segments.plan(sizes[:3], ways=2, fresh=fresh) == []  # one per worker already
    assert segments.plan(sizes[:4], ways=2, fresh=fresh) == [["b", "a", "c"]]  # never a group of one


def _ingest(home: Path, corpus: Path, processes: int) -> None:
    with newsarchive.open(home) as archive:
        report = archive.ingest([corpus], IngestOptions(processes=processes, batch_items=25))
    assert report.new > 300 and not report.failures


def _hits(archive, home: Path, query: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", query, "--json", "--home", home).stdout)["hits"]


def _segment_count(home: Path) -> int:
    return len(_segment_ids(home))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """360 made-up articles (``tests._corpus``) as text files."""
    folder = tmp_path_factory.mktemp("corpus")
    write_files(folder, 360, seed=5)
    return folder


@pytest.mark.parametrize("processes", [1, 2])
def test_a_run_of_many_commits_ends_with_its_segments_merged(
    processes: int, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive
) -> None:
    monkeypatch.setattr(pipeline, "COMMIT_BATCHES", 1)  # a commit (and a segment per process) every 25 articles
    unmerged, merged = tmp_path / "unmerged", tmp_path / "merged"
    with monkeypatch.context() as never:
        never.setattr(segments, "plan", lambda *args, **kwargs: [])
        _ingest(unmerged, corpus, processes)
    _ingest(merged, corpus, processes)

    assert _segment_count(unmerged) >= 14
    assert _segment_count(merged) <= processes
    for query in QUERIES:
        found = WhooshEngine(merged / "index").matching_ids(parse(query))
        assert sorted(found) == sorted(WhooshEngine(unmerged / "index").matching_ids(parse(query))) and found, query
        if query.endswith("*"):  # (Whoosh ranks prefixes itself, segment by segment: the scores differ more)
            continue
        ours, theirs = ({hit["id"]: hit["score"] for hit in _hits(archive, home, query)} for home in (merged, unmerged))
        # A merged segment keeps each document's length as the byte Whoosh stores
        # (its own merges do the same), so the average length, and the scores, move a little.
        assert next(iter(ours)) == next(iter(theirs)), query
        assert all(abs(ours[found] - theirs[found]) < 0.01 * theirs[found] for found in set(ours) & set(theirs))
    assert "agree" in archive("check", "--home", merged).stdout
    assert not [name for name in (merged / "index").iterdir() if ".tmp" in name.name]


def test_a_run_of_a_few_commits_ends_with_a_segment_per_worker_and_leaves_earlier_runs_alone(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive
) -> None:
    monkeypatch.setattr(pipeline, "COMMIT_BATCHES", 1)
    first, second = tmp_path / "first", tmp_path / "second"
    files = sorted(corpus.iterdir())
    for folder, chosen in ((first, files[:75]), (second, files[75:125])):
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
    home = tmp_path / "home"
    # Three commits, a segment per worker each: fewer than eight alike, which left them all unmerged.
    archive("ingest", "--home", home, "--batch-size", "25", "-q", first)
    after_first = _segment_ids(home)
    assert len(after_first) <= worker_count(75)
    archive("ingest", "--home", home, "--batch-size", "25", "-q", second)
    after_second = _segment_ids(home)
    assert after_first < after_second and len(after_second) <= len(after_first) + worker_count(50)
    facts = json.loads(archive("info", "--home", home, "--json").stdout)
    assert facts["index_documents"] == facts["articles"] == 125
    assert len(_hits(archive, home, "people")) == 10


def _segment_ids(home: Path) -> set[str]:
    ix = whoosh_index.open_dir(str(home / "index"))
    try:
        return {segment.segment_id() for segment in segments.index_segments(ix)}
    finally:
        ix.close()


def test_a_failed_merge_leaves_the_index_whole_and_says_so(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive
) -> None:
    def broken(path: Path, segment_ids: list[str]) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(pipeline, "COMMIT_BATCHES", 1)
    monkeypatch.setattr(segments, "merge_segments", broken)  # (the merging workers are forked with it)
    home = tmp_path / "home"
    with pytest.raises(IndexUnavailable) as failed:
        _ingest(home, corpus, processes=2)
    assert failed.value.message == "merging the search index's segments failed: OSError: No space left on device"
    assert "every article is stored and indexed" in (failed.value.hint or "")
    assert _segment_count(home) >= 14
    assert "agree" in archive("check", "--home", home).stdout
    facts = json.loads(archive("info", "--home", home, "--json").stdout)
    assert facts["index_documents"] == facts["articles"] > 300
