"""The `archive` command. Each command reads its options, calls one library function, prints.

Heavy libraries (SQLAlchemy, Alembic, Whoosh) are imported by the library
functions that need them, so `archive --help` starts at once and
`archive search` never loads the database layer.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import click

from newsarchive import __version__
from newsarchive.config import ArchiveConfig, require_archive, resolve_config
from newsarchive.engines import open_engine
from newsarchive.errors import DAMAGED_DATABASE_HINT, DAMAGED_ROW_HINT, ArchiveError, UndecodableText, UnreadableValue
from newsarchive.reading import FORMATS
from newsarchive.render import terminal
from newsarchive.render import views as render
from newsarchive.render.progress import IngestObserver


class ArchiveCommandError(click.ClickException):
    """An ArchiveError as Click shows it: one line, a hint, the error's exit code."""

    def __init__(self, error: ArchiveError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # (a class attribute in Click; Click reads the instance's)
        self.hint = error.hint

    def format_message(self) -> str:
        # Messages quote what the user gave and what the files hold (names, ids, queries).
        message = terminal.terminal_safe(self.message)
        return message + (f"\nHint: {terminal.terminal_safe(self.hint)}" if self.hint else "")


#: How many results one page may hold, and how far one may page: beyond them a number is a
#: mistake (and past SQLite's 64-bit integers, an overflow), said as a usage error.
PAGE_SIZE = click.IntRange(min=1, max=100_000)
PAGE_NUMBER = click.IntRange(min=1, max=1_000_000_000)

_HOME_HELP = "Archive folder (default: $ARCHIVE_HOME, else the user data folder)."


#: Failures of the machine, not of newsarchive: reported in one line, like any ArchiveError.
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


def archive_command(
    group: click.Group, name: str | None = None, *, makes_archive: bool = False
) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a command that opens the archive and reports ArchiveError cleanly.

    ``--home`` works before the command name and after it; after wins.
    Only a command that ``makes_archive`` (ingest) may start at a home that
    holds none; the others say there is no archive there.
    """

    def decorate(function: Callable[..., Any]) -> click.Command:
        @functools.wraps(function)
        def run(*args: Any, home: str | None, **kwargs: Any) -> Any:
            home = home or click.get_current_context().find_root().meta.get("newsarchive.home")
            damaged = _DamagedRows()
            try:
                config = dataclasses.replace(resolve_config(home), on_damaged=damaged.report)
                if not makes_archive:
                    require_archive(config)
                result = function(config, *args, **kwargs)
                damaged.fail_if_any("left out")
                return result
            except ArchiveError as error:
                raise ArchiveCommandError(error) from error
            except UnreadableValue as error:  # met where rows are not read one at a time
                held = f"text that is {error}" if isinstance(error, UndecodableText) else f"a value that cannot be read: {error}"
                message = f"a row of the archive database holds {held}"
                raise ArchiveCommandError(ArchiveError(message, hint="`archive check` names it; " + DAMAGED_ROW_HINT)) from error
            except OSError as error:
                # A full disk, a read-only or unreadable place: the machine's
                # trouble, said in one line (the error names the file).
                if error.errno not in _ENVIRONMENT_ERRNOS:
                    raise
                raise ArchiveCommandError(_os_error(error)) from error
            except Exception as error:
                # The database layer's own errors (a damaged or foreign database file,
                # a server gone away) still get one line; anything else is a bug to see.
                if not type(error).__module__.startswith("sqlalchemy"):
                    raise
                from newsarchive.storage.database import database_error

                raise ArchiveCommandError(database_error(error)) from error

        run = click.option("--home", type=click.Path(file_okay=False), help=_HOME_HELP)(run)
        return group.command(name)(run)

    return decorate


def _os_error(error: OSError, doing: str | None = None) -> ArchiveError:
    """One line for a failure of the machine; ``doing`` says what failed ("could not write out.csv")."""
    if doing is not None:
        message = f"{doing}: {error.strerror or error}"
    else:
        message = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        hint: str | None = "make room on the disk and run the command again"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "check the permissions of the folders involved"
    else:
        hint = None
    return ArchiveError(message, hint=hint)


class _DamagedRows:
    """Rows of the database that cannot be read: one line each on stderr as they come, exit 1 at the end."""

    def __init__(self) -> None:
        self.count = 0
        self.hints: set[str | None] = set()

    def report(self, error: ArchiveError) -> None:
        self.count += 1
        self.hints.add(error.hint)
        click.echo(f"error: {error.message}", err=True)

    def fail_if_any(self, consequence: str) -> None:
        if self.count:
            noun = "article" if self.count == 1 else "articles"
            # (One row's own hint names its id and file; a damaged database file's is the same for every row.)
            hint = next(iter(self.hints)) if len(self.hints) == 1 else DAMAGED_ROW_HINT
            if DAMAGED_DATABASE_HINT in self.hints:
                hint = DAMAGED_DATABASE_HINT
            raise ArchiveCommandError(ArchiveError(f"{self.count} damaged {noun} {consequence}", hint=hint))


def json_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")(function)


def csv_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV (with a header).")(function)


def _emit(
    as_json: bool, as_csv: bool, *, data: Callable[[], Any], csv: Callable[[], str], text: Callable[[], str]
) -> None:
    """Print a command's result: CSV (``csv`` gives the text), one JSON object (of ``data``), or text for people.

    Text for people makes what came from outside safe itself (``render``), around its own bold.
    """
    if as_csv:
        _echo_data(csv())
    elif as_json:
        click.echo(_json_text(data()))
    else:
        click.echo(text())


def _json_text(data: Any) -> str:
    """One JSON object for stdout: \\u escapes for what the stream cannot encode, so it stays valid JSON."""
    return terminal.fit_stream(render.to_json(data), json=True)


def _echo_data(text: str) -> None:
    """CSV or Markdown on stdout: as stored when it goes to a file or a program (``> out.csv``,
    ``| csvlook``), so data keeps every character; made safe when a terminal shows it."""
    if _stdout_is_terminal():
        click.echo(terminal.terminal_safe(text, keep="\n\r\t"), nl=False)
    else:  # (color=True: Click would otherwise strip what looks like ANSI codes from the data)
        click.echo(text, nl=False, color=True)


def _stdout_is_terminal() -> bool:
    return terminal.is_terminal(sys.stdout)


def zone_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--tz ZONE``: dates typed (--since, --until, date:) are read there, and dates are shown there."""

    @functools.wraps(function)
    def run(*args: Any, zone: Any, **kwargs: Any) -> Any:
        from newsarchive.periods import zone_context

        with zone_context(zone):
            return function(*args, **kwargs)

    return click.option(
        "--tz", "zone", metavar="ZONE", callback=_timezone,
        help="Time zone (e.g. Europe/Moscow) to read dates you type in and to show dates in "
        "[default: UTC for dates you type, the offset each article was published with for dates shown].",
    )(run)


def _one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")


def _color() -> bool:
    return terminal.wants_color(sys.stdout)


class _ArchiveCommand(click.Command):
    """A command whose text arguments must be text: a query, an id or a --source given as
    bytes that are not UTF-8 (bash's ``$'caf\\xe9'``) is a usage error, not a traceback
    wherever it is first encoded. File paths (``click.Path``) may be any bytes."""

    def invoke(self, ctx: click.Context) -> Any:
        for param in self.params:
            if isinstance(param.type, click.Path):
                continue
            value = ctx.params.get(param.name or "")
            for text in value if isinstance(value, tuple) else (value,):
                if isinstance(text, str) and not terminal.encodes(text):
                    shown = terminal.terminal_safe(text)
                    raise click.BadParameter(f"'{shown}' holds bytes that are not UTF-8 text (shown as \\xNN)", ctx, param)
        return super().invoke(ctx)


class _ArchiveGroup(click.Group):
    command_class = _ArchiveCommand

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None:
            # Started with stdout closed (`archive list >&-`): what a command prints would be lost
            # while it seemed to succeed, so it says so and does nothing, as a full disk would.
            click.echo("Error: standard output is closed: nothing could be printed", err=True)
            sys.exit(1)
        # Every command, Click's help and errors included, prints on any terminal or pipe:
        # what the stream's encoding lacks gets a stand-in ("..." for "…").
        with terminal.fallback_streams():
            try:
                return super().main(*args, **kwargs)
            except OSError as error:
                # Output redirected to a full disk (`> /dev/full`): one line, as Click does for a closed pipe.
                if error.errno not in _NO_ROOM or not kwargs.get("standalone_mode", True):
                    raise
                sys.stdout = open(os.devnull, "w")  # what stdout still holds cannot be written either
                click.echo(f"Error: could not write the output: {error.strerror}", err=True)
                sys.exit(1)


_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@click.group(cls=_ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@click.option("--home", type=click.Path(file_okay=False), help=_HOME_HELP)
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """A news-article archive with full-text search.

    \b
    Examples:
      archive ingest seeds/          # parse article files into dated records
      archive search "Kursk"         # ranked, highlighted results
      archive show c3eaa81b31        # one article, whole (the seed's id)
      archive info                   # where the archive is and what it holds

    The archive lives in --home, else $ARCHIVE_HOME, else your user data
    folder; $ARCHIVE_DATABASE_URL puts the database elsewhere (any
    SQLAlchemy URL, e.g. postgresql://...).
    """
    ctx.meta["newsarchive.home"] = home


# --- ingest -----------------------------------------------------------------------


def _timezone(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if value is None:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {value!r} (use a name such as UTC or Europe/Kyiv)") from None


@archive_command(cli, makes_archive=True)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--source", help="Source (outlet, topic) to record for every article in this run.")
@click.option(
    "--tz", "default_tz", default="UTC", show_default=True, callback=_timezone,
    help="Time zone for datelines that give a time without one.",
)
@click.option(
    "--format", "forced_format", type=click.Choice(FORMATS),
    help="Read every file as this format (default: chosen by content and extension).",
)
@click.option("--force", is_flag=True, help="Re-read files even when their size and modification time are unchanged.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for another writer, or fail at once.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, hidden=True, help="Articles per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-file notes; problems and the summary only.")
@click.option("-v", "--verbose", is_flag=True, help="Also name every undated article, passed-over file and legacy encoding.")
@json_option
def ingest(
    config: ArchiveConfig, paths: tuple[str, ...], source: str | None, default_tz: Any,
    forced_format: str | None, force: bool, wait: bool, batch_size: int, quiet: bool, verbose: bool,
    as_json: bool,
) -> None:
    """Parse article files into dated records.

    PATHS are files or folders; folders are read recursively, passing over
    hidden files and folders. Formats: plain text (.txt), JSON and JSON
    Lines in news-please's field names (.json, .jsonl), HTML pages (.html),
    RSS and Atom feeds (.rss, .atom, .xml) and WARC files (.warc, .warc.gz).

    Running it again stores only what changed: unchanged files are skipped,
    a changed file updates its article (same id), and the same text or URL
    under several paths is stored once. Near-duplicates are kept and linked
    to the article they copy (see `archive dupes`).

    \b
    Examples:
      archive ingest seeds/
      archive ingest --source bbc-sport corpora/bbc/sport
      archive ingest --tz Europe/Kyiv -v downloads/ukr/
      archive ingest --format jsonl export.dump

    Exits 1 when any file could not be ingested; the others are stored.
    Ctrl-C stops after the batch in flight; running it again continues.
    """
    from newsarchive.services.ingest import IngestOptions, ingest_paths

    options = IngestOptions(
        source=source, default_tz=default_tz, force=force, wait=wait, format=forced_format, batch_items=batch_size
    )
    with _IngestDisplay(quiet=quiet, verbose=verbose) as display:
        report = ingest_paths(config, paths, options, display)
    click.echo(_json_text(render.ingest_dict(report)) if as_json else render.ingest_summary(report))
    if report.interrupted:
        sys.exit(130)
    if report.failed:
        sys.exit(1)


class _IngestDisplay(IngestObserver):
    """Progress bar and per-file notes on stderr, for a person at a terminal."""

    MIN_FILES_FOR_BAR = 20

    def __init__(self, *, quiet: bool, verbose: bool) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.bar: Any = None

    def __enter__(self) -> _IngestDisplay:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def begin(self, total: int) -> None:
        if not self.quiet and total >= self.MIN_FILES_FOR_BAR and terminal.is_terminal(sys.stderr):
            self.started = time.monotonic()
            self.bar = click.progressbar(
                length=total, label="Ingesting", file=sys.stderr, show_pos=True, show_eta=True,
                item_show_func=lambda rate: rate,
            )
            self.bar.render_progress()

    def advance(self, count: int) -> None:
        if self.bar is not None:
            elapsed = time.monotonic() - self.started
            rate = f"{(self.bar.pos + count) / elapsed:.0f}/s" if elapsed > 0.5 else None
            self.bar.update(count, rate)

    def interrupted(self) -> None:
        self._note("Interrupted: finishing the batch in flight (Ctrl-C again to stop at once)...")

    def phase(self, message: str) -> None:
        if self.bar is not None:  # (a run long enough for a bar may merge for a while)
            self._note(message)

    def _note(self, text: str) -> None:
        # Notes name files and quote what they hold: escapes in a file name must not reach the terminal.
        click.echo(("\n" if self.bar is not None else "") + terminal.terminal_safe(text), err=True)

    def failure(self, note: Any) -> None:
        self._note(f"error: {note.path}: {note.message}")

    def warning(self, note: Any) -> None:
        if not self.quiet:
            self._note(f"warning: {note.path}: {note.message}")

    def note(self, note: Any) -> None:
        if self.verbose:
            self._note(f"{note.path}: {note.message}")

    def waiting(self) -> None:
        click.echo("Another process is writing to this archive; waiting for it to finish...", err=True)


# --- search -----------------------------------------------------------------------


@archive_command(cli)
@click.argument("query")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE (e.g. 2024-11-01).")
@click.option("--until", metavar="DATE", help="Only articles published on or before DATE; 2024-11 means to its end.")
@click.option(
    "--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True,
    help="Order of hits; undated articles come last when sorting by date.",
)
@click.option(
    "--undated", type=click.Choice(["include", "exclude", "only"]), default="include", show_default=True,
    help="What to do with articles that have no date.",
)
@click.option(
    "--facet", "facets", multiple=True, type=click.Choice(["source", "year", "month", "lang", "author"]),
    help="Count the hits per value of this field (repeatable).",
)
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="Fold near-duplicates into one hit with '+N copies'.")
@click.option("--limit", type=PAGE_SIZE, default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=PAGE_NUMBER, default=1, show_default=True, help="Which page of hits.")
@json_option
@csv_option
@zone_option
def search(
    config: ArchiveConfig, query: str, since: str | None, until: str | None, sort: str, undated: str,
    facets: tuple[str, ...], collapse: bool, limit: int, page: int, as_json: bool, as_csv: bool,
) -> None:
    """Full-text search, best matches first, with the matching words highlighted.

    Words are stemmed (elections finds election) and all must match.
    Titles weigh more than the body.

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
      archive search election --since 2024-11-10 --tz Europe/Moscow

    Dates show at the offset each article was published with, or in --tz;
    articles without a date are left out when --since or --until is given.
    """
    from newsarchive.services.search import SearchRequest
    from newsarchive.services.search import search as run_search

    request = SearchRequest(
        query=query, since=since, until=until, sort=sort, limit=limit, page=page, undated=undated,
        facets=facets, collapse=collapse,
    )
    _one_format(as_json, as_csv)
    result = run_search(open_engine(config), request)
    _emit(
        as_json, as_csv,
        data=lambda: render.search_dict(result),
        csv=lambda: render.to_csv([render.hit_dict(hit) for hit in result.hits]),
        text=lambda: render.search_text(result, _color()),
    )


# --- show, info, reindex -----------------------------------------------------------------


@archive_command(cli)
@click.argument("article_id", metavar="ID")
@json_option
@zone_option
def show(config: ArchiveConfig, article_id: str, as_json: bool) -> None:
    """Show one article, whole: title, dates, source, lede, body, files.

    ID is the id shown by `archive search`, or its first few characters
    when they are unique.

    \b
    Examples:
      archive show c3eaa81b31
      archive show c3eaa8 --json
    """
    from newsarchive.services.articles import get_article

    record = get_article(config, article_id)
    click.echo(_json_text(render.article_dict(record)) if as_json else render.article_text(record, _color()))


@archive_command(cli)
@json_option
def info(config: ArchiveConfig, as_json: bool) -> None:
    """Where the archive is, its schema revision and what it holds.

    \b
    Examples:
      archive info
      ARCHIVE_HOME=/data/news archive info --json
    """
    from newsarchive.services.articles import archive_info

    facts = archive_info(config, open_engine(config))
    click.echo(_json_text(facts.as_dict()) if as_json else render.info_text(facts))


@archive_command(cli)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for another writer, or fail at once.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@json_option
def reindex(config: ArchiveConfig, wait: bool, quiet: bool, as_json: bool) -> None:
    """Rebuild the search index from the database.

    The database is the source of truth; the index is built beside the old
    one and swapped in, so searches keep working meanwhile.

    \b
    Examples:
      archive reindex
    """
    from newsarchive.services.indexing import reindex_archive

    started = time.monotonic()
    damaged = _DamagedRows()
    with _IngestDisplay(quiet=quiet, verbose=False) as display:
        result = reindex_archive(config, wait=wait, progress=display, on_damaged=damaged.report)
    elapsed = time.monotonic() - started
    if as_json:
        click.echo(_json_text({"indexed": result.indexed, "elapsed_seconds": round(elapsed, 3)}))
    else:
        click.echo(render.reindex_summary(result, elapsed))
    damaged.fail_if_any("left out of the index")


@archive_command(cli)
@click.option("--repair", is_flag=True, help="Fix what the check finds: re-index, drop dangling rows.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for another writer, or fail at once.")
@json_option
def check(config: ArchiveConfig, repair: bool, wait: bool, as_json: bool) -> None:
    """Check that the database and the search index agree.

    Looks for articles missing from the index, index entries the database
    no longer has, stale or doubled entries, dangling rows and the schema
    revision. Exits 1 when a problem remains.

    \b
    Examples:
      archive check
      archive check --repair
    """
    from newsarchive.services.check import check_archive

    with _IngestDisplay(quiet=False, verbose=False) as display:
        report = check_archive(config, repair=repair, wait=wait, progress=display)
    click.echo(_json_text(render.check_dict(report)) if as_json else render.check_text(report))
    if not report.ok:
        sys.exit(1)


@archive_command(cli)
@click.option("--limit", type=PAGE_SIZE, help="Show only the most copied articles.")
@json_option
def dupes(config: ArchiveConfig, limit: int | None, as_json: bool) -> None:
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
    from newsarchive.services.articles import duplicate_groups

    groups = duplicate_groups(config, limit=limit)
    click.echo(_json_text(render.dupes_dict(groups)) if as_json else render.dupes_text(groups))


# --- list, export, remove -------------------------------------------------------------


@archive_command(cli, "list")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--until", metavar="DATE", help="Only articles published on or before DATE (a month or year counts whole).")
@click.option("--source", help="Only articles from this source (as given to ingest --source).")
@click.option("--limit", type=PAGE_SIZE, default=20, show_default=True, help="Articles per page.")
@click.option("--page", type=PAGE_NUMBER, default=1, show_default=True, help="Which page.")
@json_option
@csv_option
@zone_option
def list_command(
    config: ArchiveConfig, since: str | None, until: str | None, source: str | None, limit: int, page: int,
    as_json: bool, as_csv: bool,
) -> None:
    """Browse the archive by date, newest first (undated articles last).

    \b
    Examples:
      archive list
      archive list --since 2024-11 --until 2024-11 --source werstka
      archive list --limit 50 --page 3 --json
    """
    from newsarchive.periods import parse_period
    from newsarchive.services.articles import list_articles

    _one_format(as_json, as_csv)
    start, end = parse_period(since, until)
    found = list_articles(config, since=start, until=end, source=source, limit=limit, page=page)
    _emit(
        as_json, as_csv,
        data=lambda: render.list_dict(found, limit, page),
        csv=lambda: render.to_csv(render.list_dict(found, limit, page)["articles"]),
        text=lambda: render.list_text(found, limit, page),
    )


@archive_command(cli)
@click.argument("query", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "md"]), default="jsonl", show_default=True,
    help="jsonl: news-please field names, readable by `archive ingest`; csv: one row per article; md: Markdown.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@zone_option
def export(config: ArchiveConfig, query: str | None, fmt: str, output: str | None) -> None:
    """Write out every article, or every one matching QUERY: complete and uncapped.

    Articles stream out oldest first (undated last), so exports of any size
    use little memory. A JSON Lines export ingests back unchanged.

    \b
    Examples:
      archive export > everything.jsonl
      archive export 'title:kursk' --format csv -o kursk.csv
      archive export --format md election > election.md
      archive export -o all.jsonl && archive ingest --home copy/ all.jsonl
    """
    from newsarchive.services.export import export_records, render_records

    damaged = _DamagedRows()
    pieces = render_records(export_records(config, open_engine(config), query, on_damaged=damaged.report), fmt)
    if fmt == "jsonl":
        pieces = map(terminal.json_safe, pieces)
    if output is None:
        for piece in pieces:
            if fmt == "jsonl":
                click.echo(terminal.fit_stream(piece, json=True), nl=False)
            else:
                _echo_data(piece)
    else:
        _write_export(output, pieces, fmt)
    damaged.fail_if_any("left out of the export")


def _write_export(output: str, pieces: Iterable[str], fmt: str) -> None:
    """Write an export to a file in UTF-8; a file that cannot be made or filled is one line."""
    fallback = terminal.JSON_FALLBACK if fmt == "jsonl" else terminal.TEXT_FALLBACK
    try:
        handle = open(output, "w", encoding="utf-8", errors=fallback, newline="")
    except OSError as error:
        raise _os_error(error, f"could not create {output}") from error
    try:
        with handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as error:
        raise _os_error(error, f"could not write {output} (what it holds is incomplete)") from error


@archive_command(cli)
@click.argument("article_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for another writer, or fail at once.")
@json_option
def remove(config: ArchiveConfig, article_ids: tuple[str, ...], wait: bool, as_json: bool) -> None:
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
    from newsarchive.services.remove import remove_articles

    removed = remove_articles(config, article_ids, wait=wait)
    if as_json:
        click.echo(_json_text({"removed": [{"id": item.id, "title": item.title} for item in removed]}))
    else:
        click.echo(render.removed_text(removed))


@archive_command(cli)
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month", show_default=True,
              help="Bucket size.")
@click.option("--since", metavar="DATE", help="Start of the chart (default: the first matching article).")
@click.option("--until", metavar="DATE", help="End of the chart (default: the last matching article).")
@click.option("--normalize", is_flag=True,
              help="Show each bucket's share of all archived articles, not raw counts.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), metavar="FILE.svg|png",
              help="Also write a chart image (needs: pip install 'newsarchive[plot]').")
@csv_option
@json_option
@zone_option
def trend(
    config: ArchiveConfig, queries: tuple[str, ...], by: str, since: str | None, until: str | None,
    normalize: bool, plot_path: str | None, as_csv: bool, as_json: bool,
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

    from newsarchive.periods import parse_period
    from newsarchive.services import trend as trends

    _one_format(as_json, as_csv)
    start, end = parse_period(since, until)
    result = trends.trend(open_engine(config), list(queries), by=by, since=start, until=end, normalize=normalize)
    if plot_path:
        trends.plot_trend(result, Path(plot_path))
    _emit(
        as_json, as_csv,
        data=lambda: trends.trend_dict(result),
        csv=lambda: trends.trend_csv(result),
        text=lambda: trends.trend_text(result),
    )
    if plot_path:
        click.echo(f"Chart written to {terminal.terminal_safe(plot_path)}", err=True)


@archive_command(cli)
@click.argument("article_id", metavar="ID")
@click.option("--limit", type=PAGE_SIZE, default=10, show_default=True, help="How many articles.")
@json_option
@csv_option
@zone_option
def similar(config: ArchiveConfig, article_id: str, limit: int, as_json: bool, as_csv: bool) -> None:
    """The articles most like this one, by the key terms of its text.

    ID is the id shown by `archive search`, or its first few characters
    when they are unique.

    \b
    Examples:
      archive similar c3eaa81b31
      archive similar c3eaa81b31 --limit 20 --json
    """
    from newsarchive.services.search import similar as find_similar

    _one_format(as_json, as_csv)
    page = find_similar(open_engine(config), article_id, limit)
    _emit(
        as_json, as_csv,
        data=lambda: render.search_dict(page),
        csv=lambda: render.to_csv([render.hit_dict(hit) for hit in page.hits]),
        text=lambda: render.similar_text(article_id, page, _color()),
    )


@archive_command(cli)
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1, max=200), default=20, show_default=True, help="How many words.")
@json_option
@csv_option
@zone_option
def terms(config: ArchiveConfig, query: str, limit: int, as_json: bool, as_csv: bool) -> None:
    """The words most over-represented in the articles matching QUERY.

    Compares the best matches (up to 300) with the whole archive (Whoosh's
    Bo1 model), so the words that tell these articles apart come first.

    \b
    Examples:
      archive terms Kursk
      archive terms 'title:election date:2024' --limit 40 --json
    """
    from newsarchive.services.search import telling_terms

    _one_format(as_json, as_csv)
    matched, words = telling_terms(open_engine(config), query, limit)
    _emit(
        as_json, as_csv,
        data=lambda: render.terms_dict(query, matched, words),
        csv=lambda: render.to_csv(render.terms_dict(query, matched, words)["terms"]),
        text=lambda: render.terms_text(query, matched, words),
    )
