"""``edu-contracts drift --url URL``: does a live database match the models or a release?

Any difference is drift (exit 1), compatible or not: the point is to learn
that a database was changed by hand or missed a migration. Each finding
says whether the difference would also break code (``breaks``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console, escape
from edu_contracts.cli.check import (
    add_contracts_option,
    add_format_option,
    print_report,
    store_from,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "drift", help="compare a live database's tables with the models or a released version"
    )
    parser.add_argument("--url", required=True, help="postgresql://… of the database to read")
    parser.add_argument(
        "--against",
        default="models",
        metavar="models|VERSION",
        help="what the database should match (default: the current models)",
    )
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.db.url import redact_url
    from edu_contracts.findings.modes import CompatibilityMode
    from edu_contracts.tables.rules import compare_tables
    from edu_contracts.tables.snapshot import snapshot_database, snapshot_metadata

    if args.against == "models":
        expected = snapshot_metadata()
    else:
        expected = store_from(args).tables(args.against)
    live = snapshot_database(args.url)
    report = compare_tables(expected, live, CompatibilityMode.BACKWARD)
    drifted = bool(report.findings)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "format": 1,
                    "database": redact_url(args.url),
                    "against": args.against,
                    "drift": drifted,
                    "report": report.to_dict(),
                },
                indent=2,
            )
        )
    else:
        out = console()
        where = escape(redact_url(args.url))
        if not drifted:
            out.print(f"[green]no drift[/]: {where} matches {escape(args.against)}")
        else:
            out.print(
                f"[bold red]drift[/]: {where} differs from {escape(args.against)} "
                f"in {len(report.findings)} place(s)"
            )
            print_report(report, out, subject="tables", version_of=lambda _f: args.against)
    return EXIT_FAILED if drifted else EXIT_OK
