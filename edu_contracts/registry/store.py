"""Released contracts on disk, loaded by version.

The canonical releases live in the repository's top-level ``contracts/``,
which the build ships inside the wheel (``edu_contracts/contracts``): a
service pinned to ``edu-contracts 1.4`` can load contract 1.0.0 without
this repository. An editable checkout reads the top-level folder, so tests
and CI see exactly what users get.

A ``ContractStore`` may also point at another folder (a temporary copy in a
test, a contracts folder of a fork) with ``ContractStore(path)``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from edu_contracts.errors import VersionError
from edu_contracts.findings.modes import CompatibilityMode
from edu_contracts.registry.config import load_modes
from edu_contracts.registry.export import EXAMPLES_DIR, MESSAGES_DIR, TABLES_FILE, UNION_FILE
from edu_contracts.registry.files import read_json
from edu_contracts.registry.lock import read_lock
from edu_contracts.registry.versions import Version, parse_version

__all__ = ["PACKAGED_CONTRACTS", "ContractStore", "default_store"]


def _packaged_contracts() -> Path:
    # A wheel carries the releases inside the package (the build maps the
    # repository's top-level ``contracts/`` there); a checkout, editable
    # install included, reads the top-level folder itself.
    package = Path(__file__).resolve().parent.parent
    inside = package / "contracts"
    return inside if inside.is_dir() else package.parent / "contracts"


PACKAGED_CONTRACTS = _packaged_contracts()
"""The releases shipped with this package."""


class ContractStore:
    """A folder of released versions plus their lock file.

    Released versions are those in the lock file: a folder without a lock
    entry is not a release (``lock --verify`` reports it), so nothing
    half-written is ever loaded as one.
    """

    def __init__(self, root: Path | str = PACKAGED_CONTRACTS) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ContractStore({str(self.root)!r})"

    def versions(self) -> list[Version]:
        """Released versions, oldest first."""
        return sorted(parse_version(v) for v in read_lock(self.root))

    def latest(self) -> Version | None:
        released = self.versions()
        return released[-1] if released else None

    def folder(self, version: str | Version) -> Path:
        parsed = parse_version(str(version))
        if parsed not in self.versions():
            known = ", ".join(str(v) for v in self.versions()) or "none"
            raise VersionError(
                f"contract version {parsed} is not released",
                where=str(self.root),
                fix=f"use a released version ({known})",
            )
        return self.root / str(parsed)

    def load(self, version: str | Version, relative: str) -> Any:
        """One file of a release, parsed."""
        return read_json(self.folder(version) / relative)

    def message_schema(self, version: str | Version) -> dict[str, Any]:
        """The ``QueueTaskMessage`` union schema of a release."""
        schema: dict[str, Any] = self.load(version, UNION_FILE)
        return schema

    def task_schemas(self, version: str | Version) -> dict[str, dict[str, Any]]:
        """Per-task-kind schemas of a release, keyed by task ``type``."""
        folder = self.folder(version) / MESSAGES_DIR
        union = Path(UNION_FILE).name
        return {p.stem: read_json(p) for p in sorted(folder.glob("*.json")) if p.name != union}

    def tables(self, version: str | Version) -> dict[str, Any]:
        """The table snapshot of a release."""
        snapshot: dict[str, Any] = self.load(version, TABLES_FILE)
        return snapshot

    def examples(self, version: str | Version) -> dict[str, dict[str, Any]]:
        """Golden example messages of a release, keyed by file name."""
        folder = self.folder(version) / EXAMPLES_DIR
        return {p.name: read_json(p) for p in sorted(folder.glob("*.json"))}

    def modes(self) -> dict[str, CompatibilityMode]:
        return load_modes(self.root)


@functools.cache
def default_store() -> ContractStore:
    """The store of the releases shipped with this package."""
    return ContractStore(PACKAGED_CONTRACTS)
