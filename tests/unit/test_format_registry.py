"""The registry of formats: every entry names a reader and a limit that exist, and claims its own suffixes."""

from __future__ import annotations

import pytest

from newsarchive.reading import FORMATS
from newsarchive.reading.formats.registry import ENTRIES, Format, names
from newsarchive.reading.formats.sniff import detect_format, named_format


def test_the_formats_the_cli_offers_are_the_registry_s() -> None:
    assert FORMATS == names() == ("text", "json", "jsonl", "html", "feed", "warc")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_every_entry_names_a_reader_and_a_limit_that_exist(entry: Format) -> None:
    reader = entry.stream_reader() if entry.streamed else entry.whole_reader()
    assert callable(reader)
    # a format read whole that names no limit of its own holds one article
    assert entry.whole_limit(1000) == 1000 if entry.limit is None else entry.whole_limit(1000) > 1000


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_every_suffix_names_its_format_and_a_weak_one_needs_the_content(entry: Format) -> None:
    for suffix in entry.suffixes:
        assert named_format(f"story{suffix}") == entry.name
        assert named_format(f"STORY{suffix.upper()}") == entry.name
        assert named_format(f"story{suffix}.gz") == (None if suffix.endswith(".gz") else entry.name)
    for suffix in entry.weak_suffixes:
        assert named_format(f"story{suffix}") is None
        assert detect_format(f"story{suffix}", b"Storm hits coast\n") is None
