"""The five topic folders of the BBC News dataset, ingested once for this module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _shared import bbc_path
from conftest import Cli, Stack

TOPICS = ("business", "entertainment", "politics", "sport", "tech")


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> tuple[Cli, Path, dict]:
    home = tmp_path_factory.mktemp("bbc-archive")
    archive = Cli(stack.settings(stack.database()))
    result = archive("ingest", "--home", home, "--json", *(bbc_path(topic) for topic in TOPICS))
    return archive, home, json.loads(result.stdout)


def test_five_topics_give_the_expected_counts(bbc) -> None:  # type: ignore[no-untyped-def]
    _archive, _home, report = bbc
    assert (report["files"], report["new"], report["duplicate"]) == (2225, 2127, 98)
    assert (report["failed"], report["updated"], report["undated"]) == (0, 0, 2127)


def test_the_cp1252_pound_sign_comes_out_right(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    hits = json.loads(archive("search", "--home", home, "title:Chelsea title:Mutu", "--json").stdout)["hits"]
    assert [hit["title"] for hit in hits] == ["Chelsea sack Mutu"]
    shown = archive("show", "--home", home, hits[0]["id"]).stdout
    assert "a £15.8m signing from Parma" in shown
    assert str(bbc_path("sport", "199.txt").resolve()) in shown


def test_byte_identical_files_are_one_article_with_both_paths(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    title = bbc_path("business", "007.txt").read_text(encoding="utf-8").splitlines()[0]
    hits = json.loads(archive("search", "--home", home, f'title:"{title}"', "--json").stdout)["hits"]
    record = json.loads(archive("show", "--home", home, hits[0]["id"], "--json").stdout)
    assert record["files"] == [str(bbc_path("business", name).resolve()) for name in ("007.txt", "253.txt")]


def test_a_second_run_finds_everything_unchanged(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    again = json.loads(archive("ingest", "--home", home, "--json", bbc_path()).stdout)
    assert (again["files"], again["unchanged"], again["new"], again["skipped"]) == (2225, 2225, 0, 1)
    facts = json.loads(archive("info", "--home", home, "--json").stdout)
    assert (facts["articles"], facts["files"], facts["index_documents"]) == (2127, 2225, 2127)


def test_did_you_mean_uses_the_archives_own_words(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    assert archive("search", "--home", home, "electons").stdout.strip() == (
        "No articles match 'electons'. Did you mean: elections?"  # one edit; "election" is two
    )
    found = json.loads(archive("search", "--home", home, "goverment budget", "--json").stdout)
    assert found["total"] == 0 and found["suggestion"] == "government budget"
    assert json.loads(archive("search", "--home", home, "election", "--json").stdout)["suggestion"] is None


def test_similar_and_terms(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    mutu = json.loads(archive("search", "--home", home, 'title:"Chelsea sack Mutu"', "--json").stdout)["hits"][0]["id"]
    alike = json.loads(archive("similar", "--home", home, mutu, "--limit", "3", "--json").stdout)["hits"]
    assert mutu not in [hit["id"] for hit in alike]
    assert {"Wenger offers Mutu hope", "Mutu to hold talks with Juventus"} <= {hit["title"] for hit in alike}
    assert archive("similar", "--home", home, "zzzzzzzzzz", expect=1).stderr.startswith("Error: no article with id")
    assert archive("similar", "--home", home, mutu, "--limit", "2", "--csv").stdout.startswith("id,title,date,")
    words = json.loads(archive("terms", "--home", home, "chelsea", "--limit", "5", "--json").stdout)
    assert words["terms"][0]["term"] == "chelsea" and "mourinho" in [t["term"] for t in words["terms"]]
    assert archive("terms", "--home", home, "chelsea", "--limit", "3").stdout.startswith("Words that set the")


def test_rows_as_csv_and_a_full_reindex(bbc) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    archive, home, _report = bbc
    rows = list(csv.DictReader(io.StringIO(archive("search", "--home", home, "chelsea", "--limit", "3", "--csv").stdout)))
    assert len(rows) == 3 and rows[0]["title"] and float(rows[0]["score"]) > 0
    listed = list(csv.DictReader(io.StringIO(archive("list", "--home", home, "--limit", "4", "--csv").stdout)))
    assert [row.keys() for row in listed][0] >= {"id", "title", "date", "files"} and len(listed) == 4
    words = list(csv.DictReader(io.StringIO(archive("terms", "--home", home, "chelsea", "--csv").stdout)))
    assert words[0] == {"term": "chelsea", "weight": words[0]["weight"]}
    # Unfolded: which of two equally scored copies stands for the pair also follows the layout.
    search = ("search", "--home", home, "chelsea", "--limit", "20", "--no-collapse", "--json")
    before = json.loads(archive(*search).stdout)
    assert archive("reindex", "--home", home).stdout.startswith("Indexed 2127 articles")
    after = json.loads(archive(*search).stdout)
    assert _ranking(after) == _ranking(before)


def _ranking(page: dict) -> tuple:  # type: ignore[type-arg]
    """Total, scores, and hits by score: the order among equal scores follows the index's layout,
    which a reindex may change, and the page's edge may cut the last group of them."""
    hits = page["hits"]
    edge = hits[-1]["score"]
    ranked = sorted((-hit["score"], hit["id"]) for hit in hits if hit["score"] != edge)
    return page["total"], [hit["score"] for hit in hits], ranked


def test_the_total_does_not_depend_on_the_page_size(bbc) -> None:  # type: ignore[no-untyped-def]
    archive, home, _report = bbc
    totals = {
        json.loads(archive("search", "--home", home, "oil prices", "--limit", limit, "--json").stdout)["total"]
        for limit in ("1", "10", "50")
    }
    assert totals == {60}
