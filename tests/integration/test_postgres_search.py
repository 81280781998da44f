"""The PostgreSQL engine's questions answered in the server, beside the Whoosh engine's answers for the same articles.

The articles are ingested by a machine with a Whoosh index of its own over a
PostgreSQL database whose engine is the server's: each unit of work writes
the server's search rows too, so both engines hold the very same archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from _postgres import Server
from newsarchive.config import ArchiveConfig
from newsarchive.engines import open_engine
from newsarchive.engines.protocol import SearchEngine, SearchOptions
from newsarchive.errors import QueryNote
from newsarchive.query import parse

psycopg = pytest.importorskip("psycopg")

from newsarchive.engines.postgres import explore, search, trend  # noqa: E402

BODY = "Negotiators met in Kursk to resume the peace talks over the region. "
#: Words enough for two copies of an article to be told near-duplicates (``reading.neardup``).
FILLER = " ".join(f"item{number}" for number in range(60)) + ". "
ARTICLES = [
    {"title": "Kursk talks resume", "maintext": FILLER + BODY * 6, "date_publish": "2024-11-12T08:00:00Z",
     "source": "Example", "authors": ["Anna Smith", "Ivan Petrov"]},
    {"title": "Kursk talks resume", "maintext": FILLER + BODY * 6 + "A later edition added this line.",
     "date_publish": "2024-11-13T08:00:00Z", "source": "Example", "authors": ["Anna Smith"]},
    {"title": "Budget vote delayed", "description": "The government put off the vote.",
     "maintext": "The budget vote was delayed once more, the government said. " * 5, "source": "Daily"},
    {"title": "Oil prices climb", "maintext": "Oil prices rose as the talks stalled; government ministers met. " * 4,
     "date_publish": "2024-12-31T23:30:00Z", "source": "Daily", "authors": ["Ivan Petrov"]},
    {"title": "A day in Kyiv", "maintext": "Peace talks were not mentioned; the government of Kyiv spoke of prices. " * 3,
     "date_publish": "2025-01-01", "date_precision": "day", "source": "Example"},
    {"title": "Переговоры в Курске", "maintext": "Переговоры о мире возобновились в Курске. " * 4,
     "date_publish": "2024-11-14T10:00:00Z", "language": "ru", "source": "Example"},
    {"title": "Government announces election date", "maintext": "Elections will be held in spring, the government "
     "announced, and the governing party welcomed it. " * 3, "date_publish": "2025-02-02T12:00:00Z"},
]  # fmt: skip

QUERIES = [
    "kursk", "talks", "government", "\"peace talks\"", "\"peace talks\"~3", "negotiat*", "title:kursk",
    "talks NOT kursk", "talks OR budget", "source:daily", "author:\"anna smith\"", "lang:ru переговоры",
    "govern*", "gov*ment", "governmnt~1", "[oil TO peace]", "kursk ANDMAYBE edition", "talks REQUIRE oil",
    "date:2024 talks", "*:*", "the government", "kyiv -prices", "government NOT source:daily",
]  # fmt: skip


@pytest.fixture(scope="module")
def twins(postgres: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, SearchEngine]]:
    """A psycopg connection to an archive's database holding the PostgreSQL engine's rows, and its Whoosh engine."""
    from newsarchive.archive import Archive

    home = tmp_path_factory.mktemp("twins")
    url = postgres.database()
    folder = home / "in"
    folder.mkdir()
    (folder / "news.jsonl").write_text("".join(json.dumps(item) + "\n" for item in ARTICLES), encoding="utf-8")
    config = ArchiveConfig(home=home, database_url=url, index_dir=home / "index", engine="whoosh")
    with Archive(config) as archive:
        report = archive.ingest([folder])
    assert report.new == len(ARTICLES)
    connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    yield connection, open_engine(config)
    connection.close()


@pytest.fixture
def connection(twins: tuple[object, SearchEngine]) -> object:
    return twins[0]


@pytest.fixture
def whoosh(twins: tuple[object, SearchEngine]) -> SearchEngine:
    return twins[1]


@pytest.mark.parametrize("text", QUERIES)
def test_a_query_finds_what_the_whoosh_engine_finds_with_the_same_snippets(
    connection: object, whoosh: SearchEngine, text: str
) -> None:
    options = SearchOptions(limit=20, collapse=False)
    ours = search.search(connection, parse(text), options)  # type: ignore[arg-type]
    theirs = whoosh.search(parse(text), options)
    assert ours.total == theirs.total
    assert {hit.id for hit in ours.hits} == {hit.id for hit in theirs.hits}
    snippets = {hit.id: hit.snippet for hit in theirs.hits}
    for hit in ours.hits:
        assert hit.snippet == snippets[hit.id], hit.title


def test_the_hits_carry_what_the_whoosh_engine_gives_them(connection: object, whoosh: SearchEngine) -> None:
    options = SearchOptions(sort="newest", limit=3, page=2)
    ours = search.search(connection, parse("talks OR government"), options)  # type: ignore[arg-type]
    theirs = whoosh.search(parse("talks OR government"), options)
    assert ours.hits == theirs.hits
    assert ours.total == theirs.total


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date_and_undated_filters_agree(connection: object, whoosh: SearchEngine, sort: str) -> None:
    for undated in ("include", "exclude", "only"):
        options = SearchOptions(sort=sort, undated=undated, limit=20, collapse=False)  # type: ignore[arg-type]
        ours = search.search(connection, parse("government OR talks"), options)  # type: ignore[arg-type]
        theirs = whoosh.search(parse("government OR talks"), options)
        dated = [hit.id for hit in theirs.hits if hit.published]
        assert [hit.id for hit in ours.hits if hit.published] == dated
        assert ours.total == theirs.total


def test_since_and_until_leave_undated_articles_out(connection: object, whoosh: SearchEngine) -> None:
    options = SearchOptions(since=datetime(2024, 11, 13, tzinfo=UTC), until=datetime(2025, 1, 1, 12, tzinfo=UTC))
    ours = search.search(connection, parse("*:*"), options)  # type: ignore[arg-type]
    assert ours.total == whoosh.search(parse("*:*"), options).total == 4


def test_facets_agree(connection: object, whoosh: SearchEngine) -> None:
    options = SearchOptions(facets=("source", "year", "month", "lang", "author"))
    ours = search.search(connection, parse("*:*"), options)  # type: ignore[arg-type]
    assert ours.facets == whoosh.search(parse("*:*"), options).facets


def test_near_duplicates_fold_into_the_best_ranked_of_their_group(connection: object, whoosh: SearchEngine) -> None:
    ours = search.search(connection, parse("kursk talks"), SearchOptions())  # type: ignore[arg-type]
    theirs = whoosh.search(parse("kursk talks"), SearchOptions())
    assert ours.total == theirs.total == 2
    assert len(ours.hits) == 1
    assert [(hit.id, hit.copies) for hit in ours.hits] == [(hit.id, hit.copies) for hit in theirs.hits]
    assert ours.hits[0].copies == 1


def test_matching_ids_are_every_match(connection: object, whoosh: SearchEngine) -> None:
    assert sorted(search.matching_ids(connection, parse("talks"))) == sorted(whoosh.matching_ids(parse("talks")))  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")])
def test_counts_by_period_agree(connection: object, whoosh: SearchEngine, zone: ZoneInfo) -> None:
    start = datetime(2024, 11, 1, tzinfo=UTC)
    edges = [start + timedelta(days=15 * step) for step in range(8)]
    for query in (None, parse("talks OR government")):
        for bounds in ({}, {"since": datetime(2024, 11, 13, 8, tzinfo=UTC), "until": datetime(2025, 1, 1, tzinfo=UTC)}):
            ours = trend.count_by_period(connection, query, edges, zone=zone, **bounds)  # type: ignore[arg-type]
            assert ours == whoosh.count_by_period(query, edges, zone=zone, **bounds)
    assert trend.count_by_period(connection, None, []).undated == 1  # type: ignore[arg-type]


def test_suggest_respells_as_the_archive_does(connection: object, whoosh: SearchEngine) -> None:
    for text in ("goverment", "kursk talsk", "negotiatorz"):
        assert explore.suggest(connection, parse(text)) == whoosh.suggest(parse(text))  # type: ignore[arg-type]
    assert explore.suggest(connection, parse("goverment")) == "government"  # type: ignore[arg-type]


def test_similar_resolves_an_id_by_its_start_and_finds_the_copy(connection: object, whoosh: SearchEngine) -> None:
    first = whoosh.search(parse('title:"kursk talks"'), SearchOptions(collapse=False)).hits[0].id
    whole, page = explore.similar(connection, first[:6], 5)  # type: ignore[arg-type]
    their_whole, theirs = whoosh.similar(first[:6], 5)
    assert whole == their_whole == first
    assert first not in {hit.id for hit in page.hits}
    assert page.hits[0].id == theirs.hits[0].id


def test_telling_terms_count_the_matches_and_name_their_words(connection: object, whoosh: SearchEngine) -> None:
    total, terms = explore.telling_terms(connection, parse("talks"), 5)  # type: ignore[arg-type]
    their_total, theirs = whoosh.telling_terms(parse("talks"), 5)
    assert total == their_total
    assert {word for word, _ in terms} & {word for word, _ in theirs}
    assert terms[0][0] == theirs[0][0] == "talks"


def test_a_boost_is_noted_not_dropped_silently(connection: object) -> None:
    with pytest.warns(QueryNote, match="boost"):
        search.search(connection, parse("kursk^3"), SearchOptions())  # type: ignore[arg-type]


def test_a_query_is_analysed_in_the_languages_the_rows_hold_seen_at_once(connection: object) -> None:
    """(Found in a few probes of the index on ``lang``, at each search: a new language counts at once.)"""
    from newsarchive.engines.postgres.query import index_analyses
    from newsarchive.text.languages import analysis_of

    assert set(index_analyses(connection)) == {"en", analysis_of("ru")}  # type: ignore[arg-type]
    with connection.transaction(force_rollback=True):  # type: ignore[attr-defined]
        connection.execute("UPDATE search_docs SET lang = 'de' WHERE lang = 'ru'")  # type: ignore[attr-defined]
        assert set(index_analyses(connection)) == {"en", analysis_of("de")}  # type: ignore[arg-type]
        connection.execute("UPDATE search_docs SET lang = NULL WHERE lang <> 'de' OR lang IS NULL")  # type: ignore[attr-defined]
        assert index_analyses(connection)[0] == "en"  # type: ignore[arg-type]  # (no language recorded: English)
