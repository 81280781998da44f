"""Turning results into text for a terminal or a pipe, and into JSON-ready dicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from newsarchive.engines import snippets
from newsarchive.errors import DAMAGED_DATABASE_HINT, DAMAGED_FILE_ROW_HINT, DAMAGED_ROW_HINT
from newsarchive.periods import chosen_zone, iso_local, local_moment, offset_minutes
from newsarchive.render.terminal import json_safe
from newsarchive.render.terminal import terminal_safe as safe

if TYPE_CHECKING:
    from newsarchive.engines.protocol import Hit
    from newsarchive.services.articles import ArchiveInfo, ArticlePage, ArticleRecord, DuplicateGroup
    from newsarchive.services.check import CheckReport
    from newsarchive.services.indexing import SyncResult
    from newsarchive.services.ingest import IngestReport
    from newsarchive.services.remove import Removed
    from newsarchive.services.search import SearchPage

SHOWN_IDS = 10
FACET_VALUES = 12
_FORMATS = {"day": "%Y-%m-%d", "minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S"}


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


def format_date(published: datetime | None, precision: str | None, offset: int | None = None) -> str:
    """A date to the precision the article gave it, or 'undated': in the ``--tz`` zone, else at
    the offset it was published with, else in UTC; a time with its offset (``2024-11-10 01:30 +03:00``)."""
    if published is None:
        return "undated"
    moment = local_moment(published, precision, offset, chosen_zone()) or published.astimezone(UTC)
    shown = moment.strftime(_FORMATS.get(precision or "second", _FORMATS["second"]))
    return shown if precision == "day" else f"{shown} {_offset_label(moment)}"


def _offset_label(moment: datetime) -> str:
    minutes = offset_minutes(moment)
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def format_snippet(snippet: str, color: bool) -> str:
    """A snippet for people: made safe first, then its marks become bold (or nothing)."""
    snippet = safe(snippet, keep=snippets.MATCH_START + snippets.MATCH_END)
    return snippets.bold(snippet) if color else snippets.plain(snippet)


# --- search -----------------------------------------------------------------


def search_text(page: SearchPage, color: bool) -> str:
    request = page.request
    if page.total == 0:
        return f"No articles match {request.query!r}" + _filters_note(page) + "." + _suggestion(page)
    first = (request.page - 1) * request.limit + 1
    last = first + len(page.hits) - 1
    noun = "article matches" if page.total == 1 else "articles match"
    header = f"{page.total} {noun} {request.query!r}" + _filters_note(page)
    if not page.hits:
        return header + f"; page {request.page} is past the last page."
    if page.total > len(page.hits):
        header += f" (showing {first}-{last}, sorted by {request.sort})"
    lines = [header, "", *_hit_lines(page.hits, color)]
    if page.suggestion:
        lines.append(_suggestion(page).strip())
    for name, counts in page.facets.items():
        shown = ", ".join(f"{safe(str(value))} {count}" for value, count in counts[:FACET_VALUES]) or "-"
        more = f", … (+{len(counts) - FACET_VALUES} more)" if len(counts) > FACET_VALUES else ""
        lines.append(f"by {name}: {shown}{more}")
    return "\n".join(lines).rstrip("\n")


def _hit_lines(hits: list[Hit], color: bool) -> list[str]:
    lines: list[str] = []
    dates = [format_date(hit.published, hit.precision, hit.offset) for hit in hits]
    width = max(map(len, dates), default=0)
    for hit, date in zip(hits, dates, strict=True):
        title = click.style(safe(hit.title), bold=True) if color else safe(hit.title)
        copies = f"  (+{hit.copies} {'copy' if hit.copies == 1 else 'copies'})" if hit.copies else ""
        lines.append(f"{hit.id}  {date:<{width}}  {title}{copies}")
        if hit.snippet:
            lines.append("    " + format_snippet(hit.snippet, color))
        lines.append("")
    return lines


def similar_text(article_id: str, page: SearchPage, color: bool) -> str:
    if not page.hits:
        return f"No article is like {safe(article_id)}."
    return "\n".join([f"Articles most like {safe(article_id)}:", "", *_hit_lines(page.hits, color)]).rstrip("\n")


def _suggestion(page: SearchPage) -> str:
    return f" Did you mean: {safe(page.suggestion)}?" if page.suggestion else ""


def _filters_note(page: SearchPage) -> str:
    parts = []
    if page.since is not None:
        parts.append(f"since {_moment(page.since)}")
    if page.until is not None:
        parts.append(f"until {_moment(page.until)}")
    return (" " + ", ".join(parts) + " " + str(chosen_zone() or "UTC")) if parts else ""


def _moment(moment: datetime) -> str:
    """A filter bound as precise as it needs to be, in the ``--tz`` zone: 2024-11-10 09:13, or with seconds when they matter."""
    try:
        moment = moment.astimezone(chosen_zone() or UTC)
    except OverflowError:  # year 1 or 9999 pushed off the calendar by the zone: say it with its offset
        return moment.isoformat(" ")
    if moment.second or moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S") if moment.microsecond in (0, 999999) else moment.isoformat(" ")
    return moment.strftime("%Y-%m-%d %H:%M")


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.published.isoformat() if hit.published else None,
        "date_local": iso_local(hit.published, hit.precision, hit.offset, chosen_zone()),
        "date_precision": hit.precision,
        "source": hit.source,
        "score": hit.score,
        "snippet": snippets.plain(hit.snippet),
        "copies": hit.copies,
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


# --- show ---------------------------------------------------------------------


def article_text(record: ArticleRecord, color: bool) -> str:
    def bold(text: str) -> str:
        return click.style(text, bold=True) if color else text

    date = format_date(record.published_at, record.date_precision, record.published_offset)
    if record.published_at is not None:
        date += f" (as written: {record.date_text})"
    meta = [("id", record.id), ("published", date), ("source", record.source or "-")]
    if record.url:
        meta.append(("url", record.url))
    if record.authors:
        meta.append(("authors", ", ".join(record.authors)))
    label = "file" if len(record.files) == 1 else "files"
    meta.append((label, record.files[0] if record.files else "-"))
    lines = [bold(safe(record.title)), ""]
    lines += [f"{name + ':':<11}{safe(value)}" for name, value in meta]
    lines += [" " * 11 + safe(path) for path in record.files[1:]]
    if record.description:
        lines += ["", bold(safe(record.description, keep="\n"))]
    for block in record.blocks:
        text = safe(block["text"], keep="\n")
        lines += ["", bold("## " + text) if block["kind"] == "heading" else text]
    return "\n".join(lines)


def article_dict(record: ArticleRecord) -> dict[str, Any]:
    """The full record: the export's fields (news-please's names) and the bookkeeping."""
    from newsarchive.services.export import record_dict

    return {
        **record_dict(record),
        "date_publish": record.published_at,
        "date_local": iso_local(record.published_at, record.date_precision, record.published_offset, chosen_zone()),
        "content_hash": record.content_hash,
        "ingested_at": record.ingested_at,
        "updated_at": record.updated_at,
    }


# --- ingest, info, reindex -------------------------------------------------------


def ingest_summary(report: IngestReport) -> str:
    seconds = max(report.elapsed, 1e-9)
    noun = "file" if report.files == 1 else "files"
    summary = (
        f"{report.files} {noun}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.duplicate} duplicate, {report.failed} failed, {report.undated} undated"
        f"{f', {len(report.skipped)} passed over' if report.skipped else ''}; "
        f"{report.elapsed:.1f}s ({report.files / seconds:.0f} files/s, {report.read / seconds:.0f} articles read/s)"
    )
    if report.repaired:
        summary += f"; re-indexed {report.repaired} left over from an interrupted run"
    if report.interrupted:
        summary += (
            f"\nInterrupted after {report.done} of {report.files} files; "
            "run the same command again to continue."
        )
    return summary


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
        "interrupted": report.interrupted,
        "files_done": report.done,
        "skipped": len(report.skipped),
        "elapsed_seconds": round(report.elapsed, 3),
        "failures": [{"path": str(note.path), "reason": note.message} for note in report.failures],
    }


def info_text(info: ArchiveInfo) -> str:
    def when(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"

    index_state = "missing (run `archive reindex`)" if info.index_documents is None else f"{info.index_documents} documents"
    if info.index_problem is not None:
        index_state = safe(info.index_problem)
    lines = [
        f"home:            {safe(str(info.home))}",
        f"database:        {safe(str(info.database_url))}",
        f"index:           {safe(str(info.index_dir))}",
        f"schema revision: {info.schema_revision}",
        f"articles:        {info.articles} ({info.undated} undated) from {info.files} files",
        f"oldest:          {when(info.oldest)}",
        f"newest:          {when(info.newest)}",
        f"sources:         {info.sources}",
        f"search index:    {index_state}",
    ]
    if info.pending_index or info.pending_removals:
        lines.append(
            f"not yet indexed: {info.pending_index} articles, {info.pending_removals} removals "
            "(the next ingest or `archive reindex` finishes them)"
        )
    return "\n".join(lines)


def reindex_summary(result: SyncResult, elapsed: float) -> str:
    return f"Indexed {result.indexed} articles in {elapsed:.1f}s."


# --- check, dupes -------------------------------------------------------------------


def check_text(report: CheckReport) -> str:
    def ids(found: list[str]) -> str:
        if not found:
            return "0"
        shown = ", ".join(found[:SHOWN_IDS])
        more = f", … (+{len(found) - SHOWN_IDS})" if len(found) > SHOWN_IDS else ""
        return f"{len(found)} ({shown}{more})"

    schema = "current" if report.schema_revision == report.schema_head else f"behind {report.schema_head}"
    compared = [
        f"search index:         {report.index_state}, {report.index_documents} documents for {report.articles} articles",
        f"change log:           applied up to entry {report.index_position} of {report.log_head}"
        + (f" ({report.behind} to catch up)" if report.behind else ""),
        f"missing from index:   {ids(report.missing)}",
        f"not in the database:  {ids(report.extra)}",
        f"stale in the index:   {ids(report.stale)}",
        f"doubled in the index: {ids(report.doubled)}",
        f"dangling rows:        {report.orphan_links} file links, {report.broken_duplicate_links} duplicate links",
    ]
    if report.index_state == "not checked":  # (the database is too damaged to compare)
        compared = ["search index:         not compared with a damaged database"]
    lines = [
        f"database schema:      revision {report.schema_revision} ({schema})",
        *compared,
        *(f"damaged index:        {line}" for line in report.index_damage),
        *(f"damaged database:     {line}" for line in report.database_damage),
        *(f"damaged row:          article {id_}, {name}: {why}" for id_, name, why in report.damaged_rows),
        *(f"damaged row:          file {path}, {name}: {why}" for path, name, why in report.damaged_files),
    ]
    damage = len(report.damaged_rows) + len(report.damaged_files) + len(report.database_damage)
    if report.database_looks_replaced:
        # Dropping what the database does not know would lose the index's copies of them.
        lines += [
            f"The database looks emptied or replaced: it holds {report.articles} articles, while {report.unexplained} of "
            f"the index's {report.index_documents} documents are articles it does not know.",
            "--repair leaves the index alone: restore archive.db from a backup, or, to keep the database as it is, "
            f"`archive reindex` rebuilds the index from it (dropping those {report.unexplained}).",
            f"{_count(report.problems, 'problem')} found.",
        ]
        return "\n".join(lines)
    problems = _count(report.problems, "problem")
    if damage:
        # The database is the source of truth: nothing rebuilds it, and check says so.
        if report.damaged_rows:
            lines.append(f"A damaged row cannot be rebuilt from the index: {DAMAGED_ROW_HINT}.")
        if report.damaged_files:
            lines.append(f"A damaged row of the files read: {DAMAGED_FILE_ROW_HINT}.")
        if report.database_damage:
            lines.append(f"A damaged database file cannot be rebuilt from the index: {DAMAGED_DATABASE_HINT}.")
        others = report.problems - damage
        if report.repaired:
            lines.append(f"{problems} {_remain(report.problems)} after repair; --repair cannot mend the damage above.")
        else:
            fixes = f"; `archive check --repair` fixes the other {others}" if others else ""
            lines.append(f"{problems} found{fixes}.")
    elif report.ok:
        lines.append("Repaired: the database and the index agree now." if report.repaired else "OK: the database and the index agree.")
    elif report.repaired:
        lines.append(f"{problems} {_remain(report.problems)} after repair; try `archive reindex`.")
    else:
        lines.append(f"{problems} found; `archive check --repair` fixes {'it' if report.problems == 1 else 'them'}.")
    return "\n".join(lines)


def check_dict(report: CheckReport) -> dict[str, Any]:
    return {**report.__dict__, "ok": report.ok, "problems": report.problems, "behind": report.behind}


def dupes_text(groups: list[DuplicateGroup]) -> str:
    if not groups:
        return "No copies: every article in the archive is one of a kind."
    lines: list[str] = []
    for group in groups:
        lines.append(f"{group.original.id}  {safe(group.original.title)}  ({_copies(group)})")
        if len(group.original.files) > 1:
            lines += [f"    = {safe(place)}" for place in group.original.files]
        for copy in group.copies:
            alike = f"{copy.similarity:.0%} alike" if copy.similarity is not None else "near-duplicate"
            lines.append(f"    ~ {copy.id}  {safe(copy.title)}  ({alike})")
    return "\n".join(lines)


def _copies(group: DuplicateGroup) -> str:
    parts = []
    places = len(group.original.files)
    if places > 1:
        parts.append(f"stored once from {places} places")
    if group.copies:
        parts.append(f"{len(group.copies)} near-{'duplicate' if len(group.copies) == 1 else 'duplicates'}")
    return ", ".join(parts)


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


# --- list, remove -------------------------------------------------------------------


def list_text(page: ArticlePage, limit: int, number: int) -> str:
    if page.total == 0:
        return "No articles."
    first = (number - 1) * limit + 1
    if not page.articles:
        return f"{_count(page.total, 'article')}; page {number} is past the last page."
    dates = [format_date(brief.published_at, brief.precision, brief.published_offset) for brief in page.articles]
    width = max(map(len, dates))
    lines = [f"{_count(page.total, 'article')} (showing {first}-{first + len(page.articles) - 1}, newest first)", ""]
    for brief, date in zip(page.articles, dates, strict=True):
        source = f"  [{safe(brief.source)}]" if brief.source else ""
        lines.append(f"{brief.id}  {date:<{width}}  {safe(brief.title)}{source}")
    return "\n".join(lines)


def list_dict(page: ArticlePage, limit: int, number: int) -> dict[str, Any]:
    return {
        "total": page.total,
        "page": number,
        "limit": limit,
        "articles": [
            {
                "id": brief.id,
                "title": brief.title,
                "date": brief.published_at.isoformat() if brief.published_at else None,
                "date_local": iso_local(brief.published_at, brief.precision, brief.published_offset, chosen_zone()),
                "date_precision": brief.precision,
                "source": brief.source,
                "files": brief.files,
            }
            for brief in page.articles
        ],
    }


def removed_text(removed: list[Removed]) -> str:
    lines = [f"Removed {brief.id}  {safe(brief.title)}" for brief in removed]
    lines.append(f"{len(removed)} {'article' if len(removed) == 1 else 'articles'} removed from the database and the index.")
    return "\n".join(lines)


def terms_text(query: str, matched: int, terms: list[tuple[str, float]]) -> str:
    if not terms:
        return f"No articles match {query!r}."
    lines = [f"Words that set the {matched} best matches for {query!r} apart from the archive:", ""]
    width = max(len(word) for word, _ in terms)
    top = terms[0][1] or 1.0
    lines += [f"{word:<{width}}  {weight:6.3f}  {'█' * max(1, round(20 * weight / top))}" for word, weight in terms]
    return "\n".join(lines)


def terms_dict(query: str, matched: int, terms: list[tuple[str, float]]) -> dict[str, Any]:
    return {"query": query, "matched": matched, "terms": [{"term": word, "weight": weight} for word, weight in terms]}


def _remain(number: int) -> str:
    return "remains" if number == 1 else "remain"


def _count(number: int, noun: str) -> str:
    """"1 problem", "2 problems"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
