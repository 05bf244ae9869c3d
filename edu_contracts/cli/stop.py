"""``edu-contracts stop``: end services kept running by ``pytest --edu-reuse``.

The per-user cache holds the kept services of every project on the machine.
Without names, only this project's (the ``--rootdir``'s) are stopped, even
with ``--all``: another project's run may be using its own. Others are
stopped only when named with ``--project`` (repeatable; a root path, its
folder name, or the key ``--list`` shows). Every set stopped is named.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from edu_contracts.cli._common import EXIT_OK, EXIT_USAGE, console, escape

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stop",
        help="stop services kept running by pytest --edu-reuse (this project's, or named ones)",
        description="Stops the reused Postgres and Azurite of this project (the current "
        "directory's pytest root). Other projects' services are stopped only when named "
        "with --project.",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every kept set of this project; other projects' only with --project",
    )
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="NAME",
        help="also stop this project's services (root path, folder name or key; repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="list kept services, stop nothing")
    parser.add_argument("--rootdir", type=Path, default=Path.cwd(), help="the project's root")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from edu_contracts.services._docker_reuse import stop_reused_containers
    from edu_contracts.services.docker import reuse_key
    from edu_contracts.testing.reuse import kept_services, select_projects, state_path, stop_reused

    out = console()
    kept = kept_services()
    if args.list:
        for item in kept:
            pids = ", ".join(map(str, item.pids)) or "?"
            out.print(f"{escape(item.project)}  (key {item.path.stem}, pids {pids})")
        out.print(f"{len(kept)} kept service set(s)")
        return EXIT_OK
    own = state_path(args.rootdir)
    chosen = [k for k in kept if k.path == own]
    named, unmatched = select_projects(kept, args.project)
    chosen += [k for k in named if k not in chosen]
    for name in unmatched:
        console(stderr=True).print(f"no kept services for project {escape(name)!r}")
    stopped = [k for k in chosen if stop_reused(k.path)]
    for item in stopped:
        out.print(f"stopped {escape(item.project)}")
    # reused docker containers carry this project's key in their labels
    containers = stop_reused_containers(reuse_key(args.rootdir))
    others = len(kept) - len(chosen)
    line = f"stopped {len(stopped)} reused service set(s) and {containers} container(s)"
    if others:
        line += f"; {others} other project(s) left running (name them with --project)"
    out.print(line)
    return EXIT_USAGE if unmatched else EXIT_OK
