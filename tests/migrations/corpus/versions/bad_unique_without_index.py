"""Bad: ADD CONSTRAINT UNIQUE builds its index under ACCESS EXCLUSIVE.

Revision ID: bad_unique_without_index
Revises: 0001
"""

from alembic import op

revision = "bad_unique_without_index"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.create_unique_constraint(
        "uq_documents_project_id_title", "documents", ["project_id", "title"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_documents_project_id_title", "documents")
