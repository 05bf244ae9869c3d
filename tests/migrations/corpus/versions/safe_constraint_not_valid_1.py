"""Safe, step 1: the key and the check are added NOT VALID (catalog only).

Revision ID: safe_constraint_not_valid_1
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "safe_constraint_not_valid_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.add_column("notes", sa.Column("source_segment_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_notes_source_segment_id_document_segments",
        "notes",
        "document_segments",
        ["source_segment_id"],
        ["id"],
        ondelete="SET NULL",
        postgresql_not_valid=True,
    )
    op.create_check_constraint(
        "ck_notes_title_short", "notes", "length(title) < 400", postgresql_not_valid=True
    )


def downgrade() -> None:
    op.drop_constraint("ck_notes_title_short", "notes")
    op.drop_column("notes", "source_segment_id")
