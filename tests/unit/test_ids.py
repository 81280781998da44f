"""An article id as typed: whole, or its first few characters when they name one article."""

from __future__ import annotations

import pytest

from newsarchive.errors import ArticleNotFound
from newsarchive.ids import whole_ids

IDS = ["c3ea11aa00", "c3ea22bb00", "c3eb000000", "d41d8cd98f", "d41d8cd98f00"]


def starting_with(text: str, limit: int) -> list[str]:
    """A store's ids that begin with ``text``, as the database and the index give them: in order, ``limit`` at most."""
    return [found for found in sorted(IDS) if found.startswith(text)][:limit]


def test_an_id_or_the_unique_start_of_one_names_it() -> None:
    typed = ["c3eb", " C3EA11 ", "c3eb000000", "d41d8cd98f"]  # (the last is whole, and the start of another)
    assert whole_ids(typed, starting_with, where="") == ["c3eb000000", "c3ea11aa00", "d41d8cd98f"]


@pytest.mark.parametrize(
    "typed, message",
    [
        (["c3ea"], "id 'c3ea' is the start of several articles: c3ea11aa00, c3ea22bb00"),
        (["d41d"], "id 'd41d' is the start of several articles: d41d8cd98f, d41d8cd98f00"),
        (["c3", "c3eb"], "no article with id 'c3' in the store"),  # shorter than 4: not read as a prefix
        (["zzzz", "c3eb", "d4\udcff"], "no article with id 'zzzz', 'd4\\udcff' in the store"),
    ],
)
def test_an_id_that_names_no_article_or_several_is_refused(typed: list[str], message: str) -> None:
    with pytest.raises(ArticleNotFound) as refused:
        whole_ids(typed, starting_with, where=" in the store")
    assert str(refused.value) == message
