"""``edu-contracts check``: the current code against the released contracts.

Also home of the options and the one output path (``emit``) that ``diff``,
``compat``, ``drift`` and ``can-i-deploy`` share: text and JSON are both
rendered from the command's ``Verdict`` (``edu_contracts.findings``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console

if TYPE_CHECKING:  # imported lazily: `--help` must not pay for SQLAlchemy and pydantic
    from edu_contracts.findings.model import Verdict

__all__ = [
    "add_contracts_option",
    "add_format_option",
    "emit",
    "reference_from",
    "register",
    "store_from",
]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the current code against the released contracts (messages, tables, "
        "golden examples)",
        description="Exit 0 when compatible, 1 when a change breaks a producer, a consumer "
        "or old code, 2 on bad input.",
    )
    add_contracts_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=_handle)


def add_contracts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--contracts",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of released contracts (default: the ones shipped with edu-contracts)",
    )


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a readable table; json: the stable format CI tools consume",
    )


def store_from(args: argparse.Namespace) -> Any:
    from edu_contracts.registry.store import ContractStore, default_store

    return default_store() if args.contracts is None else ContractStore(args.contracts)


def reference_from(args: argparse.Namespace) -> Any:
    """The releases shipped in the installed package, when ``--contracts`` names another copy.

    The lock cannot catch a released file rewritten together with its hash;
    an independent copy can, so ``check`` and ``release`` compare with it.
    """
    from edu_contracts.registry.store import default_store

    return None if args.contracts is None else default_store()


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.check import check

    return emit(check(store_from(args), reference_from(args)), args.format)


def emit(verdict: Verdict, fmt: str) -> int:
    """Print a verdict as text or JSON, from the same object; the exit code it means."""
    if fmt == "json":
        text = json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False, default=str)
        # a lone surrogate (valid JSON in a property name) cannot be written as UTF-8
        print(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    else:
        from edu_contracts.findings.render import print_verdict

        print_verdict(verdict, console())
    return EXIT_OK if verdict.ok else EXIT_FAILED
