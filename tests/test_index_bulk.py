"""BulkWriter writes the very segment files Whoosh's own SegmentWriter writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests._shared import bbc_path
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from newsarchive.index.bulk import BulkWriter
from newsarchive.index.schema import build_schema

ARTICLES = [f"{topic}/{number:03d}.txt" for topic in ("business", "politics", "sport") for number in range(1, 21)]


def _documents(start: int, stop: int) -> list[dict[str, object]]:
    documents = []
    for number, name in enumerate(ARTICLES[start:stop], start=start):
        title, _, body = bbc_path(*name.split("/")).read_text(encoding="utf-8", errors="replace").partition("\n")
        documents.append(
            {
                "id": f"{number:012x}",
                "title": title,
                "description": body.strip().partition("\n")[0],
                "body": body,
                "dated": number % 2,
                "year": str(2020 + number % 3),
                "group": f"{number // 4:012x}",
                "revision": 1,
                "author": "Jane Doe,John Roe" if number % 5 == 0 else None,
            }
        )
    return [{key: value for key, value in doc.items() if value is not None} for doc in documents]


def _segment_files(folder: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, bytes]:
    # Segment files are named MAIN_<random id>.<kind>: compare them by kind.
    return {
        path.name.split(".", 1)[1]: path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith("MAIN_") and "." in path.name and path.name not in leave_out
    }


def _build(folder: Path, writer_class: type[SegmentWriter], earlier: Path | None, **commit: bool) -> dict[str, bytes]:
    if earlier is not None:
        shutil.copytree(earlier, folder)
        ix = whoosh_index.open_dir(str(folder))
    else:
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
    before = frozenset(path.name for path in folder.iterdir())
    writer = writer_class(ix, compound=False)
    if earlier is not None:
        writer.delete_by_term("id", f"{3:012x}")
    for doc in _documents(30, 60):
        writer.add_document(**doc)
    writer.commit(**commit)
    ix.close()
    return _segment_files(folder, leave_out=before)


def test_a_new_segment_is_byte_for_byte_whoosh_own(tmp_path: Path) -> None:
    ours = _build(tmp_path / "bulk", BulkWriter, None, merge=False)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, None, merge=False)
    assert set(ours) >= {"pst", "trm", "_stored.col", "_body_len.col", "id.col"}
    assert ours == theirs


@pytest.mark.parametrize("commit", [{"optimize": True}, {"merge": False}])
def test_merging_earlier_segments_gives_whoosh_own_files(tmp_path: Path, commit: dict[str, bool]) -> None:
    # Three earlier segments, one with a deletion: optimize feeds their postings through the pool too.
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    ix = whoosh_index.create_in(str(earlier), build_schema())
    for start in range(0, 30, 10):
        with ix.writer() as writer:
            writer.merge = False
            for doc in _documents(start, start + 10):
                writer.add_document(**doc)
    ix.close()
    ours = _build(tmp_path / "bulk", BulkWriter, earlier, **commit)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, earlier, **commit)
    assert ours and ours == theirs
