"""The SQLite store: idempotent, incremental, crash-safe, readable while written; real files, real processes."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave.cluster import ClusterConfig, StateChanges, StreamClusterer, cluster_stream
from newsweave.dedupe import DedupeConfig, overlap, shingles
from newsweave.pipeline import DigestConfig, ingest, stored_story
from newsweave.store import SCHEMA_VERSION, Store, StoreError, open_store

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(path: Path) -> dict[str, Any]:
    """Everything a run decides (no timings, no run ids): articles, memberships, stories, digests, aliases."""
    db = sqlite3.connect(path)
    try:
        return {
            "articles": db.execute("SELECT id, content_key, record FROM articles ORDER BY id").fetchall(),
            "members": db.execute("SELECT article_id, story_id FROM members ORDER BY article_id").fetchall(),
            "stories": db.execute(
                "SELECT id, title, articles, outlets, first_date, last_date, digest FROM stories ORDER BY id"
            ).fetchall(),
            "aliases": db.execute("SELECT old_id, story_id FROM aliases ORDER BY old_id").fetchall(),
            # The streaming clusterer's state, as each batch leaves it in parts
            "stream_df": db.execute("SELECT * FROM stream_df ORDER BY kind, feature").fetchall(),
            "stream_stories": db.execute("SELECT id, profile FROM stream_stories ORDER BY id").fetchall(),
            "dormant": db.execute("SELECT story_id, last_time, profile FROM dormant ORDER BY story_id").fetchall(),
        }
    finally:
        db.close()


def _jsonl_subset(ecbplus_docs: list[dict[str, Any]], path: Path, count: int) -> Path:
    rng = random.Random(5)
    docs = rng.sample(ecbplus_docs, count)
    with path.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps({"id": doc["id"], "text": doc["text"], "url": doc["url"]}) + "\n")
    return path


def test_ingesting_twice_adds_nothing_and_keeps_story_ids(tmp_path: Path, seeds_dir: Path) -> None:
    store = tmp_path / "a.db"
    first = ingest([seeds_dir], store)
    assert first.added == 2
    assert [c.kind for c in first.changes] == ["new"]
    before = _snapshot(store)
    second = ingest([seeds_dir], store)
    assert (second.added, second.known, second.changes) == (0, 2, ())
    assert _snapshot(store) == before
    (row,) = newsweave.stories(store)
    assert row.articles == 2 and len(row.outlets) == 2


def test_an_exact_copy_from_another_outlet_is_folded_into_the_stored_article(tmp_path: Path) -> None:
    store = tmp_path / "a.db"
    text = "\n".join(
        f"Paragraph {n}: the harbour authority of Port Ellery said the ferry Saint Bride ran aground on Sunday "
        f"with {n * 7} passengers aboard, and that nobody was hurt in the incident."
        for n in range(1, 5)
    )
    (tmp_path / "a.txt").write_text("Ferry runs aground off Port Ellery\n\n" + text, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b/b.txt").write_text("Ferry runs aground off Port Ellery\n\n" + text, encoding="utf-8")
    ingest([tmp_path / "a.txt"], store, newsweave.DigestConfig(ingest=newsweave.IngestConfig(outlet="Wire One")))
    report = ingest(
        [tmp_path / "b/b.txt"], store, newsweave.DigestConfig(ingest=newsweave.IngestConfig(outlet="Other Paper"))
    )
    assert (report.added, report.folded) == (0, 1)
    (change,) = report.changes
    assert change.kind == "grew" and change.outlets == ("Other Paper",)
    (row,) = newsweave.stories(store)
    assert row.outlets == ("Wire One", "Other Paper")
    story = stored_story(store, row.id)
    assert story.outlets == ("Wire One", "Other Paper")


def _wire_story() -> str:
    return "\n\n".join(
        f"Paragraph {n}: the harbour authority of Port Ellery said the ferry Saint Bride ran aground on Sunday "
        f"with {n * 7} passengers aboard after its {n}th crossing of the day, and that nobody was hurt."
        for n in range(1, 9)
    )


def _ingest_text(tmp_path: Path, store: Path, name: str, text: str, outlet: str) -> newsweave.IngestReport:
    (tmp_path / name).mkdir()
    (tmp_path / name / "page.txt").write_text("Ferry runs aground off Port Ellery\n\n" + text, encoding="utf-8")
    config = newsweave.DigestConfig(ingest=newsweave.IngestConfig(outlet=outlet))
    return ingest([tmp_path / name / "page.txt"], store, config, digests=False)


def test_a_near_copy_in_a_later_run_is_folded_into_the_stored_article(tmp_path: Path) -> None:
    """A wire copy with its own intro and footer, ingested after the original, adds an outlet, not an article."""
    store = tmp_path / "a.db"
    text = _wire_story()
    first = _ingest_text(tmp_path, store, "a", text, "Wire One")
    intro = "Our reporter on the coast adds that the harbour was closed to traffic for the afternoon."
    footer = "Subscribe to the Other Paper's evening bulletin for more news from the coast."
    cut = "\n\n".join(text.split("\n\n")[:-1])  # and without the last paragraph
    copy = f"{intro}\n\n{cut}\n\n{footer}"
    report = _ingest_text(tmp_path, store, "b", copy, "Other Paper")
    assert (first.added, report.added, report.folded) == (1, 0, 1)
    (change,) = report.changes
    assert change.kind == "grew" and change.outlets == ("Other Paper",)
    (row,) = newsweave.stories(store)
    assert row.articles == 1 and row.outlets == ("Wire One", "Other Paper")
    (article,) = stored_story(store, row.id).articles
    (folded,) = article.copies
    assert folded.outlet == "Other Paper" and 0.6 <= folded.overlap < 1.0
    assert intro in folded.extra_text and footer in folded.extra_text  # what only the copy has is kept
    config = newsweave.DigestConfig(ingest=newsweave.IngestConfig(outlet="Other Paper"))
    again = ingest([tmp_path / "b" / "page.txt"], store, config, digests=False)  # the same input again: no change
    assert (again.added, again.folded, again.known, again.changes) == (0, 0, 1, ())


def test_a_full_text_after_its_excerpt_is_stored_as_an_article_of_its_own(tmp_path: Path) -> None:
    """The stored article stays the canonical one, so it is never an excerpt of the copy folded into it."""
    store = tmp_path / "a.db"
    text = _wire_story()
    excerpt = "\n\n".join(text.split("\n\n")[:3])
    _ingest_text(tmp_path, store, "a", excerpt, "Feed")
    report = _ingest_text(tmp_path, store, "b", text, "Wire One")
    assert (report.added, report.folded) == (1, 0)
    later = _ingest_text(tmp_path, store, "c", excerpt + "\n\nMore to follow.", "Other Feed")
    assert (later.added, later.folded) == (0, 1)  # an excerpt after its full text is a copy, as in one batch


def test_a_template_filled_for_another_event_in_a_later_run_is_not_a_copy(tmp_path: Path) -> None:
    """Another harbour's ferry report from the same template shares its wording, not its names and figures."""
    store = tmp_path / "a.db"
    template = [
        "Officials at the harbour said that the ferry had left the quay on time and that the crew reported no problem"
        " with the engines or the weather before the vessel touched the sandbank near {0}.",
        "It stayed there for {1} hours until the tide came back in, while passengers were kept below deck and given"
        " blankets and hot drinks by the crew.",
        "A lifeboat from {0} stood by through the night but was not needed, and a tug later towed the ferry back to"
        " its berth for an inspection of the hull.",
        "The operator said the {1} sailings planned for the next day had been cancelled and that passengers would be"
        " offered a refund or a seat on another crossing later in the week.",
    ]

    def report(place: str, figure: int) -> str:
        return "\n\n".join(line.format(place, figure) for line in template)

    text, other = report("Port Ellery", 3), report("Grey Haven", 7)
    assert overlap(shingles(text, 5), shingles(other, 5)) >= DedupeConfig().min_overlap  # the wording agrees
    _ingest_text(tmp_path, store, "a", text, "Wire One")
    report = _ingest_text(tmp_path, store, "b", other, "Wire One")
    assert (report.added, report.folded) == (1, 0)


def test_stores_made_before_band_keys_index_their_articles_on_the_next_ingest(tmp_path: Path) -> None:
    """A schema-6 store (no band keys) gets them for every article it holds, then folds a near copy into one."""
    store = tmp_path / "a.db"
    text = _wire_story()
    _ingest_text(tmp_path, store, "a", text, "Wire One")
    db = sqlite3.connect(store)
    db.executescript(
        "DROP TABLE near_keys; DROP TABLE near_names; DELETE FROM state WHERE name = 'near_scheme';"
        " PRAGMA user_version = 6;"
    )
    db.close()
    report = _ingest_text(tmp_path, store, "b", text + "\n\nThis copy ran with a footer.", "Other Paper")
    assert (report.added, report.folded) == (0, 1)
    db = sqlite3.connect(store)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT count(DISTINCT article_seq) FROM near_keys").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM near_names").fetchone()[0] == 1
    finally:
        db.close()


def test_copies_are_folded_alike_in_one_batch_or_across_batches(
    tmp_path: Path, ecbplus_docs: list[dict[str, Any]]
) -> None:
    """ECB+ topics 2 and 12 hold three real wire copies: batches of 4 fold them as one batch does."""
    docs = [doc for doc in ecbplus_docs if doc["topic"] in (2, 12)]
    random.Random(3).shuffle(docs)
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    whole = ingest([source], tmp_path / "a.db", batch_size=len(docs), digests=False)
    small = ingest([source], tmp_path / "b.db", batch_size=4, digests=False)
    assert (whole.added, whole.folded) == (small.added, small.folded) == (len(docs) - 3, 3)


def test_store_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db.*not a usable newsweave store"):
        open_store(junk)
    with pytest.raises(StoreError, match="no such store"):
        open_store(tmp_path / "missing.db", readonly=True)
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}").connection.close()
    with pytest.raises(StoreError, match="newer newsweave"):
        open_store(newer)


def test_schema_fts_and_wal(tmp_path: Path, seeds_dir: Path) -> None:
    store = tmp_path / "a.db"
    ingest([seeds_dir], store)
    with open_store(store) as db:
        assert db.integrity() == "ok"
        assert db.search("Beijing")
        assert db.search('"Kim Jong"')
        with pytest.raises(StoreError, match="search"):
            db.search('"unbalanced')
    connection = sqlite3.connect(store)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()


def test_a_story_merged_into_another_is_still_found_by_its_old_id(tmp_path: Path) -> None:
    store = tmp_path / "a.db"
    ingest([ROOT / "examples"], store)
    with open_store(store) as db:
        row = db.stories()[0]
        with db.transaction() as connection:
            connection.execute("INSERT INTO aliases (old_id, story_id, run_id) VALUES ('gone', ?, 1)", (row.id,))
        assert db.resolve("gone") == row.id
    assert stored_story(store, "gone").id == row.id
    with pytest.raises(newsweave.InputError, match="no story 'nothing'"):
        stored_story(store, "nothing")


def test_readers_read_while_a_writer_writes(tmp_path: Path, ecbplus_docs: list[dict[str, Any]]) -> None:
    store = tmp_path / "a.db"
    source = _jsonl_subset(ecbplus_docs, tmp_path / "docs.jsonl", 150)
    ingest([ROOT / "examples"], store)  # the store exists before readers start
    errors: list[BaseException] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        try:
            while not done.is_set():
                with open_store(store, readonly=True) as db:
                    rows = db.stories()
                    assert all(row.articles >= 1 for row in rows)
                    total = db.counts()
                    assert total["members"] == total["articles"]  # never a half-written batch
                reads += 1
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        ingest([source], store, batch_size=10, digests=False)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert reads > 2


@pytest.mark.slow
def test_sigkill_at_random_points_never_corrupts_and_a_rerun_reaches_the_same_state(
    tmp_path: Path, ecbplus_docs: list[dict[str, Any]]
) -> None:
    source = _jsonl_subset(ecbplus_docs, tmp_path / "docs.jsonl", 80)
    command = [sys.executable, "-m", "newsweave.cli", "ingest", str(source), "--batch-size", "7", "-q", "--no-digests",
               "--store"]  # fmt: skip
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    subprocess.run([*command, str(reference)], check=True, capture_output=True)
    duration = time.monotonic() - started
    expected = _snapshot(reference)
    assert expected["articles"]

    rng = random.Random(20)
    store = tmp_path / "killed.db"
    kills = 0
    for point in range(20):
        delay = rng.uniform(0.0, duration)
        process = subprocess.Popen([*command, str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        if store.exists():
            db = sqlite3.connect(store)
            try:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"kill {point}"
                articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                members = db.execute("SELECT count(*) FROM members").fetchone()[0]
                assert articles == members, f"kill {point}: half-ingested batch"
                orphans = db.execute(
                    "SELECT count(*) FROM members WHERE story_id NOT IN (SELECT id FROM stories)"
                ).fetchone()[0]
                assert orphans == 0
            finally:
                db.close()
        if point % 5 == 4:  # now and then start over, so early kill points are hit again
            subprocess.run([*command, str(store)], check=True, capture_output=True)
            assert _snapshot(store) == expected, f"after kill {point}"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{store}{suffix}").unlink(missing_ok=True)
    assert kills >= 10
    subprocess.run([*command, str(store)], check=True, capture_output=True)
    assert _snapshot(store) == expected


def test_reading_in_a_second_process_gives_the_same_store(tmp_path: Path, ecbplus_docs: list[dict[str, Any]]) -> None:
    source = _jsonl_subset(ecbplus_docs, tmp_path / "docs.jsonl", 60)
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    ingest([source, ROOT / "examples"], serial, batch_size=9, parallel=False, digests=False)
    report = ingest([source, ROOT / "examples"], parallel, batch_size=9, parallel=True, digests=False)
    assert report.added > 50
    assert _snapshot(serial) == _snapshot(parallel)


def test_strict_errors_cross_from_the_reading_process(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(newsweave.InputError, match=r"empty\.txt"):
        ingest([tmp_path / "empty.txt"], tmp_path / "a.db", strict=True, parallel=True)


def test_a_second_concurrent_ingest_stops_instead_of_overwriting_the_stream_state(
    tmp_path: Path, seeds_dir: Path
) -> None:
    store = tmp_path / "a.db"
    ingest([ROOT / "examples"], store)
    with open_store(store) as db:
        seen = db.state_generation()
        ingest([seeds_dir], store)  # another run writes meanwhile
        with pytest.raises(StoreError, match="another ingest wrote to this store"), db.transaction() as connection:
            db.claim_state(connection, seen)


@pytest.mark.slow
def test_killing_a_parallel_ingest_leaves_no_reading_process_behind(
    tmp_path: Path, ecbplus_docs: list[dict[str, Any]]
) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as handle:  # over the 4 MiB that turns the reading process on
        for copy in range(3):
            for doc in ecbplus_docs:
                text = f"Edition {copy}. " + str(doc["text"])
                handle.write(json.dumps({"id": f"{copy}-{doc['id']}", "text": text}) + "\n")
    assert source.stat().st_size > 4 * 2**20
    store = tmp_path / "a.db"
    command = [sys.executable, "-m", "newsweave.cli", "ingest", str(source), "--store", str(store), "-q",
               "--no-digests"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 60
    while not children and time.monotonic() < deadline:
        time.sleep(0.2)
        children = [int(c) for c in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    assert children, "no reading process was started"
    time.sleep(2.0)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{c}").exists() for c in children):
        time.sleep(0.2)
    assert not [c for c in children if Path(f"/proc/{c}").exists()], "the reading process outlived its parent"
    db = sqlite3.connect(store)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


# ------------------------------------------------------------------------------ stored digests


def _without_copies(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``docs`` less each one that is a near copy of one before it (``dedupe.fold_copies`` would fold it)."""
    config = DedupeConfig()
    kept: list[frozenset[str]] = []
    result = []
    for doc in docs:
        own = shingles(doc["text"], config.shingle_words)
        if all(overlap(own, other) < config.min_overlap for other in kept):
            kept.append(own)
            result.append(doc)
    return result


def _stale(store: Path) -> list[tuple[str, int]]:
    from newsweave.pipeline import digest_key

    with open_store(store, readonly=True) as db:
        return db.stale_digests(digest_key(newsweave.DigestConfig()))


def test_ingest_stores_each_changed_story_digest_and_readers_get_the_same(tmp_path: Path) -> None:
    from newsweave.pipeline import digested, digested_stored

    store = tmp_path / "a.db"
    report = ingest([ROOT / "examples"], store)
    assert report.digests == 3 and _stale(store) == []
    with open_store(store, readonly=True) as db:
        for row in db.stories():
            assert digested_stored(db, row.id) == digested(stored_story(db, row.id))
        counts = db.fact_counts()
    assert len(counts) == 3 and all(c["corroborated"] > 0 for c in counts.values())
    again = ingest([ROOT / "examples"], store)
    assert again.digests == 0 and again.conflicts == {}


def test_only_the_grown_story_is_digested_again(tmp_path: Path) -> None:
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for path in sorted((ROOT / "examples").iterdir()):
        (later if path.name.startswith("01_") else first).joinpath(path.name).write_bytes(path.read_bytes())
    store = tmp_path / "a.db"
    ingest([first], store)
    report = ingest([later], store)
    grown = [change.story_id for change in report.changes]
    assert report.digests == 1 and len(grown) == 1 and _stale(store) == []
    assert set(report.conflicts) <= set(grown)
    with open_store(store, readonly=True) as db:
        assert db.computed_digest(grown[0], _key()) is not None


def _key() -> str:
    from newsweave.pipeline import digest_key

    return digest_key(newsweave.DigestConfig())


def test_a_run_stopped_while_digesting_leaves_the_rest_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsweave.pipeline

    monkeypatch.setattr(newsweave.pipeline, "_DIGEST_CHUNK", 1)
    store = tmp_path / "a.db"

    def stop(_: int) -> None:
        raise RuntimeError("stopped after the first story")

    with pytest.raises(RuntimeError):
        ingest([ROOT / "examples"], store, on_digest=stop)
    assert len(_stale(store)) == 2  # the first story's digest landed whole, the others wait
    with open_store(store, readonly=True) as db:
        assert db.integrity() == "ok"
    report = ingest([ROOT / "examples"], store)
    assert report.added == 0 and report.digests == 2 and _stale(store) == []


def test_without_digests_readers_compute_them(tmp_path: Path, seeds_dir: Path) -> None:
    store = tmp_path / "a.db"
    report = ingest([ROOT / "examples"], store, digests=False)
    assert report.digests == 0 and len(_stale(store)) == 3
    digest = newsweave.stored_digest(store)
    assert len(digest.stories) == 3 and all(story.summary for story in digest.stories)
    # A later ingest with digests stores its own stories' only, not the whole store's (a bulk load stays cheap).
    later = ingest([seeds_dir], store)
    assert later.digests == 1 and len(_stale(store)) == 3


def test_a_late_article_joins_its_dormant_story(tmp_path: Path) -> None:
    """Backfill: the bridge story went dormant when October's storms came; a May report of it still joins it."""
    early, late = tmp_path / "early", tmp_path / "late"
    early.mkdir()
    late.mkdir()
    for path in sorted((ROOT / "examples").glob("*.txt")):
        (late if path.name.startswith("05_") else early).joinpath(path.name).write_bytes(path.read_bytes())
    store = tmp_path / "a.db"
    ingest([early], store, digests=False)
    with open_store(store, readonly=True) as db:
        bridge = next(row for row in db.stories() if (row.title or "").startswith("Bridge"))
        dormant = db.recall_dormant([(0, "bridge")], datetime(2024, 5, 1, tzinfo=UTC), 10)
    assert [story["id"] for story in dormant] == [bridge.id]  # it left memory and the store kept it
    report = ingest([late], store, digests=False)
    assert report.added == 1
    assert [(change.story_id, change.kind) for change in report.changes] == [(bridge.id, "grew")]
    with open_store(store, readonly=True) as db:
        assert len(db.stories()) == 3 and db.story_row(bridge.id).articles == bridge.articles + 1  # type: ignore[union-attr]


def test_a_large_story_is_digested_from_its_most_recent_articles() -> None:
    from newsweave.pipeline import digested, group_stories

    articles, _ = newsweave.read_all([ROOT / "examples"])
    bridge = next(s for s in group_stories(articles) if (s.title or "").startswith("Bridge"))
    done = digested(bridge, newsweave.DigestConfig(max_articles=2, people=False))
    assert done.articles == bridge.articles and done.summary is not None and done.crosscheck is not None
    assert f"2 most recent of the story's {len(bridge.articles)} articles" in (done.summary.note or "")
    from newsweave.dates import comparable

    undated_first = datetime.min.replace(tzinfo=UTC)
    newest = sorted(bridge.articles, key=lambda a: comparable(a.date_publish, undated_first))[-2:]
    assert {s.article_id for f in done.crosscheck.facts for s in f.statements} <= {a.id for a in newest}


def test_stories_split_anew_in_the_store_match_the_stream_and_keep_their_links(
    tmp_path: Path, ecbplus_docs: list[dict[str, Any]]
) -> None:
    """Articles moved between stories by a later arrival move in the store too, across runs; retired ids still lead."""
    # Two same-kind events each; without their 3 wire copies, which would be folded, not clustered.
    topics = _without_copies([doc for doc in ecbplus_docs if doc["topic"] in (2, 12)])
    rng = random.Random(3)
    rng.shuffle(topics)
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    for path, docs in zip(halves, (topics[:20], topics[20:]), strict=True):
        path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    store = tmp_path / "a.db"
    config = DigestConfig(cluster=ClusterConfig(second_look=True))
    reports = [ingest([path], store, config, batch_size=4, digests=False) for path in halves]  # the 2nd resumes
    assert sum(report.folded for report in reports) == 0
    articles, _ = newsweave.read_all(halves)
    expected = dict(zip((a.id for a in articles), cluster_stream(articles, config.cluster), strict=True))
    clusterer = StreamClusterer(config.cluster)
    assert any(clusterer.add(article).moved for article in articles)  # there was something to move
    db = sqlite3.connect(store)
    try:
        assert dict(db.execute("SELECT article_id, story_id FROM members").fetchall()) == expected
        assert len(set(expected.values())) >= 4  # each topic's two events apart, at least
        counts = dict(db.execute("SELECT story_id, count(*) FROM members GROUP BY story_id").fetchall())
        assert dict(db.execute("SELECT id, articles FROM stories").fetchall()) == counts  # no empty or stale story
        aliases = db.execute("SELECT old_id FROM aliases").fetchall()
    finally:
        db.close()
    with open_store(store, readonly=True) as reader:
        assert all(reader.resolve(old) in counts for (old,) in aliases)


def test_features_the_stream_forgets_leave_the_store(tmp_path: Path, ecbplus_docs: list[dict[str, Any]]) -> None:
    """A stream that forgets features seen once (``singleton_sweep``) stores what it keeps and no row of what it
    forgot; a second run resumes it into the stories of one uninterrupted stream."""
    topics = _without_copies([doc for doc in ecbplus_docs if doc["topic"] in (2, 12)])
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    for path, docs in zip(halves, (topics[:25], topics[25:]), strict=True):
        path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    store = tmp_path / "a.db"
    config = DigestConfig(cluster=ClusterConfig(singleton_sweep=6))
    for path in halves:
        ingest([path], store, config, batch_size=4, digests=False)
    articles, _ = newsweave.read_all(halves)
    expected = dict(zip((a.id for a in articles), cluster_stream(articles, config.cluster), strict=True))
    clusterer = StreamClusterer(config.cluster)
    for article in articles:
        clusterer.add(article)
    forgetful = sum(map(len, clusterer._df))
    whole = StreamClusterer(ClusterConfig(singleton_sweep=0))
    for article in articles:
        whole.add(article)
    assert forgetful < 0.8 * sum(map(len, whole._df))  # there was something to forget
    db = sqlite3.connect(store)
    try:
        assert dict(db.execute("SELECT article_id, story_id FROM members").fetchall()) == expected
        rows = db.execute("SELECT kind, feature, live, snapshot FROM stream_df").fetchall()
    finally:
        db.close()
    assert all(live or then for _, _, live, then in rows)
    live = {(kind, feature): count for kind, feature, count, _ in rows if count}
    assert live == {(kind, f): n for kind, counts in enumerate(clusterer._df) for f, n in counts.items()}


def test_a_feature_forgotten_before_any_snapshot_had_it_leaves_no_row(tmp_path: Path) -> None:
    header = {"documents": 2, "snapshot_documents": 1, "seq": 1, "clock": None}
    batches = [((0, "kept", 2, 1), (0, "new", 1, 0)), ((0, "new", 0, 0),)]
    with open_store(tmp_path / "a.db") as db:
        for rows in batches:
            with db.transaction() as connection:
                changes = StateChanges(header, rows, df_complete=False, stories=(), gone=(), stories_complete=False)
                Store.save_stream_changes(connection, changes)
        with db.snapshot():
            state, in_parts = db.stream_state()
        assert db._db.execute("SELECT kind, feature, live, snapshot FROM stream_df").fetchall() == [(0, "kept", 2, 1)]
    assert in_parts and state is not None
    assert state["df"] == [{"kept": 2}, {}, {}]
