"""Bad: a foreign key validated at once holds SHARE ROW EXCLUSIVE on both tables for the scan.

Revision ID: bad_constraint_not_valid
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bad_constraint_not_valid"
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
    )
    op.create_check_constraint("ck_notes_title_short", "notes", "length(title) < 400")


def downgrade() -> None:
    op.drop_constraint("ck_notes_title_short", "notes")
    op.drop_column("notes", "source_segment_id")
