"""Apply revisions the way a deploy does: one revision at a time, no outer transaction.

``edu_contracts.db.migrate`` runs everything in one caller-owned transaction,
which is right for building a fresh database but makes ``autocommit_block()``
(the only way to run ``CREATE INDEX CONCURRENTLY``) impossible. Here Alembic
owns the transaction, so a revision's autocommit block commits what came
before, runs outside any transaction, and begins again, exactly as in
production. Extra version folders (a draft, the test corpus) join the
package's revisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from edu_contracts.migrations.operations import alembic_config

__all__ = ["apply", "apply_on"]


def apply_on(
    connection: sa.Connection,
    action: str,
    target: str,
    extra_versions: Sequence[Path | str] = (),
) -> None:
    """``upgrade``/``downgrade`` to ``target`` on a connection not in a transaction."""
    config = alembic_config(extra_versions)
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, target)
    elif action == "downgrade":
        command.downgrade(config, target)
    else:  # pragma: no cover - callers pass one of the two
        raise ValueError(f"unknown action {action!r}")
    if connection.in_transaction():
        connection.commit()


def apply(url: str, action: str, target: str, extra_versions: Sequence[Path | str] = ()) -> None:
    """:func:`apply_on` on a fresh connection to ``url``."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            apply_on(connection, action, target, extra_versions)
    finally:
        engine.dispose()
