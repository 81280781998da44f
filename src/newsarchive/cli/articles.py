"""The articles themselves: `archive show`, `list`, `dupes`, `export` and `remove`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from newsarchive.cli.options import (
    PAGE_NUMBER,
    PAGE_SIZE,
    archive_command,
    os_error,
    output_options,
    wait_option,
    zone_option,
)
from newsarchive.cli.output import echo_data
from newsarchive.render import terminal
from newsarchive.render.export import EXPORT_FORMATS, render_records

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.cli.output import Output


@archive_command()
@click.argument("article_id", metavar="ID")
@output_options("show")
@zone_option
def show(archive: Archive, out: Output, article_id: str) -> None:
    """Show one article, whole: title, dates, source, lede, body, files.

    ID is the id shown by `archive search`, or its first few characters
    when they are unique.

    \b
    Examples:
      archive show c3eaa81b31
      archive show c3eaa8 --json
    """
    out(archive.get(article_id))


@archive_command("list")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--until", metavar="DATE", help="Only articles published on or before DATE (a month or year counts whole).")
@click.option("--source", help="Only articles from this source (as given to ingest --source).")
@click.option("--limit", type=PAGE_SIZE, default=20, show_default=True, help="Articles per page.")
@click.option("--page", type=PAGE_NUMBER, default=1, show_default=True, help="Which page.")
@output_options("list", csv=True)
@zone_option
def list_command(
    archive: Archive, out: Output, since: str | None, until: str | None, source: str | None, limit: int, page: int
) -> None:
    """Browse the archive by date, newest first (undated articles last).

    \b
    Examples:
      archive list
      archive list --since 2024-11 --until 2024-11 --source werstka
      archive list --limit 50 --page 3 --json
    """
    out(archive.articles(since=since, until=until, source=source, limit=limit, page=page))


@archive_command()
@click.option("--limit", type=PAGE_SIZE, help="Show only the most copied articles.")
@output_options("dupes")
def dupes(archive: Archive, out: Output, limit: int | None) -> None:
    """List articles that have copies: identical files and near-duplicates.

    Identical texts (or the same URL) are stored once and remember every
    file ("="); near-duplicates, such as a wire story under another
    headline, are kept as articles of their own, linked to the one they
    copy ("~").

    \b
    Examples:
      archive dupes
      archive dupes --limit 20 --json
    """
    out(archive.duplicates(limit=limit))


@archive_command(damaged="left out of the export")
@click.argument("query", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True,
    help="jsonl: news-please field names, readable by `archive ingest`; csv: one row per article; md: Markdown.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE (e.g. 2024-11-01).")
@click.option("--until", metavar="DATE", help="Only articles published on or before DATE; 2024-11 means to its end.")
@zone_option
def export(
    archive: Archive, query: str | None, fmt: str, output: str | None, since: str | None, until: str | None
) -> None:
    """Write out every article, or every one matching QUERY: complete and uncapped.

    Articles stream out oldest first (undated last), so exports of any size
    use little memory. A JSON Lines export ingests back unchanged.

    \b
    Examples:
      archive export > everything.jsonl
      archive export 'title:kursk' --format csv -o kursk.csv
      archive export --format md election > election.md
      archive export -o all.jsonl && archive ingest --home copy/ all.jsonl
      archive export election --since 2024-09 --until 2024-11 -o autumn.jsonl

    With --since or --until, articles without a date are left out, as in a search.
    """
    pieces = render_records(archive.export(query, since=since, until=until), fmt)
    if fmt == "jsonl":
        pieces = map(terminal.json_safe, pieces)
    if output is None:
        for piece in pieces:
            if fmt == "jsonl":
                click.echo(terminal.fit_stream(piece, json=True), nl=False)
            else:
                echo_data(piece)
    else:
        _write_export(output, pieces, fmt)


def _write_export(output: str, pieces: Iterable[str], fmt: str) -> None:
    """Write an export to a file in UTF-8; a file that cannot be made or filled is one line."""
    fallback = terminal.JSON_FALLBACK if fmt == "jsonl" else terminal.TEXT_FALLBACK
    try:
        handle = open(output, "w", encoding="utf-8", errors=fallback, newline="")
    except OSError as error:
        raise os_error(error, f"could not create {output}") from error
    try:
        with handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as error:
        raise os_error(error, f"could not write {output} (what it holds is incomplete)") from error


@archive_command()
@click.argument("article_ids", nargs=-1, required=True, metavar="ID...")
@wait_option
@output_options("remove")
def remove(archive: Archive, out: Output, article_ids: tuple[str, ...], wait: bool) -> None:
    """Delete articles from the database and the search index together.

    ID is an article's id, or its first few characters when they are unique.
    All or nothing: if one id is unknown, nothing is removed. The files they
    came from stay recorded as read, so ingesting them again unchanged does
    not bring them back (--force does).

    \b
    Examples:
      archive remove c3eaa81b31
      archive export 'source:werstka' | jq -r .id | xargs -r archive remove
    """
    out(archive.remove(article_ids, wait=wait))
