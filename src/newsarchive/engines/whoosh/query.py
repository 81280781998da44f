"""A parsed query (``newsarchive.query``) compiled into the Whoosh query that searches the index.

The tree is compiled as Whoosh has always read the query language: each
word analysed as its field is indexed (stemmed English in the word fields),
a word without a field looked for in each word field, and the result
normalised by Whoosh. Then the engine's own rules: a prefix also finds its
stems, and wildcard, fuzzy and range terms stand for the archive's words
read once and bounded (``expand``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from newsarchive.engines.whoosh.schema import SEARCH_FIELDS
from newsarchive.errors import InvalidQuery
from newsarchive.periods import naive_utc
from newsarchive.query import tree as qt
from newsarchive.query.budget import Budget
from newsarchive.query.parser import nothing_to_search, parse

#: Words of the archive that a query's wildcard, fuzzy and range terms may stand for, together.
MAX_EXPANSION = 1_000


def compile_query(query: qt.Query, schema: Schema) -> wq.Query:
    """The Whoosh query for ``query``'s tree.

    Date clauses narrow the whole query, as a range of the ``published`` field.
    """
    root = query.root
    parts = list(root.children) if isinstance(root, qt.And) and _narrowed(root) else [root]
    dates = [wq.DateRange("published", naive_utc(part.start), naive_utc(part.end))
             for part in parts if isinstance(part, qt.DateRange)]  # fmt: skip
    words = [part for part in parts if not isinstance(part, qt.DateRange)]
    if not words:
        return dates[0] if len(dates) == 1 else wq.And(dates)
    compiled = _compiled(words[0], schema) or wq.NullQuery
    found = compiled.normalize()
    if found is wq.NullQuery:  # (the parser refuses such a query first)
        raise nothing_to_search(query.text)
    found = found.accept(_stemmed_prefixes)
    return wq.And([found, *dates]) if dates else found


def _narrowed(root: qt.And) -> bool:
    """Whether the root is a query and the date clauses that narrow it (as the parser puts them)."""
    return any(isinstance(child, qt.DateRange) for child in root.children)


def _compiled(node: qt.Node, schema: Schema) -> wq.Query | None:
    """``node`` as Whoosh reads it; None where it has nothing to search for (stop words), which its group leaves out."""
    if isinstance(node, qt.FIELDED):
        if node.field is None:  # the word fields, any of them (the boost is the group's)
            found = (_leaf(node._replace(field=name, boost=1.0), schema) for name in SEARCH_FIELDS)
            return wq.Or([query for query in found if query is not None], boost=node.boost)
        return _leaf(node, schema)
    if isinstance(node, (qt.And, qt.Or)):
        found = (_compiled(child, schema) for child in node.children)
        kind = wq.And if isinstance(node, qt.And) else wq.Or
        return kind([query for query in found if query is not None], boost=node.boost)
    if isinstance(node, qt.Not):
        inner = _compiled(node.child, schema)
        return wq.Not(inner) if inner else None  # (an empty group is false)
    if isinstance(node, (qt.AndNot, qt.AndMaybe, qt.Require)):
        kind, parts = _BINARY[type(node)], [_compiled(part, schema) for part in _parts(node)]
        present = [part for part in parts if part is not None]
        if len(present) < 2:  # one side with nothing to search for: the other side alone
            return present[0] if present else wq.NullQuery
        return kind(*present)
    if isinstance(node, qt.Every):
        return wq.Every()
    raise TypeError(f"cannot compile {node!r}")  # (a date clause stands only beside the whole query)


_BINARY: dict[type, type[wq.Query]] = {qt.AndNot: wq.AndNot, qt.AndMaybe: wq.AndMaybe, qt.Require: wq.Require}


def _parts(node: qt.AndNot | qt.AndMaybe | qt.Require) -> tuple[qt.Node, qt.Node]:
    if isinstance(node, qt.AndNot):
        return node.positive, node.negative
    if isinstance(node, qt.AndMaybe):
        return node.required, node.optional
    return node.scored, node.required


def _leaf(node: qt.Word | qt.Phrase | qt.Prefix | qt.Wildcard | qt.Fuzzy | qt.Range, schema: Schema) -> wq.Query | None:
    name = node.field
    assert name is not None
    if isinstance(node, qt.Word):
        return _term(schema, name, node.text, wq.Term, node.boost, whole=False)
    if isinstance(node, qt.Phrase):
        if name in schema:
            words = [token.text for token in schema[name].tokenize(node.text, mode="query")]
        else:
            words = node.text.split()
        return wq.Phrase(name, words, slop=node.slop, boost=node.boost)
    if isinstance(node, qt.Prefix):
        return _term(schema, name, node.text, wq.Prefix, node.boost, whole=True)
    if isinstance(node, qt.Wildcard):
        return _term(schema, name, node.pattern, wq.Wildcard, node.boost, whole=True)
    if isinstance(node, qt.Fuzzy):
        word = _first_word(schema, name, node.text)
        # (Scored as the words it stands for, so the closer, rarer words rank first, as in Lucene.)
        return wq.FuzzyTerm(
            name, word, boost=node.boost, maxdist=node.edits, prefixlength=node.prefix, constantscore=False
        )
    start = _first_word(schema, name, node.start) if node.start else node.start
    end = _first_word(schema, name, node.end) if node.end else node.end
    return wq.TermRange(name, start, end, node.start_excluded, node.end_excluded, boost=node.boost)


def _term(schema: Schema, name: str, text: str, kind: type[wq.Query], boost: float, *, whole: bool) -> wq.Query | None:
    """A word (``whole``: a wildcard or prefix, not cut into words) as its field is indexed.

    Words typed as one that the field cuts into several must all match; none
    left (stop words) is None.
    """
    if name not in schema:
        return kind(name, text, boost=boost)
    words = list(schema[name].process_text(text, mode="query", tokenize=not whole, removestops=not whole))
    if len(words) > 1:
        return wq.And([kind(name, word, boost=boost) for word in words])
    return kind(name, words[0], boost=boost) if words else None


def _first_word(schema: Schema, name: str, text: str) -> str:
    """A fuzzy word or a range's end as its field is indexed, whole."""
    if name not in schema:
        return text
    return next(iter(schema[name].process_text(text, mode="query", tokenize=False, removestops=False)), text)


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
        try:  # (a fragment of the text, read only to name the term in the message)
            if node in compile_query(parse(found.group()), schema).leaves():
                return found.group()
        except InvalidQuery:
            continue
    return shown_term(node)


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
