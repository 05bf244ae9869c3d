"""Shared bits of the CLI commands."""

from __future__ import annotations

from rich.console import Console

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def console(*, stderr: bool = False) -> Console:
    """A console that never wraps paths or colours JSON by accident."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)
