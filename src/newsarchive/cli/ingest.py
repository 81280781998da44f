"""`archive ingest`: article files into the archive."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from newsarchive.cli.display import IngestDisplay
from newsarchive.cli.options import archive_command, output_options, timezone, wait_option
from newsarchive.reading import FORMATS
from newsarchive.services.ingest import BATCH_ITEMS, IngestOptions

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.cli.output import Output


def lang_code(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> str | None:
    """``--lang``'s callback: its code, checked by the library's ``checked_language``; an unknown
    one is a usage error naming it."""
    from newsarchive.errors import InvalidLanguage
    from newsarchive.reading.language import checked_language

    try:
        return checked_language(value) if value is not None else None
    except InvalidLanguage as error:
        raise click.BadParameter(error.message) from None


@archive_command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--source",
    help="Source (outlet, topic) to record for every article in this run.  Its files are then recorded as"
    " NAME:path in the folder given, so one shared folder mounted at different places is one set of files.",
)
@click.option(
    "--tz", "default_tz", default="UTC", show_default=True, callback=timezone,
    help="Time zone for datelines that give a time without one.",
)
@click.option(
    "--format", "forced_format", type=click.Choice(FORMATS),
    help="Read every file as this format (default: chosen by content and extension).",
)
@click.option(
    "--lang", "language", metavar="CODE", callback=lang_code,
    help="Record this language (ISO 639-1, e.g. ru; or und) for every article read, whatever the files say"
    " (files read before: with --force).  Default: the file's, else identified from the text.",
)
@click.option("--force", is_flag=True, help="Re-read files even when their size and modification time are unchanged.")
@wait_option
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_ITEMS, hidden=True, help="Articles per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-file notes; problems and the summary only.")
@click.option("-v", "--verbose", is_flag=True, help="Also name every undated article, passed-over file and legacy encoding.")
@output_options("ingest")
def ingest(
    archive: Archive, out: Output, paths: tuple[str, ...], source: str | None, default_tz: Any,
    forced_format: str | None, language: str | None, force: bool, wait: bool, batch_size: int, quiet: bool, verbose: bool,
) -> None:
    """Parse article files into dated records.

    PATHS are files or folders; folders are read recursively, passing over
    hidden files and folders. Formats: plain text (.txt), JSON and JSON
    Lines in news-please's field names (.json, .jsonl), HTML pages (.html),
    RSS and Atom feeds (.rss, .atom, .xml) and WARC files (.warc, .warc.gz).
    Each article's language is recorded: the one its file names, else the
    one identified from its text ("und" when it cannot be told).

    Running it again stores only what changed: unchanged files are skipped,
    a changed file updates its article (same id), and the same text or URL
    under several paths is stored once. Near-duplicates are kept and linked
    to the article they copy (see `archive dupes`).

    \b
    Examples:
      archive ingest seeds/
      archive ingest --source bbc-sport corpora/bbc/sport
      archive ingest --tz Europe/Kyiv -v downloads/ukr/
      archive ingest --lang uk downloads/ukr/
      archive ingest --format jsonl export.dump

    Exits 1 when any file could not be ingested; the others are stored.
    Ctrl-C stops after the batch in flight; running it again continues.
    """
    options = IngestOptions(
        source=source, default_tz=default_tz, force=force, wait=wait, format=forced_format, language=language,
        batch_items=batch_size,
    )
    with IngestDisplay(quiet=quiet, verbose=verbose) as display:
        report = archive.ingest(paths, options, observer=display)
    out(report)
    if report.interrupted:
        sys.exit(130)
    if report.failed:
        sys.exit(1)
