"""The five topic folders of the BBC News dataset, ingested once for this module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _shared import bbc_path
from conftest import Cli

TOPICS = ("business", "entertainment", "politics", "sport", "tech")


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Path, dict]:
    home = tmp_path_factory.mktemp("bbc-archive")
    archive = Cli()
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
