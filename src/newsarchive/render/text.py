"""Results as text for people: what every command prints unless asked for --json or --csv.

What came from outside (titles, file names, sources, queries) is made safe
for a terminal here (``terminal_safe``), around the renderer's own bold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from newsarchive.engines import snippets
from newsarchive.errors import DAMAGED_DATABASE_HINT, DAMAGED_FILE_ROW_HINT, DAMAGED_ROW_HINT
from newsarchive.periods import chosen_zone, local_moment, offset_minutes
from newsarchive.render.data import trend_values
from newsarchive.render.terminal import terminal_safe as safe

if TYPE_CHECKING:
    from newsarchive.archive import Initialized, Reindexed
    from newsarchive.engines.protocol import Hit
    from newsarchive.services.articles import ArchiveInfo, ArticlePage, ArticleRecord, DuplicateGroup
    from newsarchive.services.check import CheckReport
    from newsarchive.services.ingest import IngestReport
    from newsarchive.services.remove import Removed
    from newsarchive.services.search import SearchPage
    from newsarchive.services.trend import Trend

SHOWN_IDS = 10
FACET_VALUES = 12
_FORMATS = {"day": "%Y-%m-%d", "minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S"}
# One fill per query, so bars side by side stay apart even in a narrow terminal.
_MARKS = ("█", "▓", "▒", "░")


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


# --- search -------------------------------------------------------------------


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


# --- show ---------------------------------------------------------------------


def article_text(record: ArticleRecord, color: bool) -> str:
    def bold(text: str) -> str:
        return click.style(text, bold=True) if color else text

    date = format_date(record.published_at, record.date_precision, record.published_offset)
    if record.published_at is not None:
        date += f" (as written: {record.date_text})"
    meta = [("id", record.id), ("published", date), ("source", record.source or "-")]
    if record.language:
        meta.append(("language", language_label(record.language)))
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


def language_label(code: str) -> str:
    """An article's language as people read it: "ru (Russian)", "und (undetermined)"."""
    from newsarchive.reading.language import UNDETERMINED, language_name

    name = "undetermined" if code == UNDETERMINED else language_name(code)
    return f"{code} ({name})" if name else code


# --- ingest, info, reindex ----------------------------------------------------


def ingest_summary(report: IngestReport) -> str:
    seconds = max(report.elapsed, 1e-9)
    noun = "file" if report.files == 1 else "files"
    summary = (
        f"{report.files} {noun}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.duplicate} duplicate, {report.failed} failed, {report.undated} undated"
        f"{f', {len(report.skipped)} passed over' if report.skipped else ''}; "
        f"{report.elapsed:.1f}s ({report.files / seconds:.0f} files/s, {report.read / seconds:.0f} articles read/s)"
    )
    if report.rebuilt:
        summary += (
            f"; rebuilt the search index from the {report.rebuilt:,} article{'' if report.rebuilt == 1 else 's'} stored before "
            "(it was missing, or made by an earlier version)"
        )
    if report.repaired:
        summary += f"; re-indexed {report.repaired} left over from an interrupted run, or stored through another home"
    if report.interrupted:
        summary += (
            f"\nInterrupted after {report.done} of {report.files} files; "
            "run the same command again to continue."
        )
    return summary


def initialized_text(done: Initialized) -> str:
    made = "Made the archive" if done.created else "The archive"
    return f"{made} in {safe(done.database)}; every machine searches it with {done.engine}."


def info_text(info: ArchiveInfo) -> str:
    def when(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"

    index_state = "missing (run `archive reindex`)" if info.index_documents is None else f"{info.index_documents} documents"
    if info.index_problem is not None:
        index_state = safe(info.index_problem)
    lines = [
        f"home:            {safe(str(info.home))}",
        f"database:        {safe(str(info.database_url))}",
        *([f"reads from:      {safe(info.read_database_url)}"] if info.read_database_url else []),
        f"engine:          {info.engine}",
        f"index:           {safe(str(info.index_dir)) if info.local_index else 'in the database, beside the articles'}",
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


def reindex_summary(done: Reindexed) -> str:
    return f"Indexed {done.indexed} articles in {done.elapsed:.1f}s."


# --- check, dupes -------------------------------------------------------------


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


# --- list, remove, terms ------------------------------------------------------


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


# --- trend --------------------------------------------------------------------


def _number(trend: Trend, value: float) -> str:
    return f"{value:.1%}" if trend.normalized else str(value)


def trend_text(trend: Trend, width: int = 50) -> str:
    """A plain-text bar chart: one line per bucket, the queries' bars side by side.

    ``width`` is the room for bars on a line, shared between the queries. All
    bars use one scale, so the longest stands for the largest value of any
    query; a value above zero always gets at least one block.
    """
    lines = [trend_heading(trend) + ", matching:"]
    marks = [_MARKS[position % len(_MARKS)] for position in range(len(trend.series))]
    lines += [f"  {mark} {safe(series.query)}" for mark, series in zip(marks, trend.series, strict=True)]
    lines.append("")
    if trend.buckets:
        lines += _bars(trend, marks, width)
    else:
        lines.append("No dated article matches.")
    lines += ["", _undated_note(trend)]
    return "\n".join(lines)


def trend_heading(trend: Trend) -> str:
    heading = f"{'Share of all archived articles' if trend.normalized else 'Articles'} per {trend.by}"
    if trend.buckets:
        first, last = trend.buckets[0].label, trend.buckets[-1].label
        heading += f", {first}" if first == last else f", {first} to {last}"
    return heading


def _bars(trend: Trend, marks: list[str], width: int) -> list[str]:
    columns = [trend_values(trend, series) for series in trend.series]
    numbers = [[_number(trend, value) for value in values] for values in columns]
    number_width = max(len(text) for texts in numbers for text in texts)
    label_width = max(len(bucket.label) for bucket in trend.buckets)
    bar_width = max(1, width // len(columns))
    peak = max((value for values in columns for value in values), default=0)
    lines = []
    for row, bucket in enumerate(trend.buckets):
        cells = []
        for mark, values, texts in zip(marks, columns, numbers, strict=True):
            value = values[row]
            blocks = max(1, round(value / peak * bar_width)) if value else 0
            cells.append(f"{texts[row]:>{number_width}} {mark * blocks:<{bar_width}}")
        lines.append((f"{bucket.label:<{label_width}}  " + "  ".join(cells)).rstrip())
    return lines


def _undated_note(trend: Trend) -> str:
    total = sum(trend.undated.values())
    if not total:
        return "No matching article is undated."
    note = f"{total} matching {'article is' if total == 1 else 'articles are'} undated and not charted"
    if len(trend.undated) > 1:
        note += " (" + ", ".join(f"{safe(query)}: {number}" for query, number in trend.undated.items()) + ")"
    return note + "."


def _remain(number: int) -> str:
    return "remains" if number == 1 else "remain"


def _count(number: int, noun: str) -> str:
    """"1 problem", "2 problems"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
