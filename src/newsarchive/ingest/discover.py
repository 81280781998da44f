"""Finding the article files under the paths a user names."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.ingest.formats.sniff import EXTENSIONS

#: Files that describe a collection rather than belong to it.
_NOT_ARTICLES = ("readme", "license", "licence", "changelog", "copying")


def path_key(path: str | os.PathLike[str]) -> str:
    """The text form of a file's path in the database: its bytes read as UTF-8.

    A name the file system allows need not be UTF-8 (a Latin-1 ``résumé.txt``
    is ``b"r\\xe9sum\\xe9.txt"``): each such byte becomes ``\\xNN``, so the key
    is valid text, the same on every run (an unchanged file is recognised)
    and shows the user what the name holds. The one collision: a file whose
    name really is ``r\\xe9sum\\xe9.txt`` (backslash, x, e, 9) in the same folder
    as the Latin-1 one gets the same key, and the two are one place.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Found:
    """A file to ingest, by its resolved absolute path."""

    path: Path


@dataclass(frozen=True)
class Passed:
    """A file or folder left out on purpose, or one that cannot be read."""

    path: Path
    reason: str
    failed: bool


def discover(paths: Iterable[str | os.PathLike[str]], exclude: Path | None = None) -> Iterator[Found | Passed]:
    """Yield every article file under ``paths`` once, in a stable order.

    Folders are walked recursively, picking up files whose extension is an
    article format's (a file named on the command line is read whatever its
    extension); hidden files and folders and README/LICENSE files are passed over. A path that
    does not exist or a folder that cannot be read is a failure. The folder
    ``exclude`` (the archive's own home) is never read.
    """
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            yield from _walk(path, seen, skip)
        elif path.is_file():
            yield from _once(path, seen)
        elif path.exists() or path.is_symlink():
            yield Passed(path, "not a regular file or folder", failed=True)
        else:
            yield Passed(path, "no such file or folder", failed=True)


def _walk(root: Path, seen: set[Path], skip: Path | None) -> Iterator[Found | Passed]:
    problems: list[Passed] = []

    def on_error(error: OSError) -> None:
        problems.append(Passed(Path(error.filename or root), f"cannot read folder: {error.strerror}", failed=True))

    for folder, subfolders, files in os.walk(root, onerror=on_error):
        yield from problems
        problems.clear()
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and Path(folder, name).resolve() != skip
        )
        for name in sorted(files):
            path = Path(folder, name)
            reason = _pass_reason(name)
            if reason:
                yield Passed(path, reason, failed=False)
            elif not os.path.isfile(path):
                # A FIFO would block the run forever; a socket or a broken link has nothing to read.
                why = "broken or looping symbolic link" if os.path.islink(path) else "not a regular file"
                yield Passed(path, why, failed=True)
            else:
                yield from _once(path, seen)
    yield from problems


def _once(path: Path, seen: set[Path]) -> Iterator[Found | Passed]:
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a symlink loop, a link into nowhere
        yield Passed(path, f"cannot follow the path: {getattr(exc, 'strerror', None) or exc}", failed=True)
        return
    if resolved not in seen:
        seen.add(resolved)
        yield Found(resolved)


def _pass_reason(name: str) -> str | None:
    if name.startswith("."):
        return "hidden file"
    lowered = name.lower()
    if not any(lowered.endswith(ext) for ext in EXTENSIONS):
        return "not an article file type"
    if lowered.split(".", 1)[0] in _NOT_ARTICLES:
        return "collection notes, not an article"
    return None
