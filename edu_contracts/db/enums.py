"""Postgres ENUM types for the domain's ``StrEnum``s.

The Python enums live in :mod:`edu_contracts.schemas.enums` (so schemas never
import the database layer); here each gets an explicitly named native type
that stores the member *values*. SQLAlchemy's default would store member
names (``PENDING``), which no other service expects to read.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

from edu_contracts.schemas.enums import (
    ChatRole,
    DocumentSourceKind,
    DocumentStatus,
    FlashcardState,
    QuizQuestionKind,
    StudySessionKind,
    UsagePeriod,
)

__all__ = [
    "ChatRole",
    "DocumentSourceKind",
    "DocumentStatus",
    "FlashcardState",
    "QuizQuestionKind",
    "StudySessionKind",
    "UsagePeriod",
    "document_source_kind_type",
    "document_status_type",
    "flashcard_state_type",
    "pg_enum",
    "quiz_question_kind_type",
    "study_session_kind_type",
    "usage_period_type",
]


def _values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def pg_enum(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A native Postgres enum named ``name`` that stores ``enum_cls`` values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=True,
        values_callable=_values,
        validate_strings=True,
    )


document_status_type = pg_enum(DocumentStatus, "document_status")
document_source_kind_type = pg_enum(DocumentSourceKind, "document_source_kind")
quiz_question_kind_type = pg_enum(QuizQuestionKind, "quiz_question_kind")
flashcard_state_type = pg_enum(FlashcardState, "flashcard_state")
study_session_kind_type = pg_enum(StudySessionKind, "study_session_kind")
usage_period_type = pg_enum(UsagePeriod, "usage_period")
