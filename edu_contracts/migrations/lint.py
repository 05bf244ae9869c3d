"""``lint``: walk the revisions since a release and judge every statement they run.

The walk keeps one :class:`LintState` across revisions, so a column added in
revision 2 and dropped in revision 3 is known to be new, and a CHECK
validated in revision 4 lets revision 5 set NOT NULL without a scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_contracts.errors import MigrationSafetyError
from edu_contracts.migrations.locks import LockEffect, LockMode, effect
from edu_contracts.migrations.operations import (
    Revision,
    read_revision,
    revision_range,
    script_directory,
)
from edu_contracts.migrations.releases import ReleasePoint, previous_release
from edu_contracts.migrations.rules import ONCE_PER_REVISION, RULES, Hit, MigrationRule
from edu_contracts.migrations.state import LintState

__all__ = [
    "LARGE_ROWS",
    "LintResult",
    "MigrationFinding",
    "OperationReport",
    "lint",
    "load_row_estimates",
]

LARGE_ROWS = 10_000
"""A table with at least this many rows in the ``load`` scenario counts as large."""


@dataclass(frozen=True)
class OperationReport:
    """One operation of a revision: what it runs and what that does to its table."""

    revision: str
    index: int
    kind: str
    sql: str
    table: str | None
    lock: LockMode | None
    rewrites: bool
    effect: str
    in_transaction: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "operation": self.index,
            "kind": self.kind,
            "sql": self.sql,
            "table": self.table,
            "lock": None if self.lock is None else self.lock.value,
            "rewrites": self.rewrites,
            "effect": self.effect,
            "in_transaction": self.in_transaction,
        }


@dataclass(frozen=True)
class MigrationFinding:
    """A rule's hit, placed at a revision's operation."""

    rule: MigrationRule
    revision: str
    operation: int
    table: str | None
    message: str
    recipe: str
    breaks: str
    sql: str

    @property
    def where(self) -> str:
        place = f"revision {self.revision}, operation {self.operation}"
        return place + (f" ({self.table})" if self.table else "")


@dataclass(frozen=True)
class LintResult:
    release: str
    lower: str | None
    upper: str
    revisions: tuple[str, ...]
    operations: tuple[OperationReport, ...]
    findings: tuple[MigrationFinding, ...]

    @property
    def safe(self) -> bool:
        return not self.findings

    def rules(self) -> set[str]:
        return {f.rule.value for f in self.findings}


def lint(
    lower: str | None = None,
    upper: str = "heads",
    *,
    extra_versions: Sequence[Path | str] = (),
    release: ReleasePoint | None = None,
    row_estimates: Mapping[str, int] | None = None,
    large_rows: int = LARGE_ROWS,
) -> LintResult:
    """Lint the revisions after ``lower`` up to ``upper``.

    ``lower`` defaults to the previous release's head; the release's table
    snapshot is what old code uses, ``row_estimates`` (default: the ``load``
    scenario) says which tables are large.
    """
    point = release or previous_release()
    start = point.revision if lower is None else lower
    script = script_directory(extra_versions)
    revisions = [read_revision(s) for s in revision_range(script, start, upper)]
    estimates = load_row_estimates() if row_estimates is None else row_estimates
    state = LintState.from_release(point.tables(), point.version, estimates, large_rows)
    _prelude(script, point.revision, start, state)
    operations: list[OperationReport] = []
    findings: list[MigrationFinding] = []
    for revision in revisions:
        operations_of, found = _walk(revision, state)
        operations += operations_of
        findings += found
    return LintResult(
        point.version,
        start,
        upper,
        tuple(r.revision for r in revisions),
        tuple(operations),
        tuple(findings),
    )


def _prelude(script: Any, release_head: str, start: str | None, state: LintState) -> None:
    """Revisions between the release head and ``start`` are deployed already: follow
    them (what they add exists and may hold data) without judging them again."""
    if start is None or start == release_head:
        return
    try:
        earlier = revision_range(script, release_head, start)
    except MigrationSafetyError:
        return  # ``start`` is not after the release head: nothing was deployed since
    for script_revision in earlier:
        for operation in read_revision(script_revision).operations:
            for statement in operation.statements:
                state.apply(statement.node)
    for table in state.tables.values():
        table.existing = True
        table.new_columns.clear()


def _walk(
    revision: Revision, state: LintState
) -> tuple[list[OperationReport], list[MigrationFinding]]:
    state.start_revision()
    reports: list[OperationReport] = []
    findings: list[MigrationFinding] = []
    reported: set[MigrationRule] = set()
    for operation in revision.operations:
        for statement in operation.statements:
            found = _effect(statement.node, state)
            reports.append(
                OperationReport(
                    revision.revision,
                    operation.index,
                    operation.kind,
                    statement.sql,
                    found.table,
                    found.mode,
                    found.rewrites,
                    found.describe(),
                    statement.in_transaction,
                )
            )
            for rule in RULES:
                for hit in rule(statement, state):
                    if hit.rule in ONCE_PER_REVISION and hit.rule in reported:
                        continue
                    reported.add(hit.rule)
                    findings.append(_place(hit, revision, operation.index, statement.sql))
            state.apply(statement.node)
    return reports, findings


def _effect(node: Any, state: LintState) -> LockEffect:
    """The statement's lock, told what the state knows about its columns."""
    table = str(getattr(getattr(node, "relation", None), "relname", "") or "")
    old, proved = None, False
    for cmd in getattr(node, "cmds", None) or ():
        column = getattr(cmd, "name", None)
        if column and table:
            old = state.column_type(table, str(column)) or old
            proved = proved or state.validated_not_null(table, str(column))
    return effect(node, old, proved_not_null=proved)


def _place(hit: Hit, revision: Revision, index: int, sql: str) -> MigrationFinding:
    return MigrationFinding(
        hit.rule, revision.revision, index, hit.table, hit.message, hit.recipe, hit.breaks, sql
    )


def load_row_estimates() -> dict[str, int]:
    """Rows per table in the ``load`` scenario: what "large" means for this schema.

    The scenario is the project's own picture of production scale (100,000+
    embedded segments); without the seed extra installed, the segment table
    alone is assumed large.
    """
    try:
        from edu_contracts.seed.scenario import load_scenario
    except ImportError:
        return {"document_segments": 100_000}
    return load_scenario("load").totals()
