"""Quizzes and their questions."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.enums import QuizQuestionKind, quiz_question_kind_type
from edu_contracts.db.models._common import fk, non_empty, owned
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.schemas.jsonb import QuizOption, QuizOptions

if TYPE_CHECKING:
    from edu_contracts.db.models.document import Document, DocumentSegment
    from edu_contracts.db.models.project import Project
    from edu_contracts.db.models.study import PracticeRecord, StudySession

__all__ = ["Quiz", "QuizQuestion"]


class Quiz(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An ordered set of questions, usually generated from one document."""

    __tablename__ = "quizzes"
    __table_args__ = (
        non_empty("title"),
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
    )

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    document_id: Mapped[uuid.UUID | None] = fk("documents.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    time_limit_seconds: Mapped[int | None]

    project: Mapped[Project] = relationship(back_populates="quizzes")
    document: Mapped[Document | None] = relationship(back_populates="quizzes")
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="quiz",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuizQuestion.position",
    )
    study_sessions: Mapped[list[StudySession]] = relationship(
        back_populates="quiz", passive_deletes=True
    )


class QuizQuestion(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A question with its options (choice kinds) or expected answer (short answer).

    The database checks the shape that SQL can see (choice questions have at
    least two options, short answers have an expected answer); that the
    correct options fit the kind (exactly one for single choice) is checked
    by the application, with the options' own validation in
    :data:`edu_contracts.schemas.jsonb.QuizOptions`.
    """

    __tablename__ = "quiz_questions"
    __table_args__ = (
        non_empty("prompt"),
        sa.CheckConstraint("position >= 0", name="position_non_negative"),
        sa.CheckConstraint(
            "kind = 'short_answer' OR jsonb_array_length(options) >= 2",
            name="choice_has_options",
        ),
        sa.CheckConstraint(
            "kind <> 'short_answer' OR expected_answer IS NOT NULL",
            name="short_answer_has_expected_answer",
        ),
    )

    quiz_id: Mapped[uuid.UUID] = owned("quizzes.id")
    source_segment_id: Mapped[uuid.UUID | None] = fk(
        "document_segments.id", ondelete="SET NULL", nullable=True
    )
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    kind: Mapped[QuizQuestionKind] = mapped_column(quiz_question_kind_type)
    prompt: Mapped[str] = mapped_column(sa.Text)
    options: Mapped[tuple[QuizOption, ...]] = mapped_column(
        PydanticJSONB(QuizOptions), default=tuple, server_default=sa.text("'[]'::jsonb")
    )
    expected_answer: Mapped[str | None] = mapped_column(sa.Text)
    explanation: Mapped[str | None] = mapped_column(sa.Text)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    source_segment: Mapped[DocumentSegment | None] = relationship()
    practice_records: Mapped[list[PracticeRecord]] = relationship(
        back_populates="quiz_question", cascade="all, delete-orphan", passive_deletes=True
    )
