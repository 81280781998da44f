"""Turning the user's query string into a Whoosh query, or a clear InvalidQuery.

Whoosh's parser never fails: it quietly drops what it cannot read, so
``"kursk AND"`` or ``foo:bar`` would search for something other than what
the user meant. The query is checked for those mistakes first.
"""

from __future__ import annotations

import re

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

from newsarchive.errors import InvalidQuery
from newsarchive.index.schema import SEARCH_FIELDS

_TOKEN = re.compile(r'"[^"]*"(?:~\d+)?|\(|\)|[^\s()"]+')
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(.*)$")
_BINARY = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_FIELD_LIST = ", ".join(f"{name}:" for name in SEARCH_FIELDS)


def parse_query(text: str, schema: Schema) -> wq.Query:
    """Parse ``text`` as Whoosh query syntax over the searchable fields."""
    stripped = text.strip()
    if not stripped:
        raise InvalidQuery("empty query", hint='give words to search for, e.g. archive search "peace talks"')
    _check_syntax(stripped)
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    try:
        parsed = parser.parse(stripped)
    except Exception as exc:  # Whoosh raises assorted internal errors on odd input
        raise InvalidQuery(f"cannot read the query {text!r}: {exc}", hint=_QUOTE_HINT) from exc
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        raise InvalidQuery(
            f"the query {text!r} has no words to search for",
            hint="very common words (the, a, of ...) and operators alone match nothing; add a distinctive word",
        )
    return parsed


_QUOTE_HINT = 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'


def _check_syntax(text: str) -> None:
    if text.count('"') % 2:
        raise InvalidQuery(f"unbalanced quote in query {text!r}", hint='close the phrase with a second "')
    tokens = _TOKEN.findall(text)
    depth = 0
    previous: str | None = None
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise InvalidQuery(f"')' without a matching '(' in query {text!r}", hint="remove it or add the '('")
        elif token == "NOT" and previous == "NOT":
            raise InvalidQuery(f"NOT NOT in query {text!r}", hint="one NOT is enough; to search for the word, quote it")
        elif token in _BINARY:
            if previous is None or previous in _BINARY or previous in {"(", "NOT"}:
                raise InvalidQuery(f"{token} has nothing before it in query {text!r}", hint=_QUOTE_HINT)
        elif not token.startswith('"'):
            _check_field(token, text)
        previous = token
    if depth > 0:
        raise InvalidQuery(f"'(' without a matching ')' in query {text!r}", hint="close the group with ')'")
    if previous in _BINARY or previous == "NOT":
        raise InvalidQuery(f"{previous} has nothing after it in query {text!r}", hint=_QUOTE_HINT)


def _check_field(token: str, text: str) -> None:
    match = _FIELD.match(token)
    if match is None:
        return
    name, rest = match.groups()
    if name not in SEARCH_FIELDS:
        raise InvalidQuery(
            f"unknown field {name + ':'!r} in query {text!r}",
            hint=f"fields you can search: {_FIELD_LIST}; quote a word that contains ':'",
        )
    if not rest and text.rstrip().endswith(token):
        raise InvalidQuery(f"{name}: has nothing after it in query {text!r}", hint=f"write e.g. {name}:kursk")
