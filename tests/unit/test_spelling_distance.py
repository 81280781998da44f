"""How far a stem is from a word typed: the measure behind Did you mean."""

from __future__ import annotations

import pytest

from newsarchive.index.explore import stem_distance


@pytest.mark.parametrize(
    "stem, word, edits",
    [
        ("elect", "election", 2),  # the word's end left off: each letter beyond the first is an edit
        ("elect", "electoin", 2),
        ("arsen", "arsnal", 2),
        ("arena", "arsnal", 1),  # closer as a stem than "arsen": the words written are compared after
        ("govern", "government", 3),  # beyond reach (2): the limit plus one
        ("kursk", "kursk", 0),
        ("kurks", "kursk", 1),  # a swap is one edit
        ("minist", "minstr", 1),  # "minst" with an i put in
    ],
)
def test_stem_distance(stem: str, word: str, edits: int) -> None:
    assert stem_distance(stem, word, 2) == edits
