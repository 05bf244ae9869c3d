"""The lock file: a sha256 of every released file, so a released version cannot change.

A release is a promise to every producer and consumer pinned to it. Editing
``contracts/1.0.0/messages/x.json`` after the fact would silently move that
promise, so ``verify`` compares every file under every released folder with
the hash recorded when it was released, and names each file that differs,
is missing, or appeared without a release.

The walk fails closed. Hidden files count like any other (a ``.x.json``
added to a release is "not in the lock", never a new task kind), links are
never followed (a released file turned into a symlink is reported as one,
whatever it points at), and anything at the top of the tree that is neither
a release, the lock nor the compatibility policy is reported too. A
contracts path that is missing, a file, empty, or without a lock is not
"nothing to check": it is an error, because a gate that passes on the wrong
folder passes everything.

What the lock cannot prove: that the lock itself is the one released. A
rewrite of released files *together with* their hashes verifies; only a
review of the lock file's diff, or ``check`` comparing with the copy shipped
in the installed package (see :mod:`.reference`), catches it.

Hashes are taken over the bytes with CRLF folded to LF, so a checkout with
``core.autocrlf`` does not look tampered with.

``contracts.lock`` (format 1)::

    {"format": 1, "algorithm": "sha256",
     "versions": {"1.0.0": {"messages/document_processing.json": "<hex>", ...}}}
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from edu_contracts._files import read_bytes
from edu_contracts.errors import ContractFileError, LockMismatchError, VersionError
from edu_contracts.registry.config import CONFIG_FILE
from edu_contracts.registry.files import MAX_FILE_BYTES, read_json, write_json
from edu_contracts.registry.versions import parse_version

__all__ = [
    "LOCK_FILE",
    "LOCK_FORMAT",
    "LockProblem",
    "file_hash",
    "hash_version",
    "read_lock",
    "require_tree",
    "verify_lock",
    "write_lock",
]

LOCK_FILE = "contracts.lock"
LOCK_FORMAT = 1
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LockProblem:
    """One way the released files disagree with the lock."""

    path: str
    """Relative to the contracts root, e.g. ``1.0.0/tables.json``."""
    problem: str
    """``changed``, ``missing``, ``not in the lock``, ``version not in the lock``,
    ``is a symlink``, ``not a regular file`` or ``not part of any release``."""

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


def file_hash(path: Path, *, inside: Path | None = None) -> str:
    """sha256 of a file's bytes with CRLF folded to LF (read bounded, links refused)."""
    raw = read_bytes(path, limit=MAX_FILE_BYTES, inside=inside)
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def _scan(folder: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Regular files under ``folder`` by POSIX relative path, and every other entry's problem.

    Nothing is followed: a symlink is a problem wherever it is, and so is a
    pipe or a device; hidden names are files like any other.
    """
    files: dict[str, Path] = {}
    odd: dict[str, str] = {}
    pending = [folder]
    while pending:
        current = pending.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                rel = Path(entry.path).relative_to(folder).as_posix()
                if entry.is_symlink():
                    odd[rel] = "is a symlink"
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files[rel] = Path(entry.path)
                else:
                    odd[rel] = "not a regular file"
    return files, odd


def hash_version(folder: Path) -> dict[str, str]:
    """Hashes of every file under one version folder, by POSIX relative path."""
    files, odd = _scan(folder)
    if odd:
        rel, problem = sorted(odd.items())[0]
        raise ContractFileError(
            f"a release may hold only regular files; this {problem}",
            where=str(folder / rel),
            fix="remove it",
        )
    return {rel: file_hash(path, inside=folder) for rel, path in sorted(files.items())}


def _check_relative(rel: object, where: str) -> str:
    parts = rel.split("/") if isinstance(rel, str) else []
    if not parts or any(p in ("", ".", "..") for p in parts) or "\\" in str(rel):
        raise ContractFileError(
            f"lock entry {rel!r} is not a plain relative path inside its release",
            where=where,
            fix="restore the lock file from version control",
        )
    return str(rel)


def read_lock(root: Path) -> dict[str, dict[str, str]]:
    """Released versions and their file hashes; empty when there is no lock file.

    Whether "no lock" is acceptable is the caller's decision
    (:func:`require_tree`): only a first release may start from nothing.
    """
    path = root / LOCK_FILE
    if not os.path.lexists(path):
        return {}
    data = read_json(path, inside=root)
    versions = data.get("versions")
    if data.get("format") != LOCK_FORMAT or not isinstance(versions, dict):
        raise ContractFileError(
            "not a contracts lock file (format 1 with a 'versions' object)",
            where=f"{path} (field 'versions')",
            fix="restore the lock file from version control",
        )
    for version, files in versions.items():
        where = f"{path} (versions.{version})"
        parse_version(version, where=where)
        if not isinstance(files, dict) or not all(
            isinstance(h, str) and _HEX.match(h) for h in files.values()
        ):
            raise ContractFileError(
                f"version {version} must map file paths to sha256 hex strings",
                where=where,
                fix="restore the lock file from version control",
            )
        for rel in files:
            _check_relative(rel, where)
    return versions


def write_lock(root: Path, versions: dict[str, dict[str, str]]) -> Path:
    ordered = {v: dict(sorted(versions[v].items())) for v in sorted(versions, key=parse_version)}
    path = root / LOCK_FILE
    write_json(
        path, {"format": LOCK_FORMAT, "algorithm": "sha256", "versions": ordered}, inside=root
    )
    return path


def require_tree(root: Path, *, first_release: bool = False) -> None:
    """Refuse a contracts path that cannot hold releases: missing, a file, empty, unlocked.

    ``first_release`` accepts an existing folder with no lock and no release
    in it (what ``release`` starts from, once); nothing else does.
    """
    where = str(root)
    fix = "pass --contracts the folder that holds contracts.lock and the release folders"
    if not root.exists():
        raise ContractFileError("contracts folder not found", where=where, fix=fix)
    if not root.is_dir():
        raise ContractFileError("is not a folder of released contracts", where=where, fix=fix)
    if first_release:
        return
    if not any(root.iterdir()):
        raise ContractFileError(
            "contracts folder is empty: nothing is released here", where=where, fix=fix
        )
    if not os.path.lexists(root / LOCK_FILE):
        raise ContractFileError(
            f"no {LOCK_FILE}: without it nothing here counts as released",
            where=str(root / LOCK_FILE),
            fix="restore contracts.lock (and any deleted release folder) from version control; "
            + fix,
        )


def _root_problems(root: Path, locked: dict[str, dict[str, str]]) -> list[LockProblem]:
    problems = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name
        if entry.is_symlink():
            problems.append(LockProblem(name, "is a symlink"))
        elif name in (LOCK_FILE, CONFIG_FILE):
            if not entry.is_file(follow_symlinks=False):
                problems.append(LockProblem(name, "not a regular file"))
        elif name in locked:
            if not entry.is_dir(follow_symlinks=False):
                problems.append(LockProblem(name, "not a regular file"))
        elif entry.is_dir(follow_symlinks=False) and _is_version(name):
            problems.append(LockProblem(name, "version not in the lock"))
        else:
            problems.append(LockProblem(name, "not part of any release"))
    return problems


def _is_version(name: str) -> bool:
    try:
        parse_version(name)
    except VersionError:
        return False
    return True


def verify_lock(
    root: Path, *, raise_on_problem: bool = False, first_release: bool = False
) -> list[LockProblem]:
    """Every disagreement between the contracts tree and the lock, sorted by path.

    A tree that cannot hold releases at all raises ``ContractFileError``
    (:func:`require_tree`). With ``raise_on_problem`` the first problem is
    raised as ``LockMismatchError`` naming the file, for callers (release,
    check) that must not go on.
    """
    require_tree(root, first_release=first_release)
    locked = read_lock(root)
    problems = _root_problems(root, locked)
    for version, hashes in locked.items():
        folder = root / version
        if os.path.islink(folder) or not folder.is_dir():
            if not os.path.islink(folder):
                problems.extend(LockProblem(f"{version}/{rel}", "missing") for rel in hashes)
            continue
        actual, odd = _scan(folder)
        for rel, expected in hashes.items():
            if rel in odd:
                continue
            if rel not in actual:
                problems.append(LockProblem(f"{version}/{rel}", "missing"))
            elif file_hash(actual[rel], inside=root) != expected:
                problems.append(LockProblem(f"{version}/{rel}", "changed"))
        problems.extend(LockProblem(f"{version}/{rel}", odd[rel]) for rel in odd)
        problems.extend(
            LockProblem(f"{version}/{rel}", "not in the lock")
            for rel in actual
            if rel not in hashes
        )
    problems.sort(key=lambda p: p.path)
    if problems and raise_on_problem:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise LockMismatchError(
            f"the released contracts do not match their lock: {first.path} {first.problem}{more}",
            where=str(root / first.path),
            fix="released versions are immutable: restore the file from version control "
            "and release the change as a new version",
        )
    return problems
