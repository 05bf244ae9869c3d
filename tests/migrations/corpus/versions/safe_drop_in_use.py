"""Safe, step 2: dropping it breaks nobody: release 1.0.0 never knew it.

Revision ID: safe_drop_in_use
Revises: safe_drop_in_use_1
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_drop_in_use"
down_revision = "safe_drop_in_use_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.drop_column("document_segments", "reading_seconds")


def downgrade() -> None:
    op.add_column("document_segments", sa.Column("reading_seconds", sa.Integer(), nullable=True))
