"""``edu-contracts db upgrade|current|check --url URL``: the canonical schema on a database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from edu_contracts.cli._common import EXIT_FAILED, EXIT_OK, console

__all__ = ["register"]

if TYPE_CHECKING:
    from edu_contracts.db.url import DatabaseURL


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db", help="apply or inspect the canonical migrations on a database"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text, handler in (
        ("upgrade", "apply the migrations up to a revision (default head)", _upgrade),
        ("current", "print the database's current revision", _current),
        ("check", "exit 1 if the database differs from the models (autogenerate diff)", _check),
    ):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--url", required=True, help="postgresql://… or a SQLAlchemy URL")
        if name == "upgrade":
            sub.add_argument("--revision", default="head")
        sub.set_defaults(handler=handler)


def _url(args: argparse.Namespace) -> DatabaseURL:
    """The ``--url`` value, parsed once: a bad URL is exit 2, and is never echoed."""
    from edu_contracts.db.url import DatabaseURL

    return DatabaseURL.parse(args.url, where="--url")


def _upgrade(args: argparse.Namespace) -> int:
    from edu_contracts.db import migrate

    url = _url(args)
    migrate.upgrade(url, args.revision)
    console().print(f"upgraded {url} to {migrate.current(url)}")
    return EXIT_OK


def _current(args: argparse.Namespace) -> int:
    from edu_contracts.db import migrate

    console().print(migrate.current(_url(args)) or "(no revision: not migrated)")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from edu_contracts.db import migrate

    differences = migrate.compare(_url(args))
    for diff in differences:
        console().print(f"  {diff}")
    if differences:
        console().print(f"[red]{len(differences)} difference(s) between database and models[/]")
        return EXIT_FAILED
    console().print("[green]database matches the models[/]")
    return EXIT_OK
