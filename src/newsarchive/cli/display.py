"""Progress and notes on stderr while the archive works: a bar on a terminal, per-file notes."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from newsarchive.render import terminal
from newsarchive.services.progress import IngestObserver


class IngestDisplay(IngestObserver):
    """Progress bar and per-file notes on stderr, for a person at a terminal."""

    MIN_FILES_FOR_BAR = 20

    def __init__(self, *, quiet: bool, verbose: bool) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.bar: Any = None

    def __enter__(self) -> IngestDisplay:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def begin(self, total: int) -> None:
        if self.bar is not None:  # (a second stretch of work: its own bar)
            self.bar.render_finish()
            self.bar = None
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

    def announce(self, message: str) -> None:
        if not self.quiet:
            self._note(message)

    def waiting(self) -> None:
        click.echo("Another process is writing to this archive; waiting for it to finish...", err=True)
