"""Counting publication dates held in any order, as a stand-in engine would: the dates sorted into
``engines.counting.count_sorted``'s integers, timed dates as ``micros`` and day-only ones as ordinals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo

from newsarchive.engines.counting import count_sorted, micros
from newsarchive.engines.protocol import PeriodCounts, Published


def count_dates(
    dates: Iterable[Published],
    edges: Sequence[datetime],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    zone: tzinfo = UTC,
) -> PeriodCounts:
    """``SearchEngine.count_by_period`` over the publication dates of the matching articles, in any order."""
    moments: list[int] = []
    days: list[int] = []
    undated = 0
    for published in dates:
        if published is None:
            undated += 1
        elif isinstance(published, datetime):
            moments.append(micros(published))
        else:
            days.append(published.toordinal())
    moments.sort()
    days.sort()
    return count_sorted(moments, days, undated, edges, since=since, until=until, zone=zone)
