"""The routes: each page as HTML for people and as JSON for programs, from one handler.

Every page answers JSON by its ``.json`` path or ``Accept: application/json``,
in the shapes of the CLI's ``--json`` (``newsarchive.render.data``). The
archive's work runs in worker threads (``archives.Archives``); what goes
wrong is said as the CLI says it, with an HTTP status: a malformed query
400, an unknown article 404, a search past its time limit 503.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from newsarchive import __version__
from newsarchive.engines.protocol import FACETS, Facet
from newsarchive.errors import (
    ArchiveError,
    ArchiveNotFound,
    ArticleNotFound,
    DatabaseUnreachable,
    IndexUnavailable,
    InvalidQuery,
    SearchTimeout,
)
from newsarchive.render import data
from newsarchive.services.search import SearchRequest
from newsarchive.web.archives import Archives
from newsarchive.web.forms import (
    MAX_WINDOW,
    PAGE_SIZES,
    ExportForm,
    TermsForm,
    TrendForm,
    export_form,
    link,
    narrowed,
    search_arguments,
    search_form,
    search_link,
    search_params,
    terms_form,
    trend_form,
)
from newsarchive.web.security import HEADERS, Guard

if TYPE_CHECKING:
    from newsarchive.archive import Archive, Similar
    from newsarchive.config import ArchiveConfig
    from newsarchive.services.articles import ArticleRecord, DuplicateGroup

#: How many similar articles an article's page shows.
SIMILAR = 5
#: Bars a trend's page draws at most (periods times queries); its CSV and JSON have no such limit.
MAX_BARS = 2000
#: Facet values listed per field on the search page.
FACET_VALUES = 10
#: The facets the search page counts unless the URL names its own: authors are left to a link, as counting
#: them reads every match's stored fields (about ten times the cost of the others together).
PAGE_FACETS: tuple[Facet, ...] = ("source", "year", "month", "lang")

#: The status of each typed error, most specific first.
STATUSES: list[tuple[type[ArchiveError], int]] = [
    (InvalidQuery, 400),
    (ArticleNotFound, 404),
    (SearchTimeout, 503),
    (IndexUnavailable, 503),
    (DatabaseUnreachable, 503),
    (ArchiveNotFound, 503),
    (ArchiveError, 500),
]
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "hint": {"type": ["string", "null"]}, "status": {"type": "integer"}},
    "required": ["error", "status"],
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A malformed query or parameter, said as the CLI says it.", "content": {"application/json": {"schema": _ERROR_SCHEMA}}},
    503: {"description": "The search ran past its time limit, or the archive cannot be read now.", "content": {"application/json": {"schema": _ERROR_SCHEMA}}},
}  # fmt: skip
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No article has this id.", "content": {"application/json": {"schema": _ERROR_SCHEMA}}}
}
_JSON = "application/json"
#: A page answers HEAD too (a link checker's question).
_PAGE = ["GET", "HEAD"]

router = APIRouter()


def create_app(config: ArchiveConfig, *, token: str | None = None, loopback_only: bool = True, threads: int = 2) -> FastAPI:
    """The web application of the archive ``config`` names (``newsarchive.config.resolve_config``).

    ``token``, when given, is asked of every request; ``loopback_only`` (without a
    token) answers only requests addressed to this machine's own names.
    """
    import importlib.resources

    import jinja2

    archives = Archives(config, threads)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        archives.close()

    app = FastAPI(
        title="newsarchive", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
        description="The archive's pages as JSON, in the shapes of the `archive` command's --json.",
    )  # fmt: skip
    app.state.archives = archives
    folder = importlib.resources.files("newsarchive.web")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder / "templates")), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.globals.update(
        link=link, search_link=search_link, narrowed=narrowed, PAGE_SIZES=PAGE_SIZES, version=__version__
    )
    from newsarchive.web import filters

    environment.filters.update(filters.FILTERS)
    app.state.templates = Jinja2Templates(env=environment)
    app.mount("/static", StaticFiles(directory=str(folder / "static")), name="static")
    app.include_router(router)
    app.add_exception_handler(ArchiveError, _archive_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_parameters)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(Guard, token=token, loopback_only=loopback_only)
    return app


# --- answering -----------------------------------------------------------------


def _archives(request: Request) -> Archives:
    archives: Archives = request.app.state.archives
    return archives


async def _run(request: Request, work: Callable[[Archive], Any]) -> Any:
    return await _archives(request).run(work)


def wants_json(request: Request) -> bool:
    """A ``.json`` (``.csv``, ``.jsonl``) path, or a client that asks for JSON and not for HTML."""
    if request.url.path.endswith((".json", ".csv", ".jsonl")):
        return True
    accept = request.headers.get("accept", "")
    return _JSON in accept and "text/html" not in accept


def json_response(value: Any, status: int = 200) -> Response:
    return Response(data.to_json(value) + "\n", status_code=status, media_type=_JSON)


def html(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _problem(request: Request, status: int, message: str, hint: str | None = None) -> Response:
    if wants_json(request):
        return json_response({"error": message, "hint": hint, "status": status}, status)
    return html(
        request, "error.html", status, status=status, message=message, hint=hint, json_path=None, **_typed_again(request)
    )


def _typed_again(request: Request) -> dict[str, Any]:
    """The form of a page whose question could not be answered, holding what was typed, so that a malformed
    query is mended, not typed again: ``box`` (which form) and ``form``; nothing for a page without a form."""
    params = request.query_params
    box = {"/": "search", "/search": "search", "/trend": "trend", "/terms": "terms"}.get(request.url.path)
    if box == "search":
        form: Any = SearchRequest(query=params.get("q", ""), since=params.get("since"), until=params.get("until"))
    elif box == "trend":
        form = TrendForm(q=tuple(params.getlist("q")), since=params.get("since"), until=params.get("until"))
    elif box == "terms":
        form = TermsForm(q=params.get("q", ""))
    else:
        return {"box": None}
    return {"box": box, "form": form}


async def _archive_error(request: Request, error: ArchiveError) -> Response:
    status = next(code for kind, code in STATUSES if isinstance(error, kind))
    return _problem(request, status, error.message, error.hint)


async def _invalid_parameters(request: Request, error: RequestValidationError) -> Response:
    said = []
    for problem in error.errors():
        where = [str(part) for part in problem.get("loc", ()) if part not in ("query", "path")]
        said.append(f"{'.'.join(where) or 'request'}: {problem.get('msg', 'not valid')}")
    return _problem(request, 400, "; ".join(said), hint="the parameters are described at /openapi.json")


async def _http_error(request: Request, error: HTTPException) -> Response:
    if error.status_code == 404:
        return _problem(request, 404, "no page here", hint="the pages are /search, /trend, /terms and /info")
    answer = _problem(request, error.status_code, str(error.detail))
    answer.headers.update(error.headers or {})  # (a 405's Allow)
    return answer


async def _server_error(request: Request, _error: Exception) -> Response:
    # (Starlette sends this answer from outside every middleware, Guard too: it carries Guard's headers itself.)
    answer = _problem(request, 500, "something went wrong in the server", hint="its log says what")
    answer.raw_headers.extend(HEADERS)
    return answer


# --- search ----------------------------------------------------------------------

SearchParams = Annotated[SearchRequest, Depends(search_form)]


@router.get("/search.json", tags=["search"], responses=_ERRORS, summary="Search (as `archive search --json`)")
async def search_json(request: Request, form: SearchParams) -> Response:
    if not form.query.strip():
        raise InvalidQuery("give a query: /search.json?q=kursk")
    page = await _run(request, lambda archive: archive.search(form.query, **search_arguments(form)))
    return json_response(data.search_dict(page))


@router.api_route("/", methods=_PAGE, include_in_schema=False)
@router.api_route("/search", methods=_PAGE, include_in_schema=False)
async def search_page(request: Request, form: SearchParams) -> Response:
    if wants_json(request):
        return await search_json(request, form)
    if not form.query.strip():
        return html(request, "search.html", form=form, page=None, pages=0, json_path=None)
    arguments = search_arguments(form, facets=form.facets or PAGE_FACETS)
    page = await _run(request, lambda archive: archive.search(form.query, **arguments))
    pages = min(math.ceil(page.total / form.limit), MAX_WINDOW // form.limit)
    return html(
        request, "search.html", form=form, page=page, pages=pages, facet_values=FACET_VALUES, all_facets=FACETS,
        json_path=link("/search.json", search_params(form)),
    )  # fmt: skip


# --- one article -------------------------------------------------------------------

ArticleId = Annotated[str, Path(min_length=1, max_length=64, description="An article's id, or its first characters.")]


@dataclass(frozen=True)
class ArticleView:
    record: ArticleRecord
    copies: DuplicateGroup | None
    similar: Similar | None
    similar_problem: str | None = None


def _article(archive: Archive, article_id: str) -> ArticleView:
    record = archive.get(article_id)
    copies = archive.copies(record.id)
    try:
        similar, problem = archive.similar(record.id, SIMILAR), None
    except ArchiveError as error:  # (the article itself is there to read: the page says what is missing)
        similar, problem = None, error.message
    return ArticleView(record=record, copies=copies, similar=similar, similar_problem=problem)


def _article_data(view: ArticleView) -> dict[str, Any]:
    """``archive show --json``, with the article's copies and the most similar articles."""
    return {
        **data.article_dict(view.record),
        "copies": None if view.copies is None else data.dupes_dict([view.copies])["groups"][0],
        "similar": None if view.similar is None else [data.hit_dict(hit) for hit in view.similar.page.hits],
    }


@router.get("/articles/{article_id}.json", tags=["articles"], responses={**_ERRORS, **_NOT_FOUND}, summary="One article, whole")
async def article_json(request: Request, article_id: ArticleId) -> Response:
    view = await _run(request, lambda archive: _article(archive, article_id))
    return json_response(_article_data(view))


@router.api_route("/articles/{article_id}", methods=_PAGE, include_in_schema=False)
async def article_page(request: Request, article_id: ArticleId) -> Response:
    if wants_json(request):
        return await article_json(request, article_id)
    view = await _run(request, lambda archive: _article(archive, article_id))
    return html(request, "article.html", view=view, json_path=f"/articles/{view.record.id}.json")


# --- attention over time -------------------------------------------------------------

TrendParams = Annotated[TrendForm, Depends(trend_form)]


async def _trend(request: Request, form: TrendForm) -> Any:
    if not form.q:
        raise InvalidQuery("give one query or more: /trend.json?q=kursk&q=kharkiv")
    return await _run(
        request,
        lambda archive: archive.trend(form.q, by=form.by, since=form.since, until=form.until, normalize=form.normalize),
    )


@router.get("/trend.json", tags=["trend"], responses=_ERRORS, summary="Attention over time (as `archive trend --json`)")
async def trend_json(request: Request, form: TrendParams) -> Response:
    return json_response(data.trend_dict(await _trend(request, form)))


@router.get(
    "/trend.csv", tags=["trend"], responses={**_ERRORS, 200: {"content": {"text/csv": {}}, "description": "One row per period"}},
    summary="Attention over time as CSV (as `archive trend --csv`)",
)  # fmt: skip
async def trend_csv(request: Request, form: TrendParams) -> Response:
    return Response(data.trend_csv(await _trend(request, form)), media_type="text/csv; charset=utf-8")


@router.api_route("/trend", methods=_PAGE, include_in_schema=False)
async def trend_page(request: Request, form: TrendParams) -> Response:
    if wants_json(request):
        return await trend_json(request, form)
    if not form.q:
        return html(request, "trend.html", form=form, trend=None, chart=None, json_path=None)
    from newsarchive.web.charts import trend_chart

    counted = await _trend(request, form)
    bars = len(counted.buckets) * len(counted.series)
    if bars > MAX_BARS:
        raise InvalidQuery(
            f"the chart would have {bars:,} bars; a page draws at most {MAX_BARS:,}",
            hint="count per a longer period (week, month, year) or over fewer dates; the CSV and JSON hold every one",
        )

    def bar_link(query: str, since: str, until: str) -> str:
        return search_link(SearchRequest(query=query, since=since, until=until, sort="oldest"))

    from newsarchive.periods import parse_period

    chart = trend_chart(counted, bar_link, *parse_period(form.since, form.until))
    return html(request, "trend.html", form=form, trend=counted, chart=chart, json_path=form.link("/trend.json"))


# --- telling words ---------------------------------------------------------------------

TermsParams = Annotated[TermsForm, Depends(terms_form)]


async def _terms(request: Request, form: TermsForm) -> Any:
    if not form.q.strip():
        raise InvalidQuery("give a query: /terms.json?q=kursk")
    return await _run(request, lambda archive: archive.terms(form.q, form.limit))


@router.get("/terms.json", tags=["terms"], responses=_ERRORS, summary="Telling words (as `archive terms --json`)")
async def terms_json(request: Request, form: TermsParams) -> Response:
    found = await _terms(request, form)
    return json_response(data.terms_dict(found.query, found.matched, found.terms))


@router.api_route("/terms", methods=_PAGE, include_in_schema=False)
async def terms_page(request: Request, form: TermsParams) -> Response:
    if wants_json(request):
        return await terms_json(request, form)
    found = await _terms(request, form) if form.q.strip() else None
    json_path = link("/terms.json", {"q": form.q, "limit": form.limit}) if found else None
    return html(request, "terms.html", form=form, found=found, json_path=json_path)


# --- about -------------------------------------------------------------------------------


@router.get("/info.json", tags=["about"], responses=_ERRORS, summary="What the archive holds (as `archive info --json`)")
async def info_json(request: Request) -> Response:
    info = await _run(request, lambda archive: archive.info())
    return json_response(info.as_dict())


@router.api_route("/info", methods=_PAGE, include_in_schema=False)
async def info_page(request: Request) -> Response:
    if wants_json(request):
        return await info_json(request)
    info = await _run(request, lambda archive: archive.info())
    return html(request, "info.html", info=info.as_dict(), json_path="/info.json")


# --- export ------------------------------------------------------------------------------

ExportParams = Annotated[ExportForm, Depends(export_form)]


@router.get(
    "/export.jsonl", tags=["export"], summary="Every matching article, whole, as JSON Lines (as `archive export`)",
    responses={**_ERRORS, 200: {"content": {"application/x-ndjson": {}}, "description": "One article per line"}},
)  # fmt: skip
async def export_jsonl(request: Request, form: ExportParams) -> Response:
    return await _export(request, form, "jsonl")


@router.get(
    "/export.csv", tags=["export"], summary="Every matching article as CSV (as `archive export --format csv`)",
    responses={**_ERRORS, 200: {"content": {"text/csv": {}}, "description": "One row per article"}},
)  # fmt: skip
async def export_csv(request: Request, form: ExportParams) -> Response:
    return await _export(request, form, "csv")


_EXPORTS = {"jsonl": ("application/x-ndjson", "archive-export.jsonl"), "csv": ("text/csv; charset=utf-8", "archive-export.csv")}
#: Pieces of an export (one article each) rendered in one turn of a worker thread.
_EXPORT_BATCH = 200


async def _export(request: Request, form: ExportForm, fmt: str) -> Response:
    """Every match (everything, without a query), streamed from an archive of its own, a batch of articles
    at a time in the worker threads, as every other request's work is.

    The first batch is read before the answer starts, so a malformed query is a 400, not a cut stream.
    """
    from itertools import islice

    from newsarchive.archive import Archive
    from newsarchive.render.export import render_records

    archives = _archives(request)
    exporting = Archive(archives.config)

    def start(_archive: Archive) -> tuple[Iterator[str], list[str]]:
        pieces = render_records(exporting.export(form.q.strip() or None, since=form.since, until=form.until), fmt)
        return pieces, list(islice(pieces, _EXPORT_BATCH))

    try:
        pieces, first = await archives.run(start)
    except BaseException:
        exporting.close()
        raise

    async def batches() -> AsyncIterator[str]:
        try:
            batch = first
            while batch:
                yield "".join(batch)
                batch = await archives.run(lambda _archive: list(islice(pieces, _EXPORT_BATCH)))
        finally:
            exporting.close()

    media_type, name = _EXPORTS[fmt]
    return StreamingResponse(batches(), media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'})
