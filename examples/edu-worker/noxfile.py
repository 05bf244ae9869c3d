"""edu-worker's CI sessions.

``nox -s tests``      the suite against real Postgres (pgvector) and Azurite;
``nox -s contracts``  replay edu-api's recorded messages through the handlers:
                      ``nox -s contracts -- path/to/recorded.jsonl`` (or set
                      ``EDU_REPLAY``); the plugin's ``edu_recorded_message``
                      runs the replay test once per recorded message.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"

HERE = Path(__file__).resolve().parent


def install(session: nox.Session) -> None:
    """This service and its test extra (see edu-api's noxfile for ``EDU_CONTRACTS_SPEC``)."""
    session.install(os.environ.get("EDU_CONTRACTS_SPEC") or f"{HERE.parents[1]}[testing]")
    session.install("-e", ".[test]")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    install(session)
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def contracts(session: nox.Session) -> None:
    recording = session.posargs[0] if session.posargs else os.environ.get("EDU_REPLAY")
    if not recording:
        session.error(
            "no recording: pass the path after -- (or set EDU_REPLAY) to the "
            "recorded.jsonl that edu-api's `nox -s tests` published"
        )
    path = Path(recording).resolve()
    if not path.is_file():
        session.error(f"{path} is not a file; download edu-api's recorded.jsonl artefact first")
    install(session)
    session.run("pytest", "tests/test_replay_recorded.py", f"--edu-replay={path}")
