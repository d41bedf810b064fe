"""Reading files: bad input gets a clear error naming the file, and the rest of a batch goes on."""

from __future__ import annotations

import importlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import newsweave
from newsweave.errors import InputError
from newsweave.ingest import IngestConfig, discover
from newsweave.ingest.decode import decode, normalise_text
from newsweave.records import Problem

ARTICLE = (
    "Harbour reopens after storm\n\n"
    "By Ana Lima\n\n"
    "The harbour at São Martinho reopened on Thursday after three days of gales, the port authority said.\n\n"
    "Fishing boats returned to sea within hours, and the café on the quay was busy again by noon.\n"
)


def test_empty_file_is_refused_by_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        newsweave.read(empty)


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\n\t \r\n")
    with pytest.raises(InputError, match="empty file"):
        newsweave.read(blank)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    blob = tmp_path / "photo.txt"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"photo\.txt: binary file"):
        newsweave.read(blob)


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes(ARTICLE.encode("latin-1"))
    article = newsweave.read(latin)
    assert "São Martinho" in article.text
    assert "café on the quay" in article.text
    assert article.origin.encoding is not None and article.origin.encoding != "utf-8"


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    wide = tmp_path / "wide.txt"
    wide.write_bytes(ARTICLE.encode("utf-16"))
    assert "São Martinho" in newsweave.read(wide).text


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, no disk used
    with pytest.raises(InputError, match=r"huge\.txt: file is 50\.0 MiB, over the 10 MiB limit.*--max-bytes"):
        newsweave.read(huge)


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(InputError, match="over the"):
        newsweave.read(page, newsweave.DigestConfig(ingest=IngestConfig(max_bytes=100)))
    roomy = newsweave.DigestConfig(ingest=IngestConfig(max_bytes=10_000))
    assert newsweave.read(page, roomy).title == "Harbour reopens after storm"


def test_page_with_only_chrome_is_an_error(tmp_path: Path) -> None:
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("Menu\n\nSubscribe\n\nMost Read\n\nSign in\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"chrome\.txt: no article text found"):
        newsweave.read(chrome)


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything; /proc/self/mem refuses reads at offset 0
        locked = Path("/proc/self/mem")
    with pytest.raises(InputError, match="cannot read the file"):
        newsweave.read(locked)


def test_directory_of_mixed_files_reads_what_it_can(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes(ARTICLE.replace("Ana Lima", "Rui Sá").encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 1000)
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    nested = tmp_path / "more"
    nested.mkdir()
    (nested / "third.txt").write_text(ARTICLE.replace("Thursday", "Friday"), encoding="utf-8")

    digest = newsweave.digest([tmp_path])

    read = [a.origin.location for a in digest.articles] + [c.location for a in digest.articles for c in a.copies]
    assert sorted(Path(location).name for location in read) == ["good.txt", "latin.txt", "third.txt"]
    problems = {Path(p.source).name: p for p in digest.problems}
    assert set(problems) == {"empty.txt", "blob.txt", "picture.png"}
    assert problems["empty.txt"].kind == "error" and "empty file" in problems["empty.txt"].reason
    assert problems["blob.txt"].kind == "error" and "binary" in problems["blob.txt"].reason
    assert problems["picture.png"].kind == "skipped"


def test_missing_paths_and_empty_globs_are_problems(tmp_path: Path) -> None:
    found = list(discover([tmp_path / "nope.txt", str(tmp_path / "*.none")]))
    assert all(isinstance(item, Problem) for item in found)
    assert [p.reason for p in found if isinstance(p, Problem)] == [
        "no such file or folder",
        "no file matches this pattern",
    ]


def test_glob_patterns_are_expanded(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.md"):
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    found = list(discover([str(tmp_path / "*.txt")]))
    assert [Path(str(p)).name for p in found] == ["a.txt", "b.txt"]


def test_sidecar_metadata_wins_over_detection(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    sidecar = tmp_path / "page.txt.meta.json"
    sidecar.write_text(
        json.dumps(
            {"outlet": "Diário do Porto", "url": "https://example.org/a", "date_publish": "2024-01-04T10:00+00:00"}
        ),
        encoding="utf-8",
    )
    article = newsweave.read(page)
    assert article.outlet == "Diário do Porto"
    assert article.url == "https://example.org/a"
    assert article.date_publish is not None and article.date_publish.isoformat() == "2024-01-04T10:00:00+00:00"
    assert article.authors == ("Ana Lima",)  # detected, not given
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".txt"] == ["page.txt"]
    assert list(discover([tmp_path])) == [page]  # the sidecar is not an article


def test_bad_sidecar_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt.meta.json").write_text(json.dumps({"publisher": "x"}), encoding="utf-8")
    (tmp_path / "c.txt").write_text(ARTICLE, encoding="utf-8")
    digest = newsweave.digest([tmp_path])
    assert [Path(a.origin.location).name for a in digest.articles] == ["c.txt"]
    reasons = {Path(p.source).name: p.reason for p in digest.problems}
    assert "not valid JSON" in reasons["a.txt.meta.json"]
    assert "unknown metadata field(s) publisher" in reasons["b.txt.meta.json"]


def test_outlet_option_names_every_input(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    article = newsweave.read(page, newsweave.DigestConfig(ingest=IngestConfig(outlet="Wire")))
    assert article.outlet == "Wire"


@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_raise_input_error(data: bytes) -> None:
    try:
        text, encoding = decode(data, "fuzz.bin")
    except InputError as error:
        assert error.source == "fuzz.bin"
    else:
        assert isinstance(text, str) and encoding


@given(st.text(max_size=500))
def test_normalising_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\u00a0" not in once


# Spaces and line breaks of every kind, a control character, invisible ones and a decomposed é.
_SPACES = st.sampled_from(
    [
        " ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\n", "\r\n", "\r", "\x85", "\u2028", "\x0c", "\x0b",
        "\x01", "\u200b", "\u00ad", "e\u0301",
    ]
)  # fmt: skip


def _normalised_line_by_line(text: str) -> str:
    """normalise_text as it was written before its shortcuts: every pattern on the text, spaces line by line."""
    module = importlib.import_module("newsweave.ingest.decode")
    text = module._LINE_BREAK.sub("\n", text)
    text = unicodedata.normalize("NFC", module._CONTROL.sub("", module._INVISIBLE.sub("", text)))
    return "\n".join(module._HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))


@given(st.lists(st.text(max_size=12) | _SPACES, max_size=60).map("".join))
def test_normalising_with_shortcuts_gives_what_the_patterns_give(text: str) -> None:
    assert normalise_text(text) == _normalised_line_by_line(text)


def test_shortcut_characters_are_the_patterns_characters() -> None:
    """A pattern is skipped when none of its characters is in the text: the lists must be complete."""
    module = importlib.import_module("newsweave.ingest.decode")
    for pattern, listed in (
        (module._LINE_BREAK, module._LINE_BREAK_CHARS),
        (module._INVISIBLE, module._INVISIBLE_CHARS),
        (module._CONTROL, module._CONTROL_CHARS),
        (module._HORIZONTAL_SPACE, "".join(sign for sign in module._SPACE_SIGNS if sign != "  ") + " "),
    ):
        matched = {chr(code) for code in range(0x110000) if pattern.match(chr(code))}
        assert matched == set(listed), pattern.pattern
    assert re.search(r"\\n|\n", module._HORIZONTAL_SPACE.pattern) is None  # spaces never span lines


@given(st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode("utf-8")))
@example(b"WARC/")  # read as a WARC file whose first record is broken: the error names that record, "page.txt#0"
def test_reading_any_file_gives_an_article_or_an_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.txt"
        path.write_bytes(data)
        try:
            article = newsweave.read(path)
        except InputError as error:
            # The file, or a record in it ("page.txt#0": a WARC record at byte 0).
            assert error.source == str(path) or re.fullmatch(re.escape(str(path)) + r"#\d+", error.source)
            assert error.reason
        else:
            assert article.text and all(article.text[s.start : s.end] == s.text for s in article.sentences)


def test_the_same_page_given_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "copy.txt").write_text("Menu\n\n" + ARTICLE, encoding="utf-8")  # same text once cleaned
    config = newsweave.DigestConfig(ingest=IngestConfig(outlet="Wire"))
    digest = newsweave.digest([tmp_path / "a.txt", tmp_path, tmp_path / "copy.txt"], config)
    assert [Path(a.origin.location).name for a in digest.articles] == ["a.txt"]
    assert [(Path(p.source).name, p.kind) for p in digest.problems] == [
        ("a.txt", "skipped"),
        ("copy.txt", "skipped"),
        ("copy.txt", "skipped"),
    ]
    assert "same outlet and text as" in digest.problems[0].reason
