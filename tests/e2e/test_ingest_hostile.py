"""Input a user may not expect to be trouble: odd file names, odd file types, bombs, huge articles."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from datetime import UTC
from html import escape
from pathlib import Path

from _memory import peak_memory
from newsarchive.reading import files as reading
from newsarchive.reading.formats import ItemError
from test_cli import ingest_json, write_article
from test_faults import make_collection


def _write_bytes_name(folder: Path, name: bytes, text: str) -> None:
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(text.encode("utf-8"))


def test_a_file_name_that_is_not_utf8_is_stored_and_given_back(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "good1.txt", "Harbour reopens after the storm", None)
    write_article(folder, "good2.txt", "Council votes on the new budget", None)
    _write_bytes_name(folder, b"r\xe9sum\xe9.txt", "A summary of the week\n\nThe lede of it.\n\nThe body of it.\n")
    report = ingest_json(archive, folder)
    assert (report["new"], report["failed"]) == (3, 0)
    # recognised as unchanged the next time
    again = ingest_json(archive, folder)
    assert (again["new"], again["unchanged"]) == (0, 3)
    exported = [json.loads(line) for line in archive("export", "--format", "jsonl").stdout.splitlines()]
    files = {record["title"]: record["files"] for record in exported}
    assert files["A summary of the week"] == [str(folder / "r\\xe9sum\\xe9.txt")]
    summary = next(r for r in exported if r["title"] == "A summary of the week")
    shown = archive("show", summary["id"]).stdout
    assert "r\\xe9sum\\xe9.txt" in shown


def test_a_name_that_is_literally_an_escape_is_a_place_of_its_own(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write_bytes_name(folder, b"r\xe9sum\xe9.txt", "A summary of the week\n\nThe lede of it.\n\nThe body of it.\n")
    write_article(folder, "r\\xe9sum\\xe9.txt", "Council votes on the new budget", None)  # backslash, x, e, 9
    report = ingest_json(archive, folder)
    assert (report["files"], report["new"], report["updated"]) == (2, 2, 0)
    again = ingest_json(archive, folder)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    exported = [json.loads(line) for line in archive("export", "--format", "jsonl").stdout.splitlines()]
    files = {record["title"]: record["files"] for record in exported}
    assert files["A summary of the week"] == [str(folder / "r\\xe9sum\\xe9.txt")]
    assert files["Council votes on the new budget"] == [str(folder / "r\\\\xe9sum\\\\xe9.txt")]


def test_a_broken_file_with_a_name_that_is_not_utf8_is_named_as_stored(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "good.txt", "Harbour reopens after the storm", None)
    _write_bytes_name(folder, b"bad\xff.txt", "only a title\n")
    report = ingest_json(archive, folder, expect=1)
    assert [f["path"] for f in report["failures"]] == [str(folder / "bad\\xff.txt")]
    assert report["new"] == 1
    # and on stderr in the same form as `show` and `export` give
    result = archive("ingest", folder, expect=1)
    assert f"error: {folder / 'bad'}\\xff.txt: no article text after the title" in result.stderr


def test_lone_surrogates_in_json_cost_nothing_but_themselves(archive, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        '{"title": "Bad \\ud800 title", "maintext": "Some text long enough.", "url": "http://x.org/\\udce9"}\n'
        '{"title": "Good title", "maintext": "Other text long enough."}\n',
        encoding="utf-8",
    )
    report = ingest_json(archive, dump)
    assert (report["new"], report["failed"]) == (2, 0)
    titles = sorted(json.loads(line)["title"] for line in archive("export").stdout.splitlines())
    assert titles == ["Bad \ufffd title", "Good title"]


# -- files passed over, and what is read by content ------------------------------------------


def html_page(title: str) -> bytes:
    paragraphs = "".join(
        f"<p>{title} paragraph {n}: the council met on Tuesday and argued about the harbour wall for hours.</p>"
        for n in range(4)
    )
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_articles_are_found_by_content_whatever_their_name(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "changelog.blog-post.html").write_bytes(html_page("Changelog of a town"))
    (folder / "readme.html").write_bytes(html_page("Readme of a town"))
    (folder / "index.php").write_bytes(html_page("Council meets at the php page"))
    (folder / "story.aspx").write_bytes(html_page("Council meets at the aspx page"))
    (folder / "saved-page").write_bytes(html_page("Council meets without an extension"))
    (folder / "page.html.gz").write_bytes(gzip.compress(html_page("Council meets in a gzipped page")))
    (folder / "page.htm.gz").write_bytes(gzip.compress(html_page("Council meets in a gzipped htm page")))
    (folder / "story.txt.gz").write_bytes(
        gzip.compress(b"Harbour wall repaired\n\nThe harbour wall was repaired.\n\nIt took a week.\n")
    )
    (folder / "plain.txt.gz").write_bytes(b"Lighthouse relit\n\nThe lighthouse shines again.\n\nNot compressed.\n")
    (folder / "dump.jsonl.gz").write_bytes(
        gzip.compress(b'{"title": "Ferry returns", "maintext": "The ferry came back."}\n')
    )
    # passed over, each counted and named with -v
    (folder / "README.txt").write_text("About this collection\n\nIt holds articles.\n\nEnjoy it.\n")
    (folder / "LICENSE").write_text("Do what you like with it.\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    (folder / "backup.tar.gz").write_bytes(gzip.compress(bytes(1000)))
    (folder / ".hidden.html").write_bytes(html_page("Hidden page"))
    (folder / ".git").mkdir()
    (folder / ".git" / "page.html").write_bytes(html_page("Page in a hidden folder"))
    result = archive("ingest", folder, "-v")
    assert "10 files: 10 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed, 10 undated, 6 passed over;" in result.stdout
    passed = {line.split(": ", 1)[0].rsplit("/", 1)[-1] for line in result.stderr.splitlines() if "passed over" in line}
    assert passed == {"README.txt", "LICENSE", "logo.png", "backup.tar.gz", ".hidden.html", ".git"}
    assert f"{folder / '.git'}: passed over: hidden folder\n" in result.stderr
    titles = {json.loads(line)["title"] for line in archive("export").stdout.splitlines()}
    assert {"Changelog of a town", "Readme of a town", "Ferry returns", "Harbour wall repaired", "Lighthouse relit"} <= titles
    assert len(titles) == 10


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(archive, tmp_path: Path) -> None:
    readme = tmp_path / "README.txt"
    readme.write_text("Harbour wall repaired\n\nThe harbour wall was repaired.\n\nIt took a week.\n")
    assert ingest_json(archive, readme)["new"] == 1


# -- decompression bombs and huge articles --------------------------------------------------

LIMIT = 1 << 20  # MAX_ARTICLE_BYTES, lowered to keep the tests fast
HUGE = 8 * LIMIT


def write_warc(path: Path, pages: list[tuple[str, list[tuple[str, str]], bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for uri, headers, body in pages:
            http = StatusAndHeaders("200 OK", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http)
            writer.write_record(record)


def test_bombs_and_huge_articles_cost_only_themselves(archive, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_ARTICLE_BYTES", LIMIT)
    folder = tmp_path / "in"
    folder.mkdir()
    html = [("Content-Type", "text/html; charset=utf-8")]
    huge_page = b"<html><body><p>" + b" " * HUGE + b"</p></body></html>"
    write_warc(
        folder / "crawl.warc.gz",
        [
            ("https://x.example/1", html, html_page("First page of the crawl")),
            ("https://x.example/huge", html, huge_page),
            ("https://x.example/zipped", [*html, ("Content-Encoding", "gzip")], gzip.compress(huge_page)),
            ("https://x.example/2", html, html_page("Second page of the crawl")),
        ],
    )
    assert (folder / "crawl.warc.gz").stat().st_size < LIMIT
    (folder / "bomb.html.gz").write_bytes(gzip.compress(huge_page))
    (folder / "lines.jsonl").write_bytes(
        b'{"title": "Too long", "maintext": "' + b"x" * HUGE + b'"}\n'
        b'{"title": "Ferry returns", "maintext": "The ferry came back."}\n'
    )
    result = archive("ingest", folder, expect=1)
    assert "3 new" in result.stdout
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert errors == [
        f"error: {folder / 'bomb.html.gz'}: file too large: more than 1 MB once decompressed, the limit for an article",
        f"error: {folder / 'crawl.warc.gz'}: https://x.example/huge: page too large: more than 1 MB, the limit for an article",
        f"error: {folder / 'crawl.warc.gz'}: https://x.example/zipped: page too large: more than 1 MB, the limit for an article",
        f"error: {folder / 'lines.jsonl'}: line 1: line too large: more than 1 MB, the limit for an article",
    ]


def test_a_bomb_is_refused_without_unpacking_it_into_memory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_ARTICLE_BYTES", LIMIT)
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b'{"title": "Too long", "maintext": "' + b" " * (40 * LIMIT) + b'"}\n'))
    import newsarchive.reading.formats.newsjson  # noqa: F401  (its import is no part of the reading)

    read, peak = peak_memory(lambda: reading.read_file_safely(bomb, UTC))
    assert isinstance(read, reading.FileRead)
    assert read.items == [ItemError("line 1", "line too large: more than 1 MB, the limit for an article")]
    assert peak < 4 * LIMIT, peak


def test_a_feed_bomb_is_refused_at_the_feed_limit_without_unpacking_it(archive, tmp_path: Path, monkeypatch) -> None:
    from newsarchive.reading.formats import feed

    monkeypatch.setattr(feed, "MAX_FEED_BYTES", LIMIT)
    item = b"<item><title>Ferry returns</title><description>" + b"The ferry came back. " * 50 + b"</description></item>"
    bomb = tmp_path / "news.rss.gz"
    bomb.write_bytes(gzip.compress(b'<rss version="2.0"><channel><title>T</title>' + item * (40 * LIMIT // len(item)) + b"</channel></rss>"))
    read, peak = peak_memory(lambda: reading.read_file_safely(bomb, UTC))
    assert read == reading.FileFailure(bomb, "file too large: more than 1 MB once decompressed, the limit for a feed")
    assert peak < 8 * LIMIT, peak  # it holds 40 times the limit
    # the same file plain: its size is named
    plain = tmp_path / "news.rss"
    plain.write_bytes(gzip.decompress(bomb.read_bytes()))
    result = archive("ingest", plain, expect=1)
    size = plain.stat().st_size / 1_048_576
    assert f"error: {plain}: file too large ({size:.1f} MB): more than 1 MB, the limit for a feed" in result.stderr


def test_link_heavy_paragraphs_of_an_article_are_stored(archive, tmp_path: Path) -> None:
    from test_format_html import LINK_HEAVY_PAGE

    page = tmp_path / "hafenfest.html"
    page.write_text(LINK_HEAVY_PAGE, encoding="utf-8")
    archive("ingest", page)
    body = json.loads(archive("export").stdout)["maintext"]
    assert "Kontakt: redaktion@hafenblatt.example" in body
    assert "Hier geht's zur Facebook Veranstaltung" in body


def test_a_reading_list_page_is_stored_whole(archive, tmp_path: Path) -> None:
    from test_format_html import READING_LIST_PAGE

    page = tmp_path / "reading-list.html"
    page.write_text(READING_LIST_PAGE, encoding="utf-8")
    archive("ingest", page)
    body = json.loads(archive("export").stdout)["maintext"]
    assert body.count("Today we recommend") == 3


# -- control characters, written or as references ---------------------------------------------


def test_control_characters_cost_no_article_and_are_not_stored(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    page = html_page("Council meets at the harbour").decode()
    (folder / "page.html").write_text(page.replace("paragraph 1:", "paragraph&#27;[31m 1:&#xfffe;"))
    body = "".join(f"<p>Item {n} of the council&#8;&#12;meeting went on for hours and hours.</p>" for n in range(4))
    (folder / "feed.rss").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour news</title>'
        "<item><title>Ferry&#27; returns</title><link>https://example.org/ferry&#27;</link>"
        f"<description>{escape(body)}</description></item></channel></rss>"
    )
    (folder / "dump.jsonl").write_text(
        '{"title": "Wall\\u001b[2J repaired", "maintext": "It took\\u0007 a week.\\ufffe", "url": "https://example.org/wall\\u001b",'
        ' "source": "Harbour\\u001b]0;x\\u0007 post", "date_publish": "2024-05-02\\u001b 10:00:00"}\n'
    )
    report = ingest_json(archive, folder)
    assert (report["new"], report["failed"]) == (3, 0)
    exported = [json.loads(line) for line in archive("export").stdout.splitlines()]
    texts = [value for record in exported for value in record.values() if isinstance(value, str)]
    assert not [text for text in texts if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]", text)]
    by_title = {record["title"]: record for record in exported}
    assert by_title["Wall[2J repaired"]["source"] == "Harbour]0;x post"
    assert by_title["Wall[2J repaired"]["date_publish"].startswith("2024-05-02T10:00:00")
    assert by_title["Ferry returns"]["url"] == "https://example.org/ferry"
    assert "paragraph[31m 1:" in by_title["Council meets at the harbour"]["maintext"]


# -- encodings declared wrongly, or not at all ------------------------------------------------


def test_lying_or_missing_encodings_are_read_right_and_named_with_verbose(archive, tmp_path: Path) -> None:
    from test_format_feed import legacy_rss
    from test_format_html import RUSSIAN

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_bytes(RUSSIAN.encode("cp1251"))  # says windows-1252
    (folder / "feed.rss").write_bytes(
        legacy_rss("Москва открывает новую линию метро", "Правительство объявило, что весной откроется линия.")
        .encode("koi8_r")
    )
    (folder / "story.txt").write_bytes(
        "北京开放新的地铁线路\n\n北京市政府今天宣布，将在明年春天开放新的地铁线路。\n\n市民对此表示欢迎。\n".encode("gbk")
    )
    # A short page that says koi8-r and holds cp1251: too short for charset-normalizer to be sure.
    short = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        "<title>Кремль заявил о переговорах</title></head><body><article><h1>Кремль заявил о переговорах</h1>"
        "<p>Президент России заявил, что переговоры возможны.</p>"
        "<p>По его словам, встреча может пройти в ближайшие недели в одной из соседних стран региона.</p>"
        "<p>Официальные представители другой стороны пока не комментировали это заявление.</p>"
        "</article></body></html>"
    )
    (folder / "short.html").write_bytes(short.encode("cp1251"))
    result = archive("ingest", folder, "-v")
    notes = sorted(line.split(": ", 1)[1] for line in result.stderr.splitlines() if "read as" in line or "decoded" in line)
    assert notes == [
        "declared koi8-r, but the text makes sense only as cp1251: read as cp1251",
        "declared windows-1252, but the text makes sense only as cp1251: read as cp1251",
        "decoded as gb18030",
        "no encoding declared, and the bytes are not UTF-8: read as koi8_r",
    ]
    titles = sorted(json.loads(line)["title"] for line in archive("export").stdout.splitlines())
    assert titles == [
        "Кремль заявил о переговорах", "Москва открывает новую линию метро", "Шторм обрушился на побережье", "北京开放新的地铁线路"
    ]


def test_no_free_article_id_is_one_error_line_and_stores_nothing(archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Four 64-bit hash prefixes all taken cannot be met by chance: one hex digit for an id stands in for it."""
    from newsarchive.storage import store

    monkeypatch.setattr(store, "ID_LENGTHS", (1,))
    failed = archive("ingest", make_collection(tmp_path / "in", 40), expect=1).stderr
    assert failed.startswith("Error: no free article id for content hash ")
    assert failed.count("\n") == 2 and "\nHint: nothing of this batch was stored; " in failed
    assert "articles:        0 " in archive("info").stdout
