"""Ingest on Dask: the per-document work on the cluster's workers, the story assignment and writes here.

What runs where, and why the result is the single machine's:
1. Reading: one task per input (file or URL) turns it into raw documents, in the input's order; a
   large WARC file is read by one task per byte range (the records that start in it).
2. Here, the raw documents are cut into the same batches of ``batch_size`` documents as a single
   machine cuts them (page templates are learnt per batch, so batches must be the same).
3. Cleaning: one task per batch learns the batch's templates, cleans, segments and labels each
   article, folds the batch's copies, and computes each article's clustering profile, content key,
   stored record, LSH band keys and names (``pipeline.prepared``).
4. Here, in input order: repeats of earlier batches are dropped (a batch that had one is folded
   again here), near copies of articles stored by earlier batches folded into them through the
   store's band keys, articles assigned to stories by the streaming clusterer and written to the store,
   one transaction per batch, exactly as ``pipeline.ingest`` does. Only this process writes the
   store, so a worker that dies mid-run changes nothing: Dask runs its tasks again (``retries``),
   and their results are the same.
5. Digests: one task per changed story (cross-check, summary, entities, quotes, timeline), four per
   worker in flight; this process stores them as they come, in order (``pipeline.store_digests``).

Tasks are pure functions of their inputs. The one heavy resource, spaCy's English pipeline for the
digests, is loaded by ``nlp.english`` once per worker process (it is cached there), never per task.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from newsweave.errors import NewsweaveError
from newsweave.ingest import STDIN, IngestConfig, discover, read_source
from newsweave.records import Article, Problem, RawDocument

if TYPE_CHECKING:
    from distributed import Client

    from newsweave.pipeline import DigestConfig, FirstLocations, PreparedBatch
    from newsweave.records import Story

T = TypeVar("T")
INSTALL = "pip install 'newsweave[dask]'"
SPLIT_BYTES = 64 * 2**20  # a WARC file larger than this is read by one task per byte range of this size
_RETRIES = 3


class DaskMissingError(NewsweaveError):
    """``--dask`` was asked for without the ``dask`` extra."""


def client_for(address: str) -> Client:
    """A Dask client: ``local`` or ``local:N`` starts a LocalCluster of N worker processes; else a scheduler address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise DaskMissingError(f"--dask needs Dask: {INSTALL}") from error
    _quiet("distributed", "bokeh", "tornado")
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not count.isdigit():
            raise NewsweaveError(f"--dask {address}: write local or local:N with N a number of workers")
        workers = int(count) if count else (os.cpu_count() or 1)
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            # ":0": any free port, so that two clusters on one machine never fight over 8787
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        )
        return Client(cluster)  # type: ignore[no-untyped-call]
    return Client(address)  # type: ignore[no-untyped-call]


def _quiet(*prefixes: str) -> None:
    """Keep the scheduler's and workers' progress chatter out of the user's terminal (errors still show)."""
    import logging

    for name in list(logging.root.manager.loggerDict):
        if name.startswith(prefixes):
            logging.getLogger(name).setLevel(logging.ERROR)
    for prefix in prefixes:
        logging.getLogger(prefix).setLevel(logging.ERROR)


def read_task(source: str, config: IngestConfig) -> list[RawDocument | Problem]:
    """Every document of one input, and its problems, in order (runs on a worker)."""
    from pathlib import Path

    from newsweave.ingest import is_url

    return list(read_source(source if is_url(source) else Path(source), config))


def read_range_task(source: str, start: int, end: int, config: IngestConfig) -> list[RawDocument | Problem]:
    """The documents of the WARC records that start in ``[start, end)`` of one file (runs on a worker)."""
    from pathlib import Path

    from newsweave.ingest.warc import read_warc_range

    try:
        return list(read_warc_range(Path(source), start, end, config.max_bytes))
    except OSError as error:
        return [Problem(source, f"cannot read the file ({error.strerror or error})")]


def clean_task(raws: list[RawDocument], config: DigestConfig) -> tuple[list[Article | None], PreparedBatch]:
    """One batch cleaned with its own templates, each article finished, and the batch ``pipeline.prepared``
    (runs on a worker).

    ``None`` stands for a document with no article text left. The prepared batch holds each article once (the
    first of the same id); the client, which alone knows the earlier batches, checks that none repeats them.
    """
    from newsweave.clean import clean_batch
    from newsweave.pipeline import finish, prepared

    cleaned = [finish(article) if article.text else None for article in clean_batch(raws, config.clean)]
    first: dict[str, Article] = {}
    for article in cleaned:
        if article is not None:
            first.setdefault(article.id, article)
    return cleaned, prepared(list(first.values()), (), config)


def digest_task(story: Story, config: DigestConfig) -> Story:
    """One story with its digest (runs on a worker)."""
    from newsweave.pipeline import digested

    return digested(story, config)


def digest_stream(
    client: Client, items: Iterable[T], story_of: Callable[[T], Story], config: DigestConfig
) -> Iterator[tuple[T, Story]]:
    """Each item with its story's digest, computed on ``client``'s workers, in order; four stories per worker
    are in flight, so that the workers never wait while this process stores what they made."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending: collections.deque[tuple[T, Any]] = collections.deque()
    for item in items:
        future = client.submit(digest_task, story_of(item), config, retries=_RETRIES, pure=False)
        pending.append((item, future))
        while len(pending) >= 4 * workers:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def dask_batches(
    sources: Sequence[str],
    config: DigestConfig,
    batch_size: int,
    client: Client,
    *,
    strict: bool = False,
    on_source: Callable[[str], None] | None = None,
    ahead: int | None = None,
    split_bytes: int | None = None,
) -> Iterator[PreparedBatch]:
    """The batches ``pipeline.ingest`` stores, with the reading and cleaning done by ``client``'s workers.

    At most ``ahead`` batches are cleaning at once (default: two per worker), so memory stays bounded
    by the batches in flight plus the inputs being read. A WARC file larger than ``split_bytes``
    (default ``SPLIT_BYTES``) is read by one task per byte range, each taking the records that start
    in it, so one big crawl file spreads over the workers.
    """
    from newsweave.pipeline import _INGEST_FIRST_LOCATIONS, FirstLocations, note_problem

    split_bytes = split_bytes or SPLIT_BYTES
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ahead = ahead or 2 * workers
    items = list(discover(sources))
    reads = iter([_submit_read(client, item, config.ingest, split_bytes) for item in items
                  if not isinstance(item, Problem) and str(item) != STDIN])  # fmt: skip
    pending: collections.deque[tuple[Any, list[RawDocument], list[Problem]]] = collections.deque()
    first_location = FirstLocations(_INGEST_FIRST_LOCATIONS)  # as pipeline._prepared_batches remembers
    raws: list[RawDocument] = []
    problems: list[Problem] = []

    def submit() -> None:
        future = client.submit(clean_task, list(raws), config, retries=_RETRIES, pure=False)
        pending.append((future, list(raws), list(problems)))
        raws.clear()
        problems.clear()

    def drain(limit: int) -> Iterator[PreparedBatch]:
        while len(pending) > limit:
            future, batch_raws, batch_problems = pending.popleft()
            yield _finished(future.result(), batch_raws, batch_problems, first_location, config)

    for item in items:
        if isinstance(item, Problem):
            note_problem(item, problems, strict)
            continue
        if on_source is not None:
            on_source(str(item))
        if str(item) == STDIN:
            documents = list(read_source(item, config.ingest))
        else:
            documents = [document for future in next(reads) for document in future.result()]
        for document in documents:
            if isinstance(document, Problem):
                note_problem(document, problems, strict)
            else:
                raws.append(document)
            if len(raws) >= batch_size:
                submit()
                yield from drain(ahead)
    if raws or problems:
        submit()
    yield from drain(0)


def _submit_read(client: Client, item: Any, config: IngestConfig, split_bytes: int) -> list[Any]:
    """Futures of one input's documents: one task, or one per byte range of a large WARC file."""
    from pathlib import Path

    from newsweave.ingest import kind_of
    from newsweave.ingest.warc import warc_ranges

    source = str(item)
    # pure=False: a file read again in a later run may have changed, so no result is reused by name.
    if isinstance(item, Path) and item.is_file() and item.stat().st_size > split_bytes and kind_of(item) == "warc":
        return [
            client.submit(read_range_task, source, start, end, config, retries=_RETRIES, pure=False)
            for start, end in warc_ranges(item, split_bytes)
        ]
    return [client.submit(read_task, source, config, retries=_RETRIES, pure=False)]


def _finished(
    done: tuple[list[Article | None], PreparedBatch],
    raws: list[RawDocument],
    problems: list[Problem],
    first_location: FirstLocations,
    config: DigestConfig,
) -> PreparedBatch:
    """A cleaned batch as ``pipeline._prepared_batches`` yields it: empty pages and repeats reported, in input
    order."""
    import dataclasses

    from newsweave.pipeline import prepared

    cleaned, batch = done
    articles: list[Article] = []
    for raw, article in zip(raws, cleaned, strict=True):
        location = raw.origin.location
        if article is None:
            problems.append(Problem(location, "no article text found (only page chrome or metadata)"))
            continue
        if (first := first_location.get(article.id)) is not None:
            problems.append(Problem(location, f"same outlet and text as {first}; read once", "skipped"))
            continue
        first_location.add(article.id, location)
        articles.append(article)
    if len(articles) == batch.read:  # no article repeats an earlier batch's: the worker folded the same ones
        return dataclasses.replace(batch, problems=tuple(problems))
    return prepared(articles, problems, config)  # fold again without the repeats (rare: a feed read twice)
