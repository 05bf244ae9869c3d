"""The per-user cache that outlives runs (Azurite install, initdb'd cluster)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_dir"]

CACHE_ENV = "EDU_CONTRACTS_CACHE_DIR"


def cache_dir() -> Path:
    """``$EDU_CONTRACTS_CACHE_DIR``, else ``$XDG_CACHE_HOME/edu-contracts``, else ``~/.cache``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "edu-contracts"
    path.mkdir(parents=True, exist_ok=True)
    return path
