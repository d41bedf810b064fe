"""JSON: stable, news-please field names, and a lossless round trip."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newsweave
from newsweave.errors import FormatError
from newsweave.records import Article, Digest, Origin, Problem, Story
from newsweave.render.json import SCHEMA, article_to_dict, dumps, loads
from newsweave.segment import segment

_zones = st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))))
_dates = st.one_of(
    st.none(),
    st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone),
        st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
        _zones,
    ),
)
_articles = st.builds(
    lambda ident, outlet, text, date, authors, title, url: segment(
        Article(
            id=ident,
            outlet=outlet,
            text=text,
            origin=Origin(f"{ident}.txt", "text", "utf-8"),
            title=title,
            date_publish=date,
            authors=tuple(authors),
            url=url,
        )
    ),
    st.text(min_size=1, max_size=10),
    st.text(min_size=1, max_size=20),
    st.text(max_size=300),
    _dates,
    st.lists(st.text(min_size=1, max_size=20), max_size=3),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.just("https://example.org/a?b=1&c=<2>")),
)


@given(st.lists(_articles, max_size=4), st.lists(st.text(min_size=1, max_size=30), max_size=3))
def test_round_trip_is_lossless(articles: list[Article], reasons: list[str]) -> None:
    stories = (Story(id="s1", title="T", articles=tuple(articles)),) if articles else ()
    digest = Digest(stories=stories, problems=tuple(Problem(f"f{i}", r) for i, r in enumerate(reasons)), version="x")
    text = dumps(digest)
    assert loads(text) == digest
    assert dumps(loads(text)) == text  # same bytes again: stable


def test_articles_use_news_please_field_names(seeds_dir: Path) -> None:
    data = json.loads(dumps(newsweave.digest([seeds_dir])))
    assert data["schema"] == SCHEMA
    article = data["stories"][0]["articles"][0]
    for field in ("title", "maintext", "date_publish", "source_domain", "url", "language", "authors", "description"):
        assert field in article
    assert article["date_publish"] == "2018-03-28T01:09:00+01:00"
    start, end = article["sentences"][0]
    assert article["maintext"][start:end].startswith("North Korean leader Kim Jong-un met")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "digest must be a JSON object"),
        ('{"schema": "other/9"}', "schema"),
        ("{oops", "not JSON"),
    ],
)
def test_malformed_json_raises_format_error(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        loads(text)


def test_sentence_outside_text_is_rejected() -> None:
    article = Article(id="a", outlet="X", text="Short.", origin=Origin("a", "text"))
    data = {"schema": SCHEMA, "stories": [{"id": "s", "title": None, "articles": [article_to_dict(article)]}]}
    data["stories"][0]["articles"][0]["sentences"] = [[0, 99]]
    with pytest.raises(FormatError, match="outside the text"):
        loads(json.dumps(data))
