"""Which facts of a story several independent outlets report, which only one does, and where they disagree.

1. Every article's statements (``statements.statements``) are compared with TF-IDF cosine over word
   stems (scikit-learn), fitted on the story itself so that what every article repeats weighs little.
2. Alignment: a statement is linked to its best match in each other article when the match is
   mutual and similar enough; links are joined into facts strongest first, and a fact takes two
   statements of one article only when they restate each other, so weak chains of links cannot
   gather an article's different facts into one.
3. Each fact's statements are grouped into independent sources: an article and its folded copies,
   articles of the same outlet, and articles whose texts are near copies count once.
4. Aligned statements of different sources are checked for disagreement: quantities of the same
   unit ("24 hours" / "two days"), dates of the same kind, different names in the same role,
   a word negated on one side only, and opposite words ("official" / "unofficial"). Where the
   words around two values share too little to tell whether they are said of one thing, spaCy's
   dependency parse (``syntax``) is asked whether a negated verb, or a date's verb, has one subject,
   and whose an age is.

Same input, same output: no randomness, and ties are broken by position.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from newsweave.dedupe import DedupeConfig, overlap, shingles
from newsweave.outlets import normalised_domain, registered_domain
from newsweave.records import Article, Conflict, ConflictKind, CrossCheck, Fact, Span, Statement, Story
from newsweave.statements import (
    OWN_KIND,
    Claim,
    Name,
    Quantity,
    claim,
    function_stems,
    is_total,
    polar_pairs,
    same_amount,
    source_key,
    statements,
    stem,
    title_case,
)
from newsweave.syntax import Parses, Predicate, age_holder, dated_predicate, name_role, predicate

if TYPE_CHECKING:
    from spacy.tokens import Doc

Method = Literal["lexical", "neural"]

# Words a reporting clause puts around a name: a name there is a source, not a role in the fact.
_REPORTING = frozenset(
    "to said says told reported according by from quoted cited allege alleges alleged announced stated".split()
)


@dataclass(frozen=True, slots=True)
class CrossCheckConfig:
    """How statements are aligned and checked. Values chosen on ECB+ topics 1–17 (bench/crosscheck.py)."""

    method: Method = "lexical"
    # Cosine similarity (TF-IDF) two statements need to be aligned as mutual best matches.
    align_similarity: float = 0.15
    # Above this, statements are aligned even when not each other's best match (a fact restated).
    strong_similarity: float = 0.6
    # Two statements of one article join one fact only when this similar (the article repeats it).
    restate_similarity: float = 0.2
    # The same thresholds for the embeddings of method="neural" (cosine of MiniLM vectors).
    neural_align_similarity: float = 0.5
    neural_strong_similarity: float = 0.85
    neural_restate_similarity: float = 0.6
    # Statements of different sources are checked for a conflict when at least this similar (TF-IDF,
    # whatever the method), aligned in one fact or not: alignment keeps one fact per group and may put
    # two reports of one fact in different groups, a disagreement among them is still one.
    conflict_candidate_similarity: float = 0.1
    # Two values disagree when the statements are this similar and a word around the values agrees.
    conflict_similarity: float = 0.35
    # ... or, less similar, when words on both sides of the values agree: one clause about one thing.
    clause_conflict_similarity: float = 0.2
    # Names and negations differ between good paraphrases more than numbers do ("Beijing" / "the
    # Chinese capital", "no one was hurt" / "nobody was injured"), so they need closer statements.
    name_conflict_similarity: float = 0.5
    # A name conflict: the share (Jaccard) of the two statements' other word stems they have in common.
    name_rest_overlap: float = 0.6  # 0.6 on ECB+: 2 fewer false name conflicts than 0.5, same recall
    # A name one source alone writes against the story's name for that role (_swapped_name) is compared in
    # statements at least this similar: on ECB+, 0.2 found 5 more swaps and 4 more false conflicts than 0.25.
    name_swap_similarity: float = 0.25
    # Articles whose texts share this much (word 5-grams, of the shorter) are one source: a wire copy.
    copy_overlap: float = DedupeConfig().min_overlap
    # Read the dependency parse (spaCy, the [nlp] extra) where words alone cannot tell whether a verb
    # negated in one report and plain in another, or two dates, are said of one verb of one subject;
    # without spaCy, words only.
    parse: bool = True


def crosscheck(story: Story, config: CrossCheckConfig = CrossCheckConfig()) -> CrossCheck:
    """Return the facts of ``story``, each corroborated, unique or conflicting, with their statements."""
    articles = story.articles
    vocabulary = name_vocabulary(articles)
    claims = [c for article in articles for s in statements(article) if _checkable(c := claim(s, vocabulary))]
    if not claims:
        return CrossCheck(outlets=story.outlets, facts=(), method=config.method)
    article_of = {article.id: article for article in articles}
    position = {article.id: index for index, article in enumerate(articles)}
    similarity = _similarities(claims)
    if config.method == "neural":
        thresholds = (config.neural_align_similarity, config.neural_strong_similarity, config.neural_restate_similarity)
        links_by = _neural_similarities(claims)
    else:
        thresholds = (config.align_similarity, config.strong_similarity, config.restate_similarity)
        links_by = similarity
    groups, _ = align([position[c.statement.article_id] for c in claims], links_by, *thresholds)
    source_of = sources(articles, config)
    fact_of = {i: index for index, group in enumerate(groups) for i in group}
    found: dict[int, list[Conflict]] = defaultdict(list)
    parses = Parses() if config.parse else None
    names = _StoryNames.of(claims, groups, articles, source_of)
    pairs = _pair_conflicts(claims, similarity, article_of, fact_of, config, parses, names)
    for (i, _), conflicts_there in pairs.items():
        # A disagreement between two facts is shown on the first one's.
        found[fact_of[i]].extend(conflicts_there)
    facts = [_fact(group, claims, found.get(index, []), article_of, source_of) for index, group in enumerate(groups)]
    facts.sort(key=_fact_order)
    return CrossCheck(outlets=story.outlets, facts=tuple(facts), method=config.method)


def _checkable(claim_: Claim) -> bool:
    """Whether a statement says something: datelines and bylines ("Published: April 16, 2013") do not."""
    if "http" in claim_.statement.text or "www." in claim_.statement.text:
        return False  # a link line
    calendar = _calendar()
    return sum(1 for s in claim_.stems if len(s) > 3 and s.isalpha() and s not in calendar) >= 3


@functools.cache
def _calendar() -> frozenset[str]:
    """Stems of the words of datelines, which are not facts."""
    words = """
    january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat
    sun published posted updated edt est pdt pst cdt cst gmt bst utc cet cest
    """.split()
    return frozenset(stem(word) for word in words)


def name_vocabulary(articles: Iterable[Article]) -> frozenset[str]:
    """Words the story's articles write capitalised inside a sentence: names, wherever they stand."""
    found: set[str] = set()
    for article in articles:
        for sentence in article.sentences:
            words = sentence.text.split()
            found.update(w.strip(".,;:\"'“”‘’()").lower() for w in words[1:] if w[:1].isupper())
    return frozenset(found)


# ---------------------------------------------------------------------------------- similarity


class _Similarity:
    """Pairwise statement similarity, kept sparse: only pairs that share a stem are stored."""

    def __init__(self, rows: dict[int, dict[int, float]]) -> None:
        self.rows = rows

    def get(self, i: int, j: int) -> float:
        return self.rows.get(i, {}).get(j, 0.0)


def _similarities(claims: Sequence[Claim]) -> _Similarity:
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [claim_.stems or ("",) for claim_ in claims]
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
    matrix = vectorizer.fit_transform(documents)
    product = (matrix @ matrix.T).tocoo()
    rows: dict[int, dict[int, float]] = defaultdict(dict)
    for i, j, value in zip(product.row.tolist(), product.col.tolist(), product.data.tolist(), strict=True):
        if i != j and value > 0:
            rows[i][j] = value
    return _Similarity(rows)


def _identity(features: Sequence[str]) -> Sequence[str]:
    return features


def _neural_similarities(claims: Sequence[Claim]) -> _Similarity:
    from newsweave.embeddings import encoder

    vectors = encoder().encode([c.statement.text for c in claims])
    product = vectors @ vectors.T
    rows: dict[int, dict[int, float]] = defaultdict(dict)
    # Only pairs that could align are kept: the dense matrix is mostly below any useful threshold.
    for i, j in zip(*(product > 0.2).nonzero(), strict=True):
        if i != j:
            rows[int(i)][int(j)] = float(product[i, j])
    return _Similarity(rows)


# ------------------------------------------------------------------------------------ alignment


def align(
    article_of: Sequence[int], similarity: _Similarity, minimum: float, strong: float, restate: float
) -> tuple[list[list[int]], set[tuple[int, int]]]:
    """Group statements (by index) into facts: mutual best matches across articles, strong matches always.

    ``article_of[i]`` is the article of statement ``i``; statements of one article are never
    aligned, and a group holds two statements of one article only if they are ``restate`` similar
    (a fact the article repeats). Returns the groups and the
    candidate links ``(i, j)``, ``i < j``.
    """
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for i, row in similarity.rows.items():
        for j, value in row.items():
            if value < minimum or article_of[i] == article_of[j]:
                continue
            key = (i, article_of[j])
            # Ties go to the earlier statement, so the result never depends on dict order.
            if key not in best or (value, -j) > (best[key][0], -best[key][1]):
                best[key] = (value, j)
    links: set[tuple[int, int]] = set()
    for (i, _), (value, j) in best.items():
        mutual = best.get((j, article_of[i]), (0.0, -1))[1] == i
        if mutual or value >= strong:
            links.add((min(i, j), max(i, j)))
    sets = _UnionFind(len(article_of))
    members: list[dict[int, list[int]]] = [{article_of[i]: [i]} for i in range(len(article_of))]

    def restated(a: int, b: int) -> bool:
        """Whether every article in both groups states one thing in both: its statements there are alike."""
        return all(
            max(similarity.get(x, y) for x in members[a][article] for y in members[b][article]) >= restate
            for article in members[a].keys() & members[b].keys()
        )

    # Strongest links first; a fact takes two statements of one article only when they restate each
    # other, so a chain of weak links through several articles cannot gather an article's different
    # facts into one.
    for i, j in sorted(links, key=lambda pair: (-similarity.get(*pair), pair)):
        a, b = sets.find(i), sets.find(j)
        if a == b or not restated(a, b):
            continue
        keep, gone = sets.union(a, b)
        for article, statements_there in members[gone].items():
            members[keep].setdefault(article, []).extend(statements_there)
    return sets.groups(), links


def sources(articles: Sequence[Article], config: CrossCheckConfig = CrossCheckConfig()) -> dict[str, int]:
    """Map each article id to its source: articles sharing an outlet, a site (registered domain) or a text (wire
    copies) share one, so one site named two ways ("The Independent" on its pages, "independent.co.uk" in a
    feed's records) never corroborates itself."""
    sets = _UnionFind(len(articles))
    first_with: dict[tuple[str, str], int] = {}
    for index, article in enumerate(articles):
        for key in _source_keys(article):
            sets.union(index, first_with.setdefault(key, index))
    grams = [shingles(article.text, DedupeConfig().shingle_words) for article in articles]
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            if sets.find(i) == sets.find(j) or not (grams[i] and grams[j]):
                continue
            if overlap(grams[i], grams[j]) >= config.copy_overlap:
                sets.union(i, j)
    return {article.id: sets.find(index) for index, article in enumerate(articles)}


def _source_keys(article: Article) -> list[tuple[str, str]]:
    keys = [("outlet", outlet) for outlet in article.outlets]
    domains = [normalised_domain(article.source_domain) or registered_domain(article.url)]
    domains += [registered_domain(copy.url) for copy in article.copies]
    keys += [("site", domain) for domain in domains if domain]
    return keys


class _UnionFind:
    """Disjoint sets of ``0 .. size-1``; a set is named by its smallest member, so results never depend on order."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> tuple[int, int]:
        """Join the sets of ``i`` and ``j``; return (kept root, absorbed root)."""
        keep, gone = sorted((self.find(i), self.find(j)))
        self.parent[gone] = keep
        return keep, gone

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            found[self.find(i)].append(i)
        return sorted(found.values())


# ---------------------------------------------------------------------------------------- facts


def _fact(
    group: Sequence[int],
    claims: Sequence[Claim],
    conflicts: Sequence[Conflict],
    article_of: dict[str, Article],
    source_of: dict[str, int],
) -> Fact:
    members = [claims[i] for i in group]
    by_source: dict[int, list[str]] = {}
    for member in members:
        article = article_of[member.statement.article_id]
        seen = by_source.setdefault(source_of[article.id], [])
        seen.extend(o for o in article.outlets if o not in seen)
    conflicts = _distinct(conflicts)
    outlets = tuple(dict.fromkeys(o for group_outlets in by_source.values() for o in group_outlets))
    status: Literal["corroborated", "unique", "conflicting"]
    status = "conflicting" if conflicts else "corroborated" if len(by_source) >= 2 else "unique"
    keys = {source_key(m.statement.attribution) for m in members}
    via = members[0].statement.attribution if len(by_source) >= 2 and len(keys) == 1 and None not in keys else None
    ordered = tuple(m.statement for m in members)
    return Fact(
        id=_fact_id(ordered),
        status=status,
        statements=ordered,
        outlets=outlets,
        sources=tuple(tuple(o) for o in by_source.values()),
        via=via,
        conflicts=tuple(conflicts),
    )


def _pair_conflicts(
    claims: Sequence[Claim],
    similarity: _Similarity,
    article_of: dict[str, Article],
    fact_of: dict[int, int],
    config: CrossCheckConfig,
    parses: Parses | None = None,
    names: _StoryNames | None = None,
) -> dict[tuple[int, int], list[Conflict]]:
    """Return the conflicts between statements ``(i, j)``, ``i < j``, of articles with different outlets.

    Any two statements similar enough to be about one thing are compared, whether alignment put them in
    one fact or not (then on stricter terms); whether a disagreement is one is judged on the words
    around the two values.
    Wire copies sold under different outlets are compared too: a copy whose figure differs is an
    older or newer version, and a reader should see both.
    """
    by_article: dict[str, list[int]] = defaultdict(list)
    for index, claim_ in enumerate(claims):
        by_article[claim_.statement.article_id].append(index)

    def elsewhere(index: int) -> list[Claim]:
        """The other statements of the article of statement ``index``, those restating it left out."""
        return [
            claims[k]
            for k in by_article[claims[index].statement.article_id]
            if k != index and similarity.get(k, index) < config.conflict_similarity
        ]

    found: dict[tuple[int, int], list[Conflict]] = {}
    for i in sorted(similarity.rows):
        for j, score in sorted(similarity.rows[i].items()):
            if j <= i or score < config.conflict_candidate_similarity:
                continue
            a, b = claims[i], claims[j]
            first, second = article_of[a.statement.article_id], article_of[b.statement.article_id]
            if first.id == second.id or set(first.outlets) & set(second.outlets):
                continue
            conflicts = [
                _conflict(kind, a, b, spans, article_of)
                for kind, spans in disagreements(a, b)
                if not _reports_both(kind, a, spans[0], elsewhere(j))
                and not _reports_both(kind, b, spans[1], elsewhere(i))
                and _same_thing(kind, a, b, spans, score, config, one_fact=fact_of[i] == fact_of[j], parses=parses)
            ]
            if names is not None and parses is not None and score >= config.name_swap_similarity:
                swapped = None if any(c.kind == "name" for c in conflicts) else _swapped_name(i, j, names, parses)
                if swapped is not None:
                    conflicts.append(_conflict("name", a, b, swapped, article_of))
            if conflicts:
                found[(i, j)] = conflicts
    return found


def _reports_both(kind: ConflictKind, claim_: Claim, span: tuple[int, int], other_article: Sequence[Claim]) -> bool:
    """Whether the other article states this value too, anywhere: then it is not disputing it.

    "32 million watched last year" against "55.3 million watched in 1998" is two facts when each
    report gives both figures; an outlet that reports a value elsewhere knows of it, and writes
    the other for something else (an earlier toll, another day, another person).
    """
    if kind == "number":
        values = [q for q in claim_.quantities if (q.start, q.end) == span]
        return any(same_amount(x, q) for x in values for other in other_article for q in other.quantities)
    if kind == "date":
        dates = {(d.kind, d.value) for d in claim_.dates if d.start == span[0]}
        return any((d.kind, d.value) in dates for other in other_article for d in other.dates)
    if kind == "name":
        tokens = {t for n in claim_.names if n.start == span[0] for t in n.tokens}
        return any(n.tokens & tokens for other in other_article for n in other.names)
    return False


_DEATH = re.compile(r"\b(?:dies|died|dead|death|passed away)\b", re.IGNORECASE)
_MIN_NAME_CONTEXT = 4  # stems besides the names, in either statement
_MAX_SOLE_FIGURES = 2  # figures a statement may hold for one of them to stand for the statement's fact


def _same_thing(
    kind: ConflictKind,
    a: Claim,
    b: Claim,
    spans: Spans,
    score: float,
    config: CrossCheckConfig,
    *,
    one_fact: bool,
    parses: Parses | None = None,
) -> bool:
    """Whether two disagreeing values are said of one thing: the statements are close, or the words around agree.

    "killing at least 10 people" / "killing at least three people" share "killing"; "spent his first
    11 seasons as a player" / "has spent 19 seasons" share only "spent", enough only when the two
    statements are otherwise close. Words shared on both sides of the value ("the Angels have [not]
    made an offer") place it in one clause about one thing, however different the rest of the
    statements. A name is judged on the rest of the statement alone (a swapped name lowers the cosine
    by itself): names differ between good paraphrases ("Beijing" / "the Chinese capital").
    """
    if kind == "name":
        if _numbers(a, b) or _dates(a, b):
            return False  # "Ely scored 23 points" / "Green scored 14 points": two people, two facts
        names = {stem(t) for n in (*a.names, *b.names) for t in n.tokens}
        rest_a = {s for s in a.stems if s not in names and s.isalpha()}
        rest_b = {s for s in b.stems if s not in names and s.isalpha()}
        union = rest_a | rest_b
        # A few words in common say little: "X scored 14 points" / "Y scored 17 points".
        enough = len(union) >= _MIN_NAME_CONTEXT
        return enough and len(rest_a & rest_b) / len(union) >= config.name_rest_overlap
    before = _side(a, *spans[0], before=True) & _side(b, *spans[1], before=True)
    after = _side(a, *spans[0], before=False) & _side(b, *spans[1], before=False)
    close = score >= config.conflict_similarity
    if kind == "date" and _dated_act(a, b, spans, parses):
        return True
    # A named person's age, in close statements, or in any two that both tell of the death, at which the age
    # stops changing. Sharing a fact is not enough: "found Orozco, 29, guilty" / "searching for Orozco, 27" give
    # his age at the verdict and at the manhunt two years before (the neural alignment puts them in one fact).
    at_death = bool(_DEATH.search(a.statement.text) and _DEATH.search(b.statement.text))
    if kind == "number" and (close or at_death) and _one_person_aged(a, b, spans, parses):
        return True
    if not one_fact:
        # Statements alignment kept apart: only one clause about one thing, in close statements.
        return bool(before and after) and close
    if before and after and score >= config.clause_conflict_similarity:
        return True
    if kind == "negation":
        # "no one was hurt" / "nobody was injured": negations differ between paraphrases, so the
        # statements must be closer, or the parse must say the verb is said of one subject.
        if score >= config.name_conflict_similarity:
            return True
        return score >= config.clause_conflict_similarity and parses is not None and _negated_alike(a, b, spans, parses)
    shared = len(before | after)
    counted = shared + (kind == "number" and _same_unit(a, b, spans))
    if kind == "number" and counted >= 3 and score >= config.clause_conflict_similarity and _sole(a, b, spans):
        # "Six possible gang members were arrested" / "Two possible gang members are under arrest": the thing
        # counted and the words around it agree, whatever the rest of the two statements says. Not in lists of
        # figures ("caught eight passes for 66 yards and two touchdowns"): another player's, another game's.
        return True
    if close and kind == "number" and _sole(a, b, spans):
        # One figure of its kind on each side of one fact: "capturing 23 of the raiders" / "took 27 into
        # custody" give the same count in other words. Not in lists of figures ("53 catches for 605 yards and
        # five touchdowns"), whose figures count different spans of time.
        return True
    if close and kind == "date" and _sole_date(a, b, spans):
        # The same for a year, a month or a day of the month; not for weekdays, which a story's events
        # spread over ("charged Saturday" / "opened fire Friday").
        return True
    if close and (shared >= 2 or (shared == 1 and score >= config.name_conflict_similarity)):
        return True
    return (
        kind == "date"
        and score >= config.clause_conflict_similarity
        and parses is not None
        and _dated_alike(a, b, spans, parses)
    )


def _dated_alike(a: Claim, b: Claim, spans: Spans, parses: Parses) -> bool:
    """Whether the two dates, by the parse, date one verb of one subject: "Kim arrived in Beijing on Monday" /
    "Kim Jong Un arrived in the Chinese capital on Tuesday".

    "charged Saturday" / "opened fire Friday" date two events of one story and stay apart. A date in
    brackets is an editor's gloss on another word ("As it promised [Tuesday], Microsoft today issued"),
    which the parse may hang on the wrong verb.
    """
    texts = (a.statement.text[: spans[0][0]], b.statement.text[: spans[1][0]])
    if any(text.rstrip().endswith(("(", "[")) for text in texts):
        return False
    found = _predicates(a, b, (spans[0][0], spans[1][0]), dated_predicate, parses)
    return found is not None and found[0].verb == found[1].verb and bool(found[0].subject & found[1].subject)


def _dated_act(a: Claim, b: Claim, spans: Spans, parses: Parses | None) -> bool:
    """Whether the two dates, by the parse, date one act: one verb, one subject and one object (or none on either side).

    "Nadia Verhoeven, whose rescue of a trawler crew ..., died on Sunday in Marento at the age of 84" / "Verhoeven
    died peacefully in her sleep Tuesday" share few words, yet one subject did one thing: that act has one date,
    whether alignment put the two statements in one fact or not.
    """
    if parses is None:
        return False
    texts = (a.statement.text[: spans[0][0]], b.statement.text[: spans[1][0]])
    if any(_bracketed(text) for text in texts):
        return False  # "(02:41 GMT Friday)": another clock's day, or an editor's gloss
    found = _predicates(a, b, (spans[0][0], spans[1][0]), dated_predicate, parses)
    if found is None:
        return False
    x, y = found
    same_object = bool(x.objects & y.objects) or not (x.objects or y.objects)
    return x.verb == y.verb and bool(x.subject_head & y.subject_head) and same_object


def _bracketed(before: str) -> bool:
    """Whether text ending with ``before`` is inside brackets: one opened and not closed."""
    return before.count("(") > before.count(")") or before.count("[") > before.count("]")


def _one_person_aged(a: Claim, b: Claim, spans: Spans, parses: Parses | None) -> bool:
    """Whether two ages are, by the parse, said of one named person: "Alice Hart, 54," / "Alice Hart, 58,".

    Only named people: "a 61-year-old man" and "a 44-year-old man" may be the gunman and his victim. Not
    when either statement names a year: "in 2005, at the age of 91" is the age then, not now.
    """
    if parses is None or any(d.kind == "year" for d in (*a.dates, *b.dates)):
        return False
    holders = []
    for claim_, (start, end) in ((a, spans[0]), (b, spans[1])):
        quantity = next(q for q in claim_.quantities if (q.start, q.end) == (start, end))
        doc = parses(claim_.statement.text) if quantity.unit == "age" else None
        if doc is None:
            return False
        holders.append(age_holder(doc, start))
    return bool(holders[0] & holders[1])


def _negated_alike(a: Claim, b: Claim, spans: Spans, parses: Parses) -> bool:
    """Whether a verb negated on one side and plain on the other is, by the parse, one predicate of one subject.

    "Bettie Page, the 1950s pin-up girl whose ..., has not died" / "Bettie Page, the pin-up model
    whose ..., has died": the words around the verb differ, its subject does not. Not for opposite
    words ("said" / "denied"), only a negated verb; not when either verb is under a modal ("would
    not have placed Bush on injured reserve if ...") or only one takes a verb as complement ("have
    failed to confirm" / "will not fail in their effort") or reports what someone claims ("She claimed
    the shootings didn't happen").
    """
    if not any(n.start == spans[0][0] for n in a.negations) and not any(n.start == spans[1][0] for n in b.negations):
        return False
    found = _predicates(a, b, (spans[0][1] - 1, spans[1][1] - 1), predicate, parses)
    if found is None:
        return False
    x, y = found
    return x.complement == y.complement and bool(x.subject & y.subject)


def _predicates(
    a: Claim, b: Claim, offsets: tuple[int, int], find: Callable[[Doc, int], Predicate | None], parses: Parses
) -> tuple[Predicate, Predicate] | None:
    """The predicate ``find`` reads at each statement's offset; None if a side has none, or one that is hedged or
    only claimed: what it says is not reported as a fact."""
    found = []
    for claim_, offset in ((a, offsets[0]), (b, offsets[1])):
        doc = parses(claim_.statement.text)
        verb = find(doc, offset) if doc is not None else None
        if verb is None or verb.hedged or verb.contested:
            return None
        found.append(verb)
    return found[0], found[1]


def _disputed(a: Claim, b: Claim, spans: Spans) -> tuple[Quantity, Quantity]:
    """The two figures at ``spans``, one per statement."""
    x = next(q for q in a.quantities if (q.start, q.end) == spans[0])
    y = next(q for q in b.quantities if (q.start, q.end) == spans[1])
    return x, y


def _same_unit(a: Claim, b: Claim, spans: Spans) -> bool:
    """Whether the two disputed figures count the same noun ("six counts" / "two counts"): one word in common."""
    x, y = _disputed(a, b, spans)
    return x.unit == y.unit and x.unit not in OWN_KIND and ":" not in x.unit


def _sole(a: Claim, b: Claim, spans: Spans) -> bool:
    """Whether each side holds few figures and no other the disputed one could be compared with."""
    if len(a.quantities) > _MAX_SOLE_FIGURES or len(b.quantities) > _MAX_SOLE_FIGURES:
        return False
    x, y = _disputed(a, b, spans)
    return sum(same_amount(y, q) is not None for q in a.quantities) == 1 and (
        sum(same_amount(x, q) is not None for q in b.quantities) == 1
    )


def _sole_date(a: Claim, b: Claim, spans: Spans) -> bool:
    """Whether the disputed dates are a year, month or day, the only one of their kind on each side."""
    kind = next(d.kind for d in a.dates if d.start == spans[0][0])
    return kind != "weekday" and sum(d.kind == kind for d in a.dates) == 1 and sum(d.kind == kind for d in b.dates) == 1


def _side(claim_: Claim, start: int, end: int, *, before: bool, reach: int = 4) -> set[str]:
    """Content stems of the ``reach`` words before (or after) ``[start, end)`` of the statement."""
    if before:
        near = [w for w, _, e in claim_.words if e <= start][-reach:]
    else:
        near = [w for w, s, _ in claim_.words if s >= end][:reach]
    calendar, function = _calendar(), function_stems()
    return {w for w in near if w.isalpha() and len(w) > 2 and w not in function and w not in calendar}


def _fact_id(members: Sequence[Statement]) -> str:
    key = "|".join(f"{s.article_id}:{s.start}" for s in members)
    return "f" + hashlib.sha1(key.encode()).hexdigest()[:10]


def _fact_order(fact: Fact) -> tuple[int, int, str]:
    rank = {"conflicting": 0, "corroborated": 1, "unique": 2}[fact.status]
    return (rank, -len(fact.sources), fact.id)


def _distinct(conflicts: Sequence[Conflict]) -> list[Conflict]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for conflict in conflicts:
        key = (conflict.kind, conflict.a_value.lower(), conflict.b_value.lower())
        if key not in seen and (key[0], key[2], key[1]) not in seen:
            seen.add(key)
            kept.append(conflict)
    return kept


def _conflict(
    kind: ConflictKind, a: Claim, b: Claim, spans: tuple[tuple[int, int], tuple[int, int]], articles: dict[str, Article]
) -> Conflict:
    (a_start, a_end), (b_start, b_end) = spans
    sa, sb = a.statement, b.statement
    return Conflict(
        kind=kind,
        a=sa,
        b=sb,
        a_value=sa.text[a_start:a_end],
        b_value=sb.text[b_start:b_end],
        a_span=Span(sa.article_id, sa.start + a_start, sa.start + a_end),
        b_span=Span(sb.article_id, sb.start + b_start, sb.start + b_end),
        a_outlets=articles[sa.article_id].outlets,
        b_outlets=articles[sb.article_id].outlets,
    )


# ------------------------------------------------------------------------------------ conflicts

Spans = tuple[tuple[int, int], tuple[int, int]]


def disagreements(a: Claim, b: Claim) -> list[tuple[ConflictKind, Spans]]:
    """Where two aligned claims disagree: at most one finding per kind, spans relative to each statement."""
    found: list[tuple[ConflictKind, Spans]] = []
    checks: list[tuple[ConflictKind, Any]] = [("name", _names), ("negation", _negation)]
    # A different name in the same role and a different figure: two people, each with a figure ("Ely
    # scored 23 points" / "Green scored 14 points"); neither is disputed (see _same_thing for the name).
    if _same_subjects(a, b) and _names(a, b) is None:
        checks = [("number", _numbers), ("date", _dates), *checks]
    for kind, check in checks:
        spans = check(a, b)
        if spans is not None:
            found.append((kind, spans))
    return found


def _same_subjects(a: Claim, b: Claim) -> bool:
    """Whether the two statements may be about the same people and places: when both name some, they share one.

    "Manning completed 29 of 34 passes" and "Garrard completed 28 of 41 passes" are two facts.
    """
    if not a.names or not b.names:
        return True
    a_tokens = frozenset().union(*(n.tokens for n in a.names))
    b_tokens = frozenset().union(*(n.tokens for n in b.names))
    return bool(a_tokens & b_tokens)


def _numbers(a: Claim, b: Claim) -> Spans | None:
    """A quantity on each side, of the same unit, that no quantity on the other side agrees with.

    Figures both sides state alike are set aside first: "Kirkpatrick, 61, ... killing Banky, 44" and
    "Kirkpatrick, 61, ... killing Banky, 40" dispute one age once the 61s are paired. Of what remains,
    only one figure of a kind on each side is compared: in a list ("$140 million to $150 million")
    which one is which is unknown. A total ("seized a total of 31 magazines") is not compared with a
    figure that is not one ("12 magazines were seized from the boats"): the total counts more than the
    one event.
    """
    if is_total(a.statement.text) != is_total(b.statement.text):
        return None
    rest_a = [x for x in a.quantities if not any(same_amount(x, y) for y in b.quantities)]
    rest_b = [y for y in b.quantities if not any(same_amount(x, y) for x in a.quantities)]
    for x in rest_a:
        if sum(1 for z in rest_a if same_amount(x, z) is not None) > 1:
            continue
        comparable = [y for y in rest_b if same_amount(x, y) is not None]
        if len(comparable) != 1:
            continue
        (y,) = comparable
        if x.value in b.numbers or y.value in a.numbers:
            continue  # the other side has the number without its unit ("eight have come")
        return (x.start, x.end), (y.start, y.end)
    return None


def _dates(a: Claim, b: Claim) -> Spans | None:
    """Both sides name a date of one kind (weekday, month, year, day of month) and none in common."""
    for kind in ("day", "weekday", "month", "year"):
        xs = [d for d in a.dates if d.kind == kind]
        ys = [d for d in b.dates if d.kind == kind]
        if xs and ys and not {d.value for d in xs} & {d.value for d in ys}:
            a_text, b_text = a.statement.text.lower(), b.statement.text.lower()
            if any(d.value in b_text for d in xs) or any(d.value in a_text for d in ys):
                continue  # the other side names it too ("1999-2003", "Saturday's game")
            return (xs[0].start, xs[0].end), (ys[0].start, ys[0].end)
    return None


def _names(a: Claim, b: Claim) -> Spans | None:
    """A name on each side that the other side lacks, in the same role (the same word before or after it)."""
    for x, y in _unshared_names(a, b):
        # Both neighbours: "in Millom" / "in Cumbria" is a detail, "Smith was charged" / "Jones was
        # charged" may be, "charged Smith with" / "charged Jones with" is a different person. (One
        # neighbour in common was tried on ECB+: 0.007 more recall, two more false conflicts between
        # adjectives, "British" / "English".)
        if x.before == y.before and x.after == y.after and (x.before or x.after):
            return (x.start, x.end), (y.start, y.end)
    return None


def _unshared_names(a: Claim, b: Claim) -> Iterator[tuple[Name, Name]]:
    """Pairs of a name of ``a`` and a name of ``b`` that the other statement lacks, neither a source nor the
    other's spelling or initials: the names two statements could disagree on."""
    if _title_case(a) or _title_case(b):
        return  # a headline in title case: every word looks like a name
    a_tokens = frozenset().union(*(n.tokens for n in a.names)) if a.names else frozenset()
    b_tokens = frozenset().union(*(n.tokens for n in b.names)) if b.names else frozenset()
    a_words = {w for w, _, _ in a.words}
    b_words = {w for w, _, _ in b.words}
    for x in a.names:
        if x.tokens & b_tokens or _is_source(x) or any(t in b_words for t in x.tokens):
            continue
        for y in b.names:
            if y.tokens & a_tokens or _is_source(y) or any(t in a_words for t in y.tokens):
                continue
            x_text, y_text = a.statement.text[x.start : x.end], b.statement.text[y.start : y.end]
            if not (_abbreviates(x_text, y_text) or _spelled_alike(x_text, y_text)):
                yield x, y


@dataclass(frozen=True, slots=True)
class _StoryNames:
    """What the story as a whole says of names: which source writes which words, and which statements share a fact."""

    claims: Sequence[Claim]
    source: tuple[int, ...]  # each statement's source
    fact: tuple[tuple[int, ...], ...]  # each statement's fact: the statements aligned with it, itself included
    words: dict[int, frozenset[str]]  # each source's words, lower case, from all its articles' text

    @classmethod
    def of(
        cls,
        claims: Sequence[Claim],
        groups: Sequence[Sequence[int]],
        articles: Sequence[Article],
        source_of: dict[str, int],
    ) -> _StoryNames:
        fact: list[tuple[int, ...]] = [()] * len(claims)
        for group in groups:
            for i in group:
                fact[i] = tuple(group)
        words: dict[int, set[str]] = defaultdict(set)
        for article in articles:
            words[source_of[article.id]].update(_WORD.findall(article.text.lower()))
        source = tuple(source_of[c.statement.article_id] for c in claims)
        return cls(claims, source, tuple(fact), {k: frozenset(v) for k, v in words.items()})

    def written_elsewhere(self, name: Name, statement: int) -> bool:
        """Whether a source other than the statement's writes a word of ``name`` anywhere, in any case."""
        own = self.source[statement]
        return any(name.tokens & words for source, words in self.words.items() if source != own)

    def named_in_fact(self, name: Name, statement: int) -> bool:
        """Whether a statement of another source, aligned with ``statement``, names ``name``."""
        own = self.source[statement]
        return any(
            self.source[k] != own and any(n.tokens & name.tokens for n in self.claims[k].names)
            for k in self.fact[statement]
        )


_WORD = re.compile(r"\w+")


def _swapped_name(i: int, j: int, story: _StoryNames, parses: Parses) -> Spans | None:
    """A name that only one source writes, where an aligned report of another source names another of the same kind
    in the same role: "shot Alfredo Perez outside a Hawaiian Gardens building" / "shot Jerry Ortiz outside ...".

    Spans are for statements ``i`` and ``j`` in that order. A misidentified person or place shows in the story
    as a whole, not in the two statements alone: the name the one outlet writes appears nowhere in any other
    outlet's report, while the other name is the one the outlets aligned with it give. Legitimate variation
    does not look like that: a detail ("Beijing" / "China", "Millom" / "Cumbria") is a name other outlets
    write too or one of another kind or role; a list ("India, Egypt and Dubai" / "... and Malaysia") holds
    names whose places in it nobody can pair (left out); a different witness is a source (_is_source). The parse
    gives kind and role: spaCy's entity label (a place is not swapped for a person) and the word the name
    hangs on ("in Boston" / "in Turkmenistan" of one verb). The words around the names need not agree: the
    two reports may word the fact differently (_same_thing asks that of the statement alone).
    """
    a, b = story.claims[i], story.claims[j]
    if story.source[i] == story.source[j] or _numbers(a, b) or _dates(a, b):
        return None  # one source's copies; or two people, each with a figure ("Ely scored 23" / "Green scored 14")
    for p, q in ((i, j), (j, i)):
        x_claim, y_claim = story.claims[p], story.claims[q]
        for x, y in _unshared_names(x_claim, y_claim):
            if story.written_elsewhere(x, p) or not story.named_in_fact(y, p):
                continue
            x_doc, y_doc = parses(x_claim.statement.text), parses(y_claim.statement.text)
            if x_doc is None or y_doc is None:
                return None
            x_role, y_role = name_role(x_doc, x.start, x.end), name_role(y_doc, y.start, y.end)
            if x_role is None or y_role is None or x_role.listed or y_role.listed:
                continue
            if not x_role.kinds & y_role.kinds or x_role.role != y_role.role:
                continue
            spans = (x.start, x.end), (y.start, y.end)
            return spans if p == i else (spans[1], spans[0])
    return None


_HEDGES = frozenset("to would could should may might plan plans planned expect expects expected".split())


def _hedged(claim_: Claim, index: int) -> bool:
    """Whether word ``index`` is an intention, not a fact: "trying to determine", "would reveal"."""
    return any(stem_ in _HEDGES for stem_, _, _ in claim_.words[max(0, index - 3) : index])


def _title_case(claim_: Claim) -> bool:
    """Whether the statement is a headline in title case (``statements.title_case``)."""
    text = claim_.statement.text
    return title_case([(text[s:e], s, e) for _, s, e in claim_.words])


def _spelled_alike(x: str, y: str) -> bool:
    """ "Technicolor" / "Technicolour", "Kim Jong-un" / "Kim Jong Un", "Gulf of Eden" / "Gulf of Aden": one name,
    two spellings (one letter typed for another is a typo, not another place)."""
    x, y = (re.sub(r"['’]s$", "", name.lower()).replace("-", " ") for name in (x, y))
    typo = len(x) == len(y) > 3 and sum(p != q for p, q in zip(x, y, strict=True)) == 1
    return typo or difflib.SequenceMatcher(None, x, y).ratio() >= 0.8


def _abbreviates(x: str, y: str) -> bool:
    """ "IE" / "Internet Explorer", "IR" / "Injured Reserve": one name is the other's initials."""
    for short, long in ((x, y), (y, x)):
        letters = short.replace(".", "")
        if letters.isupper() and 1 < len(letters) == len(long.split()):
            return letters == "".join(word[0] for word in long.split()).upper()
    return False


def _is_source(name: Any) -> bool:
    return bool(name.before in _REPORTING or name.after in _REPORTING)


def _negation(a: Claim, b: Claim) -> Spans | None:
    """A word negated on one side and stated plainly on the other, or opposite words about one thing."""
    if _title_case(a) or _title_case(b):
        return None  # "Gary Ross Will Not Direct" vs "in negotiations to direct": a headline's wording
    for x, y in ((a, b), (b, a)):
        if y.negations:
            continue  # both sides negate something: "No gun was found" / "The gun was not found"
        for negation in x.negations:
            if "until" in x.statement.text[negation.end : negation.end + 60].split():
                continue  # "didn't take the lead until ..." says it did, later
            match = next(
                ((s, e) for k, (w, s, e) in enumerate(y.words) if w == negation.head and not _hedged(y, k)), None
            )
            head = next(((s, e) for w, s, e in x.words if w == negation.head and s > negation.start), None)
            if match and head:
                spans = ((negation.start, head[1]), match)
                return spans if x is a else (spans[1], spans[0])
    pairs, _, verbs = polar_pairs()
    for word_a, next_a, start_a, end_a in a.polar:
        for word_b, next_b, start_b, end_b in b.polar:
            if (word_a, word_b) not in pairs and (word_b, word_a) not in pairs:
                continue
            a_has_both = any(w == word_b for w, _, _, _ in a.polar)
            b_has_both = any(w == word_a for w, _, _, _ in b.polar)
            same_thing = (word_a in verbs and word_b in verbs) or (next_a and next_a == next_b)
            if same_thing and not a_has_both and not b_has_both:
                return (start_a, end_a), (start_b, end_b)
    return None
