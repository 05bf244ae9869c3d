"""Safe: values are only ever appended.

Revision ID: safe_enum_value_removed
Revises: 0001
"""

from alembic import op

revision = "safe_enum_value_removed"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE document_status ADD VALUE IF NOT EXISTS 'archived'")


def downgrade() -> None:
    pass  # Postgres cannot remove an enum value; an unused label is harmless
