"""One place that turns the database URLs people paste into ones SQLAlchemy can use.

Users copy URLs from psql, Heroku-style dashboards or CI service containers
(``postgres://`` or ``postgresql://``). SQLAlchemy reads those as "use
psycopg2", which this package does not install, so every entry point runs
the URL through :func:`normalize_url` first.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from edu_contracts.errors import ConfigurationError

__all__ = ["normalize_url", "redact_url"]

_DRIVER = "postgresql+psycopg"
_BARE_SCHEMES = frozenset({"postgres", "postgresql"})


def _parse(url: str | URL) -> URL:
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except ArgumentError as exc:
        # Never echo the input: it may hold a password.
        raise ConfigurationError(
            "the database URL cannot be parsed",
            where="database URL",
            fix="use the form postgresql://user:password@host:port/dbname",
        ) from exc


def normalize_url(url: str | URL) -> str:
    """Return ``url`` with the psycopg 3 driver, as a string with its password.

    Bare ``postgres``/``postgresql`` schemes get the ``+psycopg`` driver; an
    explicit driver is kept (the user chose it). Anything that is not
    PostgreSQL is refused here, before it fails obscurely deep in a migration.
    """
    parsed = _parse(url)
    if parsed.drivername in _BARE_SCHEMES:
        parsed = parsed.set(drivername=_DRIVER)
    elif parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"{parsed.get_backend_name()!r} is not a PostgreSQL URL",
            where=redact_url(parsed),
            fix="edu-contracts needs PostgreSQL with pgvector; pass a postgresql:// URL",
        )
    return parsed.render_as_string(hide_password=False)


def redact_url(url: str | URL) -> str:
    """The URL with its password masked, safe for error messages and logs."""
    return _parse(url).render_as_string(hide_password=True)
