"""The declarative base every model shares, and the columns every table repeats.

The naming convention is what makes constraint names stable: migrations,
released table contracts and tests that assert ``diag.constraint_name`` all
depend on Postgres reporting the same name the metadata declared. Without it
Postgres invents names (``users_email_key``) that Alembic cannot diff.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "EMBEDDING_DIM",
    "NAMING_CONVENTION",
    "Base",
    "CreatedAtMixin",
    "TimestampMixin",
    "UUIDPrimaryKeyMixin",
]

EMBEDDING_DIM = 3072
"""Width of ``document_segments.embedding_vector`` (text-embedding-3-large).

Above pgvector's 2000-dimension index limit for ``vector``, hence the
``halfvec`` expression index and the matching search expression."""

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Root of the 15 canonical models; ``Base.metadata`` is what Alembic diffs."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPrimaryKeyMixin:
    """A UUID key generated in Python *and* by the server.

    The Python default lets code know an id before flushing (to put it on a
    queue message); the server default keeps raw SQL inserts and seeds valid.
    """

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        primary_key=True,
        default=uuid.uuid4,
        server_default=sa.text("gen_random_uuid()"),
        sort_order=-100,
    )


class CreatedAtMixin:
    """Creation time from the database clock, so rows from many services agree."""

    created_at: Mapped[datetime] = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.func.now(), nullable=False, sort_order=100
    )


class TimestampMixin(CreatedAtMixin):
    """Creation and last-update times for rows that change after insert.

    ``updated_at`` is refreshed by the ORM on every UPDATE it emits; raw SQL
    updates must set it themselves (a trigger would hide that from the
    migration diff and from the table contracts).
    """

    updated_at: Mapped[datetime] = mapped_column(
        sa.TIMESTAMP(timezone=True),
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
        nullable=False,
        sort_order=101,
    )
