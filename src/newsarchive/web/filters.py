"""What the templates write the archive's values with: a snippet's marks, dates, languages, links.

Jinja escapes every value a template writes; ``highlight`` alone makes
markup, and only of its own marks, after escaping the text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from newsarchive.engines import snippets
from newsarchive.render.text import format_date, language_label
from newsarchive.web.security import safe_link


def highlight(snippet: str) -> Markup:
    """The snippet escaped, its matched words in ``<mark>``."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(snippets.MATCH_START, "<mark>").replace(snippets.MATCH_END, "</mark>"))


def shown_date(published: datetime | None, precision: str | None, offset: int | None = None) -> str:
    """As the CLI shows it: to its precision, at the offset it was published with."""
    return format_date(published, precision, offset)


def utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat()


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


FILTERS = {
    "highlight": highlight, "shown_date": shown_date, "utc": utc, "language": language_label,
    "safe_link": safe_link, "percent": percent, "number": number,
}  # fmt: skip
