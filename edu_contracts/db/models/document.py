"""Uploaded documents and the embedded chunks that RAG retrieves.

The segment table is the hot one: the worker bulk-inserts it and every chat
turn searches it, so its shape is chosen for the project-scoped nearest
search (see :mod:`edu_contracts.db.search`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, column_property, mapped_column, relationship

from edu_contracts.db.base import EMBEDDING_DIM, Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.enums import (
    DocumentSourceKind,
    DocumentStatus,
    document_source_kind_type,
    document_status_type,
)
from edu_contracts.db.models._common import non_empty, owned
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.schemas.jsonb import SegmentMetadata

if TYPE_CHECKING:
    from edu_contracts.db.models.chat import Chat
    from edu_contracts.db.models.content import MindMap, Note
    from edu_contracts.db.models.flashcard import FlashcardGroup
    from edu_contracts.db.models.project import Project
    from edu_contracts.db.models.quiz import Quiz

__all__ = ["EMBEDDING_HALFVEC_SQL", "HNSW_INDEX_NAME", "Document", "DocumentSegment"]

EMBEDDING_HALFVEC_SQL = f"(embedding_vector::halfvec({EMBEDDING_DIM}))"
"""The indexed expression. pgvector cannot index ``vector`` above 2000
dimensions, so the HNSW index is built on a half-precision cast, and a query
only uses the index when it orders by this very expression."""

HNSW_INDEX_NAME = "ix_document_segments_embedding_hnsw"


class Document(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A source the learner added to a project, tracked through ingestion."""

    __tablename__ = "documents"
    __table_args__ = (
        # Target of the segments' composite key, which pins a segment's
        # denormalised project_id to its document's project.
        sa.UniqueConstraint("id", "project_id"),
        non_empty("title"),
        sa.CheckConstraint(
            "status = 'failed' OR error_message IS NULL", name="error_only_when_failed"
        ),
        sa.CheckConstraint("size_bytes >= 0", name="size_bytes_non_negative"),
        sa.CheckConstraint("page_count >= 0", name="page_count_non_negative"),
        sa.CheckConstraint("content_sha256 ~ '^[0-9a-f]{64}$'", name="content_sha256_is_hex"),
    )

    project_id: Mapped[uuid.UUID] = owned("projects.id")
    title: Mapped[str] = mapped_column(sa.String(500))
    source_kind: Mapped[DocumentSourceKind] = mapped_column(document_source_kind_type)
    source_uri: Mapped[str | None] = mapped_column(
        sa.Text, doc="Blob path for files, the address for URLs; NULL for pasted text"
    )
    mime_type: Mapped[str | None] = mapped_column(sa.String(255))
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    page_count: Mapped[int | None]
    content_sha256: Mapped[str | None] = mapped_column(
        sa.String(64), doc="Lets the worker skip re-embedding an identical upload"
    )
    status: Mapped[DocumentStatus] = mapped_column(
        document_status_type,
        default=DocumentStatus.PENDING,
        server_default=DocumentStatus.PENDING.value,
        index=True,
    )
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column(sa.TIMESTAMP(timezone=True))

    project: Mapped[Project] = relationship(back_populates="documents")
    segments: Mapped[list[DocumentSegment]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DocumentSegment.position",
        # Two keys join segments to documents; this relationship follows the
        # plain one and leaves project_id for the code that creates segments.
        foreign_keys="DocumentSegment.document_id",
        primaryjoin="Document.id == DocumentSegment.document_id",
    )
    # Generated artefacts keep existing when their source document goes
    # (their FK is SET NULL), so these are plain, non-cascading collections.
    chats: Mapped[list[Chat]] = relationship(back_populates="document", passive_deletes=True)
    flashcard_groups: Mapped[list[FlashcardGroup]] = relationship(
        back_populates="document", passive_deletes=True
    )
    quizzes: Mapped[list[Quiz]] = relationship(back_populates="document", passive_deletes=True)
    notes: Mapped[list[Note]] = relationship(back_populates="document", passive_deletes=True)
    mind_maps: Mapped[list[MindMap]] = relationship(back_populates="document", passive_deletes=True)


class DocumentSegment(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One chunk of a document's text and, once embedded, its vector.

    ``project_id`` is copied from the document so the nearest search filters
    without a join; the composite foreign key to ``documents (id,
    project_id)`` makes a mismatch impossible (a cross-project leak in RAG
    would show one user's text to another), and its ON UPDATE CASCADE keeps
    it right when a document moves between projects.

    ``embedding_vector`` is deferred: listing or searching segments should
    not haul 12 KiB of floats per row. ``has_embedding`` is computed in SQL.
    """

    __tablename__ = "document_segments"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["document_id", "project_id"],
            ["documents.id", "documents.project_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.UniqueConstraint("document_id", "position"),
        sa.CheckConstraint("position >= 0", name="position_non_negative"),
        sa.CheckConstraint("token_count >= 0", name="token_count_non_negative"),
        sa.CheckConstraint("length(content) > 0", name="content_not_empty"),
        sa.CheckConstraint(
            "(embedding_vector IS NULL) = (embedding_model IS NULL)",
            name="embedding_model_with_vector",
        ),
        sa.Index(
            HNSW_INDEX_NAME,
            # literal_column, not text(): its key lets postgresql_ops attach
            # the operator class outside the expression, which is the form
            # Alembic's autogenerate can compare with the reflected index.
            sa.literal_column(EMBEDDING_HALFVEC_SQL),
            postgresql_using="hnsw",
            postgresql_ops={EMBEDDING_HALFVEC_SQL: "halfvec_cosine_ops"},
        ),
    )

    # The unique (document_id, position) key leads with document_id: no extra index.
    document_id: Mapped[uuid.UUID] = owned("documents.id", index=False)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    position: Mapped[int] = mapped_column(doc="0-based order of the chunk in its document")
    content: Mapped[str] = mapped_column(sa.Text)
    token_count: Mapped[int | None]
    segment_metadata: Mapped[SegmentMetadata] = mapped_column(
        PydanticJSONB(SegmentMetadata),
        default=SegmentMetadata,
        server_default=sa.text("'{}'::jsonb"),
    )
    embedding_vector: Mapped[Any | None] = mapped_column(
        Vector(EMBEDDING_DIM), deferred=True, doc="NULL until the worker has embedded the chunk"
    )
    embedding_model: Mapped[str | None] = mapped_column(
        sa.String(100), doc="Model that produced the vector; re-embed when it changes"
    )

    has_embedding: Mapped[bool] = column_property(embedding_vector.is_not(None))

    document: Mapped[Document] = relationship(back_populates="segments", foreign_keys=[document_id])


@event.listens_for(DocumentSegment, "before_insert")
def _project_from_document(
    mapper: Mapper[DocumentSegment], connection: Connection, segment: DocumentSegment
) -> None:
    """Fill the denormalised ``project_id`` from an attached document.

    Saves ORM callers from repeating what the document already says (and
    from needing the project's id before the first flush). Core inserts get
    no such help; the composite key still rejects a wrong or missing value.
    """
    document = segment.__dict__.get("document")
    if segment.project_id is None and document is not None:
        segment.project_id = document.project_id
