"""The ``migrations rehearse`` command body: embedded server, progress, report."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console
from edu_contracts.errors import MissingDependencyError

__all__ = ["rehearsal_dict", "run_rehearsal"]


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[str]:
    """The given server, or a private embedded one for the rehearsal's length."""
    if url is not None:
        yield url
        return
    try:
        from edu_contracts.services.postgres import start_embedded_postgres
    except ImportError as exc:
        raise MissingDependencyError(
            f"an embedded Postgres needs the testing extra ({exc.name} is missing)",
            fix="pip install 'edu-contracts[testing]', or pass --url of a server",
        ) from exc
    server = start_embedded_postgres()
    try:
        yield server.info.url()
    finally:
        server.stop()


def run_rehearsal(args: argparse.Namespace) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    try:
        from edu_contracts.seed.scenario import load_scenario
    except ImportError as exc:
        raise MissingDependencyError(
            f"rehearsal seeds data and needs the seed extra ({exc.name} is missing)",
            fix="pip install 'edu-contracts[seed]' (or [testing])",
        ) from exc
    from edu_contracts.migrations.rehearsal import rehearse
    from edu_contracts.migrations.releases import previous_release

    scenario = load_scenario(args.scenario)
    out = console(stderr=args.format == "json")
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with _server(args.url) as server, Progress(*columns, console=out) as progress:
        task = progress.add_task("starting", total=None)
        seeding = progress.add_task("seed rows", total=sum(scenario.totals().values()))
        result = rehearse(
            server,
            scenario,
            lower=args.lower,
            upper=args.upper,
            extra_versions=args.versions,
            release=previous_release(args.release),
            budget=args.budget,
            seed=args.seed,
            on_phase=lambda text: progress.update(task, description=text),
            on_seed_rows=lambda rows: progress.update(seeding, completed=rows),
        )
        progress.update(task, description="done")
    if args.format == "json":
        print(json.dumps(rehearsal_dict(result), indent=2))
    else:
        _print(result, console())
    return EXIT_OK if result.passed else EXIT_FAILED


def rehearsal_dict(result: Any) -> dict[str, Any]:
    """The verdict's JSON (format 2, as every command) plus ``rehearsal``: the measurements."""
    from edu_contracts.migrations.report import rehearsal_verdict

    longest = result.longest_wait
    data = rehearsal_verdict(result).to_dict()
    data["rehearsal"] = {
        "base": result.base,
        "scenario": result.scenario,
        "budget_seconds": result.budget,
        "seeded_rows": result.seed_rows,
        "revisions": [
            {
                "revision": r.revision,
                "seconds": round(r.seconds, 3),
                "longest_wait_seconds": round(r.wait.seconds, 3) if r.wait else 0.0,
                "error": r.error,
            }
            for r in result.runs
        ],
        "longest_wait_seconds": round(longest.seconds, 3) if longest else 0.0,
        "traffic": {
            "operations": result.traffic.operations,
            "slowest_seconds": round(result.traffic.slowest, 3),
            "errors": {k: {"count": c, "first": m} for k, (c, m) in result.traffic.errors.items()},
        },
        "downgrade": {
            "seconds": round(result.downgrade_seconds, 3),
            "error": result.downgrade_error,
        },
    }
    return data


def _print(result: Any, out: Any) -> None:
    from rich.table import Table

    from edu_contracts.findings.render import print_verdict
    from edu_contracts.migrations.report import rehearsal_verdict

    table = Table(
        title=f"rehearsal of {result.scenario} ({result.seed_rows:,} rows) on release "
        f"{result.release} (revision {result.base}), budget {result.budget:g} s"
    )
    table.add_column("revision")
    table.add_column("wall time", justify="right")
    table.add_column("longest lock wait of old code", justify="right")
    table.add_column("blocked on")
    for run in result.runs:
        wait = run.wait
        table.add_row(
            run.revision + (" [red](failed)[/]" if run.error else ""),
            f"{run.seconds:.2f} s",
            f"{wait.seconds:.2f} s" if wait else "-",
            (wait.relation or "?") if wait else "",
        )
    out.print(table)
    ops = result.traffic.operations
    out.print(
        f"old-code traffic: {ops['write']} writes, {ops['read']} searches, slowest "
        f"{result.traffic.slowest:.2f} s; downgrade to {result.base} in "
        f"{result.downgrade_seconds:.2f} s"
    )
    print_verdict(rehearsal_verdict(result), out)
