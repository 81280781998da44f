"""An article's search row for the PostgreSQL engine, made without a server: its tsvector literal and columns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsarchive.engines.postgres.engine import server_url
from newsarchive.engines.postgres.rows import LAST_POSITION, lexeme, vector, vector_and_terms
from newsarchive.engines.postgres.schema import BODY_FROM, LEDE_FROM
from newsarchive.engines.postgres.vocabulary import distance, like_prefix
from newsarchive.engines.postgres.writing import row
from newsarchive.engines.protocol import Document
from newsarchive.errors import ConfigError


def test_each_field_has_its_weight_and_its_own_positions() -> None:
    assert vector("Oil prices", "Prices rise", "Oil rose.", "en") == (
        f"'oil':1A,{BODY_FROM}C 'price':2A,{LEDE_FROM}B 'rise':{LEDE_FROM + 1}B 'rose':{BODY_FROM + 1}C"
    )


def test_the_terms_are_given_with_the_vector() -> None:
    literal, terms = vector_and_terms("Kyoto talks", "", "Talks in Kyoto went on.", "en")
    assert sorted(terms) == ["kyoto", "talk", "went"] and literal.startswith("'kyoto':1A,")


def test_a_word_past_the_last_position_takes_it_once() -> None:
    body = " ".join(f"w{number}x" for number in range(LAST_POSITION)) + " kyoto kyoto"
    assert f" 'kyoto':{LAST_POSITION}C" in vector("", "", body, "en")


def test_quotes_and_backslashes_are_escaped_in_lexemes() -> None:
    assert lexeme("o'brien") == "'o''brien'" and lexeme(b"a\\b") == "'a\\\\b'"


def test_a_documents_row_holds_its_columns_and_group() -> None:
    document = Document(
        id="b", title="Copy", description="", body="text", published=datetime(2024, 1, 2, 9), precision="minute",
        source="bbc", revision=3, authors=("Ann Lee",), language="en", duplicate_of="a", offset=60,
    )  # fmt: skip
    values, terms = row(document)
    assert values == ("b", "'copi':1A 'text':2001C", datetime(2024, 1, 2, 9, tzinfo=UTC), "minute", 60, "bbc", "en", ["Ann Lee"], "a", 3)
    assert sorted(terms) == ["copi", "text"]


def test_sqlalchemy_urls_become_server_urls() -> None:
    assert server_url("postgresql+psycopg://u:p%40ss@db:5433/news?sslmode=require") == "postgresql://u:p%40ss@db:5433/news?sslmode=require"
    with pytest.raises(ConfigError, match="PostgreSQL database"):
        server_url("sqlite:////tmp/archive.db")


@pytest.mark.parametrize(
    ("first", "second", "limit", "expected"),
    [("government", "goverment", 2, 1), ("kitten", "sitting", 3, 3), ("kitten", "sitting", 2, 3), ("cat", "cat", 0, 0), ("ab", "abcd", 1, 2)],
)
def test_distance_is_levenshteins_up_to_its_limit(first: str, second: str, limit: int, expected: int) -> None:
    assert distance(first, second, limit) == expected


def test_like_prefix_escapes_the_pattern_characters() -> None:
    assert like_prefix("5%_a\\") == "5\\%\\_a\\\\%"
