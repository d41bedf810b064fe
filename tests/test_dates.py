"""Datelines: parse what the page states, never invent a zone or a date."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsweave.dates import is_empty_dateline, parse_dateline, parse_iso


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Wednesday 28 March 2018 01:09 BST", "2018-03-28T01:09:00+01:00"),
        ("Published May 14, 2024 at 10:05 a.m. EDT", "2024-05-14T10:05:00-04:00"),
        ("May 14, 2024 10:05 PM EDT", "2024-05-14T22:05:00-04:00"),
        ("Updated 14/05/2024 18:20", "2024-05-14T18:20:00"),  # no zone given: naive, not invented
        ("Last updated: 14 May 2024, 9:32pm GMT+2", "2024-05-14T21:32:00+02:00"),
        ("2024-05-14", "2024-05-14T00:00:00"),
        ("31/12/2024 | 23:59 UTC", "2024-12-31T23:59:00+00:00"),
        ("12/31/2024", "2024-12-31T00:00:00"),  # month first only when day first is impossible
        ("Posted on 3rd of June 2019", "2019-06-03T00:00:00"),
    ],
)
def test_datelines(line: str, iso: str) -> None:
    parsed = parse_dateline(line)
    assert parsed is not None and parsed.isoformat() == iso


@pytest.mark.parametrize(
    "line",
    [
        "He arrived on 28 March 2018.",
        "Kim Jong-un visits Beijing",
        "Published on",
        "The 1950-53 war ended in an armistice",
        "31/02/2024",  # no such day
        "",
    ],
)
def test_not_datelines(line: str) -> None:
    assert parse_dateline(line) is None


def test_empty_datelines_are_recognised() -> None:
    assert is_empty_dateline("Published on")
    assert is_empty_dateline("Updated:")
    assert not is_empty_dateline("Published on 28 March 2018")


@given(st.text(max_size=200))
def test_any_line_parses_or_is_rejected(line: str) -> None:
    result = parse_dateline(line)
    assert result is None or isinstance(result, datetime)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-05-14T18:20:00Z", "2024-05-14T18:20:00+00:00"),
        ("2024-05-14 18:20:00", "2024-05-14T18:20:00"),  # news-please's own format
        ("2024-05-14T18:20:00+01:00", "2024-05-14T18:20:00+01:00"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_times(text: object, iso: str | None) -> None:
    parsed = parse_iso(text)
    assert (parsed.isoformat() if parsed else None) == iso
