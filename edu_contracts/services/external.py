"""Servers that already run: a CI service container, a shared Postgres, a real account.

Nothing is started or stopped here. Safety comes from the database and
queue janitors, which drop only what carries this toolkit's ownership
marker (``services.ownership``), never anything by its name alone.
"""

from __future__ import annotations

from edu_contracts.config import EduConfig
from edu_contracts.db.url import DatabaseURL
from edu_contracts.errors import ConfigurationError
from edu_contracts.services import AzuriteInfo, PostgresInfo, Services

__all__ = ["parse_connection_string", "parse_external", "parse_postgres_url"]


def parse_postgres_url(url: str) -> PostgresInfo:
    """Accept the URL as users copy it (``postgresql://`` or a SQLAlchemy URL).

    Parsed once into the URL value: a password holding ``@ / : ? #`` stays a
    password, it can never move the run to another host or database.
    """
    where = "--edu-postgres-url / EDU_POSTGRES_URL"
    parsed = DatabaseURL.parse(url, where=where)
    if not parsed.host:
        raise ConfigurationError(
            f"the external Postgres URL has no host: {parsed}",
            where=where,
            fix="use the form postgresql://user:password@host:5432/postgres",
        )
    return PostgresInfo(
        host=parsed.host,
        port=parsed.port,
        user=parsed.user or "postgres",
        password=parsed.password,
        options=tuple(parsed.options.items()),
    )


def parse_connection_string(conn: str) -> AzuriteInfo:
    parts = dict(item.split("=", 1) for item in conn.strip().strip(";").split(";") if "=" in item)
    endpoint = parts.get("QueueEndpoint")
    if endpoint is None and "AccountName" in parts:
        protocol = parts.get("DefaultEndpointsProtocol", "https")
        suffix = parts.get("EndpointSuffix", "core.windows.net")
        endpoint = f"{protocol}://{parts['AccountName']}.queue.{suffix}"
    if endpoint is None or ("AccountKey" not in parts and "SharedAccessSignature" not in parts):
        raise ConfigurationError(
            "the storage connection string has no queue endpoint or no credentials",
            where="--edu-azure-connection-string / EDU_AZURE_CONNECTION_STRING",
            fix="copy the full connection string from the storage account's Access keys page",
        )
    return AzuriteInfo(queue_endpoint=endpoint.rstrip("/"), connection_string_override=conn)


def parse_external(config: EduConfig) -> Services:
    assert config.postgres_url
    assert config.azure_connection_string
    return Services(
        parse_postgres_url(config.postgres_url),
        parse_connection_string(config.azure_connection_string),
        "external",
    )
