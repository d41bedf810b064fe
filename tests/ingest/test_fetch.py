"""Fetching URLs: pages and feeds come back decoded; hostile servers and addresses are refused or cut off.

Every test talks to a real HTTP server on 127.0.0.1 written here; nothing leaves the machine. Content
tests allow private addresses (the server is on loopback); the refusal tests use the default config.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from newsweave import __version__
from newsweave.errors import InputError
from newsweave.ingest.fetch import (
    FetchConfig,
    FetchedPage,
    address_refusal,
    fetch,
    fetch_many,
    parse_ip_literal,
)
from newsweave.records import Problem

PAGE = "<html><head><title>Harbour reopens</title></head><body><p>The café on the quay is busy.</p></body></html>"
FEED = (
    '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Aldane Courier</title>'
    "<item><title>Harbour reopens at São Martinho</title></item></channel></rss>"
)
HTML = "text/html; charset=utf-8"
# The server is on loopback, so content tests allow private addresses; timeouts stay small.
LOCAL = FetchConfig(allow_private=True, connect_timeout=1.0, read_timeout=1.0, total_timeout=5.0, retries=0)
# For the concurrency tests: a loaded 2-core machine must not turn a limit test into a timeout.
RELAXED = replace(LOCAL, connect_timeout=5.0, read_timeout=10.0, total_timeout=30.0)


class Gauge:
    """Counts requests in flight at one or more servers and remembers the most seen at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def __exit__(self, *exc_info: object) -> None:
        with self.lock:
            self.active -= 1


class Server(ThreadingHTTPServer):
    daemon_threads = True  # slow handlers still sleeping must not hold up the end of a test

    def __init__(self, host: str = "127.0.0.1", gauge: Gauge | None = None) -> None:
        super().__init__((host, 0), Handler)
        self.host = host
        self.lock = threading.Lock()
        self.seen: list[tuple[str, Message]] = []
        self.hits: Counter[str] = Counter()
        self.own_gauge = Gauge()
        self.shared_gauge = gauge
        self.sni_names: list[str | None] = []
        self.scheme = "http"

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.seen]

    def start(self) -> Server:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@functools.cache
def gzip_bomb() -> bytes:
    """Gzip of 200 MiB of zeros: about 200 KB, a thousand times smaller."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # bodies without Content-Length end when the connection closes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with self.server.lock:
            self.server.seen.append((self.path, self.headers))
            self.server.hits[parts.path] += 1
            hits = self.server.hits[parts.path]
        # the client giving up is what it should do
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.route(parts.path, query, hits)

    def reply(self, status: int, body: bytes = b"", content_type: str = HTML, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route(self, path: str, query: dict[str, str], hits: int) -> None:
        if path == "/page":
            self.reply(200, PAGE.encode())
        elif path == "/feed":
            self.reply(200, FEED.encode("iso-8859-1"), "application/rss+xml; charset=ISO-8859-1")
        elif path.startswith("/chain/"):
            # /chain/3 -> /chain/2 -> 1 (relative to the current URL) -> /page
            left = int(path.rsplit("/", 1)[1])
            self.redirect("/page" if left == 0 else (f"/chain/{left - 1}" if left % 2 else f"{left - 1}"))
        elif path == "/loop/a":
            self.redirect("/loop/b", 301)
        elif path == "/loop/b":
            self.redirect(self.server.url("/loop/a"), 307)
        elif path == "/to":
            self.redirect(query["url"])
        elif path == "/no-location":
            self.reply(302)
        elif path.startswith("/status/"):
            self.reply(int(path.rsplit("/", 1)[1]), b"no")
        elif path.startswith("/flaky/"):
            # fails with ?status= (default 503) for the first ?fail= hits (default 1), then serves the page
            if hits <= int(query.get("fail", "1")):
                extra = {"Retry_After": query["retry_after"]} if "retry_after" in query else {}
                self.reply(int(query.get("status", "503")), b"busy", **extra)
            else:
                self.reply(200, PAGE.encode())
        elif path == "/slow":
            time.sleep(float(query.get("seconds", "2")))
            self.reply(200, PAGE.encode())
        elif path == "/busy":
            # Counted only until the reply goes out: once it has, the client may rightly start its next
            # request while this thread has yet to get the core back and leave the gauge.
            with self.server.own_gauge, self.server.shared_gauge or Gauge():
                time.sleep(float(query.get("seconds", "0.3")))
            self.reply(200, path.encode())
        elif path == "/drip":
            # one byte every ?every= seconds for ?for= seconds, then silence for ?stall= seconds
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            started = time.monotonic()
            while time.monotonic() - started < float(query.get("for", "10")):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(float(query.get("every", "0.25")))
            time.sleep(float(query.get("stall", "0")))
        elif path == "/endless":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the body runs until the connection closes
            chunk = b"a" * 65536
            for _ in range(200):  # 12.5 MiB at most, then the handler ends on its own
                self.wfile.write(chunk)
        elif path == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"a" * 10)
            self.wfile.flush()
            time.sleep(3)  # a client that starts reading waits here for the rest
        elif path == "/bomb":
            layers = int(query.get("layers", "1"))
            encoding = ", ".join(["gzip"] * layers)
            body = gzip_bomb() if layers == 1 else gzip.compress(gzip_bomb())  # doubly: 200 MiB in under 1 KB
            self.reply(200, body, "text/html", Content_Encoding=encoding)
        elif path == "/encoded":
            body = PAGE.encode()
            packed = {
                "gzip": gzip.compress(body),
                "deflate": zlib.compress(body),
                "deflate-raw": zlib.compress(body, wbits=-zlib.MAX_WBITS),
            }[query["as"]]
            self.reply(200, packed, Content_Encoding=query["as"].removesuffix("-raw"))
        else:
            self.reply(404, b"not here")


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server().start()
    yield running
    running.stop()


@pytest.fixture
def other_server() -> Iterator[Server]:
    running = Server().start()
    yield running
    running.stop()


def first_hop_only(server: Server) -> FetchConfig:
    """Default address policy, except that the test server itself (this host:port only) is trusted."""
    return FetchConfig(allow_hosts=frozenset({f"127.0.0.1:{server.port}"}), total_timeout=5.0)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- content -------------------------------------------------------------------------------------------


def test_page_comes_back_with_type_charset_and_body(server: Server) -> None:
    page = fetch(server.url("/page"), LOCAL)
    assert page == FetchedPage(server.url("/page"), server.url("/page"), 200, "text/html", "utf-8", PAGE.encode())


def test_feed_charset_is_reported_as_sent(server: Server) -> None:
    page = fetch(server.url("/feed"), LOCAL)
    assert page.content_type == "application/rss+xml"
    assert page.charset == "iso-8859-1"
    assert "São Martinho" in page.body.decode(page.charset)


def test_request_names_newsweave_and_accepts_pages_and_feeds(server: Server) -> None:
    fetch(server.url("/page"), LOCAL)
    [(_, headers)] = server.seen
    assert headers["User-Agent"] == f"newsweave/{__version__} (+https://github.com/newsweave/newsweave)"
    for media_type in ("text/html", "application/rss+xml", "application/atom+xml"):
        assert media_type in headers["Accept"]
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_host_name_is_kept_in_host_header_while_connecting_to_its_checked_address(server: Server) -> None:
    page = fetch(server.url("/page", host="localhost"), LOCAL)
    assert page.body == PAGE.encode()
    assert server.seen[0][1]["Host"] == f"localhost:{server.port}"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw"])
def test_compressed_bodies_are_decoded(server: Server, encoding: str) -> None:
    assert fetch(server.url(f"/encoded?as={encoding}"), LOCAL).body == PAGE.encode()


# --- redirects ------------------------------------------------------------------------------------------


def test_redirect_chain_with_relative_locations_is_followed(server: Server) -> None:
    page = fetch(server.url("/chain/3"), LOCAL)
    assert (page.url, page.final_url, page.body) == (server.url("/chain/3"), server.url("/page"), PAGE.encode())
    assert server.paths == ["/chain/3", "/chain/2", "/chain/1", "/chain/0", "/page"]


def test_redirect_loop_is_named_a_loop(server: Server) -> None:
    with pytest.raises(InputError, match=r"redirect loop: .*/loop/a → .*/loop/b → .*/loop/a$"):
        fetch(server.url("/loop/a"), LOCAL)


def test_long_redirect_chain_is_too_many_redirects(server: Server) -> None:
    with pytest.raises(InputError, match=r"too many redirects \(more than 2\)"):
        fetch(server.url("/chain/3"), replace(LOCAL, max_redirects=2))
    assert len(server.seen) == 3


def test_redirect_without_location_is_an_error(server: Server) -> None:
    with pytest.raises(InputError, match="HTTP 302 redirect without a Location header"):
        fetch(server.url("/no-location"), LOCAL)


# --- status codes and retries ---------------------------------------------------------------------------


def with_retries(retries: int = 2, **changes: object) -> FetchConfig:
    return replace(LOCAL, retries=retries, backoff=0.01, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (403, "Forbidden"), (500, "Internal Server Error")])
def test_client_and_server_errors_are_reported_and_not_retried(server: Server, status: int, reason: str) -> None:
    with pytest.raises(InputError, match=f"/status/{status}: HTTP {status} {reason}$"):
        fetch(server.url(f"/status/{status}"), with_retries())
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [503, 429, 502, 504])
def test_transient_status_is_retried_until_it_works(server: Server, status: int) -> None:
    page = fetch(server.url(f"/flaky/x?status={status}"), with_retries())
    assert page.body == PAGE.encode()
    assert len(server.seen) == 2


def test_retries_give_up_and_say_how_often_they_tried(server: Server) -> None:
    with pytest.raises(InputError, match=r"HTTP 503 Service Unavailable \(tried 3 times\)"):
        fetch(server.url("/flaky/x?fail=99"), with_retries(2))
    assert len(server.seen) == 3


@pytest.mark.timing
def test_retry_after_is_honoured(server: Server) -> None:
    started = time.monotonic()
    fetch(server.url("/flaky/x?status=429&retry_after=1"), with_retries(1, total_timeout=5.0))
    assert 0.95 <= time.monotonic() - started < 3


@pytest.mark.timing
def test_retry_after_beyond_total_timeout_gives_up_at_once(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match="server asked to wait 120 s, beyond the 5 s total_timeout"):
        fetch(server.url("/flaky/x?retry_after=120"), with_retries(2, total_timeout=5.0))
    assert time.monotonic() - started < 1
    assert len(server.seen) == 1


def test_refused_connection_is_retried_then_reported() -> None:
    with pytest.raises(InputError, match=r"cannot connect \(.*refused.*\) \(tried 3 times\)"):
        fetch(f"http://127.0.0.1:{closed_port()}/page", with_retries(2))


# --- timeouts -------------------------------------------------------------------------------------------


@pytest.mark.timing
def test_silent_server_hits_read_timeout_and_is_retried(server: Server) -> None:
    config = with_retries(1, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"sent nothing for 0.3 s \(read_timeout\) \(tried 2 times\)"):
        fetch(server.url("/slow?seconds=2"), config)
    assert time.monotonic() - started < 1.5
    assert len(server.seen) == 2


@pytest.mark.timing
def test_slow_drip_is_cut_off_at_total_timeout(server: Server) -> None:
    config = with_retries(2, read_timeout=2.0, total_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(InputError, match="longer than the 1 s total_timeout"):
        fetch(server.url("/drip?every=0.2"), config)
    assert 0.95 <= time.monotonic() - started < 1.5
    assert len(server.seen) == 1  # no retry once the total time is spent


@pytest.mark.timing
def test_stall_just_before_deadline_is_cut_at_total_timeout_not_read_timeout(server: Server) -> None:
    # Drips for 0.7 s then goes silent: only the deadline on every socket read stops this at 1 s, not 5 s.
    config = with_retries(0, read_timeout=5.0, total_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(InputError, match="longer than the 1 s total_timeout"):
        fetch(server.url("/drip?every=0.1&for=0.7&stall=6"), config)
    assert time.monotonic() - started < 1.5


# --- body size ------------------------------------------------------------------------------------------


def test_body_without_content_length_stops_at_the_cap(server: Server) -> None:
    with pytest.raises(InputError, match="body is over the 1 MiB limit"):
        fetch(server.url("/endless"), replace(LOCAL, max_bytes=1024 * 1024))


@pytest.mark.timing
def test_declared_content_length_over_the_cap_is_refused_before_reading(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"body is 50 MiB \(Content-Length\), over the 1 MiB limit"):
        fetch(server.url("/declared-huge"), replace(LOCAL, max_bytes=1024 * 1024))
    assert time.monotonic() - started < 1  # reading would have waited 3 s for the rest


def test_gzip_bomb_stops_at_the_cap_of_decoded_bytes_with_bounded_memory(server: Server) -> None:
    gzip_bomb()  # built before measuring: 200 MiB of zeros in about 200 KB
    config = replace(LOCAL, max_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="body is over the 1 MiB limit"):
            fetch(server.url("/bomb"), config)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_stacked_gzip_is_refused(server: Server) -> None:
    with pytest.raises(InputError, match=r"stacked content encodings \(gzip, gzip\) are not accepted"):
        fetch(server.url("/bomb?layers=2"), LOCAL)


# --- addresses (SSRF) -----------------------------------------------------------------------------------


def test_loopback_url_is_refused_before_any_connection(server: Server) -> None:
    with pytest.raises(InputError, match=r"127\.0\.0\.1 is a loopback address; .*allow_private=True"):
        fetch(server.url("/page"))
    assert server.seen == []


@pytest.mark.timing
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://localhost:{port}/page", "localhost resolves to .*, a loopback address"),
        ("http://[::1]:{port}/page", "loopback"),
        ("http://2130706433/", r"2130706433 means 127\.0\.0\.1, which is a loopback address"),
        ("http://0x7f.0.0.1/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://017700000001/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://[fe80::1]/", "link-local"),
        ("http://10.0.0.1/", "private-network"),
        ("http://192.168.1.1./", "private-network"),
        ("http://[fc00::1]/", "private-network"),
        ("http://100.64.0.1/", r"shared \(carrier-grade NAT\)"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[::ffff:127.0.0.1]/", r"loopback address \(IPv4 127\.0\.0\.1 inside IPv6\)"),
        ("http://[64:ff9b::a00:1]/", r"private-network address \(IPv4 10\.0\.0\.1 inside IPv6\)"),
        ("http://[2002:7f00:1::]/", r"loopback address \(IPv4 127\.0\.0\.1 inside IPv6\)"),
    ],
)
def test_non_public_addresses_are_refused_by_default(server: Server, url: str, kind: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=kind):
        fetch(url.format(port=server.port), FetchConfig(connect_timeout=0.5, total_timeout=1.0, retries=0))
    assert time.monotonic() - started < 0.5  # refused, not timed out
    assert server.seen == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)", "data:text/html,hi", "gopher://x/"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InputError, match="only http and https URLs are fetched"):
        fetch(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "not an absolute URL"),
        ("news/today.html", "not an absolute URL"),
        ("http://", "no host"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://[::1/", "not a valid URL"),
        ("http://example.com:99999/", "port 99999 is out of range"),
        ("http://1.2.3.4.5/", "not a valid IPv4 address"),
        ("http://256.256.256.256/", "not a valid"),
        ("http://user:secret@example.com/", "user name or password"),
    ],
)
def test_malformed_urls_are_input_errors(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        fetch(url)


def test_redirect_to_another_loopback_port_is_refused_on_that_hop(server: Server, other_server: Server) -> None:
    start = server.url("/to?url=" + quote(other_server.url("/page"), safe=""))
    refused = r"after a redirect to http://127\.0\.0\.1:\d+/page: 127\.0\.0\.1 is a loopback"
    with pytest.raises(InputError, match=refused):
        fetch(start, first_hop_only(server))
    assert len(server.seen) == 1  # the trusted first hop was fetched
    assert other_server.seen == []  # the redirect target was never connected to


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://localhost:{other}/page", "localhost resolves to .*loopback"),
        ("http://2130706433:{other}/page", "loopback"),
        ("http://[::ffff:127.0.0.1]:{other}/page", "loopback"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_every_redirect_hop_is_checked(server: Server, other_server: Server, target: str, reason: str) -> None:
    start = server.url("/to?url=" + quote(target.format(other=other_server.port), safe=""))
    with pytest.raises(InputError, match=f"after a redirect to .*: .*{reason}"):
        fetch(start, first_hop_only(server))
    assert other_server.seen == []


def test_trusted_host_is_matched_with_its_port(server: Server) -> None:
    assert fetch(server.url("/page"), first_hop_only(server)).status == 200
    with pytest.raises(InputError, match="loopback"):
        fetch(server.url("/page"), FetchConfig(allow_hosts=frozenset({"127.0.0.1:1"})))


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private-network address"),
        ("172.16.0.1", "a private-network address"),
        ("192.168.0.1", "a private-network address"),
        ("169.254.169.254", "a link-local address (cloud metadata services live there)"),
        ("100.100.100.200", "a shared (carrier-grade NAT) address"),
        ("0.0.0.0", "an unspecified address"),
        ("192.0.2.1", "a private-network address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:10.0.0.1", "a private-network address (IPv4 10.0.0.1 inside IPv6)"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:93.184.215.14", None),
    ],
)
def test_address_check(address: str, refusal: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == refusal


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.0.0.1.", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("::1", "::1"),
        ("[::ffff:7f00:1]", "::ffff:7f00:1"),
        ("example.com", None),
        ("1e100.net", None),
    ],
)
def test_ip_literals_are_read_as_browsers_read_them(host: str, address: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.0.0.1", "08.0.0.1", "1..1", "0x1g.1"])
def test_host_that_ends_in_a_number_must_be_a_valid_address(host: str) -> None:
    with pytest.raises(ValueError, match="not a valid IPv4 address"):
        parse_ip_literal(host)


# --- many URLs ------------------------------------------------------------------------------------------


def test_fetch_many_keeps_input_order_and_reports_failures_as_problems(server: Server) -> None:
    urls = [
        server.url("/slow?seconds=0.4"),
        server.url("/status/404"),
        server.url("/page"),
        "file:///etc/passwd",
        server.url("/busy?seconds=0.1"),
        "not a url",
    ]
    results = list(fetch_many(urls, LOCAL))
    assert [type(result) for result in results] == [FetchedPage, Problem, FetchedPage, Problem, FetchedPage, Problem]
    assert [result.url if isinstance(result, FetchedPage) else result.source for result in results] == urls
    assert results[1] == Problem(urls[1], "HTTP 404 Not Found")
    assert results[0].body == results[2].body == PAGE.encode()  # type: ignore[union-attr]


def test_fetch_many_refuses_private_addresses_by_default_without_raising(server: Server) -> None:
    [result] = fetch_many([server.url("/page")])
    assert isinstance(result, Problem) and "loopback" in result.reason
    assert server.seen == []


def test_fetch_many_holds_to_the_per_host_limit(server: Server) -> None:
    config = replace(RELAXED, per_host=2, concurrency=8)
    results = list(fetch_many([server.url(f"/busy?n={n}") for n in range(6)], config))
    assert all(isinstance(result, FetchedPage) for result in results)
    assert server.own_gauge.peak == 2


def test_fetch_many_holds_to_the_total_limit_across_hosts() -> None:
    gauge = Gauge()
    try:
        second = Server("127.0.0.2", gauge).start()
    except OSError:
        pytest.skip("127.0.0.2 is not usable here")
    first = Server("127.0.0.1", gauge).start()
    try:
        urls = [host.url(f"/busy?n={n}") for n in range(4) for host in (first, second)]
        config = replace(RELAXED, per_host=2, concurrency=3)
        assert all(isinstance(result, FetchedPage) for result in fetch_many(urls, config))
        assert gauge.peak == 3
        assert first.own_gauge.peak <= 2 and second.own_gauge.peak <= 2
    finally:
        first.stop()
        second.stop()


def test_fetch_many_reads_its_input_lazily_and_stops_when_the_caller_does(server: Server) -> None:
    assert list(fetch_many([], LOCAL)) == []
    urls = (server.url(f"/busy?seconds=0.05&n={n}") for n in range(50))
    results = cast(Generator[FetchedPage | Problem, None, None], fetch_many(urls, replace(LOCAL, concurrency=2)))
    assert server.seen == []  # nothing happens until the caller asks
    assert isinstance(next(results), FetchedPage)
    results.close()  # queued URLs are dropped; at most 2 * concurrency were ever handed out
    assert len(server.seen) <= 4


# --- https ----------------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """An https server with a self-signed certificate for "localhost" only, trusted via SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    running = Server()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _socket, name, _context: running.sni_names.append(name)
    running.socket = context.wrap_socket(running.socket, server_side=True)
    running.scheme = "https"
    running.start()
    yield running
    running.stop()


def test_https_sends_the_host_name_for_sni_and_checks_the_certificate_against_it(tls_server: Server) -> None:
    page = fetch(tls_server.url("/page", host="localhost"), LOCAL)
    assert page.body == PAGE.encode()
    assert tls_server.sni_names == ["localhost"]
    assert tls_server.seen[0][1]["Host"] == f"localhost:{tls_server.port}"


def test_https_certificate_for_another_name_is_refused(tls_server: Server) -> None:
    with pytest.raises(InputError, match=r"TLS handshake failed .*(mismatch|certificate verify failed)"):
        fetch(tls_server.url("/page", host="127.0.0.1"), with_retries(2))
    assert tls_server.seen == []


# --- configuration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"total_timeout": 0}, "total_timeout must be above 0"),
        ({"max_bytes": -1}, "max_bytes must be above 0"),
        ({"per_host": 0}, "per_host must be above 0"),
        ({"retries": -1}, "retries must be 0 or more"),
    ],
)
def test_nonsense_configuration_is_refused(changes: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FetchConfig(**changes)  # type: ignore[arg-type]
