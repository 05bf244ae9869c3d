"""Which Alembic revision each released contract version was cut at."""

from __future__ import annotations

import tomllib
from importlib import resources

from edu_contracts.errors import MigrationSafetyError
from edu_contracts.registry.store import ContractStore, default_store

__all__ = ["ReleasePoint", "previous_release", "release_heads"]

_FILE = "release_heads.toml"


def release_heads() -> dict[str, str]:
    """Version -> revision, as ``release_heads.toml`` records them."""
    text = resources.files("edu_contracts.migrations").joinpath(_FILE).read_text()
    return {str(k): str(v) for k, v in tomllib.loads(text).items()}


class ReleasePoint:
    """A released version, its table snapshot and the revision it was cut at."""

    def __init__(self, version: str, revision: str, store: ContractStore) -> None:
        self.version = version
        self.revision = revision
        self.store = store

    def tables(self) -> dict[str, object]:
        return self.store.tables(self.version)

    def __repr__(self) -> str:
        return f"ReleasePoint({self.version!r}, revision={self.revision!r})"


def previous_release(
    version: str | None = None, store: ContractStore | None = None
) -> ReleasePoint:
    """The release old code comes from: ``version``, or the latest one."""
    store = store or default_store()
    chosen = version or (str(store.latest()) if store.latest() else None)
    if chosen is None:
        raise MigrationSafetyError(
            "no contract version is released yet, so there is no old code to protect",
            where=str(store.root),
            fix="release a version first (edu-contracts release VERSION)",
        )
    heads = release_heads()
    if chosen not in heads:
        raise MigrationSafetyError(
            f"release {chosen} has no recorded migration head",
            where=f"edu_contracts/migrations/{_FILE}",
            fix=f'add `"{chosen}" = "<alembic head at that release>"` there',
        )
    store.folder(chosen)  # raises VersionError for an unreleased version
    return ReleasePoint(chosen, heads[chosen], store)
