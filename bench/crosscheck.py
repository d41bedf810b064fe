"""Cross-source fact alignment: newsweave.crosscheck against TF-IDF cosine and simple baselines, on ECB+ and the seeds.

Run from the project root: ``.venv/bin/python bench/crosscheck.py`` (a few minutes on 2 cores).

Data: ECB+ topics 1-35 (../shared/data/ecbplus/; Cybulska & Vossen 2014, CC BY 3.0), 66 events, and the two seed
reports of one event (../shared/seeds/, read with ``newsweave.read``). Each ECB+ event becomes one Story: one Article
per document, whose outlet is the document id (most ECB+ documents name no outlet, and each document is an independent
report, so each counts as its own source), whose text is the corpus's sentences joined by blank lines (the URL line
of the ECB+ half left out, as docs.jsonl's ``text`` leaves it out), and whose Sentence records are the corpus's own
split, so that every statement maps back to exactly one corpus sentence.

(a) Alignment against gold. A gold pair is two sentences of different documents of one event, both in the fully
    annotated list (ECBplus_coreference_sentences.csv), that hold mentions of the same cross-document ACTION_* chain.
    The candidates are all pairs of annotated sentences of different documents of one event; a system predicts a
    subset. newsweave predicts a pair when the two sentences have statements in one Fact. Peers on the same
    candidates, same run: TF-IDF cosine of the two sentences (scikit-learn TfidfVectorizer fitted per event on all
    its sentences) above a threshold chosen for the best F1 on topics 1-17 and reported on topics 18-35; the same
    sentence position in both documents; every candidate pair (the base rate). Pairwise P/R/F1 are micro-averaged,
    with 95% percentile-bootstrap intervals over events (1000 resamples, the same for every row, so ΔF1 is paired).
(b) Perturbations. Among statement pairs of different documents that newsweave's unperturbed run puts in one Fact
    (for ECB+, also a gold pair), those where both statements hold the same number, date, name or affirmative verb
    phrase; in one document that element is changed (a different number of the same form, another weekday, month or
    year, a name of the same type from another topic, "not" after an auxiliary or "said" -> "denied"), the story is
    rebuilt and cross-checked again. A hit is a Conflict with the perturbed statement on one side (one it did not
    have before the change); "same kind" also asks for the Conflict's kind to be the perturbation's. At most 3
    perturbations per story and kind (1 for method=neural, whose calls are about 20x slower; --per-kind,
    --neural-per-kind), one per run, chosen with random.Random seeded by --seed, the story and the kind. Then the
    conflicts newsweave reports on the unperturbed stories (some may be real disagreements between ECB+ documents,
    but most are false alarms).
(c) Speed: one crosscheck call on a 20-article story (the first 20 documents of the largest event), warm: one run,
    then the best of 5.

Every table has a column per method: ``CrossCheckConfig(method="lexical")`` and, when the optional extra is
installed, ``method="neural"``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import newsweave
from _common import table, versions
from _ecbplus import ROOT, Corpus, SentenceKey, event_story, load_corpus
from _metrics import harmonic, percentile_interval, ratio_resamples
from newsweave.records import Article, Story

if TYPE_CHECKING:
    from newsweave.records import Statement

SEEDS = ROOT.parent / "shared" / "seeds"

BOOTSTRAP_SEED = 20240514  # as in the other benches
RESAMPLES = 1000
PICK_TOPICS = range(1, 18)  # TF-IDF's threshold is chosen on these topics, every figure of table (a) on the rest
PER_KIND = 3  # perturbations per story and kind, at most (--per-kind)
# method=neural: a crosscheck call costs about 20x lexical's (1 s against 0.05 s for 20 articles on 2 cores), and
# every perturbation is a call, so 3 per story and kind would add about 10-25 minutes (--neural-per-kind).
NEURAL_PER_KIND = 1
SPEED_ARTICLES = 20
SPEED_RUNS = 5
LIBRARIES = ("newsweave", "numpy", "scikit-learn", "sentence-transformers")
KINDS = ("number", "date", "name", "negation")
GOALS = {"number": 0.9, "date": 0.9, "name": 0.7, "negation": 0.7}  # recall (same kind)
FALSE_CONFLICT_GOAL = 0.1  # conflicts per unperturbed story, at most

Pair = tuple[SentenceKey, SentenceKey]  # sorted


# ------------------------------------------------------------------------------------------- ECB+ as stories


def seed_story() -> Story:
    """Return the two seed reports of one event as a Story, read and segmented by newsweave."""
    paths = sorted(SEEDS.glob("*.txt"))
    if len(paths) < 2:
        sys.exit(f"bench/crosscheck.py: expected the two seed reports in {SEEDS}")
    return Story(id="seeds", title=None, articles=tuple(newsweave.read(path) for path in paths))


def perturbed_article(article: Article, start: int, end: int, replacement: str) -> Article:
    """Return ``article`` with ``text[start:end]`` replaced, its sentences moved to match; checks both."""
    text = article.text
    if not text[start:end] or text[start:end] == replacement:
        raise ValueError(f"{article.id}: nothing to change at {start}-{end}")
    shift = len(replacement) - (end - start)
    sentences = []
    for sentence in article.sentences:
        if sentence.end <= start:
            sentences.append(sentence)
        elif sentence.start >= end:
            sentences.append(dataclasses.replace(sentence, start=sentence.start + shift, end=sentence.end + shift))
        elif sentence.start <= start and end <= sentence.end:
            new = sentence.text[: start - sentence.start] + replacement + sentence.text[end - sentence.start :]
            sentences.append(dataclasses.replace(sentence, end=sentence.end + shift, text=new))
        else:
            raise ValueError(f"{article.id}: the span {start}-{end} crosses a sentence boundary")
    changed = dataclasses.replace(article, text=text[:start] + replacement + text[end:], sentences=tuple(sentences))
    # Exactly one span changed: the same text before it and after it.
    assert changed.text[:start] == text[:start] and changed.text[start + len(replacement) :] == text[end:]
    assert changed.text[start : start + len(replacement)] == replacement
    assert all(changed.text[s.start : s.end] == s.text for s in changed.sentences)
    return changed


def perturbed_story(story: Story, article_id: str, spans: Sequence[tuple[int, int]], replacement: str) -> Story:
    """Return ``story`` with spans of one article changed; the other articles are the very same records."""

    def changed_article(article: Article) -> Article:
        for start, end in sorted(spans, reverse=True):  # from the end: earlier offsets stay valid
            article = perturbed_article(article, start, end, replacement)
        return article

    articles = tuple(changed_article(article) if article.id == article_id else article for article in story.articles)
    changed = [new for old, new in zip(story.articles, articles, strict=True) if new is not old]
    assert len(changed) == 1, f"{len(changed)} articles changed, expected 1"
    return dataclasses.replace(story, articles=articles)


# ------------------------------------------------------------------------------------------- gold pairs


@dataclass(frozen=True)
class EventGold:
    event: str
    topic: int
    candidates: tuple[Pair, ...]  # annotated sentences of different documents, sorted
    gold: frozenset[Pair]


def event_gold(corpus: Corpus, event: str, action_chains: dict[SentenceKey, set[str]]) -> EventGold:
    """Return the candidate pairs of one event and those that share a cross-document ACTION_* chain."""
    keys = sorted(key for key in corpus.annotated if corpus.documents[key[0]].event == event)
    candidates = tuple((a, b) for a, b in itertools.combinations(keys, 2) if a[0] != b[0])
    gold = frozenset((a, b) for a, b in candidates if action_chains.get(a, set()) & action_chains.get(b, set()))
    return EventGold(event, corpus.documents[keys[0][0]].topic if keys else 0, candidates, gold)


def action_chains(corpus: Corpus) -> dict[SentenceKey, set[str]]:
    """Return the cross-document ACTION_* chains mentioned in each annotated sentence."""
    chains: dict[SentenceKey, set[str]] = defaultdict(set)
    for mention in corpus.mentions:
        key = (mention.doc, mention.sentence)
        if mention.type.startswith("ACTION_") and mention.cross_doc and key in corpus.annotated:
            chains[key].add(mention.chain)
    return chains


def statement_key(corpus: Corpus, statement: Statement) -> SentenceKey:
    """Return the corpus sentence a statement comes from."""
    return statement.article_id, corpus.documents[statement.article_id].corpus_index[statement.sentence_index]


def aligned_pairs(corpus: Corpus, result: Any) -> set[Pair]:
    """Return the pairs of corpus sentences of different documents that have statements in one Fact."""
    pairs: set[Pair] = set()
    for fact in result.facts:
        keys = sorted({statement_key(corpus, statement) for statement in fact.statements})
        pairs.update((a, b) for a, b in itertools.combinations(keys, 2) if a[0] != b[0])
    return pairs


def statement_problems(story: Story, result: Any) -> list[str]:
    """Return what is wrong with the statements' offsets (empty when every one points at its own text)."""
    articles = {article.id: article for article in story.articles}
    problems = []
    for fact in result.facts:
        for statement in fact.statements:
            article = articles.get(statement.article_id)
            if article is None:
                problems.append(f"statement of an unknown article {statement.article_id}")
                continue
            if not 0 <= statement.sentence_index < len(article.sentences):
                problems.append(f"{article.id}: sentence_index {statement.sentence_index} out of range")
                continue
            sentence = article.sentences[statement.sentence_index]
            if not sentence.start <= statement.start < statement.end <= sentence.end:
                problems.append(f"{article.id}: statement {statement.start}-{statement.end} outside its sentence")
            elif article.text[statement.start : statement.end] != statement.text:
                problems.append(f"{article.id}: statement text is not Article.text[start:end]")
    return problems


# ------------------------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Counts:
    """One system's pair counts, one entry per event (in the order of the events scored)."""

    true_positives: list[int]
    predicted: list[int]
    gold: list[int]

    def precision(self) -> float:
        return sum(self.true_positives) / sum(self.predicted) if sum(self.predicted) else 1.0

    def recall(self) -> float:
        return sum(self.true_positives) / sum(self.gold) if sum(self.gold) else 1.0

    def f1(self) -> float:
        return harmonic(self.precision(), self.recall())

    def f1_draws(self) -> np.ndarray:
        doubled = [2 * tp for tp in self.true_positives]
        both = [p + g for p, g in zip(self.predicted, self.gold, strict=True)]
        return ratio_resamples(doubled, both, RESAMPLES, BOOTSTRAP_SEED)


def counts(events: Sequence[EventGold], predict: Callable[[EventGold], set[Pair]]) -> Counts:
    """Return the pair counts of ``predict`` on each event, restricted to the event's candidates."""
    result = Counts([], [], [])
    for event in events:
        predicted = predict(event) & set(event.candidates)
        result.true_positives.append(len(predicted & event.gold))
        result.predicted.append(len(predicted))
        result.gold.append(len(event.gold))
    return result


def with_interval(value: float, draws: np.ndarray) -> str:
    low, high = percentile_interval(draws)
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def delta(draws: np.ndarray, reference: np.ndarray | None, value: float, reference_value: float | None) -> str:
    if reference is None or reference_value is None:
        return "—"
    low, high = percentile_interval(draws - reference)
    return f"{value - reference_value:+.3f} [{low:+.3f}, {high:+.3f}]"


def score_row(name: str, scores: Counts, reference: Counts | None, seconds: str) -> list[str]:
    precision = ratio_resamples(scores.true_positives, scores.predicted, RESAMPLES, BOOTSTRAP_SEED)
    recall = ratio_resamples(scores.true_positives, scores.gold, RESAMPLES, BOOTSTRAP_SEED)
    f1 = scores.f1_draws()
    return [
        name,
        f"{sum(scores.predicted):,}",
        with_interval(scores.precision(), precision),
        with_interval(scores.recall(), recall),
        with_interval(scores.f1(), f1),
        delta(f1, reference.f1_draws() if reference else None, scores.f1(), reference.f1() if reference else None),
        seconds,
    ]


# ------------------------------------------------------------------------------------------- peers


@dataclass(frozen=True)
class TfidfScores:
    pairs: tuple[Pair, ...]
    cosine: np.ndarray
    seconds: float


def tfidf_scores(corpus: Corpus, event: EventGold) -> TfidfScores:
    """Return the TF-IDF cosine of each candidate pair, the vectoriser fitted on all sentences of the event."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.perf_counter()
    keys = [(doc_id, index) for doc_id in corpus.events[event.event] for index in corpus.documents[doc_id].corpus_index]
    position = {key: row for row, key in enumerate(keys)}
    texts = [sentence for doc_id in corpus.events[event.event] for sentence in corpus.documents[doc_id].sentences]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    left = matrix[[position[a] for a, _ in event.candidates]]
    right = matrix[[position[b] for _, b in event.candidates]]
    # Rows are L2-normalised: the row-wise dot product is the cosine.
    cosine = np.asarray(left.multiply(right).sum(axis=1)).ravel() if event.candidates else np.zeros(0)
    return TfidfScores(event.candidates, cosine, time.perf_counter() - started)


def ranked(scored: Sequence[TfidfScores], events: Sequence[EventGold]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return all cosines, highest first, whether each pair is gold, and where a threshold may fall.

    A threshold can only fall after the last of a run of equal values ("predict at or above it").
    """
    values = np.concatenate([s.cosine for s in scored])
    labels = np.concatenate([[pair in e.gold for pair in s.pairs] for s, e in zip(scored, events, strict=True)])
    order = np.argsort(-values, kind="stable")
    values, labels = values[order], labels[order].astype(float)
    return values, labels, np.append(values[1:] != values[:-1], True)


def best_threshold(scored: Sequence[TfidfScores], events: Sequence[EventGold]) -> tuple[float, float]:
    """Return the cosine threshold with the best pooled F1, and that F1."""
    values, labels, allowed = ranked(scored, events)
    f1 = 2 * np.cumsum(labels) / (np.arange(1, len(values) + 1) + labels.sum())
    best = int(np.argmax(np.where(allowed, f1, -1.0)))
    return float(values[best]), float(f1[best])


def threshold_at_precision(scored: Sequence[TfidfScores], events: Sequence[EventGold], precision: float) -> float:
    """Return the lowest cosine threshold whose pooled precision is at least ``precision`` (the most recall there)."""
    values, labels, allowed = ranked(scored, events)
    reached = allowed & (np.cumsum(labels) / np.arange(1, len(values) + 1) >= precision)
    return float(values[np.flatnonzero(reached)[-1]]) if reached.any() else float(values[0]) + 1e-9


def same_position(corpus: Corpus, event: EventGold) -> set[Pair]:
    """Predict a pair when both sentences are at the same position of their documents (URL line not counted)."""

    def position(key: SentenceKey) -> int:
        return corpus.documents[key[0]].corpus_index.index(key[1])

    return {(a, b) for a, b in event.candidates if position(a) == position(b)}


# ------------------------------------------------------------------------------------------- perturbations


@dataclass(frozen=True)
class Occurrence:
    """One element of an article that a perturbation can change: ``text[start:end]`` of the article."""

    kind: str
    key: str  # what the two statements must share: the lowercased element, or the ECB+ chain of a name
    article_id: str
    start: int
    end: int
    text: str
    category: str = ""  # names: HUMAN_PART_PER or the LOC_* type; negation: "auxiliary" or "said"


# A clearly different count; words that begin with a vowel sound map to each other ("an eight-year" becomes
# "an eleven-year"). "one" is left out: "killing one man" cannot become another number and stay English, and it is
# often no count at all ("no one", "one of them").
NUMBER_WORDS = {
    "two": "six",
    "three": "seven",
    "four": "nine",
    "five": "nine",
    "six": "two",
    "seven": "three",
    "eight": "eleven",
    "nine": "five",
    "ten": "fifteen",
    "eleven": "eight",
    "twelve": "seventeen",
    "fifteen": "ten",
    "twenty": "forty",
    "thirty": "sixty",
    "forty": "seventy",
    "fifty": "ninety",
    "sixty": "twenty",
    "seventy": "thirty",
    "eighty": "eighteen",
    "eighteen": "eighty",
    "ninety": "fifty",
    "hundred": "thousand",
    "hundreds": "thousands",
    "thousand": "million",
    "thousands": "millions",
    "million": "billion",
    "millions": "billions",
    "billion": "million",
    "dozen": "hundred",
    "dozens": "hundreds",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
AUXILIARIES = ("is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could")
# After has/have/had, "not" is grammatical only before a participle: "has been", "had left", "have taken".
IRREGULAR_PARTICIPLES = frozenset(
    "been made said told left found got gone done come become had seen given taken won lost hit put set shot struck "
    "caught brought built bought held kept led paid sent spent sold thought felt fought run met heard read".split()
)
# Words after an auxiliary before which "not" reads badly or is already there.
NOT_AFTER = frozenset("not never no nothing none also still now already just only even ever n't to".split())
PRONOUNS = frozenset("I He She It We They You His Her Its Our Their Him Them Who This That These Those".split())

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w]|[.,]\d)")
_YEAR = re.compile(r"(?<![\w.,$])(?:19[5-9]\d|20[0-4]\d)(?![\w]|[.,]\d)")
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b")
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
_MAY_AS_MONTH = re.compile(r"(?:\b(?:in|of|since|last|this|next|early|late|mid|until|by|from)[\s-]+May\b|\bMay\s+\d)")
_YESTERDAY = re.compile(r"\byesterday\b", re.IGNORECASE)
_AUXILIARY = re.compile(r"\b(" + "|".join(AUXILIARIES) + r")\s+([a-z]+)\b")
_SAID = re.compile(r"(?<!\bis )(?<!\bwas )(?<!\bare )(?<!\bwere )(?<!\bbe )(?<!\bbeen )\bsaid\b(?! to\b)")
# A word of a name: capitalised, not all capitals ("Reid", "DeGeneres", "Jong-un"; not "NYPD").
_NAME_TOKEN = re.compile(r"[A-Z][a-z][\w'.-]*,?")
_LEADING_PREPOSITION = re.compile(r"^(?:in|at|near|to|from|on|into|outside)\s+")


def number_occurrences(article: Article) -> list[Occurrence]:
    text = article.text
    found = [
        Occurrence("number", m.group().lower(), article.id, m.start(), m.end(), m.group())
        for m in _NUMBER.finditer(text)
        if not _YEAR.fullmatch(m.group())
    ]
    found += [
        Occurrence("number", m.group().lower(), article.id, m.start(), m.end(), m.group())
        for m in _NUMBER_WORD.finditer(text)
    ]
    return found


def date_occurrences(article: Article) -> list[Occurrence]:
    text = article.text
    found = [
        Occurrence("date", m.group().lower(), article.id, m.start(), m.end(), m.group())
        for pattern in (_WEEKDAY, _YEAR, _YESTERDAY)
        for m in pattern.finditer(text)
    ]
    may = {m.end() if m.group().endswith("May") else m.start() + 3 for m in _MAY_AS_MONTH.finditer(text)}
    for match in _MONTH.finditer(text):
        if match.group() != "May" or match.end() in may:  # "May" the month, not the modal verb
            found.append(
                Occurrence("date", match.group().lower(), article.id, match.start(), match.end(), match.group())
            )
    return found


def negation_occurrences(article: Article) -> list[Occurrence]:
    text = article.text
    found = []
    for match in _AUXILIARY.finditer(text):
        auxiliary, word = match.group(1), match.group(2)
        if word in NOT_AFTER:
            continue
        if auxiliary in ("has", "have", "had") and not (word in IRREGULAR_PARTICIPLES or word.endswith(("ed", "en"))):
            continue  # "has a history" cannot take "not"
        key = f"{auxiliary} {word}"
        found.append(Occurrence("negation", key, article.id, match.start(1), match.end(1), auxiliary, "auxiliary"))
    found += [
        Occurrence("negation", "said", article.id, m.start(), m.end(), "said", "said") for m in _SAID.finditer(text)
    ]
    return found


def proper_name(text: str) -> str | None:
    """Return the name in a mention ("in Beverly Hills, California" -> "Beverly Hills, California"), or None."""
    name = re.sub(r"['’]s$", "", _LEADING_PREPOSITION.sub("", text))  # "Palmer's" -> "Palmer"
    tokens = name.split()
    if not 1 <= len(tokens) <= 4 or name in PRONOUNS or len(name) < 3:
        return None
    if not all(_NAME_TOKEN.fullmatch(token) for token in tokens) or name.endswith(","):
        return None
    return name


def ecb_name(corpus: Corpus, text: str) -> str | None:
    """Return the proper name in an ECB+ person or place mention, leaving out headline words and titled names.

    Headlines capitalise common nouns ("Checks Into Rehab", "Party Girl"), so a name's last word must be one the
    corpus never writes in lower case; "President Nixon" and "Gov. Palin" are left out as titled.
    """
    name = proper_name(text)
    if name is None or name.split()[0].rstrip(".") in _TITLES:
        return None
    last = name.split()[-1].rstrip(",").lower()
    return None if last in corpus.lowercase_words else name


def ecb_name_occurrences(corpus: Corpus, article: Article) -> list[Occurrence]:
    """Return the article's person and place mentions that are proper names, keyed by their coreference chain."""
    document = corpus.documents[article.id]
    found = []
    for mention in corpus.mentions_by_doc.get(article.id, ()):
        if mention.type != "HUMAN_PART_PER" and not mention.type.startswith("LOC_"):
            continue
        name = ecb_name(corpus, mention.text)
        if name is None or mention.sentence not in document.corpus_index:
            continue
        sentence = article.sentences[document.corpus_index.index(mention.sentence)]
        start = sentence.start + mention.start + mention.text.index(name)
        assert article.text[start : start + len(name)] == name
        found.append(Occurrence("name", mention.chain, article.id, start, start + len(name), name, mention.type))
    return found


_PERSON_CONTEXT = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|President|leader|spokeswoman|spokesman|Secretary)\s+"
    r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2})"
)
# A place: after in/to/from/visited and before punctuation ("visit to Beijing,", "with the United States."), so that
# adjectives ("in the Chinese capital") and people ("to Mr Kim") are not taken for places.
_PLACE_CONTEXT = re.compile(
    r"\b(?:in|from|visited|(?<!according )to)\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?=[,.;:])"
)
_TITLES = frozenset(
    "Mr Mrs Ms Dr President Secretary General Prime Minister Gov Sen Rep Sheriff Deputy Judge Officer Chief Sgt Lt "
    "Capt Det King Queen Prince Pope St".split()
)


def seed_names(story: Story) -> dict[str, str]:
    """Return the seeds' capitalised names typed by their context: after a title a person, after in/to a place.

    Person: "Mr Kim", "President Xi Jinping", "leader Kim Jong-un" give Kim, Xi Jinping, Kim Jong-un.
    """
    names: dict[str, str] = {}
    for article in story.articles:
        for match in _PLACE_CONTEXT.finditer(article.text):
            names.setdefault(match.group(1), "LOC_GEO")
        for match in _PERSON_CONTEXT.finditer(article.text):
            names[match.group(1)] = "HUMAN_PART_PER"  # a title wins: "President Xi" even after "to"
    dates = {*WEEKDAYS, *MONTHS}
    return {
        name: kind
        for name, kind in names.items()
        if proper_name(name) and name.split()[0] not in _TITLES and name not in dates
    }


def seed_name_occurrences(names: dict[str, str], article: Article) -> list[Occurrence]:
    if not names:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return [
        Occurrence("name", m.group().lower(), article.id, m.start(), m.end(), m.group(), names[m.group()])
        for m in pattern.finditer(article.text)
    ]


def replacement(occurrence: Occurrence, rng: random.Random, name_pool: dict[str, list[str]], story: Story) -> str:
    """Return a clearly different value of the same form for ``occurrence`` (names: from ``name_pool``)."""
    text = occurrence.text
    if occurrence.kind == "number":
        if text[-1].isdigit():  # change the last digit by 4: 12 -> 16, 6.1 -> 6.5, 3 -> 7; never to 0
            last = int(text[-1])
            return text[:-1] + str(last + 4 if last <= 5 else last - 4)
        return same_case(text, NUMBER_WORDS[text.lower()])
    if occurrence.kind == "date":
        if text in WEEKDAYS:  # Monday -> Thursday
            return WEEKDAYS[(WEEKDAYS.index(text) + 3) % 7]
        if text in MONTHS:  # March -> July
            return MONTHS[(MONTHS.index(text) + 4) % 12]
        if text.isdigit():  # 2008 -> 2011
            return str(int(text) + 3)
        return same_case(text, "last week")  # yesterday
    if occurrence.kind == "negation":
        return "denied" if occurrence.category == "said" else f"{text} not"
    # A name of the same type and length from another topic, sharing no word with the story.
    words = {word.lower() for article in story.articles for word in re.findall(r"\w+", article.text)}
    pool = [
        name
        for name in name_pool.get(occurrence.category, [])
        if len(name.split()) == len(text.split())
        and not words & {w.lower() for w in re.findall(r"\w+", name)}
        and name.endswith(",") == text.endswith(",")
    ]
    if not pool:
        raise LookupError(f"no {occurrence.category} name of {len(text.split())} words to swap for {text!r}")
    return rng.choice(pool)


def same_case(original: str, new: str) -> str:
    return new[0].upper() + new[1:] if original[0].isupper() else new


def name_pools(corpus: Corpus, topics: Iterable[int]) -> dict[str, list[str]]:
    """Return the proper names of each person/place type in the mentions of ``topics``, sorted, distinct."""
    wanted = set(topics)
    pools: dict[str, set[str]] = defaultdict(set)
    for mention in corpus.mentions:
        if mention.type == "HUMAN_PART_PER" or mention.type.startswith("LOC_"):
            name = ecb_name(corpus, mention.text)
            document = corpus.documents.get(mention.doc)
            # Mid-sentence only: a headline's first word is capitalised whatever it is ("Mountaineer Dies").
            if name and mention.start > 0 and document and document.topic in wanted:
                pools[mention.type].add(name)
    return {kind: sorted(names) for kind, names in pools.items()}


@dataclass(frozen=True)
class Perturbation:
    story: str
    kind: str
    article_id: str
    start: int  # in the perturbed article's text; the new value spans [start, start + len(new))
    old: str
    new: str
    category: str
    hit_any: bool
    hit_same: bool
    # Why a miss may be a miss: the perturbed statement no longer shares a Fact with any partner, or every partner
    # is in the perturbed article's source (newsweave counts near copies once and checks no conflict inside one).
    still_aligned: bool
    same_source: bool
    already: int  # conflicts on the statement that were there before the change (not counted as hits)
    # The perturbed article states the old element again in another sentence: after the change it contradicts itself,
    # and agrees with the partner there (see repeated_table).
    repeated: bool = False


@dataclass
class StorySetup:
    """What the perturbation step needs to know about one unperturbed story."""

    story: Story
    occurrences: dict[str, dict[str, list[Occurrence]]]  # kind -> article id -> occurrences
    gold: EventGold | None  # ECB+ events; None for the seed story
    name_pool: dict[str, list[str]]


@dataclass(frozen=True)
class Option:
    """An element to perturb, and the statements of other documents in its Fact that hold the same element."""

    occurrence: Occurrence
    partners: tuple[Statement, ...]
    same_source: bool


def within(occurrences: list[Occurrence], statement: Statement) -> list[Occurrence]:
    return [o for o in occurrences if statement.start <= o.start and o.end <= statement.end]


def perturbation_options(corpus: Corpus, setup: StorySetup, result: Any, kind: str) -> list[Option]:
    """Return the elements of ``kind`` that an aligned statement shares with another document's, one per place."""
    outlet = {article.id: article.outlet for article in setup.story.articles}
    found: dict[tuple[str, int, int], tuple[Occurrence, list[Statement], list[bool]]] = {}
    occurrences = setup.occurrences[kind]
    for fact in result.facts:
        for a, b in itertools.permutations(fact.statements, 2):
            if a.article_id == b.article_id:
                continue
            if setup.gold is not None:
                pair = tuple(sorted((statement_key(corpus, a), statement_key(corpus, b))))
                if pair not in setup.gold.gold:
                    continue
            shared = {o.key for o in within(occurrences[b.article_id], b)}
            for occurrence in within(occurrences[a.article_id], a):
                if occurrence.key in shared:
                    place = (occurrence.article_id, occurrence.start, occurrence.end)
                    _, partners, one_source = found.setdefault(place, (occurrence, [], []))
                    partners.append(b)
                    groups = getattr(fact, "sources", ())  # outlets per independent source, when newsweave says
                    one_source.append(any(outlet[a.article_id] in g and outlet[b.article_id] in g for g in groups))
    return [
        Option(occurrence, tuple(partners), all(one_source))
        for occurrence, partners, one_source in (found[place] for place in sorted(found))
    ]


def repeats(setup: StorySetup, occurrence: Occurrence) -> bool:
    """Whether the occurrence's article states the same element (same key) in another sentence."""
    article = next(a for a in setup.story.articles if a.id == occurrence.article_id)
    sentence = next((s for s in article.sentences if s.start <= occurrence.start < s.end), None)
    return any(
        other.key == occurrence.key and (sentence is None or not sentence.start <= other.start < sentence.end)
        for other in setup.occurrences[occurrence.kind][occurrence.article_id]
    )


def overlaps(statement: Statement, article_id: str, start: int, end: int) -> bool:
    return statement.article_id == article_id and statement.start < end and start < statement.end


def mentions(setup: StorySetup, occurrence: Occurrence, single: bool) -> list[tuple[int, int]]:
    """The spans a perturbation changes: every mention of the element in its article, or the one chosen.

    An outlet that reports another figure, day or name writes it wherever it repeats the fact; changing one
    mention of several leaves an article that contradicts itself and agrees with the partner elsewhere
    (``--single-mention`` measures that case). Negations change one statement only.
    """
    if single or occurrence.kind == "negation":
        return [(occurrence.start, occurrence.end)]
    same = [
        (o.start, o.end)
        for o in setup.occurrences[occurrence.kind][occurrence.article_id]
        if o.text.lower() == occurrence.text.lower()
    ]
    spans = sorted(set(same) | {(occurrence.start, occurrence.end)})
    # Overlapping mentions ("eight" inside "eighty" cannot match; a year inside a date can): keep the chosen one.
    kept = [(occurrence.start, occurrence.end)]
    for span in spans:
        if all(span[1] <= k[0] or k[1] <= span[0] for k in kept):
            kept.append(span)
    return sorted(kept)


def perturb_story(
    corpus: Corpus, setup: StorySetup, result: Any, method: Method, seed: int, *, single: bool = False
) -> list[Perturbation]:
    """Return the perturbations of one story, at most ``method.per_kind`` per kind, each checked in its own run."""
    done = []
    for kind in KINDS:
        rng = random.Random(f"{seed}:{setup.story.id}:{kind}")
        options = perturbation_options(corpus, setup, result, kind)
        for option in rng.sample(options, min(method.per_kind, len(options))):
            occurrence = option.occurrence
            article_id = occurrence.article_id
            try:
                new = replacement(occurrence, rng, setup.name_pool, setup.story)
            except LookupError:
                continue
            spans = mentions(setup, occurrence, single)
            try:
                changed = perturbed_story(setup.story, article_id, spans, new)
            except ValueError:
                continue  # a mention that crosses a sentence boundary: the article cannot be changed cleanly
            # Where the chosen mention stands after the changes before it.
            start = occurrence.start + sum(len(new) - (e - b) for b, e in spans if e <= occurrence.start)
            end = start + len(new)
            facts = method.check(changed).facts
            # A conflict the statement already had before the change is not the change's: left out.
            before = {
                (c.kind, frozenset((c.a_value.lower(), c.b_value.lower())))
                for fact in result.facts
                for c in fact.conflicts
                if overlaps(c.a, article_id, occurrence.start, occurrence.end)
                or overlaps(c.b, article_id, occurrence.start, occurrence.end)
            }
            touching = [
                c
                for fact in facts
                for c in fact.conflicts
                if overlaps(c.a, article_id, start, end) or overlaps(c.b, article_id, start, end)
            ]
            conflicts = [
                c for c in touching if (c.kind, frozenset((c.a_value.lower(), c.b_value.lower()))) not in before
            ]
            # The partners' articles are unchanged, so their statements keep their offsets.
            still_aligned = any(
                any(overlaps(s, article_id, start, end) for s in fact.statements)
                and any(overlaps(s, p.article_id, p.start, p.end) for s in fact.statements for p in option.partners)
                for fact in facts
            )
            done.append(
                Perturbation(
                    setup.story.id,
                    kind,
                    article_id,
                    start,
                    occurrence.text,
                    new,
                    occurrence.category,
                    bool(conflicts),
                    any(c.kind == kind for c in conflicts),
                    still_aligned,
                    option.same_source,
                    len(touching) - len(conflicts),
                    repeats(setup, occurrence),
                )
            )
    return done


# ------------------------------------------------------------------------------------------- newsweave runs


@dataclass(frozen=True)
class Method:
    name: str  # "lexical" or "neural"
    check: Callable[[Story], Any]  # crosscheck(story, CrossCheckConfig(method=name))
    per_kind: int  # perturbations per story and kind, at most


@dataclass(frozen=True)
class Run:
    result: Any  # a CrossCheck
    seconds: float


def load_methods(no_neural: bool, probe: Story, per_kind: dict[str, int]) -> tuple[list[Method], list[str]]:
    """Return the methods that run (each warmed up once on ``probe``) and a note for each that does not."""
    try:
        from newsweave.crosscheck import CrossCheckConfig, crosscheck
    except ImportError as error:
        sys.exit(f"bench/crosscheck.py: newsweave.crosscheck cannot be imported: {error}")
    methods, notes = [], []
    for name in ("lexical", "neural"):
        if name == "neural" and no_neural:
            notes.append("method=neural: skipped (--no-neural).")
            continue
        try:
            config = CrossCheckConfig(method=name)  # type: ignore[arg-type]

            def check(story: Story, config: Any = config) -> Any:
                return crosscheck(story, config)

            check(probe)  # loads what the method needs, so that no timed run pays for it
        except Exception as error:  # the optional extra is not installed: say so, run the rest
            if name == "lexical":
                raise
            message = " ".join(str(error).split()) or type(error).__name__
            notes.append(f"method=neural: unavailable, its column is left out ({type(error).__name__}: {message}).")
            continue
        methods.append(Method(name, check, per_kind[name]))
    return methods, notes


def timed(check: Callable[[Story], Any], story: Story) -> Run:
    started = time.perf_counter()
    result = check(story)
    return Run(result, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------- (a) alignment


def alignment(
    corpus: Corpus,
    golds: dict[str, EventGold],
    methods: Sequence[Method],
    runs: dict[str, dict[str, Run]],
) -> None:
    """Print table (a): newsweave and the peers on the held-out topics, and newsweave on all topics."""
    selected = list(golds.values())
    pick = [g for g in selected if g.topic in PICK_TOPICS]
    report = [g for g in selected if g.topic not in PICK_TOPICS]
    held_out = bool(pick and report)
    if not held_out:  # --topics kept one half only: choose and report on the same topics, and say so
        pick = report = selected
    import sklearn.feature_extraction.text  # noqa: F401  (imported before timing)

    tfidf = {g.event: tfidf_scores(corpus, g) for g in selected}
    threshold, pick_f1 = best_threshold([tfidf[g.event] for g in pick], pick)

    def above(value: float) -> Callable[[EventGold], set[Pair]]:
        def predict(event: EventGold) -> set[Pair]:
            scored = tfidf[event.event]
            return {pair for pair, cosine in zip(scored.pairs, scored.cosine, strict=True) if cosine >= value}

        return predict

    def newsweave_pairs(method: Method) -> Callable[[EventGold], set[Pair]]:
        return lambda event: aligned_pairs(corpus, runs[method.name][event.event].result)

    def milliseconds(values: Iterable[float]) -> str:
        values = list(values)
        return f"{1000 * statistics.fmean(values):.0f} / {1000 * max(values):.0f}"

    header = [
        "system",
        "pairs predicted",
        "P [95% CI]",
        "R [95% CI]",
        "F1 [95% CI]",
        "ΔF1 vs newsweave lexical [95% CI]",
        "ms per story (mean / max)",
    ]
    reference = counts(report, newsweave_pairs(methods[0]))
    rows = []
    for method in methods:
        scores = counts(report, newsweave_pairs(method))
        seconds = milliseconds(runs[method.name][g.event].seconds for g in report)
        rows.append(
            score_row(f"newsweave, method={method.name}", scores, None if method is methods[0] else reference, seconds)
        )
    tfidf_ms = milliseconds(tfidf[g.event].seconds for g in report)
    pick_name = "topics 1-17" if held_out else "the same topics"
    target = counts(pick, newsweave_pairs(methods[0])).precision()
    matched = threshold_at_precision([tfidf[g.event] for g in pick], pick, target)
    peers = [
        (f"TF-IDF cosine >= {threshold:.3f} (best F1 on {pick_name})", above(threshold), tfidf_ms),
        (f"TF-IDF cosine >= {matched:.3f} (lexical's P {target:.3f} on {pick_name})", above(matched), tfidf_ms),
        ("same sentence position in both documents", lambda g: same_position(corpus, g), "—"),
        ("every candidate pair", lambda g: set(g.candidates), "—"),
    ]
    rows += [score_row(name, counts(report, predict), reference, ms) for name, predict, ms in peers]
    topics = sorted({g.topic for g in report})
    print(
        f"\n## (a) Alignment against ECB+ gold pairs: topics {topic_ranges(topics)}"
        f"{' (held out)' if held_out else ''}\n"
    )
    print(
        f"{len(report)} events, {sum(len(g.candidates) for g in report):,} candidate pairs "
        f"(annotated sentences of different documents of one event), {sum(len(g.gold) for g in report):,} gold "
        "pairs (a shared cross-document ACTION_* chain).\n"
    )
    print(table(header, rows))
    print(
        f"\nCI: percentile bootstrap, {RESAMPLES} resamples of the events (seed {BOOTSTRAP_SEED}), the same for every"
        " row, so ΔF1 is paired. Micro-averaged\nover pairs. TF-IDF: TfidfVectorizer(sublinear_tf=True, "
        "stop_words='english') fitted on all sentences of each event; its threshold\nis the one with the best "
        f"pooled F1 on {pick_name} ({pick_f1:.3f} there), or the lowest with newsweave lexical's pooled precision "
        "there\n(the most recall at that precision). Same sentence position: the two sentences have the same index in "
        "their documents\n(the URL line of the ECB+ half not counted). ms per story: one crosscheck call (newsweave) "
        "or fitting and scoring (TF-IDF),\nmean and max over the events."
    )
    base = sum(len(g.gold) for g in report) / max(1, sum(len(g.candidates) for g in report))
    print(
        f"{base:.0%} of the candidate pairs are gold pairs, so predicting every pair already scores F1 "
        f"{harmonic(base, 1.0):.3f}: F1 on these\ncandidates rewards recall; compare systems at equal precision "
        "(the second TF-IDF row)."
    )

    everything = counts(selected, lambda g: set(g.candidates))
    rows = []
    for method in methods:
        scores = counts(selected, newsweave_pairs(method))
        seconds = milliseconds(runs[method.name][g.event].seconds for g in selected)
        rows.append(
            score_row(
                f"newsweave, method={method.name}",
                scores,
                None if method is methods[0] else counts(selected, newsweave_pairs(methods[0])),
                seconds,
            )
        )
    rows.append(score_row("every candidate pair", everything, counts(selected, newsweave_pairs(methods[0])), "—"))
    all_topics = sorted({g.topic for g in selected})
    print(
        f"\n### newsweave on all selected topics ({topic_ranges(all_topics)}: {len(selected)} events, "
        f"{sum(len(g.candidates) for g in selected):,} candidate pairs, "
        f"{sum(len(g.gold) for g in selected):,} gold pairs)\n"
    )
    print(table(header, rows))


def topic_ranges(topics: Sequence[int]) -> str:
    """Return "1-14, 16, 18-35" for the sorted topics."""
    parts = []
    for _, group in itertools.groupby(enumerate(topics), key=lambda item: item[1] - item[0]):
        run = [topic for _, topic in group]
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------- (b) perturbations


def story_setup(
    corpus: Corpus, story: Story, gold: EventGold | None, pools: dict[str, dict[str, list[str]]]
) -> StorySetup:
    """Return the perturbable elements of every article of ``story``, and the name pool of its kind."""
    names = seed_names(story) if gold is None else {}
    occurrences: dict[str, dict[str, list[Occurrence]]] = {kind: {} for kind in KINDS}
    for article in story.articles:
        occurrences["number"][article.id] = number_occurrences(article)
        occurrences["date"][article.id] = date_occurrences(article)
        occurrences["negation"][article.id] = negation_occurrences(article)
        occurrences["name"][article.id] = (
            seed_name_occurrences(names, article) if gold is None else ecb_name_occurrences(corpus, article)
        )
        for kind in KINDS:
            for occurrence in occurrences[kind][article.id]:
                assert article.text[occurrence.start : occurrence.end] == occurrence.text
    pool = pools["all"] if gold is None else pools[f"not {gold.topic}"]
    return StorySetup(story, occurrences, gold, pool)


def perturbations(
    corpus: Corpus,
    setups: Sequence[StorySetup],
    methods: Sequence[Method],
    runs: dict[str, dict[str, Run]],
    seed: int,
    *,
    single: bool = False,
) -> dict[str, list[Perturbation]]:
    """Print table (b): recall of conflicts on perturbed stories, and the conflicts on the unperturbed ones."""
    found: dict[str, list[Perturbation]] = {}
    for method in methods:
        found[method.name] = []
        for setup in setups:
            result = runs[method.name][setup.story.id].result
            found[method.name] += perturb_story(corpus, setup, result, method, seed, single=single)

    header = ["kind", "goal (same kind)"]
    for method in methods:
        header += [f"{method.name}: n", f"{method.name}: recall, same kind [95% CI]", f"{method.name}: any kind"]
    rows = []
    for kind in (*KINDS, "all"):
        goal = f">= {GOALS[kind]:.1f}" if kind in GOALS else ""
        row = [kind, goal]
        for method in methods:
            chosen = [p for p in found[method.name] if kind in ("all", p.kind)]
            row += recall_cells(chosen)
        rows.append(row)
    ecb = sum(1 for s in setups if s.gold is not None)
    print(f"\n## (b) Perturbations: {ecb} ECB+ events and the seed story\n")
    print(table(header, rows))
    limits = ", ".join(f"{m.per_kind} ({m.name})" for m in methods)
    mode = (
        "--single-mention: the chosen mention only"
        if single
        else "every mention of a number, date or name in that document, so that it stays consistent"
    )
    print(
        f"\nOne element changed in one document per run ({mode}),\nat most {limits} per story and kind "
        f"(random.Random seeded with '{seed}:<story>:<kind>'). n: perturbations made; the candidates differ by\n"
        "method, since they come from each method's own unperturbed Facts. recall, same kind: a Conflict of the "
        "perturbation's kind with the "
        "perturbed statement on one\nside (one it did not have before the change); any kind: a Conflict of any kind. "
        f"CI: percentile bootstrap,\n{RESAMPLES} resamples of the stories that have perturbations of that kind "
        f"(seed {BOOTSTRAP_SEED})."
    )
    header = ["kind"]
    for method in methods:
        header += [f"{method.name}: n, repeated", f"{method.name}: recall, repeated", f"{method.name}: n, not repeated",
                   f"{method.name}: recall, not repeated"]  # fmt: skip
    rows = []
    for kind in (*KINDS, "all"):
        row = [kind]
        for method in methods:
            for repeated in (True, False):
                chosen = [p for p in found[method.name] if kind in ("all", p.kind) and p.repeated == repeated]
                row += [str(len(chosen)), f"{sum(p.hit_same for p in chosen) / len(chosen):.3f}" if chosen else "—"]
        rows.append(row)
    print("\nThe same recall (same kind), split by whether the perturbed article states the old element again in "
          "another sentence:\n")  # fmt: skip
    print(table(header, rows))
    print(
        "\nRepeated: after the change the perturbed article contradicts itself ('on Sunday' in one sentence, "
        "'on Wednesday'\nin another, about one event) and agrees with the partner in the other sentence. newsweave "
        "does not report a\ndisagreement on a value the other side's article states itself in a statement about "
        "something else (an outlet\nthat writes both values knows both, and gives the other one for another thing: "
        "another day's event, another\nteam's offer), so these perturbations are mostly missed by design; real "
        "reports rarely contradict themselves this\nway. The goal is measured on all perturbations (the table "
        "above); this split shows where the misses come from."
    )
    header = ["method", "kind", "misses (same kind)", "left the partners' Fact", "partners are one source",
              "still aligned, other sources", "of which another kind"]  # fmt: skip
    rows = []
    for method in methods:
        for kind in KINDS:
            misses = [p for p in found[method.name] if p.kind == kind and not p.hit_same]
            left = [p for p in misses if not p.still_aligned]
            copies = [p for p in misses if p.still_aligned and p.same_source]
            rest = [p for p in misses if p.still_aligned and not p.same_source]
            other = sum(p.hit_any for p in rest)
            rows.append([method.name, kind, str(len(misses)), str(len(left)), str(len(copies)), str(len(rest)),
                         str(other)])  # fmt: skip
    print("\nWhere the misses went:\n")
    print(table(header, rows))
    print(
        "\nPartners: the statements of other documents in the perturbed statement's unperturbed Fact that hold the "
        "same element.\nLeft: after the change no Fact holds both the perturbed statement and a partner. One source: "
        "newsweave counts\nthe two documents as one source (near copies, Fact.sources) and looks for no conflict "
        "inside a source. Still aligned,\nother sources: the conflict was there to find; 'another kind' counts those "
        "with a Conflict of a different kind instead.\n"
    )
    for method in methods:
        negations = [p for p in found[method.name] if p.kind == "negation"]
        forms = [
            (label, [p for p in negations if p.category == category])
            for label, category in (("'not' after an auxiliary", "auxiliary"), ("'said' -> 'denied'", "said"))
        ]
        text = "; ".join(f"{label} {sum(p.hit_same for p in chosen)}/{len(chosen)}" for label, chosen in forms)
        seeds = [p for p in found[method.name] if p.story == "seeds"]
        already = sum(1 for p in found[method.name] if p.already)
        print(f"{method.name}: {already} perturbed statement{'' if already == 1 else 's'} already had a conflict "
              "before the change; those conflicts are not counted as hits.")  # fmt: skip
        print(
            f"{method.name}: negation hits (same kind) by form: {text}. Seed story: "
            f"{sum(p.hit_same for p in seeds)}/{len(seeds)} hits (same kind):"
        )
        outlets = {a.id: a.outlet for s in setups if s.gold is None for a in s.story.articles}
        for p in seeds:
            verdict = "hit" if p.hit_same else "hit, another kind" if p.hit_any else "miss"
            print(f"  - [{p.kind}] {p.old!r} -> {p.new!r} in {outlets[p.article_id]}: {verdict}")
    return found


def recall_cells(chosen: Sequence[Perturbation]) -> list[str]:
    if not chosen:
        return ["0", "—", "—"]
    stories = sorted({p.story for p in chosen})
    hits = [sum(p.hit_same for p in chosen if p.story == story) for story in stories]
    made = [sum(1 for p in chosen if p.story == story) for story in stories]
    same = sum(p.hit_same for p in chosen) / len(chosen)
    return [
        str(len(chosen)),
        with_interval(same, ratio_resamples(hits, made, RESAMPLES, BOOTSTRAP_SEED)),
        f"{sum(p.hit_any for p in chosen) / len(chosen):.3f}",
    ]


def false_conflicts(
    corpus: Corpus, setups: Sequence[StorySetup], methods: Sequence[Method], runs: dict[str, dict[str, Run]]
) -> dict[str, int]:
    """Print the conflicts newsweave reports on the unperturbed stories, and the seed story's verbatim.

    Return, per method, the conflicts judged false by hand or not labelled yet.
    """
    header = ["method", "stories", "conflicts", "per story", "stories with any", *KINDS, "goal <= 0.1 per story"]
    rows = []
    for method in methods:
        groups = (
            ("ECB+ events", [s for s in setups if s.gold is not None]),
            ("seed story", [s for s in setups if s.gold is None]),
            ("all", list(setups)),
        )
        for label, chosen in groups:
            per_story = [[c for f in runs[method.name][s.story.id].result.facts for c in f.conflicts] for s in chosen]
            total = sum(map(len, per_story))
            kinds = Counter(c.kind for conflicts in per_story for c in conflicts)
            mean = total / len(chosen) if chosen else 0.0
            verdict = ("met" if mean <= FALSE_CONFLICT_GOAL else "not met") if label == "all" else ""
            rows.append(
                [
                    f"{method.name}, {label}",
                    str(len(chosen)),
                    str(total),
                    f"{mean:.2f}",
                    str(sum(1 for c in per_story if c)),
                    *(str(kinds[k]) for k in KINDS),
                    verdict,
                ]
            )
    print("\n### Conflicts on the unperturbed stories\n")
    print(table(header, rows))
    print("\nNo perturbation here: each conflict is either a real disagreement between two documents or a false alarm.")
    doubtful = hand_labels(corpus, setups, methods, runs)
    for method in methods:
        for setup in setups:
            if setup.gold is not None:
                continue
            outlets = {a.id: a.outlet for a in setup.story.articles}
            listed = [(f, c) for f in runs[method.name][setup.story.id].result.facts for c in f.conflicts]
            print(
                f"\nSeed story, method={method.name}: {len(listed)} conflict{'' if len(listed) == 1 else 's'}"
                f"{':' if listed else '.'}"
            )
            for fact, conflict in listed:
                print(
                    f"- [{conflict.kind}] fact {fact.id}: {outlets.get(conflict.a.article_id)} "
                    f"{conflict.a_value!r} in {conflict.a.text!r}\n  vs {outlets.get(conflict.b.article_id)} "
                    f"{conflict.b_value!r} in {conflict.b.text!r}"
                )
        examples = [
            (s.story.id, c)
            for s in setups
            if s.gold is not None
            for f in runs[method.name][s.story.id].result.facts
            for c in f.conflicts
        ][:5]
        if examples:
            print(f"\nFirst {len(examples)} ECB+ conflicts, method={method.name}:")
            for story_id, conflict in examples:
                print(
                    f"- [{conflict.kind}] {story_id}: {conflict.a.article_id} {conflict.a_value!r} vs "
                    f"{conflict.b.article_id} {conflict.b_value!r}: {conflict.a.text!r} / {conflict.b.text!r}"
                )
    return doubtful


LABELS = Path(__file__).resolve().parent / "data" / "crosscheck_conflict_labels.jsonl"


def hand_labels(
    corpus: Corpus, setups: Sequence[StorySetup], methods: Sequence[Method], runs: dict[str, dict[str, Run]]
) -> dict[str, int]:
    """Print how many of the ECB+ conflicts a person judged real disagreements (bench/data, labelled by hand).

    Return, per method, the conflicts judged false or not labelled (a new conflict counts against the goal until a
    person has judged it).

    A conflict is matched to a label by its two (document, corpus sentence) places and its kind, in either order. The
    seed story has no conflict to label; a conflict no label covers is counted as 'unlabelled'.
    """
    doubtful: dict[str, int] = {}  # false or unlabelled conflicts, per method
    if not LABELS.exists():
        print(f"\n{LABELS} is missing: no hand labels.")
        return doubtful
    labels: dict[tuple[str, int, str, int, str], str] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[(row["a_doc"], row["a_sentence"], row["b_doc"], row["b_sentence"], row["kind"])] = row["label"]
    stories = len(setups)
    header = ["method", "conflicts", "real", "false", "unsure", "unlabelled", "precision (labelled)",
              "false per story", "false + unlabelled per story"]  # fmt: skip
    rows = []
    for method in methods:
        found: Counter[str] = Counter()
        for setup in setups:
            for fact in runs[method.name][setup.story.id].result.facts:
                for c in fact.conflicts:
                    if setup.gold is None:
                        found["unlabelled"] += 1
                        continue
                    a, b = statement_key(corpus, c.a), statement_key(corpus, c.b)
                    key, other = (*a, *b, c.kind), (*b, *a, c.kind)
                    found[labels.get(key) or labels.get(other) or "unlabelled"] += 1
        judged = found["real"] + found["false"]
        doubtful[method.name] = found["false"] + found["unlabelled"]
        rows.append([
            method.name, str(sum(found.values())), str(found["real"]), str(found["false"]), str(found["unsure"]),
            str(found["unlabelled"]), f"{found['real'] / judged:.2f}" if judged else "—",
            f"{found['false'] / stories:.2f}", f"{(found['false'] + found['unlabelled']) / stories:.2f}",
        ])  # fmt: skip
    print(f"\n### The same conflicts judged by hand ({LABELS.relative_to(LABELS.parents[2])}, {len(labels)} labels)\n")
    print(table(header, rows))
    print(
        f"\nPer story: over the {stories} unperturbed stories. Real: the two documents disagree about one fact (an "
        "updated toll\nincluded); false: different facts that look alike, a paraphrase, a spelling or text artefact."
    )
    return doubtful


def goal_lines(found: dict[str, list[Perturbation]], setups: Sequence[StorySetup], doubtful: dict[str, int]) -> None:
    print("\nGoals:")
    for method, chosen in found.items():
        parts = []
        for kind in KINDS:
            of_kind = [p for p in chosen if p.kind == kind]
            if not of_kind:
                parts.append(f"{kind} n/a (no perturbation)")
                continue
            recall = sum(p.hit_same for p in of_kind) / len(of_kind)
            verdict = "met" if recall >= GOALS[kind] else "NOT met"
            parts.append(f"{kind} {recall:.2f} >= {GOALS[kind]:.1f} {verdict}")
        if method in doubtful:
            mean = doubtful[method] / len(setups)
            verdict = "met" if mean <= FALSE_CONFLICT_GOAL else "NOT met"
            parts.append(
                f"false (or unlabelled) conflicts per unperturbed story {doubtful[method]}/{len(setups)} = {mean:.3f} "
                f"<= {FALSE_CONFLICT_GOAL} {verdict}"
            )
        print(f"- method={method}: " + "; ".join(parts) + ".")


# ------------------------------------------------------------------------------------------- (c) speed


def speed(corpus: Corpus, events: Sequence[str], methods: Sequence[Method]) -> None:
    """Print table (c): one crosscheck call on a 20-article story, warm, best of 5."""
    largest = max(events, key=lambda event: (len(corpus.events[event]), event))
    story = event_story(corpus, largest)
    story = dataclasses.replace(story, id=f"{largest}-first-{SPEED_ARTICLES}", articles=story.articles[:SPEED_ARTICLES])
    header = ["method", "articles", "sentences", "statements", "facts", "best s", "runs s"]
    rows = []
    for method in methods:
        result = method.check(story)  # warm
        runs = [timed(method.check, story).seconds for _ in range(SPEED_RUNS)]
        rows.append(
            [
                method.name,
                str(len(story.articles)),
                str(sum(len(a.sentences) for a in story.articles)),
                str(sum(len(f.statements) for f in result.facts)),
                str(len(result.facts)),
                f"{min(runs):.3f}",
                " / ".join(f"{r:.3f}" for r in runs),
            ]
        )
    print(
        f"\n## (c) Speed: one crosscheck call on a {len(story.articles)}-article story "
        f"(the first {len(story.articles)} documents of {largest}, the largest event)\n"
    )
    print(table(header, rows))
    print(f"\nWarm: one untimed run, then the best of {SPEED_RUNS}; one process, articles already built.")


# ------------------------------------------------------------------------------------------- main


def parse_topics(text: str) -> set[int]:
    """Return the topics of "1-35", "18-35", "1,3,5-7"."""
    topics: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        topics.update(range(int(low), int(high or low) + 1))
    return topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--topics", default="1-35", help="ECB+ topics, e.g. 1-35 (default), 18-35, 1,3,5-7")
    parser.add_argument("--no-neural", action="store_true", help="run method=lexical only")
    parser.add_argument("--seed", type=int, default=0, help="seed of the perturbations' choices (default 0)")
    parser.add_argument("--per-kind", type=int, default=PER_KIND, help="lexical perturbations per story and kind")
    parser.add_argument(
        "--neural-per-kind",
        type=int,
        default=NEURAL_PER_KIND,
        help=f"neural perturbations per story and kind (default {NEURAL_PER_KIND}: each is a slow neural call)",
    )
    parser.add_argument(
        "--single-mention",
        action="store_true",
        help="change only the chosen mention of an element, even where its article repeats it (the article then "
        "contradicts itself)",
    )
    args = parser.parse_args()
    started = time.perf_counter()

    corpus = load_corpus()
    topics = parse_topics(args.topics)
    events = [event for event, ids in corpus.events.items() if corpus.documents[ids[0]].topic in topics]
    if not events:
        sys.exit(f"bench/crosscheck.py: no ECB+ event in topics {args.topics}")
    chains = action_chains(corpus)
    golds = {event: event_gold(corpus, event, chains) for event in events}
    stories = {event: event_story(corpus, event) for event in events}
    seeds = seed_story()
    methods, notes = load_methods(args.no_neural, seeds, {"lexical": args.per_kind, "neural": args.neural_per_kind})

    from newsweave.crosscheck import CrossCheckConfig

    print("# Cross-source fact alignment benchmark (bench/crosscheck.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    print(f"Defaults under test: {CrossCheckConfig()}")
    print(
        f"Data: ECB+ topics {topic_ranges(sorted({golds[e].topic for e in events}))} (Cybulska & Vossen, LREC 2014; "
        f"CC BY 3.0), {len(events)} events as stories of {sum(len(s.articles) for s in stories.values())} "
        "articles (one per document, outlet = the document id), and the seed story (2 reports of one event, "
        "../shared/seeds)."
    )
    for note in notes:
        print(f"Note: {note}")

    runs: dict[str, dict[str, Run]] = {}
    for method in methods:
        runs[method.name] = {story.id: timed(method.check, story) for story in (*stories.values(), seeds)}
        problems = [
            p
            for story in (*stories.values(), seeds)
            for p in statement_problems(story, runs[method.name][story.id].result)
        ]
        if problems:
            print(
                f"Note: method={method.name}: {len(problems)} statements do not point at their own text "
                f"(first: {problems[0]}); the bench maps them by sentence_index."
            )

    alignment(corpus, golds, methods, runs)

    pools = {"all": name_pools(corpus, range(1, 36))}
    pools.update(
        {f"not {topic}": name_pools(corpus, set(range(1, 36)) - {topic}) for topic in {golds[e].topic for e in events}}
    )
    setups = [story_setup(corpus, stories[event], golds[event], pools) for event in events]
    setups.append(story_setup(corpus, seeds, None, pools))
    found = perturbations(corpus, setups, methods, runs, args.seed, single=args.single_mention)
    doubtful = false_conflicts(corpus, setups, methods, runs)
    goal_lines(found, setups, doubtful)

    speed(corpus, events, methods)
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
