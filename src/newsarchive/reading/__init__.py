"""Reading: discover files -> read and parse them (pure, no database) -> article drafts."""

from newsarchive.reading.formats.registry import names

#: The formats `archive ingest --format` can force: one entry each in ``formats.registry``.
FORMATS = names()
