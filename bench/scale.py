"""Scale-out on Dask: ``ingest`` of WARC files in one process against a LocalCluster of 2 workers, stage by stage.

Run from the project root: ``.venv/bin/python bench/scale.py`` (100,000 articles: about 25 minutes on 2 cores, plus
a few minutes to write the WARC files the first time); ``--articles 10000`` for a quick run.

1. Data: the replay of ECB+ that the stories benchmark streams (bench/_replay.py: ../shared/data/ecbplus/docs.jsonl,
   772 real articles, Cybulska & Vossen 2014, CC BY 3.0, replayed as new events over a simulated year), ``--articles``
   records, each rendered as a news page (headline, navigation, paragraphs of three sentences, a "most read" box, a
   footer; outlet, title, canonical URL and publication time in <head>) and written as an HTTP response record into
   ``--files`` WARC.gz files with warcio. The files are written once and kept under ``--data``; the write time is
   reported apart. The next ``--profile-articles`` records of a longer replay go to one more file, for step 5.
2. (a) One process: ``newsweave.pipeline.ingest(files, store, batch_size=500, parallel=False)`` into a fresh store.
   The stages are timed inside that very call: the functions ``pipeline`` calls (``read_source``, ``clean_batch``,
   its ``_finish``, ``prepared`` (folding copies, profiles, content keys, records: the reading side's work since
   they moved out of the serial loop), ``_store_batch``, ``StreamClusterer.add``, the clusterer state changes
   saved per batch, the batch generator) are wrapped with timers for the run and restored after it.
3. (b) ``ingest(..., client=Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True)))`` into another
   fresh store, same batch size, same timers in the client; the workers' read and clean tasks are timed by Dask's
   task stream (compute time of each task). Both stores are then compared: story rows, members, stored digests and
   row counts, as tests/test_scale.py does. (c) On the same cluster, the parallel stages alone: the batches of
   ``scale.dask_batches`` received and dropped, nothing stored.
4. Figures: each stage's time and share of (a), parallel (a read or clean task on Dask) or serial (the client's);
   the speed-up of (b) over (a), overall and for the parallel stages (and of (c)); Amdahl's predicted speed-up
   1 / (s + (1 - s) / n) from the serial share s of (a); the issue's goals (>= 1.7x on 2 workers for the parallel
   stages; s < 5%, so that 32 workers are >= 12x faster), and this machine's ceiling: the same pure-Python loop
   in one process and in two at once (two virtual CPUs need not give twice the work of one).
5. cProfile of the client's serial part alone: the ``--profile-articles`` further records, read and cleaned first
   (not profiled), then ingested into (b)'s full store, so the store and the clusterer are as large as at the end
   of the run.

6. Digests of the stories of ECB+ topics 1-35 as they are (not the replay): the articles
   ingested without digests into a store that is copied twice; then ``pipeline.store_digests`` computes and stores
   every story's digest (cross-check, summary, entities, quotes, timeline with spaCy) in one process, and on a
   LocalCluster of 2 workers (one task per story); stories/s of each and whether the stored digests are equal.
   Steps 1-5 ingest with ``digests=False`` unless ``--digests`` is given: at 0.6-1.1 s a story, the digests of
   100,000 articles' 8,000-9,000 stories would take hours in one process. With ``--digests`` (on fewer articles,
   e.g. ``--articles 10000``), (a) and (b) run ingest as the command does by default, every changed story's digest
   computed at the end (on Dask one digest task per story), and the stage table times the digests apart: their
   computing (parallel) and the client's loading and storing (serial). ``--digests-only`` runs this step alone.

The machine has 2 cores: in (b), 2 worker processes and the client (whose serial part runs while the workers clean
the next batches) share them, so the client's work competes with the workers'.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import html
import io
import itertools
import json
import logging
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import machine_ceiling, table, versions
from _replay import replay
from newsweave import pipeline, scale
from newsweave.cluster import StreamClusterer, profile
from newsweave.pipeline import DigestConfig, ingest, read_batches
from newsweave.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "data" / "ecbplus" / "docs.jsonl"
LIBRARIES = ("newsweave", "dask", "distributed", "warcio", "trafilatura")
PAGE_VERSION = 1  # bump when the page template changes, so cached WARC files are written again
WORKERS = 2
AMDAHL_WORKERS = (2, 8, 32, 128)
GOAL_PARALLEL_SPEEDUP = 1.7  # the goals
GOAL_SERIAL_SHARE = 0.05
GOAL_AT_32 = 12.0

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z])")


# --- data ------------------------------------------------------------------------------------------------------


def missing(path: Path, what: str) -> None:
    if not path.exists():
        sys.exit(
            f"bench/scale.py: {path} is missing ({what}). The shared data folder must sit beside the project "
            "as ../shared (see ../shared/data/README.md)."
        )


def page(record: dict[str, Any]) -> bytes:
    """A news page of one replayed record: metadata in <head>, the text in paragraphs of three sentences."""
    outlet = html.escape(record["source_domain"])
    sentences = _SENTENCE_END.split(record["maintext"].strip())
    words = sentences[0].split()
    headline = html.escape(" ".join(words[:10]).rstrip(".,;:") + (" …" if len(words) > 10 else ""))
    paragraphs = "".join(f"<p>{html.escape(' '.join(sentences[i : i + 3]))}</p>\n" for i in range(0, len(sentences), 3))
    url = f"https://{outlet}/news/{record['id']}"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | {outlet}</title><link rel="canonical" href="{url}">
<meta property="og:site_name" content="{outlet}"><meta property="og:title" content="{headline}">
<meta property="article:published_time" content="{record["date_publish"]}"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/world">World</a> | <a href="/sport">Sport</a>
</nav>
<article><h1>{headline}</h1>
{paragraphs}</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Council approves new budget</a></li>
<li><a href="/b">Weather: storms expected this weekend</a></li></ul></aside>
<footer><p>© 2025 {outlet}. All rights reserved.</p></footer></body></html>""".encode()


def write_warc(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write every record as an HTML response record of a WARC.gz file; return how many."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    written = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for record in records:
            uri = f"https://{record['source_domain']}/news/{record['id']}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            warc = writer.create_warc_record(uri, "response", payload=io.BytesIO(page(record)), http_headers=headers)
            writer.write_record(warc)
            written += 1
    return written


@dataclass(frozen=True)
class Data:
    files: list[Path]
    profile_file: Path | None
    write_seconds: float
    cached: bool
    megabytes: float


def build_data(folder: Path, articles: int, files: int, profile_articles: int) -> Data:
    """The WARC files of the replay, written once into ``folder`` (a note records what they hold)."""
    note_path = folder / "done.json"
    wanted = {"articles": articles, "files": files, "profile_articles": profile_articles, "page": PAGE_VERSION}
    names = [folder / f"replay-{index:02d}.warc.gz" for index in range(files)]
    profile_file = folder / "profile.warc.gz" if profile_articles else None
    if note_path.exists():
        note = json.loads(note_path.read_text(encoding="utf-8"))
        if note.get("wanted") == wanted and all(
            p.exists() for p in [*names, *([profile_file] if profile_file else [])]
        ):
            return Data(names, profile_file, note["seconds"], True, note["megabytes"])
    folder.mkdir(parents=True, exist_ok=True)
    with DOCS.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    started = time.perf_counter()
    per_file = -(-articles // files)
    stream = replay(docs, articles)
    for name in names:
        write_warc(name, itertools.islice(stream, per_file))
    if profile_file is not None:
        # The records that follow the run's last one in a slightly longer replay: new events, later dates.
        write_warc(profile_file, itertools.islice(replay(docs, articles + profile_articles), articles, None))
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in names) / 2**20
    note_path.write_text(json.dumps({"wanted": wanted, "seconds": seconds, "megabytes": size}), encoding="utf-8")
    return Data(names, profile_file, seconds, False, size)


# --- timers ------------------------------------------------------------------------------------------------------


@dataclass
class Clock:
    """Seconds spent inside wrapped functions, by name (wall time, this process)."""

    seconds: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    first: dict[str, float] = field(default_factory=dict)  # perf_counter when an iterator gave its first item

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1

        return run

    def timed_iterator(self, name: str, function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        """Time every ``next`` of the iterator ``function`` returns (a generator's work happens there)."""

        def run(*args: Any, **kwargs: Any) -> Iterator[Any]:
            started = time.perf_counter()
            iterator = function(*args, **kwargs)
            self.seconds[name] += time.perf_counter() - started
            return self._each(name, iterator)

        return run

    def _each(self, name: str, iterator: Iterator[Any]) -> Iterator[Any]:
        try:
            while True:
                started = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1
                self.first.setdefault(name, time.perf_counter())
                yield item
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()


@contextlib.contextmanager
def instrumented(clock: Clock) -> Iterator[None]:
    """Wrap what ``pipeline.ingest`` calls with ``clock``'s timers; restore everything on the way out."""
    patches: list[tuple[Any, str, Any]] = [
        # Producing the batches (in this process for (a), the client's waiting and receiving for (b)).
        (pipeline, "_prepared_batches", clock.timed_iterator("batches", pipeline._prepared_batches)),
        (scale, "dask_batches", clock.timed_iterator("batches", scale.dask_batches)),
        # (a)'s parallel stages, in the order pipeline.read_batches runs them.
        (pipeline, "read_source", clock.timed_iterator("read", pipeline.read_source)),
        (pipeline, "clean_batch", clock.timed("clean", pipeline.clean_batch)),
        (pipeline, "_finish", clock.timed("finish", pipeline._finish)),
        # Folding copies, profiles, content keys and records: in the reading process, or the clean tasks on Dask.
        (pipeline, "prepared", clock.timed("prepare", pipeline.prepared)),
        # The serial part, in the process that runs ingest (on Dask, "fold" is the client folding again a batch
        # that repeats an earlier batch's article; in (a) it is part of "prepare").
        (pipeline, "fold_copies", clock.timed("fold", pipeline.fold_copies)),
        (pipeline, "_store_batch", clock.timed("store_batch", pipeline._store_batch)),
        (StreamClusterer, "add", clock.timed("assign", StreamClusterer.add)),
        (StreamClusterer, "changes", clock.timed("state", StreamClusterer.changes)),
        (Store, "save_stream_changes", staticmethod(clock.timed("save_state", Store.save_stream_changes))),
        # --digests: every changed story's digest at the end of the run. "digest" is the computing (a digest task
        # on Dask); the rest of "store_digests" is the client's: loading each story, shipping it, storing it.
        (pipeline, "store_digests", clock.timed("store_digests", pipeline.store_digests)),
        (pipeline, "digested", clock.timed("digest", pipeline.digested)),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    try:
        for owner, name, wrapper in patches:
            setattr(owner, name, wrapper)
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


# --- stores ------------------------------------------------------------------------------------------------------


def stored(path: Path) -> dict[str, Any]:
    """Everything a run decides: the story rows, each story's members and stored digest, rows per table."""
    with open_store(path, readonly=True) as db:
        rows = [
            {
                "id": r.id,
                "title": r.title,
                "articles": r.articles,
                "outlets": list(r.outlets),
                "first": r.first_date,
                "last": r.last_date,
            }
            for r in db.stories()
        ]
        return {
            "stories": rows,
            "members": {r["id"]: sorted(a.id for a in db.members(r["id"])) for r in rows},
            "digests": {r["id"]: db.story_digest(r["id"]) for r in rows},
            "counts": db.counts(),
        }


def fingerprint(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


# --- runs --------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    clock: Clock
    added: int
    folded: int
    tasks: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # Dask: compute (start, stop) per kind
    started_at: float = 0.0  # time.time() at the call, to place the tasks
    first_batch: float = 0.0  # seconds from the call to the first batch in hand
    cpu: float = 0.0  # CPU seconds of this process (all its threads: with a LocalCluster, the scheduler too)
    worker_cpu: float = 0.0  # CPU seconds of the Dask worker processes, summed


def warm_up() -> None:
    """Import what the tasks use and run it once, so neither side pays for first imports inside the timings."""
    from newsweave.clean import clean_batch
    from newsweave.ingest.html import html_document

    raw = html_document(
        page(
            {
                "id": "w",
                "source_domain": "warm.example",
                "date_publish": "2025-01-01T00:00:00+00:00",
                "maintext": "A bridge collapsed on Monday. Officials said one man died.",
            }
        ),
        "warm",
    )
    for article in clean_batch([raw]):
        profile(pipeline.finish(article))


def run_ingest(files: Sequence[Path], store: Path, batch_size: int, client: Any = None, digests: bool = False) -> Run:
    clock = Clock()
    started_at = time.time()
    with instrumented(clock):
        started, cpu = time.perf_counter(), time.process_time()
        report = ingest(
            [str(f) for f in files], store, batch_size=batch_size, parallel=False, client=client, digests=digests
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    first_batch = clock.first.get("batches", started + wall) - started
    return Run(wall, clock, report.added, report.folded, started_at=started_at, first_batch=first_batch, cpu=cpu)


def task_spans(stream: Any) -> dict[str, list[tuple[float, float]]]:
    """Compute (start, stop) of every task in a Dask task stream, by task kind (read_task, clean_task)."""
    from distributed.utils import key_split

    spans: dict[str, list[tuple[float, float]]] = {}
    for task in stream.data:
        for step in task.get("startstops", ()):
            if step["action"] == "compute":
                spans.setdefault(key_split(task["key"]), []).append((step["start"], step["stop"]))
    return spans


def run_dask(files: Sequence[Path], store: Path, batch_size: int, digests: bool = False) -> tuple[Run, Run, float]:
    """(b) ingest with a fresh LocalCluster of 2 worker processes, then (c) its batches alone; the cluster is
    closed whatever happens."""
    from distributed import Client, LocalCluster, get_task_stream

    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=WORKERS,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        )
        client = stack.enter_context(Client(cluster))
        client.run(warm_up)
        if digests:
            client.run(_load_spacy)  # once per worker, as a long ingest pays it once
        startup = time.perf_counter() - started

        def worker_cpu() -> float:
            return sum(client.run(time.process_time).values())

        before = worker_cpu()
        with get_task_stream(client) as stream:
            ingested = run_ingest(files, store, batch_size, client, digests)
        ingested.tasks = task_spans(stream)
        ingested.worker_cpu, before = worker_cpu() - before, worker_cpu()
        # (c) The parallel stages alone: the same batches, received and dropped, nothing stored.
        clock = Clock()
        with get_task_stream(client) as stream:
            started_at, started, cpu = time.time(), time.perf_counter(), time.process_time()
            batches = clock.timed_iterator("batches", scale.dask_batches)
            received = sum(batch.read for batch in batches([str(f) for f in files], DigestConfig(), batch_size, client))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        first = clock.first.get("batches", started) - started
        alone = Run(wall, clock, received, 0, task_spans(stream), started_at, first, cpu, worker_cpu() - before)
    return ingested, alone, startup


def profile_serial(profile_file: Path, store: Path, batch_size: int, top: int) -> tuple[list[list[str]], str, str]:
    """cProfile of ingest's serial part alone: the batches are read and cleaned first, unprofiled."""
    config = DigestConfig()
    prepared = [
        pipeline.prepared(articles, problems, config)
        for articles, problems in read_batches([str(profile_file)], config, batch_size=batch_size)
    ]
    count = sum(batch.read for batch in prepared)
    profiler = cProfile.Profile()
    original = pipeline._prepared_batches

    def already_prepared(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from prepared

    pipeline._prepared_batches = already_prepared
    try:
        started = time.perf_counter()
        profiler.enable()
        ingest([str(profile_file)], store, config, batch_size=batch_size, parallel=False, digests=False)
        profiler.disable()
        wall = time.perf_counter() - started
    finally:
        pipeline._prepared_batches = original
    stats = pstats.Stats(profiler)
    entries: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in entries.values())

    def cumulative(file_end: str, name: str) -> float:
        return sum(
            ct for (path, _, func), (_, _, _, ct, _) in entries.items() if path.endswith(file_end) and func == name
        )

    def own(name_part: str) -> float:
        return sum(tt for (_, _, func), (_, _, tt, _, _) in entries.items() if name_part in func)

    def called_from(callee: str, caller: str) -> float:
        """Cumulative seconds of cluster.py's ``callee`` when called by cluster.py's ``caller``."""
        return sum(
            timing[3]
            for (path, _, func), (_, _, _, _, callers) in entries.items()
            if path.endswith("cluster.py") and func == callee
            for (caller_path, _, caller_func), timing in callers.items()
            if caller_path.endswith("cluster.py") and caller_func == caller
        )

    assign = cumulative("cluster.py", "add")
    candidates = cumulative("cluster.py", "_candidates")
    centroids = cumulative("cluster.py", "_story_vector")
    scoring = cumulative("cluster.py", "_score") - called_from("_story_vector", "_score")
    reindex = cumulative("cluster.py", "_reindex") - called_from("_story_vector", "_reindex")
    writes = cumulative("pipeline.py", "_store_batch") - assign
    state = cumulative("cluster.py", "changes") + cumulative("store.py", "save_stream_changes")
    groups = [
        ("story assignment (StreamClusterer.add)", assign),
        ("  of which candidate lookup in the inverted index (_candidates)", candidates),
        ("  of which similarity to each candidate (_score, centroids apart)", scoring),
        ("  of which story centroids rebuilt after a change (_story_vector)", centroids),
        ("  of which index upkeep (_reindex, centroids apart)", reindex),
        ("  of which the rest: article vector, document frequencies, dormancy",
         assign - candidates - scoring - centroids - reindex),
        ("store writes (pipeline._store_batch minus the assignment)", writes),
        ("  of which stored copies looked up by content key (Store.article_by_key)",
         cumulative("store.py", "article_by_key")),
        ("  of which changed stories' members listed (Store.member_rows)", cumulative("store.py", "member_rows")),
        ("  of which new articles inserted, with their full-text index (Store.insert_article)",
         cumulative("store.py", "insert_article")),
        ("  of which JSON of article records and digests (json.dumps)", cumulative("json/__init__.py", "dumps")),
        ("clusterer state changes saved per batch (changes + Store.save_stream_changes)", state),
        ("everything else: commits, run log, report", total - assign - writes - state),
        ("SQLite calls anywhere, own time (part of the rows above)",
         own("of 'sqlite3.Connection' objects") + own("of 'sqlite3.Cursor' objects")),
        ("total profiled", total),
    ]  # fmt: skip
    rows = [[name, f"{seconds:.2f}", f"{seconds / total:.1%}"] for name, seconds in groups]
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    listing = "\n".join(line for line in buffer.getvalue().splitlines() if line.strip())
    summary = (
        f"{count:,} articles in {len(prepared)} batches; profiled ingest wall {wall:.1f} s, "
        f"{total:.1f} s of profiled time in all"
    )
    return rows, listing + "\n", summary


# --- report ------------------------------------------------------------------------------------------------------


def share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def amdahl(serial_share: float, workers: int) -> float:
    return 1 / (serial_share + (1 - serial_share) / workers)


def verdict(ok: bool) -> str:
    return "met" if ok else "not met"


def stage_table(local: Run) -> tuple[str, float, float]:
    """Table of (a)'s stages; returns it with the parallel and the serial seconds."""
    s = local.clock.seconds
    batch_stages = s["read"] + s["clean"] + s["finish"] + s["prepare"]
    parallel = batch_stages + s["digest"]
    producer_rest = s["batches"] - batch_stages
    loop = local.wall - s["batches"]
    store_writes = s["store_batch"] - s["assign"]
    other = loop - s["store_batch"] - s["state"] - s["save_state"] - s["store_digests"]
    serial = local.wall - parallel
    rows = [
        ("reading + extraction (warcio, trafilatura)", "read tasks", "parallel", s["read"]),
        ("cleaning: page templates, line classification", "clean tasks", "parallel", s["clean"]),
        ("sentences + language", "clean tasks", "parallel", s["finish"]),
        ("folding copies, profiles, content keys, records", "clean tasks", "parallel", s["prepare"]),
        ("cutting batches, dropping repeats", "client", "serial", producer_rest),
        ("story assignment (streaming clusterer)", "client", "serial", s["assign"]),
        ("store writes: articles, members, stories, changes", "client", "serial", store_writes),
        ("clusterer state saved per batch", "client", "serial", s["state"] + s["save_state"]),
        ("commits, run log, report", "client", "serial", other),
    ]
    if s["store_digests"]:
        rows += [
            ("digests: cross-check, summary, entities, quotes, timeline", "digest tasks", "parallel", s["digest"]),
            ("digests: stories loaded from and stored to the store", "client", "serial",
             s["store_digests"] - s["digest"]),
        ]  # fmt: skip
    body = [[name, where, kind, f"{seconds:.1f}", share(seconds, local.wall)] for name, where, kind, seconds in rows]
    body.append(["parallel stages", "workers", "parallel", f"{parallel:.1f}", share(parallel, local.wall)])
    body.append(["serial part", "client", "serial", f"{serial:.1f}", share(serial, local.wall)])
    body.append(["whole ingest", "", "", f"{local.wall:.1f}", "100.0%"])
    header = ["stage (a: one process)", "on Dask", "runs", "seconds", "share of (a)"]
    return table(header, body), parallel, serial


@dataclass(frozen=True)
class Tasks:
    """What the workers did in one Dask run, from its task stream."""

    span: float  # first task start to last task end
    work: float  # compute seconds summed over all tasks
    rows: dict[str, tuple[float, str]]  # task kind -> (compute seconds summed, when)


def tasks_of(run: Run) -> Tasks:
    spans = [span for spans in run.tasks.values() for span in spans]
    first_start = min((start for start, _ in spans), default=run.started_at)
    last_stop = max((stop for _, stop in spans), default=run.started_at)
    rows = {}
    for kind, spans_of in run.tasks.items():
        first = min(start for start, _ in spans_of) - run.started_at
        last = max(stop for _, stop in spans_of) - run.started_at
        busy = sum(stop - start for start, stop in spans_of)
        rows[f"{kind}, {len(spans_of)} tasks"] = (busy, f"{first:.0f}-{last:.0f} s")
    return Tasks(last_stop - first_start, sum(stop - start for start, stop in spans), rows)


def dask_table(dask: Run, alone: Run) -> tuple[str, Tasks, Tasks]:
    """Table of (b) and (c): the client's time and the workers' tasks."""
    s = dask.clock.seconds
    loop = dask.wall - s["batches"]
    store_writes = s["store_batch"] - s["assign"]
    state = s["state"] + s["save_state"]
    other = loop - s["fold"] - s["store_batch"] - state - s["store_digests"]
    b, c = tasks_of(dask), tasks_of(alone)

    def client(name: str, seconds: float, alone_seconds: float | None = None) -> list[str]:
        if alone_seconds is None:
            return [name, f"{seconds:.1f}", share(seconds, dask.wall), "—", ""]
        return [
            name,
            f"{seconds:.1f}",
            share(seconds, dask.wall),
            f"{alone_seconds:.1f}",
            share(alone_seconds, alone.wall),
        ]

    rows = [
        client("client: waiting for and receiving batches", s["batches"], alone.clock.seconds["batches"]),
        client("  of which before the first batch arrived", dask.first_batch, alone.first_batch),
        client("client: folding again a batch with a repeat", s["fold"]),
        client("client: story assignment", s["assign"]),
        client("client: store writes", store_writes),
        client("client: clusterer state saved per batch", state),
        client("client: commits, run log, report", other),
        *(
            [client("client: digests (stories loaded, sent, waited for, stored)", s["store_digests"])]
            if s["store_digests"]
            else []
        ),
        client("client: serial part (all but waiting)", loop),
        client("client: wall, the whole run", dask.wall, alone.wall),
        client("client process CPU: serial part, scheduler, (de)serialising", dask.cpu, alone.cpu),
    ]
    for kind in sorted(set(b.rows) | set(c.rows)):
        b_busy, b_when = b.rows.get(kind, (0.0, "—"))
        c_busy, c_when = c.rows.get(kind, (0.0, "—"))
        rows.append([f"workers: {kind}, compute summed", f"{b_busy:.1f}", b_when, f"{c_busy:.1f}", c_when])
    rows.append(["workers: all tasks, compute summed", f"{b.work:.1f}", "", f"{c.work:.1f}", ""])
    rows.append(["workers: process CPU, both (tasks, (de)serialising, event loop)", f"{dask.worker_cpu:.1f}", "",
                 f"{alone.worker_cpu:.1f}", ""])  # fmt: skip
    rows.append(["workers: first task start to last task end", f"{b.span:.1f}",
                 f"{b.work / (WORKERS * b.span):.0%} busy" if b.span else "—", f"{c.span:.1f}",
                 f"{c.work / (WORKERS * c.span):.0%} busy" if c.span else "—"])  # fmt: skip
    header = ["Dask, 2 worker processes", "(b) ingest s", "share / when", "(c) parallel alone s", "share / when"]
    return table(header, rows), b, c


def _load_spacy() -> None:
    """Load spaCy's pipeline now (once per process), so that no timing below includes it."""
    from newsweave.nlp import english

    english()


def digest_stage() -> None:
    """Step 6: every story's digest computed and stored, in one process and on 2 Dask workers."""
    import sqlite3

    from distributed import Client, LocalCluster

    from newsweave.pipeline import store_digests
    from newsweave.store import open_store

    print("## (6) Digests of changed stories: one process against 2 Dask workers\n")
    with tempfile.TemporaryDirectory(prefix="newsweave-scale-digests-") as folder:
        source = Path(folder) / "ecbplus.jsonl"
        with DOCS.open(encoding="utf-8") as handle, source.open("w", encoding="utf-8") as out:
            for line in handle:
                doc = json.loads(line)
                record = {"maintext": doc["text"], "source_domain": doc.get("outlet") or doc["id"]}
                out.write(json.dumps(record) + "\n")
        base = Path(folder) / "base.db"
        ingest([str(source)], base, batch_size=500, parallel=False, digests=False)
        results: dict[str, tuple[float, int]] = {}
        stores = {"one process": Path(folder) / "one.db", "Dask, 2 workers": Path(folder) / "dask.db"}
        for name, path in stores.items():
            shutil.copy(base, path)
            with contextlib.ExitStack() as stack:
                client = None
                if name.startswith("Dask"):
                    cluster = stack.enter_context(LocalCluster(
                        n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None,
                        silence_logs=logging.ERROR,
                    ))  # fmt: skip
                    client = stack.enter_context(Client(cluster))
                    client.run(_load_spacy)
                else:
                    _load_spacy()
                db = stack.enter_context(open_store(path))
                started = time.perf_counter()
                done, _ = store_digests(db, DigestConfig(), client=client)
                results[name] = (time.perf_counter() - started, done)
        blobs = []
        for path in stores.values():
            connection = sqlite3.connect(path)
            blobs.append(connection.execute("SELECT id, computed FROM stories ORDER BY id").fetchall())
            connection.close()
        one_seconds = results["one process"][0]
        rows = [
            [name, f"{count:,}", f"{seconds:.1f}", f"{count / seconds:.2f}", f"{one_seconds / seconds:.2f}x"]
            for name, (seconds, count) in results.items()
        ]
        print(table(["digests", "stories", "seconds", "stories/s", "speed-up"], rows))
        print(
            f"\nStored digests equal (compressed JSON, byte for byte): {'yes' if blobs[0] == blobs[1] else 'NO'}. "
            "spaCy was loaded before the timing on each side (once per worker process on Dask). ECB+ stories hold "
            "11 articles on average.\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=100_000, help="replayed records (default 100,000)")
    parser.add_argument("--files", type=int, default=8, help="WARC.gz files the records are spread over")
    parser.add_argument("--batch-size", type=int, default=500, help="ingest batch size (default 500)")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder for the WARC files, kept between runs (default /tmp/newsweave-scale-ARTICLES)",
    )
    parser.add_argument(
        "--profile-articles", type=int, default=2_500, help="records for the profile of the serial part (0: no profile)"
    )
    parser.add_argument("--keep-stores", type=Path, default=None, help="copy both stores to this folder")
    parser.add_argument("--digests-only", action="store_true", help="run step 6 alone")
    parser.add_argument(
        "--digests",
        action="store_true",
        help="ingest as the command does by default: with every changed story's digest (slow: about 0.6 s a story)",
    )
    args = parser.parse_args()
    if args.digests_only:
        missing(DOCS, "ECB+ documents")
        print("# Scale-out on Dask (bench/scale.py), step 6 alone\n")
        print(f"Versions: {versions(LIBRARIES)}\n")
        digest_stage()
        return
    missing(DOCS, "ECB+ documents")
    started = time.perf_counter()
    folder = args.data or Path(tempfile.gettempdir()) / f"newsweave-scale-{args.articles}"

    print("# Scale-out on Dask (bench/scale.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    print(
        f"Machine: {os.cpu_count()} cores. (b) runs 2 worker processes and the client on them: the client's serial "
        "part competes with the workers for the cores."
    )
    data = build_data(folder, args.articles, args.files, args.profile_articles)
    how = "cached from an earlier run, which wrote them in" if data.cached else "written in"
    print(
        f"Data: {args.articles:,} records of the ECB+ replay (bench/_replay.py) as HTML response records in "
        f"{len(data.files)} WARC.gz files ({data.megabytes:.0f} MiB) under {folder}; {how} {data.write_seconds:.0f} s "
        "(not part of any timing below)."
    )
    print(
        f"Batch size {args.batch_size}; DigestConfig() defaults; "
        + (
            "digests computed and stored at the end of each run (--digests; the command's default).\n"
            if args.digests
            else "no digests (ingest(..., digests=False); --digests adds them).\n"
        )
    )

    ceiling = machine_ceiling()
    print(
        f"Machine ceiling: the same pure-Python loop in one process took {ceiling.alone:.2f} s and in two processes "
        f"at once {ceiling.pair:.2f} s (best of {ceiling.rounds} alternating rounds): two processes do "
        f"**{ceiling.speedup:.2f}x** the work of one here, the most any 2-worker run can gain on this machine.\n"
    )

    warm_up()
    with tempfile.TemporaryDirectory(prefix="newsweave-scale-stores-") as stores:
        store_a, store_b = Path(stores) / "local.db", Path(stores) / "dask.db"
        if args.digests:
            _load_spacy()  # once per process, before the timing, as on the workers
        local = run_ingest(data.files, store_a, args.batch_size, digests=args.digests)
        print(f"(a) one process: {local.wall:.1f} s, {local.added:,} articles added, {local.folded:,} copies folded.")
        dask, alone, startup = run_dask(data.files, store_b, args.batch_size, args.digests)
        after = machine_ceiling()  # the machine may have changed during the runs (other tenants)
        print(
            f"Machine ceiling again, after (b) and (c): {after.speedup:.2f}x (one process {after.alone:.2f} s, two "
            f"at once {after.pair:.2f} s)."
        )
        print(
            f"(b) Dask: {dask.wall:.1f} s, {dask.added:,} articles added, {dask.folded:,} copies folded "
            f"(cluster start and warm-up {startup:.1f} s, not counted)."
        )
        print(
            f"(c) Dask, the parallel stages alone (the same batches received and dropped, nothing stored): "
            f"{alone.wall:.1f} s, {alone.added:,} articles received."
        )
        content_a, content_b = stored(store_a), stored(store_b)
        same = content_a == content_b
        counts = content_a["counts"]
        print(
            f"Stores equal (story rows, members, digests, row counts): {'yes' if same else 'NO'} "
            f"({fingerprint(content_a)} / {fingerprint(content_b)}); {len(content_a['stories']):,} stories, "
            f"{counts.get('articles', 0):,} articles.\n"
        )
        if args.keep_stores:
            args.keep_stores.mkdir(parents=True, exist_ok=True)
            for path in (store_a, store_b):
                shutil.copy(path, args.keep_stores / path.name)

        stages, parallel_a, serial_a = stage_table(local)
        print("## (a) One process, stage by stage\n")
        print(stages)
        print(
            "\nEach stage timed inside the one `pipeline.ingest(..., parallel=False)` call (timers wrapped around "
            "the functions it calls); 'on Dask' says which side runs it in (b). 'cutting batches' is the batch "
            "generator's own time; 'commits, run log, report' is what remains of the loop.\n"
        )

        dask_text, b_tasks, _ = dask_table(dask, alone)
        span, work = b_tasks.span, b_tasks.work
        print("## (b) and (c): Dask LocalCluster, 2 worker processes, 1 thread each\n")
        print(dask_text)
        print(
            "\nClient times from the same timers; worker times from Dask's task stream (compute only, no "
            "transfers), 'when' in seconds from the start of the run. With 2 cores for 3 busy processes, a task's "
            "compute time includes the time its worker waited for a core.\n"
        )

        s = serial_a / local.wall
        overall = local.wall / dask.wall
        in_ingest = parallel_a / span if span else 0.0
        seconds_a = local.clock.seconds
        batch_a = seconds_a["read"] + seconds_a["clean"] + seconds_a["finish"] + seconds_a["prepare"]
        by_themselves = batch_a / alone.wall  # (c) has the batches' stages only, never digests
        rows = [
            ["whole ingest: (a) / (b)", f"{local.wall:.1f}", f"{dask.wall:.1f}", f"{overall:.2f}x", ""],
            ["parallel stages in the ingest: (a) / (b)'s span of worker tasks", f"{parallel_a:.1f}", f"{span:.1f}",
             f"{in_ingest:.2f}x", f"≥ {GOAL_PARALLEL_SPEEDUP}x: {verdict(in_ingest >= GOAL_PARALLEL_SPEEDUP)}"],
            ["parallel stages in the ingest: (a) / (b)'s task compute per worker", f"{parallel_a:.1f}",
             f"{work / WORKERS:.1f}", f"{parallel_a / (work / WORKERS):.2f}x" if work else "—", ""],
            ["batch stages alone (reading to records): (a) / (c) wall, batches received", f"{batch_a:.1f}",
             f"{alone.wall:.1f}",
             f"{by_themselves:.2f}x", f"≥ {GOAL_PARALLEL_SPEEDUP}x: {verdict(by_themselves >= GOAL_PARALLEL_SPEEDUP)}"],
            ["serial share s of (a): everything but the parallel stages", f"{serial_a:.1f}", "", f"s = {s:.1%}",
             f"< {GOAL_SERIAL_SHARE:.0%}: {verdict(s < GOAL_SERIAL_SHARE)}"],
        ]  # fmt: skip
        for when, measured in (("before (a)", ceiling), ("after (c)", after)):
            rows.append([f"machine ceiling, {when}: 2 processes of a CPU-bound loop / 1", f"{measured.alone:.2f}",
                         f"{measured.pair:.2f}", f"{measured.speedup:.2f}x", ""])  # fmt: skip
        for workers in AMDAHL_WORKERS:
            predicted = amdahl(s, workers)
            goal = f"≥ {GOAL_AT_32:.0f}x: {verdict(predicted >= GOAL_AT_32)}" if workers == 32 else ""
            measured = f"(b): {overall:.2f}x" if workers == WORKERS else ""
            rows.append([f"Amdahl, {workers} workers: 1 / (s + (1 - s) / {workers})", "", measured,
                         f"{predicted:.2f}x", goal])  # fmt: skip
        rows.append(["Amdahl's limit, any number of workers: 1 / s", "", "", f"{1 / s:.2f}x" if s else "—", ""])
        print("## Speed-up and the issue's goals\n")
        print(table(["figure", "(a) s", "Dask s", "speed-up", "goal"], rows))
        print(
            "\n(c) is the parallel stages' speed-up on 2 workers when the client does nothing but receive batches; "
            "in (b) the client's serial part takes a core from them. Amdahl assumes the parallel stages spread "
            "perfectly and the serial part does not grow with more workers; both are optimistic (the client also "
            "receives every batch).\n"
        )

        if data.profile_file is not None:
            print(
                f"## Profile of the serial part (cProfile, {args.profile_articles:,} further records into (b)'s "
                "full store)\n"
            )
            rows, listing, summary = profile_serial(data.profile_file, store_b, args.batch_size, 25)
            print(table(["part of the serial work", "seconds (profiled)", "share"], rows))
            print(
                f"\n{summary} (cProfile slows Python code about 1.5-2x). Batches read and "
                "cleaned before, unprofiled; the store and the clusterer already hold the whole run. Shares of "
                "the profiled total CPU; the 'of which' rows are parts of the row above.\n"
            )
            print("Top functions by own time:\n")
            print("```\n" + listing + "```")

    digest_stage()

    print(f"\nTotal run time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
