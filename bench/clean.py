"""Chrome (boilerplate) removal: newsweave against jusText, trafilatura and a naive punctuation baseline.

Run from the project root: ``.venv/bin/python bench/clean.py`` (``make bench`` runs it too).

Every system gets the same page: scraped text with one paragraph per line. jusText and trafilatura read HTML, so
each line is wrapped in its own ``<p>`` (escaped); a line counts as kept when it is found in their output.

Measures:
- on the labelled pages (examples/ with tests/data/examples_expected.json, and the two real seeds in
  ../shared/seeds with the answer key below): precision/recall/F1 of reporting paragraphs kept in the body, chrome
  lines leaked into the body, metadata lines put in the body, reporting paragraphs lost. Only 7 pages: indicative.
- on ECB+ (772 real articles, no chrome labels; page = the document's sentences, one per line): reporting sentences
  lost (more than 12 words, ending in terminal punctuation) and throughput in pages/s, best of 3 runs.
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from _common import table, versions

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DOCS = SHARED / "data" / "ecbplus" / "docs.jsonl"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples"
EXAMPLES_KEY = ROOT / "tests" / "data" / "examples_expected.json"
TIMING_RUNS = 3

Gold = Literal["body", "chrome", "metadata"]
# The same line breaks as newsweave.ingest.decode.normalise_text, so line numbers agree with its labels.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_NAIVE_END = re.compile(r"[.!?][\"'”’»]*$")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
# The definition of a reporting sentence: more than 12 words, ending in terminal punctuation.
REPORTING_MIN_WORDS = 13


@dataclass(frozen=True)
class SeedKey:
    """Answer key of one seed page (issue 2): its chrome lines and how many metadata lines open it.

    The key names the chrome lines by how they start and counts the metadata instead of quoting it.
    Metadata means the title, standfirst, byline and datelines, which are the first non-chrome lines
    of the page. Every other line is a reporting paragraph.
    """

    chrome: tuple[str, ...]
    metadata: int  # the first this many non-chrome lines are metadata
    paragraphs: int  # reporting paragraphs, to check that the key still fits the file


_SEED_CHROME = (
    "Join our commenting forum",
    "Join thought-provoking conversations",
    "Thank you for registering",
    "Please refresh the page",
    "Connect with us",
    "Breaking News",
    "Most Viewed",
    "Kim Jong-un visits Beijing",  # video caption
    "Donald Trump says he 'believes' North Korea leader Kim Jong Un about peace talks",  # related story
)
SEED_KEYS = {
    "000_13d1fe4d8f86fe55.txt": SeedKey(_SEED_CHROME, metadata=4, paragraphs=18),  # title, standfirst, byline, date
    "002_9a3f2ab9cd1d392e.txt": SeedKey(_SEED_CHROME, metadata=2, paragraphs=16),  # title, empty "Published on"
}


@dataclass(frozen=True)
class Page:
    name: str
    batch: str  # pages of one batch share template evidence (one folder of scraped pages)
    lines: tuple[str, ...]
    file_lines: tuple[int, ...]  # 1-based line number of each line in its file
    gold: tuple[Gold, ...]


# A system gets one batch of pages (each a list of lines) and returns, per page, the indices of the lines it keeps.
Keep = Callable[[Sequence[Sequence[str]]], list[frozenset[int]]]


@dataclass(frozen=True)
class System:
    name: str
    keep: Keep


def key(line: str) -> str:
    """Return ``line`` in the form used to compare it with an answer key or another system's output."""
    return " ".join(unicodedata.normalize("NFC", line).split())


def split_page(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Return the non-empty lines of a page, stripped, and their 1-based line numbers in the file."""
    numbered = [(number, line.strip()) for number, line in enumerate(_LINE_BREAK.split(text), start=1)]
    kept = [(number, line) for number, line in numbered if line]
    return tuple(line for _, line in kept), tuple(number for number, _ in kept)


def missing(path: Path, what: str) -> None:
    if not path.exists():
        sys.exit(
            f"bench/clean.py: {path} is missing ({what}). The shared data folder must sit beside the project "
            "as ../shared (see ../shared/data/README.md)."
        )


def load_examples() -> list[Page]:
    """Return the bundled example pages labelled from tests/data/examples_expected.json."""
    expected: dict[str, Any] = json.loads(EXAMPLES_KEY.read_text(encoding="utf-8"))
    pages = []
    for name, answer in sorted(expected.items()):
        if name.startswith("_"):
            continue
        lines, numbers = split_page((EXAMPLES / name).read_text(encoding="utf-8"))
        chrome = {key(line) for line in answer["chrome"]}
        starts = [key(start).split() for start in answer["paragraph_starts"]]
        gold: list[Gold] = []
        for line in lines:
            words = key(line).split()
            if key(line) in chrome:
                gold.append("chrome")
            elif any(words[: len(start)] == start for start in starts):
                gold.append("body")
            else:
                gold.append("metadata")
        _check(name, gold, chrome=len(chrome), paragraphs=len(starts))
        pages.append(Page(name, "examples", lines, numbers, tuple(gold)))
    return pages


def load_seeds() -> list[Page]:
    """Return the two real seed pages labelled from SEED_KEYS."""
    missing(SEEDS, "the real seed pages")
    pages = []
    for name, answer in SEED_KEYS.items():
        lines, numbers = split_page((SEEDS / name).read_text(encoding="utf-8"))
        gold: list[Gold] = []
        metadata_left = answer.metadata
        for line in lines:
            if key(line).startswith(answer.chrome):
                gold.append("chrome")
            elif metadata_left:
                gold.append("metadata")
                metadata_left -= 1
            else:
                gold.append("body")
        _check(name, gold, chrome=None, paragraphs=answer.paragraphs)
        pages.append(Page(name, "seeds", lines, numbers, tuple(gold)))
    return pages


def _check(name: str, gold: Sequence[Gold], chrome: int | None, paragraphs: int) -> None:
    found_chrome, found_body = gold.count("chrome"), gold.count("body")
    if found_body != paragraphs or (chrome is not None and found_chrome != chrome):
        sys.exit(
            f"bench/clean.py: the answer key no longer fits {name}: {found_body} reporting paragraphs "
            f"(key: {paragraphs}), {found_chrome} chrome lines (key: {chrome if chrome is not None else 'any'})."
        )


def load_ecbplus() -> list[tuple[str, tuple[str, ...]]]:
    """Return ``(id, sentences)`` of every ECB+ document; the page is its sentences, one per line."""
    missing(DOCS, "ECB+ documents")
    docs = []
    with DOCS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sentences = tuple(" ".join(s.split()) for s in record["sentences"])
            docs.append((record["id"], tuple(s for s in sentences if s)))
    return docs


def is_reporting(sentence: str) -> bool:
    return bool(_TERMINAL.search(sentence)) and len(_WORD.findall(sentence)) >= REPORTING_MIN_WORDS


def match_in_order(lines: Sequence[str], pieces: Sequence[tuple[str, bool]]) -> frozenset[int]:
    """Return the indices of ``lines`` that a system kept, given its output pieces ``(text, kept)`` in order."""
    keys = [key(line) for line in lines]
    kept, position = set(), 0
    for text, is_kept in pieces:
        wanted = key(text)
        for i in range(position, len(keys)):
            if keys[i] == wanted:
                if is_kept:
                    kept.add(i)
                position = i + 1
                break
    return frozenset(kept)


def as_html(lines: Sequence[str]) -> str:
    """Return a minimal HTML page with each line as its own paragraph."""
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{body}</body></html>'


def systems() -> tuple[list[System], list[str]]:
    """Return the systems that are installed, and a note for each one that is not."""
    try:
        import justext
    except ImportError as error:
        sys.exit(f"bench/clean.py: {error}. Install the benchmark peers: .venv/bin/pip install -e '.[bench]'")
    from newsweave.clean import classify_lines, template_lines

    def newsweave(use_templates: bool) -> Keep:
        def keep(batch: Sequence[Sequence[str]]) -> list[frozenset[int]]:
            texts = ["\n".join(lines) for lines in batch]
            templates = template_lines(texts) if use_templates else frozenset()
            return [
                frozenset(label.line_no for label in classify_lines(text, templates) if label.role == "body")
                for text in texts
            ]

        return keep

    stoplist = justext.get_stoplist("English")

    def jus_text(batch: Sequence[Sequence[str]]) -> list[frozenset[int]]:
        return [
            match_in_order(lines, [(p.text, not p.is_boilerplate) for p in justext.justext(as_html(lines), stoplist)])
            for lines in batch
        ]

    def naive(batch: Sequence[Sequence[str]]) -> list[frozenset[int]]:
        return [frozenset(i for i, line in enumerate(lines) if _NAIVE_END.search(line)) for lines in batch]

    found = [
        System("newsweave + templates", newsweave(use_templates=True)),
        System("newsweave, no templates", newsweave(use_templates=False)),
        System("jusText", jus_text),
    ]
    notes = []
    try:
        import trafilatura
    except ImportError:
        notes.append("trafilatura: skipped, it is not installed (.venv/bin/pip install trafilatura).")
    else:
        logging.getLogger("trafilatura").setLevel(logging.ERROR)

        def trafilatura_keep(batch: Sequence[Sequence[str]]) -> list[frozenset[int]]:
            kept = []
            for lines in batch:
                output = trafilatura.extract(as_html(lines)) or ""
                kept.append(match_in_order(lines, [(piece, True) for piece in output.split("\n")]))
            return kept

        found.append(System("trafilatura", trafilatura_keep))
    found.append(System("naive: ends with . ! ?", naive))
    return found, notes


LIBRARIES = ["newsweave", "jusText", "trafilatura", "lxml"]


def run_labelled(system: System, pages: Sequence[Page]) -> list[frozenset[int]]:
    """Return what ``system`` keeps of each page, one batch per folder (examples, seeds)."""
    kept: dict[str, frozenset[int]] = {}
    for batch in dict.fromkeys(page.batch for page in pages):
        members = [page for page in pages if page.batch == batch]
        for page, page_kept in zip(members, system.keep([page.lines for page in members]), strict=True):
            kept[page.name] = page_kept
    return [kept[page.name] for page in pages]


def labelled_report(found: Sequence[System], pages: Sequence[Page]) -> dict[str, list[frozenset[int]]]:
    results = {system.name: run_labelled(system, pages) for system in found}
    totals = {gold: sum(page.gold.count(gold) for page in pages) for gold in ("body", "chrome", "metadata")}
    print(f"\n## Labelled pages ({len(pages)})\n")
    print(
        f"{', '.join(p.name for p in pages)}:\n{totals['body']} reporting paragraphs, {totals['chrome']} chrome "
        f"lines, {totals['metadata']} metadata lines.\n"
    )
    print(
        "Only 7 pages, 5 of them invented for the demo, and the pages newsweave was developed on: these figures "
        "are\nindicative, not a measurement.\n"
    )
    rows = []
    for system in found:
        tp = fp = fn = leaked = metadata = 0
        for page, kept in zip(pages, results[system.name], strict=True):
            for i, gold in enumerate(page.gold):
                if i in kept:
                    tp += gold == "body"
                    fp += gold != "body"
                    leaked += gold == "chrome"
                    metadata += gold == "metadata"
                else:
                    fn += gold == "body"
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            [
                system.name,
                f"{precision:.3f}",
                f"{recall:.3f}",
                f"{f1:.3f}",
                f"{leaked}/{totals['chrome']}",
                f"{metadata}/{totals['metadata']}",
                f"{fn}/{totals['body']}",
            ]
        )
    print(table(["system", "P", "R", "F1", "chrome leaked", "metadata in body", "paragraphs lost"], rows))
    print("\nPositive class: reporting paragraph kept in the body. Micro-averaged over the lines of all pages.")

    print("\n### Per page: chrome leaked / metadata in body / paragraphs lost\n")
    rows = []
    for index, page in enumerate(pages):
        row = [page.name]
        for system in found:
            kept = results[system.name][index]
            chrome = sum(1 for i in kept if page.gold[i] == "chrome")
            metadata = sum(1 for i in kept if page.gold[i] == "metadata")
            lost = sum(1 for i, gold in enumerate(page.gold) if gold == "body" and i not in kept)
            row.append(f"{chrome} / {metadata} / {lost}")
        rows.append(row)
    print(table(["page", *(s.name for s in found)], rows))
    return results


def newsweave_mistakes(pages: Sequence[Page], results: dict[str, list[frozenset[int]]]) -> None:
    """Print every line newsweave gets wrong on the labelled pages, with the role and reason it gave."""
    from newsweave.clean import classify_lines, template_lines

    print("\n### newsweave's mistakes on the labelled pages (file:line, answer key -> newsweave role: reason)\n")
    labels = {}
    for batch in dict.fromkeys(page.batch for page in pages):
        members = [page for page in pages if page.batch == batch]
        texts = ["\n".join(page.lines) for page in members]
        templates = template_lines(texts)
        for page, text in zip(members, texts, strict=True):
            labels[page.name] = {label.line_no: label for label in classify_lines(text, templates)}
    any_mistake = False
    for index, page in enumerate(pages):
        for i, gold in enumerate(page.gold):
            label = labels[page.name].get(i)
            role = label.role if label else "(no label)"
            in_body = {name: i in results[name][index] for name in ("newsweave + templates", "newsweave, no templates")}
            body_mistake = (gold == "body") != in_body["newsweave + templates"]
            differs = in_body["newsweave + templates"] != in_body["newsweave, no templates"]
            role_mix_up = (gold == "chrome") != (role == "chrome") and gold != "body" and role != "body"
            if not (body_mistake or differs or role_mix_up):
                continue
            any_mistake = True
            kind = "body" if body_mistake else "role" if role_mix_up else "templates"
            note = " (without templates: in body)" if differs and not in_body["newsweave + templates"] else ""
            note = " (without templates: not in body)" if differs and in_body["newsweave + templates"] else note
            text = page.lines[i] if len(page.lines[i]) <= 70 else page.lines[i][:67] + "..."
            reason = label.reason if label else ""
            print(f"- [{kind}] {page.name}:{page.file_lines[i]}: {gold} -> {role}: {reason}{note} | {text!r}")
    if not any_mistake:
        print("(none)")
    print(
        "\n[body] = a reporting paragraph lost or a non-reporting line in the body; [role] = chrome taken for "
        "metadata or the reverse\n(no effect on the body); [templates] = right with template evidence, wrong without."
    )


def ecbplus_report(found: Sequence[System], docs: Sequence[tuple[str, tuple[str, ...]]]) -> None:
    from newsweave.clean import classify_lines, template_lines

    batch = [sentences for _, sentences in docs]
    reporting = [[i for i, s in enumerate(sentences) if is_reporting(s)] for sentences in batch]
    short = [[i for i, s in enumerate(sentences) if _TERMINAL.search(s) and not is_reporting(s)] for sentences in batch]
    total_reporting, total_short = sum(map(len, reporting)), sum(map(len, short))
    total_lines = sum(map(len, batch))
    print(
        f"\n## ECB+ ({len(docs)} pages, no chrome labels)\n\nECB+ topics 1-35 (CC BY 3.0, Cybulska & Vossen 2014): "
        f"{total_lines} lines (one sentence each), {total_reporting} reporting sentences\n(> 12 words, terminal "
        f"punctuation), {total_short} short sentences (<= 12 words, terminal punctuation).\n"
    )
    rows = []
    for system in found:
        times, kept = [], []
        for run in range(TIMING_RUNS):
            start = time.perf_counter()
            produced = system.keep(batch)
            times.append(time.perf_counter() - start)
            if run == 0:
                kept = produced
        lost = sum(1 for indices, k in zip(reporting, kept, strict=True) for i in indices if i not in k)
        dropped = sum(1 for indices, k in zip(short, kept, strict=True) for i in indices if i not in k)
        best = min(times)
        rows.append(
            [
                system.name,
                f"{lost} ({lost / total_reporting:.1%})",
                f"{dropped} ({dropped / total_short:.1%})",
                f"{sum(map(len, kept)) / total_lines:.1%}",
                f"{len(docs) / best:,.0f}",
                f"{best:.2f}",
            ]
        )
    header = ["system", "reporting sentences lost", "short sentences dropped", "lines kept", "pages/s"]
    print(table([*header, f"wall s (best of {TIMING_RUNS})"], rows))
    print(
        "\nReporting sentences lost is the error that matters; short sentences are mostly reporting too in ECB+, but "
        "some are\nchrome or datelines, so dropping one is not always wrong. Throughput: one process, one thread, "
        "the whole batch per\ncall; newsweave + templates includes template_lines() over the batch; jusText and "
        "trafilatura include making the\nHTML and matching their output back to lines."
    )

    texts = ["\n".join(sentences) for sentences in batch]
    templates = template_lines(texts)
    print("\nSentences with terminal punctuation that newsweave + templates leaves out of the body:")
    shown = 0
    for (doc_id, _), text in zip(docs, texts, strict=True):
        for label in classify_lines(text, templates):
            if label.role != "body" and _TERMINAL.search(label.text):
                shown += 1
                kind = "REPORTING" if is_reporting(label.text) else "short"
                print(
                    f"- [{kind}] {doc_id} sentence {label.line_no}: {label.role}: {label.reason} | {label.text[:80]!r}"
                )
    if not shown:
        print("(none)")


def main() -> None:
    missing(SHARED / "data", "the evaluation data")
    found, notes = systems()
    print("# Chrome removal benchmark (bench/clean.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    for note in notes:
        print(f"Note: {note}")
    pages = load_examples() + load_seeds()
    results = labelled_report(found, pages)
    newsweave_mistakes(pages, results)
    ecbplus_report(found, load_ecbplus())


if __name__ == "__main__":
    main()
