"""A trend as bars side by side, one group per period: where each bar, tick and label goes.

Only geometry and words: the template writes the SVG from a ``Chart``, each
bar a link to the search for its query in its period, with a label a screen
reader reads ("Kursk, 2024-11: 12 articles").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from newsarchive.render.data import trend_values

if TYPE_CHECKING:
    from newsarchive.services.trend import Trend

#: Where a bar leads: ``(query, since, until) -> URL``.
SearchLink = Callable[[str, str, str], str]
_INSTANT = timedelta(microseconds=1)
#: Periods labelled under the axis at most; the others are read from each bar's label.
AXIS_LABELS = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # which query: its colour and its place in the legend
    label: str  # what a screen reader and a tooltip say
    href: str  # the search for this query in this period


@dataclass(frozen=True)
class Mark:
    """A tick of the value axis (``at`` is its y) or a period's label under the bars (``at`` is its x)."""

    at: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float  # the plot area inside the margins
    top: float
    right: float
    bottom: float
    bars: list[Bar]
    ticks: list[Mark]
    periods: list[Mark]
    series: list[str]
    title: str


def trend_chart(
    trend: Trend, search_link: SearchLink, since: datetime | None = None, until: datetime | None = None, *,
    width: int = 900, height: int = 320,
) -> Chart:  # fmt: skip
    """The chart of ``trend``, counted inside ``since``..``until`` (inclusive, as given to it);
    ``search_link(query, since, until)`` is where a bar leads: its period, cut to those bounds."""
    left, top, right, bottom = 64.0, 12.0, width - 12.0, height - 40.0
    columns = [trend_values(trend, series) for series in trend.series]
    highest = max((max(values, default=0) for values in columns), default=0)
    step, top_value = _scale(highest)
    slots = max(len(trend.buckets), 1)
    slot = (right - left) / slots
    gap = slot * 0.15 if slot > 4 else 0.0
    bar_width = max((slot - gap) / max(len(columns), 1), 0.5)
    bars: list[Bar] = []
    for row, bucket in enumerate(trend.buckets):
        first, last = period_bounds(
            max(bucket.start, since) if since else bucket.start,
            min(bucket.end - _INSTANT, until) if until else bucket.end - _INSTANT,
        )
        for index, (series, values) in enumerate(zip(trend.series, columns, strict=True)):
            value = values[row]
            high = (bottom - top) * (value / top_value) if top_value else 0.0
            bars.append(Bar(
                x=round(left + row * slot + gap / 2 + index * bar_width, 2), y=round(bottom - high, 2),
                width=round(bar_width, 2), height=round(high, 2), series=index,
                label=f"{series.query}, {bucket.label}: {_amount(value, trend.normalized)}",
                href=search_link(series.query, first, last),
            ))  # fmt: skip
    ticks = [
        Mark(at=round(bottom - (bottom - top) * (number * step / top_value), 2), text=_tick(number * step, trend.normalized))
        for number in range(int(round(top_value / step)) + 1)
    ] if top_value else [Mark(at=bottom, text="0")]  # fmt: skip
    every = max(1, math.ceil(len(trend.buckets) / AXIS_LABELS))
    periods = [
        Mark(at=round(left + row * slot + slot / 2, 2), text=bucket.label)
        for row, bucket in enumerate(trend.buckets)
        if row % every == 0
    ]
    measure = "share of all archived articles" if trend.normalized else "articles"
    title = f"{measure.capitalize()} per {trend.by} matching " + ", ".join(series.query for series in trend.series)
    return Chart(
        width=width, height=height, left=left, top=top, right=right, bottom=bottom, bars=bars, ticks=ticks,
        periods=periods, series=[series.query for series in trend.series], title=title,
    )  # fmt: skip


def period_bounds(start: datetime, last: datetime) -> tuple[str, str]:
    """A period's first and last moment as a search's --since and --until take them: as days ("2019-01-01",
    "2019-12-31") when it is whole days in UTC, else as moments."""
    whole_days = start.time() == time() and (last + _INSTANT).time() == time()
    if whole_days and all(moment.utcoffset() == timedelta(0) for moment in (start, last)):
        return start.date().isoformat(), last.date().isoformat()
    return start.isoformat(), last.isoformat()


def _scale(highest: float) -> tuple[float, float]:
    """A round step for the value axis (1, 2 or 5 times a power of ten) and the axis's top, a multiple of it."""
    if highest <= 0:
        return 1.0, 0.0
    rough = highest / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= rough)
    if highest >= 1 and step < 1:  # counts are whole
        step = 1.0
    return step, step * math.ceil(highest / step)


def _amount(value: float, normalized: bool) -> str:
    if normalized:
        return f"{value:.2%} of articles"
    return f"{int(value):,} article" + ("" if value == 1 else "s")


def _tick(value: float, normalized: bool) -> str:
    return f"{value:.1%}" if normalized else f"{value:,.0f}"
