"""Run a generator in a second process and consume its items here, in order.

``ingest`` reads and cleans the next batch in a child process while this one clusters and
writes the last: on two cores the two halves overlap. Items cross a small bounded queue, so
memory holds a few batches at most. The child is a daemon, and stops by itself when its parent
disappears (a ``kill -9`` of the ingest never leaves it running); it never touches the store.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

from newsweave.errors import InputError, NewsweaveError

T = TypeVar("T")

_POLL_SECONDS = 1.0


def in_background(produce: Callable[..., Iterator[T]], *args: Any, ahead: int = 2) -> Generator[T, None, None]:
    """Yield what ``produce(*args)`` yields, computed in a child process up to ``ahead`` items early.

    ``produce`` and its arguments must be picklable (a module-level function, records, configs).
    An ``InputError`` raised in the child is raised here with the same input and reason.
    """
    context = multiprocessing.get_context("spawn")  # no inherited locks or open store handles
    channel: Any = context.Queue(maxsize=ahead)
    process = context.Process(target=_run, args=(produce, args, channel, os.getpid()), daemon=True)
    process.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    raise NewsweaveError(
                        f"the reading process stopped unexpectedly (exit code {process.exitcode}); "
                        "run again, or with --serial to read in this process"
                    ) from None
                continue
            if kind == "item":
                yield payload
            elif kind == "done":
                return
            elif kind == "input-error":
                raise InputError(*payload)
            else:
                raise NewsweaveError(f"reading failed in the background process: {payload}")
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        channel.close()


def _run(produce: Callable[..., Iterator[Any]], args: tuple[Any, ...], channel: Any, parent: int) -> None:
    # Stop when the parent is gone, whether computing, waiting to put, or flushing the queue at exit.
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        for item in produce(*args):
            _put(channel, ("item", item), parent)
        _put(channel, ("done", None), parent)
    except InputError as error:
        _put(channel, ("input-error", (error.source, error.reason)), parent)
    except Exception as error:  # reported to the parent, which raises it with this text
        _put(channel, ("error", f"{type(error).__name__}: {error}"), parent)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL_SECONDS)
    os._exit(0)


def _put(channel: Any, item: tuple[str, Any], parent: int) -> None:
    while True:
        try:
            channel.put(item, timeout=_POLL_SECONDS)
            return
        except queue.Full:
            if os.getppid() != parent:  # the parent is gone: nobody will read this
                os._exit(0)
