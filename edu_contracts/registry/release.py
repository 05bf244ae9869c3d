"""Freezing the current code's contract as a new, immutable version.

A release refuses, with the reason and the fix:

- a version that is malformed, already released, or not above the latest
  (releases never overwrite and never go back in time);
- released files that no longer match the lock (fix the tampering first);
- a ``CONTRACT_VERSION`` in ``edu_contracts.schemas.queue`` that is not the
  version being released, because producers stamp it on every message;
- a breaking change (as ``check`` judges it) without a major version bump.

Files are written to a hidden staging folder and renamed into place, and
the lock is written last, so an interrupted release leaves no half version
that looks released.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from edu_contracts.errors import IncompatibleChangeError, VersionError
from edu_contracts.findings.model import Verdict
from edu_contracts.registry.check import check
from edu_contracts.registry.export import contract_files, write_contract
from edu_contracts.registry.lock import LOCK_FILE, hash_version, read_lock, write_lock
from edu_contracts.registry.store import ContractStore, default_store
from edu_contracts.registry.versions import Version, parse_version

__all__ = ["ReleaseResult", "release"]


@dataclass(frozen=True)
class ReleaseResult:
    version: Version
    folder: Path
    files: tuple[Path, ...]
    check: Verdict | None
    """The compatibility check against earlier releases (None for the first)."""


def _contract_version() -> str:
    from edu_contracts.schemas import queue

    return queue.CONTRACT_VERSION


def release(version: str, store: ContractStore | None = None) -> ReleaseResult:
    """Release the current code's contract as ``version`` into ``store``."""
    store = store or default_store()
    parsed = parse_version(version, where="VERSION")
    folder = store.root / str(parsed)
    if str(parsed) in read_lock(store.root) or folder.exists():
        raise VersionError(
            f"contract version {parsed} already exists; released versions are never overwritten",
            where=str(folder),
            fix="release the change under the next version",
        )
    latest = store.latest()
    if latest is not None and parsed <= latest:
        raise VersionError(
            f"version {parsed} is not above the latest release {latest}",
            where="VERSION",
            fix=f"release a version above {latest}",
        )
    stamped = _contract_version()
    if stamped != str(parsed):
        raise VersionError(
            f"producers would stamp contract_version {stamped!r} on messages of {parsed}",
            where="edu_contracts.schemas.queue.CONTRACT_VERSION",
            fix=f'set CONTRACT_VERSION = "{parsed}" there, then release',
        )
    result = check(store) if latest is not None else None  # also verifies the lock
    if result is not None and not result.compatible and latest and parsed.major == latest.major:
        breaking = [s.subject for s in result.subjects if not s.compatible]
        raise IncompatibleChangeError(
            f"breaking changes in {', '.join(breaking)} need a major version bump",
            where=f"{parsed} vs {latest}",
            fix=f"release {latest.major + 1}.0.0, or make the change compatible "
            "(run `edu-contracts check` for the safe path of each finding)",
        )
    staging = store.root / f".staging-{parsed}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        write_contract(staging, contract_files())
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    versions = read_lock(store.root)
    versions[str(parsed)] = hash_version(folder)
    write_lock(store.root, versions)
    files = tuple(sorted(p for p in folder.rglob("*") if p.is_file()))
    return ReleaseResult(parsed, folder, (*files, store.root / LOCK_FILE), result)
