"""Sentence segmentation with character offsets, by syntok (chosen on bench/segment.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from newsweave.records import Article, Sentence


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of every sentence of ``text``; paragraphs (blank lines) always end one."""
    from syntok import segmenter  # imported here: keeps ``import newsweave`` light

    offset = 0
    for paragraph in text.split("\n\n"):
        for tokens_of_paragraph in segmenter.analyze(paragraph):
            for sentence in tokens_of_paragraph:
                if not sentence:
                    continue
                start = sentence[0].offset
                end = sentence[-1].offset + len(sentence[-1].value)
                # syntok reports a closing quote after the full stop as the next sentence's
                # first token in some cases; keep trailing closing punctuation with this sentence.
                while end < len(paragraph) and paragraph[end] in "\"'”’»)]":
                    end += 1
                if end > start:
                    yield offset + start, offset + end
        offset += len(paragraph) + 2


def segment(article: Article) -> Article:
    """Return ``article`` with its sentences filled in."""
    spans = _merged(list(sentence_spans(article.text)), article.text)
    sentences = tuple(
        Sentence(article.id, index, start, end, article.text[start:end]) for index, (start, end) in enumerate(spans)
    )
    return dataclasses.replace(article, sentences=sentences)


def _merged(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Return spans with overlaps removed (a quote pulled into the previous sentence starts the next)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            start = merged[-1][1]
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                continue
        merged.append((start, end))
    return merged
