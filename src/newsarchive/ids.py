"""Article ids as typed: whole, or their first few characters when those name one article.

Every command that takes an id reads it here, whichever store it looks in
(the database for ``show`` and ``remove``, the search index for ``similar``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newsarchive.errors import ArticleNotFound

#: A prefix this long or longer picks an article when it is unambiguous.
MIN_PREFIX = 4
#: How many of the articles an ambiguous prefix stands for are named.
_NAMED = 5

#: ``starting_with(text, limit)``: up to ``limit`` of a store's ids that begin with ``text``, in order.
IdsStartingWith = Callable[[str, int], Sequence[str]]


def whole_ids(typed: Sequence[str], starting_with: IdsStartingWith, *, where: str) -> list[str]:
    """The whole id that each typed id names, in order and without repeats: the id itself, or the one id that
    it is the start of (``MIN_PREFIX`` characters or more), in any case and with spaces around.

    ArticleNotFound names every typed id that names no article (``where`` ends
    the message: where they were looked for), or the first that names several.
    """
    found: dict[str, None] = {}
    unknown: list[str] = []
    for text in typed:
        wanted = text.strip().lower()
        # (An id is hexadecimal: other text, bytes that are not UTF-8 among it, is no id of any store.)
        candidates = list(starting_with(wanted, _NAMED + 1)) if wanted.isascii() and wanted else []
        if wanted in candidates:
            found[wanted] = None
        elif len(wanted) >= MIN_PREFIX and len(candidates) == 1:
            found[candidates[0]] = None
        elif len(wanted) >= MIN_PREFIX and candidates:
            raise ArticleNotFound(
                f"id {text!r} is the start of several articles: " + ", ".join(candidates[:_NAMED])
                + (", ..." if len(candidates) > _NAMED else ""),
                hint="type more of the id",
            )
        else:
            unknown.append(text)
    if unknown:
        raise ArticleNotFound(
            f"no article with id {', '.join(map(repr, unknown))}{where}",
            hint=f"ids are shown by `archive search` and `archive list`; their first {MIN_PREFIX} characters or more "
            "will do when no other id starts so",
        )
    return list(found)
