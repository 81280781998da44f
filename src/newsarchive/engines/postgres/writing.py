"""Writing the search rows: an article's row made from its ``Document``, and the vocabulary kept with them.

Every write goes through ``put`` (a unit of work's ``stage``, a writer of
``archive check --repair``) or ``fill`` (a rebuild), inside the caller's
transaction: rows and vocabulary commit together with whatever else the
transaction changes, or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from newsarchive.engines.postgres import schema, vocabulary
from newsarchive.engines.postgres.rows import vector_and_terms
from newsarchive.engines.protocol import Document

if TYPE_CHECKING:
    from psycopg import Connection

COLUMNS = 'id, vector, published, precision, "offset", source, lang, authors, grp, revision'
#: The articles read back at a time when staging or repairing.
_CHUNK = 1000


def row(document: Document) -> tuple[tuple[Any, ...], list[str]]:
    """The ``search_docs`` row of a document (in ``COLUMNS``' order), and the terms its vector holds."""
    literal, terms = vector_and_terms(document.title, document.description, document.body, document.language)
    published = document.published.replace(tzinfo=UTC) if document.published is not None else None
    values = (
        document.id, literal, published, document.precision, document.offset, document.source, document.language,
        list(document.authors), document.duplicate_of or document.id, document.revision,
    )  # fmt: skip
    return values, terms


def put(
    connection: Connection,
    documents: Iterable[Document],
    removed: Iterable[str] = (),
    analysers: Analysers | None = None,
) -> int:
    """Write the rows of ``documents`` (replacing any they had) and delete those of ``removed``; return how many
    rows were written. The vocabulary loses the terms of every row replaced or deleted and gains the new rows'.
    With ``analysers``, the documents are analysed in their worker processes."""
    firsts: dict[str, Document] = {}
    for document in documents:
        firsts.setdefault(document.id, document)  # (the first of two copies stands; a caller gives each once)
    rows: dict[str, tuple[Any, ...]] = {}
    gained: Counter[str] = Counter()
    for values, terms in analysers.rows(list(firsts.values())) if analysers else map(row, firsts.values()):
        rows[values[0]] = values
        gained.update(terms)
    gone = sorted({*rows, *removed})
    if not gone:
        return 0
    lost: Counter[str] = Counter(
        dict(
            connection.execute(
                "SELECT lexeme, count(*) FROM search_docs, unnest(tsvector_to_array(vector)) AS lexeme"
                " WHERE id = ANY(%s::text[]) GROUP BY lexeme",
                (gone,),
            ).fetchall()
        )
    )
    connection.execute("DELETE FROM search_docs WHERE id = ANY(%s::text[])", (gone,))
    _copy(connection, (rows[article_id] for article_id in sorted(rows)))
    vocabulary.count(connection, gained, lost)
    return len(rows)


def fill(connection: Connection, rows: Iterable[tuple[tuple[Any, ...], list[str]]]) -> int:
    """Replace every row and the whole vocabulary with ``rows`` (each as ``row`` gives it); return how many.

    The rows go into a new table without indexes, which are then built in
    one go (some five times faster than inserting into a GIN index), and
    the new table takes the old one's place. Searches read the old rows until
    then, and wait only for the swap's moment to pass (the table is locked
    from the swap to the commit, which follows at once).
    """
    from newsarchive.engines.postgres.schema import DOCS, INDEXES, docs_indexes, docs_link, docs_table

    building = f"{DOCS}_next"
    connection.execute(f"DROP TABLE IF EXISTS {building}")
    connection.execute(docs_table(building))
    gained: Counter[str] = Counter()
    written = 0

    def values() -> Iterator[tuple[Any, ...]]:
        nonlocal written
        for held, terms in rows:
            gained.update(terms)
            written += 1
            yield held

    _copy(connection, values(), building)
    for statement in (*docs_indexes(building), docs_link(building)):
        connection.execute(statement)
    connection.execute(f"DROP TABLE {DOCS}")
    connection.execute(f"ALTER TABLE {building} RENAME TO {DOCS}")
    connection.execute(f"ALTER TABLE {DOCS} RENAME CONSTRAINT {building}_pkey TO {DOCS}_pkey")
    connection.execute(f"ALTER TABLE {DOCS} RENAME CONSTRAINT {building}_id_fkey TO {DOCS}_id_fkey")
    for index in INDEXES:
        connection.execute(f"ALTER INDEX {building}_{index} RENAME TO {DOCS}_{index}")
    connection.execute("DELETE FROM search_terms")
    vocabulary.count(connection, gained, Counter())
    # A new table has no statistics until autovacuum comes by: the planner would guess at the first searches.
    connection.execute(f"ANALYZE {DOCS}, search_terms")
    return written


def analysed(documents: Iterable[Document], processes: int = 1, batch: int = 1000) -> Iterator[tuple[tuple[Any, ...], list[str]]]:
    """Each document's ``row``, in order; with ``processes`` > 1 analysed in that many worker processes.

    The documents are handed out a batch at a time, the next batch analysed
    while this one's rows are written, so that no more than two batches are
    held whatever the number of documents.
    """
    if processes <= 1:
        yield from map(row, documents)
        return
    import itertools

    with Analysers(processes) as analysers:
        source = iter(documents)
        waiting = None
        while chunk := list(itertools.islice(source, batch)):
            submitted = analysers.submit(chunk)
            if waiting is not None:
                yield from waiting.get()
            waiting = submitted
        if waiting is not None:
            yield from waiting.get()


class Analysers:
    """Worker processes that make documents' rows (``row``), for a rebuild or for an ingest's units of work.

    They are forked, as the Whoosh engine's workers are: a spawned worker
    would import the caller's main module again, and run a script without a
    main guard. They leave the parent's connections untouched. Start them
    before the caller starts threads of its own (a fork copies no thread).
    """

    #: Fewer documents than this are analysed in the caller's process (handing them out costs more).
    IN_PROCESS_BELOW = 32

    def __init__(self, processes: int) -> None:
        import multiprocessing
        import os

        from newsarchive.processes import start_worker

        self.processes = processes
        self._pool = multiprocessing.get_context("fork").Pool(
            processes, initializer=start_worker, initargs=(os.getpid(),)
        )

    def submit(self, documents: Sequence[Document]) -> Any:
        """Start analysing ``documents``; the result's ``get()`` gives their rows, in order."""
        return self._pool.map_async(row, documents, chunksize=self._chunk(len(documents)))

    def rows(self, documents: Sequence[Document]) -> list[tuple[tuple[Any, ...], list[str]]]:
        """The rows of ``documents``, in order (a few analysed here, more in the workers)."""
        if len(documents) < self.IN_PROCESS_BELOW:
            return list(map(row, documents))
        return self._pool.map(row, documents, chunksize=self._chunk(len(documents)))

    def _chunk(self, count: int) -> int:
        return max(1, count // (4 * self.processes))

    def close(self) -> None:
        """Stop the workers (what they were given is finished or dropped)."""
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> Analysers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _copy(connection: Connection, rows: Iterable[tuple[Any, ...]], table: str = "search_docs") -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row(values)


def record_version(connection: Connection) -> None:
    """Say that the rows are those of this version's analysis (after a rebuild)."""
    connection.execute(
        "INSERT INTO search_meta (key, value) VALUES ('version', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (schema.ANALYSIS_VERSION,),
    )


def put_articles(
    connection: Connection, stored: Iterable[str], removed: Iterable[str], analysers: Analysers | None = None
) -> int:
    """Write the rows of the ``stored`` articles as the ``articles`` table holds them now, and delete those of the
    ``removed`` ones (and of a stored one that is no longer there); return how many rows were written."""
    stored = set(stored)
    documents = list(stored_documents(connection, sorted(stored)))
    gone = sorted(set(removed) | (stored - {document.id for document in documents}))
    return put(connection, documents, gone, analysers)


def stored_documents(connection: Connection, article_ids: Sequence[str]) -> Iterator[Document]:
    """The documents of these articles as the ``articles`` table holds them now (those gone are left out)."""
    from newsarchive.reading.draft import join_blocks

    for start in range(0, len(article_ids), _CHUNK):
        found = connection.execute(
            "SELECT id, title, coalesce(description, ''), body, published_at, date_precision, source, revision,"
            " authors, language, duplicate_of, published_offset FROM articles WHERE id = ANY(%s::text[]) ORDER BY id",
            (list(article_ids[start : start + _CHUNK]),),
        ).fetchall()
        for (article_id, title, description, body, published, precision, source, revision,
             authors, language, duplicate_of, offset) in found:  # fmt: skip
            yield Document(
                id=article_id, title=title, description=description,
                body=join_blocks(block["text"] for block in _json(body)),
                published=published.astimezone(UTC).replace(tzinfo=None) if published is not None else None,
                precision=precision, source=source, revision=revision, authors=tuple(_json(authors) or ()),
                language=language, duplicate_of=duplicate_of, offset=offset,
            )  # fmt: skip


def _json(value: Any) -> Any:
    """A JSON column's value: psycopg parses ``json``; a database that stored it as text gives it unparsed."""
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value


def changes_since(connection: Connection, position: int) -> tuple[list[str], list[str]]:
    """The articles stored and removed after ``position`` in the change log, each by its last entry."""
    from newsarchive.storage.log import REMOVED, collapse

    found = connection.execute(
        "SELECT position, article_id, kind FROM change_log WHERE position > %s ORDER BY position", (position,)
    ).fetchall()
    last = collapse(found)
    stored = sorted(article_id for article_id, change in last.items() if change.kind != REMOVED)
    removed = sorted(article_id for article_id, change in last.items() if change.kind == REMOVED)
    return stored, removed
