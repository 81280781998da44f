"""parse_feed: RSS 2.0 and Atom entries, keys, dates, and files that are no feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsarchive.errors import UnparseableArticle, UnreadableFile
from newsarchive.reading.draft import Block, PublishedDate
from newsarchive.reading.formats import Item, ItemError
from newsarchive.reading.formats.feed import parse_feed

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
LONDON = ZoneInfo("Europe/London")


def items(results: list[Item | ItemError]) -> list[Item]:
    assert all(isinstance(r, Item) for r in results), results
    return [r for r in results if isinstance(r, Item)]


def rss(items_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Gazette</title>'
        f"<link>https://gazette.example/</link><description>News</description>{items_xml}</channel></rss>"
    ).encode()


# -- RSS 2.0 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rss_items() -> list[Item]:
    return items(parse_feed((FIXTURES / "rss2.xml").read_bytes(), LONDON))


def test_rss_keys_guid_then_link(rss_items: list[Item]) -> None:
    assert [item.key for item in rss_items] == [
        "dc-world-48213",
        "https://www.dailycourier.example/business/rates-hold",
        "https://www.dailycourier.example/uk/storm-flooding",
    ]


def test_rss_content_encoded_is_the_body(rss_items: list[Item]) -> None:
    draft = rss_items[0].draft
    assert draft.title == "Kremlin rules out talks until Kursk is retaken"
    assert draft.description == "Moscow says it will not negotiate while Ukrainian troops hold Russian territory."
    assert draft.blocks == (
        Block(
            "paragraph",
            "The Kremlin will not engage in peace negotiations with Ukraine as long as Ukrainian "
            "forces remain in the Kursk region, a senior Russian official said on Sunday.",
        ),
        Block("heading", "Talks only after pushing Ukrainians out of Kursk"),
        Block("paragraph", "Ukrainian forces crossed into the Kursk region in August, capturing dozens of villages."),
        Block("paragraph", '"There can be no negotiations while our land is occupied," the official said.'),
        Block("paragraph", "a full withdrawal of Russian forces;"),
        Block("paragraph", "security guarantees."),
    )


def test_rss_fields_of_first_item(rss_items: list[Item]) -> None:
    draft = rss_items[0].draft
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 9, 13, tzinfo=UTC),
        text="Sun, 10 Nov 2024 09:13:00 +0000",
        precision="second", offset=0,
    )
    assert draft.authors == ("Anna Petrova", "James Holt")
    assert draft.url == "https://www.dailycourier.example/world/kremlin-kursk-talks"
    assert draft.source_domain == "dailycourier.example"
    assert draft.language == "en"


def test_rss_summary_only_item_has_description_and_no_body(rss_items: list[Item]) -> None:
    draft = rss_items[1].draft
    assert draft.title == "Central bank holds interest rates at 5%"
    assert draft.description == (
        "The Bank kept its main rate unchanged, citing persistent services inflation & weak growth."
    )
    assert draft.blocks == ()
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 7, 12, 0, tzinfo=UTC),
        text="Thu, 07 Nov 2024 12:00:00 GMT",
        precision="second", offset=0,
    )
    # <author>e-mail (name)</author>: the name only
    assert draft.authors == ("Maria Lopez",)


def test_rss_undated_item_with_br_summary(rss_items: list[Item]) -> None:
    draft = rss_items[2].draft
    assert draft.published is None
    assert draft.description == (
        "Residents were evacuated overnight as the river burst its banks. More rain is expected on Monday."
    )
    assert draft.url == "https://www.dailycourier.example/uk/storm-flooding"
    assert draft.authors == ()


# -- Atom -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atom_items() -> list[Item]:
    return items(parse_feed((FIXTURES / "atom.xml").read_bytes(), LONDON))


def test_atom_entry_with_summary_and_content(atom_items: list[Item]) -> None:
    item = atom_items[0]
    assert item.key == "tag:tageskurier.example,2024:politik/8841"
    draft = item.draft
    assert draft.title == "Koalition einigt sich auf Haushalt"
    # The content's first paragraph repeats the summary: it is not kept twice.
    assert draft.description == (
        "Nach wochenlangem Streit haben sich die Koalitionspartner auf einen Haushalt für 2025 geeinigt."
    )
    assert draft.blocks == (
        Block("heading", "Was der Kompromiss vorsieht"),
        Block("paragraph", "Die Schuldenbremse bleibt unangetastet, heißt es aus Regierungskreisen."),
    )
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 13, 5, tzinfo=UTC), text="2024-11-10T14:05:00+01:00", precision="second", offset=60
    )
    assert draft.authors == ("Jonas Weber", "Lena Fischer")
    assert draft.language == "de"
    assert draft.url == "https://tageskurier.example/politik/haushalt-einigung"


def test_atom_entry_with_html_title_xhtml_content_and_only_updated(atom_items: list[Item]) -> None:
    draft = atom_items[1].draft
    assert draft.title == "Wahl in Thüringen: Ergebnis steht fest"
    # No summary: the first paragraph of the content is the lede.
    assert draft.description == "Das amtliche Endergebnis der Landtagswahl liegt vor."
    assert draft.blocks == (Block("paragraph", "Die Wahlbeteiligung lag bei 73,6 Prozent."),)
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 8, 0, 0, tzinfo=UTC), text="2024-11-08T00:00:00Z", precision="day", offset=0
    )


def test_atom_plain_text_is_not_read_as_html() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Markets</title><id>m</id><updated>2024-11-10T00:00:00Z</updated>'
        b'<entry><title type="text">Profits &lt;b&gt;up&lt;/b&gt; 3%</title><id>m-1</id><updated>2024-11-10T08:00:00Z</updated>'
        b'<summary type="text">Margins stayed &lt; 5% as costs rose.</summary></entry></feed>'
    )
    [item] = items(parse_feed(data, LONDON))
    assert item.draft.title == "Profits <b>up</b> 3%"
    assert item.draft.description == "Margins stayed < 5% as costs rose."


# -- entries that are no article, keys by position ----------------------------------------------


def test_entries_without_title_or_text_are_item_errors() -> None:
    results = parse_feed(
        rss(
            "<item><guid>g-1</guid><description>An entry without a title.</description></item>"
            "<item><link>https://gazette.example/empty</link></item>"
            "<item><title>Only a title</title></item>"
        ),
        LONDON,
    )
    assert results == [
        ItemError("g-1", "entry has no title"),
        ItemError("https://gazette.example/empty", "entry has no title and no text"),
        ItemError("entry 3", "no article text"),
    ]


# -- dates ------------------------------------------------------------------------------------


def test_date_form_only_feedparser_reads_is_utc_with_precision_from_text() -> None:
    [item] = items(parse_feed(rss("<item><title>A</title><description>B.</description><pubDate>Sun Nov 10 09:13 2024</pubDate></item>"), LONDON))
    assert item.draft.published == PublishedDate(
        at=datetime(2024, 11, 10, 9, 13, tzinfo=UTC), text="Sun Nov 10 09:13 2024", precision="minute"
    )


def test_date_feedparser_misreads_is_left_out_with_a_warning() -> None:
    # feedparser reads this as 1 November
    [item] = items(parse_feed(rss("<item><title>A</title><description>B.</description><pubDate>2024년 11월 10일 09:13:00</pubDate></item>"), LONDON))
    assert item.draft.published is None
    assert item.draft.warnings == ("date not understood: '2024년 11월 10일 09:13:00'",)


def test_naive_date_is_read_in_default_zone() -> None:
    [item] = items(parse_feed(rss("<item><title>A</title><description>B.</description><pubDate>2024-07-01 18:30</pubDate></item>"), LONDON))
    assert item.draft.published == PublishedDate(
        at=datetime(2024, 7, 1, 17, 30, tzinfo=UTC), text="2024-07-01 18:30", precision="minute", offset=60
    )


# -- files that are no feed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body><p>A web page.</p></body></html>", "not a valid RSS/Atom feed: no channel or feed element"),
        (
            b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>T</title>\n</rss>',
            "not a valid RSS/Atom feed: line 4 column 2: mismatched tag",
        ),
        (b'{"title": "json"}', "not a valid RSS/Atom feed: line 2 column 0: not well-formed (invalid token)"),
    ],
)
def test_not_a_feed(data: bytes, reason: str) -> None:
    with pytest.raises(UnparseableArticle) as error:
        parse_feed(data, LONDON)
    assert error.value.reason == reason


def test_empty_file() -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        parse_feed(b"  \n", LONDON)


def test_valid_feed_without_entries_is_empty() -> None:
    assert parse_feed(rss(""), LONDON) == []


def test_broken_feed_keeps_the_entries_it_has() -> None:
    # An undefined entity makes feedparser fall back to its loose parser.
    data = rss("<item><title>Caf&eacute; reopens</title><description>It is back.</description></item>")
    [item] = items(parse_feed(data, LONDON))
    assert item.draft.title == "Café reopens"


# -- encodings feedparser would get wrong ---------------------------------------------------


def legacy_rss(title: str, text: str, declaration: str = "") -> str:
    return (
        f"{declaration}<rss version=\"2.0\"><channel><title>{title}</title><item><title>{title}</title>"
        f"<link>https://x.example/1</link><description>{text}</description></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("codec", "read_as", "title", "text"),
    [
        ("koi8_r", "koi8_r", "Москва открывает новую линию метро", "Правительство Москвы объявило, что весной откроется новая линия."),
        ("cp1251", "cp1251", "Москва открывает новую линию метро", "Правительство Москвы объявило, что весной откроется новая линия."),
        ("gb2312", "gb18030", "北京开放新的地铁线路", "北京市政府今天宣布，将在明年春天开放新的地铁线路，以缓解城市交通压力。"),
        ("big5", "big5", "台北開放新的捷運路線", "台北市政府今天宣布，將在明年春天開放新的捷運路線，以緩解城市交通壓力。"),
        ("shift_jis", "cp932", "東京都が新路線を発表", "東京都は本日、来年の春に新しい地下鉄路線を開業すると発表しました。"),
        ("euc_kr", "cp949", "서울시 새 지하철 노선", "서울시는 오늘 내년 봄에 새로운 지하철 노선을 개통한다고 발표했습니다."),
    ],
)
def test_an_undeclared_legacy_encoding_is_found(codec: str, read_as: str, title: str, text: str) -> None:
    [item] = items(parse_feed(legacy_rss(title, text).encode(codec), LONDON))
    assert (item.draft.title, item.draft.description) == (title, text)
    assert item.draft.notes == (f"no encoding declared, and the bytes are not UTF-8: read as {read_as}",)


def test_utf8_bytes_under_a_latin1_declaration_are_utf8() -> None:
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    feed = legacy_rss("Un café à Paris", "Un café très “élégant” a rouvert.", declaration).encode("utf-8")
    [item] = items(parse_feed(feed, LONDON))
    assert (item.draft.title, item.draft.description) == ("Un café à Paris", "Un café très “élégant” a rouvert.")
    assert item.draft.notes == ("declared ISO-8859-1, but the bytes are UTF-8: read as UTF-8",)


def test_a_declaration_that_fits_is_believed() -> None:
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    feed = legacy_rss("Un café à Paris", "Un café très élégant a rouvert.", declaration).encode("latin-1")
    [item] = items(parse_feed(feed, LONDON))
    assert (item.draft.title, item.draft.notes) == ("Un café à Paris", ())
