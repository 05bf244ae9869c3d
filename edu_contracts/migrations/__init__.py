"""Migration safety: lint Alembic revisions, and rehearse them under old-code traffic.

``lint`` runs each revision offline, parses the SQL it renders with
Postgres's own parser and judges every statement: the lock it takes, whether
it rewrites the table, and whether the previous release's code survives it
(one file per rule group under ``rules/``, the lock facts in ``locks``).
``rehearse`` applies the revisions to a seeded database of its own while
traffic built from the previous release's table contract runs, and measures
the lock waits that traffic really sees. Both report through the shared
finding model (``report``).
"""

from edu_contracts.migrations.lint import LintResult, MigrationFinding, OperationReport, lint
from edu_contracts.migrations.locks import Cost, LockEffect, LockMode
from edu_contracts.migrations.rehearsal import (
    RehearsalCheck,
    RehearsalResult,
    RevisionRun,
    rehearse,
)
from edu_contracts.migrations.releases import ReleasePoint, previous_release, release_heads
from edu_contracts.migrations.rules import MigrationRule

__all__ = [
    "Cost",
    "LintResult",
    "LockEffect",
    "LockMode",
    "MigrationFinding",
    "MigrationRule",
    "OperationReport",
    "RehearsalCheck",
    "RehearsalResult",
    "ReleasePoint",
    "RevisionRun",
    "lint",
    "previous_release",
    "rehearse",
    "release_heads",
]
