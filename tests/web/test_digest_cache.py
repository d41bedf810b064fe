"""The web server's memory of computed digests stays bounded however long it runs."""

from __future__ import annotations

from pathlib import Path

from newsweave.pipeline import DigestConfig
from newsweave.store import open_store
from newsweave.web.app import _Digests, _version


def test_conflict_counts_keep_only_the_newest_versions(examples_store: Path) -> None:
    digests = _Digests(2, DigestConfig(people=False), counts=2)
    with open_store(examples_store, readonly=True) as db:
        rows = list(db.stories())
        assert len(rows) == 3  # examples/: the bridge and two storms
        counts = [digests.conflict_count(db, row) for row in rows]
        assert any(counts)  # examples/ holds planted disagreements (19 / 14 injured)
        assert [digests.conflicts.peek(_version(row)) for row in rows] == [None, *counts[1:]]  # the oldest forgotten
        assert digests.conflict_count(db, rows[1]) == counts[1]  # remembered, and now the most recently used
        digests.conflicts.put(("another version",), 0)
        assert digests.conflicts.peek(_version(rows[2])) is None  # the least recently used one went
        assert digests.conflicts.peek(_version(rows[1])) == counts[1]
