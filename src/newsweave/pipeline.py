"""The only module that knows the order of the stages: read, clean, segment, group, digest."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsweave import __version__
from newsweave.clean import CleanConfig, clean_batch, to_article
from newsweave.dates import comparable
from newsweave.dedupe import DedupeConfig, fold_copies
from newsweave.errors import InputError
from newsweave.ingest import IngestConfig, discover, is_url, read_source
from newsweave.language import detect_language
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
    raws: list[RawDocument] = []
    problems: list[Problem] = []
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
            articles.append(_finish(article))
    return articles, problems


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

    Until story clustering exists, all articles form one story.
    """
    items = [inputs] if isinstance(inputs, str | Path | Article) else list(inputs)
    given = [item for item in items if isinstance(item, Article)]
    paths = [item for item in items if not isinstance(item, Article)]
    articles, problems = read_all(paths, config, strict=strict, on_source=on_source) if paths else ([], [])
    articles = [a if a.sentences or not a.text else _finish(a) for a in given] + articles
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
