"""Who said what: direct quotes with their speakers, one quote however many outlets report it.

1. Quotes are the words between quotation marks of any style (“ ”, " ", ‘ ’, ' ', « », „ “), found
   over the article text so that a quote may run over several sentences. A quote left open at the
   end of a paragraph runs on over paragraphs with no mark and over paragraphs that reopen it (the
   newspaper convention), up to its closing mark. Titles and nicknames (every word capitalised) and
   scare-quoted words are not speech; one or two words are a partial quote when a verb of saying
   outside the marks reports them ('said he was "completely blindsided"').
2. The speaker is the subject of the nearest verb of saying that governs the quote in spaCy's
   parse ("..., Kim said", "Sanders added: ...", "the Chinese president stressed the ..."); a
   coordinated verb shares the subject of the saying before it ("X said ... and added"); when the
   parse gives the verb no subject, the name right before it or the person named right after it
   ("said ABC prexy Paul Lee") speaks. "cited X as saying" and "according to X" name X; with no such
   verb, a short sentence of saying right after the quote ('"Why?" Kim asked.'), or the speaker of
   a sentence before that ends with a colon or says who spoke, does. "Someone" is no speaker.
3. Pronouns ("he told Kim") are the person who is the subject nearest before the quote (a name in
   apposition to the subject counts; a name written with a title is a person whatever NER typed
   it; names inside quotes do not count); "they", "we" and a pronoun no person can stand for give
   no speaker. "The company" (the paper, the league, ...) is the organisation named nearest before
   it; "the two men" are the two people named together ("X and Y") a few sentences before.
   Descriptions ("the Chinese president") are the person of the same article whose name the story
   writes with those words ("Chinese President Xi Jinping"), else the description itself; names
   are resolved to the story's entities, the last person in a run of titles and names
   ("Dist. Atty. Steve Cooley") first. A quote with no attribution that opens its paragraph goes on
   from the quote before when nobody is named or speaks in between.
4. Reports of one quote by several outlets (the same words, or nearly: at least half of the
   content words shared, or one inside the other) whose speakers agree are one quote with every
   outlet.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.entities import TITLES as _TITLES
from newsweave.records import Article, Entity, Quote, Span, Story
from newsweave.statements import function_stems, word_stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as TokenSpan

_PAIRS = {"“": "”", "«": "»", "„": "“", "‘": "’", '"': '"', "'": "'"}
_SPEECH = frozenset(
    """say tell add state announce write tweet post explain insist stress claim note declare describe call warn
    ask reply respond continue quip recall confirm deny report quote cite urge vow pledge promise argue
    comment assert acknowledge admit suggest complain laud praise hail reiterate emphasise emphasize
    predict caution joke exclaim shout whisper testify lament concede remark observe recount boast conclude
    maintain counter yell scream cry chant mutter""".split()
)
_PRONOUNS = frozenset("he she they him her them i we".split())
# Plural pronouns stand for a group or an organisation, never for the one person nearest: no speaker beats that guess.
_PLURAL = frozenset("they them we".split())
# Nouns that stand for an organisation the article names ("the company said" after "Acme Cables ..."):
# "the company" is the nearest organisation named before it, outside quotes.
_ORGANISATION_NOUNS = frozenset(
    """company firm paper newspaper magazine publication league club team union agency ministry department network
    broadcaster station channel studio carrier airline operator provider manufacturer maker retailer group
    organisation organization association federation institute university bank board council committee
    commission website site""".split()
)
# Nouns of a joint statement by the two people named just before ("the two men said").
_JOINT = frozenset("two both pair duo".split())
# How far before the quote an organisation or the two people of a joint statement may be named: a few
# sentences, as for the pronouns' antecedents (_antecedent looks 800 characters back for the speaker before).
_ANAPHOR_REACH = 800
# Subjects that say nobody in particular spoke ('someone say "he has a gun"'): no speaker beats a guess.
_UNKNOWN = frozenset("someone somebody anyone anybody nobody everyone everybody".split())
_SUBJECTS = ("nsubj", "nsubjpass")
# A quote in a paragraph of its own, with no attribution, goes on from the quote before when this
# close to it and nobody else is named or speaks in between (a statement broken by the reporter's
# facts). In bench/labels/quotes.jsonl the one such quote follows 173 characters on; 400 allows two or
# three short sentences, and the checks on names and verbs of saying between keep it from going further.
_FOLLOW_ON = 400
_MIN_WORDS = 3
_DOUBLE = '“"«„'
# How many paragraphs a quote left open may run over: the longest quote in bench/labels/quotes.jsonl runs over 5
# corpus sentences (each a paragraph in bench/entities.py); 8 leaves room without running on through an article.
_MAX_RUN = 8


@dataclass(frozen=True, slots=True)
class Found:
    """One quote in one article before reports are merged."""

    article: int
    start: int
    end: int
    speaker: str | None
    speaker_entity: str | None
    speaker_span: Span | None


def quote_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the words inside each pair of quotation marks in ``text``.

    A quote left open at the end of a paragraph runs on: over following paragraphs that hold no
    quotation mark (a long quote whose paragraphs, or sentences, are split without marks), or that
    reopen it (the newspaper convention: each continued paragraph opens with a fresh mark), up to
    the paragraph that closes it. A paragraph that opens another quote before closing it ends the
    run at the paragraph before, as does running past _MAX_RUN paragraphs.
    """
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    carried: _Open | None = None  # a quote left open
    run_end = 0  # where the open quote's last paragraph ends
    run_paragraphs = 0
    for first, last in paragraphs:
        start_at = first
        if carried is not None:
            body = _skip_space(text, first)
            reopens = text[body] == carried.opening and _opens(text, body, first)
            scan_from = body + 1 if reopens else first
            close = _closing(text, scan_from, last, carried.closing)
            # Only double marks start another quote: a single one inside is a quote within the quote.
            other = next((j for j in range(scan_from, last) if text[j] in _DOUBLE and _opens(text, j, first)), None)
            if close is not None and (other is None or close <= other):
                # A mark that could open or close ('satisfied, " Kim said') closes the quote left open.
                yield carried.start, close
                start_at, carried = close + 1, None
            elif close is None and other is None and run_paragraphs < _MAX_RUN:
                run_end, run_paragraphs = last, run_paragraphs + 1
                continue
            else:
                yield carried.start, run_end
                carried = None
        for item in _in_paragraph(text, start_at, first, last):
            if isinstance(item, tuple):
                yield item
            else:
                carried, run_end, run_paragraphs = item, last, 1
    if carried is not None:
        yield carried.start, run_end


@dataclass(frozen=True, slots=True)
class _Open:
    start: int
    opening: str
    closing: str


def _in_paragraph(text: str, i: int, first: int, last: int) -> Iterator[tuple[int, int] | _Open]:
    while i < last:
        mark = text[i]
        if mark in _PAIRS and _opens(text, i, first):
            close = _closing(text, i + 1, last, _PAIRS[mark])
            if close is None:
                if mark in _DOUBLE and len(text[i + 1 : last].split()) >= _MIN_WORDS:
                    yield _Open(_skip_space(text, i + 1), mark, _PAIRS[mark])
                return
            yield _skip_space(text, i + 1), close
            i = close + 1
            continue
        i += 1


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _opens(text: str, i: int, first: int) -> bool:
    """Whether the mark at ``i`` opens a quote: after a space, a bracket or a dash, before a word.

    A space may follow the mark (text split into tokens and joined again writes "“ We ...").
    """
    before = text[i - 1] if i > first else " "
    after = text[i + 1 : i + 3].lstrip(" ")[:1] if i + 1 < len(text) else ""
    if text[i] in "’'" and before.isalnum():
        return False  # an apostrophe: "Kim's", "don't"
    if text[i] in "’'" and text[i + 1 : i + 2] == " ":
        return False  # a closing single mark or an apostrophe, not an opening one
    return (before.isspace() or before in "([—–-:,") and after != "" and not after.isspace()


def _closing(text: str, start: int, last: int, mark: str) -> int | None:
    for j in range(start, last):
        if text[j] != mark:
            continue
        after = text[j + 1] if j + 1 < len(text) else " "
        if mark in "’'" and after.isalnum():
            continue  # an apostrophe inside the quote
        return j
    return None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The quote without the comma or space British and American style leave inside the marks."""
    while end > start and text[end - 1] in ", \n":
        end -= 1
    return start, end


def is_speech(words: str) -> bool:
    """Whether quoted words are speech, not a title, a nickname or one scare-quoted word."""
    tokens = words.split()
    if len(tokens) < _MIN_WORDS:
        return False
    return not all(t[:1].isupper() or t.lower() in ("of", "the", "a", "and", "in", "on") for t in tokens)


def quotes(story: Story, docs: Sequence[Doc], entities: Sequence[Entity] = ()) -> tuple[Quote, ...]:
    """The story's quotes, in the order first reported, from its articles parsed as ``docs``."""
    resolver = _Resolver(story.articles, entities)
    found: list[Found] = []
    for index, (article, doc) in enumerate(zip(story.articles, docs, strict=True)):
        spans = [
            _trimmed(article.text, s, e)
            for s, e in quote_spans(article.text)
            if is_speech(article.text[s:e]) or _said_words(doc, s, e)
        ]
        previous: Found | None = None
        for start, end in spans:
            resolver.previous = previous if previous is not None and previous.speaker_entity else None
            speaker = _speaker(article, doc, start, end, spans, resolver, index)
            who, entity, where = speaker if speaker else (None, None, None)
            if speaker is None and previous is not None and _follows_on(article, doc, resolver, previous.end, start):
                who, entity, where = previous.speaker, previous.speaker_entity, previous.speaker_span
            previous = Found(index, start, end, who, entity, where)
            found.append(previous)
    return tuple(_merged(_backfilled(found, story.articles), story.articles))


def _said_words(doc: Doc, start: int, end: int) -> bool:
    """Whether one or two quoted words are a partial quote: words a verb of saying reports, not a label.

    'said he was "completely blindsided"', 'described him as "reckless"': the words hang, within three
    steps of the parse, from a verb of saying outside the marks. Names and titles (every word
    capitalised) never are.
    """
    words = doc.text[start:end].split()
    if not words or len(words) >= _MIN_WORDS or all(w[:1].isupper() for w in words):
        return False
    quoted = doc.char_span(start, end, alignment_mode="expand")
    if quoted is None:
        return False
    head = quoted.root
    for _ in range(3):
        if head.head is head:
            return False
        head = head.head
        if head.lemma_.lower() in _SPEECH and head.pos_ == "VERB" and not start <= head.idx < end:
            return any(c.dep_ in _SUBJECTS for c in head.children)
    return False


def _backfilled(found: Sequence[Found], articles: Sequence[Article]) -> list[Found]:
    """Quotes that run on into the next paragraph take the speaker named at the end of the run."""
    result = list(found)
    for i in range(len(result) - 2, -1, -1):
        item, after = result[i], result[i + 1]
        # Only a paragraph break (or marks) between: a quote with its own attribution before it is not a run.
        between = articles[item.article].text[item.end : after.start]
        same_run = after.article == item.article and "\n" in between and not re.search(r"\w", between)
        if item.speaker is None and after.speaker is not None and same_run:
            result[i] = Found(
                item.article, item.start, item.end, after.speaker, after.speaker_entity, after.speaker_span
            )
    return result


def _continues(text: str, previous_end: int, start: int) -> bool:
    """A quote that goes on in the next paragraph, or right after an interrupting "he said"."""
    between = text[previous_end:start]
    return len(between) < 60 and ("\n" in between or bool(re.search(r"\b(?:said|says|added)\b", between)))


def _follows_on(article: Article, doc: Doc, resolver: _Resolver, previous_end: int, start: int) -> bool:
    """Whether an unattributed quote goes on from the quote before, which ended at ``previous_end``.

    Right after it (a new paragraph, or an interrupting "he said"), or as a paragraph of its own a
    few sentences later when nobody is named or speaks in between.
    """
    text = article.text
    if _continues(text, previous_end, start):
        return True
    if start - previous_end > _FOLLOW_ON:
        return False
    paragraph_start = text.rfind("\n", 0, start) + 1
    if text[paragraph_start:start].strip(" " + "".join(_PAIRS)):
        return False  # the quote is inside a sentence of the reporter's
    # After the sentence of the quote before, which holds its own attribution ("..., a spokesman said.").
    ending = doc.char_span(previous_end - 1, previous_end, alignment_mode="expand")
    after = ending[-1].sent.end_char if ending is not None and len(ending) else previous_end
    if after >= start:
        return True
    if resolver.entity_at(article, after, start, kinds=("PERSON", "ORG")) is not None:
        return False
    between = doc.char_span(after, start, alignment_mode="contract")
    return between is None or not any(t.lemma_.lower() in _SPEECH and t.pos_ == "VERB" for t in between)


class _Resolver:
    """Names, pronouns and descriptions of speakers, turned into the story's entities."""

    def __init__(self, articles: Sequence[Article], entities: Sequence[Entity]) -> None:
        self.articles = articles
        self.previous: Found | None = None  # the article's quote before, when its speaker is known
        self.by_span: dict[str, list[tuple[int, int, Entity]]] = {}
        self.titles: dict[str, set[str]] = {}
        for entity in entities:
            for mention in entity.mentions:
                self.by_span.setdefault(mention.span.article_id, []).append(
                    (mention.span.start, mention.span.end, entity)
                )
        for spans in self.by_span.values():
            spans.sort(key=lambda item: item[0])
        for article in articles:
            for start, _, entity in self.by_span.get(article.id, []):
                before = article.text[max(0, start - 40) : start].lower().split()[-3:]
                self.titles.setdefault(entity.id, set()).update(w.strip(",.") for w in before)

    def entity_at(self, article: Article, start: int, end: int, kinds: Sequence[str] | None = None) -> Entity | None:
        """The first entity (of one of ``kinds``, when given) with a mention overlapping start-end."""
        found = self.entities_in(article, start, end, kinds)
        return found[0] if found else None

    def entities_in(self, article: Article, start: int, end: int, kinds: Sequence[str] | None = None) -> list[Entity]:
        """The entities (of one of ``kinds``, when given) with a mention overlapping start-end, in text order."""
        return [
            entity
            for first, last, entity in self.by_span.get(article.id, [])
            if first < end and start < last and (kinds is None or entity.type in kinds)
        ]

    def is_person(self, entity: Entity) -> bool:
        """A person, or a name written after a title ("island governor Heydar Alishbandi") whatever NER typed it."""
        return entity.type == "PERSON" or (entity.type != "ORG" and bool(self.titles.get(entity.id, set()) & _TITLES))

    def described(self, article: Article, words: Sequence[str]) -> Entity | None:
        """The person of this article written with these words before their name ("Chinese President" Xi Jinping).

        The person must be named in the same article: "the officer" of one report is not the officer
        another outlet names.
        """
        wanted = {w.lower() for w in words if w.lower() not in ("the", "a", "an", "'s", "’s")}
        if not wanted:
            return None
        matches = [
            entity
            for _, _, entity in self.by_span.get(article.id, [])
            if entity.type == "PERSON" and wanted <= self.titles.get(entity.id, set())
        ]
        unique = {e.id: e for e in matches}
        return max(unique.values(), key=lambda e: e.salience) if unique else None


def _speaker(
    article: Article,
    doc: Doc,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]],
    resolver: _Resolver,
    index: int,
) -> tuple[str, str | None, Span | None] | None:
    inside = [(s, e) for s, e in spans]
    quoted = doc.char_span(start, end, alignment_mode="expand")
    if quoted is None or len(quoted) == 0:
        return None
    verb = _speech_verb(quoted, inside)
    subject = None
    if verb is not None:
        subject = _subject(verb, inside)
    for sentence in _sentences(quoted):
        if subject is None:
            subject = _according_to(sentence, inside)
    if subject is None:
        subject = _attribution_after(doc, quoted, inside)
    if subject is None:
        subject = _previous_speaker(doc, quoted[0].sent, inside)
    if subject is None or subject.lower_ in _UNKNOWN:
        return None
    return _named(article, doc, subject, resolver, inside)


def _sentences(quoted: TokenSpan) -> list[TokenSpan]:
    """The sentence the quote starts in and, when another, the one it ends in (where "..., X said" sits)."""
    first, last = quoted[0].sent, quoted[-1].sent
    return [first] if first.start == last.start else [first, last]


def _outside(token: Token, inside: Sequence[tuple[int, int]]) -> bool:
    return not any(s <= token.idx < e for s, e in inside)


def _speech_verb(quoted: TokenSpan, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The nearest verb of saying outside the quote that the quote hangs from (or, failing that, beside it)."""
    for token in quoted:
        head = token
        for _ in range(12):
            if head.head is head:
                break
            head = head.head
            if head.lemma_.lower() in _SPEECH and _outside(head, inside):
                return head
    verbs = [
        t
        for sentence in _sentences(quoted)
        for t in sentence
        if t.lemma_.lower() in _SPEECH and t.pos_ in ("VERB", "AUX") and _outside(t, inside)
    ]
    if not verbs:
        return None
    middle = (quoted[0].i + quoted[-1].i) / 2
    return min(verbs, key=lambda t: abs(t.i - middle))


def _subject(verb: Token, inside: Sequence[tuple[int, int]]) -> Token | None:
    """Who the verb says spoke: its subject, the X of "cited X as saying", the subject shared by "and said"."""
    current: Token | None = verb
    for _ in range(5):
        if current is None or not _outside(current, inside):
            break  # the parse hung the verb from words inside a quote: their subject is not the speaker
        if current.lemma_.lower() in ("cite", "quote"):
            objects = [c for c in current.children if c.dep_ in ("dobj", "obj") and _outside(c, inside)]
            if objects:
                return objects[0]  # "cited Mr Xi as lauding ..."
        # A name before a common noun: "trade magazine The Hollywood Reporter wrote" parses as two subjects.
        subjects = sorted(
            (c for c in current.children if c.dep_ in _SUBJECTS and _outside(c, inside)),
            key=lambda c: c.pos_ != "PROPN",
        )
        if subjects:
            return subjects[0]  # "Mr Kim was described by Xinhua as saying" names Mr Kim
        # "... and said", "as saying", "to say": the subject is the governing verb's.
        climbs = ("conj", "xcomp", "advcl", "pcomp", "pobj", "prep", "acl")
        current = current.head if current.dep_ in climbs and current.head is not current else None
    return _adjacent_subject(verb, inside) or _inverted_subject(verb, inside) or _shared_subject(verb, inside)


def _adjacent_subject(verb: Token, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The name right before a verb the parse gave no subject ("..., Elias Vrettakos, told Sky News").

    The parse loses the subject when a paragraph before has no full stop and runs into the sentence.
    """
    before = verb.i - 1
    while before >= 0 and verb.doc[before].is_punct and "\n" not in verb.doc[before].text:
        before -= 1
    if before < 0:
        return None
    token = verb.doc[before]
    return token if token.pos_ == "PROPN" and _outside(token, inside) else None


def _inverted_subject(verb: Token, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The person named after a verb the parse gave no subject ('..., said ABC Entertainment prexy Paul Lee')."""
    found = None
    for token in verb.doc[verb.i + 1 : verb.sent.end]:
        if (token.is_punct and token.text != ".") or not _outside(token, inside):
            break
        if token.ent_type_ == "PERSON":
            found = token  # the last word of the first name
        elif found is not None:
            break
    return found


def _shared_subject(verb: Token, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The subject of the nearest verb of saying before ``verb`` in its sentence, which ``verb`` shares.

    "Lyons said that ... – he \"claimed ...\" – and added, \"...\"": added has no subject of its own,
    and the parse may hang it from words inside a quote; the saying it goes on from is Lyons's.
    """
    sentence = verb.sent
    for token in reversed(sentence[: verb.i - sentence.start]):
        if "\n" in token.text:
            break  # a paragraph before that the parse ran into this sentence
        if token.lemma_.lower() in _SPEECH and token.pos_ == "VERB" and _outside(token, inside):
            subjects = [c for c in token.children if c.dep_ in _SUBJECTS and _outside(c, inside)]
            if subjects:
                return subjects[0]
    return None


def _according_to(sentence: TokenSpan, inside: Sequence[tuple[int, int]]) -> Token | None:
    tokens = list(sentence)
    for i, token in enumerate(tokens[:-2]):
        if token.lower_ == "according" and tokens[i + 1].lower_ == "to" and _outside(token, inside):
            objects = [c for c in tokens[i + 1].children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _previous_speaker(doc: Doc, sentence: TokenSpan, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The subject of the sentence before, when it ends with a colon or says someone spoke."""
    first = sentence[0].i
    if first == 0:
        return None
    before = doc[first - 1].sent
    # The subject of its verb of saying, not the sentence's first subject ("only rubble remained").
    verbs = [t for t in before if t.lemma_.lower() in _SPEECH and t.pos_ == "VERB" and _outside(t, inside)]
    if verbs:
        return _subject(verbs[-1], inside)
    if before.text.rstrip().endswith(":"):
        subjects = [t for t in before if t.dep_ == "nsubj" and _outside(t, inside) and t.lower_ not in ("it", "this")]
        return subjects[0] if subjects else None
    return None


def _attribution_after(doc: Doc, quoted: TokenSpan, inside: Sequence[tuple[int, int]]) -> Token | None:
    """The subject of a short sentence of saying right after the quote, in its paragraph ('"Why?" Kim asked.')."""
    last = quoted[-1].sent
    if last.end >= len(doc):
        return None
    after = doc[last.end].sent
    if "\n" in doc.text[quoted.end_char : after.start_char] or len(after) > 12:
        return None
    root = after.root
    if root.lemma_.lower() not in _SPEECH or not all(_outside(t, inside) for t in after):
        return None
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
    return subjects[0] if subjects else None


def _named(
    article: Article, doc: Doc, subject: Token, resolver: _Resolver, inside: Sequence[tuple[int, int]]
) -> tuple[str, str | None, Span | None] | None:
    """The speaker's name, entity id and span, from the subject token of the verb of saying; None when unsure."""
    phrase = _phrase(subject)
    start, end = phrase[0].idx, phrase[-1].idx + len(phrase[-1])
    if subject.lower_ in _PRONOUNS:
        # A pronoun nobody in the article can stand for says nothing about who spoke.
        person = None if subject.lower_ in _PLURAL else _antecedent(article, doc, subject, resolver, inside)
        return (person[0].name, person[0].id, person[1]) if person is not None else None
    joint = _joint(article, doc, subject, resolver, inside)
    if joint is not None:
        return joint
    # The name may sit beside the word the parse took for the subject: "Troy police Lt. Gerry
    # Scherlinck", "Dist. Atty. Steve Cooley" (cut after an abbreviation), "trade magazine The
    # Hollywood Reporter", "the union's vice president, Elias Vrettakos": in the phrase, its
    # apposition or the names right after it, never further ("the comedian added on Twitter").
    # Titles and abbreviations come first, so the last person of the run of names is the speaker.
    run_end = doc[_name_run_end(doc, phrase[-1].i)]
    people = resolver.entities_in(article, start, run_end.idx + len(run_end), kinds=("PERSON",))
    named = people[-1] if people else resolver.entity_at(article, start, end)
    if named is None or named.type not in ("PERSON", "ORG"):
        around = [(start, run_end)] + [(a.left_edge.idx, a.right_edge) for a in subject.children if a.dep_ == "appos"]
        beside = [
            found
            for kind in ("PERSON", "ORG")
            for first, last in around
            for found in resolver.entities_in(article, first, last.idx + len(last), kinds=(kind,))
        ]
        named = beside[0] if beside else None
    if named is None and subject.pos_ != "PROPN":
        named = resolver.described(article, [t.text for t in phrase])
    if named is None and subject.lower_ in _ORGANISATION_NOUNS and _definite(subject):
        named = _organisation(article, subject, resolver, inside)
    if named is not None:
        return named.name, named.id, Span(article.id, start, end)
    words = [t.text for t in phrase if t.lower_ not in ("the", "a", "an")]
    if subject.pos_ == "PROPN":
        while len(words) > 1 and words[0].lower().rstrip(".") in _TITLES:
            words = words[1:]  # "Mayor Ana Ruiz" is Ana Ruiz
    return " ".join(words), None, Span(article.id, start, end)


def _name_run_end(doc: Doc, i: int) -> int:
    """The last token of the run of names, titles and abbreviation points that follows token ``i``."""
    while i + 1 < len(doc):
        after = doc[i + 1]
        name = after.pos_ == "PROPN" or after.is_title or after.text == "." or after.lower_.rstrip(".") in _TITLES
        article = after.lower_ == "the" and i + 2 < len(doc) and doc[i + 2].pos_ == "PROPN"
        if not (name or article) or after.is_space:
            break
        i += 1
    return i


def _phrase(subject: Token) -> list[Token]:
    """The subject's words: its compounds and modifiers, not a following apposition or clause."""
    kept = [t for t in subject.subtree if t.i <= subject.i or t.dep_ in ("compound", "flat")]
    while kept and kept[0].dep_ in ("det", "punct", "cc"):
        kept = kept[1:]
    return [t for t in kept if t.dep_ not in ("punct", "appos", "acl", "relcl")] or [subject]


def _titled(doc: Doc, start: int, end: int) -> bool:
    """Whether a name is written with a title, so a person whatever NER typed it.

    "Professor Varoufakis", "a professor of economics, Yanis Varoufakis".
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if any(c.dep_ == "compound" and c.lower_.rstrip(".") in _TITLES for c in root.children):
        return True
    return root.dep_ == "appos" and root.head.lower_ in _TITLES


def _definite(noun: Token) -> bool:
    """Whether the noun is "the X" (or "the X's"), which points back to something named, not "a company"."""
    return any(c.dep_ == "det" and c.lower_ == "the" for c in noun.children)


def _organisation(
    article: Article, noun: Token, resolver: _Resolver, inside: Sequence[tuple[int, int]]
) -> Entity | None:
    """The organisation "the company" stands for: the nearest one named before it outside quotes.

    One whose name holds the noun ("the league" of "the Premier Football League") first.
    """
    named = [
        entity
        for first, last, entity in resolver.by_span.get(article.id, [])
        if entity.type == "ORG"
        and last <= noun.idx
        and noun.idx - first <= _ANAPHOR_REACH
        and not any(s <= first < e for s, e in inside)
    ]
    holding = [entity for entity in named if noun.lower_ in entity.name.lower().split()]
    found = holding or named
    return found[-1] if found else None


def _joint(
    article: Article, doc: Doc, subject: Token, resolver: _Resolver, inside: Sequence[tuple[int, int]]
) -> tuple[str, str | None, Span | None] | None:
    """A joint speaker ("the two men", "both leaders"): the two people named together just before.

    Only a pair written together ("Ana Ruiz and Tom Berg") within a few sentences, outside quotes: the
    speaker is both names, with the span that covers them.
    """
    words = {t.lower_ for t in subject.children} | {subject.lower_}
    if not words & _JOINT or subject.tag_ not in ("NNS", "NNPS", "DT", "PRP"):
        return None
    people = [
        (first, last, entity)
        for first, last, entity in resolver.by_span.get(article.id, [])
        if resolver.is_person(entity)
        and last <= subject.idx
        and subject.idx - first <= _ANAPHOR_REACH
        and not any(s <= first < e for s, e in inside)
    ]
    for (first, one_end, one), (other_start, last, other) in reversed(list(itertools.pairwise(people))):
        joined = re.fullmatch(r",?\s+and\s+(.*)", article.text[one_end:other_start])  # "and President Tom Berg"
        titles = joined is not None and all(w.lower().rstrip(".") in _TITLES for w in joined.group(1).split())
        if one.id != other.id and titles:
            return f"{one.name} and {other.name}", None, Span(article.id, first, last)
    return None


def _antecedent(
    article: Article, doc: Doc, pronoun: Token, resolver: _Resolver, inside: Sequence[tuple[int, int]] = ()
) -> tuple[Entity, Span] | None:
    """The person a pronoun stands for: the nearest person before it who is a subject, else the nearest.

    "Xi expressed his hope that Kim's visit ... "We speak highly of this visit," he told Kim": Xi,
    not Kim, whose name there only qualifies the visit.
    """
    # Names inside quotes are those the speakers talk about, not who "he" is.
    people = [
        (first, last, entity)
        for first, last, entity in resolver.by_span.get(article.id, [])
        if last <= pronoun.idx
        and (resolver.is_person(entity) or _titled(doc, first, last))
        and not any(s <= first < e for s, e in inside)
    ]
    previous = resolver.previous
    subjects = []
    for first, last, entity in reversed(people[-10:]):
        span = doc.char_span(first, last, alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        # "A professor of economics, Yanis Varoufakis, did not go": the name in apposition is the subject.
        if root.dep_ in _SUBJECTS or (root.dep_ == "appos" and root.head.dep_ in _SUBJECTS):
            subjects.append((first, last, entity))
    # A person who became the subject after the previous quote is who "he" is now; else the one
    # who spoke last goes on speaking; else the nearest subject before.
    if subjects and (previous is None or subjects[0][0] > previous.end):
        first, last, entity = subjects[0]
        return entity, Span(article.id, first, last)
    if previous is not None and previous.speaker_entity and pronoun.idx - previous.end < 800:
        named = next((e for _, _, e in people if e.id == previous.speaker_entity), None)
        if named is not None:
            return named, previous.speaker_span or Span(article.id, pronoun.idx, pronoun.idx + len(pronoun))
    if subjects:
        first, last, entity = subjects[0]
        return entity, Span(article.id, first, last)
    if not people:
        return None
    first, last, entity = people[-1]
    return entity, Span(article.id, first, last)


def _merged(found: Sequence[Found], articles: Sequence[Article]) -> list[Quote]:
    """One quote per set of reports of the same words with compatible speakers, first report first."""
    groups: list[list[Found]] = []
    stems: list[frozenset[str]] = []
    for item in found:
        words = _content(articles[item.article].text[item.start : item.end])
        for g, group in enumerate(groups):
            if _same_words(words, stems[g]) and all(_compatible(item, other) for other in group):
                group.append(item)
                break
        else:
            groups.append([item])
            stems.append(words)
    result = []
    for group in groups:
        first = group[0]
        named = next((item for item in group if item.speaker_entity), next((i for i in group if i.speaker), first))
        spans = tuple(Span(articles[i.article].id, i.start, i.end) for i in group)
        outlets = tuple(dict.fromkeys(o for i in group for o in articles[i.article].outlets))
        text = articles[first.article].text[first.start : first.end]
        quote_id = hashlib.blake2b("|".join(f"{s.article_id}:{s.start}" for s in spans).encode(), digest_size=6)
        result.append(
            Quote(
                id=quote_id.hexdigest(),
                text=text,
                spans=spans,
                outlets=outlets,
                speaker=named.speaker,
                speaker_entity=named.speaker_entity,
                speaker_span=named.speaker_span,
            )
        )
    return result


def _content(text: str) -> frozenset[str]:
    function = function_stems()
    return frozenset(s for s in word_stems(text) if s not in function and len(s) > 1)


def _same_words(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    if min(len(a), len(b)) < _MIN_WORDS:
        return a == b  # a word or two quoted inside a sentence is not the whole quote it comes from
    shared = len(a & b)
    return shared / len(a | b) >= 0.5 or shared / min(len(a), len(b)) >= 0.8


def _compatible(a: Found, b: Found) -> bool:
    """Whether two reports may be one quote: a speaker unknown to one, or the same in both.

    Unresolved names compare by their last word ("Klitschko", "the 36-year-old Klitschko"), so that one
    outlet's wrong speaker does not spread to the others' reports of the same words.
    """
    if a.speaker is None or b.speaker is None:
        return True
    if a.speaker_entity is not None and b.speaker_entity is not None:
        return a.speaker_entity == b.speaker_entity
    return a.speaker.split()[-1].lower() == b.speaker.split()[-1].lower()
