"""`archive search` in Russian, Ukrainian, German, French and Spanish: a word finds the article whatever form
either of them writes, and the snippet marks the form the article writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.cli import cli

# news-please records, as a crawler writes them: each says its language.
ARTICLES = [
    {
        "title": "Переговоры в Вене возобновились", "language": "ru", "date_publish": "2024-11-10 09:13:00",
        "description": "Делегации вернулись за стол переговоров после двухнедельной паузы.",
        "maintext": "Стороны продолжили переговоры о прекращении огня в Курской области. "
        "Следующая встреча назначена на пятницу, сообщили дипломаты.",
    },
    {
        "title": "Сторони домовилися про обмін полоненими", "language": "uk", "date_publish": "2024-11-11 14:00:00",
        "description": "Україна та Росія провели черговий обмін.",
        "maintext": "Після тривалих переговорів сторони повернули додому сто військових. "
        "Наступний етап обміну запланований на грудень.",
    },
    {
        "title": "Koalitionsgespräche nach der Landtagswahl", "language": "de", "date_publish": "2024-09-02 07:30:00",
        "description": "Die Parteien verhandeln über eine neue Regierung.",
        "maintext": "Nach den Wahlen in Thüringen beginnen die Gespräche. Die Wähler erwarten rasche Ergebnisse.",
    },
    {
        "title": "Reprise des négociations salariales", "language": "fr", "date_publish": "2024-11-13 16:00:00",
        "description": "Les syndicats ont été reçus au ministère.",
        "maintext": "Les négociations ont repris mardi. Les représentants se sont retrouvés au café "
        "avant la réunion avec le ministre.",
    },
    {
        "title": "Las elecciones gallegas se celebrarán en julio", "language": "es",
        "date_publish": "2024-02-18 20:00:00", "description": "El presidente anunció la fecha.",
        "maintext": "La convocatoria de elecciones llega tras meses de rumores. "
        "Los partidos preparan ya sus candidaturas.",
    },
]  # fmt: skip


@pytest.fixture
def press(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "press.jsonl"
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in ARTICLES), encoding="utf-8")
    archive("ingest", path)
    return archive


def _titles(archive, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["title"] for hit in json.loads(archive("search", query, "--json").stdout)["hits"]]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("переговор", "Переговоры в Вене возобновились"),
        ("переговоров", "Переговоры в Вене возобновились"),
        ("Курская", "Переговоры в Вене возобновились"),
        ("встречи", "Переговоры в Вене возобновились"),
        ("обмінами", "Сторони домовилися про обмін полоненими"),
        ("полонений", "Сторони домовилися про обмін полоненими"),
        ("Wahl", "Koalitionsgespräche nach der Landtagswahl"),
        ("Gespräch", "Koalitionsgespräche nach der Landtagswahl"),
        ("negociation", "Reprise des négociations salariales"),
        ("cafe", "Reprise des négociations salariales"),
        ("elección", "Las elecciones gallegas se celebrarán en julio"),
        ("partido", "Las elecciones gallegas se celebrarán en julio"),
    ],
)
def test_a_word_finds_the_article_in_another_form(press, query: str, title: str) -> None:  # type: ignore[no-untyped-def]
    assert _titles(press, query) == [title]


def test_a_russian_phrase_and_a_prefix_in_other_forms(press) -> None:  # type: ignore[no-untyped-def]
    assert _titles(press, '"продолжить переговорами"') == ["Переговоры в Вене возобновились"]
    assert _titles(press, "прекращения огня") == ["Переговоры в Вене возобновились"]
    assert _titles(press, "переговор*") == ["Переговоры в Вене возобновились", "Сторони домовилися про обмін полоненими"]


def test_lang_narrows_the_search_to_its_language(press) -> None:  # type: ignore[no-untyped-def]
    assert _titles(press, "lang:uk переговорів") == ["Сторони домовилися про обмін полоненими"]
    assert _titles(press, "lang:de переговорів") == []
    found = json.loads(press("search", "переговор*", "--facet", "lang", "--json").stdout)
    assert found["facets"]["lang"] == [{"value": "ru", "count": 1}, {"value": "uk", "count": 1}]


def test_the_snippet_marks_the_form_the_article_writes(press, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    [hit] = json.loads(press("search", "переговор", "--json").stdout)["hits"]
    assert hit["snippet"].startswith("Стороны продолжили переговоры о прекращении огня")
    monkeypatch.setattr("newsarchive.cli.output._color", lambda: True)
    for query, shown in [
        ("переговор", "продолжили \x1b[1mпереговоры\x1b[22m о"),
        ("Курская", "в \x1b[1mКурской\x1b[22m области"),
        ("переговори", "тривалих \x1b[1mпереговорів\x1b[22m сторони"),
        ("Wahl", "den \x1b[1mWahlen\x1b[22m in"),
        ("negociation", "Les \x1b[1mnégociations\x1b[22m ont"),
        ("elección", "de \x1b[1melecciones\x1b[22m llega"),
    ]:
        assert shown in press.runner.invoke(cli, ["search", query], color=True).stdout, query


def test_did_you_mean_a_russian_word(press) -> None:  # type: ignore[no-untyped-def]
    found = json.loads(press("search", "перговоры", "--json").stdout)
    assert (found["total"], found["suggestion"]) == (0, "переговоры")
    assert press("search", "перговоры").stdout.strip() == "No articles match 'перговоры'. Did you mean: переговоры?"
