"""Turning the user's query string into a Whoosh query, or a clear InvalidQuery.

Whoosh's parser never fails: it quietly drops what it cannot read, so
``"kursk AND"`` or ``foo:bar`` would search for something other than what
the user meant. The query is checked for those mistakes first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from newsarchive.engines.whoosh.analysis import MIN_LENGTH, STOPS, TOKEN
from newsarchive.engines.whoosh.schema import QUERY_FIELDS, SEARCH_FIELDS
from newsarchive.errors import InvalidQuery
from newsarchive.periods import date_clause, naive_utc
from newsarchive.query.budget import Budget

# What one query may cost (the README's "Query limits"). A query beyond them is
# refused before it runs, with the reason; the time budget stops one that runs on.
#: Characters in a query.
MAX_QUERY_CHARS = 1_000
#: Words in a query (stop words and operators not counted).
MAX_WORDS = 32
#: Edits a fuzzy term may allow (Lucene's limit too): beyond two, nearly every short word is "close".
MAX_EDITS = 2
#: Letters a fuzzy term keeps as they are typed, at least.
FUZZY_PREFIX = 1
#: Letters a wildcard in title, description or body needs before its first * or ?.
WILDCARD_PREFIX = 2
#: Words of the archive that a query's wildcard, fuzzy and range terms may stand for, together.
MAX_EXPANSION = 1_000

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
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are searched for",
            hint="search for the few words that matter most",
        )
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
    parsed = parsed.accept(_within_limits).accept(_stemmed_prefixes)
    return wq.And([parsed, *ranges]) if ranges else parsed


def _within_limits(node: wq.Query) -> wq.Query:
    """Refuses the wildcards that would read the whole vocabulary; fuzzy terms keep their first letter and are scored."""
    in_words = getattr(node, "fieldname", None) in SEARCH_FIELDS
    if in_words and isinstance(node, wq.Every):
        raise InvalidQuery(
            "a lone * stands for every word of every article",
            hint=f"give a wildcard at least {WILDCARD_PREFIX} letters before its * or ?, e.g. negotiat*",
        )
    if in_words and isinstance(node, (wq.Prefix, wq.Wildcard)) and len(_literal_start(node)) < WILDCARD_PREFIX:
        raise InvalidQuery(
            f"the wildcard {shown_term(node)!r} has fewer than {WILDCARD_PREFIX} letters before its first * or ?",
            hint=f"give at least {WILDCARD_PREFIX} letters first, e.g. negotiat* (a wildcard reads every word it might be)",
        )
    if isinstance(node, wq.FuzzyTerm):
        if node.maxdist > MAX_EDITS:
            raise InvalidQuery(
                f"the fuzzy term {shown_term(node)!r} allows {node.maxdist:g} edits; at most {MAX_EDITS}",
                hint=f"write e.g. {node.text}~2 (beyond two edits, nearly every short word is close)",
            )
        if node.prefixlength < FUZZY_PREFIX or node.constantscore:
            # (Scored as the words it stands for, so the closer, rarer words rank first, as in Lucene.)
            return wq.FuzzyTerm(
                node.fieldname, node.text, boost=node.boost, maxdist=node.maxdist,
                prefixlength=max(FUZZY_PREFIX, node.prefixlength), constantscore=False,
            )  # fmt: skip
    return node


def _literal_start(node: wq.Prefix | wq.Wildcard) -> str:
    text = node.text
    return text if isinstance(node, wq.Prefix) else re.split(r"[*?\[]", text, maxsplit=1)[0]


def shown_term(node: wq.Query) -> str:
    """A wildcard, fuzzy or range term as the user would type it (with its field unless it is a word field)."""
    if isinstance(node, wq.FuzzyTerm):
        text = f"{node.text}~{node.maxdist:g}"
    elif isinstance(node, wq.Prefix):
        text = f"{node.text}*"
    elif isinstance(node, wq.TermRange):
        text = f"[{node.start or ''} TO {node.end or ''}]"
    else:
        text = str(getattr(node, "text", node))
    field = getattr(node, "fieldname", None)
    return text if field in SEARCH_FIELDS or not field else f"{field}:{text}"


class Expanded(wq.MultiTerm):
    """A wildcard, fuzzy or range term with the archive's words it stands for read once, for every segment.

    Whoosh would read them again for each segment, for counting, ranking and
    highlighting alike; here they are read once, bounded (``expand``).
    """

    def __init__(self, original: wq.Query, btexts: tuple[bytes, ...]) -> None:
        self.original = original
        self.fieldname = original.field()
        self.btexts = btexts
        self.boost = original.boost
        # (Whoosh's flag: give a match one point, or score each word.)
        self.constantscore = getattr(original, "constantscore", True)

    def _btexts(self, ixreader: IndexReader) -> tuple[bytes, ...]:  # (MultiTerm's hook for its words)
        return self.btexts

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, object]]:
        return self.original.terms(phrases=phrases)

    def has_terms(self) -> bool:
        return self.original.has_terms()

    def __eq__(self, other: object) -> bool:
        return type(other) is Expanded and (other.original, other.btexts) == (self.original, self.btexts)

    def __hash__(self) -> int:
        return hash((self.original, self.btexts))

    def __repr__(self) -> str:
        return f"Expanded({self.original!r}, {len(self.btexts)} words)"

    def __str__(self) -> str:
        return str(self.original)


def expand(query: wq.Query, reader: IndexReader, budget: Budget | None = None, typed: str | None = None) -> wq.Query:
    """``query`` with every wildcard, fuzzy and range term replaced by the archive's words it stands for.

    Refused (InvalidQuery) when they stand for more than MAX_EXPANSION words
    together: each such word is read and matched like a word of its own. The
    refusal names the term as ``typed`` (the query text) has it.
    """
    words: set[bytes] = set()
    by_term: dict[str, set[bytes]] = {}  # (an unfielded term is one per word field)
    leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all()]

    def expanded(node: wq.Query) -> wq.Query:
        if not isinstance(node, wq.MultiTerm) or isinstance(node, Expanded):
            return node
        of_term = by_term.setdefault(shown_term(node), set())
        found: set[bytes] = set()
        for leaf in leaves:
            for count, (_, word) in enumerate(node.expanded_terms(leaf)):
                btext = word.encode("utf-8") if isinstance(word, str) else word  # (fuzzy terms give text)
                if btext not in found:
                    found.add(btext)
                    of_term.add(btext)
                    words.add(btext)
                    if len(words) > MAX_EXPANSION:
                        raise _too_wide(node, typed, reader.schema, alone=len(of_term) > MAX_EXPANSION)
                if budget is not None and not count % 256:
                    budget.check()
        return Expanded(node, tuple(sorted(found)))

    return query.accept(expanded)


_WIDE_HINTS = {
    "fuzzy term": "allow it one edit (~1), or search for the word itself",
    "wildcard": "give it more letters before its * or ?",
    "range": "narrow the range (e.g. [kursk TO kyiv]), or search for words",
}
#: A query's fuzzy, wildcard and range terms as typed (a range with its field, e.g. ``title:[a TO c]``).
_MULTI_TERMS = re.compile(r"(?:\w+:)?[\[{][^\]}]*[\]}]|[^\s()\"]*[~*?][^\s()\"]*")


def _too_wide(node: wq.Query, typed: str | None, schema: Schema, *, alone: bool) -> InvalidQuery:
    kind = "fuzzy term" if isinstance(node, wq.FuzzyTerm) else "range" if isinstance(node, wq.TermRange) else "wildcard"
    return InvalidQuery(
        f"the {kind} {as_typed(node, typed, schema)!r} stands for more than {MAX_EXPANSION:,} words of the archive"
        + ("" if alone else " with the query's other fuzzy, wildcard and range terms"),
        hint=_WIDE_HINTS[kind],
    )


def as_typed(node: wq.Query, typed: str | None, schema: Schema) -> str:
    """A fuzzy, wildcard or range term as the query ``typed`` has it: ``sales~2``, which the index reads as its
    stem ``sale~2``; as ``shown_term`` gives it when no part of the query parses to it."""
    for found in _MULTI_TERMS.finditer(typed or ""):
        try:
            if node in parse_query(found.group(), schema).leaves():
                return found.group()
        except InvalidQuery:
            continue
    return shown_term(node)


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
    words = _word_count(text)
    if words > MAX_WORDS:
        raise InvalidQuery(
            f"the query has {words} words; at most {MAX_WORDS} are searched for together",
            hint="search for the few words that matter most",
        )
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
            _check_fuzzy(token)
        previous = token
    if depth > 0:
        raise InvalidQuery(f"'(' without a matching ')' in query {text!r}", hint="close the group with ')'")
    if previous in _BINARY or previous == "NOT":
        raise InvalidQuery(f"{previous} has nothing after it in query {text!r}", hint=_QUOTE_HINT)


_FIELD_NAME = re.compile(r"(?<![\w:])[A-Za-z_][A-Za-z0-9_]*:")
_FUZZY = re.compile(r"~(\d+)")


def _word_count(text: str) -> int:
    """The words a query searches for, as the analyzer will find them: operators, field names and stop words left out."""
    return sum(
        1
        for word in TOKEN.findall(_FIELD_NAME.sub(" ", text))
        if word not in _BINARY and word not in {"NOT", "TO"} and len(word) >= MIN_LENGTH and word.lower() not in STOPS
    )


def _check_fuzzy(token: str) -> None:
    """``kursk~99``: Whoosh reads one digit (and ``9`` as a word), so the distance is checked as typed."""
    found = _FUZZY.search(token)
    if found and int(found.group(1)) > MAX_EDITS:
        raise InvalidQuery(
            f"the fuzzy term {token!r} allows {int(found.group(1))} edits; at most {MAX_EDITS}",
            hint=f"write e.g. {token[: found.start()]}~2 (beyond two edits, nearly every short word is close)",
        )


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
