"""Beyond a ranked list: spelling suggestions, articles like an article, telling words.

Whoosh indexes word stems ("govern" for "government"), so whatever it
suggests is turned back into a word the articles actually use.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from whoosh.lang.porter import stem
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from newsarchive.errors import ArticleNotFound
from newsarchive.index.query import escaped, parse_query
from newsarchive.index.reader import HitPage, _searcher, hits_of

_PLAIN_WORD = re.compile(r"(?<![\w:*~\"])([^\W\d_]{3,})(?![\w:*~])")
_SAMPLE_DOCS = 300


def suggest(index_dir: Path, query_text: str) -> str | None:
    """The query with its unknown words replaced by the closest words of the archive, if that finds anything."""
    searcher = _searcher(index_dir)
    reader = searcher.reader()
    changed = False

    def replace(found: re.Match[str]) -> str:
        nonlocal changed
        word = found.group(1)
        if word in {"AND", "OR", "NOT", "TO"}:
            return word
        stemmed = stem(word.lower())
        # A word the archive barely knows (a typo in one article) yields to a
        # close word it knows ten times better.
        known = reader.doc_frequency("body", stemmed)
        option = closest_term(reader, "body", stemmed)
        if option is None or reader.doc_frequency("body", option) < max(1, 10 * known):
            return word
        changed = True
        return surface_form(searcher, option)

    suggestion = _PLAIN_WORD.sub(replace, query_text)
    if not changed:
        return None
    try:
        query = parse_query(suggestion, searcher.schema)
    except Exception:  # a suggestion that does not parse is no suggestion
        return None
    # Does it find anything? Whoosh's matchers stop at the first match (counting them all reads every posting).
    return suggestion if any(query.matcher(leaf).is_active() for leaf, _ in searcher.leaf_searchers()) else None


def closest_term(reader: IndexReader, field: str, word: str, maxdist: int = 2, prefix: int = 1) -> str | None:
    """The archive's most frequent term within ``maxdist`` edits of ``word`` and sharing its first ``prefix`` letters.

    What Whoosh's ``corrector(field).suggest(word, limit=1, maxdist, prefix)``
    answers, ties and all, a test holds it to that; but Whoosh merges the
    vocabularies of all segments in order and measures the edit distance to
    every word with the same first letter, where here each segment's words
    are read as they are and those whose length alone puts them too far are
    passed over (at 100,000 articles, 50 ms a word -> ~15 ms).
    """
    start = word[:prefix].encode("utf-8")
    seen: set[bytes] = set()
    best: tuple[float, str] | None = None
    for leaf, _ in reader.leaf_readers():
        for btext in leaf.expand_prefix(field, start):
            if btext in seen:
                continue
            seen.add(btext)
            term = btext.decode("utf-8")
            if abs(len(term) - len(word)) > maxdist or distance(term, word, limit=maxdist) > maxdist:
                continue
            # Whoosh's score: the distance allowed, less a little for frequent words.
            candidate = (0 - (maxdist + (1.0 / (reader.frequency(field, btext) or 1) * 0.5)), term)
            if best is None or candidate > best:
                best = candidate
    return best[1] if best is not None else None


def surface_form(searcher: Searcher, stemmed: str, field: str = "body") -> str:
    """The word the articles most often write for a stem ("government" for "govern")."""
    pattern = re.compile(rf"\b{re.escape(stemmed)}\w*", re.IGNORECASE)
    seen: Counter[str] = Counter()
    for docnum in _some_docnums(searcher, field, stemmed, 3):
        seen.update(word.lower() for word in pattern.findall(searcher.stored_fields(docnum).get(field) or ""))
    return seen.most_common(1)[0][0] if seen else stemmed


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


def similar_articles(index_dir: Path, article_id: str, limit: int) -> HitPage:
    """The articles most like ``article_id``: Whoosh's more-like-this on its key terms."""
    searcher = _searcher(index_dir)
    # (An id that is not UTF-8 text, typed as bytes, is no article's id.)
    docnum = searcher.document_number(id=article_id) if article_id.isascii() else None
    if docnum is None:
        raise ArticleNotFound(
            f"no article with id {escaped(article_id)} in the search index", hint="ids are shown by `archive search`"
        )
    results = searcher.more_like(docnum, "body", top=limit, numterms=20, normalize=True)
    return HitPage(total=len(results), hits=hits_of(results, results, scored=True))


def telling_terms(index_dir: Path, query_text: str, count: int) -> tuple[int, list[tuple[str, float]]]:
    """The words most over-represented in the matching articles against the whole archive (Bo1 model).

    Weighs the best-ranked ``_SAMPLE_DOCS`` matches; returns how many articles
    matched and (word, weight) pairs, the words as the articles write them.
    """
    searcher = _searcher(index_dir)
    results = searcher.search(parse_query(query_text, searcher.schema), limit=_SAMPLE_DOCS)
    docnums = [hit.docnum for hit in results]
    if not docnums:
        return 0, []
    terms = searcher.key_terms(docnums, "body", numterms=count, normalize=True)
    return len(results), [(surface_form(searcher, term), round(weight, 4)) for term, weight in terms]
