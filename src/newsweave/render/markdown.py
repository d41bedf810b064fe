"""Markdown for a digest: what a reader needs first comes first; article text is escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from newsweave.dates import comparable
from newsweave.records import Article, Digest, Problem, Story

# What would turn hostile article text into markup: inline HTML and autolinks (<), links and images
# ("](" and "!["), code spans, emphasis. An underscore inside a word is not emphasis in CommonMark.
_INLINE = re.compile(r"([\\`*<]|(?<!\w)_|_(?!\w)|\](?=\()|(?<=!)\[)")
# Markers that mean something only at the start of a line: headings, quotes, lists, rules.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """Return ``text`` with every character that Markdown would treat as markup escaped."""
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", text))


def render(digest: Digest) -> str:
    """Return the whole digest as a Markdown document."""
    parts = [render_story(story) for story in digest.stories]
    if not digest.stories:
        parts.append("_No article could be read._\n")
    return "\n".join(parts) + _problems(digest.problems)


def _problems(problems: Sequence[Problem]) -> str:
    errors = [problem for problem in problems if problem.kind == "error"]
    if not errors:
        return ""
    lines = [f"- `{_code(p.source)}`: {escape(p.reason)}" for p in errors]
    return "\n## Inputs that could not be read\n\n" + "\n".join(lines) + "\n"


def render_articles(articles: Sequence[Article], problems: Sequence[Problem] = ()) -> str:
    """Return a list of clean articles (``newsweave extract --format md``): sources, then each text."""
    lines = [f"# {len(articles)} article{'s' if len(articles) != 1 else ''}", ""]
    lines += _sources_and_texts(articles)
    return "\n".join(lines) + "\n" + _problems(problems)


def render_story(story: Story) -> str:
    """Return one story: headline, coverage line, numbered sources, then each article's clean text."""
    dates = [a.date_publish for a in story.articles if a.date_publish is not None]
    coverage = f"{len(story.articles)} article{'s' if len(story.articles) != 1 else ''} from "
    coverage += f"{len(story.outlets)} outlet{'s' if len(story.outlets) != 1 else ''}"
    if dates:
        coverage += f" · first dated {_date(min(dates, key=comparable))}"
    lines = [f"# {escape(story.title or 'Untitled story')}", "", f"_{coverage}_", ""]
    return "\n".join(lines + _sources_and_texts(story.articles)) + "\n"


def _sources_and_texts(articles: Sequence[Article]) -> list[str]:
    lines = ["## Sources", ""]
    for number, article in enumerate(articles, 1):
        lines.append(f"{number}. {_source_line(article)}")
    for number, article in enumerate(articles, 1):
        lines += ["", f"## [{number}] {escape(article.outlet)}: {escape(article.title or 'Untitled')}", ""]
        if article.description:
            lines += [f"_{escape(article.description)}_", ""]
        lines.append("\n\n".join(escape(paragraph) for paragraph in article.paragraphs) or "_(no text)_")
        for copy in article.copies:
            if copy.extra_text:
                lines += ["", f"_{escape(copy.outlet)}'s copy adds:_", ""]
                lines += ["\n\n".join(f"> {escape(p)}" for p in copy.extra_text.split("\n\n"))]
    return lines


def _source_line(article: Article) -> str:
    fields = [f"**{escape(article.outlet)}**"]
    if article.title:
        fields.append(f"“{escape(article.title)}”")
    fields.append(_date(article.date_publish) if article.date_publish else "date unknown")
    if article.authors:
        fields.append("by " + escape(", ".join(article.authors)))
    fields.append(
        f"<{article.url}>" if article.url and _safe_url(article.url) else f"`{_code(article.origin.location)}`"
    )
    line = " · ".join(fields)
    for copy in article.copies:
        same = "same text" if copy.overlap >= 0.995 else f"{copy.overlap:.0%} of the text the same"
        when = _date(copy.date_publish) if copy.date_publish else "date unknown"
        line += f"\n   - also run by **{escape(copy.outlet)}** · {when} · {same} · `{_code(copy.location)}`"
    return line


def _date(moment: datetime) -> str:
    if moment.tzinfo is None:
        if (moment.hour, moment.minute) == (0, 0):
            return moment.strftime("%Y-%m-%d")
        return moment.strftime("%Y-%m-%d %H:%M (zone not given)")
    return moment.strftime("%Y-%m-%d %H:%M %z").replace("+0000", "UTC")


def _code(text: str) -> str:
    return text.replace("`", "'")


def _safe_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and not re.search(r"[\s<>]", url)
