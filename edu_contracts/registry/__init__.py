"""Released contract versions: load by version, verify the lock, release, export.

Releases ship inside the package (``edu_contracts/contracts/<version>/``), so
``load_message_schema("1.0.0")`` works from a wheel as well as a checkout.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from edu_contracts.registry.store import PACKAGED_CONTRACTS, ContractStore, default_store
from edu_contracts.registry.versions import Version, parse_version

if TYPE_CHECKING:
    from edu_contracts.registry.check import CURRENT, check, diff
    from edu_contracts.registry.config import DEFAULT_MODES, mode_for
    from edu_contracts.registry.export import contract_files, golden_examples
    from edu_contracts.registry.lock import LockProblem, verify_lock
    from edu_contracts.registry.release import ReleaseResult, release

# Loaded on first use (PEP 562): `lock --verify` needs the store and the lock,
# not the compatibility engine and the table rules that `check` brings.
_LAZY = {
    "CURRENT": "check",
    "check": "check",
    "diff": "check",
    "DEFAULT_MODES": "config",
    "mode_for": "config",
    "contract_files": "export",
    "golden_examples": "export",
    "LockProblem": "lock",
    "verify_lock": "lock",
    "ReleaseResult": "release",
    "release": "release",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CURRENT",
    "DEFAULT_MODES",
    "PACKAGED_CONTRACTS",
    "ContractStore",
    "LockProblem",
    "ReleaseResult",
    "Version",
    "check",
    "contract_files",
    "default_store",
    "diff",
    "golden_examples",
    "latest_version",
    "load_message_schema",
    "load_tables",
    "load_task_schemas",
    "mode_for",
    "parse_version",
    "release",
    "verify_lock",
]


def latest_version() -> str | None:
    """The newest contract version shipped with this package."""
    latest = default_store().latest()
    return None if latest is None else str(latest)


def load_message_schema(version: str) -> dict[str, Any]:
    """The ``QueueTaskMessage`` JSON Schema of a shipped release."""
    return default_store().message_schema(version)


def load_task_schemas(version: str) -> dict[str, dict[str, Any]]:
    """The per-task-kind JSON Schemas of a shipped release, keyed by ``type``."""
    return default_store().task_schemas(version)


def load_tables(version: str) -> dict[str, Any]:
    """The table snapshot of a shipped release."""
    return default_store().tables(version)
