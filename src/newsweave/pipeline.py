"""The only module that knows the order of the stages: read, clean, segment, group, digest."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import logging
import os
import sqlite3
from collections import Counter, OrderedDict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from newsweave import __version__
from newsweave.background import in_background
from newsweave.clean import CleanConfig, clean_batch, to_article
from newsweave.cluster import ClusterConfig, Profile, StreamClusterer, cluster_batch, cluster_stream, profile
from newsweave.crosscheck import CrossCheckConfig, crosscheck
from newsweave.dates import comparable
from newsweave.dedupe import (
    DedupeConfig,
    NearKeys,
    band_scheme,
    content_key,
    copy_of,
    fold_copies,
    names_agree,
    near_keys,
    overlap,
    shingles,
    unpacked_names,
)
from newsweave.errors import InputError
from newsweave.ingest import IngestConfig, discover, is_url, read_source
from newsweave.language import detect_language
from newsweave.memory import heap_trimmer
from newsweave.records import Article, Digest, Problem, RawDocument, Span, Story
from newsweave.segment import segment
from newsweave.store import Change, MemberRow, Store, StoryRow, article_record, open_store, with_copy
from newsweave.summarize import SummaryConfig, summarize
from newsweave.summarize.llm import BackendError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestConfig:
    """Settings of every stage of ``digest``."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    dedupe: DedupeConfig = field(default_factory=DedupeConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    crosscheck: CrossCheckConfig = field(default_factory=CrossCheckConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    # Entities, quotes and the timeline need spaCy and its English model (extra ``newsweave[nlp]``);
    # without them the digest leaves those sections out and says why.
    people: bool = True
    # A story's digest reads at most this many of its articles, the most recent: the cross-check compares
    # statements pairwise, and a story of 2,517 articles (bench/web.py's store) took over 12 GB and hours.
    max_articles: int = 100


def read(path: str | Path, config: DigestConfig = DigestConfig()) -> Article:
    """Return the clean, segmented article in one file or URL; raise ``InputError`` naming it if it fails.

    An input that holds several articles (a feed, a WARC, JSON Lines) is an error here: use ``read_all``.
    """
    documents = list(read_source(path if is_url(path) else Path(path), config.ingest))
    raws = [document for document in documents if isinstance(document, RawDocument)]
    if not raws:
        problem = next((p for p in documents if isinstance(p, Problem)), None)
        raise InputError(problem.source if problem else str(path), problem.reason if problem else "no article found")
    if len(raws) > 1:
        raise InputError(str(path), f"holds {len(raws)} articles; read it with newsweave.read_all or digest")
    article = to_article(raws[0], config=config.clean)
    if not article.text:
        raise InputError(str(path), "no article text found (only page chrome or metadata)")
    return _finish(article)


def read_all(
    inputs: Iterable[str | Path],
    config: DigestConfig = DigestConfig(),
    *,
    strict: bool = False,
    on_source: Callable[[str], None] | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Return the clean articles of every readable input and a Problem for every other one.

    The same text from the same outlet, given twice, is read once (the second is a skipped Problem).
    ``strict`` raises ``InputError`` at the first input that cannot be read instead of going on;
    ``on_source`` is called with each source's name before it is read (for progress displays).
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    for batch, batch_problems in read_batches(inputs, config, strict=strict, on_source=on_source):
        articles.extend(batch)
        problems.extend(batch_problems)
    return articles, problems


def read_batches(
    inputs: Iterable[str | Path],
    config: DigestConfig = DigestConfig(),
    *,
    batch_size: int | None = None,
    strict: bool = False,
    on_source: Callable[[str], None] | None = None,
    remember: int | None = None,
) -> Iterator[tuple[list[Article], list[Problem]]]:
    """Yield the clean articles and the problems of ``inputs`` in batches of about ``batch_size`` documents.

    Memory holds one batch, so a 10 GB WARC streams through. Page templates are learnt per batch
    (``clean.template_lines``); with ``batch_size=None`` everything is one batch. A document with the
    outlet and text of one of the last ``remember`` distinct documents (default ``_FIRST_LOCATIONS``)
    is reported as read once.
    """
    raws: list[RawDocument] = []
    problems: list[Problem] = []
    first_location = FirstLocations(_FIRST_LOCATIONS if remember is None else remember)
    for source in discover(inputs):
        if isinstance(source, Problem):
            _note(source, problems, strict)
            continue
        if on_source is not None:
            on_source(str(source))
        for document in read_source(source, config.ingest):
            if isinstance(document, Problem):
                _note(document, problems, strict)
            else:
                raws.append(document)
            if batch_size is not None and len(raws) >= batch_size:
                yield _clean(raws, config, first_location, problems)
                raws, problems = [], []
    if raws or problems:
        yield _clean(raws, config, first_location, problems)


def _clean(
    raws: list[RawDocument], config: DigestConfig, first_location: FirstLocations, problems: list[Problem]
) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    for raw, article in zip(raws, clean_batch(raws, config.clean), strict=True):
        location = raw.origin.location
        if not article.text:
            problems.append(Problem(location, "no article text found (only page chrome or metadata)"))
        elif (first := first_location.get(article.id)) is not None:
            problems.append(Problem(location, f"same outlet and text as {first}; read once", "skipped"))
        else:
            first_location.add(article.id, location)
            articles.append(_finish(article))
    return articles, problems


# Documents whose first location a run remembers, to report a later one with the same outlet and text as
# read once (about 250 bytes each). An ingest remembers fewer: an older repeat is caught by the store, which
# counts it as already stored, and the reading side's memory stops growing after a few batches.
_FIRST_LOCATIONS = 200_000
_INGEST_FIRST_LOCATIONS = 10_000


class FirstLocations:
    """Where each of the last ``size`` distinct documents of a run was read, the oldest forgotten first."""

    def __init__(self, size: int) -> None:
        self._size = size
        # An OrderedDict forgets its oldest entry in constant time; a dict's first key is found by skipping
        # the slots of the keys deleted before it, a scan that grows with the stream until the dict is rebuilt.
        self._seen: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> str | None:
        return self._seen.get(key)

    def add(self, key: str, location: str) -> None:
        self._seen[key] = location
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


def note_problem(problem: Problem, problems: list[Problem], strict: bool) -> None:
    """Keep ``problem`` in ``problems``, or raise it as an ``InputError`` when ``strict``."""
    _note(problem, problems, strict)


def _note(problem: Problem, problems: list[Problem], strict: bool) -> None:
    log.info("%s", problem)
    if strict and problem.kind == "error":
        raise InputError(problem.source, problem.reason)
    problems.append(problem)


def extract(
    inputs: Iterable[str | Path],
    config: DigestConfig = DigestConfig(),
    *,
    strict: bool = False,
    on_source: Callable[[str], None] | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Return the clean articles of ``inputs`` with duplicate and syndicated copies folded, and the problems."""
    articles, problems = read_all(inputs, config, strict=strict, on_source=on_source)
    return fold_copies(articles, config.dedupe), problems


def finish(article: Article) -> Article:
    """``article`` segmented and with its language (``segment``, ``language``): what every clean article gets."""
    return _finish(article)


def _finish(article: Article) -> Article:
    """Return ``article`` segmented and with its language, when the input did not state it."""
    language = article.language or detect_language(article.text)
    return segment(dataclasses.replace(article, language=language))


def digest(
    inputs: str | Path | Article | Iterable[str | Path | Article],
    config: DigestConfig = DigestConfig(),
    *,
    strict: bool = False,
    on_source: Callable[[str], None] | None = None,
) -> Digest:
    """Return the digest of the given files, folders, glob patterns or ``Article`` records.

    Articles are grouped into stories with batch clustering (``cluster.cluster_batch``); stories
    are listed by their earliest article.
    """
    items = [inputs] if isinstance(inputs, str | Path | Article) else list(inputs)
    given = [item for item in items if isinstance(item, Article)]
    paths = [item for item in items if not isinstance(item, Article)]
    articles, problems = read_all(paths, config, strict=strict, on_source=on_source) if paths else ([], [])
    articles = [a if a.sentences or not a.text else _finish(a) for a in given] + articles
    articles = fold_copies(articles, config.dedupe)
    stories = tuple(digested(story, config) for story in group_stories(articles, config.cluster))
    return Digest(stories=stories, problems=tuple(problems), version=__version__)


def cross_checked(story: Story, config: DigestConfig = DigestConfig()) -> Story:
    """The story with its facts: corroborated, unique and conflicting (``crosscheck.crosscheck``)."""
    return dataclasses.replace(story, crosscheck=crosscheck(story, config.crosscheck))


def summarized(story: Story, config: DigestConfig = DigestConfig()) -> Story:
    """The story with its cited summary (``summarize.summarize``), cross-checked first if it was not.

    When the abstractive backend fails, the summary is the extractive one and its ``note`` says why.
    """
    if story.crosscheck is None:
        story = cross_checked(story, config)
    settings = dataclasses.replace(config.summary, crosscheck=config.crosscheck)
    try:
        return dataclasses.replace(story, summary=summarize(story, settings))
    except BackendError as error:
        log.warning("story %s: %s; the summary is extractive", story.id, error)
        fallback = summarize(story, dataclasses.replace(settings, llm=None))
        note = f"The abstractive backend failed ({error}); this summary is extractive."
        return dataclasses.replace(story, summary=dataclasses.replace(fallback, note=note))


def described(story: Story) -> Story:
    """The story with its entities, quotes and timeline (``entities``, ``quotes``, ``timeline``).

    Raises ``nlp.ModelMissingError`` when spaCy or its English model is not installed. Articles in
    another language than English are not parsed: these stages read English only.
    """
    from newsweave.entities import entities
    from newsweave.nlp import parse
    from newsweave.quotes import quotes
    from newsweave.timeline import timeline

    english = [article.language in (None, "en") for article in story.articles]
    parsed = iter(parse([a.text for a, ok in zip(story.articles, english, strict=True) if ok]))
    docs = [next(parsed) if ok else parse([""])[0] for ok in english]
    found = entities(story, docs)
    return dataclasses.replace(story, entities=found, quotes=quotes(story, docs, found), timeline=timeline(story, docs))


def digested(story: Story, config: DigestConfig = DigestConfig()) -> Story:
    """The story with everything the digest computes of it: cross-check, summary, entities, quotes, timeline.

    A story of more than ``config.max_articles`` articles is digested from its most recent ones (the summary's
    note says so); the story keeps all its articles.
    """
    read = _most_recent(story, config.max_articles)
    done = summarized(cross_checked(read, config), config)
    if config.people:
        from newsweave.nlp import ModelMissingError

        try:
            done = described(done)
        except ModelMissingError as error:
            log.warning("%s; the digest has no entities, quotes or timeline", error)
    if read is story:
        return done
    if done.summary is not None:
        note = f"Digest of the {len(read.articles)} most recent of the story's {len(story.articles)} articles."
        note = f"{done.summary.note} {note}" if done.summary.note else note
        done = dataclasses.replace(done, summary=dataclasses.replace(done.summary, note=note))
    return dataclasses.replace(done, articles=story.articles)


def _most_recent(story: Story, limit: int) -> Story:
    if len(story.articles) <= limit:
        return story
    undated = datetime.min.replace(tzinfo=UTC)  # read last: an undated article is the first left out
    order = sorted(range(len(story.articles)), key=lambda i: (comparable(story.articles[i].date_publish, undated), i))
    kept = sorted(order[-limit:])  # the story's own order among those kept
    return dataclasses.replace(story, articles=tuple(story.articles[i] for i in kept))


def group_stories(articles: Sequence[Article], config: ClusterConfig = ClusterConfig()) -> tuple[Story, ...]:
    """Return the stories of ``articles`` (batch clustering), earliest story first."""
    members: dict[str, list[Article]] = {}
    for article, story_id in zip(articles, cluster_batch(articles, config), strict=True):
        members.setdefault(story_id, []).append(article)
    stories = [make_story(group, story_id) for story_id, group in members.items()]
    return tuple(sorted(stories, key=_story_order))


def _story_order(story: Story) -> tuple[bool, datetime, str]:
    first = story.articles[0].date_publish
    return (first is None, comparable(first), story.id)


def make_story(articles: Sequence[Article], story_id: str | None = None) -> Story:
    """Return one story of ``articles`` in publication order (undated last, input order kept).

    Without ``story_id`` the id is a hash of the member ids.
    """
    members = tuple(_publication_order(articles))
    if story_id is None:
        story_id = hashlib.blake2b("\n".join(sorted(a.id for a in members)).encode(), digest_size=8).hexdigest()
    title = next((a.title for a in members if a.title), None) or _lead(members)
    return Story(id=story_id, title=title, articles=members)


_Dated = TypeVar("_Dated", Article, MemberRow)


def _publication_order(articles: Sequence[_Dated]) -> list[_Dated]:
    """``articles`` in publication order: undated last, input order kept among equals."""
    ordered = sorted(
        enumerate(articles),
        key=lambda item: (item[1].date_publish is None, comparable(item[1].date_publish), item[0]),
    )
    return [article for _, article in ordered]


_LEAD_CHARACTERS = 120


def _lead(articles: Sequence[Article]) -> str | None:
    """A headline for a story whose articles have no title: the first sentence, shortened at a word."""
    return _shortened(next((a.sentences[0].text for a in articles if a.sentences), None))


def _shortened(sentence: str | None) -> str | None:
    if sentence is None or len(sentence) <= _LEAD_CHARACTERS:
        return sentence
    return sentence[:_LEAD_CHARACTERS].rsplit(" ", 1)[0] + "…"


# ----------------------------------------------------------------------------- the store


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ``ingest`` run did to the store."""

    run_id: int
    added: int  # new articles stored
    folded: int  # copies folded into another article (this run's or a stored one)
    known: int  # articles the store already held
    problems: tuple[Problem, ...]
    changes: tuple[Change, ...]  # per story: new, grew, merged
    titles: dict[str, str | None] = field(default_factory=dict)  # story id -> headline, for the report
    digests: int = 0  # story digests computed and stored at the end of the run
    conflicts: dict[str, int] = field(default_factory=dict)  # story id -> conflicts its digest did not have before


def ingest(
    inputs: Iterable[str | Path],
    store: str | Path | Store = "newsweave.db",
    config: DigestConfig = DigestConfig(),
    *,
    batch_size: int = 500,
    strict: bool = False,
    parallel: bool | None = False,
    on_source: Callable[[str], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    client: Any = None,
    digests: bool = True,
    on_digest: Callable[[int], None] | None = None,
) -> IngestReport:
    """Add the articles of ``inputs`` to the store, assign them to stories, recompute changed digests.

    Each batch of ``batch_size`` documents is one transaction with the streaming clusterer's
    state, so a run killed at any point can simply be run again. Exact duplicates of stored
    articles (same normalised text) add their outlet as a copy; near-duplicate copies are folded
    within a batch (``dedupe.fold_copies``).

    ``parallel`` reads and cleans the next batch in a second process while this one clusters and
    writes (the result is the same); ``None`` does so for inputs of several MiB on a machine with
    more than one core (the CLI's default). The second process is spawned, so a script that asks
    for it needs the usual ``if __name__ == "__main__":`` guard. ``on_source`` is only called when
    reading here. Two ingests into one store at once: the second to write stops with a StoreError.

    ``client`` (a ``dask.distributed.Client``) reads and cleans on its workers instead
    (``scale.dask_batches``), and computes the digests there; the store is the same as without it.

    ``digests``: at the end, compute and store the digest (cross-check, summary, entities, quotes,
    timeline) of every story this run changed, and of any a killed run left without a current one
    (``store_digests``); readers then serve it without computing. ``on_digest`` gets the count of
    each chunk of stories stored.
    """
    owned = not isinstance(store, Store)
    db = open_store(store) if not isinstance(store, Store) else store
    sources = [str(item) for item in inputs]
    if "-" in sources:
        parallel = False  # standard input cannot be handed to a spawned process
    elif parallel is None:
        parallel = _worth_a_second_process(sources)
    totals = Counter[str]()
    problems: list[Problem] = []
    try:
        run_id = db.begin_run(sources)
        try:
            with db.snapshot():  # the state and its generation from the same commit
                (saved, in_parts), generation = db.stream_state(), db.state_generation()
            clusterer = StreamClusterer.from_state(saved, config.cluster) if saved else StreamClusterer(config.cluster)
            if in_parts:  # the first batch writes only what it changes; else all of the state, in parts
                clusterer.mark_saved()
            # A late article looks for its dormant story in the store (in the batch's own transaction).
            clusterer.recall = lambda keys, since: db.recall_dormant(keys, since, config.cluster.max_candidates)
            # A resumed or recalled group's members are read back to be split again.
            clusterer.profiles = lambda ids: _stored_profiles(db, ids, config.cluster)
            _index_near_copies(db, config.dedupe)
            if client is not None:
                from newsweave.scale import dask_batches

                batches: Any = dask_batches(sources, config, batch_size, client, strict=strict, on_source=on_source)
            elif parallel:
                batches = in_background(_prepared_batches, sources, config, batch_size, strict)
            else:
                batches = _prepared_batches(sources, config, batch_size, strict, on_source)
            trim = heap_trimmer()
            with contextlib.closing(batches):
                for batch in batches:
                    problems.extend(batch.problems)
                    totals["folded"] += batch.read - len(batch.articles)
                    with db.transaction() as connection:
                        generation = Store.claim_state(connection, generation)
                        _store_batch(db, connection, batch, clusterer, run_id, totals, config.dedupe)
                        Store.save_stream_changes(connection, clusterer.changes())
                    trim()
                    if on_batch is not None:
                        on_batch(batch.read)
            # After every batch: a story that grows in several batches is digested once.
            # This run's stories, and those of runs stopped before their digests were stored; not the stories
            # of earlier runs made without digests (or with other settings): readers compute those.
            runs = sorted({run_id, *db.unfinished_runs()})
            computed, conflicts = (
                store_digests(db, config, client=client, on_digest=on_digest, runs=runs) if digests else (0, {})
            )
        except Exception as error:  # what was written so far stays (batches, digests); the log says why it stopped
            db.finish_run(run_id, "failed", {"error": str(error), **totals})
            raise
        changes = tuple(db.changes(run_id))
        changed = {change.story_id for change in changes} | set(conflicts)
        titles = {row.id: row.title for row in db.stories() if row.id in changed}
        report = IngestReport(
            run_id, totals["added"], totals["folded"], totals["known"], tuple(problems), changes, titles,
            computed, conflicts,
        )  # fmt: skip
        db.finish_run(run_id, "done", _summary(report))
        return report
    finally:
        if owned:
            db.close()


_PARALLEL_MIN_BYTES = 4 * 2**20  # below this, starting a second process costs more than it saves


def _worth_a_second_process(sources: Sequence[str]) -> bool:
    if (os.cpu_count() or 1) < 2:
        return False
    total = 0
    for source in sources:
        path = Path(source)
        if source == "-" or is_url(source) or not path.exists():
            continue
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
        if total >= _PARALLEL_MIN_BYTES:
            return True
    return False


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """One batch as the serial part of ``ingest`` takes it: everything computed per article done already.

    Folding copies, the clustering profiles, the content keys and the stored JSON records depend only on the
    batch, so the reading process (or a Dask worker) computes them while this one clusters and writes the last.
    """

    articles: tuple[Article, ...]  # read, with copies within the batch folded (``dedupe.fold_copies``)
    problems: tuple[Problem, ...]
    read: int  # articles read, before folding
    profiles: dict[str, Profile]  # article id -> clustering profile
    keys: dict[str, str]  # article id -> content key (``dedupe.content_key``)
    records: dict[str, str]  # article id -> the article as the store keeps it (``store.article_record``)
    near: dict[str, NearKeys]  # article id -> its LSH band keys in its time window (``dedupe.near_keys``)


def prepared(articles: Sequence[Article], problems: Sequence[Problem], config: DigestConfig) -> PreparedBatch:
    """The batch of ``articles`` (already read, cleaned and finished) as ``ingest`` stores it."""
    folded = tuple(fold_copies(articles, config.dedupe))
    return PreparedBatch(
        articles=folded,
        problems=tuple(problems),
        read=len(articles),
        profiles={article.id: profile(article, config.cluster) for article in folded},
        keys={article.id: content_key(article.text) for article in folded},
        records={article.id: article_record(article) for article in folded},
        near={article.id: near_keys(article.text, article.date_publish, config.dedupe) for article in folded},
    )


def _prepared_batches(
    sources: list[str],
    config: DigestConfig,
    batch_size: int,
    strict: bool,
    on_source: Callable[[str], None] | None = None,
) -> Generator[PreparedBatch, None, None]:
    """``read_batches``, each batch ``prepared``: the work that can run in the reading process."""
    trim = heap_trimmer()
    for articles, problems in read_batches(
        sources, config, batch_size=batch_size, strict=strict, on_source=on_source, remember=_INGEST_FIRST_LOCATIONS
    ):
        yield prepared(articles, problems, config)
        trim()


def _store_batch(
    db: Store,
    connection: sqlite3.Connection,
    batch: PreparedBatch,
    clusterer: StreamClusterer,
    run_id: int,
    totals: Counter[str],
    dedupe: DedupeConfig,
) -> None:
    """Write one batch: new articles and their stories, copies of stored articles, changed digests.

    An article whose text is stored already, or a near copy of a stored article's (``_stored_original``), is
    folded into that article as a copy.
    """
    touched: dict[str, tuple[int, tuple[str, ...]]] = {}  # story -> (articles added, outlets before)
    # Stored articles the batch's may be near copies of: those of earlier batches (``fold_copies`` has compared
    # the batch's own), asked in one query before the batch adds any.
    candidates = db.near_candidates(
        {i: batch.near[article.id].asked for i, article in enumerate(batch.articles)},
        db.last_seq(connection),
        dedupe.max_stored_candidates,
        connection,
    )
    kept: list[tuple[int, tuple[int, ...], bytes]] = []  # (seq, band keys, names) of the batch's new articles

    def touch(story_id: str, added: int) -> None:
        if story_id not in touched:
            touched[story_id] = (0, db.story_outlets(story_id, connection))
        count, outlets = touched[story_id]
        touched[story_id] = (count + added, outlets)

    for index, article in enumerate(batch.articles):
        key = batch.keys[article.id]
        stored, share = db.article_by_key(key), 1.0
        if stored is None:
            near = batch.near[article.id]
            stored, share = _stored_original(db, connection, article, near, candidates.get(index, []), dedupe)
        if stored is not None:
            updated = stored
            for copy in (copy_of(article, stored, share), *article.copies):
                if (copy.outlet, copy.location) != (stored.outlet, stored.origin.location):
                    updated = with_copy(updated, copy)
            totals["known" if updated == stored else "folded"] += 1
            if updated != stored:
                story_id = db.story_of(stored.id)
                if story_id is not None:
                    touch(story_id, 0)  # before the change, so the story's earlier outlets are known
                Store.replace_article(connection, updated)
            continue
        position = Store.insert_article(connection, article, key, run_id, batch.records[article.id])
        kept.append((position, batch.near[article.id].stored, batch.near[article.id].names))
        totals["added"] += 1
        assignment = clusterer.add(batch.profiles[article.id])
        if clusterer.departed:  # stories that went dormant: kept in the store for late articles
            Store.save_dormant(connection, clusterer.departed)
            clusterer.departed.clear()
        for gone in assignment.merged:  # a group folded into another: it can no longer be recalled
            Store.forget_dormant(connection, gone)
        retired = dict(assignment.retired)
        for member, story_id in assignment.moved:  # the group was split anew
            previous = Store.move_member(connection, member, story_id)
            if previous is not None and previous not in retired:
                touch(previous, -1)
            touch(story_id, 1)
        for old, story_id in assignment.retired:  # links to it now lead on; its members moved (below if not above)
            count, _ = touched.pop(old, (0, ()))
            if not assignment.moved:  # a merge: what the batch added to the old story, it added to this one
                touch(story_id, count)
            Store.merge_story(connection, old, story_id, run_id)
            Store.record_change(connection, run_id, Change(story_id, "merged", 0, (old,)))
        if assignment.new:
            touched[assignment.story] = (0, ())
        Store.add_member(connection, article.id, assignment.story)
        touch(assignment.story, 1)

    Store.add_near_keys(connection, kept)
    for story_id, (added, outlets_before) in touched.items():
        # What make_story would give of the members, read without reading them back as articles.
        rows = _publication_order(db.member_rows(story_id, connection))
        title = next((row.title for row in rows if row.title), None) or _stored_lead(db, rows)
        outlets = tuple(dict.fromkeys(outlet for row in rows for outlet in row.outlets))
        seq = db.story_seq(story_id, connection)
        kind = "new" if seq is None else "grew"
        if seq is None:
            row = connection.execute("SELECT coalesce(max(seq), 0) + 1 FROM stories").fetchone()
            seq = int(row[0])
        else:
            previous = connection.execute(
                "SELECT kind FROM changes WHERE run_id = ? AND story_id = ? AND kind = 'new'", (run_id, story_id)
            ).fetchone()
            kind = "new" if previous else "grew"
        digest = json.dumps(_story_digest(story_id, title, outlets, rows), ensure_ascii=False, separators=(",", ":"))
        Store.write_story(connection, story_id, seq=seq, title=title, articles=rows, run_id=run_id, digest=digest)
        new_outlets = tuple(o for o in outlets if o not in outlets_before)
        if added > 0 or new_outlets:  # a story that only lost articles to a split did not grow
            Store.record_change(connection, run_id, Change(story_id, kind, max(added, 0), new_outlets))


def _stored_original(
    db: Store,
    connection: sqlite3.Connection,
    article: Article,
    near: NearKeys,
    candidates: Sequence[tuple[int, bytes]],
    config: DedupeConfig,
) -> tuple[Article | None, float]:
    """The stored article of an earlier batch that ``article`` is a near copy of, and the overlap; else None.

    The decision ``dedupe.fold_copies`` makes within a batch: LSH proposes (``candidates``: stored articles
    published within ``window_days`` that share its band keys, at most ``max_stored_candidates``, those sharing
    most bands first, as ``Store.near_candidates`` finds them), the names must agree and the exact share of the
    shorter text's 5-grams decides (at least ``min_overlap``), the most overlapping stored article wins, the
    earliest stored on ties. One difference: the stored article stays the canonical one, so it must be complete
    beside the copy (``complete_share`` of its 5-grams); a full text that comes after its excerpt is stored as
    an article of its own, and the cross-check counts the two as one source.
    """
    if not candidates:
        return None, 0.0
    own_names = unpacked_names(near.names)
    own: frozenset[str] | None = None
    best: tuple[float, int] | None = None  # (overlap, -seq)
    for seq, names in candidates:
        if not names_agree(own_names, unpacked_names(names), config):
            continue  # its text is not even read
        own = shingles(article.text, config.shingle_words) if own is None else own
        theirs = shingles(db.article_text(seq, connection), config.shingle_words)
        share = overlap(own, theirs)
        if share < config.min_overlap or len(theirs) < config.complete_share * len(own):
            continue
        if best is None or (share, -seq) > best:
            best = (share, -seq)
    if best is None:
        return None, 0.0
    return db.article_at(-best[1], connection), best[0]


def _index_near_copies(db: Store, config: DedupeConfig) -> None:
    """Make the stored articles' band keys (once: stores made before them, or keys of other settings)."""
    scheme = band_scheme(config)
    if db.near_scheme() == scheme:
        return
    with db.transaction() as connection:

        def stored() -> Iterator[tuple[int, tuple[int, ...], bytes]]:
            for seq, text, published in db.article_texts(connection):
                near = near_keys(text, published, config)
                yield seq, near.stored, near.names

        Store.replace_near_keys(connection, stored(), scheme)


def _stored_profiles(db: Store, article_ids: Sequence[str], config: ClusterConfig) -> dict[str, Profile]:
    """The clustering profiles of the stored articles among ``article_ids`` (as the reading side computed them)."""
    found = {}
    for article_id in article_ids:
        article = db.article(article_id)
        if article is not None:
            found[article_id] = profile(article, config)
    return found


def _stored_lead(db: Store, rows: Sequence[MemberRow]) -> str | None:
    """``_lead`` of the stored articles of ``rows`` (in that order), reading back only those it needs."""
    for row in rows:
        article = db.article(row.id)
        if article is not None and article.sentences:
            return _shortened(article.sentences[0].text)
    return None


def _story_digest(
    story_id: str, title: str | None, outlets: Sequence[str], members: Sequence[MemberRow]
) -> dict[str, object]:
    """What the store keeps of a story's computed digest: everything but the articles, which it holds already."""
    return {"id": story_id, "title": title, "outlets": list(outlets), "articles": [row.id for row in members]}


def _summary(report: IngestReport) -> dict[str, object]:
    kinds = Counter(change.kind for change in report.changes)
    return {
        "added": report.added,
        "folded": report.folded,
        "known": report.known,
        "problems": len(report.problems),
        "new_stories": kinds["new"],
        "grown_stories": kinds["grew"],
        "merged": kinds["merged"],
    }


def stories(store: str | Path | Store = "newsweave.db", *, since: str | None = None) -> list[StoryRow]:
    """The stories of a store, most recently updated first."""
    if isinstance(store, Store):
        return store.stories(since)
    with open_store(store, readonly=True) as db:
        return db.stories(since)


def stored_story(store: str | Path | Store, story_id: str) -> Story:
    """One stored story (an id merged into another story finds that story); InputError when unknown."""
    db = store if isinstance(store, Store) else open_store(store, readonly=True)
    try:
        with db.snapshot():
            current = db.resolve(story_id)
            if current is None:
                raise InputError(str(db.path), f"no story {story_id!r}; list them with `newsweave stories`")
            data = db.story_digest(current) or {}
            by_id = {article.id: article for article in db.members(current)}
        ids = [str(item) for item in data.get("articles", [])]
        articles = [by_id[i] for i in ids if i in by_id] or list(by_id.values())
        return make_story(articles, current)
    finally:
        if db is not store:
            db.close()


def digest_key(config: DigestConfig) -> str:
    """Names what a story's digest depends on besides its articles: a stored digest made otherwise is redone."""
    settings = repr((config.crosscheck, config.summary, config.people, __version__))
    return hashlib.blake2b(settings.encode(), digest_size=8).hexdigest()


_DIGEST_CHUNK = 16  # stories computed and stored per transaction


def store_digests(
    db: Store,
    config: DigestConfig = DigestConfig(),
    *,
    client: Any = None,
    on_digest: Callable[[int], None] | None = None,
    runs: Sequence[int] | None = None,
) -> tuple[int, dict[str, int]]:
    """Compute and store the digest of every story whose stored one is missing or out of date (of those last
    changed by ``runs`` when given).

    Returns how many were stored, and per story the conflicts its new digest has that its previous
    one did not. A story an ingest changes meanwhile keeps no digest; the next run computes it.
    ``client`` computes them on Dask workers (``scale.digest_stream``), with the same result.
    """
    key = digest_key(config)
    stale = db.stale_digests(key, runs)

    def loaded() -> Iterator[tuple[str, int, Story, set[_Mark]]]:
        for story_id, updated_run in stale:
            with db.snapshot():  # closed before yielding: the caller writes between two stories
                item = story_id, updated_run, stored_story(db, story_id), _conflicts_of(db.previous_digest(story_id))
            yield item

    if client is not None:
        from newsweave.scale import digest_stream

        done: Iterator[tuple[tuple[str, int, Story, set[_Mark]], Story]] = digest_stream(
            client, loaded(), lambda item: item[2], config
        )
    else:
        done = ((item, digested(item[2], config)) for item in loaded())
    stored, conflicts = 0, {}
    while chunk := list(itertools.islice(done, _DIGEST_CHUNK)):
        with db.transaction() as connection:
            for (story_id, updated_run, _, seen), story in chunk:
                if Store.write_computed(connection, story_id, updated_run, key, stored_form(story), _counts(story)):
                    stored += 1
                    if new := _conflict_marks(story) - seen:
                        conflicts[story_id] = len(new)
        if on_digest is not None:
            on_digest(len(chunk))
    return stored, conflicts


def stored_form(story: Story) -> dict[str, Any]:
    """A digested story as the store keeps it: ``story_to_dict`` without the articles it holds already."""
    from newsweave.render.json import story_to_dict

    data = story_to_dict(story)
    data["articles"] = [article.id for article in story.articles]
    return data


def from_stored_form(data: dict[str, Any], articles: Sequence[Article]) -> Story | None:
    """The digested story again, with its articles; None when they are no longer the ones it was made from."""
    from newsweave.render.json import story_from_dict

    by_id = {article.id: article for article in articles}
    ids = [str(item) for item in data.get("articles", [])]
    if sorted(ids) != sorted(by_id):
        return None
    story = story_from_dict({**data, "articles": []})
    return dataclasses.replace(story, articles=tuple(by_id[i] for i in ids))


def digested_stored(db: Store, story_id: str, config: DigestConfig = DigestConfig()) -> Story:
    """A stored story with its digest: the one its last ingest stored when current, else computed now."""
    with db.snapshot():
        story = stored_story(db, story_id)
        data = db.computed_digest(story.id, digest_key(config))
    restored = from_stored_form(data, story.articles) if data is not None else None
    return restored if restored is not None else digested(story, config)


def _counts(story: Story) -> dict[str, int]:
    check = story.crosscheck
    statuses = ("corroborated", "unique", "conflicting")
    return {status: len(check.having(status)) if check else 0 for status in statuses}  # type: ignore[arg-type]


_Mark = tuple[str, frozenset[Span]]


def _conflict_marks(story: Story) -> set[_Mark]:
    """Each conflict by its kind and the two spans it sets against each other (stable while the texts are)."""
    facts = story.crosscheck.facts if story.crosscheck else ()
    return {(c.kind, frozenset({c.a_span, c.b_span})) for fact in facts for c in fact.conflicts}


def _conflicts_of(data: dict[str, Any] | None) -> set[_Mark]:
    """The conflicts of a stored digest (none when there is none: then every conflict is new)."""
    if data is None:
        return set()
    from newsweave.render.json import story_from_dict

    return _conflict_marks(story_from_dict({**data, "articles": []}))


def stored_digest(
    store: str | Path | Store, story_ids: Sequence[str] | None = None, config: DigestConfig = DigestConfig()
) -> Digest:
    """The digest of stored stories: the given ids, or every story (earliest first).

    A story's digest stored by its last ingest is used when it is current and was made with the same
    settings (``digest_key``); any other is computed now.
    """
    db = store if isinstance(store, Store) else open_store(store, readonly=True)
    try:
        with db.snapshot():
            ids = list(story_ids) if story_ids is not None else [row.id for row in db.stories()]
            found = [digested_stored(db, story_id, config) for story_id in ids]
    finally:
        if db is not store:
            db.close()
    ordered = found if story_ids is not None else sorted(found, key=_story_order)
    return Digest(stories=tuple(ordered), version=__version__)


def assign_stories(
    articles: Sequence[Article], config: DigestConfig = DigestConfig(), *, stream: bool = False
) -> list[str]:
    """Story id of every article (copies folded first count once; each copy gets its canonical's story)."""
    folded = fold_copies(articles, config.dedupe)
    labels = cluster_stream(folded, config.cluster) if stream else cluster_batch(folded, config.cluster)
    story_of: dict[str, str] = {}
    for article, story_id in zip(folded, labels, strict=True):
        story_of[article.id] = story_id
        for copy in article.copies:
            story_of.setdefault(copy.article_id, story_id)
    return [story_of[article.id] for article in articles]
