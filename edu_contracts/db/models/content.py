"""Notes and mind maps: generated (or hand-written) study material per project.

Both keep existing when their source document is deleted (SET NULL): the
learner may have edited them, and losing their work to a re-upload would be
worse than a dangling "source" label.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.models._common import fk, non_empty, owned
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.schemas.jsonb import MindMapGraph

if TYPE_CHECKING:
    from edu_contracts.db.models.document import Document
    from edu_contracts.db.models.project import Project

__all__ = ["MindMap", "Note"]


class Note(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A Markdown note; ``is_generated`` tells summaries from the learner's own."""

    __tablename__ = "notes"
    __table_args__ = (non_empty("title"),)

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    document_id: Mapped[uuid.UUID | None] = fk("documents.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    is_generated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    project: Mapped[Project] = relationship(back_populates="notes")
    document: Mapped[Document | None] = relationship(back_populates="notes")


class MindMap(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A concept graph; stored as one validated JSONB document because it is
    always rendered and regenerated whole."""

    __tablename__ = "mind_maps"
    __table_args__ = (non_empty("title"),)

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    document_id: Mapped[uuid.UUID | None] = fk("documents.id", ondelete="SET NULL", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    graph: Mapped[MindMapGraph] = mapped_column(
        PydanticJSONB(MindMapGraph),
        default=MindMapGraph,
        server_default=sa.text("""'{"nodes": [], "edges": []}'::jsonb"""),
    )

    project: Mapped[Project] = relationship(back_populates="mind_maps")
    document: Mapped[Document | None] = relationship(back_populates="mind_maps")
