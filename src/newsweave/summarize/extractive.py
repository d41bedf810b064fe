"""Choose the sentences that cover what most independent outlets report, within a word budget.

The summary is a concept-coverage integer program (Gillick & Favre, 2009): every candidate
sentence covers concepts, each concept counts once however many chosen sentences hold it, and the
chosen sentences' words must fit the budget. Maximising the covered weight selects the important
content and leaves out repetition in one step, solved exactly by HiGHS (``scipy.optimize.milp``).

Concepts and their weights:
- word bigrams (stems) that at least two independent sources use, each weighing the sum over the
  sources that use it of how early it comes there (news puts the key facts first);
- the story's corroborated facts (the cross-check's fact groups), each weighing the same sum over
  its sources times ``fact_weight``: a sentence that states what several outlets confirm covers
  more than its words alone.

Candidates are sentences that stand alone: no unresolved "He said"/"This", no fragment of a longer
quote, no side of a disagreement between outlets; an opening "But"/"However," is cut.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import re
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsweave.records import Article, CrossCheck, Fact, Sentence
from newsweave.statements import digits, function_stems, word_stems

# Openings that link to a sentence the summary may not hold; the rest of the sentence stands alone.
_CONNECTIVE = re.compile(
    r"^(?:but|and|yet|so|still|however|also|meanwhile|moreover|furthermore|nonetheless|nevertheless|"
    r"instead|then|in addition|in fact|indeed|besides|additionally)\b,?\s+(?=\S)",
    re.IGNORECASE,
)
# Openings that point back at something the summary may not hold: who is "he", what is "this"?
_ANAPHORIC = re.compile(
    r"^[\"“‘']?(?:he|she|they|it|his|her|hers|their|its|him|them|this|that|these|those|such|the latter|"
    r"the former|here|both|neither|either|another|other|others)\b(?![-’'])",
    re.IGNORECASE,
)
# A quote credited to a pronoun: '"...," he said.'
_PRONOUN_SPEAKER = re.compile(
    r"(?:^|[,\"”’]\s*)(?:he|she|they|it)\s+(?:said|says|added|adds|told|tells|explained|wrote|writes|"
    r"continued|noted|stressed|insisted|argued)\b",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!]\s*[\"”’')\]]*\s*$")
_LINK = re.compile(r"https?://|www\.|@\w|\.com\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence the summary may take: its article, its text as it would be printed, and its size."""

    article: Article
    sentence: Sentence
    text: str
    words: int
    position: int  # the article's place in the story: the order of the summary


# A wire dateline before the first sentence: "LISSCOMBE (MPA) — ", "PORT ALDANE, May 14 (Reuters) - ".
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,40}(?:,[^—–\-(]{0,30})?(?:\s*\([^)]{1,40}\))?\s*[—–-]{1,2}\s+(?=[A-Z])")


def standalone(text: str) -> str | None:
    """``text`` repaired to read on its own (a dateline or an opening "But" cut), or ``None`` when it cannot."""
    text = _DATELINE.sub("", text.strip(), count=1)
    repaired = _CONNECTIVE.sub("", text, count=1)
    if repaired != text:
        repaired = repaired[0].upper() + repaired[1:]
    if _ANAPHORIC.match(repaired) or _PRONOUN_SPEAKER.search(repaired):
        return None
    if repaired.count('"') % 2 or repaired.count("“") != repaired.count("”"):
        return None  # one sentence of a quote that runs over several
    if repaired.endswith("?") or not _TERMINAL.search(repaired) or _LINK.search(repaired):
        return None  # a question, a headline or caption, a link line
    return repaired


def candidates(
    articles: Sequence[Article], excluded: frozenset[tuple[str, int]], min_words: int, max_words: int
) -> list[Candidate]:
    """The sentences of ``articles`` a summary may take; ``excluded`` holds (article id, sentence index) pairs."""
    found = []
    for position, article in enumerate(articles):
        for sentence in article.sentences:
            if (article.id, sentence.index) in excluded:
                continue
            text = standalone(sentence.text)
            if text is None:
                continue
            words = len(text.split())
            if min_words <= words <= max_words:
                found.append(Candidate(article, sentence, text, words, position))
    return found


def position_weight(index: int, halflife: float) -> float:
    """How much a concept counts at sentence ``index`` of its article: 1 at the lead, 1/2 at ``halflife``."""
    return 1.0 / (1.0 + index / halflife)


def bigrams(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent word stems of ``text``, leaving out pairs of two function words ("of the")."""
    stems = word_stems(text)
    function = function_stems()
    return frozenset((a, b) for a, b in itertools.pairwise(stems) if not (a in function and b in function))


def concept_weights(
    articles: Sequence[Article],
    source_of: dict[str, int],
    crosscheck: CrossCheck,
    halflife: float,
    fact_weight: float,
) -> dict[object, float]:
    """Weight of every concept the story's independent sources share: bigrams, and corroborated facts."""
    best: dict[object, dict[int, float]] = defaultdict(dict)  # concept -> source -> best position weight
    for article in articles:
        source = source_of[article.id]
        for sentence in article.sentences:
            weight = position_weight(sentence.index, halflife)
            for pair in bigrams(sentence.text):
                seen = best[pair]
                if seen.get(source, 0.0) < weight:
                    seen[source] = weight
    several = len(set(source_of.values())) >= 2
    weights: dict[object, float] = {
        concept: sum(by_source.values()) for concept, by_source in best.items() if len(by_source) >= 2 or not several
    }
    for fact in crosscheck.facts:
        if fact.status == "unique":
            continue
        by_source_fact: dict[int, float] = {}
        for statement in fact.statements:
            if statement.article_id not in source_of:
                continue
            key = source_of[statement.article_id]
            weight = position_weight(statement.sentence_index, halflife)
            by_source_fact[key] = max(by_source_fact.get(key, 0.0), weight)
        if len(by_source_fact) >= 2:
            weights[("fact", fact.id)] = fact_weight * sum(by_source_fact.values())
    return weights


def sentence_concepts(candidate: Candidate, facts_of: dict[tuple[str, int], list[Fact]]) -> set[object]:
    """The concepts ``candidate`` covers: its bigrams, and the facts its statements belong to."""
    found: set[object] = set(bigrams(candidate.text))
    found.update(("fact", fact.id) for fact in facts_of.get((candidate.article.id, candidate.sentence.index), ()))
    return found


def select(
    pool: Sequence[Candidate],
    weights: dict[object, float],
    facts_of: dict[tuple[str, int], list[Fact]],
    budget: int,
    halflife: float,
    seconds: float,
) -> list[Candidate]:
    """The candidates that together cover the most concept weight in at most ``budget`` words."""
    from scipy.optimize import Bounds, LinearConstraint  # scipy loads only when a summary is made
    from scipy.sparse import csr_array, hstack

    fitting = [c for c in pool if c.words <= budget]
    covers = [sorted((k for k in sentence_concepts(c, facts_of) if k in weights), key=repr) for c in fitting]
    holders: dict[object, list[int]] = defaultdict(list)
    for i, keys in enumerate(covers):
        for key in keys:
            holders[key].append(i)
    if not holders:
        return []
    n = len(fitting)
    # Every sentence costs a little, less the earlier it stands (then the earlier its article): a
    # sentence that adds nothing is never taken, and ties always break the same way.
    own = np.array(
        [-1e-4 * (2.0 - position_weight(c.sentence.index, halflife)) - 1e-7 * i / n for i, c in enumerate(fitting)]
    )
    # A concept only one sentence holds needs no variable: its weight is that sentence's own.
    shared = [key for key in sorted(holders, key=repr) if len(holders[key]) > 1]
    for key, held_by in holders.items():
        if len(held_by) == 1:
            own[held_by[0]] += weights[key]
    m = len(shared)
    objective = -np.concatenate([own, np.array([weights[key] for key in shared])])
    rows = [j for j, key in enumerate(shared) for _ in holders[key]]
    cols = [i for key in shared for i in holders[key]]
    occurs = csr_array((np.ones(len(rows)), (rows, cols)), shape=(m, n))
    # covered_j <= sum of the chosen sentences holding concept j; the words of the chosen fit the budget.
    constraints = [
        LinearConstraint(
            csr_array((np.array([c.words for c in fitting], dtype=float), (np.zeros(n, dtype=int), np.arange(n))),
                      shape=(1, n + m)),
            -np.inf,
            float(budget),
        )
    ]  # fmt: skip
    if m:
        identity = csr_array((np.ones(m), (np.arange(m), np.arange(m))), shape=(m, m))
        constraints.append(LinearConstraint(csr_array(hstack([-occurs, identity], format="csr")), -np.inf, 0.0))
    # Sentences are chosen or not; a concept's "covered" can stay continuous, the optimum sets it to 0 or 1.
    result = solve(objective, constraints, np.concatenate([np.ones(n), np.zeros(m)]), Bounds(0.0, 1.0), seconds)
    if result.x is None:
        return _greedy(fitting, covers, weights, budget)
    return [c for c, chosen in zip(fitting, result.x[:n], strict=True) if chosen > 0.5]


def solve(objective: Any, constraints: Sequence[Any], integrality: Any, bounds: Any, seconds: float) -> Any:
    """``scipy.optimize.milp`` with no output, its C library's standard output included (see ``_stdout_to_stderr``)."""
    from scipy.optimize import milp

    # Presolve stays off, as when the line below was first seen with it on (an earlier session).
    options = {"time_limit": seconds, "disp": False, "presolve": False}
    with _stdout_to_stderr():
        return milp(objective, constraints=constraints, integrality=integrality, bounds=bounds, options=options)


# One process has one standard output: two threads redirecting it at once could leave it redirected for good.
_STDOUT = threading.Lock()


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send what C code writes to standard output (file descriptor 1) to standard error while the block runs.

    HiGHS 1.12, inside scipy's milp, prints "HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();" with printf when one of its heuristics' sub-problems repairs a solution, whatever
    its output options, presolve off or not (one of the 879 stories of the 10,000-record replay). On
    standard output that line would come before ``newsweave digest --format json``'s JSON and break
    it. Where file descriptors cannot be swapped (no descriptor 1 or 2, not POSIX) the block runs as is.
    What another thread writes to standard output meanwhile goes to standard error too (a solve takes
    milliseconds; the command line prints its result after the digests are made).
    """
    if os.name != "posix":
        yield
        return
    with _STDOUT:
        saved = _redirect_stdout()
        if saved is None:
            yield
            return
        try:
            yield
        finally:
            _flush_c_stdout()  # what printf buffered goes to standard error, not to the restored output
            os.dup2(saved, 1)
            os.close(saved)


def _redirect_stdout() -> int | None:
    """Point descriptor 1 at standard error; return a copy of what it pointed at, or None if it cannot be done."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or None (no console)
        sys.stdout.flush()  # Python's own buffer goes where it was meant to, first
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1
        return None
    try:
        os.dup2(2, 1)
    except OSError:  # no descriptor 2
        os.close(saved)
        return None
    return saved


def _flush_c_stdout() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)  # the C library the interpreter runs on; NULL flushes every stream


def _greedy(
    fitting: Sequence[Candidate], covers: Sequence[Sequence[object]], weights: dict[object, float], budget: int
) -> list[Candidate]:
    """Best gain per word first: the fallback when the solver finds nothing in its time."""
    chosen: list[int] = []
    covered: set[object] = set()
    left = budget
    while True:
        best, best_gain = -1, 0.0
        for i, candidate in enumerate(fitting):
            if i in chosen or candidate.words > left:
                continue
            gain = sum(weights[k] for k in covers[i] if k not in covered) / candidate.words
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            return [fitting[i] for i in sorted(chosen)]
        chosen.append(best)
        covered.update(covers[best])
        left -= fitting[best].words


def disputed(articles: Sequence[Article], crosscheck: CrossCheck) -> frozenset[tuple[str, int]]:
    """(article id, sentence index) of every sentence that states a value outlets disagree on.

    The two sides of each conflict; every other statement of the fact that repeats either value;
    and any sentence of the story that states a disputed quantity ("88mph" where another outlet
    says 81 mph): a summary that states one of them would take a side.
    """
    found: set[tuple[str, int]] = set()
    quantities: set[str] = set()
    for fact in crosscheck.facts:
        values = {_plain(v) for conflict in fact.conflicts for v in (conflict.a_value, conflict.b_value)}
        quantities.update(_plain(v) for c in fact.conflicts if c.kind == "number" for v in (c.a_value, c.b_value))
        for conflict in fact.conflicts:
            found.update((s.article_id, s.sentence_index) for s in (conflict.a, conflict.b))
        found.update((s.article_id, s.sentence_index) for s in fact.statements if _states(_plain(s.text), values))
    if quantities:
        found.update(
            (article.id, sentence.index)
            for article in articles
            for sentence in article.sentences
            if _states(_plain(sentence.text), quantities)
        )
    return frozenset(found)


def _states(text: str, values: set[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) for value in values if value)


def _plain(text: str) -> str:
    return " ".join(digits(text).lower().replace(",", "").split())


def facts_by_sentence(crosscheck: CrossCheck) -> dict[tuple[str, int], list[Fact]]:
    """The facts each (article id, sentence index) takes part in."""
    found: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for fact in crosscheck.facts:
        for statement in fact.statements:
            key = (statement.article_id, statement.sentence_index)
            if fact not in found[key]:
                found[key].append(fact)
    return dict(found)
