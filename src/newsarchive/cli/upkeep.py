"""The archive as a whole: `archive info`, `reindex` and `check`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from newsarchive.cli.display import IngestDisplay
from newsarchive.cli.options import archive_command, output_options, wait_option

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.cli.output import Output


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
