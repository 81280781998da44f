"""Query + filters -> one page of hits. Reads only the search index, never the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newsarchive.engines.protocol import FACETS, SORTS, UNDATED, SearchOptions
from newsarchive.errors import InvalidQuery
from newsarchive.periods import parse_period
from newsarchive.query.tree import Query

if TYPE_CHECKING:
    from newsarchive.engines.protocol import Hit, HitPage, SearchEngine

#: Below this many hits, a spelling suggestion is offered.
FEW_HITS = 3


@dataclass(frozen=True)
class SearchRequest:
    query: str
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    undated: str = "include"
    facets: tuple[str, ...] = ()
    collapse: bool = True


@dataclass(frozen=True)
class SearchPage:
    request: SearchRequest
    since: datetime | None
    until: datetime | None
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None


def parse_query(text: str) -> Query:
    """The query as the engines take it: parsed once, here, for every service that searches."""
    from newsarchive.query import parse

    return parse(text)


def search(engine: SearchEngine, request: SearchRequest) -> SearchPage:
    """One page of the articles that match ``request``, with a spelling suggestion when they are few."""
    if request.sort not in SORTS:
        raise InvalidQuery(f"unknown sort {request.sort!r}", hint="use one of: " + ", ".join(SORTS))
    if request.undated not in UNDATED:
        raise InvalidQuery(f"unknown --undated {request.undated!r}", hint="use one of: " + ", ".join(UNDATED))
    unknown = [name for name in request.facets if name not in FACETS]
    if unknown:
        raise InvalidQuery(f"unknown facet {unknown[0]!r}", hint="use one of: " + ", ".join(FACETS))
    if request.limit < 1 or request.page < 1:
        raise InvalidQuery("--limit and --page must be 1 or more")
    since, until = parse_period(request.since, request.until)
    if since and until and since > until:
        raise InvalidQuery(f"--since {request.since} is after --until {request.until}")

    from newsarchive.query.budget import Budget

    query = parse_query(request.query)
    options = SearchOptions(
        since=since,
        until=until,
        sort=request.sort,
        limit=request.limit,
        page=request.page,
        undated=request.undated,
        facets=request.facets,
        collapse=request.collapse,
    )
    budget = Budget()  # for the search and its spelling suggestion together
    found = engine.search(query, options, budget)
    suggestion = engine.suggest(query, budget) if found.total < FEW_HITS else None
    return _page(request, found, since, until, suggestion)


def similar(engine: SearchEngine, article_id: str, limit: int = 10) -> SearchPage:
    """The articles most like one article (its id, or the start of its id), as a page of hits."""
    whole, found = engine.similar(article_id, limit)
    return _page(SearchRequest(query=f"like {whole}", limit=limit), found)


def telling_terms(engine: SearchEngine, query: str, count: int = 20) -> tuple[int, list[tuple[str, float]]]:
    """How many articles match, and the words most over-represented in them."""
    return engine.telling_terms(parse_query(query), count)


def _page(
    request: SearchRequest,
    found: HitPage,
    since: datetime | None = None,
    until: datetime | None = None,
    suggestion: str | None = None,
) -> SearchPage:
    return SearchPage(
        request=request, since=since, until=until, total=found.total, hits=found.hits, facets=found.facets,
        suggestion=suggestion,
    )  # fmt: skip
