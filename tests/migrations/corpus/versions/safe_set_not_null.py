"""Safe, step 2: SET NOT NULL skips its scan because the validated CHECK proves it.

Revision ID: safe_set_not_null
Revises: safe_set_not_null_1
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_set_not_null"
down_revision = "safe_set_not_null_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("document_segments", "token_count", nullable=False, existing_type=sa.Integer())
    op.drop_constraint("ck_document_segments_token_count_not_null", "document_segments")


def downgrade() -> None:
    op.alter_column("document_segments", "token_count", nullable=True, existing_type=sa.Integer())
