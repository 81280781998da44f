"""Dates on the clock an article was published by, and `--tz` for display, filters and trend buckets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import database_rows
from test_cli import search_json, write_article

# 01:30 in Moscow is 22:30 UTC the day before: in UTC it lands on the 9th, the page says the 10th.
MOSCOW_NIGHT = "10 November 2024 01:30 +03:00"
TITLE = "Talks resume after a night in Geneva"


@pytest.fixture
def night_archive(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    write_article(tmp_path / "in", "night.txt", TITLE, MOSCOW_NIGHT, "Delegations met again after midnight.")
    archive("ingest", tmp_path / "in")
    return archive


def hit_line(out: str) -> str:
    return next(line for line in out.splitlines() if TITLE in line)


def article_id(archive) -> str:  # type: ignore[no-untyped-def]
    return search_json(archive, "geneva")["hits"][0]["id"]


def test_dates_show_at_the_offset_they_were_published_with(night_archive) -> None:
    assert "  2024-11-10 01:30 +03:00  " in hit_line(night_archive("search", "geneva").stdout)
    assert "  2024-11-10 01:30 +03:00  " in hit_line(night_archive("list").stdout)
    shown = night_archive("show", article_id(night_archive)).stdout
    assert f"published: 2024-11-10 01:30 +03:00 (as written: {MOSCOW_NIGHT})" in shown


def test_tz_converts_what_is_shown(night_archive) -> None:
    assert "  2024-11-09 22:30 UTC  " in hit_line(night_archive("search", "geneva", "--tz", "UTC").stdout)
    assert "  2024-11-09 22:30 UTC  " in hit_line(night_archive("list", "--tz", "UTC").stdout)
    assert "  2024-11-09 17:30 -05:00  " in hit_line(night_archive("list", "--tz", "America/New_York").stdout)
    shown = night_archive("show", article_id(night_archive), "--tz", "UTC").stdout
    assert "published: 2024-11-09 22:30 UTC (as written: " in shown


def test_json_keeps_utc_and_adds_the_local_date(night_archive) -> None:
    hit = search_json(night_archive, "geneva")["hits"][0]
    assert (hit["date"], hit["date_local"]) == ("2024-11-09T22:30:00+00:00", "2024-11-10T01:30:00+03:00")
    hit = search_json(night_archive, "geneva", "--tz", "Asia/Tokyo")["hits"][0]
    assert (hit["date"], hit["date_local"]) == ("2024-11-09T22:30:00+00:00", "2024-11-10T07:30:00+09:00")
    listed = json.loads(night_archive("list", "--json").stdout)["articles"][0]
    assert (listed["date"], listed["date_local"]) == ("2024-11-09T22:30:00+00:00", "2024-11-10T01:30:00+03:00")
    record = json.loads(night_archive("show", hit["id"], "--json").stdout)
    assert (record["date_publish"], record["date_local"]) == ("2024-11-09T22:30:00+00:00", "2024-11-10T01:30:00+03:00")


def test_filters_are_read_in_tz(night_archive) -> None:
    # Without --tz, typed dates stay UTC, as before.
    assert search_json(night_archive, "geneva", "--since", "2024-11-10")["total"] == 0
    assert search_json(night_archive, "geneva", "--since", "2024-11-10", "--tz", "Europe/Moscow")["total"] == 1
    assert search_json(night_archive, "geneva", "--until", "2024-11-09", "--tz", "Europe/Moscow")["total"] == 0
    assert search_json(night_archive, "geneva date:2024-11-10", "--tz", "Europe/Moscow")["total"] == 1
    assert search_json(night_archive, "geneva date:2024-11-10")["total"] == 0
    listed = json.loads(night_archive("list", "--since", "2024-11-10", "--tz", "Europe/Moscow", "--json").stdout)
    assert listed["total"] == 1
    out = night_archive("search", "geneva", "--since", "2024-11-10", "--tz", "Europe/Moscow").stdout
    assert out.splitlines()[0] == "1 article matches 'geneva' since 2024-11-10 00:00 Europe/Moscow"


def test_trend_buckets_follow_tz(night_archive) -> None:
    moscow = json.loads(night_archive("trend", "geneva", "--by", "day", "--tz", "Europe/Moscow", "--json").stdout)
    assert [bucket["label"] for bucket in moscow["buckets"]] == ["2024-11-10"]
    assert moscow["buckets"][0]["start"] == "2024-11-10T00:00:00+03:00"
    utc = json.loads(night_archive("trend", "geneva", "--by", "day", "--json").stdout)
    assert [bucket["label"] for bucket in utc["buckets"]] == ["2024-11-09"]


def test_a_date_without_a_time_stays_on_its_day(archive, tmp_path: Path) -> None:
    # Read in Kyiv, "10 November 2024" starts at 22:00 UTC on the 9th; no zone can move a day with no time.
    write_article(tmp_path / "in", "day.txt", TITLE, "10 November 2024", "Delegations met again.")
    archive("ingest", "--tz", "Europe/Kyiv", tmp_path / "in")
    for zone in ((), ("--tz", "UTC"), ("--tz", "America/New_York")):
        assert "  2024-11-10  " in hit_line(archive("search", "geneva", *zone).stdout)
        counted = json.loads(archive("trend", "geneva", "--by", "day", "--json", *zone).stdout)
        assert [bucket["label"] for bucket in counted["buckets"]] == ["2024-11-10"]
    assert search_json(archive, "geneva", "--tz", "UTC")["hits"][0]["date_local"] == "2024-11-10T00:00:00+02:00"


def test_facets_count_the_year_printed_on_the_page(archive, tmp_path: Path) -> None:
    write_article(tmp_path / "in", "ny.txt", TITLE, "1 January 2025 01:30 +03:00", "Delegations met again.")
    archive("ingest", tmp_path / "in")
    found = search_json(archive, "geneva", "--facet", "year", "--facet", "month")
    assert found["facets"] == {"year": [{"value": "2025", "count": 1}], "month": [{"value": "2025-01", "count": 1}]}


def test_the_offset_survives_an_export_and_ingest(night_archive, tmp_path: Path) -> None:
    export = tmp_path / "all.jsonl"
    night_archive("export", "-o", export)
    night_archive("ingest", "--home", tmp_path / "copy", export)
    assert "  2024-11-10 01:30 +03:00  " in hit_line(night_archive("search", "--home", tmp_path / "copy", "geneva").stdout)


def test_tz_must_name_a_zone(night_archive) -> None:
    result = night_archive("search", "geneva", "--tz", "Mars/Olympus", expect=2)
    assert "unknown time zone 'Mars/Olympus'" in result.stderr


def test_a_date_off_the_calendar_in_tz_is_a_usage_error(night_archive) -> None:
    result = night_archive("search", "geneva", "--since", "0001-01-01", "--tz", "Asia/Tokyo", expect=2)
    assert "'0001-01-01' for --since reaches past the edge of the calendar in Asia/Tokyo" in result.stderr
    result = night_archive("trend", "geneva", "--since", "0001-01-01T00:00Z", "--tz", "America/New_York", expect=2)
    assert "lies past the edge of the calendar in America/New_York" in result.stderr


def test_reading_a_file_again_fills_an_offset_stored_before_offsets_were_kept(night_archive, archive_home, tmp_path: Path) -> None:
    # as the upgrade leaves an article whose date_text names no zone
    database_rows(archive_home, "UPDATE articles SET published_offset = NULL", write=True)
    assert "  2024-11-09 22:30 UTC  " in hit_line(night_archive("list").stdout)
    result = json.loads(night_archive("ingest", "--force", tmp_path / "in", "--json").stdout)
    assert (result["updated"], result["new"]) == (1, 0)
    assert "  2024-11-10 01:30 +03:00  " in hit_line(night_archive("search", "geneva").stdout)
