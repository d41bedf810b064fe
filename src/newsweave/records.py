"""Immutable records that flow between the pipeline stages.

Every stage reads these and returns new ones (``dataclasses.replace``); none is ever mutated.
Field names follow news-please where one exists (``title``, ``date_publish``, ``authors``,
``description``, ``source_domain``, ``url``, ``language``); the article body is ``Article.text``
in Python and ``maintext`` in JSON (see ``render/json.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ProblemKind = Literal["error", "skipped"]
FactStatus = Literal["corroborated", "unique", "conflicting"]
ConflictKind = Literal["number", "date", "name", "negation"]


@dataclass(frozen=True, slots=True)
class Hints:
    """Metadata given from outside the text (CLI options, a sidecar file); it wins over detection."""

    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    source_domain: str | None = None
    date_publish: datetime | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    description: str | None = None
    # The id the input itself gave the article (a JSON record's "id", a feed entry's guid).
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an article came from: the file or URL, the reader that parsed it, the encoding found."""

    location: str
    reader: str
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Decoded text of one input before cleaning, with any metadata given from outside."""

    origin: Origin
    text: str
    hints: Hints = Hints()


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``[start, end)`` of ``Article.text`` of the article ``article_id``."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: its position and its exact characters in ``Article.text``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.article_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Copy:
    """Another run of an article's text: a syndicated copy or a page read twice, folded into it."""

    article_id: str
    outlet: str
    location: str
    title: str | None = None
    date_publish: datetime | None = None
    url: str | None = None
    # Share of the shorter text's word 5-grams that the two texts have in common (1.0: same text).
    overlap: float = 1.0
    # The copy's paragraphs that the kept text lacks (an outlet's own intro or update), so folding
    # loses nothing.
    extra_text: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """One outlet's article: clean text (paragraphs separated by a blank line) and metadata.

    ``date_publish`` is timezone-aware when the source gave a zone, naive when it gave a local
    time without one, and ``None`` when the source gave no date (never invented).
    """

    id: str
    outlet: str
    text: str
    origin: Origin
    title: str | None = None
    date_publish: datetime | None = None
    url: str | None = None
    source_domain: str | None = None
    authors: tuple[str, ...] = ()
    description: str | None = None
    language: str | None = None
    source_id: str | None = None
    sentences: tuple[Sentence, ...] = ()
    copies: tuple[Copy, ...] = ()

    @property
    def outlets(self) -> tuple[str, ...]:
        """Every outlet that ran this text: its own first, then those of its folded copies."""
        return tuple(dict.fromkeys((self.outlet, *(copy.outlet for copy in self.copies))))

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(self.text.split("\n\n")) if self.text else ()


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that produced no article, and why; ``skipped`` inputs were not tried at all."""

    source: str
    reason: str
    kind: ProblemKind = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Statement:
    """One checkable claim: a sentence of an article, or one clause of a sentence that packs several.

    ``attribution`` is the source the text credits for it ("Xinhua", "KCNA", "Sanders"), if it names one.
    """

    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    attribution: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.article_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two aligned statements from independent outlets that disagree, and the words they disagree on.

    ``a_value``/``b_value`` are the disagreeing text of each side, at ``a_span``/``b_span`` (offsets in
    the articles' texts, inside the statements).
    """

    kind: ConflictKind
    a: Statement
    b: Statement
    a_value: str
    b_value: str
    a_span: Span
    b_span: Span
    a_outlets: tuple[str, ...]
    b_outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fact:
    """Statements of one story's articles that state the same fact, and what the outlets say of it.

    ``sources`` holds one tuple of outlets per independent line of evidence: syndicated copies and
    the same outlet twice share one. ``via`` names the source every outlet credits when they all
    relay the same one ("Xinhua"): then the outlets are one chain of evidence, however many.
    """

    id: str
    status: FactStatus
    statements: tuple[Statement, ...]
    outlets: tuple[str, ...]
    sources: tuple[tuple[str, ...], ...]
    via: str | None = None
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A story's facts, each corroborated, unique or conflicting, over the story's outlets."""

    outlets: tuple[str, ...]
    facts: tuple[Fact, ...]
    method: str = "lexical"

    def having(self, status: FactStatus) -> tuple[Fact, ...]:
        return tuple(fact for fact in self.facts if fact.status == status)


@dataclass(frozen=True, slots=True)
class Citation:
    """An outlet that supports a summary sentence, and the statement of its article that does.

    ``number`` is the outlet's place in the summary's numbered source list (from 1); ``evidence`` is
    the supporting statement's span in that outlet's article; ``fact`` the id of the fact they share
    (``None`` when the outlet's own article holds the sentence).
    """

    outlet: str
    number: int
    evidence: Span
    fact: str | None = None


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One sentence of a story's summary and the outlets that support it.

    ``source`` is the article sentence it was taken from (``None`` for a sentence an abstractive
    backend wrote); ``text`` may differ from it where the summariser repaired an opening ("But ...").
    """

    text: str
    citations: tuple[Citation, ...]
    source: Span | None = None
    sentence_index: int | None = None
    facts: tuple[str, ...] = ()

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(citation.outlet for citation in self.citations)


@dataclass(frozen=True, slots=True)
class SummarySource:
    """One entry of a summary's numbered source list: an outlet and its articles in the story."""

    number: int
    outlet: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A sentence a summariser proposed and newsweave left out, and why (no outlet supports it, ...)."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Summary:
    """A story's summary: sentences in reading order, each citing the outlets that support it.

    ``words`` is the budget it was written to; ``dropped`` lists what an abstractive backend proposed
    that its sources do not support.
    """

    sentences: tuple[SummarySentence, ...]
    sources: tuple[SummarySource, ...]
    words: int
    method: str = "extractive"
    dropped: tuple[Dropped, ...] = ()
    note: str | None = None  # why the method differs from the one asked for (a backend that failed)

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)


EntityType = Literal["PERSON", "ORG", "PLACE", "EVENT"]
Granularity = Literal["day", "month", "season", "year", "range"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One place an entity is named: the words as written, at ``span`` in an article."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation, place or event of a story, with every way its articles name it.

    ``name`` is the canonical name; ``variants`` the distinct spellings seen ("Kim Jong-un", "Mr Kim");
    ``salience`` is 1 for the story's most prominent entity and smaller for the others.
    """

    id: str
    name: str
    type: EntityType
    mentions: tuple[Mention, ...]
    variants: tuple[str, ...]
    outlets: tuple[str, ...]
    salience: float


@dataclass(frozen=True, slots=True)
class Quote:
    """Words an article puts in someone's mouth, with the speaker, and every outlet that reports them.

    ``spans`` holds each report of the quote (the words inside the quotation marks); ``text`` is the
    first report's words. ``speaker`` is the canonical name, ``speaker_entity`` its entity id when
    the speaker is a named entity of the story; ``speaker_span`` where the first report names them.
    """

    id: str
    text: str
    spans: tuple[Span, ...]
    outlets: tuple[str, ...]
    speaker: str | None
    speaker_entity: str | None = None
    speaker_span: Span | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A dated event of the story: when, what happened (the statement that says so), and who reports it.

    ``start``/``end`` are ISO dates (the same for a day); ``granularity`` says how precise they are.
    ``inferred`` is true when the date rests on a publication date guessed from the story's other articles.
    """

    start: str
    end: str
    granularity: Granularity
    expression: str
    statement: str
    spans: tuple[Span, ...]
    outlets: tuple[str, ...]
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world event and the articles that report it; later stages attach their results."""

    id: str
    title: str | None
    articles: tuple[Article, ...]
    crosscheck: CrossCheck | None = None
    summary: Summary | None = None
    entities: tuple[Entity, ...] | None = None
    quotes: tuple[Quote, ...] | None = None
    timeline: tuple[TimelineEntry, ...] | None = None

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets (those of folded copies included) in the order they first appear."""
        return tuple(dict.fromkeys(outlet for article in self.articles for outlet in article.outlets))


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything one run produced: the stories, and the inputs that could not be used."""

    stories: tuple[Story, ...]
    problems: tuple[Problem, ...] = ()
    version: str = field(default="")

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(article for story in self.stories for article in story.articles)
