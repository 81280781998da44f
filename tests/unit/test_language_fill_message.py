"""What filling in the languages of older articles says."""

from __future__ import annotations

from newsarchive.services.languages import filled_message


def test_the_message_names_the_articles_and_the_undated_among_them() -> None:
    assert filled_message(0) == ""
    assert filled_message(3) == "identified the language of 3 articles stored before languages were recorded"
    assert filled_message(1, 1) == (
        "identified the language of 1 article stored before languages were recorded; 1 of them is undated: "
        "`archive ingest --force FOLDER` reads their files again, and datelines in their languages with them"
    )
