"""Sentence segmentation: newsweave (syntok) against pysbd, sentencex, blingfire and spaCy's sentencizer.

Run from the project root: ``.venv/bin/python bench/segment.py`` (``make bench`` runs it too).

Measures, on ECB+ (772 real news documents, ../shared/data/ecbplus/docs.jsonl):
- boundary precision/recall/F1: each document's gold sentences are joined with ONE space (no newline
  gives the segmenter a hint, the hard case) and a segmenter's sentence end offsets are compared with
  the gold ones, micro-averaged over all documents, with 95% bootstrap intervals (documents resampled);
- throughput: wall time over the whole corpus, best of 3 runs;
- a table of tricky cases with the expected split, scored as exactly right or not.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "data" / "ecbplus" / "docs.jsonl"

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240514
TIMING_RUNS = 3
# A gold sentence that ends like this has a boundary a segmenter can see; the others are headlines,
# datelines and bylines that the single-space join runs into the next sentence.
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")

# Segmenter: text in, sentence end offsets (exclusive, after the last non-space character) out.
Ends = list[int]


@dataclass(frozen=True)
class Segmenter:
    name: str
    run: Callable[[str], Any]  # the library call alone (timed)
    ends: Callable[[str, Any], Ends]  # its output turned into end offsets (not timed)


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    gold_ends: frozenset[int]  # inner boundaries only: the end of the text is no decision
    terminal_ends: frozenset[int]  # the gold boundaries after terminal punctuation
    sentences: int


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int
    terminal_tp: int
    terminal: int


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    expected: tuple[str, ...]


# Each case is one decision that news text makes often; expected splits follow ordinary news style.
TRICKY_CASES = (
    Case(
        "Mr / Mr. / U.S. mid-sentence",
        "Mr Kim met Mr. Xi in the U.S. on Monday. Talks went well.",
        ("Mr Kim met Mr. Xi in the U.S. on Monday.", "Talks went well."),
    ),
    Case(
        "end inside closing curly quote",
        "“We will rebuild,” she said. “This is our town.” The crowd cheered.",
        ("“We will rebuild,” she said.", "“This is our town.”", "The crowd cheered."),
    ),
    Case(
        "end inside curly single quote",
        "He called it ‘a disgrace.’ The council disagreed.",
        ("He called it ‘a disgrace.’", "The council disagreed."),
    ),
    Case(
        "question inside straight quotes",
        'He asked, "Why now?" The minister did not answer.',
        ('He asked, "Why now?"', "The minister did not answer."),
    ),
    Case(
        "decimal: 3.5 times",
        "Traffic is 3.5 times higher than in 1967. Repairs were deferred.",
        ("Traffic is 3.5 times higher than in 1967.", "Repairs were deferred."),
    ),
    Case(
        "5 p.m. Tuesday",
        "The vote closes at 5 p.m. Tuesday, officials said. Results follow.",
        ("The vote closes at 5 p.m. Tuesday, officials said.", "Results follow."),
    ),
    Case(
        "sentence ends with p.m.",
        "The span fell at 5.40 p.m. Two cars went into the river.",
        ("The span fell at 5.40 p.m.", "Two cars went into the river."),
    ),
    Case(
        "Dr. Smith",
        "Dr. Smith said the patient was stable. She was discharged on Friday.",
        ("Dr. Smith said the patient was stable.", "She was discharged on Friday."),
    ),
    Case(
        "sentence ends with U.S.",
        "The delegation flew to the U.S. They met officials there.",
        ("The delegation flew to the U.S.", "They met officials there."),
    ),
    Case(
        "initials J. R. Smith",
        "A report by J. R. Smith was published. It ran to 90 pages.",
        ("A report by J. R. Smith was published.", "It ran to 90 pages."),
    ),
    Case(
        "Acme Inc., mid-sentence",
        "The firm, Acme Inc., said profits rose. Shares fell 4 per cent.",
        ("The firm, Acme Inc., said profits rose.", "Shares fell 4 per cent."),
    ),
    Case(
        "Jan. 5 then full stop",
        "Sen. Warren and Gen. Mills met on Jan. 5. They agreed to talk again.",
        ("Sen. Warren and Gen. Mills met on Jan. 5.", "They agreed to talk again."),
    ),
    Case(
        "No. 10, St. Mary's",
        "No. 10 said St. Mary's Hospital was briefed. A statement followed.",
        ("No. 10 said St. Mary's Hospital was briefed.", "A statement followed."),
    ),
    Case(
        "? and ! in a row",
        "Was the bridge safe? Nobody knows! Officials declined to comment.",
        ("Was the bridge safe?", "Nobody knows!", "Officials declined to comment."),
    ),
    Case(
        "parenthesised sentence",
        "The road was closed. (Police gave no reason.) Traffic was diverted.",
        ("The road was closed.", "(Police gave no reason.)", "Traffic was diverted."),
    ),
    Case(
        "quote then attribution",
        "“It just dropped away.” That is how one driver put it.",
        ("“It just dropped away.”", "That is how one driver put it."),
    ),
)


def load_docs() -> list[Doc]:
    """Return the ECB+ documents with their gold sentences joined by one space."""
    if not DOCS.exists():
        sys.exit(
            f"bench/segment.py: {DOCS} is missing. The shared data folder must sit beside the project "
            "(../shared/data/ecbplus/docs.jsonl, see ../shared/data/README.md)."
        )
    docs = []
    with DOCS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sentences = [s.strip() for s in record["sentences"]]
            if record["url"]:
                sentences = sentences[1:]  # the URL line is not part of `text`
            sentences = [s for s in sentences if s]
            if not sentences:
                continue
            text = " ".join(sentences)
            ends, terminal, offset = [], [], 0
            for sentence in sentences:
                offset += len(sentence)
                ends.append(offset)
                if _TERMINAL.search(sentence):
                    terminal.append(offset)
                offset += 1
            inner = frozenset(ends[:-1])
            docs.append(Doc(record["id"], text, inner, inner & frozenset(terminal), len(sentences)))
    return docs


def ends_of_strings(text: str, sentences: Iterable[str]) -> Ends:
    """Return the end offsets of ``sentences``, which are consecutive pieces of ``text`` (whitespace aside)."""
    ends, position = [], 0
    for sentence in sentences:
        piece = sentence.strip()
        if not piece:
            continue
        found = text.find(piece, position)
        if found < 0:
            raise ValueError(f"segment {piece[:60]!r} is not in the text after offset {position}")
        position = found + len(piece)
        ends.append(position)
    return ends


def ends_of_spans(text: str, spans: Iterable[tuple[int, int]]) -> Ends:
    """Return the end offsets of ``(start, end)`` spans, trailing whitespace removed."""
    ends = []
    for start, end in spans:
        piece = text[start:end].rstrip()
        if piece.strip():
            ends.append(start + len(piece))
    return ends


def segmenters() -> tuple[list[Segmenter], list[str]]:
    """Return the segmenters that are installed, and a note for each one that is not."""
    try:
        import blingfire
        import pysbd
        import sentencex
    except ImportError as error:
        sys.exit(f"bench/segment.py: {error}. Install the benchmark peers: .venv/bin/pip install -e '.[bench]'")
    from newsweave.segment import sentence_spans

    pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)
    found = [
        Segmenter("newsweave (syntok)", lambda text: list(sentence_spans(text)), ends_of_spans),
        Segmenter("pysbd", pysbd_segmenter.segment, ends_of_strings),
        Segmenter("sentencex", lambda text: list(sentencex.segment("en", text)), ends_of_strings),
        Segmenter(
            "blingfire",
            lambda text: blingfire.text_to_sentences_and_offsets(text)[1],
            ends_of_spans,
        ),
    ]
    notes = []
    try:
        import spacy
    except ImportError:
        notes.append("spaCy sentencizer: skipped, spacy is not installed (it is not in the bench extra).")
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        found.append(
            Segmenter(
                "spaCy sentencizer",
                lambda text: [(s.start_char, s.end_char) for s in nlp(text).sents],
                ends_of_spans,
            )
        )
    return found, notes


def versions() -> str:
    """Return one line naming the versions of Python and of every library compared."""
    names = ["newsweave", "syntok", "pysbd", "sentencex", "blingfire", "spacy"]
    found = [f"python {platform.python_version()}"]
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def count(doc: Doc, ends: Ends) -> Counts:
    """Return the boundary counts of one document."""
    final = len(doc.text)
    predicted = frozenset(end for end in ends if end < final)
    tp = len(predicted & doc.gold_ends)
    return Counts(
        tp, len(predicted) - tp, len(doc.gold_ends) - tp, len(predicted & doc.terminal_ends), len(doc.terminal_ends)
    )


def f1(counts: Sequence[Counts], indices: Iterable[int] | None = None) -> tuple[float, float, float]:
    """Return micro-averaged precision, recall and F1 over the documents at ``indices`` (all by default)."""
    tp = fp = fn = 0
    for i in indices if indices is not None else range(len(counts)):
        tp += counts[i].tp
        fp += counts[i].fp
        fn += counts[i].fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def percentile_interval(values: list[float]) -> tuple[float, float]:
    """Return the 2.5th and 97.5th percentiles of ``values``."""
    ordered = sorted(values)
    return ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a markdown table with aligned columns; numbers are right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if re.match(r"^[-+\d.,%/ (—)±\[\]]+$", cell) and i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def main() -> None:
    docs = load_docs()
    systems, notes = segmenters()
    gold_sentences = sum(doc.sentences for doc in docs)
    print("# Sentence segmentation benchmark (bench/segment.py)\n")
    print(f"Versions: {versions()}")
    print(
        f"Data: ECB+ topics 1-35, {len(docs)} documents, {gold_sentences} gold sentences, "
        f"{sum(len(d.gold_ends) for d in docs)} inner boundaries "
        f"({sum(len(d.terminal_ends) for d in docs)} after terminal punctuation). "
        "Gold sentences joined with one space."
    )
    for note in notes:
        print(f"Note: {note}")

    counts: dict[str, list[Counts]] = {}
    best_time: dict[str, float] = {}
    for system in systems:
        times, outputs = [], []
        for run in range(TIMING_RUNS):
            start = time.perf_counter()
            produced = [system.run(doc.text) for doc in docs]
            times.append(time.perf_counter() - start)
            if run == 0:
                outputs = produced
        best_time[system.name] = min(times)
        counts[system.name] = [count(doc, system.ends(doc.text, out)) for doc, out in zip(docs, outputs, strict=True)]

    rng = random.Random(BOOTSTRAP_SEED)
    samples = [rng.choices(range(len(docs)), k=len(docs)) for _ in range(BOOTSTRAP_RESAMPLES)]
    reference = systems[0].name
    reference_f1 = [f1(counts[reference], sample)[2] for sample in samples]

    rows = []
    for system in systems:
        per_doc = counts[system.name]
        precision, recall, score = f1(per_doc)
        sampled = [f1(per_doc, sample)[2] for sample in samples]
        low, high = percentile_interval(sampled)
        terminal_recall = sum(c.terminal_tp for c in per_doc) / max(1, sum(c.terminal for c in per_doc))
        if system.name == reference:
            delta = "—"
        else:
            d_low, d_high = percentile_interval([s - r for s, r in zip(sampled, reference_f1, strict=True)])
            delta = f"{score - f1(counts[reference])[2]:+.3f} [{d_low:+.3f}, {d_high:+.3f}]"
        rows.append(
            [
                system.name,
                f"{precision:.3f}",
                f"{recall:.3f}",
                f"{score:.3f}",
                f"[{low:.3f}, {high:.3f}]",
                delta,
                f"{terminal_recall:.3f}",
            ]
        )
    print("\n## ECB+ boundary accuracy (micro-averaged over documents)\n")
    print(
        table(
            ["segmenter", "P", "R", "F1", "F1 95% CI", f"ΔF1 vs {reference} [95% CI]", "R after . ! ?"],
            rows,
        )
    )
    print(
        f"\nCI: percentile bootstrap, {BOOTSTRAP_RESAMPLES} resamples of the documents (seed {BOOTSTRAP_SEED}), "
        "the same resamples for every segmenter (ΔF1 is paired). The end of each document is not counted.\n"
        "'R after . ! ?' is recall on the gold boundaries after terminal punctuation: the others follow "
        "headlines and datelines that no segmenter can split from the next sentence when joined by a space."
    )

    print(f"\n## ECB+ throughput (best of {TIMING_RUNS} runs, one process, one thread)\n")
    rows = []
    total_chars = sum(len(doc.text) for doc in docs)
    for system in systems:
        seconds = best_time[system.name]
        rows.append(
            [
                system.name,
                f"{seconds:.3f}",
                f"{len(docs) / seconds:,.0f}",
                f"{gold_sentences / seconds:,.0f}",
                f"{total_chars / seconds / 1e6:.2f}",
            ]
        )
    print(table(["segmenter", "wall s", "docs/s", "sentences/s", "MB/s"], rows))

    print(f"\n## Tricky cases ({len(TRICKY_CASES)}): ✓ = exactly the expected split\n")
    rows = []
    right = dict.fromkeys(counts, 0)
    wrong: list[str] = []
    for case in TRICKY_CASES:
        row = [case.name]
        for system in systems:
            ends = system.ends(case.text, system.run(case.text))
            starts = [0, *ends[:-1]]
            got = tuple(case.text[a:b].strip() for a, b in zip(starts, ends, strict=True))
            if got == case.expected:
                right[system.name] += 1
                row.append("✓")
            else:
                row.append("✗")
                wrong.append(f"- {system.name} on {case.name!r}: {list(got)}")
        rows.append(row)
    rows.append(["exactly right", *(f"{right[s.name]}/{len(TRICKY_CASES)}" for s in systems)])
    print(table(["case", *(s.name for s in systems)], rows))
    print("\nWrong splits:")
    print("\n".join(wrong) if wrong else "(none)")


if __name__ == "__main__":
    main()
