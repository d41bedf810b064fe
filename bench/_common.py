"""Helpers every benchmark prints with: library versions and aligned markdown tables."""

from __future__ import annotations

import importlib.metadata
import platform
import re
from collections.abc import Iterable, Sequence

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
