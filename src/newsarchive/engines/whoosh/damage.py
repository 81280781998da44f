"""Finding damage in the search index: every segment read back whole.

A search reads only the parts of the index it needs, and a damaged part
(a file cut short, flipped bytes) shows as whatever the decoder of that part
raises: ``ValueError``, ``zlib.error``, an unpickling error, ``struct.error``.
``index_damage`` reads every posting list, stored field, column and length
of every segment; ``damaged`` turns a failed read of the index into
``IndexDamaged`` when the index is found damaged (the engine's reads go
through it), and lets any other failure (a bug) through as it is. Searches
pay nothing for it until one fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsarchive.engines.whoosh.failures import REPAIR_HINT, reason
from newsarchive.engines.whoosh.files import open_index
from newsarchive.errors import ArchiveError, IndexDamaged, IndexUnavailable


def index_damage(path: Path) -> list[str]:
    """One line for each damaged part of the index at ``path``; empty when everything reads back."""
    from newsarchive.engines.whoosh.segments import index_segments

    try:
        ix = open_index(path)
    except IndexUnavailable as exc:  # (IndexDamaged among them)
        return [exc.message]
    try:
        problems: list[str] = []
        for segment in index_segments(ix):
            problems.extend(_segment_damage(ix, segment))
        return problems
    finally:
        ix.close()


def _segment_damage(ix, segment) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from whoosh.reading import SegmentReader

    name = f"segment {segment.segment_id()}"
    try:
        reader = SegmentReader(ix.storage, ix.schema, segment)
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises is the finding
        yield f"{name}: cannot be opened ({reason(exc)})"
        return
    try:
        try:
            missing = _missing_columns(ix, segment, reader)
        except Exception:  # noqa: BLE001 - (what it reads is damaged: the parts below say which)
            missing = []
        if missing:
            yield f"{name}: its column files for {', '.join(missing)} are missing"
        for part, read in (
            ("postings", _read_postings),
            ("stored fields", _read_stored),
            ("columns", _read_columns),
            ("field lengths", _read_lengths),
        ):
            try:
                read(reader)
            except Exception as exc:  # noqa: BLE001
                yield f"{name}: its {part} do not read back ({reason(exc)})"
    finally:
        reader.close()


#: Column-only fields (not indexed, so no term tells) that every document has a value for.
_EVERY_DOCUMENT = ("revision",)


def _missing_columns(ix, segment, reader) -> list[str]:  # type: ignore[no-untyped-def]
    """The columns the segment should have and has no file for.

    Whoosh writes a column only for a field some document of the segment has,
    and reads a column whose file is gone as a column of defaults (a search
    sorts, folds and counts facets wrongly) or fails far from the cause. A
    field that has terms in the segment has its column; a scorable field
    with a length has its lengths; a column every document has is there;
    and a day-precision date gives the written day's column.
    """
    from whoosh.codec.whoosh3 import W3Codec

    if not reader.doc_count_all():
        return []
    schema = reader.schema
    wanted = [name for name in _EVERY_DOCUMENT if name in schema]
    for name in reader.indexed_field_names():
        if name in schema and schema[name].column_type is not None:
            wanted.append(name)
    wanted += [f"_{name}_len" for name in schema.scorable_names() if reader.field_length(name)]
    if "written_day" in schema and any(
        fields.get("precision") == "day" and fields.get("published") is not None for fields in reader.all_stored_fields()
    ):
        wanted.append("written_day")
    # (A small segment may keep its files in one compound file: they are looked for there.)
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    try:
        return [name for name in wanted if not storage.file_exists(W3Codec.column_filename(segment, name))]
    finally:
        if storage is not ix.storage:
            storage.close()


def _read_postings(reader) -> None:  # type: ignore[no-untyped-def]
    from newsarchive.engines.whoosh.postings import read_postings

    documents = reader.doc_count_all()
    # (Where postings are read through Whoosh's matcher, deleted documents may be left out of the count.)
    counted = not reader.has_deletions()
    for fieldname in reader.indexed_field_names():
        for text, info in reader.iter_field(fieldname, b""):
            ids, _, _ = read_postings(reader, fieldname, text, info)
            if (counted and len(ids) != info.doc_frequency()) or (ids and not 0 <= min(ids) <= max(ids) < documents):
                raise ValueError(f"the postings of {fieldname}:{text!r} do not match their term")


def _read_stored(reader) -> None:  # type: ignore[no-untyped-def]
    for docnum in range(reader.doc_count_all()):
        reader.stored_fields(docnum)


def _read_columns(reader) -> None:  # type: ignore[no-untyped-def]
    documents = reader.doc_count_all()
    for fieldname in reader.schema.names():
        if reader.has_column(fieldname):
            column = reader.column_reader(fieldname, translate=False)
            for docnum in range(documents):
                column[docnum]


def _read_lengths(reader) -> None:  # type: ignore[no-untyped-def]
    documents = reader.doc_count_all()
    for fieldname in reader.schema.scorable_names():
        for docnum in range(documents):
            reader.doc_field_length(docnum, fieldname)


def damaged(path: Path, failure: BaseException) -> IndexDamaged | None:
    """``IndexDamaged`` for this failure of a read of the index at ``path``, if the index is damaged."""
    if isinstance(failure, ArchiveError):
        return None
    problems = index_damage(path)
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return IndexDamaged(f"the search index is damaged: {problems[0]}{more}", hint=REPAIR_HINT)
