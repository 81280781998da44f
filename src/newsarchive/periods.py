"""Dates that users type on the command line (``--since 2024-11``) as UTC moments,
and the clock dates are shown on.

A command's ``--tz ZONE`` holds for everything it does, however deep:
``with zone_context(zone):`` makes ``chosen_zone()`` answer it, so that dates
typed by the user (options and ``date:`` clauses in queries) are read there,
and dates shown are converted there. Without it, typed dates are UTC and
each article's date is shown at the offset it was published with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal, get_args

from newsarchive.errors import InvalidDate

#: The calendar periods that counts over time (`archive trend --by`) are made of, shortest first.
By = Literal["day", "week", "month", "year"]
BY: tuple[By, ...] = get_args(By)

_CHOSEN_ZONE: ContextVar[tzinfo | None] = ContextVar("newsarchive_chosen_zone", default=None)


@contextmanager
def zone_context(zone: tzinfo | None) -> Iterator[None]:
    """Within the block, read and show dates in ``zone`` (None: as without ``--tz``)."""
    token = _CHOSEN_ZONE.set(zone)
    try:
        yield
    finally:
        _CHOSEN_ZONE.reset(token)


def chosen_zone() -> tzinfo | None:
    """The zone the command was given with ``--tz``, or None."""
    return _CHOSEN_ZONE.get()


def on_clock(at: datetime, offset: int | None) -> datetime:
    """The aware moment ``at`` at a UTC offset of ``offset`` minutes (None: in UTC)."""
    return at.astimezone(UTC if offset is None else timezone(timedelta(minutes=offset)))


def offset_minutes(moment: datetime) -> int:
    """The UTC offset of an aware datetime in whole minutes (+180 for +03:00)."""
    delta = moment.utcoffset()
    if delta is None:
        raise ValueError("a naive datetime has no UTC offset")
    return round(delta.total_seconds() / 60)


def local_moment(at: datetime, precision: str | None, offset: int | None, zone: tzinfo | None) -> datetime | None:
    """A publication date on the clock it is shown by: ``zone`` (``--tz``), else the
    offset it was published with; None when neither is known.

    A date without a time (precision "day") keeps its own offset whatever the
    zone: there is no time of day to convert, so it is shown as written.
    """
    if zone is not None and precision != "day":
        try:
            return at.astimezone(zone)
        except OverflowError:  # year 1 or 9999 pushed off the calendar: keep its own clock
            pass
    return None if offset is None else on_clock(at, offset)


def iso_local(at: datetime | None, precision: str | None, offset: int | None, zone: tzinfo | None) -> str | None:
    """``local_moment`` in ISO 8601 (``2024-11-10T01:30:00+03:00``), for JSON beside the UTC date."""
    local = local_moment(at, precision, offset, zone) if at is not None else None
    return local.isoformat() if local is not None else None


def parse_period(
    since: str | None, until: str | None, zone: tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """``--since`` and ``--until`` as the start of one period and the end of the other, either may be absent."""
    return (
        parse_user_date(since, option="--since", zone=zone) if since else None,
        parse_user_date(until, end=True, option="--until", zone=zone) if until else None,
    )


def naive_utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC without its zone, as the index keeps dates (a moment without a zone is UTC already)."""
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).replace(tzinfo=None)


def parse_user_date(text: str, *, end: bool = False, option: str = "date", zone: tzinfo | None = None) -> datetime:
    """Read ``text`` with dateutil as the start (or, with ``end``, the end) of the period it names.

    ``2024-11`` is 2024-11-01 00:00 as a start and 2024-11-30 23:59:59.999999
    as an end, so ``--until 2024-11`` includes all of November. A time
    without a zone is read in ``zone`` (default: the ``--tz`` chosen, else UTC).
    """
    from dateutil import parser

    now = datetime.now(UTC)
    if end:
        default = datetime(now.year, 12, 31, 23, 59, 59, 999999)
    else:
        default = datetime(now.year, 1, 1)
    cleaned = text.strip()
    try:
        if cleaned.isdigit():
            # Four digits are a year (dateutil reads "0001" as a day); other bare numbers are no date.
            if len(cleaned) != 4:
                raise ValueError(cleaned)
            moment = default.replace(year=int(cleaned))
        else:
            moment = parser.parse(cleaned, default=default)
    except (ValueError, OverflowError, parser.ParserError) as exc:
        raise InvalidDate(
            f"cannot read {text!r} as a date for {option}",
            hint="write e.g. 2024-11-10, 2024-11, 2024, '10 November 2024' or '2024-11-10T09:00+01:00'",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or chosen_zone() or UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 pushed off the calendar by the zone
        raise InvalidDate(
            f"{text!r} for {option} reaches past the edge of the calendar in {moment.tzinfo}",
            hint="give a date after year 1 and before year 9999",
        ) from exc


_RELATIVE = re.compile(r"^-(\d{1,5})([dwmy])$", re.IGNORECASE)
_RANGE_WORD = re.compile(r"\s+to\s+|^to\s+|\s+to$|^to$", re.IGNORECASE)
_OPEN = {"", "*"}


def date_clause(value: str, *, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The span a ``date:`` clause names, as (start, end), either open (None).

    ``2024``, ``2024-11``, ``2024-11-10``: that whole period.
    ``[2024-11-01 TO 2024-11-30]`` (``to`` in any case; ``*`` or nothing for an open end).
    ``>2024-11-01`` after that day, ``>=``, ``<``, ``<=`` likewise.
    ``-7d``, ``-2w``, ``-3m``, ``-1y``: the last 7 days (weeks, months, years) up to now;
    ``>-7d`` since then, ``<-7d`` before then. Times without a zone are read
    in the ``--tz`` chosen, else UTC.
    """
    now = now or datetime.now(UTC)
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        parts = _RANGE_WORD.split(text[1:-1].strip())
        if len(parts) != 2:
            raise InvalidDate(
                f"cannot read date:{value} as a range", hint="write date:[2024-11-01 TO 2024-11-30]"
            )
        low, high = (part.strip() for part in parts)
        start = None if low in _OPEN else _bound(low, end=False, now=now)
        end = None if high in _OPEN else _bound(high, end=True, now=now)
    elif text[:2] in (">=", "<="):
        start, end = (_bound(text[2:], end=False, now=now), None) if text[0] == ">" else (None, _bound(text[2:], end=True, now=now))
    elif text[:1] == ">":
        start, end = _bound(text[1:], end=True, now=now) + _INSTANT, None
    elif text[:1] == "<":
        start, end = None, _bound(text[1:], end=False, now=now) - _INSTANT
    elif _RELATIVE.match(text):
        start, end = _bound(text, end=False, now=now), now
    else:
        start, end = _bound(text, end=False, now=now), _bound(text, end=True, now=now)
    if start is not None and end is not None and start > end:
        raise InvalidDate(f"date:{value} ends before it starts", hint="put the earlier date first")
    return start, end


_INSTANT = timedelta(microseconds=1)


def _bound(text: str, *, end: bool, now: datetime) -> datetime:
    relative = _RELATIVE.match(text.strip())
    if relative is None:
        return parse_user_date(text, end=end, option=f"date:{text}")
    from dateutil.relativedelta import relativedelta

    count, unit = int(relative.group(1)), relative.group(2).lower()
    step = {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
            "m": relativedelta(months=count), "y": relativedelta(years=count)}[unit]  # fmt: skip
    try:
        return now - step
    except (OverflowError, ValueError) as exc:
        raise InvalidDate(f"date:{text} reaches before the calendar begins") from exc
