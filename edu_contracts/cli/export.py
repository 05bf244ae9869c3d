"""``edu-contracts export``: the current contract as files, generated from the code.

Without ``--out`` the files are printed as one JSON object keyed by path, for
piping; with ``--url`` the table snapshot is read from a live database by
reflection instead of the models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from edu_contracts.cli._common import EXIT_OK, console, escape

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="write the JSON Schemas, table snapshot and examples of the current code"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="write the files here (default: print JSON)"
    )
    parser.add_argument(
        "--url",
        metavar="URL",
        help="snapshot the tables of this live database instead of the models",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from edu_contracts.registry.export import TABLES_FILE, contract_files, write_contract

    files = contract_files()
    if args.url:
        from edu_contracts.tables.snapshot import snapshot_database

        files[TABLES_FILE] = snapshot_database(args.url)
    if args.out is None:
        print(json.dumps(files, indent=2, ensure_ascii=False))
        return EXIT_OK
    written = write_contract(args.out, files)
    console().print(f"wrote {len(written)} files to {escape(str(args.out))}")
    return EXIT_OK
