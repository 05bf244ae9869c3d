"""The one human rendering of a ``Verdict``, for terminals and CI logs.

Every command (check, diff, compat, drift, can-i-deploy) prints through
``print_verdict``, so a finding reads the same wherever it appears: where,
what changed, who breaks, an example when one is known, and the safe path.
JSON comes from ``Verdict.to_dict()`` on the same objects. Everything a user
or a schema supplied is markup-escaped: a property named ``[/]`` is text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from edu_contracts.findings.model import Finding, Subject, Verdict

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["EXAMPLE_LIMIT", "print_verdict", "render_text"]

EXAMPLE_LIMIT = 200
"""Characters of a counterexample shown; the JSON output always has it whole."""

_WORDS = {
    "can-i-deploy": ("yes, deployable", "no, not deployable"),
    "drift": ("no drift", "drift"),
    "migrations lint": ("safe to deploy live", "unsafe to deploy live"),
    "migrations rehearse": ("passed", "failed"),
}


def _escape(text: str) -> str:
    from rich.markup import escape

    # a lone surrogate (valid JSON, not UTF-8) is shown escaped instead of crashing the print
    return escape(text.encode("utf-8", "backslashreplace").decode("utf-8"))


def _example(finding: Finding) -> str | None:
    if finding.example is None:
        return None
    text = json.dumps(finding.example.instance, ensure_ascii=False, default=str)
    if len(text) > EXAMPLE_LIMIT:
        text = text[: EXAMPLE_LIMIT - 3] + "..."
    return text


def _subject_verdict(subject: Subject) -> str:
    if not subject.compatible:
        return "[bold red]BREAKING[/]"
    return "[yellow]changed[/]" if subject.report.findings else "[green]ok[/]"


def _print_findings(subject: Subject, out: Console, *, show_compatible: bool) -> None:
    for finding in subject.report.findings:
        if finding.compatible and not show_compatible:
            continue
        style = "red" if not finding.compatible else "dim"
        where = f"{finding.change.value}  {finding.pointer}"
        out.print(
            f"  [{style}]{_escape(where)}[/]  {_escape(finding.message)}"
            + ("" if not finding.compatible else "  [dim](compatible)[/]")
        )
        if finding.compatible:
            continue
        out.print(f"    breaks: {_escape(subject.breaks(finding))}")
        example = _example(finding)
        if example is not None and finding.example is not None:
            out.print(f"    example: {_escape(example)}")
            out.print(f"    rejected: {_escape(finding.example.error)}")
        out.print(f"    safe path: {_escape(finding.safe_path)}")
    for problem in subject.problems:
        out.print(f"  [red]{_escape(problem)}[/]")


def _summary(verdict: Verdict, out: Console) -> None:
    from rich.table import Table

    table = Table(title=_escape(verdict.title), title_justify="left", show_edge=False)
    for column in ("verdict", "subject", "mode", "against", "findings"):
        table.add_column(column, no_wrap=True)  # never cut a subject name in a narrow log
    for subject in verdict.subjects:
        breaking = len(subject.report.breaking) + len(subject.problems)
        count = len(subject.report.findings) + len(subject.problems)
        table.add_row(
            _subject_verdict(subject),
            _escape(subject.subject),
            subject.mode.value,
            _escape(", ".join(subject.versions)) or "-",
            f"{count} ({breaking} breaking)" if count else "-",
        )
    out.print(table)


def print_verdict(verdict: Verdict, out: Console, *, show_compatible: bool = True) -> None:
    """The verdict: a summary of subjects, each subject's findings, then the answer."""
    if len(verdict.subjects) > 1:
        _summary(verdict, out)
    for line in verdict.checked:
        out.print(f"  checked  {_escape(line)}")
    for subject in verdict.subjects:
        if not subject.report.findings and not subject.problems:
            continue
        versions = _escape(", ".join(subject.versions))
        out.print(
            f"\n{_subject_verdict(subject)}  {_escape(subject.subject)}  "
            f"{subject.mode.value} vs {versions}"
        )
        _print_findings(subject, out, show_compatible=show_compatible)
    good, bad = _WORDS.get(verdict.command, ("compatible", "incompatible"))
    if not verdict.subjects and not verdict.checked:
        out.print(f"{_escape(verdict.title)}: nothing to compare, nothing to break")
        return
    answer = f"[green]{good}[/]" if verdict.ok else f"[bold red]{bad}[/]"
    out.print(f"\n{_escape(verdict.title)}: {answer}")


def render_text(verdict: Verdict, *, width: int = 120, color: bool = False) -> str:
    """The same rendering as plain (or ANSI-coloured) text, for logs and tests."""
    from rich.console import Console

    console = Console(
        width=width, record=True, force_terminal=color, color_system=None, highlight=False
    )
    with console.capture() as capture:
        print_verdict(verdict, console)
    return capture.get()
