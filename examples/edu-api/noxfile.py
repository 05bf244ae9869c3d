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
EDU_CONTRACTS = os.environ.get("EDU_CONTRACTS_SPEC") or f"{HERE.parents[1]}[testing]"


def install(session: nox.Session) -> None:
    """This service and its test extra.

    A real service repo gets edu-contracts from its package index, pinned; in
    this monorepo the checkout two folders up stands in for it, unless
    ``EDU_CONTRACTS_SPEC`` names what to install (e.g. ``edu-contracts[testing]==1.0.0``).
    """
    session.install(EDU_CONTRACTS)
    session.install("-e", ".[test]")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    install(session)
    session.run("pytest", f"--edu-record={RECORDING}", *session.posargs)
    session.log(f"recorded messages: {RECORDING} (publish it for edu-worker)")


# With edu-contracts installed beside nox, the ready-made sessions replace the
# hand-written ones: one import and one line (`contracts` records the run and
# asks can-i-deploy for each consumer version; `seed` fills $DATABASE_URL).
try:
    from edu_contracts.nox import service_sessions
except ImportError:  # nox alone: the `tests` session above still works
    pass
else:
    service_sessions(
        role="producer",
        contract_version="1.0.0",
        python="3.11",
        install=(
            os.environ.get("EDU_CONTRACTS_SPEC") or f"{HERE.parents[1]}[testing]",
            "-e",
            ".[test]",
        ),
        recording=str(RECORDING),
        deploy_against=["1.0.0"],
    )
