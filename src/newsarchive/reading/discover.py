"""Finding the article files under the paths a user names."""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.errors import BadInputFile
from newsarchive.reading.formats.sniff import named_format

#: Files that describe a collection rather than belong to it, when they are plain text.
_NOTES = ("readme", "license", "licence", "changelog", "copying")


def path_key(path: str | os.PathLike[str]) -> str:
    """The text form of a file's path in the database: its bytes read as UTF-8.

    A name the file system allows need not be UTF-8 (a Latin-1 ``résumé.txt``
    is ``b"r\\xe9sum\\xe9.txt"``): each such byte becomes ``\\xNN``, so the key
    is valid text, the same on every run (an unchanged file is recognised)
    and shows the user what the name holds. A backslash in the name is
    written twice, so that ``\\xNN`` only ever stands for a byte: a file
    whose name really is ``r\\xe9sum\\xe9.txt`` (backslash, x, e, 9) has the key
    ``r\\\\xe9sum\\\\xe9.txt`` and is a place of its own.
    """
    return os.fsencode(path).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


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

    Folders are walked recursively, and so are links to folders (what a user
    who points at a folder of links means); a real folder is read once, however
    many links or paths lead to it, so a link back up the tree is no loop. A
    file whose name claims an article format (``.txt``, ``.html``...) is read
    as one; any other regular file is read when its content shows an article
    format (HTML saved as ``.php`` or without an extension, a gzip-compressed
    page or feed). Passed over: hidden files and folders, files whose content
    is no article format, plain-text README/LICENSE/CHANGELOG/COPYING files,
    and links to a folder already read. A file named on the command line is
    read whatever its name. A path that does not exist, a folder that cannot
    be read, a broken link and anything but a regular file or folder (a
    device, a FIFO) is a failure. The folder ``exclude`` (the archive's own
    home) is never read.
    """
    seen: set[Path] = set()
    walked: dict[tuple[int, int], Path] = {}
    skip = exclude.resolve() if exclude is not None else None
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            if _first_visit(path, walked) is None:
                yield from _walk(path, seen, walked, skip)
        elif path.is_file():
            yield from _once(path, seen)
        elif path.exists() or path.is_symlink():
            yield Passed(path, _not_regular(path), failed=True)
        else:
            yield Passed(path, "no such file or folder", failed=True)


def _walk(root: Path, seen: set[Path], walked: dict[tuple[int, int], Path], skip: Path | None) -> Iterator[Found | Passed]:
    problems: list[Passed] = []

    def on_error(error: OSError) -> None:
        problems.append(Passed(Path(error.filename or root), f"cannot read folder: {error.strerror}", failed=True))

    for folder, subfolders, files in os.walk(root, onerror=on_error, followlinks=True):
        yield from problems
        problems.clear()
        hidden = sorted(name for name in subfolders if name.startswith("."))
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and Path(folder, name).resolve() != skip
        )
        for name in hidden:
            yield Passed(Path(folder, name), "hidden folder", failed=False)
        for name in list(subfolders):
            path = Path(folder, name)
            first = _first_visit(path, walked)
            if first is not None:
                subfolders.remove(name)
                if path.is_symlink():
                    yield Passed(path, f"link to a folder read as {path_key(first)}", failed=False)
                else:  # a bind mount
                    yield Passed(path, f"the same folder as {path_key(first)}, read there", failed=False)
        for name in sorted(files):
            path = Path(folder, name)
            if name.startswith("."):
                yield Passed(path, "hidden file", failed=False)
            elif not os.path.isfile(path):
                # A FIFO would block the run forever; a device never ends; a broken link has nothing to read.
                yield Passed(path, _not_regular(path), failed=True)
            elif reason := _pass_reason(path, name):
                yield Passed(path, reason, failed=False)
            else:
                yield from _once(path, seen)
    yield from problems


def _first_visit(folder: Path, walked: dict[tuple[int, int], Path]) -> Path | None:
    """None when ``folder`` is a real folder not met before (it is remembered),
    else the path it was first met by. A folder is known by its device and
    inode, which every link and bind mount to it shares."""
    try:
        info = os.stat(folder)
    except OSError:
        return None  # (reading it will say what is wrong)
    key = (info.st_dev, info.st_ino)
    if key in walked:
        return walked[key]
    walked[key] = folder
    return None


_KINDS = ((stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"))


def _not_regular(path: Path) -> str:
    """Why ``path``, which is neither a regular file nor a folder, is not read."""
    link = os.path.islink(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if link and exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
            return "broken or looping symbolic link"
        return f"cannot read it: {exc.strerror or exc}"
    kind = next((kind for test, kind in _KINDS if test(mode)), "special file")
    return f"not a regular file (a link to a {kind})" if link else f"not a regular file (a {kind})"


def _once(path: Path, seen: set[Path]) -> Iterator[Found | Passed]:
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a symlink loop, a link into nowhere
        yield Passed(path, f"cannot follow the path: {getattr(exc, 'strerror', None) or exc}", failed=True)
        return
    if resolved not in seen:
        seen.add(resolved)
        yield Found(resolved)


def _pass_reason(path: Path, name: str) -> str | None:
    """Why a file met in a folder is no article, or None to read it.

    The name settles the common case without opening the file; only other
    files are sniffed (the first 8 KB, decompressed when gzipped).
    """
    notes = name.lower().split(".", 1)[0] in _NOTES
    if named_format(name) is not None and not notes:
        return None
    from newsarchive.reading.files import sniff_file

    try:
        fmt = sniff_file(path)
    except (OSError, EOFError, zlib.error, BadInputFile, ValueError):
        return None  # reading it will say what is wrong
    if fmt is None:
        return "not an article format (by its content)"
    if notes and fmt == "text":
        return "collection notes, not an article"
    return None
