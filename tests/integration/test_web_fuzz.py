"""`archive serve`'s JSON API fuzzed from its own OpenAPI description (schemathesis): whatever the parameters,
no answer is a server error, and each is one the description names."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from conftest import SETTINGS, Cli, Stack
from newsarchive.config import resolve_config
from newsarchive.web.app import create_app
from test_query_language import RECORDS as QUERY_RECORDS

# The query-language tests' first three articles (one with its URL, for the article page), and one undated.
RECORDS = [
    {**QUERY_RECORDS[0], "url": "https://wire.example/geneva"},
    *QUERY_RECORDS[1:3],
    {"title": "Undated election note", "description": "A note without a date.",
     "maintext": "This election note carries no date at all.", "language": "en", "source": "wire"},
]  # fmt: skip

#: Examples per operation: enough to reach every parameter's edges, few enough for seconds.
EXAMPLES = 25
#: What every answer must be: not a 5xx, a status the description names, of a type it names, in its schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("fuzz")
    records = folder / "records.jsonl"
    records.write_text("".join(json.dumps(record) + "\n" for record in RECORDS), encoding="utf-8")
    database = stack.database()
    Cli(stack.settings(database))("ingest", "--home", folder / "archive", records)
    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS:
            patch.delenv(name, raising=False)
        for name, value in stack.settings(database).items():
            patch.setenv(name, value)
        config = resolve_config(folder / "archive")
    app = create_app(config)
    with TestClient(app):  # (its lifespan: the archives it opens are closed at the end)
        yield app
    stack.drop(database)


OPERATIONS = [
    "/search.json", "/articles/{article_id}.json", "/trend.json", "/trend.csv", "/terms.json", "/info.json",
    "/export.jsonl", "/export.csv",
]  # fmt: skip


def described(app: Any) -> Any:
    """The app's OpenAPI description, loaded by schemathesis, its requests addressed as a browser on loopback does."""
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers={"host": "127.0.0.1"})


#: Queries that find something, mixed into the fuzzed ones so that the search itself is reached, not only the checks.
QUERIES = ["peace", "peace talks", '"peace talks"', "title:peace", "haushalt", "source:wire", "date:2024-11", "pe*",
           "genva~", "election OR peace", "lang:de", 'author:"anna petrova"']  # fmt: skip


def fuzz(operation: Any, ids: list[str]) -> Counter[int]:
    """Call ``operation`` with EXAMPLES cases drawn from its description, valid and not, each answer checked;
    the count of each status."""
    if operation.path == "/articles/{article_id}.json":
        found = st.sampled_from(ids).flatmap(lambda one: operation.as_strategy(path_parameters={"article_id": one}))
    elif operation.path == "/info.json":
        found = st.nothing()
    else:
        many = operation.path.startswith("/trend")
        found = st.sampled_from(QUERIES).flatmap(lambda query: operation.as_strategy(query={"q": [query] if many else query}))
    cases = st.one_of(
        found, operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE),
    )  # fmt: skip
    statuses: Counter[int] = Counter()

    @given(cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def each(case: Any) -> None:
        response = case.call(headers={"host": "127.0.0.1"})
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    each()
    return statuses


@pytest.mark.parametrize("path", OPERATIONS)
def test_no_parameters_make_a_server_error(served_app: Any, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A generous time limit: a search stopped on time is a 503 the description names, but not what is fuzzed here.
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "60")
    client = TestClient(served_app, base_url="http://127.0.0.1")
    ids = [record["id"] for record in map(json.loads, client.get("/export.jsonl").text.splitlines())]
    statuses = fuzz(described(served_app)[path]["GET"], [*ids, ids[0][:4], ids[1][:6].upper(), "zzzzzzzz"])
    assert statuses[200] > 0 and set(statuses) <= {200, 400, 404}, statuses  # (the search is reached, and refuses)
    assert path == "/info.json" or statuses[400] > 0, statuses


def test_every_json_page_is_fuzzed(served_app: Any) -> None:
    assert sorted(result.ok().path for result in described(served_app).get_all_operations()) == sorted(OPERATIONS)
