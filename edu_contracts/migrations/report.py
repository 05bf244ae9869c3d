"""Lint and rehearsal results through the project's one finding model.

Each ``MigrationFinding`` becomes a ``Finding`` (change = the rule, pointer =
revision and operation, safe_path = the recipe); the findings of one
revision make one ``Subject``, and the command's ``Verdict`` is printed and
serialised by the shared renderer, so text and JSON come from the same
objects as ``check``, ``diff`` or ``drift``. The per-operation lock table
travels beside the verdict (key ``operations`` in the JSON): it is what the
migration *does*, not a judgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edu_contracts.findings import CompatibilityMode, Direction, Finding, Report, Subject, Verdict

if TYPE_CHECKING:
    from rich.console import Console

    from edu_contracts.migrations.lint import LintResult, MigrationFinding
    from edu_contracts.migrations.rehearsal import RehearsalResult

__all__ = [
    "lint_dict",
    "lint_verdict",
    "print_lint",
    "rehearsal_verdict",
    "to_finding",
]

_LINT = "migrations lint"
_REHEARSE = "migrations rehearse"


def to_finding(finding: MigrationFinding) -> Finding:
    return Finding(
        change=finding.rule,
        pointer=finding.where,
        message=f"{finding.message} [SQL: {_short(finding.sql)}]",
        breaks=finding.breaks,
        direction=Direction.BACKWARD,  # old code on the new schema
        safe_path=finding.recipe,
        compatible=False,
    )


def lint_verdict(result: LintResult) -> Verdict:
    """One subject per linted revision, judged against the release old code comes from."""
    subjects = tuple(
        Subject(
            f"revision {revision}",
            CompatibilityMode.BACKWARD,
            (result.release,),
            Report(
                tuple(to_finding(f) for f in result.findings if f.revision == revision),
                mode=CompatibilityMode.BACKWARD,
            ),
        )
        for revision in result.revisions
    )
    operations = sum(1 for _ in result.operations)
    return Verdict(
        _LINT,
        f"migrations {result.lower or 'base'} -> {result.upper} (old code: release "
        f"{result.release})",
        subjects,
        baseline=result.release,
        checked=(
            f"{len(result.revisions)} revision(s), {operations} statement(s) against release "
            f"{result.release}'s tables.json",
        ),
    )


def lint_dict(result: LintResult) -> dict[str, Any]:
    """The verdict's JSON (format 2, as every command) plus ``operations``::

    [{"revision", "operation", "kind", "sql", "table", "lock", "rewrites",
      "effect", "in_transaction"}]
    """
    data = lint_verdict(result).to_dict()
    data["operations"] = [o.to_dict() for o in result.operations]
    return data


def print_lint(result: LintResult, console: Console) -> None:
    """Operations with their locks, then the verdict."""
    from rich.table import Table

    from edu_contracts.findings.render import print_verdict

    if result.operations:
        table = Table(title="what each statement does", title_justify="left", expand=True)
        table.add_column("revision / op", no_wrap=True)
        table.add_column("SQL", overflow="fold", ratio=3)
        table.add_column("lock taken", ratio=2)
        table.add_column("rewrite", justify="center")
        flagged = {(f.revision, f.operation) for f in result.findings}
        for op in result.operations:
            mark = "[red]✗[/]" if (op.revision, op.index) in flagged else "[green]✓[/]"
            table.add_row(
                f"{mark} {op.revision} #{op.index}",
                _escape(_short(op.sql, 160)),
                op.effect,
                "yes" if op.rewrites else "",
            )
        console.print(table)
    print_verdict(lint_verdict(result), console)


_RECIPES = {
    "lock-wait-over-budget": "run `migrations lint` on the revision and apply the recipe of its "
    "findings (CONCURRENTLY, NOT VALID + VALIDATE, lock_timeout)",
    "old-code-broke": "expand/contract: keep what the previous release uses until a release "
    "that no longer uses it is deployed everywhere",
    "revision-failed": "fix the revision; it must apply to seeded data",
    "downgrade-failed": "make downgrade() undo upgrade() so a deploy can be rolled back",
    "measurement-failed": "rerun: lock waits were not sampled for the whole rehearsal, so "
    "a pass would prove nothing",
}


def rehearsal_verdict(result: RehearsalResult) -> Verdict:
    """The rehearsal's failures as findings of one subject, the rehearsed revisions."""
    findings = tuple(
        Finding(
            change=check,
            pointer=where,
            message=what,
            breaks="old code (the previous release) during the deploy",
            direction=Direction.BACKWARD,
            safe_path=_RECIPES[check.value],
            compatible=False,
        )
        for check, where, what in result.failures()
    )
    revisions = ", ".join(r.revision for r in result.runs) or "none"
    subject = Subject(
        f"revisions {revisions}",
        CompatibilityMode.BACKWARD,
        (result.release,),
        Report(findings, mode=CompatibilityMode.BACKWARD),
    )
    longest = result.longest_wait
    return Verdict(
        _REHEARSE,
        f"rehearsal of {result.scenario} on release {result.release} (revision {result.base})",
        (subject,),
        baseline=result.release,
        checked=(
            f"{result.seed_rows:,} seeded rows; old-code traffic "
            f"{result.traffic.operations['write']} writes, "
            f"{result.traffic.operations['read']} searches",
            f"longest lock wait {longest.seconds if longest else 0.0:.2f} s "
            f"(budget {result.budget:g} s)",
        ),
    )


def _short(sql: str, width: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
