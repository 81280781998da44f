"""detect_format: content decides when it is unambiguous, else the extension; None for non-articles."""

from __future__ import annotations

import codecs
import gzip
import io
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from newsarchive.reading.formats.sniff import EXTENSIONS, FORMATS, HEAD_BYTES, detect_format

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def head_of(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()[:HEAD_BYTES]


def tiny_warc(compress: bool) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    return out.getvalue()


def test_every_extension_names_a_format() -> None:
    assert set(EXTENSIONS.values()) <= set(FORMATS)


@pytest.mark.parametrize(
    ("name", "fixture", "expected"),
    [
        ("news_page.html", "news_page.html", "html"),
        ("dated_page.htm", "dated_page.html", "html"),
        ("rss2.xml", "rss2.xml", "feed"),
        ("atom.xml", "atom.xml", "feed"),
        ("world.rss", "rss2.xml", "feed"),
        ("politik.atom", "atom.xml", "feed"),
        ("newsplease.json", "newsplease.json", "json"),
        ("export.json", "export.json", "json"),
        ("articles.jsonl", "articles.jsonl", "jsonl"),
        ("articles.ndjson", "articles.jsonl", "jsonl"),
        ("crawl.warc.gz", "crawl.warc.gz", "warc"),
    ],
)
def test_fixtures(name: str, fixture: str, expected: str) -> None:
    assert detect_format(name, head_of(fixture)) == expected


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        # plain text is what the extension says
        ("story.txt", b"Storm brings flooding\n\nResidents were evacuated.\n", "text"),
        ("story.txt", b"[Updated] Storm brings flooding\n", "text"),
        ("story.html", b"Storm brings flooding\n", "html"),
        # content wins when it is unambiguous
        ("story.txt", b"<!DOCTYPE html>\n<html><head>", "html"),
        ("story.txt", b"\n  <html lang='en'><head><title>x</title>", "html"),
        ("page.xhtml", b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">\n<html>', "html"),
        ("page.xml", b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        ("world.rss", b"<!DOCTYPE html><html><body>Moved</body></html>", "html"),
        ("feed.txt", b'<?xml version="1.0"?>\n<!-- generator -->\n<?xml-stylesheet href="s.xsl"?>\n<rss version="2.0">', "feed"),
        ("feed.xml", b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "feed"),
        ("feed", b'\xef\xbb\xbf<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
        ("feed.xml", codecs.BOM_UTF16_LE + '<?xml version="1.0"?><rss>'.encode("utf-16-le"), "feed"),
        ("data.json", b'{"title": "A"}\n{"title": "B"}\n', "jsonl"),
        ("data.json", b'{"title": "A"}\n\n{"title": "B", "maintext": "cut sho', "jsonl"),
        ("data.txt", b'[{"title": "A"}]', "json"),
        ("data.jsonl", b"[\n  {\n", "json"),
        ("data.json", b'{\n  "title": "A",\n', "json"),
        # one object on one line is both: the extension decides
        ("data.json", b'{"title": "A"}\n', "json"),
        ("data.jsonl", b'{"title": "A"}\n', "jsonl"),
        # a first line longer than the head
        ("data.jsonl", b'{"title": "A", "maintext": "' + b"x" * HEAD_BYTES, "jsonl"),
        ("data.json", b'{"title": "A", "maintext": "' + b"x" * HEAD_BYTES, "json"),
        ("data.dat", b'{"title": "A", "maintext": "' + b"x" * HEAD_BYTES, "json"),
        # not article files
        ("sitemap.xml", b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', None),
        ("notes.xml", b"just some words", None),
        ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
        ("story.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
        ("report.pdf", b"%PDF-1.7\n", None),
        ("notes.md", b"# Notes\n", None),
        ("story.txt", b"Storm\x00\x01\x02", None),
        ("story.txt.gz", gzip.compress(b"Storm brings flooding"), None),
        # a ".gz" name whose content is not compressed: the name under ".gz" decides
        ("story.txt.gz", b"Storm brings flooding\n\nResidents were evacuated.\n", "text"),
        ("story.HTML.GZ", b"Storm brings flooding\n", "html"),
        ("dump.jsonl.gz", b'{"title": "A"}\n', "jsonl"),
        ("backup.tar.gz", b"Storm brings flooding\n", None),
    ],
)
def test_detect(name: str, head: bytes, expected: str | None) -> None:
    assert detect_format(name, head) == expected


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.WARC.GZ", "crawl.bin"])
@pytest.mark.parametrize("compress", [True, False])
def test_warc_by_content(name: str, compress: bool) -> None:
    assert detect_format(name, tiny_warc(compress)[:HEAD_BYTES]) == "warc"


def test_warc_gz_by_name_when_too_short_to_look_inside() -> None:
    assert detect_format("crawl.warc.gz", b"\x1f\x8b") == "warc"
    assert detect_format("crawl.gz", b"\x1f\x8b") is None
