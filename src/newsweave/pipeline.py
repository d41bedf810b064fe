"""The only module that knows the order of the stages: read, clean, segment, group, digest."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsweave import __version__
from newsweave.clean import CleanConfig, clean_batch, to_article
from newsweave.dates import comparable
from newsweave.dedupe import DedupeConfig, fold_copies
from newsweave.errors import InputError
from newsweave.ingest import IngestConfig, discover, read_raw
from newsweave.records import Article, Digest, Problem, RawDocument, Story
from newsweave.segment import segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestConfig:
    """Settings of every stage of ``digest``."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    dedupe: DedupeConfig = field(default_factory=DedupeConfig)


def read(path: str | Path, config: DigestConfig = DigestConfig()) -> Article:
    """Return the clean, segmented article in one file; raise ``InputError`` naming the file if it fails."""
    raw = read_raw(Path(path), config.ingest)
    article = to_article(raw, config=config.clean)
    if not article.text:
        raise InputError(str(path), "no article text found (only page chrome or metadata)")
    return segment(article)


def read_all(
    inputs: Iterable[str | Path], config: DigestConfig = DigestConfig()
) -> tuple[list[Article], list[Problem]]:
    """Return the clean articles of every readable input and a Problem for every other one."""
    raws: list[RawDocument] = []
    problems: list[Problem] = []
    for found in discover(inputs):
        if isinstance(found, Problem):
            problems.append(found)
            continue
        try:
            raws.append(read_raw(found, config.ingest))
        except InputError as error:
            log.warning("%s", error)
            problems.append(Problem(error.source, error.reason))
    articles: list[Article] = []
    first_location: dict[str, str] = {}
    for raw, article in zip(raws, clean_batch(raws, config.clean), strict=True):
        location = raw.origin.location
        if not article.text:
            problems.append(Problem(location, "no article text found (only page chrome or metadata)"))
        elif article.id in first_location:
            reason = f"same outlet and text as {first_location[article.id]}; read once"
            problems.append(Problem(location, reason, "skipped"))
        else:
            first_location[article.id] = location
            articles.append(segment(article))
    return articles, problems


def digest(
    inputs: str | Path | Article | Iterable[str | Path | Article], config: DigestConfig = DigestConfig()
) -> Digest:
    """Return the digest of the given files, folders, glob patterns or ``Article`` records.

    Until story clustering exists, all articles form one story.
    """
    items = [inputs] if isinstance(inputs, str | Path | Article) else list(inputs)
    given = [item for item in items if isinstance(item, Article)]
    paths = [item for item in items if not isinstance(item, Article)]
    articles, problems = read_all(paths, config) if paths else ([], [])
    articles = [a if a.sentences or not a.text else segment(a) for a in given] + articles
    articles = fold_copies(articles, config.dedupe)
    stories = (make_story(articles),) if articles else ()
    return Digest(stories=stories, problems=tuple(problems), version=__version__)


def make_story(articles: Sequence[Article]) -> Story:
    """Return one story of ``articles`` in publication order (undated last, input order kept)."""
    ordered = sorted(
        enumerate(articles),
        key=lambda item: (item[1].date_publish is None, comparable(item[1].date_publish), item[0]),
    )
    members = tuple(article for _, article in ordered)
    story_id = hashlib.blake2b("\n".join(sorted(a.id for a in members)).encode(), digest_size=8).hexdigest()
    title = next((a.title for a in members if a.title), None)
    return Story(id=story_id, title=title, articles=members)
