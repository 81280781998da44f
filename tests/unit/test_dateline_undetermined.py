"""An article too short to tell its language still has its dateline read, where its letters leave
languages that agree on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsarchive.reading.dateline import find_agreed_dateline
from newsarchive.reading.formats.text import parse_text_article
from newsarchive.reading.language import UNDETERMINED, script_languages


@pytest.mark.parametrize(
    ("text", "written", "at"),
    [
        ("Курск\n\n10 ноября 2024 09:13\n\nБои идут.\n", "10 ноября 2024 09:13", datetime(2024, 11, 10, 9, 13, tzinfo=UTC)),
        ("Курск\n\n10 ноября 2024\n\nБои.\n", "10 ноября 2024", datetime(2024, 11, 10, tzinfo=UTC)),
        # (Russian and Ukrainian both write the day first: they agree.)
        ("Курск\n\n10.11.2024 09:13\n\nБои идут.\n", "10.11.2024 09:13", datetime(2024, 11, 10, 9, 13, tzinfo=UTC)),
    ],
)
def test_a_short_cyrillic_article_has_its_dateline_read(text: str, written: str, at: datetime) -> None:
    draft = parse_text_article(text)
    assert draft.language == UNDETERMINED
    assert draft.published is not None and (draft.published.text, draft.published.at) == (written, at)


def test_a_short_latin_article_keeps_the_english_rules() -> None:
    # Many languages write Latin letters, month first or day first: nothing decides "10.11.2024".
    draft = parse_text_article("Kursk\n\n10.11.2024 09:13\n\nOK then.\n")
    assert (draft.language, draft.published) == (UNDETERMINED, None)


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("Курск. Бои.", ("ru", "uk")),
        ("Съезд. Бои.", ("ru",)),
        ("Київ. Бій.", ("uk",)),
        ("Αθήνα. Συνάντηση.", ("el",)),
        ("Kursk. Курск.", ()),
        ("12345", ()),
    ],
)
def test_the_letters_leave_languages_only_for_a_text_mostly_in_one_script(text: str, languages: tuple[str, ...]) -> None:
    assert script_languages(text) == languages


def test_languages_that_read_different_datelines_give_none() -> None:
    lines = ["Курск", "10 ноября 2024", "11 листопада 2024", "Бои."]
    assert find_agreed_dateline(lines, start=1, languages=("ru", "uk")) is None
    found = find_agreed_dateline(lines, start=1, languages=("ru",))
    assert found is not None and found[0] == 1
    assert find_agreed_dateline(lines[:2] + lines[3:], start=1, languages=("ru", "uk")) is not None
    assert find_agreed_dateline(["Київ", "11 листопада 2024"], start=1, languages=("ru",)) is None
