"""``edu-contracts release VERSION``: freeze the current contract and update the lock."""

from __future__ import annotations

import argparse
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console, escape
from edu_contracts.cli.check import add_contracts_option, reference_from, store_from
from edu_contracts.errors import IncompatibleChangeError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "release",
        help="freeze the current messages and tables as a new contract version",
        description="Refuses to overwrite a release, and refuses a breaking change without "
        "a major version bump.",
    )
    parser.add_argument("version", metavar="VERSION", help="the new version, e.g. 1.1.0")
    add_contracts_option(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.cli import print_error
    from edu_contracts.findings.render import print_verdict
    from edu_contracts.registry.check import check
    from edu_contracts.registry.release import release

    store, reference = store_from(args), reference_from(args)
    out = console()
    try:
        result = release(args.version, store, reference=reference)
    except IncompatibleChangeError as exc:
        print_verdict(check(store, reference), out)
        print_error(exc)
        return EXIT_FAILED
    if result.check is not None and result.check.subjects:
        changed = [s for s in result.check.subjects if s.report.findings or s.problems]
        for subject in changed:
            out.print(f"  {escape(subject.subject)}: {len(subject.report.findings)} change(s)")
    out.print(
        f"[green]released {result.version}[/]: {len(result.files) - 1} files in "
        f"{escape(str(result.folder))}, lock updated"
    )
    return EXIT_OK
