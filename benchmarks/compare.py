"""Before and after: the figures of one size from two sets of runs, and whether the after stays within 10%.

Each side is one or more results files of `run.py` (runs made alternately on
the same quiet machine are the fairest). A figure shows the range over each
side's runs and the ratio of the medians, after ÷ before; it is within the
tolerance when that ratio is no worse than 1.10 (for articles/s and other
higher-is-better figures, no lower than 1 / 1.10).

    python benchmarks/compare.py --before a1.json a2.json --after b1.json b2.json            # the BBC set
    python benchmarks/compare.py --size multi:5000 --before a.json --after b.json --tolerance 0.05
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from report import OURS, SQLITE, WHOOSH, Size, cold_ratio, ingest_seconds, peak_pss


@dataclass(frozen=True)
class Figure:
    name: str
    measure: Callable[[Size], float | None]
    unit: str
    higher_is_better: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("bulk ingest, wall", lambda s: ingest_seconds(s, OURS), "s"),
    Figure("bulk ingest, CPU", lambda s: s[OURS]["ingest"].get("median_cpu_seconds"), "s"),
    Figure("bulk ingest, articles/s vs plain Whoosh", lambda s: ingest_seconds(s, WHOOSH) / ingest_seconds(s, OURS), "x", True),
    Figure("bulk ingest, peak memory (summed PSS)", lambda s: megabytes(peak_pss(s[OURS]["ingest"])), "MB"),
    Figure("no-op re-ingest, wall", lambda s: s[OURS]["noop_reingest"]["median_seconds"], "s"),
    Figure("cold search, geometric mean vs sqlite-utils", lambda s: cold_ratio(s, SQLITE), "x"),
    Figure("cold search, geometric mean vs plain Whoosh", lambda s: cold_ratio(s, WHOOSH), "x"),
    Figure("warm search top 10 + snippets, p50", lambda s: s[OURS]["warm_search"].get("p50_ms"), "ms"),
    Figure("warm search top 10 + snippets, p95", lambda s: s[OURS]["warm_search"].get("p95_ms"), "ms"),
    Figure("warm search top 10 + snippets, p99", lambda s: s[OURS]["warm_search"].get("p99_ms"), "ms"),
)  # fmt: skip


def megabytes(count: float | None) -> float | None:
    return None if count is None else count / 1e6


def sizes_of(paths: Sequence[Path], label: str) -> list[Size]:
    found = []
    for path in paths:
        results = json.loads(path.read_text(encoding="utf-8"))
        found += [size for size in results["sizes"] if size["size"] == label]
    if not found:
        raise SystemExit(f"no size {label!r} in {', '.join(map(str, paths))}")
    return found


def values(sizes: Sequence[Size], figure: Figure) -> list[float]:
    measured = []
    for size in sizes:
        try:
            value = figure.measure(size)
        except (KeyError, ZeroDivisionError, TypeError):
            value = None
        if value is not None:
            measured.append(value)
    return measured


def shown(measured: Sequence[float], unit: str) -> str:
    if not measured:
        return "—"
    digits = 2 if unit in ("x", "ms") or max(measured) < 10 else 1
    low, high = min(measured), max(measured)
    span = f"{low:.{digits}f}" if low == high else f"{low:.{digits}f}-{high:.{digits}f}"
    return f"{span}{unit}" if unit == "x" else f"{span} {unit}"


def runs(sizes: Sequence[Size]) -> str:
    return f"{len(sizes)} run" + ("s" if len(sizes) != 1 else "")


def compare_lines(before: Sequence[Size], after: Sequence[Size], tolerance: float) -> list[str]:
    lines = [
        f"| figure | before ({runs(before)}) | after ({runs(after)}) | after ÷ before (medians) | within {tolerance:.0%} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for figure in FIGURES:
        old, new = values(before, figure), values(after, figure)
        if not old or not new or not statistics.median(old):
            lines.append(f"| {figure.name} | {shown(old, figure.unit)} | {shown(new, figure.unit)} | — | — |")
            continue
        ratio = statistics.median(new) / statistics.median(old)
        worse = 1 / ratio if figure.higher_is_better else ratio
        verdict = "yes" if worse <= 1 + tolerance else "**no**"
        lines.append(
            f"| {figure.name} | {shown(old, figure.unit)} | {shown(new, figure.unit)} | {ratio:.2f} | {verdict} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n")[-1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--before", type=Path, nargs="+", required=True, help="results .json files of the before")
    parser.add_argument("--after", type=Path, nargs="+", required=True, help="results .json files of the after")
    parser.add_argument("--size", default="bbc", help="the size to compare (default bbc)")
    parser.add_argument("--tolerance", type=float, default=0.10, help="how much worse is still within (default 0.10)")
    args = parser.parse_args(argv)
    lines = compare_lines(sizes_of(args.before, args.size), sizes_of(args.after, args.size), args.tolerance)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
