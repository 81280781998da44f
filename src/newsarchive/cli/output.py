"""How a command's result reaches stdout: text for people, one JSON object, or CSV.

``newsarchive.render`` says what the result reads as; this module says how it
is written to the stream at hand (a terminal, a pipe, a file).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from newsarchive.render import terminal
from newsarchive.render.views import render


class Output:
    """Prints a result of the view ``view`` (``render.views.VIEWS``) in ``fmt``: "text", "json" or "csv"."""

    def __init__(self, view: str, fmt: str) -> None:
        self.view = view
        self.fmt = fmt

    def __call__(self, result: Any) -> None:
        # Text for people makes what came from outside safe itself (``render``), around its own bold.
        shown = render(self.view, result, self.fmt, color=self.fmt == "text" and _color())
        if self.fmt == "csv":
            echo_data(shown)
        elif self.fmt == "json":
            click.echo(terminal.fit_stream(shown, json=True))
        else:
            click.echo(shown)


def echo_data(text: str) -> None:
    """CSV or Markdown on stdout: as stored when it goes to a file or a program (``> out.csv``,
    ``| csvlook``), so data keeps every character; made safe when a terminal shows it."""
    if _stdout_is_terminal():
        click.echo(terminal.terminal_safe(text, keep="\n\r\t"), nl=False)
    else:  # (color=True: Click would otherwise strip what looks like ANSI codes from the data)
        click.echo(text, nl=False, color=True)


def _stdout_is_terminal() -> bool:
    return terminal.is_terminal(sys.stdout)


def _color() -> bool:
    return terminal.wants_color(sys.stdout)
