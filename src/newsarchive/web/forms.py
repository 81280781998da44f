"""The query parameters of each page, checked, with the links that change them.

A page's whole state is in its URL, so a link can be shared and reloaded:
each form is read from the query string (FastAPI checks the types and the
bounds, and describes them in /openapi.json) and writes it back
(``link``), leaving out what is at its default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

from newsarchive.engines.protocol import Facet, Sort, Undated
from newsarchive.errors import InvalidQuery
from newsarchive.periods import By
from newsarchive.services.search import SearchRequest

#: Hits on one page at most, the sizes offered, and how deep paging may go (hits before the page's end):
#: a page further on costs the engine every hit before it.
MAX_LIMIT = 100
PAGE_SIZES = (10, 20, 50, 100)
MAX_WINDOW = 10_000
#: Queries one chart compares at most.
MAX_SERIES = 10
#: Characters of a query read at most: ten times what the query language searches for (query.parser), so
#: that a query somewhat too long gets the parser's own explanation, as on the command line.
MAX_QUERY = 10_000
#: A date as --since takes it ("2024-11", "2024-11-10 09:00", an ISO moment with its offset).
MAX_DATE = 64

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="A query in the query language of `archive search --help`.")]
DateText = Annotated[
    str | None, Query(max_length=MAX_DATE, description="A date or moment: 2024, 2024-11, 2024-11-10, 2024-11-10T09:00:00+03:00.")
]


def link(path: str, params: dict[str, Any]) -> str:
    """``path`` with ``params`` as its query string; lists as repeated names, None left out."""
    given = {name: value for name, value in params.items() if value is not None and value != [] and value != ()}
    return path + (f"?{urlencode(given, doseq=True)}" if given else "")


#: The URL's name of each field of a search (``SearchRequest``) that has a name of its own there.
_URL_NAMES = {"query": "q", "facets": "facet"}


def search_params(request: SearchRequest, **changes: Any) -> dict[str, Any]:
    """The query string of a search (with ``changes`` made): its fields not at their defaults, by their URL names."""
    changed = dataclasses.replace(request, **changes)
    default = SearchRequest(query="")
    return {
        _URL_NAMES.get(field.name, field.name): list(value) if isinstance(value, tuple) else value
        for field in dataclasses.fields(changed)
        if (value := getattr(changed, field.name)) != getattr(default, field.name)
    }


def search_link(request: SearchRequest, **changes: Any) -> str:
    """The search page of ``request`` (with ``changes`` made)."""
    return link("/search", search_params(request, **changes))


def search_arguments(request: SearchRequest, **changes: Any) -> dict[str, Any]:
    """The keyword arguments of ``Archive.search`` beside the query (with ``changes`` made)."""
    changed = dataclasses.replace(request, **changes)
    return {field.name: getattr(changed, field.name) for field in dataclasses.fields(changed) if field.name != "query"}


async def search_form(
    q: QueryText = "",
    since: DateText = None,
    until: DateText = None,
    sort: Annotated[Sort, Query(description="The order of hits.")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")] = 10,
    page: Annotated[int, Query(ge=1, le=MAX_WINDOW, description="Which page of hits.")] = 1,
    undated: Annotated[Undated, Query(description="What to do with articles that have no date.")] = "include",
    facet: Annotated[list[Facet] | None, Query(description="Count the hits per value of this field (repeatable).")] = None,
    collapse: Annotated[bool, Query(description="Fold near-duplicates into one hit.")] = True,
) -> SearchRequest:
    """The search a URL holds (FastAPI reads and checks each parameter)."""
    if page * limit > MAX_WINDOW:
        raise InvalidQuery(
            f"page {page} of {limit} hits goes past hit {MAX_WINDOW:,}, the deepest a search pages to",
            hint="narrow the search (a date range, a source), or sort it the other way",
        )
    return SearchRequest(
        query=q, since=since, until=until, sort=sort, limit=limit, page=page, undated=undated,
        facets=tuple(dict.fromkeys(facet or ())), collapse=collapse,
    )  # fmt: skip


def narrowed(query: str, facet: str, value: str) -> str | None:
    """``query`` narrowed to the hits whose ``facet`` has ``value``: "kursk source:\\"bbc\\""; None when the
    value cannot be written in the query language (it holds a double quote)."""
    if '"' in value or not value.strip() or (facet == "lang" and not value.replace("-", "").isalnum()):
        return None
    clause = {
        "source": f'source:"{value}"', "lang": f"lang:{value}", "author": f'author:"{value}"',
        "year": f"date:{value}", "month": f"date:{value}",
    }[facet]  # fmt: skip
    return f"{query} {clause}".strip() if query.strip() else clause


@dataclass(frozen=True)
class TrendForm:
    q: tuple[str, ...] = ()
    by: By = "month"
    since: str | None = None
    until: str | None = None
    normalize: bool = False

    def params(self, **changes: Any) -> dict[str, Any]:
        changed = dataclasses.replace(self, **changes)
        return {
            "q": list(changed.q), "by": None if changed.by == "month" else changed.by, "since": changed.since,
            "until": changed.until, "normalize": "true" if changed.normalize else None,
        }  # fmt: skip

    def link(self, path: str = "/trend", **changes: Any) -> str:
        return link(path, self.params(**changes))


async def trend_form(
    q: Annotated[
        list[Annotated[str, Query(max_length=MAX_QUERY)]] | None,
        Query(max_length=MAX_SERIES, description=f"A query (repeatable, up to {MAX_SERIES}): one series each."),
    ] = None,
    by: Annotated[By, Query(description="Bucket size.")] = "month",
    since: DateText = None,
    until: DateText = None,
    normalize: Annotated[bool, Query(description="Each bucket's share of all archived articles, not counts.")] = False,
) -> TrendForm:
    queries = tuple(dict.fromkeys(text for text in (q or ()) if text.strip()))
    return TrendForm(q=queries, by=by, since=since, until=until, normalize=normalize)


@dataclass(frozen=True)
class TermsForm:
    q: str = ""
    limit: int = 20


async def terms_form(
    q: QueryText = "", limit: Annotated[int, Query(ge=1, le=200, description="How many words.")] = 20
) -> TermsForm:
    return TermsForm(q=q, limit=limit)


@dataclass(frozen=True)
class ExportForm:
    q: str = ""
    since: str | None = None
    until: str | None = None


async def export_form(
    q: Annotated[str, Query(max_length=MAX_QUERY, description="Only the articles matching this query (default: every article).")] = "",
    since: DateText = None,
    until: DateText = None,
) -> ExportForm:
    return ExportForm(q=q, since=since, until=until)
