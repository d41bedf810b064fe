"""Fetching news pages and feeds over HTTP(S), safely: URLs come from strangers and bodies are hostile.

``fetch`` reads one URL; ``fetch_many`` reads many concurrently and yields results in input order.
Safe by default:

- only ``http`` and ``https``; URLs with a user name or password are refused;
- no private, loopback, link-local, multicast, reserved or shared (CGNAT) address is ever connected to
  (SSRF), whether it is written in the URL (``http://2130706433/`` and ``http://0x7f.1/`` included) or a
  host name resolves to it; the check runs on every new connection, so on every redirect hop too;
- the connection goes to the very address that was checked (no DNS-rebinding window), for https as well:
  the TLS handshake still sends the host name (SNI) and verifies the certificate against it;
- redirects are followed by hand, at most ``max_redirects``; loops are named as such;
- the body is capped at ``max_bytes`` *after* decompression, decoded in small pieces, so a gzip bomb
  costs at most the cap in memory; a declared Content-Length over the cap is refused before reading;
- ``total_timeout`` bounds the whole fetch (redirects, retries and every socket read included);
- transient failures (connect errors, timeouts, 429, 502, 503, 504) are retried with exponential
  backoff and jitter; ``Retry-After`` is honoured when it fits in the ``total_timeout``.

Remaining gaps: host name resolution (``socket.getaddrinfo``) is not bounded by the timeouts (the system
resolver's own limits apply); proxies from the environment are never used (a proxy would resolve the
host itself, out of reach of the check).

httpx is imported inside the functions that use it, so importing this module (for ``FetchConfig``) is free.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import logging
import random
import re
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsweave import __version__
from newsweave.errors import InputError
from newsweave.records import Problem

if TYPE_CHECKING:
    from concurrent.futures import Future

    import httpx

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_KiB = 1024
_MiB = 1024 * 1024
# HTML pages first, feeds next (RSS, Atom, JSON Feed and their generic XML types), anything else last.
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)
# Only what this module decodes itself, in bounded pieces (see _Inflater); never br or zstd.
_ACCEPT_ENCODING = "gzip, deflate"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Transient by their definition; a 500 usually is a bug on the server that a retry repeats.
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Largest piece one decompression step may produce; bounds memory beyond the body cap.
_PIECE = 64 * _KiB
# Request extension that carries a fetch's absolute deadline (time.monotonic) down to the sockets.
_DEADLINE = "newsweave.deadline"
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?", re.IGNORECASE)


@dataclass(frozen=True)
class FetchConfig:
    """Timeouts, limits, retries and address policy for fetching URLs."""

    # Timeouts in seconds: 5 s to connect and 10 s between two reads let a slow news site answer;
    # the total bounds everything, redirects, retries and the body included.
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    # Body cap after decompression; same 10 MiB as IngestConfig.max_bytes for a file.
    max_bytes: int = 10 * _MiB
    # Browsers stop at 20; news sites need 1-3 (http -> https -> www -> canonical).
    max_redirects: int = 5
    # Retries after the first try, on transient failures only; the wait doubles from ``backoff`` seconds.
    retries: int = 2
    backoff: float = 0.5
    # Two requests at a time per host is polite to one outlet; eight in all keeps a batch moving.
    per_host: int = 2
    concurrency: int = 8
    # Allow private, loopback and other non-public addresses (a trusted local server).
    allow_private: bool = False
    # Exact "host:port" pairs (lowercase, IPv6 as "[::1]:8080", port always written) that skip the
    # address check, e.g. one intranet feed server; every other host is still checked.
    allow_hosts: frozenset[str] = frozenset()
    user_agent: str = f"newsweave/{__version__} (+https://github.com/newsweave/newsweave)"

    def __post_init__(self) -> None:
        positive = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "total_timeout": self.total_timeout,
            "max_bytes": self.max_bytes,
            "per_host": self.per_host,
            "concurrency": self.concurrency,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"FetchConfig.{name} must be above 0, not {value!r}")
        for name, value in {"max_redirects": self.max_redirects, "retries": self.retries}.items():
            if value < 0:
                raise ValueError(f"FetchConfig.{name} must be 0 or more, not {value!r}")
        if self.backoff < 0:
            raise ValueError(f"FetchConfig.backoff must be 0 or more, not {self.backoff!r}")


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One successfully fetched URL: where it ended up, its media type and charset, and the decoded body."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str | None  # media type without parameters, lowercase: "text/html"
    charset: str | None  # from the Content-Type header, lowercase: "iso-8859-1"
    body: bytes = field(repr=False)  # after Content-Encoding is undone; never over max_bytes


def fetch(url: str, config: FetchConfig = FetchConfig()) -> FetchedPage:
    """Return the page at ``url``; raise ``InputError(url, reason)`` if it cannot or may not be fetched."""
    with _open_client(config) as client:
        return _fetch(client, url, config, _HostSlots(config.per_host))


def fetch_many(urls: Iterable[str], config: FetchConfig = FetchConfig()) -> Iterator[FetchedPage | Problem]:
    """Yield a FetchedPage or a Problem for each URL, in input order, fetching concurrently underneath.

    At most ``config.concurrency`` requests run at once, and at most ``config.per_host`` to one host.
    A URL that fails gives a Problem naming it; nothing is raised for a bad URL. At most
    ``2 * concurrency`` results wait to be taken, so memory stays bounded for a long input.
    """
    from concurrent.futures import ThreadPoolExecutor

    slots = _HostSlots(config.per_host)
    with _open_client(config) as client:
        pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="newsweave-fetch")
        try:
            pending: deque[Future[FetchedPage | Problem]] = deque()
            for url in urls:
                pending.append(pool.submit(_fetch_or_problem, client, url, config, slots))
                if len(pending) >= 2 * config.concurrency:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            # Also runs when the caller stops early: queued URLs are dropped, running ones finish.
            pool.shutdown(wait=True, cancel_futures=True)


def address_refusal(address: IPAddress) -> str | None:
    """Return why ``address`` may not be fetched from ("a loopback address"), or None for a public one.

    IPv4 addresses inside IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64) are judged by the IPv4 one.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and (refusal := address_refusal(embedded)) is not None:
            return f"{refusal} (IPv4 {embedded} inside IPv6)"
        if address.ipv4_mapped is not None:
            return None  # reaches exactly that public IPv4 address
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private-network address"
    if not address.is_global:
        return "a special-purpose, non-public address"
    return None


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address a URL host spells out, or None when the host is a name.

    IPv4 is read the way browsers and ``inet_aton`` read it: 1 to 4 parts, each decimal, ``0x`` hex or
    ``0``-led octal, the last filling the remaining bytes (``2130706433``, ``0x7f.1`` and ``127.1`` are all
    127.0.0.1). A host whose last label is a number but which is no valid address raises ValueError.
    """
    host = host.removeprefix("[").removesuffix("]")
    if ":" in host:
        return ipaddress.IPv6Address(host)
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # trailing dot of a fully qualified name
    if _ipv4_number(parts[-1]) is None:
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(number is None for number in numbers):
        raise ValueError(f"{host} is not a valid IPv4 address")
    values = [number for number in numbers if number is not None]
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise ValueError(f"{host} is not a valid IPv4 address (a part is too large)")
    leading = sum(value << (8 * (3 - index)) for index, value in enumerate(values[:-1]))
    return ipaddress.IPv4Address(leading + values[-1])


def _ipv4_number(part: str) -> int | None:
    if part[:2].lower() == "0x":
        digits, base, allowed = part[2:], 16, "0123456789abcdefABCDEF"
    elif len(part) > 1 and part.startswith("0"):
        digits, base, allowed = part[1:], 8, "01234567"
    else:
        digits, base, allowed = part, 10, "0123456789"
        if not digits:
            return None
    if not all(char in allowed for char in digits):
        return None
    return int(digits, base) if digits else 0


class _FinalError(Exception):
    """A URL that fails for good: the reason is final, retrying would not help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TransientError(Exception):
    """A transient failure; ``after`` is the server's Retry-After in seconds, if it gave one."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


def _checked_addresses(host: str, port: int, config: FetchConfig) -> tuple[IPAddress, ...]:
    """Return the addresses to connect to for ``host``; raise _FinalError if any one is off limits.

    Every address a name resolves to is checked, not only the first: the connection may go to any.
    """
    try:
        literal = parse_ip_literal(host)
    except ValueError as error:
        raise _FinalError(str(error)) from None
    addresses = (literal,) if literal is not None else _resolve(host, port)
    key = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if config.allow_private or any(entry.lower() == key.lower() for entry in config.allow_hosts):
        return addresses
    for address in addresses:
        refusal = address_refusal(address)
        if refusal is not None:
            if literal is None:
                subject = f"{host} resolves to {address},"
            else:
                subject = f"{address} is" if str(address) == host else f"{host} means {address}, which is"
            raise _FinalError(
                f"{subject} {refusal}; non-public addresses are refused to protect internal services "
                "(FetchConfig(allow_private=True) or allow_hosts allow a server you trust)"
            )
    return addresses


def _resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno == socket.EAI_AGAIN:
            raise ConnectionError(f"temporary failure resolving {host}") from error  # retried
        raise _FinalError(f"cannot resolve host {host} ({error.strerror or error})") from None
    # sockaddr[0] is the address text; an IPv6 one may carry a "%zone" suffix.
    found = [ipaddress.ip_address(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in answers]
    if not found:
        raise _FinalError(f"cannot resolve host {host} (no address)")
    return tuple(dict.fromkeys(found))


def _checked_url(text: str) -> httpx.URL:
    """Return ``text`` parsed as an absolute http(s) URL; raise _FinalError saying what is wrong."""
    import httpx

    try:
        url = httpx.URL(text.strip())
    except httpx.InvalidURL as error:
        raise _FinalError(f"not a valid URL ({error})") from None
    if not url.scheme:
        raise _FinalError("not an absolute URL; give one starting with http:// or https://")
    if url.scheme not in ("http", "https"):
        raise _FinalError(f"only http and https URLs are fetched, not {url.scheme}:")
    if url.userinfo:
        raise _FinalError("URLs with a user name or password are not fetched")
    host = url.raw_host.decode("ascii")
    if not host:
        raise _FinalError("the URL has no host")
    if url.port is not None and not 0 < url.port < 65536:
        raise _FinalError(f"port {url.port} is out of range")
    if ":" not in host and not _HOST_NAME.fullmatch(host):
        raise _FinalError(f"{host!r} is not a valid host name")
    try:
        parse_ip_literal(host)
    except ValueError as error:
        raise _FinalError(str(error)) from None
    return url


class _Clock:
    """The deadline of one fetch; time spent waiting for a per-host slot is not counted."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.deadline += time.monotonic() - started


class _HostSlots:
    """At most ``per_host`` requests in flight to one host at a time, for one fetch_many call."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}

    @contextlib.contextmanager
    def held(self, host: str, clock: _Clock) -> Iterator[None]:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.Semaphore(self._per_host)
        with clock.paused():
            slot.acquire()
        try:
            yield
        finally:
            slot.release()


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    location: str | None = None  # set for a redirect, resolved against the request URL
    content_type: str | None = None
    charset: str | None = None
    body: bytes = b""


def _fetch_or_problem(client: httpx.Client, url: str, config: FetchConfig, slots: _HostSlots) -> FetchedPage | Problem:
    try:
        return _fetch(client, url, config, slots)
    except InputError as error:
        logger.info("not fetched: %s", error)
        return Problem(error.source, error.reason)


def _fetch(client: httpx.Client, url: str, config: FetchConfig, slots: _HostSlots) -> FetchedPage:
    clock = _Clock(config.total_timeout)
    rng = random.Random(url)  # jitter differs between URLs yet a run can be repeated exactly
    visited: list[str] = []
    hop = url
    while True:
        try:
            target = _checked_url(hop)
            reply = _exchange(client, target, config, clock, slots, rng)
        except _FinalError as failure:
            reason = f"after a redirect to {hop}: {failure.reason}" if visited else failure.reason
            raise InputError(url, reason) from None
        visited.append(str(target))
        if reply.location is None:
            return FetchedPage(url, str(target), reply.status, reply.content_type, reply.charset, reply.body)
        if len(visited) > config.max_redirects:
            raise InputError(url, _redirect_failure([*visited, reply.location], config.max_redirects))
        logger.debug("%s: HTTP %d redirect to %s", url, reply.status, reply.location)
        hop = reply.location


def _redirect_failure(chain: list[str], limit: int) -> str:
    """Name a loop as such (it would never end); otherwise the chain is only longer than the limit."""
    for start, hop in enumerate(chain):
        if hop in chain[start + 1 :]:
            end = chain.index(hop, start + 1)
            return f"redirect loop: {' → '.join(chain[start : end + 1])}"
    return f"too many redirects (more than {limit}): {chain[0]} → … → {chain[-1]}"


def _exchange(
    client: httpx.Client,
    target: httpx.URL,
    config: FetchConfig,
    clock: _Clock,
    slots: _HostSlots,
    rng: random.Random,
) -> _Reply:
    """Return the reply to one GET of ``target``, retrying transient failures while time is left."""
    attempt = 0
    while True:
        attempt += 1
        try:
            with slots.held(target.host, clock):
                return _exchange_once(client, target, config, clock)
        except _TransientError as retry:
            if attempt > config.retries:
                tries = f" (tried {attempt} times)" if attempt > 1 else ""
                raise _FinalError(f"{retry.reason}{tries}") from None
            base = config.backoff * 2 ** (attempt - 1)
            delay = max(retry.after or 0.0, base / 2 + rng.uniform(0, base / 2))
            if delay >= clock.remaining():
                if retry.after is not None and retry.after >= delay:
                    why = f"the server asked to wait {retry.after:g} s, beyond"
                else:
                    why = "no time left to retry within"
                raise _FinalError(f"{retry.reason}; {why} the {config.total_timeout:g} s total_timeout") from None
            logger.info("%s: %s; retry %d of %d in %.2f s", target, retry.reason, attempt, config.retries, delay)
            time.sleep(delay)


def _exchange_once(client: httpx.Client, target: httpx.URL, config: FetchConfig, clock: _Clock) -> _Reply:
    import httpx

    left = clock.remaining()
    if left <= 0:
        raise _FinalError(_total_timeout(config))
    read = min(config.read_timeout, left)
    timeout = httpx.Timeout(connect=min(config.connect_timeout, left), read=read, write=read, pool=left)
    request = client.build_request("GET", target, timeout=timeout, extensions={_DEADLINE: clock.deadline})
    response: httpx.Response | None = None
    try:
        response = client.send(request, stream=True)
        return _reply(response, target, config, clock)
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
        raise _transport_failure(error, config, clock) from error
    except ConnectionError as error:  # temporary DNS failure, from _resolve
        raise _TransientError(str(error)) from error
    except httpx.HTTPError as error:
        raise _FinalError(f"the request failed ({error})") from error
    finally:
        if response is not None:
            response.close()


def _transport_failure(error: httpx.TransportError, config: FetchConfig, clock: _Clock) -> Exception:
    """Return the _TransientError or _FinalError that describes a failed connection or read."""
    import httpx

    if clock.remaining() <= 0:
        return _FinalError(_total_timeout(config))
    tls = _tls_failure(error)
    if tls is not None:
        return _FinalError(f"TLS handshake failed ({tls})")
    if isinstance(error, httpx.ConnectTimeout):
        return _TransientError(f"no connection within the {config.connect_timeout:g} s connect_timeout")
    if isinstance(error, httpx.ReadTimeout):
        return _TransientError(f"the server sent nothing for {config.read_timeout:g} s (read_timeout)")
    if isinstance(error, httpx.TimeoutException):
        return _TransientError(f"timed out ({type(error).__name__})")
    if isinstance(error, httpx.ConnectError):
        return _TransientError(f"cannot connect ({error})")
    return _TransientError(f"the connection broke ({error})")


def _tls_failure(error: BaseException) -> str | None:
    import ssl

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    return None


def _total_timeout(config: FetchConfig) -> str:
    return f"gave up: the fetch took longer than the {config.total_timeout:g} s total_timeout"


def _reply(response: httpx.Response, target: httpx.URL, config: FetchConfig, clock: _Clock) -> _Reply:
    import httpx

    status = response.status_code
    if status in _REDIRECT_STATUSES:
        location = response.headers.get("location", "").strip()
        if not location:
            raise _FinalError(f"HTTP {status} redirect without a Location header")
        try:
            return _Reply(status, location=str(target.join(location)))
        except httpx.InvalidURL as error:
            raise _FinalError(f"HTTP {status} redirect to an invalid URL {location!r} ({error})") from None
    described = f"HTTP {status} {response.reason_phrase}".strip()
    if status in _RETRY_STATUSES:
        raise _TransientError(described, _retry_after(response.headers.get("retry-after")))
    if not 200 <= status < 300:
        raise _FinalError(described)
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = _read_body(response, config, clock)
    return _Reply(status, None, media_type or None, response.charset_encoding, body)


def _retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for (delay or HTTP date), None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _read_body(response: httpx.Response, config: FetchConfig, clock: _Clock) -> bytes:
    """Return the decoded body, refusing it as soon as it is known to be over the cap."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > config.max_bytes:
        raise _FinalError(
            f"body is {_size(int(declared))} (Content-Length), over the {_size(config.max_bytes)} limit; "
            "raise FetchConfig.max_bytes if the page really is that large"
        )
    inflater = _Inflater(response.headers.get("content-encoding"))
    body = bytearray()
    # iter_raw, not iter_bytes: httpx would inflate a whole network read at once (a 64 KiB read of a
    # gzip bomb is 64 MiB, of a doubly gzipped one far more); _Inflater does it in bounded pieces.
    for raw in response.iter_raw():
        for piece in inflater.feed(raw):
            _append(body, piece, config.max_bytes)
        if clock.remaining() <= 0:
            raise _FinalError(_total_timeout(config))
    for piece in inflater.feed(b"", final=True):
        _append(body, piece, config.max_bytes)
    return bytes(body)


def _append(body: bytearray, piece: bytes, limit: int) -> None:
    if len(body) + len(piece) > limit:
        raise _FinalError(
            f"body is over the {_size(limit)} limit; raise FetchConfig.max_bytes if the page really is that large"
        )
    body += piece


def _size(count: int) -> str:
    if count >= _MiB:
        return f"{count / _MiB:.3g} MiB"
    if count >= _KiB:
        return f"{count / _KiB:.3g} KiB"
    return f"{count} bytes"


class _Inflater:
    """Undoes a gzip or deflate Content-Encoding in pieces of at most _PIECE bytes."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [name.strip().lower() for name in (content_encoding or "").split(",")]
        codings = [name for name in codings if name and name != "identity"]
        if len(codings) > 1:
            raise _FinalError(f"stacked content encodings ({content_encoding}) are not accepted")
        self._coding = codings[0] if codings else None
        if self._coding not in (None, "gzip", "x-gzip", "deflate"):
            raise _FinalError(f"content encoding {self._coding!r} is not supported (only gzip and deflate are)")
        # "deflate" should be zlib-wrapped but some servers send it raw; the first two bytes tell.
        self._head = b""
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if self._coding in ("gzip", "x-gzip") else None

    def feed(self, data: bytes, final: bool = False) -> Iterator[bytes]:
        if self._coding is None:
            if data:
                yield data
            return
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2 and not final:
                return
            data, self._head = self._head, b""
            zlib_wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        try:
            while True:
                piece = self._inflater.decompress(data, _PIECE)
                if piece:
                    yield piece
                data = self._inflater.unconsumed_tail
                if not data and len(piece) < _PIECE:
                    break
        except zlib.error as error:
            raise _FinalError(f"body is not valid {self._coding} data ({error})") from None


def _open_client(config: FetchConfig) -> httpx.Client:
    import httpx  # imported here: only runs that fetch pay for it

    return httpx.Client(
        transport=_guarded_transport(config),
        headers={"User-Agent": config.user_agent, "Accept": ACCEPT, "Accept-Encoding": _ACCEPT_ENCODING},
        follow_redirects=False,
        trust_env=False,  # an environment proxy would resolve and connect on its own, past the address check
    )


def _guarded_transport(config: FetchConfig) -> httpx.BaseTransport:
    """Return an httpx transport whose every new connection goes to a checked address, within the deadline.

    httpx's own HTTPTransport resolves and connects inside httpcore, out of reach; this one gives
    httpcore's connection pool a network backend that resolves the host itself, refuses it if any
    address is off limits, and connects to one of exactly those addresses. httpcore still does TLS with
    the URL's host name, so SNI and certificate checks are the usual ones. The classes are defined here
    because they subclass httpx and httpcore, which are imported only when a fetch starts.
    """
    import httpcore
    import httpx

    # The deadline of the request each thread is running: set per request, read by every socket call.
    deadlines = threading.local()

    def clamp(timeout: float | None, expired: type[Exception]) -> float | None:
        deadline: float | None = getattr(deadlines, "at", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise expired("the total_timeout ran out")
        return left if timeout is None else min(timeout, left)

    error_map: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
        (httpcore.ConnectTimeout, httpx.ConnectTimeout),
        (httpcore.ReadTimeout, httpx.ReadTimeout),
        (httpcore.WriteTimeout, httpx.WriteTimeout),
        (httpcore.PoolTimeout, httpx.PoolTimeout),
        (httpcore.ConnectError, httpx.ConnectError),
        (httpcore.ReadError, httpx.ReadError),
        (httpcore.WriteError, httpx.WriteError),
        (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError, httpx.LocalProtocolError),
        (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
        (httpcore.TimeoutException, httpx.TimeoutException),
        (httpcore.NetworkError, httpx.NetworkError),
        (httpcore.ProtocolError, httpx.ProtocolError),
    )

    @contextlib.contextmanager
    def httpx_errors() -> Iterator[None]:
        """Re-raise httpcore's exceptions as httpx's, as an httpx transport must."""
        try:
            yield
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as error:
            for core_type, httpx_type in error_map:
                if isinstance(error, core_type):
                    raise httpx_type(str(error)) from error
            raise

    class DeadlineStream(httpcore.NetworkStream):
        def __init__(self, stream: httpcore.NetworkStream) -> None:
            self._stream = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._stream.read(max_bytes, clamp(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._stream.write(buffer, clamp(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._stream.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> httpcore.NetworkStream:
            tls = self._stream.start_tls(ssl_context, server_hostname, clamp(timeout, httpcore.ConnectTimeout))
            return DeadlineStream(tls)

        def get_extra_info(self, info: str) -> Any:
            return self._stream.get_extra_info(info)

    class CheckedBackend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._sockets = httpcore.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[Any] | None = None,
        ) -> httpcore.NetworkStream:
            failure: httpcore.ConnectError | None = None
            for address in _checked_addresses(host, port, config):
                try:
                    stream = self._sockets.connect_tcp(
                        str(address), port, clamp(timeout, httpcore.ConnectTimeout), local_address, socket_options
                    )
                except httpcore.ConnectError as error:
                    failure = error  # try the host's next address
                    continue
                return DeadlineStream(stream)
            raise failure or httpcore.ConnectError(f"no address to connect to for {host}")

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
        ) -> httpcore.NetworkStream:
            raise httpcore.UnsupportedProtocol("unix sockets are never fetched")

        def sleep(self, seconds: float) -> None:
            time.sleep(seconds)

    class Body(httpx.SyncByteStream):
        def __init__(self, response: httpcore.Response) -> None:
            self._response = response

        def __iter__(self) -> Iterator[bytes]:
            with httpx_errors():
                yield from self._response.iter_stream()

        def close(self) -> None:
            with httpx_errors():
                self._response.close()

    class CheckedTransport(httpx.BaseTransport):
        def __init__(self) -> None:
            self._pool = httpcore.ConnectionPool(
                ssl_context=httpx.create_ssl_context(),
                max_connections=config.concurrency,
                network_backend=CheckedBackend(),
            )

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if not isinstance(request.stream, httpx.SyncByteStream):
                raise TypeError("this transport is synchronous")
            extensions = dict(request.extensions)
            deadlines.at = extensions.pop(_DEADLINE, None)
            core_request = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=extensions,
            )
            with httpx_errors():
                core_response = self._pool.handle_request(core_request)
            return httpx.Response(
                status_code=core_response.status,
                headers=core_response.headers,
                stream=Body(core_response),
                extensions=core_response.extensions,
            )

        def close(self) -> None:
            self._pool.close()

    return CheckedTransport()
