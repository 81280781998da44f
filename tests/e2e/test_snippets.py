"""A hit's snippet shows where the query matched, however far down a long article that is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.cli import cli

LEDE = "The committee met on Tuesday to hear the first witnesses of its inquiry."
# About 4,000 characters that hold none of the words searched for below.
FILLER = "Talks went on late into the night in the old hall, and the delegates spoke of the weather. " * 44


def _article(path: Path, body: str) -> None:
    record = {"title": "Inquiry opens", "description": LEDE, "maintext": body}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("query", "early", "late", "marked"),
    [
        # The phrase's words stand apart first, and together only beyond the first 3,000 characters.
        ('"music industry"', "Music, film and industry leaders sent letters.",
         "That is the music industry sector without any merit.", ["music", "industry"]),
        # Stems that do not begin their words: "chase" of "chasing", "take" of "taking", "compani" of "company".
        ('"hounds chasing"', "", "Exercising hounds, chasing a scent trail, is still legal.", ["hounds", "chasing"]),
        ("taking", "", "The club is taking legal advice.", ["taking"]),
        ("company", "", "A Canadian company won the contract.", ["company"]),
        # A prefix and a fuzzy word, found far down.
        ("nece*", "", "He said the changes were necessary.", ["necessary"]),
        ("minster~1", "", "The Munster flanker also returns.", ["Munster"]),
    ],
)
def test_a_snippet_shows_a_match_far_down_the_body(
    archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, early: str, late: str, marked: list[str]
) -> None:
    _article(tmp_path / "long.jsonl", f"{early} {FILLER}{late} The inquiry resumes next week.")
    archive("ingest", tmp_path / "long.jsonl")
    [hit] = json.loads(archive("search", query, "--json").stdout)["hits"]
    assert late in hit["snippet"]
    shown = _in_bold(archive, monkeypatch, query)
    assert shown.count("\x1b[22m") == len(marked)  # (the title is bold too, ended otherwise)
    for word in marked:
        assert f"\x1b[1m{word}\x1b[22m" in shown


def _in_bold(archive, monkeypatch: pytest.MonkeyPatch, query: str) -> str:  # type: ignore[no-untyped-def]
    """`archive search QUERY` as a terminal shows it, matches in bold (Click keeps bold only for a terminal)."""
    monkeypatch.setattr("newsarchive.cli.output._color", lambda: True)
    return str(archive.runner.invoke(cli, ["search", query], color=True).stdout)


def test_a_word_the_query_excludes_is_not_marked(archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _article(tmp_path / "one.jsonl", "The music industry fears piracy.")
    archive("ingest", tmp_path / "one.jsonl")
    for query in ("music OR NOT industry", "(music OR NOT industry) piracy"):
        shown = _in_bold(archive, monkeypatch, query)
        assert "\x1b[1mmusic\x1b[22m industry fears" in shown and "\x1b[1mindustry" not in shown, query


def test_a_phrase_whose_words_stand_apart_in_the_body_leaves_the_lede(archive, tmp_path: Path) -> None:
    # The phrase matched in the title; the body only has its words apart: nothing there to mark.
    path = tmp_path / "apart.jsonl"
    body = f"Music lovers and the industry sent letters. {FILLER}"
    path.write_text(json.dumps({"title": "Music industry inquiry", "description": LEDE, "maintext": body}) + "\n")
    archive("ingest", path)
    [hit] = json.loads(archive("search", '"music industry"', "--json").stdout)["hits"]
    assert hit["snippet"] == LEDE
