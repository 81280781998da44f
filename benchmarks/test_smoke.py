"""Smoke test of the benchmark suite on 50 articles and 40 multilingual ones, with the search servers under a
second of load (about two minutes). Times nothing, asserts no speed.

    .venv/bin/python -m pytest benchmarks/test_smoke.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import multilingual
import pytest
from compare import compare_lines
from make_corpus import (
    DEFAULT_SOURCE,
    article_files,
    decode_bytes,
    format_dateline,
    parse_dateline,
    split_article,
    write_corpus,
)

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(not DEFAULT_SOURCE.is_dir(), reason=f"no BBC set at {DEFAULT_SOURCE}")


def test_corpus_is_deterministic_and_in_the_seed_layout(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 50, seed=7)
    write_corpus(tmp_path / "b", 50, seed=7)
    first, second = article_files(tmp_path / "a"), article_files(tmp_path / "b")

    assert len(first) == 50
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    article = split_article(first[0].read_text(encoding="utf-8"))
    assert article.title and article.description and article.paragraphs
    assert article.published is not None


@pytest.mark.parametrize("form", [0, 1, 2])
def test_datelines_read_back(form: int) -> None:
    moment = datetime(2024, 11, 10, 21, 13)
    assert parse_dateline(format_dateline(moment, form)) == moment


def test_multilingual_corpus_is_deterministic_and_true_to_its_truth(tmp_path: Path) -> None:
    multilingual.write_corpus(tmp_path / "a", 300, seed=7)
    multilingual.write_corpus(tmp_path / "b", 300, seed=7)
    first, second = article_files(tmp_path / "a"), article_files(tmp_path / "b")
    truth = multilingual.read_truth(tmp_path / "a")

    assert len(first) == len(truth) == 300
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    assert {record["language"] for record in truth} == {"ru", "uk", "de", "fr", "es", "en", "zh"}
    assert {"cp1251", "koi8-r", "cp1252", "iso-8859-2"} <= {record["encoding"] for record in truth}
    for record in truth:
        data = (tmp_path / "a" / record["file"]).read_bytes()
        lines = data.decode(record["encoding"]).split("\n")
        assert lines[0] == record["title"] and lines[2] == record["dateline"]
        assert decode_bytes(data).split("\n")[0] == record["title"]  # as the references read it
        assert record["anchor"] in data.decode(record["encoding"])
        probe = record["probe"]
        if probe and probe["other"]:
            assert probe["other"].lower() not in lines[0].lower().split() + " ".join(lines[1:]).lower().split()


def test_multilingual_datelines_are_the_newsroom_forms() -> None:
    import random
    from datetime import datetime

    moment = datetime(2024, 11, 10, 9, 13)
    seen = {
        multilingual.dateline(language, moment, random.Random(draw))[0]
        for language in multilingual.LANGUAGES
        for draw in range(40)
    }
    assert {
        "10 ноября 2024 г., 09:13", "10.11.2024 09:13", "воскресенье, 10 ноября 2024", "10. November 2024",
        "Publié le 10 novembre 2024 à 09h13", "10 de noviembre de 2024, 09:13", "10 листопада 2024 року, 09:13",
    } <= seen  # fmt: skip


def test_run_quick_writes_markdown_and_json(tmp_path: Path) -> None:
    command = [
        sys.executable, str(HERE / "run.py"), "--quick", "--sizes", "50,multi:40", "--repeat", "1", "--warm-queries", "20",
        "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
        "--web", "--web-clients", "2", "--web-seconds", "0.5", "--web-warmup", "0",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]

    (data,) = (tmp_path / "results").glob("*.json")
    results = json.loads(data.read_text(encoding="utf-8"))
    size, multi = results["sizes"]
    assert size["corpus"]["files"] == 50
    assert size["newsarchive"]["ingest"]["report"]["failed"] == 0
    assert size["hits"]["common word"]["newsarchive"] == size["hits"]["common word"]["sqlite-utils"]
    markdown = data.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Targets" in markdown and "## 50 generated articles" in markdown
    assert multi["size"] == "multi:40" and multi["multilingual"]["stored"] == 40
    assert "## 40 multilingual articles" in markdown and "### Languages, dates and word forms" in markdown
    assert size["web"]["datasette"]["load"]["requests"] > 0 and size["web"]["datasette"]["load"]["errors"] == 0
    assert "### Search over HTTP: 2 clients for 0.5 s on loopback" in markdown and "## Targets (issue 14)" in markdown


def _archive_serves() -> bool:
    """Whether the archive measured has `archive serve` (the web tests measure datasette alone without it)."""
    from references import tool

    return subprocess.run([tool("archive"), "serve", "--help"], capture_output=True).returncode == 0


def test_run_web_only_measures_both_servers_under_load(tmp_path: Path) -> None:
    command = [
        sys.executable, str(HERE / "run.py"), "--web-only", "--sizes", "50", "--warm-queries", "12", "--web-clients", "4",
        "--web-seconds", "1", "--web-warmup", "0.5", "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
    ]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]

    (data,) = (tmp_path / "results").glob("*-web-50.json")
    (size,) = json.loads(data.read_text(encoding="utf-8"))["sizes"]
    web = size["web"]
    assert web["settings"]["clients"] == 4 and size["archives"]["ingest_report"]["failed"] == 0
    servers = ["datasette", "newsarchive"] if _archive_serves() else ["datasette"]
    for name in servers:
        found = web[name]
        assert "failed" not in found, found.get("failed")
        assert found["load"]["requests"] > 0 and found["load"]["errors"] == 0, found["load"]["error_examples"]
        assert found["stop"]["clean"] and found["log"]["tracebacks"] == 0  # Ctrl-C stops it, exit 0
        assert found["cold_queries"]["common word"]["hits"] > 0
    markdown = data.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Targets (issue 14)" in markdown and "### Search over HTTP: 4 clients for 1 s on loopback" in markdown

    again = subprocess.run(command, capture_output=True, text=True, timeout=300)  # the archives are kept
    assert again.returncode == 0, again.stderr[-3000:]
    (size,) = json.loads(data.read_text(encoding="utf-8"))["sizes"]
    assert size["archives"]["archive_kept"] and size["archives"]["fts5_kept"]


def test_load_counts_non_2xx_answers_non_json_and_timeouts_as_errors(tmp_path: Path) -> None:
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from web import load

    class Answers(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/slow":
                time.sleep(0.5)
            status, body = {"/ok": (200, b'{"hits": []}'), "/bad": (400, b'{"error": "bad query"}'),
                            "/text": (200, b"<html>")}.get(self.path, (200, b"{}"))  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        requests = [{"name": name, "query": name, "path": f"/{name}"} for name in ("ok", "bad", "text", "slow")]
        found = load(f"http://127.0.0.1:{server.server_address[1]}", requests, clients=4, seconds=0.5, timeout=0.2)
    finally:
        server.shutdown()
        server.server_close()

    assert set(found["errors_by_kind"]) == {"HTTP 400", "not JSON", "timeout"}
    assert found["ok"] + found["errors"] == found["requests"] and found["ok"] > 0
    assert set(found["by_kind"]) == {"ok"} and found["p99_ms"] < 200


def test_compare_says_which_figures_stay_within_the_tolerance() -> None:
    def size(ours: float, whoosh: float) -> dict:  # type: ignore[type-arg]
        return {"newsarchive": {"ingest": {"median_seconds": ours}}, "whoosh": {"ingest": {"median_seconds": whoosh}}}

    lines = compare_lines([size(3.0, 4.0), size(3.2, 4.0)], [size(3.4, 4.0)], 0.10)

    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert rows["bulk ingest, wall"] == "| bulk ingest, wall | 3.00-3.20 s | 3.40 s | 1.10 | yes |"
    assert rows["bulk ingest, articles/s vs plain Whoosh"].endswith("| 0.91 | yes |")
    assert rows["warm search top 10 + snippets, p50"].endswith("| — | — |")
    assert compare_lines([size(3.0, 4.0)], [size(3.5, 4.0)], 0.10)[2].endswith("| **no** |")


def _server_can_start() -> bool:
    from server import PG_SH

    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return PG_SH.exists() and any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


@pytest.mark.skipif(not _server_can_start(), reason="no psycopg or no PostgreSQL server binaries")
def test_run_server_measures_each_stack_and_their_agreement(tmp_path: Path) -> None:
    command = [
        sys.executable, str(HERE / "run.py"), "--server", "--engines", "whoosh", "--quick", "--sizes", "50",
        "--repeat", "1", "--warm-queries", "12", "--facet-queries", "4", "--trend-queries", "4",
        "--clients", "2", "--clients-seconds", "1", "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
    ]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]

    (data,) = (tmp_path / "results").glob("*-server-50-whoosh.json")
    (size,) = json.loads(data.read_text(encoding="utf-8"))["sizes"]
    stacks = size["stacks"]
    assert set(stacks) == {"server:whoosh", "embedded:whoosh", "fts5"}
    server = stacks["server:whoosh"]
    assert server["ingest"]["report"]["failed"] == 0 and server["ingest"]["disk"]["database_bytes"] > 0
    assert server["warm_search"]["queries"] == 12 and server["warm_facets"]["queries"] == 4
    assert server["clients"]["errors"] == 0 and server["clients"]["searches"] > 0
    assert size["agreement"]["server:whoosh"]["mean_overlap_at_10"] == 1.0  # the same engine, the same articles
    markdown = data.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Targets (issue 13)" in markdown and "| whoosh over the server |" in markdown


def test_agreement_compares_the_top_10s_of_the_queries_either_finds() -> None:
    from team import agreement

    def found(*pages: tuple[int, list[str]]) -> dict:  # type: ignore[type-arg]
        return {"queries": [{"query": str(n), "total": total, "ids": ids} for n, (total, ids) in enumerate(pages)]}

    ours = found((3, ["a", "b", "c"]), (2, ["x", "y"]), (0, []))
    whoosh = found((4, ["a", "c", "d", "e"]), (2, ["x", "y"]), (0, []))

    assert agreement(ours, whoosh) == {
        "queries": 3, "with_hits": 2, "mean_overlap_at_10": round((2 / 4 + 1) / 2, 4),
        "same_first_hit": 1.0, "same_total": 0.5, "errors": 0,
    }  # fmt: skip


def test_agreement_ties_aside_counts_hits_of_equal_score_cut_at_the_10th_place() -> None:
    from team import agreement

    def page(ids: str, scores: list[float]) -> dict:  # type: ignore[type-arg]
        return {"queries": [{"query": "q", "total": 40, "ids": list(ids), "scores": scores}]}

    tied = [9.0] + [5.0] * 9  # the first alone, then nine of equal score, more of them than fit
    ours, whoosh = page("abcdefghij", tied), page("abcdefgxyz", tied)
    figures = agreement(ours, whoosh)

    assert figures["mean_overlap_at_10"] == 0.7 and figures["mean_overlap_at_10_ties_aside"] == 1.0
    assert figures["same_first_hit"] == figures["same_first_hit_ties_aside"] == 1.0
    other = agreement(page("abcdefghij", [9.0 - n for n in range(10)]), whoosh)  # no tie on our side
    assert other["mean_overlap_at_10_ties_aside"] == other["mean_overlap_at_10"] == 0.7
