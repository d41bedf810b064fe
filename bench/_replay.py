"""A long, realistic news stream for scale runs: ECB+ replayed as new events over a simulated year.

Each replay substitutes every capitalised word (names, places, organisations) with an invented
one and shifts every number, so a replay is a new set of events whose texts differ from all
others (deduplication must not fold them), and spreads its articles over a few days of
publication time. Replays follow one another through the year, so the active window of the
streaming clusterer holds a few replays at a time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_SYLLABLES = ["ka", "lo", "mi", "ren", "tus", "va", "dor", "bel", "qui", "sen", "ar", "tho", "nel", "pra", "zu", "vik"]
_CAPITAL = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NUMBER = re.compile(r"\b\d+\b")


def _invented(word: str, replay: int) -> str:
    digest = hashlib.blake2b(f"{replay}:{word}".encode(), digest_size=6).digest()
    return "".join(_SYLLABLES[b % len(_SYLLABLES)] for b in digest[:3]).capitalize()


def _rewrite(text: str, replay: int) -> str:
    if replay == 0:
        return text
    text = _CAPITAL.sub(lambda m: _invented(m.group(0), replay), text)
    return _NUMBER.sub(lambda m: str(int(m.group(0)) + replay * 7 + 1), text)


def replay(docs: list[dict[str, Any]], count: int, *, year: int = 2025) -> Iterator[dict[str, Any]]:
    """Yield ``count`` news-please records in publication order (gold event in ``event``)."""
    replays = -(-count // len(docs))
    start = datetime(year, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / max(replays, 1)
    produced = 0
    for number in range(replays):
        batch = []
        for position, doc in enumerate(docs):
            # Every event of a replay breaks within the replay's slot; its articles follow over two days.
            event_hash = int(hashlib.blake2b(f"{number}:{doc['event']}".encode(), digest_size=4).hexdigest(), 16)
            doc_hash = int(hashlib.blake2b(f"{number}:{doc['id']}".encode(), digest_size=4).hexdigest(), 16)
            when = start + number * step + timedelta(hours=event_hash % 48) + timedelta(minutes=doc_hash % 2880)
            batch.append((when, position, doc))
        batch.sort(key=lambda item: (item[0], item[1]))
        for when, _, doc in batch:
            if produced >= count:
                return
            yield {
                "id": f"r{number}-{doc['id']}",
                "event": f"r{number}-{doc['event']}",
                "maintext": _rewrite(doc["text"], number),
                "date_publish": when.isoformat(),
                "source_domain": doc.get("outlet") or f"outlet{doc_hash % 40}.example",
            }
            produced += 1


def write_replay(docs_path: Path, out: Path, count: int) -> Path:
    """Write ``count`` replayed records to ``out`` as JSON Lines (without the gold field)."""
    with docs_path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    with out.open("w", encoding="utf-8") as handle:
        for record in replay(docs, count):
            record.pop("event")
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out
