"""Publication datelines: recognise a line that states a date, and parse it without inventing parts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Zone abbreviations common in English-language news pages. Ambiguous ones (IST, CST) take the
# reading most news sites use; a page that means otherwise usually writes an offset instead.
_ZONES: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 60, "IST": 330, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "WET": 0, "WEST": 60, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360,
    "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480,
    "HST": -600, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AWST": 480, "ACST": 570,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?"
_DATE_SHAPES = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"  # 28 March 2018
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # March 28, 2018
    r"|\d{4}-\d{2}-\d{2}"  # 2018-03-28
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4})\b",  # 28/03/2018
    re.IGNORECASE,
)
# British sites write "7.58am" and "17.58 BST": a dot between hour and minutes is a clock too.
_TIME = r"\d{1,2}(?::\d{2}){1,2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\.\d{2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_ZONE_NAMES = "|".join(sorted(_ZONES, key=len, reverse=True))
_ZONE = rf"(?:(?:UTC|GMT)?\s?[+-]\d{{1,2}}(?::?\d{{2}})?|{_ZONE_NAMES})"
# Words that may surround a date on a dateline; anything else means the line is prose.
_LABEL = re.compile(
    r"\b(?:published|updated|last|modified|posted|first|on|at|date|time|am|pm|a\.m\.|p\.m\.|"
    r"and|by|of|the|local|hours?|hrs)\b|[|•·:,–—-]",
    re.IGNORECASE,
)
_DATELINE_LABEL = re.compile(
    r"^(?:published|updated|last updated|posted|first published|date)(?:\s+on)?\s*:?\s*$", re.IGNORECASE
)
_MAX_DATELINE_WORDS = 14


def comparable(moment: datetime | None, missing: datetime = datetime.max) -> datetime:
    """Return ``moment`` as an aware time that sorts with others; None becomes ``missing``.

    A naive time's zone is unknown; reading it as UTC keeps orderings deterministic on every machine.
    """
    moment = missing if moment is None else moment
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_iso(text: object) -> datetime | None:
    """Return the time an ISO 8601 string states ("Z" and a space separator accepted), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def is_empty_dateline(line: str) -> bool:
    """Return True for a date label with no date after it, such as "Published on"."""
    return bool(_DATELINE_LABEL.match(line.strip()))


def parse_dateline(line: str) -> datetime | None:
    """Return the date a dateline states, or None if ``line`` is not a dateline.

    The result is timezone-aware when the line names a zone or offset, naive when it gives a local
    time without one, and midnight-naive when it gives only a day.
    """
    if len(line.split()) > _MAX_DATELINE_WORDS:
        return None
    match = _DATE_SHAPES.search(line)
    if match is None:
        return None
    rest = line[: match.start()] + " " + line[match.end() :]
    time_match = re.search(rf"(?<![\d:.])({_TIME})(?:\s*({_ZONE}))?(?![\w:.])", rest, re.IGNORECASE)
    leftover = rest
    if time_match:
        leftover = rest[: time_match.start()] + " " + rest[time_match.end() :]
    leftover = re.sub(rf"\b{_WEEKDAY}|{_LABEL.pattern}", " ", leftover, flags=re.IGNORECASE)
    if re.search(r"[A-Za-z]{2,}", leftover):
        return None  # prose that merely contains a date: "He arrived on 28 March 2018."
    day = _parse_day(match.group(0))
    if day is None:
        return None
    if time_match is None:
        return day
    clock = _parse_clock(time_match.group(1))
    if clock is None:
        return day
    moment = day.replace(hour=clock[0], minute=clock[1], second=clock[2])
    zone = _parse_zone(time_match.group(2)) if time_match.group(2) else None
    return moment.replace(tzinfo=zone) if zone is not None else moment


def _parse_day(text: str) -> datetime | None:
    from dateutil import parser  # imported here: dateutil's parser is slow to import

    # Numeric dates are day-first unless that is impossible; US sites write month names.
    numeric = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    try:
        if numeric:
            first, second, year = (int(part) for part in numeric.groups())
            day, month = (second, first) if first <= 12 < second else (first, second)
            return datetime(year, month, day)
        return parser.parse(text, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None


def _parse_clock(text: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?", text.strip(), re.IGNORECASE)
    if match is None:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _parse_zone(text: str) -> timezone | None:
    text = text.strip().upper()
    if text in _ZONES:
        return timezone(timedelta(minutes=_ZONES[text]))
    match = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?", text)
    if match is None:
        return None
    sign = 1 if match.group(1) == "+" else -1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
