"""Accounts and their metered usage: the root of ownership.

Every other row hangs off a user through a CASCADE chain, so deleting a user
(a GDPR erasure) removes everything they own in one statement.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edu_contracts.db.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from edu_contracts.db.enums import UsagePeriod, usage_period_type
from edu_contracts.db.models._common import owned

if TYPE_CHECKING:
    from edu_contracts.db.models.flashcard import FlashcardProgress
    from edu_contracts.db.models.project import Project
    from edu_contracts.db.models.study import PracticeRecord, StudySession

__all__ = ["User", "UserUsage"]

_OWNED = "all, delete-orphan"


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A learner account.

    Emails are stored lower-cased (a CHECK enforces it) so the plain UNIQUE
    constraint is also case-insensitive, without an expression index.
    """

    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("email"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("position('@' in email) > 1", name="email_has_at"),
    )

    email: Mapped[str] = mapped_column(sa.String(320))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    is_active: Mapped[bool] = mapped_column(server_default=sa.true(), default=True)

    projects: Mapped[list[Project]] = relationship(
        back_populates="user", cascade=_OWNED, passive_deletes=True
    )
    usage: Mapped[list[UserUsage]] = relationship(
        back_populates="user", cascade=_OWNED, passive_deletes=True
    )
    flashcard_progress: Mapped[list[FlashcardProgress]] = relationship(
        back_populates="user", cascade=_OWNED, passive_deletes=True
    )
    study_sessions: Mapped[list[StudySession]] = relationship(
        back_populates="user", cascade=_OWNED, passive_deletes=True
    )
    practice_records: Mapped[list[PracticeRecord]] = relationship(
        back_populates="user", cascade=_OWNED, passive_deletes=True
    )


_COUNTERS = (
    "documents_uploaded",
    "pages_processed",
    "segments_embedded",
    "chat_messages",
    "input_tokens",
    "output_tokens",
    "items_generated",
)


class UserUsage(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """Metered consumption of one user over one day or month.

    One row per (user, period kind, period start), so quota checks are a
    single-row lookup and increments are ``INSERT ... ON CONFLICT DO UPDATE``
    on that unique key.
    """

    __tablename__ = "user_usage"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "period", "period_start"),
        sa.CheckConstraint(
            "period <> 'month' OR extract(day FROM period_start) = 1",
            name="month_starts_on_first",
        ),
        sa.CheckConstraint(
            " AND ".join(f"{c} >= 0" for c in _COUNTERS), name="counters_non_negative"
        ),
    )

    # The unique key above leads with user_id, so no separate index.
    user_id: Mapped[uuid.UUID] = owned("users.id", index=False)
    period: Mapped[UsagePeriod] = mapped_column(usage_period_type)
    period_start: Mapped[dt.date] = mapped_column(sa.Date)
    documents_uploaded: Mapped[int] = mapped_column(server_default=sa.text("0"), default=0)
    pages_processed: Mapped[int] = mapped_column(server_default=sa.text("0"), default=0)
    segments_embedded: Mapped[int] = mapped_column(server_default=sa.text("0"), default=0)
    chat_messages: Mapped[int] = mapped_column(server_default=sa.text("0"), default=0)
    input_tokens: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"), default=0)
    output_tokens: Mapped[int] = mapped_column(
        sa.BigInteger, server_default=sa.text("0"), default=0
    )
    items_generated: Mapped[int] = mapped_column(server_default=sa.text("0"), default=0)

    user: Mapped[User] = relationship(back_populates="usage")
