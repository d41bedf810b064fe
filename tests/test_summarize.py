"""The cited summary: what it chooses, that every citation is true, its budget, its output, and the LLM backend."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave.crosscheck import crosscheck
from newsweave.pipeline import DigestConfig, summarized
from newsweave.records import Article, Origin, Story, Summary, SummarySentence
from newsweave.render.json import loads
from newsweave.render.markdown import render
from newsweave.segment import segment
from newsweave.statements import digits, function_stems, word_stems
from newsweave.summarize import LLMConfig, SummaryConfig, summarize
from newsweave.summarize.citations import support
from newsweave.summarize.extractive import Candidate, select, standalone
from newsweave.summarize.llm import BackendError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def article(article_id: str, outlet: str, text: str) -> Article:
    return segment(Article(id=article_id, outlet=outlet, text=text, origin=Origin(article_id, "test")))


def words(summary: Summary) -> int:
    return sum(len(sentence.text.split()) for sentence in summary.sentences)


def content(text: str) -> set[str]:
    return {s for s in word_stems(text) if s not in function_stems() and len(s) > 1}


def assert_supported(story: Story, sentence: SummarySentence) -> None:
    """What "the outlet supports the sentence" means, checked from the articles themselves."""
    assert sentence.citations, f"uncited: {sentence.text}"
    by_id = {a.id: a for a in story.articles}
    for citation in sentence.citations:
        evidence = by_id[citation.evidence.article_id]
        assert citation.outlet in evidence.outlets, f"{citation.outlet} did not write {evidence.id}"
        quoted = evidence.text[citation.evidence.start : citation.evidence.end]
        assert len(content(quoted) & content(sentence.text)) >= 2, (sentence.text, citation.outlet, quoted)
        said = " ".join(a.text for a in story.articles if citation.outlet in a.outlets).replace(",", "")
        for figure in FIGURE.findall(sentence.text):
            assert figure.replace(",", "") in said, f"{citation.outlet} never states {figure}: {sentence.text}"
    numbers = [c.number for c in sentence.citations]
    assert numbers == sorted(set(numbers))


def digest_of(inputs: Path | list[Path], words_: int = 120) -> newsweave.Digest:
    config = DigestConfig(summary=SummaryConfig(words=words_))
    return newsweave.digest(inputs, config)


# ------------------------------------------------------------------------------ real stories


def test_seed_summary_cites_only_outlets_that_support_each_sentence(seeds_dir: Path) -> None:
    result = digest_of(seeds_dir)
    (story,) = result.stories
    summary = story.summary
    assert summary is not None and summary.sentences
    assert words(summary) <= 120
    for sentence in summary.sentences:
        assert_supported(story, sentence)
    # Both outlets report the meeting of Kim and Xi ("Kim Jong-un" in one, "Kim Jong Un" in the
    # other): the summary says so with both sources.
    meeting = next(s for s in summary.sentences if "Jong-un met with" in s.text)
    assert len(meeting.citations) == 2
    assert {source.outlet for source in summary.sources} == set(story.outlets)
    assert "Xi" in summary.text and "Kim" in summary.text


def test_examples_summaries_are_cited_and_take_no_side_in_the_planted_disagreements() -> None:
    result = digest_of(sorted(EXAMPLES.glob("*.txt")))
    assert len(result.stories) == 3
    planted = ("14 people", "19 people", "52,000", "38,000", "81 mph", "88mph")
    for story in result.stories:
        summary = story.summary
        assert summary is not None and len(summary.sentences) >= 3, story.title
        assert words(summary) <= 120
        for sentence in summary.sentences:
            assert_supported(story, sentence)
            assert not any(value in digits(sentence.text) for value in planted), sentence.text  # "Fourteen people" too
        # Several independent outlets stand behind part of what each summary says.
        assert any(len(s.citations) >= 2 for s in summary.sentences)
    sentences = [s for story in result.stories if story.summary for s in story.summary.sentences]
    assert sum(len(s.citations) >= 2 for s in sentences) >= 0.4 * len(sentences)


def test_an_outlet_that_reports_the_fact_but_not_its_figure_is_not_cited() -> None:
    a = article("a", "Alpha", "A storm brought gusts of 88mph to the coast and flooded 200 homes overnight. Roads shut")
    b = article("b", "Beta", "A storm flooded 200 homes on the coast overnight, and the gusts were strong. Rail shut.")
    check = crosscheck(Story("s", None, (a, b)))
    assert any(f.status == "corroborated" for f in check.facts)  # the two first sentences are one fact
    supports = support(a, 0, (a, b), check, min_shared=2, min_coverage=0.5)
    assert [s.outlet for s in supports] == ["Alpha"]
    supports = support(b, 0, (a, b), check, min_shared=2, min_coverage=0.5)
    assert [s.outlet for s in supports] == ["Beta", "Alpha"]


# ------------------------------------------------------------------------------ choosing


def test_standalone_repairs_openings_and_refuses_what_cannot_stand_alone() -> None:
    assert standalone("But the bridge had been inspected in March.") == "The bridge had been inspected in March."
    assert standalone("However, officials said the road would reopen.") == "Officials said the road would reopen."
    assert standalone("LISSCOMBE (MPA) — A woman died in the floods.") == "A woman died in the floods."
    assert standalone("PORT ALDANE, May 14 (Reuters) - The bridge fell.") == "The bridge fell."
    assert standalone("The A-road was shut - then reopened.") == "The A-road was shut - then reopened."
    for text in (
        "He said the bridge had been inspected in March.",
        "This was the third collapse in a decade.",
        '"We will rebuild it," she said.',
        "Why did the bridge fall?",
        "Bridge collapses in Port Aldane",  # a headline, not a sentence
        'the council added. "It was',  # a fragment of a quote
        "Read more at www.example.com.",
    ):
        assert standalone(text) is None, text


def candidate(index: int, text: str) -> Candidate:
    a = article(f"a{index}", f"O{index}", text)
    return Candidate(a, a.sentences[0], text, len(text.split()), index)


def test_selection_is_exact_where_greedy_choice_is_not() -> None:
    # Greedy by gain per word takes the dense 4-word sentence first and then nothing fits; the best
    # pair within 10 words is the two 5-word sentences, covering more between them.
    pool = [
        candidate(0, "alpha beta gamma delta."),
        candidate(1, "alpha beta one two three."),
        candidate(2, "gamma delta four five six."),
    ]
    weights: dict[object, float] = {
        ("alpha", "beta"): 3.0, ("gamma", "delta"): 3.0, ("beta", "gamma"): 0.5,
        ("one", "two"): 1.5, ("four", "five"): 1.5,
    }  # fmt: skip
    chosen = select(pool, weights, {}, budget=10, halflife=4.0, seconds=5.0)
    assert [c.text for c in chosen] == [pool[1].text, pool[2].text]


def test_a_fact_is_said_once_however_many_outlets_repeat_it() -> None:
    lead = "The city council approved the new harbour bridge on Tuesday after a two-year dispute."
    others = {
        "Alpha": "Work on the bridge will begin in the spring. The mayor welcomed the vote.",
        "Beta": "The bridge will cost 40 million euros. Opponents plan to appeal.",
        "Gamma": "Residents had collected 5,000 signatures against it. The port authority supports it.",
    }
    articles = tuple(article(name.lower(), name, f"{lead} {rest}") for name, rest in others.items())
    summary = summarize(Story("s", None, articles), SummaryConfig(words=60))
    said = [s for s in summary.sentences if "approved the new harbour bridge" in s.text]
    assert len(said) == 1
    assert set(said[0].outlets) == {"Alpha", "Beta", "Gamma"}


def test_the_budget_holds_for_every_story_and_every_size() -> None:
    for budget in (15, 40, 120, 300):
        for story in digest_of(sorted(EXAMPLES.glob("*.txt")), budget).stories:
            assert story.summary is not None
            assert words(story.summary) <= budget
    with pytest.raises(ValueError, match="at least 1 word"):
        summarize(Story("s", None, ()), SummaryConfig(words=0))
    assert summarize(Story("s", None, ())).sentences == ()


def test_same_summary_in_every_process() -> None:
    script = (
        "import sys, newsweave; from newsweave.render.json import summary_to_dict; import json;"
        "d = newsweave.digest(sorted(__import__('pathlib').Path(sys.argv[1]).glob('*.txt')));"
        "print(json.dumps([summary_to_dict(s.summary) for s in d.stories]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(EXAMPLES)],
            capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert len(outputs) == 1


# ------------------------------------------------------------------------------ output


def test_json_round_trip_keeps_the_summary_and_its_citations() -> None:
    result = digest_of(sorted(EXAMPLES.glob("*.txt")))
    again = loads(newsweave.to_json(result))
    assert [s.summary for s in again.stories] == [s.summary for s in result.stories]


def test_markdown_shows_the_summary_first_with_numbered_sources() -> None:
    result = digest_of(sorted(EXAMPLES.glob("*.txt")))
    text = render(result)
    first = text.split("\n# ")[0]
    assert first.index("## Summary") < first.index("## Sources") < first.index("## Cross-check")
    story = result.stories[0]
    assert story.summary is not None
    for source in story.summary.sources:
        assert f"\n{source.number}. {source.outlet}" in first
    assert re.search(r"\.\[1\]", first)
    assert "Outlets disagree on 1 point" in first


def test_hostile_text_in_a_summary_is_escaped() -> None:
    hostile = "The mayor said <script>alert(1)</script> and [click](javascript:alert(1)) were posted online today."
    a = article("a", "Alpha", f"{hostile} Roads were closed.")
    b = article("b", "Beta", f"{hostile} Rail was closed.")
    result = newsweave.digest([a, b])
    text = render(result)
    summary_part = text.split("## Summary")[1].split("## Sources")[0]
    assert "\\<script>" in summary_part
    assert not re.search(r"(?<!\\)<script>", summary_part) and not re.search(r"(?<!\\)\]\(javascript", summary_part)


def test_cli_words_sets_the_budget(seeds_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "digest", str(seeds_dir), "--format", "json", "--words", "50", "-q"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (story,) = json.loads(done.stdout)["stories"]
    summary = story["summary"]
    assert summary["words"] == 50 and summary["method"] == "extractive"
    assert 0 < sum(len(s["text"].split()) for s in summary["sentences"]) <= 50
    assert all(s["citations"] for s in summary["sentences"])
    assert {c["outlet"] for s in summary["sentences"] for c in s["citations"]} <= set(story["outlets"])


# ------------------------------------------------------------------------------ LLM backend


class _ChatServer:
    """A real OpenAI-compatible endpoint on loopback that answers with ``reply(facts)``."""

    def __init__(self, reply: Any) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                facts = re.findall(r"^\[(\d+)\] \(\d+ sources\) (.*)$", body["messages"][1]["content"], re.M)
                status, payload = reply(facts)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> _ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _answer(text: str) -> dict[str, Any]:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


@pytest.fixture
def examples_story() -> Iterator[Story]:
    result = newsweave.digest(sorted(EXAMPLES.glob("*.txt")))
    yield result.stories[0]


def test_llm_sentences_are_checked_against_the_facts_they_cite(examples_story: Story) -> None:
    def reply(facts: list[tuple[str, str]]) -> tuple[int, Any]:
        number, first = facts[0]
        lines = [
            f"{first} [{number}]",  # the fact itself: supported
            "The bridge was painted bright purple by aliens last year [1].",  # words the fact lacks
            f"{first.rstrip('.')} and 9999 people watched [{number}].",  # a figure the fact lacks
            "Nobody knows what happened next.",  # no citation
            f"{first} [{len(facts) + 5}]",  # a fact that was never given
        ]
        return 200, _answer("\n".join(lines))

    with _ChatServer(reply) as server:
        config = SummaryConfig(llm=LLMConfig(url=server.url, model="test-model", api_key="k"))
        summary = summarize(examples_story, config)
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert server.requests[0]["body"]["model"] == "test-model"
    assert server.requests[0]["auth"] == "Bearer k"
    assert summary.method == "abstractive:test-model"
    assert len(summary.sentences) == 1
    kept = summary.sentences[0]
    assert kept.citations and kept.facts and kept.source is None
    for citation in kept.citations:
        assert citation.outlet in {o for a in examples_story.articles for o in a.outlets}
    reasons = [d.reason for d in summary.dropped]
    assert len(reasons) == 4
    assert any("content words" in r for r in reasons)
    assert any("9999" in r for r in reasons)
    assert any(r == "cites no fact" for r in reasons)
    assert any("was not given" in r for r in reasons)
    assert "left out, unsupported" in render(newsweave.Digest(stories=(_with(examples_story, summary),)))


def _with(story: Story, summary: Summary) -> Story:
    import dataclasses

    return dataclasses.replace(story, summary=summary)


def test_a_failing_backend_falls_back_to_the_extractive_summary(examples_story: Story) -> None:
    with _ChatServer(lambda facts: (500, b"model not loaded")) as server:
        config = SummaryConfig(llm=LLMConfig(url=server.url))
        with pytest.raises(BackendError, match="HTTP 500"):
            summarize(examples_story, config)
        story = summarized(examples_story, DigestConfig(summary=config))
    assert story.summary is not None and story.summary.method == "extractive" and story.summary.sentences
    assert story.summary.note is not None and "HTTP 500" in story.summary.note


def test_backend_answers_are_bounded_and_must_be_chat_completions(examples_story: Story) -> None:
    big = _ChatServer(lambda facts: (200, _answer("x" * 5000)))
    with big as server, pytest.raises(BackendError, match="larger than 1000 bytes"):
        summarize(examples_story, SummaryConfig(llm=LLMConfig(url=server.url, max_response_bytes=1000)))
    odd = _ChatServer(lambda facts: (200, {"text": "not a chat answer"}))
    with odd as server, pytest.raises(BackendError, match="not an OpenAI chat completion"):
        summarize(examples_story, SummaryConfig(llm=LLMConfig(url=server.url)))
    with pytest.raises(BackendError, match="is the server running"):
        summarize(examples_story, SummaryConfig(llm=LLMConfig(url="http://127.0.0.1:9/v1", timeout=2)))


def _highs_case() -> tuple[Any, list[Any], Any]:
    """The summary ILP of one story of the 10,000-record ECB+ replay (numbers only: words per sentence, concept
    weights) on which HiGHS 1.12 prints its debug line with printf, presolve off or not."""
    import numpy as np
    from scipy.optimize import LinearConstraint
    from scipy.sparse import csr_array

    case = np.load(Path(__file__).parent / "data" / "highs_debug_line.npz")
    n = len(case["objective"])
    words = LinearConstraint(csr_array(case["words"][None, :].astype(float)), -np.inf, case["budget"])
    covers = csr_array((case["values"], (case["rows"], case["cols"])), shape=tuple(case["shape"]))
    assert covers.shape[1] == n
    return case["objective"], [words, LinearConstraint(covers, -np.inf, 0.0)], case["integrality"]


def test_the_solver_writes_nothing_on_standard_output(capfd: pytest.CaptureFixture[str]) -> None:
    from scipy.optimize import Bounds

    from newsweave.summarize.extractive import solve

    objective, constraints, integrality = _highs_case()
    result = solve(objective, constraints, integrality, Bounds(0.0, 1.0), 5.0)
    assert result.status == 0 and result.x is not None  # solved to optimality
    print("after", flush=True)  # standard output is back where it was
    assert capfd.readouterr().out == "after\n"  # HiGHS's line, if this version prints it, went to standard error


def test_json_printed_after_a_solve_stays_json_in_a_fresh_process() -> None:
    # As `digest --format json` runs: output to a pipe is buffered by the C library, and must be flushed to standard
    # error before standard output is restored.
    code = (
        "import json, sys\n"
        "from scipy.optimize import Bounds\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_summarize import _highs_case\n"
        "from newsweave.summarize.extractive import solve\n"
        "objective, constraints, integrality = _highs_case()\n"
        "result = solve(objective, constraints, integrality, Bounds(0.0, 1.0), 5.0)\n"
        "print(json.dumps({'status': int(result.status)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"status": 0}
