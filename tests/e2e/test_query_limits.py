"""Every query is bounded: refused before it runs when it would cost too much, stopped when it runs too long."""

from __future__ import annotations

import pytest

from newsarchive.text import terms as query_terms
from test_query_language import (
    archive_with_records,  # noqa: F401  (a fixture)
    titles,
)


@pytest.mark.parametrize(
    "query, message",
    [
        ("a~5", "the fuzzy term 'a~5' allows 5 edits; at most 2"),
        ("said~3", "the fuzzy term 'said~3' allows 3 edits; at most 2"),
        ("kursk~99", "the fuzzy term 'kursk~99' allows 99 edits; at most 2"),
        ("peace kursk~3/2", "the fuzzy term 'kursk~3/2' allows 3 edits; at most 2"),
        ("??*", "the wildcard '??*' has fewer than 2 letters before its first * or ?"),
        ("p*", "the wildcard 'p*' has fewer than 2 letters before its first * or ?"),
        ("*ing", "the wildcard '*ing' has fewer than 2 letters before its first * or ?"),
        ("title:p?ace", "the wildcard 'p?ace' has fewer than 2 letters before its first * or ?"),
        ("of * of", "a lone * stands for every word of every article"),
        ("x" * 1001, "the query is 1,001 characters long; at most 1,000 are searched for"),
        (" AND ".join(["peace"] * 33), "the query has 33 words; at most 32 are searched for together"),
        ("(" * 496 + "election" + ")" * 496, "the query has groups in parentheses more than 32 deep"),
    ],
)
def test_costly_queries_are_refused_in_one_line(archive_with_records, query: str, message: str) -> None:  # noqa: F811
    result = archive_with_records("search", query, expect=2)
    assert result.stderr.splitlines()[0] == f"Error: {message}"
    assert result.stderr.splitlines()[1].startswith("Hint: ") and len(result.stderr.splitlines()) == 2


def test_the_limits_leave_ordinary_queries_alone(archive_with_records) -> None:  # noqa: F811
    assert titles(archive_with_records, "pe*") == ["Peace talks stall in Geneva", "Talks on peace resume"]
    assert titles(archive_with_records, "genva~") == ["Peace talks stall in Geneva"]
    assert titles(archive_with_records, "genev~2") == ["Peace talks stall in Geneva"]
    assert titles(archive_with_records, "xeneva~1") == []  # fuzzy terms keep their first letter
    assert titles(archive_with_records, "author:*smith") == ["Talks on peace resume"]  # not a word field: allowed
    # 32 words, stop words and operators not counted; a long phrase slop costs no more than a short one
    assert titles(archive_with_records, " AND ".join(["peace"] * 32) + " the of and") != []
    assert titles(archive_with_records, "(" * 32 + "geneva" + ")" * 32) == ["Peace talks stall in Geneva"]
    assert titles(archive_with_records, '"peace talks"~100000') == ["Peace talks stall in Geneva", "Talks on peace resume"]


def test_wildcards_may_stand_for_only_so_many_words(archive_with_records, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(query_terms, "MAX_EXPANSION", 2)
    assert titles(archive_with_records, "pea*") == ["Peace talks stall in Geneva", "Talks on peace resume"]
    result = archive_with_records("search", "de*", expect=2)  # deal, der, den
    assert result.stderr == (
        "Error: the wildcard 'de*' stands for more than 2 words of the archive\n"
        "Hint: give it more letters before its * or ?\n"
    )
    result = archive_with_records("search", "pea* OR lo*", expect=2)  # peace; looking, lower
    assert result.stderr.startswith(
        "Error: the wildcard 'lo*' stands for more than 2 words of the archive with the query's other fuzzy, wildcard"
    )
    assert "stands for more than 2" in archive_with_records("terms", "de*", expect=2).stderr
    # A fuzzy term is named as typed, not as the stem the index holds ("elect~2"), and a range has its own hint.
    monkeypatch.setattr(query_terms, "MAX_EXPANSION", 1)
    result = archive_with_records("search", "elections~2", expect=2)  # elect, expect
    assert result.stderr == (
        "Error: the fuzzy term 'elections~2' stands for more than 1 words of the archive\n"
        "Hint: allow it one edit (~1), or search for the word itself\n"
    )
    result = archive_with_records("search", "peace [a TO z]", expect=2)
    assert result.stderr == (
        "Error: the range '[a TO z]' stands for more than 1 words of the archive\n"
        "Hint: narrow the range (e.g. [kursk TO kyiv]), or search for words\n"
    )


def test_a_search_past_its_time_is_stopped(archive_with_records, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "0.000001")
    for command in (["search", "peace"], ["search", "pe*", "--sort", "newest"], ["trend", "peace"], ["export", "peace"]):
        result = archive_with_records(*command, expect=1)
        assert result.stderr.splitlines()[0] == "Error: the search was stopped after 1e-06 seconds", command
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "soon")
    assert "is not a number of seconds" in archive_with_records("search", "peace", expect=2).stderr
    for seconds in ("30", "1e9"):  # (longer than a server lets one statement take: its longest)
        monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", seconds)
        assert titles(archive_with_records, "peace") == ["Peace talks stall in Geneva", "Talks on peace resume"]


def test_what_an_engine_leaves_out_of_a_query_is_said_in_one_note(archive_with_records, stack) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    result = archive_with_records("search", "title:peace^3")
    assert "2 articles match" in result.stdout
    said = "" if stack.engine == "whoosh" or stack.server is None else (
        "note: boosts (^) are ignored: the PostgreSQL engine weighs only title, lede and body\n"
    )
    assert result.stderr == said
