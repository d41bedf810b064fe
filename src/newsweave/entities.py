"""The people, organisations, places and events of a story, each with every way its outlets name it.

1. spaCy's NER finds the mentions in each article (``nlp.english``); spans are repaired where its
   tokenizer cuts a name ("Moon Jae" + "-in") and possessives are cut off ("North Korea's").
2. Mentions are keyed by their normalised words: titles dropped ("Mr Kim" -> "kim"), hyphens read
   as spaces ("Kim Jong-un" = "Kim Jong Un"), dots dropped, known aliases joined ("US", "U.S.",
   "America" -> "united states").
3. Each key takes the type most of its mentions have across the story, so one stray tag is
   outvoted ("Trump" tagged ORG once, PERSON five times); news agencies are organisations, and
   time zones, months and weekdays tagged as names are dropped.
4. A partial name ("Kim", "Sanders") joins the full name it is part of; when several people share
   it (Kim Jong Un, Kim Jong-il), the most salient one, the one most mentioned in the story, takes
   it. Full names join only when their first and last words agree, so Kim Jong-il stays apart.
   Acronyms join what they abbreviate ("UN" / "United Nations").
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.nlp import TITLE_ABBREVIATIONS
from newsweave.records import Article, Entity, EntityType, Mention, Span, Story

if TYPE_CHECKING:
    from spacy.tokens import Doc

_TYPES: dict[str, EntityType] = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "EVENT": "EVENT",
}  # fmt: skip
# Words before a name that say what the person is, not who.
_WORD_TITLES = frozenset(
    """mr mrs ms miss dr sir dame lord lady president prime minister chairman chairwoman general secretary
    premier king queen prince princess pope senator sen rep governor gov mayor judge justice chancellor
    leader spokesman spokeswoman spokesperson foreign secretary state vice deputy chief executive
    minister ambassador director professor prof rev reverend father sister brother captain capt
    lieutenant lt colonel col sergeant sgt officer detective det""".split()
)
TITLES = _WORD_TITLES | TITLE_ABBREVIATIONS  # "Dist. Atty. Steve Cooley" is Steve Cooley; "Dist." names nobody
# Titles that only a person bears, so that a name written after one is a person's whatever NER typed it
# ("Professor Varoufakis", "island governor Heydar Alishbandi"); not "general", "king", "prince", which
# also begin companies and places ("General Motors", "King County", "Prince Edward Island").
PERSON_TITLES = frozenset(
    """mr mrs ms miss dr sir dame professor prof senator sen rep governor gov mayor judge detective det
    sergeant sgt lieutenant lt captain capt colonel col spokesman spokeswoman spokesperson reverend rev
    president chancellor premier atty attorney coach""".split()
)
_ALIASES = {
    "us": "united states", "usa": "united states", "america": "united states", "united states of america":
    "united states", "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "dprk": "north korea", "rok": "south korea", "un": "united nations", "eu": "european union",
    "prc": "china", "people's republic of china": "china",
}  # fmt: skip
# Organisations spaCy often takes for people or places.
_ORGANISATIONS = frozenset(
    """xinhua kcna yonhap reuters ap afp bbc cnn tass itar-tass kyodo bloomberg nhk twitter facebook
    instagram youtube google""".split()
)
_NOT_NAMES = frozenset(
    """bst gmt utc est edt cst cdt pst pdt cet cest ist jst kst mst mdt january february march april may june
    july august september october november december monday tuesday wednesday thursday friday saturday sunday
    north south east west today yesterday tomorrow""".split()
)
# Words that make a name an organisation's, whatever spaCy tagged it ("the Centre for Strategic ... Studies").
_INSTITUTION = re.compile(
    r"\b(?:centre|center|institute|university|college|agency|ministry|department|council|committee|party|company|"
    r"corporation|corp|inc|ltd|bank|association|foundation|commission|organi[sz]ation|union|league|club|"
    r"school|hospital|police|army|navy|court|parliament|congress|senate|office|service)\b"
)
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_CONNECTORS = frozenset("of the and for de la le von van der du".split())
_HYPHEN_TAIL = re.compile(r"-[a-z]{1,4}\b")
_POSSESSIVE = re.compile(r"[’']s?$")
_HONORIFIC_START = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?\s+[A-Z]")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?\s+$")


@dataclass(frozen=True, slots=True)
class RawMention:
    """One NER mention before merging: where, as written, its key and spaCy's type."""

    article: int
    start: int
    end: int
    text: str
    key: str
    label: EntityType
    sentence: int
    titled: bool = False  # written with a title only people bear ("Professor Varoufakis")


def mentions(articles: Sequence[Article], docs: Sequence[Doc]) -> list[RawMention]:
    """Every name the NER finds in ``articles`` (parsed as ``docs``), spans repaired, keys normalised."""
    found = []
    for index, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        starts = [sentence.start for sentence in article.sentences]
        for ent in doc.ents:
            label = _TYPES.get(ent.label_)
            if label is None:
                continue
            start, end = ent.start_char, ent.end_char
            if label == "PERSON":
                tail = _HYPHEN_TAIL.match(article.text, end)
                end = tail.end() if tail else end  # "Moon Jae" + "-in"
                honorific = _HONORIFIC.search(article.text, max(0, start - 6), start)
                start = honorific.start() if honorific else start  # "Mr" + "Kim"
            if "\n" in article.text[start:end]:
                end = start + article.text[start:end].index("\n")  # a name never runs over a paragraph break
            text = article.text[start:end].rstrip(" ,:;")
            end = start + len(text)
            trimmed = _POSSESSIVE.sub("", text) if text.endswith(("’s", "'s", "’", "'")) else text
            end -= len(text) - len(trimmed)
            text = trimmed
            key = name_key(text)
            if not key or key in _NOT_NAMES or not any(c.isupper() for c in text):
                continue
            titled = bool(_HONORIFIC_START.match(text)) or _after_person_title(article.text, start, text)
            if titled:
                label = "PERSON"  # "Ms Diaz", "island governor Heydar Alishbandi", whatever the tagger thought
            if label == "PLACE" and " and " in text and not re.search(r"\b(?:for|of)\b", text):
                continue  # "North and South Korea": two places in one span
            sentence = max(0, bisect.bisect_right(starts, start) - 1)
            found.append(RawMention(index, start, end, text, key, label, sentence, titled))
    return found


def _after_person_title(text: str, start: int, name: str) -> bool:
    """Whether the name at ``start`` is written with a title only people bear, in it or right before it."""
    words = name.split()
    if len(words) > 1 and words[0].lower().rstrip(".") in PERSON_TITLES:
        return True
    before = text[max(0, start - 20) : start]
    if not before.endswith(" ") or "\n" in before:
        return False
    last = before.split()[-1:] if before.strip() else []
    return bool(last) and last[0].lower().rstrip(".") in PERSON_TITLES and not _INSTITUTION.search(name.lower())


def name_key(text: str) -> str:
    """The words that identify a name: lower case, titles and "the" dropped, hyphens and dots read alike.

    Initials and generational suffixes do not tell people apart here: "W. Mark Felt Sr." is "mark felt".
    """
    words = re.sub(r"[.\u2019']", "", text.lower()).replace("-", " ").split()
    while words and (words[0] in TITLES or words[0] == "the"):
        words = words[1:]
    if len(words) > 2 or (len(words) == 2 and len(words[0]) == 1):
        words = [w for w in words if len(w) > 1 and w not in _SUFFIXES] or words
    key = " ".join(words)
    return _ALIASES.get(key, key)


def entities(story: Story, docs: Sequence[Doc]) -> tuple[Entity, ...]:
    """The story's entities, most salient first, from its articles parsed as ``docs`` (``nlp.parse``)."""
    raw = mentions(story.articles, docs)
    if not raw:
        return ()
    types = _voted_types(raw)
    missed = _missed_surnames(story.articles, docs, raw, types)
    raw.extend(missed)
    types.update({m.key: "PERSON" for m in missed if m.key not in types})
    groups = _merge(raw, types)
    weights = [_weight(m) for m in raw]
    built = []
    top = max(sum(weights[i] for i in members) for members in groups.values())
    for anchor, members in groups.items():
        group = [raw[i] for i in sorted(members, key=lambda i: (raw[i].article, raw[i].start))]
        salience = sum(weights[i] for i in members) / top
        built.append(_entity(anchor, types[anchor], group, story.articles, salience))
    built.sort(key=lambda e: (-e.salience, e.name))
    return tuple(built)


def _missed_surnames(
    articles: Sequence[Article], docs: Sequence[Doc], raw: Sequence[RawMention], types: dict[str, EntityType]
) -> list[RawMention]:
    """The surnames of the story's people standing alone where NER saw no person ('" ...," Klitschko said').

    Only a proper noun written as the surname, outside every other mention and not next to another
    proper noun (which would make it part of some other name).
    """
    # Not a word the story names something else with ("Chiefs" of a headline read as "Colts Beat Chiefs").
    surnames = {k.split()[-1] for k, t in types.items() if t == "PERSON" and " " in k}
    surnames = {word for word in surnames if types.get(word, "PERSON") == "PERSON"}
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for mention in raw:
        taken[mention.article].append((mention.start, mention.end))
    found = []
    for index, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        starts = [sentence.start for sentence in article.sentences]
        for token in doc:
            key = name_key(token.text)
            # NER may take a surname for a nationality ("Klitschko" as NORP); other types are other names.
            untyped = token.ent_type_ in ("", "NORP")
            if key not in surnames or token.pos_ != "PROPN" or not token.text[:1].isupper() or not untyped:
                continue
            beside = [doc[i] for i in (token.i - 1, token.i + 1) if 0 <= i < len(doc)]
            if any(t.pos_ == "PROPN" and t.lower_.rstrip(".") not in TITLES for t in beside):
                continue
            start, end = token.idx, token.idx + len(token)
            if any(first < end and start < last for first, last in taken[index]):
                continue
            sentence = max(0, bisect.bisect_right(starts, start) - 1)
            found.append(RawMention(index, start, end, token.text, key, "PERSON", sentence))
    return found


def _weight(mention: RawMention) -> float:
    """A mention in the lead counts fully, one in the fifth sentence half."""
    return 1.0 / (1.0 + mention.sentence / 4.0)


def _voted_types(raw: Sequence[RawMention]) -> dict[str, EntityType]:
    votes: dict[str, Counter[EntityType]] = defaultdict(Counter)
    for mention in raw:
        votes[mention.key][mention.label] += 1
    types: dict[str, EntityType] = {}
    for key, counter in votes.items():
        if key in _ORGANISATIONS or _INSTITUTION.search(key):
            types[key] = "ORG"
            continue
        ranked = counter.most_common()
        best = [label for label, count in ranked if count == ranked[0][1]]
        types[key] = best[0] if len(best) == 1 else next(t for t in ("PERSON", "ORG", "PLACE", "EVENT") if t in best)
    # A word that is the first or last name of a person of the story names that person ("Lopez" of
    # "Maria Lopez"), unless its own tags say otherwise often and consistently.
    people = [k.split() for k, t in types.items() if t == "PERSON" and len(k.split()) >= 2]
    for key, counter in votes.items():
        named = any(key in (words[0], words[-1]) for words in people) and key not in _ORGANISATIONS
        if types[key] == "PERSON" or " " in key or not named:
            continue
        # Tagged a person at least a fifth of the time, or otherwise only once or twice: a person's name.
        if counter["PERSON"] * 5 >= sum(counter.values()) or counter[types[key]] <= 2:
            types[key] = "PERSON"
    titled = {mention.key for mention in raw if mention.titled}
    _repair_full_names(votes, types, titled)
    return types


def _repair_full_names(votes: dict[str, Counter[EntityType]], types: dict[str, EntityType], titled: set[str]) -> None:
    """Types repaired by the story's people: full names mistyped, single words wrongly taken for people.

    A name of several words typed otherwise once or twice whose last word is a surname written with a
    person's title (one of ``titled``) that no full name of a person holds is that person ("Yanis
    Varoufakis" tagged ORG, "Professor Varoufakis"); a word NER alone took for a person is no evidence.
    A single word tagged a person that is no part of any person's full name, and tagged a place or an
    organisation at least a third of the time, is that ("in parts of Alexandria").
    """
    full = [k.split() for k, t in types.items() if t == "PERSON" and " " in k]
    surnames = {words[-1] for words in full}
    parts = {word for words in full for word in (words[0], words[-1])}
    for key, counter in votes.items():
        words = key.split()
        orphan = words[-1] in titled and types[words[-1]] == "PERSON" and words[-1] not in surnames
        named = key not in _ORGANISATIONS and not _INSTITUTION.search(key)
        if len(words) > 1 and types[key] != "PERSON" and orphan and named and sum(counter.values()) <= 2:
            types[key] = "PERSON"
    parts |= {key.split()[-1] for key, t in types.items() if t == "PERSON" and " " in key}
    for key, counter in votes.items():
        if types[key] != "PERSON" or " " in key or key in parts:
            continue
        others: tuple[EntityType, ...] = ("PLACE", "ORG")
        other = max(others, key=lambda t: counter[t])
        if counter[other] * 3 >= sum(counter.values()):
            types[key] = other


def _merge(raw: Sequence[RawMention], types: dict[str, EntityType]) -> dict[str, list[int]]:
    """Mention indexes grouped under the key of the entity they name."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, mention in enumerate(raw):
        by_key[mention.key].append(i)
    target = {key: key for key in by_key}
    people = sorted((k for k in by_key if types[k] == "PERSON"), key=lambda k: (-len(k.split()), -len(by_key[k]), k))
    full = [k for k in people if len(k.split()) >= 2]
    # Full names that differ only in the middle ("Sarah Huckabee Sanders" / "Sarah Sanders") are one person.
    for i, key in enumerate(full):
        for longer in full[:i]:
            if target[longer] == longer and _same_person(key, longer):
                target[key] = longer
                break
    counts = Counter({k: len(by_key[k]) for k in by_key})
    for key in full:
        if target[key] != key:
            counts[target[key]] += counts[key]
    groups: dict[str, list[int]] = defaultdict(list)
    for key, members in by_key.items():
        if (types[key] == "PERSON" and len(key.split()) == 1) or (types[key] == "PERSON" and key not in full):
            hosts = [k for k in full if target[k] == k and _part_of(key, k)]
            if hosts:
                # The most salient person the part can name takes it: Kim Jong Un, not Kim Jong-il.
                best = max(hosts, key=lambda k: (counts[k], -full.index(k)))
                groups[best].extend(members)
                continue
        groups[target[key]].extend(members)
    _join_acronyms(groups, types)
    return dict(groups)


def _same_person(a: str, b: str) -> bool:
    x, y = a.split(), b.split()
    return x[0] == y[0] and x[-1] == y[-1] and set(x) <= set(y)


def _part_of(part: str, full: str) -> bool:
    """Whether ``part`` is the first or last words of ``full`` ("kim" of "kim jong un", "sanders")."""
    p, f = part.split(), full.split()
    return len(p) < len(f) and (f[: len(p)] == p or f[-len(p) :] == p)


def _join_acronyms(groups: dict[str, list[int]], types: dict[str, EntityType]) -> None:
    initials: dict[str, str] = {}
    for key in list(groups):
        words = [w for w in key.split() if w not in _CONNECTORS]
        if len(words) >= 2:
            initials.setdefault("".join(w[0] for w in words), key)
    for key in list(groups):
        host = initials.get(key.replace(" ", ""))
        if host and host != key and host in groups and types[host] != "PERSON" and types[key] != "PERSON":
            groups[host].extend(groups.pop(key))


def _untitled(text: str) -> str:
    """A person's name without the titles before it: "Mayor Ana Ruiz" -> "Ana Ruiz", "Mr Kim" -> "Kim"."""
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def _entity(
    anchor: str, kind: EntityType, group: Sequence[RawMention], articles: Sequence[Article], salience: float
) -> Entity:
    spellings = Counter(m.text for m in group)
    bare = Counter(_untitled(t) if kind == "PERSON" else t for t in spellings.elements())
    full = [t for t in bare if name_key(t) == anchor or len(name_key(t).split()) == len(anchor.split())]
    pool = full or list(bare)
    # The spelling most used for the full name, without a title ("Ana Ruiz", not "Mayor Ana Ruiz");
    # "the United States" rather than "US".
    name = max(pool, key=lambda t: (bare[t], len(name_key(t).split()), len(t), t))
    if kind != "PERSON" and not name.lower().startswith("the "):
        # "White House" is "the White House" when the articles write it so.
        the = sum(articles[m.article].text[max(0, m.start - 4) : m.start].lower() == "the " for m in group)
        if the * 2 > len(group) or f"the {name}" in spellings:
            name = f"the {name}"
    outlets = tuple(dict.fromkeys(o for m in group for o in articles[m.article].outlets))
    found = tuple(Mention(Span(articles[m.article].id, m.start, m.end), m.text) for m in group)
    entity_id = hashlib.blake2b(f"{kind}:{anchor}".encode(), digest_size=6).hexdigest()
    return Entity(
        id=entity_id,
        name=name,
        type=kind,
        mentions=found,
        variants=tuple(sorted(spellings, key=lambda t: (-spellings[t], t))),
        outlets=outlets,
        salience=round(salience, 4),
    )
