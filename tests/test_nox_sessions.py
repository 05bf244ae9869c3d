"""edu_contracts.nox: the plan each role runs, and registration into a noxfile."""

from __future__ import annotations

import pytest

from edu_contracts.errors import ConfigurationError
from edu_contracts.nox import DEFAULT_RECORDING, contracts_commands, service_sessions


def test_producer_records_then_asks_can_i_deploy_per_consumer() -> None:
    plan = contracts_commands(
        role="producer", contract_version="1.0.0", deploy_against=["1.0.0", "1.1.0"]
    )
    commands = [command for command, _ in plan]
    assert commands[0][:2] == ["pytest", "tests"]
    assert f"--edu-record={DEFAULT_RECORDING}" in commands[0]
    assert commands[1] == [
        "edu-contracts",
        "can-i-deploy",
        "--producer",
        DEFAULT_RECORDING,
        "--consumer",
        "1.0.0",
    ]
    assert commands[2][-1] == "1.1.0"


def test_consumer_replays_the_producers_recording() -> None:
    plan = contracts_commands(
        role="consumer", contract_version="1.0.0", env={"EDU_REPLAY": "r.jsonl"}
    )
    (deploy, _), (tests, env) = plan
    assert deploy[:4] == ["edu-contracts", "can-i-deploy", "--producer", "r.jsonl"]
    assert deploy[-1] == "1.0.0"
    assert tests[0] == "pytest"
    assert tests[-1].startswith("--edu-replay=")
    assert tests[-1].endswith("r.jsonl")
    assert env == {}


def test_consumer_without_recording_just_tests() -> None:
    plan = contracts_commands(role="consumer", contract_version="1.0.0", env={})
    assert [command[0] for command, _ in plan] == ["pytest"]


def test_unknown_role_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="producer"):
        contracts_commands(role="observer", contract_version="1.0.0")  # type: ignore[arg-type]


def test_service_sessions_register_contracts_and_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    from nox import registry

    monkeypatch.setattr(registry, "_REGISTRY", {})
    service_sessions(role="producer", contract_version="1.0.0")
    assert {"contracts", "seed"} <= set(registry.get())
