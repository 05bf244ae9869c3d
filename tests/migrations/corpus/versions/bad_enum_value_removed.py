"""Bad: recreating document_status without 'failed' (rows and old code still use it).

Revision ID: bad_enum_value_removed
Revises: 0001
"""

from alembic import op

revision = "bad_enum_value_removed"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")
    op.execute("ALTER TYPE document_status RENAME TO document_status_old")
    op.execute("CREATE TYPE document_status AS ENUM ('pending', 'processing', 'ready')")
    op.execute("ALTER TABLE documents ALTER COLUMN status DROP DEFAULT")
    op.execute(
        "ALTER TABLE documents ALTER COLUMN status TYPE document_status "
        "USING status::text::document_status"
    )
    op.execute("DROP TYPE document_status_old")


def downgrade() -> None:
    raise NotImplementedError("corpus revision: lint only")
