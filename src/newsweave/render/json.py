"""Stable JSON for newsweave records, with news-please field names for articles.

``maintext`` is ``Article.text``; dates are ISO 8601 (with the offset when the zone is known);
sentences are ``[start, end]`` character offsets into ``maintext``. Keys are always present (null
when unknown) and appear in a fixed order, so the same digest always serialises to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from newsweave.errors import FormatError
from newsweave.records import (
    Article,
    Citation,
    Conflict,
    ConflictKind,
    Copy,
    CrossCheck,
    Digest,
    Dropped,
    Entity,
    EntityType,
    Fact,
    FactStatus,
    Granularity,
    Mention,
    Origin,
    Problem,
    Quote,
    Sentence,
    Span,
    Statement,
    Story,
    Summary,
    SummarySentence,
    SummarySource,
    TimelineEntry,
)

SCHEMA = "newsweave.digest/1"
T = TypeVar("T")


def article_to_dict(article: Article) -> dict[str, Any]:
    """Return the JSON object of an article."""
    return {
        "id": article.id,
        "outlet": article.outlet,
        "title": article.title,
        "date_publish": article.date_publish.isoformat() if article.date_publish else None,
        "authors": list(article.authors),
        "description": article.description,
        "source_domain": article.source_domain,
        "url": article.url,
        "language": article.language,
        "origin": {
            "location": article.origin.location,
            "reader": article.origin.reader,
            "encoding": article.origin.encoding,
        },
        "maintext": article.text,
        "sentences": [[sentence.start, sentence.end] for sentence in article.sentences],
        "copies": [
            {
                "id": copy.article_id,
                "outlet": copy.outlet,
                "title": copy.title,
                "date_publish": copy.date_publish.isoformat() if copy.date_publish else None,
                "url": copy.url,
                "location": copy.location,
                "overlap": copy.overlap,
                "extra_text": copy.extra_text,
            }
            for copy in article.copies
        ],
    }


def story_to_dict(story: Story) -> dict[str, Any]:
    """Return the JSON object of a story."""
    return {
        "id": story.id,
        "title": story.title,
        "outlets": list(story.outlets),
        "summary": summary_to_dict(story.summary) if story.summary else None,
        "crosscheck": crosscheck_to_dict(story.crosscheck, story.articles) if story.crosscheck else None,
        "entities": [entity_to_dict(e) for e in story.entities] if story.entities is not None else None,
        "quotes": [quote_to_dict(q) for q in story.quotes] if story.quotes is not None else None,
        "timeline": [timeline_entry_to_dict(t) for t in story.timeline] if story.timeline is not None else None,
        "articles": [article_to_dict(article) for article in story.articles],
    }


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    """Return the JSON object of an entity; each mention is ``[article_id, start, end, text]``."""
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "salience": entity.salience,
        "variants": list(entity.variants),
        "outlets": list(entity.outlets),
        "mentions": [[m.span.article_id, m.span.start, m.span.end, m.text] for m in entity.mentions],
    }


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    """Return the JSON object of a quote: its words, speaker, and each report's span and outlet."""
    return {
        "id": quote.id,
        "text": quote.text,
        "speaker": quote.speaker,
        "speaker_entity": quote.speaker_entity,
        "speaker_span": _span(quote.speaker_span) if quote.speaker_span else None,
        "outlets": list(quote.outlets),
        "spans": [_span(span) for span in quote.spans],
    }


def timeline_entry_to_dict(entry: TimelineEntry) -> dict[str, Any]:
    """Return the JSON object of a timeline entry (``start``/``end`` ISO dates)."""
    return {
        "start": entry.start,
        "end": entry.end,
        "granularity": entry.granularity,
        "expression": entry.expression,
        "statement": entry.statement,
        "outlets": list(entry.outlets),
        "spans": [_span(span) for span in entry.spans],
        "inferred": entry.inferred,
    }


def summary_to_dict(summary: Summary) -> dict[str, Any]:
    """Return the JSON object of a story's summary: its text, sentences with citations, numbered sources.

    Each citation holds the outlet, its number in ``sources``, the supporting span
    ``[article_id, start, end]`` and the fact the outlet shares with the sentence (null: the
    outlet's own article holds the sentence).
    """
    return {
        "method": summary.method,
        "words": summary.words,
        "text": summary.text,
        "sentences": [
            {
                "text": sentence.text,
                "source": _span(sentence.source) if sentence.source else None,
                "sentence": sentence.sentence_index,
                "facts": list(sentence.facts),
                "citations": [
                    {"number": c.number, "outlet": c.outlet, "evidence": _span(c.evidence), "fact": c.fact}
                    for c in sentence.citations
                ],
            }
            for sentence in summary.sentences
        ],
        "sources": [{"number": s.number, "outlet": s.outlet, "articles": list(s.articles)} for s in summary.sources],
        "dropped": [{"text": d.text, "reason": d.reason} for d in summary.dropped],
        "note": summary.note,
    }


def crosscheck_to_dict(check: CrossCheck, articles: Sequence[Article]) -> dict[str, Any]:
    """Return the JSON object of a story's cross-check, with its coverage matrix (facts x outlets).

    A matrix cell lists the spans ``[article_id, start, end]`` by which that outlet states the
    fact (an outlet that ran a syndicated copy shares the copy's spans); empty: the outlet is silent.
    """
    outlets_of = {article.id: article.outlets for article in articles}
    rows = []
    for fact in check.facts:
        cells: dict[str, list[list[Any]]] = {outlet: [] for outlet in check.outlets}
        for statement in fact.statements:
            for outlet in outlets_of.get(statement.article_id, ()):
                cells.setdefault(outlet, []).append([statement.article_id, statement.start, statement.end])
        rows.append({"fact": fact.id, "status": fact.status, "cells": [cells[o] for o in check.outlets]})
    return {
        "method": check.method,
        "outlets": list(check.outlets),
        "counts": {status: len(check.having(status)) for status in ("corroborated", "unique", "conflicting")},
        "facts": [_fact_to_dict(fact, outlets_of) for fact in check.facts],
        "matrix": {"outlets": list(check.outlets), "rows": rows},
    }


def _fact_to_dict(fact: Fact, outlets_of: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    return {
        "id": fact.id,
        "status": fact.status,
        "text": fact.statements[0].text if fact.statements else "",
        "outlets": list(fact.outlets),
        "sources": [list(source) for source in fact.sources],
        "via": fact.via,
        "statements": [_statement_to_dict(s, outlets_of) for s in fact.statements],
        "conflicts": [
            {
                "kind": c.kind,
                "a": _side(c.a_value, c.a_span, c.a_outlets, _statement_to_dict(c.a, outlets_of)),
                "b": _side(c.b_value, c.b_span, c.b_outlets, _statement_to_dict(c.b, outlets_of)),
            }
            for c in fact.conflicts
        ],
    }


def _side(value: str, span: Span, outlets: Sequence[str], statement: dict[str, Any]) -> dict[str, Any]:
    return {"value": value, "span": _span(span), "outlets": list(outlets), "statement": statement}


def _statement_to_dict(statement: Statement, outlets_of: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    return {
        "article_id": statement.article_id,
        "outlets": list(outlets_of.get(statement.article_id, ())),
        "sentence": statement.sentence_index,
        "span": [statement.start, statement.end],
        "text": statement.text,
        "attribution": statement.attribution,
    }


def _span(span: Span) -> list[Any]:
    return [span.article_id, span.start, span.end]


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    """Return the JSON object of a digest."""
    return {
        "schema": SCHEMA,
        "newsweave_version": digest.version,
        "stories": [story_to_dict(story) for story in digest.stories],
        "problems": [{"source": p.source, "reason": p.reason, "kind": p.kind} for p in digest.problems],
    }


def dumps(digest: Digest) -> str:
    """Return the digest as indented JSON text (UTF-8 characters kept, not escaped)."""
    return json.dumps(digest_to_dict(digest), ensure_ascii=False, indent=2) + "\n"


def loads(text: str) -> Digest:
    """Return the digest serialised in ``text``; raise ``FormatError`` if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"not JSON: {error}") from error
    return digest_from_dict(data)


def digest_from_dict(data: object) -> Digest:
    """Return the digest of a JSON object made by ``digest_to_dict``."""
    obj = _object(data, "digest")
    if obj.get("schema") != SCHEMA:
        raise FormatError(f"digest schema is {obj.get('schema')!r}; this newsweave reads {SCHEMA!r}")
    problems = tuple(_problem(_object(item, "problem")) for item in _list(obj, "problems"))
    stories = tuple(story_from_dict(item) for item in _list(obj, "stories"))
    return Digest(stories=stories, problems=problems, version=str(obj.get("newsweave_version") or ""))


def _problem(obj: Mapping[str, Any]) -> Problem:
    kind = obj.get("kind")
    if kind == "error":
        return Problem(_text(obj, "source"), _text(obj, "reason"), "error")
    if kind == "skipped":
        return Problem(_text(obj, "source"), _text(obj, "reason"), "skipped")
    raise FormatError(f"problem kind {kind!r} is neither 'error' nor 'skipped'")


def story_from_dict(data: object) -> Story:
    """Return the story of a JSON object made by ``story_to_dict``."""
    obj = _object(data, "story")
    check, summary = obj.get("crosscheck"), obj.get("summary")
    return Story(
        id=_text(obj, "id"),
        title=_optional_text(obj, "title"),
        articles=tuple(article_from_dict(item) for item in _list(obj, "articles")),
        crosscheck=_crosscheck(_object(check, "crosscheck")) if check is not None else None,
        summary=_summary(_object(summary, "summary")) if summary is not None else None,
        entities=_optional_list(obj, "entities", _entity),
        quotes=_optional_list(obj, "quotes", _quote),
        timeline=_optional_list(obj, "timeline", _timeline_entry),
    )


def _optional_list(obj: Mapping[str, Any], key: str, read: Callable[[Mapping[str, Any]], T]) -> tuple[T, ...] | None:
    if obj.get(key) is None:
        return None
    return tuple(read(_object(item, key)) for item in _list(obj, key))


_ENTITY_TYPES: dict[str, EntityType] = {"PERSON": "PERSON", "ORG": "ORG", "PLACE": "PLACE", "EVENT": "EVENT"}
_GRANULARITIES: dict[str, Granularity] = {
    "day": "day", "month": "month", "season": "season", "year": "year", "range": "range",
}  # fmt: skip


def _entity(obj: Mapping[str, Any]) -> Entity:
    kind = _ENTITY_TYPES.get(str(obj.get("type")))
    salience = obj.get("salience")
    if kind is None or not isinstance(salience, int | float):
        raise FormatError("an entity needs a type (PERSON, ORG, PLACE, EVENT) and a numeric salience")
    mentions = []
    for item in _list(obj, "mentions"):
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[3], str)):
            raise FormatError("an entity mention must be [article_id, start, end, text]")
        mentions.append(Mention(_span_of(item[:3]), item[3]))
    return Entity(
        id=_text(obj, "id"), name=_text(obj, "name"), type=kind, mentions=tuple(mentions),
        variants=tuple(_strings(obj, "variants")), outlets=tuple(_strings(obj, "outlets")), salience=float(salience),
    )  # fmt: skip


def _quote(obj: Mapping[str, Any]) -> Quote:
    where = obj.get("speaker_span")
    return Quote(
        id=_text(obj, "id"), text=_text(obj, "text"), spans=tuple(_span_of(s) for s in _list(obj, "spans")),
        outlets=tuple(_strings(obj, "outlets")), speaker=_optional_text(obj, "speaker"),
        speaker_entity=_optional_text(obj, "speaker_entity"),
        speaker_span=_span_of(where) if where is not None else None,
    )  # fmt: skip


def _timeline_entry(obj: Mapping[str, Any]) -> TimelineEntry:
    granularity = _GRANULARITIES.get(str(obj.get("granularity")))
    if granularity is None:
        raise FormatError("a timeline entry's granularity must be day, month, season, year or range")
    return TimelineEntry(
        start=_text(obj, "start"), end=_text(obj, "end"), granularity=granularity, expression=_text(obj, "expression"),
        statement=_text(obj, "statement"), spans=tuple(_span_of(s) for s in _list(obj, "spans")),
        outlets=tuple(_strings(obj, "outlets")), inferred=obj.get("inferred") is True,
    )  # fmt: skip


def _summary(obj: Mapping[str, Any]) -> Summary:
    words = obj.get("words")
    if not isinstance(words, int):
        raise FormatError("summary 'words' must be an integer")
    return Summary(
        sentences=tuple(_summary_sentence(_object(item, "summary sentence")) for item in _list(obj, "sentences")),
        sources=tuple(_summary_source(_object(item, "summary source")) for item in _list(obj, "sources")),
        words=words,
        method=_text(obj, "method"),
        dropped=tuple(
            Dropped(_text(d, "text"), _text(d, "reason"))
            for d in (_object(item, "dropped sentence") for item in _list(obj, "dropped"))
        ),
        note=_optional_text(obj, "note"),
    )


def _summary_sentence(obj: Mapping[str, Any]) -> SummarySentence:
    index, source = obj.get("sentence"), obj.get("source")
    if index is not None and not isinstance(index, int):
        raise FormatError("summary sentence 'sentence' must be an integer or null")
    citations = []
    for item in _list(obj, "citations"):
        c = _object(item, "citation")
        number = c.get("number")
        if not isinstance(number, int):
            raise FormatError("citation 'number' must be an integer")
        citations.append(Citation(_text(c, "outlet"), number, _span_of(c.get("evidence")), _optional_text(c, "fact")))
    return SummarySentence(
        text=_text(obj, "text"),
        citations=tuple(citations),
        source=_span_of(source) if source is not None else None,
        sentence_index=index,
        facts=tuple(_strings(obj, "facts")),
    )


def _summary_source(obj: Mapping[str, Any]) -> SummarySource:
    number = obj.get("number")
    if not isinstance(number, int):
        raise FormatError("summary source 'number' must be an integer")
    return SummarySource(number, _text(obj, "outlet"), tuple(_strings(obj, "articles")))


_STATUSES: dict[str, FactStatus] = {"corroborated": "corroborated", "unique": "unique", "conflicting": "conflicting"}
_KINDS: dict[str, ConflictKind] = {"number": "number", "date": "date", "name": "name", "negation": "negation"}


def _crosscheck(obj: Mapping[str, Any]) -> CrossCheck:
    return CrossCheck(
        outlets=tuple(_strings(obj, "outlets")),
        facts=tuple(_fact(_object(item, "fact")) for item in _list(obj, "facts")),
        method=_text(obj, "method"),
    )


def _fact(obj: Mapping[str, Any]) -> Fact:
    status = _STATUSES.get(str(obj.get("status")))
    if status is None:
        raise FormatError(f"fact status {obj.get('status')!r} is not corroborated, unique or conflicting")
    return Fact(
        id=_text(obj, "id"),
        status=status,
        statements=tuple(_statement(_object(item, "statement")) for item in _list(obj, "statements")),
        outlets=tuple(_strings(obj, "outlets")),
        sources=tuple(tuple(_string_list(item, "source")) for item in _list(obj, "sources")),
        via=_optional_text(obj, "via"),
        conflicts=tuple(_conflict(_object(item, "conflict")) for item in _list(obj, "conflicts")),
    )


def _statement(obj: Mapping[str, Any]) -> Statement:
    start, end = _pair(obj.get("span"), "statement span")
    index = obj.get("sentence")
    if not isinstance(index, int):
        raise FormatError("statement 'sentence' must be an integer")
    text, attribution = _text(obj, "text"), _optional_text(obj, "attribution")
    return Statement(_text(obj, "article_id"), index, start, end, text, attribution)


def _conflict(obj: Mapping[str, Any]) -> Conflict:
    kind = _KINDS.get(str(obj.get("kind")))
    if kind is None:
        raise FormatError(f"conflict kind {obj.get('kind')!r} is not number, date, name or negation")
    a, b = _object(obj.get("a"), "conflict side"), _object(obj.get("b"), "conflict side")
    return Conflict(
        kind=kind,
        a=_statement(_object(a.get("statement"), "statement")),
        b=_statement(_object(b.get("statement"), "statement")),
        a_value=_text(a, "value"),
        b_value=_text(b, "value"),
        a_span=_span_of(a.get("span")),
        b_span=_span_of(b.get("span")),
        a_outlets=tuple(_strings(a, "outlets")),
        b_outlets=tuple(_strings(b, "outlets")),
    )


def _span_of(value: object) -> Span:
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)):
        raise FormatError("a span must be [article_id, start, end]")
    start, end = _pair(value[1:], "span")
    return Span(value[0], start, end)


def _pair(value: object, what: str) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(n, int) for n in value)):
        raise FormatError(f"{what} must be [start, end]")
    return value[0], value[1]


def _strings(obj: Mapping[str, Any], key: str) -> list[str]:
    return _string_list(_list(obj, key), key)


def _string_list(value: object, what: str) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        raise FormatError(f"{what} must be a list of strings")
    return value


def article_from_dict(data: object) -> Article:
    """Return the article of a JSON object made by ``article_to_dict``."""
    obj = _object(data, "article")
    origin = _object(obj.get("origin"), "article origin")
    article_id = _text(obj, "id")
    text = _text(obj, "maintext")
    sentences = []
    for index, pair in enumerate(_list(obj, "sentences")):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair)):
            raise FormatError(f"article {article_id}: sentence {index} is not [start, end]")
        start, end = pair
        if not 0 <= start <= end <= len(text):
            raise FormatError(f"article {article_id}: sentence {index} [{start}, {end}] is outside the text")
        sentences.append(Sentence(article_id, index, start, end, text[start:end]))
    moment = _date(_optional_text(obj, "date_publish"))
    authors = _list(obj, "authors")
    if not all(isinstance(name, str) for name in authors):
        raise FormatError(f"article {article_id}: authors must be strings")
    return Article(
        id=article_id,
        outlet=_text(obj, "outlet"),
        text=text,
        origin=Origin(_text(origin, "location"), _text(origin, "reader"), _optional_text(origin, "encoding")),
        title=_optional_text(obj, "title"),
        date_publish=moment,
        url=_optional_text(obj, "url"),
        source_domain=_optional_text(obj, "source_domain"),
        authors=tuple(cast(Sequence[str], authors)),
        description=_optional_text(obj, "description"),
        language=_optional_text(obj, "language"),
        sentences=tuple(sentences),
        copies=tuple(_copy(_object(item, "copy")) for item in _list(obj, "copies")),
    )


def _copy(obj: Mapping[str, Any]) -> Copy:
    overlap = obj.get("overlap")
    if not isinstance(overlap, int | float) or isinstance(overlap, bool):
        raise FormatError("copy 'overlap' must be a number")
    return Copy(
        article_id=_text(obj, "id"),
        outlet=_text(obj, "outlet"),
        location=_text(obj, "location"),
        title=_optional_text(obj, "title"),
        date_publish=_date(_optional_text(obj, "date_publish")),
        url=_optional_text(obj, "url"),
        overlap=float(overlap),
        extra_text=_text(obj, "extra_text"),
    )


def _date(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError as error:
        raise FormatError(f"date {text!r} is not ISO 8601") from error


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{key!r} must be a list")
    return value


def _text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise FormatError(f"{key!r} must be a string, not {type(value).__name__}")
    return value


def _optional_text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise FormatError(f"{key!r} must be a string or null")
    return value
