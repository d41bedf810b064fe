"""Extractive summaries: newsweave.summarize against sumy's LexRank, TextRank, LSA and Luhn and a Lead baseline.

Run from the project root: ``.venv/bin/python bench/summarize.py`` (under a minute on 2 cores). Options:
``--words`` (the budget, default 100), ``--resamples`` and ``--seed`` (the bootstrap), ``--topics`` (ECB+ topics).

Every system gets the same story, the same sentences and the same word budget (whitespace tokens). A ranking
system's summary is its sentences in rank order, each added when its words still fit the budget, skipped when they
do not; newsweave's summary is the one ``summarize(story, SummaryConfig(words=N))`` returns (the script checks that
it fits the budget). Lead: the sentences of the story's first article in order (ECB+ has no dates, so "first" is
document-id order). sumy is given the story's own sentence split (one Paragraph per article, no PlaintextParser, so
no NLTK data), a regex word tokenizer, its English Snowball stemmer and stop words; its full ranking (ratings from
its own code; ratings equal to 10 significant digits are ties, in document order) comes from passing a callable as
``sentences_count``.

(a) Content coverage on ECB+ topics 1-35 (../shared/data/ecbplus/; Cybulska & Vossen 2014, CC BY 3.0). Each of the
    66 events is one Story built as bench/crosscheck.py builds it (bench/_ecbplus.py: one Article per document, the
    corpus's sentences, URL line left out). An event's content units are its cross-document ACTION_* chains that at
    least two of its documents mention, each weighing the number of its documents that mention it. A summary covers
    a unit when one of its sentences holds a mention of the chain. The reference is a greedy oracle on the fully
    annotated sentences (ECBplus_coreference_sentences.csv) at the same budget: the better, per event, of greedy by
    marginal covered weight and greedy by marginal weight per word. Score: the mean over events of covered weight /
    oracle weight, with 95% percentile-bootstrap intervals (resampling events, the same draws for every system, so
    the Δ column is a paired interval), and, for information, covered weight / all unit weight. The exact optimum
    on the same sentences (an integer program, scipy's HiGHS) shows how far the greedy reference is from it. The
    same table for topics 18-35 alone: SummaryConfig's values were chosen on topics 1-17.
(b) ROUGE-1/2/L (rouge-score, stemmer on, F1 and recall, the best of several references) on every set in
    ../shared/data/ that ships reference summaries (a JSONL whose records hold documents and a summary); the budget
    is the one its PROVENANCE.md states, else --words.
(c) Speed: one call on a 20-article story (the first 20 documents of the largest ECB+ event), warm: one untimed
    run, then the best of 5. Goal: newsweave under 1 s.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from _common import table, versions
from _ecbplus import ROOT, Corpus, SentenceKey, event_story, load_corpus
from _metrics import group_resamples, percentile_interval
from newsweave.records import Article, Origin, Span, Story

DATA = ROOT.parent / "shared" / "data"
BOOTSTRAP_SEED = 20240514  # as in the other benches
RESAMPLES = 1000
WORDS = 100
HELD_OUT = range(18, 36)  # SummaryConfig's values were chosen on topics 1-17 (its docstring)
SPEED_ARTICLES = 20
SPEED_RUNS = 5
SPEED_GOAL_SECONDS = 1.0
MAX_ITEMS = 300  # per reference set: the first ones in file order, so that (b) stays within minutes
LIBRARIES = ("newsweave", "sumy", "rouge-score", "nltk", "numpy", "scipy")
SUMY_SYSTEMS = ("LexRank", "TextRank", "LSA", "Luhn")

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # sumy's own tokenizer keeps only such words too


# ------------------------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Chosen:
    """One sentence of a summary: the article sentence it comes from (None if unknown) and the printed text."""

    article_id: str | None
    sentence_index: int | None  # into Article.sentences
    text: str
    source: Span | None = None  # newsweave's own record of where the sentence comes from


@dataclass(frozen=True)
class Extract:
    sentences: tuple[Chosen, ...]
    seconds: float

    @property
    def words(self) -> int:
        return sum(word_count(chosen.text) for chosen in self.sentences)


System = Callable[[Story, int], tuple[Chosen, ...]]


def word_count(text: str) -> int:
    return len(text.split())


def story_sentences(story: Story) -> list[Chosen]:
    """Return every sentence of the story, article by article, in document order."""
    return [Chosen(article.id, s.index, s.text) for article in story.articles for s in article.sentences]


def within_budget(ranking: Iterable[Chosen], words: int) -> tuple[Chosen, ...]:
    """Return the ranked sentences that fit: each is added when its words still fit, skipped when they do not."""
    chosen: list[Chosen] = []
    used = 0
    for sentence in ranking:
        size = word_count(sentence.text)
        if used + size <= words:
            chosen.append(sentence)
            used += size
    return tuple(chosen)


def lead(story: Story, words: int) -> tuple[Chosen, ...]:
    """Return the first article's sentences in order, within the budget."""
    first = story.articles[:1]
    return within_budget(story_sentences(replace(story, articles=first)), words)


class RegexTokenizer:
    """The word tokenizer sumy's summarizers call: letters (with inner apostrophes and hyphens), no NLTK data."""

    language = "english"

    @staticmethod
    def to_words(text: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(text))


def sumy_document(story: Story) -> Any:
    """Return the story as sumy's document model: one Paragraph per article, the story's own sentences."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    tokenizer = RegexTokenizer()
    return ObjectDocumentModel(
        [Paragraph([SumySentence(s.text, tokenizer) for s in article.sentences]) for article in story.articles]
    )


def sumy_summarizer(name: str) -> Any:
    """Return sumy's summarizer ``name`` with the English Snowball stemmer and stop words."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    classes = {
        "LexRank": LexRankSummarizer,
        "TextRank": TextRankSummarizer,
        "LSA": LsaSummarizer,
        "Luhn": LuhnSummarizer,
    }
    summarizer = classes[name](Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def sumy_ranking(summarizer: Any, document: Any) -> list[int]:
    """Return the positions of all of ``document``'s sentences, best rated first (ties in document order).

    sumy sorts every sentence by its rating and hands the list to ``sentences_count`` when that is a callable;
    keeping the whole list is the full ranking, rated by sumy's own code. Ratings are compared to 10 significant
    digits: sumy sums over sets of words, whose order changes with Python's string hashing from run to run, so
    equal ratings (LSA gives every sentence with as many distinct words the same) differ in their last bits and
    would otherwise be ordered differently in every run.
    """
    ranked: list[int] = []

    def keep_all(infos: list[Any]) -> list[Any]:
        ranked.extend(
            info.order for info in sorted(infos, key=lambda info: (-float(f"{info.rating:.10g}"), info.order))
        )
        return infos

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LSA warns when a story has fewer distinct words than sentences
        summarizer(document, keep_all)
    return ranked


def sumy_system(name: str) -> System:
    summarizer = sumy_summarizer(name)

    def summarize(story: Story, words: int) -> tuple[Chosen, ...]:
        sentences = story_sentences(story)
        order = sumy_ranking(summarizer, sumy_document(story))
        chosen = within_budget([sentences[i] for i in order], words)
        article = {article.id: position for position, article in enumerate(story.articles)}
        # Printed in document order, as sumy prints its summaries.
        return tuple(sorted(chosen, key=lambda c: (article[c.article_id or ""], c.sentence_index or 0)))

    return summarize


def newsweave_system() -> tuple[System | None, str | None]:
    """Return newsweave's summarizer as a system, or None and why not when it cannot be imported."""
    try:
        from newsweave.summarize import SummaryConfig, summarize
    except ImportError as error:
        return None, f"newsweave.summarize cannot be imported ({error}); only the baselines are scored."

    def run(story: Story, words: int) -> tuple[Chosen, ...]:
        summary = summarize(story, SummaryConfig(words=words))
        return tuple(
            Chosen(s.source.article_id if s.source else None, s.sentence_index, s.text, s.source)
            for s in summary.sentences
        )

    return run, None


def systems() -> tuple[dict[str, System], list[str]]:
    """Return the systems in table order, and notes on any that could not be loaded."""
    found: dict[str, System] = {}
    notes = []
    newsweave, note = newsweave_system()
    if newsweave is not None:
        found["newsweave"] = newsweave
    if note:
        notes.append(note)
    found.update({f"sumy {name}": sumy_system(name) for name in SUMY_SYSTEMS})
    found["Lead (first article)"] = lead
    return found, notes


def timed(system: System, story: Story, words: int) -> Extract:
    started = time.perf_counter()
    sentences = system(story, words)
    return Extract(sentences, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------- (a) ECB+ coverage


@dataclass(frozen=True)
class EventUnits:
    """An event's content units (cross-document ACTION chains) and where they are mentioned."""

    event: str
    topic: int
    weight: dict[str, int]  # chain -> number of the event's documents that mention it (at least 2)
    in_sentence: dict[SentenceKey, frozenset[str]]  # corpus sentence -> the units it mentions
    oracle_pool: tuple[SentenceKey, ...]  # the event's fully annotated sentences, in document order

    @property
    def total(self) -> int:
        return sum(self.weight.values())

    def covered(self, keys: Iterable[SentenceKey]) -> int:
        units = set().union(*(self.in_sentence.get(key, frozenset()) for key in keys))
        return sum(self.weight[unit] for unit in units)


def event_units(corpus: Corpus, event: str) -> EventUnits:
    """Return the ACTION chains that two or more of ``event``'s documents mention, weighted by how many do."""
    documents = corpus.events[event]
    docs_of: dict[str, set[str]] = defaultdict(set)
    sentences_of: dict[str, set[SentenceKey]] = defaultdict(set)
    for doc_id in documents:
        kept = set(corpus.documents[doc_id].corpus_index)  # never the URL line
        for mention in corpus.mentions_by_doc.get(doc_id, ()):
            if mention.type.startswith("ACTION_") and mention.sentence in kept:
                docs_of[mention.chain].add(doc_id)
                sentences_of[mention.chain].add((doc_id, mention.sentence))
    weight = {chain: len(docs) for chain, docs in sorted(docs_of.items()) if len(docs) >= 2}
    in_sentence: dict[SentenceKey, set[str]] = defaultdict(set)
    for chain in weight:
        for key in sentences_of[chain]:
            in_sentence[key].add(chain)
    pool = tuple(
        (doc_id, index)
        for doc_id in documents
        for index in corpus.documents[doc_id].corpus_index
        if (doc_id, index) in corpus.annotated
    )
    topic = corpus.documents[documents[0]].topic
    return EventUnits(event, topic, weight, {k: frozenset(v) for k, v in in_sentence.items()}, pool)


def greedy_oracle(units: EventUnits, sizes: dict[SentenceKey, int], words: int, per_word: bool) -> int:
    """Return the unit weight covered by greedily adding the annotated sentence of the best marginal gain.

    Gain is the weight of the units it adds (per word of it with ``per_word``); only sentences that still fit are
    considered; ties go to the earlier sentence. Stops when no fitting sentence adds anything.
    """
    covered: set[str] = set()
    left = words
    remaining = [key for key in units.oracle_pool if units.in_sentence.get(key)]
    while True:
        best: SentenceKey | None = None
        best_gain = 0.0
        for key in remaining:
            if sizes[key] > left or sizes[key] == 0:
                continue
            gain: float = sum(units.weight[unit] for unit in units.in_sentence[key] - covered)
            if per_word:
                gain /= sizes[key]
            if gain > best_gain:
                best, best_gain = key, gain
        if best is None:
            return sum(units.weight[unit] for unit in covered)
        covered |= units.in_sentence[best]
        left -= sizes[best]
        remaining.remove(best)


def corpus_key(corpus: Corpus, chosen: Chosen) -> SentenceKey | None:
    """Return the corpus sentence a summary sentence comes from, or None when it does not map back."""
    document = corpus.documents.get(chosen.article_id or "")
    if document is None or chosen.sentence_index is None:
        return None
    if not 0 <= chosen.sentence_index < len(document.corpus_index):
        return None
    return document.id, document.corpus_index[chosen.sentence_index]


def exact_oracle(units: EventUnits, sizes: dict[SentenceKey, int], words: int) -> int:
    """Return the most unit weight any set of annotated sentences within ``words`` covers (an integer program).

    Only to say how far the greedy oracle, the reference of table (a), is from the optimum.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    pool = [key for key in units.oracle_pool if units.in_sentence.get(key) and sizes[key] <= words]
    names = sorted(units.weight)
    if not pool:
        return 0
    holds = np.array([[name in units.in_sentence[key] for key in pool] for name in names], dtype=float)
    # Variables: one per sentence (chosen or not), then one per unit (covered or not).
    covered_by_chosen = LinearConstraint(np.hstack([-holds, np.eye(len(names))]), -np.inf, 0.0)
    length = LinearConstraint(np.concatenate([[sizes[key] for key in pool], np.zeros(len(names))]), -np.inf, words)
    result = milp(
        -np.concatenate([np.zeros(len(pool)), [units.weight[name] for name in names]]),
        constraints=[covered_by_chosen, length],
        integrality=np.concatenate([np.ones(len(pool)), np.zeros(len(names))]),
        bounds=Bounds(0.0, 1.0),
    )
    return round(float(-result.fun))


@dataclass(frozen=True)
class EventScores:
    units: EventUnits
    oracle: int  # the better greedy oracle's covered weight
    exact: int  # the optimum on the same sentences
    covered: dict[str, int]  # system -> covered weight


def coverage_table(
    scored: Sequence[EventScores],
    names: Sequence[str],
    extracts: dict[str, dict[str, Extract]],
    resamples: int,
    seed: int,
) -> str:
    """Return table (a) for ``scored`` events (those where the oracle covers something); Δ against the best sumy."""
    usable = [s for s in scored if s.oracle > 0]
    _, draws = group_resamples(range(len(usable)), resamples, seed)
    ratios = {name: np.array([s.covered[name] / s.oracle for s in usable]) for name in names}
    total = sum(s.units.total for s in usable)
    best = max((name for name in names if name.startswith("sumy ")), key=lambda name: (ratios[name].mean(), name))
    reference = ratios[best][draws].mean(axis=1)
    rows = []
    for name in names:
        values = ratios[name]
        means = values[draws].mean(axis=1)
        low, high = percentile_interval(means)
        d_low, d_high = percentile_interval(means - reference)
        delta = "—" if name == best else f"{values.mean() - ratios[best].mean():+.3f} [{d_low:+.3f}, {d_high:+.3f}]"
        runs = [extracts[name][s.units.event] for s in usable]
        rows.append([
            name, f"{values.mean():.3f} [{low:.3f}, {high:.3f}]", delta,
            f"{sum(s.covered[name] for s in usable) / total:.3f}", str(int((values > 1).sum())),
            f"{statistics.fmean(r.words for r in runs):.1f}", f"{statistics.fmean(len(r.sentences) for r in runs):.1f}",
            f"{1000 * statistics.fmean(r.seconds for r in runs):.0f}",
        ])  # fmt: skip
    exact = statistics.fmean(s.exact / s.oracle for s in usable)
    rows.append(["greedy oracle (annotated sentences)", "1.000", "", f"{sum(s.oracle for s in usable) / total:.3f}"])
    rows.append(
        ["exact optimum (annotated sentences)", f"{exact:.3f}", "", f"{sum(s.exact for s in usable) / total:.3f}"]
    )
    header = [
        "system", "coverage / oracle [95% CI]", f"Δ vs {best} [95% CI]", "covered / all units", "events > oracle",
        "words", "sentences", "ms per story",
    ]  # fmt: skip
    return table(header, [row + [""] * (len(header) - len(row)) for row in rows])


def sentence_problem(corpus: Corpus, story: Story, chosen: Chosen) -> str | None:
    """Return why a newsweave summary sentence does not map back to its corpus sentence, or None when it does."""
    if chosen.source is None or chosen.sentence_index is None:
        return f"source {chosen.source}, sentence_index {chosen.sentence_index}"
    articles = {article.id: article for article in story.articles}
    article = articles.get(chosen.source.article_id)
    if article is None or corpus_key(corpus, chosen) is None:
        return f"source {chosen.source} / sentence_index {chosen.sentence_index} names no sentence of the story"
    sentence = article.sentences[chosen.sentence_index]
    if (sentence.start, sentence.end) != (chosen.source.start, chosen.source.end):
        return f"source {chosen.source} is not sentence {chosen.sentence_index} ({sentence.start}-{sentence.end})"
    if chosen.text.lower() not in sentence.text.lower():
        return f"text {chosen.text[:50]!r} is not part of its sentence {sentence.text[:50]!r}"
    return None


def newsweave_problems(corpus: Corpus, stories: dict[str, Story], extracts: dict[str, Extract], words: int) -> None:
    """Print what is odd about newsweave's summaries: over budget, empty, not mapping back, repaired."""
    over = [f"{event} ({extract.words})" for event, extract in extracts.items() if extract.words > words]
    empty = [event for event, extract in extracts.items() if not extract.sentences]
    problems = []
    repaired = []
    for event, extract in extracts.items():
        for chosen in extract.sentences:
            problem = sentence_problem(corpus, stories[event], chosen)
            if problem is not None:
                problems.append(f"{event}: {problem}")
                continue
            article = next(a for a in stories[event].articles if a.id == chosen.article_id)
            original = article.sentences[chosen.sentence_index or 0].text
            if chosen.text != original:
                repaired.append(f"{original[:30]!r} -> {chosen.text[:25]!r}")
    total = sum(len(extract.sentences) for extract in extracts.values())
    print(
        f"\nnewsweave's summaries: {total} sentences in {len(extracts)} stories; over {words} words: {len(over)}"
        + (f" ({', '.join(over[:5])})" if over else "")
        + f"; empty: {len(empty)}"
        + (f" ({', '.join(empty[:5])})" if empty else "")
        + f"; text repaired: {len(repaired)}"
        + (f" (e.g. {repaired[0]})" if repaired else "")
        + f"; not mapping back to a corpus sentence: {len(problems)}."
    )
    for line in problems[:5]:
        print(f"- {line}")


def coverage(corpus: Corpus, events: Sequence[str], named: dict[str, System], args: argparse.Namespace) -> None:
    """Run every system on every event and print table (a), over all events and over the held-out topics."""
    stories = {event: event_story(corpus, event) for event in events}
    sizes = {
        (document.id, index): word_count(text)
        for document in corpus.documents.values()
        for index, text in zip(document.corpus_index, document.sentences, strict=True)
    }
    extracts = {
        name: {event: timed(system, stories[event], args.words) for event in events} for name, system in named.items()
    }
    scored = []
    for event in events:
        units = event_units(corpus, event)
        oracle = max(greedy_oracle(units, sizes, args.words, per_word) for per_word in (False, True))
        covered = {}
        for name in named:
            keys = [corpus_key(corpus, chosen) for chosen in extracts[name][event].sentences]
            covered[name] = units.covered(key for key in keys if key is not None)
        scored.append(EventScores(units, oracle, exact_oracle(units, sizes, args.words), covered))

    without_units = [s.units.event for s in scored if s.oracle == 0]
    print(f"\n## (a) Content coverage on ECB+ at {args.words} words\n")
    print(
        f"{len(scored)} events, {sum(len(s.units.weight) for s in scored):,} content units (cross-document ACTION "
        f"chains that >= 2 of an event's documents mention), total weight {sum(s.units.total for s in scored):,} "
        f"(documents mentioning them); oracle pool: {sum(len(s.units.oracle_pool) for s in scored):,} fully "
        "annotated sentences."
        + (f" Left out, no unit the oracle can cover: {', '.join(without_units)}." if without_units else "")
    )
    print()
    print(coverage_table(scored, list(named), extracts, args.resamples, args.seed))
    held_out = [s for s in scored if s.units.topic in HELD_OUT]
    if held_out and len(held_out) < len(scored):
        print(f"\n### Held out: topics {HELD_OUT.start}-{HELD_OUT.stop - 1} ({len(held_out)} events)\n")
        print(coverage_table(held_out, list(named), extracts, args.resamples, args.seed))
    print(
        "\nCoverage / oracle: mean over events of the unit weight a summary covers over the greedy oracle's (the better"
        " of greedy by\nmarginal weight and by marginal weight per word, on the fully annotated sentences). 95% "
        f"percentile bootstrap, {args.resamples} resamples of\nevents (seed {args.seed}), the same draws for every "
        "row, so Δ (against the table's best sumy system) is a paired interval. A system\ncan pass the oracle "
        "(events > oracle): greedy is not optimal (exact optimum row), and a system may take sentences outside the\n"
        "annotated list that hold mentions. 'covered / all units': covered over all unit weight, pooled. Words, "
        "sentences, ms: means\nper story (newsweave's ms include its cross-check)."
    )
    if "newsweave" in named:
        newsweave_problems(corpus, stories, extracts["newsweave"], args.words)


# ------------------------------------------------------------------------------------------- (b) ROUGE

DOCUMENT_FIELDS = ("documents", "articles", "document")
REFERENCE_FIELDS = ("summaries", "references", "summary", "reference")
MULTI_NEWS_SEPARATOR = "|||||"
_MULTI_NEWS_NEWLINE = re.compile(r"\s*NEWLINE_CHAR\s*")
_BUDGET = re.compile(r"budget\D{0,40}?(\d+)\s*words|(\d+)[- ]word (?:summar|budget)", re.IGNORECASE)


@dataclass(frozen=True)
class ReferenceItem:
    id: str
    documents: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceSet:
    name: str  # folder/file.jsonl
    words: int
    items: tuple[ReferenceItem, ...]


def texts(value: Any) -> tuple[str, ...]:
    """Return the non-empty texts of a field: a string, a list of strings, or a list of {"text": ...} records."""
    if isinstance(value, str):
        parts = value.split(MULTI_NEWS_SEPARATOR) if MULTI_NEWS_SEPARATOR in value else [value]
    elif isinstance(value, list):
        parts = [
            item if isinstance(item, str) else str(item.get("text") or item.get("maintext") or "")
            for item in value
            if isinstance(item, str | dict)
        ]
    else:
        return ()
    return tuple(text for part in parts if (text := _MULTI_NEWS_NEWLINE.sub("\n\n", part).strip()))


def reference_item(record: Any, fallback_id: str) -> ReferenceItem | None:
    """Return a record's documents and reference summaries, or None when it does not hold both."""
    if not isinstance(record, dict):
        return None
    documents = next((texts(record[f]) for f in DOCUMENT_FIELDS if f in record), ())
    references = next((texts(record[f]) for f in REFERENCE_FIELDS if f in record), ())
    if not documents or not references:
        return None
    return ReferenceItem(str(record.get("id", fallback_id)), documents, references)


def stated_budget(folder: Path) -> int | None:
    """Return the summary length in words that the folder's PROVENANCE.md states, if it states one."""
    provenance = folder / "PROVENANCE.md"
    if not provenance.exists():
        return None
    match = _BUDGET.search(provenance.read_text(encoding="utf-8"))
    return int(match.group(1) or match.group(2)) if match else None


def reference_sets(root: Path, words: int, max_items: int) -> tuple[list[str], list[ReferenceSet]]:
    """Return the folders scanned under ``root`` and the JSONL sets among them that ship reference summaries.

    A JSONL file is a set when its first record holds documents (``documents``/``articles`` as a list, or a
    Multi-News-style ``document`` joined by "|||||") and references (``summary``/``summaries``/``references``).
    """
    folders = sorted(path for path in root.iterdir() if path.is_dir()) if root.is_dir() else []
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                first = handle.readline()
                try:
                    if reference_item(json.loads(first), "") is None:
                        continue
                except json.JSONDecodeError:
                    continue
                handle.seek(0)
                items = []
                for number, line in enumerate(handle, 1):
                    item = reference_item(json.loads(line), f"{path.stem}:{number}") if line.strip() else None
                    if item is not None:
                        items.append(item)
                    if len(items) == max_items:
                        break
            budget = stated_budget(folder) or words
            found.append(ReferenceSet(f"{folder.name}/{path.name}", budget, tuple(items)))
    return [folder.name for folder in folders], found


def item_story(item: ReferenceItem) -> Story:
    """Return an item's documents as a Story, one Article each, segmented by newsweave."""
    from newsweave.segment import segment

    articles = tuple(
        segment(Article(id=f"{item.id}-{i}", outlet=f"document {i}", text=text, origin=Origin(item.id, "bench")))
        for i, text in enumerate(item.documents)
    )
    return Story(id=item.id, title=None, articles=articles)


ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


def rouge_table(reference_set: ReferenceSet, named: dict[str, System], resamples: int, seed: int) -> None:
    """Print ROUGE-1/2/L F1 (with intervals) and recall of every system on one reference set."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    stories = [item_story(item) for item in reference_set.items]
    scores: dict[str, dict[str, np.ndarray]] = {}
    for name, system in named.items():
        found = [
            scorer.score_multi(list(item.references), " ".join(c.text for c in system(story, reference_set.words)))
            for item, story in zip(reference_set.items, stories, strict=True)
        ]
        scores[name] = {
            f"{kind} {part}": np.array([getattr(score[kind], part) for score in found])
            for kind in ROUGE_TYPES
            for part in ("fmeasure", "recall")
        }
    _, draws = group_resamples(range(len(stories)), resamples, seed)
    sumy = [name for name in named if name.startswith("sumy ")]
    best = max(sumy, key=lambda name: (scores[name]["rouge2 fmeasure"].mean(), name))
    reference = scores[best]["rouge2 fmeasure"][draws].mean(axis=1)
    rows = []
    for name in named:
        row = [name]
        for kind in ROUGE_TYPES:
            values = scores[name][f"{kind} fmeasure"]
            low, high = percentile_interval(values[draws].mean(axis=1))
            row += [f"{values.mean():.3f} [{low:.3f}, {high:.3f}]", f"{scores[name][f'{kind} recall'].mean():.3f}"]
        values = scores[name]["rouge2 fmeasure"]
        if name == best:
            row.append("—")
        else:
            d_low, d_high = percentile_interval(values[draws].mean(axis=1) - reference)
            row.append(f"{values.mean() - scores[best]['rouge2 fmeasure'].mean():+.3f} [{d_low:+.3f}, {d_high:+.3f}]")
        rows.append(row)
    header = ["system", "R-1 F1 [95% CI]", "R-1 R", "R-2 F1 [95% CI]", "R-2 R", "R-L F1 [95% CI]", "R-L R"]
    print(f"\n### {reference_set.name}: {len(stories)} items, {reference_set.words} words\n")
    print(table([*header, f"ΔR-2 F1 vs {best} [95% CI]"], rows))


def shown(path: Path) -> str:
    """Return ``path`` as seen from the project root when it lies beside the project (../shared/data)."""
    try:
        return "../" + path.resolve().relative_to(ROOT.parent).as_posix()
    except ValueError:
        return str(path)


def rouge(named: dict[str, System], args: argparse.Namespace) -> None:
    """Print table (b) for every reference set under --data, or one line saying there is none."""
    scanned, sets = reference_sets(args.data, args.words, args.max_items)
    print("\n## (b) ROUGE against reference summaries\n")
    if not sets:
        print(
            f"Scanned {shown(args.data)}/: {', '.join(scanned) or 'no folder'}; none ships reference summaries "
            "(a JSONL with documents and a summary), so there is no ROUGE table."
        )
        return
    for reference_set in sets:
        rouge_table(reference_set, named, args.resamples, args.seed)
    print(
        f"\nrouge-score, stemmer on; with several references, the best-scoring one (score_multi). At most "
        f"{args.max_items} items per set (the first in the file). Bootstrap: {args.resamples} resamples of items "
        f"(seed {args.seed})."
    )


# ------------------------------------------------------------------------------------------- (c) speed


def speed(corpus: Corpus, events: Sequence[str], named: dict[str, System], words: int) -> None:
    """Print table (c): one call on a 20-article story, warm, best of 5."""
    largest = max(events, key=lambda event: (len(corpus.events[event]), event))
    story = event_story(corpus, largest)
    story = replace(story, id=f"{largest}-first-{SPEED_ARTICLES}", articles=story.articles[:SPEED_ARTICLES])
    timings = dict(named)
    if "newsweave" in named:
        from newsweave.crosscheck import crosscheck

        checked = replace(story, crosscheck=crosscheck(story))
        timings = {
            "newsweave (cross-checks the story)": named["newsweave"],
            "newsweave, story already cross-checked": lambda _story, budget: named["newsweave"](checked, budget),
            **{name: system for name, system in named.items() if name != "newsweave"},
        }
    rows = []
    for name, system in timings.items():
        system(story, words)  # warm
        runs = [timed(system, story, words).seconds for _ in range(SPEED_RUNS)]
        goal = ""
        if name.startswith("newsweave ("):
            goal = "met" if min(runs) < SPEED_GOAL_SECONDS else "NOT met"
        rows.append([name, f"{1000 * min(runs):.0f}", " / ".join(f"{1000 * r:.0f}" for r in runs), goal])
    sentences = sum(len(article.sentences) for article in story.articles)
    print(
        f"\n## (c) Speed: one summary of a {len(story.articles)}-article story ({sentences} sentences; the first "
        f"{len(story.articles)} documents of {largest}, the largest event), {words} words\n"
    )
    print(table(["system", "best ms", "runs ms", f"goal < {SPEED_GOAL_SECONDS * 1000:.0f} ms"], rows))
    print(
        f"\nWarm: one untimed run, then the best of {SPEED_RUNS}; one process. sumy's times include building its "
        "document\nmodel from the story's sentences; newsweave's first row includes its cross-check."
    )


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
    parser.add_argument("--words", type=int, default=WORDS, help=f"word budget of every summary (default {WORDS})")
    parser.add_argument("--resamples", type=int, default=RESAMPLES, help=f"bootstrap resamples (default {RESAMPLES})")
    parser.add_argument("--seed", type=int, default=BOOTSTRAP_SEED, help=f"bootstrap seed (default {BOOTSTRAP_SEED})")
    parser.add_argument("--topics", default="1-35", help="ECB+ topics, e.g. 1-35 (default), 1-17, 1,3,5-7")
    parser.add_argument("--data", type=Path, default=DATA, help="folder scanned for reference summaries for (b)")
    parser.add_argument("--max-items", type=int, default=MAX_ITEMS, help="items per reference set, at most")
    args = parser.parse_args()
    if args.words < 1:
        parser.error("--words must be at least 1")
    started = time.perf_counter()

    corpus = load_corpus()
    topics = parse_topics(args.topics)
    events = [event for event, ids in corpus.events.items() if corpus.documents[ids[0]].topic in topics]
    if not events:
        sys.exit(f"bench/summarize.py: no ECB+ event in topics {args.topics}")
    named, notes = systems()

    print("# Extractive summary benchmark (bench/summarize.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    if "newsweave" in named:
        from newsweave.summarize import SummaryConfig

        print(f"Defaults under test: {replace(SummaryConfig(), words=args.words)}")
    print(
        f"Data: ECB+ topics {args.topics} (Cybulska & Vossen, LREC 2014; CC BY 3.0), {len(events)} events as stories "
        "(one article per document, the corpus's sentences). Budget: "
        f"{args.words} words (whitespace tokens) for every system."
    )
    for note in notes:
        print(f"Note: {note}")

    coverage(corpus, events, named, args)
    rouge(named, args)
    speed(corpus, events, named, args.words)
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
