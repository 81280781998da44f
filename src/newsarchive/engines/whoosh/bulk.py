"""A Whoosh segment writer for bulk loads: postings gathered in memory, written a term at a time.

Whoosh's ``SegmentWriter`` puts every posting into a sorting pool as a
tuple, spills sorted runs to disk when the pool is full, merges them back at
commit and then hands each posting to the codec one call at a time, looking
up the document's field length for each. For an ingest that commits every
few thousand articles, all of that can stay in memory: ``BulkWriter``
gathers each term's postings in compact arrays as documents are added and,
at commit, writes each term's posting blocks whole.

It writes through Whoosh's doors: its codec (``codec.BulkCodec``, whose
field writer takes a term's postings whole), the pool's ``iter_postings``
that ``SegmentWriter`` hands to the field writer, and a merge policy given
to ``commit``. What it writes is what ``SegmentWriter`` writes: the same
files, byte for byte, except that posting blocks are pickled with a newer
protocol and small ones are not compressed (see ``codec``), so the same
postings, blocks and statistics; a test compares the two segments.

Merging segments (``add_reader``) copies their documents with Whoosh's own
code, but reads and writes their postings a term at a time when the new
segment is written, instead of putting them all in the pool. Deletions and
updates are ``SegmentWriter``'s own code.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.columns import TranslatingColumnReader, VarBytesColumn
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL, NO_MERGE, OPTIMIZE, PostingPool, SegmentWriter

from newsarchive.engines.whoosh.analysis import StemmedText, document_language, encode_positions
from newsarchive.engines.whoosh.codec import STORED_FIELDS, BulkCodec, BulkPerDocWriter, TermPostings
from newsarchive.engines.whoosh.postings import LENGTH_OF_BYTE, length_bytes, per_document_reader, read_postings
from newsarchive.text.analysis import stemmed_positions

#: Bytes a gathered posting takes, with its share of its term's containers (measured on news text: 38-44).
POSTING_BYTES = 44
#: A merge lets go of the mapped pages it has read every this many terms.
RELEASE_EVERY = 20_000
#: A stored-fields column read as it is on disk.
RAW_BYTES = VarBytesColumn()


class MemoryPool(PostingPool):
    """Postings grouped by field and term in arrays, in the order they come."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.fields: dict[str, dict[bytes, tuple[array, array, list[bytes]]]] = {}
        self.postings = 0
        #: Segments being merged into this one: their postings are read when it is written (see ``add_reader``).
        self.merging: list[_Source] = []
        #: Called every ``RELEASE_EVERY`` terms of a merge, to let go of the pages read.
        self.release: Callable[[], None] = lambda: None

    def field_terms(self, fieldname: str) -> dict[bytes, tuple[array, array, list[bytes]]]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item) -> None:  # type: ignore[no-untyped-def]
        """Whoosh's way in, one posting at a time, in document order (merged segments never come this way)."""
        fieldname, btext, docnum, weight, value = item
        terms = self.field_terms(fieldname)
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
        terms = self.field_terms(fieldname)
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

    def iter_postings(self) -> TermPostings:
        """What ``SegmentWriter`` hands the codec's field writer: the postings, and the merged segments', by term."""
        if not self.merging:
            return TermPostings(self.sorted_terms())
        return TermPostings(_merged_terms(self, self.merging, self.release))

    def save(self) -> None:
        """Nothing spills to disk: the writer's owner commits before memory runs short."""

    def cleanup(self) -> None:
        self.fields = {}
        self.postings = 0
        for source in self.merging:
            source.close()
        self.merging = []


class BulkWriter(SegmentWriter):
    """A ``SegmentWriter`` with a ``MemoryPool``, ``BulkCodec`` and a merge policy that adopts and retires segments."""

    def __init__(self, ix, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Separate files, not one compound file per segment: Whoosh opens each
        # part of a compound file by copying it into a BytesIO, which made a
        # cold search at 100,000 articles spend 0.3 s copying posting files.
        kwargs.setdefault("compound", False)
        kwargs.setdefault("codec", BulkCodec())
        super().__init__(ix, **kwargs)
        self.pool = MemoryPool(self.temp_storage(), self.newsegment)
        self.pool.release = self._release_pages
        #: Segments other writers built for this index (see ``finish_segment``), committed with this one's.
        self.adopted: list = []
        #: Ids of segments to leave out of the index at commit (merged into ``adopted`` ones).
        self.retired: set[str] = set()
        # Commits never merge on their own: ``segments`` decides, at the end of a run.
        self.merge = False

    def finish_segment(self):  # type: ignore[no-untyped-def]
        """Close the segment built so far and return it, leaving the index as it is.

        For a writer opened without the lock (``_lk=False``) in another
        process: the writer holding the lock adopts the segment and commits
        it. (Whoosh's own multi-process writer closes its workers' segments
        with the same two steps.)
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
            self.pool.cleanup()  # (which closing the segment ends with)
        self._finish()

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:  # type: ignore[no-untyped-def]
        """Whoosh's commit, with the segments ``retired`` left out and those ``adopted`` added by the merge policy."""
        if mergetype is None:
            optimize = self.optimize if optimize is None else optimize
            merge = self.merge if merge is None else merge
            mergetype = OPTIMIZE if optimize else MERGE_SMALL if merge else NO_MERGE
        super().commit(mergetype=_Adopting(mergetype, self.retired, self.adopted))

    def add_reader(self, reader) -> None:  # type: ignore[no-untyped-def]
        """Copy a segment's live documents into this one; its postings follow, term by term, when this one is written.

        Whoosh's own ``add_reader`` puts every posting of the segment into
        the pool, which here would hold a merge of the whole index in memory.
        """
        if not isinstance(reader, SegmentReader) or type(reader.codec()) is not W3Codec:
            super().add_reader(reader)
            return
        self._check_state()
        basedoc = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, reader)
        # Whoosh's merge policies close the reader they pass as soon as this returns.
        self.pool.merging.append(_Source.of(self.storage, self.schema, reader.segment(), basedoc, docmap))
        self._added = True
        self._release_pages()

    def _release_pages(self) -> None:
        """Drop the pages of mapped segment files read so far from this process's memory (see ``_MappedStorage``)."""
        release = getattr(self.storage, "release_pages", None)
        if release is not None:
            release()

    def add_document(self, **fields) -> None:  # type: ignore[no-untyped-def]
        """``SegmentWriter.add_document``, with stemmed text going straight from the analysis into the pool."""
        schema = self.schema
        if any(name.startswith("_") for name in fields) or any(
            field.vector or field.separate_spelling() for field in schema
        ):
            with document_language(fields.get("lang")):  # per-document boosts, vectors and spelling: Whoosh's own way
                super().add_document(**fields)
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
                    positions = stemmed_positions(value, fields.get("lang"))
                    length = pool.add_positions(name, docnum, positions, field.format.field_boost)
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

    def write_per_doc(self, fieldnames, reader):  # type: ignore[no-untyped-def]
        """Whoosh's, with each document's stored fields copied as the segment holds them, and its lengths read whole.

        Whoosh's unpickles and compresses every document's stored fields
        again (a third of a merge's time), and looks on disk, per document
        and field, for length columns the segment lacks.
        """
        pdw = self.perdocwriter
        if (
            not isinstance(pdw, BulkPerDocWriter)
            or not isinstance(reader, SegmentReader)
            or any(self.schema[name].vector for name in fieldnames)
        ):
            return super().write_per_doc(fieldnames, reader)
        perdoc = per_document_reader(reader)
        try:
            if not isinstance(perdoc, W3PerDocReader):
                return super().write_per_doc(fieldnames, reader)
            return self._copy_per_doc(fieldnames, reader, perdoc, pdw)
        finally:
            perdoc.close()

    def _copy_per_doc(self, fieldnames, reader, perdoc, pdw: BulkPerDocWriter):  # type: ignore[no-untyped-def]
        schema = self.schema
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None  # old docnum -> new, as Whoosh's
        documents = reader.doc_count_all()
        lengths = {name: length_bytes(perdoc, name, documents) for name in fieldnames}
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
                found = lengths[name]
                pdw.add_field(name, schema[name], None, LENGTH_OF_BYTE[found[docnum]] if found is not None else 0)
                if name in columns:
                    pdw.add_column_value(name, schema[name].column_type, columns[name][docnum])
            if stored is not None:
                pdw.add_written_fields(stored[docnum])
            pdw.finish_doc()
            self.docnum += 1
        return docmap


class _Adopting:
    """A merge policy (``commit(mergetype=...)``): another policy's choice, without the segments ``retired``
    (merged into others) and with the segments ``adopted`` (written by other writers for this index)."""

    def __init__(self, policy: Callable[[Any, list[Any]], list[Any]], retired: set[str], adopted: list[Any]) -> None:
        self.policy = policy
        self.retired = retired
        self.adopted = adopted

    def __call__(self, writer, segments: list[Any]) -> list[Any]:  # type: ignore[no-untyped-def]
        kept = self.policy(writer, [segment for segment in segments if segment.segment_id() not in self.retired])
        return [*kept, *self.adopted]


def _untranslated(column):  # type: ignore[no-untyped-def]
    return column.raw_column() if isinstance(column, TranslatingColumnReader) else column


@dataclass(frozen=True)
class _Source:
    """A segment merged into the one being written: its documents start at ``basedoc``, or are renumbered by ``docmap``."""

    reader: SegmentReader
    terms_reader: Any  # the segment's terms and their infos (the codec's ``terms_reader``)
    basedoc: int
    docmap: dict[int, int] | None  # old docnum -> new, for a segment with deletions (deleted ones left out)

    @classmethod
    def of(cls, storage, schema, segment, basedoc: int, docmap: dict[int, int] | None) -> _Source:  # type: ignore[no-untyped-def]
        reader = SegmentReader(storage, schema, segment)
        return cls(reader, reader.codec().terms_reader(reader.storage(), segment), basedoc, docmap)

    def close(self) -> None:
        self.terms_reader.close()
        self.reader.close()

    def terms(self, order: int, schema) -> Iterator[tuple[str, bytes, int, tuple[_Source, object]]]:  # type: ignore[no-untyped-def]
        """(field, term, ``order``, (this, the term's info)) in the segment's order: by field, then term."""
        return (
            (fieldname, btext, order, (self, info))
            for (fieldname, btext), info in self.terms_reader.items()
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


def _merged_terms(
    pool: MemoryPool, sources: list[_Source], release: Callable[[], None]
) -> Iterator[tuple[str, bytes, array, array, list[bytes]]]:
    """The pool's terms and the merged segments' terms in order, each term's postings from all of them together.

    One term's postings are in memory at a time, so merging segments takes
    no more memory than the longest posting list. The merged segments are
    read from end to end: ``release`` is called every ``RELEASE_EVERY`` terms.
    """
    schema = sources[0].reader.schema
    streams: list[Iterator[tuple[Any, ...]]] = [
        ((fieldname, btext, 0, (docs, weights, values)) for fieldname, btext, docs, weights, values in pool.sorted_terms())
    ]
    streams.extend(source.terms(order, schema) for order, source in enumerate(sources, start=1))
    merged = groupby(heapq.merge(*streams, key=itemgetter(0, 1, 2)), key=itemgetter(0, 1))
    for count, ((fieldname, btext), group) in enumerate(merged, start=1):
        if count % RELEASE_EVERY == 0:
            release()
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
