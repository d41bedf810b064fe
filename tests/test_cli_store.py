"""The store verbs end to end, as a user types them: ingest, stories, digest --store/--story."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsweave.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_ingest_twice_then_list_the_one_seed_story(tmp_path: Path, seeds_dir: Path) -> None:
    store = str(tmp_path / "a.db")
    first = _run("ingest", str(seeds_dir), "--store", store)
    assert first.returncode == 0, first.stderr
    assert "2 new articles" in first.stdout and "new stories (1):" in first.stdout
    assert "1 story digest computed and stored" in first.stdout
    second = _run("ingest", str(seeds_dir), "--store", store)
    assert second.returncode == 0
    assert "0 new articles" in second.stdout and "nothing new" in second.stdout and "digest" not in second.stdout
    listed = _run("stories", "--store", store, "--format", "json")
    (story,) = json.loads(listed.stdout)
    assert story["articles"] == 2 and len(story["outlets"]) == 2
    assert story["facts"]["corroborated"] >= 5 and set(story["facts"]) == {"corroborated", "unique", "conflicting"}
    table = _run("stories", "--store", store)
    assert story["id"] in table.stdout and "Kim Jong" in table.stdout


def test_examples_ingest_into_three_stories_and_each_digest_prints(tmp_path: Path) -> None:
    store = str(tmp_path / "a.db")
    assert _run("ingest", str(EXAMPLES), "--store", store).returncode == 0
    rows = [json.loads(line) for line in _run("stories", "--store", store, "--format", "jsonl").stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        one = _run("digest", "--store", store, "--story", row["id"], "--format", "json")
        assert one.returncode == 0, one.stderr
        (story,) = json.loads(one.stdout)["stories"]
        assert story["id"] == row["id"] and len(story["articles"]) == row["articles"]
    everything = _run("digest", "--store", store)
    assert everything.stdout.count("\n# ") + everything.stdout.startswith("# ") == 3
    missing = _run("digest", "--store", store, "--story", "nope")
    assert missing.returncode == 3 and "no story 'nope'" in missing.stderr


def test_the_default_store_is_newsweave_db_in_the_working_folder(tmp_path: Path, seeds_dir: Path) -> None:
    assert _run("ingest", str(seeds_dir), cwd=tmp_path).returncode == 0
    assert (tmp_path / "newsweave.db").exists()
    assert "Kim Jong" in _run("stories", cwd=tmp_path).stdout


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not a database at all " * 50)
    result = _run("stories", "--store", str(bad))
    assert result.returncode == 2
    assert "bad.db" in result.stderr and "not a usable newsweave store" in result.stderr


def test_stories_of_jsonl_input_keep_the_input_ids(tmp_path: Path) -> None:
    lines = [
        {"id": f"doc-{n}", "maintext": text}
        for n, text in enumerate(
            [
                "Storm Hollis brought 94mph gusts to Merrowick on Sunday, and 140 people were evacuated.",
                "In Merrowick, Storm Hollis forced 140 people from their homes as gusts reached 94mph.",
                "Hallbrook Systems agreed to buy Pellow Labs for 4 billion dollars, the companies said.",
            ]
        )
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for extra in ([], ["--stream"], ["--stream", "--no-second-look"]):
        result = _run("stories", str(source), "--format", "jsonl", *extra)
        assert result.returncode == 0, result.stderr
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert [o["id"] for o in out] == ["doc-0", "doc-1", "doc-2"]
        assert out[0]["story"] == out[1]["story"] != out[2]["story"]


def test_options_that_would_be_ignored_are_refused(tmp_path: Path, seeds_dir: Path) -> None:
    store = str(tmp_path / "a.db")
    assert _run("ingest", str(seeds_dir), "--store", store).returncode == 0
    bad_date = _run("stories", "--store", store, "--since", "28/03/2018")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    assert _run("stories", str(seeds_dir), "--store", store).returncode == 2
    assert _run("digest", str(seeds_dir), "--store", store).returncode == 2
    assert _run("stories", "--store", store, "--stream").returncode == 2
    assert _run("stories", str(seeds_dir), "--no-second-look").returncode == 2  # batch: always looks twice
    assert _run("stories", "--store", store, "--no-second-look").returncode == 2
    assert _run("ingest", str(seeds_dir), "--store", str(tmp_path / "b.db"), "--no-second-look").returncode == 0
    # --since compares instants: the seed story's article is 2018-03-28 00:09 UTC.
    assert json.loads(_run("stories", "--store", store, "--since", "2018-03-28", "--format", "json").stdout)
    assert json.loads(_run("stories", "--store", store, "--since", "2018-03-29", "--format", "json").stdout) == []
