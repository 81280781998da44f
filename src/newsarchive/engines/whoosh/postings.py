"""A term's postings in one segment, read whole: a posting block at a time, straight from the mapped file.

Whoosh reads postings through a matcher object that steps one document at a
time. Counting, filtering, ranking and merging all want a term's postings
whole, so they are read here block by block; ``Postings`` keeps what one
search has read, so that ranking reuses what matching read.

Whoosh has no public way to read a posting block or a column whole: this
module reads them in the layout Whoosh's W3 codec writes (``codec`` writes
blocks the same way), the one place outside Whoosh that knows it. Verified
against whoosh-reloaded 2.7.5, the release ``release.check_release``
insists on; the parity tests (tests/integration/test_index_*.py) hold these
reads to Whoosh's own matchers.
"""

from __future__ import annotations

import io
import mmap
import pickle
import struct
import sys
import zlib
from array import array
from itertools import accumulate, repeat
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

if TYPE_CHECKING:
    from newsarchive.query.budget import Budget

_BLOCK_LENGTH = struct.Struct("!i")
#: The field length each stored length byte stands for (0 for none).
LENGTH_OF_BYTE = [byte_to_length(byte) if byte else 0 for byte in range(256)]
#: Each segment reader's postings file, mapped (None: not mapped, or not Whoosh's W3 layout).
_MAPPED: WeakKeyDictionary = WeakKeyDictionary()


class Postings:
    """Term postings read during one search: ranking reuses what matching read.

    With a ``budget`` (``query.Budget``), each read first checks that the
    search still has time: reading postings is what a costly query does most.
    """

    def __init__(self, budget: Budget | None = None) -> None:
        self._read: dict[tuple[int, str, object], tuple[list[int], list[float], list[bytes]]] = {}
        #: (id(segment reader), phrase) -> where the phrase stands in the segment (``matching.phrase_docnums``).
        self.phrases: dict[tuple[int, object], set[int]] = {}
        self.budget = budget

    def of(self, reader, fieldname: str, text: str | bytes) -> tuple[list[int], list[float], list[bytes]]:  # type: ignore[no-untyped-def]
        """The term's segment docnums (deleted ones included), weights and encoded values, in docnum order."""
        key = (id(reader), fieldname, text)
        found = self._read.get(key)
        if found is None:
            self.check()
            found = self._read[key] = read_postings(reader, fieldname, text)
        return found

    def check(self) -> None:
        """Stop the search (SearchTimeout) if its time is spent."""
        if self.budget is not None:
            self.budget.check()


def read_postings(reader, fieldname: str, text: str | bytes, info=None) -> tuple[list[int], list[float], list[bytes]]:  # type: ignore[no-untyped-def]
    """A term's postings in one segment (``info``: its term info, if known), read a whole block at a time."""
    mapped = mapped_postings(reader)
    if mapped is not None:
        if info is None:
            try:
                info = reader.term_info(fieldname, text)
            except TermNotFound:
                return [], [], []
        if not info.is_inlined():
            return read_blocks(mapped, info.extent()[0], reader.schema[fieldname].format.fixed_value_size())
    if (fieldname, text) not in reader:
        return [], [], []
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # it leaves out deleted documents: matching_docnums does that
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return ids, weights, values


def read_blocks(postings: mmap.mmap, offset: int, value_size: int | None) -> tuple[list[int], list[float], list[bytes]]:
    """The postings of the term whose blocks start at ``offset`` of a mapped postings file (deleted documents included).

    Whoosh's own ``W3LeafMatcher`` walk, without the matcher: each block is
    its length (negative for the last), a pickled header, then its pickled
    (and maybe compressed) ids as gaps, weights and values.
    """
    if postings[offset : offset + 4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no posting blocks at offset {offset}")
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    position = offset + 4
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(postings, position)
        start = position + 4
        position = start + abs(length)
        block = io.BytesIO(postings[start:position])
        count, _, _, compression, _, _ = pickle.load(block)
        data = block.read()
        gaps, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
        ids.extend(accumulate(gaps))
        if block_weights is None:  # (Whoosh's shorthands for "all 1.0" and "all the same")
            weights.extend(repeat(1.0, count))
        elif isinstance(block_weights, float):
            weights.extend(repeat(block_weights, count))
        else:
            weights.extend(block_weights)
        if value_size is None or value_size < 0:
            values.extend(block_values)
        elif value_size == 0:
            values.extend(repeat(None, count))  # type: ignore[arg-type]
        else:
            values.extend(block_values[at : at + value_size] for at in range(0, len(block_values), value_size))
        if length < 0:
            return ids, weights, values


def mapped_postings(reader) -> mmap.mmap | None:  # type: ignore[no-untyped-def]
    """The segment's postings file as a memory map, if the reader's storage maps files (the archive's does); cached.

    Opened through the segment (Whoosh's ``Segment.open_file``), as its own
    terms reader opens it.
    """
    try:
        return _MAPPED[reader]
    except KeyError:
        pass
    found = None
    if isinstance(reader, SegmentReader) and type(reader.codec()) is W3Codec:
        opened = reader.segment().open_file(reader.storage(), W3Codec.POSTS_EXT)
        found = getattr(opened, "file", None)  # (a StructFile's file object: the map itself, when mapped)
        if not isinstance(found, mmap.mmap):
            opened.close()
            found = None
    _MAPPED[reader] = found
    return found


def column_values(column: columns.NumericColumn.Reader) -> array:
    """Every value a segment's numeric column stores, read at once (documents past its end have none)."""
    values = array(column._typecode)
    values.frombytes(column._dbfile.get(column._basepos, column._count * values.itemsize))
    if sys.byteorder == "little":  # stored big-endian
        values.byteswap()
    return values


def length_column(fieldname: str) -> str:
    """The name of the column of a field's length bytes in a W3 segment (Whoosh's ``whoosh3._lenfield``)."""
    return f"_{fieldname}_len"


def length_bytes(perdoc, fieldname: str, documents: int) -> array | None:  # type: ignore[no-untyped-def]
    """Each of a segment's ``documents`` stored length byte of ``fieldname`` (0 for those past the column's end).

    None if the segment keeps no lengths of the field. ``perdoc`` is the
    segment's per-document reader (``per_document_reader``).
    """
    name = length_column(fieldname)
    if not perdoc.has_column(name):
        return None
    found = column_values(perdoc.column_reader(name, LENGTHS_COLUMN))
    found.extend(repeat(0, documents - len(found)))
    return found


def per_document_reader(reader):  # type: ignore[no-untyped-def]
    """A new per-document reader of a segment reader's segment (close it): its length columns by name."""
    return reader.codec().per_document_reader(reader.storage(), reader.segment())


def segment_length_bytes(reader, fieldname: str) -> array | None:  # type: ignore[no-untyped-def]
    """``length_bytes`` of a segment reader's segment, for each of its documents."""
    perdoc = per_document_reader(reader)
    try:
        return length_bytes(perdoc, fieldname, reader.doc_count_all())
    finally:
        perdoc.close()
