"""Every input kind, chosen by content: HTML, feeds, WARC, JSON Lines, JSON, gzip; and what goes wrong in them."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newsweave
from newsweave.ingest import UNEXPECTED, IngestConfig, read_source
from newsweave.ingest.sniff import sniff
from newsweave.records import Problem, RawDocument

PARAGRAPHS = [
    "A section of the Tollis Bridge in Port Aldane collapsed into the River Aske on Monday evening, killing one man.",
    "Witnesses said the eastern span dropped without warning at about 5.40pm as traffic queued in both directions.",
    "Westmarch County Council said the bridge would stay closed until engineers had examined the whole structure.",
    "“We will find out what happened here,” council leader Margaret Ellison-Hart told reporters near the scene.",
]


def html_page(title: str = "Bridge collapses into river", paragraphs: list[str] = PARAGRAPHS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | The Herald</title>
<link rel="canonical" href="https://www.herald.example.co.uk/news/2024/05/14/bridge">
<meta property="og:site_name" content="The Westmarch Herald">
<meta name="author" content="Tomasz Wren">
<meta property="article:published_time" content="2024-05-14T18:20:00+01:00"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{body}
<figure><img src="x.jpg"><figcaption>Emergency crews at the scene. Picture: Sam Ordway</figcaption></figure>
<aside><h3>Related</h3><ul><li><a href="/a">Ferry to run extra sailings</a></li></ul></aside></article>
<div class="comments"><p>Great article, thanks!</p></div>
<footer><p>© 2024 The Westmarch Herald. All rights reserved.</p></footer></body></html>"""


_FERRY = "The Aske ferry will run extra sailings every day while the Tollis Bridge is closed, the operator said."
RSS = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>The Westmarch Herald</title>
<item><title>Bridge collapses into river</title><link>https://herald.example.co.uk/a</link><guid>h-1</guid>
<pubDate>Tue, 14 May 2024 09:32:00 +0100</pubDate><author>news@herald.example (Tomasz Wren)</author>
<description>&lt;p&gt;{PARAGRAPHS[0]}&lt;/p&gt;&lt;p&gt;{PARAGRAPHS[1]}&lt;/p&gt;</description></item>
<item><title>Ferry runs extra sailings</title><link>https://herald.example.co.uk/b</link>
<description>&lt;p&gt;{_FERRY}&lt;/p&gt;</description></item>
<item><title>Empty one</title><link>https://herald.example.co.uk/c</link></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Aldane Courier</title>
<entry><title>Bridge collapse: one dead</title><link href="https://courier.example.com/news/bridge"/><id>c-1</id>
<updated>2024-05-14T08:32:00Z</updated>
<content type="html">&lt;p&gt;{PARAGRAPHS[0]}&lt;/p&gt;&lt;p&gt;{PARAGRAPHS[2]}&lt;/p&gt;</content></entry>
</feed>"""


def write_warc(path: Path, pages: list[tuple[str, str, str, bytes]], gzipped: bool = True) -> None:
    """Write a WARC of (uri, status line, content type, body) responses with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        for uri, status, content_type, body in pages:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)


def documents(path: Path) -> tuple[list[RawDocument], list[Problem]]:
    found = list(read_source(path, IngestConfig()))
    return [d for d in found if isinstance(d, RawDocument)], [p for p in found if isinstance(p, Problem)]


def test_html_page_gives_text_and_metadata_without_chrome(tmp_path: Path) -> None:
    page = tmp_path / "page.bin"  # the name says nothing: the content decides
    page.write_text(html_page(), encoding="utf-8")
    article = newsweave.read(page)
    assert article.origin.reader == "html"
    assert article.title == "Bridge collapses into river"
    assert article.outlet == "The Westmarch Herald"
    assert article.source_domain == "example.co.uk"
    assert article.url == "https://www.herald.example.co.uk/news/2024/05/14/bridge"
    assert article.date_publish is not None and article.date_publish.isoformat() == "2024-05-14T18:20:00+01:00"
    assert article.authors == ("Tomasz Wren",)
    assert article.language == "en"
    assert list(article.paragraphs) == PARAGRAPHS
    for chrome in ("Home", "Picture: Sam Ordway", "Ferry to run", "Great article", "All rights reserved"):
        assert chrome not in article.text


def test_html_without_article_text_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(newsweave.InputError, match=r"index\.html: no article text found"):
        newsweave.read(page)


@given(st.lists(st.sampled_from(["<p>", "<P class=x>", "<p\n", "<pre>", "<table>", "<TABLE\t", "<tab>", "text "])))
def test_paragraphs_counted_until_they_outnumber_tables_decide_as_full_counts(pieces: list[str]) -> None:
    from newsweave.ingest.html import _PARAGRAPH_TAG, _TABLE_TAG, _more_paragraphs_than_tables

    markup = "".join(pieces)
    paragraphs, tables = len(_PARAGRAPH_TAG.findall(markup)), len(_TABLE_TAG.findall(markup))
    assert _more_paragraphs_than_tables(markup) == bool(paragraphs and tables < paragraphs)


def test_html_with_a_lying_charset_is_still_read(tmp_path: Path) -> None:
    page = tmp_path / "lying.html"
    page.write_bytes(html_page().replace('charset="utf-8"', 'charset="x-no-such-charset"').encode("utf-8"))
    assert "Ellison-Hart" in newsweave.read(page).text


def test_rss_entries_become_articles(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS, encoding="utf-8")
    found, problems = documents(feed)
    assert [d.hints.title for d in found] == ["Bridge collapses into river", "Ferry runs extra sailings"]
    first = found[0]
    assert first.hints.outlet == "The Westmarch Herald"
    assert first.hints.url == "https://herald.example.co.uk/a"
    assert first.hints.source_id == "h-1"
    assert first.hints.date_publish is not None and first.hints.date_publish.isoformat() == "2024-05-14T08:32:00+00:00"
    assert PARAGRAPHS[0] in first.text
    assert [p.source for p in problems] == [f"{feed}#entry3"]
    assert "use --fetch" in problems[0].reason


def test_atom_feed(tmp_path: Path) -> None:
    feed = tmp_path / "courier.atom"
    feed.write_text(ATOM, encoding="utf-8")
    articles, problems = newsweave.read_all([feed])
    assert problems == []
    (article,) = articles
    assert article.outlet == "Aldane Courier"
    assert list(article.paragraphs) == [PARAGRAPHS[0], PARAGRAPHS[2]]


def test_broken_feed_is_reported(tmp_path: Path) -> None:
    feed = tmp_path / "broken.rss"
    feed.write_text("<rss><channel><title>x</title><item><title>unclosed", encoding="utf-8")
    _, problems = documents(feed)
    assert problems and all(p.source.startswith(str(feed)) for p in problems)


@pytest.mark.parametrize("gzipped", [True, False])
def test_warc_html_responses_become_articles(tmp_path: Path, gzipped: bool) -> None:
    warc = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    write_warc(
        warc,
        [
            ("https://herald.example.co.uk/a", "200 OK", "text/html; charset=utf-8", html_page().encode()),
            ("https://herald.example.co.uk/logo.png", "200 OK", "image/png", b"\x89PNG"),
            ("https://herald.example.co.uk/gone", "404 Not Found", "text/html", b"<html>gone</html>"),
            ("https://herald.example.co.uk/b", "200 OK", "text/html", html_page("Ferry runs extra sailings").encode()),
        ],
        gzipped,
    )
    found, problems = documents(warc)
    assert problems == []
    assert [d.hints.title for d in found] == ["Bridge collapses into river", "Ferry runs extra sailings"]
    assert all(d.origin.location.startswith(f"{warc}#") for d in found)


def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    warc = tmp_path / "cut.warc.gz"
    write_warc(
        warc,
        [
            ("https://a.example/1", "200 OK", "text/html", html_page().encode()),
            ("https://a.example/2", "200 OK", "text/html", html_page("Second page title here").encode()),
        ],
    )
    data = warc.read_bytes()
    warc.write_bytes(data[: len(data) - 200])
    found, problems = documents(warc)
    assert [d.hints.title for d in found] == ["Bridge collapses into river"]
    assert len(problems) == 1 and "truncated WARC record" in problems[0].reason
    assert problems[0].source.startswith(f"{warc}#")


def test_jsonl_in_news_please_fields_with_bad_lines(tmp_path: Path) -> None:
    records = [
        {"id": "r1", "title": "Bridge collapses", "maintext": "\n".join(PARAGRAPHS), "source_domain": "herald.example",
         "date_publish": "2024-05-14 18:20:00", "authors": ["Tomasz Wren"], "language": "en", "url": "https://herald.example/a"},
        "not an object",
        {"title": "no body"},
        {"id": 7, "text": PARAGRAPHS[1], "outlet": "Courier"},
    ]  # fmt: skip
    lines = [json.dumps(r) for r in records]
    lines.insert(2, "{broken json")
    feed = tmp_path / "dump.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, problems = newsweave.read_all([feed])
    assert [(a.source_id, a.outlet) for a in articles] == [("r1", "herald.example"), ("7", "Courier")]
    assert articles[0].date_publish is not None and articles[0].date_publish.isoformat() == "2024-05-14T18:20:00"
    assert [p.source for p in problems] == [f"{feed}:2", f"{feed}:3", f"{feed}:4"]


def test_one_site_under_several_host_names_is_one_outlet(tmp_path: Path) -> None:
    """news-please's source_domain is a host name: "www." and sub-sites of one registered domain are one outlet,
    a declared outlet stays as declared, and a name that is no host name is kept as given."""
    records = [
        {"maintext": PARAGRAPHS[0], "source_domain": "www.herald.co.uk"},
        {"maintext": PARAGRAPHS[1], "source_domain": "news.herald.co.uk"},
        {"maintext": PARAGRAPHS[2], "source_domain": "herald.co.uk", "outlet": "The Herald"},
        {"maintext": PARAGRAPHS[3], "source_domain": "Herald Wire"},
    ]
    feed = tmp_path / "dump.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    articles, problems = newsweave.read_all([feed])
    assert problems == []
    assert [a.outlet for a in articles] == ["herald.co.uk", "herald.co.uk", "The Herald", "Herald Wire"]
    assert [a.source_domain for a in articles] == ["herald.co.uk", "herald.co.uk", "herald.co.uk", "Herald Wire"]


def test_gzipped_jsonl_and_json_list(tmp_path: Path) -> None:
    record = {"title": "Bridge collapses", "maintext": PARAGRAPHS[0], "source_domain": "herald.example"}
    packed = tmp_path / "dump.jsonl.gz"
    packed.write_bytes(gzip.compress((json.dumps(dict(record, maintext=PARAGRAPHS[2])) + "\n").encode()))
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([record, dict(record, maintext=PARAGRAPHS[1])], indent=2), encoding="utf-8")
    articles, problems = newsweave.read_all([packed, listed])
    assert problems == []
    assert [a.origin.reader for a in articles] == ["jsonl", "json", "json"]


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "page.html.gz"
    bomb.write_bytes(gzip.compress(b"<html><body><p>" + b"a" * (30 * 1024 * 1024)))
    _, problems = documents(bomb)
    assert len(problems) == 1 and "decompresses to more than 10 MiB" in problems[0].reason


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate" * 10)
    _, problems = documents(bad)
    assert len(problems) == 1 and "gzip" in problems[0].reason


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"WARC/1.0\r\nWARC-Type: warcinfo", "warc"),
        (b'{"title": "x"}\n{"title": "y"}\n', "jsonl"),
        (b'{\n  "title": "x"\n}', "json"),
        (b"[{}]", "json"),
        (b'<?xml version="1.0"?>\n<rss version="2.0">', "feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        (b"https://a.example/x\nhttps://b.example/y\n", "urls"),
        (b"Headline\n\nA paragraph of text.", "text"),
    ],
)
def test_kind_is_told_by_content(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


def test_stdin_is_an_input(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsweave", "extract", "-", "--format", "json"],
        input=html_page().encode(), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (article,) = json.loads(result.stdout)
    assert article["title"] == "Bridge collapses into river"
    assert article["origin"]["location"] == "<stdin>"


@given(st.binary(max_size=4000), st.sampled_from([b"", b"WARC/1.0\r\n", b"<rss>", b"<html>", b"{", b"\x1f\x8b"]))
def test_random_bytes_give_documents_or_problems(data: bytes, prefix: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(prefix + data)
        for item in read_source(path):
            assert isinstance(item, RawDocument | Problem)
            if isinstance(item, Problem):
                assert item.source.startswith(str(path)) and item.reason
                assert UNEXPECTED not in item.reason, item.reason  # a reader bug, not a bad input
