"""HTML ingest: newsweave's HTML path against bare trafilatura, speed and extraction quality, in one run.

Run from the project root: ``.venv/bin/python bench/ingest.py`` (about 2-3 minutes on 2 cores; ``--pages N`` for a
deterministic sample of the ECB+ pages).

Two page sets:

1. Real pages: every ``*.html`` / ``*.html.gz`` that trafilatura ships in its source distribution (tests/resources),
   read in place from an unpacked copy or from the sdist archive. When neither is found, the sdist of the installed
   version is fetched once with ``pip download`` into a cache folder ($XDG_CACHE_HOME or /tmp). No ground truth:
   speed, and what each system keeps, to be checked by eye.
2. ECB+ news pages: for every ECB+ document (../shared/data/ecbplus/docs.jsonl, 772 real articles; Cybulska & Vossen
   2014, CC BY 3.0) a page is rendered at run time with one of six news-site templates (seeded per document): <head>
   metadata, masthead, navigation menu, breadcrumb, headline, standfirst, byline and dateline, the article's
   sentences in paragraphs of 1-3, a photo with caption and credit, an advertisement label, a related-stories box,
   a "Read more" link, share buttons, and after the article reader comments, a "Most read" list, a newsletter
   signup, a cookie banner and a footer. Ground truth is the article's sentences; the headline and datelines of an
   ECB+ document become page metadata. Every piece of chrome has marker phrases, so a leak is counted per kind.

Systems, on the same pages in the same run, each given the page's bytes:
(a) ``trafilatura.extract(html)``, its defaults (which include reader comments);
(b) ``trafilatura.extract(html, favor_precision=True, include_comments=False)``;
(c) ``html_document(bytes, name)`` + ``clean.to_article(raw)``: what ``newsweave extract`` does to one HTML page
    before segmentation, language detection and dedupe;
(d) ``newsweave.extract([folder])`` end to end on the page files: discovery, sniffing, reading, cleaning with
    template evidence from the whole batch, segmentation, language detection and dedupe.

Quality: bag-of-words precision/recall/F1 per page (multisets of ``\\w+`` tokens, as in the ScrapingHub
article-extraction-benchmark's evaluate.py that trafilatura's evaluation reports, with single tokens instead of its
4-token shingles), mean over pages, 95% percentile bootstrap intervals. Speed: pages/s, best of 3 interleaved runs.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from lxml.html import HtmlElement, tostring
from lxml.html.builder import E

from _common import table, versions

if TYPE_CHECKING:
    from newsweave.records import RawDocument

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DOCS = SHARED / "data" / "ecbplus" / "docs.jsonl"
SEED = 20240514
BOOTSTRAP_RESAMPLES = 1000
TIMING_RUNS = 3
REAL_REPEAT = 10  # the real set is 9 pages: each timed run reads it this many times
PROFILE_PAGES = 200
GOAL_RATIO = 0.9  # the issue: newsweave at >= 0.9x bare trafilatura's pages/s
REPORTING_MIN_WORDS = 13  # the reporting sentence: more than 12 words, ending in punctuation

_TOKEN = re.compile(r"\w+")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_LIKE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,4}\s*[/:.-]\s*\d"
    r"|\b(?:updated|published|posted|last updated)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.IGNORECASE,
)
# ECB+ was detokenised with a space before some closing quotes ("bankruptcy. \""); a page would not have it.
_SPACED_CLOSING_QUOTE = re.compile(r"([.!?,…]) ([\"'”’»])$")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}\b")
_NOT_NAMES = frozenset(
    "The A An In On At It He She They We But And This That After When As For If Early Late Last Next Former "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December".split()
)

ChromeKind = Literal[
    "caption", "related", "read more", "most read", "comments", "ad label", "share", "newsletter", "cookie",
    "nav menu", "footer", "headline", "standfirst", "byline",
]  # fmt: skip
CHROME_KINDS: tuple[ChromeKind, ...] = (
    "caption", "related", "read more", "most read", "comments", "ad label", "share", "newsletter", "cookie",
    "nav menu", "footer", "headline", "standfirst", "byline",
)  # fmt: skip
METADATA_KINDS = frozenset({"headline", "standfirst", "byline"})

# Everything below is invented for this benchmark; the only real text on a page is the ECB+ article and the
# ECB+ headlines used in its related-stories and most-read lists.
COMMENTS = (
    "I drive past there every day and had no idea any of this was going on.",
    "Sad news. Thoughts with everyone affected.",
    "Why does it always take something like this before anyone acts?",
    "Good reporting, but the headline oversells it a bit.",
    "Can someone explain why this wasn't covered last week?",
    "My cousin lives nearby and says the story is far from over.",
    "Typical. Nobody will be held responsible, mark my words.",
    "Not surprised in the slightest, to be honest.",
    "Great to see a balanced piece for once.",
    "This comment section is going to be a mess by tonight.",
    "Anyone else remember when this happened the first time around?",
    "Waiting for the follow-up before I make up my mind.",
    "Hope they get to the bottom of it quickly.",
    "The photo says it all really.",
    "Five years from now we'll be reading the same article again.",
    "Honestly, who signs off on these decisions?",
    "First time commenting here, long time reader. Well written.",
    "There is a lot more to this than the article lets on.",
    "So much for the promises made last year.",
    "Sending good wishes from across the pond.",
    "Read the whole thing twice and I still have questions nobody is answering.",
    "Where were the people in charge when all of this was being planned?",
)
COMMENTERS = (
    "harbourview_mike", "JLee1974", "quietreader", "Patricia K.", "northside_dave", "OldHand", "bex_writes",
    "TomFromTheValley", "m.okonkwo", "SallyInSeattle", "grumpy_gus", "ReaderSince98",
)  # fmt: skip
REPORTERS = (
    "Marta Ilvesson", "Daniel Okafor-Reyes", "Priya Raghunathan", "Tomasz Wieczorek", "Hannah Adebayo",
    "Luis Carvalheira", "Grace Whitlowe", "Samir Haddadin", "Ingrid Valtonen", "Owen Pritchard-Lowe",
)  # fmt: skip
PHOTOGRAPHERS = ("Jo Marsh", "Kofi Mensah-Ward", "Elena Sarova", "Ray Tillbrook", "Ana Quiroga")
AGENCIES = ("Northlight Pictures", "Harbour Press Images", "Kestrel Photo Agency", "Sable Wire Images")
CAPTIONS = (
    "photographed on the day the news broke",
    "arrives for a hearing earlier this year",
    "seen in a file photograph from last spring",
    "speaks to reporters outside the building",
    "pictured at a public event last year",
    "at the scene on the morning after",
    "in an undated handout image released on Monday",
    "during a news conference in the spring",
)
STANDFIRSTS = (
    "What we know so far about the story involving {name}, and what happens next",
    "{name} is at the centre of a story that moved quickly this week",
    "The latest on {name}, with reaction and analysis from our correspondents",
    "Everything you need to know as the story around {name} develops",
    "Our reporters piece together the hours that put {name} in the headlines",
)
SUBSECTIONS = (
    "UK", "Europe", "US & Canada", "Asia", "Africa", "Middle East", "Climate", "Science", "Health", "Education",
    "Politics", "Economy", "Companies", "Personal finance", "Football", "Cricket", "Tennis", "Golf", "Film", "Music",
    "TV & radio", "Books", "Art & design", "Travel", "Food", "Fashion", "Money", "Cars", "Opinion", "Letters",
    "Video", "Podcasts", "Newsletters", "Events", "Jobs", "Weather", "Photos", "Interactives", "Archive", "Corrections",
)  # fmt: skip
SHARE_ICON = (
    "M18 16.1c-.8 0-1.4.3-2 .8l-7.1-4.2c.1-.2.1-.5.1-.7s0-.5-.1-.7L16 7.2c.5.5 1.2.8 2 .8 1.7 0 3-1.3 3-3s-1.3-3-3-3"
    "-3 1.3-3 3c0 .2 0 .5.1.7L8 9.8C7.5 9.3 6.8 9 6 9c-1.7 0-3 1.3-3 3s1.3 3 3 3c.8 0 1.5-.3 2-.8l7.1 4.2c-.1.2-.1.4"
    "-.1.6 0 1.6 1.3 2.9 2.9 2.9s2.9-1.3 2.9-2.9-1.2-2.9-2.8-2.9z"
)
READ_MORE_LABELS = ("Read more:", "READ MORE:", "Also read:", "Read more")


@dataclass(frozen=True)
class SiteStyle:
    """A news-site template: its furniture and where it puts it, after common layouts of real news sites."""

    key: str
    site: str
    domain: str
    sections: tuple[str, ...]  # navigation menu; the last item is the one looked for in outputs
    title_separator: str
    date_format: str
    byline_prefix: str
    ad_label: str
    share_labels: tuple[str, ...]  # the first is looked for in outputs
    related_heading: str
    related_layout: Literal["aside", "box", "inline"]
    comments_heading: str  # {n} comments, {headline}
    most_read_heading: str
    newsletter: str
    newsletter_marker: str
    cookie: str
    cookie_marker: str
    footer: str
    footer_marker: str
    caption_layout: Literal["figure", "labelled", "wp"]
    standfirst_tag: Literal["div", "p", "h2", "ul"]
    article_tag: Literal["article", "div"]
    body_class: str
    json_ld: bool


STYLES = (
    SiteStyle(
        key="broadsheet", site="The Harbour Ledger", domain="harbourledger.co.uk",
        sections=("News", "World", "Business", "Sport", "Culture", "Crosswords & Puzzles"), title_separator=" | ",
        date_format="%a %d %b %Y %H.%M GMT", byline_prefix="", ad_label="Advertisement",
        share_labels=("Share on Facebook", "Share on X", "Share via Email"), related_heading="Related",
        related_layout="aside", comments_heading="Comments ({n})", most_read_heading="Most viewed",
        newsletter="Sign up to First Edition, our free daily newsletter, every weekday morning at 7am",
        newsletter_marker="our free daily newsletter",
        cookie="We use cookies to improve your experience on our site and to show you personalised advertising.",
        cookie_marker="show you personalised advertising",
        footer="© 2013 Harbour Ledger News & Media Limited or its affiliated companies. All rights reserved.",
        footer_marker="Harbour Ledger News & Media Limited", caption_layout="figure", standfirst_tag="div",
        article_tag="article", body_class="article-body-commercial-selector", json_ld=True,
    ),
    SiteStyle(
        key="wire", site="Wireline News", domain="wirelinenews.com",
        sections=("World", "Business", "Markets", "Technology", "Breakingviews", "Wireline Investigates"),
        title_separator=" | Wireline", date_format="%B %d, %Y %I:%M %p UTC", byline_prefix="By ",
        ad_label="Advertisement · Scroll to continue", share_labels=("Share this story", "Copy link"),
        related_heading="Read Next", related_layout="box", comments_heading="Reader discussion ({n})",
        most_read_heading="Most Read",
        newsletter="Get the Wireline Daily Briefing newsletter: the top stories in your inbox each morning.",
        newsletter_marker="Wireline Daily Briefing newsletter",
        cookie="Wireline uses cookies to provide necessary website functionality and improve your experience.",
        cookie_marker="provide necessary website functionality",
        footer="All quotes delayed a minimum of 15 minutes. © 2013 Wireline. All rights reserved.",
        footer_marker="All quotes delayed a minimum of 15 minutes", caption_layout="figure", standfirst_tag="p",
        article_tag="article", body_class="article-body__content", json_ld=True,
    ),
    SiteStyle(
        key="tabloid", site="Daily Clarion", domain="dailyclarion.co.uk",
        sections=("Home", "News", "Showbiz", "Sport", "Femail", "Clarion Bingo"),
        title_separator=" | Daily Clarion Online", date_format="Published: %H:%M, %d %B %Y", byline_prefix="By ",
        ad_label="ADVERTISEMENT", share_labels=("Share or comment on this article", "Share"),
        related_heading="RELATED ARTICLES", related_layout="inline", comments_heading="Comments {n}",
        most_read_heading="Most read",
        newsletter="Get the Daily Clarion's best stories straight to your inbox. Sign up now",
        newsletter_marker="best stories straight to your inbox",
        cookie="Our partners and we use cookies to personalise content and ads, and to analyse our traffic.",
        cookie_marker="to personalise content and ads",
        footer="Published by Clarion Newspapers Ltd, part of the Clarion Media group. © Clarion Newspapers Ltd",
        footer_marker="part of the Clarion Media group", caption_layout="figure", standfirst_tag="ul",
        article_tag="div", body_class="article-text", json_ld=False,
    ),
    SiteStyle(
        key="local", site="Eastbrook Gazette", domain="eastbrookgazette.com",
        sections=("Home", "Local News", "Police & Courts", "Schools", "Obituaries", "Submit a Tip"),
        title_separator=" – Eastbrook Gazette", date_format="%B %d, %Y", byline_prefix="Posted by ",
        ad_label="Story continues below advertisement",
        share_labels=("Share this:", "Facebook", "X", "WhatsApp", "Email"), related_heading="Related Posts",
        related_layout="box", comments_heading="{n} thoughts on “{headline}”", most_read_heading="Popular Posts",
        newsletter="Get Eastbrook headlines delivered to your inbox. Enter your email address to subscribe.",
        newsletter_marker="Eastbrook headlines delivered to your inbox",
        cookie="This site uses cookies. By continuing to use this website, you agree to their use.",
        cookie_marker="This site uses cookies",
        footer="Copyright © 2013 Eastbrook Gazette. Proudly powered by WordPress",
        footer_marker="Proudly powered by WordPress", caption_layout="wp", standfirst_tag="h2",
        article_tag="article", body_class="entry-content", json_ld=False,
    ),
    SiteStyle(
        key="broadcaster", site="Meridian News", domain="meridianbroadcasting.co.uk",
        sections=("Home", "News", "Sport", "Weather", "Radio", "Meridian Sounds"),
        title_separator=" - Meridian News", date_format="%d %B %Y", byline_prefix="By ", ad_label="Advertisement",
        share_labels=("Share this page", "Copy link", "About sharing"), related_heading="More on this story",
        related_layout="box", comments_heading="Have your say ({n})", most_read_heading="Most Read",
        newsletter="Get our flagship newsletter with all the headlines you need to start the day.",
        newsletter_marker="flagship newsletter with all the headlines",
        cookie="Let us know you agree to cookies. We use cookies to give you the best online experience.",
        cookie_marker="Let us know you agree to cookies",
        footer="Copyright © 2013 Meridian. Meridian is not responsible for the content of external sites.",
        footer_marker="not responsible for the content of external sites", caption_layout="labelled",
        standfirst_tag="p", article_tag="article", body_class="story-body__inner", json_ld=True,
    ),
    SiteStyle(
        key="magazine", site="The Weekly Lantern", domain="weeklylantern.com",
        sections=("Politics", "Entertainment", "Life", "Video", "Shopping", "Lantern Deals"), title_separator=" | ",
        date_format="%m/%d/%Y %I:%M %p ET", byline_prefix="", ad_label="Advertisement",
        share_labels=("Share on Pinterest", "Share on Facebook", "Send by email"), related_heading="RELATED:",
        related_layout="inline", comments_heading="Conversations ({n})", most_read_heading="Trending",
        newsletter="Sign up for the Lantern Today newsletter. Get the biggest stories of the day, every day.",
        newsletter_marker="Lantern Today newsletter",
        cookie="We and our partners store and/or access information on a device, such as cookies.",
        cookie_marker="store and/or access information on a device",
        footer="© 2013 Weekly Lantern Inc. All rights reserved. Part of the Lantern Media Group.",
        footer_marker="Part of the Lantern Media Group", caption_layout="figure", standfirst_tag="h2",
        article_tag="div", body_class="entry__text", json_ld=False,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Story:
    """One ECB+ document as a page's content: headline, body sentences (the ground truth)."""

    doc_id: str
    topic: int
    headline: str
    headline_from_corpus: bool  # False: made from the first sentence (the ECB half has no headlines)
    body: tuple[str, ...]


@dataclass(frozen=True)
class Chrome:
    """One piece of chrome on a page and the phrases that show it in an output."""

    kind: ChromeKind
    markers: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    name: str  # file name in the run's temporary folder
    data: bytes  # the file's bytes: what (d) reads
    html: bytes  # the page's HTML (``data``, decompressed for a .html.gz file): what (a)-(c) are given
    style: str  # the template, or "real"
    gold: tuple[str, ...] = ()
    chrome: tuple[Chrome, ...] = ()


@dataclass(frozen=True)
class Output:
    """What one system made of a batch: text per page name, None for a page folded into another (dedupe)."""

    texts: dict[str, str | None]
    note: str = ""


@dataclass(frozen=True)
class System:
    key: str
    name: str
    run: Callable[[Sequence[Page], Path], Output]


# --- page sets -------------------------------------------------------------------------------------------------


def missing(path: Path, what: str) -> None:
    if not path.exists():
        sys.exit(
            f"bench/ingest.py: {path} is missing ({what}). The shared data folder must sit beside the project "
            "as ../shared (see ../shared/data/README.md)."
        )


def clean_sentence(text: str, repair_quotes: bool) -> str:
    text = _CONTROL.sub("", " ".join(text.split()))
    return _SPACED_CLOSING_QUOTE.sub(r"\1\2", text) if repair_quotes else text


def load_stories(repair_quotes: bool = True) -> tuple[list[Story], list[str]]:
    """Return every ECB+ document as a story, and the ids of those with no body sentence left.

    The headline and datelines before the first sentence with a sentence ending become page metadata.

    ``repair_quotes`` joins a sentence-final closing quote to its punctuation (about 300 ECB+ sentences).
    """
    missing(DOCS, "ECB+ documents")
    stories, empty = [], []
    with DOCS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sentences = [clean_sentence(s, repair_quotes) for s in record["sentences"]]
            sentences = [s for s in sentences[1 if record["url"] else 0 :] if s]
            first_terminal = next((i for i, s in enumerate(sentences) if _TERMINAL.search(s)), len(sentences))
            headline, metadata = None, set()
            for i, sentence in enumerate(sentences[:first_terminal]):
                if _DATE_LIKE.search(sentence) and len(sentence.split()) <= 12:
                    metadata.add(i)
                elif headline is None and 3 <= len(sentence.split()) <= 30:
                    headline = sentence
                    metadata.add(i)
            body = tuple(s for i, s in enumerate(sentences) if i not in metadata)
            if not body:
                empty.append(record["id"])
                continue
            given = headline is not None
            stories.append(Story(record["id"], record["topic"], headline or headline_from(body[0]), given, body))
    return stories, empty


def headline_from(sentence: str) -> str:
    """Return a headline made from a lede: up to its first comma after five words, at most 12 words."""
    words = sentence.split()
    cut = min(len(words), 12)
    for i, word in enumerate(words[:12]):
        if i >= 4 and word.endswith(","):
            cut = i + 1
            break
    return " ".join(words[:cut]).rstrip(",.;:!?\"'”’")


def sample(stories: Sequence[Story], count: int | None) -> list[Story]:
    """Return ``count`` stories chosen by a hash of their ids (all of them when ``count`` is None), in corpus order."""
    if count is None or count >= len(stories):
        return list(stories)
    chosen = sorted(stories, key=lambda s: hashlib.blake2b(s.doc_id.encode(), digest_size=8).digest())[:count]
    keep = {story.doc_id for story in chosen}
    return [story for story in stories if story.doc_id in keep]


def person_in(sentences: Sequence[str]) -> str:
    """Return the first capitalised name in the lede, for captions and standfirsts."""
    for sentence in sentences[:3]:
        for match in _NAME.finditer(sentence):
            if not _NOT_NAMES.intersection(match.group().split()):
                return match.group()
    return "Officials"


def ecb_pages(stories: Sequence[Story], corpus: Sequence[Story]) -> list[Page]:
    """Return one rendered news page per story, its template and chrome chosen by a generator seeded per document.

    Related and most-read headlines come from the whole ``corpus``, so a page is the same in a sample.
    """
    headlines = [(s.doc_id, s.topic, s.headline) for s in corpus if len(s.headline.split()) >= 4]
    pages = []
    for story in stories:
        rng = random.Random(f"{SEED}:{story.doc_id}")
        style = STYLES[rng.randrange(len(STYLES))]
        others = [(t, h) for doc_id, t, h in headlines if doc_id != story.doc_id and h != story.headline]
        same_topic = sorted({h for t, h in others if t == story.topic})
        other_topics = sorted({h for t, h in others if t != story.topic})
        related = rng.sample(same_topic, min(3, len(same_topic)))
        related += rng.sample([h for h in other_topics if h not in related], 3 - len(related))
        rest = [h for h in other_topics if h not in related]
        picked = rng.sample(rest, 6)
        data, chrome = render(story, style, rng, related, picked[0], picked[1:])
        pages.append(Page(f"{story.doc_id}.html", data, data, style.key, story.body, chrome))
    return pages


def render(
    story: Story, style: SiteStyle, rng: random.Random, related: list[str], read_more: str, most_read: list[str]
) -> tuple[bytes, tuple[Chrome, ...]]:
    """Return the HTML of one news page and the chrome put on it."""
    chrome: list[Chrome] = []
    name = person_in(story.body)
    published = datetime(2008, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(6 * 365 * 24 * 60))
    slug = "-".join(_TOKEN.findall(story.headline.lower())[:8])
    section = rng.choice(style.sections[:4])
    url = f"https://www.{style.domain}/{section.lower().replace(' ', '-')}/{published:%Y/%m/%d}/{slug}"
    reporter = rng.choice(REPORTERS)
    template = rng.choice(STANDFIRSTS)
    standfirst = template.format(name=name) + rng.choice((".", ""))
    chrome.append(Chrome("headline", (story.headline,)))
    chrome.append(Chrome("standfirst", (max(template.split("{name}"), key=len).strip(" ,"),)))
    chrome.append(Chrome("byline", (reporter,)))

    paragraphs: list[HtmlElement] = []
    position = 0
    while position < len(story.body):
        size = rng.choice((1, 2, 2, 3))
        group = list(story.body[position : position + size])
        # A line without a sentence ending (a subheading, a dateline ECB+ kept) is a block of its own on a page.
        cut = next((i for i, s in enumerate(group) if not _TERMINAL.search(s)), len(group))
        group = group[: max(1, cut)]
        paragraphs.append(E.p(" ".join(group)))
        position += len(group)
    inserts: dict[int, list[HtmlElement]] = defaultdict(list)

    def mid() -> int:
        return rng.randrange(max(1, len(paragraphs) - 1))

    inserts[rng.choice((0, mid()))].append(figure(style, rng, name, chrome))
    for _ in range(rng.choice((1, 1, 2))):
        inserts[mid()].append(E.div({"class": "ad-slot ad-container", "aria-hidden": "true"}, style.ad_label))
        chrome.append(Chrome("ad label", (style.ad_label,)))
    inserts[mid()].append(related_box(style, related, chrome))
    label = rng.choice(READ_MORE_LABELS)
    inserts[mid()].append(E.p(E.strong(label), " ", E.a(read_more, href=f"https://www.{style.domain}/story/{slug}-2")))
    chrome.append(Chrome("read more", (read_more,)))
    newsletter_inline = rng.random() < 0.5
    if newsletter_inline:
        inserts[mid()].append(newsletter_box(style, chrome))
    body_children: list[HtmlElement] = []
    for index, paragraph in enumerate(paragraphs):
        body_children.append(paragraph)
        body_children.extend(inserts.get(index, []))

    share = share_bar(style, chrome)
    header_children = [
        E.h1({"class": "headline"}, story.headline),
        standfirst_element(style, standfirst),
        E.p(
            {"class": "byline"},
            style.byline_prefix,
            E.a(
                reporter, rel="author", href=f"https://www.{style.domain}/profile/{reporter.lower().replace(' ', '-')}"
            ),
            E.br(),
            E.time(published.strftime(style.date_format), datetime=published.isoformat()),
        ),
    ]
    share_on_top = rng.random() < 0.5
    article = E(
        style.article_tag,
        {"class": "article story", "itemscope": "", "itemtype": "https://schema.org/NewsArticle"},
        E.header({"class": "article-header"}, *header_children),
        *([share] if share_on_top else []),
        E.div({"class": style.body_class, "itemprop": "articleBody"}, *body_children),
        *([] if share_on_top else [share]),
    )
    sidebar = [most_read_box(style, most_read, chrome)]
    if not newsletter_inline:
        sidebar.append(newsletter_box(style, chrome))
    body = E.body(
        {"class": f"{style.key} article-page"},
        cookie_banner(style, chrome),
        masthead(style, section, chrome),
        E.main({"id": "main", "role": "main"}, article, comments(style, story.headline, rng, chrome)),
        E.aside({"class": "sidebar", "role": "complementary"}, *sidebar),
        site_footer(style, chrome),
        E.script("window.dataLayer = window.dataLayer || []; dataLayer.push({'event': 'pageview'});"),
    )
    document = E.html({"lang": "en"}, head(story, style, url, reporter, standfirst, published, section), body)
    return tostring(document, doctype="<!DOCTYPE html>", encoding="utf-8", method="html"), tuple(chrome)


def head(
    story: Story, style: SiteStyle, url: str, reporter: str, standfirst: str, published: datetime, section: str
) -> HtmlElement:
    """Return the <head> of a page with the metadata news sites put there."""
    children = [
        E.meta(charset="utf-8"),
        E.meta(name="viewport", content="width=device-width, initial-scale=1"),
        E.title(f"{story.headline}{style.title_separator}{style.site}"),
        E.meta(name="description", content=standfirst),
        E.link(rel="canonical", href=url),
        E.meta(property="og:title", content=story.headline),
        E.meta(property="og:site_name", content=style.site),
        E.meta(property="og:type", content="article"),
        E.meta(property="og:url", content=url),
        E.meta(name="author", content=reporter),
        E.meta(property="article:published_time", content=published.isoformat()),
        E.meta(property="article:section", content=section),
        E.style(stylesheet(style)),
        E.script(site_config(style, url, section, published)),
    ]
    if style.json_ld:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.headline,
            "datePublished": published.isoformat(),
            "author": {"@type": "Person", "name": reporter},
            "publisher": {"@type": "Organization", "name": style.site},
            "mainEntityOfPage": url,
        }
        children.append(E.script(json.dumps(ld).replace("</", "<\\/"), type="application/ld+json"))
    return E.head(*children)


def stylesheet(style: SiteStyle) -> str:
    """Return an inline stylesheet of the size news sites put in their <head> (about 4 KB)."""
    rules = [
        f".{style.key}-{name}{{margin:0 {i % 4}px;padding:{i % 3}px;font-size:{12 + i % 6}px}}"
        for i, name in enumerate(
            ("header", "nav", "menu", "sub", "article", "body", "figure", "caption", "aside", "footer")
        )
    ]
    rules += [f".col-{i}{{width:{(i + 1) * 100 / 12:.4f}%;float:left}}" for i in range(12)]
    rules += [
        f"@media (min-width:{w}px){{.container{{max-width:{w - 40}px}}.sidebar{{display:block}}}}"
        for w in (480, 740, 980, 1140, 1300)
    ]
    return "".join(rules * 4)


def site_config(style: SiteStyle, url: str, section: str, published: datetime) -> str:
    """Return the page configuration script news sites inline for ads and analytics (about 5 KB)."""
    config = {
        "page": {"url": url, "section": section, "published": published.isoformat(), "type": "article"},
        "ads": {"slots": [{"id": f"ad-{i}", "sizes": [[300, 250], [728, 90]], "lazy": i > 1} for i in range(8)]},
        "features": {f"{style.key}-switch-{i:03d}": i % 3 == 0 for i in range(160)},
    }
    return f"window.__PAGE_CONFIG__ = {json.dumps(config)};"


def figure(style: SiteStyle, rng: random.Random, name: str, chrome: list[Chrome]) -> HtmlElement:
    phrase = rng.choice(CAPTIONS)
    credit = f"{rng.choice(PHOTOGRAPHERS)}/{rng.choice(AGENCIES)}"
    caption = f"{name} {phrase}."
    chrome.append(Chrome("caption", (phrase, credit)))
    image = E.img(src=f"https://images.{style.domain}/{rng.randrange(10**8)}.jpg", alt=caption, width="860")
    if style.caption_layout == "labelled":
        return E.figure(
            {"class": "media-with-caption"},
            image,
            E.span({"class": "visually-hidden"}, "Image source, "),
            E.span({"class": "image-copyright"}, credit),
            E.figcaption(E.span({"class": "visually-hidden"}, "Image caption, "), caption),
        )
    if style.caption_layout == "wp":
        return E.div(
            {"class": "wp-caption aligncenter"}, image, E.p({"class": "wp-caption-text"}, f"{caption} ({credit})")
        )
    return E.figure(
        {"class": "element-image"},
        image,
        E.figcaption({"class": "caption"}, caption, " ", E.span({"class": "credit"}, f"Photograph: {credit}")),
    )


def related_box(style: SiteStyle, related: list[str], chrome: list[Chrome]) -> HtmlElement:
    links = [E.a(h, href=f"https://www.{style.domain}/story/{i}") for i, h in enumerate(related)]
    if style.related_layout == "inline":
        chrome.append(Chrome("related", (related[0],)))
        return E.p({"class": "related-link"}, E.strong(style.related_heading), " ", links[0])
    chrome.extend(Chrome("related", (h,)) for h in related)
    items = [E.li(link) for link in links]
    if style.related_layout == "aside":
        return E.aside({"class": "related-content"}, E.h2(style.related_heading), E.ul(*items))
    return E.div({"class": "related-stories story-more"}, E.h3(style.related_heading), E.ul(*items))


def standfirst_element(style: SiteStyle, text: str) -> HtmlElement:
    if style.standfirst_tag == "ul":
        return E.ul({"class": "article-bullets"}, E.li(text))
    return E(style.standfirst_tag, {"class": "standfirst article-summary"}, text)


def share_bar(style: SiteStyle, chrome: list[Chrome]) -> HtmlElement:
    chrome.append(Chrome("share", (style.share_labels[0],)))
    buttons = [
        E.li(
            E.a(
                {"class": "share-button", "role": "button"},
                E.svg(E.path(d=SHARE_ICON), viewBox="0 0 24 24", width="24", height="24"),
                E.span(label),
                href="#",
            )
        )
        for label in style.share_labels
    ]
    return E.div({"class": "share-tools social"}, E.ul(*buttons))


def newsletter_box(style: SiteStyle, chrome: list[Chrome]) -> HtmlElement:
    chrome.append(Chrome("newsletter", (style.newsletter_marker,)))
    return E.div(
        {"class": "newsletter-signup promo"},
        E.p(style.newsletter),
        E.form(E.input(type="email", placeholder="Your email address"), E.button("Sign up", type="submit")),
    )


def most_read_box(style: SiteStyle, headlines: list[str], chrome: list[Chrome]) -> HtmlElement:
    chrome.extend(Chrome("most read", (h,)) for h in headlines)
    items = [E.li(E.a(h, href=f"https://www.{style.domain}/popular/{i}")) for i, h in enumerate(headlines)]
    return E.section({"class": "most-read"}, E.h2(style.most_read_heading), E.ol(*items))


def comments(style: SiteStyle, headline: str, rng: random.Random, chrome: list[Chrome]) -> HtmlElement:
    picked = rng.sample(COMMENTS, rng.randint(2, 4))
    chrome.extend(Chrome("comments", (text,)) for text in picked)
    items = [
        E.li(
            {"class": "comment"},
            E.div({"class": "comment-author"}, rng.choice(COMMENTERS)),
            E.div({"class": "comment-body"}, E.p(text)),
            E.a({"class": "comment-reply-link"}, "Reply", href="#respond"),
        )
        for text in picked
    ]
    heading = style.comments_heading.format(n=len(picked), headline=headline)
    return E.section(
        {"id": "comments", "class": "comments-area"}, E.h2(heading), E.ol({"class": "comment-list"}, *items)
    )


def masthead(style: SiteStyle, section: str, chrome: list[Chrome]) -> HtmlElement:
    chrome.append(Chrome("nav menu", (style.sections[-1],)))
    menu = []
    for index, name in enumerate(style.sections):
        subsections = [SUBSECTIONS[(index * 7 + k) % len(SUBSECTIONS)] for k in range(6)]
        links = [E.li(E.a(sub, href=f"https://www.{style.domain}/{_path(name)}/{_path(sub)}")) for sub in subsections]
        menu.append(E.li(E.a(name, href=f"https://www.{style.domain}/{_path(name)}"), E.ul({"class": "sub"}, *links)))
    crumbs = [E.li(E.a(s, href="#")) for s in ("Home", section)]
    return E.header(
        {"class": "site-header"},
        E.div({"class": "masthead"}, E.a(style.site, href=f"https://www.{style.domain}/")),
        E.nav({"class": "main-navigation", "aria-label": "Sections"}, E.ul(*menu)),
        E.nav({"class": "breadcrumb", "aria-label": "Breadcrumb"}, E.ol(*crumbs)),
    )


def _path(name: str) -> str:
    return "-".join(_TOKEN.findall(name.lower()))


def cookie_banner(style: SiteStyle, chrome: list[Chrome]) -> HtmlElement:
    chrome.append(Chrome("cookie", (style.cookie_marker,)))
    return E.div(
        {"id": "cookie-banner", "class": "cookie-consent", "role": "dialog"},
        E.p(style.cookie),
        E.button("Accept all"),
        E.button("Manage preferences"),
    )


def site_footer(style: SiteStyle, chrome: list[Chrome]) -> HtmlElement:
    chrome.append(Chrome("footer", (style.footer_marker,)))
    columns = [
        E.ul({"class": "footer-column"}, *(E.li(E.a(name, href=f"/{_path(name)}")) for name in SUBSECTIONS[k::4][:6]))
        for k in range(4)
    ]
    links = [E.li(E.a(s, href="#")) for s in ("About us", "Contact", "Terms of use", "Privacy policy")]
    return E.footer({"class": "site-footer"}, *columns, E.ul(*links), E.p({"class": "copyright"}, style.footer))


def sdist_pages(explicit: Path | None) -> tuple[list[Page], str]:
    """Return the HTML pages of trafilatura's source distribution, and where they were read from."""
    version = importlib.metadata.version("trafilatura")
    stem = f"trafilatura-{version}"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or tempfile.gettempdir()) / "newsweave-bench"
    folders = [explicit] if explicit else []
    # An unpacked sdist in the cache, or one unpacked by hand into $TMPDIR/trasdist.
    folders += [
        cache / stem / "tests" / "resources",
        Path(tempfile.gettempdir()) / "trasdist" / stem / "tests" / "resources",
    ]
    for folder in folders:
        if folder.is_dir():
            found = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if _is_page(p.name)]
            return [_real_page(name, data) for name, data in found], str(folder)
    archive = cache / f"{stem}.tar.gz"
    if not archive.exists():
        command = [sys.executable, "-m", "pip", "download", f"trafilatura=={version}", "--no-binary", ":all:"]
        command += ["--no-deps", "--quiet", "-d", str(cache)]
        try:
            subprocess.run(command, check=True, timeout=180, capture_output=True)
        except (subprocess.SubprocessError, OSError) as error:
            return [], f"not available ({' '.join(command)} failed: {error})"
    pages = []
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if member.isfile() and parts[1:3] == ["tests", "resources"] and _is_page(parts[-1]):
                handle = tar.extractfile(member)
                if handle is not None:
                    pages.append(_real_page(parts[-1], handle.read()))
    return pages, str(archive)


def _is_page(name: str) -> bool:
    return name.endswith((".html", ".html.gz"))


def _real_page(name: str, data: bytes) -> Page:
    return Page(name, data, gzip.decompress(data) if name.endswith(".gz") else data, "real")


# --- systems ---------------------------------------------------------------------------------------------------


def systems() -> list[System]:
    import trafilatura

    import newsweave
    from newsweave.clean import to_article
    from newsweave.errors import InputError
    from newsweave.ingest.html import html_document

    for name in ("trafilatura", "htmldate", "newsweave"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    def bare(pages: Sequence[Page], folder: Path) -> Output:
        return Output({page.name: trafilatura.extract(page.html) or "" for page in pages})

    def precise(pages: Sequence[Page], folder: Path) -> Output:
        return Output(
            {
                page.name: trafilatura.extract(page.html, favor_precision=True, include_comments=False) or ""
                for page in pages
            }
        )

    def html_path(pages: Sequence[Page], folder: Path) -> Output:
        texts: dict[str, str | None] = {}
        for page in pages:
            try:
                texts[page.name] = to_article(html_document(page.html, str(folder / page.name))).text
            except InputError:
                texts[page.name] = ""
        return Output(texts)

    def end_to_end(pages: Sequence[Page], folder: Path) -> Output:
        articles, problems = newsweave.extract([folder])
        texts: dict[str, str | None] = {page.name: "" for page in pages}
        folded = 0
        for article in articles:
            texts[Path(article.origin.location).name] = article.text
            for copy in article.copies:
                texts[Path(copy.location).name] = None
                folded += 1
        skipped = sum(1 for problem in problems if problem.kind == "skipped")
        errors = len(problems) - skipped
        return Output(texts, f"{len(articles)} articles, {folded} folded copies, {errors} problems, {skipped} skipped")

    return [
        System("a", "(a) trafilatura.extract, defaults", bare),
        System("b", "(b) trafilatura.extract, favor_precision, no comments", precise),
        System("c", "(c) newsweave html_document + to_article", html_path),
        System("d", "(d) newsweave.extract([folder]), end to end", end_to_end),
    ]


@dataclass(frozen=True)
class Timed:
    output: Output
    seconds: tuple[float, ...]  # one per run, each covering ``repeat`` passes over the pages

    @property
    def best(self) -> float:
        return min(self.seconds)


def run_all(
    found: Sequence[System], pages: Sequence[Page], folder: Path, repeat: int = 1, runs: int = TIMING_RUNS
) -> dict[str, Timed]:
    """Return each system's output (first run) and run times; runs are interleaved so caches warm alike."""
    outputs: dict[str, Output] = {}
    seconds: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        for system in found:
            start = time.perf_counter()
            for _ in range(repeat):
                output = system.run(pages, folder)
            seconds[system.key].append(time.perf_counter() - start)
            outputs.setdefault(system.key, output)
    return {s.key: Timed(outputs[s.key], tuple(seconds[s.key])) for s in found}


def write_pages(pages: Sequence[Page], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (folder / page.name).write_bytes(page.data)
    return folder


# --- scoring ---------------------------------------------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def token_scores(gold: str, output: str) -> tuple[float, float, float]:
    """Return bag-of-words precision, recall and F1 of ``output`` against ``gold`` (0 for an empty output)."""
    expected, found = Counter(_TOKEN.findall(gold)), Counter(_TOKEN.findall(output))
    hits = sum((expected & found).values())
    precision = hits / sum(found.values()) if found else 0.0
    recall = hits / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def leaked(chrome: Chrome, gold: str, output: str) -> str | None:
    """Return the marker of ``chrome`` that ``output`` carries more often than the article itself, if any."""
    for marker in chrome.markers:
        key = norm(marker)
        if output.count(key) > gold.count(key):
            return marker
    return None


def sentence_kind(sentence: str) -> str:
    if not _TERMINAL.search(sentence):
        return "no terminal punctuation"
    return "reporting" if len(_TOKEN.findall(sentence)) >= REPORTING_MIN_WORDS else "short"


def bootstrap(values: np.ndarray, resamples: np.ndarray) -> tuple[float, float]:
    means = values[resamples].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


# --- report ----------------------------------------------------------------------------------------------------


LIBRARIES = [
    "newsweave",
    "trafilatura",
    "lxml",
    "htmldate",
    "justext",
    "courlan",
    "charset-normalizer",
    "blingfire",
    "py3langid",
    "datasketch",
    "numpy",
]


def short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def speed_report(
    found: Sequence[System], timed: dict[str, Timed], pages: int, repeat: int, runs: int = TIMING_RUNS
) -> None:
    baseline = pages * repeat / timed["a"].best
    rows = []
    for system in found:
        result = timed[system.key]
        rate = pages * repeat / result.best
        ratio = rate / baseline
        goal = "" if system.key in "ab" else ("meets" if ratio >= GOAL_RATIO else "misses")
        runs = " / ".join(f"{s:.2f}" for s in result.seconds)
        rows.append([system.name, f"{result.best:.2f}", runs, f"{rate:,.1f}", f"{ratio:.2f}x", goal])
    header = ["system", "best s", "runs s", "pages/s", "vs (a)", f"goal >= {GOAL_RATIO}x"]
    print(table(header, rows))
    passes = f"{pages} pages x {repeat} passes per run" if repeat > 1 else f"{pages} pages per run"
    print(f"\nBest of {runs} interleaved runs ({passes}), one process, one thread.")


def real_report(
    found: Sequence[System], pages: Sequence[Page], folder: Path, source: str, runs: int = TIMING_RUNS
) -> None:
    print(f"\n## 1. Real pages: trafilatura {importlib.metadata.version('trafilatura')} sdist, tests/resources\n")
    if not pages:
        print(f"Skipped: {source}.")
        return
    print(f"Read from {source}: {len(pages)} pages ({', '.join(p.name for p in pages)}). No ground truth.\n")
    timed = run_all(found, pages, folder, repeat=REAL_REPEAT, runs=runs)
    speed_report(found, timed, len(pages), REAL_REPEAT, runs)
    print(f"(d): {timed['d'].output.note}.")
    print("\n### Output size per page (characters; 0 = no text)\n")
    rows = []
    for page in pages:
        row = [page.name, f"{len(page.html) / 1024:.1f}"]
        row += [f"{len(timed[s.key].output.texts.get(page.name) or ''):,}" for s in found]
        rows.append(row)
    print(table(["page", "KB", *(s.key for s in found)], rows))
    print("\n### Lines (a) keeps that (c) drops, and the reverse (first 4 per page, for a check by eye)\n")
    for page in pages:
        kept_a = [line for line in (timed["a"].output.texts[page.name] or "").split("\n") if line.strip()]
        kept_c = [line for line in (timed["c"].output.texts[page.name] or "").split("\n") if line.strip()]
        only_a = [line for line in kept_a if norm(line) not in {norm(x) for x in kept_c}]
        only_c = [line for line in kept_c if norm(line) not in {norm(x) for x in kept_a}]
        if not only_a and not only_c:
            print(f"- {page.name}: same lines")
            continue
        print(f"- {page.name}: {len(only_a)} lines only in (a), {len(only_c)} only in (c)")
        for line in only_a[:4]:
            print(f"  - (a) only: {short(line)!r}")
        for line in only_c[:4]:
            print(f"  - (c) only: {short(line)!r}")


def ecb_report(
    found: Sequence[System],
    pages: Sequence[Page],
    stories: Sequence[Story],
    empty: Sequence[str],
    raw_quotes: bool,
    folder: Path,
) -> None:
    styles = Counter(page.style for page in pages)
    given = sum(1 for s in stories if s.headline_from_corpus)
    print(f"\n## 2. ECB+ news pages ({len(pages)} pages, ground truth)\n")
    print(
        f"ECB+ topics 1-35 (CC BY 3.0, Cybulska & Vossen 2014), rendered at run time: "
        f"{sum(len(p.gold) for p in pages)} body sentences (the ground truth);\nheadline from the corpus on {given} "
        f"pages, made from the lede on {len(pages) - given}. Templates: "
        f"{', '.join(f'{k} {v}' for k, v in sorted(styles.items()))}.\n"
        f"Page size: mean {np.mean([len(p.data) for p in pages]) / 1024:.1f} KB. Left out: {', '.join(empty)} "
        "(no body sentence once headline\nand datelines are taken out). "
        + (
            "Sentence-final closing quotes kept as in ECB+ (--raw-quotes)."
            if raw_quotes
            else "A sentence-final closing quote that ECB+ detokenised with a space ('ended. \"') is joined to its "
            "punctuation,\nas a page would have it (--raw-quotes keeps the space)."
        )
        + "\n"
    )
    timed = run_all(found, pages, folder)
    speed_report(found, timed, len(pages), 1)
    print(f"(d): {timed['d'].output.note}.")
    outputs = {s.key: timed[s.key].output.texts for s in found}
    resamples = np.random.default_rng(SEED).integers(0, len(pages), size=(BOOTSTRAP_RESAMPLES, len(pages)))
    quality_report(found, pages, outputs, resamples)
    chrome_report(found, pages, outputs, resamples)
    lost_report(found, pages, outputs)


def quality_report(
    found: Sequence[System], pages: Sequence[Page], outputs: dict[str, dict[str, str | None]], resamples: np.ndarray
) -> None:
    scores = {
        s.key: np.array(
            [
                token_scores(" ".join(p.gold), text) if (text := outputs[s.key][p.name]) is not None else [np.nan] * 3
                for p in pages
            ]
        )
        for s in found
    }
    print("\n### Extraction quality: bag-of-words P / R / F1 per page, mean over pages [95% CI]\n")
    rows = []
    for system in found:
        values = scores[system.key]
        complete = not np.isnan(values).any()
        cells = [system.name]
        for column in range(3):
            mean = float(np.nanmean(values[:, column]))
            cells.append(f"{mean:.3f} {interval(values[:, column], resamples)}" if complete else f"{mean:.3f}")
        if system.key == "a":
            cells.append("—")
        elif complete:
            delta = values[:, 2] - scores["a"][:, 2]
            cells.append(f"{delta.mean():+.3f} {interval(delta, resamples, signed=True)}")
        else:
            cells.append("n/a")
        cells.append(str(sum(1 for p in pages if outputs[system.key][p.name] == "")))
        rows.append(cells)
    print(table(["system", "P", "R", "F1", "ΔF1 vs (a)", "empty outputs"], rows))
    print(
        "\nPer page: tokens are \\w+ (case kept) counted as multisets; P = matched / output tokens, R = matched / gold "
        f"tokens;\nan empty output scores 0. CI: percentile bootstrap, {BOOTSTRAP_RESAMPLES} resamples of the pages "
        f"(seed {SEED}), paired for ΔF1.\n(d) is scored on the pages it kept: a page folded into another by dedupe "
        "is left out, so (d) has no CI."
    )
    print("\n### F1 by template (mean over pages)\n")
    rows = []
    for style in STYLES:
        members = [i for i, p in enumerate(pages) if p.style == style.key]
        if members:
            rows.append(
                [f"{style.key} ({len(members)})", *(f"{np.nanmean(scores[s.key][members, 2]):.3f}" for s in found)]
            )
    print(table(["template (pages)", *(s.key for s in found)], rows))


def interval(values: np.ndarray, resamples: np.ndarray, signed: bool = False, digits: int = 3) -> str:
    low, high = bootstrap(values, resamples)
    sign = "+" if signed else ""
    return f"[{low:{sign}.{digits}f}, {high:{sign}.{digits}f}]"


def chrome_report(
    found: Sequence[System], pages: Sequence[Page], outputs: dict[str, dict[str, str | None]], resamples: np.ndarray
) -> None:
    on_pages = Counter(chrome.kind for page in pages for chrome in page.chrome)
    leaks: dict[str, dict[str, list[tuple[str, str]]]] = {s.key: defaultdict(list) for s in found}
    per_page: dict[str, list[int]] = {s.key: [] for s in found}
    for page in pages:
        gold = norm(" ".join(page.gold))
        for system in found:
            text = outputs[system.key][page.name]
            if text is None:
                continue
            output, count = norm(text), 0
            for chrome in page.chrome:
                marker = leaked(chrome, gold, output)
                if marker is not None:
                    leaks[system.key][chrome.kind].append((page.name, context(output, norm(marker))))
                    count += chrome.kind not in METADATA_KINDS
            per_page[system.key].append(count)
    print("\n### Chrome in the output: pieces leaked, of the pieces on the pages\n")
    rows = [[kind, str(on_pages[kind]), *(str(len(leaks[s.key][kind])) for s in found)] for kind in CHROME_KINDS]
    print(table(["kind", "on pages", *(s.key for s in found)], rows))
    rows = []
    for system in found:
        values = np.array(per_page[system.key], dtype=float)
        complete = len(values) == len(pages)
        rows.append(
            [
                system.name,
                f"{values.mean():.2f} {interval(values, resamples, digits=2)}" if complete else f"{values.mean():.2f}",
            ]
        )
    print("\nChrome pieces leaked per page, mean [95% CI] (headline, standfirst and byline not counted):\n")
    print(table(["system", "leaked per page"], rows))
    print(
        "\nA piece leaks when one of its marker phrases occurs in the output more often than in the article: the "
        "caption text or\nphoto credit, each related and most-read headline, the read-more headline, each comment, "
        "the ad label, the first share\nlabel, the newsletter and cookie text, the last menu item, the footer line; "
        "the headline, standfirst and reporter's\nname. Those three are page metadata, not chrome: counted apart, and "
        "a reader may want the standfirst."
    )
    print("\n### Where (c) newsweave leaks (up to 3 examples per kind)\n")
    examples = [(kind, name, snippet) for kind in CHROME_KINDS for name, snippet in leaks["c"][kind][:3]]
    for kind, name, snippet in examples:
        print(f"- {kind}: {name}: …{snippet}…")
    if not examples:
        print("(none)")


def context(output: str, marker: str, width: int = 40) -> str:
    at = output.find(marker)
    return output[max(0, at - width) : at + len(marker) + width]


def lost_report(found: Sequence[System], pages: Sequence[Page], outputs: dict[str, dict[str, str | None]]) -> None:
    kinds = ("reporting", "short", "no terminal punctuation")
    totals = Counter(sentence_kind(s) for page in pages for s in page.gold)
    lost: dict[str, list[tuple[str, int, str]]] = {s.key: [] for s in found}
    for system in found:
        for page in pages:
            text = outputs[system.key][page.name]
            if text is not None:
                output = norm(text)
                lost[system.key] += [(page.name, i, s) for i, s in enumerate(page.gold) if norm(s) not in output]
    print("\n### Gold sentences missing from the output (text not found, whitespace and case ignored)\n")
    rows = []
    for kind in kinds:
        counts = [sum(1 for *_, sentence in lost[s.key] if sentence_kind(sentence) == kind) for s in found]
        rows.append([f"{kind} ({totals[kind]})", *(str(count) for count in counts)])
    print(table(["gold sentence kind (total)", *(s.key for s in found)], rows))
    print(
        "\nreporting: ends in . ! ? (closing quotes allowed) and has 13 or more words; short: the same with fewer "
        "words; the rest\nare subheadings, datelines and page chrome that ECB+ kept inside the article."
    )
    kept_by_a = {(name, i) for name, i, _ in lost["a"]}
    only_c = [(name, i, s) for name, i, s in lost["c"] if (name, i) not in kept_by_a]
    by_kind = ", ".join(f"{k} {sum(1 for *_, s in only_c if sentence_kind(s) == k)}" for k in kinds)
    print(
        f"\n(c) misses {len(only_c)} gold sentences that (a) keeps ({by_kind}). Those without terminal punctuation:\n"
    )
    groups: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for name, i, sentence in only_c:
        groups[unterminated_kind(sentence) if sentence_kind(sentence) == kinds[2] else sentence_kind(sentence)].append(
            (name, i, sentence)
        )
    for group, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        print(f"- {group}: {len(members)}")
        for name, i, sentence in members[:3]:
            print(f"  - {name} body sentence {i}: {short(sentence, 80)!r}")


def unterminated_kind(sentence: str) -> str:
    """Return what a gold line without terminal punctuation is, roughly."""
    if _DATE_LIKE.search(sentence) and len(sentence.split()) <= 12:
        return "dateline or time stamp"
    if re.search(r"[,;:—–-][\"'”’]*$", sentence):
        return "ends in , ; : or a dash (cut by ECB+'s sentence split)"
    if len(sentence.split()) <= 12:
        return "up to 12 words: subheading, label, caption or headline ECB+ kept in the body"
    return "longer: a sentence without its final punctuation"


def ladder_report(title: str, pages: Sequence[Page], repeat: int) -> None:
    """Print the time per page of each step from bare trafilatura to newsweave's (c), best of 3 interleaved runs."""
    import trafilatura

    from newsweave.clean import to_article
    from newsweave.errors import InputError
    from newsweave.ingest.html import html_document

    def bare(page: Page, with_metadata: bool) -> object:
        # The options html_document passes to trafilatura (src/newsweave/ingest/html.py).
        return trafilatura.bare_extraction(
            page.html,
            with_metadata=with_metadata,
            include_comments=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
        )

    def read(page: Page) -> RawDocument | None:
        try:
            return html_document(page.html, page.name)
        except InputError:
            return None

    def read_and_clean(page: Page) -> object:
        raw = read(page)
        return to_article(raw) if raw is not None else None

    steps: list[tuple[str, Callable[[Page], object]]] = [
        ("trafilatura.extract(html), defaults: (a)", lambda page: trafilatura.extract(page.html)),
        ("bare_extraction, html_document's options, no metadata", lambda page: bare(page, with_metadata=False)),
        ("  the same with with_metadata=True", lambda page: bare(page, with_metadata=True)),
        ("html_document (+ decoding, publication time, hints)", read),
        ("html_document + to_article: (c)", read_and_clean),
    ]
    seconds: dict[str, list[float]] = defaultdict(list)
    for _ in range(TIMING_RUNS):
        for label, step in steps:
            start = time.perf_counter()
            for _ in range(repeat):
                for page in pages:
                    step(page)
            seconds[label].append(time.perf_counter() - start)
    per_page = {label: min(seconds[label]) / (len(pages) * repeat) * 1000 for label, _ in steps}
    base = per_page[steps[0][0]]
    rows, previous = [], None
    for label, _ in steps:
        added = "" if previous is None else f"{per_page[label] - previous:+.2f}"
        rows.append([label, f"{per_page[label]:.2f}", added, f"{base / per_page[label]:.2f}x"])
        previous = per_page[label]
    print(f"\n### Step by step, {title}\n")
    print(table(["step", "ms/page", "+ms vs row above", "speed vs (a)"], rows))


def profile_report(found: Sequence[System], pages: Sequence[Page], real: Sequence[Page], folder: Path) -> None:
    """Print where (a) and (d) spend their time on the same pages, from cProfile."""
    chosen = write_pages(pages, folder)
    by_key = {s.key: s for s in found}
    profiles: dict[str, tuple[pstats.Stats, float]] = {}
    for key in ("a", "d"):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        by_key[key].run(pages, chosen)
        profiler.disable()
        profiles[key] = (pstats.Stats(profiler), time.perf_counter() - start)
    print(f"\n## 3. Where newsweave's time goes (first {len(pages)} ECB+ pages; the real pages)")
    ladder_report(f"first {len(pages)} ECB+ pages (best of {TIMING_RUNS})", pages, 1)
    if real:
        ladder_report(f"the {len(real)} real pages x {REAL_REPEAT} (best of {TIMING_RUNS})", real, REAL_REPEAT)
    print(f"\n### cProfile of (a) and (d), first {len(pages)} ECB+ pages\n")
    stages = (
        ("trafilatura bare_extraction, all of it", "trafilatura/core.py", "bare_extraction"),
        ("  parse HTML (load_html)", "trafilatura/utils.py", "load_html"),
        ("  tree cleaning, tag conversion (_prepare_tree)", "trafilatura/core.py", "_prepare_tree"),
        ("  main text (trafilatura_sequence)", "trafilatura/core.py", "trafilatura_sequence"),
        ("    fallback comparison (compare_extraction)", "trafilatura/external.py", "compare_extraction"),
        ("  metadata (extract_metadata)", "trafilatura/metadata.py", "extract_metadata"),
        ("    categories and tags (extract_catstags)", "trafilatura/metadata.py", "extract_catstags"),
        ("    licence (extract_license)", "trafilatura/metadata.py", "extract_license"),
        ("    date (htmldate find_date)", "htmldate/core.py", "find_date"),
        ("  comments (extract_comments)", "trafilatura/main_extractor.py", "extract_comments"),
        ("  output text (determine_returnstring)", "trafilatura/core.py", "determine_returnstring"),
        ("newsweave html_document, all of it", "newsweave/ingest/html.py", "html_document"),
        ("  decode bytes (_decode_html)", "newsweave/ingest/html.py", "_decode_html"),
        ("  publication_time", "newsweave/ingest/html.py", "publication_time"),
        ("newsweave discover + read files + sniff (read_source)", "newsweave/ingest/__init__.py", "read_source"),
        ("newsweave clean_batch", "newsweave/clean.py", "clean_batch"),
        ("  template_lines", "newsweave/clean.py", "template_lines"),
        ("  to_article", "newsweave/clean.py", "to_article"),
        ("    line features (_features: furniture regexes)", "newsweave/clean.py", "_features"),
        ("    registered_domain (tldextract)", "newsweave/outlets.py", "registered_domain"),
        ("newsweave segment", "newsweave/segment.py", "segment"),
        ("newsweave detect_language", "newsweave/language.py", "detect_language"),
        ("newsweave fold_copies (dedupe)", "newsweave/dedupe.py", "fold_copies"),
    )
    rows = []
    for label, path, function in stages:
        row = [label]
        for key in ("a", "d"):
            stats, wall = profiles[key]
            seconds = cumulative(stats, path, function)
            row.append(f"{seconds:.2f} ({seconds / wall:.0%})" if seconds else "—")
        rows.append(row)
    rows.append(["wall time under the profiler", *(f"{profiles[k][1]:.2f} (100%)" for k in ("a", "d"))])
    print(table(["stage (cumulative s, share of wall)", "(a)", "(d)"], rows))
    print(
        "\nread_source includes html_document (it runs inside the reader); html_document includes bare_extraction. "
        "The profiler\nslows Python code more than C code, so shares are indicative. detect_language is not called "
        "when the page's <html lang>\ngives the language, as every ECB+ page here does."
    )
    stats = profiles["d"][0]
    for title, column, count in (("cumulative", 3, 15), ("own", 2, 10)):
        print(f"\n### (d) top {count} functions by {title} time\n")
        entries = sorted(stats.stats.items(), key=lambda item: item[1][column], reverse=True)  # type: ignore[attr-defined]
        rows = [
            [f"{where(path)}:{line}({function})", f"{calls:,}", f"{own:.3f}", f"{cumulative_s:.3f}"]
            for (path, line, function), (_, calls, own, cumulative_s, _) in entries[:count]
        ]
        print(table(["function", "calls", "own s", "cumulative s"], rows))


def cumulative(stats: pstats.Stats, path: str, function: str) -> float:
    entries = stats.stats.items()  # type: ignore[attr-defined]
    return float(sum(value[3] for (file, _, name), value in entries if file.endswith(path) and name == function))


def where(path: str) -> str:
    """Return a profiled file's path from its package (or the project root), for short table rows."""
    for anchor in ("site-packages/", f"{ROOT}/src/", f"{ROOT}/"):
        if anchor in path:
            return path.split(anchor, 1)[1]
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=None, help="ECB+ pages to use, a deterministic sample (all)")
    parser.add_argument("--sdist", type=Path, default=None, help="folder with trafilatura's tests/resources pages")
    parser.add_argument(
        "--raw-quotes", action="store_true", help="keep ECB+'s spaced sentence-final closing quotes ('ended. \"')"
    )
    parser.add_argument("--profile-pages", type=int, default=PROFILE_PAGES, help="ECB+ pages under the profiler")
    parser.add_argument(
        "--real-runs",
        type=int,
        default=TIMING_RUNS,
        help="timed runs on the real pages, best one kept (%(default)s); they take half a second a run, so on a "
        "shared machine a few more steady their best",
    )
    args = parser.parse_args()
    missing(SHARED / "data", "the evaluation data")
    found = systems()
    print("# HTML ingest benchmark (bench/ingest.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}")
    print("\nSystems, each given the page's bytes (a .html.gz page decompressed for (a)-(c); (d) reads the file):")
    for system in found:
        print(f"- {system.name}")
    corpus, empty = load_stories(repair_quotes=not args.raw_quotes)
    stories = sample(corpus, args.pages)
    pages = ecb_pages(stories, corpus)
    real, source = sdist_pages(args.sdist)
    with tempfile.TemporaryDirectory(prefix="newsweave-bench-ingest-") as temp:
        root = Path(temp)
        warm = write_pages(pages[:3], root / "warm-up")
        warm_real = write_pages(real, root / "warm-up-real")
        for system in found:  # imports, language model, lazy caches: none of it in the timed runs
            system.run(pages[:3], warm)
            # The ECB+ pages all declare <html lang>: only the real pages load the language model.
            system.run(real, warm_real)
        real_report(found, real, write_pages(real, root / "real"), source, args.real_runs)
        ecb_report(found, pages, stories, empty, args.raw_quotes, write_pages(pages, root / "ecbplus"))
        profile_report(found, pages[: args.profile_pages], real, root / "profile")


if __name__ == "__main__":
    main()
