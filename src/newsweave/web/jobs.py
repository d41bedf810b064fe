"""Ingest jobs the web app runs in the background: one at a time, a bounded queue, progress to read.

The ingest itself runs in a worker process at a lower CPU priority: inside the server it would hold the
interpreter lock for the whole of each batch (clustering and writing are Python), and every reader's request
would wait for it (bench/web.py measured p99 above 1 s at 50 clients while a writer ran in-process).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from newsweave.pipeline import DigestConfig, IngestReport, ingest

JobState = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    """One ingest the web app was asked for: its inputs, how far it is, and what it changed."""

    id: int
    inputs: tuple[str, ...]
    state: JobState = "queued"
    sources_read: int = 0
    report: IngestReport | None = None
    error: str | None = None
    folder: Path | None = None  # uploaded files, removed when the job ends
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, object]:
        with self.lock:
            report = self.report
            return {
                "id": self.id,
                "state": self.state,
                "inputs": len(self.inputs),
                "sources_read": self.sources_read,
                "error": self.error,
                "added": report.added if report else None,
                "folded": report.folded if report else None,
                "known": report.known if report else None,
                "problems": [str(p) for p in report.problems] if report else [],
                "changes": [dataclasses.asdict(c) for c in report.changes] if report else [],
                "titles": dict(report.titles) if report else {},
                "digests": report.digests if report else None,
                "conflicts": dict(report.conflicts) if report else {},
            }


class JobsFullError(Exception):
    """More ingest jobs are waiting than the app accepts."""


class Jobs:
    """Queued ingests into one store, run in order by one worker process at a lower CPU priority."""

    def __init__(
        self, store: Path, config: DigestConfig, *, limit: int = 8, keep: int = 100, niceness: int = 10
    ) -> None:
        self.store = store
        self.config = config
        self.limit = limit
        self.keep = keep
        self.niceness = niceness
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")  # a fork would copy the server's threads and models
        self._progress: Any = self._context.Queue()
        self._pool: ProcessPoolExecutor | None = None  # started with the first job: most servers only read
        self._worker = threading.Thread(target=self._run, name="newsweave-ingest", daemon=True)
        self._worker.start()

    def submit(self, inputs: Sequence[str], folder: Path | None = None) -> Job:
        with self._lock:
            waiting = sum(1 for job in self._jobs.values() if job.state in ("queued", "running"))
            if waiting >= self.limit:
                raise JobsFullError(f"{waiting} ingest jobs are already waiting; try again when one has finished")
            job = Job(next(self._ids), tuple(inputs), folder=folder)
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[: max(0, len(self._jobs) - self.keep)]:
                if self._jobs[old].state in ("done", "failed"):
                    del self._jobs[old]
        self._queue.put(job)
        return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self) -> None:
        """Finish the running job, drop the queued ones, stop the worker process."""
        self._queue.put(None)
        self._worker.join(timeout=60)
        while True:  # the dropped jobs' uploaded files go with them
            try:
                dropped = self._queue.get_nowait()
            except queue.Empty:
                break
            if dropped is not None and dropped.folder is not None:
                shutil.rmtree(dropped.folder, ignore_errors=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._progress.close()
        self._progress.join_thread()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with job.lock:
                job.state = "running"
            try:
                report = self._follow(job, self._start(job))
            except BrokenProcessPool:  # the worker died (killed, out of memory): the store rolled its batch back
                self._pool = None
                with job.lock:
                    job.state, job.error = "failed", "the ingest process stopped unexpectedly; run the job again"
            except Exception as error:  # a failed job is reported on its page; the server goes on
                with job.lock:
                    job.state, job.error = "failed", f"{type(error).__name__}: {error}"
            else:
                with job.lock:
                    job.state, job.report = "done", report
            finally:
                if job.folder is not None:
                    shutil.rmtree(job.folder, ignore_errors=True)

    def _start(self, job: Job) -> Future[IngestReport]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=self._context, initializer=_worker_started,
                initargs=(self._progress, self.niceness),
            )  # fmt: skip
        return self._pool.submit(_ingest_job, job.id, job.inputs, self.store, self.config)

    def _follow(self, job: Job, future: Future[IngestReport]) -> IngestReport:
        """Count the job's sources as the worker reads them; return its report."""
        while True:
            with contextlib.suppress(queue.Empty):
                job_id = self._progress.get(timeout=0.1)
                found = self.get(job_id)
                if found is not None:
                    with found.lock:
                        found.sources_read += 1
                continue
            if future.done():
                return future.result()


_PROGRESS: list[Any] = []  # the worker process's progress queue, set once by its initializer


def _worker_started(progress: Any, niceness: int) -> None:
    """In the worker process: keep the queue, and yield the CPU to the server's readers."""
    _PROGRESS.append(progress)
    with contextlib.suppress(OSError):
        os.nice(niceness)


def _ingest_job(job_id: int, inputs: tuple[str, ...], store: Path, config: DigestConfig) -> IngestReport:
    def read_one(_: str) -> None:
        for progress in _PROGRESS:
            progress.put(job_id)

    return ingest(inputs, store, config, on_source=read_one, parallel=False)


def upload_folder() -> Path:
    """A fresh private folder for one job's uploaded files."""
    return Path(tempfile.mkdtemp(prefix="newsweave-upload-"))
