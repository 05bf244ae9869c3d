"""Ready-made nox sessions for service repos: one import, one line.

    # noxfile.py of edu-api (the producer)
    from edu_contracts.nox import service_sessions
    service_sessions(role="producer", contract_version="1.0.0")

    # noxfile.py of edu-worker (the consumer)
    from edu_contracts.nox import service_sessions
    service_sessions(role="consumer", contract_version="1.0.0")

That registers two sessions:

``contracts``
    producer: runs the tests recording every sent message
    (``--edu-record``), then ``can-i-deploy`` of the recording against the
    consumer version(s) given in ``deploy_against``; CI publishes the file.
    consumer: ``can-i-deploy`` of the producer's recording (path from
    ``recording=`` or ``$EDU_REPLAY``) against its pinned version, then the
    tests with ``--edu-replay``, so its replay test (one that takes the
    plugin's ``edu_recorded_message``) feeds every recorded message through
    the real handler.
``seed``
    ``edu-contracts seed --url $DATABASE_URL --scenario demo`` (posargs pass
    through, e.g. ``nox -s seed -- --scenario load``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

from edu_contracts.errors import ConfigurationError, MissingDependencyError

__all__ = ["DEFAULT_RECORDING", "Role", "contracts_commands", "service_sessions"]

Role = Literal["producer", "consumer"]
DEFAULT_RECORDING = "recordings/messages.jsonl"


def _nox() -> Any:
    try:
        import nox
    except ImportError as exc:
        raise MissingDependencyError(
            "edu_contracts.nox needs nox", fix="pip install nox (or edu-contracts[dev])"
        ) from exc
    return nox


def contracts_commands(
    *,
    role: Role,
    contract_version: str,
    tests: Sequence[str] = ("tests",),
    recording: str | None = None,
    deploy_against: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> list[tuple[list[str], dict[str, str]]]:
    """The commands the ``contracts`` session runs, in order, with extra env.

    Kept separate from nox so the plan is testable and printable.
    """
    environ = os.environ if env is None else env
    if role == "producer":
        path = recording or DEFAULT_RECORDING
        plan: list[tuple[list[str], dict[str, str]]] = [
            (
                [
                    "pytest",
                    *tests,
                    f"--edu-record={path}",
                    f"--edu-contract-version={contract_version}",
                ],
                {},
            ),
        ]
        plan += [
            (["edu-contracts", "can-i-deploy", "--producer", path, "--consumer", consumer], {})
            for consumer in deploy_against
        ]
        return plan
    if role == "consumer":
        replay = recording or environ.get("EDU_REPLAY")
        if not replay:
            return [(["pytest", *tests, f"--edu-contract-version={contract_version}"], {})]
        return [
            (
                [
                    "edu-contracts",
                    "can-i-deploy",
                    "--producer",
                    replay,
                    "--consumer",
                    contract_version,
                ],
                {},
            ),
            (
                [
                    "pytest",
                    *tests,
                    f"--edu-contract-version={contract_version}",
                    f"--edu-replay={os.path.abspath(replay)}",
                ],
                {},
            ),
        ]
    raise ConfigurationError(
        f"role must be 'producer' or 'consumer', not {role!r}",
        where="service_sessions(role=...)",
        fix="producer: the service that sends tasks; consumer: the one that handles them",
    )


def service_sessions(
    *,
    role: Role,
    contract_version: str,
    python: str | Sequence[str] | None = None,
    install: Sequence[str] = (".[test]",),
    tests: Sequence[str] = ("tests",),
    recording: str | None = None,
    deploy_against: Sequence[str] = (),
    scenario: str = "demo",
) -> None:
    """Register ``contracts`` and ``seed`` in the calling noxfile."""
    nox = _nox()
    contracts_commands(role=role, contract_version=contract_version)  # validate now

    @nox.session(name="contracts", python=python)  # type: ignore[untyped-decorator]
    def contracts(session: Any) -> None:
        session.install(*install)
        for command, extra_env in contracts_commands(
            role=role,
            contract_version=contract_version,
            tests=tests,
            recording=recording,
            deploy_against=deploy_against,
        ):
            session.run(
                *command, *([] if command[0] != "pytest" else session.posargs), env=extra_env
            )
        if role == "consumer" and not (recording or os.environ.get("EDU_REPLAY")):
            session.warn("no producer recording: set EDU_REPLAY to replay one")

    @nox.session(name="seed", python=python)  # type: ignore[untyped-decorator]
    def seed(session: Any) -> None:
        url = os.environ.get("DATABASE_URL")
        if not url:
            session.error("set DATABASE_URL to the database to fill (postgresql://...)")
        session.install(*install)
        args = list(session.posargs) or ["--scenario", scenario]
        session.run("edu-contracts", "seed", "--url", url, *args)
