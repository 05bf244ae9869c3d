"""Shared bits of the CLI commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["check_url", "console", "escape"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def console(*, stderr: bool = False) -> Console:
    """A console that never wraps paths or colours JSON by accident."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """rich's markup escape, imported on use: ``--help`` should not load rich."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


_ASYNC_DRIVERS = frozenset({"asyncpg", "psycopg_async", "aiopg"})
_URL_FIX = "use the form postgresql://user:password@host:5432/dbname (libpq or SQLAlchemy style)"


def check_url(url: str) -> None:
    """Refuse a ``--url`` the commands cannot use, before any driver sees it.

    A port that is not a number, an async driver (every command here is
    synchronous) or a driver that is not installed would otherwise surface
    as a traceback from deep inside SQLAlchemy. The URL itself is never
    echoed: it may hold a password.
    """
    import importlib.util

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from edu_contracts.errors import ConfigurationError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            "the database URL cannot be parsed (is the port a number?)", where="--url", fix=_URL_FIX
        ) from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ConfigurationError(
            f"port {parsed.port} is outside 1-65535", where="--url", fix=_URL_FIX
        )
    driver = parsed.get_driver_name() if "+" in parsed.drivername else ""
    if driver in _ASYNC_DRIVERS:
        raise ConfigurationError(
            f"the async driver {driver!r} cannot be used by the command line",
            where="--url",
            fix="drop the driver (postgresql://...) or use postgresql+psycopg://...; the "
            "commands talk to the database synchronously",
        )
    try:
        installed = not driver or importlib.util.find_spec(driver) is not None
    except (ImportError, ValueError):  # a dotted or empty name that is no module
        installed = False
    if not installed:
        raise ConfigurationError(
            f"the driver {driver!r} is not installed",
            where="--url",
            fix="drop the driver (postgresql://...) to use psycopg, which edu-contracts installs",
        )
