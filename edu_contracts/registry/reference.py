"""A second, independent copy of the releases: the one inside the installed package.

The lock proves that released files match their hashes; it cannot prove
that the hashes are the released ones, because whoever rewrites a released
file can rewrite its hash in the same commit. A copy that did not come from
that commit can: the releases shipped in the installed ``edu-contracts``
wheel. When ``check`` runs on a contracts folder (a repository's copy) and
the installed package ships releases too, every version both hold must be
identical, file for file. Where they differ, or the folder lacks a version
the package ships, the package's copy is the baseline and the difference is
reported: released versions never change, so one of the two was rewritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from edu_contracts.registry.lock import read_lock, verify_lock
from edu_contracts.registry.store import ContractStore
from edu_contracts.registry.versions import Version, parse_version

__all__ = ["Baseline", "baseline"]


@dataclass(frozen=True)
class Baseline:
    """Where each released version is read from, and why when not from the folder checked."""

    sources: dict[Version, ContractStore]
    problems: tuple[str, ...] = field(default=())
    reference: ContractStore | None = None

    @property
    def versions(self) -> list[Version]:
        return sorted(self.sources)

    def store(self, version: Version) -> ContractStore:
        return self.sources[version]


def _same_tree(store: ContractStore, reference: ContractStore | None) -> bool:
    if reference is None or not reference.root.is_dir():
        return True
    try:
        return os.path.samefile(store.root, reference.root)
    except OSError:
        return False


def baseline(store: ContractStore, reference: ContractStore | None = None) -> Baseline:
    """Every released version of ``store``, read from ``reference`` where the two disagree.

    The reference's own lock is verified first: a broken installed copy is
    an error, not a baseline.
    """
    mine = {parse_version(v): hashes for v, hashes in read_lock(store.root).items()}
    sources: dict[Version, ContractStore] = dict.fromkeys(mine, store)
    if _same_tree(store, reference):
        return Baseline(sources)
    assert reference is not None
    verify_lock(reference.root, raise_on_problem=True)
    theirs = {parse_version(v): hashes for v, hashes in read_lock(reference.root).items()}
    problems = []
    where = f"the copy shipped in the installed edu-contracts ({reference.root})"
    for version, hashes in sorted(theirs.items()):
        if version not in mine:
            problems.append(
                f"{version} is released in {where} but missing from {store.root}; "
                f"checked against the installed copy"
            )
        elif mine[version] != hashes:
            changed = sorted(
                rel
                for rel in set(hashes) | set(mine[version])
                if hashes.get(rel) != mine[version].get(rel)
            )
            listing = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
            problems.append(
                f"{version} in {store.root} differs from {where} ({listing}); released "
                "versions never change, so one copy was rewritten together with its lock "
                "entry: checked against the installed copy"
            )
        else:
            continue
        sources[version] = reference
    return Baseline(sources, tuple(problems), reference)
