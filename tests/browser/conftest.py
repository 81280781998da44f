"""What the browser tests share: an archive of made-up news, `archive serve` over it, and Chromium.

The archive is made once for the module by a real `archive ingest` of news-please JSON files:
stories on a few subjects from 2019 to 2024 by four sources and five authors, some of them
republished by another source with a line added (near-duplicate copies), and one hostile article
whose title, body, author and URL hold markup and script. The server is the real `archive serve
--port 0`, a process of its own, stopped at the end with SIGINT as a user's Ctrl-C stops it.

The browser is the distribution's Chromium (/usr/bin/chromium) driven by Playwright, which never
downloads a browser of its own here. Where Playwright or Chromium cannot be had the tests are
skipped, saying why; with NEWSARCHIVE_REQUIRE_BROWSER=1 (as CI sets it) they fail instead.

This folder is a package (``browser``), so that this conftest.py is the module ``browser.conftest``
and does not shadow tests/conftest.py, which the other layers import as ``conftest``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

from conftest import Cli

REPO = Path(__file__).resolve().parents[2]
#: Chromium's flags on a machine with no screen, no GPU and a closed network (its own calls home refused).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 800}
#: How long a page may take to answer, in ms (a busy 2-core machine: generous, never waited out when all is well).
TIMEOUT_MS = 15_000

# --- the archive ---------------------------------------------------------------------

SOURCES = [
    ("Daily Courier", "dailycourier.example"),
    ("Morning Post", "morningpost.example"),
    ("Evening Herald", "eveningherald.example"),
    ("Wire Service", "wire.example"),
]
AUTHORS = ["Anna Petrova", "James Holt", "Maria Kowalska", "Tom Baker", "Li Wei"]
#: Each subject: the years it is written about, how many stories, headlines and sentences to draw from.
SUBJECTS: dict[str, dict[str, Any]] = {
    "kursk": {
        "years": [2022, 2023, 2024, 2024, 2024],
        "stories": 26,
        "titles": [
            "Kremlin rules out talks until Kursk is retaken",
            "Ukrainian troops push deeper into the Kursk region",
            "Evacuations ordered in villages near Kursk",
            "Kursk offensive reshapes the front, analysts say",
            "Moscow sends reinforcements to the Kursk border",
            "Kursk governor warns of further drone attacks",
            "Diplomats see no talks while fighting in Kursk goes on",
        ],
        "sentences": [
            "Ukrainian forces crossed into the Kursk region and took control of several villages.",
            "The Kremlin said there would be no negotiations while troops remained on Russian soil.",
            "Residents of border villages near Kursk were moved to temporary shelters.",
            "Military analysts said the Kursk offensive had forced Moscow to move units from the east.",
            "A senior official in Kursk said air defences had shot down drones overnight.",
            "Diplomats in Brussels said they did not expect any movement before the new year.",
            "Satellite images showed damage to a bridge over the Seym river in the Kursk region.",
            "The governor of Kursk said schools near the border would stay closed.",
        ],
    },
    "kharkiv": {
        "years": [2022, 2022, 2023, 2024],
        "stories": 16,
        "titles": [
            "Power cuts in Kharkiv after overnight strikes",
            "Kharkiv rebuilds its metro stations as schools",
            "Shelling damages Kharkiv's power grid again",
            "Life returns to the streets of Kharkiv",
        ],
        "sentences": [
            "Engineers in Kharkiv worked through the night to restore power to the city.",
            "The mayor of Kharkiv said several districts were without heating.",
            "Children in Kharkiv have been taught in metro stations for months.",
            "Shops and cafes in the centre of Kharkiv reopened after the shelling eased.",
            "Repair crews said the power grid around Kharkiv had been hit more than a dozen times.",
        ],
    },
    "flood": {
        "years": [2019, 2020, 2021, 2023, 2024],
        "stories": 14,
        "titles": [
            "Storm brings flooding to coastal towns",
            "River bursts its banks after a week of rain",
            "Flood defences hold as the tide peaks",
            "Farmers count the cost of the floods",
        ],
        "sentences": [
            "The river burst its banks shortly after midnight and flooded the lower town.",
            "More rain is expected on Monday, forecasters said.",
            "Hundreds of homes were evacuated as the water rose.",
            "The new flood defences held, the council said, though the tide came within inches.",
            "Farmers said whole fields of winter wheat had been lost to the water.",
        ],
    },
    "rates": {
        "years": [2019, 2020, 2021, 2022, 2023],
        "stories": 14,
        "titles": [
            "Central bank holds interest rates",
            "Interest rates rise for the third time this year",
            "Mortgage holders brace for higher rates",
            "Inflation slows as interest rates bite",
        ],
        "sentences": [
            "The central bank kept its main interest rate unchanged at its meeting on Thursday.",
            "Economists had expected a rise of a quarter of a percentage point.",
            "Inflation fell for the second month in a row, official figures showed.",
            "Mortgage lenders said they would pass the rise on to customers within weeks.",
            "The governor said rates would stay high for as long as needed.",
        ],
    },
}
#: Sentences of each story's own (a place, a number, a day), so that no two stories are near-duplicates by chance.
OWN = {
    "kursk": (["Sudzha", "Rylsk", "Glushkovo", "Oboyan", "Belgorod"], "In {town}, {n} residents registered for evacuation on {day}."),
    "kharkiv": (["Izium", "Chuhuiv", "Kupiansk", "Vovchansk", "Lyman"], "In {town}, {n} homes were reconnected to the grid by {day} evening."),
    "flood": (["Tewkesbury", "Shrewsbury", "Bewdley", "York", "Carlisle"], "In {town}, {n} properties were flooded, the council said on {day}."),
    "rates": (["London", "Frankfurt", "Warsaw", "Manchester", "Leeds"], "Lenders in {town} reported {n} new mortgage applications on {day}."),
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: The story republished word for word by another source, with a line added: the copies the tests follow.
COPIED = {
    "title": "Villagers return to Sudzha after months under fire",
    "copy_title": "Villagers return to Sudzha after months under fire (updated)",
    "sentences": [
        "The first families returned to Sudzha on Tuesday, months after fighting drove them from their homes.",
        "Many found their houses damaged or looted, and the water supply still cut off.",
        "Volunteers handed out food parcels and blankets in the square outside the town hall.",
        "Officials said it could take a year to repair the roads and the power lines into the town.",
        "An elderly couple said they had spent the winter in a cellar in a neighbouring village.",
    ],
    "added": "This story was updated with comments from the regional governor.",
}
#: The hostile article: what would run as script if any page wrote its fields as markup.
HOSTILE_WORD = "zanzibar"
HOSTILE_TITLE = f'{HOSTILE_WORD} <script>window.__pwned = "title"; alert(1)</script> <img src=x onerror="window.__pwned = \'img\'; alert(2)"> exposed'
HOSTILE_URL = "javascript:window.__pwned='url';alert(3)"
HOSTILE_BODY = [
    f"A {HOSTILE_WORD} story <script>window.__pwned = 'body'; alert(4)</script> whose body holds markup.",
    "<img src=x onerror=\"window.__pwned = 'body-img'; alert(5)\"> An image that would fail to load.",
    "<a href=\"javascript:window.__pwned='body-link'\">click here</a> and <svg onload=\"window.__pwned='svg'\"></svg> too.",
]
HOSTILE_AUTHOR = "<b onmouseover=\"window.__pwned='author'\">Mallory</b>"


@dataclass
class Corpus:
    """What the archive holds, as the tests look for it."""

    folder: Path
    counts: dict[str, int] = field(default_factory=dict)  # articles per subject, copies not counted
    copied_file: Path | None = None  # the original of the copied story
    copy_file: Path | None = None
    hostile_file: Path | None = None


def write_corpus(folder: Path, seed: int = 14) -> Corpus:
    """The archive's files in ``folder``: one news-please JSON file per article, the same for the same seed."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(folder)
    number = 0

    def write(name: str, record: dict[str, Any]) -> Path:
        path = folder / name
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    for subject, about in SUBJECTS.items():
        corpus.counts[subject] = about["stories"]
        for story in range(about["stories"]):
            source, domain = SOURCES[number % len(SOURCES)]
            year = about["years"][story % len(about["years"])]
            towns, own = OWN[subject]
            town = towns[story % len(towns)]
            sentences = rng.sample(about["sentences"], 3)
            for at in (1, 3):
                sentences.insert(at, own.format(town=rng.choice(towns), n=rng.randint(3, 900), day=rng.choice(DAYS)))
            record = {
                "title": about["titles"][story % len(about["titles"])] + ("" if story < len(about["titles"]) else f": {town}"),
                "description": sentences[0],
                "maintext": "\n".join(sentences[1:]),
                "date_publish": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}:00+03:00",
                "authors": [AUTHORS[number % len(AUTHORS)]],
                "url": f"https://www.{domain}/{year}/{subject}-{story}",
                "source_domain": domain,
                "source": source,
                "language": "en",
            }
            write(f"{subject}-{story:02d}.json", record)
            number += 1
    original = {
        "title": COPIED["title"],
        "description": COPIED["sentences"][0],
        "maintext": "\n".join(COPIED["sentences"][1:]),
        "date_publish": "2024-09-03T08:30:00+03:00",
        "authors": ["Anna Petrova"],
        "url": "https://www.dailycourier.example/2024/sudzha-return",
        "source_domain": "dailycourier.example",
        "source": "Daily Courier",
        "language": "en",
    }
    corpus.copied_file = write("sudzha-1.json", original)
    copy = {
        **original,
        "title": COPIED["copy_title"],
        "maintext": original["maintext"] + "\n" + COPIED["added"],
        "date_publish": "2024-09-03T14:05:00+02:00",
        "authors": ["Tom Baker"],
        "url": "https://www.wire.example/2024/sudzha-return",
        "source_domain": "wire.example",
        "source": "Wire Service",
    }
    corpus.copy_file = write("sudzha-2-copy.json", copy)
    hostile = {
        "title": HOSTILE_TITLE,
        "description": f"<script>window.__pwned = 'lede'</script> The {HOSTILE_WORD} lede.",
        "maintext": "\n".join(HOSTILE_BODY),
        "date_publish": "2023-05-17T10:00:00Z",
        "authors": [HOSTILE_AUTHOR],
        "url": HOSTILE_URL,
        "source_domain": "hostile.example",
        "source": "<i>Hostile</i> Gazette",
        "language": "en",
    }
    corpus.hostile_file = write("hostile.json", hostile)
    return corpus


# --- the browser -----------------------------------------------------------------------


def _no_browser(reason: str) -> NoReturn:
    if os.environ.get("NEWSARCHIVE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NEWSARCHIVE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """The distribution's Chromium: on PATH, or where Debian puts it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def browser_at_hand() -> str:
    """Chromium's path, where Playwright is installed too; else the test is skipped (or fails, under
    NEWSARCHIVE_REQUIRE_BROWSER=1), saying which is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _no_browser("Playwright is not installed (pip install '.[test]')")
    executable = chromium_path()
    if executable is None:
        _no_browser("no Chromium on this machine (Debian: apt-get install chromium)")
    return str(executable)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium from the distribution, driven by Playwright; skipped (or failed, under
    NEWSARCHIVE_REQUIRE_BROWSER=1) where either is missing or it cannot start."""
    executable = browser_at_hand()
    from playwright.sync_api import Error, sync_playwright

    manager = sync_playwright().start()
    try:
        try:
            launched = manager.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, timeout=TIMEOUT_MS)
        except Error as error:
            _no_browser(f"Chromium at {executable} did not start: {error.message.splitlines()[0]}")
        yield launched
        launched.close()
    finally:
        manager.stop()


# --- the server --------------------------------------------------------------------------


@dataclass
class Served:
    url: str  # ends in "/"
    home: Path
    corpus: Corpus
    process: subprocess.Popen[str]

    def at(self, path: str) -> str:
        return self.url + path.lstrip("/")


def _archive_command() -> list[str]:
    """`archive` as installed beside the running Python (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name("archive")
    return [str(beside)] if beside.exists() else [shutil.which("archive") or "archive"]


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`archive serve --port 0`, a process of its own, over an archive that `archive ingest` made of ``write_corpus``.

    Where no browser can be had, nothing is ingested or started; the browser starts while the server does."""
    browser_at_hand()
    work = tmp_path_factory.mktemp("browser")
    corpus = write_corpus(work / "files")
    home = work / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARCHIVE_")}
    env.update(ARCHIVE_HOME=str(home), PYTHONUNBUFFERED="1")
    # (`archive ingest` in this process, as the other layers run it: a process of its own would spend
    # more time importing than ingesting)
    report = json.loads(Cli({"ARCHIVE_HOME": str(home)})("ingest", str(corpus.folder), "--json").stdout)
    assert report["failed"] == 0 and report["new"] >= sum(corpus.counts.values()) + 3, report
    process = subprocess.Popen(
        [*_archive_command(), "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        request.getfixturevalue("browser")  # (~1 s of Chromium starting, while the server imports what it serves with)
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"http://\S+/", line)
        assert found, f"archive serve printed {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        url = found.group(0)
        _wait_until_answering(url)
        yield Served(url=url, home=home, corpus=corpus, process=process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # (as Ctrl-C in the terminal)
        try:
            out, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    assert process.returncode == 0, f"archive serve exited {process.returncode} on SIGINT; stderr: {err!r}"


def _wait_until_answering(url: str) -> None:
    """The server prints its URL just before it starts answering: wait for its first answer."""
    import time

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            with urllib.request.urlopen(url + "info.json", timeout=5) as answer:
                assert answer.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# --- artefacts ---------------------------------------------------------------------------

#: Each test's outcome where its fixtures can read it at teardown (to screenshot the page it failed on).
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report



def artifacts_folder() -> Path:
    """Where each step's screenshot goes: $NEWSARCHIVE_ARTIFACTS, else tests/artifacts/browser/ (ignored by git)."""
    given = os.environ.get("NEWSARCHIVE_ARTIFACTS")
    return Path(given) if given else REPO / "tests" / "artifacts" / "browser"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = artifacts_folder()
    folder.mkdir(parents=True, exist_ok=True)
    if "NEWSARCHIVE_ARTIFACTS" not in os.environ:  # (the repository's own folder: last run's pictures go)
        for old in folder.glob("*.png"):
            old.unlink()
    return folder
