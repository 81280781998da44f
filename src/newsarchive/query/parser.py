"""The query language: the text a user types, read once into a ``Query`` tree, or a clear InvalidQuery.

The language is the one users have always typed (it began as Whoosh's): words
side by side must all match; ``AND``, ``OR``, ``NOT``, ``ANDNOT``,
``ANDMAYBE`` and ``REQUIRE`` (upper case, with spaces around); groups in
parentheses; ``field:`` before a word, phrase or group; ``"phrases"~slop``;
``'several words'`` as one; ``*`` and ``?`` wildcards; ``word~2/3`` fuzzy
words; ``[a TO c]`` ranges; ``^2`` boosts; ``*:*`` for every article; and
``date:`` clauses, read here, which narrow the whole query.

How it reads, in the order it has always read: the text is cut into pieces
(words, operators, brackets ...), then passes join them: groups, fuzzy marks,
wildcards, field names, boosts, and last the operators, tightest first: NOT,
AND, OR, ANDNOT, ANDMAYBE, REQUIRE; what remains side by side must all
match. A grammar written afresh would read odd queries (``peace ^2``,
``a.b:c``, ``x ANDNOT``) otherwise than users have seen them read; these
passes are the reading itself, so every query means what it meant.

Mistakes the passes would quietly read as something else (``kursk AND``,
``foo:bar``, unbalanced quotes and brackets) are refused first, with the
reason and a hint, and so are queries that would cost too much
(``MAX_QUERY_CHARS``, ``MAX_WORDS``, ``MAX_EDITS``, ``WILDCARD_PREFIX``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

from newsarchive.errors import InvalidQuery
from newsarchive.periods import date_clause
from newsarchive.query.tree import (
    FIELDS,
    WORD_FIELDS,
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    Range,
    Require,
    Wildcard,
    Word,
)
from newsarchive.query.words import MIN_LENGTH, STOPS, TOKEN, searches_for_something
from newsarchive.scripts import CJK

# What one query may cost (the README's "Query limits"). A query beyond them is
# refused before it runs, with the reason; the time budget stops one that runs on.
#: Characters in a query.
MAX_QUERY_CHARS = 1_000
#: Words in a query (stop words and operators not counted).
MAX_WORDS = 32
#: Groups in parentheses, one inside another: a tree that deep is read (and compiled) by recursion.
MAX_DEPTH = 32
#: Edits a fuzzy term may allow (Lucene's limit too): beyond two, nearly every short word is "close".
MAX_EDITS = 2
#: Letters a fuzzy term keeps as they are typed, at least.
FUZZY_PREFIX = 1
#: Letters a wildcard in title, description or body needs before its first * or ?.
WILDCARD_PREFIX = 2

#: Fields a query may name, ``date:`` among them.
QUERY_FIELDS = (*FIELDS, "date")


def parse(text: str) -> Query:
    """``text`` as a ``Query``, or InvalidQuery (InvalidDate for a date clause) saying what is wrong and what to do.

    Dates in ``date:`` clauses are read in the zone chosen (``periods.zone_context``), else UTC.
    """
    _check_text(text)
    # Composed, as stored text is: a word typed with combining accents ("e" and U+0301) is the same word.
    text = unicodedata.normalize("NFC", text)
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are searched for",
            hint="search for the few words that matter most",
        )
    stripped = text.strip()
    if not stripped:
        raise InvalidQuery("empty query", hint='give words to search for, e.g. archive search "peace talks"')
    words, spans = _split_dates(stripped)
    dates: list[Node] = [DateRange(*date_clause(value)) for value in spans]
    if not words.strip():
        if dates:
            return Query(text, dates[0] if len(dates) == 1 else And(tuple(dates)))
        raise InvalidQuery("empty query", hint='give words to search for, e.g. archive search "peace talks"')
    _check_syntax(words.strip())
    try:
        root = _read(words.strip())
    except _Unreadable as exc:
        raise cannot_read(text, exc) from None
    if _reach(root) is not _SOME:
        raise nothing_to_search(text)
    _check_limits(root)
    return Query(text, And((root, *dates)) if dates else root)


def nothing_to_search(text: str) -> InvalidQuery:
    if _CJK_CHARACTER.search(text):
        hint = "Chinese, Japanese and Korean are searched for two characters or more at a time; add the next one"
    elif not _LETTER_OR_DIGIT.search(text):
        hint = "punctuation alone matches nothing; search for words"
    else:
        hint = "very common words (the, a, of ...), single letters and operators alone match nothing; add a distinctive word"
    return InvalidQuery(f"the query {text!r} has no words to search for", hint=hint)


_CJK_CHARACTER = re.compile(f"[{CJK}]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def cannot_read(text: str, reason: object) -> InvalidQuery:
    return InvalidQuery(f"cannot read the query {text!r}: {reason}", hint=_QUOTE_HINT)


# ---------------------------------------------------------------- mistakes refused before reading

_TOKEN = re.compile(r'"[^"]*"(?:~\d+)?|\(|\)|[^\s()"]+')
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(.*)$")
_BINARY = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_FIELD_LIST = ", ".join(f"{name}:" for name in QUERY_FIELDS)
# A date clause, or a quoted phrase to step over (a date: inside quotes is just words).
_DATE_OR_PHRASE = re.compile(r'"[^"]*"|(?<![\w:])date:(\[[^\]]*\]|[^\s()"]+)', re.IGNORECASE)
_QUOTE_HINT = 'to search for a word such as AND or a symbol literally, put it in quotes: "AND"'


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
            if depth > MAX_DEPTH:
                raise InvalidQuery(
                    f"the query has groups in parentheses more than {MAX_DEPTH} deep",
                    hint="take out the parentheses around a single word or group",
                )
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
    """``kursk~99``: only one digit is read as the distance (and ``9`` as a word), so the distance is checked as typed."""
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


# ---------------------------------------------------------------- reading: pieces, then passes


@dataclass(eq=False)
class _Piece:
    """A piece of the query while it is read: a leaf, a mark (operator, bracket, field name ...) or a group."""

    kind: str
    text: str = ""
    field: str | None = None
    boost: float = 1.0
    original: str = ""  # as typed, for a mark that turns out to be a word
    slop: int = 1
    edits: int = 1
    prefix: int = 0
    end: str | None = None  # a range's other end (``text`` its start, None: not typed)
    start_typed: bool = True
    excluded: tuple[bool, bool] = (False, False)
    children: list[_Piece] = dataclasses.field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind in _TEXT

    @property
    def has_field(self) -> bool:
        return self.kind in _TEXT or self.kind in ("range", "field")

    @property
    def has_boost(self) -> bool:
        return self.kind in _TEXT or self.kind in ("range", "and", "or", "not")

    @property
    def is_group(self) -> bool:
        return self.kind in _GROUPS

    def set_field(self, name: str | None) -> None:
        """The field of this piece (and of every piece in a group) that names none yet."""
        if self.is_group:
            for child in self.children:
                child.set_field(name)
        elif self.has_field and self.field is None:
            self.field = name


_TEXT = {"word", "wild", "prefix", "fuzzy", "phrase"}
_GROUPS = {"and", "or", "not", "andnot", "andmaybe", "require"}
_QMARKS = "?\u055e\u061f\u1367"

# What each piece looks like, in the order they are tried at each place in the text.
_PIECES: list[tuple[str, re.Pattern[str]]] = [
    ("ANDNOT", re.compile(r"(?<=\s)ANDNOT(?=\s)")),
    ("ANDMAYBE", re.compile(r"(?<=\s)ANDMAYBE(?=\s)")),
    ("every", re.compile(r"[*]:[*]")),
    ("quoted", re.compile(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)")),
    ("field", re.compile(r"(?P<text>\w+|[*]):")),
    ("wild", re.compile(f"(?P<text>[*{_QMARKS}])")),
    ("phrase", re.compile(r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?')),
    ("open", re.compile(r"[(]")),
    ("close", re.compile(r"[)]")),
    ("NOT", re.compile(r"(^|(?<=(\s|[()])))NOT(?=\s)")),
    ("AND", re.compile(r"(?<=\s)AND(?=\s)")),
    ("OR", re.compile(r"(?<=\s)OR(?=\s)")),
    ("REQUIRE", re.compile(r"(^|(?<=\s))REQUIRE(?=\s)")),
    ("boost", re.compile(r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))")),
    ("fuzziness", re.compile(r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?")),
    (
        "range",
        re.compile(
            r"(?P<open>\{|\[)(?P<start>('[^']*?'\s+)|([^\]}]+?(?=[Tt][Oo])))?[Tt][Oo]"
            r"(?P<end>(\s+'[^']*?')|([^\]}]+?))?(?P<close>}|])"
        ),
    ),
    ("space", re.compile(r"\s+")),
]
# Operators, tightest first; NOT stands before what it negates, the others between.
_OPERATORS = ("NOT", "AND", "OR", "ANDNOT", "ANDMAYBE", "REQUIRE")


def _read(text: str) -> Node:
    group = _Piece("and", children=list(_cut(text)))
    group = _groups(group)
    _clean_boosts(group)
    _fuzzy(group)
    _wildcards(group)
    _field_names(group)
    _no_spaces(group)
    _boosts(group)
    _operators(group)
    return _node(group)


def _cut(text: str) -> Iterator[_Piece]:
    """The pieces of ``text``: where none of _PIECES matches, the characters up to the next piece are a word."""
    place = last = 0
    while place < len(text):
        matched = _match(text, place)
        if matched is None:
            place += 1
            continue
        if last < place:
            yield _Piece("word", text[last:place])
        yield _piece(*matched)
        last = place = matched[1].end()
    if last < len(text):
        yield _Piece("word", text[last:])


def _match(text: str, place: int) -> tuple[str, re.Match[str]] | None:
    for kind, pattern in _PIECES:
        found = pattern.match(text, place)
        if found is not None:
            return kind, found
    return None


def _piece(kind: str, found: re.Match[str]) -> _Piece:
    typed = found.group(0)
    if kind == "quoted":
        return _Piece("word", found.group("text"))
    if kind in ("field", "wild"):
        return _Piece(kind, found.group("text"), original=typed)
    if kind == "phrase":
        return _Piece("phrase", found.group("text"), slop=int(found.group("slop") or 1))
    if kind == "boost":
        try:
            return _Piece("boost", boost=float(found.group("boost")), original=typed)
        except ValueError:
            return _Piece("word", typed)
    if kind == "fuzziness":
        edits, prefix = found.group("maxdist"), found.group("prefix")
        return _Piece(
            "fuzziness", edits=int(edits) if edits else 1, prefix=int(prefix) if prefix else 0, original=typed
        )
    if kind == "range":
        return _range(found)
    if kind in _OPERATORS:
        return _Piece("op", kind, original=typed)
    return _Piece(kind, original=typed)  # every, open, close, space


def _range(found: re.Match[str]) -> _Piece:
    start, end = found.group("start"), found.group("end")
    if start:
        start = start.rstrip()
        if start.startswith("'") and start.endswith("'"):
            start = start[1:-1]
    if end:
        end = end.lstrip()
        if end.startswith("'") and end.endswith("'"):
            end = end[1:-1]
    return _Piece(
        "range", start or "", end=end, start_typed=start is not None,
        excluded=(found.group("open") == "{", found.group("close") == "}"),
    )  # fmt: skip


def _as_word(piece: _Piece) -> _Piece:
    return _Piece("word", piece.original)


def _groups(top: _Piece) -> _Piece:
    """Parentheses make groups; a ')' too many is dropped, a group left open is read as if it had none."""
    stack = [_Piece("and")]
    for piece in top.children:
        if piece.kind == "open":
            stack.append(_Piece("and"))
        elif piece.kind == "close":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].children.append(last)
        else:
            stack[-1].children.append(piece)
    outer = stack[0]
    for unclosed in stack[1:]:
        outer.children.extend(unclosed.children)
    if len(outer.children) == 1 and outer.children[0].is_group:
        outer = outer.children[0]
        outer.boost = 1.0
    return outer


def _clean_boosts(group: _Piece) -> None:
    """At the top level, a ``^2`` after a space or at the start boosts nothing: it is a word."""
    for at, piece in enumerate(group.children):
        if piece.kind == "boost" and (not at or not group.children[at - 1].has_boost):
            group.children[at] = _as_word(piece)


def _fuzzy(group: _Piece) -> None:
    """``word~2/3``: the mark makes the word before it fuzzy; a mark after anything else is a word."""
    pieces: list[_Piece] = []
    at = 0
    while at < len(group.children):
        piece = group.children[at]
        if piece.kind == "word" and at + 1 < len(group.children) and group.children[at + 1].kind == "fuzziness":
            mark = group.children[at + 1]
            piece = _Piece(
                "fuzzy", piece.text, field=piece.field, boost=piece.boost, edits=mark.edits, prefix=mark.prefix
            )
            at += 1
        if piece.kind == "fuzziness":
            piece = _as_word(piece)
        if piece.is_group:
            _fuzzy(piece)
        pieces.append(piece)
        at += 1
    group.children = pieces


def _wildcards(group: _Piece) -> None:
    """A ``*`` or ``?`` joins the text on either side of it; one ``*`` at the end only is a prefix."""
    pieces = group.children
    at = 0
    while at < len(pieces):
        piece = pieces[at]
        if piece.kind == "wild":
            if at < len(pieces) - 1 and pieces[at + 1].is_text:
                piece.text += pieces.pop(at + 1).text
            if at > 0 and pieces[at - 1].is_text:
                piece.text = pieces.pop(at - 1).text + piece.text
            else:
                at += 1
        else:
            if piece.is_group:
                _wildcards(piece)
            at += 1
    for at, piece in enumerate(pieces):
        text = piece.text
        if piece.kind == "wild" and len(text) > 1 and not any(mark in text for mark in _QMARKS):
            if text.find("*") == len(text) - 1:
                pieces[at] = _Piece("prefix", text[:-1])


def _field_names(group: _Piece) -> None:
    """``title:`` scopes the piece after it (every piece of a group); a name that is no field is part of the word."""
    pieces: list[_Piece] = []
    unknown: _Piece | None = None
    for piece in group.children:
        if piece.kind == "field" and piece.text not in FIELDS:
            unknown = piece
            continue
        if unknown is not None:
            if piece.kind in _TEXT:
                piece.text = unknown.original + piece.text
            else:
                pieces.append(_as_word(unknown))
            unknown = None
        pieces.append(piece)
    if unknown is not None:
        pieces.append(_as_word(unknown))
    scoped: list[_Piece] = []
    at = len(pieces)
    while at > 0:
        at -= 1
        piece = pieces[at]
        if piece.kind == "field":
            piece = _as_word(piece)
        elif piece.is_group:
            _field_names(piece)
        if at > 0 and piece.kind != "space" and pieces[at - 1].kind == "field":
            piece.set_field(pieces[at - 1].text)
            at -= 1
        scoped.append(piece)
    scoped.reverse()
    group.children = scoped


def _no_spaces(group: _Piece) -> None:
    group.children = [piece for piece in group.children if piece.kind != "space"]
    for piece in group.children:
        if piece.is_group:
            _no_spaces(piece)


def _boosts(group: _Piece) -> None:
    """``^2`` boosts the term or group just before it; after anything else it is a word."""
    pieces: list[_Piece] = []
    for piece in group.children:
        if piece.is_group:
            _boosts(piece)
        elif piece.kind == "boost":
            if pieces and pieces[-1].has_boost:
                pieces[-1].boost = piece.boost
                continue
            piece = _as_word(piece)
        pieces.append(piece)
    group.children = pieces


def _operators(group: _Piece) -> None:
    """Each operator in turn, tightest first, left to right; one with nothing on a side it needs is dropped."""
    pieces = group.children
    for name in _OPERATORS:
        at = 0
        while at < len(pieces):
            piece = pieces[at]
            if piece.kind != "op" or piece.text != name:
                at += 1
            elif name == "NOT":
                del pieces[at]
                if at < len(pieces):
                    pieces[at] = _Piece("not", children=[pieces[at]])
                at += 1
            else:
                _infix(pieces, at, name.lower())
    for piece in pieces:
        if piece.is_group:
            _operators(piece)


def _infix(pieces: list[_Piece], at: int, kind: str) -> None:
    if not 0 < at < len(pieces) - 1:
        del pieces[at]
        return
    left, right = pieces[at - 1], pieces[at + 1]
    if kind in ("and", "or") and left.kind == kind:  # a run of ANDs (or ORs) is one group
        left.children.append(right)
        del pieces[at : at + 2]
    elif kind == "or" and left.has_field and left.field is None:
        # A leaf in the word fields already stands for an OR of them, which the run joins (boost and all).
        left_alone = replace(left, boost=1.0)
        pieces[at - 1 : at + 2] = [_Piece("or", boost=left.boost, children=[left_alone, right])]
    else:
        pieces[at - 1 : at + 2] = [_Piece(kind, children=[left, right])]


def _node(piece: _Piece) -> Node:
    kind, boost = piece.kind, piece.boost
    if kind in ("and", "or"):
        children = tuple(_node(child) for child in piece.children)
        if len(children) == 1 and boost == 1.0 and _reach(children[0]) is _SOME:
            return children[0]  # (a group of one, as the whole query is: the one alone searches the same)
        return And(children, boost) if kind == "and" else Or(children, boost)
    if kind == "not":
        if not piece.children:  # (as Whoosh said it)
            raise _Unreadable("list index out of range")
        return Not(_node(piece.children[0]))
    if kind in ("andnot", "andmaybe", "require"):
        if len(piece.children) != 2:  # ``x REQUIRE REQUIRE y``: the second took the first's right side
            raise _Unreadable("")
        first, second = (_node(child) for child in piece.children)
        if kind == "andnot":
            return AndNot(first, second)
        return AndMaybe(first, second) if kind == "andmaybe" else Require(first, second)
    if kind == "word":
        return Word(piece.text, piece.field, boost)
    if kind == "phrase":
        return Phrase(piece.text, piece.field, piece.slop, boost)
    if kind == "prefix":
        return Prefix(piece.text, piece.field, boost)
    if kind == "wild":
        return Wildcard(piece.text, piece.field, boost)
    if kind == "fuzzy":
        # Fuzzy terms keep their first letter as typed, at least.
        return Fuzzy(piece.text, piece.field, piece.edits, max(FUZZY_PREFIX, piece.prefix), boost)
    if kind == "range":
        start = piece.text if piece.start_typed else None
        return Range(start, piece.end, piece.field, *piece.excluded, boost)
    if kind == "every":
        return Every()
    raise _Unreadable(f"{piece.original or kind!r} stands alone")  # (a guard: the checks before leave none)


class _Unreadable(Exception):
    """A query the passes leave in pieces that mean nothing (its reason as Whoosh gave it)."""


# ---------------------------------------------------------------- what a tree searches for, and what it costs

# What a part of the tree comes to: nothing at all (a word of stop words in one
# field: the parts around it close up, and ``x ANDNOT <nothing>`` is ``x``), an
# empty group, something that matches nothing (a phrase of stop words), or words.
_NOTHING, _EMPTY, _NULL, _SOME = "nothing", "empty", "null", "some"


def _reach(node: Node) -> str:
    if isinstance(node, Word):
        if searches_for_something(node.field, node.text):
            return _SOME
        return _EMPTY if node.field is None else _NOTHING  # (the word fields: a group of three)
    if isinstance(node, Phrase):
        return _SOME if searches_for_something(node.field, node.text) else _NULL
    if isinstance(node, (And, Or)):
        reached = [found for found in map(_reach, node.children) if found is not _NOTHING]
        if not reached:
            return _EMPTY
        return _SOME if _SOME in reached else _NULL
    if isinstance(node, Not):
        found = _reach(node.child)
        return _NOTHING if found in (_NOTHING, _EMPTY) else found
    if isinstance(node, (AndNot, AndMaybe, Require)):
        first, second = (_reach(part) for part in _parts(node))
        if first is _NOTHING or second is _NOTHING:
            if first is second:
                return _NULL
            return second if first is _NOTHING else first
        if isinstance(node, Require) and second is not _SOME:
            return _NULL
        return first if first is _SOME else _NULL
    return _SOME


def _parts(node: AndNot | AndMaybe | Require) -> tuple[Node, Node]:
    if isinstance(node, AndNot):
        return node.positive, node.negative
    if isinstance(node, AndMaybe):
        return node.required, node.optional
    return node.scored, node.required


def _is_every(node: Node) -> bool:
    """Whether a part stands for every article (``*:*`` anywhere in an AND or OR makes all of it so)."""
    if isinstance(node, (And, Or)):
        return any(map(_is_every, node.children))
    if isinstance(node, (AndNot, AndMaybe, Require)):
        first, second = _parts(node)
        if _reach(first) is _NOTHING:
            return _is_every(second)
        if isinstance(node, Require) and _reach(second) is not _NOTHING:
            return False
        return _reach(second) is not _SOME and _is_every(first)  # (what it leaves out is nothing)
    return isinstance(node, Every)


def _check_limits(node: Node) -> None:
    """Refuses the wildcards that would read the whole vocabulary, and fuzzy terms of too many edits.

    Parts that search for nothing (beside stop words alone) or stand for every article are not searched, so not refused.
    """
    if _is_every(node) or _reach(node) is not _SOME:
        return
    if isinstance(node, Or) and any(_lone_star(child) for child in _or_parts(node)):
        _check_wildcard(Wildcard("*"))  # (it stands for every word of the word fields: the others in them go)
    if isinstance(node, (And, Or)):
        for child in node.children:
            _check_limits(child)
    elif isinstance(node, Not):
        _check_limits(node.child)
    elif isinstance(node, (AndNot, AndMaybe, Require)):
        for part in _parts(node):
            _check_limits(part)
    elif isinstance(node, Fuzzy) and node.edits > MAX_EDITS:
        shown = f"{_shown(node.text.lower(), node.field)}~{node.edits}"
        raise InvalidQuery(
            f"the fuzzy term {shown!r} allows {node.edits} edits; at most {MAX_EDITS}",
            hint=f"write e.g. {node.text.lower()}~2 (beyond two edits, nearly every short word is close)",
        )
    elif isinstance(node, (Prefix, Wildcard)) and (node.field is None or node.field in WORD_FIELDS):
        _check_wildcard(node)


def _or_parts(node: Or) -> Iterator[Node]:
    """The parts of an OR, those of the ORs in it among them."""
    for child in node.children:
        yield from _or_parts(child) if isinstance(child, Or) else (child,)


def _lone_star(node: Node) -> bool:
    return isinstance(node, Wildcard) and node.field is None and node.pattern == "*"


def _shown(text: str, field: str | None) -> str:
    return text if field is None or field in WORD_FIELDS else f"{field}:{text}"


def _check_wildcard(node: Prefix | Wildcard) -> None:
    if isinstance(node, Prefix):
        shown, start = node.text.lower() + "*", node.text.lower()
    else:
        shown = node.pattern.lower()
        if shown == "*":
            raise InvalidQuery(
                "a lone * stands for every word of every article",
                hint=f"give a wildcard at least {WILDCARD_PREFIX} letters before its * or ?, e.g. negotiat*",
            )
        if "*" not in shown and "?" not in shown:
            return  # (a word: the other question marks are letters to the index)
        start = re.split(r"[*?\[]", shown, maxsplit=1)[0]
    if len(start) < WILDCARD_PREFIX:
        raise InvalidQuery(
            f"the wildcard {shown!r} has fewer than {WILDCARD_PREFIX} letters before its first * or ?",
            hint=f"give at least {WILDCARD_PREFIX} letters first, e.g. negotiat* (a wildcard reads every word it might be)",
        )
