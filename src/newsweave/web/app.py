"""The web UI and the HTTP API over a store: one FastAPI app, server-rendered pages, JSON under /api/v1.

Article text is written by strangers: every page is a Jinja2 template with autoescape on, only
http(s) URLs become links, and a Content-Security-Policy forbids inline script. Off loopback,
every write needs the token. Reads open the store read-only per request, so an ingest writing
meanwhile is never seen half done (SQLite WAL snapshots).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hmac
import ipaddress
import json
import re
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlsplit

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsweave import __version__
from newsweave.crosscheck import crosscheck
from newsweave.ingest import IngestConfig, is_url
from newsweave.pipeline import DigestConfig, digest_key, digested_stored, stored_story
from newsweave.records import Story
from newsweave.render.json import SCHEMA, article_to_dict, story_to_dict
from newsweave.store import Store, StoreError, StoryRow, open_store
from newsweave.web.jobs import Jobs, JobsFullError, upload_folder

HERE = Path(__file__).resolve().parent
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_FTS_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class WebConfig:
    """What the server serves and the limits it keeps."""

    store: Path
    token: str | None = None  # required for every write when set (always set off loopback)
    allow_private: bool = False  # URL ingest may fetch private and loopback addresses
    max_body_bytes: int = 20 * 1024 * 1024  # uploads and JSON bodies
    page_size: int = 25
    max_page_size: int = 100
    max_jobs: int = 8  # ingest jobs waiting or running at once
    digest_cache: int = 128  # story digests kept in memory
    digest: DigestConfig = field(default_factory=DigestConfig)


class ArticleIn(BaseModel):
    """An article in news-please's field names."""

    title: str | None = Field(default=None, max_length=2_000)
    maintext: str = Field(min_length=1, max_length=2_000_000)
    date_publish: str | None = Field(default=None, max_length=64)
    source_domain: str | None = Field(default=None, max_length=255)
    url: str | None = Field(default=None, max_length=4_000)
    language: str | None = Field(default=None, max_length=16)
    authors: list[str] = Field(default_factory=list, max_length=50)
    description: str | None = Field(default=None, max_length=10_000)
    outlet: str | None = Field(default=None, max_length=255)


class ArticlesIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=1_000)


class JobIn(BaseModel):
    """URLs of pages or feeds to ingest."""

    urls: list[str] = Field(min_length=1, max_length=200)
    fetch: bool = False  # feed entries: read the linked pages instead of the entries' text


class ErrorOut(BaseModel):
    """Every error of the API: what went wrong, naming the input."""

    error: str


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    reasons = {
        400: "the request cannot be served as asked", 401: "a write without the server's token",
        403: "a cross-site write", 404: "no such story, article or job", 413: "the body is too large",
        422: "a parameter or body field is invalid", 429: "too many ingest jobs are waiting",
        503: "the store cannot be opened",
    }  # fmt: skip
    return {code: {"model": ErrorOut, "description": reasons[code]} for code in (*codes, 413, 422, 503)}


# Conflict counts a server remembers (story versions; about 100 bytes each).
_CONFLICT_COUNTS = 100_000


def _version(row: StoryRow) -> tuple[Any, ...]:
    """What identifies one state of a story: a run that writes several batches can change it more than once."""
    return row.id, row.updated_run, row.articles, row.outlets


class _Digests:
    """Computed story digests, newest kept: a story is recomputed only when a run has changed it."""

    def __init__(self, size: int, config: DigestConfig, counts: int = _CONFLICT_COUNTS) -> None:
        self.size = size
        self.config = config
        self._items: OrderedDict[tuple[Any, ...], Story] = OrderedDict()
        self._bytes: _Answers[bytes] = _Answers(2 * size)
        self._lock = threading.Lock()
        self._compute = threading.Lock()  # spaCy and the solver run one story at a time
        # Conflicting facts per story version, newest kept: one small entry per version, but a server that
        # runs for months beside an ingest sees every story change, and each change is a new version.
        self.conflicts: _Answers[int] = _Answers(counts)

    def get(self, db: Store, row: StoryRow) -> Story:
        key = _version(row)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        with self._compute:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            story = digested_stored(db, row.id, self.config)  # the ingest's stored digest when current
            # Long-lived now: out of the collector's way, so that a collection does not walk every
            # cached story and the loaded models on each request (bench/web.py: 58% of the CPU).
            gc.freeze()
        with self._lock:
            self._items[key] = story
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            if story.crosscheck is not None:
                self.conflicts.put(key, len(story.crosscheck.having("conflicting")))
        return story

    def peek(self, row: StoryRow, kind: str) -> bytes | None:
        """A story's rendered page or JSON when this version of it is cached, without computing anything."""
        return self._bytes.peek((*_version(row), kind))

    def rendered(self, db: Store, row: StoryRow, kind: str, render: Callable[[Story], bytes]) -> bytes:
        """A story's page or JSON, rendered once per story version."""
        key = (*_version(row), kind)
        body = self._bytes.peek(key)
        if body is None:
            body = render(self.get(db, row))
            self._bytes.put(key, body)
        return body

    def conflict_count(self, db: Store, row: StoryRow) -> int:
        """Conflicting facts of a story (its cross-check only: fast), remembered per version."""
        key = _version(row)
        count = self.conflicts.peek(key)
        if count is None:
            count = len(crosscheck(stored_story(db, row.id), self.config.crosscheck).having("conflicting"))
            self.conflicts.put(key, count)
        return count


_Value = TypeVar("_Value")


class _Answers(Generic[_Value]):
    """Rendered answers, newest kept: story pages and JSON keyed by the story's version, listings by the store's
    version and the request's parameters; also each story version's count of conflicting facts.

    A writer bumps the store's version with each batch it commits, so nothing stale is served; between writes
    the story list is rendered once instead of once per reader (it was the slowest page under load).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], _Value] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: tuple[Any, ...]) -> _Value | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[Any, ...], body: _Value) -> None:
        with self._lock:
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class _Limits:
    """ASGI middleware: security headers on every answer, and a cap on request bodies."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _send_json(send, 413, f"request body larger than {self.max_body} bytes")
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLargeError
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", _CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, counted, secured)
        except _TooLargeError:
            await _send_json(send, 413, f"request body larger than {self.max_body} bytes")


class _TooLargeError(Exception):
    pass


async def _send_json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", _CSP.encode()), (b"x-content-type-options", b"nosniff"),
    ]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def safe_url(url: object) -> str | None:
    """``url`` when it may be a link (http or https, no spaces or quotes), else None."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\"'<>`]", url):
        return None
    return url.strip()


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(config: WebConfig) -> FastAPI:
    """The app serving ``config.store``: pages at /, the API at /api/v1 (OpenAPI at /api/v1/openapi.json)."""
    digests = _Digests(config.digest_cache, config.digest)
    answers: _Answers[bytes] = _Answers(4 * config.digest_cache)
    ingest_config = dataclasses.replace(
        config.digest, ingest=IngestConfig(allow_private=config.allow_private), people=True
    )
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), auto_reload=False
    )
    templates.filters["link"] = safe_url
    jobs: dict[str, Jobs] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        jobs["ingest"] = Jobs(config.store, ingest_config, limit=config.max_jobs)
        if config.digest.people:
            from newsweave.nlp import ModelMissingError, english

            with contextlib.suppress(ModelMissingError):
                english()  # loaded now, not in the first reader's request
        gc.freeze()  # what was loaded lives as long as the server: the collector need not walk it
        yield
        jobs["ingest"].close()

    app = FastAPI(
        title="newsweave",
        version=__version__,
        description="Stories, their cited summaries, facts, entities, quotes and timelines, from a newsweave store.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    readers = threading.local()  # one read connection per thread, opened once: opening costs more than a query

    @contextmanager
    def reading() -> Iterator[Store]:
        db: Store | None = getattr(readers, "store", None)
        if db is None:
            try:
                db = readers.store = open_store(config.store, readonly=True)
            except StoreError as error:
                raise HTTPException(503, str(error)) from error
        yield db

    def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        body = templates.get_template(name).render(version=__version__, **values)
        return HTMLResponse(body, status_code=status)

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if wants_html(request):
            return page("error.html", status=error.status_code, status_code=error.status_code, message=error.detail)
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()
        )
        if wants_html(request):
            return page("error.html", status=422, status_code=422, message=problems)
        return JSONResponse({"error": problems}, status_code=422)

    def check_write(request: Request, token: str | None = None) -> None:
        """Writes need the token when one is set, and come from this site (no cross-site form posts)."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
            raise HTTPException(403, "cross-site request refused")
        if config.token is None:
            return
        given = token or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), config.token.encode()):
            raise HTTPException(401, "this server needs its token for writes (Authorization: Bearer TOKEN)")

    def submit_job(inputs: list[str], folder: Path | None = None) -> int:
        """Queue an ingest of ``inputs``; 400 for an input that is not a file and not an http(s) URL."""
        bad = [item for item in inputs if not is_url(item) and (folder is None or not item.startswith(str(folder)))]
        try:
            if bad:
                raise HTTPException(400, f"not an http(s) URL: {bad[0][:200]}")
            try:
                return jobs["ingest"].submit(inputs, folder).id
            except JobsFullError as error:
                raise HTTPException(429, str(error)) from error
        except HTTPException:
            if folder is not None:  # a refused job's uploads would otherwise stay in the temporary folder
                shutil.rmtree(folder, ignore_errors=True)
            raise

    def listing(
        db: Store, q: str | None, outlet: str | None, since: str | None, until: str | None,
        conflicts: bool, order: str, number: int, size: int,
    ) -> tuple[list[StoryRow], int, int]:  # fmt: skip
        ids = None
        since, until, outlet = since or None, until or None, outlet or None  # an empty form field is no filter
        if q:
            try:
                hits = db.search(_fts_query(q), limit=500)
            except StoreError as error:
                raise HTTPException(400, str(error)) from error
            ids = db.stories_of([article_id for article_id, _ in hits])
        if not conflicts:
            rows, total = db.story_page(
                limit=size, offset=(number - 1) * size, order=order, outlet=outlet, since=since, until=until, ids=ids
            )
            return rows, total, total
        candidates, total = db.story_page(limit=500, order=order, outlet=outlet, since=since, until=until, ids=ids)
        stored = db.fact_counts(digest_key(config.digest))  # from the digests the ingest stored
        matching = [
            row for row in candidates
            if (stored[row.id]["conflicting"] if row.id in stored else digests.conflict_count(db, row)) > 0
        ]  # fmt: skip
        return matching[(number - 1) * size : number * size], len(matching), min(total, 500)

    # ---------------------------------------------------------------------------------------- pages

    # The four pages and answers read most are coroutines: a cached answer is sent from the event loop at
    # once, and only a miss goes to a worker thread. Forty threads taking turns with the interpreter lock
    # made every cached answer wait behind the renders (bench/web.py).

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def stories_page(
        q: Annotated[str | None, Query(max_length=200)] = None,
        outlet: Annotated[str | None, Query(max_length=255)] = None,
        since: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = None,
        until: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = None,
        conflicts: bool = False,
        order: Annotated[str, Query(pattern="^(updated|outlets)$")] = "updated",
        page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    ) -> HTMLResponse:
        def render() -> bytes:
            with reading() as db, db.snapshot():
                key = ("/", db.version(), *params)
                rows, total, scanned = listing(db, *params[:-1], page_number, config.page_size)
                body = bytes(page(
                    "stories.html", rows=rows, total=total, scanned=scanned, q=q or "", outlet=outlet or "",
                    since=since or "", until=until or "", conflicts=conflicts, order=order, page=page_number,
                    size=config.page_size, last_run=db.last_run(), outlets=db.outlets(),
                ).body)  # fmt: skip
            answers.put(key, body)
            return body

        params = (q, outlet, since, until, conflicts, order, page_number)
        with reading() as db:
            body = answers.peek(("/", db.version(), *params))
        return HTMLResponse(body if body is not None else await run_in_threadpool(render))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(story_id: Annotated[str, PathParam(max_length=64)]) -> Response:
        with reading() as db:
            row = db.story_row(story_id)
        if row is None:
            raise HTTPException(404, f"no story {story_id!r}")
        if row.id != story_id:
            return RedirectResponse(f"/stories/{row.id}", status_code=301)

        def render(story: Story) -> bytes:
            return bytes(page("story.html", story=story, row=row, view=_story_view(story)).body)

        def computed() -> bytes:
            with reading() as db:
                return digests.rendered(db, row, "page", render)

        body = digests.peek(row, "page")
        return HTMLResponse(body if body is not None else await run_in_threadpool(computed))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(
        article_id: Annotated[str, PathParam(max_length=200)],
        hl: Annotated[str | None, Query(pattern=r"^\d{1,9}-\d{1,9}$")] = None,
    ) -> HTMLResponse:
        with reading() as db:
            article = db.article(article_id)
            if article is None:
                raise HTTPException(404, f"no article {article_id!r}")
            story_id = db.story_of(article_id)
        start, end = (int(n) for n in hl.split("-")) if hl else (0, 0)
        if not 0 <= start <= end <= len(article.text):
            start = end = 0
        pieces = (article.text[:start], article.text[start:end], article.text[end:])
        return page("article.html", article=article, story_id=story_id, pieces=pieces)

    @app.get("/add", response_class=HTMLResponse, include_in_schema=False)
    def add_page() -> HTMLResponse:
        return page("add.html", needs_token=config.token is not None)

    @app.post("/add", include_in_schema=False)
    async def add_submit(
        request: Request,
        files: Annotated[list[UploadFile] | None, File()] = None,
        urls: Annotated[str, Form(max_length=100_000)] = "",
        token: Annotated[str | None, Form(max_length=500)] = None,
    ) -> Response:
        check_write(request, token)
        folder = None
        inputs = [line.strip() for line in urls.splitlines() if line.strip()]
        chosen = [f for f in files or [] if f.filename]
        if chosen:
            folder = upload_folder()
            for number, upload in enumerate(chosen):
                name = re.sub(r"[^\w.-]", "_", Path(upload.filename or "upload").name)[:100] or "upload"
                (folder / f"{number:03d}_{name}").write_bytes(await upload.read())
            inputs.append(str(folder))
        if not inputs:
            raise HTTPException(400, "choose files to upload or paste URLs, one per line")
        return RedirectResponse(f"/jobs/{submit_job(inputs, folder)}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(job_id: Annotated[int, PathParam(ge=1, le=2**31)]) -> HTMLResponse:
        job = jobs["ingest"].get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return page("job.html", job=job.snapshot())

    # ------------------------------------------------------------------------------------------ API

    @app.get(
        "/api/v1/stories", tags=["stories"], summary="List stories, newest first, with filters", responses=_errors(400)
    )
    async def api_stories(
        q: Annotated[str | None, Query(max_length=200, description="words to search for (FTS5)")] = None,
        outlet: Annotated[str | None, Query(max_length=255)] = None,
        since: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = None,
        until: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = None,
        conflicts: bool = False,
        order: Annotated[str, Query(pattern="^(updated|outlets)$")] = "updated",
        page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
        size: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> Response:
        def render() -> bytes:
            with reading() as db, db.snapshot():
                key = ("/api/v1/stories", db.version(), *params)
                rows, total, _ = listing(db, q, outlet, since, until, conflicts, order, page_number, size)
                last_run = db.last_run()
            stories = [_row(r, last_run) for r in rows]
            body = json.dumps({"total": total, "page": page_number, "size": size, "stories": stories}).encode()
            answers.put(key, body)
            return body

        params = (q, outlet, since, until, conflicts, order, page_number, size)
        with reading() as db:
            body = answers.peek(("/api/v1/stories", db.version(), *params))
        return Response(body if body is not None else await run_in_threadpool(render), media_type="application/json")

    @app.get(
        "/api/v1/stories/{story_id}",
        tags=["stories"],
        summary="One story's digest (as digest --format json)",
        responses=_errors(404),
    )
    async def api_story(story_id: Annotated[str, PathParam(max_length=64)]) -> Response:
        with reading() as db:
            row = db.story_row(story_id)
        if row is None:
            raise HTTPException(404, f"no story {story_id!r}")

        def render(story: Story) -> bytes:
            digest = {"schema": SCHEMA, "newsweave_version": __version__, "stories": [story_to_dict(story)]}
            return json.dumps({**digest, "problems": []}, ensure_ascii=False).encode()

        def computed() -> bytes:
            with reading() as db:
                return digests.rendered(db, row, "json", render)

        body = digests.peek(row, "json")
        return Response(body if body is not None else await run_in_threadpool(computed), media_type="application/json")

    @app.get(
        "/api/v1/articles/{article_id}",
        tags=["articles"],
        summary="One clean article and its story",
        responses=_errors(404),
    )
    def api_article(article_id: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
        with reading() as db:
            article = db.article(article_id)
            if article is None:
                raise HTTPException(404, f"no article {article_id!r}")
            return {"story": db.story_of(article_id), "article": article_to_dict(article)}

    @app.get(
        "/api/v1/search",
        tags=["articles"],
        summary="Articles whose title or text match, best first",
        responses=_errors(400),
    )
    def api_search(
        q: Annotated[str, Query(min_length=1, max_length=200)],
        size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        with reading() as db:
            try:
                hits = db.search(_fts_query(q), limit=size)
            except StoreError as error:
                raise HTTPException(400, str(error)) from error
            return {"q": q, "hits": [{"article": a, "title": t, "story": db.story_of(a)} for a, t in hits]}

    @app.post(
        "/api/v1/articles",
        tags=["ingest"],
        status_code=202,
        summary="Add articles (news-please fields)",
        responses=_errors(401, 403, 429),
    )
    def api_add_articles(request: Request, body: ArticlesIn) -> dict[str, Any]:
        check_write(request)
        folder = upload_folder()
        lines = [json.dumps(item.model_dump(exclude_none=True), ensure_ascii=False) for item in body.articles]
        (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        job = submit_job([str(folder / "articles.jsonl")], folder)
        return {"job": job, "status": f"/api/v1/jobs/{job}"}

    @app.post(
        "/api/v1/jobs",
        tags=["ingest"],
        status_code=202,
        summary="Ingest URLs of pages or feeds",
        responses=_errors(400, 401, 403, 429),
    )
    def api_add_job(request: Request, body: JobIn) -> dict[str, Any]:
        check_write(request)
        job = submit_job(list(body.urls))
        return {"job": job, "status": f"/api/v1/jobs/{job}"}

    @app.get(
        "/api/v1/jobs/{job_id}",
        tags=["ingest"],
        summary="An ingest job's progress and what it changed",
        responses=_errors(404),
    )
    def api_job(job_id: Annotated[int, PathParam(ge=1, le=2**31)]) -> dict[str, Any]:
        job = jobs["ingest"].get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job.snapshot()

    app.add_middleware(_Limits, max_body=config.max_body_bytes)
    return app


def _fts_query(text: str) -> str:
    """Words as an FTS5 query that cannot be a syntax error: each word quoted, all required."""
    words = _FTS_WORD.findall(text)
    if not words:
        raise HTTPException(400, "search for at least one word")
    return " ".join('"' + word.replace('"', "") + '"' for word in words[:20])


def _row(row: StoryRow, last_run: int) -> dict[str, Any]:
    changed = "new" if row.created_run == last_run else "grew" if row.updated_run == last_run else None
    return {
        "id": row.id, "title": row.title, "articles": row.articles, "outlets": list(row.outlets),
        "first_date": row.first_date, "last_date": row.last_date, "changed": changed, "url": f"/stories/{row.id}",
    }  # fmt: skip


def _story_view(story: Story) -> dict[str, Any]:
    """What the story template needs beyond the records: article numbers and the matrix cells."""
    number = {article.id: index for index, article in enumerate(story.articles, 1)}
    outlets_of = {article.id: article.outlets for article in story.articles}
    check = story.crosscheck
    outlets = check.outlets if check else story.outlets
    rows = []
    for fact in check.facts if check else ():
        if fact.status == "unique":
            continue
        conflicted = {o for c in fact.conflicts for o in (*c.a_outlets, *c.b_outlets)}
        cells = []
        for outlet in outlets:
            spans = [s for s in fact.statements if outlet in outlets_of.get(s.article_id, ())]
            mark = "conflicting" if outlet in conflicted else "corroborated" if spans else ""
            cells.append({"mark": mark, "span": spans[0] if spans else None})
        rows.append({"fact": fact, "cells": cells})
    unique = {o: sum(1 for f in check.having("unique") if o in f.outlets) for o in outlets} if check else {}
    return {"number": number, "outlets": outlets, "rows": rows, "unique": unique}
