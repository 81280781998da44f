"""How far a stem is from a word typed: the measure behind Did you mean."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.text.spelling import stem_distance


@pytest.mark.parametrize(
    "stem, word, edits",
    [
        ("elect", "election", 0),  # the stemmer leaves off up to four letters of a word: no edit
        ("elect", "electoin", 0),  # (the written words are compared after: "election" is one swap away)
        ("arsen", "arsnal", 1),
        ("arena", "arsnal", 1),  # as close as a stem as "arsen": the written words decide
        ("govern", "government", 0),
        ("presid", "presdient", 1),  # "president" with two letters swapped: the stemmer's cut is not where typed
        ("unit", "uneted", 1),  # "united" with a letter changed
        ("pre", "presdient", 2),  # a start five letters short: two of them count
        ("kursk", "kursk", 0),
        ("kurks", "kursk", 1),  # a swap is one edit
        ("minist", "minstr", 1),  # "minst" with an i put in
        ("brown", "uneted", 3),  # beyond reach (2): the limit plus one
    ],
)
def test_stem_distance(stem: str, word: str, edits: int) -> None:
    assert stem_distance(stem, word, 2) == edits


def _table_distance(one: str, other: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein as Whoosh counts it), by the textbook table."""
    rows = [[x + y if not x or not y else 0 for y in range(len(other) + 1)] for x in range(len(one) + 1)]
    for x in range(1, len(one) + 1):
        for y in range(1, len(other) + 1):
            rows[x][y] = min(rows[x - 1][y] + 1, rows[x][y - 1] + 1, rows[x - 1][y - 1] + (one[x - 1] != other[y - 1]))
            if x > 1 and y > 1 and one[x - 1] == other[y - 2] and one[x - 2] == other[y - 1]:
                rows[x][y] = min(rows[x][y], rows[x - 2][y - 2] + 1)
    return rows[-1][-1]


@settings(max_examples=400, deadline=None)
@given(st.text("abcdé", max_size=9), st.text("abcdé", max_size=9), st.integers(0, 3), st.integers(0, 4))
def test_stem_distance_is_the_closest_start_within_the_limit(stem: str, word: str, limit: int, suffix: int) -> None:
    starts = [word[: len(word) - cut] for cut in range(min(suffix, len(word)) + 1)]
    assert stem_distance(stem, word, limit, suffix) == min(limit + 1, *(_table_distance(stem, start) for start in starts))
