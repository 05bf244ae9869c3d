"""``edu-contracts can-i-deploy --producer VERSION|RECORDING --consumer VERSION``."""

from __future__ import annotations

import argparse
from typing import Any

from edu_contracts.cli.check import add_contracts_option, add_format_option, emit, store_from

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "can-i-deploy",
        help="may this consumer run beside this producer? (no broker needed)",
        description="Checks every task kind the producer sends against the consumer's "
        "contract (schema compatibility) and, for a recording, every recorded message. "
        "Exit 0 yes, 1 no, 2 bad input.",
    )
    parser.add_argument(
        "--producer", required=True, help="released version, or a --edu-record file"
    )
    parser.add_argument("--consumer", required=True, help="the consumer's pinned version")
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from edu_contracts.workflows.deploy import can_i_deploy

    verdict = can_i_deploy(args.producer, args.consumer, store=store_from(args))
    return emit(verdict, args.format)
