"""``edu-contracts install azurite``: fetch the pinned Azurite ahead of time (CI images)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "install",
        help="install a service the embedded backend needs (azurite)",
        description="Install the pinned Azurite into the per-user cache, unless an "
        "azurite-queue is already on PATH or cached. Tests do this on first use too.",
    )
    parser.add_argument("what", choices=["azurite"])
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from edu_contracts.services.azurite import find_azurite, install_azurite

    found = find_azurite()
    path = found or install_azurite()
    print(f"azurite-queue: {path}" + (" (already there)" if found else " (installed)"))
    return 0
