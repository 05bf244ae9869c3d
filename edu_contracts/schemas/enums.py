"""The closed vocabularies of the domain, as ``StrEnum``s.

They live in ``schemas`` rather than ``db`` so that read models and queue
payloads can use them without importing the database layer (data flows one
way: ``db`` imports ``schemas``, never the reverse). The database stores the
*values*, so renaming a member is free but changing a value is a migration
and, for released contracts, a breaking change.
"""

from __future__ import annotations

import enum

__all__ = [
    "ChatRole",
    "DocumentSourceKind",
    "DocumentStatus",
    "FlashcardState",
    "QuizQuestionKind",
    "StudySessionKind",
    "UsagePeriod",
]


class DocumentStatus(enum.StrEnum):
    """Where a document is in the ingestion pipeline run by ``edu-worker``."""

    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class DocumentSourceKind(enum.StrEnum):
    """How the document reached us; decides how the worker fetches and parses it."""

    FILE = "file"
    URL = "url"
    TEXT = "text"


class ChatRole(enum.StrEnum):
    """Author of a chat message, in the vocabulary LLM APIs already use."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class QuizQuestionKind(enum.StrEnum):
    """Decides how an answer is graded and which options a question needs."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"


class FlashcardState(enum.StrEnum):
    """FSRS card state; the scheduler picks its formula from it."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


class StudySessionKind(enum.StrEnum):
    """What the learner practised in a session, for streaks and statistics."""

    FLASHCARDS = "flashcards"
    QUIZ = "quiz"
    MIXED = "mixed"


class UsagePeriod(enum.StrEnum):
    """Granularity of a usage row: daily rows for rate limits, monthly for plans."""

    DAY = "day"
    MONTH = "month"
