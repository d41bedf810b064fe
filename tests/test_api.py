"""The Python API mirrors the command line: read one file, digest many, records in and out."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import newsweave

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_read_returns_a_segmented_article() -> None:
    article = newsweave.read(EXAMPLES / "02_westmarch-herald.txt")
    assert article.outlet == "The Westmarch Herald"
    assert article.authors == ("Tomasz Wren",)
    assert article.sentences and article.sentences[0].text.startswith("A delivery driver was killed")


def test_digest_accepts_articles_and_paths_together() -> None:
    herald = newsweave.read(EXAMPLES / "02_westmarch-herald.txt")
    unsegmented = dataclasses.replace(newsweave.read(EXAMPLES / "05_bellweather-tribune.txt"), sentences=())
    digest = newsweave.digest([herald, unsegmented, EXAMPLES / "01_aldane-courier.txt"])
    (story,) = digest.stories
    assert len(story.articles) == 3
    assert all(article.sentences for article in story.articles)
    # Publication order: 09:32 BST, 10:05 EDT (15:05 BST), then the Herald's zone-less 18:20.
    assert [a.outlet for a in story.articles] == ["Aldane Courier", "The Bellweather Tribune", "The Westmarch Herald"]


def test_digest_is_deterministic() -> None:
    first, second = newsweave.digest([EXAMPLES]), newsweave.digest([EXAMPLES])
    assert newsweave.to_json(first) == newsweave.to_json(second)
    assert newsweave.from_json(newsweave.to_json(first)) == first


def test_read_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(newsweave.InputError) as caught:
        newsweave.read(tmp_path / "nothing-here.txt")
    assert caught.value.source.endswith("nothing-here.txt")


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'summarise'"):
        _ = newsweave.summarise  # type: ignore[attr-defined]


def test_a_story_without_titles_is_headed_by_its_first_sentence(tmp_path: Path) -> None:
    long = "Storm Hollis brought gusts of 94mph to Merrowick on Sunday, " * 3 + "the forecasters said."
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "maintext": long + "\n\nMore text follows here."}) + "\n")
    (story,) = newsweave.digest([source]).stories
    assert story.title is not None and story.title.startswith("Storm Hollis brought") and story.title.endswith("…")
    assert len(story.title) <= 121


def test_ingest_is_callable_after_its_package_is_imported(tmp_path: Path) -> None:
    import newsweave.pipeline  # imports the newsweave.ingest package, which takes the attribute's name

    report = newsweave.ingest([EXAMPLES], tmp_path / "s.db")
    assert report.added == 10


def test_a_run_remembers_a_bounded_number_of_first_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeat of a recent document is reported as read once; one older than the bound is left to the store,
    so the reading side's memory does not grow with the stream."""
    from newsweave import pipeline

    monkeypatch.setattr(pipeline, "_FIRST_LOCATIONS", 2)
    texts = [f"Report number {n} says the {word} river rose by {n} metres overnight." for n, word in
             enumerate(["Arden", "Belvoir", "Caldon", "Dunmore"])]  # fmt: skip
    lines = [{"id": f"d{n}", "text": text, "source_domain": "a.example"} for n, text in enumerate(texts)]
    lines += [{"id": "again-recent", "text": texts[3], "source_domain": "a.example"}]
    lines += [{"id": "again-old", "text": texts[0], "source_domain": "a.example"}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    batches = list(pipeline.read_batches([source], batch_size=1))
    read_once = [problem.source for _, problems in batches for problem in problems if "read once" in problem.reason]
    assert read_once == [f"{source}:5"]  # the repeat of the fourth document, not of the first
    assert sum(len(articles) for articles, _ in batches) == 5


def test_first_locations_forget_the_oldest_in_order() -> None:
    from newsweave.pipeline import FirstLocations

    seen = FirstLocations(3)
    for n in range(10):
        seen.add(f"k{n}", f"file:{n}")
    assert len(seen) == 3
    assert [seen.get(f"k{n}") for n in range(10)] == [None] * 7 + ["file:7", "file:8", "file:9"]


def test_an_ingest_remembers_fewer_first_locations_and_the_store_catches_older_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading side of an ingest keeps a short memory (its RSS stops growing after a few batches); a repeat
    older than that is an article the store already holds: nothing is added twice."""
    from newsweave import pipeline

    monkeypatch.setattr(pipeline, "_INGEST_FIRST_LOCATIONS", 1)
    texts = [f"Report number {n} says the {word} river rose by {n} metres overnight near the old mill." for n, word in
             enumerate(["Arden", "Belvoir", "Caldon"])]  # fmt: skip
    lines = [{"id": f"d{n}", "text": text, "source_domain": "a.example"} for n, text in enumerate(texts)]
    lines += [{"id": "again-recent", "text": texts[2], "source_domain": "a.example"}]
    lines += [{"id": "again-old", "text": texts[0], "source_domain": "a.example"}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = newsweave.ingest([source], tmp_path / "s.db", batch_size=1, digests=False)
    assert (report.added, report.folded) == (3, 1)  # the old repeat: folded into the article the store holds
    read_once = [problem.source for problem in report.problems if "read once" in problem.reason]
    assert read_once == [f"{source}:4"]  # the recent repeat; the old one was left to the store
    assert newsweave.open_store(tmp_path / "s.db").counts()["articles"] == 3
