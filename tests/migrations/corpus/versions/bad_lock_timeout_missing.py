"""Bad: a catalog-only ADD COLUMN, but queued without lock_timeout behind any long reader.

Revision ID: bad_lock_timeout_missing
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_lock_timeout_missing"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("pinned", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("chats", "pinned")
