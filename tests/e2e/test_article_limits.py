"""An article past the text limit is refused in every format, saying the limit; the rest is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.reading import files as reading
from test_article_memory import _paragraphs

LIMIT = 4096  # MAX_TEXT_BYTES, lowered to keep the test fast


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
