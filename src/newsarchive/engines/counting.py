"""Counting by period from publication dates held in memory, for engines that read their dates out.

An engine that can count where its dates are kept (SQL: ``width_bucket`` over the edges, grouped) does
so there; one that reads them out, such as the Whoosh engine from its columns, hands them here sorted:
timed dates as integer keys that keep their order (``micros`` or the engine's own), dates written
without a time as day ordinals. Each edge is then one bisection, not a test per article.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from newsarchive.engines.protocol import PeriodCounts

_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware moment as microseconds since ``datetime.min`` in UTC (the order of the moments)."""
    in_utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment  # (a naive moment is UTC already)
    return (in_utc.replace(tzinfo=None) - datetime.min) // _MICROSECOND


def from_micros(key: int) -> datetime:
    return (datetime.min + key * _MICROSECOND).replace(tzinfo=UTC)


def count_sorted(
    moments: Sequence[int],
    days: Sequence[int],
    undated: int,
    edges: Sequence[datetime],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    zone: tzinfo = UTC,
    key: Callable[[datetime], int] = micros,
    moment: Callable[[int], datetime] = from_micros,
) -> PeriodCounts:
    """``SearchEngine.count_by_period`` from the matches' timed dates as sorted ``key``s of their moments
    (``moment`` turns one back), their day-only dates as sorted ordinals, and how many are undated.

    Each edge becomes a key and a day ordinal once, so each article is compared as an integer.
    """
    timed = _Slice(moments, key, key, since, until)
    written = _Slice(days, lambda at: first_day(at, zone), lambda at: first_day(at, zone, after=True) - 1, since, until)
    positions = [timed.position(edge) + written.position(edge) for edge in edges]
    ends = [moment(value) for value in timed.ends()] + [midnight(value, zone) for value in written.ends()]
    return PeriodCounts(
        counts=[end - start for start, end in pairwise(positions)],
        undated=undated,
        first=min(ends, default=None),
        last=max(ends, default=None),
    )


def midnight(ordinal: int, zone: tzinfo) -> datetime:
    """The moment a day (a date ordinal) opens in ``zone``: where a date written without a time is counted."""
    return datetime.combine(date.fromordinal(ordinal), time(), zone)


_FIRST_DAY, _LAST_DAY = date.min.toordinal(), date.max.toordinal()


def first_day(at: datetime, zone: tzinfo, *, after: bool = False) -> int:
    """The ordinal of the first day whose midnight in ``zone`` is at ``at`` or later (``after``: later)."""
    try:
        day = at.astimezone(zone).date().toordinal()
    except OverflowError:  # past an end of the calendar there: every day opens after it, or none does
        return _FIRST_DAY if at.year == 1 else _LAST_DAY + 1

    def reached(ordinal: int) -> bool:
        # (compared as aware datetimes: no conversion, so no overflow at the calendar's ends)
        opens = midnight(ordinal, zone)
        return opens > at if after else opens >= at

    # The local day's own midnight, give or take one where a zone's midnight is skipped or repeated.
    while day > _FIRST_DAY and reached(day - 1):
        day -= 1
    while day <= _LAST_DAY and not reached(day):
        day += 1
    return day


class _Slice:
    """Sorted integers, each standing for a moment, counted from a moment on, inside since..until only.

    ``lowest(at)`` is the least value whose moment is at ``at`` or later, ``highest(at)`` the greatest whose
    moment is at ``at`` or earlier.
    """

    def __init__(
        self,
        values: Sequence[int],
        lowest: Callable[[datetime], int],
        highest: Callable[[datetime], int],
        since: datetime | None,
        until: datetime | None,
    ) -> None:
        self.values = values
        self.lowest = lowest
        self.low = 0 if since is None else bisect_left(values, lowest(since))
        self.high = len(values) if until is None else max(self.low, bisect_right(values, highest(until)))

    def position(self, at: datetime) -> int:
        """Where the values from ``at`` on start, counting only those inside since..until."""
        if not self.values:
            return 0
        return min(max(bisect_left(self.values, self.lowest(at)), self.low), self.high)

    def ends(self) -> list[int]:
        """The first and last value inside since..until; none when there is none."""
        return [self.values[self.low], self.values[self.high - 1]] if self.low < self.high else []
