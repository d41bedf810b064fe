"""Ingest on Dask: a real LocalCluster with two worker processes gives the single machine's stories."""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave.dedupe import fold_copies
from newsweave.pipeline import ingest
from newsweave.scale import DaskMissingError, client_for
from newsweave.store import open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    dask_client = client_for("local:2")
    try:
        yield dask_client
    finally:
        cluster = dask_client.cluster
        dask_client.close()
        cluster.close()


def stored(store: Path) -> dict[str, Any]:
    """Everything a run decides: the story rows, each story's members and stored digest."""
    with open_store(store, readonly=True) as db:
        rows = [
            {"id": r.id, "title": r.title, "articles": r.articles, "outlets": list(r.outlets),
             "first": r.first_date, "last": r.last_date}
            for r in db.stories()
        ]  # fmt: skip
        return {
            "stories": rows,
            "members": {r["id"]: sorted(a.id for a in db.members(r["id"])) for r in rows},
            "digests": {r["id"]: db.story_digest(r["id"]) for r in rows},
            "computed": {r["id"]: db.previous_digest(r["id"]) for r in rows},
            "counts": db.counts(),
        }


def ecbplus_jsonl(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    """ECB+ topics 1-35 as news-please JSON Lines, each document one article (its text and its outlet)."""
    path = tmp_path / "ecbplus.jsonl"
    lines = [
        json.dumps({"id": d["id"], "maintext": d["text"], "title": None, "source_domain": d["outlet"] or d["id"]})
        for d in docs
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_examples_give_the_same_stories_and_digests(client: Any, tmp_path: Path) -> None:
    local, distributed = tmp_path / "local.db", tmp_path / "dask.db"
    ingest([EXAMPLES], local, batch_size=4)
    report = ingest([EXAMPLES], distributed, batch_size=4, client=client)
    assert report.added == 10 and report.folded == 1 and report.digests == 3
    result = stored(distributed)
    assert result == stored(local) and all(result["computed"].values())
    loads = client.run(spacy_loads)  # per worker process: the pipeline loaded at most once, for any number of tasks
    assert all(count <= 1 for count in loads.values()) and sum(loads.values()) >= 1
    assert newsweave.stored_digest(distributed).stories == newsweave.stored_digest(local).stories


def spacy_loads() -> int:
    from newsweave.nlp import english

    return english.cache_info().misses


def test_ecbplus_gives_the_same_stories(client: Any, tmp_path: Path, ecbplus_docs: list[dict[str, Any]]) -> None:
    source = ecbplus_jsonl(tmp_path, ecbplus_docs)
    local, distributed = tmp_path / "local.db", tmp_path / "dask.db"
    # Digests without spaCy here (the examples test has them whole): cross-check and summary of 70 stories.
    config = newsweave.DigestConfig(people=False)
    ingest([source], local, config, batch_size=100)
    report = ingest([source], distributed, config, batch_size=100, client=client)
    result = stored(distributed)
    assert result == stored(local)
    # ECB+'s real wire copies are folded across the partitions as if the input were one batch
    articles, _ = newsweave.read_all([source])
    assert report.folded == len(articles) - len(fold_copies(articles)) > 0
    assert result["counts"]["articles"] >= 700 and len(result["stories"]) >= 50
    assert all(result["computed"].values())


def test_a_worker_killed_mid_run_changes_nothing(
    client: Any, tmp_path: Path, ecbplus_docs: list[dict[str, Any]]
) -> None:
    source = ecbplus_jsonl(tmp_path, ecbplus_docs[:300])
    local, distributed = tmp_path / "local.db", tmp_path / "dask.db"
    ingest([source], local, batch_size=25, digests=False)
    pids = list(client.run(os.getpid).values())
    killed = threading.Event()

    def kill_one(_: int) -> None:
        if not killed.is_set():
            killed.set()
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; Dask runs the lost tasks again

    ingest([source], distributed, batch_size=25, client=client, on_batch=kill_one, digests=False)
    assert killed.is_set()
    assert stored(distributed) == stored(local)
    client.wait_for_workers(2, timeout=60)


def test_cli_dask_local_gives_the_same_stories_json(tmp_path: Path) -> None:
    def stories(store: Path, *extra: str) -> str:
        run = [sys.executable, "-m", "newsweave", "ingest", str(EXAMPLES), "--store", str(store), "-q", *extra]
        subprocess.run(run, check=True, capture_output=True, timeout=300)
        listing = [sys.executable, "-m", "newsweave", "stories", "--store", str(store), "--format", "json"]
        return subprocess.run(listing, check=True, capture_output=True, text=True).stdout

    assert stories(tmp_path / "a.db") == stories(tmp_path / "b.db", "--dask", "local:2")


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DaskMissingError, match=r"newsweave\[dask\]"):
        client_for("local:2")


def test_importing_newsweave_does_not_import_dask() -> None:
    code = "import newsweave, newsweave.pipeline, newsweave.scale, sys; print('distributed' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def ecbplus_warc(tmp_path: Path, docs: list[dict[str, Any]], gzipped: bool) -> Path:
    from tests.ingest.test_readers import write_warc

    pages = []
    for doc in docs:
        paragraphs = "".join(f"<p>{html.escape(sentence)}</p>" for sentence in doc["sentences"])
        title = f"<title>{html.escape(doc['id'])}</title>"
        body = f"<html><head>{title}</head><body><article>{paragraphs}</article></body></html>"
        pages.append((f"https://{doc['outlet'] or 'example.org'}/{doc['id']}", "200 OK", "text/html", body.encode()))
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    write_warc(path, pages, gzipped=gzipped)
    return path


@pytest.mark.parametrize("gzipped", [True, False])
def test_warc_byte_ranges_read_each_record_once(
    tmp_path: Path, ecbplus_docs: list[dict[str, Any]], gzipped: bool
) -> None:
    from newsweave.ingest import read_source
    from newsweave.ingest.warc import read_warc_range, warc_ranges

    path = ecbplus_warc(tmp_path, ecbplus_docs[:40], gzipped)
    whole = [d.origin.location for d in read_source(path) if not isinstance(d, newsweave.Problem)]
    for size in (1, 997, 4096, 50_000):
        parts = [
            d.origin.location
            for start, end in warc_ranges(path, size)
            for d in read_warc_range(path, start, end, 10 * 2**20)
            if not isinstance(d, newsweave.Problem)
        ]
        assert parts == whole, size
    assert len(whole) == 40


def test_a_large_warc_spreads_over_the_workers_with_the_same_stories(
    client: Any, tmp_path: Path, ecbplus_docs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsweave.scale

    path = ecbplus_warc(tmp_path, ecbplus_docs[:150], gzipped=True)
    monkeypatch.setattr(newsweave.scale, "SPLIT_BYTES", path.stat().st_size // 7)
    local, distributed = tmp_path / "local.db", tmp_path / "dask.db"
    ingest([path], local, batch_size=40, digests=False)
    ingest([path], distributed, batch_size=40, client=client, digests=False)
    assert stored(distributed) == stored(local)
    assert stored(local)["counts"]["articles"] >= 100
