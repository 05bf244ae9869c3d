"""``edu-contracts compat OLD.json NEW.json``: are two JSON Schema files compatible?

For schemas outside the registry (another team's, a draft in review). The
files are read defensively: a missing, empty, non-JSON, non-object or huge
file is a clear error naming the file, exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console, escape
from edu_contracts.cli.check import add_format_option
from edu_contracts.errors import ContractFileError, EduContractsError

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


def _compare(old: dict[str, Any], new: dict[str, Any], args: argparse.Namespace) -> Any:
    from edu_contracts.compat import CompatibilityMode, RuleSet, compare

    mode, rules = CompatibilityMode(args.mode.upper()), RuleSet(args.rules.upper())
    try:
        return compare(old, new, mode, rules)
    except ContractFileError as exc:
        # name the file, not the role, in what the user reads
        where = (exc.where or "").replace("old schema", f"{args.old}:", 1)
        where = where.replace("new schema", f"{args.new}:", 1)
        raise ContractFileError(exc.message, where=where, fix=exc.fix) from None
    except EduContractsError:
        raise
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # A schema the engine cannot walk is bad input, not a crash to show.
        raise ContractFileError(
            f"cannot compare these schemas: {type(exc).__name__}: {exc}",
            where=f"{args.old} / {args.new}",
            fix="check that both files are JSON Schema (2020-12 or draft-07) documents",
        ) from exc


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.files import read_json

    old, new = read_json(args.old), read_json(args.new)
    report = _compare(old, new, args)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2))
    else:
        from edu_contracts.findings.render import render

        title = f"{escape(str(args.new))} vs {escape(str(args.old))}"
        console().print(render(report, title))
    return EXIT_OK if report.compatible else EXIT_FAILED
