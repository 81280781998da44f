"""Ingest: discover files -> read and parse (pure, no database) -> store -> index."""
