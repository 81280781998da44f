"""Results as data for programs: JSON-ready dicts, one JSON object, CSV rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newsarchive.engines import snippets
from newsarchive.periods import chosen_zone, iso_local
from newsarchive.render.terminal import json_safe

if TYPE_CHECKING:
    from newsarchive.engines.protocol import Hit
    from newsarchive.services.articles import ArticlePage, ArticleRecord, DuplicateGroup
    from newsarchive.services.check import CheckReport
    from newsarchive.services.ingest import IngestReport
    from newsarchive.services.remove import Removed
    from newsarchive.services.search import SearchPage
    from newsarchive.services.trend import Trend, TrendSeries


def to_json(value: Any) -> str:
    return json_safe(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV with a header; lists are joined with "; ", datetimes in ISO form."""
    import csv
    import io

    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in row.items()})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --- search, show --------------------------------------------------------------


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        **_dates(hit.published, hit.precision, hit.offset),
        "source": hit.source,
        "score": hit.score,
        "snippet": snippets.plain(hit.snippet),
        "copies": hit.copies,
    }


def _dates(published: datetime | None, precision: str | None, offset: int | None) -> dict[str, Any]:
    """A date in UTC, as shown (at its offset, or in ``--tz``), and how precise it is."""
    return {
        "date": published.isoformat() if published else None,
        "date_local": iso_local(published, precision, offset, chosen_zone()),
        "date_precision": precision,
    }


def search_dict(page: SearchPage) -> dict[str, Any]:
    request = page.request
    return {
        "query": request.query,
        "total": page.total,
        "page": request.page,
        "limit": request.limit,
        "sort": request.sort,
        "since": page.since,
        "until": page.until,
        "hits": [hit_dict(hit) for hit in page.hits],
        "suggestion": page.suggestion,
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts] for name, counts in page.facets.items()
        },
    }


def article_dict(record: ArticleRecord) -> dict[str, Any]:
    """The full record: the export's fields (news-please's names) and the bookkeeping."""
    from newsarchive.render.export import record_dict

    return {
        **record_dict(record),
        "date_publish": record.published_at,
        "date_local": iso_local(record.published_at, record.date_precision, record.published_offset, chosen_zone()),
        "content_hash": record.content_hash,
        "ingested_at": record.ingested_at,
        "updated_at": record.updated_at,
    }


# --- ingest, check, dupes, list, terms -----------------------------------------


def ingest_dict(report: IngestReport) -> dict[str, Any]:
    return {
        "files": report.files,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "duplicate": report.duplicate,
        "failed": report.failed,
        "undated": report.undated,
        "repaired": report.repaired,
        "rebuilt": report.rebuilt,
        "interrupted": report.interrupted,
        "files_done": report.done,
        "skipped": len(report.skipped),
        "elapsed_seconds": round(report.elapsed, 3),
        "failures": [{"path": str(note.path), "reason": note.message} for note in report.failures],
    }


def check_dict(report: CheckReport) -> dict[str, Any]:
    return {**report.__dict__, "ok": report.ok, "problems": report.problems, "behind": report.behind}


def dupes_dict(groups: list[DuplicateGroup]) -> dict[str, Any]:
    return {
        "groups": [
            {
                "original": group.original.__dict__,
                "copies": [copy.__dict__ for copy in group.copies],
            }
            for group in groups
        ]
    }


def list_dict(page: ArticlePage, limit: int, number: int) -> dict[str, Any]:
    return {
        "total": page.total,
        "page": number,
        "limit": limit,
        "articles": [
            {
                "id": brief.id,
                "title": brief.title,
                **_dates(brief.published_at, brief.precision, brief.published_offset),
                "source": brief.source,
                "language": brief.language,
                "files": brief.files,
            }
            for brief in page.articles
        ],
    }


def removed_dict(removed: list[Removed]) -> dict[str, Any]:
    return {"removed": [{"id": item.id, "title": item.title} for item in removed]}


def terms_dict(query: str, matched: int, terms: list[tuple[str, float]]) -> dict[str, Any]:
    return {"query": query, "matched": matched, "terms": [{"term": word, "weight": weight} for word, weight in terms]}


# --- trend --------------------------------------------------------------------


def trend_values(trend: Trend, series: TrendSeries) -> list[float] | list[int]:
    """What a chart or table shows for a series: shares when normalized, else counts."""
    if trend.normalized and series.shares is not None:
        return series.shares
    return series.counts


def trend_csv(trend: Trend) -> str:
    """One row per bucket: ``bucket,start,end`` then each query's share (normalized) or count."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["bucket", "start", "end", *(series.query for series in trend.series)])
    columns = [trend_values(trend, series) for series in trend.series]
    for row, bucket in enumerate(trend.buckets):
        values = [round(values[row], 6) if trend.normalized else values[row] for values in columns]
        writer.writerow([bucket.label, bucket.start.isoformat(), bucket.end.isoformat(), *values])
    return buffer.getvalue()


def trend_dict(trend: Trend) -> dict[str, Any]:
    """The trend for JSON: buckets with ISO datetimes, and per query its counts, shares and undated."""
    return {
        "by": trend.by,
        "normalized": trend.normalized,
        "buckets": [
            {"label": bucket.label, "start": bucket.start.isoformat(), "end": bucket.end.isoformat()}
            for bucket in trend.buckets
        ],
        "archived": trend.archived,
        "series": [
            {
                "query": series.query,
                "counts": series.counts,
                "shares": series.shares,
                "undated": trend.undated.get(series.query, 0),
            }
            for series in trend.series
        ],
    }
