"""``edu-contracts diff VERSION_A VERSION_B``: what changed between two releases.

``VERSION_B`` may be ``current`` for the working code. Each subject is judged
in its configured mode, between these two versions only; ``check`` is the
command that also looks at every earlier release.
"""

from __future__ import annotations

import argparse
from typing import Any

from edu_contracts.cli.check import add_contracts_option, add_format_option, emit, store_from

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff", help="compare two released contract versions (or a release and 'current')"
    )
    parser.add_argument("version_a", metavar="VERSION_A", help="the older release, e.g. 1.0.0")
    parser.add_argument(
        "version_b", metavar="VERSION_B", help="the newer release, or 'current' for the code"
    )
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.check import diff

    return emit(diff(args.version_a, args.version_b, store_from(args)), args.format)
