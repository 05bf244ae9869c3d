"""The current code's contract files (message schemas, table snapshot), cached.

``check`` and ``diff current`` compare the code with releases; producing the
code's side means importing SQLAlchemy, the models and pydantic's schema
generator (most of a second), for a result that changes only when the code
does. It is cached under a hash of the sources it is computed from and the
versions of the libraries that render it (``edu_contracts._cache.source_key``),
so an edit to a model or a message is seen at once and a stale entry cannot
be read.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from edu_contracts._cache import cache_dir, source_key

__all__ = ["code_files"]

# what the code's contract is computed from
_SOURCES = ("db", "schemas", "tables", "registry")
_LIBRARIES = ("sqlalchemy", "pgvector", "pydantic", "pydantic-core")
_LOADED = frozenset({"edu_contracts.schemas.queue", "edu_contracts.tables.snapshot"})
_KEEP = 8  # entries kept; older keys are for code that no longer exists


def _compute() -> dict[str, Any]:
    from edu_contracts.registry.export import message_files
    from edu_contracts.tables.snapshot import snapshot_metadata

    # the JSON round trip makes a fresh result and a cached one the same values
    files: dict[str, Any] = json.loads(
        json.dumps({"messages": message_files(), "tables": snapshot_metadata()})
    )
    return files


def code_files() -> dict[str, Any]:
    """``{"messages": {path: schema}, "tables": snapshot}`` of the current code.

    A process that has already loaded the models or the message schemas (a
    test, a REPL, code that patched them) gets them computed from what it
    loaded; the cache serves the others (a CLI start), which it saves most of
    a second.
    """
    if _LOADED.intersection(sys.modules):
        return _compute()
    folder = cache_dir() / "code-contracts"
    path = folder / f"{source_key(_SOURCES, _LIBRARIES)}.json"
    with contextlib.suppress(OSError, ValueError):
        cached: dict[str, Any] = json.loads(path.read_text())
        return cached
    files = _compute()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w") as out:
            json.dump(files, out)
        os.replace(tmp, path)  # atomic: a parallel reader sees all of it or nothing
        _prune(folder)
    return files


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_KEEP:]:
        old.unlink(missing_ok=True)
