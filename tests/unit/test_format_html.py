"""parse_html (trafilatura plus the page's own metadata) and html_fragment_blocks."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsarchive.errors import UnparseableArticle, UnreadableFile
from newsarchive.reading.draft import ArticleDraft, Block, PublishedDate
from newsarchive.reading.formats.webpage import (
    html_fragment_blocks,
    html_text,
    parse_html,
    without_control_references,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
LONDON = ZoneInfo("Europe/London")
KYIV = ZoneInfo("Europe/Kyiv")

STORM_TITLE = "Storm brings flooding to coastal towns"
STORM_TEXT = (
    "<p>The river burst its banks shortly after midnight, flooding dozens of homes along the "
    "seafront and cutting off the main road into town.</p>"
    "<p>Council officials said emergency shelters had been opened in two schools and that more "
    "rain was expected on Monday.</p>"
)


def storm_page(head: str = "", body: str = STORM_TEXT, charset: str = "utf-8") -> str:
    """A small article page; ``head`` adds metadata."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{STORM_TITLE}</title>{head}</head>'
        f"<body><article><h1>{STORM_TITLE}</h1>{body}</article></body></html>"
    )


def parse_fixture(name: str, tz=LONDON, url: str | None = None) -> ArticleDraft:
    return parse_html((FIXTURES / name).read_bytes(), tz, url=url)


# -- a news page with navigation, asides and a footer -----------------------------------


@pytest.fixture(scope="module")
def news() -> ArticleDraft:
    return parse_fixture("news_page.html", url="https://www.dailycourier.example/world/kremlin-kursk-talks?x=1")


def test_news_title_and_description(news: ArticleDraft) -> None:
    assert news.title == "Kremlin rules out talks until Kursk is retaken"
    assert news.description == "Moscow says it will not negotiate while Ukrainian troops hold Russian territory."


def test_news_blocks_in_order_without_the_title_heading(news: ArticleDraft) -> None:
    assert [(b.kind, b.text[:30]) for b in news.blocks] == [
        ("paragraph", "The Kremlin will not engage in"),
        ("paragraph", "Speaking to state television, "),
        ("heading", "Talks only after pushing Ukrai"),
        ("paragraph", "Ukrainian forces crossed into "),
        ("paragraph", "Russian troops, reportedly sup"),
        ("paragraph", '"There can be no negotiations '),
        ("heading", "What Kyiv wants"),
        ("paragraph", "Ukraine's president has set ou"),
        ("paragraph", "a full withdrawal of Russian f"),
        ("paragraph", "security guarantees from Weste"),
        ("paragraph", "compensation for war damage."),
        ("paragraph", "Diplomats in Brussels said the"),
    ]


def test_news_boilerplate_is_left_out(news: ArticleDraft) -> None:
    text = news.body_text
    for boilerplate in ("Most read", "Related stories", "cookies", "Privacy policy", "Share this", "Politics"):
        assert boilerplate not in text


def test_news_timestamp_meta_gives_the_time(news: ArticleDraft) -> None:
    assert news.published == PublishedDate(
        at=datetime(2024, 11, 10, 9, 13, tzinfo=UTC),
        text="2024-11-10T09:13:00+00:00",
        precision="second", offset=0,
    )


def test_news_canonical_url_wins_over_og_url_and_argument(news: ArticleDraft) -> None:
    assert news.url == "https://www.dailycourier.example/world/kremlin-kursk-talks"
    assert news.source_domain == "dailycourier.example"


def test_news_authors_and_language(news: ArticleDraft) -> None:
    assert news.authors == ("Anna Petrova", "James Holt")
    assert news.language == "en"


# -- a small page in a legacy charset with only a printed date ---------------------------------


@pytest.fixture(scope="module")
def dated() -> ArticleDraft:
    return parse_fixture("dated_page.html", tz=KYIV, url="https://gazette.example/news/cafe-award#top")


def test_dated_page_charset_from_meta(dated: ArticleDraft) -> None:
    # iso-8859-1 is read as windows-1252, as browsers do: the quotes are curly.
    assert dated.title == "Harbour café wins national award"
    assert "“over the moon”" in dated.body_text


def test_dated_page_first_paragraph_is_the_description(dated: ArticleDraft) -> None:
    assert dated.description == (
        "A small café on Kirkwall’s harbour front has been named the best independent coffee "
        "shop in Scotland at an awards ceremony in Glasgow."
    )
    assert [b.text[:20] for b in dated.blocks] == ["Owner Morag Flett, w", "The judges praised t"]


def test_dated_page_day_precision_in_default_zone(dated: ArticleDraft) -> None:
    assert dated.published == PublishedDate(
        at=datetime(2024, 11, 6, 22, 0, tzinfo=UTC), text="7 November 2024", precision="day", offset=120
    )


def test_dated_page_url_from_argument(dated: ArticleDraft) -> None:
    assert dated.url == "https://gazette.example/news/cafe-award"
    assert dated.source_domain == "gazette.example"
    assert dated.language is None
    assert dated.authors == ()


# -- JSON-LD timestamp with a zone, byline in the text --------------------------------------


@pytest.fixture(scope="module")
def stamped() -> ArticleDraft:
    return parse_fixture("timestamp_page.html", url="https://elsewhere.example/copy")


def test_json_ld_timestamp_with_zone(stamped: ArticleDraft) -> None:
    assert stamped.published == PublishedDate(
        at=datetime(2024, 11, 10, 13, 5, tzinfo=UTC),
        text="2024-11-10T14:05:00+01:00",
        precision="second", offset=60,
    )


def test_byline_and_repeated_lede_are_not_body(stamped: ArticleDraft) -> None:
    assert stamped.description == (
        "Nach wochenlangem Streit haben sich die Koalitionspartner auf einen Haushalt für 2025 geeinigt."
    )
    assert [b.kind for b in stamped.blocks] == ["paragraph", "heading", "paragraph", "paragraph"]
    assert stamped.blocks[0].text.startswith("Die Schuldenbremse bleibt")
    assert stamped.blocks[1] == Block("heading", "Was der Kompromiss vorsieht")


def test_og_url_normalised(stamped: ArticleDraft) -> None:
    assert stamped.url == "https://www.tageskurier.example/politik/haushalt-einigung?ref=home"
    assert stamped.source_domain == "tageskurier.example"
    assert stamped.language == "de"
    assert stamped.authors == ("Jonas Weber",)


# -- dates ------------------------------------------------------------------------------


def test_page_without_any_date_is_undated() -> None:
    draft = parse_html(storm_page().encode(), LONDON)
    assert draft.published is None


def test_midnight_timestamp_is_a_day() -> None:
    head = '<meta property="article:published_time" content="2024-11-09T00:00:00+01:00">'
    draft = parse_html(storm_page(head).encode(), LONDON)
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 8, 23, 0, tzinfo=UTC), text="2024-11-09T00:00:00+01:00", precision="day", offset=60
    )


def test_time_element_in_article_gives_minutes_in_default_zone() -> None:
    body = '<p class="meta"><time datetime="2024-11-09T18:40">9 Nov, 18:40</time></p>' + STORM_TEXT
    draft = parse_html(storm_page(body=body).encode(), KYIV)
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 9, 16, 40, tzinfo=UTC), text="2024-11-09T18:40", precision="minute", offset=120
    )


MOSCOW = ZoneInfo("Europe/Moscow")
BUDGET_TEXT = "<p>" + (
    "Правительство обсудило проект бюджета на следующий год. Министр финансов представил основные параметры "
    "документа, включая расходы на социальные программы. "
) * 3 + "</p>"


def budget_page(lang: str, printed: str, head: str = "", text: str = BUDGET_TEXT) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Бюджет</title>{head}</head>'
        f"<body><article><h1>Бюджет</h1>{printed}{text}</article></body></html>"
    ).encode()


def test_a_time_element_printed_in_the_pages_language_dates_a_page_without_date_metadata() -> None:
    draft = parse_html(budget_page("ru", "<time>15 ноября 2024 09:30</time>"), MOSCOW)
    assert draft.published == PublishedDate(
        at=datetime(2024, 11, 15, 6, 30, tzinfo=UTC), text="15 ноября 2024 09:30", precision="minute", offset=180
    )


def test_a_dateline_in_the_pages_language_gives_the_time_of_the_metadatas_day() -> None:
    text = "<p>" + "Le gouvernement a présenté le projet de budget, avec des dépenses sociales en hausse. " * 4 + "</p>"
    head = '<meta property="article:published_time" content="2024-11-12">'
    draft = parse_html(budget_page("fr", "<p>12 novembre 2024 à 18:45</p>", head, text), MOSCOW)
    assert draft.published is not None
    assert (draft.published.at, draft.published.precision) == (datetime(2024, 11, 12, 15, 45, tzinfo=UTC), "minute")


def test_times_of_teasers_outside_the_article_do_not_date_it() -> None:
    page = budget_page("ru", "").replace(
        b"</article>", "</article><aside><time>1 мая 2020</time><time>2 мая 2020</time></aside>".encode()
    )
    assert parse_html(page, MOSCOW).published is None


# -- urls, charsets ---------------------------------------------------------------------------


def test_relative_canonical_is_resolved_against_the_given_url() -> None:
    head = '<link rel="canonical" href="/uk/storm-flooding?utm_source=x">'
    draft = parse_html(storm_page(head).encode(), LONDON, url="https://www.dailycourier.example/uk/s?ref=rss")
    assert draft.url == "https://www.dailycourier.example/uk/storm-flooding"


RUSSIAN = storm_page(
    body="<p>Река вышла из берегов вскоре после полуночи, затопив десятки домов вдоль набережной "
    "и отрезав главную дорогу в город.</p><p>Власти открыли временные убежища в двух школах и "
    "предупредили, что в понедельник ожидаются новые дожди.</p>",
    charset="windows-1252",
).replace(STORM_TITLE, "Шторм обрушился на побережье")


def test_server_charset_wins_over_a_wrong_meta_charset() -> None:
    draft = parse_html(RUSSIAN.encode("cp1251"), LONDON, charset="windows-1251")
    assert draft.title == "Шторм обрушился на побережье"


def test_a_meta_charset_the_text_makes_no_sense_in_gives_way() -> None:
    # (it used to be believed: "Øòîðì îáðóøèëñÿ íà ïîáåðåæüå")
    draft = parse_html(RUSSIAN.encode("cp1251"), LONDON)
    assert draft.title == "Шторм обрушился на побережье"
    assert draft.notes == ("declared windows-1252, but the text makes sense only as cp1251: read as cp1251",)


@pytest.mark.parametrize(
    ("text", "charset", "codec", "notes"),
    [
        # a declaration that fits is believed
        ("Die Bürger in München begrüßen die neue U-Bahn-Linie „sehr“.", "windows-1252", "cp1252", ()),
        # UTF-8 bytes under a Latin-1 declaration are UTF-8
        (
            "Un café très “élégant” à Paris a rouvert ses portes.", "iso-8859-1", "utf-8",
            ("declared iso-8859-1, but the bytes are UTF-8: read as UTF-8",),
        ),
    ],
)
def test_a_meta_charset_is_believed_unless_the_bytes_say_otherwise(
    text: str, charset: str, codec: str, notes: tuple[str, ...]
) -> None:
    body = f"<p>{text}</p><p>Die Regierung hat das heute angekündigt; les habitués sont déjà revenus.</p>"
    draft = parse_html(storm_page(body=body, charset=charset).encode(codec), LONDON)
    assert (draft.description, draft.notes) == (text, notes)


def test_byte_order_mark_wins_over_declarations() -> None:
    data = codecs.BOM_UTF8 + RUSSIAN.encode("utf-8")
    assert parse_html(data, LONDON, charset="windows-1251").title == "Шторм обрушился на побережье"


def test_xhtml_encoding_from_xml_declaration() -> None:
    page = '<?xml version="1.0" encoding="iso-8859-15"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><p>sœur €</p></html>'
    assert html_text(page.encode("iso8859-15")).text.endswith("<p>sœur €</p></html>")


def test_wrong_utf8_declaration_falls_back_to_guessing() -> None:
    assert html_text("<p>Caf\u00e9 “open”</p>".encode("cp1252"), "utf-8").text == "<p>Café “open”</p>"


def test_text_is_normalised() -> None:
    assert html_text(b"<p>Cafe\xcc\x81\r\nnext\x07</p>").text == "<p>Caf\u00e9\nnext</p>"


# lxml reads each as a character no XML tree holds, and trafilatura then finds no text at all.
@pytest.mark.parametrize("reference", ["&#27;", "&#1;", "&#8;", "&#12;", "&#x1B", "&#0011;", "&#xfffe;", "&#xFFFF;"])
def test_a_reference_to_a_control_character_costs_only_itself(reference: str) -> None:
    body = f"<p>The river burst its banks{reference} shortly after midnight, flooding dozens of homes.</p>"
    draft = parse_html(storm_page(body=body + STORM_TEXT).encode(), LONDON)
    assert draft.description == "The river burst its banks shortly after midnight, flooding dozens of homes."
    written = f"<p>The river burst its banks{chr(0xFFFF)}\x1b shortly after midnight.</p>"
    assert parse_html(storm_page(body=written + STORM_TEXT).encode(), LONDON).description == (
        "The river burst its banks shortly after midnight."
    )


def test_only_references_to_characters_xml_cannot_hold_are_removed() -> None:
    markup = "a&#27;b &#x0c;c&#9;d&#13;&#0;&#128;&#xe9;&#x10FFFF;&#99999999999;&amp;#27;&#x1bad;&#0000000027;e"
    assert without_control_references(markup) == "ab  c&#9;d&#13;&#128;&#xe9;&#x10FFFF;&#99999999999;&amp;#27;&#x1bad;e"
    assert without_control_references("&#" + "9" * 5000) == "&#" + "9" * 5000  # (int() refuses 5,000 digits)


def test_feed_content_loses_control_characters_written_or_referenced() -> None:
    blocks = html_fragment_blocks("<p>Harbour&#27; wall &#xfffe;repaired\ufffe</p><p>Two&#12;words</p>")
    assert blocks == (Block("paragraph", "Harbour wall repaired"), Block("paragraph", "Two words"))


# Link-dense lines are part of real articles; navigation and footer are left out by trafilatura itself.
LINK_HEAVY_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Stadtfest am Hafen</title></head>
<body><nav><a href="/">Start</a> <a href="/politik">Politik</a> <a href="/kultur">Kultur</a></nav>
<article><h1>Stadtfest am Hafen</h1>
<p>Am Samstag feiert die Stadt ihr Hafenfest mit Musik, Essen und einem Feuerwerk über dem Wasser.</p>
<p>Die Veranstalter erwarten mehr als zehntausend Gäste aus der Region und bitten um Anreise mit der Bahn.</p>
<p>Die Geschichte des Hafens erzählt <a href="/buch">Das Buch vom alten Hafen</a>.</p>
<p><a href="https://facebook.com/events/1">Hier geht's zur Facebook Veranstaltung</a></p>
<p>Kontakt: <a href="mailto:redaktion@hafenblatt.example">redaktion@hafenblatt.example</a></p>
</article><footer><a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a></footer></body></html>"""


def test_paragraphs_made_of_links_stay_when_trafilatura_keeps_them() -> None:
    draft = parse_html(LINK_HEAVY_PAGE.encode(), LONDON)
    assert [block.text for block in draft.blocks] == [
        "Die Veranstalter erwarten mehr als zehntausend Gäste aus der Region und bitten um Anreise mit der Bahn.",
        "Die Geschichte des Hafens erzählt Das Buch vom alten Hafen.",
        "Hier geht's zur Facebook Veranstaltung",
        "Kontakt: redaktion@hafenblatt.example",
    ]


# -- pages that are no article --------------------------------------------------------------


def test_index_page_is_no_article() -> None:
    # trafilatura takes the teaser links for the article; a page whose text is mostly links is none.
    with pytest.raises(UnparseableArticle) as error:
        parse_fixture("section_page.html")
    assert error.value.reason == "no article text found in the HTML page"


READING_LIST_PAGE = storm_page(
    body="<p>Every Friday our editors pick the stories they found the most interesting this week.</p>"
    + "".join(
        f'<p>Today we recommend <a href="/s/{n}">{headline}</a>.</p>'
        for n, headline in enumerate(
            (
                "Government announces new plan to cut hospital waiting lists by next spring",
                "Scientists discover a new species of frog in the rainforests of Borneo",
                "Local council approves plans for a new shopping centre near the river",
            )
        )
    )
)


def test_a_reading_list_of_linked_headlines_is_an_article() -> None:
    # trafilatura keeps all of it; each recommendation has words of its own beside its link.
    draft = parse_html(READING_LIST_PAGE.encode(), LONDON)
    assert [block.text for block in draft.blocks][-1] == (
        "Today we recommend Local council approves plans for a new shopping centre near the river."
    )


def test_an_index_of_teaser_links_with_an_intro_line_is_no_article() -> None:
    teasers = "".join(
        f'<p><a href="/world/{n}">{headline}</a></p>'
        for n, headline in enumerate(
            (
                "Talks on the border resume after a week of silence between the two sides",
                "Floods cut off villages in the north as the river keeps rising on Sunday",
                "Election count delayed in three districts after a power cut at the centre",
                "Markets fall for the third day running as investors wait for the bank",
            )
        )
    )
    with pytest.raises(UnparseableArticle, match="no article text found"):
        parse_html(storm_page(body="<p>The latest world news.</p>" + teasers).encode(), LONDON)


CHINESE_PARAGRAPHS = (
    "国家统计局周二公布的数据显示，十月份全国居民消费价格同比上涨百分之零点三。",
    "食品价格同比下降百分之二点九，非食品价格上涨百分之零点一。",
    "分析人士认为，国内需求仍然偏弱，政策仍有进一步放松的空间。",
)
JAPANESE_PARAGRAPHS = (
    "日本銀行は火曜日の金融政策決定会合で、短期金利の誘導目標を据え置くことを決めた。",
    "植田総裁は記者会見で、物価の動向を慎重に見極める考えを示した。",
    "円相場は発表後にやや円安に振れた。",
)


@pytest.mark.parametrize("title, paragraphs", [("消费价格小幅上涨", CHINESE_PARAGRAPHS), ("日銀、金利据え置き", JAPANESE_PARAGRAPHS)])
def test_a_short_page_in_chinese_or_japanese_is_an_article(title: str, paragraphs: tuple[str, ...]) -> None:
    # About 80 characters: a few sentences, though not one of them has a space.
    page = (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><article><h1>{title}</h1>'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    draft = parse_html(page.encode(), LONDON)
    assert (draft.description, [block.text for block in draft.blocks]) == (paragraphs[0], list(paragraphs[1:]))


def test_short_page_is_no_article() -> None:
    with pytest.raises(UnparseableArticle, match="no article text found in the HTML page"):
        parse_html(storm_page(body="<p>Pictures: the flooding in ten photos.</p>").encode(), LONDON)


def test_binary_file_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match="PNG image"):
        parse_html(b"\x89PNG\r\n\x1a\n" + bytes(100), LONDON)


# -- HTML fragments ---------------------------------------------------------------------------


def test_fragment_blocks_in_order() -> None:
    html = (
        "<p>First <b>bold</b> paragraph.</p><h2>A heading</h2><ul><li>one</li><li>two</li></ul>"
        "<blockquote>A quote.</blockquote><blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote>"
    )
    assert html_fragment_blocks(html) == (
        Block("paragraph", "First bold paragraph."),
        Block("heading", "A heading"),
        Block("paragraph", "one"),
        Block("paragraph", "two"),
        Block("paragraph", "A quote."),
        Block("paragraph", "Quoted one."),
        Block("paragraph", "Quoted two."),
    )


def test_fragment_loose_text_splits_at_br() -> None:
    html = "Residents were evacuated.<br/><br/>More rain is <em>expected</em>.<script>x()</script><!-- ad -->"
    assert html_fragment_blocks(html) == (
        Block("paragraph", "Residents were evacuated."),
        Block("paragraph", "More rain is expected."),
    )


def test_fragment_nested_list_and_br_inside_paragraph() -> None:
    html = "<div>Intro<ul><li>one<ul><li>nested</li></ul></li></ul><p>line<br>break</p></div>"
    assert html_fragment_blocks(html) == (
        Block("paragraph", "Intro"),
        Block("paragraph", "one"),
        Block("paragraph", "nested"),
        Block("paragraph", "line break"),
    )


def test_fragment_plain_text_is_split_on_lines() -> None:
    assert html_fragment_blocks("First line\n\n  Tom &amp; Jerry  \nThird") == (
        Block("paragraph", "First line"),
        Block("paragraph", "Tom & Jerry"),
        Block("paragraph", "Third"),
    )
    assert html_fragment_blocks("") == ()
