"""Flashcard decks, cards, and each learner's FSRS scheduling state per card."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.enums import FlashcardState, flashcard_state_type
from edu_contracts.db.models._common import fk, non_empty, owned

if TYPE_CHECKING:
    from edu_contracts.db.models.document import Document, DocumentSegment
    from edu_contracts.db.models.project import Project
    from edu_contracts.db.models.study import PracticeRecord, StudySession
    from edu_contracts.db.models.user import User

__all__ = ["Flashcard", "FlashcardGroup", "FlashcardProgress"]


class FlashcardGroup(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A deck of cards, usually generated from one document."""

    __tablename__ = "flashcard_groups"
    __table_args__ = (non_empty("title"),)

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    document_id: Mapped[uuid.UUID | None] = fk("documents.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship(back_populates="flashcard_groups")
    document: Mapped[Document | None] = relationship(back_populates="flashcard_groups")
    flashcards: Mapped[list[Flashcard]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Flashcard.position",
    )
    study_sessions: Mapped[list[StudySession]] = relationship(
        back_populates="flashcard_group", passive_deletes=True
    )


class Flashcard(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A question/answer card.

    ``source_segment_id`` lets the app show the passage a card came from; it
    is SET NULL because re-chunking a document must not delete cards that
    learners already have review history for.
    """

    __tablename__ = "flashcards"
    __table_args__ = (
        non_empty("front"),
        non_empty("back"),
        sa.CheckConstraint("position >= 0", name="position_non_negative"),
    )

    group_id: Mapped[uuid.UUID] = owned("flashcard_groups.id")
    source_segment_id: Mapped[uuid.UUID | None] = fk(
        "document_segments.id", ondelete="SET NULL", nullable=True
    )
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    front: Mapped[str] = mapped_column(sa.Text)
    back: Mapped[str] = mapped_column(sa.Text)

    group: Mapped[FlashcardGroup] = relationship(back_populates="flashcards")
    source_segment: Mapped[DocumentSegment | None] = relationship()
    progress: Mapped[list[FlashcardProgress]] = relationship(
        back_populates="flashcard", cascade="all, delete-orphan", passive_deletes=True
    )
    practice_records: Mapped[list[PracticeRecord]] = relationship(
        back_populates="flashcard", cascade="all, delete-orphan", passive_deletes=True
    )


class FlashcardProgress(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One learner's FSRS memory state for one card.

    Exactly one row per (user, card): the scheduler upserts it after each
    review, and two rows would make "what is due" ambiguous.
    """

    __tablename__ = "flashcard_progress"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "flashcard_id"),
        sa.CheckConstraint("stability >= 0", name="stability_non_negative"),
        sa.CheckConstraint("difficulty >= 0 AND difficulty <= 10", name="difficulty_range"),
        sa.CheckConstraint("reps >= 0 AND lapses >= 0", name="counters_non_negative"),
        sa.CheckConstraint("lapses <= reps", name="lapses_within_reps"),
        # The "what is due for me" query.
        sa.Index("ix_flashcard_progress_user_id_due_at", "user_id", "due_at"),
    )

    # The unique (user_id, flashcard_id) key leads with user_id: no extra index.
    user_id: Mapped[uuid.UUID] = owned("users.id", index=False)
    flashcard_id: Mapped[uuid.UUID] = owned("flashcards.id")
    state: Mapped[FlashcardState] = mapped_column(
        flashcard_state_type,
        default=FlashcardState.NEW,
        server_default=FlashcardState.NEW.value,
    )
    stability: Mapped[float] = mapped_column(default=0.0, server_default=sa.text("0"))
    difficulty: Mapped[float] = mapped_column(default=0.0, server_default=sa.text("0"))
    reps: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    lapses: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    due_at: Mapped[dt.datetime] = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.func.now()
    )
    last_reviewed_at: Mapped[dt.datetime | None] = mapped_column(sa.TIMESTAMP(timezone=True))

    user: Mapped[User] = relationship(back_populates="flashcard_progress")
    flashcard: Mapped[Flashcard] = relationship(back_populates="progress")
