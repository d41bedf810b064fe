"""The embedded store: articles, outlets, stories and their digests in one SQLite file.

SQLite in WAL mode gives one writer and any number of readers at once (the web UI reads while
an ingest writes). Every batch of an ingest is one transaction that holds the batch's
articles, their story assignments, the recomputed digests and the streaming clusterer's state,
so a process killed at any moment leaves the store exactly as it was after the last whole
batch; a re-run skips what is stored (articles are unique by normalised content hash) and
reaches the same state an uninterrupted run reaches.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsweave.dates import comparable
from newsweave.errors import NewsweaveError
from newsweave.records import Article, Copy

if TYPE_CHECKING:
    from newsweave.cluster import StateChanges

SCHEMA_VERSION = 8

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE outlets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,            -- running | done | failed (a run killed stays 'running')
        inputs TEXT NOT NULL,            -- JSON list
        summary TEXT                     -- JSON: what changed
    );
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,         -- order of arrival; also the FTS rowid
        id TEXT NOT NULL UNIQUE,
        content_key TEXT NOT NULL UNIQUE,
        outlet_id INTEGER NOT NULL REFERENCES outlets(id),
        title TEXT,
        date_publish TEXT,
        url TEXT,
        language TEXT,
        source_id TEXT,
        record TEXT NOT NULL,            -- the article as newsweave JSON (render/json.py)
        run_id INTEGER NOT NULL REFERENCES runs(id)
    );
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,     -- order of creation
        title TEXT,
        articles INTEGER NOT NULL,
        outlets TEXT NOT NULL,           -- JSON list, in order of first appearance
        first_date TEXT,                 -- earliest and latest publication date of its articles
        last_date TEXT,
        created_run INTEGER NOT NULL,
        updated_run INTEGER NOT NULL,
        digest TEXT,                     -- the story's computed digest (JSON)
        digest_run INTEGER
    );
    CREATE TABLE members (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) DEFERRABLE INITIALLY DEFERRED,
        story_id TEXT NOT NULL REFERENCES stories(id) DEFERRABLE INITIALLY DEFERRED
    );
    CREATE INDEX members_story ON members(story_id);
    CREATE TABLE aliases (
        old_id TEXT PRIMARY KEY,         -- a story merged into another keeps working as a link
        story_id TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    CREATE TABLE changes (
        run_id INTEGER NOT NULL,
        story_id TEXT NOT NULL,
        kind TEXT NOT NULL,              -- new | grew | merged
        articles INTEGER NOT NULL,       -- articles added to the story by the run
        outlets TEXT NOT NULL,           -- JSON list of outlets new to the story
        PRIMARY KEY (run_id, story_id, kind)
    );
    CREATE TABLE state (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
    """,
    # 2: merges repoint aliases by the story they point to.
    """
    CREATE INDEX aliases_story ON aliases(story_id);
    """,
    # 3: the story list pages newest first without sorting every story (bench/web.py).
    """
    CREATE INDEX stories_updated ON stories(updated_run DESC, seq DESC);
    """,
    # 4: each story's full digest, computed at the end of the ingest that changed it (zlib-compressed JSON of
    # ``story_to_dict`` without the articles), the story version it describes and the settings it was made with.
    """
    ALTER TABLE stories ADD COLUMN computed BLOB;
    ALTER TABLE stories ADD COLUMN computed_run INTEGER;
    ALTER TABLE stories ADD COLUMN computed_key TEXT;
    ALTER TABLE stories ADD COLUMN fact_counts TEXT;  -- JSON: corroborated, unique, conflicting (for listings)
    """,
    # 5: the streaming clusterer's dormant stories (its profile of each when it left memory) and their
    # strongest features, so that a late article can find its story again.
    """
    CREATE TABLE dormant (
        story_id TEXT PRIMARY KEY,
        last_time TEXT,                  -- UTC ISO time of its newest article
        profile BLOB NOT NULL            -- zlib-compressed JSON, as the clusterer's state writes a story
    );
    CREATE INDEX dormant_time ON dormant(last_time);
    CREATE TABLE dormant_index (
        kind INTEGER NOT NULL,
        feature TEXT NOT NULL,
        story_id TEXT NOT NULL,
        PRIMARY KEY (kind, feature, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX dormant_index_story ON dormant_index(story_id);
    """,
    # 6: the streaming clusterer's state in parts, so that a batch writes what it changed, not the whole state
    # (``StreamClusterer.changes``); the 'clusterer' row of ``state`` keeps the rest (``stream_state``).
    """
    CREATE TABLE stream_df (
        kind INTEGER NOT NULL,
        feature TEXT NOT NULL,
        live INTEGER NOT NULL,           -- document frequency
        snapshot INTEGER NOT NULL,       -- at the IDF snapshot the scores read
        PRIMARY KEY (kind, feature)
    ) WITHOUT ROWID;
    CREATE TABLE stream_stories (
        id TEXT PRIMARY KEY,             -- an active story, as the clusterer's state writes it (JSON)
        seq INTEGER NOT NULL,
        profile TEXT NOT NULL
    );
    """,
    # 7: each stored article's LSH band keys (``dedupe.band_keys``), so that a near copy arriving in a later
    # batch or run is folded into it as a copy within one batch is; the 'near_scheme' row of ``state`` says how
    # they were made (``dedupe.band_scheme``), and keys of another scheme are made again before use.
    """
    CREATE TABLE near_keys (
        key INTEGER NOT NULL,
        article_seq INTEGER NOT NULL,    -- articles.seq
        PRIMARY KEY (key, article_seq)
    ) WITHOUT ROWID;
    """,
    # 8: each stored article's names (``dedupe.packed_names``), so that a candidate near copy whose names differ
    # (a template filled for another event) is dropped without reading its text.
    """
    CREATE TABLE near_names (
        article_seq INTEGER PRIMARY KEY, -- articles.seq
        names BLOB NOT NULL
    );
    """,
)


class StoreError(NewsweaveError):
    """The store file cannot be used; the message names the file and what to do."""


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One stored story as listed by ``newsweave stories``."""

    id: str
    title: str | None
    articles: int
    outlets: tuple[str, ...]
    first_date: str | None
    last_date: str | None
    created_run: int
    updated_run: int


@dataclass(frozen=True, slots=True)
class MemberRow:
    """What a story's row needs of one member article, read without reading the whole article back."""

    id: str
    title: str | None
    date_publish: datetime | None
    outlets: tuple[str, ...]  # its own outlet first, then those of its folded copies (as ``Article.outlets``)


@dataclass(frozen=True, slots=True)
class Change:
    """What one run did to one story."""

    story_id: str
    kind: str
    articles: int
    outlets: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A newsweave store file. Open with ``open_store(path)``; use as a context manager."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly and not self.path.exists():
            raise StoreError(f"{self.path}: no such store; create it with `newsweave ingest INPUT --store {path}`")
        try:
            uri = f"file:{self.path}?mode=ro" if readonly else f"file:{self.path}"
            self._db = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate(readonly)
        except sqlite3.DatabaseError as error:
            reason = f"not a usable newsweave store ({error}); give another --store path"
            raise StoreError(f"{self.path}: {reason}") from error

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, readonly: bool) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer newsweave (schema {version}, this one reads up to {SCHEMA_VERSION});"
                " upgrade newsweave"
            )
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise StoreError(f"{self.path}: schema {version} needs upgrading; run `newsweave ingest` on it once")
        with self.transaction():
            for number in range(version, SCHEMA_VERSION):
                for statement in _split_sql(_MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent view for several reads: writers committing meanwhile are not seen. Nests."""
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN DEFERRED")
        try:
            yield self._db
        finally:
            self._db.execute("COMMIT")

    # ------------------------------------------------------------------ runs

    def begin_run(self, inputs: Sequence[str]) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (started, status, inputs) VALUES (?, 'running', ?)",
                (_now(), json.dumps(list(inputs), ensure_ascii=False)),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                (_now(), status, json.dumps(summary, ensure_ascii=False), run_id),
            )

    def changes(self, run_id: int) -> list[Change]:
        rows = self._db.execute(
            "SELECT c.story_id, c.kind, c.articles, c.outlets FROM changes c JOIN stories s ON s.id = c.story_id"
            " WHERE c.run_id = ? ORDER BY s.seq, c.kind",
            (run_id,),
        ).fetchall()
        return [Change(r[0], r[1], r[2], tuple(json.loads(r[3]))) for r in rows]

    # ------------------------------------------------------------------ state

    def load_state(self, name: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(zlib.decompress(row[0]))
        return value

    def stream_state(self) -> tuple[dict[str, Any] | None, bool]:
        """The streaming clusterer's saved state (``StreamClusterer.from_state``) and whether it is kept in parts
        (``save_stream_changes``); None for a new store. Read it inside a snapshot."""
        header = self.load_state("clusterer")
        if header is None or "df" in header:  # a whole state, as stores before schema 6 saved it per batch
            return header, False
        live: list[dict[str, int]] = [{}, {}, {}]
        snapshot: list[dict[str, int]] = [{}, {}, {}]
        for kind, feature, count, then in self._db.execute("SELECT kind, feature, live, snapshot FROM stream_df"):
            if count:
                live[kind][feature] = count
            if then:
                snapshot[kind][feature] = then
        stories = [json.loads(row[0]) for row in self._db.execute("SELECT profile FROM stream_stories ORDER BY seq")]
        return {**header, "df": live, "snapshot": snapshot, "stories": stories}, True

    @staticmethod
    def save_stream_changes(db: sqlite3.Connection, changes: StateChanges) -> None:
        """Inside a batch's transaction: write what the clusterer changed since the last batch."""
        Store.save_state(db, "clusterer", changes.header)
        if changes.df_complete:
            db.execute("DELETE FROM stream_df")
        # A feature the clusterer forgot (``_forget_singletons``) and its snapshot never had leaves the table.
        kept = [row for row in changes.df if row[2] or row[3]]
        db.executemany("DELETE FROM stream_df WHERE kind = ? AND feature = ?",
                       [row[:2] for row in changes.df if not (row[2] or row[3])])  # fmt: skip
        db.executemany("INSERT OR REPLACE INTO stream_df (kind, feature, live, snapshot) VALUES (?, ?, ?, ?)",
                       kept)  # fmt: skip
        if changes.stories_complete:
            db.execute("DELETE FROM stream_stories")
        db.executemany("DELETE FROM stream_stories WHERE id = ?", [(story_id,) for story_id in changes.gone])
        db.executemany(
            "INSERT OR REPLACE INTO stream_stories (id, seq, profile) VALUES (?, ?, ?)",
            [(story["id"], story["seq"], json.dumps(story, ensure_ascii=False, separators=(",", ":")))
             for story in changes.stories],
        )  # fmt: skip

    def state_generation(self) -> int:
        """How many batches have saved the clusterer's state so far (0 for a new store)."""
        row = self._db.execute("SELECT value FROM state WHERE name = 'generation'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def claim_state(db: sqlite3.Connection, expected: int) -> int:
        """Inside a batch's transaction: fail if another ingest saved state since ``expected``; bump it."""
        row = db.execute("SELECT value FROM state WHERE name = 'generation'").fetchone()
        current = int(row[0]) if row else 0
        if current != expected:
            raise StoreError(
                "another ingest wrote to this store while this one ran; its batches so far are kept — "
                "run this ingest again when the other has finished"
            )
        db.execute(
            "INSERT INTO state (name, value) VALUES ('generation', ?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (current + 1,),
        )
        return current + 1

    @staticmethod
    def save_state(db: sqlite3.Connection, name: str, value: dict[str, Any]) -> None:
        blob = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 3)
        db.execute(
            "INSERT INTO state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, blob),
        )

    # ------------------------------------------------------------------ articles

    def article_by_key(self, content_key: str) -> Article | None:
        row = self._db.execute("SELECT record FROM articles WHERE content_key = ?", (content_key,)).fetchone()
        return _article(row[0]) if row else None

    def near_candidates(
        self, asked: Mapping[int, Sequence[int]], before: int, limit: int, db: sqlite3.Connection | None = None
    ) -> dict[int, list[tuple[int, bytes]]]:
        """For each asker of ``asked`` (any number naming it, and its band keys): the stored articles (seq, packed
        names) up to seq ``before`` that share band keys with it, at most ``limit``, the most shared first (then
        the earliest). One query for a whole batch, inside the batch's transaction (outside one, each row of the
        temporary table is a transaction of its own, 8x slower)."""
        db = db or self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS near_asked (asker INTEGER NOT NULL, key INTEGER NOT NULL)")
        # In key order, so that the join below walks near_keys' B-tree in order.
        pairs = sorted((key, i) for i, keys in asked.items() for key in keys)
        db.executemany("INSERT INTO near_asked (key, asker) VALUES (?, ?)", pairs)
        rows = db.execute(
            "SELECT r.asker, r.article_seq, coalesce(n.names, x'') FROM (SELECT a.asker, k.article_seq,"
            " row_number() OVER (PARTITION BY a.asker ORDER BY count(*) DESC, k.article_seq) AS place"
            " FROM near_asked a JOIN near_keys k ON k.key = a.key WHERE k.article_seq <= ?"
            " GROUP BY a.asker, k.article_seq) r LEFT JOIN near_names n ON n.article_seq = r.article_seq"
            " WHERE r.place <= ? ORDER BY r.asker, r.place",
            (before, limit),
        ).fetchall()
        db.execute("DELETE FROM near_asked")  # left empty: a rolled-back batch leaves it empty too
        found: dict[int, list[tuple[int, bytes]]] = {}
        for asker, seq, names in rows:
            found.setdefault(int(asker), []).append((int(seq), bytes(names)))
        return found

    def article_text(self, seq: int, db: sqlite3.Connection | None = None) -> str:
        row = (db or self._db).execute("SELECT json_extract(record, '$.maintext') FROM articles WHERE seq = ?", (seq,))
        return str(row.fetchone()[0])

    def last_seq(self, db: sqlite3.Connection | None = None) -> int:
        """The seq of the last article stored (0 when none is)."""
        return int((db or self._db).execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])

    def article_at(self, seq: int, db: sqlite3.Connection | None = None) -> Article:
        row = (db or self._db).execute("SELECT record FROM articles WHERE seq = ?", (seq,)).fetchone()
        return _article(row[0])

    @staticmethod
    def add_near_keys(db: sqlite3.Connection, articles: Iterable[tuple[int, Sequence[int], bytes]]) -> None:
        """Keep the band keys and packed names of stored articles: (seq, keys, names) each."""
        kept = list(articles)
        db.executemany(  # in key order, so that the B-tree's pages are visited in turn: a quarter less time
            "INSERT OR IGNORE INTO near_keys (key, article_seq) VALUES (?, ?)",
            sorted((key, seq) for seq, keys, _ in kept for key in keys),
        )
        db.executemany(
            "INSERT OR REPLACE INTO near_names (article_seq, names) VALUES (?, ?)", [(seq, n) for seq, _, n in kept]
        )

    def near_scheme(self) -> dict[str, Any] | None:
        """How the stored band keys were made (``dedupe.band_scheme``); None before any were."""
        return self.load_state("near_scheme")

    def article_texts(self, db: sqlite3.Connection | None = None) -> Iterator[tuple[int, str, datetime | None]]:
        """Every stored article's (seq, text, publication time), in order of arrival."""
        query = "SELECT seq, json_extract(record, '$.maintext'), date_publish FROM articles ORDER BY seq"
        for seq, text, published in (db or self._db).execute(query):
            yield int(seq), str(text), datetime.fromisoformat(published) if published else None

    @staticmethod
    def replace_near_keys(
        db: sqlite3.Connection, keys: Iterable[tuple[int, Sequence[int], bytes]], scheme: dict[str, Any]
    ) -> None:
        """Replace every stored band key and names with ``keys`` (seq, band keys, names), made under ``scheme``."""
        db.execute("DELETE FROM near_keys")
        db.execute("DELETE FROM near_names")
        chunk: list[tuple[int, Sequence[int], bytes]] = []
        for item in keys:
            chunk.append(item)
            if len(chunk) == 1000:
                Store.add_near_keys(db, chunk)
                chunk = []
        Store.add_near_keys(db, chunk)
        Store.save_state(db, "near_scheme", scheme)

    def article(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row[0]) if row else None

    def story_of(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT story_id FROM members WHERE article_id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else None

    @staticmethod
    def insert_article(
        db: sqlite3.Connection, article: Article, content_key: str, run_id: int, record: str | None = None
    ) -> int:
        """Store a new article and return its seq; ``record`` is its ``article_record`` when computed already."""
        outlet_id = _outlet_id(db, article.outlet)
        cursor = db.execute(
            "INSERT INTO articles (id, content_key, outlet_id, title, date_publish, url, language, source_id, record,"
            " run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                content_key,
                outlet_id,
                article.title,
                article.date_publish.isoformat() if article.date_publish else None,
                article.url,
                article.language,
                article.source_id,
                record if record is not None else article_record(article),
                run_id,
            ),
        )
        db.execute(
            "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
            (cursor.lastrowid, article.title or "", article.text),
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def replace_article(db: sqlite3.Connection, article: Article) -> None:
        """Store a new version of an article already stored (one more copy folded into it)."""
        db.execute("UPDATE articles SET record = ? WHERE id = ?", (article_record(article), article.id))

    @staticmethod
    def add_member(db: sqlite3.Connection, article_id: str, story_id: str) -> None:
        db.execute("INSERT INTO members (article_id, story_id) VALUES (?, ?)", (article_id, story_id))

    def members(self, story_id: str, db: sqlite3.Connection | None = None) -> list[Article]:
        query = (
            "SELECT a.record FROM members m JOIN articles a ON a.id = m.article_id WHERE m.story_id = ? ORDER BY a.seq"
        )
        rows = (db or self._db).execute(query, (story_id,)).fetchall()
        return [_article(row[0]) for row in rows]

    def member_rows(self, story_id: str, db: sqlite3.Connection | None = None) -> list[MemberRow]:
        """The members of a story as ``MemberRow``, in order of arrival (as ``members``).

        SQLite reads the copies out of each stored record itself, so no record is parsed here: a large story
        grows by a few articles per batch, and reading all of it back as articles took most of the writes.
        """
        rows = (
            (db or self._db)
            .execute(
                "SELECT a.id, a.title, a.date_publish, o.name, json_extract(a.record, '$.copies') FROM members m"
                " JOIN articles a ON a.id = m.article_id JOIN outlets o ON o.id = a.outlet_id"
                " WHERE m.story_id = ? ORDER BY a.seq",
                (story_id,),
            )
            .fetchall()
        )
        return [
            MemberRow(
                article_id,
                title,
                datetime.fromisoformat(date) if date else None,  # as render/json.py reads the record's
                tuple(dict.fromkeys((outlet, *(copy["outlet"] for copy in json.loads(copies)))))
                if copies != "[]"
                else (outlet,),
            )
            for article_id, title, date, outlet, copies in rows
        ]

    # ------------------------------------------------------------------ stories

    def resolve(self, story_id: str) -> str | None:
        """The current id of a story, following merges; None when no such story was ever stored."""
        seen = set()
        while story_id not in seen:
            seen.add(story_id)
            if self._db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
                return story_id
            row = self._db.execute("SELECT story_id FROM aliases WHERE old_id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            story_id = str(row[0])
        return None

    def stories(self, since: str | None = None) -> list[StoryRow]:
        """Stored stories, most recently updated first (then newest first); ``since`` filters by last date."""
        query = "SELECT id, title, articles, outlets, first_date, last_date, created_run, updated_run FROM stories"
        args: tuple[str, ...] = ()
        if since:
            query += " WHERE last_date >= ?"
            args = (since,)
        query += " ORDER BY updated_run DESC, seq DESC"
        return [
            StoryRow(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6], r[7])
            for r in self._db.execute(query, args).fetchall()
        ]

    def story_page(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        order: str = "updated",
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> tuple[list[StoryRow], int]:
        """One page of stories and how many match: newest first ("updated") or most outlets first ("outlets").

        ``outlet`` keeps stories one of whose outlets it is; ``since``/``until`` (ISO dates) keep stories
        whose articles' dates reach into that span; ``ids`` keeps only those stories.
        """
        where: list[str] = []
        args: list[object] = []
        if outlet:
            where.append("EXISTS (SELECT 1 FROM json_each(stories.outlets) WHERE value = ?)")
            args.append(outlet)
        if since:
            where.append("last_date >= ?")
            args.append(since)
        if until:
            where.append("first_date <= ?")
            args.append(until + "T23:59:59" if len(until) == 10 else until)
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})" if ids else "0")
            args.extend(ids)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        ordering = {
            "updated": "updated_run DESC, seq DESC",
            "outlets": "json_array_length(outlets) DESC, updated_run DESC, seq DESC",
        }[order]
        columns = "id, title, articles, outlets, first_date, last_date, created_run, updated_run"
        with self.snapshot() as db:
            total = int(db.execute(f"SELECT count(*) FROM stories{clause}", args).fetchone()[0])
            rows = db.execute(
                f"SELECT {columns} FROM stories{clause} ORDER BY {ordering} LIMIT ? OFFSET ?", [*args, limit, offset]
            ).fetchall()
        return [StoryRow(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6], r[7]) for r in rows], total

    def story_row(self, story_id: str) -> StoryRow | None:
        current = self.resolve(story_id)
        if current is None:
            return None
        columns = "id, title, articles, outlets, first_date, last_date, created_run, updated_run"
        r = self._db.execute(f"SELECT {columns} FROM stories WHERE id = ?", (current,)).fetchone()
        return StoryRow(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6], r[7]) if r else None

    def version(self) -> tuple[int, int, int]:
        """A value that changes whenever an ingest has written anything: for caches of what readers computed."""
        row = self._db.execute(
            "SELECT (SELECT value FROM state WHERE name = 'generation'), count(*), total(status != 'running') FROM runs"
        ).fetchone()
        return int(row[0] or 0), int(row[1]), int(row[2])

    def last_run(self) -> int:
        """The id of the latest finished run (0 when none)."""
        row = self._db.execute("SELECT max(id) FROM runs WHERE status = 'done'").fetchone()
        return int(row[0] or 0)

    def outlets(self) -> list[str]:
        return [str(r[0]) for r in self._db.execute("SELECT name FROM outlets ORDER BY name").fetchall()]

    def stories_of(self, article_ids: Sequence[str]) -> list[str]:
        """The stories that hold these articles, in the articles' order, each once."""
        found: dict[str, None] = {}
        for article_id in article_ids:
            story = self.story_of(article_id)
            if story is not None:
                found.setdefault(story)
        return list(found)

    def story_digest(self, story_id: str) -> dict[str, Any] | None:
        current = self.resolve(story_id)
        if current is None:
            return None
        row = self._db.execute("SELECT digest FROM stories WHERE id = ?", (current,)).fetchone()
        if row is None or row[0] is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def stale_digests(self, key: str, runs: Sequence[int] | None = None) -> list[tuple[str, int]]:
        """(id, updated run) of the stories whose stored digest is missing, older than the story, or made otherwise;
        only those last changed by ``runs`` when given."""
        among = "" if runs is None else f" AND updated_run IN ({','.join('?' * len(runs))})"
        rows = self._db.execute(
            "SELECT id, updated_run FROM stories WHERE (computed IS NULL OR computed_run IS NOT updated_run"
            f" OR computed_key IS NOT ?){among} ORDER BY seq",
            (key, *(runs or ())),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def unfinished_runs(self) -> list[int]:
        """Runs that stopped before the end (killed, or failed): their stories may lack their digests."""
        return [int(r[0]) for r in self._db.execute("SELECT id FROM runs WHERE status != 'done'").fetchall()]

    def computed_digest(self, story_id: str, key: str) -> dict[str, Any] | None:
        """The stored digest of a story when it describes its current version and was made with ``key``."""
        row = self._db.execute(
            "SELECT computed FROM stories WHERE id = ? AND computed_key = ? AND computed_run = updated_run",
            (story_id, key),
        ).fetchone()
        return _inflated(row)

    def previous_digest(self, story_id: str) -> dict[str, Any] | None:
        """The last digest stored for a story, whatever version of it it describes."""
        return _inflated(self._db.execute("SELECT computed FROM stories WHERE id = ?", (story_id,)).fetchone())

    def fact_counts(self, key: str | None = None) -> dict[str, dict[str, int]]:
        """Story id -> its facts by status, for the stories whose stored digest is current (made with ``key``)."""
        rows = self._db.execute(
            "SELECT id, fact_counts FROM stories WHERE fact_counts IS NOT NULL AND computed_run IS updated_run"
            + ("" if key is None else " AND computed_key = ?"),
            () if key is None else (key,),
        ).fetchall()
        return {str(r[0]): json.loads(r[1]) for r in rows}

    @staticmethod
    def write_computed(
        db: sqlite3.Connection,
        story_id: str,
        updated_run: int,
        key: str,
        digest: dict[str, Any],
        counts: dict[str, int],
    ) -> bool:
        """Store a story's digest if the story is still at ``updated_run``; False when it has changed since."""
        blob = zlib.compress(json.dumps(digest, ensure_ascii=False, separators=(",", ":")).encode(), 6)
        cursor = db.execute(
            "UPDATE stories SET computed = ?, computed_run = ?, computed_key = ?, fact_counts = ?"
            " WHERE id = ? AND updated_run = ?",
            (blob, updated_run, key, json.dumps(counts), story_id, updated_run),
        )
        return cursor.rowcount == 1

    @staticmethod
    def write_story(
        db: sqlite3.Connection,
        story_id: str,
        *,
        seq: int,
        title: str | None,
        articles: Sequence[Article | MemberRow],
        run_id: int,
        digest: str,
    ) -> None:
        outlets = list(dict.fromkeys(outlet for article in articles for outlet in article.outlets))
        db.execute("DELETE FROM aliases WHERE old_id = ?", (story_id,))  # a story split off again is itself
        # Kept in UTC, so that ordering and `--since` compare instants, not local clock readings.
        dates = sorted(
            comparable(a.date_publish).astimezone(UTC).isoformat() for a in articles if a.date_publish is not None
        )
        db.execute(
            "INSERT INTO stories (id, seq, title, articles, outlets, first_date, last_date, created_run, updated_run,"
            " digest, digest_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, articles = excluded.articles,"
            " outlets = excluded.outlets, first_date = excluded.first_date, last_date = excluded.last_date,"
            " updated_run = excluded.updated_run, digest = excluded.digest, digest_run = excluded.digest_run",
            (
                story_id,
                seq,
                title,
                len(articles),
                json.dumps(outlets, ensure_ascii=False),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                run_id,
                run_id,
                digest,
                run_id,
            ),
        )

    @staticmethod
    def move_member(db: sqlite3.Connection, article_id: str, story_id: str) -> str | None:
        """Move an article to another story; returns the story it was in (None if it was in none)."""
        row = db.execute("SELECT story_id FROM members WHERE article_id = ?", (article_id,)).fetchone()
        db.execute("UPDATE members SET story_id = ? WHERE article_id = ?", (story_id, article_id))
        return str(row[0]) if row else None

    @staticmethod
    def forget_dormant(db: sqlite3.Connection, group_id: str) -> None:
        """Drop the saved profile of a clusterer group folded into another (it must not be recalled)."""
        db.execute("DELETE FROM dormant WHERE story_id = ?", (group_id,))
        db.execute("DELETE FROM dormant_index WHERE story_id = ?", (group_id,))

    @staticmethod
    def merge_story(db: sqlite3.Connection, gone: str, keep: str, run_id: int) -> None:
        rows = db.execute(
            "SELECT kind, articles, outlets FROM changes WHERE run_id = ? AND story_id = ?", (run_id, gone)
        ).fetchall()
        db.execute("DELETE FROM changes WHERE run_id = ? AND story_id = ?", (run_id, gone))
        for kind, articles, outlets in rows:  # what the run did to the merged story, it did to the survivor
            Store.record_change(db, run_id, Change(keep, kind, articles, tuple(json.loads(outlets))))
        db.execute("UPDATE members SET story_id = ? WHERE story_id = ?", (keep, gone))
        db.execute("DELETE FROM stories WHERE id = ?", (gone,))
        Store.forget_dormant(db, gone)
        db.execute("UPDATE aliases SET story_id = ? WHERE story_id = ?", (keep, gone))
        db.execute("INSERT OR REPLACE INTO aliases (old_id, story_id, run_id) VALUES (?, ?, ?)", (gone, keep, run_id))

    @staticmethod
    def save_dormant(db: sqlite3.Connection, stories: Sequence[dict[str, Any]]) -> None:
        """Keep the profiles of stories that left the clusterer's memory (replacing older ones)."""
        for story in stories:
            last = story["last_time"]
            last_utc = comparable(datetime.fromisoformat(last)).astimezone(UTC).isoformat() if last else None
            db.execute(
                "INSERT OR REPLACE INTO dormant (story_id, last_time, profile) VALUES (?, ?, ?)",
                (story["id"], last_utc, zlib.compress(json.dumps(story, separators=(",", ":")).encode(), 6)),
            )
            db.execute("DELETE FROM dormant_index WHERE story_id = ?", (story["id"],))
            db.executemany(
                "INSERT OR IGNORE INTO dormant_index (kind, feature, story_id) VALUES (?, ?, ?)",
                [(kind, f, story["id"]) for kind, features in enumerate(story["indexed"]) for f in features],
            )

    def recall_dormant(
        self, keys: Sequence[tuple[int, str]], since: datetime, limit: int, db: sqlite3.Connection | None = None
    ) -> list[dict[str, Any]]:
        """Dormant stories sharing most of ``keys`` whose newest article is at or after ``since``, best first."""
        if not keys:
            return []
        pairs = " OR ".join("(i.kind = ? AND i.feature = ?)" for _ in keys)
        rows = (
            (db or self._db)
            .execute(
                "SELECT d.profile, count(*) AS shared, s.seq FROM dormant_index i"
                " JOIN dormant d ON d.story_id = i.story_id JOIN stories s ON s.id = i.story_id"
                f" WHERE ({pairs}) AND d.last_time >= ?"
                " GROUP BY i.story_id ORDER BY shared DESC, s.seq LIMIT ?",
                [*(value for key in keys for value in key), comparable(since).astimezone(UTC).isoformat(), limit],
            )
            .fetchall()
        )
        return [json.loads(zlib.decompress(row[0])) for row in rows]

    @staticmethod
    def record_change(db: sqlite3.Connection, run_id: int, change: Change) -> None:
        """Add ``change`` to what the run did to that story (counts add up, outlets accumulate)."""
        row = db.execute(
            "SELECT articles, outlets FROM changes WHERE run_id = ? AND story_id = ? AND kind = ?",
            (run_id, change.story_id, change.kind),
        ).fetchone()
        articles = change.articles + (int(row[0]) if row else 0)
        outlets = list(dict.fromkeys([*(json.loads(row[1]) if row else []), *change.outlets]))
        db.execute(
            "INSERT OR REPLACE INTO changes (run_id, story_id, kind, articles, outlets) VALUES (?, ?, ?, ?, ?)",
            (run_id, change.story_id, change.kind, articles, json.dumps(outlets, ensure_ascii=False)),
        )

    def story_outlets(self, story_id: str, db: sqlite3.Connection | None = None) -> tuple[str, ...]:
        """The outlets a stored story lists (none for a story not stored yet)."""
        row = (db or self._db).execute("SELECT outlets FROM stories WHERE id = ?", (story_id,)).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def story_seq(self, story_id: str, db: sqlite3.Connection | None = None) -> int | None:
        row = (db or self._db).execute("SELECT seq FROM stories WHERE id = ?", (story_id,)).fetchone()
        return int(row[0]) if row else None

    # ------------------------------------------------------------------ search and checks

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str | None]]:
        """Articles matching an FTS5 query, best first: (article id, title)."""
        try:
            rows = self._db.execute(
                "SELECT a.id, a.title FROM articles_fts f JOIN articles a ON a.seq = f.rowid"
                " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as error:
            raise StoreError(f"search {query!r}: {error}; quote phrases with double quotes") from error
        return [(str(r[0]), r[1]) for r in rows]

    def integrity(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Rows per table, all read from one snapshot."""
        with self.snapshot() as db:
            return {
                table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("articles", "outlets", "stories", "members", "aliases", "runs")
            }


def open_store(path: str | Path = "newsweave.db", *, readonly: bool = False) -> Store:
    """Open (creating or upgrading when writable) the store at ``path``."""
    return Store(path, readonly=readonly)


def _inflated(row: tuple[Any, ...] | None) -> dict[str, Any] | None:
    """A stored digest (zlib-compressed JSON) from a query's row, None when there is none."""
    if row is None or row[0] is None:
        return None
    value: dict[str, Any] = json.loads(zlib.decompress(row[0]))
    return value


def _split_sql(script: str) -> Iterable[str]:
    # executescript() would commit the open transaction; run the statements one by one instead.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""


def _outlet_id(db: sqlite3.Connection, name: str) -> int:
    db.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", (name,))
    return int(db.execute("SELECT id FROM outlets WHERE name = ?", (name,)).fetchone()[0])


def article_record(article: Article) -> str:
    """The article as the store keeps it: newsweave JSON (``render/json.py``) with its source id."""
    from newsweave.render.json import article_to_dict

    data = article_to_dict(article)
    data["source_id"] = article.source_id
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _article(record: str) -> Article:
    import dataclasses

    from newsweave.render.json import article_from_dict

    data = json.loads(record)
    article = article_from_dict(data)
    return dataclasses.replace(article, source_id=data.get("source_id"))


def with_copy(article: Article, copy: Copy) -> Article:
    """``article`` with one more folded copy (no change when that copy is already listed)."""
    import dataclasses

    if any(c.outlet == copy.outlet and c.location == copy.location for c in article.copies):
        return article
    return dataclasses.replace(article, copies=(*article.copies, copy))
