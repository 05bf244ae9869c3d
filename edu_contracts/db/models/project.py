"""Projects: a user's study space, the scope of documents, chats and search.

Everything a learner studies hangs off a project through a CASCADE chain,
so deleting one removes its documents, segments and generated material.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.models._common import non_empty, owned

if TYPE_CHECKING:
    from edu_contracts.db.models.chat import Chat
    from edu_contracts.db.models.content import MindMap, Note
    from edu_contracts.db.models.document import Document
    from edu_contracts.db.models.flashcard import FlashcardGroup
    from edu_contracts.db.models.quiz import Quiz
    from edu_contracts.db.models.study import StudySession
    from edu_contracts.db.models.user import User

__all__ = ["Project"]

_OWNED = "all, delete-orphan"


class Project(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's study space (a course, an exam); scopes documents and search."""

    __tablename__ = "projects"
    __table_args__ = (non_empty("name"),)

    user_id: Mapped[uuid.UUID] = owned("users.id")
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(back_populates="projects")
    documents: Mapped[list[Document]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    chats: Mapped[list[Chat]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    flashcard_groups: Mapped[list[FlashcardGroup]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    quizzes: Mapped[list[Quiz]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    mind_maps: Mapped[list[MindMap]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
    study_sessions: Mapped[list[StudySession]] = relationship(
        back_populates="project", cascade=_OWNED, passive_deletes=True
    )
