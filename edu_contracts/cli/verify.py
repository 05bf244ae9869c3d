"""``edu-contracts verify``: the main job, a live round trip on real services."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import TYPE_CHECKING, Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console

if TYPE_CHECKING:
    from edu_contracts.workflows._context import StepResult

__all__ = ["register", "summary"]

# the service options a newcomer or a CI job may need; help texts come from
# the one declaration in edu_contracts.config, and EDU_* variables count too
_SERVICE_OPTIONS = ("backend", "postgres_url", "azure_connection_string", "azurite_bin")


def register(subparsers: Any) -> None:
    from edu_contracts.config import OPTIONS

    parser = subparsers.add_parser(
        "verify",
        help="start Postgres+pgvector and Azurite and prove the toolkit end to end",
        description="Starts the services (embedded by default: no Docker), checks the released "
        "contracts and the code against them, migrates, seeds the demo data, proves the "
        "nearest-segment search uses the HNSW index, sends every task kind through the queue, "
        "runs a producer and a consumer end to end, and prints what each step proved. Stops "
        "everything it started. Exit 0 when every step holds, 1 when one fails. The first run "
        "installs Azurite (npm) into the per-user cache, with progress.",
        epilog="Each service option can also be given as its EDU_* environment variable, "
        "e.g. EDU_BACKEND=external EDU_POSTGRES_URL=... EDU_AZURE_CONNECTION_STRING=...",
    )
    for opt in OPTIONS:
        if opt.name in _SERVICE_OPTIONS:
            parser.add_argument(
                "--" + opt.name.replace("_", "-"),
                dest=opt.name,
                default=None,
                metavar=opt.name.upper(),
                help=f"{opt.help} [env {opt.env}]",
            )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: progress and a table; json: one object on stdout for CI "
        '({"ok", "steps": [{"name", "ok", "skipped", "detail", "seconds"}], ...})',
    )
    parser.set_defaults(handler=_run)


def _config(args: argparse.Namespace) -> Any:
    from edu_contracts.config import resolve

    return resolve({name: getattr(args, name) for name in _SERVICE_OPTIONS}, os.environ, {})


def _mark(result: StepResult) -> str:
    if result.skipped:
        return "[yellow]skip[/]"
    return "[green]ok[/]  " if result.ok else "[red]FAIL[/]"


def summary(results: list[StepResult]) -> tuple[bool, str]:
    """Whether the run holds, and the line that says so: a skipped step is never counted
    as holding, and a run with one is not called complete."""
    failed = [r for r in results if not r.ok]
    skipped = [r for r in results if r.skipped]
    held = len(results) - len(failed) - len(skipped)
    if failed:
        return False, f"{len(failed)} step(s) failed, {held} held, {len(skipped)} skipped"
    if skipped:
        names = ", ".join(r.name for r in skipped)
        return True, f"{held} of {len(results)} steps hold; skipped: {names}"
    return True, f"all {len(results)} steps hold"


def _run(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    from edu_contracts.workflows.verify import run_verify

    config = _config(args)
    as_json = args.format == "json"
    out = console(stderr=as_json)  # progress goes to stderr when stdout is the JSON
    started = time.perf_counter()

    def show(result: StepResult) -> None:
        out.print(f"{_mark(result)} {result.name:<22} {result.seconds:6.2f} s")

    results = run_verify(config, on_step=show)
    ok, line = summary(results)
    total = time.perf_counter() - started
    if as_json:
        print(
            json.dumps(
                {
                    "format": 1,
                    "command": "verify",
                    "ok": ok,
                    "summary": line,
                    "seconds": round(total, 3),
                    "steps": [
                        {
                            "name": r.name,
                            "ok": r.ok,
                            "skipped": r.skipped,
                            "detail": r.detail,
                            "seconds": round(r.seconds, 3),
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK if ok else EXIT_FAILED
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
    colour = "green" if ok and "skipped" not in line else "yellow" if ok else "red"
    out.print(f"[{colour}]{escape(line)}[/] in {total:.1f} s; services stopped")
    return EXIT_OK if ok else EXIT_FAILED
