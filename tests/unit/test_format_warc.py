"""parse_warc: HTML responses of a crawl become articles; everything else is passed over."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.errors import UnreadableFile
from newsarchive.reading.draft import PublishedDate
from newsarchive.reading.formats import Item, ItemError
from newsarchive.reading.formats.warc import parse_warc

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
LONDON = ZoneInfo("Europe/London")

NEWS_URI = "https://www.dailycourier.example/world/kremlin-kursk-talks"
CAFE_URI = "https://gazette.example/news/cafe-award"
HAUSHALT_URI = "https://www.tageskurier.example/politik/haushalt-einigung"
SPORT_URI = "https://www.dailycourier.example/sport"


def write_crawl(compress: bool) -> bytes:
    """A small crawl: three article pages, an index page, and what else crawls hold."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)

    def response(uri: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        http = StatusAndHeaders(status, [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http)
        )

    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test crawler"}))
    request = StatusAndHeaders("GET /world/kremlin-kursk-talks HTTP/1.1", [("Host", "www.dailycourier.example")], is_http_request=True)
    writer.write_record(writer.create_warc_record(NEWS_URI, "request", http_headers=request))
    response(NEWS_URI, "200 OK", [("Content-Type", "text/html; charset=utf-8")], (FIXTURES / "news_page.html").read_bytes())
    response(
        "https://www.dailycourier.example/world/old-story",
        "404 Not Found",
        [("Content-Type", "text/html")],
        b"<html><head><title>Page not found</title></head><body><h1>Page not found</h1></body></html>",
    )
    response(
        "https://www.dailycourier.example/static/logo.png",
        "200 OK",
        [("Content-Type", "image/png")],
        b"\x89PNG\r\n\x1a\n" + bytes(64),
    )
    response(
        "https://gazette.example/news/cafe",
        "301 Moved Permanently",
        [("Location", CAFE_URI), ("Content-Type", "text/html")],
        b"",
    )
    # The page calls itself iso-8859-1; the server says windows-1252.
    response(CAFE_URI, "200 OK", [("Content-Type", 'text/html; charset="windows-1252"')], (FIXTURES / "dated_page.html").read_bytes())
    response(
        HAUSHALT_URI,
        "200 OK",
        [("Content-Type", "text/html;charset=UTF-8"), ("Content-Encoding", "gzip")],
        gzip.compress((FIXTURES / "timestamp_page.html").read_bytes()),
    )
    response(SPORT_URI, "200 OK", [("Content-Type", "text/html")], (FIXTURES / "section_page.html").read_bytes())
    return out.getvalue()


@pytest.fixture(scope="module", params=[True, False], ids=["warc.gz", "warc"])
def crawl(request: pytest.FixtureRequest) -> bytes:
    return write_crawl(compress=request.param)


@pytest.fixture(scope="module")
def results(crawl: bytes) -> list[Item | ItemError]:
    return list(parse_warc(io.BytesIO(crawl), LONDON))


def test_only_html_200_responses_are_read(results: list[Item | ItemError]) -> None:
    assert [(type(r).__name__, r.key) for r in results] == [
        ("Item", NEWS_URI),
        ("Item", CAFE_URI),
        ("Item", HAUSHALT_URI),
        ("ItemError", SPORT_URI),
    ]


def test_page_that_is_no_article_is_an_item_error(results: list[Item | ItemError]) -> None:
    assert results[3] == ItemError(SPORT_URI, "no article text found in the HTML page")


def test_articles_are_parsed_like_html_files(results: list[Item | ItemError]) -> None:
    news = results[0]
    assert isinstance(news, Item)
    assert news.draft.title == "Kremlin rules out talks until Kursk is retaken"
    assert news.draft.url == NEWS_URI
    assert news.draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 9, 13, tzinfo=UTC), text="2024-11-10T09:13:00+00:00", precision="second", offset=0
    )


def test_target_uri_is_the_url_when_the_page_names_none(results: list[Item | ItemError]) -> None:
    cafe = results[1]
    assert isinstance(cafe, Item)
    assert cafe.draft.title == "Harbour café wins national award"
    assert "“over the moon”" in cafe.draft.body_text
    assert cafe.draft.url == CAFE_URI
    assert cafe.draft.source_domain == "gazette.example"


def test_gzip_content_encoding_is_undone(results: list[Item | ItemError]) -> None:
    haushalt = results[2]
    assert isinstance(haushalt, Item)
    assert haushalt.draft.title == "Koalition einigt sich auf Haushalt"
    assert haushalt.draft.language == "de"


def test_warc_gz_file_on_disk() -> None:
    # tests/fixtures/formats/crawl.warc.gz is write_crawl(compress=True), saved once.
    with (FIXTURES / "crawl.warc.gz").open("rb") as stream:
        keys = [(type(r).__name__, r.key) for r in parse_warc(stream, LONDON)]
    assert keys == [("Item", NEWS_URI), ("Item", CAFE_URI), ("Item", HAUSHALT_URI), ("ItemError", SPORT_URI)]


def test_truncated_warc_ends_with_an_item_error() -> None:
    data = write_crawl(compress=False)
    cut = data.index(b"Diplomats in Brussels")
    results = list(parse_warc(io.BytesIO(data[:cut]), LONDON))
    assert results == [ItemError(NEWS_URI, "page is cut off: the WARC file is truncated")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body>Not a WARC</body></html>\n", "not a valid WARC file: Unknown archive format, first line: ['<html><body>Not', 'a', 'WARC</body></html>']"),
        (b"", "not a valid WARC file: no records"),
    ],
)
def test_not_a_warc(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile) as error:
        list(parse_warc(io.BytesIO(data), LONDON))
    assert error.value.reason == reason
