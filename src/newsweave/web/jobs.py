"""Ingest jobs the web app runs in the background: one at a time, a bounded queue, progress to read."""

from __future__ import annotations

import dataclasses
import itertools
import queue
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
            }


class JobsFullError(Exception):
    """More ingest jobs are waiting than the app accepts."""


class Jobs:
    """A worker thread that runs queued ingests into one store, in order."""

    def __init__(self, store: Path, config: DigestConfig, *, limit: int = 8, keep: int = 100) -> None:
        self.store = store
        self.config = config
        self.limit = limit
        self.keep = keep
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
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
        self._queue.put(None)
        self._worker.join(timeout=30)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with job.lock:
                job.state = "running"

            def read_one(_: str, job: Job = job) -> None:
                with job.lock:
                    job.sources_read += 1

            try:
                report = ingest(job.inputs, self.store, self.config, on_source=read_one)
            except Exception as error:  # a failed job is reported on its page; the server goes on
                with job.lock:
                    job.state, job.error = "failed", f"{type(error).__name__}: {error}"
            else:
                with job.lock:
                    job.state, job.report = "done", report
            finally:
                if job.folder is not None:
                    shutil.rmtree(job.folder, ignore_errors=True)


def upload_folder() -> Path:
    """A fresh private folder for one job's uploaded files."""
    return Path(tempfile.mkdtemp(prefix="newsweave-upload-"))
