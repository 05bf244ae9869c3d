"""Released contract versions: load by version, verify the lock, release, export.

Releases ship inside the package (``edu_contracts/contracts/<version>/``), so
``load_message_schema("1.0.0")`` works from a wheel as well as a checkout.
"""

from __future__ import annotations

from typing import Any

# Imported eagerly on purpose: ``check`` and ``release`` are both submodules
# and functions, and a lazy attribute would lose to the submodule the import
# system binds on the package. None of these pull in SQLAlchemy.
from edu_contracts.registry.check import CURRENT, check, diff
from edu_contracts.registry.config import DEFAULT_MODES, mode_for
from edu_contracts.registry.export import contract_files, golden_examples
from edu_contracts.registry.lock import LockProblem, verify_lock
from edu_contracts.registry.release import ReleaseResult, release
from edu_contracts.registry.store import PACKAGED_CONTRACTS, ContractStore, default_store
from edu_contracts.registry.versions import Version, parse_version

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
