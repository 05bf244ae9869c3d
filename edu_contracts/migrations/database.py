"""The rehearsal's own database: created on the given server, proved ours, dropped.

A rehearsal migrates, seeds and downgrades: it must never do that to a
database someone else uses. So it never touches the database named in the
URL; it creates ``edu_rehearse_<token>`` beside it, writes the token into
the database's comment, and before dropping checks that the comment still
holds that token, which only this process knows. A name collision, a
hand-made look-alike or a database recreated in between is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from edu_contracts.db.url import normalize_url, redact_url
from edu_contracts.errors import ServiceError, UnsafeOperationError

__all__ = ["drop_owned", "owned_database"]

_PREFIX = "edu_rehearse_"


def _libpq(url: str) -> str:
    """The ``postgresql://`` form psycopg connects with (the URL keeps its password)."""
    return (
        make_url(normalize_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _admin(url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(_libpq(url), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise ServiceError(
            "cannot connect to Postgres for the rehearsal",
            where=redact_url(url),
            fix="check the URL; its user must be allowed to CREATE DATABASE",
        ) from exc


@contextmanager
def owned_database(server_url: str) -> Iterator[str]:
    """A new, empty database on ``server_url``'s server; its URL (dropped on exit)."""
    token = secrets.token_hex(8)
    name = _PREFIX + token
    marker = f"edu-contracts rehearsal {token}"
    with _admin(server_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(marker)
            )
        )
    url = (
        make_url(normalize_url(server_url)).set(database=name).render_as_string(hide_password=False)
    )
    try:
        yield url
    finally:
        drop_owned(server_url, name, marker)


def drop_owned(server_url: str, name: str, marker: str) -> None:
    """Drop ``name`` only if its comment is still ``marker``."""
    with _admin(server_url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is None:
            return
        if row[0] != marker:
            raise UnsafeOperationError(
                f"refusing to drop database {name!r}: it does not carry this rehearsal's token",
                where=redact_url(server_url),
                fix="it was not created by this rehearsal; drop it by hand if it is yours",
            )
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
