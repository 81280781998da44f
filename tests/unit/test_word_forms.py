"""Word forms per language: the terms the index holds for a word of an article in its language."""

from __future__ import annotations

import pytest

from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.languages import UNSTEMMED, analysis_of, fold, forms, unspaced_words


def _terms(language: str | None, word: str) -> set[str]:
    return {term.decode("utf-8") for term in forms(language).all_of(word.lower())}


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [
        ("ru", "переговоры", "переговорами"),  # plural cases of "talks"
        ("ru", "Курская", "Курской"),  # "Kursk" (region), nominative and genitive
        ("ru", "ёлка", "елка"),  # ё is written as е
        ("uk", "переговорів", "переговори"),  # Ukrainian by its dictionary: Snowball has none
        ("uk", "області", "областю"),
        ("de", "Wahlen", "Wahl"),
        ("fr", "négociations", "negociation"),  # accents optional
        ("fr", "café", "cafe"),
        ("es", "elecciones", "elección"),
        ("it", "negoziati", "negoziato"),
        ("pl", "negocjacjach", "negocjacje"),
        ("en", "elections", "election"),
    ],
)
def test_inflected_forms_meet_in_a_term(language: str, one: str, other: str) -> None:
    assert _terms(language, one) & _terms(language, other)


def test_english_keeps_porter_stems() -> None:
    assert _terms("en", "negotiators") == {"negoti"}
    assert _terms(None, "companies") == _terms("und", "companies") == {"compani"}


def test_a_word_written_with_accents_is_also_held_by_its_unaccented_spelling() -> None:
    # Portuguese stems "negociação" to "negoc", but "negociacao" (typed without accents) to "negociaca".
    assert _terms("pt", "negociação") == {"negoc", "negociaca"}
    assert _terms("pt", "negociacao") == {"negociaca"}


def test_folding_keeps_cyrillic_letters_that_are_letters_of_their_own() -> None:
    assert fold("Ёлка, йод, Київ, café, Dvořák, Łódź, Ελλάδα") == "Елка, йод, Київ, cafe, Dvorak, Lodz, Ελλαδα"


def test_languages_without_a_stemmer_keep_words_as_written() -> None:
    assert _terms("he", "שלום") == {"שלום"}
    assert analysis_of("he") == analysis_of("vi") == analysis_of(UNSTEMMED) == UNSTEMMED
    assert forms("he") is forms("zh") is forms(UNSTEMMED)  # (one cache for the analysis)
    assert forms("ru") is forms("RU") and forms(None) is forms("und") is forms("en")
    assert analysis_of(None) == analysis_of("und") == analysis_of("en") == "en"
    assert analysis_of("ru") == "ru"


def test_chinese_japanese_and_korean_runs_become_pairs_of_characters() -> None:
    assert unspaced_words("北京市政府") == ["北京", "京市", "市政", "政府"]
    assert unspaced_words("iphone手机") == ["iphone", "手机"]
    assert unspaced_words("中") == ["中"]
    assert unspaced_words("서울시는") == ["서울", "울시", "시는"]


def test_pairs_have_consecutive_positions_so_a_longer_word_is_a_phrase_of_them() -> None:
    positions = stemmed_positions("习近平在北京市会见普京。", "zh")
    assert [positions[pair.encode("utf-8")].tolist() for pair in ("北京", "京市")] == [[4], [5]]


def test_english_stop_words_are_dropped_in_english_only() -> None:
    assert b"an" not in stemmed_positions("an election", "en")
    assert stemmed_positions("un an plus tard", "fr")[b"an"].tolist() == [1]


def test_russian_text_is_indexed_by_its_stems() -> None:
    positions = stemmed_positions("Переговоры начнутся после освобождения Курской области.", "ru")
    assert {"переговор", "курск", "област"} <= {term.decode("utf-8") for term in positions}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("требует", "требовать"),  # a stem of its own for each: "треб", "требова"
        ("начнёт", "начали"),  # "начнет", "нача"
        ("уровня", "уровень"),  # "уровн", "уровен"
    ],
)
def test_russian_forms_a_stemmer_keeps_apart_meet_in_their_dictionary_form(one: str, other: str) -> None:
    assert _terms("ru", one) & _terms("ru", other)


def test_words_outside_the_dictionary_are_only_stemmed() -> None:
    assert _terms("ru", "зеленского") == {"зеленск"}


def test_a_word_keeps_every_term_once_the_cache_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarchive.text import languages

    monkeypatch.setattr(languages, "STEM_CACHE_SIZE", 2)
    russian = languages.Forms("ru")
    for word in ("начнёт", "уровня", "ёлка"):  # (words with terms of their own: they fill the cache)
        russian.all_of(word)
    expected = tuple(term.encode("utf-8") for term in ("треб", "требова"))
    assert russian.all_of("требует") == expected
    assert russian.all_of("требует") == expected  # (not cached: worked out again, whole)
    for word in ("начнёт", "уровня", "ёлка"):  # (the shared cache is full too)
        forms("ru").all_of(word)
    assert set(stemmed_positions("Переговоры требуют времени", "ru")) >= {*expected, *russian.all_of("переговоры")}


def test_an_ascii_word_has_one_term_in_every_language() -> None:
    for language in ("en", "ru", "uk", "fr", "pt", "zh"):
        assert len(forms(language).all_of("negotiation")) == 1


def test_stop_words_are_english_alone() -> None:
    from newsarchive.text.languages import stop_words

    assert {"the", "an", "of"} <= stop_words(analysis_of("und")) == stop_words("en")
    assert stop_words(analysis_of("fr")) == stop_words(analysis_of("zh")) == frozenset()


def test_lowering_keeps_one_character_for_one() -> None:
    from newsarchive.engines.whoosh.analysis import analyzer
    from newsarchive.text.languages import lower

    assert lower("İSTANBUL İzmir") == "istanbul izmir"
    assert lower("ΟΔΟΣ") == "ΟΔΟΣ".lower()
    assert [token.text for token in analyzer("tr")("İstanbul")] == list(map(bytes.decode, forms("tr").all_of("istanbul")))


def test_function_words_are_the_languages_own() -> None:
    from newsarchive.text.languages import function_terms

    assert function_terms(None) == function_terms("uk") == frozenset()  # (no language known; no list for Ukrainian)
    assert forms("en").of("he") in function_terms("en") and forms("en").of("mourinho") not in function_terms("en")
    assert forms("de").of("über") in function_terms("de") and forms("de").of("wahl") not in function_terms("de")
    assert function_terms("nb") == function_terms("no") != frozenset()


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [("sv", "får", "far"), ("da", "købe", "kobe"), ("nb", "på", "pa"), ("fi", "pää", "paa"), ("et", "õlu", "olu")],
)
def test_letters_of_their_own_are_kept_apart_in_their_language(language: str, one: str, other: str) -> None:
    assert not _terms(language, one) & _terms(language, other)
    assert _terms("fr", one) & _terms("fr", other)  # (accents to a French reader)


def test_accents_are_still_optional_beside_letters_of_their_own() -> None:
    assert _terms("sv", "café") & _terms("sv", "cafe")
    assert forms("sv").fold("Får Öl, Café") == "Får Öl, Cafe"
