"""Dates that users type on the command line (``--since 2024-11``) as UTC moments."""

from __future__ import annotations

from datetime import UTC, datetime

from newsarchive.errors import InvalidDate


def parse_user_date(text: str, *, end: bool = False, option: str = "date") -> datetime:
    """Read ``text`` with dateutil as the start (or, with ``end``, the end) of the period it names.

    ``2024-11`` is 2024-11-01 00:00 as a start and 2024-11-30 23:59:59.999999
    as an end, so ``--until 2024-11`` includes all of November. A time
    without a zone is UTC.
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
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
