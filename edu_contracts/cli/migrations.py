"""``edu-contracts migrations lint|rehearse``: is a schema change safe to deploy live?

``lint`` reads the revisions since the latest release and names, per
operation, the lock it takes and whether it rewrites the table, with the
safe recipe for each finding (exit 1 on any). ``rehearse`` applies them to
a seeded database while traffic shaped like edu-api and edu-worker runs on
the previous release's table contract, and fails when a statement waited
longer than the budget or old code broke.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrations", help="lint and rehearse Alembic revisions for live-deploy safety"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=type(parser))
    verbs.required = True
    lint = verbs.add_parser(
        "lint", help="the lock each operation takes, rewrites, and the safe recipe per finding"
    )
    _range_options(lint)
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.set_defaults(handler=_lint)
    rehearse = verbs.add_parser(
        "rehearse",
        help="apply the revisions to seeded data under old-code traffic and measure lock waits",
    )
    _range_options(rehearse)
    rehearse.add_argument("--scenario", default="tiny", help="tiny, demo, load or a .toml path")
    rehearse.add_argument(
        "--url",
        help="postgresql://… of a server to rehearse on: a database of its own is created "
        "there and dropped after; no other database is touched (default: an embedded server)",
    )
    rehearse.add_argument(
        "--budget",
        type=_seconds,
        default=1.0,
        help="longest lock wait (seconds) any traffic statement may see (default 1)",
    )
    rehearse.add_argument("--seed", type=int, default=0, help="seed of the scenario data")
    rehearse.add_argument("--format", choices=("text", "json"), default="text")
    rehearse.set_defaults(handler=_rehearse)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the budget must be above 0 s, got {text}")
    return value


def _range_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="lower",
        metavar="REV",
        help="lint revisions after REV (default: the latest release's head)",
    )
    parser.add_argument(
        "--to", dest="upper", default="heads", metavar="REV", help="up to REV (default: heads)"
    )
    parser.add_argument(
        "--release",
        metavar="VERSION",
        help="the release old code comes from (default: the latest)",
    )
    parser.add_argument(
        "--versions",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="an extra folder of revisions building on the package's (repeatable)",
    )


def _lint(args: argparse.Namespace) -> int:
    from edu_contracts.migrations.lint import lint
    from edu_contracts.migrations.releases import previous_release
    from edu_contracts.migrations.report import lint_dict, print_lint

    result = lint(
        args.lower,
        args.upper,
        extra_versions=args.versions,
        release=previous_release(args.release),
    )
    if args.format == "json":
        print(json.dumps(lint_dict(result), indent=2, ensure_ascii=False))
    else:
        print_lint(result, console())
    return EXIT_OK if result.safe else EXIT_FAILED


def _rehearse(args: argparse.Namespace) -> int:
    from edu_contracts.cli._rehearse import run_rehearsal

    return run_rehearsal(args)
