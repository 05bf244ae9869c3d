"""edu-api's CI sessions.

``nox -s tests`` runs the suite against real Postgres (pgvector) and Azurite
and leaves ``recorded.jsonl``: every message the code under test sent, with
its kind and contract version. CI publishes it as an artefact; edu-worker's
``nox -s contracts`` replays it.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"

HERE = Path(__file__).resolve().parent
RECORDING = Path(os.environ.get("EDU_RECORD", HERE / "recorded.jsonl"))


def install(session: nox.Session) -> None:
    """This service and its test extra.

    A real service repo gets edu-contracts from its package index, pinned; in
    this monorepo the checkout two folders up stands in for it, unless
    ``EDU_CONTRACTS_SPEC`` names what to install (e.g. ``edu-contracts[testing]==1.0.0``).
    """
    session.install(os.environ.get("EDU_CONTRACTS_SPEC") or f"{HERE.parents[1]}[testing]")
    session.install("-e", ".[test]")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    install(session)
    RECORDING.unlink(missing_ok=True)  # the plugin appends; each run records afresh
    session.run("pytest", f"--edu-record={RECORDING}", *session.posargs)
    session.log(f"recorded messages: {RECORDING} (publish it for edu-worker)")
