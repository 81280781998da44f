"""How long-running library work reports progress: the library calls these, the CLI draws them (`cli/display.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileNote:
    """A message about a file, whose ``path`` reads as the archive stores it (``path_key``)."""

    path: Path
    message: str

    @classmethod
    def about(cls, path: Path, message: str) -> FileNote:
        from newsarchive.reading.discover import path_key

        return cls(Path(path_key(path)), message)


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

    def announce(self, message: str) -> None:
        """Something done on the way that the user should hear of once (``message``, one line)."""


class IngestObserver(Progress):
    """Hears about an ingest as it goes; the CLI shows progress and problems through it.

    (Here rather than beside the ingest code, so that the CLI can subclass it
    without loading the ingest modules at every start.)
    """

    def failure(self, note: FileNote) -> None:
        """A file, folder or item could not be ingested."""

    def warning(self, note: FileNote) -> None:
        """A file was ingested, but something in it was off (e.g. cut short)."""

    def note(self, note: FileNote) -> None:
        """Detail for the curious: a file passed over, an undated article, a legacy encoding."""

    def interrupted(self) -> None:
        """Ctrl-C: the run stops after the batch in flight."""
