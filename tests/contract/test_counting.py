"""What every search engine counts by period (``count_by_period``): for ``archive trend``.

The archive is written in three commits: dated articles, then undated ones
only (whatever the engine keeps per commit has no dates at all), then a
removal, which no count may still see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest

from engine_kit import ENGINE_STACKS, article, engine_stack_id, q, stacked_engine, written
from newsarchive.engines.protocol import SearchEngine

TALKS = "Delegations resumed the peace talks."
DATED = [
    # 01:30 on the 10th in Moscow is 22:30 UTC on the 9th.
    article("night", "Talks in Geneva", TALKS, datetime(2024, 11, 9, 22, 30), offset=180),
    # "10 November 2024" read in Kyiv: its midnight there, 22:00 UTC on the 9th; the day is what was written.
    article("day-only", "Talks in Geneva go on", TALKS, datetime(2024, 11, 9, 22), precision="day", offset=120),
    article("opens-november", "Talks open", TALKS, datetime(2024, 11, 1)),
    article("ends-november", "Talks at the last moment", TALKS, datetime(2024, 11, 30, 23, 59, 59, 999999)),
    article("opens-december", "Talks in December", TALKS, datetime(2024, 12, 1)),
    article("removed", "Talks retracted", TALKS, datetime(2024, 11, 15)),
    article("harvest", "Harvest report", "Farmers bring in the wheat.", datetime(2024, 12, 20, 12)),
]
UNDATED = [
    article("talks-undated", "Talks explained", TALKS),
    article("wheat-undated", "Wheat prices", "Wheat prices rose."),
]
MONTHS = [datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)]


@pytest.fixture(scope="module", params=ENGINE_STACKS, ids=engine_stack_id)
def counted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = written(stacked_engine(request, tmp_path_factory), (DATED, 7), (UNDATED, 9))
    writer = engine.writer()
    writer.delete("removed")
    writer.commit(10)
    writer.close()
    yield engine


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def days_in(zone: tzinfo, *days: int) -> list[datetime]:
    """Edges of November days in ``zone``: each midnight there, as a UTC moment."""
    return [datetime(2024, 11, day, tzinfo=zone).astimezone(UTC) for day in days]


def test_a_period_holds_its_start_and_not_its_end(counted: SearchEngine) -> None:
    talks = counted.count_by_period(q("talks"), MONTHS)
    assert talks.counts == [4, 1]  # November from its first instant to its last; December's first instant
    assert talks.undated == 1
    everything = counted.count_by_period(None, MONTHS)
    assert (everything.counts, everything.undated) == ([4, 2], 2)
    assert counted.count_by_period(q("talks"), MONTHS[1:]).counts == [1]


def test_undated_articles_are_in_no_period_and_counted_apart(counted: SearchEngine) -> None:
    wheat = counted.count_by_period(q("wheat"), MONTHS)
    assert (wheat.counts, wheat.undated) == ([0, 1], 1)
    nothing = counted.count_by_period(q("zeppelin"), MONTHS)
    assert (nothing.counts, nothing.undated, nothing.first, nothing.last) == ([0, 0], 0, None, None)


def test_no_edges_give_the_first_and_last_dated_match(counted: SearchEngine) -> None:
    talks = counted.count_by_period(q("talks"), [])
    assert (talks.counts, talks.undated) == ([], 1)
    assert (talks.first, talks.last) == (utc(2024, 11, 1), utc(2024, 12, 1))
    everything = counted.count_by_period(None, [])
    assert (everything.first, everything.last) == (utc(2024, 11, 1), utc(2024, 12, 20, 12))


@pytest.mark.parametrize(
    ("zone", "ninth_and_tenth"),
    [("UTC", [1, 1]), ("Europe/Moscow", [0, 2]), ("America/New_York", [1, 1]), ("Asia/Tokyo", [0, 2])],
)
def test_a_day_written_without_a_time_counts_on_that_day_in_any_zone(
    counted: SearchEngine, zone: str, ninth_and_tenth: list[int]
) -> None:
    # The timed article moves with the zone (22:30 UTC on the 9th is the 10th in Moscow); the day-only one stays.
    clock = ZoneInfo(zone)
    geneva = counted.count_by_period(q("geneva"), days_in(clock, 9, 10, 11), zone=clock)
    assert geneva.counts == ninth_and_tenth


def test_a_day_written_without_a_time_is_first_from_its_midnight_in_the_zone(counted: SearchEngine) -> None:
    moscow = ZoneInfo("Europe/Moscow")
    geneva = counted.count_by_period(q("geneva"), [], zone=moscow)
    assert (geneva.first, geneva.last) == (datetime(2024, 11, 10, tzinfo=moscow), utc(2024, 11, 9, 22, 30))
    assert geneva.first is not None and geneva.first.utcoffset() is not None


def test_since_and_until_are_inclusive_and_cut_inside_periods(counted: SearchEngine) -> None:
    after_the_first_instant = utc(2024, 11, 1, 0, 0, 0, 1)
    talks = counted.count_by_period(q("talks"), MONTHS, since=after_the_first_instant, until=utc(2024, 12, 1))
    assert talks.counts == [3, 1]
    assert (talks.first, talks.last, talks.undated) == (utc(2024, 11, 9, 22, 30), utc(2024, 12, 1), 1)
    assert counted.count_by_period(q("talks"), MONTHS, since=utc(2024, 12, 1), until=utc(2024, 12, 1)).counts == [0, 1]
    # A day-only date at its midnight in the zone: in UTC the 10th opens at 00:00, after the timed 22:30 on the 9th.
    tenth = counted.count_by_period(q("geneva"), days_in(UTC, 9, 11), since=utc(2024, 11, 10), until=utc(2024, 11, 10))
    assert tenth.counts == [1]
    outside = counted.count_by_period(q("geneva"), days_in(UTC, 9, 11), since=utc(2024, 11, 10, 0, 0, 0, 1))
    assert (outside.counts, outside.first, outside.last) == ([0], None, None)


def test_a_removed_article_is_not_counted(counted: SearchEngine) -> None:
    assert counted.count_by_period(q("retracted"), MONTHS).counts == [0, 0]
    assert sum(counted.count_by_period(q("talks"), [MONTHS[0], utc(2024, 11, 16)]).counts) == 3
