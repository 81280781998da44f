"""The search engine in the PostgreSQL database itself: search rows written with each change, queried in SQL.

The only package besides ``storage/`` that talks to psycopg directly. Its
tables (``schema.py``) are a derived index of the ``articles`` table, written
in the transaction that changes an article (``SearchEngine.stage``), so every
machine on the database sees the same search at commit.
"""
