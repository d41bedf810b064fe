"""Language of an article's text, by py3langid (its model ships inside the package; no download)."""

from __future__ import annotations

import functools
from typing import Any

# Below this many letters a guess is noise; the article keeps language None.
_MIN_LETTERS = 40


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_confidence: float = 0.8) -> str | None:
    """Return the ISO 639-1 code of the language ``text`` is written in, or None when unsure."""
    sample = text[:1200]  # enough for a confident guess on news prose; cost grows with length
    if sum(map(str.isalpha, sample)) < _MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= min_confidence else None
