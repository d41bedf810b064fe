"""Shared fixtures: the real data beside the project, and deterministic property tests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"

# Same examples on every run: a failure seen once is seen again.
settings.register_profile(
    "newsweave", derandomize=True, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("newsweave")


def _shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the project")
        pytest.skip(f"{path} is not here (the shared data folder sits beside the project in CI)")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _shared("seeds")


@pytest.fixture(scope="session")
def ecbplus_docs() -> list[dict[str, Any]]:
    path = _shared("data/ecbplus/docs.jsonl")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="session")
def examples_expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "tests/data/examples_expected.json").read_text(encoding="utf-8"))
    return {name: value for name, value in data.items() if not name.startswith("_")}
