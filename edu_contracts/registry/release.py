"""Freezing the current code's contract as a new, immutable version.

A release refuses, with the reason and the fix:

- a version that is malformed, already released, or not above the latest
  (releases never overwrite and never go back in time);
- a contracts tree that does not verify (a changed released file, a stray
  folder, a symlink anywhere in it): fix the tampering first;
- a ``CONTRACT_VERSION`` in ``edu_contracts.schemas.queue`` that is not the
  version being released, because producers stamp it on every message;
- a breaking change (as ``check`` judges it, under the *released* policy)
  without a major version bump. A working ``compatibility.json`` that
  weakens a mode is itself such a change, so a policy edit can never wave a
  breaking change through as a minor.

The working policy is frozen into the new version (``compatibility.json``)
and hashed in the lock like every other file. Files are written to a fresh
hidden staging folder (created exclusively, inside the tree) and renamed
into place, and the lock is written last through an exclusively created
temporary file, so an interrupted release leaves no half version that looks
released and nothing is ever written through a link.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from edu_contracts.errors import ContractFileError, IncompatibleChangeError, VersionError
from edu_contracts.findings.model import Verdict
from edu_contracts.registry.check import check
from edu_contracts.registry.config import CONFIG_FILE
from edu_contracts.registry.export import contract_files, write_contract
from edu_contracts.registry.lock import LOCK_FILE, hash_version, read_lock, verify_lock, write_lock
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


def _refuse_existing(store: ContractStore, parsed: Version, folder: Path) -> None:
    if str(parsed) in read_lock(store.root) or os.path.lexists(folder):
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


def _write_staged(store: ContractStore, parsed: Version, folder: Path) -> None:
    files = contract_files()
    files[CONFIG_FILE] = {k: m.value for k, m in sorted(store.working_modes().items())}
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{parsed}-", dir=store.root))
    except OSError as exc:
        raise ContractFileError(
            f"cannot write into the contracts folder: {exc.strerror}",
            where=str(store.root),
            fix="run the release where the contracts folder is writable",
        ) from None
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes 0700; a release is read by everyone
        write_contract(staging, files, inside=store.root)
        os.rename(staging, folder)
    except OSError as exc:
        raise ContractFileError(
            f"cannot write the release: {exc.strerror}",
            where=str(folder),
            fix="run the release where the contracts folder is writable",
        ) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def release(
    version: str, store: ContractStore | None = None, *, reference: ContractStore | None = None
) -> ReleaseResult:
    """Release the current code's contract as ``version`` into ``store``.

    ``reference`` is passed to :func:`check`: a store whose released
    versions differ from the installed package's copy cannot release.
    """
    store = store or default_store()
    parsed = parse_version(version, where="VERSION")
    verify_lock(store.root, raise_on_problem=True, first_release=True)
    folder = store.root / str(parsed)
    _refuse_existing(store, parsed, folder)
    stamped = _contract_version()
    if stamped != str(parsed):
        raise VersionError(
            f"producers would stamp contract_version {stamped!r} on messages of {parsed}",
            where="edu_contracts.schemas.queue.CONTRACT_VERSION",
            fix=f'set CONTRACT_VERSION = "{parsed}" there, then release',
        )
    latest = store.latest()
    result = check(store, reference) if latest is not None else None
    if result is not None and any(s.subject == "released" for s in result.subjects):
        raise IncompatibleChangeError(
            "released versions here differ from the copy in the installed edu-contracts",
            where=str(store.root),
            fix="restore the released folders and contracts.lock from the published release",
        )
    if result is not None and not result.compatible and latest and parsed.major == latest.major:
        breaking = [s.subject for s in result.subjects if not s.compatible]
        raise IncompatibleChangeError(
            f"breaking changes in {', '.join(breaking)} need a major version bump",
            where=f"{parsed} vs {latest}",
            fix=f"release {latest.major + 1}.0.0, or make the change compatible "
            "(run `edu-contracts check` for the safe path of each finding)",
        )
    _write_staged(store, parsed, folder)
    versions = read_lock(store.root)
    versions[str(parsed)] = hash_version(folder)
    write_lock(store.root, versions)
    files = tuple(sorted(p for p in folder.rglob("*") if p.is_file()))
    return ReleaseResult(parsed, folder, (*files, store.root / LOCK_FILE), result)
