"""Chrome removal and metadata detection, on the real seeds, the bundled examples and ECB+."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import newsweave
from newsweave.clean import classify_lines, extract, template_lines
from newsweave.ingest.decode import normalise_text
from tests.conftest import EXAMPLES

SEED_INDEPENDENT = "000_13d1fe4d8f86fe55.txt"
SEED_SECOND = "002_9a3f2ab9cd1d392e.txt"

# The chrome lines issue 2 names; every one must be gone from the text.
SEED_CHROME = [
    "Join our commenting forum",
    "Join thought-provoking conversations",
    "Thank you for registering",
    "Please refresh the page",
    "Connect with us",
    "Breaking News",
    "Published on",
    "Most Viewed",
    "Kim Jong-un visits Beijing",
    "Donald Trump says he 'believes' North Korea leader Kim Jong Un about peace talks",
]
# First words of every reporting paragraph of the seeds.
SEED_PARAGRAPHS = {
    SEED_INDEPENDENT: [
        "North Korean leader Kim Jong-un met",
        "The confirmation of the visit",
        "Despite recent sanctions",
        "Analysts saw the visit",
        "But perhaps most significantly",
        "The government-aligned Chinese outlet",
        "Mr Kim said he was satisfied",
        "In his meeting with Mr Kim",
        "As North Korea has rattled",
        "But while China supported",
        "In these reports",
        "Mr Kim was described by Xinhua",
        "The two Koreas are still",
        "The recent moves towards detente",
        "Mr Kim told Mr Xi",
        "Mr Kim pledged in a missive",
        "In a speech at a banquet",
        "The North Korean agency said",
    ],
    SEED_SECOND: [
        "North Korean leader Kim Jong Un met",
        "A lengthy report from China",
        "The two leaders discussed",
        "During their meeting, China said",
        "“The issue of denuclearization",
        "Xi expressed his hope",
        "Kim, meanwhile, described",
        "Kim’s visit to Beijing, which began",
        "White House spokeswoman",
        "Sanders, commenting on",
        "Tensions on the Korean Peninsula",
        "A series of diplomatic encounters",
        "A South Korean delegation",
        "After the meeting, the South Korean",
        "Trump has agreed to meet",
        "But despite the diplomatic efforts",
    ],
}


@pytest.fixture(scope="module")
def seed_articles(seeds_dir: Path) -> dict[str, newsweave.Article]:
    digest = newsweave.digest([seeds_dir])
    return {Path(article.origin.location).name: article for article in digest.articles}


def test_seed_chrome_lines_are_gone(seed_articles: dict[str, newsweave.Article]) -> None:
    for name, article in seed_articles.items():
        paragraphs = article.paragraphs
        for chrome in SEED_CHROME:
            assert not any(p.startswith(chrome) for p in paragraphs), f"{name}: chrome kept: {chrome}"
        assert "logged in" not in article.text


def test_seed_reporting_paragraphs_all_stay_in_order(seed_articles: dict[str, newsweave.Article]) -> None:
    for name, starts in SEED_PARAGRAPHS.items():
        paragraphs = seed_articles[name].paragraphs
        assert [p for p in paragraphs if not any(p.startswith(s) for s in starts)] == []
        assert len(paragraphs) == len(starts)
        for paragraph, start in zip(paragraphs, starts, strict=True):
            assert paragraph.startswith(start)


def test_seed_metadata(seed_articles: dict[str, newsweave.Article]) -> None:
    first, second = seed_articles[SEED_INDEPENDENT], seed_articles[SEED_SECOND]
    assert first.date_publish == datetime(2018, 3, 28, 1, 9, tzinfo=timezone(timedelta(hours=1)))
    assert first.date_publish.isoformat() == "2018-03-28T01:09:00+01:00"
    assert first.title == "North Korean leader Kim Jong-un visits China in first foreign trip since taking power"
    assert first.description is not None and first.description.startswith("Images shown on Chinese state TV")
    assert first.authors == ("Jeremy B. White",)
    assert first.outlet == "Independent"  # from "follow other Independent readers"
    assert second.date_publish is None  # the page says "Published on" and nothing else
    assert second.title == "North Korean leader Kim Jong Un meets Chinese President Xi"
    assert second.authors == ()
    assert second.outlet == "002_9a3f2ab9cd1d392e"  # nothing in the text names it: the file name


def _strip_the(name: str) -> str:
    return re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(p.name for p in Path(__file__).parent.parent.glob("examples/*.txt")))
def test_examples_match_answer_key(name: str, examples_expected: dict[str, Any]) -> None:
    expected = examples_expected[name]
    examples = Path(__file__).parent.parent / "examples"
    # The whole batch, so lines repeated across its pages count as they do in the demo.
    articles, _ = newsweave.read_all([examples])  # before copies are folded
    article = next(a for a in articles if Path(a.origin.location).name == name)
    assert article.title == expected["title"]
    assert article.description == expected["standfirst"]
    assert list(article.authors) == expected["authors"]
    assert _strip_the(article.outlet) == _strip_the(expected["outlet"])
    stated = article.date_publish.isoformat() if article.date_publish else None
    assert stated == expected["date_publish"]
    for chrome in expected["chrome"]:
        assert chrome not in article.paragraphs, f"chrome kept: {chrome}"
    starts = expected["paragraph_starts"]
    assert len(article.paragraphs) == len(starts)
    for paragraph, start in zip(article.paragraphs, starts, strict=True):
        assert paragraph.startswith(start)


@pytest.mark.parametrize(
    "sentence",
    [
        "The bakery sells cookies and bread.",
        "Voters gave their consent to the plan.",
        "She has a subscription to the paper.",
        "Most viewed the plan as a failure.",
        "The malware stole login details.",
        "He declined to comment.",
    ],
)
def test_short_sentences_with_one_page_word_stay(sentence: str) -> None:
    lead = "The council met on Monday evening to discuss the budget for next year."
    page = f"Town news in brief today\n\n{lead}\n\n{sentence}\n"
    assert sentence in extract(page).text.split("\n\n")


def test_headline_with_one_page_word_is_still_the_title() -> None:
    page = (
        "Menu\n\nBakery sells a record number of cookies\n\nThe bakery on Mill Street sold 40,000 cookies last week.\n"
    )
    assert extract(page).title == "Bakery sells a record number of cookies"


def test_credit_lines_are_bylines() -> None:
    lead = "The storm hit the coast on Monday night with winds of 90mph."
    page = f"Storm hits coast\n\n{lead}\n\nAdditional reporting by Sam Lee\n"
    result = extract(page)
    assert result.authors == ("Sam Lee",)
    assert "Sam Lee" not in result.text


def test_cookie_banner_goes_even_when_it_reads_like_a_sentence() -> None:
    page = (
        "Storm closes harbour for second day\n\n"
        "The harbour stayed closed on Tuesday as gale-force winds battered the coast for a second day running.\n\n"
        "We use cookies to personalise content and ads. By continuing to browse you agree to our use of cookies.\n"
    )
    assert "cookies" not in extract(page).text
    assert extract(page).text.startswith("The harbour stayed closed")


def test_short_sentences_that_mention_page_words_stay() -> None:
    page = (
        "Minister resigns over expenses\n\n"
        "The minister resigned on Friday after weeks of questions about his travel expenses and hotel bills.\n\n"
        "He declined to comment.\n\n"
        "His spokesman said the minister would share more details on Twitter.\n"
    )
    paragraphs = extract(page).text.split("\n\n")
    assert "He declined to comment." in paragraphs
    assert "His spokesman said the minister would share more details on Twitter." in paragraphs


def test_lines_shared_by_different_pages_are_template() -> None:
    pages = [
        f"The Daily Planet Weekend Edition\n\nHeadline number {i} about a different thing\n\n"
        f"Reporting paragraph {i} says something entirely different about topic {i} today.\n\n"
        "The Associated Press contributed to this report.\n"
        for i in range(3)
    ]
    shared = template_lines(pages)
    assert "the daily planet weekend edition" in shared
    for number, page in enumerate(pages):
        result = extract(page, shared)
        assert result.title == f"Headline number {number} about a different thing"  # not the masthead
        assert (
            result.text == f"Reporting paragraph {number} says something entirely different about topic {number} today."
        )
    # Without the batch, the masthead reads like a headline.
    assert extract(pages[0]).title == "The Daily Planet Weekend Edition"


def test_short_quotes_that_several_outlets_carry_stay() -> None:
    pages = [
        f"{outlet} headline about the fire at the mill\n\n"
        f"Fire crews from {outlet} county fought the blaze at the mill for eleven hours on Sunday night.\n\n"
        "“It was terrifying,” said the owner.\n\n"
        f"A different closing paragraph from {outlet} about the investigation into the cause of it.\n"
        for outlet in ("Ashby", "Brill", "Cole")
    ]
    shared = template_lines(pages)
    for page in pages:
        assert "“It was terrifying,” said the owner." in extract(page, shared).text.split("\n\n")


def test_syndicated_copies_keep_the_short_sentences_they_share() -> None:
    body = (
        "Fire crews fought the blaze at the paper mill for eleven hours before bringing it under control.\n\n"
        "Nobody was hurt.\n\n"
        "The cause of the fire is not yet known, the county fire service said in a statement on Sunday.\n"
    )
    pages = [f"Mill fire in {town} brought under control\n\n{body}" for town in ("Ashby", "Brill")]
    shared = template_lines(pages)
    for page in pages:
        assert "Nobody was hurt." in extract(page, shared).text.split("\n\n")


def test_every_label_names_its_reason(seeds_dir: Path) -> None:
    text = (seeds_dir / SEED_INDEPENDENT).read_text(encoding="utf-8")
    labels = classify_lines(text)
    assert {label.role for label in labels} == {"title", "standfirst", "byline", "dateline", "body", "chrome"}
    assert all(label.reason for label in labels)


def test_reporting_sentences_of_real_news_are_never_removed(ecbplus_docs: list[dict[str, Any]]) -> None:
    """ECB+ pages, one corpus sentence per line, read as one batch: no reporting sentence may be lost."""
    pages = ["\n\n".join(doc["sentences"]) for doc in ecbplus_docs]
    shared = template_lines(pages)  # the whole corpus as one batch: many outlets quote the same words
    lost = []
    for doc, page in zip(ecbplus_docs, pages, strict=True):
        kept = set(extract(page, shared).text.split("\n\n"))
        for sentence in doc["sentences"]:
            words = len(sentence.split())
            reporting = words > 12 and re.search(r"[.!?][\"'”’)]*$", sentence)
            if reporting and normalise_text(sentence) not in kept:
                lost.append((doc["id"], sentence))
    # A consent or sign-up banner may be long; anything else lost is a defect.
    assert all(re.search(r"cookie|subscri|sign up|newsletter", s, re.I) for _, s in lost), lost[:5]


# ---- properties ---------------------------------------------------------------------------------

_words = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=12)
_reporting = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_words, min_size=13, max_size=40),
    st.sampled_from([".", "!", "?", ".”", '."', "?’"]),
)
_chromeish = st.sampled_from(
    ["Most Read", "Advertisement", "Share on Facebook", "Sign up for our newsletter", "Menu", "Related stories"]
)


@given(st.text(max_size=3000))
def test_any_text_is_extracted_without_error(text: str) -> None:
    result = extract(text)
    assert isinstance(result.text, str)


@given(st.text(max_size=3000))
def test_extraction_is_idempotent(text: str) -> None:
    once = extract(text).text
    assert extract(once).text == once


@given(st.lists(st.one_of(_reporting, _chromeish, st.text(max_size=80)), min_size=1, max_size=30), st.data())
def test_no_reporting_sentence_is_ever_removed(lines: list[str], data: st.DataObject) -> None:
    sentence = data.draw(_reporting)
    assume(not re.search(r"cookie|consent|subscri", sentence, re.IGNORECASE))
    position = data.draw(st.integers(0, len(lines)))
    page = "\n\n".join([*lines[:position], sentence, *lines[position:]])
    kept = extract(page).text.split("\n\n")
    assert normalise_text(sentence) in kept


# One phrase per alternative of the furniture patterns, in the case pages use.
FURNITURE_SAMPLES = [
    "Subscribe now", "Subscribers only", "Sign up for our newsletter", "Sign in to comment", "Log in to continue",
    "You are logged in", "Create an account", "Already have an account?", "Start your free trial", "Donate now",
    "Thank you for reading", "Register for free", "Support independent journalism", "Privacy Policy",
    "Terms and Conditions", "Accept all", "Manage preferences", "Cookie settings", "By continuing to browse",
    "our use of cookies", "By clicking Accept", "Your browser is out of date", "Please refresh your browser",
    "navigate to another page", "Enable JavaScript", "JavaScript is disabled", "Sponsored content", "Paid partner",
    "Ad Choices", "Share this", "Share on Facebook", "Follow us", "Like us", "Connect with us", "Email this",
    "Print this page", "Join the conversation", "commenting forum", "Comments are closed", "Leave a comment",
    "View comments", "Show comments", "Follow other Herald readers", "thought-provoking conversations",
    "Read more", "Read next", "Read the full story", "More on this", "You may also like", "Recommended for you",
    "Related stories", "Trending now", "Back to top", "Skip to main content", "Jump to", "Listen to this article",
    "5 min read", "12 minutes read", "Click here", "Tap here", "Download our app", "Get the app",
    "All rights reserved", "Copyright © 2024", "© Herald", "Contributed reporting", "The views expressed",
    "This article first appeared in", "The story was originally published", "Subscription", "Newsletters",
    "Login", "Register", "Cookies", "Consent", "Advertisement", "Advertising", "Comments", "Breaking news",
    "Latest news", "Top stories", "More from Sport", "See also", "Most viewed", "Trending", "Watch live",
    "Listen now", "Subscribe today", "Register now", "Register here", "Privacy notice", "Privacy settings",
    "Terms of use", "Terms of service", "Manage settings", "Manage cookies", "Refresh the page", "Paid content",
    "Share via email", "Share the story", "Join our community", "Comment section", "Comments policy",
    "Related articles", "Related content", "Related topics", "Related coverage", "Related links",
    "Download the app", "Most read", "Most popular", "Most shared", "Most watched", "Most commented", "Watch now",
    "Watch more", "Listen live",
]  # fmt: skip


def test_the_furniture_filter_never_hides_a_match(ecbplus_docs: list[dict[str, Any]], seeds_dir: Path) -> None:
    from newsweave.clean import _FURNITURE_PHRASES, _FURNITURE_WORDS, _furniture_evidence

    def unfiltered(line: str) -> int:
        return 2 * len(_FURNITURE_PHRASES.findall(line)) + len(_FURNITURE_WORDS.findall(line))

    lines = [*FURNITURE_SAMPLES, *(s.upper() for s in FURNITURE_SAMPLES)]
    for folder in (EXAMPLES, seeds_dir):
        for path in sorted(folder.rglob("*.*")):
            lines += path.read_text(encoding="utf-8").splitlines()
    for doc in ecbplus_docs:
        lines += re.split(r"(?<=[.!?])\s+", doc["text"])
    assert all(unfiltered(sample) > 0 for sample in FURNITURE_SAMPLES)
    assert [line for line in lines if _furniture_evidence(line) != unfiltered(line)] == []


def test_anchor_stems_find_every_anchor_a_search_for_each_finds(
    ecbplus_docs: list[dict[str, Any]], seeds_dir: Path
) -> None:
    from newsweave.clean import _PHRASE_ANCHORS, _WORD_ANCHORS, _anchor_groups, _Anchors, _anchors_in

    def each(text: str) -> _Anchors:
        low = text.lower()
        return _Anchors(tuple(a for a in _PHRASE_ANCHORS if a in low), tuple(a for a in _WORD_ANCHORS if a in low))

    loose, grouped = _anchor_groups()
    assert sorted([*loose, *(a for _, members in grouped for a in members)]) == sorted(
        {*_PHRASE_ANCHORS, *_WORD_ANCHORS}
    )
    assert all(stem in anchor for stem, members in grouped for anchor in members)
    texts = ["\n".join(FURNITURE_SAMPLES), *FURNITURE_SAMPLES, *(s.upper() for s in FURNITURE_SAMPLES)]
    for folder in (EXAMPLES, seeds_dir):
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.*"))]
    texts += [doc["text"] for doc in ecbplus_docs]
    assert [text for text in texts if _anchors_in(text) != each(text)] == []


LISTING = """Package index

- requests: HTTP for humans
- httpx: a next-generation HTTP client
- lxml: XML and HTML with Python
- trafilatura: text and metadata from web pages

| package | version | licence |
|---|---|---|
| requests | 2.32 | Apache-2.0 |
| httpx | 0.27 | BSD-3-Clause |
| lxml | 5.2 | BSD-3-Clause |

Subscribe to our newsletter
"""

NEWS_WITH_LISTS = "\n".join(
    [
        "Ferry runs aground off Port Ellery",
        "",
        "The ferry Saint Bride ran aground on a sandbank off Port Ellery on Sunday morning with 140 passengers "
        "aboard, the harbour authority said.",
        "",
        "Lifeboats from two stations took the passengers ashore within three hours, and nobody was hurt, a "
        "coastguard spokeswoman said.",
        "",
        "Related coverage",
        "- Coastguard station faces closure under new plans",
        "- Storm Hollis floods seafront homes on the coast",
        "- Island council votes to extend the harbour wall",
        "",
        "| Most read | |",
        "|---|---|",
    ]
)


def test_tables_and_lists_of_a_page_made_of_them_stay() -> None:
    found = extract(LISTING)
    for row in ("- httpx: a next-generation HTTP client", "| lxml | 5.2 | BSD-3-Clause |", "|---|---|---|"):
        assert row in found.text.split("\n\n")
    assert "newsletter" not in found.text  # furniture stays furniture on a listing page
    assert extract(found.text).text == found.text


def test_a_news_report_drops_its_lists_and_tables() -> None:
    found = extract(NEWS_WITH_LISTS)
    assert "with 140 passengers aboard" in found.text
    for chrome in ("Coastguard station", "Storm Hollis", "harbour wall", "Most read"):
        assert chrome not in found.text


def test_listing_rows_need_several_rows() -> None:
    from newsweave.clean import CleanConfig

    assert "| lxml |" not in extract(LISTING, config=CleanConfig(listing_min_lines=100)).text


@pytest.mark.parametrize(
    ("line", "evidence"),
    [
        ("You are logged in as a guest.", 2),
        ("See logged information about the network request in the console.", 0),  # not "logged in"
        ("Read more", 2),
        ("The board will read moreover the full report on Friday.", 0),  # not "read more"
        ("Jump to navigation", 2),
        ("Prices may jump tomorrow, the minister warned.", 0),  # not "jump to"
        ("Register", 1),
        ("Only one political party is legally registered in Turkmenistan.", 0),  # furniture words end too
        ("Cookies", 1),
        ("The seismological network registered the quake.", 0),
    ],
)
def test_furniture_phrases_end_at_a_word_boundary(line: str, evidence: int) -> None:
    from newsweave.clean import _furniture_evidence

    assert _furniture_evidence(line) == evidence
