"""``edu-contracts compat OLD.json NEW.json``: are two JSON Schema files compatible?

For schemas outside the registry (another team's, a draft in review). The
files are read defensively: a missing, empty, non-JSON, non-object or huge
file is a clear error naming the file, exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from edu_contracts.cli.check import add_format_option, emit

__all__ = ["MODES", "RULES", "register"]

# Spelled out rather than read from CompatibilityMode so that building the
# parser does not import the engine; a test keeps the two lists equal.
MODES = (
    "backward",
    "backward_transitive",
    "forward",
    "forward_transitive",
    "full",
    "full_transitive",
    "none",
)
RULES = ("strict", "lenient")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compat", help="compare two JSON Schema files under a compatibility mode"
    )
    parser.add_argument("old", type=Path, metavar="OLD.json", help="the earlier schema")
    parser.add_argument("new", type=Path, metavar="NEW.json", help="the proposed schema")
    parser.add_argument(
        "--mode",
        type=str.lower,
        choices=MODES,
        default="backward",
        help="Confluent compatibility level (default: backward)",
    )
    parser.add_argument(
        "--rules",
        type=str.lower,
        choices=RULES,
        default="strict",
        help="strict (Confluent's default) or lenient about open content models",
    )
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.compat import CompatibilityMode, RuleSet, compare
    from edu_contracts.findings.model import Subject, Verdict
    from edu_contracts.registry.files import read_json

    old, new = read_json(args.old), read_json(args.new)
    mode, rules = CompatibilityMode(args.mode.upper()), RuleSet(args.rules.upper())
    labels = (str(args.old), str(args.new))
    report = compare(old, new, mode, rules, labels=labels)
    verdict = Verdict(
        "compat",
        f"{args.new} vs {args.old}",
        (Subject(f"schema {args.new}", mode, (str(args.old),), report),),
        baseline=str(args.old),
    )
    return emit(verdict, args.format)
