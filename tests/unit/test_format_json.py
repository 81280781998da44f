"""parse_json and parse_jsonl: news-please records, our export format, broken lines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsarchive.errors import UnparseableArticle, UnreadableFile
from newsarchive.reading.draft import Block, PublishedDate
from newsarchive.reading.formats import Item, ItemError
from newsarchive.reading.formats.fields import (
    clean_url,
    domain_of,
    language_code,
    split_authors,
)
from newsarchive.reading.formats.newsjson import parse_json, parse_jsonl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
LONDON = ZoneInfo("Europe/London")
KYIV = ZoneInfo("Europe/Kyiv")


def only_item(results: list[Item | ItemError]) -> Item:
    assert len(results) == 1
    assert isinstance(results[0], Item)
    return results[0]


# -- a news-please object -----------------------------------------------------------


@pytest.fixture(scope="module")
def newsplease() -> Item:
    return only_item(parse_json((FIXTURES / "newsplease.json").read_bytes(), KYIV))


def test_newsplease_fields(newsplease: Item) -> None:
    draft = newsplease.draft
    assert draft.title == "Kremlin rules out talks until Kursk is retaken"
    assert draft.description == "Moscow says it will not negotiate while Ukrainian troops hold Russian territory."
    assert draft.authors == ("Anna Petrova", "James Holt")
    assert draft.language == "en"
    assert draft.source_domain == "dailycourier.example"


def test_newsplease_url_loses_fragment_and_utm_and_is_the_key(newsplease: Item) -> None:
    url = "https://www.dailycourier.example/world/kremlin-kursk-talks?page=2"
    assert newsplease.draft.url == url
    assert newsplease.key == url


def test_newsplease_naive_date_is_read_in_default_zone(newsplease: Item) -> None:
    # date_download and date_modify are not publication dates and are ignored.
    assert newsplease.draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 7, 13, tzinfo=UTC),
        text="2024-11-10 09:13:00",
        precision="second", offset=120,
    )


def test_newsplease_maintext_paragraphs_and_subheading(newsplease: Item) -> None:
    assert [b.kind for b in newsplease.draft.blocks] == [
        "paragraph",
        "paragraph",
        "heading",
        "paragraph",
        "paragraph",
    ]
    assert newsplease.draft.blocks[2].text == "Talks only after pushing Ukrainians out of Kursk"
    assert newsplease.draft.blocks[-1].text == (
        "Diplomats in Brussels said they did not expect any movement before the new year."
    )


def test_midnight_date_publish_is_a_day() -> None:
    record = {"title": "Storm warning", "maintext": "Gales are expected.", "date_publish": "2024-11-09 00:00:00"}
    item = only_item(parse_json(json.dumps(record).encode(), LONDON))
    assert item.draft.published == PublishedDate(
        at=datetime(2024, 11, 9, 0, 0, tzinfo=UTC), text="2024-11-09 00:00:00", precision="day", offset=0
    )


def test_zoned_iso_date_and_single_author_string() -> None:
    record = {
        "title": "Koalition einigt sich auf Haushalt",
        "text": "Nach wochenlangem Streit gibt es eine Einigung.",
        "date_publish": "2024-11-10T14:05:00+01:00",
        "authors": "Jonas Weber and Lena Fischer",
        "language": "de-DE",
    }
    item = only_item(parse_json(json.dumps(record).encode(), LONDON))
    assert item.key == ""
    assert item.draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 13, 5, tzinfo=UTC), text="2024-11-10T14:05:00+01:00", precision="second", offset=60
    )
    assert item.draft.authors == ("Jonas Weber", "Lena Fischer")
    assert item.draft.language == "de"
    assert item.draft.blocks == (Block("paragraph", "Nach wochenlangem Streit gibt es eine Einigung."),)


def test_unreadable_date_is_left_out_with_a_warning() -> None:
    record = {"title": "Storm warning", "maintext": "Gales are expected.", "date_publish": "last Tuesday"}
    item = only_item(parse_json(json.dumps(record).encode(), LONDON))
    assert item.draft.published is None
    assert item.draft.warnings == ("date_publish not understood: 'last Tuesday'",)


@pytest.mark.parametrize("escaped", [True, False], ids=["escaped", "written"])
def test_control_characters_are_left_out_of_every_field(escaped: bool) -> None:
    # Written, the C0 controls make the file one JSON refuses; it has always been read without them.
    text = (
        '{"title": "Storm\x1b[2J warning", "maintext": "Gales\x07 are expected.\ufffe", "authors": ["Ann\x01 Lee"],'
        ' "url": "https://news.example/storm\x1b", "source": "Coast\x9b31m post", "source_domain": "news\x1b.example",'
        ' "date_publish": "2024-11-10\x1b 09:13:00", "date_text": "10 Nov\x1b 2024"}'
    )
    if escaped:
        text = re.sub("[\x00-\x1f\x7f-\x9f\ufffe]", lambda control: f"\\u{ord(control.group()):04x}", text)
    draft = only_item(parse_json(text.encode(), LONDON)).draft
    assert (draft.title, draft.blocks, draft.authors) == ("Storm[2J warning", (Block("paragraph", "Gales are expected."),), ("Ann Lee",))
    assert (draft.url, draft.source, draft.source_domain) == ("https://news.example/storm", "Coast31m post", "news.example")
    assert draft.published is not None and draft.published.text == "10 Nov 2024"
    assert draft.published.at == datetime(2024, 11, 10, 9, 13, tzinfo=UTC)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_line_separator_written_in_a_string_is_read_as_a_line_break(separator: str) -> None:
    # JSON allows these characters unescaped in strings (JavaScript's JSON.stringify writes them so).
    record = {"title": f"Storm{separator}warning", "maintext": f"Gales are expected.{separator}More rain on Monday."}
    draft = only_item(parse_json(json.dumps(record, ensure_ascii=False).encode(), LONDON)).draft
    assert draft.title == "Storm warning"
    assert draft.blocks == (Block("paragraph", "Gales are expected."), Block("paragraph", "More rain on Monday."))


def test_escape_followed_by_a_combining_mark() -> None:
    # Normalised whole, the document would read "\\u006ẽ": the escape's last digit joined with U+0303.
    data = '{"title": "Espa\\u006e\u0303a wins", "maintext": "Espa\\u006e\u0303a won 2-0."}'.encode()
    draft = only_item(parse_json(data, LONDON)).draft
    assert (draft.title, draft.blocks) == ("España wins", (Block("paragraph", "España won 2-0."),))


def test_control_characters_and_line_separator_in_one_file() -> None:
    data = '{"title": "Storm\x01 warning", "maintext": "Gales.\u2028More rain."}'.encode()
    draft = only_item(parse_json(data, LONDON)).draft
    assert (draft.title, [b.text for b in draft.blocks]) == ("Storm warning", ["Gales.", "More rain."])


def test_form_feed_line_separator_and_end_of_file_mark_between_values() -> None:
    data = '{"title": "Storm warning",\x0c"maintext": "Gales."}\u2028\x1a'.encode()
    draft = only_item(parse_json(data, LONDON)).draft
    assert (draft.title, draft.blocks) == ("Storm warning", (Block("paragraph", "Gales."),))


def test_json_and_json_lines_store_the_same_article() -> None:
    record = {
        "title": "Cafe\u0301 owner\u2028honoured\x7f", "description": "Morag Flett\x85won\u0007 again.",
        "maintext": "Owner Morag Flett said\u2029the team was \u201cover the moon\u201d.\r\nJudges praised\ufffe the baking.",
        "authors": "Morag\x9b Flett and Ann Lee", "date_publish": "2024-11-07 08:30:00", "url": "https://gazette.example/a\u2028b",
        "date_precision": "day\x80", "language": "en\u0085",
    }  # fmt: skip
    line = json.dumps(record, ensure_ascii=False).encode()
    from_json = only_item(parse_json(b"[" + line + b"]", LONDON))
    from_jsonl = only_item(list(parse_jsonl([line], LONDON)))
    assert from_json == from_jsonl
    assert (from_json.draft.title, from_json.draft.authors) == ("Café owner honoured", ("Morag Flett", "Ann Lee"))
    assert from_json.draft.published is not None and from_json.draft.published.precision == "day"
    assert [b.text for b in from_json.draft.blocks] == [
        "Owner Morag Flett said", "the team was \u201cover the moon\u201d.", "Judges praised the baking.",
    ]


# -- our export format ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def export() -> list[Item | ItemError]:
    return parse_json((FIXTURES / "export.json").read_bytes(), LONDON)


def test_export_body_blocks_are_used_as_they_are(export: list[Item | ItemError]) -> None:
    first = export[0]
    assert isinstance(first, Item)
    assert first.key == "https://gazette.example/news/cafe-award"
    assert first.draft.blocks == (
        Block("paragraph", "Owner Morag Flett said the whole team was “over the moon”."),
        Block("heading", "Home baking"),
        Block("paragraph", "The judges praised the café’s home baking."),
    )


@pytest.mark.parametrize(
    ("local", "offset"),
    [
        ("2024-11-10T01:30:00+03:00", 180),  # our export: the offset it was published with
        (None, None),  # our export of a date with no known zone
        ("2024-11-10T01:31:00+03:00", None),  # another moment than date_publish: not its clock
    ],
)
def test_export_date_local_gives_the_offset(local: str | None, offset: int | None) -> None:
    record = {
        "title": "Talks resume", "maintext": "Delegations met overnight.",
        "date_publish": "2024-11-09T22:30:00+00:00", "date_text": "10 November 2024 01:30 +03:00",
        "date_precision": "minute", "date_local": local,
    }  # fmt: skip
    item = only_item(parse_json(json.dumps(record).encode(), KYIV))
    assert item.draft.published == PublishedDate(
        at=datetime(2024, 11, 9, 22, 30, tzinfo=UTC), text="10 November 2024 01:30 +03:00", precision="minute",
        offset=offset,
    )


def test_export_date_precision_and_text_are_honoured(export: list[Item | ItemError]) -> None:
    first, last = export[0], export[3]
    assert isinstance(first, Item) and isinstance(last, Item)
    assert first.draft.published == PublishedDate(
        at=datetime(2024, 11, 7, 8, 30, tzinfo=UTC), text="7 November 2024 08:30", precision="minute", offset=0
    )
    assert last.draft.published == PublishedDate(
        at=datetime(2024, 11, 8, 0, 0, tzinfo=UTC), text="8 November 2024", precision="day", offset=0
    )


def test_array_items_without_url_or_title_are_keyed_by_position(export: list[Item | ItemError]) -> None:
    assert export[1] == ItemError("item 2", "no title")
    assert export[2] == ItemError("item 3", "a string, not an article object")
    assert isinstance(export[3], Item)
    assert export[3].key == "item 4"
    assert export[3].draft.description is None


def test_export_roundtrip_of_a_bad_block_is_an_item_error() -> None:
    data = json.dumps([{"title": "T", "body": [{"kind": "caption", "text": "x"}]}]).encode()
    assert parse_json(data, LONDON) == [
        ItemError("item 1", 'body block 1 is not {"kind": "paragraph"|"heading", "text": ...}')
    ]


# -- whole-file problems ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"title": "Storm",\n  "maintext": }', "invalid JSON: Expecting value at line 2 column 15"),
        (b'{"title": "Storm', "invalid JSON: Unterminated string starting at line 1 column 11"),
        (b'{"title": "Storm",\r  "maintext": }', "invalid JSON: Expecting value at line 2 column 15"),
        ('{"title": "Storm\u2028warning",\n  "maintext": }'.encode(), "invalid JSON: Expecting value at line 2 column 15"),
        (b"42", "JSON holds a number, not an article object or array"),
        (b"[]", "empty JSON array: no articles"),
        (b'{"title": "Storm"}', "no article text"),
        (b'{"maintext": "Gales."}', "no title"),
    ],
)
def test_file_that_is_no_article(data: bytes, reason: str) -> None:
    with pytest.raises(UnparseableArticle) as error:
        parse_json(data, LONDON)
    assert error.value.reason == reason


def test_empty_file_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        parse_json(b"", LONDON)


def test_title_too_long_is_refused() -> None:
    data = json.dumps({"title": "word " * 200, "maintext": "Text."}).encode()
    with pytest.raises(UnparseableArticle, match="title is 999 characters long: not a title"):
        parse_json(data, LONDON)


# -- JSON Lines -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonl() -> list[Item | ItemError]:
    with (FIXTURES / "articles.jsonl").open("rb") as lines:
        return list(parse_jsonl(lines, LONDON))


def test_jsonl_reads_on_after_broken_lines(jsonl: list[Item | ItemError]) -> None:
    assert [r.key for r in jsonl] == [
        "https://www.dailycourier.example/uk/storm-flooding",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]


def test_jsonl_errors_name_the_line(jsonl: list[Item | ItemError]) -> None:
    assert jsonl[1:4] == [
        ItemError("line 3", "invalid JSON: Unterminated string starting at column 38"),
        ItemError("line 4", "an array, not an article object"),
        ItemError("line 5", "no title"),
    ]


def test_jsonl_first_article(jsonl: list[Item | ItemError]) -> None:
    first = jsonl[0]
    assert isinstance(first, Item)
    assert first.draft.title == "Storm brings flooding to coastal towns"
    assert first.draft.description == "Residents were evacuated overnight."
    assert first.draft.authors == ("Kate Moss", "Rhys Evans")
    assert first.draft.blocks == (
        Block("paragraph", "The river burst its banks shortly after midnight."),
        Block("paragraph", "More rain is expected on Monday."),
    )
    assert first.draft.published == PublishedDate(
        at=datetime(2024, 11, 9, tzinfo=UTC), text="2024-11-09 00:00:00", precision="day", offset=0
    )


def test_jsonl_article_without_url_is_keyed_by_line(jsonl: list[Item | ItemError]) -> None:
    last = jsonl[-1]
    assert isinstance(last, Item)
    assert last.draft.url is None and last.draft.source_domain is None
    assert last.draft.published == PublishedDate(
        at=datetime(2024, 11, 7, 12, 0, tzinfo=UTC), text="2024-11-07T12:00:00Z", precision="second", offset=0
    )


def test_jsonl_bom_crlf_and_bad_bytes() -> None:
    lines = [b'\xef\xbb\xbf{"title": "A", "maintext": "Text a."}\r\n', b"\r\n", b'{"title": "caf\xe9"}\n']
    results = list(parse_jsonl(lines, LONDON))
    assert isinstance(results[0], Item) and results[0].draft.title == "A"
    assert results[1] == ItemError("line 3", "not UTF-8 text")


# -- shared field helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://site.example/a?utm_source=x&id=7&UTM_medium=y#top", "https://site.example/a?id=7"),
        ("https://site.example/a?utm_campaign=z", "https://site.example/a"),
        ("https://site.example/a?b=%20c&d", "https://site.example/a?b=%20c&d"),
        ("not a url", "not a url"),
        (" https://site.example/a\tb\x1b[0m\n", "https://site.example/ab[0m"),
    ],
)
def test_clean_url(url: str, clean: str) -> None:
    assert clean_url(url) == clean


def test_domain_of() -> None:
    assert domain_of("https://WWW.Site.Example:8080/a") == "site.example"
    assert domain_of("https://news.site.example/a") == "news.site.example"
    assert domain_of(None) is None
    assert domain_of("no host") is None


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Anna Petrova and James Holt", ["Anna Petrova", "James Holt"]),
        ("Kate Moss, Rhys Evans & Ali Khan", ["Kate Moss", "Rhys Evans", "Ali Khan"]),
        ("Anna Petrova; James Holt", ["Anna Petrova", "James Holt"]),
        ("Alexander Andersen", ["Alexander Andersen"]),
        ("", []),
    ],
)
def test_split_authors(byline: str, names: list[str]) -> None:
    assert split_authors(byline) == names


@pytest.mark.parametrize(("tag", "code"), [("en-GB", "en"), ("de_DE", "de"), ("FR", "fr"), ("", None), ("English", None)])
def test_language_code(tag: str, code: str | None) -> None:
    assert language_code(tag) == code
