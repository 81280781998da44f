"""A long article costs a small multiple of its size in memory, and one past the limit is refused, saying the limit."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from newsarchive.ingest import neardup, reading
from newsarchive.ingest.draft import ArticleDraft, Block

LIMIT = 4096  # MAX_TEXT_BYTES, lowered to keep the test fast


def _paragraphs(subject: str, count: int) -> list[str]:
    return [f"{subject} paragraph {n}: the council met on Tuesday and argued about the harbour wall." for n in range(count)]


def test_an_article_whose_text_is_over_the_limit_is_refused_saying_the_limit(
    archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_TEXT_BYTES", LIMIT)
    folder = tmp_path / "in"
    folder.mkdir()
    long_body = _paragraphs("Harbour", 60)  # 5.2 KB: over the limit in every format
    (folder / "long.txt").write_text("Harbour wall\n\n" + "\n\n".join(long_body) + "\n")
    (folder / "short.txt").write_text("Ferry returns\n\n" + "\n\n".join(_paragraphs("Ferry", 3)) + "\n")
    page = "".join(f"<p>{text}</p>" for text in long_body)
    (folder / "long.html").write_text(
        f"<!DOCTYPE html><html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{page}</article></body></html>"
    )
    records = [
        {"title": "Harbour wall", "maintext": "\n".join(long_body)},
        {"title": "Ferry returns", "maintext": "\n".join(_paragraphs("Ferry", 3))},
    ]
    (folder / "news.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))

    result = archive("ingest", folder, expect=1)

    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    why = "text too large (0.0 MB): more than 0.00390625 MB, the limit for an article's text"
    assert errors == [
        f"error: {folder / 'long.html'}: {why}",
        f"error: {folder / 'long.txt'}: {why}",
        f"error: {folder / 'news.jsonl'}: line 1: {why}",
    ]
    assert "2 new" in result.stdout
    assert sorted(row["title"] for row in json.loads(archive("list", "--json").stdout)["articles"]) == [
        "Ferry returns",
        "Ferry returns",
    ]


def test_the_content_hash_of_a_long_paragraph_takes_no_copies_of_it() -> None:
    # One paragraph of 2 MB: split into a list of words, it took eleven times that.
    words = " ".join(f"word{n % 1000}" for n in range(250_000))
    draft = ArticleDraft(title="Long", description=None, blocks=(Block("paragraph", words),))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        found = draft.content_hash()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
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
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        neardup.sketch(text)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000
