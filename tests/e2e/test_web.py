"""`archive serve`'s pages through Starlette's TestClient: each page as HTML and as the CLI's JSON, the links
between them, the errors, escaping, the headers and the token; and the pages while an ingest runs."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import SETTINGS, Cli, Stack
from newsarchive.config import ArchiveConfig, resolve_config
from newsarchive.web.app import create_app
from newsarchive.web.security import CONTENT_SECURITY_POLICY
from test_faults import ingest_process, make_collection
from test_neardup import story

GENEVA = "Peace talks stall in Geneva"
COPY = "Peace talks stall in Geneva again"
HOSTILE_TITLE = '<script>alert("title")</script> Peace <img src=x onerror=alert(1)>'
HOSTILE_BODY = '<script>alert("body")</script> The peace of the hostile article.\n<img src=x onerror=alert(2)> more.'
REPORTS = 12  # "Peace report N": one a month from January to June, for paging, facets and the trend


def _records() -> list[dict[str, Any]]:
    geneva = story(1) + "\nThe peace process stalled in Geneva."
    records: list[dict[str, Any]] = [
        {"title": GENEVA, "description": "Negotiators left without a deal.", "maintext": geneva,
         "date_publish": "2024-11-10T09:13:00Z", "authors": ["Anna Petrova"], "language": "en", "source": "wire",
         "url": "https://wire.example/geneva-talks"},
        {"title": COPY, "description": "Negotiators left without a deal.", "maintext": geneva + "\nOne line more.",
         "date_publish": "2024-11-11T09:13:00Z", "authors": ["Anna Petrova"], "language": "en", "source": "gazette"},
        {"title": HOSTILE_TITLE, "description": "<b>bold lede</b>", "maintext": HOSTILE_BODY,
         "date_publish": "2024-08-01T12:00:00Z", "authors": ['Eve "<i>quoted</i>"'], "language": "en",
         "source": "<script>src</script>", "url": "javascript:alert(1)"},
    ]  # fmt: skip
    for number in range(REPORTS):
        records.append({
            "title": f"Peace report {number}", "description": "A report.", "maintext": f"{story(100 + number)} peace",
            "date_publish": f"2024-{1 + number % 6:02d}-15T10:00:00Z", "language": "en",
            "authors": ["John Smith" if number % 2 else "Maria Lopez"], "source": "herald" if number % 3 == 0 else "wire",
        })  # fmt: skip
    return records


@dataclass(frozen=True)
class Site:
    """The module's archive: served (``client``), at ``home``, and `archive ...` on it (``cli``)."""

    client: TestClient
    cli: Cli
    home: Path
    config: ArchiveConfig
    ids: dict[str, str]  # each article's id by its title

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--home", str(self.home), "--json").stdout)

    def get(self, url: str, status: int = 200, **options: Any) -> Any:
        answer = self.client.get(url, follow_redirects=False, **options)
        assert answer.status_code == status, f"{url}: {answer.status_code}\n{answer.text[:2000]}"
        return answer

    def json(self, url: str, status: int = 200) -> Any:
        answer = self.get(url, status)
        assert answer.headers["content-type"] == "application/json"
        return answer.json()

    def id_of(self, title: str) -> str:
        return self.ids[title]


def config_of(stack: Stack, database: str | None, home: Path) -> ArchiveConfig:
    """The configuration of the archive at ``home`` on ``database`` of the stack, whatever the test's settings are."""
    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS:
            patch.delenv(name, raising=False)
        for name, value in stack.settings(database).items():
            patch.setenv(name, value)
        return resolve_config(home)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    home = folder / "archive"
    records = folder / "in" / "records.jsonl"
    records.parent.mkdir()
    records.write_text("".join(json.dumps(record) + "\n" for record in _records()), encoding="utf-8")
    database = stack.database()
    cli = Cli(stack.settings(database))
    cli("ingest", "--home", home, records)
    config = config_of(stack, database, home)
    exported = [json.loads(line) for line in cli("export", "--home", home).stdout.splitlines()]
    ids = {record["title"]: record["id"] for record in exported}
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        yield Site(client=client, cli=cli, home=home, config=config, ids=ids)
    stack.drop(database)


# --- reading pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    href: str
    text: str
    attrs: dict[str, str]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[Anchor] = []
        self.scripts: list[dict[str, str]] = []
        self.handlers: list[tuple[str, str]] = []
        self._open: list[tuple[dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        self.handlers += [(tag, name) for name in given if name.startswith("on")]
        if tag == "script":
            self.scripts.append(given)
        if tag == "a":
            self._open.append((given, []))

    def handle_data(self, data: str) -> None:
        for _attrs, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            given, text = self._open.pop()
            if "href" in given:
                self.anchors.append(Anchor(given["href"], " ".join("".join(text).split()), given))


def parsed(page: str) -> _Anchors:
    reader = _Anchors()
    reader.feed(page)
    reader.close()
    return reader


def anchors(page: str) -> list[Anchor]:
    return parsed(page).anchors


def anchor(page: str, text: str) -> Anchor:
    found = [each for each in anchors(page) if each.text == text]
    assert len(found) == 1, f"links named {text!r}: {found}"
    return found[0]


def as_json(site: Site, href: str) -> Any:
    """The page a link leads to, as JSON (by Accept, as a program would follow it)."""
    answer = site.get(href, headers={"accept": "application/json"})
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


def error_text(page: str) -> tuple[str, str | None]:
    """The message and hint an error page shows."""
    message = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    hint = re.search(r'<p class="hint">(.*?)</p>', page, re.S)
    assert message is not None, page
    return message.group(1), hint.group(1) if hint else None


def rows(text: str) -> list[list[str]]:
    """CSV as rows (the CLI ends its lines in \\n, the download in \\r\\n, as the csv module writes them)."""
    return list(csv.reader(io.StringIO(text)))


def said_by_cli(site: Site, *args: str, expect: int = 2) -> tuple[str, str | None]:
    """The message and hint with which `archive ...` refuses ``args``."""
    said = site.cli(*args, "--home", str(site.home), expect=expect).stderr.splitlines()
    assert said[0].startswith("Error: ") and len(said) <= 2, said
    return said[0].removeprefix("Error: "), said[1].removeprefix("Hint: ") if len(said) > 1 else None


def unescaped(text: str) -> str:
    return html.unescape(text)


# --- every page as HTML and as the CLI's JSON ----------------------------------------------


@pytest.mark.parametrize(
    "path, command",
    [
        ("/search?q=peace", ("search", "peace")),
        ("/search?q=geneva&sort=newest&limit=5", ("search", "geneva", "--sort", "newest", "--limit", "5")),
        ("/search?q=peace&since=2024-03&until=2024-05&page=2&limit=2",
         ("search", "peace", "--since", "2024-03", "--until", "2024-05", "--page", "2", "--limit", "2")),
        ("/search?q=peace&facet=source&facet=year", ("search", "peace", "--facet", "source", "--facet", "year")),
        ("/trend?q=peace&q=geneva", ("trend", "peace", "geneva")),
        ("/trend?q=peace&by=year&normalize=true", ("trend", "peace", "--by", "year", "--normalize")),
        ("/terms?q=peace&limit=7", ("terms", "peace", "--limit", "7")),
        ("/info", ("info",)),
    ],
)  # fmt: skip
def test_each_page_is_the_commands_json_by_its_path_and_by_accept(site: Site, path: str, command: tuple[str, ...]) -> None:
    expected = site.cli_json(*command)
    page, _, query = path.partition("?")
    json_path = f"{page}.json" + (f"?{query}" if query else "")
    assert site.json(json_path) == expected
    assert as_json(site, path) == expected
    shown = site.get(path)
    assert shown.headers["content-type"] == "text/html; charset=utf-8"
    assert shown.text.startswith("<!doctype html>")
    assert site.json(anchor(shown.text, "This page as JSON").href) == expected


def test_the_article_is_show_json_with_its_copies_and_the_most_similar(site: Site) -> None:
    article_id = site.id_of(GENEVA)
    found = site.json(f"/articles/{article_id}.json")
    assert {name: value for name, value in found.items() if name not in ("copies", "similar")} == site.cli_json("show", article_id)
    group = next(group for group in site.cli_json("dupes")["groups"] if group["original"]["id"] == article_id)
    assert found["copies"] == group and [copy["title"] for copy in group["copies"]] == [COPY]
    assert found["similar"] == site.cli_json("similar", article_id, "--limit", "5")["hits"]
    assert as_json(site, f"/articles/{article_id[:6]}") == found  # (a unique prefix, as `show` takes)
    page = site.get(f"/articles/{article_id}").text
    assert f"<h1>{GENEVA}</h1>" in page and "<p>The peace process stalled in Geneva.</p>" in page
    copy = anchor(page.split('<section id="copies"')[1].split("</section>")[0], COPY)
    assert copy.href == f"/articles/{site.id_of(COPY)}"
    assert site.json(copy.href + ".json")["copies"] == group  # the copy's page names the same group
    assert anchor(page, "Anna Petrova").href == "/search?q=author%3A%22Anna+Petrova%22&sort=newest"
    assert anchor(page, "wire").href == "/search?q=source%3A%22wire%22&sort=newest"


def test_an_article_without_copies_says_so(site: Site) -> None:
    found = site.json(f"/articles/{site.id_of('Peace report 3')}.json")
    assert found["copies"] is None
    assert "<p>No near-duplicates.</p>" in site.get(f"/articles/{site.id_of('Peace report 3')}").text


def test_the_empty_pages_are_forms(site: Site) -> None:
    for path in ("/", "/search", "/trend", "/terms"):
        page = site.get(path).text
        assert re.search(r'<input (id="q" )?name="q"[^>]* autofocus>', page), path
        assert "This page as JSON" not in page
    assert site.get("/").text == site.get("/search").text


def test_head_answers_without_a_body(site: Site) -> None:
    answer = site.client.head("/search?q=peace")
    assert (answer.status_code, answer.content) == (200, b"")
    assert answer.headers["content-type"] == "text/html; charset=utf-8"


def test_the_openapi_description_names_every_json_page(site: Site) -> None:
    described = site.json("/openapi.json")
    assert sorted(described["paths"]) == [
        "/articles/{article_id}.json", "/export.csv", "/export.jsonl", "/info.json", "/search.json", "/terms.json",
        "/trend.csv", "/trend.json",
    ]  # fmt: skip


# --- links that lead on ---------------------------------------------------------------------


def test_a_facet_link_narrows_the_search_to_its_count(site: Site) -> None:
    whole = site.json("/search.json?q=peace&facet=source&facet=author")
    first = site.get("/search?q=peace").text
    assert not [each for each in anchors(first) if each.text == "John Smith"]  # (authors are counted when asked)
    page = site.get(anchor(first, "Count authors too").href).text
    for facet, value in (("source", "herald"), ("author", "John Smith"), ("source", "wire"), ("source", "<script>src</script>")):
        count = next(each["count"] for each in whole["facets"][facet] if each["value"] == value)
        link = anchor(page, value)
        narrowed = as_json(site, link.href)
        assert narrowed["query"] == f'peace {facet}:"{value}"'
        assert narrowed["total"] == count < whole["total"]
    # a value the query language cannot hold (a double quote) is shown, not linked
    assert '<li>Eve &#34;&lt;i&gt;quoted&lt;/i&gt;&#34; <span class="count">1</span></li>' in page


def test_did_you_mean_is_a_link_to_the_search_it_means(site: Site) -> None:
    assert site.json("/search.json?q=genevva")["suggestion"] == "geneva"
    page = site.get("/search?q=genevva&sort=newest&page=1").text
    meant = anchor(page, "geneva")
    assert meant.href == "/search?q=geneva&sort=newest"
    found = as_json(site, meant.href)
    assert (found["total"], [(hit["title"], hit["copies"]) for hit in found["hits"]]) == (2, [(COPY, 1)])  # (newest first)


def test_paging_links_walk_every_hit_once(site: Site) -> None:
    everything = [hit["id"] for hit in site.json("/search.json?q=peace&limit=50")["hits"]]
    assert len(everything) == REPORTS + 2  # (the copy folded into its original)
    href: str | None = "/search?q=peace&limit=5"
    seen: list[str] = []
    numbers: list[str] = []
    while href is not None:
        page = site.get(href).text
        seen += [hit["id"] for hit in as_json(site, href)["hits"]]
        numbers.append(re.search(r'<span aria-current="page">(\d+)</span>', page).group(1))  # type: ignore[union-attr]
        following = [each for each in anchors(page) if each.attrs.get("rel") == "next"]
        href = following[0].href if following else None
        assert len(numbers) < 10
    assert seen == everything
    assert numbers == ["1", "2", "3"]
    last = site.get("/search?q=peace&limit=5&page=3").text
    previous = [each for each in anchors(last) if each.attrs.get("rel") == "prev"]
    assert [each.href for each in previous] == ["/search?q=peace&limit=5&page=2"]


@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_each_bar_leads_to_the_search_of_its_period_with_its_count(site: Site, by: str) -> None:
    trend = site.json(f"/trend.json?q=peace&q=geneva&by={by}&since=2024-06-01&until=2024-11-30")
    page = site.get(f"/trend?q=peace&q=geneva&by={by}&since=2024-06-01&until=2024-11-30").text
    bars = [each for each in anchors(page) if each.attrs.get("class", "").startswith("bar ")]
    assert len(bars) == 2 * len(trend["buckets"])
    counted = 0
    for bar in bars:
        said = re.fullmatch(r"(peace|geneva), (.+): (\d+) articles?", bar.attrs["aria-label"])
        assert said is not None, bar.attrs["aria-label"]
        query, _period, count = said.groups()
        if int(count) == 0 and by == "day":
            continue  # (hundreds of empty days: their links are the same as those counted)
        found = as_json(site, bar.href)
        assert (found["query"], found["total"]) == (query, int(count)), bar
        counted += int(count)
    assert counted == sum(sum(series["counts"]) for series in trend["series"]) > 0


def test_the_trend_downloads_are_the_commands_csv_and_json(site: Site) -> None:
    page = site.get("/trend?q=peace&q=geneva&by=year").text
    assert as_json(site, anchor(page, "JSON").href) == site.cli_json("trend", "peace", "geneva", "--by", "year")
    csv_link = anchor(page, "CSV")
    assert "download" in csv_link.attrs
    answer = site.get(csv_link.href)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    said = site.cli("trend", "peace", "geneva", "--by", "year", "--csv", "--home", str(site.home)).stdout
    assert rows(answer.text) == rows(said) and len(rows(said)) == 2


def test_export_streams_every_match(site: Site) -> None:
    articles = site.json("/info.json")["articles"]
    everything = site.get("/export.jsonl")
    assert everything.headers["content-type"] == "application/x-ndjson"
    assert everything.headers["content-disposition"] == 'attachment; filename="archive-export.jsonl"'
    lines = everything.text.splitlines()
    assert len(lines) == articles == REPORTS + 3
    assert [json.loads(line) for line in lines] == [
        json.loads(line) for line in site.cli("export", "--home", str(site.home)).stdout.splitlines()
    ]
    page = site.get("/search?q=geneva").text
    exported = site.get(anchor(page, "JSON Lines").href).text.splitlines()
    assert sorted(json.loads(line)["title"] for line in exported) == [GENEVA, COPY]
    assert sorted(row[1] for row in rows(site.get(anchor(page, "CSV").href).text)[1:]) == [GENEVA, COPY]
    said = site.cli("export", "geneva", "--format", "csv", "--home", str(site.home)).stdout
    assert rows(site.get("/export.csv?q=geneva").text) == rows(said)
    assert site.get("/export.jsonl?q=zebra").text == ""


def test_telling_words_lead_to_searches(site: Site) -> None:
    page = site.get("/terms?q=geneva").text
    words = site.json("/terms.json?q=geneva")["terms"]
    first = words[0]["term"]
    assert as_json(site, anchor(page, first).href)["query"] == f"geneva {first}"


# --- what goes wrong, said as the CLI says it ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["a~5", "p*", "of * of", "x" * 1000 + " y", " AND ".join(["peace"] * 33), '"unclosed', "title:"],
)
def test_a_malformed_query_is_a_400_with_the_clis_one_line(site: Site, query: str) -> None:
    message, hint = said_by_cli(site, "search", query)
    for path in ("/search.json", "/export.jsonl", "/export.csv", "/terms.json"):
        answer = site.client.get(path, params={"q": query})
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json() == {"error": message, "hint": hint, "status": 400}
    page = site.client.get("/search", params={"q": query})
    assert page.status_code == 400 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert tuple(map(unescaped, error_text(page.text))) == (message, hint)
    trend = site.client.get("/trend.json", params={"q": query})
    assert (trend.status_code, trend.json()["error"]) == (400, message)


@pytest.mark.parametrize(
    "url, message",
    [
        ("/search.json?q=peace&limit=101", "limit: Input should be less than or equal to 100"),
        ("/search.json?q=peace&limit=0", "limit: Input should be greater than or equal to 1"),
        ("/search.json?q=peace&page=0", "page: Input should be greater than or equal to 1"),
        ("/search.json?q=peace&page=1001", "page 1001 of 10 hits goes past hit 10,000, the deepest a search pages to"),
        ("/search.json?q=peace&limit=ten", "limit: Input should be a valid integer, unable to parse string as an integer"),
        ("/search.json?q=peace&sort=best", "sort: Input should be 'relevance', 'newest' or 'oldest'"),
        ("/search.json?q=peace&facet=colour", "facet.0: Input should be 'source', 'year', 'month', 'lang' or 'author'"),
        ("/search.json?q=peace&since=someday", None),
        ("/search.json", "give a query: /search.json?q=kursk"),
        ("/trend.json", "give one query or more: /trend.json?q=kursk&q=kharkiv"),
        ("/trend.json?q=peace&by=decade", "by: Input should be 'day', 'week', 'month' or 'year'"),
        ("/terms.json?q=peace&limit=201", "limit: Input should be less than or equal to 200"),
        ("/terms.json", "give a query: /terms.json?q=kursk"),
        ("/search.json?q=" + "x" * 10_001, "q: String should have at most 10000 characters"),
    ],
)
def test_parameters_out_of_bounds_are_a_400_in_one_line(site: Site, url: str, message: str | None) -> None:
    found = site.json(url, 400)
    if message is None:  # as --since refuses it
        message, hint = said_by_cli(site, "search", "peace", "--since", "someday")
        assert (found["error"], found["hint"]) == (message, hint)
    assert (found["status"], found["error"]) == (400, message)


def test_the_page_size_is_capped_in_the_form_too(site: Site) -> None:
    assert site.json("/search.json?q=peace&limit=100")["limit"] == 100
    page = site.get("/search?q=peace&limit=1000", 400).text
    assert error_text(page)[0] == "limit: Input should be less than or equal to 100"


def test_an_unknown_article_is_a_404_page(site: Site) -> None:
    message, hint = said_by_cli(site, "show", "zzzzzzzz", expect=1)
    assert site.json("/articles/zzzzzzzz.json", 404) == {"error": message, "hint": hint, "status": 404}
    page = site.get("/articles/zzzzzzzz", 404).text
    assert "<h1>Not found</h1>" in page and tuple(map(unescaped, error_text(page))) == (message, hint)
    assert site.json("/articles/" + "z" * 65 + ".json", 400)["error"].startswith("article_id: String should have at most 64")


def test_an_unknown_page_is_a_404(site: Site) -> None:
    assert site.json("/nowhere.json", 404) == {
        "error": "no page here", "hint": "the pages are /search, /trend, /terms and /info", "status": 404,
    }  # fmt: skip
    assert error_text(site.get("/nowhere", 404).text) == ("no page here", "the pages are /search, /trend, /terms and /info")
    assert site.get("/static/nothing.css", 404).headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_search_past_its_time_is_a_503(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "0.000001")
    said, _hint = said_by_cli(site, "search", "peace", expect=1)
    assert said == "the search was stopped after 1e-06 seconds"
    for url in ("/search.json?q=peace", "/search.json?q=pe*&sort=newest", "/trend.json?q=peace", "/export.jsonl?q=peace",
                "/terms.json?q=peace"):  # fmt: skip
        answer = site.client.get(url)
        assert (answer.status_code, answer.json()["error"]) == (503, said), url
    page = site.get("/search?q=peace", 503).text
    assert error_text(page)[0] == said and 'name="q" type="search" value="peace"' in page  # (the box keeps the query)
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "30")
    assert site.json("/search.json?q=peace")["total"] == REPORTS + 3


def test_an_article_past_the_time_limit_is_read_without_its_similar_ones(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The article is there to read; the search for the articles like it is a search, stopped on time like any."""
    monkeypatch.setenv("ARCHIVE_SEARCH_SECONDS", "0.000001")
    article = site.get(f"/articles/{site.id_of(GENEVA)}").text
    assert f"<h1>{GENEVA}</h1>" in article
    assert "<p>Not shown: the search was stopped after 1e-06 seconds.</p>" in article
    found = site.json(f"/articles/{site.id_of(GENEVA)}.json")
    assert (found["title"], found["similar"]) == (GENEVA, None)


# --- nothing from an article runs in the page ---------------------------------------------------------


def hostile_pages(site: Site) -> dict[str, str]:
    hostile = site.id_of(HOSTILE_TITLE)
    return {
        url: site.get(url).text
        for url in (
            "/search?q=peace&facet=source&facet=author&limit=50", "/search?q=hostile", f"/articles/{hostile}",
            "/terms?q=hostile", "/trend?q=hostile", f"/articles/{site.id_of(GENEVA)}",
        )
    }  # fmt: skip


def test_nothing_from_an_article_is_markup_in_any_page(site: Site) -> None:
    for url, page in hostile_pages(site).items():
        reader = parsed(page)
        assert [script.get("src") for script in reader.scripts] == ["/static/archive.js"], url
        assert reader.handlers == [], url
        for raw in ("<script>alert", "<img src=x", "<b>bold", "<i>quoted", "<script>src"):
            assert raw not in page, (url, raw)
        assert not any(each.href.lower().lstrip().startswith("javascript:") for each in reader.anchors), url
    article = hostile_pages(site)[f"/articles/{site.id_of(HOSTILE_TITLE)}"]
    assert "<h1>&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Peace &lt;img src=x onerror=alert(1)&gt;</h1>" in article
    assert "<p>&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt; The peace of the hostile article.</p>" in article
    assert '<span class="unlinked">javascript:alert(1)</span>' in article
    assert "javascript:alert(1)" not in [each.href for each in anchors(article)]


def test_what_a_reader_types_is_not_markup_either(site: Site) -> None:
    typed = '"><script>alert(7)</script><img src=x onerror=alert(8)>'
    for path in ("/search", "/trend", "/terms"):
        answer = site.client.get(path, params={"q": typed, "since": typed[:60]})
        assert "<script>alert(7)" not in answer.text and "<img src=x" not in answer.text, (path, answer.status_code)
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
    said = site.client.get("/search.json", params={"q": "peace", "since": typed[:60]})  # (said back in JSON, not HTML)
    assert (said.status_code, said.headers["content-type"]) == (400, "application/json")
    page = site.client.get("/search", params={"q": "<script>alert(7)</script>~5"}).text
    assert "</script>~5" not in page and "the fuzzy term &#39;&lt;/script&gt;~5&#39; allows 5 edits" in page


def test_links_out_of_the_archive_tell_the_site_nothing(site: Site) -> None:
    page = site.get(f"/articles/{site.id_of(GENEVA)}").text
    out = [each for each in anchors(page) if not each.href.startswith(("/", "#"))]
    assert [each.href for each in out] == ["https://wire.example/geneva-talks"]
    assert {"noopener", "noreferrer"} <= set(out[0].attrs["rel"].split())
    assert site.get("/search?q=peace").headers["referrer-policy"] == "no-referrer"


def test_the_snippet_marks_the_words_found_and_nothing_else(site: Site) -> None:
    page = site.get("/search?q=hostile").text
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "<mark>hostile</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


# --- what every response carries -------------------------------------------------------------------------

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    "url, status, host",
    [
        ("/", 200, "127.0.0.1"), ("/search?q=peace", 200, "127.0.0.1"), ("/search.json?q=peace", 200, "127.0.0.1"),
        ("/trend.csv?q=peace", 200, "127.0.0.1"), ("/export.jsonl?q=geneva", 200, "localhost:8000"),
        ("/openapi.json", 200, "127.0.0.1"), ("/static/archive.css", 200, "127.0.0.1"),
        ("/static/archive.js", 200, "127.0.0.1"), ("/static/favicon.svg", 200, "[::1]:8000"),
        ("/search?q=a~5", 400, "127.0.0.1"), ("/search.json?limit=0", 400, "127.0.0.1"),
        ("/articles/zzzzzzzz", 404, "127.0.0.1"), ("/nowhere", 404, "127.0.0.1"),
        ("/", 400, "evil.example"), ("/static/archive.js", 400, "127.0.0.1.evil.example"),
    ],
)  # fmt: skip
def test_every_response_carries_the_security_headers(site: Site, url: str, status: int, host: str) -> None:
    answer = site.get(url, status, headers={"host": host})
    assert {name: answer.headers.get(name) for name in HEADERS} == HEADERS
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY


def test_static_files_are_served_by_the_app(site: Site) -> None:
    page = site.get("/search?q=peace").text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert sorted(assets) == ["/static/archive.css", "/static/archive.js", "/static/favicon.svg"]
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)  # nothing from elsewhere: it works offline
    types = {asset: site.get(asset).headers["content-type"] for asset in assets}
    assert types == {
        "/static/archive.css": "text/css; charset=utf-8", "/static/archive.js": "text/javascript; charset=utf-8",
        "/static/favicon.svg": "image/svg+xml",
    }  # fmt: skip


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "", "localhost.evil"])
def test_a_server_on_loopback_answers_only_to_its_own_names(site: Site, host: str) -> None:
    answer = site.client.get("/search.json?q=peace", headers={"host": host})
    assert (answer.status_code, answer.text) == (400, "This server answers only to localhost or 127.0.0.1.\n")


def test_testclients_default_host_is_refused_too(site: Site) -> None:
    with TestClient(create_app(site.config)) as client:  # (Host: testserver)
        assert client.get("/info.json").status_code == 400


# --- the token --------------------------------------------------------------------------------------------

TOKEN = "s3cret-token_0123456789"
REFUSED = (
    "This archive needs its token: open the link `archive serve` printed (it ends in ?token=...), "
    "or send Authorization: Bearer TOKEN.\n"
)


@pytest.fixture(scope="module")
def guarded(site: Site) -> Iterator[TestClient]:
    """The module's archive served to other machines: every request must carry the token."""
    with TestClient(create_app(site.config, token=TOKEN, loopback_only=False), base_url="http://archive.example") as client:
        yield client


def test_without_the_token_nothing_is_answered(guarded: TestClient) -> None:
    for url in ("/", "/search.json?q=peace", "/static/archive.css", "/openapi.json", "/nowhere"):
        answer = guarded.get(url)
        assert (answer.status_code, answer.text) == (401, REFUSED), url
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for wrong in ("Bearer wrong-token-0123456789", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN[:-1]}"):
        assert guarded.get("/info.json", headers={"authorization": wrong}).status_code == 401, wrong
    assert guarded.get("/info.json?token=wrong-token-0123456789").status_code == 401
    assert guarded.get("/info.json", cookies={"archive_token": "wrong"}).status_code == 401


def test_a_bearer_token_opens_every_page(guarded: TestClient) -> None:
    bearer = {"authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/search.json?q=peace", headers=bearer).json()["total"] == REPORTS + 3
    assert guarded.get("/static/archive.css", headers=bearer).status_code == 200
    assert guarded.get("/info.json", headers={"authorization": f"bearer {TOKEN}"}).status_code == 200


def test_the_token_in_a_link_becomes_a_cookie_and_leaves_the_address(guarded: TestClient) -> None:
    guarded.cookies.clear()
    answer = guarded.get(f"/search?q=peace&token={TOKEN}&sort=newest", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/search?q=peace&sort=newest"
    assert answer.headers["set-cookie"] == f"archive_token={TOKEN}; Path=/; HttpOnly; SameSite=Lax"
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    followed = guarded.get(answer.headers["location"])
    assert followed.status_code == 200 and "Peace report" in followed.text
    assert guarded.get("/info.json").status_code == 200  # the cookie goes with every request now
    guarded.cookies.clear()
    assert guarded.get("/info.json").status_code == 401
    assert guarded.get(f"/?token={TOKEN}", follow_redirects=False).headers["location"] == "/"
    guarded.cookies.clear()
    assert guarded.head(f"/info?token={TOKEN}", follow_redirects=False).status_code == 303
    posted = guarded.post(f"/search.json?token={TOKEN}")  # (only a page's GET is sent on: a POST is answered as it is)
    assert posted.status_code == 405
    guarded.cookies.clear()


def test_a_token_in_a_link_wins_over_an_old_cookie(guarded: TestClient) -> None:
    """A browser keeps the cookie of an earlier run (another token); the new link must still open the archive."""
    for old in ("old-token-0123456789", TOKEN):
        guarded.cookies.clear()
        guarded.cookies.set("archive_token", old)
        answer = guarded.get(f"/search?q=peace&token={TOKEN}", follow_redirects=False)
        assert answer.status_code == 303, old
        assert answer.headers["location"] == "/search?q=peace"
        assert answer.headers["set-cookie"] == f"archive_token={TOKEN}; Path=/; HttpOnly; SameSite=Lax"
    guarded.cookies.clear()


def test_with_a_token_any_host_is_answered(guarded: TestClient) -> None:
    answer = guarded.get("/info.json", headers={"authorization": f"Bearer {TOKEN}", "host": "192.0.2.7:8000"})
    assert answer.status_code == 200


# --- while an ingest runs ------------------------------------------------------------------------------------


def test_pages_keep_answering_while_an_ingest_runs(archive, archive_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each answer comes, whole, with what the ingest has committed: its counts only grow."""
    archive("ingest", make_collection(tmp_path / "first", 10))
    more = 160
    folder = make_collection(tmp_path / "more", more, first=10)
    with TestClient(create_app(resolve_config()), base_url="http://127.0.0.1") as client:
        article = f"/articles/{client.get('/search.json?q=zqx3').json()['hits'][0]['id']}"
        found: list[int] = []
        stored: list[int] = []
        ingest = ingest_process(archive_home, folder)  # (four commits, then the index's own)
        try:
            while ingest.poll() is None:
                for url in ("/search?q=council", "/trend.json?q=council", article):
                    answer = client.get(url)
                    assert answer.status_code == 200, (url, answer.text)
                found.append(client.get("/search.json?q=council&limit=1").json()["total"])
                stored.append(client.get("/info.json").json()["articles"])
                assert len(found) < 10_000
                time.sleep(0.01)  # (leave the ingest a core)
        finally:
            _, errors = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, errors
        assert found == sorted(found) and stored == sorted(stored), (found, stored)
        assert found[0] >= 10 and stored[0] >= 10
        # Some answers came while it ran, after it had committed articles (its commits take a moment; what follows
        # them, its index's commit and its ending, takes longer).
        assert any(count > 10 for count in stored), stored
        assert client.get("/search.json?q=council").json()["total"] == 10 + more
        assert client.get(f"/search.json?q=zqx{9 + more}").json()["total"] == 1
        assert client.get("/info.json").json()["articles"] == 10 + more


def test_the_export_of_a_dated_search_holds_what_the_search_counts(site: Site) -> None:
    page = site.get("/search?q=peace&since=2024-02&until=2024-04").text
    counted = site.json("/search.json?q=peace&since=2024-02&until=2024-04")["total"]
    exported = [json.loads(line) for line in site.get(anchor(page, "JSON Lines").href).text.splitlines()]
    assert 0 < len(exported) == counted < site.json("/search.json?q=peace")["total"]
    assert all("2024-02" <= line["date_publish"][:7] <= "2024-04" for line in exported)
    assert len(rows(site.get(anchor(page, "CSV").href).text)) == counted + 1
    [to_trend] = [each for each in anchors(page) if each.text == "Attention over time" and "?" in each.href]
    assert sum(as_json(site, to_trend.href)["series"][0]["counts"]) == counted


def test_a_chart_too_big_to_draw_is_a_400_that_says_what_to_do(site: Site) -> None:
    page = site.get("/trend?q=peace&q=report&by=day&since=2020-01-01&until=2024-12-31", 400).text
    assert error_text(page) == (
        "the chart would have 3,654 bars; a page draws at most 2,000",
        "count per a longer period (week, month, year) or over fewer dates; the CSV and JSON hold every one",
    )
    assert len(site.json("/trend.json?q=peace&q=report&by=day&since=2020-01-01&until=2024-12-31")["buckets"]) == 1827


def test_a_server_error_is_a_page_with_the_security_headers(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarchive.archive import Archive

    def broken(_archive: Archive) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Archive, "info", broken)
    client = TestClient(site.client.app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    for url, kind in (("/info", "text/html; charset=utf-8"), ("/info.json", "application/json")):
        answer = client.get(url)
        assert (answer.status_code, answer.headers["content-type"]) == (500, kind)
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_method_not_allowed_says_which_are(site: Site) -> None:
    answer = site.client.post("/search.json?q=peace")
    assert (answer.status_code, answer.headers["allow"], answer.json()["status"]) == (405, "GET", 405)
