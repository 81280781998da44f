"""A made-up article format for the tests, written as a new format would be:
one module with a reader, and one ``Format`` entry naming it.

Tab-separated values: a header line naming the columns (title, date, body),
then one article per line, keyed by its line number.
"""

from __future__ import annotations

from datetime import tzinfo

from newsarchive.errors import UnparseableArticle
from newsarchive.reading.draft import Block
from newsarchive.reading.formats import Item, ItemError, Parsed
from newsarchive.reading.formats.fields import build_draft, machine_date
from newsarchive.reading.formats.registry import Format

#: The line that would go into the registry's ENTRIES.
TSV = Format("tsv", "format_tsv:read_tsv", suffixes=(".tsv",))


def read_tsv(data: bytes, default_tz: tzinfo) -> Parsed:
    header, *rows = data.decode("utf-8").splitlines()
    columns = header.split("\t")
    items: list[Item | ItemError] = []
    for n, row in enumerate(rows, start=2):
        record = dict(zip(columns, row.split("\t"), strict=False))
        try:
            draft = build_draft(
                title=record.get("title"),
                description=None,
                blocks=[Block("paragraph", record.get("body", ""))],
                published=machine_date(record.get("date", ""), default_tz),
            )
        except UnparseableArticle as exc:
            items.append(ItemError(f"line {n}", exc.reason))
            continue
        items.append(Item(f"line {n}", draft))
    return Parsed(items)
