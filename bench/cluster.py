"""Story clustering: newsweave.cluster (batch and streaming) against TF-IDF + KMeans and average link, on ECB+.

Run from the project root: ``.venv/bin/python bench/cluster.py`` (``make bench`` runs it too).

Data: ECB+ topics 1-35 (../shared/data/ecbplus/docs.jsonl; Cybulska & Vossen 2014, CC BY 3.0), 772 real news
documents about 66 events, two events of the same kind per topic (two celebrities entering rehab, two earthquakes).
The gold story of a document is its ``event``. newsweave reads the file with ``newsweave.read_all`` and never sees
``event``, ``topic`` or the number of events; the bench reads them from the file only to score.

Systems, on the same articles in the same run:
- ``cluster_batch(articles, ClusterConfig())``: all articles at once;
- ``cluster_stream(articles, ClusterConfig())`` on 5 shuffled orders (seeds 0-4): mean and worst of each figure,
  and how far each order's stories agree with the batch's (ARI);
- both again with ``ClusterConfig(embeddings="minilm")``, or "n/a" with the reason when that extra is missing;
- baselines given the true number of events (66), which newsweave is not: scikit-learn ``TfidfVectorizer``
  (sublinear tf, English stop words) + ``KMeans`` (n_init=10, random_state=0), and the same TF-IDF + average-link
  agglomerative clustering on cosine distance cut at 66 clusters. Baselines read the text newsweave reads (title,
  when there is one, and body).

Figures: B-cubed precision, recall and F1 (F1 with a 95% percentile bootstrap interval: 1000 resamples of the 33
topics, as ECB+ has no topics 15 and 17; fixed seed, the same resamples for every row), pairwise F1, adjusted Rand
index and V-measure (scikit-learn), the number of clusters, and the wall time of the clustering call alone (articles
already read; baselines include vectorising), one run each. ECB+ documents carry no dates, so streaming dormancy
never applies.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, v_measure_score

import newsweave
from _common import machine_ceiling, table, versions
from _metrics import Scores, bcubed, bcubed_f1_resamples, pairwise, percentile_interval
from newsweave.cluster import ClusterConfig, cluster_batch, cluster_stream
from newsweave.records import Article

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "data" / "ecbplus" / "docs.jsonl"

BOOTSTRAP_SEED = 20240514  # as in the other benches
RESAMPLES = 1000
STREAM_SEEDS = (0, 1, 2, 3, 4)  # one shuffled order of the articles per seed
LIBRARIES = ("newsweave", "numpy", "scipy", "scikit-learn", "sentence-transformers")
HEADER = [
    "system",
    "B³ P",
    "B³ R",
    "B³ F1",
    "B³ F1 95% CI",
    "pairwise F1",
    "ARI",
    "V-measure",
    "clusters",
    "seconds",
]

Clusterer = Callable[[Sequence[Article]], list[str]]


@dataclass(frozen=True)
class Gold:
    """What the bench knows and newsweave does not: each article's event and topic, in article order."""

    events: list[str]
    topics: list[int]


@dataclass(frozen=True)
class Evaluation:
    bcubed: Scores
    pairwise: Scores
    ari: float
    v_measure: float
    clusters: int
    seconds: float
    f1_draws: np.ndarray  # B-cubed F1 on each topic resample
    labels: list[str]  # in article order


def load_articles() -> list[Article]:
    """Return the ECB+ documents as newsweave reads them; exits with a message when they cannot be read."""
    if not DOCS.exists():
        sys.exit(
            f"bench/cluster.py: {DOCS} is missing. The shared data folder must sit beside the project "
            "as ../shared (see ../shared/data/README.md)."
        )
    articles, problems = newsweave.read_all([DOCS])
    if problems:
        sys.exit(f"bench/cluster.py: newsweave could not read all of {DOCS}: {problems[0]} ({len(problems)} problems)")
    return articles


def load_gold(articles: Sequence[Article]) -> Gold:
    """Return the gold event and topic of each article, matched on the JSONL ``id`` (``Article.source_id``)."""
    by_id: dict[str, tuple[str, int]] = {}
    with DOCS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            by_id[record["id"]] = (record["event"], record["topic"])
    missing = [article.id for article in articles if article.source_id not in by_id]
    if missing:
        sys.exit(f"bench/cluster.py: {len(missing)} articles have no ECB+ id in source_id (first: {missing[0]})")
    return Gold(
        events=[by_id[article.source_id or ""][0] for article in articles],
        topics=[by_id[article.source_id or ""][1] for article in articles],
    )


def article_text(article: Article) -> str:
    """Return the text a baseline reads: the title, when there is one, and the body, as newsweave's profile does."""
    return f"{article.title}\n{article.text}" if article.title else article.text


# ------------------------------------------------------------------------------------------- systems


def newsweave_batch(config: ClusterConfig) -> Clusterer:
    def run(articles: Sequence[Article]) -> list[str]:
        return cluster_batch(articles, config)

    return run


def newsweave_stream(config: ClusterConfig, seed: int) -> Clusterer:
    """Return a clusterer that streams the articles in the order shuffled by ``seed``; labels in input order."""

    def run(articles: Sequence[Article]) -> list[str]:
        order = list(range(len(articles)))
        random.Random(seed).shuffle(order)
        streamed = cluster_stream([articles[index] for index in order], config)
        labels = [""] * len(articles)
        for position, index in enumerate(order):
            labels[index] = streamed[position]
        return labels

    return run


def tfidf_kmeans(clusters: int) -> Clusterer:
    def run(articles: Sequence[Article]) -> list[str]:
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(map(article_text, articles))
        found = KMeans(n_clusters=clusters, n_init=10, random_state=0).fit_predict(matrix)
        return [str(label) for label in found.tolist()]

    return run


def tfidf_average_link(clusters: int) -> Clusterer:
    def run(articles: Sequence[Article]) -> list[str]:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer

        # Rows are L2-normalised, so 1 - dot product is the cosine distance.
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(map(article_text, articles))
        distance = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, None)
        np.fill_diagonal(distance, 0.0)
        found = AgglomerativeClustering(n_clusters=clusters, metric="precomputed", linkage="average").fit_predict(
            distance
        )
        return [str(label) for label in found.tolist()]

    return run


# ------------------------------------------------------------------------------------------- scoring


def evaluate(clusterer: Clusterer, articles: Sequence[Article], gold: Gold) -> Evaluation:
    """Return the scores of one run of ``clusterer`` on ``articles``, timed."""
    started = time.perf_counter()
    labels = clusterer(articles)
    seconds = time.perf_counter() - started
    if len(labels) != len(articles):
        raise ValueError(f"{len(labels)} labels for {len(articles)} articles")
    return Evaluation(
        bcubed=bcubed(gold.events, labels),
        pairwise=pairwise(gold.events, labels),
        ari=float(adjusted_rand_score(gold.events, labels)),
        v_measure=float(v_measure_score(gold.events, labels)),
        clusters=len(set(labels)),
        seconds=seconds,
        f1_draws=bcubed_f1_resamples(gold.events, labels, gold.topics, RESAMPLES, BOOTSTRAP_SEED),
        labels=labels,
    )


def interval(draws: np.ndarray) -> str:
    low, high = percentile_interval(draws)
    return f"[{low:.3f}, {high:.3f}]"


def row(name: str, result: Evaluation) -> list[str]:
    return [
        name,
        f"{result.bcubed.precision:.3f}",
        f"{result.bcubed.recall:.3f}",
        f"{result.bcubed.f1:.3f}",
        interval(result.f1_draws),
        f"{result.pairwise.f1:.3f}",
        f"{result.ari:.3f}",
        f"{result.v_measure:.3f}",
        str(result.clusters),
        f"{result.seconds:.2f}",
    ]


def mean_row(name: str, results: Sequence[Evaluation]) -> list[str]:
    """Return a row of means over runs; the interval is that of the mean F1 on each resample."""
    return [
        name,
        f"{statistics.fmean(r.bcubed.precision for r in results):.3f}",
        f"{statistics.fmean(r.bcubed.recall for r in results):.3f}",
        f"{statistics.fmean(r.bcubed.f1 for r in results):.3f}",
        interval(np.mean([r.f1_draws for r in results], axis=0)),
        f"{statistics.fmean(r.pairwise.f1 for r in results):.3f}",
        f"{statistics.fmean(r.ari for r in results):.3f}",
        f"{statistics.fmean(r.v_measure for r in results):.3f}",
        f"{statistics.fmean(r.clusters for r in results):.1f}",
        f"{statistics.fmean(r.seconds for r in results):.2f}",
    ]


def worst_row(name: str, results: Sequence[Evaluation]) -> list[str]:
    """Return a row of the worst figure of each column over runs (not one run); interval of the worst-F1 run."""
    worst_f1 = min(results, key=lambda r: r.bcubed.f1)
    clusters = sorted(r.clusters for r in results)
    return [
        name,
        f"{min(r.bcubed.precision for r in results):.3f}",
        f"{min(r.bcubed.recall for r in results):.3f}",
        f"{worst_f1.bcubed.f1:.3f}",
        interval(worst_f1.f1_draws),
        f"{min(r.pairwise.f1 for r in results):.3f}",
        f"{min(r.ari for r in results):.3f}",
        f"{min(r.v_measure for r in results):.3f}",
        f"{clusters[0]}-{clusters[-1]}",
        f"{max(r.seconds for r in results):.2f}",
    ]


def unavailable_row(name: str, error: Exception) -> list[str]:
    message = " ".join(str(error).split()) or type(error).__name__
    return [name, f"n/a: {message[:100]}", *([""] * (len(HEADER) - 2))]


@dataclass(frozen=True)
class NewsweaveResults:
    rows: list[list[str]]
    agreement: list[float] | None  # ARI between the batch labels and each streaming order
    batch_labels: list[str] | None


def newsweave_rows(label: str, config: ClusterConfig, articles: Sequence[Article], gold: Gold) -> NewsweaveResults:
    """Return the batch row, the streaming mean and worst rows, and streaming-vs-batch agreement for ``config``."""
    batch_name = f"newsweave batch{label}"
    stream_name = f"newsweave streaming{label}"
    try:
        batch = evaluate(newsweave_batch(config), articles, gold)
    except Exception as error:  # an optional extra that is not installed, or a bad option: report, carry on
        return NewsweaveResults([unavailable_row(batch_name, error), unavailable_row(stream_name, error)], None, None)
    rows = [row(batch_name, batch)]
    try:
        streams = [evaluate(newsweave_stream(config, seed), articles, gold) for seed in STREAM_SEEDS]
    except Exception as error:
        return NewsweaveResults([*rows, unavailable_row(stream_name, error)], None, batch.labels)
    orders = len(STREAM_SEEDS)
    rows.append(mean_row(f"{stream_name}, mean of {orders} orders", streams))
    rows.append(worst_row(f"{stream_name}, worst of {orders} orders", streams))
    agreement = [float(adjusted_rand_score(batch.labels, stream.labels)) for stream in streams]
    return NewsweaveResults(rows, agreement, batch.labels)


def quality(articles: Sequence[Article], gold: Gold) -> None:
    """Print the quality table: newsweave batch and streaming, with and without embeddings, and the baselines."""
    events = len(set(gold.events))
    default = newsweave_rows("", ClusterConfig(), articles, gold)
    try:
        neural_config = ClusterConfig(embeddings="minilm")  # type: ignore[call-arg]
    except TypeError:  # the [neural] variant does not exist yet: say so in the table
        missing = RuntimeError("not built")  # ClusterConfig has no embeddings option yet
        names = ("newsweave batch, embeddings=minilm", "newsweave streaming, embeddings=minilm")
        neural = NewsweaveResults([unavailable_row(name, missing) for name in names], None, None)
    else:
        neural = newsweave_rows(", embeddings=minilm", neural_config, articles, gold)
    # Imported before timing, so that no timed baseline pays for the import.
    import sklearn.cluster
    import sklearn.feature_extraction.text  # noqa: F401

    baselines = [
        (f"TF-IDF + KMeans (k = {events}, the true count)", tfidf_kmeans(events)),
        (f"TF-IDF + average link, cosine (cut at {events}, the true count)", tfidf_average_link(events)),
    ]
    # Without the second look streaming changes only (its batch row would repeat the default's).
    second = newsweave_rows(", no second look", ClusterConfig(second_look=False), articles, gold)
    rows = [*default.rows, *second.rows[1:], *neural.rows]
    rows += [row(name, evaluate(clusterer, articles, gold)) for name, clusterer in baselines]

    topics = len(set(gold.topics))
    print(f"\n## Story clustering on ECB+ ({len(articles)} articles, {events} gold events in {topics} topics)\n")
    print(table(HEADER, rows))
    print(
        f"\nB³: B-cubed, means over articles. CI: percentile bootstrap, {RESAMPLES} resamples of the {topics} topics "
        f"(seed {BOOTSTRAP_SEED}), the same\nresamples for every row. Streaming: the articles one at a time in "
        f"{len(STREAM_SEEDS)} shuffled orders (seeds {STREAM_SEEDS[0]}-{STREAM_SEEDS[-1]}); 'mean' averages each "
        "column (its CI is that of the mean F1),\n'worst' takes each column's worst order separately (its CI is "
        "that of the worst-F1 order; clusters: the range).\nseconds: wall time of one clustering call, articles "
        "already read (baselines include vectorising). The baselines are\ngiven the true number of events; "
        "newsweave is not."
    )
    for label, results in (("", default), (", no second look", second), (", embeddings=minilm", neural)):
        if results.agreement is not None:
            print(
                f"\nStreaming vs batch{label} (ARI between the batch labels and each order's): "
                f"mean {statistics.fmean(results.agreement):.3f}, min {min(results.agreement):.3f} "
                f"({', '.join(f'{value:.3f}' for value in results.agreement)})."
            )
    if neural.batch_labels is not None and neural.batch_labels == default.batch_labels:
        print(
            "\nNote: embeddings=minilm gave exactly the default batch labels; the option may be ignored "
            "by newsweave.cluster."
        )


SCALE_CHECKPOINTS = (10_000, 50_000, 100_000, 500_000, 1_000_000)


def _rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process and its children (the reading process), KiB."""
    current = peak = 0
    for process in (pid, *_children(pid)):
        fields = {}
        with Path(f"/proc/{process}/status").open(encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value
        current += int(fields.get("VmRSS", "0 kB").split()[0])
        peak += int(fields.get("VmHWM", "0 kB").split()[0])
    return current, peak


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _stored(store: Path) -> int:
    import sqlite3

    if not store.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def scale(count: int, batch_size: int, second_look: bool = True) -> None:
    """Stream ``count`` replayed ECB+ articles through ``newsweave ingest`` into a fresh store; print a table."""
    import subprocess
    import tempfile

    from _replay import write_replay

    look = "" if second_look else ", --no-second-look"
    print(f"\n## Scale: {count:,} articles through `newsweave ingest` (batch size {batch_size}{look})\n")
    speed = machine_ceiling()
    print(
        f"Machine speed now: a pure-Python loop of 20,000,000 turns took {speed.alone:.2f} s in one process, and two "
        f"at once did {speed.speedup:.2f}x the work of one; 2,000,000 scattered look-ups in a dictionary of 500,000 "
        f"string keys took {speed.memory:.2f} s. The loop measures the CPU alone, the look-ups also the memory and "
        "the cache other tenants leave, as the clusterer's dictionaries do; compare code by runs made minutes "
        "apart.\n"
    )
    with tempfile.TemporaryDirectory(prefix="newsweave-scale-") as folder:
        source = write_replay(DOCS, Path(folder) / "stream.jsonl", count)
        store = Path(folder) / "scale.db"
        command = [sys.executable, "-m", "newsweave.cli", "ingest", str(source), "--store", str(store),
                   "--batch-size", str(batch_size), "-q", "--no-digests",
                   *([] if second_look else ["--no-second-look"])]  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        marks = [mark for mark in SCALE_CHECKPOINTS if mark <= count]
        rows = []
        while process.poll() is None:
            time.sleep(0.5)
            try:
                rss, peak = _rss_kib(process.pid)
            except OSError:
                break
            stored = _stored(store)
            while marks and stored >= marks[0] * 0.9:  # folded copies (about 5%) never reach the articles table
                elapsed = time.perf_counter() - started
                size = sum(p.stat().st_size for p in store.parent.glob("scale.db*")) / 2**20
                rows.append([f"{marks.pop(0):,}", f"{stored:,}", f"{elapsed:.0f}", f"{stored / elapsed:.0f}",
                             f"{peak / 1024:.0f}", f"{rss / 1024:.0f}", f"{size:.0f}"])  # fmt: skip
        _, errors = process.communicate()
        elapsed = time.perf_counter() - started
        if process.returncode not in (0, 1):
            print(f"ingest failed (exit {process.returncode}): {errors[-2000:]}")
            return
        stored = _stored(store)
        size = sum(p.stat().st_size for p in store.parent.glob("scale.db*")) / 2**20
        import sqlite3

        db = sqlite3.connect(store)
        stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        db.close()
        import resource

        peak_end = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        rows.append(["end", f"{stored:,}", f"{elapsed:.0f}", f"{stored / elapsed:.0f}", f"{peak_end:.0f}", "",
                     f"{size:.0f}"])  # fmt: skip
    header = ["checkpoint", "articles stored", "seconds", "articles/s", "peak RSS MiB", "RSS MiB", "store MiB"]
    print(table(header, rows))
    print(
        f"\n{count:,} records in, {stored:,} articles stored (the rest folded as copies), {stories:,} stories. "
        "Replays of ECB+ with every capitalised word and number rewritten per replay, one replay every "
        f"{365 * 24 / -(-count // 772):.0f} hours of publication time; dormancy window 7 days. Peak RSS is the "
        "ingest process plus its reading process (Python, numpy, scipy, the language model in each)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="articles in the scale stream (default 100,000)")
    parser.add_argument("--batch-size", type=int, default=500, help="ingest batch size for the scale run")
    parser.add_argument("--no-scale", action="store_true", help="quality table only")
    parser.add_argument("--scale-only", action="store_true", help="scale table only")
    parser.add_argument("--no-second-look", action="store_true", help="scale run without the streaming second look")
    args = parser.parse_args()
    started = time.perf_counter()
    articles = load_articles()
    gold = load_gold(articles)

    print("# Story clustering benchmark (bench/cluster.py)\n")
    print(f"Versions: {versions(LIBRARIES)}")
    print(f"Defaults under test: {ClusterConfig()}")
    print(
        f"Data: ECB+ topics 1-35 (Cybulska & Vossen, LREC 2014; CC BY 3.0), {len(articles)} articles read by "
        "newsweave.read_all; gold = the ECB+ event, used only to score (and as k for the baselines)."
    )

    if not args.scale_only:
        quality(articles, gold)
    if not args.no_scale:
        scale(args.n, args.batch_size, not args.no_second_look)

    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
