"""Study sessions and the individual answers given in them.

Practice records are the raw history the scheduler and statistics are
computed from; they are append-only, hence no ``updated_at``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, CreatedAtMixin, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.enums import StudySessionKind, study_session_kind_type
from edu_contracts.db.models._common import fk, owned

if TYPE_CHECKING:
    from edu_contracts.db.models.flashcard import Flashcard, FlashcardGroup
    from edu_contracts.db.models.project import Project
    from edu_contracts.db.models.quiz import Quiz, QuizQuestion
    from edu_contracts.db.models.user import User

__all__ = ["PracticeRecord", "StudySession"]


class StudySession(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A sitting of practice, for streaks, time-on-task and per-session scores.

    The deck or quiz practised is SET NULL on delete: the learner's history
    (time spent, score) stays meaningful after the material is gone.
    """

    __tablename__ = "study_sessions"
    __table_args__ = (
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name="ended_after_started"
        ),
        sa.CheckConstraint("items_total >= 0 AND items_correct >= 0", name="counters_non_negative"),
        sa.CheckConstraint("items_correct <= items_total", name="correct_within_total"),
    )

    user_id: Mapped[uuid.UUID] = owned("users.id")
    project_id: Mapped[uuid.UUID] = owned("projects.id")
    kind: Mapped[StudySessionKind] = mapped_column(study_session_kind_type)
    flashcard_group_id: Mapped[uuid.UUID | None] = fk(
        "flashcard_groups.id", ondelete="SET NULL", nullable=True
    )
    quiz_id: Mapped[uuid.UUID | None] = fk("quizzes.id", ondelete="SET NULL", nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.func.now()
    )
    ended_at: Mapped[dt.datetime | None] = mapped_column(sa.TIMESTAMP(timezone=True))
    items_total: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    items_correct: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    user: Mapped[User] = relationship(back_populates="study_sessions")
    project: Mapped[Project] = relationship(back_populates="study_sessions")
    flashcard_group: Mapped[FlashcardGroup | None] = relationship(back_populates="study_sessions")
    quiz: Mapped[Quiz | None] = relationship(back_populates="study_sessions")
    practice_records: Mapped[list[PracticeRecord]] = relationship(
        back_populates="study_session", passive_deletes=True
    )


class PracticeRecord(UUIDPrimaryKeyMixin, CreatedAtMixin, Base):
    """One answer to one flashcard *or* one quiz question.

    Exactly one target is set (a CHECK with ``num_nonnulls``); both targets
    CASCADE, since a record about a deleted item can no longer be replayed
    into a schedule. The session link is optional and SET NULL.
    ``rating`` is the FSRS grade (1 again .. 4 easy) and only applies to
    flashcards; ``score`` is the graded fraction for quiz answers.
    """

    __tablename__ = "practice_records"
    __table_args__ = (
        sa.CheckConstraint(
            "num_nonnulls(flashcard_id, quiz_question_id) = 1", name="exactly_one_target"
        ),
        sa.CheckConstraint("rating >= 1 AND rating <= 4", name="rating_range"),
        sa.CheckConstraint(
            "rating IS NULL OR flashcard_id IS NOT NULL", name="rating_only_for_flashcards"
        ),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        sa.CheckConstraint("response_ms >= 0", name="response_ms_non_negative"),
        sa.Index("ix_practice_records_user_id_answered_at", "user_id", "answered_at"),
    )

    # Indexed together with answered_at above, for history queries.
    user_id: Mapped[uuid.UUID] = owned("users.id", index=False)
    study_session_id: Mapped[uuid.UUID | None] = fk(
        "study_sessions.id", ondelete="SET NULL", nullable=True
    )
    flashcard_id: Mapped[uuid.UUID | None] = fk("flashcards.id", ondelete="CASCADE", nullable=True)
    quiz_question_id: Mapped[uuid.UUID | None] = fk(
        "quiz_questions.id", ondelete="CASCADE", nullable=True
    )
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    is_correct: Mapped[bool | None]
    score: Mapped[float | None]
    answer: Mapped[str | None] = mapped_column(sa.Text, doc="What the learner typed or chose")
    response_ms: Mapped[int | None]
    answered_at: Mapped[dt.datetime] = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.func.now()
    )

    user: Mapped[User] = relationship(back_populates="practice_records")
    study_session: Mapped[StudySession | None] = relationship(back_populates="practice_records")
    flashcard: Mapped[Flashcard | None] = relationship(back_populates="practice_records")
    quiz_question: Mapped[QuizQuestion | None] = relationship(back_populates="practice_records")
