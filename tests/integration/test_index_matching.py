"""The fast match set agrees with Whoosh's own matching for every kind of query."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from tests._corpus import articles
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import Schema

from newsarchive.engines.whoosh.files import _MappedStorage
from newsarchive.engines.whoosh.matching import matching_docnums
from newsarchive.engines.whoosh.query import Expanded, compile_query, expand
from newsarchive.engines.whoosh.ranking import by_date, rank
from newsarchive.engines.whoosh.schema import build_schema, to_fields
from newsarchive.query import parse

#: Made-up articles (``tests._corpus``): short and long, dated and not, copies, words in several scripts.
pytestmark = pytest.mark.no_archive  # (a Whoosh index or files alone: once, not once per stack)


CORPUS = articles(150, seed=7)


def parse_query(text: str, schema: Schema) -> wq.Query:
    """``text`` as the engine reads it: parsed (``newsarchive.query.parse``), then compiled for ``schema``."""
    return compile_query(parse(text), schema)


@pytest.fixture(scope="module", params=["compound", "mapped"])
def searcher(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """150 made-up articles in three segments, with deletions in the first.

    Once in Whoosh's compound files, read through its matchers; once in
    separate files opened as memory maps (as the archive's), whose posting
    blocks ``matching`` reads itself.
    """
    folder: Path = tmp_path_factory.mktemp("index")
    ix = whoosh_index.create_in(str(folder), build_schema())
    mapped = request.param == "mapped"
    for start in range(0, len(CORPUS), 50):
        with ix.writer(compound=not mapped) as writer:
            writer.merge = False
            for doc in CORPUS[start : start + 50]:
                writer.add_document(**to_fields(doc))
    with ix.writer() as writer:
        for number in (1, 2, 3, 50):
            writer.delete_by_term("id", CORPUS[number].id)
    if mapped:
        ix = _MappedStorage(str(folder)).open_index()
    with ix.searcher() as opened:
        yield opened


#: Queries ranked by ``ranking`` (words and phrases under AND, OR and NOT).
RANKED = [
    "people",
    "oil prices",
    "oil OR prices",
    "election NOT labour",
    "title:blair",
    "(market OR shares) AND profit",
    '"prime minister"',
    '"chief executive" shares',
    '"economic growth"~3',
    '"also said"',  # few matches of common words: looked up in their postings rather than walked
    '"year said"',
]


@pytest.mark.parametrize(
    "text",
    [
        *RANKED,
        '"chief executive officer"',
        '"said said"',
        "negotiat*",
        "elect~",
        "source:reuters",
        "date:2021 economy",
        "café OR zürich",
        "москва",
        "title:kraków",
        '"são paulo"',
        "müller*",
        "date:[2020-03-01 TO 2022-06-30] growth",
        "(market OR shares) AND (profit OR loss)",
        "kyoto",
        "zzzznotaword",
    ],
)
def test_the_match_set_is_whoosh_own(searcher, text: str) -> None:  # type: ignore[no-untyped-def]
    query = parse_query(text, searcher.schema)
    assert matching_docnums(searcher, query) == set(query.docs(searcher))


def test_date_and_undated_filters_match_as_whoosh_does(searcher) -> None:  # type: ignore[no-untyped-def]
    word = parse_query("government", searcher.schema)
    for narrowing in (
        wq.DateRange("published", datetime(2020, 3, 1), datetime(2021, 6, 30)),
        wq.NumericRange("dated", 0, 0),
        wq.And([wq.DateRange("published", None, datetime(2020, 1, 1)), wq.NumericRange("dated", 1, 1)]),
        wq.DateRange("published", datetime(2021, 1, 1), None),  # open-ended: undated articles stay out
        wq.DateRange("published", datetime(2020, 3, 1), datetime(2021, 6, 30), startexcl=True, endexcl=True),
    ):
        query = wq.And([word, narrowing])
        expected = set(query.docs(searcher))
        assert matching_docnums(searcher, query) == expected
    assert matching_docnums(searcher, wq.Every()) == set(searcher.reader().all_doc_ids())


@pytest.mark.parametrize("text", RANKED)
def test_word_queries_rank_as_whoosh_ranks_them(searcher, text: str) -> None:  # type: ignore[no-untyped-def]
    query = parse_query(text, searcher.schema)
    matches = matching_docnums(searcher, query)
    ours = rank(searcher, query, matches, 15)
    theirs = searcher.search(query, limit=15)
    assert ours is not None and len(ours) == min(15, len(matches))
    assert [docnum for _, docnum in ours] == [hit.docnum for hit in theirs]
    assert [score for score, _ in ours] == pytest.approx([hit.score for hit in theirs], rel=1e-9)


@pytest.mark.parametrize(
    "text", ["co*", "minist*", "co* election", "elect* OR vote*", "govermen~2", "minstr~2 OR govern*", "title:co*"]
)
def test_wildcard_and_fuzzy_queries_rank_as_the_or_of_their_words(searcher, text: str) -> None:  # type: ignore[no-untyped-def]
    """As Whoosh ranks the same query with each expanded term spelled out: a constant point per field, or the words' OR.

    (Whoosh's own ranking of a wildcard steps up to a thousand matchers per document, and scores by segment size.)
    """

    def spelled_out(node: wq.Query) -> wq.Query:
        if not isinstance(node, Expanded):
            return node
        words = wq.Or([wq.Term(node.fieldname, btext.decode()) for btext in node.btexts])
        return wq.ConstantScoreQuery(words, 1.0) if node.constantscore else words

    query = expand(parse_query(text, searcher.schema), searcher.reader())
    matches = matching_docnums(searcher, query)
    ours = rank(searcher, query, matches, 15)
    theirs = searcher.search(query.accept(spelled_out), limit=15)
    assert ours is not None and len(ours) == min(15, len(matches)) > 0
    assert [score for score, _ in ours] == pytest.approx([hit.score for hit in theirs], rel=1e-9)
    assert [docnum for _, docnum in ours] == [hit.docnum for hit in theirs]


@pytest.mark.parametrize("newest", [True, False])
@pytest.mark.parametrize("text", ["people", "co*", "said OR year"])
def test_sorting_by_date_is_whoosh_sorting(searcher, text: str, newest: bool) -> None:  # type: ignore[no-untyped-def]
    query = expand(parse_query(text, searcher.schema), searcher.reader())
    matches = matching_docnums(searcher, query)
    order = sorting.MultiFacet([sorting.FieldFacet("dated", reverse=True), sorting.FieldFacet("published", reverse=newest)])
    theirs = [hit.docnum for hit in searcher.search(query, limit=len(matches), sortedby=order)]
    assert len(matches) > 20 and any(not searcher.stored_fields(docnum).get("published") for docnum in matches)
    assert [docnum for _, docnum in by_date(searcher, matches, len(matches), newest=newest)] == theirs


def test_ranking_keeps_to_the_allowed_matches(searcher) -> None:  # type: ignore[no-untyped-def]
    query = parse_query("government", searcher.schema)
    allowed = matching_docnums(searcher, wq.And([query, wq.NumericRange("dated", 1, 1)]))
    ours = rank(searcher, query, allowed, 10)
    theirs = searcher.search(query, limit=10, filter=allowed)
    assert ours is not None and [docnum for _, docnum in ours] == [hit.docnum for hit in theirs]


@pytest.mark.parametrize("text", ["negotiat*", "source:reuters", "date:2021 economy"])  # (negotiat* not expanded)
def test_other_queries_are_left_to_whoosh(searcher, text: str) -> None:  # type: ignore[no-untyped-def]
    query = parse_query(text, searcher.schema)
    assert rank(searcher, query, matching_docnums(searcher, query), 10) is None
