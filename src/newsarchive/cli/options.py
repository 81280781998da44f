"""What every command shares, written once: ``archive_command`` (open the archive, report errors
in one line), ``--home``, ``--json``/``--csv`` (``output_options``), ``--tz``, paging and ``--wait``."""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable
from typing import Any

import click

from newsarchive.cli.output import Output
from newsarchive.errors import DAMAGED_DATABASE_HINT, DAMAGED_ROW_HINT, ArchiveError
from newsarchive.render import terminal


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


def home_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--home", type=click.Path(file_okay=False), help=_HOME_HELP)(function)


class ArchiveCommand(click.Command):
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


def archive_command(
    name: str | None = None, *, damaged: str = "left out"
) -> Callable[[Callable[..., Any]], click.Command]:
    """A command that gets the ``Archive`` at ``--home`` as its first argument and reports ArchiveError cleanly.

    ``--home`` works before the command name and after it; after wins. Rows
    the command leaves out because they cannot be read are named on stderr as
    they come, and end it with exit 1: "N damaged articles ``damaged``".
    """

    def decorate(function: Callable[..., Any]) -> click.Command:
        @functools.wraps(function)
        def run(*args: Any, home: str | None, **kwargs: Any) -> Any:
            from newsarchive.archive import open_archive, typed_error

            home = home or click.get_current_context().find_root().meta.get("newsarchive.home")
            rows = _DamagedRows()
            try:
                with open_archive(home, on_damaged=rows.report) as archive:
                    result = function(archive, *args, **kwargs)
                rows.fail_if_any(damaged)
                return result
            except OSError as error:
                # A full disk, a read-only or unreadable place: the machine's
                # trouble, said in one line (the error names the file).
                if error.errno not in _ENVIRONMENT_ERRNOS:
                    raise
                raise ArchiveCommandError(os_error(error)) from error
            except Exception as error:
                # The library's typed errors, and what it types (a row that cannot be read, the
                # database layer's own errors) met while the command reads what it returned.
                typed = typed_error(error)
                if typed is None:
                    raise
                raise ArchiveCommandError(typed) from error

        return click.command(name, cls=ArchiveCommand)(home_option(run))

    return decorate


def os_error(error: OSError, doing: str | None = None) -> ArchiveError:
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


def output_options(view: str, *, csv: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--json`` (and with ``csv``, ``--csv``): the command gets ``out``, which prints its result so.

    ``view`` names how the result renders (``newsarchive.render.views.VIEWS``).
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, as_json: bool, as_csv: bool = False, **kwargs: Any) -> Any:
            if as_json and as_csv:
                raise click.UsageError("give --json or --csv, not both")
            fmt = "csv" if as_csv else "json" if as_json else "text"
            return function(*args, out=Output(view, fmt), **kwargs)

        if csv:
            run = click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV (with a header).")(run)
        return click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")(run)

    return decorate


def timezone(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """A ``--tz`` value as a time zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if value is None:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {value!r} (use a name such as UTC or Europe/Kyiv)") from None


def zone_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--tz ZONE``: dates typed (--since, --until, date:) are read there, and dates are shown there."""

    @functools.wraps(function)
    def run(*args: Any, zone: Any, **kwargs: Any) -> Any:
        from newsarchive.periods import zone_context

        with zone_context(zone):
            return function(*args, **kwargs)

    return click.option(
        "--tz", "zone", metavar="ZONE", callback=timezone,
        help="Time zone (e.g. Europe/Moscow) to read dates you type in and to show dates in "
        "[default: UTC for dates you type, the offset each article was published with for dates shown].",
    )(run)


def wait_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--wait/--no-wait", default=True, show_default=True, help="Wait for another writer, or fail at once."
    )(function)
