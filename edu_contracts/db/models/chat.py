"""Chats: a RAG conversation over a project's documents."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.models._common import fk, non_empty, owned
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.schemas.jsonb import ChatMessage, ChatMessages

if TYPE_CHECKING:
    from edu_contracts.db.models.document import Document
    from edu_contracts.db.models.project import Project

__all__ = ["Chat"]


class Chat(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A conversation, optionally focused on one document.

    The transcript is one JSONB value: it is always loaded and appended as a
    whole and never queried message by message, so a messages table would
    cost a join per turn for nothing. Append with
    ``chat.messages = (*chat.messages, message)``.
    """

    __tablename__ = "chats"
    __table_args__ = (non_empty("title"),)

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    document_id: Mapped[uuid.UUID | None] = fk("documents.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    messages: Mapped[tuple[ChatMessage, ...]] = mapped_column(
        PydanticJSONB(ChatMessages), default=tuple, server_default=sa.text("'[]'::jsonb")
    )

    project: Mapped[Project] = relationship(back_populates="chats")
    document: Mapped[Document | None] = relationship(back_populates="chats")
