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
        assert len(rows) >= 3
        counts = [digests.conflict_count(db, row) for row in rows]
        assert list(digests.conflicts) == [_version(row) for row in rows[-2:]]  # the oldest forgotten
        assert any(counts)  # examples/ holds planted disagreements (19 / 14 injured)
        again = digests.conflict_count(db, rows[-2])  # remembered: moves to the newest end
        assert again == counts[-2] and list(digests.conflicts)[-1] == _version(rows[-2])
