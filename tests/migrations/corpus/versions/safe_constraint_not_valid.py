"""Safe, step 2: VALIDATE in a later revision (SHARE UPDATE EXCLUSIVE: traffic goes on).

Revision ID: safe_constraint_not_valid
Revises: safe_constraint_not_valid_1
"""

from alembic import op

revision = "safe_constraint_not_valid"
down_revision = "safe_constraint_not_valid_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.execute("ALTER TABLE notes VALIDATE CONSTRAINT fk_notes_source_segment_id_document_segments")
    op.execute("ALTER TABLE notes VALIDATE CONSTRAINT ck_notes_title_short")


def downgrade() -> None:
    pass
