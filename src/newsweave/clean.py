"""Page chrome removal and metadata detection for scraped article text.

A line is judged by general features, never by a list of one site's phrases:
- does it end like a sentence (terminal punctuation, optionally inside closing quotes)?
- how many words does it have (the issue's definition of a reporting sentence: more than 12
  words ending in punctuation; such a line is never removed unless it is a call to action)?
- does it use the vocabulary of web pages rather than of reporting (calls to action, share
  buttons, consent banners, navigation)?
- where is it: metadata (headline, standfirst, byline, dateline) lives before the first
  reporting paragraph;
- is it repeated across *different* pages of the same batch (site templates)?
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Literal

from newsweave.dates import is_empty_dateline, parse_dateline
from newsweave.ingest.decode import normalise_text
from newsweave.outlets import normalised_domain, registered_domain
from newsweave.records import Article, RawDocument

LineRole = Literal["title", "standfirst", "byline", "dateline", "body", "chrome"]

_TERMINAL = re.compile(r"[.!?…](?:\s?[\"'”’»)\]])*$")  # detokenised text may keep a space before the quote
# "Storm Isolde: Which roads are closed?" is a related-article headline, not a reporter's question.
_KICKER_QUESTION = re.compile(r"^[A-Z][\w'’ -]{1,40}: [A-Z][^\"“”‘’]*\?$")
# A sentence boundary inside a line: a paragraph with several is prose even when its end was cut.
_INNER_BOUNDARY = re.compile(r"[.!?][\"'”’)]?\s+[\"“‘(]?[A-Z]")
_CONTINUES = re.compile(r"[:;][\"'”’»)\]]*$")  # "He said:" before a quoted paragraph
_NAV_SEPARATORS = re.compile(r"\s[|›»•·>/]\s")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*\.?")

# The vocabulary of page furniture, in two strengths. Phrases only page furniture uses are strong
# evidence; words that reporting also uses ("the bakery sells cookies", "voters gave consent",
# "stole login details") are weak, and a sentence needs two of them to count as furniture.
_FURNITURE_PHRASES = re.compile(
    r"""\b(?:
        subscribe\ (?:now|today|for)|subscribers?\ only|sign\ up\ (?:for|to|now)|sign\ in\ to|log\ in\ to
      | logged\ in|create\ an\ account|already\ have\ an\ account|free\ trial|donate\ now
      | thank\ you\ for\ (?:registering|subscribing|signing|reading)|register\ (?:now|for\ free|here)
      | support\ (?:our|independent)\ journalism|privacy\ (?:policy|notice|settings)
      | terms\ (?:of|and)\ (?:use|service|conditions)|accept\ all|manage\ (?:preferences|settings|cookies)
      | cookie\ (?:policy|settings|preferences|notice)|by\ continuing\ to\ (?:browse|use)|use\ of\ cookies
      | by\ clicking|your\ browser|refresh\ (?:the|your)\ (?:page|browser)|navigate\ to\ another\ page
      | enable\ javascript|javascript\ (?:is\ )?(?:disabled|required)|sponsored\ content|paid\ (?:content|partner)
      | ad\ choices|share\ (?:this|on|via|the\ story)|(?:follow|like)\ us|connect\ with\ us|email\ this|print\ this
      | join\ (?:our|the)\ (?:commenting|conversation|discussion|community)|commenting\ forum
      | comments?\ (?:section|policy|are\ closed)|leave\ a\ comment|view\ comments|show\ comments
      | follow\ other\ .{1,40}\ readers|thought-provoking\ conversations
      | read\ (?:more|next|the\ full\ (?:story|article))|more\ on\ this|you\ may\ also\ like|recommended\ for\ you
      | related\ (?:stories|articles|content|topics|coverage|links)|trending\ now|back\ to\ top
      | skip\ to\ (?:main\ )?(?:content|navigation)|jump\ to|listen\ to\ (?:this|the)\ (?:article|story|podcast)
      | \d+\ min(?:ute)?s?\ read|click\ here|tap\ here|download\ (?:our|the)\ app|get\ the\ app
      | all\ rights\ reserved|copyright\ ©?\s*\d{4}
      | contributed\ (?:reporting|to\ this\ (?:report|story|article))|the\ views\ expressed
      | (?:article|story)\ (?:was\ )?(?:first|originally)\ (?:appeared|published)
    )\b|©""",  # outside the \b: the sign usually follows a space, where \b does not hold
    re.IGNORECASE | re.VERBOSE,
)
_FURNITURE_WORDS = re.compile(
    r"""\b(?:
        subscribe|subscription|subscribers|newsletters?|sign\ (?:up|in)|log\ ?in|register|cookies?|consent
      | advertisement|advertising|comments|breaking\ news|latest\ news|top\ stories|more\ from|see\ also
      | most\ (?:viewed|read|popular|shared|watched|commented)|trending|watch\ (?:now|live|more)|listen\ (?:now|live)
    )\b""",  # whole words: "register" is furniture, "registered in Turkmenistan" is not
    re.IGNORECASE | re.VERBOSE,
)
# Literal pieces (lower case) of which every alternative above contains at least one: a line holding
# none of them cannot match, and most lines hold none. The two big patterns cost 0.4 ms on a long line;
# this check costs a few microseconds (bench/ingest.py). Each piece is as long as its alternative allows
# ("free trial", not "trial"): on ECB+ pages the short pieces sent 800 of 7,000 lines (court trials, "most
# of", "manage to") through the patterns for nothing. tests/test_clean.py checks that the filter never
# hides a match, on every line of the test pages and of ECB+ and on one phrase of each alternative.
_PHRASE_ANCHORS = (
    "subscri", "sign up", "sign in", "log in", "logged in", "an account", "free trial", "donate", "thank you",
    "register now", "register for free", "register here", "journalism", "privacy policy", "privacy notice",
    "privacy settings", "terms of", "terms and", "accept all", "manage preferences", "manage settings",
    "manage cookies", "cookie", "by continuing", "by clicking", "your browser", "refresh the", "refresh your",
    "navigate", "javascript", "sponsored", "paid content", "paid partner", "ad choices", "share this", "share on",
    "share via", "share the story", "follow us", "like us", "connect with us", "email this", "print this",
    "join our", "join the", "commenting", "comment section", "comments section", "comment policy",
    "comments policy", "comments are closed", "leave a comment", "view comments", "show comments", "readers",
    "thought-provoking", "read more", "read next", "read the full", "more on this", "also like",
    "recommended for", "related stories", "related articles", "related content", "related topics",
    "related coverage", "related links", "trending", "back to top", "skip to", "jump to", "listen to",
    "min read", "mins read", "minute read", "minutes read", "click here", "tap here", "download our",
    "download the", "get the app", "rights reserved", "copyright", "©", "contributed", "views expressed",
    "first appeared", "first published", "originally appeared", "originally published",
)  # fmt: skip
_WORD_ANCHORS = (
    "subscri", "newsletter", "sign up", "sign in", "login", "log in", "register", "cookie", "consent", "advertis",
    "comments", "breaking news", "latest news", "top stories", "more from", "see also", "most viewed", "most read",
    "most popular", "most shared", "most watched", "most commented", "trending", "watch now", "watch live",
    "watch more", "listen now", "listen live",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Anchors:
    """The literal pieces of the furniture patterns that a text holds: its lines can hold no others."""

    phrases: tuple[str, ...]
    words: tuple[str, ...]


_ALL_ANCHORS = _Anchors(_PHRASE_ANCHORS, _WORD_ANCHORS)


# Pieces that several anchors share ("comment" in ten of them): a page without the piece holds none of
# those anchors, so they are not looked for one by one. Each anchor looked for is a scan of the page: with
# the stems, about 60 scans a page instead of 119 (bench/ingest.py's 9 test pages: 1.46 -> 1.06 ms in all).
# An anchor takes the first stem it contains; tests/test_clean.py checks that nothing found is missed.
_ANCHOR_STEMS = (
    "comment", "related ", "regist", "privacy ", "manage ", "share ", "most ", "read", "sign ", "log", "watch ",
    "listen ", "terms ", "first ", "originally ", "download ", "refresh ", "paid ", "join ", " news", "by c", "min",
)  # fmt: skip


@functools.cache
def _anchor_groups() -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """Return the anchors that share no stem, and each stem with the anchors that contain it."""
    grouped: dict[str, list[str]] = {}
    loose: list[str] = []
    for anchor in dict.fromkeys(_PHRASE_ANCHORS + _WORD_ANCHORS):
        stem = next((stem for stem in _ANCHOR_STEMS if stem in anchor and stem != anchor), None)
        if stem is None:
            loose.append(anchor)
        else:
            grouped.setdefault(stem, []).append(anchor)
    return tuple(loose), tuple((stem, tuple(members)) for stem, members in grouped.items())


def _anchors_in(text: str) -> _Anchors:
    """Return the anchors that occur in ``text``.

    Looked for once per page, then only those are looked for in each line: a page holds a few of the
    hundred (bench/ingest.py: the filter's cost on ECB+ pages falls by half, more on pages of short lines).
    An ASCII piece found in a lower-cased line is found in the lower-cased page that holds the line.
    """
    low = text.lower()
    loose, grouped = _anchor_groups()
    found = {anchor for anchor in loose if anchor in low}
    for stem, members in grouped:
        if stem in low:  # every member contains the stem: without it, none of them is in the page
            found.update(anchor for anchor in members if anchor in low)
    return _Anchors(
        tuple(anchor for anchor in _PHRASE_ANCHORS if anchor in found),
        tuple(anchor for anchor in _WORD_ANCHORS if anchor in found),
    )


# The same patterns, matched case-sensitively against the lower-cased line: four times faster than
# IGNORECASE on long lines (0.58 -> 0.15 ms on a 3,500-character paragraph); the patterns hold no upper
# case, and tests/test_clean.py checks that the counts equal the IGNORECASE patterns' counts.
_LOWER_FURNITURE_PHRASES = re.compile(_FURNITURE_PHRASES.pattern, re.VERBOSE)
_LOWER_FURNITURE_WORDS = re.compile(_FURNITURE_WORDS.pattern, re.VERBOSE)


def _furniture_evidence(line: str, anchors: _Anchors = _ALL_ANCHORS) -> int:
    """Phrases only page furniture uses count twice, words reporting also uses once."""
    low = line.lower()
    phrases = len(_LOWER_FURNITURE_PHRASES.findall(low)) if any(map(low.__contains__, anchors.phrases)) else 0
    words = len(_LOWER_FURNITURE_WORDS.findall(low)) if any(map(low.__contains__, anchors.words)) else 0
    return 2 * phrases + words


# A line that is only one of these words is a page label ("Menu", "Advertisement", "Share").
_LABEL_WORDS = frozenset(
    "menu home search share tweet email print advertisement ad sponsored close open more video photo "
    "gallery watch listen loading next previous live updates accept reject".split()
)

_NAME = r"(?:[A-Z][a-z]?\.|[A-Z][a-zA-Z'’]+(?:-[A-Za-z][a-zA-Z'’]+)*)"
_PARTICLE = r"(?:de|da|del|van|von|der|den|le|la|al|bin|ibn|dos|du|st\.?)"
_PERSON = rf"{_NAME}(?:\s+(?:{_PARTICLE}\s+)?{_NAME}){{1,3}}"
_PERSONS = re.compile(rf"^(?P<names>{_PERSON}(?:\s*(?:,|and|&)\s*{_PERSON})*)$")
_BY = re.compile(r"^(?:by|words by|written by|(?:additional )?reporting by|compiled by)\s+(?P<rest>.+)$", re.IGNORECASE)
_ROLE_WORDS = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|staff|contributor|columnist|chief|senior|analyst|"
    r"producer|bureau|desk|team|journalist)\b",
    re.IGNORECASE,
)
_SITE_NAME_PATTERNS = (
    re.compile(r"(?:©|\bcopyright\b)\s*(?:\d{4}\s*(?:[-–]\s*\d{4}\s*)?)?(?P<name>[A-Z][\w&'’ .-]{1,60}?)"
               r"\s*(?:[.,|]\s|\.$|\s+all rights|\s+ltd\b|\s+limited\b|$)", re.IGNORECASE),
    re.compile(r"\bfollow other (?P<name>[A-Z][\w&'’ .-]{1,40}?) readers\b"),
)  # fmt: skip


@dataclass(frozen=True)
class CleanConfig:
    """How chrome is told from reporting; the defaults are measured in bench/clean.py."""

    # The definition of a reporting sentence: more than 12 words ending in punctuation.
    protected_min_words: int = 13
    # Furniture evidence (a phrase counts 2, a word 1) that makes a line chrome: a short sentence
    # needs a phrase or two words, a long one a phrase and a word (ECB+: no reporting sentence lost).
    sentence_min_evidence: int = 2
    banner_min_evidence: int = 3
    # A sentence-final line at least this long starts the article body (no metadata after it).
    body_start_min_words: int = 8
    title_min_words: int = 3
    title_max_words: int = 30
    standfirst_min_words: int = 8
    # A short line on at least this many pages whose reporting differs is site template.
    template_min_pages: int = 2
    # Two pages sharing at most this share of their reporting lines are different pages.
    template_max_body_overlap: float = 0.5
    # A page whose table rows and list items (at least this many, and more text than its sentences)
    # carry its content: a status page, a docs page of tables, a directory. Three, so that one list
    # left under a short news report does not make the report a listing.
    listing_min_lines: int = 3


@dataclass(frozen=True, slots=True)
class LineLabel:
    """What one non-empty line of a page is, and why it was judged so."""

    line_no: int
    text: str
    role: LineRole
    reason: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """The clean body of one page and the metadata found in its text."""

    text: str
    labels: tuple[LineLabel, ...]
    title: str | None
    description: str | None
    authors: tuple[str, ...]
    date_publish: datetime | None
    outlet: str | None


@dataclass(frozen=True, slots=True)
class _Features:
    words: int
    terminal: bool
    call_to_action: int
    navigation: bool
    template: bool


def line_key(line: str) -> str:
    """Return the form of a line used to find the same line on other pages."""
    return " ".join(line.casefold().split())


def template_lines(texts: Sequence[str], config: CleanConfig = CleanConfig()) -> frozenset[str]:
    """Return the keys of lines without a sentence ending that several *different* pages share.

    Only such lines can be template: a shared sentence is more often a quote several outlets carry.
    Syndicated copies share their headline too, so a line counts only when the pages that carry it
    have little reporting (sentence-final lines) in common.
    """
    pages_of_line: dict[str, list[int]] = defaultdict(list)
    bodies: list[frozenset[str]] = []
    for page, text in enumerate(texts):
        body = set()
        for key in {line_key(line) for line in text.split("\n") if line.strip()}:
            if _TERMINAL.search(key):
                body.add(key)
            else:
                pages_of_line[key].append(page)
        bodies.append(frozenset(body))
    shared = set()
    for key, pages in pages_of_line.items():
        if len(pages) >= config.template_min_pages and _differ(pages[:8], bodies, config):
            shared.add(key)
    return frozenset(shared)


def _differ(pages: Sequence[int], bodies: Sequence[frozenset[str]], config: CleanConfig) -> bool:
    distinct = 1
    for i, first in enumerate(pages):
        for second in pages[i + 1 :]:
            a, b = bodies[first], bodies[second]
            overlap = len(a & b) / max(1, min(len(a), len(b)))
            if overlap <= config.template_max_body_overlap:
                distinct += 1
                if distinct >= config.template_min_pages:
                    return True
    return False


def extract(text: str, templates: frozenset[str] = frozenset(), config: CleanConfig = CleanConfig()) -> Extraction:
    """Return the clean body and the metadata of one scraped page.

    Idempotent on its output: ``extract(extract(t).text).text == extract(t).text``.
    """
    labels = classify_lines(text, templates, config)
    body = [label.text for label in labels if label.role == "body"]
    title = next((label.text for label in labels if label.role == "title"), None)
    standfirst = next((label.text for label in labels if label.role == "standfirst"), None)
    authors: list[str] = []
    byline_outlets: list[str] = []
    for label in labels:
        if label.role == "byline":
            names, outlet = parse_byline(label.text)
            authors.extend(name for name in names if name not in authors)
            if outlet:
                byline_outlets.append(outlet)
    chrome = [label.text for label in labels if label.role == "chrome"]
    outlet = byline_outlets[0] if byline_outlets else site_name(chrome)
    return Extraction(
        text="\n\n".join(body),
        labels=labels,
        title=title,
        description=standfirst,
        authors=tuple(authors),
        date_publish=_publication_date(labels),
        outlet=outlet,
    )


def classify_lines(
    text: str, templates: frozenset[str] = frozenset(), config: CleanConfig = CleanConfig()
) -> tuple[LineLabel, ...]:
    """Return a label for every non-empty line of ``text``, in order."""
    normalised = normalise_text(text)
    lines = [(number, line) for number, line in enumerate(normalised.split("\n")) if line]
    anchors = _anchors_in(normalised)
    features = [_features(line, templates, anchors) for _, line in lines]
    first = next(
        (i for i, ((_, line), f) in enumerate(zip(lines, features, strict=True)) if _is_anchor(line, f, config)),
        len(lines),
    )
    judged = [_judge(line, feature, config) for (_, line), feature in zip(lines, features, strict=True)]
    judged = _listing_rows_kept([line for _, line in lines], features, judged, config)
    head = _judge_head(
        [line for _, line in lines[:first]], features[:first], [role for role, _ in judged[:first]], config
    )
    return tuple(LineLabel(number, line, *(head.get(i) or judged[i])) for i, (number, line) in enumerate(lines))


# How trafilatura writes tables and lists in its text: "| cell | cell |" (and "|---|---|" under a header
# row), "- item" (and "- term: definition").
_TABLE_ROW = re.compile(r"^\|.*\|$")
_LIST_ITEM = re.compile(r"^[-*•] \S")


def _listing_rows_kept(
    lines: Sequence[str], features: Sequence[_Features], judged: list[tuple[LineRole, str]], config: CleanConfig
) -> list[tuple[LineRole, str]]:
    """Return ``judged`` with the table rows and list items of a listing page made body.

    A news page's rows and items are its menus, related links and most-read lists, and they fall with
    the other lines that do not end like a sentence. On a page made of them (a status or docs page, a
    directory) they are the content: kept when their text is more than the page's sentences, unless
    they read as furniture as a sentence would (two pieces of evidence) or other pages share them.
    """
    rows = [
        i
        for i, (line, feature) in enumerate(zip(lines, features, strict=True))
        if (_TABLE_ROW.match(line) or _LIST_ITEM.match(line))
        and not feature.template
        and feature.call_to_action < config.sentence_min_evidence
    ]
    if len(rows) < config.listing_min_lines:
        return judged
    listed = set(rows)
    row_chars = sum(len(lines[i]) for i in rows)
    prose_chars = sum(len(line) for i, line in enumerate(lines) if judged[i][0] == "body" and i not in listed)
    if row_chars <= prose_chars:
        return judged
    return [
        ("body", "table row or list item of a page made of them") if i in listed else role
        for i, role in enumerate(judged)
    ]


def _features(line: str, templates: frozenset[str], anchors: _Anchors = _ALL_ANCHORS) -> _Features:
    words = len(_WORD.findall(line))
    terminal = (
        (bool(_TERMINAL.search(line)) and not (words < 13 and _KICKER_QUESTION.match(line)))
        or (words >= 4 and bool(_CONTINUES.search(line)))
        or (words >= 40 and len(_INNER_BOUNDARY.findall(line)) >= 2)
    )
    cta = _furniture_evidence(line, anchors)
    if words <= 2 and line.strip(" :.").casefold() in _LABEL_WORDS:
        cta += 2
    navigation = len(_NAV_SEPARATORS.findall(line)) >= 2
    return _Features(words, terminal, cta, navigation, bool(templates) and line_key(line) in templates)


def _is_protected(line: str, config: CleanConfig, feature: _Features | None = None) -> bool:
    feature = feature or _features(line, frozenset())
    # A long sentence is reporting unless it is thick with furniture vocabulary (a consent banner).
    return (
        feature.terminal
        and feature.words >= config.protected_min_words
        and feature.call_to_action < config.banner_min_evidence
    )


def _is_anchor(line: str, feature: _Features, config: CleanConfig) -> bool:
    """Return True for a line that is certainly reporting: the article body starts with one."""
    if _is_protected(line, config, feature):
        return True
    # A line other pages share cannot show that the reporting reaches this far down the page.
    return (
        not (_is_furniture(feature) or feature.template)
        and feature.terminal
        and feature.words >= config.body_start_min_words
    )


def _judge(line: str, feature: _Features, config: CleanConfig) -> tuple[LineRole, str]:
    """Return the role of a line judged on its own features, wherever it stands on the page."""
    if _is_protected(line, config, feature):
        return "body", "reporting sentence"
    if feature.call_to_action >= (config.sentence_min_evidence if feature.terminal else 1):
        return "chrome", "page vocabulary (call to action, sharing, consent, navigation)"
    if feature.navigation:
        return "chrome", "navigation"
    if parse_dateline(line) is not None or is_empty_dateline(line):
        return "dateline", "date line"
    if _BY.match(line) and len(line.split()) <= 16 and not feature.terminal:
        return "byline", "byline"
    # A short sentence that other pages share is far more often a quote or fact that several outlets
    # carry than site furniture (ECB+: 34 reporting sentences lost when it counted), so repetition
    # only ever demotes lines that do not end like a sentence.
    if feature.template and not feature.terminal:
        return "chrome", "repeated on other pages of the batch"
    if feature.terminal:
        return "body", "sentence"
    return "chrome", "no sentence ending (headline, caption or label)"


def _judge_head(
    head: Sequence[str], features: Sequence[_Features], roles: Sequence[LineRole], config: CleanConfig
) -> dict[int, tuple[LineRole, str]]:
    """Return the metadata roles found among the lines before the first reporting paragraph.

    The headline is the first unlabelled line of headline length that is not a bare name (a
    masthead such as "Meridian Press Agency" reads like one) and, when there is a choice, not a line
    that other pages of the batch share (a site tagline). A bare name after it is the byline, and the
    first long line between it and the byline or dateline is the standfirst (a long line after those
    is a photo caption).
    """
    open_lines = [
        i
        for i, (f, role) in enumerate(zip(features, roles, strict=True))
        if role == "chrome" and not f.navigation and not _is_label(f)
    ]
    headlines = [
        i
        for i in open_lines
        if config.title_min_words <= features[i].words <= config.title_max_words and not _PERSONS.match(head[i])
    ]
    title = next((i for i in headlines if not features[i].template), headlines[0] if headlines else None)
    if title is None:
        return {}
    found: dict[int, tuple[LineRole, str]] = {title: ("title", "headline")}
    first_credit = next((i for i, role in enumerate(roles) if i > title and role in ("byline", "dateline")), None)
    standfirst_found = False
    for i in open_lines:
        if i <= title or features[i].template:
            continue
        if _PERSONS.match(head[i]):
            found[i] = ("byline", "byline")
            first_credit = min(i, first_credit if first_credit is not None else i)
        elif (
            not standfirst_found
            and features[i].words >= config.standfirst_min_words
            and (first_credit is None or i < first_credit)
        ):
            found[i] = ("standfirst", "standfirst")
            standfirst_found = True
    return found


def _is_label(feature: _Features) -> bool:
    """Return True for furniture that cannot be a headline: "Most Read", "Sign up", "Connect with us"."""
    return feature.call_to_action >= 2 or (feature.call_to_action >= 1 and feature.words <= 3)


def _is_furniture(feature: _Features) -> bool:
    return feature.call_to_action > 0 or feature.navigation


def parse_byline(line: str) -> tuple[tuple[str, ...], str | None]:
    """Return the author names and the outlet (if named) of a byline such as "By A. Writer, The Times"."""
    by = _BY.match(line)
    rest = by.group("rest") if by else line
    rest = rest.split(";")[0]  # "Reporting by A and B; editing by C": C edited, did not write
    rest = re.sub(r"\s+(?:in|from)\s+[A-Z][\w .'’-]*$", "", rest)  # "... in Port Aldane"
    parts = [part.strip() for part in re.split(r"\s*(?:,|\||\band\b|&|/|—|–)\s*", rest) if part.strip()]
    names: list[str] = []
    outlet: str | None = None
    for part in parts:
        if _ROLE_WORDS.search(part):
            continue
        if re.fullmatch(_PERSON, part) and not part.lower().startswith("the "):
            names.append(part)
        elif outlet is None and names:
            outlet = part
    return tuple(names), outlet


def site_name(chrome_lines: Iterable[str]) -> str | None:
    """Return the site's own name as the page chrome states it (copyright line, reader prompts)."""
    for line in chrome_lines:
        for pattern in _SITE_NAME_PATTERNS:
            match = pattern.search(line)
            if match:
                name = match.group("name").strip(" .,-")
                if name and name.casefold() not in {"all rights reserved", "copyright"}:
                    return name
    return None


def _publication_date(labels: Sequence[LineLabel]) -> datetime | None:
    dated = [(label.text, parse_dateline(label.text)) for label in labels if label.role == "dateline"]
    found = [(text, moment) for text, moment in dated if moment is not None]
    # A page's "Updated" stamp is not its publication date unless it is the only date given.
    published = [moment for text, moment in found if not text.lower().startswith(("updated", "last updated"))]
    if published:
        return published[0]
    return found[0][1] if found else None


def article_id(outlet: str, text: str) -> str:
    """Return a stable id for an article from what identifies it: its outlet and its clean text.

    Not its file name: the same page read from another folder or machine keeps its id.
    """
    digest = hashlib.blake2b(f"{outlet}\n{text}".encode(), digest_size=8)
    return digest.hexdigest()


_RECORD_READERS = frozenset({"jsonl", "json"})


def to_article(
    raw: RawDocument, templates: frozenset[str] = frozenset(), config: CleanConfig = CleanConfig()
) -> Article:
    """Return the clean article of one raw page; metadata given in ``raw.hints`` wins over detection."""
    found = extract(raw.text, templates, config)
    hints = raw.hints
    if not found.text and raw.origin.reader in _RECORD_READERS:
        # A record's body field is declared main text: a one-line body is the article, not a headline.
        found = dataclasses.replace(found, text=normalise_text(raw.text).strip())
    # A record's source_domain ("www.bbc.co.uk", "news.bbc.co.uk") names its outlet by its registered domain, so
    # that one site under several host names is one outlet.
    declared = normalised_domain(hints.source_domain)
    domain = declared or registered_domain(hints.url)
    outlet = hints.outlet or declared or found.outlet or domain or _location_name(raw.origin.location)
    return Article(
        id=article_id(outlet, found.text),
        outlet=outlet,
        text=found.text,
        origin=raw.origin,
        title=hints.title or found.title,
        date_publish=hints.date_publish or found.date_publish,
        url=hints.url,
        source_domain=domain,
        authors=hints.authors or found.authors,
        description=hints.description or found.description,
        language=hints.language,
        source_id=hints.source_id,
    )


def _location_name(location: str) -> str:
    """Return the name a file gives its article when nothing else names the outlet ("seeds/002.txt#3" -> "002")."""
    name = PurePath(location.split("#")[0].split(":")[0] if "://" not in location else location).name
    return name.split(".")[0] or location


def clean_batch(raws: Sequence[RawDocument], config: CleanConfig = CleanConfig()) -> list[Article]:
    """Return the clean articles of a batch, using lines shared across its pages as template evidence."""
    templates = template_lines([raw.text for raw in raws], config)
    return [to_article(raw, templates, config) for raw in raws]
