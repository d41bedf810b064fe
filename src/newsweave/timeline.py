"""When things happened: the story's time expressions, dated against each article's publication day.

1. spaCy's NER finds the time expressions (DATE spans); durations ("about 24 hours", "two days")
   say how long, not when, and are left out.
2. Each expression is resolved to a date or a range with a granularity, against its article's
   publication date: absolute ones ("December 2011", "March 9", "1950-53", "2017"), weekdays
   ("on Monday": the last Monday up to that day, the next one after "will"/"next"), and relative
   ones ("earlier this month", "the end of April", "this spring", "in the months ahead", "this
   year"); dateparser (with the publication date as its base) reads what these rules do not.
3. An article without a publication date takes the earliest one of the story's other articles,
   or, failing that, the first full date its own text states; its entries are marked ``inferred``.
4. An entry is the expression, its date, the statement that holds it (its sentence) and the
   outlets; entries of different articles with the same date and like statements are one.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from newsweave.dates import comparable
from newsweave.records import Article, Granularity, Span, Story, TimelineEntry
from newsweave.statements import function_stems, word_stems

if TYPE_CHECKING:
    from spacy.tokens import Doc

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
} | {"sept": 9}  # fmt: skip
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DURATION = re.compile(
    r"^(?:about|around|some|nearly|almost|more than|less than|over|under|at least|up to|the|a|an|another|"
    r"several|few|many|\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\s|-)*"
    r"(?:hours?|days?|weeks?|months?|years?|decades?|centuries|minutes?|seconds?|nights?)(?:\s+(?:old|long|ago))?$",
    re.IGNORECASE,
)
_FUTURE = re.compile(r"\b(?:will|would|next|to be held|planned|plans?|scheduled|expected)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Resolved:
    start: date
    end: date
    granularity: Granularity


def timeline(story: Story, docs: Sequence[Doc]) -> tuple[TimelineEntry, ...]:
    """The story's dated entries, earliest first, from its articles parsed as ``docs`` (``nlp.parse``)."""
    entries: list[TimelineEntry] = []
    for article, doc in zip(story.articles, docs, strict=True):
        anchor, inferred = anchor_date(article, story.articles)
        starts = [s.start for s in article.sentences]
        for ent in doc.ents:
            if ent.label_ != "DATE" or _DURATION.match(ent.text.strip()) or not article.sentences:
                continue
            sentence = article.sentences[max(0, bisect.bisect_right(starts, ent.start_char) - 1)]
            resolved = resolve(ent.text, anchor, sentence.text)
            if resolved is None:
                continue
            uses_anchor = inferred and not _absolute(ent.text)
            entries.append(
                TimelineEntry(
                    start=resolved.start.isoformat(),
                    end=resolved.end.isoformat(),
                    granularity=resolved.granularity,
                    expression=ent.text,
                    statement=sentence.text.strip(),
                    spans=(Span(article.id, ent.start_char, ent.end_char),),
                    outlets=article.outlets,
                    inferred=uses_anchor,
                )
            )
    return tuple(sorted(_merged(entries), key=lambda e: (e.start, e.end, e.spans[0].article_id, e.spans[0].start)))


def anchor_date(article: Article, articles: Sequence[Article]) -> tuple[date | None, bool]:
    """The day relative expressions count from, and whether it was inferred rather than published.

    Without a publication date: the earliest of the story's other articles' dates; else the latest
    full date the article states (news reports what came before it, so the latest stated day is the
    nearest to its own; a birth date is not); else the latest any other article of the story states.
    """
    if article.date_publish is not None:
        return comparable(article.date_publish).date(), False
    others = [a.date_publish for a in articles if a.date_publish is not None]
    if others:
        return comparable(min(others, key=comparable)).date(), True
    stated = _stated_dates(article.text)
    if stated:
        return max(stated), True
    elsewhere = [day for other in articles if other is not article for day in _stated_dates(other.text)]
    return (max(elsewhere), True) if elsewhere else (None, False)


def _stated_dates(text: str) -> list[date]:
    found = []
    for pattern in (
        rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b",
        rf"\b(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>\d{{4}})\b",
    ):
        for match in re.finditer(pattern, text, re.IGNORECASE):
            day = _day(int(match.group("year")), _MONTHS[match.group("month").lower()], int(match.group("day")))
            if day is not None:
                found.append(day)
    return found


def _absolute(text: str) -> bool:
    return bool(re.search(r"\b\d{4}\b", text))


def resolve(expression: str, anchor: date | None, context: str = "") -> Resolved | None:
    """The date or range ``expression`` means, counted from ``anchor`` (``context``: its sentence)."""
    text = " ".join(expression.lower().replace("’", "'").split())
    text = re.sub(r"^(?:on|in|by|since|until|from|during|at|of)\s+", "", text)
    # "by May" says when something is due; "shot by police on Saturday" does not look ahead.
    future = bool(_FUTURE.search(context)) or bool(
        re.search(rf"\bby\s+(?:the\s+)?{re.escape(expression.strip())}", context, re.IGNORECASE)
    )
    for rule in (_years, _full_date, _month_year, _year, _month_day, _part_of_month, _month, _weekday, _relative):
        found = rule(text, anchor, future)
        if found is not None:
            return found
    return _dateparser(text, anchor)


def _years(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(r"(?:the\s+)?(\d{4})\s*[-–/]\s*(\d{2}|\d{4})", text)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if len(match.group(2)) == 4 else first // 100 * 100 + int(match.group(2))
    return Resolved(date(first, 1, 1), date(last, 12, 31), "range") if last >= first else None


def _full_date(text: str, anchor: date | None, future: bool) -> Resolved | None:
    for pattern in (
        rf"(?:\w+day,?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})",
        rf"(?:\w+day,?\s+)?(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})",
    ):
        match = re.fullmatch(pattern, text)
        if match:
            day = _day(int(match.group("year")), _MONTHS[match.group("month")], int(match.group("day")))
            return Resolved(day, day, "day") if day else None
    return None


def _month_year(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(rf"(?:early|mid|late|the\s+end\s+of|the\s+start\s+of)?\s*{_MONTH},?\s+(?P<year>\d{{4}})", text)
    if not match:
        return None
    month, year = _MONTHS[match.group("month")], int(match.group("year"))
    return _month_range(year, month, text)


def _year(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(r"(?:early|mid|late|the\s+end\s+of)?\s*(?:the\s+year\s+)?(\d{4})", text)
    if not match:
        return None
    year = int(match.group(1))
    return Resolved(date(year, 1, 1), date(year, 12, 31), "year") if 1000 <= year <= 2200 else None


def _month_day(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(rf"(?:\w+day,?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?", text) or re.fullmatch(
        rf"(?:\w+day,?\s+)?(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}", text
    )
    if not match or anchor is None:
        return None
    month, number = _MONTHS[match.group("month")], int(match.group("day"))
    year = _nearest_year(anchor, month, future)
    day = _day(year, month, number)
    return Resolved(day, day, "day") if day else None


def _part_of_month(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(rf"(?:the\s+)?(?P<part>end|beginning|start|middle)\s+of\s+(?:this\s+|next\s+)?{_MONTH}", text)
    if not match or anchor is None:
        match = re.fullmatch(rf"(?P<part>early|mid|late)[\s-]+{_MONTH}", text)
    if not match or anchor is None:
        return None
    month = _MONTHS[match.group("month")]
    return _month_range(_nearest_year(anchor, month, future), month, text)


def _month(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(rf"(?:(?P<which>this|next|last)\s+)?{_MONTH}", text)
    if not match or anchor is None:
        return None
    month, which = _MONTHS[match.group("month")], match.group("which")
    if which == "last":
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif which == "next":
        year = anchor.year if month > anchor.month else anchor.year + 1
    else:
        year = _nearest_year(anchor, month, future)
    return _month_range(year, month, text)


def _weekday(text: str, anchor: date | None, future: bool) -> Resolved | None:
    match = re.fullmatch(
        r"(?:(?P<which>last|next|this|early|late|on)\s+)?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
        r"(?:\s+(?:morning|afternoon|evening|night))?",
        text,
    )
    if not match or anchor is None:
        return None
    weekday = _WEEKDAYS[match.group("day")]
    which = match.group("which")
    if which == "next" or (future and which != "last"):
        ahead = (weekday - anchor.weekday()) % 7 or (7 if which == "next" else 0)
        day = anchor + timedelta(days=ahead)
    else:
        back = (anchor.weekday() - weekday) % 7 or (7 if which == "last" else 0)
        day = anchor - timedelta(days=back)
    return Resolved(day, day, "day")


def _relative(text: str, anchor: date | None, future: bool) -> Resolved | None:
    if anchor is None:
        return None
    year, month = anchor.year, anchor.month
    last_of_month = date(year, month, calendar.monthrange(year, month)[1])
    rules: dict[str, Resolved] = {
        "today": Resolved(anchor, anchor, "day"),
        "yesterday": Resolved(anchor - timedelta(days=1), anchor - timedelta(days=1), "day"),
        "tomorrow": Resolved(anchor + timedelta(days=1), anchor + timedelta(days=1), "day"),
        "this month": Resolved(date(year, month, 1), last_of_month, "month"),
        "earlier this month": Resolved(date(year, month, 1), anchor, "range"),
        "later this month": Resolved(anchor, last_of_month, "range"),
        "this year": Resolved(date(year, 1, 1), date(year, 12, 31), "year"),
        "earlier this year": Resolved(date(year, 1, 1), anchor, "range"),
        "later this year": Resolved(anchor, date(year, 12, 31), "range"),
        "last year": Resolved(date(year - 1, 1, 1), date(year - 1, 12, 31), "year"),
        "next year": Resolved(date(year + 1, 1, 1), date(year + 1, 12, 31), "year"),
        "this week": Resolved(
            anchor - timedelta(days=anchor.weekday()), anchor + timedelta(6 - anchor.weekday()), "range"
        ),
        "last week": Resolved(
            anchor - timedelta(days=anchor.weekday() + 7), anchor - timedelta(anchor.weekday() + 1), "range"
        ),
        "next week": Resolved(
            anchor + timedelta(7 - anchor.weekday()), anchor + timedelta(13 - anchor.weekday()), "range"
        ),
        "the months ahead": Resolved(anchor, _add_months(anchor, 6), "range"),
        "the coming months": Resolved(anchor, _add_months(anchor, 6), "range"),
        "the coming weeks": Resolved(anchor, anchor + timedelta(days=42), "range"),
        "recent weeks": Resolved(anchor - timedelta(days=42), anchor, "range"),
        "recent months": Resolved(_add_months(anchor, -6), anchor, "range"),
    }
    if text in rules:
        return rules[text]
    if text in ("last month", "next month"):
        moved = _add_months(date(year, month, 1), -1 if text == "last month" else 1)
        return _month_range(moved.year, moved.month, text)
    season = re.fullmatch(r"(?:this|last|next|the)\s+(spring|summer|autumn|fall|winter)", text)
    if season:
        first, last = _SEASONS[season.group(1)]
        shift = {"last": -1, "next": 1}.get(text.split()[0], 0)
        # Winter spans the new year: in the first half of a year, "this winter" began last December.
        start_year = year + shift - (1 if first == 12 and month <= 6 else 0)
        end_year = start_year + (1 if first == 12 else 0)
        return Resolved(
            date(start_year, first, 1), date(end_year, last, calendar.monthrange(end_year, last)[1]), "season"
        )
    return None


def _dateparser(text: str, anchor: date | None) -> Resolved | None:
    """What the rules above do not read ("two days ago", "last Tuesday"), read by dateparser from the anchor."""
    if anchor is None or not re.search(r"\b(?:ago|last|past|previous|earlier|later)\b", text):
        return None
    try:
        from datetime import datetime

        from dateparser.date import DateDataParser
    except ImportError:
        return None
    base = datetime(anchor.year, anchor.month, anchor.day)
    parser = DateDataParser(
        languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    )
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    if data.period == "month":
        return _month_range(day.year, day.month, text)
    if data.period == "year":
        return Resolved(date(day.year, 1, 1), date(day.year, 12, 31), "year")
    return Resolved(day, day, "day")


def _month_range(year: int, month: int, text: str) -> Resolved:
    last = calendar.monthrange(year, month)[1]
    if re.search(r"\b(?:end|late)\b", text):
        return Resolved(date(year, month, 21), date(year, month, last), "range")
    if re.search(r"\b(?:beginning|start|early)\b", text):
        return Resolved(date(year, month, 1), date(year, month, 10), "range")
    if re.search(r"\b(?:middle|mid)\b", text):
        return Resolved(date(year, month, 11), date(year, month, 20), "range")
    return Resolved(date(year, month, 1), date(year, month, last), "month")


def _nearest_year(anchor: date, month: int, future: bool) -> int:
    """The year a month without one falls in: the anchor's, or next year's when it is said to come."""
    if future and month < anchor.month:
        return anchor.year + 1
    if not future and month > anchor.month + 1:
        return anchor.year - 1  # "March 9" written in February is last year's ... unless said to come
    return anchor.year


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _merged(entries: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """Entries of one date whose statements share most content words, as one entry with every outlet."""
    kept: list[TimelineEntry] = []
    for entry in entries:
        words = _content(entry.statement)
        for i, other in enumerate(kept):
            if (other.start, other.end) != (entry.start, entry.end) or other.spans[0].article_id == entry.spans[
                0
            ].article_id:
                continue
            theirs = _content(other.statement)
            if words and theirs and len(words & theirs) / min(len(words), len(theirs)) >= 0.4:
                kept[i] = TimelineEntry(
                    start=other.start, end=other.end, granularity=other.granularity, expression=other.expression,
                    statement=other.statement, spans=other.spans + entry.spans,
                    outlets=tuple(dict.fromkeys(other.outlets + entry.outlets)),
                    inferred=other.inferred and entry.inferred,
                )  # fmt: skip
                break
        else:
            kept.append(entry)
    return kept


def _content(text: str) -> frozenset[str]:
    function = function_stems()
    return frozenset(s for s in word_stems(text) if s not in function and len(s) > 2)
