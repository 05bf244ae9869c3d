"""Study material from segments, without a language model: cloze cards and questions.

A production worker would prompt an LLM with the segments; this one blanks
the most telling word of a sentence, which is deterministic, needs nothing
installed and still yields rows that satisfy every constraint of the
canonical tables (cards with both sides, choice questions with two or more
options and exactly one correct).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from edu_contracts.db.enums import QuizQuestionKind
from edu_contracts.db.models import DocumentSegment
from edu_contracts.schemas.jsonb import QuizOption

from edu_worker.text import sentences

__all__ = ["Card", "Question", "cards", "questions"]

_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
_STOP_WORDS = (
    "about above after again against among because before being below between could "
    "during every other should their there these those through under until where which "
    "while would"
)
_STOP = frozenset(_STOP_WORDS.split())
_BLANK = "_____"


@dataclass(frozen=True)
class Card:
    front: str
    back: str
    segment: DocumentSegment


@dataclass(frozen=True)
class Question:
    kind: QuizQuestionKind
    prompt: str
    options: tuple[QuizOption, ...]
    explanation: str
    segment: DocumentSegment


@dataclass(frozen=True)
class _Cloze:
    sentence: str
    answer: str
    blanked: str
    segment: DocumentSegment


def cards(segments: Sequence[DocumentSegment], count: int) -> list[Card]:
    """Up to ``count`` fill-in-the-blank cards, one per usable sentence, in text order."""
    return [
        Card(front=f"Fill in the blank: {c.blanked}", back=c.answer, segment=c.segment)
        for c in _take(_clozes(segments), count)
    ]


def questions(segments: Sequence[DocumentSegment], count: int, seed: str) -> list[Question]:
    """Up to ``count`` single-choice questions; distractors are other sentences' key words.

    ``seed`` (the task's id) fixes where the right option lands, so a retry
    generates the same quiz.
    """
    clozes = list(_clozes(segments))
    pool = sorted({c.answer for c in clozes}, key=lambda w: _rank(seed, w))
    result: list[Question] = []
    for cloze in clozes[:count]:
        wrong = [w for w in pool if w.lower() != cloze.answer.lower()][:3]
        if not wrong:
            result.append(_true_false(cloze))
            continue
        texts = sorted([cloze.answer, *wrong], key=lambda w: _rank(seed + cloze.sentence, w))
        options = tuple(
            QuizOption(key="abcd"[i], text=text, is_correct=text == cloze.answer)
            for i, text in enumerate(texts)
        )
        result.append(
            Question(
                kind=QuizQuestionKind.SINGLE_CHOICE,
                prompt=f"Which word completes the sentence? {cloze.blanked}",
                options=options,
                explanation=cloze.sentence,
                segment=cloze.segment,
            )
        )
    return result


def _true_false(cloze: _Cloze) -> Question:
    return Question(
        kind=QuizQuestionKind.TRUE_FALSE,
        prompt=f"True or false: {cloze.sentence}",
        options=(
            QuizOption(key="a", text="True", is_correct=True),
            QuizOption(key="b", text="False"),
        ),
        explanation=cloze.sentence,
        segment=cloze.segment,
    )


def _clozes(segments: Sequence[DocumentSegment]) -> Iterator[_Cloze]:
    seen: set[str] = set()
    for segment in segments:
        for sentence in sentences(segment.content):
            candidates = [w for w in _WORD.findall(sentence.content) if w.lower() not in _STOP]
            if not candidates or sentence.content in seen:
                continue
            seen.add(sentence.content)
            answer = max(candidates, key=len)  # the longest word carries the most meaning
            blanked = re.sub(rf"\b{re.escape(answer)}\b", _BLANK, sentence.content, count=1)
            yield _Cloze(sentence.content, answer, blanked, segment)


def _take(items: Iterator[_Cloze], count: int) -> list[_Cloze]:
    return [item for _, item in zip(range(count), items, strict=False)]


def _rank(seed: str, word: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{word}".encode(), digest_size=8).digest()
