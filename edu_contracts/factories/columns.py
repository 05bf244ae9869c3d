"""The generated columns of each table, one function per table.

The ORM factories (one graph at a time, for tests) and the seed rows
(``edu_contracts.seed.rows``, a stream of plain dicts for COPY) both take
their values from here, so test data and seed data cannot drift apart: a
quiz's time limits, a deck's title, a note's wording are written once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from edu_contracts.factories import content
from edu_contracts.factories.streams import Entropy
from edu_contracts.factories.topics import Topic

__all__ = [
    "QUIZ_TIME_LIMITS",
    "chat_columns",
    "flashcard_group_columns",
    "mind_map_columns",
    "note_columns",
    "quiz_columns",
]

QUIZ_TIME_LIMITS: tuple[int | None, ...] = (None, 300, 600, 900, 1800)
"""Seconds a quiz may take; ``None`` is untimed."""


def chat_columns(
    entropy: Entropy,
    topic: Topic,
    created_at: dt.datetime,
    turns: int,
    sources: Sequence[tuple[uuid.UUID, uuid.UUID]],
) -> dict[str, Any]:
    """A chat about one of the topic's terms whose assistant turns cite ``sources``."""
    return {
        "title": f"Questions about {entropy.random.choice(topic.terms).name}",
        "messages": content.chat_transcript(entropy, topic, created_at, turns, list(sources)),
    }


def note_columns(entropy: Entropy, topic: Topic, *, from_document: bool) -> dict[str, Any]:
    """A generated summary of a document, or the learner's own notes on the topic."""
    title = f"{topic.name}: summary" if from_document else f"My notes on {topic.name}"
    return {
        "title": title,
        "content": content.markdown_note(entropy, topic, title),
        "is_generated": from_document,
    }


def mind_map_columns(
    entropy: Entropy, topic: Topic, segment_ids: Sequence[uuid.UUID]
) -> dict[str, Any]:
    return {
        "title": f"{topic.name} concept map",
        "graph": content.mind_map_graph(entropy, topic, segment_ids),
    }


def flashcard_group_columns(topic: Topic) -> dict[str, Any]:
    return {
        "title": f"{topic.name}: key terms",
        "description": f"Flashcards for revising {topic.name.lower()}.",
    }


def quiz_columns(entropy: Entropy, topic: Topic) -> dict[str, Any]:
    return {
        "title": f"{topic.name} practice quiz",
        "description": f"Check your understanding of {topic.name.lower()}.",
        "time_limit_seconds": entropy.random.choice(QUIZ_TIME_LIMITS),
    }
