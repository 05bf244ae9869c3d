"""``edu-contracts check``: the current code against the released contracts.

Also home of the rendering that ``diff``, ``compat`` and ``drift`` share, so
every command explains a finding the same way: where, what changed, who
breaks, an example when one is known, and the safe path.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console, escape

if TYPE_CHECKING:  # imported lazily: `--help` must not pay for SQLAlchemy and pydantic
    from rich.console import Console

    from edu_contracts.findings.model import Finding, Report
    from edu_contracts.registry.check import CheckResult, SubjectResult

__all__ = ["add_contracts_option", "add_format_option", "print_check", "print_report", "register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the current code against the released contracts (messages, tables, "
        "golden examples)",
        description="Exit 0 when compatible, 1 when a change breaks a producer, a consumer "
        "or old code, 2 on bad input.",
    )
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def add_contracts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--contracts",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of released contracts (default: the ones shipped with edu-contracts)",
    )


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a readable table; json: the stable format CI tools consume",
    )


def store_from(args: argparse.Namespace) -> Any:
    from edu_contracts.registry.store import ContractStore, default_store

    return default_store() if args.contracts is None else ContractStore(args.contracts)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.check import check

    result = check(store_from(args))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print_check(result, console())
    return EXIT_OK if result.compatible else EXIT_FAILED


# --- rendering ------------------------------------------------------------------


def _breaks(subject: str, finding: Finding, version: str) -> str:
    """Who breaks, in the words of the people deploying."""
    from edu_contracts.findings.modes import Direction

    if finding.compatible:
        return "nobody"
    if subject.startswith("messages"):
        if finding.direction is Direction.FORWARD:
            return f"consumers on <= {version} reading messages from new producers"
        return f"new consumers reading messages sent by producers on <= {version}"
    if subject == "tables":
        if finding.direction is Direction.BACKWARD:
            return f"code built for <= {version} running on the new schema"
        return f"new code running on a database still at {version}"
    return finding.breaks


def _example(finding: Finding) -> str | None:
    if finding.example is None:
        return None
    text = json.dumps(finding.example.instance, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def print_report(
    report: Report,
    out: Console,
    *,
    subject: str = "",
    version_of: Callable[[Finding], str] = lambda _f: "old",
    show_compatible: bool = True,
) -> None:
    """Findings in the journey's shape; breaking first, compatible ones as notes."""
    for finding in report.findings:
        if finding.compatible and not show_compatible:
            continue
        style = "red" if not finding.compatible else "dim"
        out.print(
            f"  [{style}]{escape(finding.pointer)}[/]  {escape(finding.message)}"
            + ("" if not finding.compatible else "  [dim](compatible)[/]")
        )
        if finding.compatible:
            continue
        version = version_of(finding)
        out.print(f"    breaks: {escape(_breaks(subject, finding, version))}")
        example = _example(finding)
        if example:
            out.print(f"    example: {escape(example)}")
        out.print(f"    safe path: {escape(finding.safe_path)}")


def _verdict(subject: SubjectResult) -> str:
    if not subject.compatible:
        return "[bold red]BREAKING[/]"
    return "[yellow]changed[/]" if subject.report.findings else "[green]ok[/]"


def print_check(result: CheckResult, out: Console) -> None:
    """A summary table of every subject, then the findings of each that changed."""
    from rich.table import Table

    if not result.subjects:
        out.print(f"{escape(result.title)}: nothing released yet, nothing to break")
        return
    table = Table(title=escape(result.title), title_justify="left", show_edge=False)
    for column in ("verdict", "subject", "mode", "against", "findings"):
        table.add_column(column, no_wrap=True)  # never cut a subject name in a narrow log
    for subject in result.subjects:
        breaking = len(subject.report.breaking) + len(subject.problems)
        count = len(subject.report.findings) + len(subject.problems)
        table.add_row(
            _verdict(subject),
            escape(subject.subject),
            subject.mode.value,
            ", ".join(subject.versions) or "-",
            f"{count} ({breaking} breaking)" if count else "-",
        )
    out.print(table)
    for subject in result.subjects:
        if not subject.report.findings and not subject.problems:
            continue
        versions = ", ".join(subject.versions)
        out.print(
            f"\n{_verdict(subject)}  {escape(subject.subject)}  {subject.mode.value} vs {versions}"
        )
        print_report(subject.report, out, subject=subject.subject, version_of=subject.version_of)
        for problem in subject.problems:
            out.print(f"  [red]{escape(problem)}[/]")
    verdict = "[green]compatible[/]" if result.compatible else "[bold red]incompatible[/]"
    out.print(f"\n{escape(result.title)}: {verdict}")
