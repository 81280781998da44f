"""Beyond a ranked list: spelling suggestions, articles like an article, telling words.

Whoosh indexes word stems ("govern" for "government"; "переговор" for
"переговоры" in a Russian article), so whatever it suggests is turned back
into a word the articles actually use, read in each article's language.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from newsarchive.engines.protocol import HitPage
from newsarchive.engines.whoosh.query import index_analyses
from newsarchive.engines.whoosh.reader import hits_of, open_searcher, parsed, whoosh_search
from newsarchive.errors import InvalidQuery, SearchTimeout
from newsarchive.query.budget import Budget
from newsarchive.query.tree import Query
from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.languages import forms, function_terms
from newsarchive.text.spelling import Reach, nearest_written, ranked_words, respelling
from newsarchive.text.spelling import written_forms as spelling_written_forms

_SAMPLE_DOCS = 300


def suggest(index_dir: Path, query: Query, budget: Budget | None = None) -> str | None:
    """The query with its unknown words replaced by the closest words of the archive, if that finds anything.

    For each word, the archive's words within two edits of it, closest first;
    among the equally close, those that make the whole query find most, then
    the more frequent. A word the archive barely knows (a typo in one
    article) yields to a close word it knows ten times better. None too when
    the search's ``budget`` of time is spent: a suggestion is not worth a wait.
    """
    try:
        return _suggest(open_searcher(index_dir), query.text, budget or Budget())
    except SearchTimeout:
        return None


def _suggest(searcher: Searcher, query_text: str, budget: Budget) -> str | None:
    reader = searcher.reader()

    def options_of(word: str) -> list[tuple[int, str]]:
        stems = _stems(reader, word)
        known = max(reader.doc_frequency("body", term) for term in stems)
        return spelling_options(searcher, word, at_least=max(1, 10 * known), stems=stems)

    suggestion = respelling(query_text, options_of, lambda text: _count(searcher, text, budget), budget.check)
    if suggestion is None:
        return None
    try:
        compiled = parsed(searcher, _typed(suggestion), budget)
    except InvalidQuery:  # a suggestion that does not parse is no suggestion
        return None
    # Does it find anything? Whoosh's matchers stop at the first match (counting them all reads every posting).
    return suggestion if any(compiled.matcher(leaf).is_active() for leaf, _ in searcher.leaf_searchers()) else None


def _count(searcher: Searcher, query_text: str, budget: Budget) -> int:
    """How many articles a query finds; 0 if it does not parse."""
    from newsarchive.engines.whoosh.matching import matching_docnums
    from newsarchive.engines.whoosh.postings import Postings

    try:
        return len(matching_docnums(searcher, parsed(searcher, _typed(query_text), budget), Postings(budget)))
    except InvalidQuery:
        return 0


def _typed(text: str) -> Query:
    """A respelled query, parsed as if the user had typed it."""
    from newsarchive.query import parse

    return parse(text)


def spelling_options(
    searcher: Searcher, word: str, *, at_least: int = 1, field: str = "body", stems: list[str] | None = None
) -> list[tuple[int, str]]:
    """(edits, word) for the archive's words within two edits of ``word``, closest first, then the most frequent.

    Edits are Damerau-Levenshtein's, as in Lucene's fuzzy queries: two letters
    swapped are one edit. Only words found in at least ``at_least`` articles
    count. The index holds stems ("arsen" for "arsenal"), so stems are first
    compared with the typed word as the stemmer might cut it short
    (``stem_distance``), which no word written from the stem can beat; the
    closest stems, the most frequent first, are then turned back into the
    word the articles write for them that is nearest the typed one, and that
    word is compared with it. Stems stop being read once the rest are
    farther than what is already found, or after ``spelling.SHORTLIST`` of them (``spelling.ranked_words``).
    ``stems`` are the word's stems when the caller has them (``_stems``).
    """
    reader = searcher.reader()
    candidates = [
        (cost, -frequency, term)
        for term, cost in _close_stems(reader, field, word, stems if stems is not None else _stems(reader, word))
        if (frequency := reader.doc_frequency(field, term)) >= at_least
    ]
    return ranked_words(candidates, lambda term: nearest_form(searcher, term, word, field), word)

#: Articles whose text is read to find the words written for a stem.
_FORM_SAMPLE = 10


def _stems(reader: IndexReader, word: str) -> list[str]:
    """The stems of a lower-case word in each analysis the archive holds (folded, as the index holds them)."""
    found = (forms(analysis).of(word).decode("utf-8") for analysis in index_analyses(reader))
    return list(dict.fromkeys(found))


def _close_stems(reader: IndexReader, field: str, word: str, stems: list[str]) -> Iterator[tuple[str, int]]:
    """(stem, cost) of the field's stems that share ``word``'s first letter and are within reach of it or of
    one of its ``stems``."""
    seen: set[str] = set()
    reach = Reach(word, stems)
    for leaf, _ in reader.leaf_readers():
        for term in _terms_starting(leaf, field, reach.word[:1]):
            if term in seen:
                continue
            seen.add(term)
            cost = reach.cost(term)
            if cost is not None:
                yield term, cost


#: Segments' terms of a field that begin with a letter, most recently used last: {(segment id, field, letter):
#: terms}. A segment never changes once written, and its id is random, so every thread (each with its own
#: searcher) and every searcher reopened after a commit shares what was read of the segments it still has.
_VOCABULARIES: OrderedDict[tuple[str, str, str], list[str]] = OrderedDict()
_VOCABULARIES_KEPT = 2048
_VOCABULARIES_LOCK = threading.Lock()


def _terms_starting(leaf: IndexReader, field: str, letter: str) -> list[str]:
    """The segment's terms of ``field`` that begin with ``letter``: read once and kept.

    Whoosh reads a term at a time in Python (about 30 us each), and a spelling
    suggestion looks at every term sharing a word's first letter, for every
    word of a query: a long-lived process (``archive serve``) reads them once.
    """
    segment = leaf.segment()
    key = (segment.segment_id() if segment is not None else "", field, letter)
    with _VOCABULARIES_LOCK:
        found = _VOCABULARIES.get(key) if segment is not None else None
        if found is not None:
            _VOCABULARIES.move_to_end(key)
            return found
    terms = [btext.decode("utf-8") for btext in leaf.expand_prefix(field, letter.encode("utf-8"))]
    if segment is not None:  # (an index without segments has nothing to keep)
        with _VOCABULARIES_LOCK:
            _VOCABULARIES[key] = terms
            while len(_VOCABULARIES) > _VOCABULARIES_KEPT:
                _VOCABULARIES.popitem(last=False)
    return terms


def surface_form(searcher: Searcher, stemmed: str, field: str = "body") -> str:
    """The word the articles most often write for a stem ("government" for "govern", "company" for "compani")."""
    forms = written_forms(searcher, stemmed, field, 3)
    return forms.most_common(1)[0][0] if forms else stemmed


def nearest_form(searcher: Searcher, stemmed: str, word: str, field: str = "body") -> str:
    """Of the words the articles write for a stem, the one fewest edits from ``word``, then the most written
    ("united" for "unit" and "uneted", where "unit" alone is two edits off)."""
    return nearest_written(written_forms(searcher, stemmed, field, _FORM_SAMPLE), word) or stemmed


def written_forms(searcher: Searcher, stemmed: str, field: str, documents: int) -> Counter[str]:
    """How often each word that stems to ``stemmed`` is written (lower-cased) in the first ``documents``
    articles holding it, each read in its language (``spelling.written_forms``)."""
    stored = (searcher.stored_fields(docnum) for docnum in _some_docnums(searcher, field, stemmed, documents))
    return spelling_written_forms(stemmed, ((fields.get(field) or "", fields.get("lang")) for fields in stored))


def _some_docnums(searcher: Searcher, field: str, text: str, count: int) -> list[int]:
    """Up to ``count`` live documents holding a term: the first in the index, found without ranking them all."""
    found: list[int] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (field, text) not in reader:
            continue
        matcher = reader.postings(field, text)  # (without deleted documents)
        while matcher.is_active() and len(found) < count:
            found.append(matcher.id() + offset)
            matcher.next()
        if len(found) == count:
            break
    return found


def similar_articles(index_dir: Path, article_id: str, limit: int) -> tuple[str, HitPage]:
    """The whole id of ``article_id`` (or of the one article whose id it begins), and the articles most like
    that article: Whoosh's more-like-this on its key terms, stopped (SearchTimeout) past the search's time."""
    from newsarchive.ids import whole_ids

    budget = Budget()
    searcher = open_searcher(index_dir)
    [whole] = whole_ids([article_id], partial(_ids_starting_with, searcher), where=" in the search index")
    docnum = searcher.document_number(id=whole)
    # (Whoosh's more_like, on key terms read in the article's language.)
    terms = key_terms(searcher, [docnum], "body", 20)
    budget.check()
    key_words = wq.Or([wq.Term("body", word, boost=weight) for word, weight in terms])
    results = whoosh_search(searcher, key_words, budget, limit=limit, mask={docnum})
    return whole, HitPage(total=len(results), hits=hits_of(results, results, scored=True))


def key_terms(searcher: Searcher, docnums: list[int], field: str, count: int) -> list[tuple[str, float]]:
    """Whoosh's ``key_terms`` (the Bo1 model, weights normalised), each article's text read in its language,
    each word counted once by its own stem (not again by its other terms, which would show it twice), and
    without its language's function words (``languages.function_terms``), which the index keeps."""
    from whoosh.classify import Expander

    expander = Expander(searcher.reader(), field)
    for docnum in docnums:
        stored = searcher.stored_fields(docnum)
        found = stemmed_positions(stored.get(field) or "", stored.get("lang"), alternatives=False)
        common = function_terms(stored.get("lang"))
        expander.add((term.decode("utf-8"), float(len(places))) for term, places in found.items() if term not in common)
    return expander.expanded_terms(count, normalize=True)


def _ids_starting_with(searcher: Searcher, text: str, limit: int) -> list[str]:
    """Up to ``limit`` ids of the index's live documents that begin with ``text``, in order (``ids.whole_ids``)."""
    found: list[str] = []
    for btext in searcher.reader().expand_prefix("id", text.encode("utf-8")):
        # (A removed document's id stays among the terms until its segment is merged.)
        if len(found) == limit:
            break
        if searcher.document_number(id=btext.decode("utf-8")) is not None:
            found.append(btext.decode("utf-8"))
    return found


def telling_terms(index_dir: Path, query: Query, count: int) -> tuple[int, list[tuple[str, float]]]:
    """The words most over-represented in the matching articles against the whole archive (Bo1 model).

    Weighs the best-ranked ``_SAMPLE_DOCS`` matches; returns how many articles
    matched and (word, weight) pairs, the words as the articles write them.
    """
    from newsarchive.engines.whoosh.matching import matching_docnums
    from newsarchive.engines.whoosh.postings import Postings
    from newsarchive.engines.whoosh.ranking import rank

    searcher = open_searcher(index_dir)
    budget = Budget()
    compiled = parsed(searcher, query, budget)
    postings = Postings(budget)
    # As a search ranks (``reader.search_index``): over the matches where it can, else by Whoosh.
    matches = matching_docnums(searcher, compiled, postings)
    ranked = rank(searcher, compiled, matches, _SAMPLE_DOCS, postings) if matches else []
    if ranked is None:
        ranked = [(hit.score, hit.docnum) for hit in whoosh_search(searcher, compiled, budget, limit=_SAMPLE_DOCS)]
    docnums = [docnum for _, docnum in ranked]
    if not docnums:
        return 0, []
    terms = key_terms(searcher, docnums, "body", count)
    return len(matches), [(surface_form(searcher, term), round(weight, 4)) for term, weight in terms]
