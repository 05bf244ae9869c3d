"""Shared bits of the CLI commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console", "escape"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def console(*, stderr: bool = False) -> Console:
    """A console that never wraps paths or colours JSON by accident."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """rich's markup escape, imported on use: ``--help`` should not load rich."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)
