"""`archive serve` in a real browser: what a reader does with the mouse and the keyboard, and sees.

Each test is a reader's errand on the pages of ``served`` (tests/browser/conftest.py): search and see
the matched words marked, narrow by a facet, read an article, follow a copy, draw a chart and open
a bar, page through results, do it all with the keyboard, and read a hostile article without any
of its script running. Every step leaves a full-page screenshot in the artefacts folder, and no
page may log an error to the console (a missing asset, a violation of the Content-Security-Policy,
a script's exception).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from browser.conftest import (
    COPIED,
    FAILED,
    HOSTILE_AUTHOR,
    HOSTILE_BODY,
    HOSTILE_TITLE,
    HOSTILE_URL,
    HOSTILE_WORD,
    TIMEOUT_MS,
    VIEWPORT,
    Served,
)

#: Every control a reader can reach has a name a screen reader says, every image a text, every link words.
UNNAMED = """() => {
  const named = (e) => (e.labels && e.labels.length && [...e.labels].some(l => l.textContent.trim()))
    || (e.getAttribute('aria-label') || '').trim() || e.getAttribute('aria-labelledby') || (e.title || '').trim();
  const shown = (e) => e.getClientRects().length > 0 && e.type !== 'hidden';
  const said = [];
  for (const e of document.querySelectorAll('input, select, textarea')) if (shown(e) && !named(e)) said.push(e.outerHTML);
  for (const e of document.querySelectorAll('button, a[href]'))
    if (!(e.textContent.trim() || (e.getAttribute('aria-label') || '').trim())) said.push(e.outerHTML);
  for (const e of document.querySelectorAll('img:not([alt]), svg[role="img"]:not([aria-label]):not([aria-labelledby])')) said.push(e.outerHTML);
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  for (const id of new Set(ids.filter((id, at) => ids.indexOf(id) !== at))) said.push('id used twice: ' + id);
  return said;
}"""
#: Run in every page before its own scripts: what would show that something ran or was refused.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Reader:
    """A reader at one browser tab: each step a page to look at, screenshotted, with nothing gone wrong."""

    def __init__(self, page: Any, served: Served, folder: Path, name: str, problems: list[str], dialogs: list[str]) -> None:
        self.page = page
        self.served = served
        self.folder = folder
        self.name = name
        self.problems = problems
        self.dialogs = dialogs
        self.steps = 0

    def open(self, path: str) -> Any:
        answer = self.page.goto(self.served.at(path))
        assert answer is not None and answer.status == 200, f"{path}: {answer and answer.status}"
        return answer

    def saw(self, label: str, *, screenshot: bool = True) -> None:
        """Screenshot the page as it is now (unless another step has it), and check that nothing went wrong on it
        so far."""
        self.page.wait_for_load_state()
        if screenshot:  # (~0.2 s each, the most of what a step costs)
            self.steps += 1
            self.page.screenshot(path=str(self.folder / f"{self.name}-{self.steps:02d}-{label}.png"), full_page=True)
        violations = self.page.evaluate("window.__violations || []")
        assert not violations, f"{label}: Content-Security-Policy violations at {self.page.url}: {violations}"
        assert not self.problems, f"{label}: at {self.page.url}: {self.problems}"
        assert not self.dialogs, f"{label}: a script opened dialogs at {self.page.url}: {self.dialogs}"
        unnamed = self.page.evaluate(UNNAMED)
        assert not unnamed, f"{label}: at {self.page.url}, without a name or text: {unnamed}"

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def heading(self) -> str:
        return " ".join(self.page.locator("h2#found").inner_text().split())

    def total(self) -> int:
        found = re.match(r"([\d,]+) articles? match", self.heading())
        assert found, self.heading()
        return int(found.group(1).replace(",", ""))

    def hit_titles(self) -> list[str]:
        return self.page.locator("li.hit h3 a").all_inner_texts()


def _watched_tab(context: Any) -> tuple[Any, list[str], list[str]]:
    """A tab of ``context`` whose console errors, script exceptions, failed requests and dialogs are kept."""
    problems: list[str] = []
    dialogs: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    # (net::ERR_ABORTED is a request the next navigation cancelled, such as the favicon of a page left at once;
    # an asset that is not there answers 404, which the response and the console say)
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url} {request.failure}") if request.failure != "net::ERR_ABORTED" else None,
    )
    page.on("response", lambda answer: problems.append(f"{answer.status} for {answer.url}") if answer.status >= 400 else None)

    def dialog(shown: Any) -> None:
        dialogs.append(f"{shown.type}: {shown.message}")
        shown.dismiss()

    page.on("dialog", dialog)
    return page, problems, dialogs


@pytest.fixture(scope="module")
def tab(browser: Any, served: Served) -> Iterator[tuple[Any, list[str], list[str]]]:
    """One tab for the module's tests, the pages' Content-Security-Policy in force."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(WATCH)
    yield _watched_tab(context)
    context.close()


@pytest.fixture
def reader(request: pytest.FixtureRequest, tab: tuple[Any, list[str], list[str]], served: Served, artifacts: Path) -> Iterator[Reader]:
    page, problems, dialogs = tab
    problems.clear()
    dialogs.clear()
    page.goto("about:blank")
    reader = Reader(page, served, artifacts, request.node.name.removeprefix("test_"), problems, dialogs)
    yield reader
    if request.node.stash.get(FAILED, False):  # (the page as it was when the test failed, for CI's artefacts)
        page.screenshot(path=str(artifacts / f"{reader.name}-failed.png"), full_page=True)


def _record(served: Served, name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((served.corpus.folder / name).read_text(encoding="utf-8"))
    return record


# --- searching ----------------------------------------------------------------------------------


def test_type_a_query_and_see_the_matched_words_marked(reader: Reader, served: Served) -> None:
    page = reader.page
    reader.open("/")
    box = page.get_by_role("searchbox", name="Query")
    assert box.evaluate("box => box === document.activeElement"), "the empty search page puts the cursor in its box"
    reader.saw("empty")
    box.press_sequentially("kursk")
    box.press("Enter")
    page.wait_for_url("**/search?*")
    assert reader.query["q"] == ["kursk"]
    assert reader.total() == served.corpus.counts["kursk"]
    assert page.title() == "kursk · newsarchive"
    assert len(reader.hit_titles()) == 10
    for hit in page.locator("li.hit").all():
        marks = hit.locator("p.snippet mark").all_inner_texts()
        assert marks and {mark.lower() for mark in marks} == {"kursk"}, hit.inner_text()
    assert page.get_by_role("searchbox", name="Query").input_value() == "kursk"
    reader.saw("hits")


def test_a_malformed_query_is_said_and_kept_to_mend(reader: Reader) -> None:
    page = reader.page
    reader.open("/search?q=kursk")
    box = page.get_by_role("searchbox", name="Query")
    box.fill('"air defences')
    box.press("Enter")
    page.wait_for_url("**defences*")
    # (the page answers 400, which the browser logs: that much is expected, nothing else)
    assert len(reader.problems) == 2 and all("400" in problem for problem in reader.problems), reader.problems
    reader.problems.clear()
    assert "quote" in page.get_by_role("alert").inner_text()
    box = page.get_by_role("searchbox", name="Query")
    assert box.input_value() == '"air defences'
    reader.saw("said")
    box.press("End")
    box.press_sequentially('"')
    box.press("Enter")
    page.wait_for_url("**defences%22*")
    assert reader.query["q"] == ['"air defences"'] and reader.total() > 0
    marks = page.locator("li.hit p.snippet mark").all_inner_texts()
    assert {mark.lower() for mark in marks} == {"air", "defences"}, marks
    reader.saw("mended")


def test_narrow_by_a_facet(reader: Reader) -> None:
    page = reader.page
    reader.open("/search?q=kursk")
    before = reader.total()
    facets = page.get_by_role("complementary", name="Narrow the search")
    sources = facets.locator("section").filter(has=page.get_by_role("heading", name="Source", exact=True))
    first = sources.get_by_role("listitem").first
    source = first.get_by_role("link").inner_text()
    count = int(first.locator(".count").inner_text().replace(",", ""))
    assert 0 < count < before
    reader.saw("before")
    first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"source"))
    assert reader.query["q"] == [f'kursk source:"{source}"'], reader.query
    assert reader.total() == count
    sources_shown = set(page.locator("li.hit .source").all_inner_texts())
    assert sources_shown == {source}
    titles = reader.hit_titles()
    heading = reader.heading()
    reader.saw("narrowed")
    page.reload()
    assert reader.heading() == heading and reader.hit_titles() == titles
    reader.saw("reloaded")


def test_open_an_article(reader: Reader, served: Served) -> None:
    page = reader.page
    record = _record(served, "kharkiv-03.json")
    reader.open("/search?q=" + "streets kharkiv")
    page.get_by_role("link", name=record["title"], exact=True).click()
    page.wait_for_url("**/articles/*")
    assert page.get_by_role("heading", level=1).inner_text() == record["title"]
    assert page.title() == f"{record['title']} · newsarchive"
    facts = page.locator("dl.facts")
    published = facts.locator("dt:text-is('Published') + dd")
    written = record["date_publish"]
    assert f"as written: “{written}”" in published.inner_text()
    # (written at +03:00: three hours earlier in UTC)
    moment = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):00\+03:00", written)
    assert moment
    year, month, day, hour, minute = map(int, moment.groups())
    shown_utc = published.locator("time").get_attribute("datetime")
    assert shown_utc is not None and shown_utc.endswith("+00:00") and f"in UTC {shown_utc}" in published.inner_text()
    from datetime import datetime, timedelta, timezone

    local = datetime(year, month, day, hour, minute, tzinfo=timezone(timedelta(hours=3)))
    assert datetime.fromisoformat(shown_utc) == local
    assert published.locator("time").inner_text() == local.strftime("%Y-%m-%d %H:%M:%S +03:00")
    assert facts.locator("dt:text-is('Source') + dd").inner_text().startswith(record["source"])
    assert facts.locator("dt:text-is('Author') + dd").inner_text() == record["authors"][0]
    url = facts.locator("dt:text-is('URL') + dd a")
    assert url.get_attribute("href") == record["url"] and url.inner_text() == record["url"]
    files = facts.locator("dt:text-is('Ingested from') + dd li").all_inner_texts()
    assert files == [f"{served.corpus.folder / 'kharkiv-03.json'} [{record['url']}]"]  # (the file, and the item in it)
    assert page.locator("p.lede").inner_text() == record["description"]
    assert page.locator(".body p").all_inner_texts() == record["maintext"].split("\n")
    reader.saw("article")
    facts.locator("dt:text-is('Source') + dd a").click()  # (the source's link: its articles, newest first)
    page.wait_for_url("**/search?*")
    assert reader.query["q"] == [f'source:"{record["source"]}"']
    assert set(page.locator("li.hit .source").all_inner_texts()) == {record["source"]}
    reader.saw("same-source")


def test_follow_a_copy(reader: Reader) -> None:
    page = reader.page
    reader.open("/search?q=" + quote('"months under fire"'))
    assert len(reader.hit_titles()) == 1  # (the copy folded into its hit)
    hit = page.locator("li.hit").filter(has=page.get_by_role("link", name="+1 copy"))
    assert hit.count() == 1
    first_title = hit.locator("h3 a").inner_text()
    assert first_title in (COPIED["title"], COPIED["copy_title"])
    reader.saw("hit-with-copy")
    hit.get_by_role("link", name="+1 copy").click()
    page.wait_for_url("**/articles/*#copies")
    assert page.get_by_role("heading", level=1).inner_text() == first_title
    copies = page.get_by_role("region", name="Copies")
    assert copies.get_by_role("listitem").count() == 2
    this = copies.get_by_role("listitem").filter(has=page.locator("strong", has_text=first_title))
    assert this.locator("strong").inner_text() == first_title and "(this article)" in this.inner_text()
    reader.saw("copies")
    other = copies.get_by_role("link")
    assert other.count() == 1
    first_url = page.url
    other.click()
    page.wait_for_url(lambda url: url != first_url and "/articles/" in url)
    second_title = page.get_by_role("heading", level=1).inner_text()
    assert {first_title, second_title} == {COPIED["title"], COPIED["copy_title"]}
    copies = page.get_by_role("region", name="Copies")
    assert copies.get_by_role("link").inner_text() == first_title
    alike = copies.get_by_role("listitem").all_inner_texts()
    assert any("original" in item for item in alike) and any("alike" in item for item in alike), alike
    reader.saw("the-other")


# --- attention over time -------------------------------------------------------------------------


def test_draw_a_chart_of_two_queries_and_open_a_bar(reader: Reader) -> None:
    page = reader.page
    reader.open("/trend")
    reader.saw("empty")
    page.get_by_label("Query 1").fill("kursk")
    page.get_by_label("Query 2").fill("kharkiv")
    page.get_by_label("Per").select_option("year")
    page.get_by_role("button", name="Draw").click()
    page.wait_for_url("**/trend?*")
    assert reader.query["q"] == ["kursk", "kharkiv"] and reader.query["by"] == ["year"]
    chart = page.get_by_role("img", name=re.compile("Articles per year matching kursk, kharkiv"))
    labels = chart.locator("a.bar").evaluate_all("bars => bars.map(bar => bar.getAttribute('aria-label'))")
    parsed = [re.fullmatch(r"(\w+), (\d{4}): (\d+) articles?", label) for label in labels]
    assert all(parsed), labels
    bars = {(found.group(1), found.group(2)): int(found.group(3)) for found in parsed if found}
    assert {query for query, _year in bars} == {"kursk", "kharkiv"}
    assert {year for _query, year in bars} == {"2022", "2023", "2024"}
    assert all(count > 0 for count in bars.values())
    legend = page.locator("figure.chart .legend li").all_inner_texts()
    assert [item.strip() for item in legend] == ["kursk", "kharkiv"]
    reader.saw("chart")
    (query, year), count = max(bars.items(), key=lambda item: item[1])
    chart.get_by_role("link", name=f"{query}, {year}: {count} articles").click()
    page.wait_for_url("**/search?*")
    assert reader.query["q"] == [query]
    assert reader.query["since"] == [f"{year}-01-01"] and reader.query["until"] == [f"{year}-12-31"]
    assert reader.total() == count
    dates = page.locator("li.hit time").evaluate_all("times => times.map(time => time.getAttribute('datetime'))")
    assert dates == sorted(dates) and all(date.startswith(year) for date in dates), dates  # (oldest first)
    reader.saw("bar-opened")


# --- paging --------------------------------------------------------------------------------------


def test_page_through_results(reader: Reader, served: Served) -> None:
    page = reader.page
    total = served.corpus.counts["kursk"]
    reader.open("/search?q=kursk")
    paging = page.get_by_role("navigation", name="Result pages")

    def current() -> str:
        return paging.locator("[aria-current='page']").inner_text()

    assert current() == "1"
    assert paging.get_by_role("link").all_inner_texts() == ["2", "3", "Next →"]
    first = reader.hit_titles()
    reader.saw("page-1")
    paging.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2*")
    assert current() == "2" and "page 2 of 3" in reader.heading()
    assert page.locator("ol.hits").get_attribute("start") == "11"
    second = reader.hit_titles()
    assert len(second) == 10 and not set(second) & set(first)
    reader.saw("page-2")
    paging.get_by_role("link", name="3", exact=True).click()
    page.wait_for_url("**page=3*")
    assert current() == "3"
    assert paging.get_by_role("link").all_inner_texts() == ["← Previous", "1", "2"]
    third = reader.hit_titles()
    assert len(third) == total - 20
    reader.saw("page-3")
    paging.get_by_role("link", name="← Previous").click()
    page.wait_for_url("**page=2*")
    assert current() == "2" and reader.hit_titles() == second
    reader.saw("back-to-2")
    paging.get_by_role("link", name="1", exact=True).click()
    page.wait_for_url(lambda url: "page=" not in url or "page=1" in url)
    assert current() == "1" and reader.hit_titles() == first
    assert len(first) + len(second) + len(third) == total
    reader.open("/search?q=kursk&page=999")  # (an old link, or a hand-edited address)
    assert reader.hit_titles() == []
    page.get_by_role("link", name="Go to page 3").click()
    page.wait_for_url("**page=3*")
    assert current() == "3" and reader.hit_titles() == third
    reader.saw("past-the-last-page")


# --- the keyboard alone --------------------------------------------------------------------------


def _focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(
        """() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: (e.innerText || e.value || '').trim(),
                type: e.type || '', href: e.getAttribute('href') || '', inHit: !!e.closest('li.hit')}; }"""
    ))


def test_the_keyboard_alone(reader: Reader) -> None:
    page = reader.page
    keyboard = page.keyboard
    reader.open("/search?q=kursk")
    keyboard.press("Tab")
    focused = _focused(page)
    assert focused["cls"] == "skip" and focused["text"] == "Skip to content", focused
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link shows when it has the focus"
    reader.saw("skip-link")
    keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    keyboard.press("Tab")
    assert _focused(page)["id"] == "q"
    keyboard.press("Control+A")
    keyboard.type("kharkiv power")
    keyboard.press("Tab")
    focused = _focused(page)
    assert focused["tag"] == "button" and focused["text"] == "Search", focused
    reader.saw("typed")
    keyboard.press("Enter")
    page.wait_for_url("**q=kharkiv+power*")
    assert reader.total() > 0
    for _ in range(40):  # the box, its button, the options, the actions, then the hits
        keyboard.press("Tab")
        focused = _focused(page)
        if focused["inHit"]:
            break
    assert focused["inHit"] and focused["href"].startswith("/articles/"), focused
    title = focused["text"]
    reader.saw("hit-focused")
    keyboard.press("Enter")
    page.wait_for_url("**/articles/*")
    assert page.get_by_role("heading", level=1).inner_text() == title
    reader.saw("article")
    reader.open("/search?q=kursk")
    assert _focused(page)["tag"] == "body"
    keyboard.press("/")
    focused = _focused(page)
    assert focused["id"] == "q", focused
    assert page.evaluate("() => document.activeElement.selectionStart === 0 && document.activeElement.selectionEnd === 5")
    assert page.locator("#q").input_value() == "kursk", "the slash is not typed into the box"
    keyboard.type("kharkiv")
    keyboard.press("Enter")
    page.wait_for_url("**q=kharkiv*")
    assert reader.query["q"] == ["kharkiv"]
    reader.saw("slash-search")
    reader.open("/trend?q=kursk&q=kharkiv&by=year")
    for _ in range(30):  # the header, the form, then the chart's bars: links too
        keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "a" and focused["href"].startswith("/search?"):
            break
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    found = re.fullmatch(r"kursk, (\d{4}): (\d+) articles?", label or "")
    assert found, focused
    reader.saw("bar-focused")
    keyboard.press("Enter")
    page.wait_for_url("**/search?*")
    assert reader.query["since"] == [f"{found.group(1)}-01-01"] and reader.total() == int(found.group(2))


# --- links ---------------------------------------------------------------------------------------


def test_every_link_leads_somewhere(reader: Reader) -> None:
    """Each link of the archive's own on the pages a reader passes through answers, none with an error."""
    page = reader.page
    article = reader.page.request.get(reader.served.at("/search.json?q=kursk&limit=1")).json()["hits"][0]["id"]
    shown_elsewhere = ["/search?q=kursk", "/search?q=kursk&page=2", f"/articles/{article}", "/trend?q=kursk&q=kharkiv&by=year"]
    links: dict[str, str] = {}
    for path in [*shown_elsewhere, "/terms?q=kursk", "/info"]:
        reader.open(path)
        reader.saw(path.strip("/").split("?")[0].replace("/", "-"), screenshot=path not in shown_elsewhere)
        hrefs = page.locator("a[href]").evaluate_all("links => links.map(link => new URL(link.getAttribute('href'), document.baseURI).href)")
        for href in hrefs:
            if href.startswith(reader.served.url):
                links.setdefault(href.split("#")[0], path)
    assert len(links) > 50
    broken = []
    for href, where in links.items():
        answer = page.request.get(href)
        if answer.status != 200:
            broken.append(f"{href} (on {where}): {answer.status}")
    assert not broken, broken


# --- a hostile article -------------------------------------------------------------------------

#: The pages that show the hostile article's fields, or a hostile query.
HOSTILE_QUERY = "\"<script>window.__pwned='trend'</script>\""


def _hostile_pages(served: Served, article_id: str) -> list[tuple[str, str]]:
    return [
        ("search", "/search?" + urlencode({"q": HOSTILE_WORD})),
        ("search-hostile-query", "/search?" + urlencode({"q": "<script>alert(1)</script>"})),
        ("article", f"/articles/{article_id}"),
        ("trend", "/trend?" + urlencode([("q", HOSTILE_WORD), ("q", HOSTILE_QUERY), ("by", "year")])),
        ("terms", "/terms?" + urlencode({"q": HOSTILE_WORD})),
    ]


def _hostile_id(reader: Reader) -> str:
    answer = reader.page.request.get(reader.served.at(f"/search.json?q={HOSTILE_WORD}"))
    hits = answer.json()["hits"]
    assert len(hits) == 1 and hits[0]["title"] == HOSTILE_TITLE
    return str(hits[0]["id"])


def _nothing_ran(page: Any, where: str) -> None:
    assert page.evaluate("window.__pwned") is None, f"{where}: a script of the article ran"
    assert page.locator("main img, main svg:not([role='img']), main script").count() == 0, f"{where}: markup of the article"
    assert page.locator("a[href^='javascript:' i]").count() == 0, f"{where}: a javascript: link"
    assert page.locator("[onerror], [onload], [onmouseover]").count() == 0, f"{where}: an event handler attribute"


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(browser: Any, served: Served, artifacts: Path) -> None:
    """With the Content-Security-Policy switched off in the browser, the escaping alone must keep every script
    of the article and of a query from running: each shows as the characters it is."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(WATCH)
    try:
        page, problems, dialogs = _watched_tab(context)
        reader = Reader(page, served, artifacts, "hostile_without_csp", problems, dialogs)
        article_id = _hostile_id(reader)
        for label, path in _hostile_pages(served, article_id):
            reader.open(path)
            page.locator("main").hover()  # (an onmouseover would fire)
            _nothing_ran(page, label)
            reader.saw(label)
            if label == "search":
                assert reader.hit_titles() == [HOSTILE_TITLE]
                assert "<script>window.__pwned = 'body'" in page.locator("li.hit p.snippet").inner_text()
                assert page.locator("li.hit .source").inner_text() == "<i>Hostile</i> Gazette"
            if label == "search-hostile-query":
                assert page.get_by_role("searchbox", name="Query").input_value() == "<script>alert(1)</script>"
                marks = page.locator("li.hit p.snippet mark").all_inner_texts()
                assert {mark.lower() for mark in marks} >= {"script"}, marks
            if label == "article":
                assert page.get_by_role("heading", level=1).inner_text() == HOSTILE_TITLE
                assert page.title() == f"{HOSTILE_TITLE} · newsarchive"
                assert page.locator(".body p").all_inner_texts() == HOSTILE_BODY
                facts = page.locator("dl.facts")
                url = facts.locator("dt:text-is('URL') + dd")
                assert url.inner_text() == HOSTILE_URL and url.get_by_role("link").count() == 0
                assert facts.locator("dt:text-is('Author') + dd").inner_text() == HOSTILE_AUTHOR
            if label == "trend":
                legend = page.locator("figure.chart .legend li").all_inner_texts()
                assert [item.strip() for item in legend] == [HOSTILE_WORD, HOSTILE_QUERY], legend
                assert page.get_by_label("Query 2").input_value() == HOSTILE_QUERY
                assert page.get_by_role("img", name=re.compile("matching")).get_by_role("link").count() == 2
        assert not dialogs
    finally:
        context.close()


def test_the_hostile_pages_under_their_content_security_policy(reader: Reader) -> None:
    """As a reader's browser has them: the policy in every answer, nothing refused (nothing even tried)."""
    page = reader.page
    article_id = _hostile_id(reader)
    for label, path in _hostile_pages(reader.served, article_id):
        answer = reader.open(path)
        policy = answer.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "default-src 'none'" in policy, policy
        assert answer.header_value("x-content-type-options") == "nosniff"
        page.locator("main").hover()
        _nothing_ran(page, label)
        reader.saw(label)
