"""Released contracts on disk, loaded by version.

The canonical releases live in the repository's top-level ``contracts/``,
which the build ships inside the wheel (``edu_contracts/contracts``): a
service pinned to ``edu-contracts 1.4`` can load contract 1.0.0 without
this repository. An editable checkout reads the top-level folder, so tests
and CI see exactly what users get.

A ``ContractStore`` may also point at another folder (a temporary copy in a
test, a contracts folder of a fork) with ``ContractStore(path)``.

The lock is the manifest: a release is exactly the files its lock entry
names, each read without following links and checked against its hash as
it is loaded. A file that is not in the lock (a hidden ``.x.json``, a stray
copy) is never loaded, so it can never become a new task kind or a new
policy, and a released file edited in place fails every reader, not only
``lock --verify``.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from edu_contracts._files import parse_json, read_bytes
from edu_contracts.errors import ContractFileError, LockMismatchError, VersionError
from edu_contracts.findings.modes import CompatibilityMode
from edu_contracts.registry.config import CONFIG_FILE, DEFAULT_MODES, load_modes, parse_modes
from edu_contracts.registry.export import EXAMPLES_DIR, MESSAGES_DIR, TABLES_FILE, UNION_FILE
from edu_contracts.registry.files import MAX_FILE_BYTES
from edu_contracts.registry.lock import read_lock
from edu_contracts.registry.versions import Version, parse_version

__all__ = ["INSTALLED_CONTRACTS", "PACKAGED_CONTRACTS", "ContractStore", "default_store"]

_PACKAGE = Path(__file__).resolve().parent.parent

INSTALLED_CONTRACTS = _PACKAGE / "contracts"
"""Where a wheel puts the releases (inside the package); absent in a checkout."""


def _packaged_contracts() -> Path:
    # A wheel carries the releases inside the package (the build maps the
    # repository's top-level ``contracts/`` there); a checkout, editable
    # install included, reads the top-level folder itself.
    return INSTALLED_CONTRACTS if INSTALLED_CONTRACTS.is_dir() else _PACKAGE.parent / "contracts"


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

    def _entry(self, version: str | Version) -> tuple[str, dict[str, str]]:
        parsed = str(parse_version(str(version)))
        locked = read_lock(self.root)
        if parsed not in locked:
            known = ", ".join(str(v) for v in sorted(map(parse_version, locked))) or "none"
            raise VersionError(
                f"contract version {parsed} is not released",
                where=str(self.root),
                fix=f"use a released version ({known})",
            )
        return parsed, locked[parsed]

    def folder(self, version: str | Version) -> Path:
        return self.root / self._entry(version)[0]

    def released_files(self, version: str | Version) -> list[str]:
        """The relative paths of a release, as its lock entry lists them."""
        return sorted(self._entry(version)[1])

    def load(self, version: str | Version, relative: str) -> Any:
        """One file of a release, parsed; it must be in the lock and match its hash."""
        name, hashes = self._entry(version)
        path = self.root / name / relative
        if relative not in hashes:
            raise ContractFileError(
                "not a file of this release (the lock does not list it)",
                where=str(path),
                fix="load a file that the release's lock entry lists",
            )
        raw = read_bytes(path, limit=MAX_FILE_BYTES, inside=self.root)
        if hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest() != hashes[relative]:
            raise LockMismatchError(
                "released contract file changed after release (its hash differs from the lock)",
                where=str(path),
                fix="restore the file from version control; release changes as a new version",
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ContractFileError("not UTF-8", where=str(path)) from None
        return parse_json(text, where=str(path))

    def _dicts(self, version: str | Version, prefix: str) -> dict[str, dict[str, Any]]:
        found = {}
        for relative in self.released_files(version):
            if relative.startswith(prefix) and relative.endswith(".json"):
                value = self.load(version, relative)
                if not isinstance(value, dict):
                    raise ContractFileError(
                        "a released schema or example must be a JSON object",
                        where=str(self.root / str(version) / relative),
                        fix="restore the file from version control",
                    )
                found[relative[len(prefix) :]] = value
        return found

    def message_schema(self, version: str | Version) -> dict[str, Any]:
        """The ``QueueTaskMessage`` union schema of a release."""
        schema: dict[str, Any] = self.load(version, UNION_FILE)
        return schema

    def task_schemas(self, version: str | Version) -> dict[str, dict[str, Any]]:
        """Per-task-kind schemas of a release, keyed by task ``type``."""
        union = Path(UNION_FILE).name
        return {
            name.removesuffix(".json"): schema
            for name, schema in self._dicts(version, f"{MESSAGES_DIR}/").items()
            if name != union and "/" not in name
        }

    def tables(self, version: str | Version) -> dict[str, Any]:
        """The table snapshot of a release."""
        snapshot: dict[str, Any] = self.load(version, TABLES_FILE)
        return snapshot

    def examples(self, version: str | Version) -> dict[str, dict[str, Any]]:
        """Golden example messages of a release, keyed by file name."""
        return {
            name: example
            for name, example in self._dicts(version, f"{EXAMPLES_DIR}/").items()
            if "/" not in name
        }

    def released_modes(self, version: str | Version) -> dict[str, CompatibilityMode]:
        """The policy frozen into a release (the defaults when it has none)."""
        if CONFIG_FILE not in self.released_files(version):
            return dict(DEFAULT_MODES)
        raw = self.load(version, CONFIG_FILE)
        if not isinstance(raw, dict):
            raise ContractFileError(
                "a compatibility policy is a JSON object of subject -> mode",
                where=str(self.folder(version) / CONFIG_FILE),
                fix="restore the file from version control",
            )
        return parse_modes(raw, str(self.folder(version) / CONFIG_FILE))

    def modes(self) -> dict[str, CompatibilityMode]:
        """The policy every check is judged under: the latest release's."""
        latest = self.latest()
        return dict(DEFAULT_MODES) if latest is None else self.released_modes(latest)

    def working_modes(self) -> dict[str, CompatibilityMode]:
        """The unreleased policy (``compatibility.json`` at the top), judged by ``check``."""
        return load_modes(self.root)


@functools.cache
def default_store() -> ContractStore:
    """The store of the releases shipped with this package."""
    return ContractStore(PACKAGED_CONTRACTS)
