"""Splitting extracted text into sentences and segments, keeping character offsets.

Segments are runs of whole sentences up to a word budget, so a citation
never starts mid-sentence; a single sentence longer than the budget is cut
on word boundaries. Offsets go into ``SegmentMetadata`` so the app can
highlight a segment in its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "sentences", "split_segments"]

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of the source, with its word count."""

    content: str
    start: int
    end: int
    words: int


def sentences(text: str, offset: int = 0) -> list[Span]:
    """The sentences of ``text`` (a line break also ends one), stripped, none empty."""
    found: list[Span] = []
    for match in _SENTENCE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        words = len(_WORD.findall(stripped))
        if words == 0:
            continue
        start = offset + match.start() + (len(raw) - len(raw.lstrip()))
        found.append(Span(stripped, start, start + len(stripped), words))
    return found


def split_segments(text: str, max_words: int = 120) -> list[Span]:
    """Consecutive sentences grouped into segments of at most ``max_words`` words."""
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, not {max_words}")
    segments: list[Span] = []
    group: list[Span] = []
    for sentence in _bounded(sentences(text), text, max_words):
        if group and sum(s.words for s in group) + sentence.words > max_words:
            segments.append(_join(text, group))
            group = []
        group.append(sentence)
    if group:
        segments.append(_join(text, group))
    return segments


def _bounded(spans: list[Span], text: str, max_words: int) -> list[Span]:
    bounded: list[Span] = []
    for span in spans:
        if span.words <= max_words:
            bounded.append(span)
            continue
        words = list(_WORD.finditer(text, span.start, span.end))
        for first in range(0, len(words), max_words):
            chunk = words[first : first + max_words]
            start, end = chunk[0].start(), chunk[-1].end()
            bounded.append(Span(text[start:end], start, end, len(chunk)))
    return bounded


def _join(text: str, group: list[Span]) -> Span:
    start, end = group[0].start, group[-1].end
    return Span(text[start:end], start, end, sum(s.words for s in group))
