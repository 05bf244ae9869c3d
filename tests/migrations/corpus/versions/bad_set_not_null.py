"""Bad: SET NOT NULL scans every row under ACCESS EXCLUSIVE.

Revision ID: bad_set_not_null
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_set_not_null"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("document_segments", "token_count", nullable=False, existing_type=sa.Integer())


def downgrade() -> None:
    op.alter_column("document_segments", "token_count", nullable=True, existing_type=sa.Integer())
