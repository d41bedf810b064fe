"""Duplicate and syndicated copies fold into one article that lists every outlet that ran it."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave import dedupe
from newsweave.dedupe import content_key, fold_copies
from newsweave.records import Article, Origin
from newsweave.render.json import dumps, loads

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WIRE = [
    "Fire crews fought a blaze at the Harlow paper mill for eleven hours before bringing it under control on Sunday.",
    "The fire started in a storage hall shortly after 9pm on Saturday, the county fire service said in a statement.",
    "About 60 firefighters and twelve engines were sent to the site at the height of the blaze, it said.",
    "Nobody was hurt, but residents living nearby were told to keep their windows and doors closed overnight.",
    "The mill, which employs 340 people, said production would stop for at least a week while repairs are made.",
    "The cause of the fire is not yet known and an investigation has begun, the fire service said.",
]


def _article(outlet: str, paragraphs: list[str], hours: int | None = None) -> Article:
    date = None if hours is None else datetime(2024, 5, 5, hours, tzinfo=timezone(timedelta(hours=1)))
    text = "\n\n".join(paragraphs)
    return Article(
        id=f"{outlet}-id", outlet=outlet, text=text, origin=Origin(f"{outlet}.txt", "text"), date_publish=date
    )


def test_exact_copies_fold_whatever_their_case_and_punctuation() -> None:
    shouting = [p.upper().replace(",", "") for p in WIRE]
    folded = fold_copies([_article("Wire", WIRE, 8), _article("Echo", shouting, 9)])
    assert len(folded) == 1
    assert folded[0].outlets == ("Wire", "Echo")
    assert folded[0].copies[0].overlap == 1.0
    assert content_key("Hello, World!") == content_key("hello world")


def test_wire_copy_with_own_intro_and_footer_folds_and_keeps_its_extra_text() -> None:
    local = ["Harlow families were told to stay indoors on Sunday as smoke drifted over the town centre from the mill."]
    copy = _article("Harlow Star", local + WIRE[1:] + ["Read more local news every day in print and online."], 11)
    folded = fold_copies([_article("Wire", WIRE, 8), copy])
    assert len(folded) == 1
    (kept,) = folded
    assert kept.outlet == "Wire"  # earliest dated
    assert kept.copies[0].outlet == "Harlow Star"
    assert kept.copies[0].extra_text.startswith("Harlow families were told to stay indoors")
    assert 0.6 <= kept.copies[0].overlap < 1.0


def test_shortened_copy_folds() -> None:
    folded = fold_copies([_article("Wire", WIRE, 8), _article("Brief", WIRE[:3], 12)])
    assert len(folded) == 1 and folded[0].copies[0].overlap == 1.0


def test_the_undated_or_later_copy_is_folded_into_the_earlier_one() -> None:
    folded = fold_copies([_article("Late", WIRE, None), _article("Early", WIRE, 7)])
    assert [a.outlet for a in folded] == ["Early"]


def test_different_reports_of_one_event_stay_apart() -> None:
    digest = newsweave.digest([EXAMPLES])
    story = next(s for s in digest.stories if "Tollis" in (s.articles[0].text + (s.title or "")))
    # Five bridge files: the Gazette ran MPA's story, the other three outlets wrote their own.
    assert len(story.articles) == 4
    wire = next(a for a in story.articles if a.outlet == "Meridian Press Agency")
    assert [c.outlet for c in wire.copies] == ["The Eastfold Gazette"]
    assert set(story.outlets) == {
        "Meridian Press Agency",
        "The Eastfold Gazette",
        "Aldane Courier",
        "The Bellweather Tribune",
        "The Westmarch Herald",
    }
    # MPA's storm stories use the same page template as its bridge story and are not copies of it.
    assert sum(len(s.articles) for s in digest.stories) == 10


def test_one_template_filled_with_other_names_and_numbers_is_not_a_copy() -> None:
    """A mill fire report rewritten for another mill, town, day and figures shares most 5-grams but no name."""
    other = [
        paragraph.replace("Harlow", "Pennick")
        .replace("Sunday", "Tuesday")
        .replace("Saturday", "Monday")
        .replace("eleven", "nine")
        .replace("9pm", "7pm")
        .replace("60", "45")
        .replace("340", "120")
        .replace("twelve", "eight")
        for paragraph in WIRE
    ]
    shared = dedupe.overlap(dedupe.shingles("\n\n".join(WIRE), 5), dedupe.shingles("\n\n".join(other), 5))
    assert shared >= dedupe.DedupeConfig().min_overlap  # the wording alone would fold them
    assert len(fold_copies([_article("Wire", WIRE, 8), _article("Echo", other, 9)])) == 2
    renamed = [paragraph.replace("Harlow", "Pennick") for paragraph in WIRE]  # one name of several changed
    assert len(fold_copies([_article("Wire", WIRE, 8), _article("Echo", renamed, 9)])) == 1


def test_near_keys_meet_within_the_time_window_only() -> None:
    """Texts published up to ``window_days`` apart always share keys; a month apart, or dated and undated, never."""
    config = dedupe.DedupeConfig()
    text = "\n\n".join(WIRE)
    start = datetime(2024, 5, 5, 8, tzinfo=UTC)

    def meet(first: datetime | None, second: datetime | None) -> bool:
        asked = set(dedupe.near_keys(text, second, config).asked)
        return bool(asked & set(dedupe.near_keys(text, first, config).stored))

    for hours in range(0, 24 * config.window_days, 7):  # every position in a window, both orders
        later = start + timedelta(hours=hours)
        assert meet(start, later) and meet(later, start)
    assert not meet(start, start + timedelta(days=3 * config.window_days))
    assert meet(None, None) and not meet(None, start) and not meet(start, None)
    keys = dedupe.near_keys(text, start, config)
    assert len(keys.stored) == len(dedupe.band_keys(dedupe.shingles(text, 5), config))
    assert len(keys.asked) == 3 * len(keys.stored)
    assert dedupe.unpacked_names(keys.names) == dedupe.unpacked_names(dedupe.packed_names(dedupe.names(text)))
    assert len(dedupe.unpacked_names(keys.names)) == len(dedupe.names(text)) > 0


def test_copies_survive_the_json_round_trip() -> None:
    digest = newsweave.digest([EXAMPLES])
    assert loads(dumps(digest)) == digest


def test_copies_of_copies_come_along() -> None:
    inner = fold_copies([_article("A", WIRE, 9), _article("B", WIRE, 10)])[0]
    outer = fold_copies([dataclasses.replace(inner, date_publish=None), _article("C", WIRE, 8)])
    assert outer[0].outlets == ("C", "A", "B")


def test_real_news_never_folds_reports_of_different_events(ecbplus_docs: list[dict[str, Any]]) -> None:
    """ECB+: each topic holds two different events (two rehab stories...); no copy may cross events."""
    articles = [
        Article(
            id=d["id"], outlet=d["outlet"] or d["id"], text="\n\n".join(d["sentences"]), origin=Origin(d["id"], "t")
        )
        for d in ecbplus_docs
    ]
    event = {d["id"]: d["event"] for d in ecbplus_docs}
    folded = fold_copies(articles)
    assert len(folded) < len(articles)  # the corpus does hold wire copies (measured: 772 -> 730)
    for article in folded:
        assert {event[c.article_id] for c in article.copies} <= {event[article.id]}


def _copies_batch(docs: list[dict[str, Any]], seed: int) -> list[Article]:
    """ECB+ reports with cut, extended and exact copies of some of them, in a shuffled order."""
    rng = random.Random(seed)
    articles = []
    for d in docs:
        sentences = d["sentences"]
        articles.append(_article(d["id"], sentences, rng.choice([None, 8, 9])))
        kind = rng.random()
        if kind < 0.2:
            articles.append(_article(d["id"] + "-cut", sentences[: max(1, len(sentences) * 2 // 3)], 10))
        elif kind < 0.35:
            articles.append(_article(d["id"] + "-local", ["Our reporter adds a local angle here.", *sentences], 7))
        elif kind < 0.45:
            articles.append(_article(d["id"] + "-same", sentences, None))
    rng.shuffle(articles)
    return articles


def test_leaders_checked_one_by_one_fold_as_the_index_does(
    ecbplus_docs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the LSH index is built, leaders are compared exactly; the groups must be the index's groups."""
    batches = [_copies_batch(ecbplus_docs[start : start + size], start) for start, size in ((0, 6), (40, 20), (90, 60))]
    batches += [_copies_batch(ecbplus_docs, 7)]
    # A wire-heavy batch: many copies of a few stories, so that many texts reach a leader before there are 16.
    wire = [_copies_batch(ecbplus_docs[:3], seed) for seed in range(30)]
    batches += [[dataclasses.replace(a, outlet=f"{a.outlet}-{i}") for i, batch in enumerate(wire) for a in batch]]
    folded = [fold_copies(batch) for batch in batches]
    monkeypatch.setattr(dedupe, "_EXACT_LEADERS", -1)  # the index from the first leader on: every text signed
    assert [fold_copies(batch) for batch in batches] == folded
    assert any(article.copies for batch in folded for article in batch)
