"""Whoosh's W3 codec with writers that take a term's postings whole: the door ``BulkWriter`` writes through.

Whoosh lets a writer choose its codec (``SegmentWriter(codec=...)``), and
the codec makes the writers of a segment's files. ``BulkCodec`` makes
subclasses of Whoosh's own: a postings writer that writes a term's blocks
from whole arrays (rather than a call per posting) with a newer pickle
protocol, and a per-document writer whose stored-fields column also takes
fields as another segment holds them. Each changes only its own state, in
methods it adds or overrides. The files are Whoosh's W3 format, and the
segments name Whoosh's own ``W3Codec`` as the one that reads them.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocWriter,
    W3PostingsWriter,
    W3Segment,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.util.numeric import length_to_byte

from newsarchive.engines.whoosh.postings import LENGTH_OF_BYTE, length_bytes

#: Whoosh pickles each posting block with protocol 2, in which every bytes
#: value (a document's positions) is rebuilt by a call to codecs.encode on
#: loading. Protocol 5 stores bytes as they are: a block pickles and
#: unpickles about eight times faster and takes 40% less space, and any
#: Whoosh reader loads it (pickle.loads reads every protocol).
BLOCK_PROTOCOL = 5
#: Smaller blocks are stored as they are (each block says whether it is
#: compressed). Most terms are rare words with a posting or two: zlib saves
#: them nothing, and costs ~10 us a block to write and to read. (Whoosh means
#: to skip blocks under 20 bytes, but a slip in its code compresses them all.)
COMPRESS_FROM = 128
#: The column of each document's stored fields.
STORED_FIELDS = "_stored"


class BulkCodec(W3Codec):
    """``W3Codec`` whose field and per-document writers are ``BulkFieldWriter`` and ``BulkPerDocWriter``."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = 1) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)
        self.settings = {"blocklimit": blocklimit, "compression": compression, "inlinelimit": inlinelimit}

    def per_document_writer(self, storage, segment) -> BulkPerDocWriter:  # type: ignore[no-untyped-def]
        return BulkPerDocWriter(self, storage, segment)

    def field_writer(self, storage, segment) -> BulkFieldWriter:  # type: ignore[no-untyped-def]
        return BulkFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids: bool = False) -> BlockWriter:  # type: ignore[no-untyped-def]
        return BlockWriter(dbfile, byteids=byteids, **self.settings)

    def new_segment(self, storage, indexname: str) -> W3Segment:  # type: ignore[no-untyped-def]
        # A segment records the codec that reads it (pickled into the table of
        # contents): Whoosh's own reads these files, so indexes stay plain Whoosh.
        return W3Segment(W3Codec(**self.settings), indexname)


class BlockWriter(W3PostingsWriter):
    """Whoosh's postings writer, that also takes a term's postings whole and writes its blocks with protocol 5."""

    def add_blocks(self, docs: array, weights: array, values: list[bytes], lengths: list[int] | None) -> None:
        """All the postings of the term begun by ``start_postings``, in document order, split into blocks as
        ``add_posting`` would split them; ``lengths``: each document's field length as the segment stores it."""
        limit = self._blocklimit
        for start in range(0, len(docs), limit):
            block_docs = docs[start : start + limit]
            block_weights = weights[start : start + limit]
            self._ids = block_docs
            self._weights = block_weights
            self._values = [value for value in values[start : start + limit] if value]
            self._maxweight = max(0, max(block_weights))
            known = [length for length in (lengths[docnum] for docnum in block_docs) if length] if lengths else []
            self._minlength = min(known) if known else None
            self._maxlength = max(known) if known else 0
            self._write_block(last=start + limit >= len(docs))

    def _write_block(self, last: bool = False) -> None:
        """Whoosh's, with a newer pickle protocol and small blocks left uncompressed; Whoosh reads either."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, BLOCK_PROTOCOL)
        compression = self._compression if len(databytes) >= COMPRESS_FROM else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, BLOCK_PROTOCOL)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class TermPostings:
    """Postings grouped by term: (field, term, docnums, weights, values), in field and term order.

    What ``bulk.MemoryPool.iter_postings`` gives ``SegmentWriter`` to hand to
    the field writer: ``BulkFieldWriter`` writes it a term at a time; any
    other field writer iterates it, one (field, term, docnum, weight,
    value) at a time, as it iterates Whoosh's own pool.
    """

    def __init__(self, terms: Iterable[tuple[str, bytes, array, array, list[bytes]]]) -> None:
        self.terms = terms

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, btext, docs, weights, values in self.terms:
            for docnum, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value


class BulkFieldWriter(W3FieldWriter):
    """Whoosh's term index and postings writer, that also takes a term's postings whole."""

    def add_postings(self, schema, lengths, items) -> None:  # type: ignore[no-untyped-def]
        """Whoosh's way in (``SegmentWriter`` hands it the pool's postings): ``TermPostings`` a term at a time.

        ``lengths`` is the new segment's per-document reader, for the field
        lengths that each block records the least and most of.
        """
        if not isinstance(items, TermPostings):
            super().add_postings(schema, lengths, items)
            return
        current = None
        field_lengths: list[int] | None = None
        for fieldname, btext, docs, weights, values in items.terms:
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                current = fieldname
                self.start_field(fieldname, schema[fieldname])
                field_lengths = _stored_lengths(lengths, fieldname)
            self.add_term(btext, docs, weights, values, field_lengths)
        if current is not None:
            self.finish_field()

    def add_term(
        self, btext: bytes, docs: array, weights: array, values: list[bytes], lengths: list[int] | None
    ) -> None:
        """A term of the field begun by ``start_field`` with all its postings (see ``BlockWriter.add_blocks``)."""
        self.start_term(btext)
        self._postwriter.add_blocks(docs, weights, values, lengths)
        self.finish_term()


def _stored_lengths(lengths, fieldname: str) -> list[int] | None:  # type: ignore[no-untyped-def]
    """Each document's length of ``fieldname`` as the segment stores it (rounded to a byte); None if it stores none."""
    found = length_bytes(lengths, fieldname, lengths.doc_count_all()) if lengths is not None else None
    return [LENGTH_OF_BYTE[byte] for byte in found] if found is not None else None


class Written(bytes):
    """A document's stored fields as a segment holds them: pickled and compressed."""


class _StoredFieldsWriter(CompressedBytesColumn.Writer):
    """Whoosh's stored-fields column (``PickleColumn(CompressedBytesColumn())``: protocol 2, zlib level 3), that
    also takes fields already ``Written``: unpickling and compressing them again was a third of a merge's time."""

    def __init__(self, dbfile) -> None:  # type: ignore[no-untyped-def]
        super().__init__(dbfile, 3, "zlib")

    def add(self, docnum: int, v: Any) -> None:
        if isinstance(v, Written):
            VarBytesColumn.Writer.add(self, docnum, bytes(v))  # (the bytes as they are, not compressed again)
        else:
            super().add(docnum, pickle.dumps(v, 2) if v is not None else b"")


class _StoredFields(PickleColumn):
    """The stored-fields column, read as Whoosh's (same bytes), written by ``_StoredFieldsWriter``."""

    def __init__(self) -> None:
        super().__init__(CompressedBytesColumn())

    def writer(self, dbfile) -> _StoredFieldsWriter:  # type: ignore[no-untyped-def]
        return _StoredFieldsWriter(dbfile)


STORED_FIELDS_COLUMN = _StoredFields()


class BulkPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, whose stored-fields column also takes fields ``Written`` by another segment."""

    def _create_column(self, fieldname: str, column) -> None:  # type: ignore[no-untyped-def]
        # (Whoosh's hook for the columns a per-document writer makes: its own __init__ makes this one.)
        super()._create_column(fieldname, STORED_FIELDS_COLUMN if fieldname == STORED_FIELDS else column)

    def add_written_fields(self, written: bytes) -> None:
        """The current document's stored fields, as another segment holds them (in place of ``add_field`` values)."""
        if written:
            self.add_column_value(STORED_FIELDS, STORED_FIELDS_COLUMN, Written(written))
