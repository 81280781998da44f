"""The `archive` command: Click only. Each command reads its options, calls one ``Archive`` method, renders.

The commands live by area (``ingest``, ``searching``, ``articles``, ``upkeep``);
what they share is written once in ``options`` (``archive_command``, ``--home``,
``--json``/``--csv``, ``--tz``) and ``output`` (how a result reaches stdout).
Heavy libraries (SQLAlchemy, Alembic, Whoosh) are imported by the library
code that needs them, so `archive --help` starts at once and `archive search`
never loads the database layer.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from newsarchive import __version__
from newsarchive.cli.options import ArchiveCommand, home_option
from newsarchive.render import terminal

#: Each command's module and function. A command's module is imported when it is run (or listed in
#: `archive --help`), so that `archive search` does not load what `ingest` or `export` need.
COMMANDS = {
    "ingest": "ingest:ingest", "search": "searching:search", "show": "articles:show", "info": "upkeep:info",
    "init": "upkeep:init",
    "reindex": "upkeep:reindex", "check": "upkeep:check", "dupes": "articles:dupes", "list": "articles:list_command",
    "export": "articles:export", "remove": "articles:remove", "trend": "searching:trend",
    "similar": "searching:similar", "terms": "searching:terms", "serve": "serve:serve",
}  # fmt: skip


class _ArchiveGroup(click.Group):
    command_class = ArchiveCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        import importlib

        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(f"newsarchive.cli.{module}"), name)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None:
            # Started with stdout closed (`archive list >&-`): what a command prints would be lost
            # while it seemed to succeed, so it says so and does nothing, as a full disk would.
            click.echo("Error: standard output is closed: nothing could be printed", err=True)
            sys.exit(1)
        # Every command, Click's help and errors included, prints on any terminal or pipe:
        # what the stream's encoding lacks gets a stand-in ("..." for "…").
        with terminal.fallback_streams(), _notes_in_one_line():
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


@contextmanager
def _notes_in_one_line() -> Iterator[None]:
    """What of a query an engine left out (``errors.QueryNote``) said on stderr as ``note: ...``, one line,
    not as Python shows a warning (with its file and source line)."""
    import warnings

    from newsarchive.errors import QueryNote

    shown = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, QueryNote):
            click.echo(f"note: {terminal.terminal_safe(str(message))}", err=True)
        else:
            shown(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@click.group(cls=_ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@home_option
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



