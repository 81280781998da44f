"""The query tree compiled for the PostgreSQL engine: tsquery literals and predicates, read as strings."""

from __future__ import annotations

import sys

import pytest

from newsarchive.engines.postgres import vocabulary as postgres_vocabulary
from newsarchive.engines.postgres.query import compile_query, like_pattern, phrase, prefix, term, word
from newsarchive.errors import InvalidQuery
from newsarchive.query import parse
from newsarchive.query import tree as qt
from newsarchive.text.spelling import edit_distance
from newsarchive.text.terms import MAX_EXPANSION

#: The vocabulary the stub lookups read, in the order of its terms.
VOCABULARY = ["elect", "elector", "govern", "kursk", "kyiv", "peac", "talk", "talli"]


def sql(text: str, analyses: tuple[str, ...] = ("en",)) -> tuple[str, tuple[object, ...], str | None]:
    found = compile_query(None, parse(text), analyses)
    return found.where, found.params, found.rank


@pytest.mark.parametrize(
    "text, tsquery",
    [
        ("kursk", "'kursk'"),
        ("elections", "'elect'"),
        ("title:kursk", "'kursk':A"),
        ("description:kursk", "'kursk':B"),
        ("body:kursk", "'kursk':C"),
        ('"peace talks"', "'peac' <-> 'talk'"),
        ('"peace talks"~3', "('peac' <-> 'talk' | 'peac' <2> 'talk' | 'peac' <3> 'talk')"),
        ('title:"peace talks"', "'peac':A <-> 'talk':A"),
        ("kursk talks", "('kursk') & ('talk')"),
        ("kursk OR kyiv", "('kursk') | ('kyiv')"),
        ("kursk NOT kyiv", "('kursk') & (!('kyiv'))"),
        ("kursk ANDNOT kyiv", "('kursk') & (!('kyiv'))"),
        ("kursk REQUIRE kyiv", "('kursk') & ('kyiv')"),
        ("kursk ANDMAYBE kyiv", "'kursk'"),
        ("北京大学", "('北京' <-> '京大' <-> '大学')"),
    ],
)
def test_words_phrases_and_operators_are_one_tsquery(text: str, tsquery: str) -> None:
    assert sql(text)[:2] == ("d.vector @@ %s::tsquery", (tsquery,))


def test_a_prefix_also_stands_for_its_stem_and_the_stems_it_may_be_cut_to() -> None:
    assert prefix("negotiat", "en", ("en",)) == "('negotiat':* | 'negot' | 'negoti' | 'negotia')"
    assert prefix("kur", "en", ("en",), "A") == "'kur':*A"


def test_optional_and_scored_parts_rank_but_only_required_ones_match() -> None:
    assert sql("kursk ANDMAYBE kyiv")[2] == "('kursk') | ('kyiv')"
    assert sql("kursk REQUIRE kyiv")[2] == "'kursk'"
    assert sql("kursk NOT kyiv")[2] == "'kursk'"


def test_a_word_is_looked_for_as_each_analysis_of_the_archive_makes_it() -> None:
    assert sql("переговоры", ("en", "ru"))[1] == ("('переговоры') | ('переговор')",)
    # English drops "the", Russian keeps it: a group ranks by it but does not need it.
    _, params, rank = sql("the talks", ("en", "ru"))
    assert params == ("('talk') | ('talks')",)
    assert rank == "(('talk') | ('talks')) | ('the')"


def test_a_lang_clause_narrows_the_analyses_of_its_group() -> None:
    where, params, _ = sql("lang:ru переговоры", ("en", "ru"))
    assert where == '(lower(d.lang) COLLATE "C" = %s) AND (d.vector @@ %s::tsquery)'
    assert params == ("ru", "'переговор'")


@pytest.mark.parametrize(
    "text, where, params",
    [
        ("source:Daily", 'lower(d.source) COLLATE "C" = %s', ("daily",)),
        ("source:da*", 'lower(d.source) COLLATE "C" LIKE %s', ("da%",)),
        (
            'author:"Anna Smith"',
            "EXISTS (SELECT 1 FROM unnest(d.authors) AS name WHERE lower(trim(replace(name, ',', ' '))) "
            'COLLATE "C" = %s)',
            ("anna smith",),
        ),
        ("*:*", "TRUE", ()),
    ],
)
def test_fields_of_whole_values_are_predicates_on_the_columns(text: str, where: str, params: tuple[str, ...]) -> None:
    assert sql(text)[:2] == (where, params)


def test_a_date_clause_narrows_the_query_by_the_published_column() -> None:
    where, params, rank = sql("kursk date:2024")
    assert where == "(d.vector @@ %s::tsquery) AND (d.published IS NOT NULL AND d.published >= %s AND d.published <= %s)"
    assert [str(value) for value in params[1:]] == ["2024-01-01 00:00:00+00:00", "2024-12-31 23:59:59.999999+00:00"]
    assert rank == "'kursk'"


def test_a_slop_too_wide_to_write_out_is_loosened_and_says_so() -> None:
    assert phrase("peace talks in kursk", "en", slop=10) == ("'peac' & 'talk' & 'kursk'", True)
    found = compile_query(None, parse('"peace talks in kursk"~10'))
    assert found.notes == (
        'the phrase "peace talks in kursk"~10 is matched as its words in any order: too many ways to place them (over 64)',
    )


def test_a_boost_has_no_tsquery_and_is_noted() -> None:
    assert compile_query(None, parse("kursk^2 talks")).notes == (
        "boosts (^) are ignored: the PostgreSQL engine weighs only title, lede and body",
    )
    assert compile_query(None, parse("kursk talks")).notes == ()


def test_stop_words_alone_are_nothing_to_search_for() -> None:
    assert word("the", "en") is None
    with pytest.raises(InvalidQuery):
        compile_query(None, qt.Query("the", qt.Word("the")))


def test_words_are_quoted_as_lexemes() -> None:
    assert term("o'brien", "A") == "'o''brien':A"
    assert term("back\\slash", prefix=True) == "'back\\\\slash':*"
    assert like_pattern("50%_of*?") == "50\\%\\_of%_"


@pytest.fixture
def vocabulary(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """The vocabulary's lookups over ``VOCABULARY`` instead of a server's table, recording what they were asked."""
    asked: list[tuple[str, object]] = []

    def terms_like(connection: object, pattern: str, limit: int) -> list[str]:
        import re

        asked.append(("like", pattern))
        matching = re.compile(pattern.replace("%", ".*").replace("_", ".") + "$")
        return [term for term in VOCABULARY if matching.match(term)][:limit]

    def terms_near(connection: object, term: str, edits: int, prefix: int, limit: int) -> list[str]:
        asked.append(("near", (term, edits, prefix)))
        return [found for found in VOCABULARY if found[:prefix] == term[:prefix] and edit_distance(found, term) <= edits][:limit]

    def terms_between(connection: object, start: str, end: str, start_out: bool, end_out: bool, limit: int) -> list[str]:
        asked.append(("between", (start, end, start_out, end_out)))
        return [term for term in VOCABULARY if (start or "") <= term <= (end or "\uffff")][:limit]

    for lookup in (terms_like, terms_near, terms_between):
        monkeypatch.setattr(postgres_vocabulary, lookup.__name__, lookup)
    return asked


def test_wildcards_fuzzy_words_and_ranges_stand_for_the_archive_s_words(vocabulary: list[tuple[str, object]]) -> None:
    def compiled(text: str) -> object:
        return compile_query(object(), parse(text)).params  # type: ignore[arg-type]

    assert compiled("ta*i") == ("'talli'",)
    assert compiled("title:ta?k") == ("'talk':A",)
    assert compiled("kursc~1") == ("'kursk'",)
    assert compiled("[peace TO talks]") == ("('peac' | 'talk')",)
    assert vocabulary == [
        ("like", "ta%i"),
        ("like", "ta_k"),
        ("near", ("kursc", 1, 1)),
        ("between", ("peac", "talk", False, False)),
    ]
    assert compile_query(object(), parse("zz*z")).where == "FALSE"  # type: ignore[arg-type]


def test_too_many_words_for_a_wildcard_is_refused_as_in_whoosh(monkeypatch: pytest.MonkeyPatch, vocabulary: object) -> None:
    many = [f"wa{number:05d}z" for number in range(MAX_EXPANSION + 1)]
    monkeypatch.setattr(sys.modules[__name__], "VOCABULARY", many)
    with pytest.raises(InvalidQuery, match="the wildcard 'wa\\*z' stands for more than 1,000 words of the archive"):
        compile_query(object(), parse("wa*z"))  # type: ignore[arg-type]
