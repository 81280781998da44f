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
from newsarchive.index.schema import QUERY_FIELDS, SEARCH_FIELDS
from newsarchive.periods import date_clause, naive_utc

_TOKEN = re.compile(r'"[^"]*"(?:~\d+)?|\(|\)|[^\s()"]+')
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(.*)$")
_BINARY = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_FIELD_LIST = ", ".join(f"{name}:" for name in QUERY_FIELDS)
# A date clause, or a quoted phrase to step over (a date: inside quotes is just words).
_DATE_OR_PHRASE = re.compile(r'"[^"]*"|(?<![\w:])date:(\[[^\]]*\]|[^\s()"]+)', re.IGNORECASE)


def parse_query(text: str, schema: Schema) -> wq.Query:
    """Parse ``text`` as Whoosh query syntax over the searchable fields.

    ``date:`` clauses are read here rather than by Whoosh, whose date plugin
    silently widens ``date:[2020-01-05 to 2020-01-10]`` to all of 2020 and
    reads relative dates with a deprecated clock; they narrow the whole query.
    """
    _check_text(text)
    stripped = text.strip()
    if not stripped:
        raise InvalidQuery("empty query", hint='give words to search for, e.g. archive search "peace talks"')
    words, spans = _split_dates(stripped)
    ranges = [wq.DateRange("published", *map(naive_utc, date_clause(value))) for value in spans]
    if not words.strip():
        if ranges:
            return ranges[0] if len(ranges) == 1 else wq.And(ranges)
        raise InvalidQuery("empty query", hint='give words to search for, e.g. archive search "peace talks"')
    _check_syntax(words.strip())
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    try:
        parsed = parser.parse(words.strip())
    except Exception as exc:  # Whoosh raises assorted internal errors on odd input
        raise InvalidQuery(f"cannot read the query {text!r}: {exc}", hint=_QUOTE_HINT) from exc
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        raise InvalidQuery(
            f"the query {text!r} has no words to search for",
            hint="very common words (the, a, of ...) and operators alone match nothing; add a distinctive word",
        )
    parsed = parsed.accept(_stemmed_prefixes)
    return wq.And([parsed, *ranges]) if ranges else parsed


def _check_text(text: str) -> None:
    """A query must be text: bytes that are not UTF-8 (which reach Python as lone surrogates) cannot be searched for."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidQuery(
            f"the query {escaped(text)} holds bytes that are not UTF-8 text (character {exc.start + 1})",
            hint="type the query again in UTF-8, or leave out the character shown as \\x..",
        ) from None


def escaped(text: str) -> str:
    """``text`` quoted for a one-line message: bytes that are not UTF-8 shown as ``\\xff``, controls escaped."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = text.encode("utf-8", "backslashreplace")
    readable = raw.decode("utf-8", "backslashreplace")
    return "'" + "".join(char if char.isprintable() else repr(char)[1:-1] for char in readable) + "'"


def _stemmed_prefixes(node: wq.Query) -> wq.Query:
    """``negotiat*`` must find "negotiators", which the index holds as the stem "negoti".

    A prefix in a stemmed field also matches the stem of the prefix, and the
    few stems that are the prefix cut short by up to three letters (the
    stemmer trims suffixes such as "-ator", "-ion", "-e").
    """
    if not (isinstance(node, wq.Prefix) and node.fieldname in SEARCH_FIELDS):
        return node
    from whoosh.lang.porter import stem

    text, field = node.text, node.fieldname
    variants: list[wq.Query] = [node]
    stemmed = stem(text)
    if stemmed and stemmed != text:
        variants.append(wq.Prefix(field, stemmed, boost=node.boost))
    variants += [wq.Term(field, text[:cut], boost=node.boost) for cut in range(max(4, len(text) - 3), len(text))]
    return wq.Or(variants) if len(variants) > 1 else node


def _split_dates(text: str) -> tuple[str, list[str]]:
    """The query without its ``date:`` clauses, and the clauses' values.

    A date clause narrows the whole query, so it may not stand inside a
    group or beside OR / NOT, where it would seem to mean something else.
    """
    words: list[str] = []
    values: list[str] = []
    last = 0
    for found in _DATE_OR_PHRASE.finditer(text):
        if found.group(1) is None:
            continue
        before, after = text[: found.start()], text[found.end() :]
        unquoted = re.sub(r'"[^"]*"', "", before)
        neighbours = (before.split()[-1:] or [""])[0], (after.split()[:1] or [""])[0]
        if unquoted.count("(") > unquoted.count(")") or {"OR", "NOT"} & set(neighbours):
            raise InvalidQuery(
                f"date:{found.group(1)} can only narrow the whole query {text!r}",
                hint="put date: clauses outside parentheses and away from OR and NOT",
            )
        words.append(text[last : found.start()])
        values.append(found.group(1))
        last = found.end()
    words.append(text[last:])
    return " ".join(words), values


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
    if name not in QUERY_FIELDS:
        raise InvalidQuery(
            f"unknown field {name + ':'!r} in query {text!r}",
            hint=f"fields you can search: {_FIELD_LIST}; quote a word that contains ':'",
        )
    if not rest and text.rstrip().endswith(token):
        raise InvalidQuery(f"{name}: has nothing after it in query {text!r}", hint=f"write e.g. {name}:kursk")
