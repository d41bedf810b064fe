"""Sanity checks for the hand-labelled quote set (stdlib only).

Usage: python bench/labels/check_quotes.py [path/to/ecbplus/docs.jsonl]

Checks the three quote sets: quotes.jsonl (the development set), quotes_heldout.jsonl (the held-out set,
labelled before the speaker rules were tuned, on documents the development set does not touch) and
quotes_heldout2.jsonl (a second held-out set, labelled before the second round of rule changes, on
documents neither of the others touches).

The corpus path defaults to $ECBPLUS_DOCS, then /work/shared/data/ecbplus/docs.jsonl.
Exits non-zero (AssertionError) on the first problem; prints a summary when all checks pass.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DOCS = Path("/work/shared/data/ecbplus/docs.jsonl")
QUOTE_MARKS = frozenset("\"“”‘’'")
SPEAKER_KINDS = frozenset({"name", "pronoun_resolved", "description", "none"})
NOT_QUOTE_WHY = frozenset({"title", "nickname", "scare"})
# Documented boundary exceptions (see README.md): the source text lacks one of the two marks.
EXCEPTIONS = {"no_open": "opening mark missing in the source", "no_close": "closing mark missing in the source"}

MIN_QUOTES = 100
MIN_OUTLETS = 10
MIN_HELDOUT_QUOTES = 60
MIN_HELDOUT_OUTLETS = 8
MIN_HELDOUT2_QUOTES = 50


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def mark_before(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i >= 0 and text[i] in QUOTE_MARKS


def mark_after(text: str, end: int) -> bool:
    i = end
    while i < len(text) and text[i].isspace():
        i += 1
    return i < len(text) and text[i] in QUOTE_MARKS


def check_span(text: str, span: list[int], what: str) -> None:
    assert isinstance(span, list) and len(span) == 2, f"{what}: span must be [start, end]"
    s, e = span
    assert isinstance(s, int) and isinstance(e, int), f"{what}: offsets must be ints"
    assert 0 <= s < e <= len(text), f"{what}: span {span} outside document (len {len(text)}) or empty"
    assert text[s:e] == text[s:e].strip(), f"{what}: span {span} has leading/trailing whitespace"


def check_quotes(name: str, quotes: list[dict], docs: dict[str, dict]) -> set[tuple[str, int, int]]:
    """Check one quote file's records against the corpus; return its (doc, start, end) keys."""
    seen: set[tuple[str, int, int]] = set()
    for n, rec in enumerate(quotes, 1):
        where = f"{name}:{n} ({rec.get('doc')})"
        assert rec["doc"] in docs, f"{where}: unknown document"
        text = docs[rec["doc"]]["text"]
        check_span(text, rec["quote"], where)
        s, e = rec["quote"]
        key = (rec["doc"], s, e)
        assert key not in seen, f"{where}: duplicate quote span"
        seen.add(key)
        exc = rec.get("exception")
        assert exc is None or exc in EXCEPTIONS, f"{where}: unknown exception {exc!r}"
        if exc != "no_open":
            assert mark_before(text, s), f"{where}: no quotation mark before the quote span"
        if exc != "no_close":
            assert mark_after(text, e), f"{where}: no quotation mark after the quote span"
        kind = rec["speaker_kind"]
        assert kind in SPEAKER_KINDS, f"{where}: bad speaker_kind {kind!r}"
        if rec["speaker"] is None:
            assert kind == "none", f"{where}: null speaker needs speaker_kind 'none'"
        else:
            assert kind != "none", f"{where}: speaker given but speaker_kind is 'none'"
            check_span(text, rec["speaker"], f"{where} speaker")
            ss, se = rec["speaker"]
            assert not (s <= ss and se <= e), f"{where}: speaker span lies inside the quote"
        assert isinstance(rec.get("note", ""), str), f"{where}: note must be a string"
    return seen


def summary(name: str, quotes: list[dict], docs: dict[str, dict]) -> Counter[str]:
    """Print one quote file's counts; return its outlets."""
    outlets = Counter(docs[r["doc"]]["outlet"] for r in quotes if docs[r["doc"]]["outlet"])
    kinds = Counter(r["speaker_kind"] for r in quotes)
    n_docs = len({r["doc"] for r in quotes})
    topics = sorted({docs[r["doc"]]["topic"] for r in quotes})
    print(f"{name}: {len(quotes)} in {n_docs} documents, {len(outlets)} outlets, {len(topics)} topics")
    print("  speaker kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"  boundary exceptions: {sum(1 for r in quotes if r.get('exception'))}")
    return outlets


def main(argv: list[str]) -> int:
    docs_path = Path(argv[1]) if len(argv) > 1 else Path(os.environ.get("ECBPLUS_DOCS", DEFAULT_DOCS))
    docs = {d["id"]: d for d in load_jsonl(docs_path)}
    quotes = load_jsonl(HERE / "quotes.jsonl")
    heldout = load_jsonl(HERE / "quotes_heldout.jsonl")
    heldout2 = load_jsonl(HERE / "quotes_heldout2.jsonl")
    not_quotes = load_jsonl(HERE / "not_quotes.jsonl")

    seen = check_quotes("quotes.jsonl", quotes, docs)
    check_quotes("quotes_heldout.jsonl", heldout, docs)
    check_quotes("quotes_heldout2.jsonl", heldout2, docs)
    # Held out means unseen: no held-out document may appear in the development labels or the other held-out set.
    dev_docs = {r["doc"] for r in quotes} | {r["doc"] for r in not_quotes}
    heldout_docs = {r["doc"] for r in heldout}
    shared = sorted(dev_docs & heldout_docs)
    assert not shared, f"quotes_heldout.jsonl: documents also in the development labels: {shared}"
    shared = sorted((dev_docs | heldout_docs) & {r["doc"] for r in heldout2})
    assert not shared, f"quotes_heldout2.jsonl: documents also in the other label files: {shared}"
    for rec in heldout + heldout2:
        topic = int(docs[rec["doc"]]["topic"])
        assert rec["doc"].endswith("ecbplus") and 1 <= topic <= 35, f"{rec['doc']}: not an ECB+ document of topics 1-35"

    quote_keys = {(d, s, e) for d, s, e in seen}
    for n, rec in enumerate(not_quotes, 1):
        where = f"not_quotes.jsonl:{n} ({rec.get('doc')})"
        assert rec["doc"] in docs, f"{where}: unknown document"
        text = docs[rec["doc"]]["text"]
        check_span(text, rec["span"], where)
        s, e = rec["span"]
        assert rec["why"] in NOT_QUOTE_WHY, f"{where}: bad why {rec['why']!r}"
        assert mark_before(text, s) and mark_after(text, e), f"{where}: span not bounded by quotation marks"
        assert (rec["doc"], s, e) not in quote_keys, f"{where}: also labelled as a quote"

    outlets = summary("quotes", quotes, docs)
    heldout_outlets = summary("held-out quotes", heldout, docs)
    summary("second held-out quotes", heldout2, docs)
    assert len(quotes) >= MIN_QUOTES, f"only {len(quotes)} quotes (need {MIN_QUOTES})"
    assert len(outlets) >= MIN_OUTLETS, f"only {len(outlets)} outlets (need {MIN_OUTLETS})"
    assert len(heldout) >= MIN_HELDOUT_QUOTES, f"only {len(heldout)} held-out quotes (need {MIN_HELDOUT_QUOTES})"
    assert len(heldout_outlets) >= MIN_HELDOUT_OUTLETS, f"only {len(heldout_outlets)} held-out outlets"
    assert len(heldout2) >= MIN_HELDOUT2_QUOTES, f"only {len(heldout2)} second held-out quotes"
    assert len(not_quotes) >= 8, f"only {len(not_quotes)} not-quote spans (need 8)"

    print(f"not-quotes: {len(not_quotes)} " + str(dict(Counter(r["why"] for r in not_quotes))))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
