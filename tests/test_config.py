"""Options: one declaration, three sources, precedence CLI > env > ini > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_contracts.config import OPTIONS, EduConfig, resolve
from edu_contracts.errors import ConfigurationError


def test_defaults_when_nothing_is_given() -> None:
    assert resolve({}, {}, {}) == EduConfig()


def test_command_line_beats_environment_beats_ini() -> None:
    cli = {"seed": "1"}
    env = {"EDU_SEED": "2", "EDU_CONTRACT_VERSION": "1.0.0"}
    ini = {"seed": "3", "contract_version": "0.9.0", "record": "out.jsonl"}
    config = resolve(cli, env, ini)
    assert config.seed == 1
    assert config.contract_version == "1.0.0"
    assert config.record == Path("out.jsonl")


def test_falsy_command_line_values_are_not_treated_as_missing() -> None:
    # pytest-postgresql's `cli or ini` lets 0 fall through; we must not.
    assert resolve({"seed": "0"}, {"EDU_SEED": "7"}, {}).seed == 0
    assert resolve({}, {"EDU_REUSE": "0"}, {"reuse": "true"}).reuse is False


def test_bad_value_names_its_source_and_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({}, {"EDU_BACKEND": "kubernetes"}, {})
    assert info.value.where == "environment EDU_BACKEND"
    assert "embedded, docker, external" in info.value.message


def test_bad_boolean_in_ini() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({}, {}, {"reuse": "maybe"})
    assert info.value.where == "ini file edu_reuse"


def test_external_backend_needs_both_addresses() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({"backend": "external", "postgres_url": "postgresql://u@h/db"}, {}, {})
    assert "--edu-azure-connection-string" in str(info.value.where)


def test_every_option_has_flag_ini_and_env_names_in_one_scheme() -> None:
    for opt in OPTIONS:
        assert opt.flag == "--edu-" + opt.name.replace("_", "-")
        assert opt.ini == "edu_" + opt.name
        assert opt.env == "EDU_" + opt.name.upper()
        assert hasattr(EduConfig(), opt.name)


def test_help_lists_every_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    out = result.stdout.str()
    for opt in OPTIONS:
        assert opt.flag in out
        assert opt.ini in out
