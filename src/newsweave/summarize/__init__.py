"""A story's summary in which every sentence cites the outlets that support it.

The default is extractive (``extractive.py``): the article sentences that cover the most of what
several independent outlets report, chosen exactly under a word budget, ordered by article time and
position. Each sentence cites its own outlets and those whose statements the cross-check aligned
with it (``citations.py``). An optional abstractive backend (``llm.py``, any OpenAI-compatible
server) writes sentences from the story's facts; newsweave checks each one against the facts it
cites and drops, and reports, what they do not support.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsweave.crosscheck import CrossCheckConfig, crosscheck, sources
from newsweave.dates import comparable
from newsweave.records import CrossCheck, Span, Story, Summary, SummarySentence
from newsweave.summarize import citations, extractive
from newsweave.summarize.llm import LLMConfig, abstractive_summary

__all__ = ["LLMConfig", "SummaryConfig", "summarize"]


@dataclass(frozen=True, slots=True)
class SummaryConfig:
    """How long a summary is and how it is chosen. Values chosen on ECB+ topics 1–17 (bench/summarize.py)."""

    words: int = 120  # the budget: the summary never has more words (whitespace tokens)
    # Sentences shorter than this rarely state a fact (datelines, captions); longer ones eat the budget.
    min_sentence_words: int = 6
    max_sentence_words: int = 60
    # A concept counts half at this sentence index of its article, fully in the lead.
    position_halflife: float = 4.0
    # A corroborated fact weighs this many bigrams per source that reports it.
    fact_weight: float = 1.0
    # An outlet is cited when its aligned statements share this many content words with the
    # sentence's statements and cover this share of the sentence's characters.
    min_shared_words: int = 2
    min_support_coverage: float = 0.5
    solver_seconds: float = 5.0  # HiGHS stops here with its best selection (greedy if it found none)
    crosscheck: CrossCheckConfig = field(default_factory=CrossCheckConfig)
    llm: LLMConfig | None = None  # an OpenAI-compatible server writes the summary instead (``llm.py``)


def summarize(story: Story, config: SummaryConfig = SummaryConfig()) -> Summary:
    """Return the cited summary of ``story`` (cross-checking it first if it has not been)."""
    if config.words < 1:
        raise ValueError(f"a summary needs a budget of at least 1 word, not {config.words}")
    check = story.crosscheck or crosscheck(story, config.crosscheck)
    if config.llm is not None:
        return abstractive_summary(story, check, config.llm, config.words)
    return extractive_summary(story, check, config)


def reading_order(candidate: extractive.Candidate) -> tuple[bool, object, int, int]:
    """Time, then source position: by the article's day, then the sentence's place in its article.

    Within one day, the lead sentences of every article come before their details; across days,
    what was reported first comes first.
    """
    published = candidate.article.date_publish
    day = comparable(published).date() if published is not None else None
    return (day is None, day, candidate.sentence.index, candidate.position)


def extractive_summary(story: Story, check: CrossCheck, config: SummaryConfig) -> Summary:
    """The extractive summary of ``story`` given its cross-check."""
    articles = story.articles
    if not articles:
        return Summary(sentences=(), sources=(), words=config.words)
    source_of = sources(articles, config.crosscheck)
    excluded = extractive.disputed(articles, check)
    pool = extractive.candidates(articles, excluded, config.min_sentence_words, config.max_sentence_words)
    weights = extractive.concept_weights(articles, source_of, check, config.position_halflife, config.fact_weight)
    facts_of = extractive.facts_by_sentence(check)
    chosen = extractive.select(pool, weights, facts_of, config.words, config.position_halflife, config.solver_seconds)
    chosen.sort(key=reading_order)
    supports = [
        citations.support(
            c.article, c.sentence.index, articles, check,
            min_shared=config.min_shared_words, min_coverage=config.min_support_coverage,
        )
        for c in chosen
    ]  # fmt: skip
    cited, numbered_sources = citations.numbered(supports, articles)
    sentences = tuple(
        SummarySentence(
            text=c.text,
            citations=found,
            source=Span(c.article.id, c.sentence.start, c.sentence.end),
            sentence_index=c.sentence.index,
            facts=tuple(fact.id for fact in facts_of.get((c.article.id, c.sentence.index), ())),
        )
        for c, found in zip(chosen, cited, strict=True)
    )
    return Summary(sentences=sentences, sources=numbered_sources, words=config.words)
