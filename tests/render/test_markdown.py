"""Markdown: the reader's view of a digest; article text can never become markup."""

from __future__ import annotations

import re
from pathlib import Path

import newsweave
from newsweave.records import Article, Digest, Origin, Problem, Story
from newsweave.render.markdown import escape, render


def test_hostile_text_cannot_inject_markup() -> None:
    hostile = "<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil/x.png) `code` **bold**"
    escaped = escape(hostile)
    for markup in (r"<", r"\]\(", r"!\[", r"`", r"\*"):
        assert re.search(r"(?<!\\)" + markup, escaped) is None, markup
    assert escape("# Heading\n- item\n1. one") == "\\# Heading\n\\- item\n\\1. one"


def test_words_with_underscores_stay_readable() -> None:
    assert escape("file_name_here") == "file_name_here"


def test_digest_lists_sources_then_text(seeds_dir: Path) -> None:
    text = render(newsweave.digest([seeds_dir]))
    assert text.startswith("# North Korean leader Kim Jong-un visits China in first foreign trip since taking power")
    assert "_2 articles from 2 outlets" in text
    assert "1. **Independent** · “North Korean leader Kim Jong-un visits China" in text
    assert "2018-03-28 01:09 +0100 · by Jeremy B. White" in text
    assert "date unknown" in text  # the second seed says "Published on" and nothing else
    for chrome in ("Join our commenting forum", "Most Viewed", "Breaking News", "Connect with us"):
        assert chrome not in text


def test_problems_are_listed() -> None:
    article = Article(id="a", outlet="X", text="Body.", origin=Origin("a.txt", "text"))
    digest = Digest(stories=(Story("s", "T", (article,)),), problems=(Problem("bad`file.txt", "empty file"),))
    text = render(digest)
    assert "## Inputs that could not be read" in text
    assert "- `bad'file.txt`: empty file" in text
