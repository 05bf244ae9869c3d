"""The plugin's options, read once from the command line, ini file and environment.

Every option is declared once, as a field of ``EduConfig`` with its default,
parser and one help text (``OPTIONS`` is derived from the fields); it becomes
a ``--edu-…`` flag, an ``edu_…`` ini key and an ``EDU_…`` environment
variable. Precedence: command line, then environment, then ini, then the
default. ``None`` means "not given", so ``--edu-x ""`` or ``0`` on the
command line is honoured rather than falling through (pytest-postgresql's
``x or ini_x`` bug). Nothing else in the plugin calls ``getoption``/``getini``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from edu_contracts.errors import ConfigurationError

if TYPE_CHECKING:  # the CLI and verify use EduConfig without pytest
    import pytest

__all__ = [
    "ASYNC_DRIVERS",
    "BACKENDS",
    "OPTIONS",
    "PULL_POLICIES",
    "AsyncDriver",
    "Backend",
    "EduConfig",
    "PullPolicy",
    "read_config",
    "register",
    "resolve",
]

Backend = Literal["embedded", "docker", "external"]
BACKENDS: tuple[Backend, ...] = ("embedded", "docker", "external")
AsyncDriver = Literal["psycopg", "asyncpg"]
ASYNC_DRIVERS: tuple[AsyncDriver, ...] = ("psycopg", "asyncpg")
PullPolicy = Literal["always", "missing", "never"]
PULL_POLICIES: tuple[PullPolicy, ...] = ("always", "missing", "never")


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


def _async_driver(value: str) -> AsyncDriver:
    if value not in ASYNC_DRIVERS:
        raise ValueError(f"expected one of {', '.join(ASYNC_DRIVERS)}, got {value!r}")
    return value


def _pull_policy(value: str) -> PullPolicy:
    if value not in PULL_POLICIES:
        raise ValueError(f"expected one of {', '.join(PULL_POLICIES)}, got {value!r}")
    return value


def _int(value: str) -> int:
    return int(value)


def _str(value: str) -> str:
    return value


def _path(value: str) -> Path:
    return Path(value)


@dataclass(frozen=True)
class _Option:
    """How one ``EduConfig`` field is given: its parser and its one help text."""

    name: str  # the field; flag --edu-<name with dashes>, ini edu_<name>, env EDU_<NAME>
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


def _option(default: Any, parse: Callable[[str], Any], help: str, *, is_flag: bool = False) -> Any:
    """A config field that is also an option: declared once, here, with its help text."""
    return field(default=default, metadata={"parse": parse, "help": help, "is_flag": is_flag})


@dataclass(frozen=True)
class EduConfig:
    """The plugin's settings for one run; built once by ``read_config``.

    Each field is an option (flag, ini key, environment variable); its
    default, parser and help text are declared on the field and nowhere else.
    """

    backend: Backend = _option(
        "embedded",
        _backend,
        "where Postgres and Azurite come from: embedded (default; no Docker), "
        "docker (testcontainers) or external (servers given by URL)",
    )
    postgres_url: str | None = _option(
        None,
        _str,
        "external backend: URL of a running Postgres with pgvector; the "
        "plugin only creates and drops its own edu_* databases there",
    )
    azure_connection_string: str | None = _option(
        None,
        _str,
        "external backend: Azure Storage connection string; the "
        "plugin only creates and deletes its own edu-* queues there",
    )
    azurite_bin: str | None = _option(
        None,
        _str,
        "path of an azurite-queue executable (default: PATH, then the "
        "per-user cache, installing it there on first use)",
    )
    postgres_image: str = _option(
        "pgvector/pgvector:pg17", _str, "docker backend: Postgres+pgvector image"
    )
    azurite_image: str = _option(
        "mcr.microsoft.com/azure-storage/azurite:3.35.0", _str, "docker backend: Azurite image"
    )
    pull_policy: PullPolicy = _option(
        "missing",
        _pull_policy,
        "docker backend: when to pull the images: always, missing (default: pull "
        "only what is not here) or never (fail, naming the image, if it was not built "
        "or pulled beforehand; for machines without registry access)",
    )
    reuse: bool = _option(
        False,
        _bool,
        "keep this project's services running between runs and find them again "
        "(keyed on a hash of the migrations and models, so a changed schema is rebuilt)",
        is_flag=True,
    )
    contract_version: str | None = _option(
        None,
        _str,
        "contract version every sent message is checked against "
        "(default: the newest release shipped with edu-contracts)",
    )
    record: Path | None = _option(
        None,
        _path,
        "file to append every message sent through edu_queue to, as JSON lines "
        "(the producer's recording for consumer verification)",
    )
    replay: Path | None = _option(
        None,
        _path,
        "a producer's recording (written by --edu-record) to replay: a test that takes "
        "edu_recorded_message runs once per recorded message",
    )
    seed: int = _option(0, _int, "seed for edu_factories (same seed, same data)")
    async_driver: AsyncDriver = _option(
        "psycopg",
        _async_driver,
        "driver behind edu_async_engine: psycopg (default; psycopg 3's async mode) "
        "or asyncpg (pip install 'edu-contracts[asyncpg]')",
    )

    def __repr__(self) -> str:
        """Every field, with the URL's password and the storage key masked."""
        from edu_contracts.redaction import MASK, redact_connection_string

        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "postgres_url" and value is not None:
                value = _masked_url(value)
            elif f.name == "azure_connection_string" and value is not None:
                value = redact_connection_string(value) if "=" in value else MASK
            shown.append(f"{f.name}={value!r}")
        return f"EduConfig({', '.join(shown)})"

    def secrets(self) -> tuple[str, ...]:
        """The credentials given in the options, for scrubbing any text shown to people."""
        from edu_contracts.redaction import connection_string_secrets

        found: list[str] = []
        if self.postgres_url:
            found.extend(_url_secrets(self.postgres_url))
        if self.azure_connection_string:
            found.extend(connection_string_secrets(self.azure_connection_string))
        return tuple(found)

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


OPTIONS: tuple[_Option, ...] = tuple(
    _Option(f.name, f.metadata["help"], f.metadata["parse"], f.default, f.metadata["is_flag"])
    for f in fields(EduConfig)
)
"""Every option, derived from ``EduConfig``'s fields (so the two cannot disagree)."""


def _masked_url(raw: str) -> str:
    from edu_contracts.db.url import DatabaseURL
    from edu_contracts.redaction import MASK

    try:
        return str(DatabaseURL.parse(raw))
    except ConfigurationError:
        return MASK  # unparseable: it may be anything, the password included


def _url_secrets(raw: str) -> tuple[str, ...]:
    from edu_contracts.db.url import DatabaseURL

    try:
        return DatabaseURL.parse(raw).secrets()
    except ConfigurationError:
        return (raw,)


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
    return EduConfig(**values)


def read_config(config: pytest.Config) -> EduConfig:
    """The one place that reads pytest's options for this plugin."""
    cli = {opt.name: config.getoption(opt.flag) for opt in OPTIONS}
    ini: dict[str, str | None] = {}
    for opt in OPTIONS:
        value = config.getini(opt.ini)
        ini[opt.name] = None if value in (None, "", []) else str(value)
    return resolve(cli, os.environ, ini)
