"""`archive trend --plot`: the trend as a chart image (needs matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsarchive.errors import ArchiveError
from newsarchive.render.data import trend_values
from newsarchive.render.text import trend_heading

if TYPE_CHECKING:
    from newsarchive.services.trend import Trend

PLOT_EXTENSIONS = (".svg", ".png")


def plot_trend(trend: Trend, path: Path) -> None:
    """Write the trend as a step chart to ``path``, an .svg or .png file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_EXTENSIONS:
        raise ArchiveError(
            f"cannot plot to {path.name}: the chart is written as .svg or .png",
            hint="give a file name ending in " + " or ".join(PLOT_EXTENSIONS),
        )
    if not trend.buckets:
        raise ArchiveError("nothing to plot: no dated article matches", hint="try a broader query or period")
    try:
        # The object API on an Agg canvas: no pyplot, so no global figure state or GUI backend.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator, PercentFormatter
    except ImportError:
        raise ArchiveError("plotting needs matplotlib", hint="pip install 'newsarchive[plot]'") from None

    figure = Figure(figsize=(10, 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Each value is drawn as a flat step across its whole bucket, so the last one needs its end too.
    edges = [bucket.start for bucket in trend.buckets] + [trend.buckets[-1].end]
    for series in trend.series:
        values = list(trend_values(trend, series))
        # (matplotlib takes datetimes on a date axis; its type stubs only name arrays)
        axes.step(edges, values + values[-1:], where="post", label=series.query, linewidth=1.5)  # type: ignore[arg-type]
    axes.set_ylim(bottom=0)
    axes.margins(x=0)
    if trend.normalized:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_ylabel("share of archived articles")
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(f"articles per {trend.by}")
    axes.set_title(trend_heading(trend) + f" ({trend.zone})")
    axes.grid(axis="y", alpha=0.3)
    axes.legend()
    try:
        figure.savefig(path, format=suffix[1:])
    except OSError as exc:
        raise ArchiveError(
            f"cannot write the chart to {path}: {exc.strerror or exc}", hint="choose a folder you can write to"
        ) from exc
