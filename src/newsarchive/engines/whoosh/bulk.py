"""A Whoosh segment writer for bulk loads: postings gathered in memory, written a term at a time.

Whoosh's ``SegmentWriter`` puts every posting into a sorting pool as a
tuple, spills sorted runs to disk when the pool is full, merges them back at
commit and then hands each posting to the codec one call at a time, looking
up the document's field length for each. For an ingest that commits every
few thousand articles, all of that can stay in memory: ``BulkWriter``
gathers each term's postings in compact arrays as documents are added and,
at commit, writes each term's posting blocks whole.

What it writes is what ``SegmentWriter`` writes: the same files, byte for
byte, except that posting blocks are pickled with a newer protocol and small
ones are not compressed (see ``BLOCK_PROTOCOL``, ``COMPRESS_FROM``), so the
same postings, blocks and statistics; a test compares the two segments.

Merging segments (``add_reader``) copies their documents with Whoosh's own
code, but reads and writes their postings a term at a time when the new
segment is written, instead of putting them all in the pool. Deletions and
updates are ``SegmentWriter``'s own code.
"""

from __future__ import annotations

import heapq
import pickle
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3PerDocReader, _lenfield
from whoosh.columns import TranslatingColumnReader, VarBytesColumn
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from newsarchive.engines.whoosh.analysis import StemmedText, encode_positions, stemmed_positions
from newsarchive.engines.whoosh.postings import length_bytes, read_postings

#: Bytes a gathered posting takes, with its share of its term's containers (measured on news text: 38-44).
POSTING_BYTES = 44
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
_LENGTHS = [byte_to_length(byte) if byte else 0 for byte in range(256)]
#: A merge lets go of the mapped pages it has read every this many terms.
RELEASE_EVERY = 20_000
#: The column of each document's stored fields.
STORED_FIELDS = "_stored"
#: A stored-fields column read as it is on disk.
RAW_BYTES = VarBytesColumn()


class MemoryPool(PostingPool):
    """Postings grouped by field and term in arrays, in the order they come."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.fields: dict[str, dict[bytes, tuple[array, array, list[bytes]]]] = {}
        self.postings = 0

    def _terms(self, fieldname: str) -> dict[bytes, tuple[array, array, list[bytes]]]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item) -> None:  # type: ignore[no-untyped-def]
        """Whoosh's way in, one posting at a time, in document order (merged segments never come this way)."""
        fieldname, btext, docnum, weight, value = item
        terms = self._terms(fieldname)
        found = terms.get(btext)
        if found is None:
            terms[btext] = (array("I", (docnum,)), array("f", (weight,)), [value or b""])
        else:
            found[0].append(docnum)
            found[1].append(weight)
            found[2].append(value or b"")
        self.postings += 1

    def add_positions(self, fieldname: str, docnum: int, positions: Mapping[bytes, Sequence[int]], boost: float) -> int:
        """One document's stems of a ``StemmedText`` field; returns the field's length in the document."""
        terms = self._terms(fieldname)
        length = 0
        for root, places in positions.items():
            count = len(places)
            length += count
            found = terms.get(root)
            if found is None:
                terms[root] = (array("I", (docnum,)), array("f", (count * boost,)), [encode_positions(places)])
            else:
                found[0].append(docnum)
                found[1].append(count * boost)
                found[2].append(encode_positions(places))
        self.postings += len(positions)
        return length

    def size_bytes(self) -> int:
        return self.postings * POSTING_BYTES

    def sorted_terms(self) -> Iterator[tuple[str, bytes, array, array, list[bytes]]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for btext in sorted(terms):
                yield fieldname, btext, *terms[btext]

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, btext, docs, weights, values in self.sorted_terms():
            for docnum, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value

    def save(self) -> None:
        """Nothing spills to disk: the writer's owner commits before memory runs short."""

    def cleanup(self) -> None:
        self.fields = {}
        self.postings = 0


class BulkWriter(SegmentWriter):
    """A ``SegmentWriter`` with a ``MemoryPool`` and a term-at-a-time flush."""

    def __init__(self, ix, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Separate files, not one compound file per segment: Whoosh opens each
        # part of a compound file by copying it into a BytesIO, which made a
        # cold search at 100,000 articles spend 0.3 s copying posting files.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self.pool = MemoryPool(self._tempstorage, self.newsegment)
        #: Segments other writers built for this index (see ``finish_segment``), committed with this one's.
        self.adopted: list = []
        #: Segments being merged into this one: their postings are read when it is written (see ``add_reader``).
        self.merging: list[_Source] = []
        #: Ids of segments to leave out of the index at commit (merged into ``adopted`` ones).
        self.retired: set[str] = set()
        # Commits never merge on their own: ``segments`` decides, at the end of a run.
        self.merge = False

    def finish_segment(self):  # type: ignore[no-untyped-def]
        """Close the segment built so far and return it, leaving the index as it is.

        For a writer opened without the lock (``_lk=False``) in another
        process: the writer holding the lock adopts the segment and commits it.
        """
        if not self._added:
            self.cancel()
            return None
        segment = self._finalize_segment()
        self._finish()
        return segment

    def cancel(self) -> None:
        """Drop the segment being written; a writer that failed to write (a full disk) is let go all the same.

        Whoosh's own ``cancel`` closes the segment's files, which writes out
        what they buffer, and may fail again as the write that failed did.
        The files are in no table of contents, so the next commit deletes them.
        """
        self._check_state()
        try:
            self._close_segment()
        except OSError:
            pass
        self._finish()

    def _commit_toc(self, segments) -> None:  # type: ignore[no-untyped-def]
        kept = [segment for segment in segments if segment.segment_id() not in self.retired]
        super()._commit_toc([*kept, *self.adopted])

    def add_reader(self, reader) -> None:  # type: ignore[no-untyped-def]
        """Copy a segment's live documents into this one; its postings follow, term by term, when this one is written.

        Whoosh's own ``add_reader`` puts every posting of the segment into
        the pool, which here would hold a merge of the whole index in memory.
        """
        self._check_state()
        basedoc = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, reader)
        # Whoosh's merge policies close the reader they pass as soon as this returns.
        own = SegmentReader(self.storage, self.schema, reader.segment())
        self.merging.append(_Source(own, basedoc, docmap))
        self._added = True
        self._release_pages()

    def _release_pages(self) -> None:
        """Drop the pages of mapped segment files read so far from this process's memory (see ``_MappedStorage``)."""
        release = getattr(self.storage, "release_pages", None)
        if release is not None:
            release()

    def _finish(self) -> None:
        for source in self.merging:
            source.reader.close()
        self.merging = []
        super()._finish()

    def add_document(self, **fields) -> None:  # type: ignore[no-untyped-def]
        """``SegmentWriter.add_document``, with stemmed text going straight from the analysis into the pool."""
        schema = self.schema
        if any(name.startswith("_") for name in fields) or any(
            field.vector or field.separate_spelling() for field in schema
        ):
            super().add_document(**fields)  # per-document boosts, vectors and spelling: Whoosh's own way
            return
        self._check_state()
        names = sorted(fields)
        self._check_fields(schema, names)
        pool = self.pool
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if isinstance(field, StemmedText) and isinstance(value, str):
                    length = pool.add_positions(name, docnum, stemmed_positions(value), field.format.field_boost)
                elif field.indexed:
                    for btext, frequency, weight, encoded in field.index(value):
                        pool.add((name, btext, docnum, weight, encoded))
                        length += frequency
                perdocwriter.add_field(name, field, value if field.stored else None, length if field.scorable else 0)
                if field.column_type:
                    perdocwriter.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def buffered_bytes(self) -> int:
        """Roughly how much memory the postings gathered so far take."""
        return self.pool.size_bytes()

    def _flush_segment(self) -> None:
        fieldwriter = self.fieldwriter
        if not isinstance(fieldwriter, W3FieldWriter):  # another codec: Whoosh's own way
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(fieldwriter, lengths)
        finally:
            fieldwriter.close()
            if lengths is not None:
                lengths.close()

    def _write_postings(self, fieldwriter: W3FieldWriter, lengths) -> None:  # type: ignore[no-untyped-def]
        current = None
        field_lengths: list[int] | None = None
        terms = self.pool.sorted_terms() if not self.merging else _merged_terms(self.pool, self.merging, self.schema)
        for count, (fieldname, btext, docs, weights, values) in enumerate(terms, start=1):
            if self.merging and count % RELEASE_EVERY == 0:  # the merged segments are read from end to end
                self._release_pages()
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                current = fieldname
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                field_lengths = self._lengths_of(lengths, fieldname)
            fieldwriter.start_term(btext)
            _fill_blocks(fieldwriter._postwriter, docs, weights, values, field_lengths)
            fieldwriter.finish_term()
        if current is not None:
            fieldwriter.finish_field()

    def _lengths_of(self, lengths, fieldname: str) -> list[int] | None:  # type: ignore[no-untyped-def]
        """Each document's stored (byte-rounded) length of ``fieldname``, as the codec reads it back; None if not stored."""
        found = length_bytes(lengths, fieldname, self.docnum) if lengths is not None else None
        return [_LENGTHS[byte] for byte in found] if found is not None else None

    def write_per_doc(self, fieldnames, reader):  # type: ignore[no-untyped-def]
        """Whoosh's, without looking on disk, per document and field, for length columns the segment lacks.

        Each document's stored fields are copied as the segment holds them
        (pickled and compressed, as this segment would write them): unpickling
        and compressing them again was a third of a merge's time.
        """
        perdoc = getattr(reader, "_perdoc", None)
        if not isinstance(perdoc, W3PerDocReader):
            return super().write_per_doc(fieldnames, reader)
        for name in fieldnames:
            if _lenfield(name) not in perdoc._readers and not perdoc.has_column(_lenfield(name)):
                perdoc._readers[_lenfield(name)] = None  # (what its cache holds for "none")
        # The codec's stored-fields column pickles a document's fields and
        # compresses them with the column it wraps: given bytes, that one writes them as they are.
        pickling = self.perdocwriter._get_column(STORED_FIELDS)
        as_written = getattr(pickling, "_child", None)
        if any(self.schema[name].vector for name in fieldnames) or not isinstance(as_written, VarBytesColumn.Writer):
            return super().write_per_doc(fieldnames, reader)
        return self._copy_per_doc(fieldnames, reader, perdoc, as_written)

    def _copy_per_doc(self, fieldnames, reader, perdoc, stored_writer):  # type: ignore[no-untyped-def]
        schema = self.schema
        pdw = self.perdocwriter
        docmap = {} if reader.has_deletions() else None  # old docnum -> new, as Whoosh's returns it
        columns = {
            name: _untranslated(reader.column_reader(name, schema[name].column_type))
            for name in fieldnames
            if schema[name].column_type and reader.has_column(name)
        }
        stored = perdoc.column_reader(STORED_FIELDS, RAW_BYTES) if perdoc.has_column(STORED_FIELDS) else None
        for docnum in reader.all_doc_ids():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for name in fieldnames:
                pdw.add_field(name, schema[name], None, reader.doc_field_length(docnum, name))
                if name in columns:
                    pdw.add_column_value(name, schema[name].column_type, columns[name][docnum])
            written = stored[docnum] if stored is not None else b""
            if written:
                VarBytesColumn.Writer.add(stored_writer, self.docnum, written)
            pdw.finish_doc()
            self.docnum += 1
        return docmap


def _untranslated(column):  # type: ignore[no-untyped-def]
    return column.raw_column() if isinstance(column, TranslatingColumnReader) else column


@dataclass(frozen=True)
class _Source:
    """A segment merged into the one being written: its documents start at ``basedoc``, or are renumbered by ``docmap``."""

    reader: SegmentReader
    basedoc: int
    docmap: dict[int, int] | None  # old docnum -> new, for a segment with deletions (deleted ones left out)

    def terms(self, order: int, schema) -> Iterator[tuple[str, bytes, int, tuple[_Source, object]]]:  # type: ignore[no-untyped-def]
        """(field, term, ``order``, (this, the term's info)) in the segment's order: by field, then term."""
        return (
            (fieldname, btext, order, (self, info))
            for (fieldname, btext), info in self.reader._terms.items()
            if fieldname in schema
        )

    def postings(self, fieldname: str, btext: bytes, info) -> tuple[array, array, list[bytes]]:  # type: ignore[no-untyped-def]
        """The term's postings here, numbered as in the new segment."""
        ids, weights, values = read_postings(self.reader, fieldname, btext, info)
        docmap = self.docmap
        if docmap is None:
            return array("I", map(self.basedoc.__add__, ids) if self.basedoc else ids), array("f", weights), values
        live = [at for at, docnum in enumerate(ids) if docnum in docmap]
        return (
            array("I", (docmap[ids[at]] for at in live)),
            array("f", (weights[at] for at in live)),
            [values[at] for at in live],
        )


def _merged_terms(pool: MemoryPool, sources: list[_Source], schema) -> Iterator[tuple[str, bytes, array, array, list[bytes]]]:  # type: ignore[no-untyped-def]
    """The pool's terms and the merged segments' terms in order, each term's postings from all of them together.

    One term's postings are in memory at a time, so merging segments takes
    no more memory than the longest posting list.
    """
    streams: list[Iterator[tuple[Any, ...]]] = [
        ((fieldname, btext, 0, (docs, weights, values)) for fieldname, btext, docs, weights, values in pool.sorted_terms())
    ]
    streams.extend(source.terms(order, schema) for order, source in enumerate(sources, start=1))
    for (fieldname, btext), group in groupby(heapq.merge(*streams, key=itemgetter(0, 1, 2)), key=itemgetter(0, 1)):
        docs, weights, values = array("I"), array("f"), []
        ordered = True
        for _, _, order, found in group:
            part = found[0].postings(fieldname, btext, found[1]) if order else found
            # Each part is in order: documents added after a merged segment's come first, out of order.
            ordered = ordered and not (docs and part[0] and part[0][0] < docs[-1])
            docs.extend(part[0])
            weights.extend(part[1])
            values.extend(part[2])
        if not docs:  # every posting was of a deleted document
            continue
        if not ordered:
            docs, weights, values = _in_order(docs, weights, values)
        yield fieldname, btext, docs, weights, values


def _in_order(docs: array, weights: array, values: list[bytes]) -> tuple[array, array, list[bytes]]:
    order = sorted(range(len(docs)), key=docs.__getitem__)
    return array("I", (docs[i] for i in order)), array("f", (weights[i] for i in order)), [values[i] for i in order]


def _fill_blocks(postwriter, docs: array, weights: array, values: list[bytes], lengths: list[int] | None) -> None:  # type: ignore[no-untyped-def]
    """Write the term's postings in whole blocks, as the postings writer's own ``add_posting`` would split them."""
    limit = postwriter._blocklimit
    for start in range(0, len(docs), limit):
        block_docs = docs[start : start + limit]
        block_weights = weights[start : start + limit]
        postwriter._ids = block_docs
        postwriter._weights = block_weights
        postwriter._values = [value for value in values[start : start + limit] if value]
        postwriter._maxweight = max(0, max(block_weights))
        known = [length for length in (lengths[docnum] for docnum in block_docs) if length] if lengths else []
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0
        _write_block(postwriter, last=start + limit >= len(docs))


def _write_block(postwriter, last: bool) -> None:  # type: ignore[no-untyped-def]
    """``W3PostingsWriter._write_block`` with a newer pickle protocol; Whoosh reads either."""
    if not postwriter._blockcount:
        postwriter._postfile.write(WHOOSH3_HEADER_MAGIC)
    postwriter._terminfo.add_block(postwriter)
    data = (postwriter._mini_ids(), postwriter._mini_weights(), postwriter._mini_values())
    databytes = pickle.dumps(data, BLOCK_PROTOCOL)
    compression = postwriter._compression if len(databytes) >= COMPRESS_FROM else 0
    if compression:
        databytes = zlib.compress(databytes, compression)
    ids = postwriter._ids
    info = (
        len(ids),
        ids[-1],
        postwriter._maxweight,
        compression,
        length_to_byte(postwriter._minlength),
        length_to_byte(postwriter._maxlength),
    )
    infobytes = pickle.dumps(info, BLOCK_PROTOCOL)
    length = len(infobytes) + len(databytes)
    postfile = postwriter._postfile
    postfile.write_int(-length if last else length)
    postfile.write(infobytes)
    postfile.write(databytes)
    postwriter._blockcount += 1
    postwriter._new_block()
