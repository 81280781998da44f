"""The Whoosh engine compiles a parsed query into the very query Whoosh's own parser made of the text.

Whoosh's parser (with the fuzzy-term plugin, over the three word fields) read
users' queries before ``newsarchive.query`` did; it stays here as the
reference, so that results, ranking, snippets and highlighting stay as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

from newsarchive.engines.whoosh.query import compile_query
from newsarchive.engines.whoosh.schema import SEARCH_FIELDS, build_schema
from newsarchive.errors import InvalidQuery
from newsarchive.query import Query, parse
from newsarchive.query.tree import And, DateRange, Word

SCHEMA = build_schema()


def parse_query(text: str, schema: Schema = SCHEMA) -> wq.Query:
    """``text`` as the engine reads it: parsed (``newsarchive.query.parse``), then compiled for ``schema``."""
    return compile_query(parse(text), schema)


def whoosh_reading(text: str) -> wq.Query:
    """The query as Whoosh's parser reads it, with the engine's two rules after: fuzzy words keep their first
    letter and are scored; a prefix also finds its stems."""
    from newsarchive.engines.whoosh.query import _stemmed_prefixes

    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), SCHEMA, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())

    def scored_fuzzy(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.FuzzyTerm):
            return wq.FuzzyTerm(
                node.fieldname, node.text, boost=node.boost, maxdist=node.maxdist,
                prefixlength=max(1, node.prefixlength), constantscore=False,
            )  # fmt: skip
        return node

    return parser.parse(text).accept(scored_fuzzy).accept(_stemmed_prefixes)


QUERIES = [
    # The README's examples and the query-language tests' queries.
    "kursk talks", "kursk OR kharkiv", '"peace talks" NOT trump', '"peace talks"~3', "(kursk OR kharkiv) talks",
    "title:kremlin negotiat*", 'author:"anna petrova" lang:en', "putn~", "title:peace", "description:vienna",
    "body:diplomats", "source:gazette", "source:GAZETTE election", "author:*smith", "lang:de", '"peace stalled"~6',
    "genva~", "genev~2", "genev~1/3", "xeneva~1", "peace NOT geneva", "pe*", "pea* OR lo*", "elections~2",
    "peace [a TO z]", '"peace talks"~100000', " AND ".join(["peace"] * 32) + " the of and", '"prime minister"',
    # Real-looking searches: case, stop words, stems, punctuation, groups, operators and their precedence.
    "Prime Minister", "the election results", "U.S. sanctions", "peace-talks", "Kyiv's mayor", "don't panic",
    "COVID-19 vaccine", "e-mail", "1,000 troops", "£5bn deal", "Москва переговоры", "café",
    "title:(peace talks) geneva", "title:(peace OR truce) NOT body:war", "(a OR b) election", "peace AND talks OR geneva",
    "geneva OR peace AND talks", "NOT geneva AND peace", "kursk OR kharkiv ANDNOT talks", "peace ANDMAYBE talks",
    "peace ANDNOT talks ANDMAYBE geneva", "peace REQUIRE talks", "kursk OR kharkiv OR kyiv OR lviv",
    "(peace OR truce) AND (kursk OR kharkiv)", "((peace))", "(the) election", "election (of the)",
    # Boosts, single quotes, ranges, wildcards, fuzzy words, every article.
    "kursk^2 talks", "kursk^2 OR kharkiv", "(peace talks)^0.5 geneva", "title:peace^3", '"peace talks"^2',
    "'peace talks' geneva", "title:'peace talks'", "[kursk TO kyiv]", "title:{kursk to kyiv]", "source:[a TO m}",
    "[TO kyiv]", "negotiat*", "Negotiation*", "ne*ing", "pe?ce", "pe?ces", "title:Pe*", "source:BBC*",
    "author:Petrov*", "elect~", "Elections~2", "title:genev~2/2", "*:*", "*:* election", "author:* election",
    "lang:EN", "source:bbc.co.uk", "author:anna,john", "title:the election", '"the of" election',
    "election ^2", "kursk ~", "talks 12:30", "a.b:c talks", "kursk title: talks", "title:title:kursk",
    "peace talks Geneva Vienna diplomats negotiators", "NOT war peace",
]  # fmt: skip


@pytest.mark.parametrize("text", QUERIES)
def test_the_tree_compiles_to_the_query_whoosh_read(text: str) -> None:
    compiled, reference = parse_query(text, SCHEMA), whoosh_reading(text)
    assert repr(compiled) == repr(reference)
    assert compiled == reference


def test_a_word_written_with_accents_is_either_of_its_terms() -> None:
    # (Whoosh's parser wanted both: the stem of "société" and that of "societe", which an article without accents lacks.)
    either = [wq.Or([wq.Term(name, "societe"), wq.Term(name, "societ")]) for name in SEARCH_FIELDS]
    assert parse_query("société", SCHEMA) == wq.Or(either).normalize()


def test_date_clauses_narrow_the_compiled_query() -> None:
    compiled = parse_query("election date:[2024-11-01 TO 2024-11-30]", SCHEMA)
    november = wq.DateRange("published", datetime(2024, 11, 1), datetime(2024, 11, 30, 23, 59, 59, 999999))
    assert compiled == wq.And([whoosh_reading("election"), november])
    assert parse_query("date:2024-11", SCHEMA) == november
    assert parse_query("date:2024-11 date:[* TO 2024-11-30]", SCHEMA) == wq.And(
        [november, wq.DateRange("published", None, datetime(2024, 11, 30, 23, 59, 59, 999999))]
    )


def test_a_tree_made_by_hand_compiles_too() -> None:
    # (An engine is handed a Query and compiles its tree, whatever made it.)
    start = datetime(2024, 11, 1, tzinfo=UTC)
    tree = Query("election date:>=2024-11-01", And((Word("election"), DateRange(start, None))))
    assert compile_query(tree, SCHEMA) == wq.And(
        [whoosh_reading("election"), wq.DateRange("published", datetime(2024, 11, 1), None)]
    )


# Every piece of the syntax, misplaced too; not boosts (Whoosh reads a boost left alone in a group as a
# term of no field, which matches nothing: the tree drops it as a word of no letters) nor the index's own fields.
SOUP = ['"', "(", ")", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "title:", "body:", "source:", "author:",
        "lang:", "foo:", "*:*", "*", "?", "~", "~2", "~1/2", "peace", "Talks", "the", "a", "of", "2024", ":", "'",
        "\\", "[", "]", "{", "}", " TO ", "to", "negotiat", "ne", ".", ",", "-", "elections", "'peace talks'",
        '"peace talks"', '"the of"', '"peace talks"~3', "kursk~2", "u.s", "12:30"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SOUP), min_size=1, max_size=7), st.sampled_from([" ", "", "  "]))
def test_whatever_parses_compiles_to_what_whoosh_read(pieces: list[str], between: str) -> None:
    text = between.join(pieces)
    try:
        query = parse(text)
    except InvalidQuery:
        return
    assert repr(compile_query(query, SCHEMA)) == repr(whoosh_reading(text)), text


# --- an archive in several languages ----------------------------------------------------------------


def _in_fields(make) -> wq.Query:  # type: ignore[no-untyped-def]
    """The query a word without a field makes: ``make(field)`` in each word field."""
    return wq.Or([make(name) for name in SEARCH_FIELDS]).normalize()


def test_a_word_is_each_term_the_archives_languages_make_of_it() -> None:
    compiled = compile_query(parse("Wahlen"), SCHEMA, ("en", "de"))
    assert compiled == _in_fields(lambda name: wq.Or([wq.Term(name, "wahlen"), wq.Term(name, "wahl")]))
    # A term two languages share is looked for once.
    assert compile_query(parse("Berlin"), SCHEMA, ("en", "de")) == _in_fields(lambda name: wq.Term(name, "berlin"))


def test_an_english_stop_word_ranks_in_the_other_languages_but_no_match_needs_it() -> None:
    compiled = compile_query(parse("in Berlin"), SCHEMA, ("en", "de"))
    berlin, word_in = (_in_fields(lambda name, word=word: wq.Term(name, word)) for word in ("berlin", "in"))
    assert compiled == wq.AndMaybe(berlin, word_in)
    assert compile_query(parse("in Berlin"), SCHEMA) == berlin


def test_lang_clauses_narrow_their_group_to_their_languages() -> None:
    analyses = ("en", "de", "ru")
    wahl = _in_fields(lambda name: wq.Term(name, "wahl"))
    assert compile_query(parse("lang:de Wahlen"), SCHEMA, analyses) == wq.And([wq.Term("lang", "de"), wahl])
    either = wq.Or([wq.Term("lang", "de"), wq.Term("lang", "ru")])
    assert compile_query(parse("(lang:de OR lang:ru) Wahlen"), SCHEMA, analyses) == wq.And(
        [either, _in_fields(lambda name: wq.Or([wq.Term(name, "wahl"), wq.Term(name, "wahlen")]))]
    )
    # A language the archive does not hold finds nothing anyway: the word is read as the archive's languages read it.
    assert compile_query(parse("lang:fi Wahlen"), SCHEMA, ("en",)) == compile_query(parse("lang:fi Wahlen"), SCHEMA)


def test_a_phrase_is_one_phrase_per_language_and_a_prefix_is_cut_by_each_stemmer() -> None:
    compiled = compile_query(parse('"переговоры продолжаются"'), SCHEMA, ("en", "ru"))
    assert compiled == _in_fields(lambda name: wq.Or([
        wq.Phrase(name, ["переговоры", "продолжаются"]), wq.Phrase(name, ["переговор", "продолжа"]),
    ]))  # fmt: skip
    prefixes = compile_query(parse("title:переговоры*"), SCHEMA, ("en", "ru"))
    assert wq.Prefix("title", "переговор") in prefixes.leaves()


def test_a_run_of_chinese_longer_than_two_characters_is_a_phrase_of_its_pairs() -> None:
    assert compile_query(parse("北京"), SCHEMA, ("zh",)) == _in_fields(lambda name: wq.Term(name, "北京"))
    assert compile_query(parse("北京市"), SCHEMA, ("zh",)) == _in_fields(lambda name: wq.Phrase(name, ["北京", "京市"]))


def test_the_analyses_of_an_index_are_its_articles_languages() -> None:
    from whoosh.filedb.filestore import RamStorage

    from newsarchive.engines.whoosh.query import index_analyses

    def analyses(*languages: str | None) -> tuple[str, ...]:
        index = RamStorage().create_index(SCHEMA)
        with index.writer() as writer:
            for number, language in enumerate(languages):
                writer.add_document(id=str(number), body="text", **({"lang": language} if language else {}))
        with index.reader() as reader:
            return index_analyses(reader)

    assert analyses() == ("en",)
    assert analyses("ru", "uk") == ("ru", "uk")
    assert analyses("ru", None) == ("en", "ru")  # (an article of no language recorded is read as English)
    assert analyses("und", "de", "zh", "ja") == ("en", "de", "zxx")  # (Chinese and Japanese have no stemmer)


def test_a_phrase_is_looked_for_in_each_spelling_of_its_words_fewest_changes_first() -> None:
    from newsarchive.text.terms import spellings as _spellings

    options = [(b"a", b"b", b"c"), (b"x",), (b"m", b"n")]
    assert list(_spellings(options)) == [
        (b"a", b"x", b"m"), (b"b", b"x", b"m"), (b"c", b"x", b"m"), (b"a", b"x", b"n"),
        (b"b", b"x", b"n"), (b"c", b"x", b"n"),
    ]  # fmt: skip
    assert list(_spellings([])) == [()]
