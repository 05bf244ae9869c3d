"""``@pytest.mark.edu_schema(...)``: run a test on the schema of another revision.

Unmarked tests run on head. A marked test gets the same fixtures
(``edu_connection``, ``edu_session``, ``edu_factories``...) on a database
migrated to the marked schema instead, built once per schema per worker and
isolated per test exactly like the default one (a rolled-back transaction):

- ``@pytest.mark.edu_schema("1.0.0")``: the tables as release 1.0.0 shipped
  them, so code written now proves it still runs where the migration has not
  been applied yet (deploy code first, then migrate);
- ``@pytest.mark.edu_schema("0042_drop_x", versions="migrations/draft")``:
  head plus draft revisions from a folder (relative to the rootdir), so
  today's code proves it survives a migration before that migration ships
  (old code on the new schema).

``pytestmark = pytest.mark.edu_schema("1.0.0")`` pins a whole module. The
databases are the run's own (``edu_<run>_schema_*``) and dropped with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from edu_contracts.testing._state import run_state

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["MARKER", "MARKER_HELP", "edu_schema", "schema_engine"]

MARKER = "edu_schema"
MARKER_HELP = (
    "edu_schema(release_or_revision, *, versions=()): run the test's database fixtures on "
    "the schema of a release (e.g. '1.0.0') or revision, optionally with extra revision folders"
)

_ENGINES = pytest.StashKey[dict[tuple[str, tuple[str, ...]], "Engine"]]()


def edu_schema(
    target: str, *, versions: str | Path | Sequence[str | Path] = ()
) -> tuple[str, tuple[str, ...]]:
    """The marker's signature: calling it with the marker's arguments validates them
    (a misspelt keyword is a ``TypeError`` naming it)."""
    if not isinstance(target, str) or not target:
        raise TypeError(f"edu_schema needs a release or revision id, got {target!r}")
    folders = [versions] if isinstance(versions, (str, Path)) else list(versions)
    return target, tuple(str(f) for f in folders)


def _revision(target: str, versions: tuple[str, ...]) -> str:
    from edu_contracts.migrations.operations import script_directory
    from edu_contracts.migrations.releases import release_heads

    heads = release_heads()
    if target in heads:
        return heads[target]
    script = script_directory(versions)
    if target != "head" and script.get_revision(target) is None:  # raises for unknown ids
        raise pytest.UsageError(f"edu_schema: unknown revision {target!r}")
    return target


def schema_engine(request: pytest.FixtureRequest) -> Engine | None:
    """The engine of the marked schema's database, or None for an unmarked test."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    target, given = edu_schema(*marker.args, **marker.kwargs)
    root = request.config.rootpath  # relative folders are the repo's, wherever pytest runs
    versions = tuple(str((root / folder).resolve()) for folder in given)
    try:
        revision = _revision(target, versions)
    except Exception as exc:
        raise pytest.UsageError(f"@pytest.mark.edu_schema({target!r}): {exc}") from exc
    engines = request.config.stash.setdefault(_ENGINES, {})
    key = (revision, versions)
    if key not in engines:
        engines[key] = _build(request, revision, versions)
    return engines[key]


def _build(request: pytest.FixtureRequest, revision: str, versions: tuple[str, ...]) -> Engine:
    from sqlalchemy import create_engine

    from edu_contracts.migrations.runner import apply

    state = run_state(request.config)
    digest = hashlib.sha256(repr((revision, versions)).encode()).hexdigest()[:10]
    url = state.janitor().create(f"schema_{state.worker_slug}_{digest}")
    apply(url, "upgrade", revision, versions)
    engine = create_engine(url)
    request.config.add_cleanup(engine.dispose)
    return engine
