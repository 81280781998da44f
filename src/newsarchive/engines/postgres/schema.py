"""The PostgreSQL engine's tables: its index, derived from ``articles`` and rebuilt from it at will.

They belong to the engine, not to the archive's migrations: an archive on a
server that uses a local Whoosh index never has them, and a new version of
the text analysis (``ANALYSIS_VERSION``) is a rebuild (``archive reindex``),
as a Whoosh index of an older schema is. They are made under an advisory
lock, so machines starting together make them once.

- ``search_docs``: one row per article: its terms and positions as a
  ``tsvector`` computed by ``newsarchive.text.analysis`` (the same stems as
  the Whoosh engine in every language; title weighted A at positions from 1,
  lede B from ``LEDE_FROM``, body C from ``BODY_FROM``, so that a phrase never
  spans two fields), and the columns searches filter, sort and count by.
- ``search_terms``: the archive's vocabulary, each term with the number of
  articles holding it and a form as written, for wildcards, fuzzy words, "did
  you mean", ``similar`` and ``terms`` (trigram index where pg_trgm exists).
- ``search_meta``: ``version`` (``ANALYSIS_VERSION`` of the rows, written by
  a rebuild) and ``trigrams`` ("yes", or "no" where pg_trgm could not be
  installed: fuzzy words and suggestions then look among the words sharing
  their first letters).

The foreign key to ``articles`` is checked at commit, not at once: deleting
an article leaves its row for ``stage`` to delete before the commit, reading
the row's terms to take them off the vocabulary (a cascade would have
deleted the row unread). A writer that deletes articles without staging
their rows is refused at commit rather than leaving the vocabulary wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import Connection

#: Bump when what a row holds changes (the analysis in ``newsarchive.text`` or this layout): a rebuild follows.
ANALYSIS_VERSION = "2"
#: Where the lede's and the body's positions start in an article's vector (PostgreSQL keeps positions < 16384).
LEDE_FROM = 1001
BODY_FROM = 2001
#: The advisory lock key under which the tables are made (any fixed bigint not used elsewhere in the database).
SCHEMA_LOCK_KEY = 0x6E657773_73636801  # "newssch" + 1

#: The search rows' table, made under another name by a rebuild and put in place of the old one.
DOCS = "search_docs"


def docs_table(table: str) -> str:
    """The statement making the table of search rows under the name ``table`` (without its foreign key)."""
    return f"""CREATE TABLE IF NOT EXISTS {table} (
        id text PRIMARY KEY,
        vector tsvector NOT NULL,
        published timestamptz,
        precision text,
        "offset" integer,
        source text,
        lang text,
        authors text[] NOT NULL DEFAULT '{{}}',
        grp text NOT NULL,
        revision integer NOT NULL
    )"""


#: The indexes of the table of search rows, each named after the table and its key here: the words (GIN),
#: and the columns searches filter and sort by (``lang``: the languages a query is analysed in, found in a
#: few probes of this index rather than a read of every row).
INDEXES = {
    "vector": "USING gin (vector)",
    "published": "(published)",
    "source": "(source)",
    "grp": "(grp)",
    "lang": "(lang)",
}


def docs_indexes(table: str) -> tuple[str, ...]:
    """The statements making the indexes of the table of search rows ``table`` (named after it)."""
    return tuple(f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} {how}" for name, how in INDEXES.items())


def docs_link(table: str) -> str:
    """The statement giving the table of search rows ``table`` its foreign key to ``articles``."""
    return f"ALTER TABLE {table} ADD CONSTRAINT {table}_id_fkey FOREIGN KEY (id) REFERENCES articles (id) DEFERRABLE INITIALLY DEFERRED"


TABLES = (
    """CREATE TABLE IF NOT EXISTS search_meta (key text PRIMARY KEY, value text NOT NULL)""",
    docs_table(DOCS),
    docs_link(DOCS),
    *docs_indexes(DOCS),
    """CREATE TABLE IF NOT EXISTS search_terms (
        term text COLLATE "C" PRIMARY KEY, docs integer NOT NULL, written text NOT NULL
    )""",
)
#: Trigram lookups of the vocabulary, where the pg_trgm extension can be had.
TRIGRAMS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_terms_trigrams ON search_terms USING gin (term gin_trgm_ops)",
)


def make(connection: Connection) -> bool:
    """Make the tables unless they are there, inside the caller's transaction; return whether they were made.

    Under an advisory lock held to the end of the transaction, so that
    machines starting together make them once (the others wait, then find
    them). pg_trgm is optional: where the server refuses ``CREATE EXTENSION``
    (it needs the right to create in the database), the tables are made
    without the trigram index, and ``search_meta`` says so.
    """
    import psycopg

    connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
    if exists(connection):
        return False
    for statement in TABLES:
        connection.execute(statement)
    trigrams = "yes"
    connection.execute("SAVEPOINT search_trigrams")
    try:
        for statement in TRIGRAMS:
            connection.execute(statement)
    except psycopg.Error:
        connection.execute("ROLLBACK TO SAVEPOINT search_trigrams")
        trigrams = "no"
    connection.execute("RELEASE SAVEPOINT search_trigrams")
    connection.execute(
        "INSERT INTO search_meta (key, value) VALUES ('trigrams', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (trigrams,),
    )
    return True


def meta(connection: Connection, key: str) -> str | None:
    """One value of ``search_meta``; None when it is not there (or there are no tables)."""
    if not exists(connection):
        return None
    row = connection.execute("SELECT value FROM search_meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else None


def exists(connection: Connection) -> bool:
    """Whether the engine's tables were made in this database."""
    row = connection.execute("SELECT to_regclass('search_docs') IS NOT NULL").fetchone()
    return bool(row and row[0])


def version(connection: Connection) -> str | None:
    """The analysis version the rows were written with; None when there are no tables (or no rebuild yet)."""
    return meta(connection, "version")
