"""The installed ``newsweave`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NEWSWEAVE = Path(sys.executable).with_name("newsweave")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(NEWSWEAVE)] if NEWSWEAVE.exists() else [sys.executable, "-m", "newsweave"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False)


def test_seeds_as_json(seeds_dir: Path) -> None:
    result = run("digest", str(seeds_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (story,) = data["stories"]
    assert len(story["articles"]) == 2
    assert [a["date_publish"] for a in story["articles"]] == ["2018-03-28T01:09:00+01:00", None]
    assert all(a["outlet"] for a in story["articles"])


def test_examples_as_markdown_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "digest.md"
    result = run("digest", str(EXAMPLES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "_4 articles from 5 outlets" in text  # the Gazette's copy of the wire story is folded
    assert "also run by **The Eastfold Gazette**" in text
    assert "1 skipped (not an article file type: 1)" in result.stderr  # examples/README.md


def test_partial_failure_exits_1_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 100)
    result = run("digest", str(EXAMPLES / "01_aldane-courier.txt"), str(tmp_path / "bad.txt"))
    assert result.returncode == 1
    assert f"newsweave: error: {tmp_path / 'bad.txt'}: binary file" in result.stderr
    assert "newsweave: 1 article; 0 duplicates folded; 1 could not be read (binary file: 1)" in result.stderr
    assert "Tollis Bridge" in result.stdout


def test_nothing_readable_exits_3(tmp_path: Path) -> None:
    result = run("digest", str(tmp_path / "missing.txt"))
    assert result.returncode == 3
    assert "missing.txt: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2() -> None:
    result = run("digest", "x", "--format", "pdf")
    assert result.returncode == 2
    assert "invalid choice: 'pdf'" in result.stderr


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    result = run("digest", str(EXAMPLES), "--out", str(tmp_path / "no" / "such" / "dir.md"))
    assert result.returncode == 2
    assert "cannot write the output" in result.stderr


def test_read_prints_one_article(seeds_dir: Path) -> None:
    result = run("read", str(seeds_dir / "000_13d1fe4d8f86fe55.txt"), "--outlet", "The Independent")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["outlet"] == "The Independent"
    assert article["authors"] == ["Jeremy B. White"]


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version(flag: str) -> None:
    result = run(flag)
    assert result.returncode == 0
    assert "newsweave" in result.stdout


def test_help_documents_exit_codes() -> None:
    assert "3  no input could be read" in run("digest", "--help").stdout


@pytest.mark.timing
def test_import_is_light() -> None:
    code = "import time; t = time.perf_counter(); import newsweave; print(time.perf_counter() - t)"
    seconds = min(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    )
    assert seconds < 0.3
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, newsweave; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not {"blingfire", "numpy", "datasketch", "charset_normalizer", "dateutil"} & set(loaded)


@pytest.mark.timing
def test_digest_of_examples_takes_under_five_seconds() -> None:
    started = time.perf_counter()
    assert run("digest", str(EXAMPLES), "--format", "json").returncode == 0
    assert time.perf_counter() - started < 5
