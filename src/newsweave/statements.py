"""Statements a reader would check, and what can be compared between two of them.

A statement is a sentence, or one clause of a sentence that packs several facts ("Kim confirmed
that North Korea is committed to denuclearisation and is willing to hold a summit"). Each keeps
the source the text credits for it ("according to Xinhua", "KCNA reported", "Sanders said").

``claim`` reads what the cross-check compares: word stems for similarity, and the parts whose
disagreement is a conflict: quantities with their units, dates, names with the words around them
(their role), and negated words. All of it is found with patterns, no model: English only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from newsweave.records import Article, Sentence, Statement

# ----------------------------------------------------------------------------------- statements

# A clause boundary: a semicolon, an item of a list of infinitives ("willing to keep in contact, to
# visit North Korea, and to send envoys"), or a conjunction that starts a new clause. " and " alone joins
# clauses only when a verb follows it at once ("... is committed to X and is willing to Y").
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?:and\s+)?(?=to\s+[a-z]+\b)|,\s+(?:and|but|while|whereas)\s+(?!(?:to|in|on|at|of|for|with|from|by|as|into|then)\b)"
    r"|\s+and\s+(?=(?:also\s+|then\s+)?(?:is|was|are|were|has|have|had|will|would|can|could|said|says|added|expressed|"
    r"pledged|agreed|called|asked|invited|told|promised|vowed|urged)\b)"
)
_MIN_CLAUSE_WORDS = 5
_RELATIVE = re.compile(r",\s+((?:which|who)\s[^,;:\"“”]+),")
_MIN_STATEMENT_WORDS = 4

_AGENCIES = {
    "xinhua": "Xinhua", "kcna": "KCNA", "yonhap": "Yonhap", "reuters": "Reuters", "afp": "AFP",
    "associated press": "AP", "ap": "AP", "tass": "TASS", "bbc": "BBC", "cnn": "CNN", "ria": "RIA",
    "agence france-presse": "AFP", "kyodo": "Kyodo", "dpa": "dpa", "bloomberg": "Bloomberg",
}  # fmt: skip
_VERBS = r"(?:said|says|say|reported|told|tells|announced|announces|added|stated|wrote|writes|claimed)"
_CAP = r"[A-Z][\w.’'&-]*"
_CAP_PHRASE = rf"{_CAP}(?:\s+(?:of\s+)?{_CAP}){{0,4}}"
_ATTRIBUTION = (
    re.compile(r"\baccording\s+to\s+(?P<src>[^,.;:\"“”()]{2,80})"),
    re.compile(rf"(?:^|[,\"”]\s*|\s)(?:{_VERBS})\s+(?P<src>{_CAP_PHRASE})(?=\s*(?:[,.;]|$))"),
    re.compile(
        rf"(?P<src>(?:(?:the|a|an)\s+)?(?:[\w’'-]+\s+){{0,5}}?(?:{_CAP_PHRASE}|state media|state television|"
        rf"officials?|police|the agency|the report|the ministry))\s+(?:has\s+|have\s+|had\s+)?{_VERBS}\b"
    ),
)
_PRONOUNS = frozenset("he she they it we i you this that who which".split())


def statements(article: Article) -> tuple[Statement, ...]:
    """Return the statements of ``article``: its sentences, split at clause boundaries."""
    found: list[Statement] = []
    for sentence in article.sentences:
        if len(sentence.text.split()) < _MIN_STATEMENT_WORDS or sentence.text.rstrip().endswith("?"):
            continue
        source = attribution(sentence.text)
        spans = sorted({*_clauses(sentence), *_relative_clauses(sentence)})
        for start, end in spans:
            text = article.text[start:end]
            found.append(Statement(article.id, sentence.index, start, end, text, source))
    return tuple(found)


def _relative_clauses(sentence: Sentence) -> Iterator[tuple[int, int]]:
    """Spans of the facts a sentence tucks between commas ("Kim's visit, which lasted about 24 hours, marks...").

    The clause is a statement of its own, and stays inside the sentence's statement too.
    """
    for match in _RELATIVE.finditer(sentence.text):
        if not _inside_quote(sentence.text, match.start()) and len(match.group(1).split()) >= _MIN_CLAUSE_WORDS:
            yield sentence.start + match.start(1), sentence.start + match.end(1)


def _clauses(sentence: Sentence) -> Iterator[tuple[int, int]]:
    """Character spans (in the article) of a sentence's clauses, quotes never cut."""
    text = sentence.text
    pieces: list[tuple[int, int]] = []  # (start, end) of each clause, the break between them left out
    begin = 0
    for match in _CLAUSE_BREAK.finditer(text):
        if _inside_quote(text, match.start()):
            continue
        left, right = text[begin : match.start()], text[match.end() :]
        if len(left.split()) >= _MIN_CLAUSE_WORDS and len(right.split()) >= _MIN_CLAUSE_WORDS:
            pieces.append((begin, match.start()))
            begin = match.end()
    pieces.append((begin, len(text)))
    for first, last in pieces:
        yield sentence.start + first, sentence.start + last


def _inside_quote(text: str, position: int) -> bool:
    before = text[:position]
    straight = before.count('"') % 2 == 1
    curly = before.count("“") > before.count("”")
    return straight or curly


def attribution(sentence: str) -> str | None:
    """Return the source ``sentence`` credits ("Xinhua", "Sarah Huckabee Sanders"), or None."""
    found: list[tuple[int, str]] = []
    for rank, pattern in enumerate(_ATTRIBUTION):
        for match in pattern.finditer(sentence):
            source = _source_name(match.group("src"))
            if source:
                # "according to X" first, then a reporting clause that closes the sentence ("..., KCNA
                # reported."), which credits all of it, then the first one.
                closing = not sentence[match.end() :].strip(" .\"”'’")
                found.append((0 if rank == 0 else 1 if closing else 2, source))
    return min(found, key=lambda item: item[0])[1] if found else None


def _source_name(phrase: str) -> str | None:
    phrase = phrase.strip(" ,.'\"“”’")
    lowered = phrase.lower()
    for key, name in _AGENCIES.items():
        if re.search(rf"\b{re.escape(key)}\b", lowered):
            return name
    words = phrase.split()
    if not words or lowered in _PRONOUNS or words[-1].lower() in _PRONOUNS:
        return None
    capitalised = [i for i, word in enumerate(words) if word[0].isupper() and word.lower() not in _TITLE_WORDS]
    if capitalised and capitalised[-1] == len(words) - 1:
        # The name at the end of the phrase: "the government-aligned Chinese outlet Xinhua" -> "Xinhua",
        # "White House spokeswoman Sarah Huckabee Sanders" -> "Sarah Huckabee Sanders".
        first = capitalised[-1]
        while first - 1 in capitalised:
            first -= 1
        return " ".join(words[first:]).removesuffix("’s").removesuffix("'s")
    if capitalised and len(words) - capitalised[0] <= 5:
        # A described source: "a top South Korean official" -> "South Korean official".
        return " ".join(words[capitalised[0] :])
    for generic in ("state media", "state television", "police", "officials", "official", "the ministry"):
        if generic in lowered:
            return generic
    return None


def source_key(source: str | None) -> str | None:
    """The part of an attribution that identifies a source: "Mr Xi" and "Xi Jinping" differ, "Xinhua" is one."""
    if source is None:
        return None
    return source.lower().split()[-1]


# ---------------------------------------------------------------------------------------- claims


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str
    approximate: bool
    start: int  # offsets in the statement's text
    end: int
    # "at least 10", "more than 10": the value is a floor ("min"); "up to 10", "fewer than 10": a ceiling ("max").
    bound: str = ""
    # Stems of the noun phrase the figure counts ("six possible gang members": possibl, gang, member), so that
    # "seven submarine cables" and "three undersea cables" count one thing.
    phrase: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DateMention:
    kind: str  # weekday, month, year, day
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Name:
    tokens: frozenset[str]
    before: str  # the word before and after the name, lower case: its role in the clause
    after: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Negation:
    head: str  # stem of the negated word
    start: int  # the negating word
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """What the cross-check reads of one statement."""

    statement: Statement
    stems: tuple[str, ...]
    quantities: tuple[Quantity, ...]
    numbers: frozenset[float]  # every number's value, with a unit or not
    dates: tuple[DateMention, ...]
    names: tuple[Name, ...]
    negations: tuple[Negation, ...]
    # Polar words (official/unofficial, confirmed/denied, will/may) and the stem that follows each.
    polar: tuple[tuple[str, str, int, int], ...]
    # (stem, position) of every word, for "is this word negated here?"
    words: tuple[tuple[str, int, int], ...]


_WORD = re.compile(r"[^\W\d_](?:[\w’'.-]*[^\W_])?|\d+(?:[.,:]\d+)*")
_STOP = frozenset(
    """
    a an the and or but of to in on at by for with from as into onto about than that this these those it its is are
    was were be been being has have had do does did will would can could may might must shall should he she they them
    his her their we our you your i me my who whom whose which what when where while also not no n't so if then there
    here just very more most over such only after before up out said says say told tell mr mrs ms dr
    """.split()
)
_IRREGULAR = {
    "met": "meet", "meets": "meet", "held": "hold", "holds": "hold", "took": "take", "made": "make", "went": "go",
    "began": "begin", "begun": "begin", "gave": "give", "given": "give", "saw": "see", "seen": "see", "came": "come",
    "left": "leave", "won": "win", "lost": "lose", "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise",
    "killed": "kill", "died": "die", "dead": "die", "death": "die", "deaths": "die", "struck": "strike",
    "hit": "strike", "caught": "catch", "brought": "bring", "sent": "send", "found": "find", "thought": "think",
    "denuclearization": "denuclearis", "denuclearize": "denuclearis", "trip": "visit", "trips": "visit",
    "willing": "willing", "arrested": "arrest", "said": "say", "says": "say", "denied": "deny", "denies": "deny",
    "dies": "die", "spoke": "speak", "spoken": "speak", "wrote": "write", "written": "write",
}  # fmt: skip
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "hundred": 100, "thousand": 1000,
}  # fmt: skip
_SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = re.compile(
    r"(?:\b|(?<=\$US)|(?<=\$A))(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")(?:[\s-](?:"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r"))*)(?:(?P<glued>mph|km/h|kph|km|kg|cm|mm|ft|lbs?|bn|m)\b|(?!\w))"
    r"(?:(?:\s+|\s*-\s*)(?P<scale>hundred|thousand|million|billion|trillion)\b)?"
    r"(?P<pct>\s*%|\s+per\s*cent|\s+percent)?",
    re.IGNORECASE,
)
_APPROXIMATE = re.compile(
    r"(?:about|around|nearly|almost|roughly|some|approximately|more than|over|at least|up to|under|less than|"
    r"fewer than|close to|upwards of|estimated)\s+$",
    re.IGNORECASE,
)
_FLOOR = re.compile(r"\b(?:at\s+least|more\s+than|over|upwards\s+of|in\s+excess\s+of)\s+$", re.IGNORECASE)
_CEILING = re.compile(r"\b(?:up\s+to|under|less\s+than|fewer\s+than|at\s+most|no\s+more\s+than)\s+$", re.IGNORECASE)
_GLUED_UNITS = {"kph": "km/h", "lb": "lbs", "m": "metre"}
_SPLIT_NOT = re.compile(r"n ([’']) t\b")
_GLUED = re.compile(r"(?:[\w.:/]|[A-Za-z\d]-)$")
_CURRENCY = re.compile(r"(?:^|\W)(?:US|A|C|NZ|HK)?[$£€](?:US)?$")
_AFTER_NAME = re.compile(r"[A-Z][\w.]*\s+$")
_FIRST_WORD = re.compile(r"(?:^|[.!?]\s+)\S+\s+$")
# A score or a won-lost record: "65-53", "65 - 53", "45-7"; then a word a result goes with, or punctuation.
_SCORE = re.compile(
    r"\s?-\s?(?P<second>\d{1,3})(?![\d:]|[.,]\d|\s?-\s?\d)(?=\s*(?:[,.;:)]|$|(?i:start|win|victory|defeat|loss|lead|"
    r"record|in|on|at|over|to|and|with|for|after|before|KOs?)\b))"
)
# An age in apposition: "Williams, 91, died", "(Gaetano Lo Presti, 52)".
# A name, not a code with digits ("IE6, 7, 8" lists versions).
_AGE = re.compile(r"[A-Z][^\W\d_]*(?:[.'’-][^\W\d_]*)*,\s*$")
# Text split into tokens and joined again writes "5.4" as "5. 4", "4 1/2" as "41 / 2", "120,000" as "120, 000".
_SPLIT_NUMBER = re.compile(r"\d(?:\.\s|\s/\s)$")
_SPLIT_NUMBER_HEAD = re.compile(r"(?<![\d,])\d{1,3},\s$")
_CLOCK = re.compile(r"\s*(?::|[.:]\d|(?:am|pm|a\.m\.|p\.m\.|gmt|bst|utc|et|edt|est|pst|pdt)\b)", re.IGNORECASE)
# An age said without "years old": "dies at 73", "died yesterday aged 99", "Smith, age 61", "Dies At Age 95", "at
# the age of 85".
_AGE_CUE = re.compile(
    r"(?:\b(?:dies|died|dead|death)\s+(?:[\w,]+\s+){0,3}?(?:at|aged)\s+(?:age\s+)?|\baged\s+|\bage\s+(?:of\s+)?)$",
    re.IGNORECASE,
)
_MAGNITUDE_BEFORE = re.compile(r"\b(?:magnitude\s+(?:of\s+)?|measuring\s+|measured\s+)$", re.IGNORECASE)
_MAGNITUDE_AFTER = re.compile(r"\s+(?:on\s+the\s+)?Richter\b|\s*-?\s*magnitude\b", re.IGNORECASE)
# An amount in brackets right after another amount converts it: "a?110 - billion ($143 - billion)".
_CONVERSION = re.compile(
    r"\d[\w.,-]*(?:\s*-?\s*(?:million|billion|trillion|euros?|pounds?|dollars?))?\s*\(\s*(?:US)?[$£€]?$"
)
_AGO = re.compile(r"\s+(?:ago|earlier|later|before|after|since|previously)\b", re.IGNORECASE)
# A running or final total ("a total of 31 magazines", "52 passes this season") counts more than one event's.
_TOTAL = re.compile(
    r"\b(?:total|totals|altogether|in all|so far|to date|this season|career|cumulative)\b", re.IGNORECASE
)
_PARENT_OF = re.compile(r"\b(?:mother|father|mom|mum|dad|parents?)\s+of\s+$", re.IGNORECASE)
_OF_THE = re.compile(r"\s+of\s+(?:the|its|their|his|her)\s+([a-z]+)\b(?:\s+([a-z]+)\b)?")
_BRITISH = re.compile(r"(met|lit|cent|kilomet|millimet|centimet)re", re.IGNORECASE)
_PHRASE_WORD = re.compile(r"[\s-]+([A-Za-z][\w'’]*)")
# Words after which a noun phrase has ended: prepositions and verbs that follow a count.
_PHRASE_BREAKS = frozenset(
    """
    between across near outside inside under against during since through among around off along toward towards
    including whose went were are was had have has who which that found remain remained
    """.split()
)
# Units compared with their own kind only, whatever the words after them.
OWN_KIND = frozenset({"percent", "usd", "gbp", "eur", "age", "score", "magnitude"})
_NOT_UNITS = frozenset(
    """
    just after before near when while since until about around ago earlier later more less than then last this
    each per against between during
    """.split()
)
_DURATION_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0, "year": 8766.0}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_DATE = re.compile(
    r"\b(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b"
    r"|\b(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b)?"
    r"|\b(?P<year>(?:19|20)\d\d)\b(?!\s*(?:people|persons|dead|killed)|-\d)"
)
_MONTH_CUE = re.compile(r"\b(?:in|by|since|until|of|early|late|mid|last|next)\s+$")
# "no" alone is left out: "no details" / "in detail" is wording, not a denial.
_NEGATORS = frozenset(
    {
        "not",
        "n't",
        "never",
        "cannot",
        "nobody",
        "no-one",
        "noone",
        "nothing",
        "none",
        "cant",
        "dont",
        "wont",
        "isnt",
        "wasnt",
        "didnt",
    }
)
_CONDITIONS = frozenset({"if", "unless"})
# Words skipped between a negator and the word it negates ("has not yet been charged", "no one was hurt").
_NEGATION_FILLER = frozenset(
    "yet be been being ever also even have has had to any officially one longer is are was were will would can could "
    "do does did".split()
)
_POLAR_PAIRS = (
    ("official", "unofficial"), ("confirm", "deny"), ("accept", "reject"), ("accept", "decline"),
    ("approve", "reject"), ("win", "lose"), ("guilty", "innocent"), ("alive", "die"), ("rise", "fall"),
    ("increase", "decrease"), ("agree", "refuse"), ("legal", "illegal"), ("likely", "unlikely"),
    ("able", "unable"), ("will", "may"), ("will", "might"), ("will", "could"), ("admit", "deny"),
    ("say", "deny"), ("possible", "impossible"),
)  # fmt: skip
# Pairs of verbs whose objects may be worded differently; the other pairs must qualify the same
# word ("will visit" / "may visit", "official visit" / "unofficial trip") to disagree.
_POLAR_VERBS = ("confirm", "deny", "accept", "reject", "decline", "approve", "admit", "say", "agree", "refuse")
_NOT_NAMES = frozenset(
    """
    the a an in on at by for but and or of to he she it they we i this that these those his her their its
    mr mrs ms dr president prime minister secretary general chairman leader spokesman spokeswoman officials
    """.split()
)
_TITLE_WORDS = frozenset("mr mrs ms dr the a an".split())
_ALIASES = {
    "u.s": "united states", "us": "united states", "usa": "united states", "america": "united states",
    "u.s.": "united states", "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom",
    "dprk": "north korea", "un": "united nations", "u.n.": "united nations",
}  # fmt: skip


def stem(word: str) -> str:
    """A cheap English stem: irregular forms mapped, common suffixes cut, then the first 7 letters."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'.-")
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    else:
        for suffix in ("ations", "ation", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
                break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # "decline" and "declined" meet at "declin"
    return word.replace("iz", "is")[:7]


def claim(statement: Statement, name_vocabulary: frozenset[str] = frozenset()) -> Claim:
    """Return what can be compared of ``statement``.

    ``name_vocabulary`` holds the story's words seen capitalised inside a sentence: a capitalised
    first word counts as a name only if it is one ("Kim met Xi", but not "Despite recent sanctions").
    """
    text = statement.text
    # "hadn ’ t" (text split into tokens and joined again) reads as "hadn’t", same length, same offsets.
    readable = _SPLIT_NOT.sub(lambda m: f"n{m.group(1)}t  ", text)
    words = tuple((match.group(), match.start(), match.end()) for match in _WORD.finditer(readable))
    numbers = frozenset(_scaled(m) for m in _NUMBER.finditer(text) if _number_value(m.group("num")) is not None)
    stems = tuple(stem(word) for word, _, _ in words if word.lower() not in _STOP and len(word) > 1)
    dates = tuple(_dates(text))
    taken = [(d.start, d.end) for d in dates]
    # A headline in title case ("Hiller Charged With Two Counts Of Murder") reads as running names; its figures
    # are read from the same text in lower case (the same offsets).
    figures = _lower_case(text) if title_case(words) else text
    quantities = tuple(q for q in _quantities(figures) if not any(s <= q.start < e for s, e in taken))
    return Claim(
        statement=statement,
        stems=stems,
        quantities=quantities,
        numbers=numbers,
        dates=dates,
        names=tuple(_names(words, name_vocabulary, taken)),
        negations=tuple(_negations(words)),
        polar=tuple(_polar(words)),
        words=tuple((stem(word), start, end) for word, start, end in words),
    )


def title_case(words: Sequence[tuple[str, int, int]]) -> bool:
    """Whether a text (its words with their offsets) is a headline in title case: hardly a word of four letters
    or more in lower case.

    A sentence full of names ("The Los Angeles Angels of Anaheim offered ... Mark Teixeira") still writes its
    verbs and nouns in lower case.
    """
    long = [word for word, _, _ in words if len(word) > 3 and word[0].isalpha()]
    return len(long) >= 3 and sum(1 for word in long if word[0].islower()) <= 0.2 * len(long)


def _lower_case(text: str) -> str:
    """``text`` in lower case, letter for letter ("İ" would lower to two characters: kept)."""
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _quantities(text: str) -> Iterator[Quantity]:
    for match in _NUMBER.finditer(text):
        raw = match.group("num")
        before = text[: match.start()]
        if _GLUED.search(before) and not _CURRENCY.search(before):
            continue  # part of a word, a code (AK-47), a fraction or a decimal
        if _SPLIT_NUMBER.search(before) or (_SPLIT_NUMBER_HEAD.search(before) and re.fullmatch(r"\d{3}", raw)):
            continue  # the end of a number split by tokenising: "5. 4 per cent", "4 1 / 2", "120, 000"
        value = _number_value(raw)
        if value is None:
            continue
        if match.group("scale"):
            value *= _SCALES[match.group("scale").lower()]
        after = text[match.end() :]
        score = _SCORE.match(after)
        if score and raw.isdigit() and not re.search(r"(?:[\d.-]|\d,)\s*$", before):
            # "beat Drake 65-53", "a 9-14 start": one result, both numbers compared as one value.
            second = float(score.group("second"))
            yield Quantity(value * 1000 + second, "score", False, match.start(), match.end() + score.end("second"))
            continue
        if (
            _CLOCK.match(after)
            or re.match(r"\s*(?:-|to)\s*[$£€]?\s*\d", after)
            or re.search(r"\d(?::|\s-)\s*$", before)
        ):
            continue  # a clock time, or a range such as 1950-53
        if (
            raw.isdigit()
            and value < 120
            and ((_AGE.search(before) and re.match(r"\s*(?:[,;)]|\.(?!\d)|$)", after)) or _AGE_CUE.search(before))
        ):
            # "Lo Presti, 52, was found", "dies at 73", "died yesterday aged 99", "Smith, age 61"
            yield Quantity(value, "age", False, match.start(), match.end())
            continue
        if _MAGNITUDE_BEFORE.search(before) or _MAGNITUDE_AFTER.match(after):
            # "measuring 5.6 on the Richter scale", "a magnitude of 5.6"
            yield Quantity(value, "magnitude", False, match.start(), match.end())
            continue
        if _AFTER_NAME.search(before) and not _FIRST_WORD.search(before):
            continue  # an identifier: Route 52, Flight 370, Apollo 11
        unit = _unit(text, match, after)
        if unit is None or unit[0] == "part":
            continue
        approximate = bool(_APPROXIMATE.search(text[: match.start()]))
        bound = _bound(text[: match.start()])
        if _CONVERSION.search(before):
            continue  # "euro110 billion ($144 billion)": a conversion, at whatever rate the writer took
        glued = match.group("glued") or unit[0] in OWN_KIND
        phrase = frozenset() if glued else _phrase(after)
        yield Quantity(value, unit[0], approximate, match.start(), match.end() + unit[1], bound, phrase)


def _bound(before: str) -> str:
    """Whether the words before a figure make it a floor ("min"), a ceiling ("max") or neither."""
    if _FLOOR.search(before):
        return "min"
    if _CEILING.search(before):
        return "max"
    return ""


def _scaled(match: re.Match[str]) -> float:
    value = _number_value(match.group("num")) or 0.0
    return value * _SCALES[match.group("scale").lower()] if match.group("scale") else value


def _number_value(raw: str) -> float | None:
    if raw[0].isdigit():
        return float(raw.replace(",", ""))
    total, current = 0.0, 0.0
    for part in re.split(r"[\s-]+", raw.lower()):
        number = _NUMBER_WORDS.get(part)
        if number is None:
            return None
        if number in (100, 1000) and part in ("hundred", "thousand"):
            current = max(current, 1.0) * number
            if number == 1000:
                total, current = total + current, 0.0
        elif part == "dozen":
            current = max(current, 1.0) * 12
        else:
            current += number
    return total + current


def _unit(text: str, match: re.Match[str], after: str) -> tuple[str, int] | None:
    """The unit of a number and how many characters after the number it reaches; None: not a quantity."""
    if match.group("pct"):
        return "percent", 0
    glued = (match.group("glued") or "").lower()
    if glued in ("bn", "m") and re.search(r"[$£€]$", text[: match.start()]):
        return None  # "$1.5bn": the scale is not applied to a glued suffix; too rare to be worth it
    if glued:
        return stem(_GLUED_UNITS.get(glued, glued)), 0
    before = text[: match.start()]
    if before.endswith(("$", "US$", "$US")):
        return "usd", 0
    if before.endswith(("£",)):
        return "gbp", 0
    if before.endswith(("€",)):
        return "eur", 0
    if re.match(r"(?:\s*-\s*|\s+)(?:more|other|additional|further|extra)\b", after):
        return ("part", 0)  # "two other victims" counts part of a whole
    if re.match(r"\s+block\s+of\b", after, re.IGNORECASE):
        return None  # "the 12000 block of East 223rd Street": an address, and two reports may round it apart
    if _PARENT_OF.search(before):
        return stem("children"), 0  # "a mother of 12"
    counted = _OF_THE.match(after)
    if counted and counted.group(1) not in _STOP:
        # "capturing 23 of the raiders", "23 of the armed raiders": the figure alone is the span
        noun = counted.group(2)
        if not noun or noun in _STOP or noun in _PHRASE_BREAKS or noun.endswith(("ing", "ed")):
            noun = counted.group(1)
        return stem(_spelled(noun)), 0
    following = re.match(
        r"(?:\s*-\s*|\s+)(?:(?:new|total|straight|consecutive|first|last|top|full)\s+)?([a-zA-Z]+)", after
    )
    if not following:
        return None
    word = following.group(1).lower()
    if following.group(1)[0].isupper():
        # "23 Somalian pirates", "23 Somali and Yemeni pirates": capitalised adjectives, then the unit; else a
        # name ("Route 52 Main").
        noun = re.match(r"(?:\s+(?:and|or)\s+[A-Z][a-z]+)?\s+([a-z]+)\b", after[following.end() :])
        if not noun or noun.group(1) in _STOP or noun.group(1) in _NOT_UNITS:
            return None
        return stem(_spelled(noun.group(1))), following.end() + noun.end()
    if word in _STOP or word in _NOT_UNITS:
        return None
    if word == "miles" and after[following.end() :].startswith(" per hour"):
        return "mph", following.end() + len(" per hour")
    unit = stem(_spelled(word))
    for duration, _ in _DURATION_HOURS.items():
        old = re.match(r"\s*-\s*years?\s*-?\s*old|\s+years?\s+old", after)
        if old:
            return "age", old.end()  # "a 35-year-old deputy" and "Ortiz, 35," state one thing
        if unit.startswith(duration):
            if _AGO.match(after[following.end() :]):
                # "three weeks ago", "two weeks before the shooting": when something happened, not how long
                # it lasted ("hospitalized for four weeks"); compared only with its own kind.
                return f"ago:{duration}", following.end()
            return f"duration:{duration}", following.end()
    return unit, following.end()


def _spelled(word: str) -> str:
    """British and American spellings of a unit as one: "metres" and "meters" measure alike."""
    return _BRITISH.sub(lambda m: m.group(1) + "er", word.lower())


def _phrase(after: str) -> frozenset[str]:
    """Stems of the noun phrase after a figure: up to three words, to the first that cannot be in it."""
    found: list[str] = []
    position = 0
    while len(found) < 3 and (match := _PHRASE_WORD.match(after, position)):
        lower = match.group(1).lower()
        if lower in _STOP or lower in _NOT_UNITS or lower in _PHRASE_BREAKS:
            break
        if found and lower.endswith(("ing", "ed")):
            break  # "two TDCJ officers driving him", "two women killed"
        found.append(stem(_spelled(lower)))
        position = match.end()
    return frozenset(found)


def is_total(text: str) -> bool:
    """Whether a statement gives running or final totals ("a total of 31 magazines", "this season")."""
    return _TOTAL.search(text) is not None


def same_amount(a: Quantity, b: Quantity) -> bool | None:
    """Whether two quantities agree; None when they measure different things.

    Two counts measure one thing when their units agree or their noun phrases share a word ("six possible
    gang members" / "two male gang members"); amounts of money, durations, ages, scores and shares only
    with their own kind.
    """
    a_unit, b_unit = a.unit, b.unit
    a_value, b_value = a.value, b.value
    if a_unit.startswith("duration:") and b_unit.startswith("duration:"):
        a_value *= _DURATION_HOURS[a_unit.split(":")[1]]
        b_value *= _DURATION_HOURS[b_unit.split(":")[1]]
    elif a_unit != b_unit and not (
        a.phrase & b.phrase and a_unit not in OWN_KIND and b_unit not in OWN_KIND and ":" not in a_unit + b_unit
    ):
        return None
    if a_unit == "score":
        return a_value == b_value  # 31-28 and 31-24 differ by one point in a thousand: never "about the same"
    # "at least two ladder trucks" agrees with "three ladder trucks"; "up to 50" with "40".
    # Two floors ("at least 10" / "at least 14") are two different counts.
    for x, y, x_value, y_value in ((a, b, a_value, b_value), (b, a, b_value, a_value)):
        if y.bound:
            continue
        if (x.bound == "min" and y_value >= x_value) or (x.bound == "max" and y_value <= x_value):
            return True
    tolerance = 0.2 if (a.approximate or b.approximate) else 0.01
    return abs(a_value - b_value) <= tolerance * max(abs(a_value), abs(b_value), 1e-9)


def _dates(text: str) -> Iterator[DateMention]:
    for match in _DATE.finditer(text):
        if re.search(r"\b(?:said|says|told|announced|reported|added|stated)\s+(?:on\s+)?$", text[: match.start()]):
            continue  # when a source spoke ("police said Saturday"), not when the fact happened
        if text[match.end() : match.end() + 2] in ("'s", "’s"):
            continue  # "Sunday's game": a day that names another event
        if match.group("weekday"):
            yield DateMention("weekday", match.group("weekday").lower(), match.start(), match.end())
        elif match.group("month"):
            raw = match.group("month").lower()
            month = _MONTH_ABBREVIATIONS.get(raw, raw)
            if month == "may" and not match.group("day") and not _MONTH_CUE.search(text[: match.start()]):
                continue  # "may" the verb, or Theresa May
            yield DateMention("month", month, match.start(), match.end())
            if match.group("day"):
                yield DateMention("day", f"{month} {int(match.group('day'))}", match.start(), match.end())
        else:
            yield DateMention("year", match.group("year"), match.start(), match.end())


def _names(
    words: Sequence[tuple[str, int, int]], vocabulary: frozenset[str], taken: Sequence[tuple[int, int]]
) -> Iterator[Name]:
    run: list[int] = []
    for index, (word, start, _) in enumerate([*words, ("", 0, 0)]):
        is_name = (
            bool(word)
            and word[0].isupper()
            and word.lower().strip(".") not in _NOT_NAMES
            and not any(s <= start < e for s, e in taken)
            and (index > 0 or word.lower() in vocabulary)
            and word.lower() not in _WEEKDAYS
        )
        if is_name:
            run.append(index)
            continue
        if run:
            yield _name(words, run)
            run = []


def _name(words: Sequence[tuple[str, int, int]], run: Sequence[int]) -> Name:
    tokens = set[str]()
    phrase = " ".join(words[i][0] for i in run).lower().replace("’s", "").replace("'s", "")
    if phrase in _ALIASES:
        tokens.add(_ALIASES[phrase])
    else:
        for i in run:
            token = words[i][0].lower().replace("’", "'").removesuffix("'s")
            tokens.update(part for part in re.split(r"[-.]", token) if part)
    # The role is told by the words around the name, determiners skipped: "against the Tar Heels"
    # and "for the Purple Aces" are two roles, not one.
    index = run[0] - 1
    while index >= 0 and words[index][0].lower() in ("the", "a", "an"):
        index -= 1
    before = words[index][0].lower() if index >= 0 else ""
    after = words[run[-1] + 1][0].lower() if run[-1] + 1 < len(words) else ""
    return Name(frozenset(tokens), before, after, words[run[0]][1], words[run[-1]][2])


def _negations(words: Sequence[tuple[str, int, int]]) -> Iterator[Negation]:
    lowered = [word.lower().replace("’", "'") for word, _, _ in words]
    for index, word in enumerate(lowered):
        following_word = lowered[index + 1 : index + 2]
        yet_to = word == "yet" and following_word == ["to"]  # "had yet to regain"
        no_one = word == "no" and following_word in (["one"], ["longer"])
        negator = word in _NEGATORS or word.endswith("n't") or yet_to or no_one
        if not negator or (index > 0 and lowered[index - 1] in ("or", "whether")):
            continue  # "whether or not" negates nothing
        if any(w in _CONDITIONS for w in lowered[max(0, index - 6) : index]):
            continue  # "if the rule is not struck down": a condition, not a statement of fact
        for following in range(index + 1, min(index + 5, len(words))):
            if lowered[following] in _NEGATION_FILLER:
                continue
            if lowered[following + 1 : following + 2] in (["only"], ["just"], ["merely"]):
                break  # "did not send only three observers": it sent more, and so did send
            if lowered[following] not in _STOP and lowered[following] != "until":
                yield Negation(stem(words[following][0]), words[index][1], words[index][2])
            break


def digits(text: str) -> str:
    """``text`` with number words written as figures ("Fourteen people" -> "14 people"), for comparing values."""
    pattern = _digits_pattern()
    return pattern.sub(lambda m: str(_NUMBER_WORDS[m.group().lower()]), text)


@functools.cache
def _digits_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def word_stems(text: str) -> tuple[str, ...]:
    """The stem of every word of ``text``, in order, function words included."""
    return tuple(stem(match.group()) for match in _WORD.finditer(_SPLIT_NOT.sub(lambda m: f"n{m.group(1)}t  ", text)))


@functools.cache
def function_stems() -> frozenset[str]:
    """Stems of the words that carry no content ("the", "said", "would"), as ``Claim.words`` holds them."""
    return frozenset(stem(word) for word in _STOP)


@functools.cache
def polar_pairs() -> tuple[frozenset[tuple[str, str]], frozenset[str], frozenset[str]]:
    """Stems of words that say opposite things of one fact: the pairs, every word, and the verbs.

    A pair of verbs disagrees whatever their objects' wording; the other words must qualify the
    same word to disagree ("will visit" / "may visit", "official visit" / "unofficial visit").
    """
    pairs = frozenset((stem(a), stem(b)) for a, b in _POLAR_PAIRS)
    return pairs, frozenset(w for pair in pairs for w in pair), frozenset(stem(v) for v in _POLAR_VERBS)


def _polar(words: Sequence[tuple[str, int, int]]) -> Iterator[tuple[str, str, int, int]]:
    polar_words = polar_pairs()[1]
    lowered = [word.lower().replace("’", "'") for word, _, _ in words]
    for index, (word, start, end) in enumerate(words):
        stemmed = stem(word)
        if stemmed not in polar_words:
            continue
        if any(w in _NEGATORS or w.endswith("n't") for w in lowered[max(0, index - 2) : index]):
            continue  # "not able" is "unable", "did not deny" is no denial: the negation check reads them
        # The word it qualifies: "will not reveal" qualifies "reveal", not "not".
        following = next((stem(w) for w in lowered[index + 1 : index + 4] if w not in _STOP), "")
        yield stemmed, following, start, end
