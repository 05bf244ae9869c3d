"""``edu-contracts can-i-deploy --producer VERSION|RECORDING --consumer VERSION``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console


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
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from edu_contracts.workflows.deploy import can_i_deploy

    verdict = can_i_deploy(args.producer, args.consumer)
    out = console()
    if args.format == "json":
        out.print_json(json.dumps(verdict.to_dict()))
        return EXIT_OK if verdict.ok else EXIT_FAILED
    answer = "[green]yes[/]" if verdict.ok else "[red]no[/]"
    out.print(
        f"can-i-deploy: {answer}  producer {escape(verdict.producer)} -> "
        f"consumer {escape(verdict.consumer)}"
    )
    for line in verdict.checked:
        out.print(f"  checked  {escape(line)}")
    for finding in verdict.findings:
        out.print(f"[red]BREAKING[/]  {escape(finding.subject)}")
        out.print(f"  {escape(finding.where)}  {escape(finding.message)}")
        if finding.example is not None:
            out.print(f"  example: {escape(json.dumps(finding.example)[:300])}")
        out.print(f"  safe path: {escape(finding.safe_path)}")
    return EXIT_OK if verdict.ok else EXIT_FAILED
