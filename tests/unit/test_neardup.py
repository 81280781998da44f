"""Near-duplicate lookups: exact as before, and a cost per article that does not grow with the archive."""

from __future__ import annotations

import random

import pytest

from newsarchive.reading import neardup
from newsarchive.reading.neardup import NearDuplicates, similarity, sketch

WORDS = (
    "minister harbour council budget storm election police court railway hospital school vote market "
    "strike river bridge festival museum airport factory union farmers village mayor ferry"
).split()


def story(number: int, words: int = 60) -> str:
    """A text of its own for each number: the same words in an order the number decides."""
    rng = random.Random(number)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def test_similarity_is_the_bottom_k_estimate() -> None:
    first, copy, other = sketch(story(1)), sketch(story(1) + " and one more line at the end"), sketch(story(2))
    assert first and copy and other
    assert similarity(first, first) == 1.0
    assert similarity(first, copy) >= neardup.SIMILARITY > similarity(first, other)


def test_a_batch_reads_the_sketches_it_needs_in_one_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neardup, "CACHED_SKETCHES", 10)
    stored = {f"a{number}": sketch(story(number)) for number in range(100)}
    loads: list[list[str]] = []

    def load(ids: list[str]) -> dict[str, bytes]:
        loads.append(ids)
        return {article_id: stored[article_id] for article_id in ids}  # type: ignore[misc]

    finder = NearDuplicates(load)
    for article_id, packed in stored.items():
        finder.add(article_id, packed)  # type: ignore[arg-type]
    finder.trim()  # the earlier batches are stored: all but 10 sketches leave memory

    copies = [sketch(story(number) + " with a line added") for number in range(50)]
    finder.prefetch(copies)  # type: ignore[arg-type]
    assert [finder.find(packed) for packed in copies] == [f"a{number}" for number in range(50)]  # type: ignore[arg-type]
    assert len(loads) == 1


def test_the_keys_of_a_removed_original_go_to_the_next_article_that_has_them() -> None:
    """An original replaced (by another machine's earlier one, or deleted) no longer hides its copies' new original."""
    first, second, copy = sketch(story(7)), sketch(story(7) + " with a closing line"), sketch(story(7) + " and a last word")
    assert first and second and copy
    finder = NearDuplicates(lambda _ids: {})
    finder.add("first", first)
    finder.remove("first")
    finder.add("second", second)
    assert finder.find(copy) == "second"
