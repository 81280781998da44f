"""One way to render every command's result: as text for people, one JSON object, or CSV.

Each command has a ``View``: how its result reads as text (``text``), as
JSON-ready data (``data``) and as CSV (``csv``, for the results that are
rows). ``render(name, result, fmt)`` is the one dispatch the CLI uses;
a Python user may call it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsarchive.render import data, text

FORMATS = ("text", "json", "csv")


@dataclass(frozen=True)
class View:
    #: The result as text for people; ``color``: bold where a terminal shows it.
    text: Callable[[Any, bool], str]
    #: The result as JSON-ready data (dicts, lists, strings, numbers, datetimes).
    data: Callable[[Any], Any] | None = None
    #: The result as CSV text with a header, for results that are rows.
    csv: Callable[[Any], str] | None = None


def _hits_csv(page: Any) -> str:
    return data.to_csv([data.hit_dict(hit) for hit in page.hits])


VIEWS: dict[str, View] = {
    "ingest": View(text=lambda report, _color: text.ingest_summary(report), data=data.ingest_dict),
    "search": View(text=text.search_text, data=data.search_dict, csv=_hits_csv),
    "similar": View(
        text=lambda similar, color: text.similar_text(similar.article_id, similar.page, color),
        data=lambda similar: data.search_dict(similar.page),
        csv=lambda similar: _hits_csv(similar.page),
    ),
    "terms": View(
        text=lambda found, _color: text.terms_text(found.query, found.matched, found.terms),
        data=lambda found: data.terms_dict(found.query, found.matched, found.terms),
        csv=lambda found: data.to_csv(data.terms_dict(found.query, found.matched, found.terms)["terms"]),
    ),
    "trend": View(text=lambda trend, _color: text.trend_text(trend), data=data.trend_dict, csv=data.trend_csv),
    "show": View(text=text.article_text, data=data.article_dict),
    "list": View(
        text=lambda page, _color: text.list_text(page, page.limit, page.page),
        data=lambda page: data.list_dict(page, page.limit, page.page),
        csv=lambda page: data.to_csv(data.list_dict(page, page.limit, page.page)["articles"]),
    ),
    "init": View(text=lambda done, _color: text.initialized_text(done), data=lambda done: done.as_dict()),
    "info": View(text=lambda info, _color: text.info_text(info), data=lambda info: info.as_dict()),
    "dupes": View(text=lambda groups, _color: text.dupes_text(groups), data=data.dupes_dict),
    "remove": View(text=lambda removed, _color: text.removed_text(removed), data=data.removed_dict),
    "reindex": View(
        text=lambda done, _color: text.reindex_summary(done),
        data=lambda done: {"indexed": done.indexed, "elapsed_seconds": round(done.elapsed, 3)},
    ),
    "check": View(text=lambda report, _color: text.check_text(report), data=data.check_dict),
}


def render(name: str, result: Any, fmt: str = "text", *, color: bool = False) -> str:
    """The result of command ``name`` as ``fmt``: "text" (bold only with ``color``), "json" or "csv"."""
    view = VIEWS[name]
    if fmt == "json" and view.data is not None:
        return data.to_json(view.data(result))
    if fmt == "csv" and view.csv is not None:
        return view.csv(result)
    if fmt != "text":
        raise ValueError(f"`archive {name}` has no {fmt} output")
    return view.text(result, color)
