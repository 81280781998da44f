"""The archive as a whole: `archive init`, `info`, `reindex` and `check`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from newsarchive.cli.display import IngestDisplay
from newsarchive.cli.options import archive_command, output_options, wait_option
from newsarchive.engines import ENGINES

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.cli.output import Output



@archive_command()
@click.option(
    "--engine", type=click.Choice(ENGINES), default=None,
    help="The search engine every machine on the archive uses: whoosh (an index in each home), "
    "postgres (the search in the PostgreSQL server; the default there). Default: keep the one recorded.",
)  # fmt: skip
@wait_option
@output_options("init")
def init(archive: Archive, out: Output, engine: str | None, wait: bool) -> None:
    """Make the archive if it is missing, and record the search engine it uses.

    On a PostgreSQL server (ARCHIVE_DATABASE_URL) the engine recorded is the
    one every machine then opens ("postgres", the search in the server, unless
    one is recorded); $ARCHIVE_ENGINE overrides it on one machine.

    \b
    Examples:
      archive init
      archive init --engine whoosh --json
    """
    done = archive.init(engine=engine, wait=wait)
    out(done)
    if done.previous is not None and done.articles:
        click.echo(
            f"note: the archive's engine was {done.previous}: its {done.articles} articles are searched with "
            f"{done.engine} once `archive reindex` has indexed them for it",
            err=True,
        )


@archive_command()
@output_options("info")
def info(archive: Archive, out: Output) -> None:
    """Where the archive is, its schema revision and what it holds.

    \b
    Examples:
      archive info
      ARCHIVE_HOME=/data/news archive info --json
    """
    out(archive.info())


@archive_command(damaged="left out of the index")
@wait_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@output_options("reindex")
def reindex(archive: Archive, out: Output, wait: bool, quiet: bool) -> None:
    """Rebuild the search index from the database.

    The database is the source of truth; the index is built beside the old
    one and swapped in, so searches keep working meanwhile.

    \b
    Examples:
      archive reindex
    """
    with IngestDisplay(quiet=quiet, verbose=False) as display:
        done = archive.reindex(wait=wait, progress=display)
    out(done)


@archive_command()
@click.option("--repair", is_flag=True, help="Fix what the check finds: re-index, drop dangling rows.")
@wait_option
@output_options("check")
def check(archive: Archive, out: Output, repair: bool, wait: bool) -> None:
    """Check that the database and the search index agree.

    Looks for articles missing from the index, index entries the database
    no longer has, stale or doubled entries, dangling rows and the schema
    revision. Exits 1 when a problem remains.

    \b
    Examples:
      archive check
      archive check --repair
    """
    with IngestDisplay(quiet=False, verbose=False) as display:
        report = archive.check(repair=repair, wait=wait, progress=display)
    out(report)
    if not report.ok:
        sys.exit(1)
