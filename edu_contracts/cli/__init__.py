"""The ``edu-contracts`` command line; commands are verbs.

Exit codes, for every command: 0 the check holds, 1 it does not
(incompatible, drift, failed verification), 2 bad input or usage. An
``EduContractsError`` is printed as what/where/fix without a traceback.

Each command lives in its own module exposing ``register(subparsers)``,
which adds a parser whose ``handler`` default returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from edu_contracts import __version__
from edu_contracts.cli._common import EXIT_USAGE, check_url, console
from edu_contracts.errors import EduContractsError

__all__ = ["build_parser", "main", "print_error"]

# module names under edu_contracts.cli, in the order `--help` lists them
_COMMAND_MODULES = (
    "verify",
    "install",
    "db",
    "stop",
    "check",
    "compat",
    "diff",
    "release",
    "lock",
    "export",
    "drift",
    "seed",
    "can_i_deploy",
    "migrations",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="edu-contracts",
        description="Contracts, compatibility checks and real services for the edu platform.",
    )
    parser.add_argument("--version", action="version", version=f"edu-contracts {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"edu_contracts.cli.{name}")
        module.register(subparsers)
    return parser


def print_error(exc: EduContractsError) -> None:
    from rich.markup import escape

    err = console(stderr=True)
    err.print(f"[bold red]error:[/] {escape(exc.message)}")
    if exc.where:
        err.print(f"  [dim]where:[/] {escape(exc.where)}")
    if exc.fix:
        err.print(f"  [dim]fix:[/] {escape(exc.fix)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if isinstance(getattr(args, "url", None), str):
            check_url(args.url)  # one check for every command that takes --url
        return int(args.handler(args))
    except EduContractsError as exc:
        print_error(exc)
        return EXIT_USAGE
    except OSError as exc:
        # Every file read and write goes through edu_contracts._files, which
        # names the problem; this is the net for one that slipped past it.
        print_error(
            EduContractsError(
                f"cannot use a file or folder: {exc.strerror or 'input/output error'}",
                where=str(exc.filename) if exc.filename else args.command,
                fix="check the paths given on the command line and their permissions",
            )
        )
        return EXIT_USAGE
    except RecursionError:
        print_error(
            EduContractsError(
                "an input is nested too deeply to process",
                where=args.command,
                fix="flatten the input (schemas and messages are rarely over 20 levels deep)",
            )
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
