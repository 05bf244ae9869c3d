"""``edu-contracts drift --url URL``: does a live database match the models or a release?

Any difference is drift (exit 1), compatible or not: the point is to learn
that a database was changed by hand or missed a migration. Each finding
says whether the difference would also break code (``breaks``).
"""

from __future__ import annotations

import argparse
from typing import Any

from edu_contracts.cli.check import add_contracts_option, add_format_option, emit, store_from

__all__ = ["register"]


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
    from edu_contracts.db.url import DatabaseURL
    from edu_contracts.findings.model import Subject, Verdict
    from edu_contracts.findings.modes import CompatibilityMode
    from edu_contracts.tables.rules import compare_tables
    from edu_contracts.tables.snapshot import snapshot_database, snapshot_metadata

    url = DatabaseURL.parse(args.url, where="--url")  # a bad URL is exit 2, before any work
    if args.against == "models":
        expected = snapshot_metadata()
    else:
        expected = store_from(args).tables(args.against)
    live = snapshot_database(url)
    report = compare_tables(expected, live, CompatibilityMode.BACKWARD)
    where = url.redacted()
    verdict = Verdict(
        "drift",
        f"{where} vs {args.against}",
        (Subject("tables", CompatibilityMode.BACKWARD, (args.against,), report),),
        baseline=args.against,
        checked=(f"database {where} against {args.against}",),
        fail_on="any",  # any difference is drift, compatible or not
    )
    return emit(verdict, args.format)
