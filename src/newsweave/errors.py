"""The exceptions newsweave raises; every message names the input and, where there is one, the fix."""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base class of every error newsweave raises on purpose."""


class InputError(NewsweaveError):
    """One input (a file, a URL) could not be turned into an article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FormatError(NewsweaveError):
    """Serialised newsweave data (JSON) does not have the expected shape."""
