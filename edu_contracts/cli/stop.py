"""``edu-contracts stop``: end services kept running by ``pytest --edu-reuse``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from edu_contracts.cli._common import EXIT_OK, console

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stop",
        help="stop services kept running by pytest --edu-reuse",
        description="Stops the reused Postgres and Azurite of this project (the current "
        "directory's pytest root), or of every project with --all.",
    )
    parser.add_argument("--all", action="store_true", help="every project's reused services")
    parser.add_argument("--rootdir", type=Path, default=Path.cwd(), help="the project's root")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from edu_contracts.services._docker_reuse import stop_reused_containers
    from edu_contracts.services.docker import reuse_key
    from edu_contracts.testing.reuse import state_path, stop_all_reused, stop_reused

    count = stop_all_reused() if args.all else int(stop_reused(state_path(args.rootdir)))
    containers = stop_reused_containers(None if args.all else reuse_key(args.rootdir))
    console().print(f"stopped {count} reused service set(s) and {containers} container(s)")
    return EXIT_OK
