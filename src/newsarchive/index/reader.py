"""Running a query against the index: ranked or date-sorted hits with snippets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from whoosh import highlight, sorting
from whoosh import query as wq

from newsarchive.index.query import parse_query
from newsarchive.index.store import open_index
from newsarchive.snippets import MATCH_END, MATCH_START

SNIPPET_CHARS = 200


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    published: datetime | None
    precision: str | None
    source: str | None
    score: float | None
    snippet: str  # matched words wrapped in MATCH_START ... MATCH_END


@dataclass(frozen=True)
class HitPage:
    total: int
    hits: list[Hit]


class _MarkFormatter(highlight.Formatter):
    """Marks matched words, and shows with "…" where a fragment cuts the text."""

    between = " "

    def format_token(self, text, token, replace=False):  # type: ignore[no-untyped-def]
        return MATCH_START + highlight.get_text(text, token, replace) + MATCH_END

    def format_fragment(self, fragment, replace=False):  # type: ignore[no-untyped-def]
        formatted = super().format_fragment(fragment, replace=replace).strip()
        if fragment.startchar > 0:
            formatted = "… " + formatted
        if fragment.endchar < len(fragment.text):
            formatted += " …"
        return formatted

    def format(self, fragments, replace=False):  # type: ignore[no-untyped-def]
        # Fragments come best first; show them in reading order.
        ordered = sorted(fragments, key=lambda fragment: fragment.startchar)
        return super().format(ordered, replace=replace).replace("… …", "…")


def search_index(
    index_dir: Path,
    query_text: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: str = "relevance",
    limit: int = 10,
    page: int = 1,
) -> HitPage:
    """Search the index; ``since``/``until`` are aware datetimes, both ends inclusive."""
    ix = open_index(index_dir)
    try:
        query = parse_query(query_text, ix.schema)
        with ix.searcher() as searcher:
            results = searcher.search_page(
                query, page, pagelen=limit, filter=_date_filter(since, until), sortedby=_sort_facet(sort)
            )
            if page > max(1, results.pagecount):
                return HitPage(total=results.total, hits=[])  # Whoosh would repeat the last page
            results.results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS // 2, surround=40)
            results.results.formatter = _MarkFormatter()
            return HitPage(total=results.total, hits=[_hit(hit, scored=sort == "relevance") for hit in results])
    finally:
        ix.close()


def _date_filter(since: datetime | None, until: datetime | None) -> wq.Query | None:
    if since is None and until is None:
        return None
    return wq.DateRange("published", _naive_utc(since), _naive_utc(until))


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def _sort_facet(sort: str) -> sorting.MultiFacet | None:
    if sort == "relevance":
        return None
    return sorting.MultiFacet(
        [
            sorting.FieldFacet("dated", reverse=True),
            sorting.FieldFacet("published", reverse=sort == "newest"),
        ]
    )


def _hit(hit, *, scored: bool) -> Hit:  # type: ignore[no-untyped-def]
    fields = hit.fields()
    published = fields.get("published")
    return Hit(
        id=fields["id"],
        title=fields["title"],
        published=published.replace(tzinfo=UTC) if published else None,
        precision=fields.get("precision"),
        source=fields.get("source"),
        score=round(hit.score, 4) if scored and hit.score is not None else None,
        snippet=_snippet(hit, fields),
    )


def _snippet(hit, fields: dict) -> str:  # type: ignore[no-untyped-def,type-arg]
    for name in ("body", "description"):
        marked = hit.highlights(name, top=2)
        if marked:
            return " ".join(marked.split())
    lead = fields.get("description") or fields.get("body") or ""
    lead = " ".join(lead.split())
    return lead if len(lead) <= SNIPPET_CHARS else lead[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
