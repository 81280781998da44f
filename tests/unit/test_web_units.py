"""The pieces of `archive serve` without an archive: the links a search writes, the chart's geometry, which
links may be followed, the hosts it answers to, and the snippet's marks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from newsarchive.engines import snippets
from newsarchive.engines.protocol import FACETS
from newsarchive.errors import InvalidQuery
from newsarchive.services.search import SearchRequest
from newsarchive.services.trend import Trend, TrendSeries, make_buckets
from newsarchive.web.charts import AXIS_LABELS, period_bounds, trend_chart
from newsarchive.web.filters import highlight
from newsarchive.web.forms import MAX_WINDOW, TrendForm, link, narrowed, search_form, search_link, search_params
from newsarchive.web.security import Guard, host_name, is_loopback, safe_link

# --- narrowing a search by a facet's value ----------------------------------------------------------


@pytest.mark.parametrize(
    "query, facet, value, expected",
    [
        ("kursk", "source", "bbc", 'kursk source:"bbc"'),
        ("kursk", "source", "Le Monde", 'kursk source:"Le Monde"'),
        ("kursk", "author", "Anna Petrova", 'kursk author:"Anna Petrova"'),
        ("kursk", "lang", "en", "kursk lang:en"),
        ("kursk", "lang", "pt-BR", "kursk lang:pt-BR"),
        ("kursk", "year", "2024", "kursk date:2024"),
        ("kursk", "month", "2024-11", "kursk date:2024-11"),
        ("", "source", "bbc", 'source:"bbc"'),
        ("   ", "author", "O'Brien", 'author:"O\'Brien"'),
        ('"peace talks"', "source", "wire", '"peace talks" source:"wire"'),
    ],
)
def test_a_facet_value_narrows_the_query(query: str, facet: str, value: str, expected: str) -> None:
    assert narrowed(query, facet, value) == expected


@pytest.mark.parametrize("facet", FACETS)
@pytest.mark.parametrize("value", ['say "hi"', '"', "", "   "])
def test_a_value_the_query_language_cannot_hold_is_not_narrowed(facet: str, value: str) -> None:
    assert narrowed("kursk", facet, value) is None


@pytest.mark.parametrize("value", ["e n", "en)", "en OR x", "*", "en:x"])
def test_a_language_is_a_word_or_nothing(value: str) -> None:
    assert narrowed("kursk", "lang", value) is None


# --- the search a URL holds, and back ------------------------------------------------------------------


def _echo_app() -> FastAPI:
    """An app that reads a URL's search as the search page does, and says what it read."""
    app = FastAPI()

    @app.get("/search")
    def read(form: Annotated[SearchRequest, Depends(search_form)]) -> dict[str, object]:
        return {"request": repr(form)}

    return app


ECHO = TestClient(_echo_app())


def read_back(href: str) -> str:
    answer = ECHO.get(href)
    assert answer.status_code == 200, (href, answer.text)
    return str(answer.json()["request"])


def test_a_search_at_its_defaults_is_a_bare_link() -> None:
    assert search_params(SearchRequest(query="")) == {}
    assert search_link(SearchRequest(query="")) == "/search"
    assert search_link(SearchRequest(query="kursk")) == "/search?q=kursk"
    assert read_back("/search") == repr(SearchRequest(query=""))


def test_a_link_writes_only_what_differs_from_the_defaults() -> None:
    request = SearchRequest(query="peace talks", sort="newest", page=3, facets=("source", "year"), collapse=False)
    assert search_params(request) == {
        "q": "peace talks", "sort": "newest", "page": 3, "facet": ["source", "year"], "collapse": False,
    }  # fmt: skip
    assert search_link(request) == "/search?q=peace+talks&sort=newest&page=3&facet=source&facet=year&collapse=False"
    assert search_link(request, page=1, query="other") == "/search?q=other&sort=newest&facet=source&facet=year&collapse=False"


def test_link_leaves_out_what_is_not_given() -> None:
    assert link("/trend", {"q": ["a", "b&c"], "by": None, "x": [], "y": ()}) == "/trend?q=a&q=b%26c"
    assert link("/info", {}) == "/info"
    form = TrendForm(q=("kursk", "peace talks"), by="week", normalize=True)
    assert form.link() == "/trend?q=kursk&q=peace+talks&by=week&normalize=true"
    assert form.link("/trend.csv", by="month", normalize=False) == "/trend.csv?q=kursk&q=peace+talks"


_words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_requests = st.builds(
    SearchRequest,
    query=_words,
    since=st.none() | st.sampled_from(["2024", "2024-11", "2024-11-10", "2024-11-10T09:00:00+03:00"]),
    until=st.none() | st.sampled_from(["2025", "2024-12-31"]),
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    limit=st.integers(1, 100),
    page=st.integers(1, 100),
    undated=st.sampled_from(["include", "exclude", "only"]),
    facets=st.lists(st.sampled_from(FACETS), unique=True).map(tuple),
    collapse=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(_requests)
def test_a_search_survives_its_link(request: SearchRequest) -> None:
    assert read_back(search_link(request)) == repr(request)


def test_paging_past_the_window_is_refused_in_the_form() -> None:
    given = {"q": "x", "since": None, "until": None, "sort": "relevance", "undated": "include", "facet": None, "collapse": True}
    assert asyncio.run(search_form(**given, limit=100, page=MAX_WINDOW // 100)).page == 100  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery) as refused:
        asyncio.run(search_form(**given, limit=100, page=MAX_WINDOW // 100 + 1))  # type: ignore[arg-type]
    assert (refused.value.message, refused.value.hint) == (
        "page 101 of 100 hits goes past hit 10,000, the deepest a search pages to",
        "narrow the search (a date range, a source), or sort it the other way",
    )


# --- the chart -----------------------------------------------------------------------------------------


def _trend(counts: dict[str, list[int]], by: str = "month", normalized: bool = False, zone: timezone = UTC) -> Trend:
    length = len(next(iter(counts.values())))
    start = datetime(2024, 1, 1, tzinfo=zone)
    buckets = make_buckets(start, start + timedelta(days=400), by, zone)[:length]
    archived = [100] * length if normalized else None
    series = [
        TrendSeries(query, values, [value / 100 for value in values] if normalized else None) for query, values in counts.items()
    ]
    return Trend(by=by, buckets=buckets, series=series, undated={}, normalized=normalized, archived=archived, zone=zone)


def _to(query: str, since: str, until: str) -> str:
    return f"{query}|{since}|{until}"


def test_bar_heights_are_proportional_to_their_counts() -> None:
    chart = trend_chart(_trend({"kursk": [0, 3, 6, 12], "kharkiv": [1, 2, 4, 8]}), _to)
    assert (chart.left, chart.top, chart.right, chart.bottom) == (64.0, 12.0, 888.0, 280.0)
    plot = chart.bottom - chart.top
    top_value = 15  # 12 on a scale of 3s (a fifth of 12, rounded up to 1, 2 or 5 times a power of ten: 5)
    assert [tick.text for tick in chart.ticks] == ["0", "5", "10", "15"]
    assert [bar.height for bar in chart.bars] == [
        round(plot * value / top_value, 2) for pair in zip([0, 3, 6, 12], [1, 2, 4, 8], strict=True) for value in pair
    ]
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.bottom, abs=0.01)
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.label == "kursk, 2024-04: 12 articles"
    assert [bar.series for bar in chart.bars] == [0, 1] * 4
    assert chart.series == ["kursk", "kharkiv"]
    assert chart.title == "Articles per month matching kursk, kharkiv"


def test_bars_sit_side_by_side_in_their_period_without_overlapping() -> None:
    chart = trend_chart(_trend({"a": [1, 2, 3], "b": [3, 2, 1], "c": [0, 0, 1]}), _to)
    slot = (chart.right - chart.left) / 3
    for number, bar in enumerate(chart.bars):
        period, _ = divmod(number, 3)
        assert chart.left + period * slot <= bar.x and bar.x + bar.width <= chart.left + (period + 1) * slot + 0.01
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and all(later - earlier >= chart.bars[0].width - 0.01 for earlier, later in zip(xs, xs[1:], strict=False))
    assert [period.at for period in chart.periods] == [round(chart.left + slot * (row + 0.5), 2) for row in range(3)]


def test_ticks_run_from_zero_to_the_top_of_the_plot() -> None:
    chart = trend_chart(_trend({"a": [7, 0, 1]}), _to)
    assert [tick.text for tick in chart.ticks] == ["0", "2", "4", "6", "8"]
    assert [tick.at for tick in chart.ticks] == [chart.bottom - (chart.bottom - chart.top) * k / 4 for k in range(5)]
    big = trend_chart(_trend({"a": [12_345]}), _to)
    assert [tick.text for tick in big.ticks] == ["0", "5,000", "10,000", "15,000"]
    one = trend_chart(_trend({"a": [1, 0]}), _to)
    assert [tick.text for tick in one.ticks] == ["0", "1"]  # (counts are whole: no tick at 0.2)
    assert one.bars[0].label == "a, 2024-01: 1 article" and one.bars[1].label == "a, 2024-02: 0 articles"


def test_an_empty_trend_has_flat_bars_and_one_tick() -> None:
    chart = trend_chart(_trend({"a": [0, 0, 0]}), _to)
    assert [(tick.at, tick.text) for tick in chart.ticks] == [(chart.bottom, "0")]
    assert {bar.height for bar in chart.bars} == {0.0} and {bar.y for bar in chart.bars} == {chart.bottom}


def test_shares_are_shown_as_percentages() -> None:
    chart = trend_chart(_trend({"a": [5, 10, 20]}, normalized=True), _to)
    assert [tick.text for tick in chart.ticks] == ["0.0%", "5.0%", "10.0%", "15.0%", "20.0%"]
    assert chart.bars[2].label == "a, 2024-03: 20.00% of articles"
    assert chart.bars[2].height == chart.bottom - chart.top
    assert chart.title == "Share of all archived articles per month matching a"


def test_only_so_many_periods_are_labelled() -> None:
    chart = trend_chart(_trend({"a": list(range(30))}, by="week"), _to)
    assert len(chart.bars) == 30
    assert [period.text for period in chart.periods] == [chart.bars[row].label.split(", ")[1].split(":")[0] for row in range(0, 30, 3)]
    assert len(chart.periods) <= AXIS_LABELS


@pytest.mark.parametrize(
    "by, start, bounds",
    [
        ("day", datetime(2024, 2, 28, tzinfo=UTC), ("2024-02-28", "2024-02-28")),
        ("week", datetime(2024, 12, 30, tzinfo=UTC), ("2024-12-30", "2025-01-05")),
        ("month", datetime(2024, 2, 10, tzinfo=UTC), ("2024-02-01", "2024-02-29")),
        ("month", datetime(2024, 12, 10, tzinfo=UTC), ("2024-12-01", "2024-12-31")),
        ("year", datetime(2024, 7, 1, tzinfo=UTC), ("2024-01-01", "2024-12-31")),
    ],
)
def test_a_period_is_its_first_and_last_day(by: str, start: datetime, bounds: tuple[str, str]) -> None:
    bucket = make_buckets(start, start, by)[0]
    assert period_bounds(bucket.start, bucket.end - timedelta(microseconds=1)) == bounds


def test_a_period_in_another_zone_is_its_first_and_last_moment() -> None:
    zone = timezone(timedelta(hours=3))
    bucket = make_buckets(datetime(2024, 11, 10, 12, tzinfo=zone), datetime(2024, 11, 10, 12, tzinfo=zone), "day", zone)[0]
    assert period_bounds(bucket.start, bucket.end - timedelta(microseconds=1)) == ("2024-11-10T00:00:00+03:00", "2024-11-10T23:59:59.999999+03:00")


def test_each_bar_links_its_query_and_its_period() -> None:
    chart = trend_chart(_trend({"kursk": [1, 2], "peace talks": [0, 1]}), _to)
    assert [bar.href for bar in chart.bars] == [
        "kursk|2024-01-01|2024-01-31", "peace talks|2024-01-01|2024-01-31",
        "kursk|2024-02-01|2024-02-29", "peace talks|2024-02-01|2024-02-29",
    ]  # fmt: skip


def test_a_bucket_that_is_not_whole_days_keeps_its_moments() -> None:
    assert period_bounds(datetime(2024, 1, 1, 6, tzinfo=UTC), datetime(2024, 1, 2, 5, 59, 59, 999999, tzinfo=UTC)) == ("2024-01-01T06:00:00+00:00", "2024-01-02T05:59:59.999999+00:00")


# --- links from an article ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)",
        "jav\tascript:alert(1)", "javascript://example.org/%0aalert(1)", "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://example.org/x", "/relative/path", "relative.html",
        "//example.org/no-scheme", "http://", "https:///path-only", "mailto:a@example.org", "", None, "http://[::1",
    ],
)  # fmt: skip
def test_only_http_and_https_urls_become_links(url: str | None) -> None:
    assert safe_link(url) is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://example.org/a", "http://example.org/a"),
        ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
        ("HTTPS://Example.org/", "HTTPS://Example.org/"),
        ("  https://example.org/spaced  ", "https://example.org/spaced"),
        ('https://example.org/"><script>', 'https://example.org/"><script>'),  # (a link; the template escapes it)
    ],
)
def test_http_and_https_urls_are_links(url: str, expected: str) -> None:
    assert safe_link(url) == expected


# --- the hosts a server on loopback answers to -------------------------------------------------------------


@pytest.mark.parametrize(
    "header, name",
    [
        ("127.0.0.1", "127.0.0.1"), ("127.0.0.1:8000", "127.0.0.1"), ("LOCALHOST:8000", "localhost"),
        ("[::1]", "::1"), ("[::1]:8000", "::1"), (" localhost ", "localhost"), ("evil.example:80", "evil.example"),
        ("::1", "::1"), ("[::1", "[::1"), ("", ""),
    ],
)  # fmt: skip
def test_the_name_in_a_host_header(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("LocalHost", True), ("::1", True),
        ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.2", False), ("example.org", False),
        ("localhost.example.org", False), ("", False),
    ],
)  # fmt: skip
def test_which_addresses_keep_the_server_to_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# --- the snippet's marks -------------------------------------------------------------------------------------


def test_a_snippet_is_escaped_and_only_its_marks_are_markup() -> None:
    start, end = snippets.MATCH_START, snippets.MATCH_END
    snippet = f'<b>bold</b> and {start}kursk{end} <script>alert("x")</script> & {start}talks{end}'
    assert str(highlight(snippet)) == (
        "&lt;b&gt;bold&lt;/b&gt; and <mark>kursk</mark> &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; "
        "&amp; <mark>talks</mark>"
    )
    assert str(highlight("<mark>not ours</mark>")) == "&lt;mark&gt;not ours&lt;/mark&gt;"
    assert str(highlight("")) == ""


# --- the token's redirect ------------------------------------------------------------------------------------------

TOKEN = "s3cret-token_0123456789"


def _guarded(raw_path: bytes, query: bytes) -> tuple[int, dict[bytes, bytes]]:
    """What Guard answers a GET of ``raw_path?query`` that carries the token in its query (as uvicorn gives it)."""
    import asyncio
    from urllib.parse import unquote

    sent: list[dict[str, object]] = []

    async def app(_scope: object, _receive: object, _send: object) -> None:
        raise AssertionError("the request went on to the app")

    async def receive() -> dict[str, object]:
        return {"type": "http.request"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "GET", "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path,
        "query_string": query, "headers": [(b"host", b"archive.example")], "root_path": "",
    }  # fmt: skip
    asyncio.run(Guard(app, token=TOKEN)(scope, receive, send))  # type: ignore[arg-type]
    return int(sent[0]["status"]), dict(sent[0]["headers"])  # type: ignore[call-overload, arg-type]


def test_the_token_moves_from_the_address_into_a_cookie() -> None:
    status, headers = _guarded(b"/search", f"q=a%26b&token={TOKEN}&sort=newest".encode())
    assert status == 303
    assert headers[b"location"] == b"/search?q=a%26b&sort=newest"
    assert headers[b"set-cookie"] == f"archive_token={TOKEN}; Path=/; HttpOnly; SameSite=Lax".encode()


@pytest.mark.parametrize(
    "raw_path, location",
    [
        (b"/articles/ab%20cd", b"/articles/ab%20cd"),
        (b"/articles/%C3%A9", b"/articles/%C3%A9"),
        (b"/search%3Fq%3Dx", b"/search%3Fq%3Dx"),
        (b"/a%0D%0ASet-Cookie:%20x=1", b"/a%0D%0ASet-Cookie:%20x=1"),
        (b"//evil.example/x", None),
        (b"/%5Cevil.example/x", None),
        (b"/\\evil.example/x", None),
        (b"///evil.example", None),
    ],
)
def test_the_token_redirect_stays_on_this_server(raw_path: bytes, location: bytes | None) -> None:
    """The address a browser is sent to is this server's page, as it was asked for: never another site
    (``//evil.example`` is one to a browser, and so is ``/\\evil.example``), never a header of its own."""
    from urllib.parse import urlsplit

    status, headers = _guarded(raw_path, f"token={TOKEN}".encode())
    sent = headers[b"location"]
    assert status == 303
    assert all(33 <= byte < 127 for byte in sent), sent  # (percent-encoded: no space, CR, LF or raw UTF-8)
    assert sent.startswith(b"/") and not sent.startswith((b"//", b"/\\")), sent
    assert urlsplit(sent.decode().replace("\\", "/")).netloc == "", sent
    if location is not None:
        assert sent == location
