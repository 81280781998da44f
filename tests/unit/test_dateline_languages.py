"""Datelines written in the article's language: CLDR names and orders, our strict whole-line rule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.reading.dateline import find_dateline, parse_dateline
from newsarchive.reading.draft import PublishedDate

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year
BERLIN = ZoneInfo("Europe/Berlin")  # UTC+1 on 10 November 2024


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


ACCEPTED = [
    # language, line, moment in UTC (no zone written: read in UTC), precision
    ("ru", "10 ноября 2024 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024 г., 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024 года, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024 года в 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10.11.2024 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10.11.2024, 09:13:05", utc(2024, 11, 10, 9, 13, 5), "second"),
    ("ru", "10.11.2024 г.", utc(2024, 11, 10), "day"),
    ("ru", "понедельник, 10 ноября 2024", utc(2024, 11, 10), "day"),  # a Sunday: weekdays are not checked
    ("ru", "Вс, 10 ноября 2024 г.", utc(2024, 11, 10), "day"),
    ("ru", "10 нояб. 2024", utc(2024, 11, 10), "day"),
    ("ru", "10 ноя 2024, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "3 сен 2024", utc(2024, 9, 3), "day"),
    ("ru", "29 фев 2024", utc(2024, 2, 29), "day"),
    ("ru", "1 мая 2024 09.13", utc(2024, 5, 1, 9, 13), "minute"),
    ("ru", "10 НОЯБРЯ 2024", utc(2024, 11, 10), "day"),
    ("ru", "10 ноябрь 2024", utc(2024, 11, 10), "day"),  # the nominative, CLDR's stand-alone name
    ("uk", "п’ятниця, 18 червня 2021", utc(2021, 6, 18), "day"),  # a typed apostrophe, where CLDR has "ʼ"
    ("uk", "п'ятниця, 18 червня 2021", utc(2021, 6, 18), "day"),
    ("fr", "1er août 2022 à 03h54", utc(2022, 8, 1, 3, 54), "minute"),
    ("es", "1º de agosto de 2022", utc(2022, 8, 1), "day"),
    ("ja", "2024年11月10日 9時13分", utc(2024, 11, 10, 9, 13), "minute"),  # hours and minutes as words
    ("ja", "2024年11月10日(日) 9:13", utc(2024, 11, 10, 9, 13), "minute"),  # the weekday in brackets
    ("ja", "2024年11月10日（日） 午後3時13分", utc(2024, 11, 10, 15, 13), "minute"),  # 午後: after noon
    ("ja", "2024年11月10日09:13", utc(2024, 11, 10, 9, 13), "minute"),  # the time straight after the day
    ("ja", "2024年11月10日 9時13分05秒", utc(2024, 11, 10, 9, 13, 5), "second"),
    ("zh", "2024年11月10日 下午3点13分", utc(2024, 11, 10, 15, 13), "minute"),
    ("zh", "2024年11月10日 星期日 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ko", "2024년 11월 10일 오후 3시 13분", utc(2024, 11, 10, 15, 13), "minute"),
    ("ru", "09:13 10.11.2024", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "09:13, 10 ноября 2024", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024 / 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024 — 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("ru", "10 ноября 2024г.", utc(2024, 11, 10), "day"),
    ("uk", "10 листопада 2024 року, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("uk", "10 листопада 2024 р. о 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("uk", "неділя, 10 листопада 2024", utc(2024, 11, 10), "day"),
    ("uk", "10.11.2024 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("de", "10. November 2024", utc(2024, 11, 10), "day"),
    ("de", "Sonntag, 10. November 2024, 09:13 Uhr", utc(2024, 11, 10, 9, 13), "minute"),
    ("de", "10. März 2024 um 9.13 Uhr", utc(2024, 3, 10, 9, 13), "minute"),
    ("de", "10.11.2024, 09:13 Uhr", utc(2024, 11, 10, 9, 13), "minute"),
    ("fr", "10 novembre 2024", utc(2024, 11, 10), "day"),
    ("fr", "dimanche 10 novembre 2024 à 09h13", utc(2024, 11, 10, 9, 13), "minute"),
    ("fr", "10 sept. 2024", utc(2024, 9, 10), "day"),
    ("fr", "10 novembre 2024 à 9 h 13", utc(2024, 11, 10, 9, 13), "minute"),
    ("fr", "10/11/2024 à 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("es", "10 de noviembre de 2024", utc(2024, 11, 10), "day"),
    ("es", "domingo, 10 de noviembre de 2024, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("es", "10 de noviembre de 2024 a las 09:13 h", utc(2024, 11, 10, 9, 13), "minute"),
    ("es", "10 sep 2024", utc(2024, 9, 10), "day"),
    ("es", "10/11/2024 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("it", "10 novembre 2024, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("it", "domenica 10 novembre 2024 alle 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("pt", "10 de novembro de 2024 às 09h13", utc(2024, 11, 10, 9, 13), "minute"),
    ("pt", "10/11/2024", utc(2024, 11, 10), "day"),
    ("pl", "10 listopada 2024", utc(2024, 11, 10), "day"),
    ("pl", "niedziela, 10 listopada 2024 o 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("pl", "10.11.2024, 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("cs", "10. listopadu 2024 v 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("nl", "10 november 2024 om 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("nl", "10-11-2024", utc(2024, 11, 10), "day"),
    ("sv", "10 november 2024 kl. 09.13", utc(2024, 11, 10, 9, 13), "minute"),
    ("tr", "10 Kasım 2024 Pazar", utc(2024, 11, 10), "day"),
    ("tr", "10 KASIM 2024 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("fi", "10. marraskuuta 2024", utc(2024, 11, 10), "day"),
    ("hu", "2024. november 10.", utc(2024, 11, 10), "day"),
    ("hr", "10. listopada 2024.", utc(2024, 10, 10), "day"),  # listopad is October in Croatian
    ("ja", "2024年11月10日 09:13", utc(2024, 11, 10, 9, 13), "minute"),
    ("pt-BR", "10 de novembro de 2024", utc(2024, 11, 10), "day"),
]


@pytest.mark.parametrize(("language", "line", "at", "precision"), ACCEPTED)
def test_datelines_in_the_articles_language(language: str, line: str, at: datetime, precision: str) -> None:
    assert parse_dateline(line, language=language) == PublishedDate(at=at, text=line, precision=precision)


@pytest.mark.parametrize(
    ("language", "line", "text"),
    [
        ("ru", "Опубликовано: 10 ноября 2024 09:13", "10 ноября 2024 09:13"),
        ("ru", "Обновлено 10.11.2024 09:13", "10.11.2024 09:13"),
        ("uk", "Опубліковано: 10 листопада 2024, 09:13", "10 листопада 2024, 09:13"),
        ("de", "Veröffentlicht am 10.11.2024 um 09:13 Uhr", "10.11.2024 um 09:13 Uhr"),
        ("de", "Aktualisiert am 10. November 2024, 09:13 Uhr", "10. November 2024, 09:13 Uhr"),
        ("de", "Stand: 10.11.2024 09:13 Uhr", "10.11.2024 09:13 Uhr"),
        ("fr", "Publié le 10 novembre 2024 à 09h13", "10 novembre 2024 à 09h13"),
        ("fr", "Mis à jour le 10 novembre 2024 à 09h13", "10 novembre 2024 à 09h13"),
        ("es", "Actualizado: 10 de noviembre de 2024, 09:13", "10 de noviembre de 2024, 09:13"),
        ("es", "Publicado el 10 de noviembre de 2024", "10 de noviembre de 2024"),
        ("pl", "Opublikowano: 10 listopada 2024", "10 listopada 2024"),
        ("it", "Pubblicato il 10 novembre 2024", "10 novembre 2024"),
        ("ru", "Published: 10 ноября 2024", "10 ноября 2024"),
    ],
)
def test_newsroom_prefixes_are_dropped(language: str, line: str, text: str) -> None:
    published = parse_dateline(line, language=language)
    assert published is not None
    assert published.text == text
    assert published.at.date() == datetime(2024, 11, 10).date()


@pytest.mark.parametrize(
    ("line", "at"),
    [
        ("Nov. 10, 2024, 9:13 a.m.", utc(2024, 11, 10, 9, 13)),
        ("10 November 2024", utc(2024, 11, 10)),
        ("2024-11-10T09:13", utc(2024, 11, 10, 9, 13)),
        ("Опубликовано: 10 November 2024 09:13", utc(2024, 11, 10, 9, 13)),
    ],
)
def test_english_and_iso_datelines_still_count_in_another_language(line: str, at: datetime) -> None:
    published = parse_dateline(line, language="ru")
    assert published is not None
    assert published.at == at


@pytest.mark.parametrize(
    ("language", "line", "first"),
    [
        ("fr", "Publié le 10 novembre 2024 à 09h13, modifié le 10 novembre 2024 à 11h02", "10 novembre 2024 à 09h13"),
        ("ru", "09:13 10.11.2024 (обновлено: 11:20 10.11.2024)", "09:13 10.11.2024"),
        ("de", "10.11.2024, 09:13 Uhr, aktualisiert am 10.11.2024, 11:20 Uhr", "10.11.2024, 09:13 Uhr"),
    ],
)
def test_a_line_with_the_date_and_its_update_gives_the_first(language: str, line: str, first: str) -> None:
    published = parse_dateline(line, language=language)
    assert published is not None and (published.at, published.text) == (utc(2024, 11, 10, 9, 13), first)


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("fr", "10 novembre 2024, modifié le mardi dernier"),  # the second part must be a date too
        ("ru", "10.11.2024, обновлено вчера"),
        ("ru", "09:13 10.11.2024 (обновлено: 11:20 10.11.2024"),  # an open bracket
    ],
)
def test_an_update_that_is_no_date_makes_no_dateline(language: str, line: str) -> None:
    assert parse_dateline(line, language=language) is None


def test_day_first_numeric_dates_where_the_language_writes_them_so() -> None:
    assert parse_dateline("01.02.2024", language="ru") == PublishedDate(utc(2024, 2, 1), "01.02.2024", "day")
    assert parse_dateline("01.02.2024", language="de") == PublishedDate(utc(2024, 2, 1), "01.02.2024", "day")
    assert parse_dateline("01/02/2024", language="fr") == PublishedDate(utc(2024, 2, 1), "01/02/2024", "day")


@pytest.mark.parametrize(
    ("language", "line"),
    [
        # numbers in headlines, ledes and relative times
        ("ru", "Путин 10 ноября 2024"),
        ("ru", "10 ноября 2024 года в Москве"),
        ("ru", "В 2024 году рост составил 10 процентов"),
        ("ru", "2 часа назад"),
        ("ru", "Сегодня"),
        ("ru", "Сегодня, 09:13"),
        ("ru", "10 ноября"),
        ("ru", "ноябрь 2024"),
        ("de", "Merz am 10. November 2024"),
        ("fr", "Le 10 novembre 2024, la France a voté"),
        ("es", "10 de noviembre de 2024 en Madrid"),
        # two-digit years, impossible dates and times, unknown zones
        ("ru", "10 ноября 24"),
        ("de", "10.11.24"),
        ("ru", "31 февраля 2024"),
        ("ru", "31.02.2024"),
        ("ru", "10 ноября 2024 25:00"),
        ("ru", "10 ноября 2024 09:13 XYZ"),
        ("ru", "10 ноября 2024 09:13 по Киеву"),
        ("ru", "10 ноября 2024 09:13 pm"),
        # a numeric date only with the language's own separator
        ("ru", "10/11/2024"),
        ("fr", "10.11.2024"),
        # ambiguous numeric dates stay refused in English and when the language is not known
        ("en", "01.02.2024"),
        ("en", "10/11/2024"),
        ("und", "01.02.2024"),
        ("und", "10 ноября 2024"),
        (None, "10 ноября 2024"),
        ("xx", "10 ноября 2024"),
        # month names of the article's language and English only, never of every language
        ("ru", "10 listopada 2024"),
        ("de", "10 ноября 2024"),
        ("pl", "10 листопада 2024"),
        # a word before the date that is no weekday, a start of a month name that is not unique
        ("ru", "Новость 10 ноября 2024"),
        ("fr", "10 jui 2024"),
        # an hour a word before or after noon cannot have; a headline after a Japanese date
        ("ja", "2024年11月10日 午後13時13分"),
        ("ja", "2024年11月10日 新しい政策"),
        ("ja", "2024年11月10日913"),
    ],
)
def test_refused_lines(language: str | None, line: str) -> None:
    assert parse_dateline(line, language=language) is None


# Snowball's languages and others the press writes in. Not read: Basque "2024(e)ko azaroaren 10(a)",
# Esperanto "la 10-a de Novembro" and Thai, whose dates carry the era ("ค.ศ.").
CLDR_LANGUAGES = (
    "ar be bg ca cs da de el es et fa fi fr ga he hi hr hu hy id it ja ko lt lv nb ne nl pl pt ro ru sk sl sr sv "
    "ta tr uk vi yi zh"
).split()


@pytest.mark.parametrize("language", CLDR_LANGUAGES)
def test_every_language_reads_the_dates_cldr_writes_in_it(language: str) -> None:
    from babel.dates import format_date

    for length in ("long", "full", "medium"):
        line = format_date(datetime(2024, 11, 10), length, locale=language)
        published = parse_dateline(line, language=language)
        assert published is not None, (length, line)
        assert published.at == utc(2024, 11, 10), (length, line)


def test_polish_and_croatian_read_listopada_each_their_own_way() -> None:
    polish = parse_dateline("10 listopada 2024", language="pl")
    croatian = parse_dateline("10 listopada 2024", language="hr")
    assert polish is not None and croatian is not None
    assert (polish.at.month, croatian.at.month) == (11, 10)


def test_spaces_of_web_pages_are_spaces() -> None:
    published = parse_dateline("10\u00a0ноября 2024\u202fг., 09:13", language="ru")
    assert published == PublishedDate(utc(2024, 11, 10, 9, 13), "10 ноября 2024 г., 09:13", "minute")


def test_moscow_time_is_named_in_russian() -> None:
    published = parse_dateline("10 ноября 2024, 09:13 МСК", language="ru")
    assert published == PublishedDate(utc(2024, 11, 10, 6, 13), "10 ноября 2024, 09:13 МСК", "minute", offset=180)
    for line in ("10.11.2024 09:13 (мск)", "10 ноября 2024 г. в 09:13 по московскому времени", "09:13 (по Москве), 10.11.2024"):
        spelt = parse_dateline(line, language="ru")
        assert spelt is not None, line
        assert (spelt.at, spelt.offset) == (utc(2024, 11, 10, 6, 13), 180)


def test_kyiv_time_is_named_in_ukrainian() -> None:
    published = parse_dateline("10 листопада 2024, 09:13 за київським часом", language="uk")
    assert published is not None and (published.at, published.offset) == (utc(2024, 11, 10, 7, 13), 120)


def test_zones_and_offsets_are_honoured_in_another_language() -> None:
    central = parse_dateline("10 nov 2024 - 09:13 CET", language="es")
    german = parse_dateline("10. November 2024, 09:13 Uhr MEZ", MOSCOW, language="de")
    offset = parse_dateline("10 ноября 2024 09:13 +03:00", language="ru")
    assert central is not None and german is not None and offset is not None
    assert central.at == german.at == utc(2024, 11, 10, 8, 13)
    assert (central.offset, german.offset) == (60, 60)
    assert offset.at == utc(2024, 11, 10, 6, 13)


def test_a_time_without_a_zone_is_read_in_the_default_zone() -> None:
    moscow = parse_dateline("10 ноября 2024 г., 09:13", MOSCOW, language="ru")
    berlin = parse_dateline("10. November 2024", BERLIN, language="de")
    assert moscow == PublishedDate(utc(2024, 11, 10, 6, 13), "10 ноября 2024 г., 09:13", "minute", offset=180)
    assert berlin == PublishedDate(utc(2024, 11, 9, 23), "10. November 2024", "day", offset=60)


def test_find_dateline_in_a_russian_head() -> None:
    head = [
        "Ультиматум Кремля по Курской области",
        "Кремль не будет вести мирные переговоры с Украиной до 2025 года.",
        "10 ноября 2024 г., 09:13",
        "По данным журналистов, представители Кремля готовы к переговорам.",
    ]
    assert find_dateline(head, MOSCOW, language="ru") == (
        2,
        PublishedDate(utc(2024, 11, 10, 6, 13), "10 ноября 2024 г., 09:13", "minute", offset=180),
    )
    assert find_dateline(head, MOSCOW) is None  # read as English, as before


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ru", "uk", "de", "fr", "es", "pl", "ja", "hu"]), st.text(max_size=60))
def test_any_line_gives_none_or_a_utc_date(language: str, line: str) -> None:
    published = parse_dateline(line, MOSCOW, language=language)
    if published is not None:
        assert published.at.tzinfo is UTC
        assert published.precision in {"day", "minute", "second"}


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_written_and_numeric_russian_forms_of_any_minute_agree(moment: datetime) -> None:
    from babel.dates import format_datetime

    moment = moment.replace(second=0, microsecond=0)
    written = parse_dateline(format_datetime(moment, "d MMMM y 'г'., HH:mm", locale="ru"), language="ru")
    numeric = parse_dateline(moment.strftime("%d.%m.%Y %H:%M"), language="ru")
    assert written is not None and numeric is not None
    assert written.at == numeric.at == moment.replace(tzinfo=UTC)
