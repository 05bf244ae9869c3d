"""Safe, step 1: a column no release uses yet (added after 1.0.0).

Revision ID: safe_drop_in_use_1
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_drop_in_use_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column("document_segments", sa.Column("reading_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("document_segments", "reading_seconds")
