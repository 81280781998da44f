"""A long article costs a small multiple of its size in memory (the refusal past the limit: e2e/test_article_limits.py)."""

from __future__ import annotations

import pytest

from _memory import peak_memory
from newsarchive.reading import files as reading
from newsarchive.reading import neardup
from newsarchive.reading.draft import ArticleDraft, Block


def _paragraphs(subject: str, count: int) -> list[str]:
    return [f"{subject} paragraph {n}: the council met on Tuesday and argued about the harbour wall." for n in range(count)]


def test_the_content_hash_of_a_long_paragraph_takes_no_copies_of_it() -> None:
    # One paragraph of 2 MB: split into a list of words, it took eleven times that.
    words = " ".join(f"word{n % 1000}" for n in range(250_000))
    draft = ArticleDraft(title="Long", description=None, blocks=(Block("paragraph", words),))
    found, peak = peak_memory(draft.content_hash)
    spaced = ArticleDraft(title=" Long ", description=None, blocks=(Block("paragraph", words.replace(" ", " \t ")),))
    assert found == spaced.content_hash()
    assert peak < 4 * len(words)  # the paragraph with its kind, normalised, and encoded


@pytest.mark.parametrize("chars", [0, 5, 11, 12, 13, 40, 1000])
def test_the_sketch_reads_the_start_of_the_body_as_joined(chars: int) -> None:
    blocks = (Block("paragraph", "First block"), Block("heading", "Second"), Block("paragraph", "Third one"))
    draft = ArticleDraft(title="T", description=None, blocks=blocks)
    assert reading._body_start(draft, chars) == draft.body_text[:chars]


def test_a_long_text_is_sketched_a_piece_at_a_time_as_it_would_be_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(f"Kursk{n % 97} talks{n % 89}, prime minister said" for n in range(300)) + " ΑΣ. ΒΣ end"
    whole = neardup.sketch(text)
    monkeypatch.setattr(neardup, "PIECE_CHARS", 30)  # shingles span pieces everywhere
    assert neardup.sketch(text) == whole
    assert neardup.sketch("too few words " * 3) is None


def test_sketching_a_long_text_takes_what_one_piece_takes() -> None:
    # As much as is sketched of a long article: its words and shingles at once took 23 MB.
    text = " ".join(f"word{n % 5000} said{n % 7}" for n in range(70_000))[: reading.SKETCHED_CHARS]
    _, peak = peak_memory(lambda: neardup.sketch(text))
    assert peak < 4_000_000
