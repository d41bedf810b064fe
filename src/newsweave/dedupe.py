"""Fold duplicate and syndicated copies into one canonical article that lists every outlet that ran it.

Exact copies share a normalised-content hash. Near copies (wire stories an outlet ran with its own
intro, footer or cuts) are found with MinHash LSH over word 5-grams and confirmed by the exact share
of the shorter text's 5-grams that both texts contain, so a shortened copy still counts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsweave.dates import comparable
from newsweave.records import Article, Copy

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DedupeConfig:
    """How alike two texts must be to be one article; values measured in bench/dedupe.py."""

    shingle_words: int = 5
    # LSH only proposes candidates; it is set low so that shortened copies are proposed at all.
    candidate_jaccard: float = 0.3
    # Share of the shorter text's 5-grams found in the longer one for the two to be copies.
    min_overlap: float = 0.6
    num_perm: int = 128
    seed: int = 1


def content_key(text: str) -> str:
    """Return the hash of a text with case, punctuation and spacing ignored (exact-duplicate key)."""
    words = " ".join(_TOKEN.findall(text.casefold()))
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def shingles(text: str, size: int) -> frozenset[str]:
    """Return the set of word ``size``-grams of ``text`` (case and punctuation ignored)."""
    words = _TOKEN.findall(text.casefold())
    if len(words) < size:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the share of the smaller set that the larger one contains."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def fold_copies(articles: Sequence[Article], config: DedupeConfig = DedupeConfig()) -> list[Article]:
    """Return ``articles`` with copies folded into a canonical article each, in input order.

    The canonical copy is the earliest dated one, then the longest, then the first given; it keeps
    its own text and lists the others in ``copies``.
    """
    groups = _groups(articles, config)
    sets = [shingles(article.text, config.shingle_words) for article in articles]
    folded: list[tuple[int, Article]] = []
    for members in groups:
        canonical = min(members, key=lambda i: _preference(articles[i], i))
        copies = list(articles[canonical].copies)
        for i in sorted(members):
            if i != canonical:
                copies.append(_copy(articles[i], articles[canonical], overlap(sets[canonical], sets[i])))
                copies.extend(articles[i].copies)  # copies folded into it earlier come along
        folded.append((canonical, dataclasses.replace(articles[canonical], copies=tuple(copies))))
    return [article for _, article in sorted(folded, key=lambda item: item[0])]


def _groups(articles: Sequence[Article], config: DedupeConfig) -> list[list[int]]:
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[max(find(i), find(j))] = min(find(i), find(j))

    by_key: dict[str, int] = {}
    for i, article in enumerate(articles):
        key = content_key(article.text)
        if key in by_key:
            join(by_key[key], i)
        else:
            by_key[key] = i
    for i, j in _near_pairs(articles, sorted(set(by_key.values())), config):
        join(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _near_pairs(articles: Sequence[Article], candidates: Sequence[int], config: DedupeConfig) -> list[tuple[int, int]]:
    if len(candidates) < 2:
        return []
    from datasketch import MinHash, MinHashLSH  # imported here: numpy and scipy load slowly

    sets = {i: shingles(articles[i].text, config.shingle_words) for i in candidates}
    lsh = MinHashLSH(threshold=config.candidate_jaccard, num_perm=config.num_perm)
    pairs = []
    for i in candidates:
        signature = MinHash(num_perm=config.num_perm, seed=config.seed)
        signature.update_batch([shingle.encode() for shingle in sorted(sets[i])])
        for j in sorted(lsh.query(signature)):
            if overlap(sets[i], sets[j]) >= config.min_overlap:
                pairs.append((j, i))
        lsh.insert(i, signature)
    return pairs


def _preference(article: Article, position: int) -> tuple[bool, datetime, int, int]:
    return (article.date_publish is None, comparable(article.date_publish), -len(article.text), position)


def _copy(article: Article, kept: Article, share: float) -> Copy:
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
