"""What a dependency parse says of the verb at one place in a statement: its subject, modal and complement.

The cross-check asks it whether a verb negated in one report and stated plainly in another is said
of one subject: "Bettie Page, the 1950s pin-up girl whose ..., has not died" and "Bettie Page, the
pin-up model whose ..., has died, her agent said" share few words around the verb, yet the parse
gives both verbs the subject "Bettie Page". And whether two weekdays date one verb of one subject
("Kim arrived in Beijing on Monday" / "Kim arrived in the Chinese capital on Tuesday") or two
events of the story ("charged Saturday" / "opened fire Friday"). The parse is spaCy's English
pipeline (the ``[nlp]`` extra); without it the cross-check keeps to its lexical rules (``Parses``
then answers None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.nlp import ModelMissingError, english
from newsweave.statements import stem

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

_VERB = frozenset({"VERB", "AUX"})
_CONTENT = frozenset({"NOUN", "PROPN", "NUM"})
# A verb under one of these is a possibility or a counterfactual, not a report of what happened: "would not
# have placed Bush on injured reserve if ..." does not dispute "placed Bush on injured reserve".
_MODALS = frozenset("would could might should may".split())
# Links through which a verb shares its subject with the verb it hangs on ("was arrested and charged",
# "announced that Jackman will be host" has its own subject; "began to cast" borrows "Voters").
_BORROWS_SUBJECT = frozenset({"conj", "xcomp", "advcl"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass"})
# Verbs of a contested assertion: "She claimed the shootings didn't happen" reports her position, and the
# outlet does not dispute "the shootings happened" by reporting it.
_CONTESTED = ("claim", "insist", "alleg", "contend", "maintain", "argu", "deni", "deny")
# How a date hangs on what it dates: "on Friday" (pobj, prep), "Friday" alone (npadvmod), "Friday night"
# (compound), "Friday, Dec. 5" (appos).
_DATE_LINKS = frozenset({"pobj", "prep", "npadvmod", "tmod", "obl", "compound", "appos", "nmod"})
# Words that bring in another event between a verb and a date.
_OTHER_EVENT = frozenset("after before following since when until during while".split())
# Words between an age and the person it is said of: "62-year-old", "at the age of 85", "aged 99".
_AGE_WORDS = frozenset("year years old age aged".split())
_UNNEEDED = ("lemmatizer",)  # the subject is read from words and tags; entities type a name (name_role)
# spaCy's entity labels, coarsened to what a swapped name must share: a place is not swapped for a person.
# Not NORP ("British", "Chinese"): nationalities are adjectives that paraphrases swap freely ("British" / "English").
_KINDS = {"GPE": "place", "LOC": "place", "FAC": "place", "PERSON": "person", "ORG": "organisation"}


@dataclass(frozen=True, slots=True)
class Predicate:
    """The verb at one place of a statement, as the parse reads it."""

    verb: str  # stem of the verb
    subject: frozenset[str]  # stems of the subject's nouns, names and numbers (empty when none is found)
    hedged: bool  # under a modal: "would not have placed", "may have died"
    complement: bool  # takes a verb as complement: "failed to confirm" says something else than "failed"
    contested: bool  # what someone claims or insists: "She claimed the shootings didn't happen"
    # Stems of the head words of the subject ("Lindsay Lohan" -> lohan; "the actress" -> actress) and of the direct
    # object's nouns, names and numbers: "issued new rules" and "issued a patch" are two acts.
    subject_head: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()


class Parses:
    """Statements parsed on demand, each once, for one cross-check.

    Loading the pipeline is deferred to the first statement asked for, so that a story with no
    candidate that needs the parse never loads it; when spaCy or its model is not installed every
    answer is None.
    """

    def __init__(self, load: Callable[[], Language] = english) -> None:
        self._load = load
        self._pipeline: Language | None = None
        self._missing = False
        self._docs: dict[str, Doc] = {}

    def __call__(self, text: str) -> Doc | None:
        if self._missing:
            return None
        doc = self._docs.get(text)
        if doc is None:
            if self._pipeline is None:
                try:
                    self._pipeline = self._load()
                except ModelMissingError:
                    self._missing = True
                    return None
            pipeline = self._pipeline
            names = [name for name in _UNNEEDED if name in pipeline.pipe_names]
            doc = self._docs[text] = pipeline(text, disable=names)
        return doc


def predicate(doc: Doc, offset: int) -> Predicate | None:
    """The predicate whose verb is the word at character ``offset`` of the parsed text; None if no verb is there.

    Only a word the parse tags as a verb counts: "determination" is not "determined".
    """
    word = _word_at(doc, offset)
    if word is None or word.pos_ not in _VERB:
        return None
    return _predicate(word)


def dated_predicate(doc: Doc, offset: int) -> Predicate | None:
    """The predicate a date at character ``offset`` says when of: "was arrested on Friday" -> arrested.

    None when the date qualifies a noun ("the vigil on Sunday", "Saturday's game") or no verb: what
    it dates is then not read.
    """
    date = word = _word_at(doc, offset)
    previous: Token | None = None
    for _ in range(4):  # "Friday" -> "on" -> "arrested"; "Friday night" -> "night" -> "on" -> "arrested"
        if word is None or date is None or word.head is word:
            return None
        # "released a patch on Saturday": the parse often hangs the date's preposition on the verb's object,
        # but the date is still the act's.
        through_object = word.dep_ == "dobj" and previous is not None and previous.dep_ == "prep"
        if word.dep_ not in _DATE_LINKS and not through_object:
            return None
        previous, word = word, word.head
        if word.pos_ in _VERB:
            between = doc[min(word.i, date.i) + 1 : max(word.i, date.i)]
            if any(token.lower_ in _OTHER_EVENT for token in between):
                # "charged with murder after a shooting at an office party in Vancouver Friday": the date
                # may be the other event's, whatever the parse hangs it on.
                return None
            return _predicate(word)
    return None


def age_holder(doc: Doc, offset: int) -> frozenset[str]:
    """Stems of the name of the person an age at character ``offset`` is said of; empty when no name is found.

    "Alice Hart, 54," -> Alice Hart; "a 62-year-old Tom Reed" -> Tom Reed; "Mark Felt, 'Deep Throat', dead at
    95" -> Mark Felt (through the apposition); "Ana Ruiz died yesterday aged 99" -> the subject of "died". A
    description ("a 61-year-old man") gives no name: two men of one story may be of two ages.
    """
    word = _word_at(doc, offset)
    for _ in range(6):  # "62" -> "year" -> "old" -> "woman"; "85" -> "of" -> "age" -> "at" -> "died"
        if word is None or word.head is word:
            return frozenset()
        word = word.head
        if word.pos_ in _VERB and word.lower_ not in _AGE_WORDS:
            if word.dep_ == "relcl":
                return _name_of(word.head)  # "Nadia Verhoeven, who died at 88"
            subjects = [child for child in word.children if child.dep_ in _SUBJECTS]
            return frozenset(name for subject in subjects for name in _name_of(subject))
        if word.pos_ in ("NOUN", "PROPN") and word.lower_ not in _AGE_WORDS:
            return _name_of(word)
    return frozenset()


def _name_of(noun: Token) -> frozenset[str]:
    """Stems of the name of ``noun``: a name with its compounds, itself or in apposition ("Ann Hart, a teacher").

    The names before a common noun say where or what, not who: "a Troy resident", "a New Bedford man".
    """
    nouns = [noun, *(child for child in noun.children if child.dep_ == "appos")]
    if noun.dep_ == "appos":
        nouns.append(noun.head)
    names = [n for n in nouns if n.pos_ == "PROPN"]
    words = [w for n in names for w in (n, *(c for c in n.children if c.dep_ in ("compound", "flat")))]
    return frozenset(stem(w.lower_) for w in words if w.pos_ == "PROPN")


@dataclass(frozen=True, slots=True)
class NameRole:
    """What a name is and where it stands in its clause, as the parse reads it."""

    kinds: frozenset[str]  # place, person, organisation: spaCy's entity labels on the name, coarsened
    # How the name hangs in the clause: its link, the word it hangs on (for "in Boston", the preposition and the
    # word the preposition hangs on), so that "in Boston" and "in Turkmenistan" of one verb stand alike.
    role: tuple[str, ...]
    listed: bool  # one of a list ("India, Egypt and Dubai"): which member is which is unknown


def name_role(doc: Doc, start: int, end: int) -> NameRole | None:
    """The kind and role of the name at characters ``[start, end)`` of the parsed text; None if no word is there."""
    words = [token for token in doc if start <= token.idx < end]
    if not words:
        return None
    inside = {token.i for token in words}
    # The name's head word: the one that hangs on a word outside the name.
    head = next((t for t in words if t.head.i not in inside or t.head is t), words[0])
    kinds = frozenset(
        _KINDS[e.label_] for e in doc.ents if e.start_char < end and start < e.end_char and e.label_ in _KINDS
    )
    if head.dep_ == "pobj":
        role: tuple[str, ...] = ("pobj", head.head.lower_, stem(head.head.head.lower_))
    else:
        role = (head.dep_.replace("pass", ""), stem(head.head.lower_))
    listed = head.dep_ == "conj" or any(child.dep_ == "conj" for child in head.children)
    return NameRole(kinds, role, listed)


def _word_at(doc: Doc, offset: int) -> Token | None:
    return next((token for token in doc if token.idx <= offset < token.idx + len(token)), None)


def _predicate(word: Token) -> Predicate:
    return Predicate(
        verb=stem(word.lower_),
        subject=_subject(word),
        hedged=any(child.dep_ == "aux" and child.lower_ in _MODALS for child in word.children),
        complement=any(child.dep_ == "xcomp" for child in word.children),
        contested=word.dep_ == "ccomp" and word.head.lower_.startswith(_CONTESTED),
        subject_head=_subject_head(word),
        objects=frozenset(
            stem(t.lower_) for obj in word.children if obj.dep_ == "dobj" for t in obj.subtree if t.pos_ in _CONTENT
        ),
    )


def _subject_head(verb: Token) -> frozenset[str]:
    """Stems of the head words of ``verb``'s own subjects (not borrowed through other verbs)."""
    return frozenset(stem(c.lower_) for c in verb.children if c.dep_ in _SUBJECTS and c.pos_ in _CONTENT)


def _subject(verb: Token) -> frozenset[str]:
    """Stems of the content words of ``verb``'s subject, looked up through the verbs it hangs on."""
    for _ in range(4):  # a chain of coordinated or complement verbs is short; a cycle is impossible
        subjects = [child for child in verb.children if child.dep_ in _SUBJECTS]
        if subjects:
            return frozenset(stem(t.lower_) for s in subjects for t in s.subtree if t.pos_ in _CONTENT)
        if verb.dep_ == "relcl":
            # "the deputy who was shot": the relative clause is said of the noun it qualifies
            noun = verb.head
            return frozenset(stem(t.lower_) for t in noun.subtree if t.pos_ in _CONTENT and t.i < verb.i)
        if verb.dep_ not in _BORROWS_SUBJECT or verb.head is verb:
            break
        verb = verb.head
    return frozenset()
