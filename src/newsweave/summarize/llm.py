"""An abstractive summary from an OpenAI-compatible chat server (llama.cpp, vLLM, Ollama, ...), checked.

The server sees the story's facts, numbered, and must end every sentence with the numbers of the
facts it uses ("[2][5]"). newsweave keeps a sentence only when its citations name known facts, its
content words are found in those facts' statements, and every number it states is there too;
the rest are dropped and reported in ``Summary.dropped``. Citations are the cited facts' outlets,
each with the span of its own statement.

httpx is imported inside the function that uses it, so importing this module stays free.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsweave.errors import NewsweaveError
from newsweave.records import (
    Citation,
    CrossCheck,
    Dropped,
    Fact,
    Story,
    Summary,
    SummarySentence,
    SummarySource,
)
from newsweave.statements import function_stems, word_stems


class BackendError(NewsweaveError):
    """The abstractive backend could not be reached or answered something unusable."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Where the OpenAI-compatible server is and how far its sentences are trusted."""

    url: str  # the API base, e.g. "http://127.0.0.1:8080/v1"; "/chat/completions" is appended
    model: str = "default"
    api_key: str | None = None  # sent as "Authorization: Bearer ..." when given
    timeout: float = 120.0  # seconds for the whole answer
    max_response_bytes: int = 2_000_000
    max_facts: int = 60  # the facts shown to the model, most sources first
    # A sentence is kept when this share of its content words occur in the statements it cites.
    min_support: float = 0.7
    temperature: float = 0.0


_CITATION = re.compile(r"\s*\[(\d{1,3})\]")
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"”’)])|(?<=\]))(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)(?<!\bSt\.)"
    r"\s+(?=[\"“‘(]?[A-Z0-9])"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def abstractive_summary(story: Story, check: CrossCheck, config: LLMConfig, words: int) -> Summary:
    """Ask the server for a summary of ``story``'s facts and keep the sentences its facts support."""
    shown = shown_facts(check, config.max_facts)
    if not shown:
        return Summary(sentences=(), sources=(), words=words, method=f"abstractive:{config.model}")
    answer = complete(config, prompt(shown, words))
    return checked(answer, shown, story, words, config)


def shown_facts(check: CrossCheck, limit: int) -> list[Fact]:
    """The facts the model may use: those no outlet contradicts, most independent sources first."""
    usable = [fact for fact in check.facts if fact.status != "conflicting"]
    usable.sort(key=lambda f: (-len(f.sources), f.statements[0].article_id, f.statements[0].start))
    return usable[:limit]


def prompt(facts: Sequence[Fact], words: int) -> list[dict[str, str]]:
    """The chat messages: instructions, then the facts numbered from 1 with their outlets."""
    lines = []
    for number, fact in enumerate(facts, 1):
        text = max((s.text for s in fact.statements), key=len)
        lines.append(f"[{number}] ({len(fact.sources)} sources) {' '.join(text.split())}")
    system = (
        "You summarise news. Use only the numbered facts you are given. Write plain sentences, "
        f"at most {words} words in all. End every sentence with the numbers of the facts it uses, "
        "like [2][5]. Do not add anything the facts do not say."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": "Facts:\n" + "\n".join(lines)}]


def complete(config: LLMConfig, messages: list[dict[str, str]]) -> str:
    """The server's answer to ``messages``; ``BackendError`` naming the server when there is none."""
    import httpx

    url = config.url.rstrip("/") + "/chat/completions"
    body = {"model": config.model, "messages": messages, "temperature": config.temperature, "stream": False}
    headers = {"Content-Type": "application/json", "User-Agent": "newsweave"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(config.timeout), follow_redirects=False) as client,
            client.stream("POST", url, json=body, headers=headers) as response,
        ):
            raw = bytearray()
            for chunk in response.iter_bytes():
                raw.extend(chunk)
                if len(raw) > config.max_response_bytes:
                    raise BackendError(url, f"answer larger than {config.max_response_bytes} bytes")
            if response.status_code != 200:
                raise BackendError(url, f"HTTP {response.status_code}: {bytes(raw[:200]).decode(errors='replace')}")
    except httpx.HTTPError as error:
        raise BackendError(url, f"{type(error).__name__}: {error} (is the server running?)") from error
    try:
        return str(json.loads(raw)["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise BackendError(url, "the answer is not an OpenAI chat completion (choices[0].message.content)") from error


def checked(answer: str, facts: Sequence[Fact], story: Story, words: int, config: LLMConfig) -> Summary:
    """The summary of the answer's supported sentences within ``words``; the others in ``dropped``."""
    kept: list[tuple[str, list[Fact]]] = []
    dropped: list[Dropped] = []
    used = 0
    for sentence in split_sentences(answer):
        numbers = [int(n) for n in _CITATION.findall(sentence)]
        text = _CITATION.sub("", sentence).strip()
        if not text:
            continue
        reason = problem(text, numbers, facts, config.min_support)
        size = len(text.split())
        if reason is None and used + size > words:
            reason = f"over the {words}-word budget"
        if reason is not None:
            dropped.append(Dropped(text, reason))
            continue
        used += size
        kept.append((text, [facts[n - 1] for n in dict.fromkeys(numbers)]))
    outlets_of = {article.id: article.outlets for article in story.articles}
    number: dict[str, int] = {}
    sentences = []
    for text, cited in kept:
        citations: dict[str, Citation] = {}
        for fact in cited:
            for statement in fact.statements:
                for outlet in outlets_of.get(statement.article_id, ()):
                    if outlet not in citations:
                        number.setdefault(outlet, len(number) + 1)
                        citations[outlet] = Citation(outlet, number[outlet], statement.span, fact.id)
        ordered = tuple(sorted(citations.values(), key=lambda c: c.number))
        sentences.append(SummarySentence(text=text, citations=ordered, facts=tuple(f.id for f in cited)))
    sources = tuple(
        SummarySource(n, outlet, tuple(a.id for a in story.articles if outlet in a.outlets))
        for outlet, n in number.items()
    )
    return Summary(tuple(sentences), sources, words, method=f"abstractive:{config.model}", dropped=tuple(dropped))


def split_sentences(answer: str) -> list[str]:
    """The answer's sentences: one per line, or split after end punctuation and citation marks."""
    pieces: list[str] = []
    for line in answer.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if line:
            pieces.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return pieces


def problem(text: str, numbers: Sequence[int], facts: Sequence[Fact], min_support: float) -> str | None:
    """Why the facts a sentence cites do not support it, or ``None`` when they do."""
    if not numbers:
        return "cites no fact"
    unknown = [n for n in numbers if not 1 <= n <= len(facts)]
    if unknown:
        return f"cites fact {unknown[0]}, which was not given"
    sources = [s.text for n in numbers for s in facts[n - 1].statements]
    function = function_stems()
    known = {s for text_ in sources for s in word_stems(text_)}
    content = [s for s in word_stems(text) if s not in function and len(s) > 1]
    if content:
        share = sum(1 for s in content if s in known) / len(content)
        if share < min_support:
            return f"only {share:.0%} of its content words are in the facts it cites"
    stated = {_plain(n) for text_ in sources for n in _NUMBER.findall(text_)}
    missing = [n for n in _NUMBER.findall(text) if _plain(n) not in stated]
    if missing:
        return f"the number {missing[0]} is not in the facts it cites"
    return None


def _plain(number: str) -> str:
    return number.replace(",", "")
