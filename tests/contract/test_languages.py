"""What every search engine answers over an archive in many languages: a word finds its other inflected forms.

Each article is analysed in its own language; a query word is looked for in
each language the archive holds, or in those its ``lang:`` clauses name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import datetime

import pytest

from engine_kit import ENGINE_STACKS, article, engine_stack_id, find, ids, q, stacked_engine
from newsarchive.engines.protocol import SearchEngine, SearchOptions
from newsarchive.engines.snippets import MATCH_END, MATCH_START
from newsarchive.errors import InvalidQuery

ARTICLES = [
    article(
        "ru-talks", "Переговоры в Вене возобновились",
        "Делегации продолжили переговоры о прекращении огня. Жителям Курской области обещали помощь. "
        "Следующий раунд переговоров назначен на пятницу.",
        datetime(2024, 11, 10, 9, 13), source="ria.example", language="ru",
    ),
    article(
        "ru-plant", "Курская АЭС работает штатно",
        "На Курской АЭС проверили энергоблоки, сообщили в пресс-службе станции.",
        datetime(2024, 11, 11, 8), source="ria.example", language="ru",
    ),
    article(
        "ru-tree", "Ёлка на Красной площади", "Мэрия установила ёлку на Красной площади в Москве.",
        datetime(2024, 12, 20, 10), source="ria.example", language="ru",
    ),
    article(
        "ru-tree-e", "Главная елка страны", "Главную елку страны привезли из Подмосковья.",
        datetime(2024, 12, 21, 10), source="tass.example", language="ru",
    ),
    article(
        "ru-envoys", "Посольство", "Москва обещала прислать делегацию в Вену.",
        datetime(2024, 11, 9, 12), source="tass.example", language="ru",
    ),
    article(
        "uk-talks", "Переговори у Стамбулі",
        "Сторони не дійшли згоди, але домовилися продовжити переговори наступного тижня.",
        datetime(2024, 11, 12, 14), source="ukrinform.example", language="uk",
    ),
    article(
        "uk-play", "Театр показав нові вистави",
        "Київський театр показав дві вистави для дітей, а в фойє відкрилася виставка костюмів.",
        datetime(2024, 11, 13, 18), source="ukrinform.example", language="uk",
    ),
    article(
        "de-vote", "Wahlen in Thüringen", "Nach der Wahl verhandeln die Parteien über eine Koalition.",
        datetime(2024, 9, 2, 7), source="spiegel.example", language="de",
    ),
    article(
        "fr-talks", "Négociations à Genève", "Les négociations ont repris au café de la gare, près du lac.",
        datetime(2024, 11, 13, 16), source="lemonde.example", language="fr",
    ),
    article(
        "fr-plain", "Salaires", "Les negociations salariales continuent dans la fonction publique.",
        datetime(2024, 11, 14, 16), source="lemonde.example", language="fr",
    ),
    article(
        "es-vote", "Elecciones en Galicia", "Las elecciones autonómicas se celebrarán en julio.",
        datetime(2024, 2, 18, 20), source="elpais.example", language="es",
    ),
    article(
        "es-mayor", "Nuevo alcalde", "La elección del alcalde fue reñida hasta el último voto.",
        datetime(2024, 6, 1, 12), source="elpais.example", language="es",
    ),
    article(
        "zh-visit", "习近平会见外宾", "习近平在北京市会见来访的外国领导人。", datetime(2024, 11, 15, 3), language="zh",
    ),
    article(
        "ja-policy", "新しい政策", "東京都で新しい政策が発表された。", datetime(2024, 11, 16, 3), language="ja",
    ),
    article(
        "sv-ferry", "Färjan till Åbo", "Färjan får gå till Åbo i morgon.",
        datetime(2024, 6, 20, 6), source="svd.example", language="sv",
    ),
    article(
        "tr-vote", "İstanbul'da seçim", "Seçmenler İSTANBUL ve İzmir'de sandık başına gitti.",
        datetime(2024, 3, 31, 18), source="hurriyet.example", language="tr",
    ),
    article(
        "en-vote", "Election results", "The election results were announced in Berlin on Monday.",
        datetime(2024, 3, 5, 9), source="bbc.co.uk", language="en",
    ),
]  # fmt: skip


@pytest.fixture(scope="module", params=ENGINE_STACKS, ids=engine_stack_id)
def news(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    yield stacked_engine(request, tmp_path_factory, ARTICLES, position=len(ARTICLES))


def found(engine: SearchEngine, text: str) -> set[str]:
    return set(ids(find(engine, text, collapse=False, limit=100)))


def snippet(engine: SearchEngine, text: str, article_id: str) -> str:
    return next(hit.snippet for hit in find(engine, text, collapse=False, limit=100).hits if hit.id == article_id)


def marked(word: str) -> str:
    return f"{MATCH_START}{word}{MATCH_END}"


# --- words in their other forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Russian: six cases in two numbers, and ё written as е or not.
        ("переговор", {"ru-talks"}),
        ("переговорами", {"ru-talks", "uk-talks"}),  # (a form of Ukrainian's word too)
        ("Курская", {"ru-talks", "ru-plant"}),
        ("ёлка", {"ru-tree", "ru-tree-e"}),
        ("елки", {"ru-tree", "ru-tree-e"}),
        # Ukrainian, by its dictionary forms.
        ("переговорів", {"uk-talks"}),
        ("домовитися", {"uk-talks"}),
        # German, French and Spanish, accents optional.
        ("Wahl", {"de-vote"}),
        ("wahlen", {"de-vote"}),
        ("cafe", {"fr-talks"}),
        ("négociation", {"fr-talks", "fr-plain"}),
        ("negociation", {"fr-talks", "fr-plain"}),
        ("elección", {"es-vote", "es-mayor"}),
        ("elecciones", {"es-vote", "es-mayor"}),
        # Chinese and Japanese: two characters or more, anywhere in a run.
        ("北京", {"zh-visit"}),
        ("北京市", {"zh-visit"}),
        ("京市会见", {"zh-visit"}),
        ("北京会见", set()),
        ("東京", {"ja-policy"}),
        ("東京都", {"ja-policy"}),
        # English as always, beside them.
        ("elections", {"en-vote"}),
        ("the election", {"en-vote"}),
    ],
)
def test_a_word_finds_its_other_forms_in_the_articles_language(news: SearchEngine, query: str, expected: set[str]) -> None:
    assert found(news, query) == expected


@pytest.mark.parametrize("query", ["istanbul", "İstanbul", "ISTANBUL", "İSTANBUL", "izmir"])
def test_a_dotted_capital_i_is_an_i(news: SearchEngine, query: str) -> None:
    assert found(news, query) == {"tr-vote"}


def test_snippets_mark_words_with_a_dotted_capital_i(news: SearchEngine) -> None:
    assert f"Seçmenler {marked('İSTANBUL')} ve {marked('İzmir')}'de" in snippet(news, "istanbul izmir", "tr-vote")


def test_a_word_typed_with_combining_accents_is_the_word(news: SearchEngine) -> None:
    decomposed = unicodedata.normalize("NFD", "négociations elección")
    assert decomposed != "négociations elección"
    assert found(news, decomposed.split()[0]) == {"fr-talks", "fr-plain"}
    assert found(news, f'"{decomposed.split()[1]} del"') == {"es-mayor"}


def test_swedish_letters_are_letters_of_their_own(news: SearchEngine) -> None:
    assert found(news, "får") == found(news, "åbo") == {"sv-ferry"}
    assert found(news, "far") == found(news, "abo") == set()
    assert f"Färjan {marked('får')} gå till {marked('Åbo')}" in snippet(news, "får åbo", "sv-ferry")


def test_one_chinese_character_is_too_short_to_search_for(news: SearchEngine) -> None:
    with pytest.raises(InvalidQuery):
        news.search(q("京"), SearchOptions())


def test_phrases_wildcards_and_fuzzy_words_in_russian(news: SearchEngine) -> None:
    assert found(news, '"продолжили переговоры"') == {"ru-talks"}
    assert found(news, '"продолжили переговорами"') == {"ru-talks"}
    assert found(news, '"переговоры продолжили"') == set()
    assert found(news, "переговор*") == {"ru-talks", "uk-talks"}
    assert found(news, "переговори~1") >= {"ru-talks", "uk-talks"}
    assert found(news, "title:Курской") == {"ru-plant"}


def test_a_ukrainian_prefix_is_the_start_of_words_not_a_dictionary_form(news: SearchEngine) -> None:
    # "вистави" (plays) is held as "вистава", "виставка" (exhibition) as itself; the dictionary makes the
    # start "вистав" into "вистава", which "виставка" does not start with.
    assert found(news, "lang:uk вистав*") == found(news, "lang:uk виста*") == {"uk-play"}
    assert found(news, "lang:uk виставк*") == {"uk-play"}


def test_a_phrase_finds_every_form_of_its_words(news: SearchEngine) -> None:
    # "пришли" is a form of "прийти" (came) and of "прислать" (send!): either, in a phrase as alone.
    assert found(news, "пришли") == found(news, '"пришли делегацию"') == {"ru-envoys"}


def test_lang_narrows_the_words_to_its_language(news: SearchEngine) -> None:
    assert found(news, "lang:de wahl") == {"de-vote"}
    assert found(news, "lang:ru wahl") == set()
    assert found(news, "lang:ru переговоры") == {"ru-talks"}
    assert found(news, "(lang:ru OR lang:uk) переговоры") == {"ru-talks"}
    assert found(news, "lang:es elecciones") == {"es-vote", "es-mayor"}


# --- beyond a list of hits ------------------------------------------------------------------------


def test_snippets_mark_the_forms_the_article_writes(news: SearchEngine) -> None:
    assert f"продолжили {marked('переговоры')} о прекращении" in snippet(news, "переговор", "ru-talks")
    assert f"раунд {marked('переговоров')} назначен" in snippet(news, "переговор", "ru-talks")
    assert f"установила {marked('ёлку')} на" in snippet(news, "елка", "ru-tree")
    assert f"продовжити {marked('переговори')}" in snippet(news, "переговорів", "uk-talks")
    assert f"Les {marked('négociations')} ont repris au {marked('café')}" in snippet(
        news, "negociation cafe", "fr-talks"
    )
    assert f"习近平在{marked('北京市')}会见" in snippet(news, "北京市", "zh-visit")
    assert f"{marked('東京')}都で" in snippet(news, "東京", "ja-policy")


def test_did_you_mean_offers_the_form_a_russian_article_writes(news: SearchEngine) -> None:
    assert news.suggest(q("перговоры")) == "переговоры"
    assert news.suggest(q("переговоры")) is None


def test_telling_terms_are_shown_as_the_articles_write_them(news: SearchEngine) -> None:
    matched, terms = news.telling_terms(q("переговоры"), 10)
    assert matched == 1
    words = [word for word, _ in terms]
    assert "переговоры" in words and "переговор" not in words


def test_telling_terms_show_each_word_once(news: SearchEngine) -> None:
    # A Russian word is held by its stem and by its dictionary forms' stems ("пришли": прийти, прислать):
    # one word, one telling term.
    matched, terms = news.telling_terms(q("lang:ru"), 40)
    words = [word for word, _ in terms]
    assert matched > 1 and len(words) == len(set(words))


def test_telling_terms_leave_out_the_languages_function_words(news: SearchEngine) -> None:
    matched, terms = news.telling_terms(q("lang:de wahl"), 20)
    words = {word for word, _ in terms}
    assert matched == 1 and {"wahl", "koalition"} <= words
    assert not words & {"die", "der", "über", "eine", "nach"}


def test_similar_articles_in_russian(news: SearchEngine) -> None:
    whole, page = news.similar("ru-plant", 3)
    assert whole == "ru-plant"
    assert ids(page)[0] == "ru-talks"  # the other article about Kursk
