"""Counting publication dates by period (``engines.counting``): the arithmetic behind ``count_by_period``.

Edges are moments; a date written without a time stands at the midnight that opens its day in the
zone counted in. (Every engine's answers are held to the same in tests/contract/test_counting.py.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests._counting import count_dates

from newsarchive.engines.counting import first_day


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


MONTHS = [utc(2024, 11, 1), utc(2024, 12, 1), utc(2025, 1, 1), utc(2025, 2, 1), utc(2025, 3, 1)]


def test_edge_instants_fall_in_the_period_they_open() -> None:
    dates = [
        utc(2024, 11, 1),  # the first instant of November
        utc(2024, 11, 30, 23, 59, 59, 999999),  # the last instant of November
        utc(2025, 1, 1),  # the end of December is the start of January
        None,
        utc(2025, 2, 28, 23),
        utc(2024, 10, 31, 23, 59),  # before the first edge
        utc(2025, 3, 1),  # exactly at the last edge, so after the last period
        utc(2024, 11, 15),
    ]
    counted = count_dates(dates, MONTHS)
    assert counted.counts == [3, 0, 1, 1]
    assert counted.undated == 1
    assert (counted.first, counted.last) == (utc(2024, 10, 31, 23, 59), utc(2025, 3, 1))


def test_no_dates_give_zeros() -> None:
    assert count_dates([], MONTHS[:3]).counts == [0, 0]
    counted = count_dates([None, None], MONTHS[:3])
    assert (counted.counts, counted.undated, counted.first, counted.last) == ([0, 0], 2, None, None)


def test_no_edges_give_no_counts_but_the_first_and_last_date() -> None:
    counted = count_dates([utc(2024, 1, 1), None, date(2023, 5, 2)], [])
    assert (counted.counts, counted.undated, counted.first, counted.last) == ([], 1, utc(2023, 5, 2), utc(2024, 1, 1))


def test_moments_are_compared_not_wall_clocks() -> None:
    kyiv = timezone(timedelta(hours=2))
    assert count_dates([datetime(2024, 11, 2, 1, 0, tzinfo=kyiv)], [utc(2024, 11, 1), utc(2024, 11, 2), utc(2024, 11, 3)]).counts == [1, 0]


def test_a_day_without_a_time_opens_at_midnight_in_the_zone() -> None:
    moscow = ZoneInfo("Europe/Moscow")  # +03:00: the 10th opens at 21:00 UTC on the 9th
    edges = [utc(2024, 11, 8, 21), utc(2024, 11, 9, 21), utc(2024, 11, 10, 21)]
    counted = count_dates([date(2024, 11, 10), utc(2024, 11, 9, 22, 30)], edges, zone=moscow)
    assert counted.counts == [0, 2]
    assert counted.first == datetime(2024, 11, 10, tzinfo=moscow)
    assert count_dates([date(2024, 11, 10)], edges).counts == [0, 1]  # in UTC too, at 00:00 UTC on the 10th


def test_since_and_until_are_inclusive_and_cut_inside_periods() -> None:
    dates = [utc(2024, 11, 5), utc(2024, 11, 4, 23, 59), utc(2024, 12, 2), utc(2024, 12, 2, 0, 0, 1), date(2024, 11, 5), date(2024, 12, 3)]
    counted = count_dates(dates, MONTHS[:3], since=utc(2024, 11, 5), until=utc(2024, 12, 2))
    assert counted.counts == [2, 1]
    assert (counted.first, counted.last) == (utc(2024, 11, 5), utc(2024, 12, 2))
    assert count_dates(dates, MONTHS[:3], since=utc(2025, 1, 1)) == count_dates([], MONTHS[:3], since=utc(2025, 1, 1))


def test_the_first_day_at_or_after_a_moment() -> None:
    new_york = ZoneInfo("America/New_York")
    assert first_day(utc(2024, 11, 10, 5), new_york) == date(2024, 11, 10).toordinal()  # its midnight, exactly
    assert first_day(utc(2024, 11, 10, 5), new_york, after=True) == date(2024, 11, 11).toordinal()
    assert first_day(utc(2024, 11, 10, 4, 59), new_york) == date(2024, 11, 10).toordinal()
    assert first_day(utc(2024, 11, 10, 5, 1), new_york) == date(2024, 11, 11).toordinal()


def test_the_ends_of_the_calendar() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    edges = [datetime.min.replace(tzinfo=UTC), utc(5000, 1, 1), datetime.max.replace(tzinfo=UTC)]
    counted = count_dates([date(1, 1, 1), date(9999, 12, 31), utc(9999, 12, 31, 23)], edges, zone=tokyo)
    # 1 January of year 1 opens in Tokyo before year 1 opens in UTC: before the first edge.
    assert counted.counts == [0, 2]
    assert counted.first == datetime(1, 1, 1, tzinfo=tokyo)
