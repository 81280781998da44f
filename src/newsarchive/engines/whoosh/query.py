"""A parsed query (``newsarchive.query``) compiled into the Whoosh query that searches the index.

The tree is compiled as Whoosh has always read the query language: each
word analysed as its field is indexed (stemmed in the word fields), a word
without a field looked for in each word field, and the result normalised by
Whoosh. The index holds each article's words as its language analyses them
(``languages.analysis_of``), so a word of the word fields is looked for as
each analysis the archive holds makes it (``index_analyses``), or as the
languages a group's ``lang:`` clauses name: ``переговоры`` is the Russian
stem ``переговор`` and, were English articles there, the English word as
Porter leaves it. An archive in English alone gets the query it always did.
Then the engine's own rules: a prefix also finds its stems, and wildcard,
fuzzy and range terms stand for the archive's words read once and bounded
(``expand``).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Sequence
from functools import cache, partial
from typing import NamedTuple

from whoosh import query as wq
from whoosh.analysis import CompositeAnalyzer
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from newsarchive.engines.whoosh.analysis import analyzer
from newsarchive.engines.whoosh.schema import SEARCH_FIELDS
from newsarchive.errors import InvalidQuery
from newsarchive.periods import naive_utc
from newsarchive.query import tree as qt
from newsarchive.query.budget import Budget
from newsarchive.query.parser import nothing_to_search, parse
from newsarchive.text import terms as text_terms
from newsarchive.text.languages import analysis_of
from newsarchive.text.terms import (
    as_typed_too,
    first_term,
    named_analyses,
    narrowed,
    ordered_analyses,
    phrase_spellings,
    prefix_variants,
    too_wide,
    whole_terms,
    word_parts,
)

#: The analyses of an archive in English alone (or of an empty one).
ENGLISH_ONLY = ("en",)


def compile_query(query: qt.Query, schema: Schema, analyses: Sequence[str] = ENGLISH_ONLY) -> wq.Query:
    """The Whoosh query for ``query``'s tree, its words looked for as each of ``analyses`` makes them
    (``index_analyses``: those the archive holds).

    Date clauses narrow the whole query, as a range of the ``published`` field.
    """
    root = query.root
    parts = list(root.children) if isinstance(root, qt.And) and narrowed(root) else [root]
    dates = [wq.DateRange("published", naive_utc(part.start), naive_utc(part.end))
             for part in parts if isinstance(part, qt.DateRange)]  # fmt: skip
    words = [part for part in parts if not isinstance(part, qt.DateRange)]
    if not words:
        return dates[0] if len(dates) == 1 else wq.And(dates)
    analyses = tuple(analyses)
    compiled = _sure(_compiled(words[0], schema, analyses)) or wq.NullQuery
    found = compiled.normalize()
    if found is wq.NullQuery:  # (the parser refuses such a query first)
        raise nothing_to_search(query.text)
    found = found.accept(partial(_stemmed_prefixes, analyses=analyses))
    return wq.And([found, *dates]) if dates else found


def index_analyses(reader: IndexReader) -> tuple[str, ...]:
    """The analyses (``languages.analysis_of``) of the index's articles, English first where some are
    English, undetermined or of no recorded language; read once for each reader (an index generation)."""
    kept = _analyses_of.get(reader)
    if kept is None:
        languages = list(reader.lexicon("lang"))
        with_language = sum(reader.doc_frequency("lang", language) for language in languages)
        found = {analysis_of(language.decode("utf-8")) for language in languages}
        if with_language < reader.doc_count_all() or not found:
            found.add("en")
        kept = _analyses_of[reader] = ordered_analyses(found)
    return kept


_analyses_of: weakref.WeakKeyDictionary[IndexReader, tuple[str, ...]] = weakref.WeakKeyDictionary()


class _Partly(NamedTuple):
    """A word some analyses drop and others keep (an English stop word, a word in German): a group's matches
    in the analyses that drop it cannot need it, so a group ranks by it but does not require it."""

    query: wq.Query


def _sure(found: wq.Query | _Partly | None) -> wq.Query | None:
    return found.query if isinstance(found, _Partly) else found


def _compiled(node: qt.Node, schema: Schema, analyses: tuple[str, ...]) -> wq.Query | _Partly | None:
    """``node`` as Whoosh reads it; None where it has nothing to search for (stop words), which its group leaves out."""
    if isinstance(node, qt.FIELDED):
        if node.field is None:  # the word fields, any of them (the boost is the group's)
            found = [_leaf(node._replace(field=name, boost=1.0), schema, analyses) for name in SEARCH_FIELDS]
            either = wq.Or([query for query in map(_sure, found) if query is not None], boost=node.boost)
            return _Partly(either) if isinstance(found[0], _Partly) else either
        return _leaf(node, schema, analyses)
    if isinstance(node, qt.And):
        analyses = named_analyses(node, analyses)
        found = [_compiled(child, schema, analyses) for child in node.children]
        needed = [query for query in found if isinstance(query, wq.Query)]
        ranking = [query.query for query in found if isinstance(query, _Partly)]
        if not ranking:
            return wq.And(needed, boost=node.boost)
        if not needed:
            return _Partly(wq.And(ranking, boost=node.boost))
        return wq.AndMaybe(wq.And(needed, boost=node.boost), ranking[0] if len(ranking) == 1 else wq.Or(ranking))
    if isinstance(node, qt.Or):
        either = (_sure(_compiled(child, schema, analyses)) for child in node.children)
        return wq.Or([query for query in either if query is not None], boost=node.boost)
    if isinstance(node, qt.Not):
        inner = _sure(_compiled(node.child, schema, analyses))
        return wq.Not(inner) if inner else None  # (an empty group is false)
    if isinstance(node, (qt.AndNot, qt.AndMaybe, qt.Require)):
        kind = _BINARY[type(node)]
        parts = [_sure(_compiled(part, schema, analyses)) for part in _parts(node)]
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


Leaf = qt.Word | qt.Phrase | qt.Prefix | qt.Wildcard | qt.Fuzzy | qt.Range


def _leaf(node: Leaf, schema: Schema, analyses: tuple[str, ...]) -> wq.Query | _Partly | None:
    """A leaf as each analysis makes it, the distinct ones together: either of them matches.

    A leaf that some analyses drop (stop words) and others keep is ``_Partly``.
    The fields that hold whole values (``source:``, ``lang:``) have one analysis.
    """
    name = node.field
    assert name is not None
    if name not in SEARCH_FIELDS or name not in schema:
        return _analysed_leaf(node, schema[name].analyzer if name in schema else None)
    made: list[wq.Query] = []
    dropped: list[wq.Query | None] = []  # (what the analyses that drop the leaf make of it)
    for analysis in analyses:
        query = _analysed_leaf(node, _analyzer(analysis), analysis)
        if query is None or (isinstance(query, wq.Phrase) and not query.words):
            dropped.append(query)
        elif query not in made:
            made.append(query)
    if not made:
        return dropped[0] if dropped else None
    either = made[0] if len(made) == 1 else wq.Or(made)
    return _Partly(either) if dropped else either


@cache
def _analyzer(analysis: str) -> CompositeAnalyzer:
    return analyzer(analysis)


def _analysed_leaf(node: Leaf, analyzing: CompositeAnalyzer | None, analysis: str = "en") -> wq.Query | None:
    """A leaf as ``analyzing`` (None: no analysis) makes its text; None where nothing is left (stop words)."""
    name, boost = node.field, node.boost
    assert name is not None

    def whole(text: str) -> list[list[str]]:  # a text not cut into words (a wildcard, a fuzzy word, a range's end)
        """The terms of each word the analysis makes of ``text``: a word's terms are alternatives (its stem,
        its dictionary forms), which share a position; pairs of Chinese characters are words of their own."""
        if analyzing is None:
            return [[text]]
        if name in SEARCH_FIELDS:
            return whole_terms(text, analysis)
        places: dict[int, list[str]] = {}
        for token in analyzing(text, mode="query", tokenize=False, removestops=False, positions=True):
            places.setdefault(token.pos, []).append(token.text)
        return list(places.values())

    if isinstance(node, qt.Word):
        if analyzing is None or name not in SEARCH_FIELDS:
            terms = whole(node.text) if analyzing is None else [[word] for word in _words(analyzing, node.text)]
            return _all_of(wq.Term, name, terms, boost)
        return _word(name, node.text, analysis, boost)
    if isinstance(node, qt.Phrase):
        if analyzing is None or name not in SEARCH_FIELDS:
            words = node.text.split() if analyzing is None else _words(analyzing, node.text)
            return wq.Phrase(name, words, slop=node.slop, boost=boost)
        return _phrase(name, node.text, analysis, node.slop, boost)
    if isinstance(node, qt.Prefix):
        return _all_of(wq.Prefix, name, as_typed_too(whole(node.text), node.text, analysis), boost)
    if isinstance(node, qt.Wildcard):
        return _all_of(wq.Wildcard, name, as_typed_too(whole(node.pattern), node.pattern, analysis), boost)
    if isinstance(node, qt.Fuzzy):
        word = first_term(whole(node.text), node.text)
        # (Scored as the words it stands for, so the closer, rarer words rank first, as in Lucene.)
        return wq.FuzzyTerm(
            name, word, boost=boost, maxdist=node.edits, prefixlength=node.prefix, constantscore=False
        )
    start = first_term(whole(node.start), node.start) if node.start else node.start
    end = first_term(whole(node.end), node.end) if node.end else node.end
    return wq.TermRange(name, start, end, node.start_excluded, node.end_excluded, boost=boost)


def _words(analyzing: CompositeAnalyzer, text: str) -> list[str]:
    return [token.text for token in analyzing(text, mode="query")]


def _all_of(kind: type[wq.Query], name: str, words: list[list[str]], boost: float) -> wq.Query | None:
    """Words typed as one that the field cuts into several must all match, each by any of its terms;
    none left (stop words) is None."""
    either = [_either(kind, name, terms, boost) for terms in words]
    if len(either) > 1:
        return wq.And(either)
    return either[0] if either else None


def _either(kind: type[wq.Query], name: str, terms: Sequence[str], boost: float) -> wq.Query:
    """One word by any of its terms."""
    return kind(name, terms[0], boost=boost) if len(terms) == 1 else wq.Or([kind(name, term, boost=boost) for term in terms])


def _word(name: str, text: str, analysis: str, boost: float) -> wq.Query | None:
    """A word of a word field as ``analysis`` indexes it (``terms.word_parts``): its term (either of two for
    some words written with accents); a run of Chinese, Japanese or Korean longer than two characters a
    phrase of its pairs."""
    parts: list[wq.Query] = [
        wq.Phrase(name, list(part.terms), boost=boost) if part.run else _either(wq.Term, name, part.terms, boost)
        for part in word_parts(text, analysis)
    ]
    if len(parts) > 1:
        return wq.And(parts)
    return parts[0] if parts else None


def _phrase(name: str, text: str, analysis: str, slop: int, boost: float) -> wq.Query:
    """A phrase as ``analysis`` indexes its words, each word by any of its terms: the phrase in each of its
    spellings (``terms.phrase_spellings``), either of them matching."""
    phrases = [wq.Phrase(name, list(spelling), slop=slop, boost=boost) for spelling in phrase_spellings(text, analysis)]
    if not phrases:  # (every word dropped: an empty phrase, which its group leaves out)
        return wq.Phrase(name, [], slop=slop, boost=boost)
    return phrases[0] if len(phrases) == 1 else wq.Or(phrases)


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
                    if len(words) > text_terms.MAX_EXPANSION:
                        raise _too_wide(node, typed, reader, alone=len(of_term) > text_terms.MAX_EXPANSION)
                if budget is not None and not count % 256:
                    budget.check()
        return Expanded(node, tuple(sorted(found)))

    return query.accept(expanded)


#: A query's fuzzy, wildcard and range terms as typed (a range with its field, e.g. ``title:[a TO c]``).
_MULTI_TERMS = re.compile(r"(?:\w+:)?[\[{][^\]}]*[\]}]|[^\s()\"]*[~*?][^\s()\"]*")


def _too_wide(node: wq.Query, typed: str | None, reader: IndexReader, *, alone: bool) -> InvalidQuery:
    kind = "fuzzy term" if isinstance(node, wq.FuzzyTerm) else "range" if isinstance(node, wq.TermRange) else "wildcard"
    named = as_typed(node, typed, reader.schema, index_analyses(reader))
    return too_wide(kind, named, alone=alone)


def as_typed(node: wq.Query, typed: str | None, schema: Schema, analyses: Sequence[str] = ENGLISH_ONLY) -> str:
    """A fuzzy, wildcard or range term as the query ``typed`` has it: ``sales~2``, which the index reads as its
    stem ``sale~2``; as ``shown_term`` gives it when no part of the query parses to it."""
    for found in _MULTI_TERMS.finditer(typed or ""):
        try:  # (a fragment of the text, read only to name the term in the message)
            if node in compile_query(parse(found.group()), schema, analyses).leaves():
                return found.group()
        except InvalidQuery:
            continue
    return shown_term(node)


def _stemmed_prefixes(node: wq.Query, analyses: Sequence[str] = ENGLISH_ONLY) -> wq.Query:
    """``negotiat*`` must find "negotiators", which the index holds as the stem "negoti".

    A prefix in a stemmed field also matches the stem of the prefix in each
    of ``analyses``, and the few stems that are the prefix cut short by up to
    three letters (the stemmers trim suffixes such as "-ator", "-ion", "-e").
    """
    if not (isinstance(node, wq.Prefix) and node.fieldname in SEARCH_FIELDS):
        return node
    field, boost = node.fieldname, node.boost
    prefixes, terms = prefix_variants(node.text, analyses)
    variants: list[wq.Query] = [node]
    variants += [wq.Prefix(field, stemmed, boost=boost) for stemmed in prefixes]
    variants += [wq.Term(field, term, boost=boost) for term in terms]
    return wq.Or(variants) if len(variants) > 1 else node
