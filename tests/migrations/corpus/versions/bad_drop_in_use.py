"""Bad: dropping a column release 1.0.0 still selects and inserts.

Revision ID: bad_drop_in_use
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_drop_in_use"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.drop_column("document_segments", "token_count")


def downgrade() -> None:
    op.add_column("document_segments", sa.Column("token_count", sa.Integer(), nullable=True))
    op.create_check_constraint(
        "ck_document_segments_token_count_non_negative", "document_segments", "token_count >= 0"
    )
