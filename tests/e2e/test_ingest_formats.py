"""Every input format through `archive ingest`, and duplicates exact and near."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_cli import search_json, write_article
from test_format_warc import write_crawl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


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
    # (two articles have Kursk in their title, with equal scores: their order is the engine's)
    kursk = [json.loads(archive("show", hit["id"], "--json").stdout) for hit in search_json(archive, "title:Kursk")["hits"]]
    [record] = [found for found in kursk if found["url"] == "https://www.dailycourier.example/world/kremlin-kursk-talks"]
    assert record["source_domain"] == "dailycourier.example"
    assert sorted(Path(place.split(" [")[0]).name for place in record["files"]) == [
        "crawl.warc.gz", "news_page.html", "rss2.xml"
    ]
    # Nothing is stored twice; files with broken parts are read again and their errors reported again.
    again = json.loads(archive("ingest", folder, "--json", expect=1).stdout)
    assert (again["new"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 16, 7)


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


def jsonl(path: Path, *records: dict) -> Path:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def ids_by_title_of(archive) -> dict[str, str]:  # type: ignore[no-untyped-def]
    hits = search_json(archive, "story", "--limit", "50")["hits"]
    return {hit["title"]: hit["id"] for hit in hits}


def test_a_line_inserted_above_keeps_every_article_and_id(archive, tmp_path: Path) -> None:
    story_a = {"title": "Story A", "maintext": "Text of story A."}
    story_b = {"title": "Story B", "maintext": "Text of story B."}
    path = jsonl(tmp_path / "f.jsonl", story_a, story_b)
    archive("ingest", path)
    before = ids_by_title_of(archive)
    jsonl(path, {"title": "Story Z", "maintext": "Text of story Z."}, story_a, story_b)
    report = json.loads(archive("ingest", path, "--json").stdout)
    assert (report["new"], report["updated"], report["failed"]) == (1, 0, 0)
    after = ids_by_title_of(archive)
    assert {title: after[title] for title in before} == before and len(after) == 3
    assert json.loads(archive("check", "--json").stdout)["ok"]


def test_two_places_swapping_texts_keep_their_articles(archive, tmp_path: Path) -> None:
    story_a = {"title": "Story A", "maintext": "Text of story A.", "url": "https://example.org/a"}
    story_b = {"title": "Story B", "maintext": "Text of story B.", "url": "https://example.org/b"}
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    jsonl(first, story_a)
    jsonl(second, story_b)
    archive("ingest", tmp_path)
    before = ids_by_title_of(archive)
    jsonl(first, story_b)
    jsonl(second, story_a)
    archive("ingest", tmp_path)
    assert ids_by_title_of(archive) == before
    assert json.loads(archive("check", "--json").stdout)["ok"]


def test_one_url_twice_in_a_file_is_stored_once_and_stays_unchanged(archive, tmp_path: Path) -> None:
    bravo = {"title": "Bravo story", "maintext": "Mountains and rivers.", "url": "https://example.org/b"}
    charlie = {"title": "Charlie story", "maintext": "Valleys and lakes.", "url": "https://example.org/c"}
    archive("ingest", jsonl(tmp_path / "x.jsonl", bravo))
    path = jsonl(tmp_path / "y.jsonl", charlie, {**bravo, "url": "https://example.org/c"})
    report = json.loads(archive("ingest", path, "--json").stdout)
    assert (report["new"], report["duplicate"], report["updated"]) == (1, 1, 0)
    assert json.loads(archive("check", "--json").stdout)["ok"]
    assert search_json(archive, "valleys")["total"] == 1 and search_json(archive, "mountains")["total"] == 1
    forced = json.loads(archive("ingest", path, "--force", "--json").stdout)
    assert (forced["new"], forced["updated"], forced["unchanged"]) == (0, 0, 2)


def test_odd_values_inside_records_do_not_stop_the_run(archive, tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "odd.jsonl",
        {"title": "Broken link story", "maintext": "A story with a broken link.", "url": "http://[::1"},
        {"title": "Edge of time story", "maintext": "A story from the edge.", "date_publish": "0001-01-01T00:00:00+14:00"},
    )
    report = json.loads(archive("ingest", path, "--json").stdout)
    assert (report["new"], report["failed"], report["undated"]) == (2, 0, 2)


def test_search_folds_near_duplicates_into_one_hit(archive, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    write_article(folder, "a.txt", "Ministry announces budget cuts", "12 March 2024", BODY)
    write_article(folder, "b.txt", "Ministry announces budget cuts - Reuters", "12 March 2024", BODY)
    write_article(folder, "c.txt", "Budget cuts: ministry acts", "12 March 2024", BODY + " A vote is due in May.")
    archive("ingest", folder)
    folded = search_json(archive, "ministry")
    assert len(folded["hits"]) == 1 and folded["hits"][0]["copies"] == 2
    assert "(+2 copies)" in archive("search", "ministry").stdout
    assert len(search_json(archive, "ministry", "--no-collapse")["hits"]) == 3


ZH_LEDE = "国家统计局周二公布的数据显示，十月份全国居民消费价格同比上涨百分之零点三。"
ZH_BODY = (
    "食品价格同比下降百分之二点九，非食品价格上涨百分之零点一。",
    "分析人士认为，国内需求仍然偏弱，政策仍有进一步放松的空间。",
    "核心消费价格同比上涨百分之零点二，涨幅比上月回落零点一个百分点。",
)


def zh_page(title: str, *extra: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in (ZH_LEDE, *ZH_BODY, *extra))
    return (
        f'<html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def test_chinese_pages_are_stored_and_their_copies_found(archive, tmp_path: Path) -> None:
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "a.html").write_text(zh_page("消费价格小幅上涨"), encoding="utf-8")
    (folder / "b.html").write_text(zh_page("十月消费价格上涨", "专家预计物价保持稳定。"), encoding="utf-8")
    report = json.loads(archive("ingest", folder, "--json").stdout)
    assert (report["new"], report["failed"]) == (2, 0)
    groups = json.loads(archive("dupes", "--json").stdout)["groups"]
    assert [len(group["copies"]) for group in groups] == [1]


def test_an_export_ingested_again_exports_the_same(archive, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spaced.txt").write_text(
        "Job cuts 'false economy'  - TUC\n\n"
        "The lede,  with two spaces.   \n\n"
        "VOTE   Was it right?\tYes  No   Results are indicative.  \n\n"
        "A last\tparagraph with a tab.\n",
        encoding="utf-8",
    )
    write_article(folder, "plain.txt", "Council votes on the new budget", "12 March 2024")
    archive("ingest", folder)
    first = tmp_path / "first.jsonl"
    first.write_text(archive("export", "--format", "jsonl").stdout, encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "second"))
    archive("ingest", first)
    second = archive("export", "--format", "jsonl").stdout

    def without_files(text: str) -> list[dict]:  # type: ignore[type-arg]
        return sorted(({**json.loads(line), "files": None} for line in text.splitlines()), key=lambda r: r["id"])

    records = without_files(first.read_text(encoding="utf-8"))
    assert without_files(second) == records
    spaced = next(r for r in records if r["title"] == "Job cuts 'false economy'  - TUC")
    assert spaced["body"][0]["text"] == "VOTE   Was it right?\tYes  No   Results are indicative."


def test_an_entry_whose_id_reads_like_a_numbered_repeat_keeps_a_place_of_its_own(archive, tmp_path: Path) -> None:
    def entry(guid: str, title: str) -> str:
        return f"<item><guid>{guid}</guid><title>{title}</title><description>{title}, and what followed.</description></item>"

    feed = tmp_path / "news.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        + entry("tag:a", "Ferry returns to the harbour")
        + entry("tag:a", "Council votes on the budget")
        + entry("tag:a #2", "Storm closes the coast road")
        + "</channel></rss>",
        encoding="utf-8",
    )
    assert json.loads(archive("ingest", feed, "--json").stdout)["new"] == 3
    again = json.loads(archive("ingest", feed, "--force", "--json").stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)
    titles = sorted(json.loads(line)["title"] for line in archive("export").stdout.splitlines())
    assert titles == ["Council votes on the budget", "Ferry returns to the harbour", "Storm closes the coast road"]


def test_a_record_with_a_wrong_content_length_is_named_and_warcio_says_nothing(archive, tmp_path: Path) -> None:
    broken = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://ex.com/neg\r\n"
        b"WARC-Date: 2024-11-10T09:13:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: -5\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>x\r\n\r\n"
    )
    path = tmp_path / "crawl.warc"
    path.write_bytes(broken + write_crawl(compress=False))
    result = archive("ingest", path, expect=1)
    errors = result.stderr.splitlines()
    assert f"error: {path}: record 1: its Content-Length is wrong: the record does not end where it says" in errors
    assert all(line.startswith("error: ") for line in errors), result.stderr  # and no warcio WARNING lines


def test_a_new_format_is_one_module_and_one_entry(archive, tmp_path: Path, monkeypatch) -> None:
    # format_tsv is the module; the one entry is added here as it would be to the registry's ENTRIES.
    from format_tsv import TSV
    from newsarchive.reading.formats import registry

    rows = [
        ("title", "date", "body"),
        ("Ferry service resumes", "2024-11-12 08:30", "The ferry sailed again this morning."),
        ("", "2024-11-12", "A line without a title."),
    ]
    folder = tmp_path / "wires"
    folder.mkdir()
    (folder / "wires.tsv").write_bytes("".join("\t".join(row) + "\n" for row in rows).encode())
    unknown = json.loads(archive("ingest", folder, "--json").stdout)
    assert (unknown["files"], unknown["skipped"]) == (0, 1)  # no format yet: passed over by its content

    monkeypatch.setitem(registry.REGISTRY, TSV.name, TSV)
    report = json.loads(archive("ingest", folder, "--json", expect=1).stdout)
    assert (report["files"], report["new"], report["failed"]) == (1, 1, 1)
    assert [failure["reason"] for failure in report["failures"]] == ["line 3: no title"]
    hit = search_json(archive, "ferry")["hits"][0]
    assert (hit["title"], hit["date"]) == ("Ferry service resumes", "2024-11-12T08:30:00+00:00")


def test_every_registered_format_can_be_forced_and_is_listed_in_the_help(archive, tmp_path: Path) -> None:
    from newsarchive.reading.formats.registry import names

    assert f"--format [{'|'.join(names())}]" in archive("ingest", "--help").stdout
    missing = tmp_path / "missing.data"
    for name in names():
        result = archive("ingest", missing, "--format", name, expect=1)
        assert f"error: {missing}: no such file or folder" in result.stderr
    assert "Invalid value for '--format'" in archive("ingest", missing, "--format", "tsv", expect=2).stderr
