"""How long-running library work reports progress; the CLI draws it, tests may ignore it."""

from __future__ import annotations


class Progress:
    """No-op by default; override what you want to show."""

    def begin(self, total: int) -> None:
        """The work has ``total`` units (files, articles)."""

    def advance(self, count: int) -> None:
        """``count`` more units are done."""

    def phase(self, message: str) -> None:
        """The work goes on with a step it cannot count (``message`` says which), which may take a while."""

    def waiting(self) -> None:
        """Another process holds the archive's writer lock; we wait for it."""
