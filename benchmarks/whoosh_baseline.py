"""A plain Whoosh baseline: what a few lines of Whoosh give with its defaults.

Each file is parsed simply (title = first line, body = the rest), added one
by one to a default ``ix.writer()`` with a StemmingAnalyzer schema, and the
writer commits once. ``build-records`` does the same from the NDJSON records
sqlite-utils loads (title; lede and body as the body): parsed already, as
``archive reindex`` reads them from its database. Search opens the index,
parses the query over title and body and prints the titles of the top hits:
no snippets, no dates. ``Searching`` keeps the index open for in-process and
warm searches.

    python benchmarks/whoosh_baseline.py build CORPUS INDEX_DIR
    python benchmarks/whoosh_baseline.py build-records ARTICLES.ndjson INDEX_DIR
    python benchmarks/whoosh_baseline.py search INDEX_DIR QUERY
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import baseline_cli
from make_corpus import article_files, decode_bytes


def corpus_records(corpus: Path) -> Iterator[tuple[str, str, str]]:
    """(path, title, body) of each file: title = first line, body = the rest."""
    for path in article_files(corpus):
        title, _, body = decode_bytes(path.read_bytes()).partition("\n")
        yield str(path), title.strip(), body


def ndjson_records(ndjson: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, lede and body) of each record sqlite-utils loads."""
    with ndjson.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield record["id"], record["title"], f"{record['description']}\n{record['body']}"


def build(records: Iterable[tuple[str, str, str]], index_dir: Path) -> int:
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        path=fields.ID(stored=True),
        title=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    writer = index.create_in(str(index_dir), schema).writer()
    count = 0
    for path, title, body in records:
        writer.add_document(path=path, title=title, body=body)
        count += 1
    writer.commit()
    return count


class Searching:
    """An open index and searcher, for repeated searches in one process."""

    def __init__(self, index_dir: Path) -> None:
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        self.ix = index.open_dir(str(index_dir))
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        self.searcher = self.ix.searcher()

    def titles(self, query_text: str, limit: int = 10) -> list[str]:
        return [hit["title"] for hit in self.searcher.search(self.parser.parse(query_text), limit=limit)]

    def count(self, query_text: str) -> int:
        return len(self.searcher.search(self.parser.parse(query_text), limit=1))

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def search(index_dir: Path, query_text: str, limit: int = 10) -> list[str]:
    searching = Searching(index_dir)
    try:
        return searching.titles(query_text, limit)
    finally:
        searching.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = baseline_cli.parse_args(__doc__.split("\n\n")[0], argv, dates=False)
    return baseline_cli.build_or_search(
        args, build, corpus_records, ndjson_records, lambda args: search(args.index_dir, args.query, args.limit)
    )


if __name__ == "__main__":
    sys.exit(main())
