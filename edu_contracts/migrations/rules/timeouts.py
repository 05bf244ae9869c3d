"""``lock_timeout``: the setting that turns a lock queue into a retry.

A statement that wants a lock the traffic holds waits at the head of the
lock queue, and every later SELECT or INSERT on that table waits behind it:
a one-millisecond ``ADD COLUMN`` behind a long read blocks the services for
as long as that read runs. With ``lock_timeout`` set the migration gives up
instead and can be retried; the traffic never notices.
"""

from __future__ import annotations

from collections.abc import Iterator

from edu_contracts.migrations.locks import effect
from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.rules._base import Hit, MigrationRule
from edu_contracts.migrations.state import LintState

__all__ = ["lock_timeout_missing"]


def lock_timeout_missing(statement: Statement, state: LintState) -> Iterator[Hit]:
    if state.lock_timeout:
        return
    found = effect(statement.node)
    if found.mode is None or not found.mode.blocks_writes:
        return
    tables = [t.strip() for t in (found.table or "").split(",")]
    if not any(state.existing(t) for t in tables):
        return
    yield Hit(
        MigrationRule.LOCK_TIMEOUT_MISSING,
        found.table,
        f"{found.mode.value} on {found.table} is requested without lock_timeout: if any "
        "transaction holds a conflicting lock, this statement waits and every query on "
        f"{found.table} queues behind it",
        "start the revision with op.execute(\"SET lock_timeout = '2s'\") (and retry the "
        "deploy if it times out); inside an autocommit block, set it again",
    )
