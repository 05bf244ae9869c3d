"""Safe: the same change gives up after 2 s instead of stalling the queue.

Revision ID: safe_lock_timeout_missing
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_lock_timeout_missing"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column("chats", sa.Column("pinned", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("chats", "pinned")
