"""Long texts a piece at a time, for the steps that would otherwise hold a list of every word of one."""

from __future__ import annotations

import re
from collections.abc import Iterator

#: White space: no word goes on over it, and ``str.lower`` reads no context across it.
SPACE = re.compile(r"\s")


def pieces(text: str, size: int, cut: re.Pattern[str] = SPACE) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, each cut where ``cut`` matches (the match begins the next piece).

    A text of ``size`` or fewer characters is one piece, itself. A stretch
    longer than ``size`` without a match stays whole.
    """
    if len(text) <= size:
        yield text
        return
    start = 0
    while start < len(text):
        found = cut.search(text, start + size)
        end = found.start() if found is not None else len(text)
        yield text[start:end]
        start = end
