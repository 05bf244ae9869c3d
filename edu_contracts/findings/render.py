"""A human rendering of a report, for terminals and CI logs.

Kept apart from the engine so the engine has no presentation dependency and
the CLI can choose between this and ``Report.to_dict()``.
"""

from __future__ import annotations

import json

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from edu_contracts.findings.model import Finding, Report

__all__ = ["render", "render_text"]


def _example(finding: Finding) -> str:
    if finding.example is None:
        return ""
    instance = json.dumps(finding.example.instance, sort_keys=True, default=str)
    if len(instance) > 160:
        instance = instance[:157] + "..."
    return f"e.g. {instance}\n  rejected: {finding.example.error}"


def render(report: Report, title: str) -> RenderableType:
    """The report as a rich renderable: verdict panel, then one row per finding."""
    verdict = (
        Text("compatible", style="bold green")
        if report.compatible
        else Text(f"BREAKING ({len(report.breaking)} finding(s))", style="bold red")
    )
    header = Text.assemble(
        verdict, f"  mode {report.mode.value}, rules {report.rules.value}", style=""
    )
    if not report.findings:
        return Panel(Group(header, Text("no differences")), title=title)
    table = Table(show_lines=True, expand=True)
    table.add_column("", width=2)
    table.add_column("change / where", overflow="fold")
    table.add_column("what and who breaks")
    table.add_column("safe path")
    for f in report.findings:
        mark = Text("✓", style="green") if f.compatible else Text("✗", style="red")
        where = f"{f.change.value}\n{f.pointer}"
        if f.against is not None:
            where += f"\n(vs version #{f.against})"
        what = f.message if f.compatible else f"{f.message}\nbreaks {f.breaks}"
        example = _example(f)
        if example:
            what += "\n" + example
        table.add_row(mark, where, what, "" if f.compatible else f.safe_path)
    return Panel(Group(header, table), title=title)


def render_text(report: Report, title: str, *, width: int = 120, color: bool = False) -> str:
    """The report as plain (or ANSI-coloured) text, ready to print or log."""
    console = Console(width=width, record=True, force_terminal=color, color_system=None)
    with console.capture() as capture:
        console.print(render(report, title))
    return capture.get()
