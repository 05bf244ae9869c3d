"""``edu-contracts lock --verify``: prove no released contract file was edited."""

from __future__ import annotations

import argparse
import json
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console, escape
from edu_contracts.cli.check import add_contracts_option, add_format_option, store_from

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lock", help="verify released contract files against the lock file (sha256)"
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check every released file against its hash (the default and only action: "
        "the lock is written by `release`, never by hand)",
    )
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.lock import read_lock, verify_lock

    store = store_from(args)
    problems = verify_lock(store.root)
    locked = read_lock(store.root)
    files = sum(len(v) for v in locked.values())
    if args.format == "json":
        report = {
            "format": 1,
            "ok": not problems,
            "versions": sorted(locked),
            "files": files,
            "problems": [p.to_dict() for p in problems],
        }
        print(json.dumps(report, indent=2))
    else:
        out = console()
        for problem in problems:
            out.print(f"[red]{problem.problem:>24}[/]  {escape(str(store.root / problem.path))}")
        if problems:
            out.print(
                f"[bold red]{len(problems)} problem(s)[/]: released versions are immutable; "
                "restore the files from version control, remove anything else, and release "
                "changes as a new version"
            )
        else:
            out.print(
                f"[green]lock ok[/]: {files} files in {len(locked)} released version(s) "
                f"({', '.join(sorted(locked)) or 'none'})"
            )
            out.print(
                "[dim]the lock proves these files match its hashes, not that the hashes are "
                "the released ones: review every change to contracts.lock[/]"
            )
    return EXIT_FAILED if problems else EXIT_OK
