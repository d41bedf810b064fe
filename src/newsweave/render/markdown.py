"""Markdown for a digest: what a reader needs first comes first; article text is escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from newsweave.dates import comparable
from newsweave.records import Article, CrossCheck, Digest, Fact, Problem, Statement, Story, Summary, TimelineEntry

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
    if story.summary is not None:
        lines += render_summary(story.summary, story.crosscheck)
    lines += _sources(story.articles)
    if story.crosscheck is not None:
        lines += render_crosscheck(story.crosscheck, story.articles)
    lines += render_described(story)
    return "\n".join(lines + _texts(story.articles)) + "\n"


_ENTITIES_SHOWN = 25


def render_described(story: Story) -> list[str]:
    """Lines of a story's entities, quotes and timeline; one line saying why when they were not computed."""
    if story.entities is None and story.quotes is None and story.timeline is None:
        return ["", "_Entities, quotes and timeline not computed: they need `pip install 'newsweave[nlp]'` and "
                "spaCy's English model (`make demo` installs both)._"]  # fmt: skip
    number = {article.id: index for index, article in enumerate(story.articles, 1)}
    lines: list[str] = []
    if story.entities:
        lines += ["", "## Who and where", ""]
        lines += ["| entity | type | also written | outlets | mentions |", "|---|---|---|---|---|"]
        for entity in story.entities[:_ENTITIES_SHOWN]:
            others = [v for v in entity.variants if v != entity.name]
            lines.append(
                f"| **{_cell(entity.name)}** | {entity.type.lower()} | {_cell(', '.join(others))} | "
                f"{len(entity.outlets)} | {len(entity.mentions)} |"
            )
        if len(story.entities) > _ENTITIES_SHOWN:
            lines.append(f"\n_and {len(story.entities) - _ENTITIES_SHOWN} more in the JSON digest_")
    if story.quotes:
        lines += ["", "## Who said what", ""]
        for quote in story.quotes:
            refs = "".join(f"[{number.get(span.article_id, '?')}]" for span in quote.spans)
            who = f"**{escape(quote.speaker)}**" if quote.speaker else "_speaker not found_"
            lines.append(f"- {who}: “{escape(quote.text)}” — {_who(quote.outlets)} {refs}")
    if story.timeline:
        lines += ["", "## Timeline", ""]
        for entry in story.timeline:
            refs = "".join(f"[{number.get(span.article_id, '?')}]" for span in entry.spans)
            inferred = " _(date counted from an inferred publication day)_" if entry.inferred else ""
            lines.append(
                f"- **{_when(entry)}** ({escape(entry.expression)}): {escape(entry.statement)} {refs}{inferred}"
            )
    return lines


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|")


def _when(entry: TimelineEntry) -> str:
    """A timeline date as a reader says it: "2018-03-26", "March 2018", "1950–1953", "2018-04-21 – 2018-04-30"."""
    if entry.granularity == "day" or entry.start == entry.end:
        return entry.start
    if entry.granularity == "month":
        return datetime.fromisoformat(entry.start).strftime("%B %Y")
    if entry.granularity == "year":
        return entry.start[:4]
    if entry.start.endswith("-01-01") and entry.end.endswith("-12-31"):
        return f"{entry.start[:4]}–{entry.end[:4]}"
    return f"{entry.start} – {entry.end}"


def render_summary(summary: Summary, check: CrossCheck | None = None) -> list[str]:
    """Lines of a story's summary: sentences with their citations [1][2], then the numbered outlets.

    The numbers are the summary's own (outlets in the order first cited), not the article list's.
    """
    lines = ["## Summary", ""]
    if not summary.sentences:
        lines += ["_No sentence of these articles could stand alone as a summary._", ""]
    else:
        text = " ".join(escape(s.text) + "".join(f"[{c.number}]" for c in s.citations) for s in summary.sentences)
        lines += [text, ""]
        lines += [f"{source.number}. {escape(source.outlet)}" for source in summary.sources]
        lines.append("")
    if summary.note:
        lines += [f"_{escape(summary.note)}_", ""]
    conflicts = sum(len(f.conflicts) for f in check.having("conflicting")) if check else 0
    if conflicts:
        lines += [f"_Outlets disagree on {conflicts} point{'s' if conflicts != 1 else ''}; the summary takes "
                  "no side (see “Where the outlets disagree”)._", ""]  # fmt: skip
    if summary.dropped:
        lines += [f"_{len(summary.dropped)} sentence{'s' if len(summary.dropped) != 1 else ''} of the "
                  f"{escape(summary.method)} summary left out, unsupported:_", ""]  # fmt: skip
        lines += [f"- {escape(d.text)} — {escape(d.reason)}" for d in summary.dropped]
        lines.append("")
    return lines


_LABEL = {"corroborated": "✔ corroborated", "unique": "• unique", "conflicting": "✖ conflicting"}
_MATRIX_TEXT = 90


def render_crosscheck(check: CrossCheck, articles: Sequence[Article]) -> list[str]:
    """Lines of a story's cross-check: conflicts, corroborated facts, unique facts, coverage matrix."""
    number = {article.id: index for index, article in enumerate(articles, 1)}
    numbers_of: dict[str, list[int]] = {}
    for article in articles:
        for outlet in article.outlets:
            numbers_of.setdefault(outlet, []).append(number[article.id])
    counts = {status: len(check.having(status)) for status in ("corroborated", "unique", "conflicting")}
    lines = [
        "",
        "## Cross-check",
        "",
        f"_{len(check.facts)} facts: {counts['corroborated']} corroborated by independent outlets, "
        f"{counts['conflicting']} conflicting, {counts['unique']} from one outlet only (method: {check.method})_",
        "",
    ]
    conflicting = check.having("conflicting")
    if conflicting:
        lines += ["### Where the outlets disagree", ""]
        for fact in conflicting:
            for c in fact.conflicts:
                lines.append(
                    f"- **{c.kind}**: {_say(c.a_outlets)} **{escape(c.a_value)}** "
                    f"(“{escape(c.a.text)}” [{number.get(c.a.article_id, '?')}]) — {_say(c.b_outlets)} "
                    f"**{escape(c.b_value)}** (“{escape(c.b.text)}” [{number.get(c.b.article_id, '?')}])"
                )
        lines.append("")
    corroborated = check.having("corroborated")
    if corroborated:
        lines += ["### Corroborated", ""]
        for fact in corroborated:
            lines.append(f"- {_sources_of(fact)}")
            lines += [f"  - [{number.get(s.article_id, '?')}] “{escape(s.text)}”{_credit(s)}" for s in fact.statements]
        lines.append("")
    unique = check.having("unique")
    if unique:
        lines += ["### Reported by one outlet only", ""]
        by_outlet: dict[tuple[str, ...], list[Fact]] = {}
        for fact in unique:
            by_outlet.setdefault(fact.outlets, []).append(fact)
        for outlets, facts in by_outlet.items():
            lines += [f"**{_who(outlets)}**", ""]
            lines += [f"- [{number.get(f.statements[0].article_id, '?')}] {escape(f.statements[0].text)}"
                      f"{_credit(f.statements[0])}" for f in facts]  # fmt: skip
            lines.append("")
    lines += _matrix(check, numbers_of, counts["unique"])
    return lines


def _matrix(check: CrossCheck, numbers_of: dict[str, list[int]], unique: int) -> list[str]:
    shown = [f for f in check.facts if f.status != "unique"]
    if not shown or len(check.outlets) < 2:
        return []
    header = (
        "| fact | status | "
        + " | ".join(f"{escape(o)} {''.join(f'[{n}]' for n in numbers_of.get(o, []))}" for o in check.outlets)
        + " |"
    )
    lines = ["### Coverage matrix", "", header, "|" + "---|" * (len(check.outlets) + 2)]
    for fact in shown:
        text = fact.statements[0].text
        text = text if len(text) <= _MATRIX_TEXT else text[:_MATRIX_TEXT].rsplit(" ", 1)[0] + "…"
        conflicted = {o for c in fact.conflicts for o in (*c.a_outlets, *c.b_outlets)}
        cells = ["✖" if o in conflicted else "✔" if o in fact.outlets else "" for o in check.outlets]
        cell = escape(text).replace("|", "\\|")
        lines.append(f"| {cell} | {_LABEL[fact.status]} | " + " | ".join(cells) + " |")
    per_outlet = [sum(1 for f in check.having("unique") if o in f.outlets) for o in check.outlets]
    counts = " | ".join(map(str, per_outlet))
    lines.append(f"| _facts only this outlet reports ({unique})_ | • unique | {counts} |")
    return [*lines, ""]


def _say(outlets: Sequence[str]) -> str:
    return f"{_who(outlets)} {'says' if len(outlets) == 1 else 'say'}"


def _who(outlets: Sequence[str]) -> str:
    return " and ".join(escape(o) for o in outlets) if len(outlets) <= 2 else escape(", ".join(outlets))


def _sources_of(fact: Fact) -> str:
    groups = [" = ".join(f"**{escape(o)}**" for o in group) for group in fact.sources]
    text = f"{len(fact.sources)} independent sources ({'; '.join(groups)})"
    if fact.via:
        text += f" — all citing {escape(fact.via)}: one chain of evidence"
    return text


def _credit(statement: Statement) -> str:
    return f" _(credited to {escape(statement.attribution)})_" if statement.attribution else ""


def _sources_and_texts(articles: Sequence[Article]) -> list[str]:
    return _sources(articles) + _texts(articles)


def _sources(articles: Sequence[Article]) -> list[str]:
    lines = ["## Sources", ""]
    for number, article in enumerate(articles, 1):
        lines.append(f"{number}. {_source_line(article)}")
    return lines


def _texts(articles: Sequence[Article]) -> list[str]:
    lines: list[str] = []
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
