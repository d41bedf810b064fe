"""``newsweave extract`` on every input kind at once, as the ingestion issue's acceptance command runs it."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.test_readers import ATOM, RSS, html_page, write_warc

NEWSWEAVE = Path(sys.executable).with_name("newsweave")
INQUIRY = [
    "The regional transport commissioner ordered an independent inquiry into the collapse on Sunday night.",
    "Engineers from outside the county will examine the bearings, the deck and the inspection records.",
    "Initial findings are due within eight weeks, the commissioner told a news conference in Westmarch.",
]
FERRY = [
    "The Aske ferry will add twelve sailings a day while the road crossing stays closed to traffic.",
    "Its operator said the first extra boats would leave the Quay Street slipway at six in the morning.",
    "Fares will not rise during the closure, and season tickets will be honoured on every crossing.",
]
PAGES = {
    "/story": html_page("Council orders inquiry into bridge", INQUIRY),
    "/other": html_page("Ferry runs extra sailings on the Aske", FERRY),
}


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(NEWSWEAVE)] if NEWSWEAVE.exists() else [sys.executable, "-m", "newsweave"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, check=False)


def test_extract_every_input_kind_to_jsonl(tmp_path: Path, server: str) -> None:
    warc = tmp_path / "some.warc.gz"
    write_warc(warc, [("https://herald.example.co.uk/a", "200 OK", "text/html", html_page().encode())])
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    (tmp_path / "page.html").write_text(html_page("Bridge collapses into river"), encoding="utf-8")
    (tmp_path / "urls.txt").write_text(f"{server}/story\n{server}/other\n{server}/missing\n", encoding="utf-8")
    inputs = [str(tmp_path / name) for name in ("some.warc.gz", "feed.xml", "page.html", "urls.txt")]

    result = _run("extract", *inputs, "--format", "jsonl", "--allow-private")

    assert result.returncode == 1, result.stderr  # one URL is a 404 and one feed entry is empty
    records = [json.loads(line) for line in result.stdout.splitlines()]
    titles = [record["title"] for record in records]
    # The WARC page and page.html are the same text from the same outlet: read once. The feed's first
    # entry is that story's first two paragraphs: a cut copy, folded into it.
    assert sorted(titles) == sorted(
        [
            "Bridge collapses into river",
            "Ferry runs extra sailings",
            "Council orders inquiry into bridge",
            "Ferry runs extra sailings on the Aske",
        ]
    )
    bridge = next(r for r in records if r["title"] == "Bridge collapses into river")
    assert [copy["location"] for copy in bridge["copies"]] == [f"{tmp_path / 'feed.xml'}#entry1"]
    for record in records:
        assert {"title", "maintext", "date_publish", "source_domain", "url", "language", "authors"} <= set(record)
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("newsweave: 4 articles; 1 duplicate folded; ")
    assert "could not be read" in summary and "HTTP 404" in summary


def test_urls_to_loopback_are_refused_by_default(tmp_path: Path, server: str) -> None:
    (tmp_path / "urls.txt").write_text(f"{server}/story\n", encoding="utf-8")
    result = _run("extract", str(tmp_path / "urls.txt"))
    assert result.returncode == 3
    assert "loopback" in result.stderr and "Traceback" not in result.stderr


def test_strict_stops_at_the_first_bad_input(tmp_path: Path) -> None:
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_page.html").write_text(html_page(), encoding="utf-8")
    result = _run("extract", str(tmp_path), "--strict")
    assert result.returncode == 1
    assert "a_empty.txt: empty file" in result.stderr
    assert result.stdout == ""


def test_feed_with_fetch_reads_the_linked_pages(tmp_path: Path, server: str) -> None:
    atom = ATOM.replace("https://courier.example.com/news/bridge", f"{server}/story")
    (tmp_path / "courier.atom").write_text(atom, encoding="utf-8")
    result = _run("extract", str(tmp_path / "courier.atom"), "--fetch", "--allow-private", "--format", "json")
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["title"] == "Council orders inquiry into bridge"  # the page's own metadata first
    assert record["maintext"].split("\n\n") == INQUIRY  # the page's text, not the entry's
