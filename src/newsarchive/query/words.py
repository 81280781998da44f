"""The words a query searches for: the one tokenising rule of the word fields, shared with the index's analysis.

Every engine's index analyses its text with these (``text/analysis.py``;
``engines/whoosh/analysis.py`` checks they are still Whoosh's), and the query parser uses
them to tell a query of stop words alone from one with words to search for.
"""

from __future__ import annotations

import re

#: A word: letters, digits and ``*``, with inner dots (Whoosh's default token pattern, without its group).
TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
#: Words too common to search for (Whoosh's English stop words).
STOPS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the this to us we when will "
    "with yet you your".split()
)
#: Shorter words are not searched for.
MIN_LENGTH = 2
#: Where the author field splits a value into names.
_NAME = re.compile(r"[^,]+")


def searched_words(text: str) -> list[str]:
    """The words of ``text`` a word field (title, description, body) searches for, lower-cased and not yet stemmed."""
    return [
        word
        for word in (token.lower() for token in TOKEN.findall(text))
        if len(word) >= MIN_LENGTH and word not in STOPS
    ]


def searches_for_something(field: str | None, text: str) -> bool:
    """Whether ``text`` in ``field`` (None: the word fields) leaves anything to search for.

    A word field drops stop words and one-letter words; ``author`` holds
    names separated by commas; ``source`` and ``lang`` match the whole value.
    """
    if field == "author":
        return _NAME.search(text) is not None
    if field in ("source", "lang"):
        return True
    return bool(searched_words(text))
