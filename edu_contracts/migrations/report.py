"""Lint and rehearsal results through the project's one finding model.

Each ``MigrationFinding`` becomes a ``Finding`` (change = the rule, pointer =
revision and operation, safe_path = the recipe) collected in a ``Report``,
so text and JSON are rendered from the same objects as every other check.
The per-operation lock table travels beside the report: it is what the
migration *does*, not a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.table import Table

from edu_contracts.findings import CompatibilityMode, Direction, Finding, Report
from edu_contracts.findings.render import render as render_report

if TYPE_CHECKING:
    from edu_contracts.migrations.lint import LintResult, MigrationFinding

__all__ = [
    "LINT_FORMAT",
    "lint_dict",
    "lint_renderable",
    "print_lint",
    "rehearsal_report",
    "to_finding",
    "to_report",
]

LINT_FORMAT = 1


def to_finding(finding: MigrationFinding) -> Finding:
    return Finding(
        change=finding.rule,
        pointer=finding.where,
        message=f"{finding.message}\n  SQL: {_short(finding.sql)}",
        breaks=finding.breaks,
        direction=Direction.BACKWARD,  # old code on the new schema
        safe_path=finding.recipe,
        compatible=False,
    )


def to_report(result: LintResult) -> Report:
    return Report(
        findings=tuple(to_finding(f) for f in result.findings), mode=CompatibilityMode.BACKWARD
    )


def lint_dict(result: LintResult) -> dict[str, Any]:
    """The JSON shape (format 1)::

    {"format": 1, "release": "1.0.0", "from": "0001", "to": "heads",
     "revisions": ["0002", ...], "safe": bool,
     "operations": [{"revision", "operation", "kind", "sql", "table", "lock",
                     "rewrites", "effect", "in_transaction"}],
     "report": <Report.to_dict()>}
    """
    return {
        "format": LINT_FORMAT,
        "release": result.release,
        "from": result.lower,
        "to": result.upper,
        "revisions": list(result.revisions),
        "safe": result.safe,
        "operations": [o.to_dict() for o in result.operations],
        "report": to_report(result).to_dict(),
    }


def lint_renderable(result: LintResult) -> RenderableType:
    """Operations with their locks, then the findings panel."""
    title = (
        f"migrations {result.lower or 'base'} -> {result.upper} "
        f"(old code: release {result.release})"
    )
    if not result.revisions:
        return Group(f"{title}: no revisions to lint")
    table = Table(title=title, expand=True, show_lines=False)
    table.add_column("revision / op", no_wrap=True)
    table.add_column("SQL", overflow="fold", ratio=3)
    table.add_column("lock taken", ratio=2)
    table.add_column("rewrite", justify="center")
    flagged = {(f.revision, f.operation) for f in result.findings}
    for op in result.operations:
        mark = "[red]✗[/]" if (op.revision, op.index) in flagged else "[green]✓[/]"
        table.add_row(
            f"{mark} {op.revision} #{op.index}",
            _short(op.sql, 160),
            op.effect,
            "yes" if op.rewrites else "",
        )
    return Group(table, render_report(to_report(result), title="findings"))


def print_lint(result: LintResult, console: Console) -> None:
    console.print(lint_renderable(result))


def _short(sql: str, width: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def rehearsal_report(result: Any) -> Report:
    """A rehearsal's failures as findings (one per failed check)."""
    recipes = {
        "lock-wait-over-budget": "run `migrations lint` on the revision and apply the recipe of "
        "its findings (CONCURRENTLY, NOT VALID + VALIDATE, lock_timeout)",
        "old-code-broke": "expand/contract: keep what the previous release uses until a "
        "release that no longer uses it is deployed everywhere",
        "revision-failed": "fix the revision; it must apply to seeded data",
        "downgrade-failed": "make downgrade() undo upgrade() so a deploy can be rolled back",
    }
    findings = tuple(
        Finding(
            change=check,
            pointer=where,
            message=what,
            breaks="old code (the previous release) during the deploy",
            direction=Direction.BACKWARD,
            safe_path=recipes[check.value],
            compatible=False,
        )
        for check, where, what in result.failures()
    )
    return Report(findings=findings, mode=CompatibilityMode.BACKWARD)
