"""Readers and snippets against real articles of the BBC corpus in ../shared (skipped where it is missing)."""

from __future__ import annotations

import pytest

from _shared import bbc_path
from newsarchive.query.words import TOKEN
from newsarchive.reading.decode import decode_text
from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.highlight import Finder, _term
from test_format_text import headings, kinds, parse_file
from test_highlight import _ours, _queries, _whoosh

pytestmark = pytest.mark.no_archive  # (a Whoosh index or files alone: once, not once per stack)


def test_bbc_sport_199_has_a_cp1252_pound_sign() -> None:
    decoded = decode_text(bbc_path("sport", "199.txt").read_bytes())
    assert decoded.encoding == "cp1252"
    assert "transfer fee for Mutu, a £15.8m signing from Parma" in decoded.text
    assert decoded.warnings == ()


def test_bbc_business_001() -> None:
    draft = parse_file(bbc_path("business", "001.txt"))
    assert draft.title == "Ad sales boost Time Warner profit"
    assert draft.description == (
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) "
        "for the three months to December, from $639m year-earlier."
    )
    assert kinds(draft.blocks) == ["paragraph"] * 4
    assert draft.blocks[0].text.startswith("The firm, which is now one of the biggest investors")
    assert draft.published is None


def test_bbc_sport_199_cp1252() -> None:
    draft = parse_file(bbc_path("sport", "199.txt"))
    assert draft.title == "Chelsea sack Mutu"
    assert "£15.8m" in draft.body_text + (draft.description or "")


def test_bbc_fixture_list_has_no_subheadings() -> None:
    # "Coventry v Crewe", "QPR v Nottm Forest", ... one per line.
    assert headings(parse_file(bbc_path("sport", "205.txt"))) == []


def test_bbc_match_report_attendance_is_not_a_subheading() -> None:
    # "... Kezman 112." / "78,000" / "S Bennett (Kent)."
    assert headings(parse_file(bbc_path("sport", "104.txt"))) == []


def test_bbc_game_reviews_have_their_titles_as_subheadings() -> None:
    assert headings(parse_file(bbc_path("tech", "095.txt"))) == [
        "TOO FAST TOO FURIOUS (DIGITAL BRIDGES)",
        "FATAL FORCE (MACROSPACE)",
    ]


@pytest.mark.parametrize(
    "name", ["business/261.txt", "sport/199.txt", "politics/001.txt", "tech/100.txt", "entertainment/042.txt"]
)
def test_real_articles_give_whoosh_passages(name: str) -> None:
    text = bbc_path(*name.split("/")).read_bytes().decode("utf-8", errors="replace")
    for stems in _queries(text):
        for window in (text, text[:500], text[300:900]):
            assert _ours(window, stems) == _whoosh(window, stems), (stems, window[:60])


@pytest.mark.parametrize("name", ["business/261.txt", "sport/199.txt", "politics/001.txt", "tech/100.txt"])
def test_the_finder_finds_every_word_of_real_articles_where_it_first_stands(name: str) -> None:
    text = bbc_path(*name.split("/")).read_bytes().decode("utf-8", errors="replace")
    first: dict[bytes, int] = {}
    for token in TOKEN.finditer(text):
        first.setdefault(_term(token.group()), token.start())
    for stem in stemmed_positions(text):
        assert Finder(frozenset({stem})).first(text) == first[stem], stem
