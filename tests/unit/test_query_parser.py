"""The query parser on its own, without an archive."""

from __future__ import annotations

import pytest

from newsarchive.errors import InvalidQuery


@pytest.mark.parametrize("query", ["\udcffab~1", "ab\udcff*", "title:ab\udcff*", "source:\udcff", "peace \udcff"])
def test_the_parser_refuses_bytes_that_are_not_utf8(query: str) -> None:
    # (The library's own check, for Python callers; the CLI refuses such arguments before.)
    from newsarchive.query import parse

    with pytest.raises(InvalidQuery) as refused:
        parse(query)
    shown = query.replace("\udcff", "\\xff")
    assert str(refused.value) == f"the query '{shown}' holds bytes that are not UTF-8 text (character {query.index(chr(0xDCFF)) + 1})"


# ---------------------------------------------------------------- the tree (newsarchive.query.parse)

from datetime import UTC, datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from newsarchive.periods import zone_context  # noqa: E402
from newsarchive.query import Query, parse  # noqa: E402
from newsarchive.query.tree import (  # noqa: E402
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Prefix,
    Range,
    Require,
    Wildcard,
    Word,
)

KURSK, TALKS = Word("kursk"), Word("talks")


def same(found: object, expected: object) -> bool:
    """Trees are named tuples, equal whenever their fields are: their reprs name each node's kind too."""
    return repr(found) == repr(expected)


@pytest.mark.parametrize(
    "typed, tree",
    [
        ("kursk", KURSK),
        ("kursk talks", And((KURSK, TALKS))),
        ("kursk AND talks", And((KURSK, TALKS))),
        ("kursk OR kharkiv", Or((KURSK, Word("kharkiv")))),
        ('"peace talks"', Phrase("peace talks")),
        ('"peace talks"~3 NOT trump', And((Phrase("peace talks", slop=3), Not(Word("trump"))))),
        ("negotiat*", Prefix("negotiat")),
        ("pe?ce", Wildcard("pe?ce")),
        ("ne*ing", Wildcard("ne*ing")),
        ("author:*smith", Wildcard("*smith", "author")),
        ("putn~", Fuzzy("putn", edits=1, prefix=1)),  # fuzzy words keep their first letter
        ("genev~2", Fuzzy("genev", edits=2)),
        ("genev~2/3", Fuzzy("genev", edits=2, prefix=3)),
        ("title:kremlin", Word("kremlin", "title")),
        ('author:"anna petrova" lang:en', And((Phrase("anna petrova", "author"), Word("en", "lang")))),
        ("source:GAZETTE election", And((Word("GAZETTE", "source"), Word("election")))),
        ("title:(peace talks)", And((Word("peace", "title"), Word("talks", "title")))),
        ("description:vienna body:diplomats", And((Word("vienna", "description"), Word("diplomats", "body")))),
        ("'peace talks'", Word("peace talks")),  # single quotes: one word, as typed
        ("peace-talks", Word("peace-talks")),
        ("[kursk TO kyiv]", Range("kursk", "kyiv")),
        ("title:{kursk to kyiv]", Range("kursk", "kyiv", "title", start_excluded=True)),
        ("[TO kyiv}", Range(None, "kyiv", end_excluded=True)),
        ("*:*", Every()),
        ("kursk^2 talks", And((Word("kursk", boost=2.0), TALKS))),
        ("(kursk talks)^0.5 peace", And((And((KURSK, TALKS), boost=0.5), Word("peace")))),
        ("kursk ANDNOT talks", AndNot(KURSK, TALKS)),
        ("kursk ANDMAYBE talks", AndMaybe(KURSK, TALKS)),
        ("kursk REQUIRE talks", Require(KURSK, TALKS)),
        ("peace NOT geneva", And((Word("peace"), Not(Word("geneva"))))),
    ],
)
def test_each_kind_of_query_reads_as_its_node(typed: str, tree: object) -> None:
    assert same(parse(typed), Query(typed, tree))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed, tree",
    [
        # NOT binds tightest, then AND, then OR; words side by side bind loosest.
        ("kursk OR kharkiv talks", And((Or((KURSK, Word("kharkiv"))), TALKS))),
        ("peace talks OR geneva", And((Word("peace"), Or((TALKS, Word("geneva")))))),
        ("peace AND talks OR geneva", Or((And((Word("peace"), TALKS)), Word("geneva")))),
        ("geneva OR peace AND talks", Or((Word("geneva"), And((Word("peace"), TALKS))))),
        ("NOT geneva AND peace", And((Not(Word("geneva")), Word("peace")))),
        ("(kursk OR kharkiv) talks", And((Or((KURSK, Word("kharkiv"))), TALKS))),
        ("kursk OR kharkiv ANDNOT talks", AndNot(Or((KURSK, Word("kharkiv"))), TALKS)),
        ("kursk ANDNOT talks ANDMAYBE peace", AndMaybe(AndNot(KURSK, TALKS), Word("peace"))),
        ("kursk ANDMAYBE talks ANDNOT peace", AndMaybe(KURSK, AndNot(TALKS, Word("peace")))),
        ("kursk OR kharkiv OR kyiv", Or((KURSK, Word("kharkiv"), Word("kyiv")))),
        # As always: the boost of the first word of an OR is the whole OR's.
        ("kursk^2 OR kharkiv", Or((KURSK, Word("kharkiv")), boost=2.0)),
        # A field name that is no field is part of its word; ``^2`` after a space is a word.
        ("kursk ^2", And((KURSK, Word("^2")))),
        ("talks 12:30", And((TALKS, Word("12:30")))),
        ("title: kursk", And((Word("title:"), KURSK))),
    ],
)
def test_operators_bind_as_they_always_have(typed: str, tree: object) -> None:
    assert same(parse(typed).root, tree)


def test_stop_words_stay_in_the_tree_for_the_engine_to_drop() -> None:
    assert same(parse("the election").root, And((Word("the"), Word("election"))))
    assert same(parse('"the talks"').root, Phrase("the talks"))


def test_date_clauses_narrow_the_whole_query_as_utc_bounds() -> None:
    november = DateRange(datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 30, 23, 59, 59, 999999, tzinfo=UTC))
    assert same(parse("election date:2024-11").root, And((Word("election"), november)))
    assert same(parse("date:[2024-11-01 to 2024-11-30]").root, november)
    assert same(parse("peace talks date:2024-11").root, And((And((Word("peace"), TALKS)), november)))
    after = parse("election date:>2024-11-10").root
    assert isinstance(after, And) and after.children[1] == DateRange(datetime(2024, 11, 11, tzinfo=UTC), None)
    whole_year = parse("date:2020 date:[* TO 2020-01-31]").root
    assert same(whole_year, And(
        (
            DateRange(datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            DateRange(None, datetime(2020, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        )
    ))
    # Read in the zone the command was given (--tz), at parse time.
    with zone_context(ZoneInfo("Europe/Moscow")):
        moscow = parse("election date:2024-11-10").root
    assert isinstance(moscow, And) and moscow.children[1] == DateRange(
        datetime(2024, 11, 9, 21, tzinfo=UTC), datetime(2024, 11, 10, 20, 59, 59, 999999, tzinfo=UTC)
    )
    # A date: inside a phrase is words.
    assert same(parse('"date:2020" election').root, And((Phrase("date:2020"), Word("election"))))


def test_relative_dates_end_now() -> None:
    before = datetime.now(UTC)
    week = parse("election date:-7d").root
    assert isinstance(week, And) and isinstance(week.children[1], DateRange)
    start, end = week.children[1].start, week.children[1].end
    assert start is not None and end is not None and before <= end <= datetime.now(UTC)
    assert (end - start).days == 7


@pytest.mark.parametrize(
    "typed, message, hint",
    [
        ("", "empty query", 'give words to search for, e.g. archive search "peace talks"'),
        ("   ", "empty query", 'give words to search for, e.g. archive search "peace talks"'),
        ("x" * 1001, "the query is 1,001 characters long; at most 1,000 are searched for", "search for the few words that matter most"),
        (" ".join(["peace"] * 33), "the query has 33 words; at most 32 are searched for together", "search for the few words that matter most"),
        ('"peace talks', "unbalanced quote in query '\"peace talks'", 'close the phrase with a second "'),
        ("peace)", "')' without a matching '(' in query 'peace)'", "remove it or add the '('"),
        ("(peace", "'(' without a matching ')' in query '(peace'", "close the group with ')'"),
        ("NOT NOT peace", "NOT NOT in query 'NOT NOT peace'", "one NOT is enough; to search for the word, quote it"),
        ("AND peace", "AND has nothing before it in query 'AND peace'", 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'),
        ("kursk AND", "AND has nothing after it in query 'kursk AND'", 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'),
        ("kursk OR OR kyiv", "OR has nothing before it in query 'kursk OR OR kyiv'", 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'),
        ("peace NOT", "NOT has nothing after it in query 'peace NOT'", 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'),
        ("foo:bar", "unknown field 'foo:' in query 'foo:bar'", "fields you can search: title:, description:, body:, source:, author:, lang:, date:; quote a word that contains ':'"),
        ("kursk title:", "title: has nothing after it in query 'kursk title:'", "write e.g. title:kursk"),
        ("kursk~3", "the fuzzy term 'kursk~3' allows 3 edits; at most 2", "write e.g. kursk~2 (beyond two edits, nearly every short word is close)"),
        ("peace kursk~3/2", "the fuzzy term 'kursk~3/2' allows 3 edits; at most 2", "write e.g. kursk~2 (beyond two edits, nearly every short word is close)"),
        ("p*", "the wildcard 'p*' has fewer than 2 letters before its first * or ?", "give at least 2 letters first, e.g. negotiat* (a wildcard reads every word it might be)"),
        ("*ing", "the wildcard '*ing' has fewer than 2 letters before its first * or ?", "give at least 2 letters first, e.g. negotiat* (a wildcard reads every word it might be)"),
        ("title:P?ace", "the wildcard 'p?ace' has fewer than 2 letters before its first * or ?", "give at least 2 letters first, e.g. negotiat* (a wildcard reads every word it might be)"),
        ("of * of", "a lone * stands for every word of every article", "give a wildcard at least 2 letters before its * or ?, e.g. negotiat*"),
        ("the of and", "the query 'the of and' has no words to search for", "very common words (the, a, of ...), single letters and operators alone match nothing; add a distinctive word"),
        ('"the of" OR a', "the query '\"the of\" OR a' has no words to search for", "very common words (the, a, of ...), single letters and operators alone match nothing; add a distinctive word"),
        ("北", "the query '北' has no words to search for", "Chinese, Japanese and Korean are searched for two characters or more at a time; add the next one"),
        ("«»—…", "the query '«»—…' has no words to search for", "punctuation alone matches nothing; search for words"),
        ("election OR date:2024", "date:2024 can only narrow the whole query 'election OR date:2024'", "put date: clauses outside parentheses and away from OR and NOT"),
        ("(election date:2024)", "date:2024 can only narrow the whole query '(election date:2024)'", "put date: clauses outside parentheses and away from OR and NOT"),
        ("election date:[2024 TO 2020]", "date:[2024 TO 2020] ends before it starts", "put the earlier date first"),
        ("election date:someday", "cannot read 'someday' as a date for date:someday", "write e.g. 2024-11-10, 2024-11, 2024, '10 November 2024' or '2024-11-10T09:00+01:00'"),
        ("election date:[2024 2025]", "cannot read date:[2024 2025] as a range", "write date:[2024-11-01 TO 2024-11-30]"),
        ("peace \udcff", "the query 'peace \\xff' holds bytes that are not UTF-8 text (character 7)", "type the query again in UTF-8, or leave out the character shown as \\x.."),
    ],
)  # fmt: skip
def test_each_mistake_is_refused_with_its_reason_and_hint(typed: str, message: str, hint: str) -> None:
    with pytest.raises(InvalidQuery) as refused:
        parse(typed)
    assert (refused.value.message, refused.value.hint) == (message, hint)


def test_what_is_not_searched_is_not_refused() -> None:
    # A lone * beside every article, or beside a part with no words (REQUIRE of nothing), is never searched for.
    assert same(parse("*:* p*").root, And((Every(), Prefix("p"))))
    assert same(parse("author:* election").root, And((Wildcard("*", "author"), Word("election"))))  # not a word field
    assert parse(" AND ".join(["peace"] * 32) + " the of and").root is not None  # stop words and operators not counted
    assert same(parse('"peace talks"~100000').root, Phrase("peace talks", slop=100000))


def test_a_query_keeps_its_text_as_typed() -> None:
    assert parse(" kursk  ").text == " kursk  "
