"""A tantivy baseline: the fastest open engine with Python bindings, as the measure of what is possible.

tantivy (Rust; https://github.com/quickwit-oss/tantivy-py) gets what the
other references get: each file parsed by ``split_article`` (title, lede,
body, date) or the NDJSON records sqlite-utils loads, a schema of title,
description and body (English stemming, positions, title and body stored
for snippets) and a date, added to one writer with its defaults (its own
indexing threads, one per core) and committed once, then its background
merges waited for. Search parses the query over the three text fields with
AND between words, like ``archive search``, and prints the titles of the
top hits (cold: no snippets); ``Searching`` keeps an index open for
in-process and warm searches, with snippets for the warm ones.

    python benchmarks/tantivy_baseline.py build CORPUS INDEX_DIR
    python benchmarks/tantivy_baseline.py build-records ARTICLES.ndjson INDEX_DIR
    python benchmarks/tantivy_baseline.py search INDEX_DIR QUERY [--since DAY --until DAY]
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import baseline_cli
from make_corpus import article_files, decode_bytes, split_article

TEXT_FIELDS = ("title", "description", "body")
#: The writer's memory for all its threads together: tantivy's own examples use 50-100 MB.
WRITER_HEAP_BYTES = 100_000_000


def _schema():  # type: ignore[no-untyped-def]
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("description", tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_date_field("date", indexed=True, fast=True)
    return builder.build()


def corpus_records(corpus: Path) -> Iterator[dict[str, object]]:
    """Each file as a record, parsed by the benchmark's own ``split_article``."""
    for path in article_files(corpus):
        article = split_article(decode_bytes(path.read_bytes()))
        yield {
            "title": article.title,
            "description": article.description,
            "body": "\n".join(article.paragraphs),
            "date": article.published.isoformat() + "+00:00" if article.published else None,
        }


def ndjson_records(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def build(records: Iterator[dict[str, object]], index_dir: Path) -> int:
    import tantivy

    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(index_dir))
    writer = index.writer(WRITER_HEAP_BYTES)
    count = 0
    for record in records:
        document = tantivy.Document(**{name: [str(record.get(name) or "")] for name in TEXT_FIELDS})
        if record.get("date"):
            document.add_date("date", datetime.fromisoformat(str(record["date"])))
        writer.add_document(document)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class Searching:
    """An open index for repeated searches in one process."""

    def __init__(self, index_dir: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.searcher = self.index.searcher()

    def query(self, text: str, since: date | None = None, until: date | None = None):  # type: ignore[no-untyped-def]
        tantivy = self.tantivy
        parsed = self.index.parse_query(text, list(TEXT_FIELDS), conjunction_by_default=True)
        if since is None and until is None:
            return parsed
        dates = tantivy.Query.range_query(
            self.index.schema, "date", tantivy.FieldType.Date,
            _midnight(since) if since else None, _midnight(until, next_day=True) if until else None,
            include_upper=until is None,
        )  # fmt: skip
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, dates)])

    def titles(self, text: str, since: date | None = None, until: date | None = None, limit: int = 10) -> list[str]:
        found = self.searcher.search(self.query(text, since, until), limit)
        return [self.searcher.doc(address)["title"][0] for _score, address in found.hits]

    def snippets(self, text: str, since: date | None = None, until: date | None = None, limit: int = 10) -> list[str]:
        """The top hits' titles and body snippets with the query's words marked (what the warm table times)."""
        query = self.query(text, since, until)
        generator = self.tantivy.SnippetGenerator.create(self.searcher, query, self.index.schema, "body")
        shown = []
        for _score, address in self.searcher.search(query, limit).hits:
            document = self.searcher.doc(address)
            shown.append(document["title"][0] + " " + generator.snippet_from_doc(document).to_html())
        return shown

    def count(self, text: str, since: date | None = None, until: date | None = None) -> int:
        return self.searcher.search(self.query(text, since, until), 1, count=True).count


def _midnight(day: date, next_day: bool = False) -> datetime:
    return datetime.combine(day + timedelta(days=int(next_day)), time(), UTC)


def main(argv: Sequence[str] | None = None) -> int:
    args = baseline_cli.parse_args(__doc__.split("\n\n")[0], argv, dates=True)
    return baseline_cli.build_or_search(
        args, build, corpus_records, ndjson_records, lambda args: Searching(args.index_dir).titles(args.query, args.since, args.until, args.limit)
    )


if __name__ == "__main__":
    sys.exit(main())
