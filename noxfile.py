"""This repo's own sessions: tests, lint, typecheck, contracts, examples, docker, bench.

Service repos do not copy these; they import ready-made sessions from
``edu_contracts.nox``.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_venv = "yes"

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite against real Postgres+pgvector and Azurite (embedded backend)."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "edu_contracts")


@nox.session(python=PYTHON)
def docker(session: nox.Session) -> None:
    """The docker backend against a real engine: images built offline, never pulled.

    Uses the engine that answers (DOCKER_HOST or the default socket); where none
    does, installs and starts dockerd as CI does (root), and stops it after.
    Extra arguments go to pytest.
    """
    session.install("-e", ".[dev]")
    session.run("bash", "docker/ci.sh", *session.posargs, external=True)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every benchmark in bench/, peers in the same run; writes bench/RESULTS.md."""
    session.install("-e", ".[dev,bench]")
    # with a Docker engine and the local images, for the docker backend's row
    # (without one: `python bench/run.py`, and that row says it was not measured)
    session.run(
        "bash", "docker/with-engine.sh", "python", "bench/run.py", *session.posargs, external=True
    )


@nox.session(python=PYTHON)
def contracts(session: nox.Session) -> None:
    """Released files intact, and the code compatible with the latest release."""
    session.install("-e", ".")
    session.run("edu-contracts", "lock", "--verify")
    session.run("edu-contracts", "check")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Both example services' suites and the producer -> consumer cross-verification."""
    session.install("-e", ".[dev]")
    session.install("-e", "examples/edu-api[test]", "-e", "examples/edu-worker[test]")
    session.run("pytest", "tests/examples", "-p", "no:cacheprovider", *session.posargs)
