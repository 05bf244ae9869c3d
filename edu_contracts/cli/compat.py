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

__all__ = ["DIALECTS", "MODES", "RULES", "register"]

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
RULES = ("strict", "lenient", "semantic")
DIALECTS = ("draft-04", "draft-06", "draft-07", "2019-09", "2020-12")


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
        help="strict (Confluent's default), lenient about open content models, or semantic: "
        "breaking exactly when some old instance fails the new schema (proof or counterexample)",
    )
    parser.add_argument(
        "--dialect",
        type=str.lower,
        choices=DIALECTS,
        default=None,
        help="JSON Schema draft to read both files in (default: each file's $schema, else 2020-12)",
    )
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def _read(path: Path) -> Any:
    """A schema file: an object or a boolean (``true``/``false`` are schemas since draft-06)."""
    from edu_contracts.errors import ContractFileError
    from edu_contracts.registry.files import read_json

    try:
        value = read_json(path, expect=object)
    except ValueError as exc:  # json's int-digit limit is a ValueError, not a JSONDecodeError
        raise ContractFileError(
            f"cannot read the JSON: {str(exc).split(';')[0]}",
            where=str(path),
            fix="write numbers of at most 4,300 digits (no validator compares longer ones)",
        ) from None
    if not isinstance(value, dict | bool):
        raise ContractFileError(
            f"expected a JSON object or boolean (a JSON Schema), found {_json_kind(value)}",
            where=str(path),
            fix="a schema file holds one JSON object (or true / false) at the top level",
        )
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else "a number"


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.compat import CompatibilityMode, RuleSet, compare
    from edu_contracts.findings.model import Subject, Verdict

    old, new = _read(args.old), _read(args.new)
    mode, rules = CompatibilityMode(args.mode.upper()), RuleSet(args.rules.upper())
    labels = (str(args.old), str(args.new))
    report = compare(old, new, mode, rules, labels=labels, dialect=args.dialect)
    verdict = Verdict(
        "compat",
        f"{args.new} vs {args.old}",
        (Subject(f"schema {args.new}", mode, (str(args.old),), report),),
        baseline=str(args.old),
    )
    return emit(verdict, args.format)
