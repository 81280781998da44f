"""Attention over time: how many articles match a query per day, week, month or year.

The library half of ``archive trend``: it counts (``newsarchive.render`` shows the
counts as a bar chart, CSV, JSON or a chart image). Buckets are
half-open calendar periods in UTC or the ``--tz`` zone, ``start <= date < end``,
so an article published exactly at midnight on the 1st belongs to the month it
opens. A date without a time is counted on the day written, in any zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from newsarchive.errors import InvalidQuery
from newsarchive.periods import BY, chosen_zone

if TYPE_CHECKING:
    from newsarchive.engines.protocol import PeriodCounts, SearchEngine
    from newsarchive.query.tree import Query

MAX_BUCKETS = 5000
_LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Bucket:
    start: datetime  # inclusive
    end: datetime  # exclusive: the next bucket's start
    label: str


@dataclass(frozen=True)
class TrendSeries:
    query: str
    counts: list[int]
    shares: list[float] | None  # matches / all archived articles per bucket, when normalized


@dataclass(frozen=True)
class Trend:
    by: str
    buckets: list[Bucket]
    series: list[TrendSeries]
    undated: dict[str, int]  # per query: matching articles without a date, so in no bucket
    normalized: bool
    archived: list[int] | None = None  # all archived articles per bucket, when normalized
    zone: tzinfo = UTC  # the clock the buckets follow


# --- buckets ------------------------------------------------------------------


def _floor_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _floor_week(moment: datetime) -> datetime:
    return _floor_day(moment) - timedelta(days=moment.weekday())


def _floor_month(moment: datetime) -> datetime:
    return _floor_day(moment).replace(day=1)


def _floor_year(moment: datetime) -> datetime:
    return _floor_month(moment).replace(month=1)


def _after_day(start: datetime) -> datetime:
    return start + timedelta(days=1)


def _after_week(start: datetime) -> datetime:
    return start + timedelta(days=7)


def _after_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def _after_year(start: datetime) -> datetime:
    return start.replace(year=start.year + 1)


def _day_label(start: datetime) -> str:
    return f"{start.year:04d}-{start.month:02d}-{start.day:02d}"


def _week_label(start: datetime) -> str:
    iso = start.isocalendar()  # the ISO year: 2024-12-30 opens 2025-W01
    return f"{iso.year:04d}-W{iso.week:02d}"


def _month_label(start: datetime) -> str:
    return f"{start.year:04d}-{start.month:02d}"


def _year_label(start: datetime) -> str:
    return f"{start.year:04d}"


def _span(first: datetime, last: datetime, by: str) -> int:
    """How many buckets from the one starting at ``first`` to the one starting at ``last``."""
    if by == "day":
        return (last - first).days + 1
    if by == "week":
        return (last - first).days // 7 + 1
    if by == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


_UNITS: dict[str, tuple[Callable[[datetime], datetime], Callable[[datetime], datetime], Callable[[datetime], str]]] = {
    "day": (_floor_day, _after_day, _day_label),
    "week": (_floor_week, _after_week, _week_label),
    "month": (_floor_month, _after_month, _month_label),
    "year": (_floor_year, _after_year, _year_label),
}


def check_by(by: str) -> None:
    """Refuse a bucket size other than those in ``BY``."""
    if by not in BY:
        raise InvalidQuery(f"cannot count per {by!r}", hint="use --by " + ", ".join(BY))


def make_buckets(start: datetime, end: datetime, by: str, zone: tzinfo = UTC) -> list[Bucket]:
    """Consecutive calendar buckets of ``zone`` (UTC) from the one holding ``start`` to the one holding ``end``.

    Days start at midnight, weeks on Monday (ISO weeks, labelled ``2024-W45``),
    months on the 1st, years on 1 January. A naive datetime is taken as UTC.
    """
    check_by(by)
    start, end = _in_zone(start, zone), _in_zone(end, zone)
    _check_period(start, end)
    floor, after, label = _UNITS[by]
    first, last = floor(start), floor(end)
    wanted = _span(first, last, by)
    if wanted > MAX_BUCKETS:
        coarser = BY[BY.index(by) + 1 :]
        hint = "narrow the period with --since/--until"
        if coarser:
            hint = "count per " + " or ".join(coarser) + " with --by, or " + hint
        raise InvalidQuery(
            f"{wanted:,} {by}s from {label(first)} to {label(last)} are too many to chart (at most {MAX_BUCKETS:,})",
            hint=hint,
        )
    buckets: list[Bucket] = []
    current = first
    while len(buckets) < wanted:
        following = _next_or_latest(after, current)
        buckets.append(Bucket(start=current, end=following, label=label(current)))
        current = following
    return buckets


def _check_period(start: datetime, end: datetime) -> None:
    if start > end:
        raise InvalidQuery(
            f"the period starts ({start:%Y-%m-%d %H:%M}) after it ends ({end:%Y-%m-%d %H:%M})",
            hint="give --since a date before --until",
        )


def _next_or_latest(after: Callable[[datetime], datetime], start: datetime) -> datetime:
    try:
        return after(start)
    except (OverflowError, ValueError):  # the bucket of year 9999 ends past datetime's range
        return _LATEST


# --- counting matches -----------------------------------------------------------


def trend(
    engine: SearchEngine,
    queries: list[str],
    *,
    by: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
    normalize: bool = False,
    zone: tzinfo | None = None,
) -> Trend:
    """Count each query's matching articles per ``by`` bucket.

    The buckets run from the one holding ``since`` to the one holding
    ``until``; a bound not given is the earliest or latest dated match of any
    query (inside the other bound). Articles before ``since`` or after
    ``until`` are not counted even where a bucket reaches past them. With
    ``normalize``, each count is also given as a share of all archived
    articles counted the same way in the same bucket, 0.0 where the archive
    has none. A query given twice is counted once. The buckets are calendar
    periods of ``zone`` (default: the ``--tz`` chosen, else UTC).
    """
    check_by(by)
    queries = list(dict.fromkeys(queries))
    if not queries:
        raise InvalidQuery("no query to count", hint="give at least one query, e.g. archive trend 'peace talks'")
    since, until = _utc_or_none(since), _utc_or_none(until)
    if since is not None and until is not None:
        _check_period(since, until)  # before the slower work of searching

    from newsarchive.services.search import parse_query

    zone = zone or chosen_zone() or UTC
    parsed = {query: parse_query(query) for query in queries}

    def count(query: Query | None, edges: Sequence[datetime]) -> PeriodCounts:
        return engine.count_by_period(query, edges, since=since, until=until, zone=zone)

    start, end = since, until
    if start is None or end is None:
        # An open end is the first or last dated match: asked for first (no edges), then counted in the buckets.
        spans = {query: count(parsed[query], ()) for query in queries}
        firsts = [span.first for span in spans.values() if span.first is not None]
        lasts = [span.last for span in spans.values() if span.last is not None]
        if not firsts:
            empty = [TrendSeries(query=query, counts=[], shares=[] if normalize else None) for query in queries]
            undated = {query: span.undated for query, span in spans.items()}
            return Trend(by, [], empty, undated, normalize, archived=[] if normalize else None, zone=zone)
        start = min(firsts) if start is None else start
        end = max(lasts) if end is None else end
    buckets = make_buckets(start, end, by, zone)
    edges = [_utc(bucket.start) for bucket in buckets] + [_utc(buckets[-1].end)]
    counted = {query: count(parsed[query], edges) for query in queries}
    # The user's bounds, not the first and last match: those buckets hold other articles too.
    archived = count(None, edges).counts if normalize else None
    series = [
        TrendSeries(query, found.counts, None if archived is None else shares(found.counts, archived))
        for query, found in counted.items()
    ]
    undated = {query: found.undated for query, found in counted.items()}
    return Trend(
        by=by, buckets=buckets, series=series, undated=undated, normalized=normalize, archived=archived, zone=zone
    )


def shares(counts: Sequence[int], archived: Sequence[int]) -> list[float]:
    """Each count as a share of the archived articles in its bucket; 0.0 where there are none."""
    return [matched / total if total else 0.0 for matched, total in zip(counts, archived, strict=True)]


def _utc(moment: datetime) -> datetime:
    return _in_zone(moment, UTC)


def _in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """An aware moment in ``zone``; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(zone)
    except OverflowError:
        raise InvalidQuery(
            f"{moment.isoformat(' ', 'minutes')} lies past the edge of the calendar in {zone}",
            hint="count in UTC (--tz UTC) or leave that date out with --since/--until",
        ) from None


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)
