"""The per-user cache that outlives runs, and the key that keeps it honest.

Below every other layer (it imports nothing of the toolkit), because the
services (Azurite install, clusters), the contract check (the code's
snapshot) and the CLI all keep things there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from importlib import metadata
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_dir", "source_key"]

CACHE_ENV = "EDU_CONTRACTS_CACHE_DIR"
_PACKAGE = Path(__file__).resolve().parent


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


def source_key(
    folders: tuple[str, ...], libraries: tuple[str, ...], extra: str = "", package: Path = _PACKAGE
) -> str:
    """A hash of the package's source ``folders`` and the installed ``libraries``' versions.

    Cheap (it reads files, it imports nothing) and a superset of what shapes a
    result computed from that code, so a cache under this key may be rebuilt
    needlessly but is never stale.
    """
    digest = hashlib.sha256(extra.encode())
    for library in libraries:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{library}={metadata.version(library)}".encode())
    for folder in folders:
        for path in sorted((package / folder).rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
