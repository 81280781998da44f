"""The query language: field scopes, phrases, wildcards, fuzzy terms, groups, dates in the query."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.config import resolve_config
from newsarchive.engines import open_engine
from newsarchive.errors import ArchiveError
from newsarchive.services.search import SearchRequest, search
from test_cli import search_json

NOW = datetime.now(UTC)
RECORDS = [
    {"title": "Peace talks stall in Geneva", "description": "Negotiators left without a deal.",
     "maintext": "The peace process in the region stalled again.\nDiplomats blamed both sides.",
     "date_publish": "2024-11-10T09:13:00Z", "authors": ["Anna Petrova"], "language": "en", "source": "wire"},
    {"title": "Talks on peace resume", "description": "A new round opened in Vienna.",
     "maintext": "Peace will not come quickly, the mediators said, but talks resumed.",
     "date_publish": "2024-11-30T22:00:00Z", "authors": ["John Smith"], "language": "en", "source": "gazette"},
    {"title": "Haushalt beschlossen", "description": "Der Bundestag stimmte zu.",
     "maintext": "Die Koalition einigte sich auf den Haushalt.", "date_publish": "2020-01-07T10:00:00Z",
     "authors": ["Jonas Weber"], "language": "de", "source": "tageskurier"},
    {"title": "Election campaign opens", "description": "Candidates toured the north.",
     "maintext": "Voters in the north heard the candidates speak about roads.", "date_publish": "2020-03-01T08:00:00Z",
     "language": "en", "source": "gazette"},
    {"title": "Fresh election polls published", "description": "The race is tight.",
     "maintext": "A new poll shows the race is tight before the election.",
     "date_publish": (NOW - timedelta(days=2)).isoformat(), "language": "en", "source": "wire"},
    {"title": "Old election analysis", "description": "Looking back at turnout.",
     "maintext": "Turnout in the election was lower than expected.",
     "date_publish": (NOW - timedelta(days=30)).isoformat(), "language": "en", "source": "wire"},
    {"title": "Undated election note", "description": "A note without a date.",
     "maintext": "This election note carries no date at all.", "language": "en", "source": "wire"},
]  # fmt: skip


@pytest.fixture
def archive_with_records(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in RECORDS), encoding="utf-8")
    archive("ingest", path)
    return archive


def titles(archive, query: str, *options: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(hit["title"] for hit in search_json(archive, query, "--limit", "50", *options)["hits"])


@pytest.mark.parametrize(
    "query, expected",
    [
        ("title:peace", ["Peace talks stall in Geneva", "Talks on peace resume"]),
        ("description:vienna", ["Talks on peace resume"]),
        ("body:diplomats", ["Peace talks stall in Geneva"]),
        ("source:gazette", ["Election campaign opens", "Talks on peace resume"]),
        ("source:GAZETTE election", ["Election campaign opens"]),
        ('author:"anna petrova"', ["Peace talks stall in Geneva"]),
        ("author:*smith", ["Talks on peace resume"]),
        ("lang:de", ["Haushalt beschlossen"]),
        ('"peace talks"', ["Peace talks stall in Geneva"]),
        ('"peace stalled"', []),
        ('"peace stalled"~6', ["Peace talks stall in Geneva"]),
        ("negotiat*", ["Peace talks stall in Geneva"]),
        ("genva~", ["Peace talks stall in Geneva"]),
        ("(geneva OR vienna) talks", ["Peace talks stall in Geneva", "Talks on peace resume"]),
        ("peace NOT geneva", ["Talks on peace resume"]),
    ],
)
def test_query_forms(archive_with_records, query: str, expected: list[str]) -> None:
    assert titles(archive_with_records, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("peace date:2024-11", ["Peace talks stall in Geneva", "Talks on peace resume"]),
        ("peace date:2024-11-10", ["Peace talks stall in Geneva"]),
        ("peace date:[2024-11-01 TO 2024-11-30]", ["Peace talks stall in Geneva", "Talks on peace resume"]),
        # Whoosh's own date plugin turns this (lower-case "to") into the whole of 2020.
        ("date:[2020-01-05 to 2020-01-10]", ["Haushalt beschlossen"]),
        ("date:[2020-01-05 TO 2020-01-10]", ["Haushalt beschlossen"]),
        ("date:2020", ["Election campaign opens", "Haushalt beschlossen"]),
        ("peace date:>2024-11-10", ["Talks on peace resume"]),
        ("peace date:>=2024-11-10", ["Peace talks stall in Geneva", "Talks on peace resume"]),
        ("date:[* TO 2020-01-31]", ["Haushalt beschlossen"]),
        ("election date:>-7d", ["Fresh election polls published"]),
        ("election date:-7d", ["Fresh election polls published"]),
        ("election date:<-7d", ["Election campaign opens", "Old election analysis"]),
        ('"date:2020" OR election date:>-7d', ["Fresh election polls published"]),
    ],
)
def test_dates_in_the_query(archive_with_records, query: str, expected: list[str]) -> None:
    assert titles(archive_with_records, query) == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ("election OR date:2024", "can only narrow the whole query"),
        ("(election date:2024)", "can only narrow the whole query"),
        ("election date:[2024 TO 2020]", "ends before it starts"),
        ("election date:someday", "cannot read 'someday' as a date"),
        ("election date:[2024 2025]", "cannot read date:[2024 2025] as a range"),
    ],
)
def test_bad_dates_in_the_query(archive_with_records, query: str, message: str) -> None:
    result = archive_with_records("search", query, expect=2)
    assert message in result.stderr and "Traceback" not in result.output


def test_undated_articles_included_excluded_or_alone(archive_with_records) -> None:
    everything = titles(archive_with_records, "election")
    assert "Undated election note" in everything
    assert "Undated election note" not in titles(archive_with_records, "election", "--undated", "exclude")
    assert titles(archive_with_records, "election", "--undated", "only") == ["Undated election note"]
    assert titles(archive_with_records, "election date:2020", "--undated", "only") == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=()), max_size=60))  # surrogates: bytes not UTF-8
def test_any_query_string_gives_results_or_a_clear_error(archive_with_records, archive_home: Path, text: str) -> None:
    config = resolve_config(archive_home)
    try:
        page = search(open_engine(config), SearchRequest(query=text, limit=3))
    except ArchiveError as error:
        assert error.message and "\n" not in error.message
    else:
        assert page.total >= len(page.hits)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.lists(
        st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "title:", "date:", "date:[", " TO ", "]", "*", "~", "^",
                         "peace", "2024", "-7d", ">", ":", "author:", "'", "\\", "[", "{", "}"]),  # fmt: skip
        max_size=8,
    ).map(" ".join)
)
def test_query_syntax_soup_gives_results_or_a_clear_error(archive_with_records, archive_home: Path, text: str) -> None:
    config = resolve_config(archive_home)
    try:
        search(open_engine(config), SearchRequest(query=text, limit=3))
    except ArchiveError as error:
        assert error.message and "\n" not in error.message


def test_trend_through_the_cli(archive_with_records, tmp_path: Path) -> None:
    text = archive_with_records("trend", "peace", "haushalt", "--by", "year", "--since", "2020", "--until", "2024").stdout
    assert "2020" in text and "2024" in text and "2022" in text  # empty years are shown
    numbers = json.loads(archive_with_records("trend", "peace", "--by", "month", "--since", "2024-10", "--until", "2024-12", "--json").stdout)
    assert [b["label"] for b in numbers["buckets"]] == ["2024-10", "2024-11", "2024-12"]
    assert numbers["series"][0]["counts"] == [0, 2, 0]
    shares = json.loads(archive_with_records("trend", "peace", "--by", "year", "--since", "2024", "--until", "2024", "--normalize", "--json").stdout)
    assert shares["series"][0]["shares"] == [pytest.approx(2 / 2)]
    csv_text = archive_with_records("trend", "election", "--by", "year", "--since", "2019", "--until", "2020", "--csv").stdout
    assert csv_text.splitlines()[0] == "bucket,start,end,election"
    pytest.importorskip("matplotlib")
    chart = tmp_path / "chart.svg"
    archive_with_records("trend", "peace", "--plot", chart)
    assert "<svg" in chart.read_text(encoding="utf-8")
    assert "plot" in archive_with_records("trend", "peace", "--plot", tmp_path / "chart.gif", expect=1).stderr


def test_facets_count_every_hit_by_value(archive_with_records) -> None:
    found = search_json(archive_with_records, "election OR peace OR haushalt", "--limit", "2",
                        "--facet", "source", "--facet", "year", "--facet", "lang", "--facet", "author")  # fmt: skip
    facets = {name: {entry["value"]: entry["count"] for entry in values} for name, values in found["facets"].items()}
    assert found["total"] == 7 and len(found["hits"]) == 2
    assert facets["source"] == {"wire": 4, "gazette": 2, "tageskurier": 1}
    assert facets["lang"] == {"en": 6, "de": 1}
    assert facets["author"] == {"Anna Petrova": 1, "John Smith": 1, "Jonas Weber": 1}
    assert facets["year"]["2024"] == 2 and facets["year"]["2020"] == 2 and sum(facets["year"].values()) == 6
    text = archive_with_records("search", "peace", "--facet", "source").stdout
    assert text.rstrip().endswith("by source: gazette 1, wire 1")


def _ingest_records(archive, path: Path, records: list[dict]) -> None:  # type: ignore[no-untyped-def,type-arg]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    archive("ingest", path)


def test_facets_and_dates_over_segments_that_lack_the_field(archive, tmp_path: Path) -> None:
    # Three ingests, three segments; the middle one holds no date, source or author (nor, before
    # languages were identified, a language),
    # so it has no column of those fields: the documents after it were read from the wrong segment.
    dated = {"title": "Election day", "maintext": "The election was held.", "source": "wire", "language": "en",
             "authors": ["Anna Petrova"]}  # fmt: skip
    _ingest_records(archive, tmp_path / "first.jsonl", [dict(dated, date_publish="2024-11-10T09:00:00Z")])
    _ingest_records(archive, tmp_path / "undated.jsonl",
                    [{"title": f"Undated election note {n}", "maintext": "An election note."} for n in range(2)])  # fmt: skip
    _ingest_records(archive, tmp_path / "last.jsonl",
                    [dict(dated, title="Election night", date_publish="2020-03-01T08:00:00Z", source="gazette")])  # fmt: skip
    found = search_json(archive, "election", *(f"--facet={name}" for name in ("year", "month", "source", "lang", "author")))
    facets = {name: {entry["value"]: entry["count"] for entry in values} for name, values in found["facets"].items()}
    assert found["total"] == 4
    assert facets == {
        "year": {"2024": 1, "2020": 1},
        "month": {"2024-11": 1, "2020-03": 1},
        "source": {"wire": 1, "gazette": 1},
        "lang": {"en": 4},  # (the middle ones' language is identified from their text)
        "author": {"Anna Petrova": 2},
    }
    assert archive("search", "election", "--facet", "year").stdout.rstrip().endswith("by year: 2020 1, 2024 1")
    newest = search_json(archive, "election", "--sort", "newest")["hits"]
    assert [hit["title"] for hit in newest][:2] == ["Election day", "Election night"]
    counts = json.loads(archive("trend", "election", "--by", "year", "--since", "2020", "--until", "2024", "--json").stdout)
    assert counts["series"][0]["counts"] == [1, 0, 0, 0, 1]


@pytest.mark.parametrize("query", ["\udcffab~1", "ab\udcff*", "title:ab\udcff*", "source:\udcff", "peace \udcff"])
@pytest.mark.parametrize("command", ["search", "terms", "trend", "export", "similar"])
def test_bytes_that_are_not_utf8_in_a_query_are_a_usage_error(archive_with_records, command: str, query: str) -> None:
    # Bytes that are not UTF-8 in argv reach Python as lone surrogates ('\udcff' for the byte 0xff).
    result = archive_with_records(command, query, expect=2)
    shown = query.replace("\udcff", "\\xff")
    assert result.stderr.splitlines()[-1].endswith(f"'{shown}' holds bytes that are not UTF-8 text (shown as \\xNN)")


def test_a_phrase_query_snippet_shows_the_phrase(archive, archive_home: Path, tmp_path: Path) -> None:
    from test_highlight import APART_THEN_TOGETHER

    _ingest_records(archive, tmp_path / "phrase.jsonl", [{"title": "Deal signed", "maintext": APART_THEN_TOGETHER}])
    config = resolve_config(archive_home)
    [hit] = search_json(archive, '"prime minister"')["hits"]
    assert "At dawn the Prime Minister arrived" in hit["snippet"]
    [hit] = search(open_engine(config), SearchRequest(query='"prime minister"')).hits
    assert "\x01Prime\x02 \x01Minister\x02 arrived" in hit.snippet and hit.snippet.count("\x01") == 2
    [hit] = search(open_engine(config), SearchRequest(query="prime minister")).hits  # words, not a phrase: marked anywhere
    assert hit.snippet.count("\x01") > 2
