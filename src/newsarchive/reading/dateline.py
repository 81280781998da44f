"""Recognise a dateline: a line of an article that is, as a whole, its date.

Our own strict patterns decide *whether* a line is a dateline; only then does
dateutil (never in fuzzy mode) say what date it means. Fuzzy parsing would find
a date in "Top 10 films of 2004" or "May the best team win".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from newsarchive.periods import offset_minutes
from newsarchive.reading.draft import DatePrecision, PublishedDate

# "Published", "Published:", "Published on", "First published", "Posted on",
# "Last updated:", "Date:" ... The prefix is dropped from PublishedDate.text.
_PREFIX = re.compile(
    r"(?:(?:first\s+)?published|posted|(?:last\s+)?updated|(?:last\s+)?modified|date)"
    r"(?:\s+(?:on|at))?(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)

_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
)
_MONTH = (
    r"(?P<month>january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
# 09:13, 9:13:05, 09.13 (Guardian style), 9:13 am, 9:13 a.m., 9:13PM
_TIME = (
    r"(?P<hour>[0-2]?\d)[:.](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?)?"
)
# Named zones are checked against _ZONES after matching; offsets are parsed here.
_ZONE = (
    r"(?:\s*\(?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)\)?"
    r"|\s*\(?(?:UTC|GMT)(?P<gmt_offset>[+-]\d{1,2}(?::?\d{2})?)\)?"
    r"|\s+\(?(?P<zone>[A-Z]{1,5})\)?)?"
)
# Between a date and its time: "2024, 09:13", "2024 09:13", "2024 at 9:13", "2024 | 09:13".
_DATE_TIME_SEP = r"(?:\s*[,|–—-]\s*|\s+)(?:at\s+)?"
_LEAD_WEEKDAY = rf"(?:{_WEEKDAY},?\s+)?"

_DAY_MONTH_YEAR = rf"(?P<date>{_LEAD_WEEKDAY}{_DAY}\s+{_MONTH},?\s+{_YEAR})"
_MONTH_DAY_YEAR = rf"(?P<date>{_LEAD_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR})"
_ISO_DATE = r"(?P<date>(?P<year>\d{4})-(?P<month>[01]\d)-(?P<day>[0-3]\d))"
_ISO_TIME = r"(?P<hour>[0-2]\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:[.,]\d+)?)?"

_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # 10 November 2024 09:13 | Sun, 10 Nov 2024 09:13:00 +0000 (RFC 2822)
        rf"{_DAY_MONTH_YEAR}(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?",
        # November 10, 2024 9:13 AM | Nov. 10, 2024, 9:13 a.m. ET
        rf"{_MONTH_DAY_YEAR}(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?",
        # 09:13 GMT, Sunday 10 November 2024
        rf"{_TIME}{_ZONE}\s*,?\s+{_DAY_MONTH_YEAR}",
        # 2024-11-10 | 2024-11-10T09:13:05.123+0100 | 2024-11-10 09:13 UTC
        rf"{_ISO_DATE}(?:(?:T|\s+){_ISO_TIME}{_ZONE})?",
    )
)

# Zone abbreviations news sites print. ET/PT/CT/MT name the zone, not the
# season, so they follow daylight saving; the others are fixed offsets.
_ZONES: dict[str, str | int] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1,
    "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}  # fmt: skip


def parse_dateline(line: str, default_tz: tzinfo = UTC, language: str | None = None) -> PublishedDate | None:
    """The date a dateline gives, or None if the line is not a dateline.

    ``language`` is the article's (ISO 639-1); the line is read in English
    when it is None or "und".

    A naive time is read in ``default_tz``; a date without a time is the start
    of that day there. ``at`` is returned in UTC, without fractions of a second
    (the precision is "second" at most); ``text`` is the line, stripped, without
    a "Published"-style prefix; ``offset`` is that of the zone the line names,
    else of ``default_tz`` at that moment, and None when neither names one
    (no zone written, ``default_tz`` UTC).
    """
    text = line.strip()
    prefix = _PREFIX.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    for form in _FORMS:
        match = form.fullmatch(text)
        if match is not None:
            return _interpret(match, text, default_tz)
    return None


def find_dateline(
    lines: Sequence[str],
    default_tz: tzinfo = UTC,
    *,
    start: int = 0,
    window: int = 6,
    language: str | None = None,
) -> tuple[int, PublishedDate] | None:
    """Index and date of the first dateline among ``window`` non-empty lines from ``start``."""
    seen = 0
    for index in range(start, len(lines)):
        if not lines[index].strip():
            continue
        if seen == window:
            break
        seen += 1
        published = parse_dateline(lines[index], default_tz, language)
        if published is not None:
            return index, published
    return None


def _interpret(match: re.Match[str], text: str, default_tz: tzinfo) -> PublishedDate | None:
    groups = match.groupdict()
    zone = _zone(groups, default_tz)
    if zone is None:
        return None
    hour, minute, second, ampm = (groups.get(k) for k in ("hour", "minute", "second", "ampm"))
    if hour is not None and ampm is not None and not 1 <= int(hour) <= 12:
        return None
    # dateutil reads the date as written (month names, weekday); the time we
    # hand over in one spelling it cannot misread (not "09.13" or "a.m.").
    wording = groups["date"]
    if hour is not None:
        wording += f" {hour}:{minute}:{second or '00'}" + (f" {ampm.upper()}M" if ampm else "")
    try:
        parsed = dateutil_parser.parse(wording, default=datetime(1900, 1, 1))
    except (dateutil_parser.ParserError, ValueError, OverflowError):
        return None  # e.g. 31 February
    # dateutil must read the numbers our pattern saw; if not, the line is odd.
    if parsed.year != int(groups["year"]) or parsed.day != int(groups["day"]):
        return None
    precision: DatePrecision = "day" if hour is None else "second" if second else "minute"
    written = parsed.replace(tzinfo=zone)
    try:
        at = written.astimezone(UTC)
    except OverflowError:
        return None  # a date at the very edge of the calendar, e.g. year 1 in UTC+14
    named = any(groups.get(name) for name in ("offset", "gmt_offset", "zone"))
    offset = offset_minutes(written) if named or not _is_utc(default_tz) else None
    return PublishedDate(at=at, text=text, precision=precision, offset=offset)


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def _is_utc(zone: tzinfo) -> bool:
    """UTC itself (not a zone that is at +00:00 now and then, such as Europe/London)."""
    return zone is UTC or str(zone) in _UTC_NAMES


def _zone(groups: dict[str, str | None], default_tz: tzinfo) -> tzinfo | None:
    """The zone the line names, ``default_tz`` if none, None if we do not know it."""
    offset = groups.get("offset") or groups.get("gmt_offset")
    if offset is not None:
        return _fixed_offset(offset)
    name = groups.get("zone")
    if name is None:
        return default_tz
    known = _ZONES.get(name.upper())
    if known is None:
        return None
    if isinstance(known, str):
        return ZoneInfo(known)
    return timezone(timedelta(hours=known))


def _fixed_offset(offset: str) -> tzinfo | None:
    if offset.upper() == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes >= 60:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
