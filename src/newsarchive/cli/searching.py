"""Questions to the search index: `archive search`, `similar`, `terms` and `trend`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from newsarchive.cli.options import PAGE_NUMBER, PAGE_SIZE, archive_command, output_options, zone_option
from newsarchive.engines.protocol import FACETS, SORTS, UNDATED
from newsarchive.periods import BY
from newsarchive.render import terminal

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.cli.output import Output


@archive_command()
@click.argument("query")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE (e.g. 2024-11-01).")
@click.option("--until", metavar="DATE", help="Only articles published on or before DATE; 2024-11 means to its end.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
    help="Order of hits; undated articles come last when sorting by date.",
)
@click.option(
    "--undated", type=click.Choice(UNDATED), default="include", show_default=True,
    help="What to do with articles that have no date.",
)
@click.option(
    "--facet", "facets", multiple=True, type=click.Choice(FACETS),
    help="Count the hits per value of this field (repeatable).",
)
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="Fold near-duplicates into one hit with '+N copies'.")
@click.option("--limit", type=PAGE_SIZE, default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=PAGE_NUMBER, default=1, show_default=True, help="Which page of hits.")
@output_options("search", csv=True)
@zone_option
def search(
    archive: Archive, out: Output, query: str, since: str | None, until: str | None, sort: str, undated: str,
    facets: tuple[str, ...], collapse: bool, limit: int, page: int,
) -> None:
    """Full-text search, best matches first, with the matching words highlighted.

    Words are stemmed in each article's language (elections finds
    election, переговор finds переговорами), accents are optional (cafe
    finds café), and all words must match. Titles weigh more than the body.
    Chinese, Japanese and Korean need two characters or more.

    \b
    Query syntax:
      kursk talks              both words (AND is implied)
      kursk OR kharkiv         either word
      kursk NOT trump          the first but not the second
      (kursk OR kharkiv) talks grouping
      "peace talks"            the exact phrase
      "peace talks"~3          the words at most 3 apart
      title:kursk              only in titles (also description:, body:)
      source:bbc lang:en       the source and language recorded at ingest
      author:"anna petrova"    an author (whole name; author:*petrova also works)
      negotiat*                any word starting so (2 letters at least before * or ?)
      putn~                    fuzzy: words one edit away (putn~2 for two, the most),
                               starting with the same letter
    \b
    Dates in the query narrow the whole query (UTC, or --tz):
      date:2024-11             a year, month or day
      date:[2024-11-01 TO 2024-11-30]   a range; * or nothing for an open end
      date:>2024-11-01         after that day (also >=, <, <=)
      date:>-7d                the last 7 days (d, w, m, y)

    \b
    Limits (refused with exit code 2, before searching):
      1,000 characters and 32 words a query; wildcards and fuzzy terms
      standing for at most 1,000 words of the archive together.
    A search that runs past 10 seconds ($ARCHIVE_SEARCH_SECONDS) is
    stopped with exit code 1.

    \b
    Examples:
      archive search Kursk
      archive search '"peace talks" AND title:kremlin' --since 2024-11
      archive search election --sort newest --limit 20 --page 2
      archive search budget --json | jq '.hits[].id'
      archive search 'date:2024-11 source:werstka' --sort newest
      archive search election --facet source --facet year
      archive search 'lang:ru переговоры' --facet lang
      archive search election --since 2024-11-10 --tz Europe/Moscow

    Dates show at the offset each article was published with, or in --tz;
    articles without a date are left out when --since or --until is given.
    """
    out(archive.search(
        query, since=since, until=until, sort=sort, limit=limit, page=page, undated=undated, facets=facets,
        collapse=collapse,
    ))  # fmt: skip


@archive_command()
@click.argument("article_id", metavar="ID")
@click.option("--limit", type=PAGE_SIZE, default=10, show_default=True, help="How many articles.")
@output_options("similar", csv=True)
@zone_option
def similar(archive: Archive, out: Output, article_id: str, limit: int) -> None:
    """The articles most like this one, by the key terms of its text.

    ID is the id shown by `archive search`, or its first few characters
    when they are unique.

    \b
    Examples:
      archive similar c3eaa81b31
      archive similar c3eaa81b31 --limit 20 --json
    """
    out(archive.similar(article_id, limit))


@archive_command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1, max=200), default=20, show_default=True, help="How many words.")
@output_options("terms", csv=True)
@zone_option
def terms(archive: Archive, out: Output, query: str, limit: int) -> None:
    """The words most over-represented in the articles matching QUERY.

    Compares the best matches (up to 300) with the whole archive (Whoosh's
    Bo1 model), so the words that tell these articles apart come first.

    \b
    Examples:
      archive terms Kursk
      archive terms 'title:election date:2024' --limit 40 --json
    """
    out(archive.terms(query, limit))


@archive_command()
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@click.option("--by", type=click.Choice(BY), default="month", show_default=True,
              help="Bucket size.")
@click.option("--since", metavar="DATE", help="Start of the chart (default: the first matching article).")
@click.option("--until", metavar="DATE", help="End of the chart (default: the last matching article).")
@click.option("--normalize", is_flag=True,
              help="Show each bucket's share of all archived articles, not raw counts.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), metavar="FILE.svg|png",
              help="Also write a chart image (needs: pip install 'newsarchive[plot]').")
@output_options("trend", csv=True)
@zone_option
def trend(
    archive: Archive, out: Output, queries: tuple[str, ...], by: str, since: str | None, until: str | None,
    normalize: bool, plot_path: str | None,
) -> None:
    """Attention over time: matching articles per day, week, month or year.

    Empty buckets show as zero. Several queries are compared side by side.
    --normalize divides by everything archived in each bucket, so a spike in
    collection volume is not mistaken for a spike in attention.

    \b
    Examples:
      archive trend Kursk
      archive trend 'title:election' --by week --since 2024-09 --until 2024-11
      archive trend Kursk Kharkiv --normalize --plot attention.svg
      archive trend budget --by year --csv > budget.csv
      archive trend Kursk --by day --tz Europe/Moscow
    """
    from pathlib import Path

    from newsarchive.render.plot import plot_trend

    counted = archive.trend(queries, by=by, since=since, until=until, normalize=normalize)
    if plot_path:
        plot_trend(counted, Path(plot_path))
    out(counted)
    if plot_path:
        click.echo(f"Chart written to {terminal.terminal_safe(plot_path)}", err=True)
