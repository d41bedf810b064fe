"""Fold duplicate and syndicated copies into one canonical article that lists every outlet that ran it.

Exact copies share a normalised-content hash. Near copies (wire stories an outlet ran with its own
intro, footer or cuts) are found with MinHash LSH over word 5-grams and confirmed by the exact share
of the shorter text's 5-grams that both texts contain, so a shortened copy still counts.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from newsweave.dates import comparable
from newsweave.records import Article, Copy

_T = TypeVar("_T")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DedupeConfig:
    """How alike two texts must be to be one article; values measured in bench/dedupe.py."""

    shingle_words: int = 5
    # LSH only proposes candidates; set low so that cut copies are proposed at all (bench/dedupe.py:
    # at 0.2 LSH misses 3 of 3,150 synthetic copies, at 0.3 it misses 18).
    candidate_jaccard: float = 0.2
    # Share of the shorter text's 5-grams found in the longer one for the two to be copies. bench/dedupe.py
    # on ECB+: the highest value with recall >= 0.98 on synthetic wire copies (R 0.987); no pair of reports
    # of different events overlaps more than 0.125.
    min_overlap: float = 0.6
    # A copy with less than this share of the longest copy's 5-grams (a feed excerpt, a brief) is never
    # the canonical text, however early it was published.
    complete_share: float = 0.67
    # Share of the smaller set of names and numbers (``names``) that the other text must contain too. Texts that
    # share their wording but not their names are reports of different events written from one template
    # (results, bulletins, market reports), not copies. bench/dedupe.py: it stops 4 of the 3,731 synthetic copies
    # past the 5-gram test and no real ECB+ wire pair (lowest share 0.60), and every rewrite of a text with other
    # names and numbers (bench/_replay.py: 0.29 at most).
    min_name_overlap: float = 0.4
    # Across batches (the store's band keys): only articles published within this many days of each other are
    # compared (undated ones with undated ones), and at most ``max_stored_candidates`` of them, those sharing
    # most bands first, so the cost of an article does not grow with the store.
    window_days: int = 7
    max_stored_candidates: int = 8
    num_perm: int = 128
    seed: int = 1


def content_key(text: str) -> str:
    """Return the hash of a text with case, punctuation and spacing ignored (exact-duplicate key)."""
    return _words_key(_TOKEN.findall(text.casefold()))


def _words_key(words: Sequence[str]) -> str:
    return hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()


def shingles(text: str, size: int) -> frozenset[str]:
    """Return the set of word ``size``-grams of ``text`` (case and punctuation ignored)."""
    return _word_shingles(_TOKEN.findall(text.casefold()), size)


def _word_shingles(words: Sequence[str], size: int) -> frozenset[str]:
    if len(words) < size:
        return frozenset({" ".join(words)}) if words else frozenset()
    # zip of shifted views (ending with the shortest) instead of a slice per shingle: 17 % less time
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


def names(text: str) -> frozenset[str]:
    """The capitalised words (three letters or more, not all capitals, not first in a sentence) and numbers of a
    text, case folded."""
    # Acronyms are left out: they name sources and templates ("AP", "USGS", "NFL") as often as events; and so are
    # words capitalised only because they start a sentence ("The", "Officials").
    found = set()
    for first, word in _NAME.findall(text):
        if first:
            continue
        word = _POSSESSIVE.sub("", word)
        if word[0].isdigit() or (word[0].isupper() and len(word) >= 3 and not word.isupper()):
            found.add(word.casefold())
    return frozenset(found)


_POSSESSIVE = re.compile(r"['’]s$")
_NAME = re.compile(r"""((?:^|(?<=[.!?\n]))[\s"'“‘(\[]*[^\W\d_][\w'’-]*\w)|(\d[\d.,]*\d|\d|[^\W\d_][\w'’-]*\w)""", re.M)


def names_agree(a: frozenset[_T], b: frozenset[_T], config: DedupeConfig) -> bool:
    """Whether two texts whose wording overlaps share enough of their ``names`` to be copies of one report."""
    return not (a or b) or overlap(a, b) >= config.min_name_overlap


def overlap(a: frozenset[_T], b: frozenset[_T]) -> float:
    """Return the share of the smaller set that the larger one contains."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def fold_copies(articles: Sequence[Article], config: DedupeConfig = DedupeConfig()) -> list[Article]:
    """Return ``articles`` with copies folded into a canonical article each, in input order.

    Articles are taken longest first, and each joins the group whose first (longest) text it overlaps
    most, at least ``min_overlap`` and with the same names (``names_agree``), or starts one: every copy
    is compared with one fixed text, so no chain of half-alike texts ends up as one group, and a cut
    copy (a feed excerpt) meets the full text first.
    The canonical article of a group is its earliest dated complete version (at least
    ``complete_share`` of the longest text's length), then the longest, then the first given; it keeps
    its own text and lists the others in ``copies``. Texts without a word are never folded.
    """
    # One tokenisation per text serves both its exact key and its shingles.
    words = [_TOKEN.findall(article.text.casefold()) for article in articles]
    sets = {i: _word_shingles(words[i], config.shingle_words) for i in range(len(articles))}
    order = sorted(range(len(articles)), key=lambda i: (-len(sets[i]), i))
    leader_of: dict[int, int] = {}
    by_key: dict[str, int] = {}
    index = _LeaderIndex(config, sets)
    named: dict[int, frozenset[str]] = {}

    def are_copies(i: int, j: int) -> bool:
        if overlap(sets[i], sets[j]) < config.min_overlap:
            return False
        for k in (i, j):
            if k not in named:
                named[k] = names(articles[k].text)
        return names_agree(named[i], named[j], config)

    for i in order:
        if not sets[i]:
            continue
        key = _words_key(words[i])
        if key in by_key:
            leader_of[i] = by_key[key]
            continue
        best = max(((overlap(sets[i], sets[j]), -j) for j in index.candidates(i) if are_copies(i, j)), default=(0.0, 0))
        if best[0] >= config.min_overlap:
            leader_of[i] = -best[1]
        else:
            by_key[key] = i
            index.add(i)
    groups: dict[int, list[int]] = {}
    for i, leader in leader_of.items():
        groups.setdefault(leader, [leader]).append(i)
    canonical_of = {}
    for leader, members in groups.items():
        longest = len(sets[leader])
        complete = [i for i in members if len(sets[i]) >= config.complete_share * longest]
        canonical = min(complete, key=lambda i: _preference(articles[i], i))
        canonical_of.update({i: canonical for i in members})
    copies_of: dict[int, list[int]] = {}
    for member, canonical in sorted(canonical_of.items()):
        if member != canonical:
            copies_of.setdefault(canonical, []).append(member)
    folded = []
    for i, article in enumerate(articles):
        if canonical_of.get(i, i) != i:
            continue
        copies = list(article.copies)
        for member in copies_of.get(i, []):
            copies.append(copy_of(articles[member], article, overlap(sets[i], sets[member])))
            copies.extend(articles[member].copies)  # copies folded into it earlier come along
        folded.append(
            dataclasses.replace(article, copies=tuple(copies)) if len(copies) > len(article.copies) else article
        )
    return folded


class _LeaderIndex:
    """MinHash LSH over the canonical articles' 5-gram sets; proposes candidates, never decides.

    Only a leader that a text overlaps by ``min_overlap`` can take it, so while there are few leaders
    the text is first compared with each exactly (a set intersection, a tenth of a signature's cost):
    a text that reaches none of them needs no signature, and one that reaches some gets the proposals
    an index of those leaders makes, which are the full index's proposals among them. Past
    ``_EXACT_LEADERS`` leaders, or texts that reach one (a batch of wire copies), every leader is signed
    into one index, asked as before. tests/test_dedupe.py checks that the groups are those of an index of
    every leader.
    """

    def __init__(self, config: DedupeConfig, sets: Mapping[int, frozenset[str]]) -> None:
        self._config = config
        self._sets = sets
        self._leaders: list[int] = []
        self._signed: dict[int, Any] = {}  # signatures made and still needed
        self._reaching = 0  # texts that reached a leader before the index was built
        self._lsh: Any = None

    def candidates(self, key: int) -> list[int]:
        """Return the leaders LSH proposes for text ``key``, or at least those of them it overlaps enough."""
        if self._lsh is None:
            # Keep the leaders' signatures only: an earlier text that did not become one is done with.
            self._signed = {j: self._signed[j] for j in self._leaders if j in self._signed}
            text = self._sets[key]
            reached = [j for j in self._leaders if overlap(text, self._sets[j]) >= self._config.min_overlap]
            if not reached:
                return []  # whatever LSH proposed, no proposal could take the text
            self._reaching += 1
            if self._reaching <= _EXACT_LEADERS:
                index = self._new_index()
                for j in reached:
                    index.insert(j, self._signature(j))
                return sorted(index.query(self._signature(key)))
            self._index_every_leader()
        self._signed = {key: self._signed[key]} if key in self._signed else {}  # the leaders are in the index
        return sorted(self._lsh.query(self._signature(key)))

    def add(self, key: int) -> None:
        self._leaders.append(key)
        if self._lsh is None and len(self._leaders) > _EXACT_LEADERS:
            self._index_every_leader()
        elif self._lsh is not None:
            self._lsh.insert(key, self._signature(key))

    def _index_every_leader(self) -> None:
        self._lsh = self._new_index()
        for leader in self._leaders:
            self._lsh.insert(leader, self._signature(leader))
        self._signed.clear()

    def _new_index(self) -> Any:
        from datasketch import MinHashLSH

        bands = _lsh_bands(self._config.candidate_jaccard, self._config.num_perm)
        return MinHashLSH(num_perm=self._config.num_perm, params=bands)

    def _signature(self, key: int) -> Any:
        if key not in self._signed:  # once per text: querying and inserting share it
            self._signed[key] = signature(self._sets[key], self._config)
        return self._signed[key]


# Leaders compared one by one, and texts given an index of the leaders they reach, before every leader is
# signed into one index: 16 set intersections cost about what one signature costs (bench/ingest.py's
# pages: 10 us against 100-150 us); a small index per text costs more than a query once many texts reach.
_EXACT_LEADERS = 16


def signature(shingle_set: frozenset[str], config: DedupeConfig, permutations: int | None = None) -> Any:
    """The MinHash (datasketch) of a 5-gram set: the same in every process for the same configuration.

    ``permutations`` (default ``config.num_perm``) makes a shorter signature, with permutations of its own.
    """
    from datasketch import MinHash  # imported here: numpy and scipy load slowly

    count = permutations or config.num_perm
    parameters, scheme = _permutations(count, config.seed)
    minhash = MinHash(
        num_perm=count,
        seed=config.seed,
        permutations=parameters,
        scheme=scheme,
        # CRC-32 in C: deterministic across processes, and several times faster than the
        # default SHA-1 wrapper; the permutations supply the randomness MinHash needs.
        hashfunc=zlib.crc32,
    )
    # In set order: a MinHash keeps the minimum of each permutation, whatever the order of updates.
    minhash.update_batch([shingle.encode() for shingle in shingle_set])
    return minhash


def band_keys(shingle_set: frozenset[str], config: DedupeConfig) -> tuple[int, ...]:
    """The LSH band keys of a 5-gram set: two texts share one as often as the in-memory index proposes them.

    Each key is a signed 64-bit hash of a band's number and its rows of the MinHash, so that a store can
    index them (``Store.near_candidates``). The bands and rows are those of the in-memory index, which
    reads only ``bands * rows`` of its permutations, so the signature is made with that many alone (56 of
    128 by default: 0.22 ms instead of 0.88 ms for the 750-word seed article).
    """
    if not shingle_set:
        return ()
    bands, rows = _lsh_bands(config.candidate_jaccard, config.num_perm)
    values = signature(shingle_set, config, bands * rows).hashvalues
    return tuple(_band_key(band, values[band * rows : (band + 1) * rows].tobytes()) for band in range(bands))


def _band_key(band: int, rows: bytes) -> int:
    digest = hashlib.blake2b(band.to_bytes(2, "little") + rows, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True, slots=True)
class NearKeys:
    """What a store keeps of an article to find its near copies: band keys as stored and as asked, and names."""

    stored: tuple[int, ...]
    asked: tuple[int, ...]
    names: bytes  # ``packed_names`` of its ``names``: a candidate whose names disagree is not read


def near_keys(text: str, published: datetime | None, config: DedupeConfig) -> NearKeys:
    """The ``band_keys`` of a text in its window of publication time, those of the windows beside it, its names.

    Time is cut into windows of ``window_days``; a text's keys are stored in its own window and asked in its
    own and the two beside it, so two texts published less than ``window_days`` apart always meet, and texts
    months apart (a template reused every day) never do. Undated texts have a window of their own.
    """
    keys = band_keys(shingles(text, config.shingle_words), config)
    found = packed_names(names(text))
    if published is None:
        undated = tuple(_in_window(key, None) for key in keys)
        return NearKeys(undated, undated, found)
    window = (comparable(published) - _EPOCH).days // config.window_days
    stored = tuple(_in_window(key, window) for key in keys)
    asked = tuple(_in_window(key, at) for at in (window - 1, window, window + 1) for key in keys)
    return NearKeys(stored, asked, found)


def packed_names(found: frozenset[str]) -> bytes:
    """A set of names as 32-bit hashes (CRC-32) in bytes, for a store to keep; ``unpacked_names`` reads it."""
    return array("I", sorted({zlib.crc32(name.encode()) for name in found})).tobytes()


def unpacked_names(blob: bytes) -> frozenset[int]:
    """The hashes of ``packed_names``: ``names_agree`` compares two of them as it compares the names."""
    hashes = array("I")
    hashes.frombytes(blob)
    return frozenset(hashes)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MASK = (1 << 64) - 1


def _in_window(key: int, window: int | None) -> int:
    """``key`` made distinct for each window (a signed 64-bit integer, as SQLite stores it)."""
    mixed = ((key * 0x100000001B3) ^ ((window if window is not None else -(1 << 40)) * 0x9E3779B97F4A7C15)) & _MASK
    return mixed - (1 << 64) if mixed >= 1 << 63 else mixed


def band_scheme(config: DedupeConfig) -> dict[str, int | float]:
    """What ``near_keys`` depend on: keys made under another scheme must be made again before they are compared."""
    bands, rows = _lsh_bands(config.candidate_jaccard, config.num_perm)
    return {"shingle_words": config.shingle_words, "num_perm": config.num_perm, "seed": config.seed,
            "bands": bands, "rows": rows, "window_days": config.window_days, "version": 3}  # fmt: skip


@functools.lru_cache(maxsize=16)
def _permutations(permutations: int, seed: int) -> tuple[Any, str]:
    """datasketch's permutation parameters and scheme for a seed: drawn once per process, not per batch.

    Drawing them is most of a MinHash's cost (0.25 ms); every signature shares them, read only.
    """
    from datasketch import MinHash

    probe = MinHash(num_perm=permutations, seed=seed, hashfunc=zlib.crc32)
    return probe.permutations, str(probe.scheme)


@functools.lru_cache(maxsize=16)
def _lsh_bands(threshold: float, permutations: int) -> tuple[int, int]:
    """datasketch's bands and rows for a threshold: the same numbers, found once per process, not per batch.

    Its search integrates the false positive and negative rates for every split of the permutations, 23 ms
    each time a MinHashLSH is made (bench/ingest.py: a fifth of a 9-page ``extract``).
    """
    from datasketch import MinHashLSH

    probe = MinHashLSH(threshold=threshold, num_perm=permutations)
    return int(probe.b), int(probe.r)


def _preference(article: Article, position: int) -> tuple[bool, datetime, int, int]:
    return (article.date_publish is None, comparable(article.date_publish), -len(article.text), position)


def copy_of(article: Article, kept: Article, share: float) -> Copy:
    """``article`` as a folded copy of ``kept``: its outlet and metadata, and the paragraphs only it has."""
    present = {content_key(paragraph) for paragraph in kept.paragraphs}
    extra = [paragraph for paragraph in article.paragraphs if content_key(paragraph) not in present]
    return Copy(
        article_id=article.id,
        outlet=article.outlet,
        location=article.origin.location,
        title=article.title,
        date_publish=article.date_publish,
        url=article.url,
        overlap=round(share, 3),
        extra_text="\n\n".join(extra),
    )
