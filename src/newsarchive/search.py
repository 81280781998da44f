"""Query + filters -> one page of hits. Reads only the search index, never the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newsarchive.config import ArchiveConfig
from newsarchive.errors import InvalidQuery
from newsarchive.periods import parse_user_date

if TYPE_CHECKING:
    from newsarchive.index.reader import Hit

SORTS = ("relevance", "newest", "oldest")
UNDATED = ("include", "exclude", "only")
FACETS = ("source", "year", "month", "lang", "author")


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
    since = parse_user_date(request.since, option="--since") if request.since else None
    until = parse_user_date(request.until, end=True, option="--until") if request.until else None
    if since and until and since > until:
        raise InvalidQuery(f"--since {request.since} is after --until {request.until}")

    from newsarchive.index.reader import search_index

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
    )
    return SearchPage(
        request=request, since=since, until=until, total=found.total, hits=found.hits, facets=found.facets
    )
