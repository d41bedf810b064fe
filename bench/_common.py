"""Helpers every benchmark prints with: library versions, aligned markdown tables, the machine's speed."""

from __future__ import annotations

import importlib.metadata
import platform
import re
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

# A cell that reads as a figure (numbers, signs, ranges, intervals, "3 × 2") is right-aligned.
_FIGURE = re.compile(r"^[-+\d.,%/ ()×x±—\[\]]+$")


def versions(names: Iterable[str]) -> str:
    """Return one line naming the versions of Python and of each library in ``names``."""
    found = [f"python {platform.python_version()}"]
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a markdown table with aligned columns; figures after the first column are right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if i and _FIGURE.match(cell) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _spin(count: int) -> float:
    """Seconds one process takes for ``count`` turns of a pure-Python loop (CPU only: no memory, no I/O)."""
    started = time.perf_counter()
    total = 0
    for i in range(count):
        total += i * i % 7
    return time.perf_counter() - started


def _probe(keys: int) -> float:
    """Seconds one process takes for 4 look-ups per key, in a scattered order, in a dictionary of ``keys`` string keys.

    Unlike ``_spin``, this waits on memory: a dictionary larger than the caches, as the clusterer's are, is
    slower when other tenants of the machine fill the shared cache.
    """
    table = {f"feature-{i}": i for i in range(keys)}
    order = [f"feature-{(i * 7919) % keys}" for i in range(4 * keys)]  # 7919 is prime: every key, scattered
    started = time.perf_counter()
    total = 0
    for key in order:
        total += table[key]
    return time.perf_counter() - started


@dataclass(frozen=True)
class Ceiling:
    """How fast this machine runs Python now: one process on the CPU alone (``alone``) and on a dictionary larger
    than the caches (``memory``: compare dictionary-heavy code, such as the clusterer, across sessions by this one),
    and what 2 processes gain over one for work that never waits (the most 2 workers can gain)."""

    alone: float  # seconds, one process, best of the rounds
    pair: float  # seconds, two processes at once (wall), best of the rounds
    rounds: int
    memory: float  # seconds, one process, best of the rounds: the dictionary probe (``_probe``)

    @property
    def speedup(self) -> float:
        return 2 * self.alone / self.pair


def machine_ceiling(count: int = 20_000_000, rounds: int = 3) -> Ceiling:
    """Time the same loop in one process, then in two at once, then the dictionary probe, alternating; keep the
    best of each.

    A machine's 2 cores may not be 2 cores' worth: virtual CPUs that are hyperthreads of one core, or whose
    host is busy, give two processes less than twice the work of one. No scheduler can beat that ratio.
    """
    alone, pair, memory = [], [], []
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [1000, 1000]))  # both processes started before any timing
        for _ in range(rounds):
            alone.append(pool.submit(_spin, count).result())
            started = time.perf_counter()
            list(pool.map(_spin, [count, count]))
            pair.append(time.perf_counter() - started)
            memory.append(pool.submit(_probe, 500_000).result())
    return Ceiling(min(alone), min(pair), rounds, min(memory))
