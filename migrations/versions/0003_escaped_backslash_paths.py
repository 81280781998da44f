"""A backslash in a stored file path is written twice, so that no two file names share a key.

Until now a name byte that is not UTF-8 was stored as ``\\xNN`` and a real
backslash as itself, so the Latin-1 name ``r\\xe9sum\\xe9.txt`` and the ASCII name
``r\\xe9sum\\xe9.txt`` were one place and one of their articles was lost. Now a
backslash is stored as ``\\\\``. Stored paths are rewritten the same way; a
``\\xNN`` with NN from 80 to ff is left as it is, since that is what an
undecodable byte gave (a real name holding such text was already mixed up
with one, and the next ingest of the folder sorts the two apart).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A byte escape as backslashreplace writes it, or any other backslash.
_OLD_BACKSLASH = re.compile(r"\\x[89a-f][0-9a-f]|\\")
_NEW_BACKSLASH = re.compile(r"\\x[89a-f][0-9a-f]|\\\\")


def escaped(path: str) -> str:
    """The key revision 0003 gives a path stored before it."""
    return _OLD_BACKSLASH.sub(lambda m: m.group() if len(m.group()) == 4 else "\\\\", path)


def unescaped(path: str) -> str:
    """The key revision 0002 gave a path stored since 0003."""
    return _NEW_BACKSLASH.sub(lambda m: m.group() if len(m.group()) == 4 else "\\", path)


def upgrade() -> None:
    _rewrite(escaped)


def downgrade() -> None:
    _rewrite(unescaped)


def _rewrite(new_key: Callable[[str], str]) -> None:
    """Give every path holding a backslash its new key, in ``files`` and ``article_files``.

    ``article_files.path`` points at ``files.path``: the file's row is copied
    under the new key, its links are moved to it, then the old row goes.
    """
    connection = op.get_bind()
    paths = connection.execute(
        sa.text("SELECT path FROM files WHERE path LIKE :pattern ESCAPE '!'"), {"pattern": "%\\%"}
    ).scalars().all()
    for old in paths:
        new = new_key(old)
        if new == old:
            continue
        taken = connection.execute(sa.text("SELECT 1 FROM files WHERE path = :new"), {"new": new}).first()
        if taken is not None:  # only when going down: two places that 0002 cannot tell apart
            continue
        connection.execute(
            sa.text(
                "INSERT INTO files (path, format, size, mtime_ns, items, source, seen_at) "
                "SELECT :new, format, size, mtime_ns, items, source, seen_at FROM files WHERE path = :old"
            ),
            {"new": new, "old": old},
        )
        connection.execute(sa.text("UPDATE article_files SET path = :new WHERE path = :old"), {"new": new, "old": old})
        connection.execute(sa.text("DELETE FROM files WHERE path = :old"), {"old": old})
