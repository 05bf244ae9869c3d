"""``edu-contracts verify``: the main job, a live round trip on the embedded backend."""

from __future__ import annotations

import argparse
import time
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="start Postgres+pgvector and Azurite and prove the toolkit end to end",
        description="Starts the embedded services (no Docker), migrates, stores and searches "
        "embedded segments, sends every task kind through Azurite, and prints what it proved. "
        "Stops everything it started.",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    from edu_contracts.workflows._context import StepResult
    from edu_contracts.workflows.verify import run_verify

    out = console()
    started = time.perf_counter()

    def show(result: StepResult) -> None:
        mark = (
            "[yellow]skip[/]"
            if result.skipped
            else "[green]ok[/]  "
            if result.ok
            else "[red]FAIL[/]"
        )
        out.print(f"{mark} {result.name:<22} {result.seconds:6.2f} s")

    results = run_verify(on_step=show)
    table = Table(title="edu-contracts verify", show_lines=False)
    table.add_column("step")
    table.add_column("result")
    table.add_column("proved", overflow="fold")
    table.add_column("time", justify="right")
    for result in results:
        table.add_row(
            result.name,
            "[yellow]skipped[/]"
            if result.skipped
            else "[green]ok[/]"
            if result.ok
            else "[red]FAIL[/]",
            escape(result.detail),
            f"{result.seconds:.2f} s",
        )
    out.print(table)
    failed = [r for r in results if not r.ok]
    total = time.perf_counter() - started
    if failed:
        out.print(f"[red]{len(failed)} step(s) failed[/] in {total:.1f} s")
        return EXIT_FAILED
    out.print(f"[green]all {len(results)} steps hold[/] in {total:.1f} s; services stopped")
    return EXIT_OK
