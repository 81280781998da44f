"""BulkWriter writes the segment Whoosh's own SegmentWriter writes.

Byte for byte, but for the posting blocks' pickle protocol and compression:
the postings file and the term index (which points into it) are compared by
what they hold, block by block.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests._corpus import articles
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from newsarchive.engines.whoosh.analysis import document_language
from newsarchive.engines.whoosh.bulk import BulkWriter
from newsarchive.engines.whoosh.schema import build_schema, to_fields

#: Made-up articles (``tests._corpus``): short and long, dated and not, copies, words in several scripts.
pytestmark = pytest.mark.no_archive  # (a Whoosh index or files alone: once, not once per stack)


CORPUS = articles(200, seed=4)


def _documents(start: int, stop: int) -> list[dict[str, object]]:
    return [to_fields(doc) for doc in CORPUS[start:stop]]


def _segment_files(folder: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, bytes]:
    # Segment files are named MAIN_<random id>.<kind>: compare them by kind.
    return {
        path.name.split(".", 1)[1]: path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith("MAIN_") and "." in path.name and path.name not in leave_out
    }


def _postings(folder: Path) -> dict[tuple[str, bytes], tuple[object, ...]]:
    """Every term of the newest segment: its statistics and each posting block's header and postings."""
    ix = whoosh_index.open_dir(str(folder))
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[-1][0]
        found = {}
        for fieldname, text in segment.all_terms():
            info = segment.term_info(fieldname, text)
            matcher = segment.postings(fieldname, text)
            matcher = getattr(matcher, "child", matcher)  # (deletions filter)
            blocks = []
            while True:
                matcher._read_ids(), matcher._read_weights(), matcher._read_values()
                # (Not whether the block is compressed: small ones are not, here.)
                header = (matcher._blocklength, matcher._maxid, matcher._maxweight, matcher._minlength, matcher._maxlength)
                blocks.append((header, tuple(matcher._ids), tuple(matcher._weights), tuple(matcher._values or ())))
                if matcher._lastblock:
                    break
                matcher._next_block()
            statistics = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
            found[(fieldname, text)] = (statistics, tuple(blocks))
        return found
    finally:
        ix.close()


def _build(folder: Path, writer_class: type[SegmentWriter], earlier: Path | None, **commit: bool) -> dict[str, object]:
    if earlier is not None:
        shutil.copytree(earlier, folder)
        ix = whoosh_index.open_dir(str(folder))
    else:
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
    before = frozenset(path.name for path in folder.iterdir())
    writer = writer_class(ix, compound=False)
    if earlier is not None:
        writer.delete_by_term("id", CORPUS[3].id)
    for doc in _documents(30, 200):
        with document_language(doc.get("lang")):  # (which Whoosh's own writer needs to be told)
            writer.add_document(**doc)
    writer.commit(**commit)
    ix.close()
    files: dict[str, object] = dict(_segment_files(folder, leave_out=before))
    assert set(files) >= {"pst", "trm", "_stored.col", "_body_len.col", "id.col"}
    del files["pst"], files["trm"]
    files["postings"] = postings = _postings(folder)
    assert any(len(blocks) > 1 for _, blocks in postings.values())  # (common words: lists of several blocks)
    # A merge copies each document's stored fields as they were written; Whoosh's
    # pickles them again, its keys in the order of a set: the same fields, other bytes.
    del files["_stored.col"]
    files["stored"] = _stored_fields(folder)
    return files


def _stored_fields(folder: Path) -> list[dict[str, object]]:
    ix = whoosh_index.open_dir(str(folder))
    try:
        with ix.reader() as reader:
            return list(reader.leaf_readers()[-1][0].all_stored_fields())
    finally:
        ix.close()


@pytest.fixture(scope="module")
def new_segments(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object], dict[str, object]]:
    """A new segment of the same articles written by BulkWriter and by Whoosh's SegmentWriter (folder, ours, theirs)."""
    folder = tmp_path_factory.mktemp("new")
    ours = _build(folder / "bulk", BulkWriter, None, merge=False)
    theirs = _build(folder / "whoosh", SegmentWriter, None, merge=False)
    return folder, ours, theirs


def test_a_new_segment_is_whoosh_own(new_segments: tuple[Path, dict[str, object], dict[str, object]]) -> None:
    folder, ours, theirs = new_segments
    assert len(ours["postings"]) > 1000  # type: ignore[arg-type]
    assert ours == theirs
    # Stored fields newly added are pickled and compressed as Whoosh's own column does: the same bytes.
    assert _segment_files(folder / "bulk")["_stored.col"] == _segment_files(folder / "whoosh")["_stored.col"]


def test_posting_blocks_are_smaller_than_whoosh_own(new_segments: tuple[Path, dict[str, object], dict[str, object]]) -> None:
    folder = new_segments[0]
    ours, theirs = (_segment_files(folder / name)["pst"] for name in ("bulk", "whoosh"))
    assert len(ours) < 0.8 * len(theirs)


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
