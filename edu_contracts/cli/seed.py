"""``edu-contracts seed --url URL --scenario NAME [--seed N] [--append]``: realistic local data.

Migrates the database if needed, refuses one that holds rows (unless
``--append``), loads the scenario through binary COPY with a progress bar
showing rows/s, and prints rows per table. Never drops or overwrites data.
"""

from __future__ import annotations

import argparse
from typing import Any

from edu_contracts.cli._common import EXIT_OK, console
from edu_contracts.errors import MissingDependencyError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="fill a database with a named scenario of realistic, coherent data",
        description="Load a seed scenario (tiny, demo, load, or a TOML file) through binary "
        "COPY. The same --seed always makes the same rows, ids and timestamps.",
    )
    parser.add_argument("--url", required=True, help="postgresql://… or a SQLAlchemy URL")
    parser.add_argument("--scenario", default="demo", help="tiny, demo, load or a .toml path")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--append", action="store_true", help="add to a database that already holds rows"
    )
    parser.add_argument(
        "--batch-rows", type=int, default=2000, help="rows per COPY batch (memory bound)"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    try:
        from edu_contracts.seed.loader import LoadStats
        from edu_contracts.seed.scenario import load_scenario
        from edu_contracts.seed.seeding import seed_database
    except ImportError as exc:
        raise MissingDependencyError(
            f"seeding needs the factories' libraries ({exc.name} is missing)",
            fix="pip install 'edu-contracts[seed]' (or [testing])",
        ) from exc

    from edu_contracts.db.url import DatabaseURL

    url = DatabaseURL.parse(args.url, where="--url")  # a bad URL is exit 2, never echoed
    out = console()
    scenario = load_scenario(args.scenario)
    planned = scenario.totals()
    out.print(
        f"seeding [bold]{scenario.name}[/] (seed {args.seed}): {scenario.description}; "
        f"{sum(planned.values()):,} rows, {scenario.embedded_segments:,} embedded segments"
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>10} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=False) as progress:
        task = progress.add_task("loading", total=sum(planned.values()), rate="-")

        def on_batch(stats: LoadStats) -> None:
            elapsed = progress.tasks[task].elapsed or 0.0
            rate = f"{stats.total / elapsed:,.0f}" if elapsed else "-"
            progress.update(task, completed=stats.total, rate=rate)

        def on_phase(text: str) -> None:
            progress.update(task, description=text)

        stats = seed_database(
            url,
            scenario,
            seed=args.seed,
            append=args.append,
            batch_rows=args.batch_rows,
            on_batch=on_batch,
            on_phase=on_phase,
        )
        progress.update(task, description="done", completed=stats.total)
    table = Table(title=f"seeded {scenario.name} (seed {args.seed})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in stats.rows.items():
        table.add_row(name, f"{count:,}")
    table.add_row("[bold]total[/]", f"[bold]{stats.total:,}[/]")
    out.print(table)
    rate = stats.total / stats.seconds if stats.seconds else 0.0
    line = f"loaded {stats.total:,} rows in {stats.seconds:.1f} s ({rate:,.0f} rows/s)"
    if stats.index_rebuilt:
        line += f"; HNSW index rebuilt in {stats.index_seconds:.1f} s"
    out.print(line)
    return EXIT_OK
