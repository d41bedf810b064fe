"""Group articles into stories: one real-world event each, in batch and as a stream.

Both modes read the same :class:`Profile` of an article: content-word stems, capitalised
names and numbers, each weighted by TF-IDF and compared by cosine. Names and numbers are
kept apart from ordinary words because they are what tells two events of the same kind
apart: two heavyweight fights share "knockout", "round" and "title", but not the opponent,
the venue or the year.

Batch mode clusters twice. The first pass (average link over global TF-IDF) gathers
articles about the same *kind* of happening; the second pass re-weights each such group by
its *local* document frequencies, so the words every member shares ("rehab", "Klitschko")
weigh nothing and what differs between members ("Rahman" or "Thompson") decides, then
splits the group where those differences run deep. Small fragments left by the split
rejoin the part of the group they resemble most.

Streaming mode does the same two passes online. Each incoming article joins the best matching
active *group* (the first pass's unit: articles about one kind of happening) or starts a new
one; candidate groups come from an inverted index over the groups' distinctive features, so
the cost of one article does not grow with the number of groups seen. The group is then split
into stories by the batch mode's second pass, over the group's own members, as the group grows
(at sizes that grow geometrically; in between, a newcomer joins the story of the group whose
members it resembles most on average). Without that second look, the first article of a second event of
the same kind joins the first event's story, and so does every article of that event after it.
A group that received nothing for ``dormant_after`` of article time leaves memory.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, islice
from operator import itemgetter, mul
from sys import intern
from typing import Any

from newsweave.dates import comparable
from newsweave.records import Article

_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*|\d+(?:[.,]\d+)*")

# Words too common in news to tell events apart; short words are dropped anyway.
_STOPWORDS = frozenset(
    """
    about above after again against all also although among and another any are around because been before being
    below between both but can could did does doing down during each either else ever every few for from further had
    has have having her here hers herself him himself his how however into its itself just least less many more most
    much must near neither nor not now off once only other others our ours ourselves out over own per rather same
    says said say saying she should since some such than that the their theirs them themselves then there these they
    this those though through thus too toward towards under until upon very was were what when where whether which
    while who whom whose why will with within without would yet you your yours yourself yourselves one two three
    new told according reported report reports news year years day days week weeks today yesterday tomorrow monday
    tuesday wednesday thursday friday saturday sunday people time times
    """.split()
)

Kind = int
WORDS: Kind = 0
NAMES: Kind = 1
NUMBERS: Kind = 2

# Below this many cells (articles x features), similarities are computed on a dense matrix.
_DENSE_CELLS = 1_000_000
# Feature ids a stream remembers before it starts afresh (memory bound): about the active window's
# vocabulary on the 100,000-record stream; hashing them again after a clear takes about 15 ms.
_FEATURE_IDS = 30_000

_FEATURE = itemgetter(0)  # of a (feature, count) pair: a C-level key for sorting


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """How articles become stories. Values chosen on ECB+ topics 1–35 (bench/cluster.py)."""

    # Relative weight of each feature kind in the combined similarity.
    word_weight: float = 1.0
    name_weight: float = 2.0
    number_weight: float = 0.5
    # IDF is computed as if this many more documents, sharing no feature, had been seen: with a
    # handful of articles, raw IDF calls every shared word common and every other word rare.
    prior_documents: int = 20
    # Words are cut to this many letters: a cheap stem that joins "protest"/"protesters".
    stem_letters: int = 6
    # Batch, first pass: average similarity (global TF-IDF) that keeps articles in one group.
    group_similarity: float = 0.07
    # Batch, second pass: average similarity (the group's own TF-IDF) that keeps them in one story.
    split_similarity: float = 0.04
    # The second pass reads the title and lead (the first this many characters of the text) as much as the
    # whole text: news states its event up front, and background further down ("Jackson was arrested in
    # October, too") makes two events of one kind read alike.
    lead_chars: int = 300
    lead_weight: float = 1.0
    # Parts of a split smaller than this rejoin the part they resemble most.
    min_part: int = 3
    # Batch, last check: a part whose two halves are less than this fraction as similar to each
    # other as within themselves is two stories. Relative, so it holds for small piles (the
    # bundled examples: two storms) as well as for large ones.
    split_contrast: float = 0.3
    # Streaming: similarity to a story's profile needed to join it.
    join_similarity: float = 0.25
    # Streaming: the batch mode's second look. Articles join groups (the first pass's unit, at
    # ``group_join_similarity``) and each group is split into stories by the second pass as it grows. On ECB+
    # (bench/cluster.py) streaming B-cubed 0.944 against 0.868 without it; on the 100,000-record replay
    # 501 articles/s against 677 (bench/README.md). False: each group is one story, as the first pass found it.
    second_look: bool = True
    group_join_similarity: float = 0.15
    # Streaming: a group is split into stories anew when it reaches twice ``min_part`` (the smallest group
    # the second pass can halve), then each time it has grown by this factor.
    resplit_growth: float = 1.25
    # Streaming: a group that reaches this many articles sends its least recently active stories to
    # dormancy (down to three quarters of it), so the second pass's quadratic cost stays bounded.
    split_members: int = 64
    # Streaming: candidates scored exactly per article, found through the inverted index.
    max_candidates: int = 10
    # Streaming: features of an article (per kind) used to look candidates up...
    lookup_features: int = 15
    # ...in an index of each active story's strongest features (per kind).
    index_features: int = 40
    # Streaming: features kept in a story's profile per kind (memory bound).
    profile_features: int = 150
    # Streaming: document frequencies kept per feature kind; past this, the rarest are forgotten
    # (a forgotten feature counts as seen once), so memory stops growing on an endless stream.
    max_vocabulary: int = 100_000
    # Streaming: every this many articles, the features seen in one article only that no active story
    # holds are forgotten (``StreamClusterer._forget_singletons``), so the tables follow the active window.
    # 0: never.
    singleton_sweep: int = 10_000
    # Streaming: a story is dormant after this much article time without a new article.
    dormant_after: timedelta = timedelta(days=7)


# Per feature kind: the features, sorted, and how often each occurs. Two tuples rather than one of pairs: an
# active window holds tens of thousands of profiles, and a pair costs 64 bytes where two slots cost 16.
Features = tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """What clustering reads of one article: feature counts by kind, and its time."""

    article_id: str
    features: Features  # per kind: (features, counts)
    time: datetime | None
    lead: Features = (((), ()), ((), ()), ((), ()))  # the same, of the title and lead only


def profile(article: Article, config: ClusterConfig = ClusterConfig()) -> Profile:
    """Return the clustering features of ``article``: of its title and text, and of its title and lead."""
    text = f"{article.title}\n{article.text}" if article.title else article.text
    lead = article.text[: config.lead_chars]
    if len(article.text) > config.lead_chars:
        lead = lead.rsplit(None, 1)[0]  # whole words only
    time = comparable(article.date_publish) if article.date_publish is not None else None
    return Profile(
        article.id,
        _features(text, config),
        time,
        _features(f"{article.title}\n{lead}" if article.title else lead, config),
    )


def _features(text: str, config: ClusterConfig) -> Features:
    counts: tuple[Counter[str], ...] = (Counter(), Counter(), Counter())
    # Each distinct token is looked at once: news repeats its words.
    for token, tf in Counter(_TOKEN.findall(text)).items():
        if token[0].isdigit():
            counts[NUMBERS][token.replace(",", "")] += tf
            continue
        word = token.lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'-")
        if len(word) < 3 or word in _STOPWORDS:
            continue
        counts[WORDS][word[: config.stem_letters]] += tf
        if token[0].isupper():
            counts[NAMES][word] += tf
    # Interned: an active window holds tens of thousands of profiles (bench/cluster.py), mostly of the same words;
    # one copy of each string instead of one per profile makes a profile a third smaller.
    return tuple(_columnar(sorted([(intern(f), n) for f, n in c.items()])) for c in counts)


def _columnar(pairs: list[tuple[str, int]]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    return tuple(map(_FEATURE, pairs)), tuple(n for _, n in pairs)


def _weights(config: ClusterConfig) -> tuple[float, float, float]:
    return (config.word_weight, config.name_weight, config.number_weight)


# --------------------------------------------------------------------------------------- batch


def cluster_batch(articles: Sequence[Article], config: ClusterConfig = ClusterConfig()) -> list[str]:
    """Return the story id of each article (same order), clustering all of them at once.

    A story's id is the id of its first article in input order, so ids are stable when the
    same input is clustered again.
    """
    profiles = [profile(article, config) for article in articles]
    with _blas_controller().limit(limits=1, user_api="blas"):
        labels = batch_labels(profiles, config)
    return _ids_by_first_member([p.article_id for p in profiles], labels)


def batch_labels(profiles: Sequence[Profile], config: ClusterConfig = ClusterConfig()) -> list[int]:
    """Return a cluster number per profile (numbers in order of first appearance)."""
    count = len(profiles)
    if count < 2:
        return [0] * count
    known: dict[str, int] = {}
    columns = [_columns(p, known) for p in profiles]
    similarity = _similarity(columns, range(count), config, config.prior_documents)
    labels = [-1] * count
    next_label = 0
    for group in _average_link(similarity, config.group_similarity):
        parts = [group] if len(group) < config.min_part else _split(columns, group, config)
        for part in parts:
            for index in part:
                labels[index] = next_label
            next_label += 1
    return _renumber(labels)


def _split(columns: Sequence[_Columns], group: list[int], config: ClusterConfig) -> list[list[int]]:
    """Split one group by its own document frequencies, then halve parts whose halves barely meet."""
    parts: list[list[int]] = []
    for part in _split_by_threshold(columns, group, config):
        parts.extend(_bisect(columns, part, config))
    return [sorted(part) for part in parts]


def _bisect(columns: Sequence[_Columns], group: list[int], config: ClusterConfig) -> list[list[int]]:
    """Halve ``group`` at the top of its dendrogram while the halves are far apart relative to their cohesion."""
    import numpy as np

    if len(group) < 2 * config.min_part:
        return [group]
    local = np.asarray(_local_similarity(columns, group, config))
    halves = _average_link(local.tolist(), None)
    if len(halves) != 2 or any(len(half) < config.min_part for half in halves):
        return [group]

    def cohesion(members: list[int]) -> float:
        block = local[np.ix_(members, members)]
        return float((block.sum() - len(members)) / (len(members) * (len(members) - 1)))

    between = float(local[np.ix_(halves[0], halves[1])].mean())
    if between >= config.split_contrast * min(cohesion(halves[0]), cohesion(halves[1])):
        return [group]
    return [part for half in halves for part in _bisect(columns, [group[i] for i in half], config)]


def _split_by_threshold(columns: Sequence[_Columns], group: list[int], config: ClusterConfig) -> list[list[int]]:
    """Average link over the group's own TF-IDF; small fragments rejoin the closest part."""
    local = _local_similarity(columns, group, config)
    parts = _average_link(local, config.split_similarity)
    large = [part for part in parts if len(part) >= config.min_part]
    if not large or len(large) == len(parts):
        return [[group[i] for i in part] for part in parts]
    merged: list[list[int]] = [list(part) for part in large]
    for part in parts:
        if len(part) >= config.min_part:
            continue
        for member in part:
            scores = [sum(local[member][other] for other in target) / len(target) for target in large]
            merged[scores.index(max(scores))].append(member)
    return [sorted(group[i] for i in part) for part in merged]


def _local_similarity(columns: Sequence[_Columns], members: list[int], config: ClusterConfig) -> list[list[float]]:
    """The second pass's similarity: of whole texts and of leads, document frequencies counted among the members."""
    chosen = [columns[index] for index in members]
    share = 1.0 / (1.0 + config.lead_weight)
    blocks = [(weight * share, [c[kind] for c in chosen]) for kind, weight in enumerate(_kind_shares(config))]
    if config.lead_weight:
        blocks += [
            (weight * config.lead_weight * share, [c[3 + kind] for c in chosen])
            for kind, weight in enumerate(_kind_shares(config))
        ]
    return _cosines(blocks, len(chosen), 0)


def _similarity(
    columns: Sequence[_Columns], members: Iterable[int], config: ClusterConfig, prior: int
) -> list[list[float]]:
    """Weighted cosine similarity of the members' whole texts, document frequencies counted among them."""
    chosen = [columns[index] for index in members]
    blocks = [(weight, [c[kind] for c in chosen]) for kind, weight in enumerate(_kind_shares(config))]
    return _cosines(blocks, len(chosen), prior)


def _kind_shares(config: ClusterConfig) -> tuple[float, ...]:
    weights = _weights(config)
    return tuple(weight / sum(weights) for weight in weights)


# One block of one article: its features' stable ids and their 1 + log(count), in the same order.
_Block = tuple[Any, Any]
# An article's blocks: its whole text's three kinds, then its lead's three kinds.
_Columns = tuple[_Block, ...]


def _columns(prof: Profile, known: dict[str, int]) -> _Columns:
    """The profile's features as arrays the second pass can count and weigh without Python loops.

    ``known`` keeps the ids already computed: news repeats its words, and a dictionary look-up is
    twenty times cheaper than a hash.
    """
    import numpy as np

    blocks = []
    for names, tfs in (*prof.features, *prof.lead):
        found = list(map(known.get, names))  # in C; only the features new to ``known`` are hashed
        if None in found:
            for index, value in enumerate(found):
                if value is None:
                    feature = names[index]
                    found[index] = known[feature] = _feature_id(feature)
        ids = np.array(found, dtype=np.int64)
        counts = np.array(tfs, dtype=float)
        blocks.append((ids, 1.0 + np.log(counts)))
    return tuple(blocks)


def _feature_id(feature: str) -> int:
    """A 64-bit id of a feature, the same in every process: the columns of a similarity matrix are
    ordered by it, so the floats (and the stories) do not depend on the hash seed or the input's history."""
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little", signed=True)


def _cosines(blocks: Sequence[tuple[float, Sequence[_Block]]], n: int, prior: int) -> list[list[float]]:
    """The weighted sum over ``blocks`` of the members' TF-IDF cosines (one block per member).

    All blocks go into one matrix, each row's part of a block scaled to norm sqrt(weight), so a single
    product sums the weighted cosines.
    """
    import numpy as np
    from scipy import sparse

    diagonal = np.zeros(n)
    rows_kept: list[Any] = []
    columns_kept: list[Any] = []
    values_kept: list[Any] = []
    offset = 0
    for weight, members in blocks:
        lengths = [len(ids) for ids, _ in members]
        if weight == 0 or not any(lengths):
            continue
        features, inverse, df = np.unique(
            np.concatenate([ids for ids, _ in members]), return_inverse=True, return_counts=True
        )
        frequency = df[inverse]
        rows = np.repeat(np.arange(n), lengths)
        values = np.concatenate([tf for _, tf in members]) * np.log((n + 1 + prior) / frequency)
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        values = values * (math.sqrt(weight) / np.maximum(norms, 1e-12))[rows]
        diagonal += weight * (norms > 0)
        # Only features two members share give a similarity off the diagonal.
        shared = frequency >= 2
        rows_kept.append(rows[shared])
        columns_kept.append(inverse[shared] + offset)
        values_kept.append(values[shared])
        offset += len(features)
    if not rows_kept:
        return np.diag(diagonal).tolist()
    rows = np.concatenate(rows_kept)
    kept, compact = np.unique(np.concatenate(columns_kept), return_inverse=True)
    values = np.concatenate(values_kept)
    if n * len(kept) <= _DENSE_CELLS:  # scipy.sparse's per-call overhead would dominate for a group's few articles
        matrix: Any = np.zeros((n, len(kept)))
        matrix[rows, compact] = values
        product = matrix @ matrix.T
    else:
        matrix = sparse.csr_matrix((values, (rows, compact)), shape=(n, len(kept)))
        product = (matrix @ matrix.T).toarray()
    np.fill_diagonal(product, diagonal)
    result: list[list[float]] = product.tolist()
    return result


def _top(counts: Counter[str], idf: _IdfTable, k: int) -> list[str]:
    """The ``k`` features of highest count x IDF, highest first, ties by name (as a full sort would give them).

    Only the features that can make the cut are sorted: a story's counts run to thousands of features
    and the profile keeps 150.
    """
    import numpy as np

    features = list(counts)
    scores = -np.fromiter(counts.values(), dtype=float, count=len(features)) * np.fromiter(
        map(idf.__getitem__, features), dtype=float, count=len(features)
    )
    cut = np.partition(scores, k - 1)[k - 1]
    candidates = [
        (score, features[i])
        for i, score in zip(np.flatnonzero(scores <= cut).tolist(), scores[scores <= cut].tolist(), strict=True)
    ]
    return [feature for _, feature in sorted(candidates)[:k]]


def _average_link(similarity: list[list[float]], threshold: float | None) -> list[list[int]]:
    """Average-link agglomerative clusters whose average similarity stays >= ``threshold``.

    With ``threshold=None``, the two clusters at the top of the dendrogram.
    """
    import numpy as np
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    n = len(similarity)
    if n == 1:
        return [[0]]
    distance = np.clip(1.0 - np.asarray(similarity), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2  # exact symmetry for squareform
    tree = linkage(squareform(distance, checks=False), method="average")
    return _cut(tree.tolist(), n, threshold)


def _cut(tree: list[list[float]], n: int, threshold: float | None) -> list[list[int]]:
    """The flat clusters of a linkage ``tree`` as scipy's ``fcluster`` forms them: every merge whose subtree's
    greatest height is at most ``1 - threshold`` (criterion "distance"), or with ``threshold=None`` at most
    the least such height that leaves two clusters or fewer (criterion "maxclust", 2); without its checks,
    which cost more than the cut for a group's few dozen articles."""
    heights: list[float] = []
    for left, right, height, _ in tree:
        below = [heights[int(child) - n] for child in (left, right) if child >= n]
        heights.append(max([height, *below]))
    if threshold is None:
        limit = -math.inf  # two articles are two clusters already
        ordered = sorted(heights)
        for applied, height in enumerate(ordered, start=1):
            if n > 2 and (applied == len(ordered) or ordered[applied] != height) and n - applied <= 2:
                limit = height  # merges tied at one height go in together
                break
    else:
        limit = 1.0 - threshold
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for i, (left, right, _, _) in enumerate(tree):
        if heights[i] <= limit:
            members[n + i] = members.pop(int(left)) + members.pop(int(right))
    return sorted((sorted(part) for part in members.values()), key=lambda part: part[0])


def _blas_controller() -> Any:
    """A handle on the BLAS thread pools: the second pass's products are small, and OpenBLAS spreading each
    over every core made them three times slower on 2 busy cores (one thread each is faster and the same)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _renumber(labels: Sequence[int]) -> list[int]:
    order: dict[int, int] = {}
    return [order.setdefault(label, len(order)) for label in labels]


def _ids_by_first_member(article_ids: Sequence[str], labels: Sequence[int]) -> list[str]:
    first: dict[int, str] = {}
    for article_id, label in zip(article_ids, labels, strict=True):
        first.setdefault(label, story_id_for(article_id))
    return [first[label] for label in labels]


def story_id_for(article_id: str) -> str:
    """The id of a story founded by ``article_id``: stable, and distinct from article ids."""
    return hashlib.blake2b(f"story:{article_id}".encode(), digest_size=8).hexdigest()


# ------------------------------------------------------------------------------------ streaming


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one streamed article went, and what its arrival changed in its group's stories.

    ``new``: its story did not exist before. ``merged``: groups folded into the article's group.
    ``moved``: other articles whose story changed (the group was split anew), with their story now.
    ``retired``: stories that no longer exist, each with the story that now holds its first article,
    where a link to the old id should lead; the surviving id is always the older one.
    """

    article_id: str
    story: str
    new: bool
    merged: tuple[str, ...] = ()
    moved: tuple[tuple[str, str], ...] = ()
    retired: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _ActiveStory:
    """An active group: articles about one kind of happening, split into one or more stories.

    Its id is the story id of its first article, which is always the first member of its story,
    so the group's id is also the id of a live story.
    """

    id: str
    seq: int
    size: int
    last_time: datetime | None
    # Per kind: in how many of the group's articles each feature occurs.
    counts: list[Counter[str]] = field(default_factory=list)
    indexed: list[set[str]] = field(default_factory=list)
    vector: list[dict[str, float]] | None = None
    # Member article ids in arrival order, each with its story; a story's first member founded it.
    story_of: dict[str, str] = field(default_factory=dict)
    # Members unknown (a group saved before groups kept them): its articles stay in the group's story.
    settled: bool = False
    # Each story's newest article time (dated stories only): a story whose newest article leaves the active
    # window leaves the group, so a group of one kind of happening (quakes) does not grow for ever.
    story_last: dict[str, datetime] = field(default_factory=dict)
    # The ``seq`` of the full groups it was split off from (``_evict``): never merged back into them.
    apart: set[int] = field(default_factory=set)
    # Per story: its members that left ``story_of`` (``_retire``), counted, with their features summed, so a
    # story that goes on for months holds the profiles of its newest ``split_members`` articles only.
    retired: dict[str, _Retired] = field(default_factory=dict)


@dataclass(slots=True)
class _Retired:
    """Members of one story no longer listed in its group: how many, and in how many of them each feature occurs."""

    size: int = 0
    counts: list[Counter[str]] = field(default_factory=lambda: [Counter(), Counter(), Counter()])


@dataclass(frozen=True, slots=True)
class StateChanges:
    """What changed in a ``StreamClusterer``'s state since its last ``changes()``: what a store writes per batch.

    Together with the earlier changes it adds up to ``state()``; the store keeps the parts in tables, so a
    batch writes the features and stories it touched instead of the whole state (tens of MB a batch at 100,000
    articles).
    """

    header: dict[str, Any]  # documents, snapshot_documents, seq, clock
    df: tuple[tuple[int, str, int, int], ...]  # (kind, feature, live, snapshot document frequency)
    df_complete: bool  # ``df`` is the whole table: rows not in it are gone
    stories: tuple[dict[str, Any], ...]  # active stories (as ``state`` writes them) that changed
    gone: tuple[str, ...]  # stories no longer active (dormant or merged)
    stories_complete: bool  # ``stories`` are all the active stories


# Given the lookup keys (kind, feature) of a late article and the earliest last article time a group may
# have to take it, return dormant groups (as ``StreamClusterer.state`` writes a group) that could.
Recall = Callable[[list[tuple[int, str]], datetime], list[dict[str, Any]]]
# Given article ids, return the profiles of those it can find: members of a group resumed from a saved
# state, or recalled from dormancy, whose profiles are no longer in memory.
Profiles = Callable[[list[str]], dict[str, Profile]]


class _IdfTable(dict[str, float]):
    """IDF by feature against one snapshot of the document frequencies, computed on first use.

    A dict whose missing keys compute themselves: lookups of known features stay in C.
    """

    def __init__(self, counts: Counter[str], documents: int) -> None:
        super().__init__()
        self._counts = counts
        self._documents = documents

    def __missing__(self, feature: str) -> float:
        value = self[feature] = math.log(self._documents / (self._counts[feature] or 1))
        return value


class StreamClusterer:
    """Assign articles to stories one at a time, with online document frequencies.

    Each article joins a group (see the module's notes), and the group's stories are recomputed
    as it grows, so an arrival may move earlier articles between the group's stories
    (``Assignment.moved``). Memory holds only active groups: one whose newest article is older than
    ``config.dormant_after`` (in article time) is dropped from memory and from the index, and
    listed in ``departed`` for its owner to keep (the store does). An article older than the active
    window (a late one) asks ``recall``, when set, for dormant groups it may belong to; those come
    back into memory to be scored like the others, so a late report joins its story. A group
    brought back (or resumed with ``from_state``) asks ``profiles``, when set, for its members'
    profiles before it is split again; without them its stories stay as they are.
    """

    def __init__(self, config: ClusterConfig = ClusterConfig()) -> None:
        self.config = config
        self._documents = 0
        self._df: tuple[Counter[str], ...] = (Counter(), Counter(), Counter())
        # Scores read IDF from a snapshot refreshed whenever the collection grows by a fifth, so
        # cached story vectors stay valid between refreshes and a resumed stream scores exactly
        # as an uninterrupted one (the snapshot is part of the saved state).
        self._snapshot: tuple[Counter[str], ...] = (Counter(), Counter(), Counter())
        self._snapshot_documents = 0
        self._idf_cache = self._idf_tables()
        self._stories: dict[str, _ActiveStory] = {}
        self._index: tuple[dict[str, set[str]], ...] = ({}, {}, {})
        self._seq = 0
        self._clock: datetime | None = None
        # No active story's (or group story's) newest article is older than this; None: not known.
        self._earliest: datetime | None = None
        self.dormant = 0  # stories that left memory
        self.departed: list[dict[str, Any]] = []  # stories that left memory since the owner last took them
        self.recall: Recall | None = None
        self.profiles: Profiles | None = None
        # Profiles of the active groups' members (the second pass reads them); they leave with their story.
        self._profiles: dict[str, Profile] = {}
        # Per group, per story: how many of its members and the sum of their vectors (``_closest_story``).
        # A story present holds every member it has in its group, added in member order; a story missing
        # is summed when next needed, so a split, merge or departure recomputes only the stories it changed.
        self._story_sums: dict[str, _Sums] = {}
        self._member_vectors: dict[str, list[dict[str, float]]] = {}  # against the current IDF snapshot
        self._member_columns: dict[str, _Columns] = {}  # what the second pass reads of each member's profile
        self._feature_ids: dict[str, int] = {}  # ``_feature_id`` of the features seen lately
        self._blas: Any = None  # threadpoolctl's controller, made on the first split
        # What changed since the last ``changes()``; everything, until a store holds the state.
        self._dirty_features: tuple[set[str], ...] = (set(), set(), set())
        self._dirty_stories: set[str] = set()
        self._gone_stories: set[str] = set()
        self._all_features_changed = True
        self._all_stories_changed = True

    @property
    def active(self) -> int:
        return len(self._stories)

    def state(self) -> dict[str, object]:
        """Everything needed to resume this stream later (JSON-able): see ``from_state``."""
        return {
            "documents": self._documents,
            "df": [dict(c) for c in self._df],
            "snapshot_documents": self._snapshot_documents,
            # The snapshot as its difference from the live table, over the features of both (a
            # feature forgotten since the snapshot has a negative difference).
            "snapshot_delta": [
                {
                    f: live.get(f, 0) - snapshot.get(f, 0)
                    for f in live.keys() | snapshot.keys()
                    if live.get(f, 0) != snapshot.get(f, 0)
                }
                for live, snapshot in zip(self._df, self._snapshot, strict=True)
            ],
            "seq": self._seq,
            "clock": self._clock.isoformat() if self._clock else None,
            "stories": [_story_state(s) for s in sorted(self._stories.values(), key=lambda s: s.seq)],
        }

    def changes(self) -> StateChanges:
        """What changed since the last call (everything on the first, unless ``mark_saved``); starts counting anew."""
        if self._all_features_changed:
            rows = [(kind, f, live.get(f, 0), snapshot.get(f, 0))
                    for kind, (live, snapshot) in enumerate(zip(self._df, self._snapshot, strict=True))
                    for f in sorted(live.keys() | snapshot.keys())]  # fmt: skip
        else:
            rows = [(kind, f, live.get(f, 0), snapshot.get(f, 0))
                    for kind, (live, snapshot, dirty) in enumerate(
                        zip(self._df, self._snapshot, self._dirty_features, strict=True))
                    for f in sorted(dirty)]  # fmt: skip
        if self._all_stories_changed:
            stories = sorted(self._stories.values(), key=lambda s: s.seq)
            gone: list[str] = []
        else:
            stories = sorted((self._stories[i] for i in self._dirty_stories), key=lambda s: s.seq)
            gone = sorted(self._gone_stories)
        changed = StateChanges(
            header=self._header(),
            df=tuple(rows),
            df_complete=self._all_features_changed,
            stories=tuple(_story_state(story) for story in stories),
            gone=tuple(gone),
            stories_complete=self._all_stories_changed,
        )
        self.mark_saved()
        return changed

    def mark_saved(self) -> None:
        """Count changes from now on: the owner holds the state as it is (``from_state`` of what it saved)."""
        self._dirty_features = (set(), set(), set())
        self._dirty_stories = set()
        self._gone_stories = set()
        self._all_features_changed = self._all_stories_changed = False

    def _header(self) -> dict[str, Any]:
        return {
            "documents": self._documents,
            "snapshot_documents": self._snapshot_documents,
            "seq": self._seq,
            "clock": self._clock.isoformat() if self._clock else None,
        }

    @classmethod
    def from_state(cls, state: dict[str, object], config: ClusterConfig = ClusterConfig()) -> StreamClusterer:
        """Resume a stream saved with ``state``: the same later assignments as if it never stopped."""
        clusterer = cls(config)
        clusterer._documents = int(state["documents"])  # type: ignore[call-overload]
        clusterer._df = tuple(Counter(c) for c in state["df"])  # type: ignore[attr-defined]
        clusterer._seq = int(state["seq"])  # type: ignore[call-overload]
        clusterer._snapshot_documents = int(state["snapshot_documents"])  # type: ignore[call-overload]
        if "snapshot" in state:  # as the store's tables hold it (``changes``)
            clusterer._snapshot = tuple(Counter(c) for c in state["snapshot"])  # type: ignore[attr-defined]
        else:
            clusterer._snapshot = tuple(
                Counter(
                    {
                        f: live.get(f, 0) - delta.get(f, 0)
                        for f in live.keys() | delta.keys()
                        if live.get(f, 0) - delta.get(f, 0) > 0
                    }
                )
                for live, delta in zip(clusterer._df, state["snapshot_delta"], strict=True)  # type: ignore[call-overload]
            )
        clusterer._idf_cache = clusterer._idf_tables()
        clock = state.get("clock")
        clusterer._clock = datetime.fromisoformat(clock) if isinstance(clock, str) else None
        for item in state["stories"]:  # type: ignore[attr-defined]
            clusterer._revive(item)
        return clusterer

    def _revive(self, item: dict[str, Any]) -> None:
        """Put a story written by ``_story_state`` (back) into memory and the index."""
        self._earliest = None
        story = _ActiveStory(
            id=item["id"],
            seq=item["seq"],
            size=item["size"],
            last_time=datetime.fromisoformat(item["last_time"]) if item["last_time"] else None,
            counts=[Counter(c) for c in item["counts"]],
            indexed=[set(features) for features in item["indexed"]],
            story_of=dict(item.get("members", ())),
            settled=item.get("settled", "members" not in item),
            story_last={k: datetime.fromisoformat(v) for k, v in item.get("story_last", {}).items()},
            apart=set(item.get("apart", ())),
            retired={
                story_id: _Retired(size, [Counter(c) for c in counts])
                for story_id, (size, counts) in item.get("retired", {}).items()
            },
        )
        self._stories[story.id] = story
        self._touched(story)
        for kind, features in enumerate(story.indexed):
            for feature in features:
                self._index[kind].setdefault(feature, set()).add(story.id)

    def add(self, item: Article | Profile) -> Assignment:
        """Assign one article; returns its story and any stories it merged."""
        prof = item if isinstance(item, Profile) else profile(item, self.config)
        self._advance_clock(prof.time)
        self._note_time(prof.time)
        self._documents += 1
        for kind, (names, _) in enumerate(prof.features):
            self._df[kind].update(names)
            self._dirty_features[kind].update(names)
        self._forget_rare()
        if self.config.singleton_sweep and self._documents % self.config.singleton_sweep == 0:
            self._forget_singletons(prof)
        if self._documents > self._snapshot_documents * 1.2:
            self._refresh()
        vector = self._vector(prof.features)
        if self.recall is not None and self._is_late(prof.time):
            self._recall_for(vector, prof.time)  # type: ignore[arg-type]
        scored = sorted(
            ((self._score(vector, story), -story.seq, story.id) for story in self._candidates(vector)),
            reverse=True,
        )
        threshold = self.config.group_join_similarity if self.config.second_look else self.config.join_similarity
        joined = [entry for entry in scored if entry[0] >= threshold]
        if not joined:
            group = self._new_story(prof)
            if self.config.second_look:
                self._member_vectors[prof.article_id] = vector
                _accumulate(self._story_sums.setdefault(group.id, {}), group.id, vector)
            return Assignment(prof.article_id, group.id, new=True)
        # The oldest of the matching groups survives any merge, so earlier links stay valid.
        targets = sorted((self._stories[story_id] for _, _, story_id in joined[:2]), key=lambda s: s.seq)
        group = self._stories[joined[0][2]]
        merged: tuple[str, ...] = ()
        if (
            len(targets) == 2
            and targets[0].seq not in targets[1].apart
            and targets[1].seq not in targets[0].apart
            and self._score(self._story_vector(targets[1]), targets[0]) >= threshold
        ):
            self._merge(targets[0], targets[1])
            group = targets[0]
            merged = (targets[1].id,)
        self._join(group, prof)
        if not self.config.second_look:  # a group is one story, named by its first article
            return Assignment(
                prof.article_id, group.id, new=False, merged=merged, retired=tuple((gone, group.id) for gone in merged)
            )
        if _members_counted(group) >= self.config.split_members:
            self._evict(group)
        before = dict(group.story_of)
        self._place(group, prof, vector, resplit=self._resplit_due(group.size))
        assignment = _assignment(prof.article_id, before, group.story_of, merged)
        self._retire(group)
        return assignment

    def _resplit_due(self, size: int) -> bool:
        """Whether a group that just reached ``size`` members is split anew (``resplit_growth``)."""
        if size > self.config.split_members:
            return False
        mark = 2 * self.config.min_part  # the smallest group the second pass can split in two
        while mark < size:
            mark = max(mark + 1, math.ceil(mark * self.config.resplit_growth))
        return mark == size

    def _place(self, group: _ActiveStory, prof: Profile, vector: list[dict[str, float]], resplit: bool) -> None:
        """Give the group's newest member its story: split the group anew, or join the closest of its stories."""
        members = [*group.story_of, prof.article_id]
        profiles = self._member_profiles(group, members[-self.config.split_members :]) if not group.settled else None
        if profiles is None:
            group.story_of[prof.article_id] = group.id  # members unknown: the group stays one story
            self._story_sums.pop(group.id, None)
            _newest(group.story_last, group.id, prof.time)
            return
        if resplit and len(members) <= self.config.split_members and not group.retired:
            indices = list(range(len(members)))
            before = dict(group.story_of)
            if len(members) < self.config.min_part:
                parts = [indices]
            else:
                if self._blas is None:
                    self._blas = _blas_controller()
                columns = [self._columns_of(member_profile) for member_profile in profiles]
                with self._blas.limit(limits=1, user_api="blas"):
                    parts = _split(columns, indices, self.config)
            for part in parts:
                story_id = story_id_for(members[min(part)])  # the first member names its story
                for index in part:
                    group.story_of[members[index]] = story_id
            group.story_last = {}
            for member_profile in profiles:
                _newest(group.story_last, group.story_of[member_profile.article_id], member_profile.time)
            for last in group.story_last.values():  # a story split off may be older than any before
                self._note_time(last)
            self._keep_sums(group, before, prof.article_id, vector)
            return
        window = members[-len(profiles) : -1]
        story = self._closest_story(group, prof.article_id, vector, window, profiles[:-1])
        group.story_of[prof.article_id] = story
        _newest(group.story_last, story, prof.time)

    def _columns_of(self, prof: Profile) -> _Columns:
        columns = self._member_columns.get(prof.article_id)
        if columns is None:
            if len(self._feature_ids) > _FEATURE_IDS:
                self._feature_ids.clear()
            columns = self._member_columns[prof.article_id] = _columns(prof, self._feature_ids)
        return columns

    def _drop_member(self, article_id: str) -> None:
        """Forget what is kept of an article that left the active window (its story keeps its counts)."""
        self._profiles.pop(article_id, None)
        self._member_vectors.pop(article_id, None)
        self._member_columns.pop(article_id, None)

    def _retire(self, group: _ActiveStory) -> None:
        """Keep the group's newest ``split_members`` members listed; older ones become their story's ``retired``.

        Nothing reads more than the newest ``split_members`` members' profiles (the second pass and the closest
        story both read that window) except a story leaving the group, which needs only its members' summed
        features. Summing the older ones keeps a group's memory bounded while its story runs on for months:
        at a replay every 6.7 hours, stories of a recurring kind of event reached 900 articles and kept every
        profile (bench/README.md). The sums are exact until a kind passes ``40 * profile_features`` features, then
        keep the ``20 * profile_features`` strongest (a bound for stories that run on for ever). A tighter bound
        changed the stories: on the first 350,000 records of that stream, B-cubed 0.6299 exact (and at 20x, never
        reached: the largest sums held 4,093 features), 0.6288 at 8x, 0.6230 at 2x.
        """
        excess = len(group.story_of) - self.config.split_members
        if excess <= 0:
            return
        oldest = list(islice(group.story_of, excess))
        profiles = None if group.settled else self._member_profiles(group, oldest)
        touched: dict[str, _Retired] = {}
        for index, member in enumerate(oldest):
            story = group.story_of.pop(member)
            retired = touched[story] = group.retired.setdefault(story, _Retired())
            retired.size += 1
            if profiles is not None:  # members unknown (a settled group): counted, their features lost
                for kind, (names, _) in enumerate(profiles[index].features):
                    retired.counts[kind].update(names)
            self._drop_member(member)
        keep = 20 * self.config.profile_features
        for retired in touched.values():
            for kind, counts in enumerate(retired.counts):
                if len(counts) > 2 * keep:
                    retired.counts[kind] = Counter({f: counts[f] for f in _top(counts, self._idf_cache[kind], keep)})
        self._story_sums.pop(group.id, None)  # the sums were of members no longer listed

    def _member_profiles(self, group: _ActiveStory, members: list[str]) -> list[Profile] | None:
        """The profiles of ``members`` (asking ``profiles`` for those not in memory), or None if any is missing."""
        missing = [member for member in members if member not in self._profiles]
        if missing and self.profiles is not None:
            self._profiles.update(self.profiles(missing))
        if any(member not in self._profiles for member in missing):
            group.settled = True  # no second look without the members: later articles join the group's story
            return None
        return [self._profiles[member] for member in members]

    def _closest_story(
        self,
        group: _ActiveStory,
        article_id: str,
        vector: list[dict[str, float]],
        members: list[str],
        profiles: list[Profile],
    ) -> str:
        """The story whose members the article (``vector``) resembles most on average (average link, as the split).

        The average similarity to a story's members is the similarity to the sum of their vectors over
        their count; the sums are kept per group and story (see ``_story_sums``), and always add up in
        member order, so a resumed stream gets the same floats.
        """
        whole = len(members) == len(group.story_of)  # the window holds every member: sums may be kept
        cached = self._story_sums.pop(group.id, None)
        if not whole:
            cached = None
        stories = dict.fromkeys(group.story_of.values())  # in the group's order
        if len(stories) == 1:  # one story to join: no need to weigh it
            (only,) = stories
            if cached is not None and only in cached:
                _accumulate(cached, only, vector)  # one sum kept up costs less than a group summed anew later
                self._story_sums[group.id] = cached
            # Its vector is not kept, since nothing here weighs it (at ten times the 100,000-record stream's
            # density: 9,303 vectors cached at 50,000 articles against 9,770). Should the group split, it is
            # computed again, equal to this one (cached vectors are dropped when the IDF snapshot changes).
            return only
        self._member_vectors[article_id] = vector
        sums: _Sums = {}
        for member, member_profile in zip(members, profiles, strict=True):
            story = group.story_of[member]
            if cached is not None and story in cached:
                continue
            member_vector = self._member_vectors.get(member)
            if member_vector is None:
                member_vector = self._member_vectors[member] = self._vector(member_profile.features)
            _accumulate(sums, story, member_vector)
        if cached:
            sums.update(cached)
        if not sums:
            return group.id
        # The highest average; ties go to the older story (first in the group's order).
        order = {story: index for index, story in enumerate(stories)}
        best = max(
            sorted(sums, key=order.__getitem__),
            key=lambda story: _similarity_of(vector, sums[story][1], self.config) / sums[story][0],
        )
        if whole:  # the next newcomer reads these members and this one
            _accumulate(sums, best, vector)
            self._story_sums[group.id] = sums
        return best

    def _keep_sums(
        self, group: _ActiveStory, before: dict[str, str], newcomer: str, vector: list[dict[str, float]]
    ) -> None:
        """After a split of ``group``: keep the sums of the stories whose members did not change, and add the
        newcomer to its story's sum if that story only gained it."""
        cached = self._story_sums.pop(group.id, None)
        self._member_vectors[newcomer] = vector
        if not cached:
            return
        old: dict[str, list[str]] = {}
        for member, story in before.items():
            old.setdefault(story, []).append(member)
        new: dict[str, list[str]] = {}
        for member, story in group.story_of.items():
            new.setdefault(story, []).append(member)
        kept: _Sums = {}
        for story, entry in cached.items():
            now = new.get(story, [])
            if now == old.get(story):
                kept[story] = entry
            elif now[:-1] == old.get(story) and now[-1] == newcomer:
                kept[story] = entry
                _accumulate(kept, story, vector)
        story = group.story_of[newcomer]
        if story not in cached and new[story] == [newcomer]:
            _accumulate(kept, story, vector)
        self._story_sums[group.id] = kept

    def _advance_clock(self, time: datetime | None) -> None:
        if time is None or (self._clock is not None and time <= self._clock):
            return
        self._clock = time
        horizon = time - self.config.dormant_after
        if self._earliest is not None and self._earliest >= horizon:
            return  # nothing is old enough to leave: no need to look
        for story in [s for s in self._stories.values() if s.last_time is not None and s.last_time < horizon]:
            self.departed.append(_story_state(story))
            self._forget(story)
            for member in story.story_of:
                self._drop_member(member)
            self._story_sums.pop(story.id, None)
            self.dormant += 1
        for group in list(self._stories.values()) if self.config.second_look else ():
            old = {story for story, last in group.story_last.items() if last < horizon}
            if old:
                self._detach(group, old)
        times = [s.last_time for s in self._stories.values() if s.last_time is not None]
        times += [last for group in self._stories.values() for last in group.story_last.values()]
        self._earliest = min(times, default=None)

    def _note_time(self, time: datetime | None) -> None:
        """Keep ``_earliest`` a lower bound of the active stories' newest times."""
        if time is not None and self._earliest is not None and time < self._earliest:
            self._earliest = time

    def _evict(self, group: _ActiveStory) -> None:
        """Split a full group's least recently active stories off, down to three quarters of ``split_members``.

        A group that reaches ``split_members`` gathers more than one kind of happening, or a kind that
        recurs (a quake every few days); without this it would grow past what the second pass can split,
        and a new quake would join an old one's story. The stories split off stay active, each its own
        group: sending them to dormancy instead cut events in two whenever groups gathered loosely.
        """
        keep = self.config.split_members * 3 // 4
        sizes = Counter(group.story_of.values())
        for story, retired in group.retired.items():
            sizes[story] += retired.size
        leaving: set[str] = set()
        remaining = sum(sizes.values())
        by_age = sorted(group.story_last.items(), key=lambda item: (item[1], item[0]))
        for story, _ in by_age[:-1]:  # never the most recently active story
            if remaining <= keep:
                break
            leaving.add(story)
            remaining -= sizes[story]
        if leaving:
            self._detach(group, leaving, dormant=False)

    def _detach(self, group: _ActiveStory, stories: set[str], dormant: bool = True) -> None:
        """Let ``stories`` leave their (still active) group: dormant (their newest article left the active
        window), or each as an active group of its own."""
        leaving = [member for member, story in group.story_of.items() if story in stories]
        profiles = self._member_profiles(group, leaving)
        if profiles is None:
            return  # members unknown: the group stays whole until it goes dormant itself
        by_story: dict[str, list[Profile]] = {}
        for member_profile in profiles:
            by_story.setdefault(group.story_of[member_profile.article_id], []).append(member_profile)
        for story_id in group.retired:  # a story may have no listed member left
            if story_id in stories:
                by_story.setdefault(story_id, [])
        parts = []
        apart = self._active_seqs(group.apart | {group.seq})
        for story_id, members in by_story.items():
            retired = group.retired.pop(story_id, None)
            part = _ActiveStory(
                id=story_id,
                seq=self._seq,
                size=len(members) + (retired.size if retired else 0),
                last_time=group.story_last[story_id],
                counts=[Counter(), Counter(), Counter()],
                indexed=[set(), set(), set()],
                story_of={member.article_id: story_id for member in members},
                story_last={story_id: group.story_last[story_id]},
                apart=set(apart),
                retired={story_id: retired} if retired else {},
            )
            self._seq += 1
            for kind in range(3):
                part.counts[kind].update(chain.from_iterable(m.features[kind][0] for m in members))
                if retired:
                    part.counts[kind].update(retired.counts[kind])
            parts.append(part)
        for member in profiles:
            del group.story_of[member.article_id]
            if dormant:
                self._drop_member(member.article_id)
        for kind, counts in enumerate(group.counts):
            left: Counter[str] = Counter()
            for part in parts:
                left.update(part.counts[kind])
            # The group keeps only its strongest features (``_prune``): subtract where the two meet.
            for feature in counts.keys() & left.keys():
                count = counts[feature] - left[feature]
                if count > 0:
                    counts[feature] = count
                else:
                    del counts[feature]
        group.size -= sum(part.size for part in parts)
        for story_id in stories:
            group.story_last.pop(story_id, None)
        sums = self._story_sums.pop(group.id, {})
        if not group.story_of and not group.retired:  # every story left: so does the group
            self._forget(group)
        else:
            if group.id in stories:  # the group's first story left: the oldest one left names the group
                self._forget(group)
                group.id = next(iter([*group.retired, *group.story_of.values()]))
                group.indexed = [set(), set(), set()]
                self._stories[group.id] = group
            group.vector = None
            self._touched(group)
            self._reindex(group)
            remaining = {story: entry for story, entry in sums.items() if story not in stories}
            if remaining:
                self._story_sums[group.id] = remaining
        for part in parts:
            if dormant:
                self._settle_profile(part)
                self.departed.append(_story_state(part))
                self.dormant += 1
            else:
                self._stories[part.id] = part
                self._touched(part)
                self._reindex(part)
                if part.id in sums:
                    self._story_sums[part.id] = {part.id: sums[part.id]}

    def _active_seqs(self, seqs: set[int]) -> set[int]:
        """The ``seqs`` of groups still in memory: only those can be merge targets, and a group's ``apart``
        would otherwise collect every group its lineage was ever split from."""
        active = {story.seq for story in self._stories.values()}
        return {seq for seq in seqs if seq in active}

    def _settle_profile(self, story: _ActiveStory) -> None:
        """Keep a leaving story's strongest features, as ``_reindex`` does, without entering it in the index."""
        for kind in range(3):
            self._prune(story, kind)
            top = _strongest(self._kind_vector(story, kind), self.config.index_features)
            story.indexed[kind] = {feature for _, feature in top}

    def _prune(self, story: _ActiveStory, kind: int) -> bool:
        """Keep one kind's ``profile_features`` strongest features (count x IDF); whether any were dropped."""
        counts = story.counts[kind]
        if len(counts) <= self.config.profile_features:
            return False
        story.counts[kind] = Counter(
            {f: counts[f] for f in _top(counts, self._idf_cache[kind], self.config.profile_features)}
        )
        return True

    def _is_late(self, time: datetime | None) -> bool:
        """Whether an article is older than the active window: its story may have gone dormant."""
        return time is not None and self._clock is not None and time < self._clock - self.config.dormant_after

    def _recall_for(self, vector: list[dict[str, float]], time: datetime) -> None:
        assert self.recall is not None
        for item in self.recall(list(self._lookup_keys(vector)), time - self.config.dormant_after):
            if item["id"] not in self._stories:
                self._revive(item)

    def _forget_rare(self) -> None:
        """Halve any kind's document-frequency table that outgrew ``max_vocabulary``, keeping the commonest."""
        limit = self.config.max_vocabulary
        if all(len(counts) <= limit for counts in self._df):
            return
        self._df = tuple(
            Counter(dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: limit // 2]))
            if len(counts) > limit
            else counts
            for counts in self._df
        )
        self._all_features_changed = True  # rare: the saved table is written anew

    def _forget_singletons(self, arriving: Profile) -> None:
        """Forget the features only one article had, unless an active story or the ``arriving`` article holds them.

        News never stops bringing new names and figures, and many occur once: kept, they grow the
        frequency tables (and their snapshot) with the whole stream, not with the active window. On
        the 100,000-record stream, 17,700 of the 48,400 features held at the end occurred once and
        were held by no active story (bench/README.md). Forgetting one changes no score: IDF reads
        a missing feature as occurring once (``_IdfTable``). Only a later article with it counts
        1 where it would have counted 2. What a story holds is kept, so the stories being built
        score as before; a resumed stream forgets the same (only the saved state is read).
        """
        held: list[set[str]] = [set(names) for names, _ in arriving.features]
        for story in self._stories.values():
            for kind, names in enumerate(held):
                names.update(story.counts[kind], story.indexed[kind])
                for retired in story.retired.values():
                    names.update(retired.counts[kind])
        for kind, (counts, names) in enumerate(zip(self._df, held, strict=True)):
            once = [feature for feature, count in counts.items() if count == 1 and feature not in names]
            for feature in once:
                del counts[feature]
            self._dirty_features[kind].update(once)
        self._idf_cache = self._idf_tables()  # its values stand (read from the snapshot); its size restarts

    def _refresh(self) -> None:
        self._snapshot = tuple(Counter(c) for c in self._df)
        self._snapshot_documents = self._documents
        self._idf_cache = self._idf_tables()
        self._all_features_changed = True  # every feature's snapshot frequency changed (rare past the start)
        # Vectors are recomputed when next scored; the index keeps its features until a story's
        # next re-ranking (it is saved with the state, so a resumed stream looks up the same way).
        for story in self._stories.values():
            story.vector = None
        self._story_sums.clear()
        self._member_vectors.clear()

    def _idf_tables(self) -> tuple[_IdfTable, ...]:
        documents = self._snapshot_documents + 1 + self.config.prior_documents
        return tuple(_IdfTable(counts, documents) for counts in self._snapshot)

    def _idf(self, kind: int, feature: str) -> float:
        return self._idf_cache[kind][feature]

    def _vector(self, features: Features) -> list[dict[str, float]]:
        vector: list[dict[str, float]] = []
        for kind, (names, tfs) in enumerate(features):
            idf = self._idf_cache[kind]
            pairs = zip(names, tfs, strict=True)
            weights = {feature: (1.0 + math.log(tf)) * idf[feature] for feature, tf in pairs if tf > 0}
            vector.append(_normalised(weights))
        return vector

    def _story_vector(self, story: _ActiveStory) -> list[dict[str, float]]:
        """The story's centroid: each feature weighted by its share of the story's articles times IDF.

        Weighting by share (not by total count) makes what most members say, the event's core,
        dominate what one member happened to add. Cached until the story or the IDF snapshot changes.
        """
        if story.vector is None:
            story.vector = [self._kind_vector(story, kind) for kind in range(3)]
        return story.vector

    def _kind_vector(self, story: _ActiveStory, kind: int) -> dict[str, float]:
        """One kind's part of the story's centroid: it depends on that kind's counts only."""
        counts = story.counts[kind]
        idf = self._idf_cache[kind]
        size = story.size
        return _normalised({f: (n / size) * idf[f] for f, n in counts.items()})

    def _score(self, vector: list[dict[str, float]], story: _ActiveStory) -> float:
        story_vector = story.vector if story.vector is not None else self._story_vector(story)
        return _similarity_of(vector, story_vector, self.config)

    def _lookup_keys(self, vector: list[dict[str, float]]) -> Iterator[tuple[int, str]]:
        for kind, weights in enumerate(vector):
            for _, feature in _strongest(weights, self.config.lookup_features):
                yield kind, feature

    def _candidates(self, vector: list[dict[str, float]]) -> list[_ActiveStory]:
        index = self._index
        # One count over all postings (counts do not depend on the order of the sets).
        hits = Counter(chain.from_iterable(index[kind].get(feature, ()) for kind, feature in self._lookup_keys(vector)))
        ranked = sorted(hits.items(), key=lambda item: (-item[1], self._stories[item[0]].seq))
        return [self._stories[story_id] for story_id, _ in ranked[: self.config.max_candidates]]

    def _new_story(self, prof: Profile) -> _ActiveStory:
        story = _ActiveStory(
            id=story_id_for(prof.article_id),
            seq=self._seq,
            size=0,
            last_time=None,
            counts=[Counter(), Counter(), Counter()],
            indexed=[set(), set(), set()],
        )
        self._seq += 1
        self._stories[story.id] = story
        self._join(story, prof)
        if self.config.second_look:
            story.story_of[prof.article_id] = story.id
            _newest(story.story_last, story.id, prof.time)
        else:
            story.settled = True  # never split, even by a later run with the second look
        return story

    def _touched(self, story: _ActiveStory) -> None:
        self._dirty_stories.add(story.id)
        self._gone_stories.discard(story.id)

    def _join(self, story: _ActiveStory, prof: Profile) -> None:
        self._touched(story)
        if self.config.second_look:
            self._profiles[prof.article_id] = prof  # kept while the article is in the active window
        story.size += 1
        if prof.time is not None and (story.last_time is None or prof.time > story.last_time):
            story.last_time = prof.time
        for kind, (names, _) in enumerate(prof.features):
            story.counts[kind].update(names)
        story.vector = None
        # A story's strongest features settle as it grows: re-rank them at sizes 1-4, 8, 16, 32...
        if story.size <= 4 or story.size & (story.size - 1) == 0:
            self._reindex(story)

    def _reindex(self, story: _ActiveStory) -> None:
        """Keep the story's strongest features in its profile and in the inverted index."""
        vector: list[dict[str, float]] = []
        for kind in range(3):
            if self._prune(story, kind) or story.vector is None:
                kind_vector = self._kind_vector(story, kind)
            else:
                kind_vector = story.vector[kind]
            vector.append(kind_vector)
            top = {feature for _, feature in _strongest(kind_vector, self.config.index_features)}
            for feature in story.indexed[kind] - top:
                postings = self._index[kind].get(feature)
                if postings is not None:
                    postings.discard(story.id)
                    if not postings:
                        del self._index[kind][feature]
            for feature in top - story.indexed[kind]:
                self._index[kind].setdefault(feature, set()).add(story.id)
            story.indexed[kind] = top
        story.vector = vector

    def _merge(self, keep: _ActiveStory, gone: _ActiveStory) -> None:
        self._forget(gone)
        self._touched(keep)
        keep.size += gone.size
        if gone.last_time is not None and (keep.last_time is None or gone.last_time > keep.last_time):
            keep.last_time = gone.last_time
        for kind in range(3):
            keep.counts[kind].update(gone.counts[kind])
        keep.story_of.update(gone.story_of)
        keep.retired.update(gone.retired)
        keep.story_last.update(gone.story_last)
        keep.settled = keep.settled or gone.settled
        keep.apart = self._active_seqs(keep.apart | gone.apart)
        # Stories keep their members (and member order) across a merge, so their sums stay exact.
        sums = {**self._story_sums.pop(keep.id, {}), **self._story_sums.pop(gone.id, {})}
        if sums:
            self._story_sums[keep.id] = sums
        keep.vector = None
        self._reindex(keep)

    def _forget(self, story: _ActiveStory) -> None:
        for kind in range(3):
            for feature in story.indexed[kind]:
                postings = self._index[kind].get(feature)
                if postings is not None:
                    postings.discard(story.id)
                    if not postings:
                        del self._index[kind][feature]
        del self._stories[story.id]
        self._dirty_stories.discard(story.id)
        self._gone_stories.add(story.id)


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    """``weights`` divided by their Euclidean norm (summed in the dict's order, so the same bits every time)."""
    values = weights.values()
    norm = math.sqrt(sum(map(mul, values, values))) or 1.0
    return {feature: w / norm for feature, w in weights.items()}


def _similarity_of(a: list[dict[str, float]], b: list[dict[str, float]], config: ClusterConfig) -> float:
    """The weighted cosine of two normalised vectors (an article's or a group's), over their shared features."""
    weights = _weights(config)
    total = 0.0
    for kind, weight in enumerate(weights):
        x, y = a[kind], b[kind]
        # Only shared features count: the key intersection runs in C, and fsum's exact rounding makes
        # the sum independent of the set's (hash-seeded) order, so every process scores alike.
        shared = x.keys() & y.keys()
        total += weight * math.fsum(map(mul, map(x.__getitem__, shared), map(y.__getitem__, shared)))
    return total / sum(weights)


_Sums = dict[str, tuple[int, list[dict[str, float]]]]  # per story: members counted, sum of their vectors


def _newest(last: dict[str, datetime], story: str, time: datetime | None) -> None:
    """Record ``time`` as the story's newest article time if it is newer."""
    if time is not None and (story not in last or time > last[story]):
        last[story] = time


def _accumulate(sums: _Sums, story: str, vector: list[dict[str, float]]) -> None:
    """Add one member's vector to its story's count and sum."""
    count, total = sums.get(story, (0, [{}, {}, {}]))
    for kind, weights in enumerate(vector):
        part = total[kind]
        for feature, weight in weights.items():
            part[feature] = part.get(feature, 0.0) + weight
    sums[story] = (count + 1, total)


def _assignment(article_id: str, before: dict[str, str], after: dict[str, str], merged: tuple[str, ...]) -> Assignment:
    """What an arrival changed: ``before`` and ``after`` map the group's members (in order) to their stories."""
    founders: dict[str, str] = {}
    for member, story in before.items():
        founders.setdefault(story, member)  # a story's first member founded it
    now = set(after.values())
    return Assignment(
        article_id,
        after[article_id],
        new=after[article_id] not in founders,
        merged=merged,
        moved=tuple((member, story) for member, story in after.items() if member in before and before[member] != story),
        retired=tuple((story, after[founder]) for story, founder in founders.items() if story not in now),
    )


def _strongest(weights: dict[str, float], count: int) -> list[tuple[float, str]]:
    """The ``count`` heaviest features as (-weight, feature), heaviest first, ties by feature."""
    return sorted([(-w, f) for f, w in weights.items()])[:count]


def _story_state(story: _ActiveStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "seq": story.seq,
        "size": story.size,
        "last_time": story.last_time.isoformat() if story.last_time else None,
        "counts": [dict(c) for c in story.counts],
        "indexed": [sorted(features) for features in story.indexed],
        "members": list(story.story_of.items()),
        "settled": story.settled,
        "story_last": {k: v.isoformat() for k, v in story.story_last.items()},
        "apart": sorted(story.apart),
        "retired": {
            story_id: [retired.size, [dict(counts) for counts in retired.counts]]
            for story_id, retired in story.retired.items()
        },
    }


def _members_counted(group: _ActiveStory) -> int:
    """How many members a group has, listed or retired (a settled group's unknown members not among them)."""
    return len(group.story_of) + sum(retired.size for retired in group.retired.values())


def cluster_stream(articles: Iterable[Article], config: ClusterConfig = ClusterConfig()) -> list[str]:
    """Return the story id of each article, assigning them one at a time in the given order.

    Each article is reported in the story it ends up in: later arrivals may move it (a group split
    anew) or retire its story into another (a merge).
    """
    clusterer = StreamClusterer(config)
    story_of: dict[str, str] = {}
    alias: dict[str, str] = {}
    order: list[str] = []
    for article in articles:
        result = clusterer.add(article)
        for old, story in result.retired:
            alias[old] = story
        for _, story in (*result.moved, (result.article_id, result.story)):
            alias.pop(story, None)  # a retired story that lives again is itself
        story_of.update(result.moved)
        story_of[result.article_id] = result.story
        order.append(result.article_id)
    return [_resolve(alias, story_of[article_id]) for article_id in order]


def _resolve(alias: dict[str, str], story: str) -> str:
    seen = set()
    while story in alias and story not in seen:
        seen.add(story)
        story = alias[story]
    return story
