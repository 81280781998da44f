"""One file from disk to an ArticleDraft: stat, read, decode, parse. No database."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path

from newsarchive.errors import UnreadableFile
from newsarchive.ingest.draft import ArticleDraft

#: Larger files are not articles (the longest BBC story is 25 KB).
MAX_FILE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class FileStamp:
    """Cheap signals that a file has not changed since it was last read."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ReadArticle:
    path: Path
    stamp: FileStamp
    draft: ArticleDraft
    encoding: str


def stamp_of(path: Path) -> FileStamp:
    info = os.stat(path)
    return FileStamp(size=info.st_size, mtime_ns=info.st_mtime_ns)


def read_article(path: Path, default_tz: tzinfo) -> ReadArticle:
    """Read and parse ``path``; raise BadInputFile with a short reason when it is no article."""
    from newsarchive.ingest.decode import decode_text
    from newsarchive.ingest.textformat import parse_text_article

    try:
        stamp = stamp_of(path)
        if stamp.size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"file too large ({stamp.size / 1_048_576:.1f} MB; articles over {MAX_FILE_BYTES // 1_048_576} MB are not read)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from exc
    decoded = decode_text(data)
    draft = parse_text_article(decoded.text, default_tz)
    if decoded.warnings:
        draft = replace(draft, warnings=draft.warnings + decoded.warnings)
    return ReadArticle(path=path, stamp=stamp, draft=draft, encoding=decoded.encoding)

