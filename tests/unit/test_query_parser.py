"""The query parser on its own, without an archive."""

from __future__ import annotations

import pytest

from newsarchive.errors import InvalidQuery


@pytest.mark.parametrize("query", ["\udcffab~1", "ab\udcff*", "title:ab\udcff*", "source:\udcff", "peace \udcff"])
def test_the_parser_refuses_bytes_that_are_not_utf8(query: str) -> None:
    # (The library's own check, for Python callers; the CLI refuses such arguments before.)
    from newsarchive.engines.whoosh.query import parse_query
    from newsarchive.engines.whoosh.schema import build_schema

    with pytest.raises(InvalidQuery) as refused:
        parse_query(query, build_schema())
    shown = query.replace("\udcff", "\\xff")
    assert str(refused.value) == f"the query '{shown}' holds bytes that are not UTF-8 text (character {query.index(chr(0xDCFF)) + 1})"
