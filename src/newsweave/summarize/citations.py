"""Which outlets support a summary sentence, with the span of their text that does.

An outlet supports a sentence taken from article A when it ran A (its own outlet, or a folded
copy), or when all of these hold:
- its statements stand in the cross-check's fact groups beside the sentence's statements, each
  sharing at least ``min_shared`` content words with the statement it stands beside;
- those statements together cover at least ``min_coverage`` of the sentence's characters;
- its articles state every figure and every name the sentence states: an outlet that reports the
  accident but not the "88mph" gust of the sentence does not support that sentence.
A statement that another outlet contradicts supports nothing, and is never supported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsweave.records import Article, Citation, CrossCheck, Span, SummarySource
from newsweave.statements import function_stems, stem, word_stems


@dataclass(frozen=True, slots=True)
class Support:
    """One outlet's support of a sentence: the evidence span, its fact, and the share of the sentence covered."""

    outlet: str
    evidence: Span
    fact: str | None
    coverage: float
    shared: int


def content_stems(text: str) -> frozenset[str]:
    function = function_stems()
    return frozenset(s for s in word_stems(text) if s not in function and len(s) > 1)


def support(
    article: Article,
    sentence_index: int,
    articles: Sequence[Article],
    crosscheck: CrossCheck,
    *,
    min_shared: int,
    min_coverage: float,
) -> list[Support]:
    """Every outlet that supports sentence ``sentence_index`` of ``article``, its own outlets first."""
    sentence = article.sentences[sentence_index]
    own = [
        Support(outlet, Span(article.id, sentence.start, sentence.end), None, 1.0, len(content_stems(sentence.text)))
        for outlet in article.outlets
    ]
    outlets_of = {a.id: a.outlets for a in articles}
    values = stated_values(sentence.text, sentence_start=True)
    said_by: dict[str, set[str]] = {}
    for other_article in articles:
        for outlet in other_article.outlets:
            said_by.setdefault(outlet, set()).update(stated_values(other_article.text))
    covered: dict[str, list[tuple[int, int]]] = {}
    best: dict[str, Support] = {}
    for fact in crosscheck.facts:
        contradicted = {s for conflict in fact.conflicts for s in (conflict.a, conflict.b)}
        mine = [
            s for s in fact.statements
            if s.article_id == article.id and s.sentence_index == sentence_index and s not in contradicted
        ]  # fmt: skip
        if not mine:
            continue
        for statement in mine:
            stems = content_stems(statement.text)
            for other in fact.statements:
                if other.article_id == article.id or other in contradicted:
                    continue
                shared = len(stems & content_stems(other.text))
                if shared < min_shared:
                    continue
                for outlet in outlets_of.get(other.article_id, ()):
                    if outlet in article.outlets or not values <= said_by[outlet]:
                        continue
                    covered.setdefault(outlet, []).append((statement.start, statement.end))
                    if outlet not in best or shared > best[outlet].shared:
                        best[outlet] = Support(outlet, other.span, fact.id, 0.0, shared)
    length = max(1, sentence.end - sentence.start)
    others = []
    for outlet, found in best.items():
        share = _union_length(covered[outlet], sentence.start, sentence.end) / length
        if share >= min_coverage:
            others.append(Support(outlet, found.evidence, found.fact, round(share, 3), found.shared))
    others.sort(key=lambda s: (-s.coverage, -s.shared, s.outlet))
    return own + others


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][\w’'-]*")


def stated_values(text: str, *, sentence_start: bool = False) -> set[str]:
    """The figures ("88", "52000") and capitalised words ("sandreach") of ``text``, normalised.

    With ``sentence_start`` the first word does not count as a name: every sentence capitalises it.
    """
    figures = {match.group().replace(",", "") for match in _FIGURE.finditer(text)}
    function = function_stems()
    names = [match for match in _CAPITALISED.finditer(text) if not (sentence_start and match.start() == 0)]
    # "Kim Jong-un" and "Kim Jong Un" name one man: a hyphen joins parts of a name, not two names.
    words = {part for m in names for part in m.group().lower().removesuffix("’s").removesuffix("'s").split("-") if part}
    return figures | {w for w in words if w not in function and stem(w) not in function}


def _union_length(ranges: Iterable[tuple[int, int]], start: int, end: int) -> int:
    """Characters of [start, end) that the ``ranges`` cover together."""
    total, reach = 0, start
    for first, last in sorted(ranges):
        first, last = max(first, reach), min(last, end)
        if last > first:
            total += last - first
            reach = last
    return total


def numbered(
    supports: Sequence[Sequence[Support]], articles: Sequence[Article]
) -> tuple[list[tuple[Citation, ...]], tuple[SummarySource, ...]]:
    """Citations numbered by the order outlets are first cited, and the numbered source list."""
    number: dict[str, int] = {}
    cited: list[tuple[Citation, ...]] = []
    for sentence_supports in supports:
        for found in sentence_supports:
            number.setdefault(found.outlet, len(number) + 1)
        citations = [Citation(s.outlet, number[s.outlet], s.evidence, s.fact) for s in sentence_supports]
        cited.append(tuple(sorted(citations, key=lambda c: c.number)))
    sources = tuple(
        SummarySource(n, outlet, tuple(a.id for a in articles if outlet in a.outlets)) for outlet, n in number.items()
    )
    return cited, sources
