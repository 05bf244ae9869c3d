"""The plugin's options, read once from the command line, ini file and environment.

Every option is declared once in ``OPTIONS`` with one help text; it becomes
a ``--edu-…`` flag, an ``edu_…`` ini key and an ``EDU_…`` environment
variable. Precedence: command line, then environment, then ini, then the
default. ``None`` means "not given", so ``--edu-x ""`` or ``0`` on the
command line is honoured rather than falling through (pytest-postgresql's
``x or ini_x`` bug). Nothing else in the plugin calls ``getoption``/``getini``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from edu_contracts.errors import ConfigurationError

if TYPE_CHECKING:  # the CLI and verify use EduConfig without pytest
    import pytest

__all__ = ["BACKENDS", "OPTIONS", "Backend", "EduConfig", "read_config", "register", "resolve"]

Backend = Literal["embedded", "docker", "external"]
BACKENDS: tuple[Backend, ...] = ("embedded", "docker", "external")


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false, yes/no), got {value!r}")


def _backend(value: str) -> Backend:
    if value not in BACKENDS:
        raise ValueError(f"expected one of {', '.join(BACKENDS)}, got {value!r}")
    return value


def _int(value: str) -> int:
    return int(value)


def _str(value: str) -> str:
    return value


@dataclass(frozen=True)
class _Option:
    name: str  # dataclass field; flag --edu-<name with dashes>, ini edu_<name>, env EDU_<NAME>
    help: str
    parse: Callable[[str], Any]
    default: Any
    is_flag: bool = False

    @property
    def flag(self) -> str:
        return "--edu-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "edu_" + self.name

    @property
    def env(self) -> str:
        return "EDU_" + self.name.upper()


OPTIONS: tuple[_Option, ...] = (
    _Option(
        "backend",
        "where Postgres and Azurite come from: embedded (default; no Docker), "
        "docker (testcontainers) or external (servers given by URL)",
        _backend,
        "embedded",
    ),
    _Option(
        "postgres_url",
        "external backend: URL of a running Postgres with pgvector; the "
        "plugin only creates and drops its own edu_* databases there",
        _str,
        None,
    ),
    _Option(
        "azure_connection_string",
        "external backend: Azure Storage connection string; the "
        "plugin only creates and deletes its own edu-* queues there",
        _str,
        None,
    ),
    _Option(
        "azurite_bin",
        "path of an azurite-queue executable (default: PATH, then the "
        "per-user cache, installing it there on first use)",
        _str,
        None,
    ),
    _Option(
        "postgres_image", "docker backend: Postgres+pgvector image", _str, "pgvector/pgvector:pg17"
    ),
    _Option(
        "azurite_image",
        "docker backend: Azurite image",
        _str,
        "mcr.microsoft.com/azure-storage/azurite:3.35.0",
    ),
    _Option(
        "reuse",
        "keep this project's services running between runs and find them again "
        "(keyed on a hash of the migrations and models, so a changed schema is rebuilt)",
        _bool,
        False,
        is_flag=True,
    ),
    _Option(
        "contract_version",
        "contract version every sent message is checked against "
        "(default: the newest release shipped with edu-contracts)",
        _str,
        None,
    ),
    _Option(
        "record",
        "file to append every message sent through edu_queue to, as JSON lines "
        "(the producer's recording for consumer verification)",
        _str,
        None,
    ),
    _Option("seed", "seed for edu_factories (same seed, same data)", _int, 0),
)


@dataclass(frozen=True)
class EduConfig:
    """The plugin's settings for one run; built once by ``read_config``."""

    backend: Backend = "embedded"
    postgres_url: str | None = None
    azure_connection_string: str | None = None
    azurite_bin: str | None = None
    postgres_image: str = "pgvector/pgvector:pg17"
    azurite_image: str = "mcr.microsoft.com/azure-storage/azurite:3.35.0"
    reuse: bool = False
    contract_version: str | None = None
    record: Path | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.backend == "external" and not (self.postgres_url and self.azure_connection_string):
            missing = [
                opt.flag
                for opt in OPTIONS
                if opt.name in {"postgres_url", "azure_connection_string"}
                and not getattr(self, opt.name)
            ]
            raise ConfigurationError(
                "the external backend needs both a Postgres URL and a storage connection string",
                where=", ".join(missing) + " (or their EDU_* environment variables)",
                fix="give both, or use --edu-backend=embedded",
            )


def register(parser: pytest.Parser) -> None:
    """Declare every option as a flag and an ini key sharing one help text."""
    group = parser.getgroup("edu-contracts", "edu-contracts services and contracts")
    for opt in OPTIONS:
        env_help = f"{opt.help} [env {opt.env}; ini {opt.ini}]"
        if opt.is_flag:
            group.addoption(opt.flag, action="store_const", const="1", default=None, help=env_help)
        else:
            group.addoption(opt.flag, default=None, metavar=opt.name.upper(), help=env_help)
        parser.addini(opt.ini, help=opt.help, default=None)


def resolve(
    cli: Mapping[str, str | None], env: Mapping[str, str], ini: Mapping[str, str | None]
) -> EduConfig:
    """Merge the three sources into a config; pure, so it is tested directly."""
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        for source, key, raw in (
            ("command line", opt.flag, cli.get(opt.name)),
            ("environment", opt.env, env.get(opt.env)),
            ("ini file", opt.ini, ini.get(opt.name)),
        ):
            if raw is None:
                continue
            try:
                values[opt.name] = opt.parse(raw)
            except ValueError as exc:
                raise ConfigurationError(
                    f"invalid value for {opt.name}: {exc}",
                    where=f"{source} {key}",
                    fix=f"{key}: {opt.help}",
                ) from exc
            break
    if values.get("record") is not None:
        values["record"] = Path(values["record"])
    known = {f.name for f in fields(EduConfig)}
    return EduConfig(**{k: v for k, v in values.items() if k in known})


def read_config(config: pytest.Config) -> EduConfig:
    """The one place that reads pytest's options for this plugin."""
    cli = {opt.name: config.getoption(opt.flag) for opt in OPTIONS}
    ini: dict[str, str | None] = {}
    for opt in OPTIONS:
        value = config.getini(opt.ini)
        ini[opt.name] = None if value in (None, "", []) else str(value)
    return resolve(cli, os.environ, ini)
