"""Counting a query's matches by period in one pass over the search rows.

Timed dates are placed among the edges by ``width_bucket`` and counted per
period, with the first and last of them, in the server. A date written
without its time is counted on its day (``counting``: at the midnight that
opens it in the zone counted in), so those are grouped by their day there and
placed here, a bisection per day with matches, not per article. Undated
matches are counted in the same statement.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from newsarchive.engines.counting import midnight
from newsarchive.engines.postgres.query import published_within
from newsarchive.engines.postgres.search import compiled, reading
from newsarchive.engines.protocol import PeriodCounts
from newsarchive.query.tree import Query

if TYPE_CHECKING:
    from psycopg import Connection

#: The day a date given only by its day was written on (the row's own clock), as a date ordinal.
_WRITTEN_DAY = (
    """(((d.published AT TIME ZONE 'UTC') + coalesce(d."offset", 0) * interval '1 minute')::date"""
    " - date '0001-01-01' + 1)"
)
_UNDATED, _DAY, _TIMED = 0, 1, 2


def count_by_period(
    connection: Connection,
    query: Query | None,
    edges: Sequence[datetime],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    zone: tzinfo = UTC,
) -> PeriodCounts:
    """``SearchEngine.count_by_period``: the matches of ``query`` (every article, for None) per period."""
    with reading(connection):
        params: tuple[object, ...] = ()
        if query is None:
            where = "TRUE"
        else:
            found = compiled(connection, query)
            where, params = found.where, found.params
        within, bounds = published_within(since, until)
        inside = ["TRUE", *within]
        sql = f"""
            SELECT
              CASE WHEN d.published IS NULL THEN {_UNDATED} WHEN d.precision = 'day' THEN {_DAY} ELSE {_TIMED} END,
              CASE WHEN d.published IS NULL THEN 0 WHEN d.precision = 'day' THEN {_WRITTEN_DAY}
                   ELSE width_bucket(d.published, %s::timestamptz[]) END,
              count(*), min(d.published), max(d.published)
            FROM search_docs d
            WHERE ({where}) AND (d.published IS NULL OR d.precision = 'day' OR ({" AND ".join(inside)}))
            GROUP BY 1, 2"""
        rows = connection.execute(sql, (list(edges), *params, *bounds)).fetchall()
    counts = [0] * max(0, len(edges) - 1)
    undated = 0
    ends: list[datetime] = []
    for kind, place, count, first, last in rows:
        if kind == _UNDATED:
            undated += count
            continue
        if kind == _TIMED:
            if 0 < place < len(edges):
                counts[place - 1] += count
            ends += [first.astimezone(UTC), last.astimezone(UTC)]
            continue
        opens = midnight(place, zone)
        if (since is not None and opens < since) or (until is not None and opens > until):
            continue
        ends.append(opens)
        at = bisect_right(edges, opens) - 1
        if 0 <= at < len(counts):
            counts[at] += count
    return PeriodCounts(counts=counts, undated=undated, first=min(ends, default=None), last=max(ends, default=None))
