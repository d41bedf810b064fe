"""Sentence segmentation: newsweave (Bling Fire inside) against syntok, pysbd, sentencex, bare blingfire and spaCy.

Run from the project root: ``.venv/bin/python bench/segment.py`` (``make bench`` runs it too).

Measures, on ECB+ (772 real news documents, ../shared/data/ecbplus/docs.jsonl):
- boundary precision/recall/F1: each document's gold sentences are joined with ONE space (no newline
  gives the segmenter a hint, the hard case) and a segmenter's sentence end offsets are compared with
  the gold ones, micro-averaged over all documents, with 95% bootstrap intervals (documents resampled);
- throughput: wall time over the whole corpus, best of 3 runs;
- a table of tricky cases with the expected split, scored as exactly right or not.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import table, versions

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "data" / "ecbplus" / "docs.jsonl"

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240514
TIMING_RUNS = 3
# A gold sentence that ends like this has a boundary a segmenter can see; the others are headlines,
# datelines and bylines that the single-space join runs into the next sentence.
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_CLOSING_OR_SPACE = frozenset(" \"'”’»)]")
# ECB+ was detokenised with a space before some closing quotes: 'ended. " Then' (352 sentences).
_SPACED_CLOSING_QUOTE_AFTER = re.compile(r" [\"”’'](?: |$)")
_SPACED_CLOSING_QUOTE_BEFORE = re.compile(r"[.!?,] [\"”’']$")
_TITLE_BEFORE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Lt|Sgt|Gov|Rev|Const|Capt|Gen|Sen|Rep|Col|Maj|Cpl|Det|Supt|Prof|St|No)\.$"
)
_FINAL_ABBREVIATION = re.compile(r"(?:\b[a-zA-Z]\. ?[a-zA-Z]\.|\b(?:Inc|Ltd|Co|Corp|St|Ave|Jr|Sr|Bros)\.)$")

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
    """Boundary counts of one document: true positives, false positives, false negatives."""

    tp: int
    fp: int
    fn: int


@dataclass(frozen=True)
class Scored:
    """Everything measured on one document for one segmenter."""

    strict: Counts
    quote_tolerant: Counts
    terminal_found: int
    errors: Counter[str]


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
        "sentence ends with 5.40pm.",
        "The span fell at about 5.40pm. Two cars went into the river.",
        ("The span fell at about 5.40pm.", "Two cars went into the river."),
    ),
    Case(
        "sentence ends with £4.2m.",
        "Repairs were put at £4.2m. Councillors deferred them.",
        ("Repairs were put at £4.2m.", "Councillors deferred them."),
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
        "Mr. + mixed-case surname",
        "The council said Mr. DeVane was wrong.",
        ("The council said Mr. DeVane was wrong.",),
    ),
    Case(
        "Lt. / Gov. before a name",
        "Police Lt. Dana Marsh briefed Gov. Ellen Hart.",
        ("Police Lt. Dana Marsh briefed Gov. Ellen Hart.",),
    ),
    Case(
        "semicolon, then a capital",
        "The bridge closed on Monday; Eastfold buses now take the Marsh Lane detour.",
        ("The bridge closed on Monday; Eastfold buses now take the Marsh Lane detour.",),
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
        from syntok import segmenter as syntok_segmenter
    except ImportError as error:
        sys.exit(
            f"bench/segment.py: {error}. Install the benchmark peers: .venv/bin/pip install -e '.[bench]' numpy "
            "(blingfire 0.1.8 needs numpy but does not declare it)"
        )
    from newsweave.segment import sentence_spans

    pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)
    found = [
        Segmenter("newsweave", lambda text: list(sentence_spans(text)), ends_of_spans),
        Segmenter("syntok", lambda text: _syntok_spans(syntok_segmenter, text), ends_of_spans),
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


def _syntok_spans(segmenter: Any, text: str) -> list[tuple[int, int]]:
    return [
        (sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
        for paragraph in segmenter.analyze(text)
        for sentence in paragraph
        if sentence
    ]


LIBRARIES = ["newsweave", "syntok", "pysbd", "sentencex", "blingfire", "spacy"]


def _counts(predicted: frozenset[int], gold: frozenset[int]) -> Counts:
    tp = len(predicted & gold)
    return Counts(tp, len(predicted) - tp, len(gold) - tp)


def without_closing_marks(text: str, end: int) -> int:
    """Return ``end`` moved left past closing quotes, brackets and spaces (the quote-tolerant boundary)."""
    while end > 0 and text[end - 1] in _CLOSING_OR_SPACE:
        end -= 1
    return end


def error_kind(text: str, end: int, false_positive: bool) -> str:
    """Return a rough name for why a boundary was wrong (regular expressions, not a gold annotation)."""
    before, after = text[:end], text[end : end + 3]
    if false_positive:
        if _SPACED_CLOSING_QUOTE_AFTER.match(after):
            return "FP: before a spaced closing quote"
        if _TITLE_BEFORE.search(before):
            return "FP: after a title (Mr., Lt., Gov., ...)"
        if re.search(r"\d\.$", before) and re.match(r" \d", after):
            return "FP: inside a spaced decimal (6. 4)"
        if before.endswith(";"):
            return "FP: after a semicolon"
        return "FP: other"
    if _SPACED_CLOSING_QUOTE_BEFORE.search(before):
        return "FN: after a spaced closing quote"
    if not _TERMINAL.search(before):
        return "FN: no terminal punctuation (headline, dateline)"
    if _FINAL_ABBREVIATION.search(before):
        return "FN: after an abbreviation (p.m., U.S., Inc.)"
    return "FN: other, after . ! ?"


def score(doc: Doc, ends: Ends) -> Scored:
    """Return the boundary counts and error kinds of one document."""
    predicted = frozenset(end for end in ends if end < len(doc.text))
    errors: Counter[str] = Counter()
    for end in predicted - doc.gold_ends:
        errors[error_kind(doc.text, end, false_positive=True)] += 1
    for end in doc.gold_ends - predicted:
        errors[error_kind(doc.text, end, false_positive=False)] += 1
    tolerant_predicted = frozenset(without_closing_marks(doc.text, end) for end in predicted)
    tolerant_gold = frozenset(without_closing_marks(doc.text, end) for end in doc.gold_ends)
    return Scored(
        _counts(predicted, doc.gold_ends),
        _counts(tolerant_predicted, tolerant_gold),
        len(predicted & doc.terminal_ends),
        errors,
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


def main() -> None:
    docs = load_docs()
    systems, notes = segmenters()
    gold_sentences = sum(doc.sentences for doc in docs)
    print("# Sentence segmentation benchmark (bench/segment.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    print(
        f"Data: ECB+ topics 1-35 (CC BY 3.0, Cybulska & Vossen 2014), {len(docs)} documents, {gold_sentences} gold "
        f"sentences, {sum(len(d.gold_ends) for d in docs)} inner boundaries "
        f"({sum(len(d.terminal_ends) for d in docs)} after terminal punctuation). "
        "Gold sentences joined with one space."
    )
    for note in notes:
        print(f"Note: {note}")

    scored: dict[str, list[Scored]] = {}
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
        scored[system.name] = [score(doc, system.ends(doc.text, out)) for doc, out in zip(docs, outputs, strict=True)]

    rng = random.Random(BOOTSTRAP_SEED)
    samples = [rng.choices(range(len(docs)), k=len(docs)) for _ in range(BOOTSTRAP_RESAMPLES)]
    reference = systems[0].name

    def accuracy_rows(measure: Callable[[Scored], Counts]) -> list[list[str]]:
        reference_counts = [measure(s) for s in scored[reference]]
        reference_f1 = f1(reference_counts)[2]
        reference_sampled = [f1(reference_counts, sample)[2] for sample in samples]
        rows = []
        for system in systems:
            per_doc = [measure(s) for s in scored[system.name]]
            precision, recall, overall = f1(per_doc)
            sampled = [f1(per_doc, sample)[2] for sample in samples]
            low, high = percentile_interval(sampled)
            if system.name == reference:
                delta = "—"
            else:
                differences = [a - b for a, b in zip(sampled, reference_sampled, strict=True)]
                d_low, d_high = percentile_interval(differences)
                delta = f"{overall - reference_f1:+.3f} [{d_low:+.3f}, {d_high:+.3f}]"
            rows.append(
                [system.name, f"{precision:.3f}", f"{recall:.3f}", f"{overall:.3f}", f"[{low:.3f}, {high:.3f}]", delta]
            )
        return rows

    header = ["segmenter", "P", "R", "F1", "F1 95% CI", f"ΔF1 vs {reference} [95% CI]"]
    print("\n## ECB+ boundary accuracy, strict (micro-averaged over documents)\n")
    rows = accuracy_rows(lambda s: s.strict)
    terminal = sum(len(d.terminal_ends) for d in docs)
    for row, system in zip(rows, systems, strict=True):
        row.append(f"{sum(s.terminal_found for s in scored[system.name]) / terminal:.3f}")
    print(table([*header, "R after . ! ?"], rows))
    print(
        f"\nCI: percentile bootstrap, {BOOTSTRAP_RESAMPLES} resamples of the documents (seed {BOOTSTRAP_SEED}), the "
        "same resamples for every segmenter, so ΔF1 is paired. The end of each document is not counted.\n"
        "'R after . ! ?': recall on the gold boundaries after terminal punctuation; the other gold boundaries "
        "follow headlines,\ndatelines and bylines, which no segmenter can split from the next sentence once "
        "they are joined by a space."
    )

    print("\n## ECB+ boundary accuracy, quote-tolerant\n")
    print(table(header, accuracy_rows(lambda s: s.quote_tolerant)))
    print(
        "\nA boundary counts wherever the closing quotes and brackets next to it go: ECB+ was detokenised with a "
        "space before\nsome closing quotes ('ended. \" Then'), which the strict score charges as one FP and one FN."
    )

    print("\n## ECB+ errors by kind (rough, from regular expressions)\n")
    kinds = sorted({kind for name in scored for s in scored[name] for kind in s.errors})
    totals = {name: sum((s.errors for s in scored[name]), Counter[str]()) for name in scored}
    print(table(["kind", *(s.name for s in systems)], [[k, *(str(totals[s.name][k]) for s in systems)] for k in kinds]))
    print(
        "\n'FN: other, after . ! ?' is mostly a multi-sentence quotation kept as one sentence (pysbd, sentencex), "
        "which ECB+ splits."
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
    right = dict.fromkeys(scored, 0)
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
