"""How far a stem is from a word typed: the measure behind Did you mean."""

from __future__ import annotations

import pytest

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
