"""Query + filters -> one page of hits. Reads only the search index, never the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newsarchive.config import ArchiveConfig
from newsarchive.engines.whoosh.damage import reads_index
from newsarchive.errors import InvalidQuery
from newsarchive.periods import parse_period

if TYPE_CHECKING:
    from newsarchive.engines.protocol import Hit

SORTS = ("relevance", "newest", "oldest")
UNDATED = ("include", "exclude", "only")
FACETS = ("source", "year", "month", "lang", "author")
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


@reads_index
def search(config: ArchiveConfig, request: SearchRequest) -> SearchPage:
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

    from newsarchive.engines.whoosh.reader import search_index
    from newsarchive.query.budget import Budget
    from newsarchive.services.freshness import catch_up_before_reading

    catch_up_before_reading(config)

    budget = Budget()  # for the search and its spelling suggestion together
    found = search_index(
        config.index_dir,
        request.query,
        since=since,
        until=until,
        sort=request.sort,
        limit=request.limit,
        page=request.page,
        undated=request.undated,
        facets=request.facets,
        collapse=request.collapse,
        budget=budget,
    )
    suggestion = None
    if found.total < FEW_HITS:
        from newsarchive.engines.whoosh.explore import suggest

        suggestion = suggest(config.index_dir, request.query, budget)
    return SearchPage(
        request=request, since=since, until=until, total=found.total, hits=found.hits, facets=found.facets,
        suggestion=suggestion,
    )


@reads_index
def similar(config: ArchiveConfig, article_id: str, limit: int = 10) -> SearchPage:
    """The articles most like one article (its id, or the start of its id), as a page of hits."""
    from newsarchive.engines.whoosh.explore import similar_articles
    from newsarchive.services.freshness import catch_up_before_reading

    catch_up_before_reading(config)
    whole, found = similar_articles(config.index_dir, article_id, limit)
    request = SearchRequest(query=f"like {whole}", limit=limit)
    return SearchPage(request=request, since=None, until=None, total=found.total, hits=found.hits, facets={})


@reads_index
def telling_terms(config: ArchiveConfig, query: str, count: int = 20) -> tuple[int, list[tuple[str, float]]]:
    """How many articles match, and the words most over-represented in them."""
    from newsarchive.engines.whoosh.explore import telling_terms as terms
    from newsarchive.services.freshness import catch_up_before_reading

    catch_up_before_reading(config)
    return terms(config.index_dir, query, count)
