"""parse_dateline / find_dateline: strict datelines, read by dateutil, stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.reading.dateline import find_dateline, parse_dateline
from newsarchive.reading.draft import PublishedDate

UTC = UTC
KYIV = ZoneInfo("Europe/Kyiv")  # UTC+2 on 10 November 2024


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


ACCEPTED = [
    # line, moment in UTC, precision, UTC offset in minutes the line names (None: none named)
    # day month-name year [time]
    ("10 November 2024 09:13", utc(2024, 11, 10, 9, 13), "minute", None),
    ("10 Nov 2024", utc(2024, 11, 10), "day", None),
    ("Sunday 10 November 2024 09:13 GMT", utc(2024, 11, 10, 9, 13), "minute", 0),
    ("Sun, 10 November 2024, 09:13", utc(2024, 11, 10, 9, 13), "minute", None),
    ("10 November 2024 9:13 am", utc(2024, 11, 10, 9, 13), "minute", None),
    ("10 November 2024 9:13 pm", utc(2024, 11, 10, 21, 13), "minute", None),
    ("10th November 2024", utc(2024, 11, 10), "day", None),
    ("Sun 10 Nov 2024 09.13 GMT", utc(2024, 11, 10, 9, 13), "minute", 0),
    ("09:13 GMT, Sunday 10 November 2024", utc(2024, 11, 10, 9, 13), "minute", 0),
    # month-name day, year [time]
    ("November 10, 2024 9:13 AM", utc(2024, 11, 10, 9, 13), "minute", None),
    ("Nov. 10, 2024, 9:13 a.m. ET", utc(2024, 11, 10, 14, 13), "minute", -300),
    ("November 10, 2024", utc(2024, 11, 10), "day", None),
    ("Sunday, November 10, 2024 09:13 EST", utc(2024, 11, 10, 14, 13), "minute", -300),
    ("November 10, 2024 at 9:13 PM PT", utc(2024, 11, 11, 5, 13), "minute", -480),
    ("Sept. 3, 2024, 12:05 a.m.", utc(2024, 9, 3, 0, 5), "minute", None),
    # ISO 8601
    ("2024-11-10", utc(2024, 11, 10), "day", None),
    ("2024-11-10T09:13", utc(2024, 11, 10, 9, 13), "minute", None),
    ("2024-11-10T09:13:05Z", utc(2024, 11, 10, 9, 13, 5), "second", 0),
    ("2024-11-10 09:13:05+01:00", utc(2024, 11, 10, 8, 13, 5), "second", 60),
    ("2024-11-10T09:13:05.123+0100", utc(2024, 11, 10, 8, 13, 5), "second", 60),
    ("2024-11-10 09:13 UTC", utc(2024, 11, 10, 9, 13), "minute", 0),
    # RFC 2822
    ("Sun, 10 Nov 2024 09:13:00 +0000", utc(2024, 11, 10, 9, 13), "second", 0),
    ("Sun, 10 Nov 2024 09:13:00 GMT", utc(2024, 11, 10, 9, 13), "second", 0),
    ("Sun, 10 Nov 2024 09:13:00 -0500", utc(2024, 11, 10, 14, 13), "second", -300),
    # offsets written after UTC/GMT
    ("10 November 2024 09:13 (UTC+2)", utc(2024, 11, 10, 7, 13), "minute", 120),
    ("10 November 2024 09:13 GMT-03:30", utc(2024, 11, 10, 12, 43), "minute", -210),
]


@pytest.mark.parametrize(("line", "at", "precision", "offset"), ACCEPTED)
def test_accepted_forms(line: str, at: datetime, precision: str, offset: int | None) -> None:
    assert parse_dateline(line) == PublishedDate(at=at, text=line, precision=precision, offset=offset)


@pytest.mark.parametrize(
    ("line", "text", "at"),
    [
        ("Published 10 November 2024 09:13", "10 November 2024 09:13", utc(2024, 11, 10, 9, 13)),
        ("Published: 2024-11-10T09:13Z", "2024-11-10T09:13Z", utc(2024, 11, 10, 9, 13)),
        (
            "Updated: November 10, 2024 9:13 pm",
            "November 10, 2024 9:13 pm",
            utc(2024, 11, 10, 21, 13),
        ),
        ("Published on 10 Nov 2024", "10 Nov 2024", utc(2024, 11, 10)),
        (
            "First published on Sun 10 Nov 2024 09.13 GMT",
            "Sun 10 Nov 2024 09.13 GMT",
            utc(2024, 11, 10, 9, 13),
        ),
        ("Posted on November 10, 2024", "November 10, 2024", utc(2024, 11, 10)),
        ("Last updated: 2024-11-10", "2024-11-10", utc(2024, 11, 10)),
        ("  published:   10 November 2024  ", "10 November 2024", utc(2024, 11, 10)),
    ],
)
def test_prefixes_are_dropped_from_the_text(line: str, text: str, at: datetime) -> None:
    published = parse_dateline(line)
    assert published is not None
    assert (published.text, published.at) == (text, at)


@pytest.mark.parametrize(
    "line",
    [
        # numbers in headlines and ledes (dateutil's fuzzy mode reads dates into these)
        "Sales up 12 pct in 3rd quarter",
        "Budget of 60 million passes",
        "2024 was a record year",
        "Top 10 films of 2004",
        "May the best team win",
        "March on Washington draws 10,000",
        "Sales fell on 10 November 2024 after the strike",
        "Talks only after pushing Ukrainians out of Kursk",
        # ambiguous numeric dates
        "10/11/2024",
        "11.10.2024",
        "10-11-2024",
        # impossible or incomplete
        "31 February 2024",
        "2024-02-30",
        "2024-13-01",
        "10 November 2024 25:00",
        "10 November 2024 13:13 pm",
        "November 2024",
        "10 November",
        "10 Nov 24",
        # unknown zone, or a prefix alone
        "10 November 2024 09:13 XYZ",
        "Published",
        "Published by Reuters",
        "",
    ],
)
def test_rejected_lines(line: str) -> None:
    assert parse_dateline(line) is None


@pytest.mark.parametrize(
    ("zone", "hours"),
    [
        ("UTC", 0), ("GMT", 0), ("Z", 0), ("BST", 1), ("CET", 1), ("CEST", 2), ("EET", 2),
        ("EEST", 3), ("MSK", 3), ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5),
        ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7),
    ],
)  # fmt: skip
def test_zone_abbreviations_are_honoured(zone: str, hours: int) -> None:
    published = parse_dateline(f"10 November 2024 12:00 {zone}", KYIV)
    assert published is not None
    assert published.at == utc(2024, 11, 10, 12) - timedelta(hours=hours)


def test_et_and_pt_follow_daylight_saving() -> None:
    summer = parse_dateline("July 1, 2024 9:00 AM ET")
    winter = parse_dateline("December 1, 2024 9:00 AM ET")
    pacific = parse_dateline("July 1, 2024 9:00 AM PT")
    assert summer is not None and winter is not None and pacific is not None
    assert summer.at == utc(2024, 7, 1, 13)
    assert winter.at == utc(2024, 12, 1, 14)
    assert pacific.at == utc(2024, 7, 1, 16)


def test_naive_time_is_read_in_the_default_zone() -> None:
    published = parse_dateline("10 November 2024 09:13", KYIV)
    assert published is not None
    assert published.at == utc(2024, 11, 10, 7, 13)
    assert published.at.tzinfo is UTC


def test_naive_time_uses_the_default_zones_summer_offset() -> None:
    published = parse_dateline("1 July 2024 09:13", KYIV)
    assert published is not None
    assert published.at == utc(2024, 7, 1, 6, 13)


def test_date_only_is_the_start_of_that_day_in_the_default_zone() -> None:
    published = parse_dateline("10 November 2024", KYIV)
    assert published == PublishedDate(utc(2024, 11, 9, 22), "10 November 2024", "day", offset=120)


def test_explicit_zone_beats_the_default_zone() -> None:
    published = parse_dateline("10 November 2024 09:13 GMT", KYIV)
    assert published is not None
    assert published.at == utc(2024, 11, 10, 9, 13)


def test_fixed_offset_default_zone() -> None:
    published = parse_dateline("2024-11-10T09:13", timezone(timedelta(hours=-5)))
    assert published is not None
    assert published.at == utc(2024, 11, 10, 14, 13)


# -- find_dateline --------------------------------------------------------------

SEED_HEAD = [
    "Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat",
    "The Kremlin will not engage in peace negotiations with Ukraine until 2025.",
    "10 November 2024 09:13",
    "According to journalists, Kremlin representatives are ready for peace talks.",
]


def test_find_dateline_returns_index_and_date() -> None:
    found = find_dateline(SEED_HEAD)
    assert found == (2, PublishedDate(utc(2024, 11, 10, 9, 13), "10 November 2024 09:13", "minute"))


def test_find_dateline_starts_at_start() -> None:
    lines = ["1 May 2024", "Title", "", "2 May 2024"]
    found = find_dateline(lines, start=1)
    assert found is not None
    assert found[0] == 3


def test_find_dateline_counts_only_non_empty_lines_in_its_window() -> None:
    lines = ["Title", "", "", "Lede", "", "", "", "10 November 2024"]
    assert find_dateline(lines, window=3) is not None
    assert find_dateline(lines, window=2) is None


def test_find_dateline_uses_the_default_zone() -> None:
    found = find_dateline(SEED_HEAD, KYIV)
    assert found is not None
    assert found[1].at == utc(2024, 11, 10, 7, 13)


def test_find_dateline_without_a_dateline() -> None:
    assert find_dateline(["Top 10 films of 2004", "", "Budget of 60 million passes"]) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_line_gives_none_or_a_utc_date(line: str) -> None:
    published = parse_dateline(line, KYIV)
    if published is not None:
        assert published.at.tzinfo is UTC
        assert published.precision in {"day", "minute", "second"}


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_iso_and_written_forms_of_any_minute_agree(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    iso = parse_dateline(moment.strftime("%Y-%m-%dT%H:%M"))
    written = parse_dateline(moment.strftime("%A %d %B %Y %H:%M"))
    american = parse_dateline(moment.strftime("%b. %d, %Y, %I:%M %p"))
    assert iso is not None and written is not None and american is not None
    assert iso.at == written.at == american.at == moment.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "zone", "offset"),
    [
        ("10 November 2024 01:30 +03:00", UTC, 180),  # the offset written wins
        ("10 November 2024 01:30 +03:00", KYIV, 180),
        ("10 November 2024 01:30", KYIV, 120),  # no zone written: --tz's offset at that moment
        ("1 July 2024 01:30", KYIV, 180),  # ... in summer
        ("10 November 2024", KYIV, 120),  # a day starts at midnight there
        ("10 November 2024 01:30", ZoneInfo("Europe/London"), 0),  # a zone at +00:00, not UTC itself
        ("10 November 2024 01:30", UTC, None),  # no zone anywhere
        ("10 November 2024 01:30", ZoneInfo("UTC"), None),
        ("Sun, 10 Nov 2024 01:30:00 GMT", UTC, 0),  # UTC, but named
    ],
)
def test_offset_published_with(line: str, zone: ZoneInfo, offset: int | None) -> None:
    published = parse_dateline(line, zone)
    assert published is not None
    assert published.offset == offset
