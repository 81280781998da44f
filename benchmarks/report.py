"""The results as Markdown, and the issue's targets checked against them.

Ratios are always ours ÷ reference: for times, sizes and memory below 1 is
better; for articles/s above 1 is better.

    python benchmarks/report.py benchmarks/results/2025-01-01-host.json   # re-render a JSON file

The search servers under load (run.py --web, --web-only) have a table of their
own in each size and the targets of issue 14.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from measure import geometric_mean

OURS, SQLITE, WHOOSH, TANTIVY = "newsarchive", "sqlite-utils", "whoosh", "tantivy"
REFERENCES = ((SQLITE, "sqlite-utils"), (WHOOSH, "Whoosh"), (TANTIVY, "tantivy"))
Size = dict  # one entry of results["sizes"]


# --- figures both the tables and the targets use ------------------------------------


def cold_ratio(size: Size, reference: str, table: str = "cold_search") -> float | None:
    """Geometric mean over the query set of (our median ÷ the reference's median) search time."""
    ratios = [
        timings[OURS]["median_seconds"] / timings[reference]["median_seconds"]
        for timings in size.get(table, {}).values()
        if "median_seconds" in timings.get(OURS, {}) and "median_seconds" in timings.get(reference, {})
    ]
    return geometric_mean(ratios)


def peak_pss(timing: dict) -> float | None:  # type: ignore[type-arg]
    """Peak summed PSS (results before CPU and RSS were measured called it peak_rss_bytes)."""
    return timing.get("peak_pss_bytes", timing.get("peak_rss_bytes"))


def ingest_seconds(size: Size, tool: str) -> float:
    return size[tool]["ingest"]["median_seconds"]


def ours_disk_bytes(size: Size) -> int:
    disk = size[OURS]["disk"]
    return disk["database_bytes"] + disk["index_bytes"]


def reference_disk_bytes(size: Size, reference: str) -> int:
    return sum(size[reference]["disk"].values())


# --- targets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    size: str
    measure: Callable[[Size], float | None]
    limit: float
    higher_is_better: bool
    unit: str  # "x", "ms", "MB", "s"


TARGETS: tuple[Target, ...] = (
    Target("cold `archive search` ≤ 1.2x `sqlite-utils search` (geometric mean over the query set), BBC set",
           "bbc", lambda s: cold_ratio(s, SQLITE), 1.2, False, "x"),
    Target("cold `archive search` ≤ 1.2x `sqlite-utils search` (geometric mean over the query set), 100,000",
           "100000", lambda s: cold_ratio(s, SQLITE), 1.2, False, "x"),
    Target("bulk ingest of the BBC set ≥ 2.5x the plain Whoosh baseline's articles/s",
           "bbc", lambda s: ingest_seconds(s, WHOOSH) / ingest_seconds(s, OURS), 2.5, True, "x"),
    Target("bulk ingest of the BBC set within 4x sqlite-utils insert+FTS time",
           "bbc", lambda s: ingest_seconds(s, OURS) / ingest_seconds(s, SQLITE), 4.0, False, "x"),
    Target("warm search with snippets p50 < 10 ms, 100,000",
           "100000", lambda s: s[OURS]["warm_search"]["p50_ms"], 10.0, False, "ms"),
    Target("warm search with snippets p99 < 50 ms, 100,000",
           "100000", lambda s: s[OURS]["warm_search"]["p99_ms"], 50.0, False, "ms"),
    Target("peak memory (summed PSS) of the 100,000-article ingest < 400 MB",
           "100000", lambda s: peak_pss(s[OURS]["ingest"]) / 1e6, 400.0, False, "MB"),
    Target("no-op re-ingest of 100,000 < 15 s",
           "100000", lambda s: s[OURS]["noop_reingest"]["median_seconds"], 15.0, False, "s"),
)  # fmt: skip


def with_targets(results: dict) -> dict:  # type: ignore[type-arg]
    """``results`` with a "targets" list: each target, its measured value and whether it is met."""
    sizes = {size["size"]: size for size in results["sizes"]}
    rows = []
    for target in TARGETS:
        value = target.measure(sizes[target.size]) if target.size in sizes else None
        met = None if value is None else (value >= target.limit if target.higher_is_better else value <= target.limit)
        rows.append({"target": target.text, "size": target.size, "unit": target.unit, "measured": value, "met": met})
    return {**results, "targets": rows}


# --- Markdown -----------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def milliseconds(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"


def megabytes(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def number(value: float) -> str:
    return f"{value:,.0f}"


def versus(ours: float, references: Sequence[tuple[str, float | None]]) -> str:
    """``= 1.1x sqlite-utils, 0.9x Whoosh``: our figure over each reference's."""
    parts = [f"{ours / value:.2f}x {name}" for name, value in references if value]
    return " = " + ", ".join(parts) if parts else ""


def figure_row(
    label: str, values: dict[str, float | None], show: Callable[[float], str], failures: dict[str, str] | None = None
) -> str:
    """One table row: our figure with its ratio to each reference, then each reference's figure.

    A tool without a figure shows its failure, if any, else "—".
    """
    failures = failures or {}
    ours = values.get(OURS)
    picked = [(name, values.get(key)) for key, name in REFERENCES]
    cells = [show(ours) + versus(ours, picked) if ours is not None else failures.get(OURS, "—")]
    cells += [show(value) if value is not None else failures.get(key, "—") for (key, _), (_, value) in zip(REFERENCES, picked, strict=True)]
    return f"| {label} | " + " | ".join(cells) + " |"


def tool_values(size: Size, *keys: str) -> dict[str, float | None]:
    """``size[tool][keys[0]][keys[1]]...`` for each tool, None where a tool has no such figure."""
    values: dict[str, float | None] = {}
    for tool in (OURS, SQLITE, WHOOSH, TANTIVY):
        data = size.get(tool)
        for key in keys:
            data = data.get(key) if isinstance(data, dict) else None
        values[tool] = data
    return values


def search_rows(size: Size, table: str, kind: str, show: Callable[[float], str]) -> list[str]:
    """One row per query of a search table (cold commands or in-process), and the geometric mean of the ratios."""
    lines = []
    for name, timings in size.get(table, {}).items():
        hits = " / ".join(f"{count:,}" if count is not None else "—" for count in size["hits"][name].values())
        query = size["cold_search"][name]["query"]
        medians = {tool: (timings.get(tool) or {}).get("median_seconds") for tool in (OURS, SQLITE, WHOOSH, TANTIVY)}
        failures = {tool: f"failed: {timings[tool]['error']}" for tool in medians if "error" in timings.get(tool, {})}
        lines.append(figure_row(f"{kind}: {name} `{query}` ({hits} hits)", medians, show, failures))
    ratios = [(label, cold_ratio(size, key, table)) for key, label in REFERENCES]
    if lines:
        lines.append(
            f"| {kind}, geometric mean of ratios | "
            + ", ".join(f"{value:.2f}x {label}" for label, value in ratios if value is not None)
            + " | | | |"
        )
    return lines


def size_name(label: str) -> str:
    if label == "bbc":
        return "the BBC set"
    if label.startswith("multi:"):
        return f"{int(label.split(':')[1]):,} multilingual articles"
    return f"{int(label):,} generated articles"


def size_section(size: Size, settings: dict) -> list[str]:  # type: ignore[type-arg]
    corpus = size["corpus"]
    name = size_name(size["size"])
    rebuild = {**tool_values(size, "reindex", "median_seconds"), SQLITE: size[SQLITE]["ingest"]["median_seconds"]}
    rebuild_cpu = {**tool_values(size, "reindex", "median_cpu_seconds"), SQLITE: size[SQLITE]["ingest"].get("median_cpu_seconds")}
    lines = [
        f"## {name}",
        "",
        f"{corpus['files']:,} files ({megabytes(corpus['bytes'])}), {corpus['distinct_articles']:,} distinct articles; "
        f"ingest median of {settings['ingest_repeat']}, searches and re-ingest median of {settings['repeat']}. "
        f"sqlite-utils' NDJSON was prepared in {seconds(size[SQLITE]['prepare_ndjson_seconds'])} (not in its ingest time).",
        "",
        "| figure | newsarchive | sqlite-utils (FTS5) | plain Whoosh | tantivy |",
        "| --- | --- | --- | --- | --- |",
        figure_row("bulk ingest, wall", tool_values(size, "ingest", "median_seconds"), seconds),
        figure_row("bulk ingest, CPU (all processes)", tool_values(size, "ingest", "median_cpu_seconds"), seconds),
        figure_row("bulk ingest, articles/s", tool_values(size, "ingest", "articles_per_second"), number),
        figure_row("bulk ingest, peak memory, summed PSS", {tool: peak_pss(size[tool]["ingest"]) for tool in (OURS, SQLITE, WHOOSH, TANTIVY) if tool in size}, megabytes),
        figure_row("bulk ingest, peak memory, summed RSS", tool_values(size, "ingest", "peak_rss_sum_bytes"), megabytes),
        figure_row("no-op re-ingest, wall", tool_values(size, "noop_reingest", "median_seconds"), seconds),
        figure_row("index from parsed records (`archive reindex`; sqlite-utils: its ingest), wall", rebuild, seconds),
        figure_row("index from parsed records, CPU", rebuild_cpu, seconds),
        *search_rows(size, "cold_search", "cold search", seconds),
        *search_rows(size, "in_process_search", "in-process", milliseconds),
    ]
    for point in ("p50", "p95", "p99"):
        label = f"warm search top 10 + snippets, {point}"
        lines.append(figure_row(label, tool_values(size, "warm_search", f"{point}_ms"), lambda ms: f"{ms:.2f} ms"))
    disk = {OURS: ours_disk_bytes(size), **{key: reference_disk_bytes(size, key) for key, _ in REFERENCES if key in size}}
    lines.append(figure_row("size on disk (database + index)", disk, megabytes))
    ours = size[OURS]
    if ours["warm_search"].get("failed"):
        lines += ["", f"**{ours['warm_search']['failed']} warm queries failed** and are left out, e.g. "
                  f"`{ours['warm_search']['errors'][0]}`."]
    lines += [
        "",
        f"newsarchive on disk: database {megabytes(ours['disk']['database_bytes'])}, "
        f"index {megabytes(ours['disk']['index_bytes'])}. Ingest said: "
        + ", ".join(f"{key} {ours['ingest']['report'][key]}" for key in ("files", "new", "duplicate", "undated", "failed"))
        + ".",
        "",
    ]
    if "multilingual" in size:
        lines += multilingual_lines(size["multilingual"])
    return lines


def share(found: int | None, out_of: int | None) -> str:
    return f"{(found or 0) / out_of:.1%} ({found or 0:,}/{out_of:,})" if out_of else "—"


def multilingual_lines(checked: dict) -> list[str]:  # type: ignore[type-arg]
    """What the archive made of the multilingual corpus, per language and in all."""
    columns = (
        ("language recorded", "language_right", "files"),
        ("title exact", "title_exact", "files"),
        ("date exact", "date_exact", "files"),
        ("other form finds it", "inflected_found", "inflected_queries"),
        ("FTS5: other form", "inflected_found_fts5", "inflected_queries"),
        ("form as written finds it", "written_found", "written_queries"),
        ("FTS5: as written", "written_found_fts5", "written_queries"),
    )
    # (results from before files were counted apart have articles only)
    rows = {language: {"files": row.get("articles", 0), **row} for language, row in checked["languages"].items()}
    keys = {"articles", *(key for _, found, out_of in columns for key in (found, out_of))}
    rows["all"] = {key: sum(row.get(key, 0) for row in rows.values()) for key in keys}
    lines = [
        f"### Languages, dates and word forms ({checked['stored']:,} of {checked['files']:,} files stored)",
        "",
        "A query is the article's own invented name and a noun or adjective of the article in another inflected "
        "form than it holds (its control: the form as written); found = the article is in the top 10. "
        "Chinese has no inflected forms: its queries are a two-character word as written.",
        "",
        "| language | files (stored) | " + " | ".join(title for title, _, _ in columns) + " |",
        "| --- | --- | " + " | ".join("---" for _ in columns) + " |",
    ]
    for language, row in rows.items():
        cells = [share(row.get(found), row.get(out_of)) for _, found, out_of in columns]
        stored = f"{row.get('files', 0):,} ({row.get('articles', 0):,})"
        lines.append(f"| {language} | {stored} | " + " | ".join(cells) + " |")
    if checked.get("failed_queries"):
        lines += ["", f"**{checked['failed_queries']} queries failed** (counted as not found), e.g. `{checked['errors'][0]}`."]
    return lines + [""]


def target_lines(results: dict) -> list[str]:  # type: ignore[type-arg]
    lines = ["## Targets (issue 4)", "", "| target | measured | met |", "| --- | --- | --- |"]
    for row in results["targets"]:
        if row["measured"] is None:
            measured, met = f"not run (size {row['size']} not measured)", "—"
        else:
            unit = row["unit"]
            measured = f"{row['measured']:.2f}{unit}" if unit == "x" else f"{row['measured']:.1f} {unit}"
            met = "met" if row["met"] else "**not met**"
        lines.append(f"| {row['target']} | {measured} | {met} |")
    return lines + [""]


def header_lines(results: dict) -> list[str]:  # type: ignore[type-arg]
    machine, versions, project = results["machine"], results["versions"], results["project"]
    settings = results["settings"]
    ram = f"{machine['ram_bytes'] / 2**30:.0f} GiB" if machine.get("ram_bytes") else "?"
    if project.get("checkout"):
        changed = " (working tree differs from it)" if project.get("source_changed") else ""
        measured = f"{project['checkout']} at {project.get('commit') or '?'}{changed}"
    else:
        measured = f"installed at {project['package']}"
    note = f" — {project['note']}" if project.get("note") else ""
    return [
        f"# Benchmarks {results['started']}",
        "",
        f"`{results['command']}`",
        "",
        f"- machine: {machine['host']}, {machine['cores']} cores, {ram} RAM, {machine['cpu']}, {machine['os']}",
        "- versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()),
        f"- newsarchive measured: {measured}{note}",
        f"- peak memory: {settings.get('peak_memory_method') or settings.get('peak_rss_method')}; "
        "sizes are apparent bytes, MB = 10^6 bytes",
        f"- CPU: {settings.get('cpu_method', 'not measured')}",
        "- in-process: the cold queries through each library in this one warm process (median of the repeats); "
        "plain Whoosh's warm figures are titles without snippets over the queries without dates",
        "- ratios are ours ÷ reference: below 1 is better for times, sizes and memory, above 1 for articles/s",
        "",
    ]


def render_markdown(results: dict) -> str:  # type: ignore[type-arg]
    lines = header_lines(results) + target_lines(results)
    if "web_targets" in results:
        lines += web_target_lines(results)
    for size in results["sizes"]:
        lines += size_section(size, results["settings"])
        if "web" in size:
            lines += web_lines(size["web"], "###")
    return "\n".join(lines)


def render(results: dict) -> str:  # type: ignore[type-arg]
    """The Markdown of any suite's results."""
    suite = results.get("suite")
    if suite == "server":
        return render_server_markdown(results)
    if suite == "web":
        return render_web_markdown(with_web_targets(results))
    results = with_targets(results)
    return render_markdown(with_web_targets(results) if any("web" in size for size in results["sizes"]) else results)


# --- search over HTTP under load (run.py --web, --web-only) ---------------------------

WEB_TOOLS = (("newsarchive", "`archive serve`"), ("datasette", "datasette (FTS5 SQL)"))
#: The load the targets of issue 14 are set for.
WEB_TARGET_CLIENTS = 16


@dataclass(frozen=True)
class WebTarget:
    text: str
    size: str
    measure: Callable[[dict], float | None]  # type: ignore[type-arg]
    limit: float
    unit: str


WEB_TARGETS: tuple[WebTarget, ...] = (
    WebTarget("`archive serve`, 16 clients on loopback: p99 < 250 ms, 100,000",
              "100000", lambda ours: ours["load"]["p99_ms"], 250.0, "ms"),
    WebTarget("`archive serve`, 16 clients on loopback: zero errors, 100,000",
              "100000", lambda ours: ours["load"]["errors"], 0.0, "errors"),
)  # fmt: skip


def with_web_targets(results: dict) -> dict:  # type: ignore[type-arg]
    """``results`` with a "web_targets" list: each target of issue 14, measured with the clients it is set for."""
    sizes = {size["size"]: size for size in results["sizes"]}
    rows = []
    for target in WEB_TARGETS:
        web = sizes.get(target.size, {}).get("web")
        row = {"target": target.text, "size": target.size, "unit": target.unit, "measured": None, "met": None}
        if web is not None:
            ours = web.get(OURS) or {}
            clients = web["settings"]["clients"]
            try:
                row["measured"] = target.measure(ours)
            except (KeyError, TypeError):
                pass
            row["clients"] = clients
            if ours.get("failed") or "load" not in ours:
                row["met"], row["failed"] = False, True
            elif row["measured"] is not None and clients == WEB_TARGET_CLIENTS:
                row["met"] = row["measured"] <= target.limit
        rows.append(row)
    return {**results, "web_targets": rows}


def web_target_lines(results: dict) -> list[str]:  # type: ignore[type-arg]
    lines = ["## Targets (issue 14)", "", "| target | measured | met |", "| --- | --- | --- |"]
    for row in results["web_targets"]:
        if row.get("failed"):
            measured, met = "the server failed (below)", "**not met**"
        elif row["measured"] is None:
            measured, met = f"not run (size {row['size']} not measured)", "—"
        else:
            measured = f"{row['measured']:,.0f} errors" if row["unit"] == "errors" else f"{row['measured']:.1f} ms"
            if row.get("clients") != WEB_TARGET_CLIENTS:
                measured += f" with {row['clients']} clients"
            met = "—" if row["met"] is None else "met" if row["met"] else "**not met**"
        lines.append(f"| {row['target']} | {measured} | {met} |")
    return lines + [""]


def _web_cells(web: dict, show: Callable[[dict], str], first: bool) -> str:  # type: ignore[type-arg]
    """One figure of each server; a server that failed before its load says so in the first row, "—" below."""
    cells = []
    for key, _ in WEB_TOOLS:
        found = web.get(key) or {}
        if found.get("failed") and "load" not in found:
            cells.append("failed (below)" if first else "—")
            continue
        try:
            cells.append(show(found))
        except (KeyError, TypeError, ValueError):
            cells.append("—")
    return " | ".join(cells)


def _share(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "?"


def web_lines(web: dict, level: str) -> list[str]:  # type: ignore[type-arg]
    """The servers under load: one column per server, then what went wrong and the slowest requests."""
    settings = web["settings"]
    cores = settings.get("cores") or "?"

    def row(label: str, show: Callable[[dict], str]) -> str:  # type: ignore[type-arg]
        return f"| {label} | {_web_cells(web, show, first=label == 'requests/s')} |"

    def load_ms(point: str) -> Callable[[dict], str]:  # type: ignore[type-arg]
        return lambda found: f"{found['load'][f'{point}_ms']:.1f} ms"

    def errors(found: dict) -> str:  # type: ignore[type-arg]
        load = found["load"]
        count = f"{load['errors']:,}" if load["errors"] == 0 else f"**{load['errors']:,}**"
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in load.get("errors_by_kind", {}).items())
        return f"{count} of {load['requests']:,}" + (f" ({kinds})" if kinds else "")

    kinds = sorted({kind for key, _ in WEB_TOOLS for kind in ((web.get(key) or {}).get("load") or {}).get("by_kind", {})})
    serve_args = " ".join(settings.get("serve_args") or [])
    lines = [
        f"{level} Search over HTTP: {settings['clients']} clients for {settings['seconds']:g} s on loopback"
        + (f" (`archive serve {serve_args}`)" if serve_args else ""),
        "",
        f"{settings['queries']:,} generated queries to each server in turn, the top 10 with snippets and the hit count "
        f"(README: \"Search over HTTP\"), after {settings['warmup_seconds']:g} s of the same load untimed; latencies of "
        f"the successful requests, from sending to the last byte. **The load process and the server share the "
        f"machine's {cores} cores.**",
        "",
        "| figure | " + " | ".join(title for _, title in WEB_TOOLS) + " |",
        "| --- | " + " | ".join("---" for _ in WEB_TOOLS) + " |",
        row("requests/s", lambda found: f"{found['load']['requests_per_second']:,.1f}"),
        *(row(f"latency {point}", load_ms(point)) for point in ("p50", "p95", "p99", "max")),
        row("errors", errors),
        *(row(f"p50 / p99: {kind}", lambda found, kind=kind: "{p50_ms:.1f} / {p99_ms:.1f} ms ({requests:,})".format(
            **found["load"]["by_kind"][kind])) for kind in kinds),
        row(f"server CPU, measured time (share of {cores} cores)",
            lambda found: f"{found['server_cpu_seconds']:.1f} s ({_share(found.get('server_cpu_share'))})"),
        row(f"load process CPU (share of {cores} cores)",
            lambda found: f"{found['load']['load_cpu_seconds']:.1f} s ({_share(found['load'].get('load_cpu_share'))})"),
        row("server peak memory (VmHWM)", lambda found: megabytes(found["server_peak_rss_bytes"])),
        row("first answer after start", lambda found: f"{found['startup_seconds']:.2f} s"),
        row("stopped (SIGINT as Ctrl-C)", lambda found: "{by}, {seconds:.1f} s, exit {returncode}".format(**found["stop"])
            + ("" if found["stop"].get("clean") else " (**not clean**)")),
        row("errors in the warm-up", lambda found: f"{found['warmup']['errors']:,} of {found['warmup']['requests']:,}"),
        row("machine's load average (1, 5, 15 min) before", lambda found: " / ".join(f"{value:.1f}" for value in found["load_average_before"])),
        row("server log: tracebacks / 5xx answers", lambda found: "{tracebacks} / {5xx_logged}".format(**found["log"])),
    ]  # fmt: skip
    cold = next((found["cold_queries"] for key, _ in WEB_TOOLS if "cold_queries" in (found := web.get(key) or {})), {})
    for name, first in cold.items():
        lines.append(row(f"cold query alone: {name} `{first['query']}`", lambda found, name=name: _cold_cell(found["cold_queries"][name])))
    lines.append("")
    notes = []
    for key, title in WEB_TOOLS:
        found = web.get(key) or {}
        if found.get("failed"):
            notes.append(f"- {title} **failed**: `{found['failed'].splitlines()[0][:300]}`")
        load = found.get("load") or {}
        for example in load.get("error_examples", [])[:3]:
            notes.append(f"- {title}, error: `{example[:300]}`")
        if load.get("slowest"):
            notes.append(f"- {title}, slowest: " + ", ".join(f"`{slow['query']}` {slow['ms']:.0f} ms" for slow in load["slowest"]))
        if (found.get("log") or {}).get("exceptions"):
            counted = ", ".join(f"{name} {count:,}" for name, count in found["log"]["exceptions"].items())
            notes.append(f"- {title}, exceptions in `{found['log']['path']}`: {counted}; the first: "
                         f"`{found['log']['first_exception']}`")
        if found.get("datasette"):
            about = found["datasette"]
            notes.append(f"- {title}: datasette {about['datasette']}, SQLite {about['sqlite']}, settings "
                         + ", ".join(f"{name} {value}" for name, value in about["settings"].items()))
        if found.get("command"):
            notes.append(f"- {title}: `{found['command']}`")
    versions = ", ".join(f"{name} {value}" for name, value in web.get("versions", {}).items() if value)
    return lines + notes + [f"- versions: {versions}", ""]


def _cold_cell(row: dict) -> str:  # type: ignore[type-arg]
    if "error" in row:
        return f"HTTP {row.get('status', '?')}: {row['error'][:80]}"
    hits = f"{row['hits']:,} hits" if row.get("hits") is not None else "? hits"
    return f"{hits}, {row['ms']:.0f} ms"


def render_web_markdown(results: dict) -> str:  # type: ignore[type-arg]
    lines = header_lines({**results, "settings": {**results["settings"], "peak_memory_method": "the server's VmHWM"}})
    lines = [line for line in lines if not line.startswith(("- in-process", "- ratios", "- peak memory", "- CPU"))]
    lines += web_target_lines(results)
    for size in results["sizes"]:
        corpus, archives = size["corpus"], size.get("archives", {})
        kept = "kept from an earlier run" if archives.get("archive_kept") else "ingested by this run"
        lines += [f"## {size_name(size['size'])}", "",
                  f"Corpus `{corpus['path']}`: {corpus['files']:,} files, {corpus['distinct_articles']:,} rows in FTS5; "
                  f"the archive {kept}, the FTS5 database "
                  + ("kept" if archives.get("fts5_kept") else "made by this run") + f" (`{archives.get('root')}`).", ""]  # fmt: skip
        lines += web_lines(size["web"], "###")
    return "\n".join(lines)




# --- the team's archive on a server (run.py --server) --------------------------------

Stacks = dict  # one size's results["sizes"][i]["stacks"]: stack key -> its figures


@dataclass(frozen=True)
class ServerTarget:
    text: str
    size: str | None  # None: at every size measured
    measure: Callable[[dict], float | None]  # type: ignore[type-arg]
    limit: float
    unit: str


SERVER_TARGETS: tuple[ServerTarget, ...] = (
    ServerTarget("warm search top 10 + snippets p99 < 100 ms at 1,000,000",
                 "1000000", lambda stack: stack["warm_search"].get("p99_ms"), 100.0, "ms"),
    ServerTarget("bulk ingest of 1,000,000 < 30 min",
                 "1000000", lambda stack: stack["ingest"]["median_seconds"] / 60, 30.0, "min"),
    ServerTarget("concurrent searching clients: zero errors",
                 None, lambda stack: stack["clients"].get("errors"), 0.0, "errors"),
)  # fmt: skip


def with_server_targets(results: dict) -> dict:  # type: ignore[type-arg]
    """``results`` with a "targets" list: each target for each engine over the server, at its size."""
    sizes = {size["size"]: size for size in results["sizes"]}
    rows = []
    for target in SERVER_TARGETS:
        for engine in results["settings"]["engines"]:
            key = f"server:{engine}"
            for label in [target.size] if target.size else list(sizes) or ["any"]:
                stack = sizes.get(label, {}).get("stacks", {}).get(key)
                try:
                    value = target.measure(stack) if stack else None
                except (KeyError, TypeError):
                    value = None
                met = None if value is None else value <= target.limit
                failed = bool(stack and "failed" in stack)
                rows.append({"target": target.text, "stack": key, "size": label, "unit": target.unit,
                             "measured": value, "met": False if failed else met, "failed": failed})  # fmt: skip
    return {**results, "targets": rows}


def stack_title(key: str) -> str:
    if key == "fts5":
        return "SQLite FTS5 (sqlite-utils)"
    if key == "embedded:whoosh":
        return "Whoosh, embedded (SQLite)"
    engine = key.split(":", 1)[1]
    return f"{engine} engine, server" if engine == "postgres" else f"{engine} over the server"


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def server_row(label: str, stacks: Stacks, keys: Sequence[str], show: Callable[[object], str], *path: str) -> str:
    cells = []
    for key in keys:
        value = _dig(stacks[key], *path)
        cells.append("—" if value is None else show(value))
    return f"| {label} | " + " | ".join(cells) + " |"


def _ms(value: object) -> str:
    return f"{float(value):.1f} ms"  # type: ignore[arg-type]


def server_size_section(size: dict, settings: dict) -> list[str]:  # type: ignore[type-arg]
    stacks: Stacks = size["stacks"]
    failed = {key: found["failed"] for key, found in stacks.items() if "failed" in found}
    keys = [key for key in stacks if key not in failed]
    label = size["size"]
    lines = [f"## {size_name(label) if label != 'bbc' else 'the BBC set'}", "", f"Corpus: `{size['corpus']}`.", ""]
    for key, why in failed.items():
        lines += [f"**{stack_title(key)} failed**: `{why.splitlines()[-1] if why else '?'}`", ""]
    if not keys:
        return lines
    clients = settings["clients"]
    lines += [
        "| figure | " + " | ".join(stack_title(key) for key in keys) + " |",
        "| --- | " + " | ".join("---" for _ in keys) + " |",
        server_row("bulk ingest, wall", stacks, keys, lambda v: seconds(float(v)), "ingest", "median_seconds"),  # type: ignore[arg-type]
        server_row("bulk ingest, articles/s", stacks, keys, lambda v: number(float(v)), "ingest", "articles_per_second"),  # type: ignore[arg-type]
        server_row("bulk ingest, CPU of the command", stacks, keys, lambda v: seconds(float(v)), "ingest", "median_cpu_seconds"),  # type: ignore[arg-type]
        server_row("bulk ingest, CPU of the server", stacks, keys,
                   lambda v: seconds(statistics.median(v)) if v else "—", "ingest", "server_cpu_seconds"),  # type: ignore[arg-type]
        server_row("bulk ingest, peak memory of the command (summed PSS)", stacks, keys,
                   lambda v: megabytes(float(v)), "ingest", "peak_pss_bytes"),  # type: ignore[arg-type]
        server_row("database with its indexes (pg_database_size; SQLite files)", stacks, keys,
                   lambda v: megabytes(float(v)), "ingest", "disk", "database_bytes"),  # type: ignore[arg-type]
        server_row("local search index", stacks, keys, lambda v: megabytes(float(v)) if v else "none", "ingest", "disk", "index_bytes"),  # type: ignore[arg-type]
    ]  # fmt: skip
    for point in ("p50", "p99"):
        lines.append(server_row(f"cold search, {point} (every run of every cold query)", stacks, keys, _ms, "cold_search", f"{point}_ms"))
    for query in [name for name in next(iter(stacks[k] for k in keys))["cold_search"]["per_query"]]:
        lines.append(server_row(f"cold search, median: {query}", stacks, keys,
                                lambda v: _ms(v["median_ms"]) if "median_ms" in v else f"failed: {v.get('error')}",  # type: ignore[index,union-attr]
                                "cold_search", "per_query", query))  # fmt: skip
    for kind, title in (("warm_search", "warm search top 10 + snippets"), ("warm_facets", "warm search + all facets"),
                        ("warm_trend", "warm trend by month")):  # fmt: skip
        for point in ("p50", "p95", "p99"):
            if kind != "warm_search" and point == "p95":
                continue
            lines.append(server_row(f"{title}, {point}", stacks, keys, _ms, kind, f"{point}_ms"))
    lines += [
        server_row(f"{clients} clients: searches/s", stacks, keys, lambda v: f"{float(v):.1f}", "clients", "searches_per_second"),  # type: ignore[arg-type]
        server_row(f"{clients} clients: p50", stacks, keys, _ms, "clients", "p50_ms"),
        server_row(f"{clients} clients: p99", stacks, keys, _ms, "clients", "p99_ms"),
        server_row(f"{clients} clients: errors", stacks, keys, lambda v: f"{v:,}" if v == 0 else f"**{v:,}**", "clients", "errors"),
        "",
    ]  # fmt: skip
    notes = []
    for key in keys:
        found = stacks[key]
        for kind in ("warm_search", "warm_facets", "warm_trend"):
            figures = found.get(kind) or {}
            if figures.get("crashed") or figures.get("failed"):
                why = figures.get("crashed") or f"{figures['failed']} queries failed, e.g. `{figures['errors'][0]}`"
                notes.append(f"- {stack_title(key)}, {kind.replace('_', ' ')}: {why}")
        examples = (found.get("clients") or {}).get("error_examples") or []
        if examples:
            notes.append(f"- {stack_title(key)}, clients: e.g. `{examples[0]}`")
        report = _dig(found, "ingest", "report")
        if isinstance(report, dict):
            notes.append(f"- {stack_title(key)}, ingest said: "
                         + ", ".join(f"{name} {report[name]}" for name in ("files", "new", "duplicate", "failed") if name in report))
        tables = _dig(found, "ingest", "disk", "largest_tables_bytes")
        if isinstance(tables, dict) and tables:
            notes.append(f"- {stack_title(key)}, largest tables (with indexes and TOAST): "
                         + ", ".join(f"{name} {megabytes(value)}" for name, value in tables.items()))
    agreement = size.get("agreement") or {}
    if agreement:
        lines += ["Top 10 against the Whoosh engine's, over the cold and warm benchmark queries (ties aside: hits of "
                  "equal score cut at the 10th place, or tied first, count as shared; see README):", "",
                  "| engine | against | queries with hits | mean overlap of the top 10 | ties aside | same first hit "
                  "| ties aside | same total |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        for key, row in agreement.items():
            if not row.get("with_hits"):
                lines.append(f"| {stack_title(key)} | {stack_title(row['reference'])} | 0 | — | — | — | — | — |")
                continue
            tied = [row.get(name) for name in ("mean_overlap_at_10_ties_aside", "same_first_hit_ties_aside")]
            overlap_tied, first_tied = (f"{value:.1%}" if value is not None else "—" for value in tied)
            lines.append(f"| {stack_title(key)} | {stack_title(row['reference'])} | {row['with_hits']:,} of {row['queries']:,} | "
                         f"{row['mean_overlap_at_10']:.1%} | {overlap_tied} | {row['same_first_hit']:.1%} | {first_tied} "
                         f"| {row['same_total']:.1%} |")  # fmt: skip
        lines.append("")
    return lines + notes + [""]


def server_target_lines(results: dict) -> list[str]:  # type: ignore[type-arg]
    lines = ["## Targets (issue 13)", "", "| target | stack | size | measured | met |", "| --- | --- | --- | --- | --- |"]
    for row in results["targets"]:
        if row.get("failed"):
            measured, met = "the stack failed (below)", "**not met**"
        elif row["measured"] is None:
            measured, met = "not measured", "—"
        else:
            measured = f"{row['measured']:,.0f} {row['unit']}" if row["unit"] == "errors" else f"{row['measured']:.1f} {row['unit']}"
            met = "met" if row["met"] else "**not met**"
        lines.append(f"| {row['target']} | {stack_title(row['stack'])} | {row['size']} | {measured} | {met} |")
    return lines + [""]


SERVER_CPU_METHOD = "user + system seconds of the command (os.wait4); the server's from /proc, its reaped backends included"
SERVER_MEMORY_METHOD = "the command's (not the server's) peak summed PSS over its process tree, sampled every 0.2 s or further apart (at most 2% of a core)"


def render_server_markdown(results: dict) -> str:  # type: ignore[type-arg]
    settings, server = results["settings"], results.get("server") or {}
    shown = server.get("settings") or {}
    lines = header_lines({**results, "settings": {**settings, "cpu_method": SERVER_CPU_METHOD,
                                                  "peak_memory_method": SERVER_MEMORY_METHOD}})  # fmt: skip
    lines = [line for line in lines if not line.startswith(("- in-process", "- ratios"))][:-1]  # (its last is blank)
    lines += [
        "- server: PostgreSQL " + shown.get("server_version", "?") + ", "
        + ", ".join(f"{name} {value}" for name, value in shown.items() if name != "server_version")
        + "; extensions available: " + ", ".join(server.get("extensions_available", [])),
        f"- cold search: a fresh `archive search` process, the server restarted before each (shared buffers empty, "
        f"the OS page cache not), {settings['cold_repeat']} runs per query; embedded and FTS5: a fresh process",
        f"- warm: {settings['warm_queries']} generated queries through the library after an untimed pass; facets: the "
        f"first {settings['facet_queries']} with every facet; trend: {settings['trend_queries']} undated ones by month",
        f"- clients: {settings['clients']} processes, each its own archive, searching for {settings['clients_seconds']:.0f} s "
        "from a common start",
        "",
    ]  # fmt: skip
    lines += server_target_lines(results)
    for size in results["sizes"]:
        lines += server_size_section(size, settings)
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
