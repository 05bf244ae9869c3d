"""Safe: build the unique index CONCURRENTLY, then attach it as the constraint.

Revision ID: safe_unique_without_index
Revises: 0001
"""

from alembic import op

revision = "safe_unique_without_index"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_documents_project_id_title",
            "documents",
            ["project_id", "title"],
            unique=True,
            postgresql_concurrently=True,
        )
    op.execute("SET lock_timeout = '2s'")
    op.execute(
        "ALTER TABLE documents ADD CONSTRAINT uq_documents_project_id_title "
        "UNIQUE USING INDEX uq_documents_project_id_title"
    )


def downgrade() -> None:
    op.drop_constraint("uq_documents_project_id_title", "documents")
