"""The lock file: a sha256 of every released file, so a released version cannot change.

A release is a promise to every producer and consumer pinned to it. Editing
``contracts/1.0.0/messages/x.json`` after the fact would silently move that
promise, so ``verify`` compares every file under every released folder with
the hash recorded when it was released, and names each file that differs,
is missing, or appeared without a release.

Hashes are taken over the bytes with CRLF folded to LF, so a checkout with
``core.autocrlf`` does not look tampered with.

``contracts.lock`` (format 1)::

    {"format": 1, "algorithm": "sha256",
     "versions": {"1.0.0": {"messages/document_processing.json": "<hex>", ...}}}
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from edu_contracts.errors import ContractFileError, LockMismatchError
from edu_contracts.registry.files import read_json, write_json
from edu_contracts.registry.versions import parse_version

__all__ = [
    "LOCK_FILE",
    "LOCK_FORMAT",
    "LockProblem",
    "file_hash",
    "hash_version",
    "read_lock",
    "verify_lock",
    "write_lock",
]

LOCK_FILE = "contracts.lock"
LOCK_FORMAT = 1


@dataclass(frozen=True)
class LockProblem:
    """One way the released files disagree with the lock."""

    path: str
    """Relative to the contracts root, e.g. ``1.0.0/tables.json``."""
    problem: str
    """``changed``, ``missing``, ``not in the lock`` or ``version not in the lock``."""

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _version_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def hash_version(folder: Path) -> dict[str, str]:
    """Hashes of every file under one version folder, by POSIX relative path."""
    return {p.relative_to(folder).as_posix(): file_hash(p) for p in _version_files(folder)}


def read_lock(root: Path) -> dict[str, dict[str, str]]:
    """Released versions and their file hashes; empty when nothing was released."""
    path = root / LOCK_FILE
    if not path.exists():
        return {}
    data = read_json(path)
    versions = data.get("versions")
    if data.get("format") != LOCK_FORMAT or not isinstance(versions, dict):
        raise ContractFileError(
            "not a contracts lock file (format 1 with a 'versions' object)",
            where=f"{path} (field 'versions')",
            fix="restore the lock file from version control",
        )
    for version, files in versions.items():
        parse_version(version, where=f"{path} (versions.{version})")
        if not isinstance(files, dict) or not all(isinstance(h, str) for h in files.values()):
            raise ContractFileError(
                f"version {version} must map file paths to sha256 hex strings",
                where=f"{path} (versions.{version})",
                fix="restore the lock file from version control",
            )
    return versions


def write_lock(root: Path, versions: dict[str, dict[str, str]]) -> Path:
    ordered = {v: dict(sorted(versions[v].items())) for v in sorted(versions, key=parse_version)}
    path = root / LOCK_FILE
    write_json(path, {"format": LOCK_FORMAT, "algorithm": "sha256", "versions": ordered})
    return path


def verify_lock(root: Path, *, raise_on_problem: bool = False) -> list[LockProblem]:
    """Every disagreement between released folders and the lock, sorted by path.

    With ``raise_on_problem`` the first one is raised as ``LockMismatchError``
    naming the file, for callers (release, check) that must not go on.
    """
    locked = read_lock(root)
    problems: list[LockProblem] = []
    for version, hashes in locked.items():
        folder = root / version
        actual = hash_version(folder) if folder.is_dir() else {}
        for rel, expected in hashes.items():
            if rel not in actual:
                problems.append(LockProblem(f"{version}/{rel}", "missing"))
            elif actual[rel] != expected:
                problems.append(LockProblem(f"{version}/{rel}", "changed"))
        problems.extend(
            LockProblem(f"{version}/{rel}", "not in the lock")
            for rel in actual
            if rel not in hashes
        )
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name not in locked and not folder.name.startswith((".", "_")):
                problems.append(LockProblem(folder.name, "version not in the lock"))
    problems.sort(key=lambda p: p.path)
    if problems and raise_on_problem:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise LockMismatchError(
            f"released contract file {first.problem}{more}",
            where=str(root / first.path),
            fix="released versions are immutable: restore the file from version control "
            "and release the change as a new version",
        )
    return problems
