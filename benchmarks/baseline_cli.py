"""The command line the plain Whoosh and tantivy baselines share: build from files or records, search."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path


def parse_args(description: str, argv: Sequence[str] | None, dates: bool) -> argparse.Namespace:
    """``build CORPUS INDEX_DIR``, ``build-records NDJSON INDEX_DIR`` or ``search INDEX_DIR QUERY`` (with dates if ``dates``)."""
    parser = argparse.ArgumentParser(description=description)
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="index every .txt file under CORPUS into a new INDEX_DIR")
    building.add_argument("corpus", type=Path)
    building.add_argument("index_dir", type=Path)
    from_records = commands.add_parser("build-records", help="index the records of an NDJSON file into a new INDEX_DIR")
    from_records.add_argument("ndjson", type=Path)
    from_records.add_argument("index_dir", type=Path)
    searching = commands.add_parser("search", help="print the titles of the top hits for QUERY")
    searching.add_argument("index_dir", type=Path)
    searching.add_argument("query")
    if dates:
        searching.add_argument("--since", type=date.fromisoformat)
        searching.add_argument("--until", type=date.fromisoformat)
    searching.add_argument("--limit", type=int, default=10)
    return parser.parse_args(argv)


def build_or_search(
    args: argparse.Namespace,
    build: Callable[[Iterable, Path], int],  # type: ignore[type-arg]
    corpus_records: Callable[[Path], Iterable],  # type: ignore[type-arg]
    ndjson_records: Callable[[Path], Iterable],  # type: ignore[type-arg]
    search: Callable[[argparse.Namespace], list[str]],
) -> int:
    """Run the parsed command: print the number of articles built as JSON, or the titles found."""
    if args.command == "build":
        print(json.dumps({"articles": build(corpus_records(args.corpus), args.index_dir)}))
    elif args.command == "build-records":
        print(json.dumps({"articles": build(ndjson_records(args.ndjson), args.index_dir)}))
    else:
        for title in search(args):
            print(title)
    return 0
