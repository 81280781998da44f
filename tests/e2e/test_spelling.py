"""'Did you mean': the closest words first, then those that make the query find most, then the frequent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Each word is in the archive as often as its count says, in this order: the close word is the rarer one,
# or the word meant is written otherwise ("unit", "browne", "player", "awards") in the first articles that hold its stem.
WORDS = {
    "arsenal": 2, "arena": 6, "election": 2, "electronic": 6, "grape wine": 5, "grade school": 2,
    "unit": 3, "manchester united": 6, "unece": 1, "untried": 1, "browne": 3, "brown": 6, "bryn": 1,
    "present": 6, "president": 3, "player": 3, "players": 3, "awards": 3, "award": 3, "away": 6,
}  # fmt: skip


@pytest.fixture
def archive_of_words(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    records = [
        {"title": f"Story {words} {number}", "maintext": f"A report on the {words} of the day, number {number}."}
        for words, count in WORDS.items()
        for number in range(count)
    ]
    path = tmp_path / "words.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    archive("ingest", path)
    return archive


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("Arsnal", "arsenal"),  # one letter left out; "arena" is two edits away, though more frequent
        ("electoin", "election"),  # two letters swapped: one edit; "electronic" is three
        ("grabe", "grape"),  # grade and grape are one edit each: the more frequent
        ("grabe school", "grade school"),  # ... unless the other makes the query find something
        ("Uneted", "united"),  # one letter changed; "unece" is two edits away, "unit" three
        ("Untied", "united"),  # two letters swapped: one edit, as is "untried", which one article holds
        ("Brwn", "brown"),  # "bryn" is one edit too, but in one article against nine
        ("Brwon", "brown"),  # a swap: one edit; "browne", its other written form, is two
        ("Manchester Uneted", "Manchester united"),  # a word of several mistyped
        ("presdient", "president"),  # "present" is two edits away, though more frequent
        ("plaayers", "players"),  # the written form nearest the typed word, not the most written
        ("awrad", "award"),  # "away" is two edits away, "awards" too
    ],
)
def test_did_you_mean_picks_the_closest_word(archive_of_words, typed: str, meant: str) -> None:
    found = json.loads(archive_of_words("search", typed, "--json").stdout)
    assert found["total"] == 0 and found["suggestion"] == meant
    assert archive_of_words("search", typed).stdout.strip() == f"No articles match '{typed}'. Did you mean: {meant}?"
