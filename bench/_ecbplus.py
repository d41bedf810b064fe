"""ECB+ topics 1-35 as the benchmarks read it: documents, annotated mentions, and each event as a newsweave Story.

Data: ../shared/data/ecbplus/ (Cybulska & Vossen, LREC 2014; CC BY 3.0; see its PROVENANCE.md). Each event becomes
one Story: one Article per document, whose outlet is the document id (most ECB+ documents name no outlet, and each
document is an independent report, so each counts as its own source), whose text is the corpus's sentences joined
by blank lines (the URL line of the ECB+ half left out, as docs.jsonl's ``text`` leaves it out), and whose Sentence
records are the corpus's own split, so that anything newsweave points at maps back to exactly one corpus sentence:
``Article.sentences[i]`` is ``docs.jsonl`` sentence ``Document.corpus_index[i]``.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newsweave.records import Article, Origin, Sentence, Story

ROOT = Path(__file__).resolve().parent.parent
ECBPLUS = ROOT.parent / "shared" / "data" / "ecbplus"
DOCS = ECBPLUS / "docs.jsonl"
MENTIONS = ECBPLUS / "mentions.jsonl"
ANNOTATED = ECBPLUS / "ECBplus_coreference_sentences.csv"
SEPARATOR = "\n\n"  # between sentences: each corpus sentence is a paragraph of its article

_LOWER = re.compile(r"\b[a-z]+\b")
SentenceKey = tuple[str, int]  # (document id, index in docs.jsonl "sentences")


@dataclass(frozen=True)
class Document:
    id: str
    topic: int
    event: str
    sentences: tuple[str, ...]  # the corpus's split, URL line left out
    corpus_index: tuple[int, ...]  # each sentence's index in docs.jsonl "sentences", mentions.jsonl and the CSV


@dataclass(frozen=True)
class Mention:
    doc: str
    sentence: int  # index in docs.jsonl "sentences"
    start: int  # character offsets in that sentence
    end: int
    text: str
    type: str
    chain: str
    cross_doc: bool


@dataclass(frozen=True)
class Corpus:
    documents: dict[str, Document]
    events: dict[str, tuple[str, ...]]  # event -> its document ids, sorted
    mentions: tuple[Mention, ...]  # all of them, every topic (the name perturbations draw from other topics)
    mentions_by_doc: dict[str, tuple[Mention, ...]]
    annotated: frozenset[SentenceKey]
    lowercase_words: frozenset[str]  # words the corpus writes in lower case somewhere ("party", "rehab", "mark")


def load_corpus() -> Corpus:
    """Return ECB+ topics 1-35; exits with a message when the shared data folder is missing."""
    for path in (DOCS, MENTIONS, ANNOTATED):
        if not path.exists():
            sys.exit(
                f"bench/{Path(sys.argv[0]).name}: {path} is missing. The shared data folder must sit beside the "
                "project as ../shared (see ../shared/data/README.md)."
            )
    documents: dict[str, Document] = {}
    with DOCS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            # The ECB+ half (url set) has the page's URL as sentence 0: not a statement of the report.
            first = 1 if record["url"] else 0
            sentences = tuple(record["sentences"][first:])
            if any(SEPARATOR in sentence for sentence in sentences):
                raise ValueError(f"{record['id']}: a sentence holds a blank line; the article text would be ambiguous")
            documents[record["id"]] = Document(
                record["id"], record["topic"], record["event"], sentences, tuple(range(first, len(record["sentences"])))
            )
    events: dict[str, list[str]] = defaultdict(list)
    for document in documents.values():
        events[document.event].append(document.id)
    with MENTIONS.open(encoding="utf-8") as handle:
        mentions = tuple(
            Mention(**{field: value for field, value in json.loads(line).items() if field != "descriptor"})
            for line in handle
        )
    # "Sentence Number" is 0-based, the same index as mentions.jsonl "sentence" and docs.jsonl "sentences": each of
    # the 1,383 listed sentences of topics 1-35 holds mentions at that index (shifted by one, only 357 would), and
    # the URL line (sentence 0 of the ECB+ half) is never listed. Topics 36-45 are listed but not in docs.jsonl.
    with ANNOTATED.open(encoding="utf-8", newline="") as handle:
        listed = {(f"{row['Topic']}_{row['File']}", int(row["Sentence Number"])) for row in csv.DictReader(handle)}
    annotated = frozenset(key for key in listed if key[0] in documents)
    mentioned = {(mention.doc, mention.sentence) for mention in mentions}
    assert annotated <= mentioned, "an annotated sentence without mentions: the CSV's sentence numbers moved"
    for doc_id, index in annotated:
        assert index in documents[doc_id].corpus_index, f"annotated sentence {doc_id}:{index} is a URL line"
    lowercase = frozenset(
        word for document in documents.values() for sentence in document.sentences for word in _LOWER.findall(sentence)
    )
    by_event = {event: tuple(sorted(ids)) for event, ids in sorted(events.items())}
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_doc[mention.doc].append(mention)
    by_doc_tuples = {doc_id: tuple(found) for doc_id, found in by_doc.items()}
    return Corpus(documents, by_event, mentions, by_doc_tuples, annotated, lowercase)


def build_article(document_id: str, sentences: Sequence[str], location: str) -> Article:
    """Return an Article whose text is ``sentences`` joined by blank lines and whose Sentence records are them."""
    records = []
    offset = 0
    for index, text in enumerate(sentences):
        records.append(Sentence(document_id, index, offset, offset + len(text), text))
        offset += len(text) + len(SEPARATOR)
    article = Article(
        id=document_id,
        outlet=document_id,  # every ECB+ document is its own source (most name no outlet)
        text=SEPARATOR.join(sentences),
        origin=Origin(location, "bench"),
        source_id=document_id,
        sentences=tuple(records),
    )
    assert all(article.text[s.start : s.end] == s.text for s in article.sentences)
    return article


def event_story(corpus: Corpus, event: str) -> Story:
    """Return one ECB+ event as a Story: an Article per document, in document-id order."""
    articles = tuple(
        build_article(doc_id, corpus.documents[doc_id].sentences, f"{DOCS}#{doc_id}") for doc_id in corpus.events[event]
    )
    return Story(id=event, title=None, articles=articles)
