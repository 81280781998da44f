"""Every input format through `archive ingest`, and duplicates exact and near."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_cli import search_json, write_article

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def test_a_folder_of_every_format(archive, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(FIXTURES, folder)
    result = archive("ingest", folder, "--json", expect=1)
    report = json.loads(result.stdout)
    assert (report["files"], report["new"], report["duplicate"]) == (10, 9, 7)
    reasons = {(Path(f["path"]).name, f["reason"]) for f in report["failures"]}
    assert ("articles.jsonl", "line 3: invalid JSON: Unterminated string starting at column 38") in reasons
    assert ("articles.jsonl", "line 4: an array, not an article object") in reasons
    assert ("section_page.html", "no article text found in the HTML page") in reasons
    assert len(reasons) == 7
    # one article from each kind of file
    # Atom feed, HTML page and WARC record: one article, though the URLs differ in www. and ?ref=home
    assert search_json(archive, 'title:"Koalition einigt sich"')["total"] == 1
    # RSS entry and JSON line: different texts and no shared URL, so two articles
    assert search_json(archive, 'title:"interest rates"')["total"] == 2
    kursk = search_json(archive, "title:Kursk")["hits"][0]
    record = json.loads(archive("show", kursk["id"], "--json").stdout)
    assert record["url"] == "https://www.dailycourier.example/world/kremlin-kursk-talks"
    assert record["source_domain"] == "dailycourier.example"
    assert sorted(Path(place.split(" [")[0]).name for place in record["files"]) == [
        "crawl.warc.gz", "news_page.html", "rss2.xml"
    ]
    # Files read before are skipped; the one that is no article is reported again.
    again = json.loads(archive("ingest", folder, "--json", expect=1).stdout)
    assert (again["new"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 16, 1)


def test_format_is_forced_with_the_option(archive, tmp_path: Path) -> None:
    dump = tmp_path / "dump.data"
    dump.write_text(
        json.dumps({"title": "Harbour reopens after storm", "maintext": "Ships returned to the harbour today.",
                    "date_publish": "2024-11-12 08:30:00", "url": "https://example.org/harbour"}) + "\n",
        encoding="utf-8",
    )
    assert search_json_after(archive, ["ingest", dump, "--format", "jsonl"], "harbour")["hits"][0]["date"] == (
        "2024-11-12T08:30:00+00:00"
    )
    result = archive("ingest", tmp_path / "dump.data", "--format", "warc", "--force", expect=1)
    assert "dump.data" in result.stderr and "error:" in result.stderr


def search_json_after(archive, command: list, query: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    archive(*command)
    return search_json(archive, query)


def test_the_same_url_in_two_files_is_one_article(archive, tmp_path: Path) -> None:
    first = {"title": "Dam fails after rain", "maintext": "The dam failed on Sunday.", "url": "https://example.org/dam?utm_source=x"}
    second = {**first, "title": "Dam fails after heavy rain", "url": "https://example.org/dam#comments"}
    (tmp_path / "a.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(second) + "\n", encoding="utf-8")
    report = json.loads(archive("ingest", tmp_path, "--json").stdout)
    assert (report["new"], report["duplicate"]) == (1, 1)
    assert search_json(archive, "dam")["hits"][0]["title"] == "Dam fails after rain"


BODY = (
    "The finance ministry said on Tuesday that the state budget would be cut by two percent next year, "
    "citing lower tax receipts and the cost of energy subsidies for households and small firms. "
    "Opposition parties called the plan reckless and said it would hurt public services in the regions. "
    "The ministry insisted that schools and hospitals would be protected from the cuts."
)


def test_near_duplicates_are_kept_and_linked(archive, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    write_article(folder, "a.txt", "Ministry announces budget cuts", "12 March 2024", BODY)
    write_article(folder, "b.txt", "Ministry announces budget cuts - Reuters", "12 March 2024", BODY)
    write_article(folder, "c.txt", "Budget cuts: ministry acts", "12 March 2024", BODY + " A vote is due in May.")
    write_article(folder, "d.txt", "Something else entirely happens", "12 March 2024", "A short unrelated story.")
    report = json.loads(archive("ingest", folder, "--json").stdout)
    assert report["new"] == 4
    groups = json.loads(archive("dupes", "--json").stdout)["groups"]
    assert len(groups) == 1
    assert groups[0]["original"]["title"] == "Ministry announces budget cuts"
    copies = sorted((c["title"], c["similarity"] >= 0.8) for c in groups[0]["copies"])
    assert copies == [("Budget cuts: ministry acts", True), ("Ministry announces budget cuts - Reuters", True)]
    text = archive("dupes").stdout
    assert "(2 near-duplicates)" in text and "~ " in text


def test_dupes_on_a_clean_archive(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    assert archive("dupes").stdout.strip() == "No copies: every article in the archive is one of a kind."
