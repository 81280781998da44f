"""What every search engine answers, over one small archive of news built through its writer.

The archive is written in two commits: the second holds only undated
articles without source, author or language, so that whatever the engine
keeps per commit (a segment) has no values for those fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from engine_kit import ENGINE_STACKS, article, at, engine_stack_id, find, ids, q, stacked_engine, written
from newsarchive.engines.protocol import SearchEngine, SearchOptions
from newsarchive.engines.snippets import MATCH_END, MATCH_START
from newsarchive.errors import InvalidQuery

DATED = [
    article(
        "vote-1", "Polls close in the north", "The elections were held in March. Turnout was high among young voters.",
        datetime(2024, 3, 5, 9), source="bbc.co.uk", authors=("Jane Smith",), language="en",
    ),
    article(
        "vote-2", "Counting continues", "Officials counted ballots through the night after the election.",
        datetime(2024, 3, 6, 10), source="bbc.co.uk", authors=("Tom Brown",), language="en",
    ),
    article(
        "cabinet", "Cabinet reshuffle", "The minister quietly visited the interior ministry before the reshuffle.",
        datetime(2024, 4, 2, 8), source="guardian.co.uk", authors=("Jane Smith", "Ali Khan"), language="en",
    ),
    article(
        "budget", "Budget debate", "The parliamentary committee debated the government budget for hours.",
        datetime(2024, 5, 10), precision="day", source="guardian.co.uk", language="en",
    ),
    article(
        "wahl", "Wahlen im Norden", "Die Wahlen fanden im Maerz statt.",
        datetime(2024, 3, 7, 12), source="spiegel.de", language="de",
    ),
    article(
        "harvest", "Harvest report", "Farmers bring in the wheat harvest early this year.",
        datetime(2023, 9, 1, 7), source="bbc.co.uk", language="en",
    ),
    article(
        "harvest-copy", "Harvest report", "Farmers bring in the wheat harvest early this year, again.",
        datetime(2023, 9, 2, 7), source="regional.example", duplicate_of="harvest",
    ),
]  # fmt: skip
UNDATED = [
    article("undated-1", "Election explainer", "How the elections work, explained without a date."),
    article("undated-2", "Wheat prices", "Wheat prices rose sharply."),
]


@pytest.fixture(scope="module", params=ENGINE_STACKS, ids=engine_stack_id)
def news(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    yield written(stacked_engine(request, tmp_path_factory), (DATED, 7), (UNDATED, 9))


def found(engine: SearchEngine, text: str, **options: object) -> set[str]:
    """The ids of every article the query finds, copies shown on their own."""
    return set(ids(find(engine, text, collapse=False, limit=100, **options)))


# --- words --------------------------------------------------------------------------------


def test_stemming_finds_elections_for_election(news: SearchEngine) -> None:
    assert found(news, "election") == {"vote-1", "vote-2", "undated-1"}


def test_a_phrase_with_slop_3_finds_its_words_three_apart_and_no_closer_slop_does(news: SearchEngine) -> None:
    assert found(news, '"minister interior"~3') == {"cabinet"}
    assert found(news, '"minister interior"~2') == set()
    assert found(news, '"minister interior"') == set()
    assert found(news, '"wheat harvest"') == {"harvest", "harvest-copy"}


def test_a_prefix_and_a_fuzzy_word(news: SearchEngine) -> None:
    assert found(news, "parliam*") == {"budget"}
    assert found(news, "goverment~") == {"budget"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:harvest", {"harvest", "harvest-copy"}),
        ("title:elections", {"undated-1"}),  # (in the body of others)
        ("source:spiegel.de", {"wahl"}),
        ("source:BBC.CO.UK", {"vote-1", "vote-2", "harvest"}),
        ('author:"jane smith"', {"vote-1", "cabinet"}),
        ("lang:de", {"wahl"}),
    ],
)
def test_field_scopes(news: SearchEngine, query: str, expected: set[str]) -> None:
    assert found(news, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wheat AND harvest", {"harvest", "harvest-copy"}),
        ("wahlen OR reshuffle", {"wahl", "cabinet"}),
        ("election NOT counted", {"vote-1", "undated-1"}),
        ("(wheat OR election) AND NOT title:harvest", {"vote-1", "vote-2", "undated-1", "undated-2"}),
    ],
)
def test_and_or_not(news: SearchEngine, query: str, expected: set[str]) -> None:
    assert found(news, query) == expected


# --- dates ------------------------------------------------------------------------------------


def test_undated_articles_are_left_out_by_since_and_until(news: SearchEngine) -> None:
    assert found(news, "election", since=datetime(2024, 1, 1, tzinfo=UTC)) == {"vote-1", "vote-2"}
    assert found(news, "election", until=datetime(2024, 3, 5, 12, tzinfo=UTC)) == {"vote-1"}
    # Both ends are inclusive.
    both = {"since": datetime(2024, 3, 6, 10, tzinfo=UTC), "until": datetime(2024, 3, 6, 10, tzinfo=UTC)}
    assert found(news, "election", **both) == {"vote-2"}


def test_undated_exclude_leaves_them_out_and_only_keeps_only_them(news: SearchEngine) -> None:
    assert found(news, "election", undated="include") == {"vote-1", "vote-2", "undated-1"}
    assert found(news, "election", undated="exclude") == {"vote-1", "vote-2"}
    assert found(news, "election", undated="only") == {"undated-1"}


@pytest.mark.parametrize(
    ("sort", "dated"),
    [("newest", ["vote-2", "vote-1", "harvest-copy", "harvest"]), ("oldest", ["harvest", "harvest-copy", "vote-1", "vote-2"])],
)
def test_sorting_by_date_puts_undated_articles_last(news: SearchEngine, sort: str, dated: list[str]) -> None:
    page = find(news, "elections OR wheat", sort=sort, collapse=False, limit=10)
    assert ids(page)[:4] == dated
    assert set(ids(page)[4:]) == {"undated-1", "undated-2"}
    assert [hit.score for hit in page.hits] == [None] * 6  # a date order has no scores to show


def test_relevance_puts_the_best_match_first_with_its_score(news: SearchEngine) -> None:
    page = find(news, "wheat", collapse=False)
    assert ids(page)[0] == "undated-2"  # the word twice in a short article, once in its title
    scores = [hit.score for hit in page.hits]
    assert all(score is not None for score in scores) and scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_hits_carry_what_a_result_line_shows(news: SearchEngine) -> None:
    [hit] = find(news, "reshuffle").hits
    assert (hit.id, hit.title, hit.source, hit.precision) == ("cabinet", "Cabinet reshuffle", "guardian.co.uk", "minute")
    assert hit.published == datetime(2024, 4, 2, 8, tzinfo=UTC)
    [undated] = find(news, "explainer").hits
    assert (undated.published, undated.precision, undated.source) == (None, None, None)


# --- pages, counts, copies ----------------------------------------------------------------------


def test_paging_gives_every_hit_once_and_the_same_total_on_every_page(news: SearchEngine) -> None:
    pages = [find(news, "elections OR wheat", sort="newest", collapse=False, limit=4, page=number) for number in (1, 2, 3)]
    assert [page.total for page in pages] == [6, 6, 6]
    assert [len(page.hits) for page in pages] == [4, 2, 0]
    shown = ids(pages[0]) + ids(pages[1])
    assert sorted(shown) == sorted(found(news, "elections OR wheat"))


def test_nothing_found_is_an_empty_page(news: SearchEngine) -> None:
    page = find(news, "zeppelin", facets=("source",))
    assert (page.total, page.hits, page.facets) == (0, [], {"source": []})


def test_facets_count_every_hit_by_value_most_first(news: SearchEngine) -> None:
    page = find(news, "election OR reshuffle", limit=1, facets=("author", "source", "lang", "month"))
    assert page.facets == {
        "author": [("Jane Smith", 2), ("Ali Khan", 1), ("Tom Brown", 1)],
        "source": [("bbc.co.uk", 2), ("guardian.co.uk", 1)],
        "lang": [("en", 3)],
        "month": [("2024-03", 2), ("2024-04", 1)],
    }


def test_facets_on_a_segment_without_values_for_the_field(news: SearchEngine) -> None:
    """Wheat is in both commits; the second has no source, year, month, language or author to count."""
    page = find(news, "wheat", facets=("source", "year", "month", "lang", "author"))
    assert page.facets == {
        "source": [("bbc.co.uk", 1), ("regional.example", 1)],
        "year": [("2023", 2)],
        "month": [("2023-09", 2)],
        "lang": [("en", 1)],
        "author": [],
    }


def test_near_duplicate_copies_are_folded_into_the_best_ranked_of_their_group(news: SearchEngine) -> None:
    folded = find(news, "harvest")
    assert [(hit.id, hit.copies) for hit in folded.hits] == [("harvest", 1)]
    unfolded = find(news, "harvest", collapse=False)
    assert sorted((hit.id, hit.copies) for hit in unfolded.hits) == [("harvest", 0), ("harvest-copy", 0)]


def test_snippets_mark_the_matched_words(news: SearchEngine) -> None:
    [hit] = find(news, "turnout").hits
    assert f"{MATCH_START}Turnout{MATCH_END} was high" in hit.snippet
    [hit] = find(news, "reshuffle AND minister").hits
    assert f"The {MATCH_START}minister{MATCH_END} quietly" in hit.snippet
    assert f"the {MATCH_START}reshuffle{MATCH_END}." in hit.snippet


# --- beyond a list of hits ------------------------------------------------------------------------


def test_suggest_offers_the_spelling_the_archive_uses(news: SearchEngine) -> None:
    assert news.suggest(q("electoins")) == "elections"
    assert news.suggest(q("harvest")) is None  # spelled as the archive spells it


def test_similar_finds_articles_like_one_given_by_the_start_of_its_id(news: SearchEngine) -> None:
    whole, page = news.similar("vote-1", 3)
    assert whole == "vote-1"
    assert set(ids(page)) == {"undated-1", "vote-2"}  # the other articles about elections
    assert news.similar("cabin", 3)[0] == "cabinet"


def test_telling_terms_are_the_words_of_the_matches(news: SearchEngine) -> None:
    matched, terms = news.telling_terms(q("wheat"), 5)
    assert matched == 3
    words = [word for word, _ in terms]
    assert words[0] == "wheat" and "harvest" in words and "farmers" in words  # as the articles write them
    weights = [weight for _, weight in terms]
    assert weights == sorted(weights, reverse=True)


def test_matching_ids_are_every_match_uncapped_and_unfolded(news: SearchEngine) -> None:
    assert sorted(news.matching_ids(q("wheat"))) == ["harvest", "harvest-copy", "undated-2"]
    assert news.matching_ids(q("zeppelin")) == []


def test_counts_by_period_read_days_as_written_and_undated_in_a_commit_without_dates(news: SearchEngine) -> None:
    years = [datetime(year, 1, 1, tzinfo=UTC) for year in (2023, 2024, 2025)]
    counted = news.count_by_period(q("budget OR wheat"), years)
    assert (counted.counts, counted.undated) == ([2, 1], 1)
    assert (counted.first, counted.last) == (datetime(2023, 9, 1, 7, tzinfo=UTC), datetime(2024, 5, 10, tzinfo=UTC))
    everything = news.count_by_period(None, years)
    assert (sum(everything.counts), everything.undated) == (len(DATED), len(UNDATED))


def test_the_index_knows_its_documents_and_position(news: SearchEngine) -> None:
    assert news.exists() and news.is_current()
    assert news.document_count() == len(DATED) + len(UNDATED)
    assert sorted(news.entries()) == sorted((document.id, 1) for document in DATED + UNDATED)
    assert news.position() == at(news, 9)
    assert news.damage() == []


def test_a_query_that_does_not_parse_says_so(news: SearchEngine) -> None:
    with pytest.raises(InvalidQuery):
        news.search(q("election AND"), SearchOptions())
    with pytest.raises(InvalidQuery):
        news.matching_ids(q('"election'))
