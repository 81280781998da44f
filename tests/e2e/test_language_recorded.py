"""Every article's language is recorded (ISO 639-1): the one given, the one its file names, or the one its text is in."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import database_or, database_rows

#: Short articles as newsrooms write them: title, lede, body paragraphs.
ARTICLES: dict[str, tuple[str, ...]] = {
    "ru": (
        "Переговоры о перемирии в Курской области зашли в тупик",
        "Стороны не смогли договориться о выводе войск, сообщили источники в Москве.",
        "По словам собеседников агентства, делегации встречались дважды за последнюю неделю, однако так и не "
        "согласовали сроки отвода подразделений от линии соприкосновения.",
        "В Кремле заявили, что продолжение диалога возможно только после выполнения ранее достигнутых "
        "договорённостей. Представитель министерства иностранных дел от комментариев отказался.",
        "Эксперты полагают, что следующий раунд переговоров состоится не раньше декабря.",
    ),
    "uk": (
        "Уряд схвалив нову програму підтримки переселенців",
        "Кабінет міністрів виділив додаткові кошти на житло для внутрішньо переміщених осіб.",
        "Як повідомили в міністерстві соціальної політики, програма передбачає щомісячні виплати родинам, "
        "які втратили домівки внаслідок бойових дій.",
        "Першими допомогу отримають багатодітні сім'ї та люди з інвалідністю. Заявки можна подати через "
        "застосунок або в центрах надання адміністративних послуг.",
        "Представники громадських організацій назвали рішення кроком у правильному напрямку.",
    ),
    "de": (
        "Bundesregierung einigt sich auf neuen Haushalt",
        "Nach wochenlangen Verhandlungen haben die Koalitionspartner einen Kompromiss gefunden.",
        "Der Entwurf sieht höhere Ausgaben für Bildung und Infrastruktur vor, während bei den Subventionen "
        "für fossile Energieträger gespart werden soll.",
        "Der Finanzminister sprach von einem tragfähigen Ergebnis. Die Opposition kritisierte dagegen, dass "
        "die Schuldenbremse erneut umgangen werde.",
        "Der Bundestag soll im Dezember über den Haushalt abstimmen.",
    ),
    "fr": (
        "Le gouvernement présente son projet de loi sur l'énergie",
        "Le texte prévoit une hausse des investissements dans le nucléaire et les énergies renouvelables.",
        "Selon la ministre de la Transition écologique, la réforme doit permettre à la France de réduire sa "
        "dépendance aux importations de gaz d'ici à 2030.",
        "Les syndicats du secteur ont salué un effort « attendu depuis longtemps », tout en s'inquiétant du "
        "calendrier très serré des chantiers.",
        "Le projet sera examiné par l'Assemblée nationale au début du mois de février.",
    ),
    "es": (
        "El Gobierno aprueba la reforma de las pensiones",
        "La nueva ley eleva las cotizaciones de los salarios más altos para garantizar el sistema.",
        "El ministro de Seguridad Social defendió que la reforma asegura la sostenibilidad de las pensiones "
        "durante las próximas décadas sin recortar las prestaciones.",
        "Los empresarios, sin embargo, advirtieron de que el aumento de los costes laborales podría frenar la "
        "creación de empleo en las pequeñas empresas.",
        "El texto se votará en el Congreso de los Diputados antes de que termine el año.",
    ),
    "en": (
        "Council approves new cycle lanes for the city centre",
        "The scheme will add twelve miles of protected lanes over the next three years.",
        "Councillors voted by a large majority to back the plan, which has been debated for more than a year "
        "after a public consultation drew thousands of responses.",
        "Local businesses had warned that removing parking spaces would hurt trade, but the council said "
        "footfall usually rises when streets become safer.",
        "Work on the first route is expected to begin in the spring.",
    ),
    "zh": (
        "国务院部署进一步扩大内需的措施",
        "会议强调要稳定就业，提高居民收入，促进消费持续恢复。",
        "会议指出，今年以来我国经济运行总体平稳，但外部环境依然复杂严峻，需要加大宏观政策调节力度。",
        "会议要求各地区各部门加快推进重大项目建设，支持民营企业发展，更好满足人民群众多样化的消费需求。",
        "会议还研究了其他事项。",
    ),
    "ja": (
        "政府、新たな経済対策を閣議決定",
        "物価高に対応するため、低所得世帯への給付金や電気料金の補助を盛り込んだ。",
        "首相は記者会見で、賃上げの流れを地方や中小企業にも広げていきたいと述べた。",
        "対策の規模は国と地方を合わせて約二十兆円となる見通しで、政府は年内に補正予算案を国会に提出する方針だ。",
        "野党からは、効果が一時的にとどまるとの批判も出ている。",
    ),
    "pl": (
        "Rząd przyjął projekt ustawy o ochronie środowiska",
        "Nowe przepisy mają ograniczyć zanieczyszczenie powietrza w największych miastach.",
        "Minister klimatu zapowiedziała, że gminy otrzymają dodatkowe środki na wymianę starych pieców "
        "węglowych i rozbudowę sieci ciepłowniczych.",
        "Organizacje ekologiczne przyjęły projekt z zadowoleniem, choć wskazują, że terminy wprowadzenia "
        "zmian są zbyt odległe.",
        "Ustawa trafi teraz do Sejmu.",
    ),
    "cs": (
        "Vláda schválila návrh rozpočtu na příští rok",
        "Schodek státního rozpočtu by měl klesnout o deset miliard korun.",
        "Ministr financí uvedl, že úspory se dotknou především provozních výdajů ministerstev, zatímco "
        "investice do dopravní infrastruktury zůstanou zachovány.",
        "Opozice návrh odmítla a varovala, že škrty mohou ohrozit financování školství a zdravotnictví.",
        "Poslanecká sněmovna by měla o rozpočtu hlasovat v prosinci.",
    ),
}


def write(folder: Path, name: str, parts: tuple[str, ...], encoding: str = "utf-8") -> Path:
    """An article in the BBC layout (title, blank line, lede, paragraphs between blank lines)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\n\n".join(parts).encode(encoding) + b"\n")
    return path


def exported(archive, *args: str) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    """Every article's export record, by title."""
    records = (json.loads(line) for line in archive("export", *args).stdout.splitlines())
    return {record["title"]: record for record in records}


def languages(archive, *args: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {title: record["language"] for title, record in exported(archive, *args).items()}


def search_json(archive, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(archive("search", *args, "--json").stdout)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """One article in each language, and one too short to tell."""
    folder = tmp_path / "news"
    for language, parts in ARTICLES.items():
        write(folder, f"{language}.txt", parts)
    write(folder, "short.txt", ("Kursk", "OK."))
    return folder


def test_each_article_records_the_language_it_is_written_in(archive, newsroom: Path) -> None:
    archive("ingest", newsroom)
    assert languages(archive) == {parts[0]: language for language, parts in ARTICLES.items()} | {"Kursk": "und"}


def test_show_json_csv_facets_and_lang_clauses_carry_the_language(archive, newsroom: Path) -> None:
    archive("ingest", newsroom)
    records = exported(archive)
    russian = records[ARTICLES["ru"][0]]["id"]
    assert "\nlanguage:  ru (Russian)\n" in archive("show", russian).stdout
    assert json.loads(archive("show", russian, "--json").stdout)["language"] == "ru"
    rows = list(csv.DictReader(io.StringIO(archive("export", "--format", "csv").stdout)))
    assert {row["title"]: row["language"] for row in rows}[ARTICLES["zh"][0]] == "zh"

    facets = search_json(archive, "lang:ru OR lang:uk OR lang:de OR lang:und", "--facet", "lang")["facets"]["lang"]
    assert sorted((facet["value"], facet["count"]) for facet in facets) == [("de", 1), ("ru", 1), ("uk", 1), ("und", 1)]
    found = search_json(archive, "lang:ru")
    assert [hit["title"] for hit in found["hits"]] == [ARTICLES["ru"][0]]
    assert search_json(archive, "lang:fr")["hits"][0]["title"] == ARTICLES["fr"][0]


def test_list_and_markdown_export_carry_the_language(archive, newsroom: Path) -> None:
    archive("ingest", newsroom)
    listed = json.loads(archive("list", "--json").stdout)["articles"]
    assert {row["title"]: row["language"] for row in listed}[ARTICLES["uk"][0]] == "uk"
    markdown = archive("export", "lang:de", "--format", "md").stdout
    assert markdown.startswith(f"# {ARTICLES['de'][0]}\n") and "\n- language: de\n" in markdown


def test_lang_forces_the_language_of_a_run(archive, newsroom: Path, tmp_path: Path) -> None:
    archive("ingest", "--lang", "ru", newsroom / "uk.txt", newsroom / "en.txt")
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "Ein Artikel", "maintext": " ".join(ARTICLES["de"]), "language": "de"}) + "\n")
    archive("ingest", "--lang", "ru", dump)
    assert set(languages(archive).values()) == {"ru"}
    # Read again with another language: the articles take it (the same text, updated).
    report = json.loads(archive("ingest", "--force", "--lang", "uk", newsroom / "uk.txt", "--json").stdout)
    assert (report["updated"], report["new"]) == (1, 0)
    assert languages(archive)[ARTICLES["uk"][0]] == "uk"
    assert search_json(archive, "lang:uk")["total"] == 1


@pytest.mark.parametrize("code", ["xx", "RU", "russian", "en-GB"])
def test_an_unknown_lang_is_a_usage_error_naming_it(archive, newsroom: Path, archive_home: Path, code: str) -> None:
    result = archive("ingest", "--lang", code, newsroom, expect=2)
    assert f"Error: Invalid value for '--lang': unknown language code '{code}'" in result.stderr
    assert not archive_home.exists()  # (refused before anything was made)


def test_the_cli_checks_lang_with_the_librarys_check_under_a_name_of_its_own() -> None:
    import click

    from newsarchive.cli import ingest

    assert not hasattr(ingest, "checked_language")  # (one function of that name: the library's)
    assert ingest.lang_code(None, None, "uk") == "uk"
    with pytest.raises(click.BadParameter, match="unknown language code 'xx'"):
        ingest.lang_code(None, None, "xx")


def test_the_language_a_file_names_wins_unless_it_names_none(archive, tmp_path: Path) -> None:
    def record(title: str, language: str, text: str) -> str:
        return json.dumps({"title": title, "maintext": text, "language": language}) + "\n"

    russian, german, french = (" ".join(ARTICLES[code][1:]) for code in ("ru", "de", "fr"))
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        record("Said Spanish", "es-MX", french)  # (a file's word is taken)
        + record("Said rus", "rus", russian)
        + record("Said English in words", "English", german)
        + record("Said no language", "zxx", french)
        + record("Said x-default", "x-default", russian),
        encoding="utf-8",
    )
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html lang="uk-UA"><head><title>Сторінка</title></head><body><article><h1>'
        + ARTICLES["uk"][0] + "</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLES["uk"][1:]) + "</article></body></html>",
        encoding="utf-8",
    )  # fmt: skip
    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nachrichten</title>'
        "<language>de-DE</language><item><title>Wetter</title><link>https://example.de/1</link>"
        "<description>Regen.</description></item></channel></rss>",  # (too short to identify: the feed says)
        encoding="utf-8",
    )
    archive("ingest", dump, page, feed)
    assert languages(archive) == {
        "Said Spanish": "es", "Said rus": "ru", "Said English in words": "de", "Said no language": "fr",
        "Said x-default": "ru", ARTICLES["uk"][0]: "uk", "Wetter": "de",
    }  # fmt: skip


def test_a_language_whose_script_the_text_is_not_written_in_is_not_believed(archive, tmp_path: Path) -> None:
    # A page template's lang="en" over a Russian article; a Latin language over Latin text is believed.
    russian, french = (" ".join(ARTICLES[code][1:]) for code in ("ru", "fr"))
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        json.dumps({"title": ARTICLES["ru"][0], "maintext": russian, "language": "en"}) + "\n"
        + json.dumps({"title": "Said Spanish", "maintext": french, "language": "es"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = archive("ingest", "-v", dump)
    assert languages(archive) == {ARTICLES["ru"][0]: "ru", "Said Spanish": "es"}
    assert "its file says the language is en, but its text is written in Cyrillic: identified" in result.stderr
    assert search_json(archive, "переговорами")["total"] == 1


@pytest.mark.parametrize(
    ("language", "encoding"),
    [("ru", "cp1251"), ("ru", "koi8_r"), ("fr", "cp1252"), ("es", "cp1252"), ("de", "cp1252"), ("pl", "iso8859_2"),
     ("cs", "iso8859_2")],
)  # fmt: skip
def test_legacy_encodings_are_decoded_exactly_and_their_language_recorded(
    archive, tmp_path: Path, language: str, encoding: str
) -> None:
    parts = ARTICLES[language]
    write(tmp_path / "old", "article.txt", parts, encoding)
    result = archive("ingest", "-v", tmp_path / "old")
    assert f"{tmp_path / 'old' / 'article.txt'}: decoded as {encoding}\n" in result.stderr
    record = next(iter(exported(archive).values()))
    assert (record["title"], record["description"], record["language"]) == (parts[0], parts[1], language)
    assert record["maintext"] == "\n".join(parts[2:])


def _forget_languages(home: Path, where: str = "1 = 1") -> int:
    """Make the archive's articles look stored before languages were recorded."""
    return len(database_rows(home, f"UPDATE articles SET language = NULL WHERE {where} RETURNING id", write=True))


def test_reindex_fills_in_the_languages_of_articles_stored_without_one(archive, newsroom: Path, archive_home: Path) -> None:
    archive("ingest", newsroom)
    before = languages(archive)
    assert _forget_languages(archive_home) == len(ARTICLES) + 1
    assert set(languages(archive).values()) == {None}
    result = archive("reindex")
    assert result.stderr == (
        f"identified the language of {len(ARTICLES) + 1} articles stored before languages were recorded; "
        f"{len(ARTICLES) + 1} of them are undated: `archive ingest --force FOLDER` reads their files again, "
        "and datelines in their languages with them\n"
    )
    assert languages(archive) == before
    assert search_json(archive, "lang:ru")["total"] == 1
    assert archive("reindex").stderr == ""  # (once)


def test_the_first_ingest_after_an_upgrade_fills_them_in_and_says_so(
    archive, newsroom: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two homes on one database: the change log brings the other home's index up to date as well.
    database = tmp_path / "shared.db"
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_or(database))
    archive("ingest", "--home", first, newsroom)
    archive("reindex", "--home", second)
    database_rows(first, "UPDATE articles SET language = NULL WHERE language IN ('ru', 'uk')", write=True)
    write(tmp_path / "more", "es.txt", ARTICLES["es"][:1] + ("Otro texto sobre las pensiones.",) + ARTICLES["es"][2:])
    result = archive("ingest", "--home", first, tmp_path / "more")
    assert result.stderr.startswith("identified the language of 2 articles stored before languages were recorded; ")
    assert "2 of them are undated: `archive ingest --force FOLDER`" in result.stderr
    assert result.stdout.startswith("1 file: 1 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed, 1 undated; ")
    for home in (first, second):
        assert search_json(archive, "--home", home, "lang:ru OR lang:uk")["total"] == 2, home.name
        assert json.loads(archive("check", "--home", home, "--json").stdout)["ok"], home.name
    assert languages(archive, "--home", second)[ARTICLES["uk"][0]] == "uk"
    assert archive("ingest", "--home", first, tmp_path / "more").stderr == ""  # (once)



def test_the_python_api_takes_a_language_and_refuses_an_unknown_one(newsroom: Path, archive_home: Path) -> None:
    import newsarchive
    from newsarchive.errors import InvalidLanguage

    with newsarchive.open() as archive:
        with pytest.raises(InvalidLanguage, match="'deu'"):
            archive.ingest([newsroom / "de.txt"], language="deu")
        assert not archive_home.exists()
        archive.ingest([newsroom / "de.txt", newsroom / "en.txt"], language="de")
        assert {record.language for record in archive.export()} == {"de"}


@pytest.mark.sqlite_only("a body that is not JSON, which SQLite stores whatever its column's type")
def test_an_unreadable_article_without_a_language_is_named_once_not_read_by_every_run(
    archive, newsroom: Path, archive_home: Path, tmp_path: Path
) -> None:
    archive("ingest", newsroom)
    database = archive_home / "archive.db"
    with sqlite3.connect(database) as connection:
        (damaged,) = connection.execute("SELECT id FROM articles WHERE language = 'de'").fetchone()
        connection.execute("UPDATE articles SET body = '{not json', language = NULL WHERE id = ?", (damaged,))
        connection.execute("UPDATE articles SET language = NULL WHERE language = 'fr'")
    write(tmp_path / "more", "es.txt", ARTICLES["es"][:1] + ("Otro texto sobre las pensiones.",) + ARTICLES["es"][2:])
    first = archive("ingest", tmp_path / "more")
    assert first.stderr.splitlines()[:2] == [
        "identified the language of 1 article stored before languages were recorded; 1 of them is undated: "
        "`archive ingest --force FOLDER` reads their files again, and datelines in their languages with them",
        "could not read 1 article stored before languages were recorded: their language stays undetermined"
        " (`archive check` names them)",
    ]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT language FROM articles WHERE id = ?", (damaged,)).fetchone() == ("und",)
    assert "languages were recorded" not in archive("ingest", tmp_path / "more").stderr  # (once)
    assert f"damaged row:          article {damaged}, body: not valid JSON\n" in archive("check", expect=1).stdout
