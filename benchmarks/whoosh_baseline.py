"""A plain Whoosh baseline: what a few lines of Whoosh give with its defaults.

Each file is parsed simply (title = first line, body = the rest), added one
by one to a default ``ix.writer()`` with a StemmingAnalyzer schema, and the
writer commits once. Search opens the index, parses the query over title and
body and prints the titles of the top hits: no snippets, no dates.

    python benchmarks/whoosh_baseline.py build CORPUS INDEX_DIR
    python benchmarks/whoosh_baseline.py search INDEX_DIR QUERY
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from make_corpus import article_files, decode_bytes


def build(corpus: Path, index_dir: Path) -> int:
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
    for path in article_files(corpus):
        title, _, body = decode_bytes(path.read_bytes()).partition("\n")
        writer.add_document(path=str(path), title=title.strip(), body=body)
        count += 1
    writer.commit()
    return count


def search(index_dir: Path, query_text: str, limit: int = 10) -> list[str]:
    from whoosh import index
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    query = MultifieldParser(["title", "body"], ix.schema).parse(query_text)
    with ix.searcher() as searcher:
        return [hit["title"] for hit in searcher.search(query, limit=limit)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="index every .txt file under CORPUS into a new INDEX_DIR")
    building.add_argument("corpus", type=Path)
    building.add_argument("index_dir", type=Path)
    searching = commands.add_parser("search", help="print the titles of the top hits for QUERY")
    searching.add_argument("index_dir", type=Path)
    searching.add_argument("query")
    searching.add_argument("--limit", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "build":
        print(json.dumps({"articles": build(args.corpus, args.index_dir)}))
    else:
        for title in search(args.index_dir, args.query, args.limit):
            print(title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
