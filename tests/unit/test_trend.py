"""Attention over time: calendar buckets, counting, normalisation and the four renderings."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from tests._counting import count_dates

from newsarchive.engines.protocol import PeriodCounts
from newsarchive.errors import ArchiveError, InvalidQuery
from newsarchive.query.tree import Query
from newsarchive.render.data import trend_csv, trend_dict
from newsarchive.render.plot import plot_trend
from newsarchive.render.text import trend_text
from newsarchive.services import trend as trend_module
from newsarchive.services.trend import (
    MAX_BUCKETS,
    Bucket,
    Trend,
    TrendSeries,
    make_buckets,
    trend,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def labels(buckets: list[Bucket]) -> list[str]:
    return [bucket.label for bucket in buckets]


# --- make_buckets -----------------------------------------------------------------


def test_days_start_at_midnight_and_cover_both_ends() -> None:
    buckets = make_buckets(utc(2024, 2, 28, 15, 30), utc(2024, 3, 1, 0, 1), "day")
    assert labels(buckets) == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert buckets[0].start == utc(2024, 2, 28)
    assert buckets[-1].end == utc(2024, 3, 2)


def test_buckets_are_consecutive() -> None:
    for by in trend_module.BY:
        buckets = make_buckets(utc(2019, 12, 17, 8), utc(2024, 3, 2), by)
        assert all(before.end == after.start for before, after in zip(buckets, buckets[1:], strict=False))
        assert all(bucket.start < bucket.end for bucket in buckets)


def test_weeks_are_iso_weeks_from_monday_across_a_year_boundary() -> None:
    buckets = make_buckets(utc(2024, 12, 25), utc(2025, 1, 8), "week")
    assert labels(buckets) == ["2024-W52", "2025-W01", "2025-W02"]
    assert [bucket.start for bucket in buckets] == [utc(2024, 12, 23), utc(2024, 12, 30), utc(2025, 1, 6)]
    assert all(bucket.start.weekday() == 0 for bucket in buckets)
    assert buckets[-1].end == utc(2025, 1, 13)


def test_a_year_with_53_iso_weeks() -> None:
    assert labels(make_buckets(utc(2020, 12, 27), utc(2021, 1, 4), "week")) == ["2020-W52", "2020-W53", "2021-W01"]


@pytest.mark.parametrize(("year", "february_days"), [(2023, 28), (2024, 29), (2000, 29), (1900, 28)])
def test_months_across_february(year: int, february_days: int) -> None:
    buckets = make_buckets(utc(year, 1, 31, 23, 59), utc(year, 3, 1), "month")
    assert labels(buckets) == [f"{year}-01", f"{year}-02", f"{year}-03"]
    february = buckets[1]
    assert (february.start, february.end) == (utc(year, 2, 1), utc(year, 3, 1))
    assert february.end - february.start == timedelta(days=february_days)


def test_months_across_a_year_boundary() -> None:
    buckets = make_buckets(utc(2024, 11, 10), utc(2025, 1, 2), "month")
    assert labels(buckets) == ["2024-11", "2024-12", "2025-01"]
    assert buckets[1].end == utc(2025, 1, 1)


def test_years() -> None:
    buckets = make_buckets(utc(2023, 6, 15), utc(2025, 1, 1), "year")
    assert labels(buckets) == ["2023", "2024", "2025"]
    assert (buckets[0].start, buckets[-1].end) == (utc(2023, 1, 1), utc(2026, 1, 1))


def test_an_end_exactly_at_a_bucket_start_gets_that_bucket() -> None:
    assert labels(make_buckets(utc(2024, 11, 1), utc(2024, 12, 1), "month")) == ["2024-11", "2024-12"]


def test_one_instant_is_one_bucket() -> None:
    assert labels(make_buckets(utc(2024, 11, 10, 9), utc(2024, 11, 10, 9), "week")) == ["2024-W45"]


def test_buckets_are_utc_whatever_the_zone_given() -> None:
    kyiv = timezone(timedelta(hours=2))
    buckets = make_buckets(datetime(2024, 11, 1, 0, 30, tzinfo=kyiv), datetime(2024, 11, 2, tzinfo=kyiv), "month")
    assert labels(buckets) == ["2024-10", "2024-11"]
    assert buckets[0].start.tzinfo == UTC


def test_the_last_year_datetime_can_hold() -> None:
    buckets = make_buckets(utc(9999, 5, 1), utc(9999, 12, 31), "year")
    assert labels(buckets) == ["9999"]
    assert buckets[0].end == datetime.max.replace(tzinfo=UTC)


def test_unknown_bucket_size() -> None:
    with pytest.raises(InvalidQuery, match="'fortnight'") as caught:
        make_buckets(utc(2024, 1, 1), utc(2024, 2, 1), "fortnight")
    assert caught.value.hint == "use --by day, week, month, year"


def test_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(InvalidQuery, match="after it ends") as caught:
        make_buckets(utc(2024, 2, 1), utc(2024, 1, 1), "day")
    assert caught.value.hint is not None and "--since" in caught.value.hint


def test_thirty_years_of_days_are_too_many() -> None:
    with pytest.raises(InvalidQuery, match="10,957 days from 1994-01-01 to 2023-12-31 are too many") as caught:
        make_buckets(utc(1994, 1, 1), utc(2023, 12, 31), "day")
    assert caught.value.hint == "count per week or month or year with --by, or narrow the period with --since/--until"


def test_the_bucket_limit_is_inclusive() -> None:
    first = utc(2000, 1, 1)
    assert len(make_buckets(first, first + timedelta(days=MAX_BUCKETS - 1), "day")) == MAX_BUCKETS
    with pytest.raises(InvalidQuery, match="5,001 days"):
        make_buckets(first, first + timedelta(days=MAX_BUCKETS), "day")


def test_too_many_years_suggests_only_a_narrower_period() -> None:
    with pytest.raises(InvalidQuery) as caught:
        make_buckets(utc(1, 1, 1), utc(9999, 1, 1), "year")
    assert caught.value.hint == "narrow the period with --since/--until"


# --- trend() over a stand-in index -----------------------------------------------------


class DatesEngine(dict):
    """A stand-in search engine: the publication dates of its matches per query text (None: the whole archive)."""

    def count_by_period(self, query: Query | None, edges: Sequence[datetime], **bounds: Any) -> PeriodCounts:
        return count_dates(self[None if query is None else query.text], edges, **bounds)


@pytest.fixture
def fake_index() -> DatesEngine:
    return DatesEngine()


def test_the_period_runs_from_the_first_to_the_last_match_of_any_query(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 11, 10), None, utc(2024, 11, 12)]
    fake_index["trump"] = [utc(2025, 1, 20), None, None]
    result = trend(fake_index, ["kursk", "trump"])
    assert labels(result.buckets) == ["2024-11", "2024-12", "2025-01"]
    assert [series.counts for series in result.series] == [[2, 0, 0], [0, 0, 1]]
    assert [series.shares for series in result.series] == [None, None]
    assert result.undated == {"kursk": 1, "trump": 2}
    assert (result.by, result.normalized, result.archived) == ("month", False, None)


def test_since_and_until_bound_the_period_and_the_counts(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 11, 1), utc(2024, 11, 10), utc(2024, 12, 31, 23), utc(2025, 1, 1)]
    result = trend(fake_index, ["kursk"], by="month", since=utc(2024, 11, 5), until=utc(2025, 2, 1))
    assert labels(result.buckets) == ["2024-11", "2024-12", "2025-01", "2025-02"]
    # 1 November is before --since: its month is charted, the article is not counted.
    assert result.series[0].counts == [1, 1, 1, 0]


def test_only_since_given_ends_at_the_last_match(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 3, 1), utc(2024, 5, 2)]
    result = trend(fake_index, ["kursk"], by="year", since=utc(2022, 7, 1))
    assert labels(result.buckets) == ["2022", "2023", "2024"]
    assert result.series[0].counts == [0, 0, 2]


def test_no_dated_match_gives_no_buckets(fake_index: dict) -> None:
    fake_index["kursk"] = [None, None]
    fake_index["trump"] = []
    result = trend(fake_index, ["kursk", "trump"], normalize=True)
    assert result.buckets == []
    assert result.series == [TrendSeries("kursk", [], []), TrendSeries("trump", [], [])]
    assert result.undated == {"kursk": 2, "trump": 0}


def test_no_match_inside_a_half_open_period_gives_no_buckets(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 3, 1)]
    assert trend(fake_index, ["kursk"], since=utc(2025, 1, 1)).buckets == []


def test_a_closed_period_is_charted_even_without_matches(fake_index: dict) -> None:
    fake_index["kursk"] = []
    result = trend(fake_index, ["kursk"], by="year", since=utc(2023, 1, 1), until=utc(2024, 12, 31))
    assert result.series[0].counts == [0, 0]


def test_normalize_divides_by_all_archived_articles_per_bucket(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 1, 5), utc(2024, 3, 1), None]
    fake_index[None] = [utc(2024, 1, 1), utc(2024, 1, 5), utc(2024, 1, 9), utc(2024, 1, 31), utc(2024, 3, 1), None]
    result = trend(fake_index, ["kursk"], normalize=True)
    assert labels(result.buckets) == ["2024-01", "2024-02", "2024-03"]
    # 1 January is before the first match, but in its bucket: all of January is counted.
    assert result.archived == [4, 0, 1]
    # February has no archived article at all: a share of 0.0, not a division by zero.
    assert result.series[0].shares == [0.25, 0.0, 1.0]
    assert result.series[0].counts == [1, 0, 1]
    assert result.normalized


def test_normalize_counts_the_archive_only_inside_the_period(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 1, 20)]
    fake_index[None] = [utc(2024, 1, 2), utc(2024, 1, 20), utc(2024, 1, 25)]
    result = trend(fake_index, ["kursk"], since=utc(2024, 1, 15), until=utc(2024, 1, 22), normalize=True)
    assert result.archived == [1]
    assert result.series[0].shares == [1.0]


def test_a_query_given_twice_is_counted_once(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(2024, 1, 20)]
    assert [series.query for series in trend(fake_index, ["kursk", "kursk"]).series] == ["kursk"]


def test_trend_refuses_bad_arguments_before_searching(fake_index: dict) -> None:
    with pytest.raises(InvalidQuery, match="no query"):
        trend(fake_index, [])
    with pytest.raises(InvalidQuery, match="'hour'"):
        trend(fake_index, ["kursk"], by="hour")
    with pytest.raises(InvalidQuery, match="after it ends"):
        trend(fake_index, ["kursk"], since=utc(2025, 1, 1), until=utc(2024, 1, 1))


def test_trend_refuses_too_many_buckets(fake_index: dict) -> None:
    fake_index["kursk"] = [utc(1990, 1, 1), utc(2024, 1, 1)]
    with pytest.raises(InvalidQuery, match="too many"):
        trend(fake_index, ["kursk"], by="day")


# --- rendering ----------------------------------------------------------------------


def sample(*, normalized: bool = False) -> Trend:
    buckets = make_buckets(utc(2024, 9, 3), utc(2024, 11, 5), "month")
    if normalized:
        series = [TrendSeries("kursk", [2, 0, 4], [0.5, 0.0, 1 / 3])]
        return Trend("month", buckets, series, {"kursk": 0}, True, archived=[4, 0, 12])
    series = [TrendSeries("kursk", [2, 0, 4], None), TrendSeries('"peace talks"', [1, 3, 0], None)]
    return Trend("month", buckets, series, {"kursk": 1, '"peace talks"': 0}, False)


def test_text_chart_with_two_queries_side_by_side() -> None:
    assert trend_text(sample(), width=20) == (
        "Articles per month, 2024-09 to 2024-11, matching:\n"
        "  █ kursk\n"
        '  ▓ "peace talks"\n'
        "\n"
        "2024-09  2 █████       1 ▓▓\n"
        "2024-10  0             3 ▓▓▓▓▓▓▓▓\n"
        "2024-11  4 ██████████  0\n"
        "\n"
        '1 matching article is undated and not charted (kursk: 1, "peace talks": 0).'
    )


def test_text_chart_of_shares() -> None:
    assert trend_text(sample(normalized=True), width=10) == (
        "Share of all archived articles per month, 2024-09 to 2024-11, matching:\n"
        "  █ kursk\n"
        "\n"
        "2024-09  50.0% ██████████\n"
        "2024-10   0.0%\n"
        "2024-11  33.3% ███████\n"
        "\n"
        "No matching article is undated."
    )


def test_text_chart_gives_a_small_value_one_block() -> None:
    buckets = make_buckets(utc(2024, 1, 1), utc(2024, 1, 2), "day")
    chart = trend_text(Trend("day", buckets, [TrendSeries("x", [1, 1000], None)], {"x": 3}, False), width=10)
    assert chart.splitlines()[3:] == [
        "2024-01-01     1 █",
        "2024-01-02  1000 ██████████",
        "",
        "3 matching articles are undated and not charted.",
    ]


def test_text_chart_of_all_zeros_and_of_nothing() -> None:
    buckets = make_buckets(utc(2024, 1, 1), utc(2024, 1, 1), "year")
    zeros = Trend("year", buckets, [TrendSeries("x", [0], None)], {"x": 0}, False)
    assert trend_text(zeros).splitlines()[0] == "Articles per year, 2024, matching:"
    assert trend_text(zeros).splitlines()[3] == "2024  0"
    empty = Trend("week", [], [TrendSeries("x", [], None)], {"x": 2}, False)
    assert trend_text(empty) == (
        "Articles per week, matching:\n"
        "  █ x\n"
        "\n"
        "No dated article matches.\n"
        "\n"
        "2 matching articles are undated and not charted."
    )


def test_csv_of_counts_quotes_query_names() -> None:
    text = trend_csv(sample())
    assert text.splitlines() == [
        'bucket,start,end,kursk,"""peace talks"""',
        "2024-09,2024-09-01T00:00:00+00:00,2024-10-01T00:00:00+00:00,2,1",
        "2024-10,2024-10-01T00:00:00+00:00,2024-11-01T00:00:00+00:00,0,3",
        "2024-11,2024-11-01T00:00:00+00:00,2024-12-01T00:00:00+00:00,4,0",
    ]
    assert next(csv.reader(io.StringIO(text)))[3:] == ["kursk", '"peace talks"']


def test_csv_of_shares() -> None:
    rows = list(csv.reader(io.StringIO(trend_csv(sample(normalized=True)))))
    assert [row[3] for row in rows] == ["kursk", "0.5", "0.0", "0.333333"]


def test_csv_with_a_comma_in_a_query() -> None:
    buckets = make_buckets(utc(2024, 1, 1), utc(2024, 1, 1), "year")
    text = trend_csv(Trend("year", buckets, [TrendSeries("a, b", [1], None)], {"a, b": 0}, False))
    assert text.splitlines()[0] == 'bucket,start,end,"a, b"'


def test_dict_for_json() -> None:
    value = trend_dict(sample(normalized=True))
    assert json.loads(json.dumps(value)) == {
        "by": "month",
        "normalized": True,
        "buckets": [
            {"label": "2024-09", "start": "2024-09-01T00:00:00+00:00", "end": "2024-10-01T00:00:00+00:00"},
            {"label": "2024-10", "start": "2024-10-01T00:00:00+00:00", "end": "2024-11-01T00:00:00+00:00"},
            {"label": "2024-11", "start": "2024-11-01T00:00:00+00:00", "end": "2024-12-01T00:00:00+00:00"},
        ],
        "archived": [4, 0, 12],
        "series": [{"query": "kursk", "counts": [2, 0, 4], "shares": [0.5, 0.0, 1 / 3], "undated": 0}],
    }
    counts_only = trend_dict(sample())
    assert counts_only["archived"] is None
    assert [series["shares"] for series in counts_only["series"]] == [None, None]
    assert [series["undated"] for series in counts_only["series"]] == [1, 0]


# --- plotting ---------------------------------------------------------------------------


def test_plot_refuses_other_extensions(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="svg or .png") as caught:
        plot_trend(sample(), tmp_path / "chart.pdf")
    assert caught.value.hint == "give a file name ending in .svg or .png"
    assert not (tmp_path / "chart.pdf").exists()


def test_plot_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    # Makes `import matplotlib...` fail, also for submodules an earlier test loaded.
    for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")] + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ArchiveError, match="^plotting needs matplotlib$") as caught:
        plot_trend(sample(), tmp_path / "chart.svg")
    assert caught.value.hint == "pip install 'newsarchive[plot]'"


def test_plot_of_nothing(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="nothing to plot"):
        plot_trend(Trend("month", [], [TrendSeries("x", [], None)], {"x": 0}, False), tmp_path / "chart.svg")


def test_plot_writes_an_svg(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "chart.svg"
    plot_trend(sample(), path)
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "peace talks" in text


def test_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "Chart.PNG"
    plot_trend(sample(normalized=True), path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# --- end to end -------------------------------------------------------------------------


def test_buckets_in_a_zone_follow_its_daylight_saving() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")  # clocks went back on 27 October 2024: a 25-hour day
    buckets = make_buckets(utc(2024, 10, 26, 12), utc(2024, 10, 28, 12), "day", berlin)
    assert labels(buckets) == ["2024-10-26", "2024-10-27", "2024-10-28"]
    lengths = [bucket.end.astimezone(UTC) - bucket.start.astimezone(UTC) for bucket in buckets]
    assert lengths == [timedelta(hours=hours) for hours in (24, 25, 24)]
    assert buckets[1].start == utc(2024, 10, 26, 22)


def test_a_day_written_without_a_time_counts_on_that_day_in_any_zone(fake_index: dict) -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    fake_index["kursk"] = [date(2024, 11, 10), utc(2024, 11, 9, 22, 30)]
    moscow = trend(fake_index, ["kursk"], by="day", zone=ZoneInfo("Europe/Moscow"))
    assert labels(moscow.buckets) == ["2024-11-10"]
    assert moscow.series[0].counts == [2]
    new_york = trend(fake_index, ["kursk"], by="day", zone=ZoneInfo("America/New_York"))
    assert labels(new_york.buckets) == ["2024-11-09", "2024-11-10"]
    assert new_york.series[0].counts == [1, 1]
