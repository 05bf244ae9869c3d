"""Safe, step 1: a CHECK added NOT VALID (no scan), then validated without blocking.

Revision ID: safe_set_not_null_1
Revises: 0001
"""

from alembic import op

revision = "safe_set_not_null_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.create_check_constraint(
        "ck_document_segments_token_count_not_null",
        "document_segments",
        "token_count IS NOT NULL",
        postgresql_not_valid=True,
    )
    op.execute(
        "ALTER TABLE document_segments "
        "VALIDATE CONSTRAINT ck_document_segments_token_count_not_null"
    )


def downgrade() -> None:
    op.drop_constraint("ck_document_segments_token_count_not_null", "document_segments")
