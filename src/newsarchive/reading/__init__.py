"""Ingest: discover files -> read and parse (pure, no database) -> store -> index."""

#: The formats `archive ingest --format` can force (each a module in ingest.formats).
FORMATS = ("text", "json", "jsonl", "html", "feed", "warc")
