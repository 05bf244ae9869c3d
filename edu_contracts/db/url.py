"""One URL value for every database address the toolkit reads, builds or prints.

Users paste URLs from psql, dashboards or CI service containers
(``postgres://``, ``postgresql://``, ``postgresql+psycopg://``). Each is parsed
once into a :class:`DatabaseURL`; everything else is rendered from it, never
glued together from strings. That is what keeps a password with ``@ / : ? #``
(percent-encoded, as URLs require) from crashing the driver or, worse,
re-targeting a run at another host or database: the password is a field,
not text spliced between an ``@`` and a ``/``.

Renderings:

* :meth:`DatabaseURL.sqlalchemy` -- a SQLAlchemy ``URL`` for a chosen driver
  (sync psycopg, async psycopg, asyncpg), passed to ``create_engine`` as is;
* :meth:`DatabaseURL.libpq` -- keyword arguments for ``psycopg.connect`` (and
  :meth:`conninfo`, the same as a quoted ``key=value`` string);
* ``repr()``/``str()`` -- the address with the password masked, safe for logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from edu_contracts.errors import ConfigurationError
from edu_contracts.redaction import MASK

__all__ = [
    "DEFAULT_PORT",
    "DatabaseURL",
    "Driver",
    "URLLike",
    "normalize_url",
    "redact_url",
]

Driver = Literal["psycopg", "psycopg_async", "asyncpg"]
DEFAULT_PORT = 5432
_BACKENDS = frozenset({"postgres", "postgresql"})
_ASYNC_DRIVERS = frozenset({"psycopg_async", "asyncpg"})
# libpq query keys that name the target or the credentials: they become fields,
# so that renaming the database (a clone) can never be overridden by the query.
_FIELD_KEYS = {"host": "host", "port": "port", "user": "username", "dbname": "database"}
_SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})
_FORM = "postgresql://user:password@host:5432/dbname (percent-encode reserved characters)"


def _refuse(message: str, where: str, fix: str = f"use the form {_FORM}") -> ConfigurationError:
    return ConfigurationError(message, where=where, fix=fix)


@dataclass(frozen=True, repr=False)
class DatabaseURL:
    """A PostgreSQL address with its credentials; immutable, masked when printed.

    Build one with :meth:`parse` (user input) or :meth:`create` (parts);
    never by formatting strings.
    """

    url: URL

    # -- building ------------------------------------------------------------
    @classmethod
    def parse(cls, value: str | URL | DatabaseURL, *, where: str = "database URL") -> DatabaseURL:
        """Read a URL as users paste it; a clean ``ConfigurationError`` otherwise.

        Errors never echo the input: it may hold a password. Text naming an
        async driver is refused (the toolkit picks drivers); a SQLAlchemy
        ``URL`` object from code (an async engine's) is accepted.
        """
        if isinstance(value, DatabaseURL):
            return value
        if isinstance(value, URL):
            return cls._from_sqlalchemy(value, where, from_code=True)
        else:
            try:
                parsed = make_url(str(value))
            except ArgumentError as exc:
                raise _refuse("the database URL cannot be parsed", where) from exc
            except ValueError as exc:  # SQLAlchemy's int() of the port
                raise _refuse("the database URL's port is not a number", where) from exc
        return cls._from_sqlalchemy(parsed, where)

    @classmethod
    def create(
        cls,
        *,
        host: str,
        port: int = DEFAULT_PORT,
        user: str | None = None,
        password: str | None = None,
        database: str = "postgres",
        query: Mapping[str, str] | None = None,
    ) -> DatabaseURL:
        """A URL from parts; a password is taken verbatim, whatever it holds."""
        return cls._from_sqlalchemy(
            URL.create(
                "postgresql",
                username=user,
                password=password,
                host=host,
                port=port,
                database=database,
                query=dict(query or {}),
            ),
            "database URL",
        )

    @classmethod
    def _from_sqlalchemy(cls, parsed: URL, where: str, *, from_code: bool = False) -> DatabaseURL:
        backend, _, driver = parsed.drivername.partition("+")
        if backend not in _BACKENDS:
            raise _refuse(
                f"{backend!r} is not a PostgreSQL URL",
                where,
                "edu-contracts needs PostgreSQL with pgvector; pass a postgresql:// URL",
            )
        if driver in _ASYNC_DRIVERS and not from_code:
            raise _refuse(
                f"the URL names the async driver {driver!r}",
                where,
                "pass a plain postgresql:// URL; async code asks the URL value for its "
                "driver (DatabaseURL.sqlalchemy(driver='psycopg_async'))",
            )
        if driver not in ("", "psycopg") and not (from_code and driver in _ASYNC_DRIVERS):
            raise _refuse(
                f"the URL names the driver {driver!r}, which edu-contracts does not use",
                where,
                "pass a plain postgresql:// URL (psycopg 3 is used)",
            )
        fields: dict[str, object] = {}
        query: dict[str, str] = {}
        for key, raw in parsed.query.items():
            value = raw[-1] if isinstance(raw, tuple) else raw
            if key == "password":
                fields["password"] = value
            elif key in _FIELD_KEYS:
                fields[_FIELD_KEYS[key]] = value
            else:
                query[key] = value
        for part, given_in_query in fields.items():
            given = getattr(parsed, part)
            if given not in (None, "") and str(given) != str(given_in_query):
                raise _refuse(
                    f"the URL gives its {part} twice, differently (in the address and ?query)",
                    where,
                    f"give the {part} once",
                )
        port = fields.get("port", parsed.port)
        try:
            port_number = DEFAULT_PORT if port in (None, "") else int(str(port))
        except ValueError:
            raise _refuse("the database URL's port is not a number", where) from None
        if not 0 < port_number < 65536:
            raise _refuse(f"port {port_number} is out of range", where)
        password = fields.get("password", parsed.password)
        url = URL.create(
            "postgresql",
            username=str(fields.get("username", parsed.username) or "") or None,
            password=None if password is None else str(password),
            host=str(fields.get("host", parsed.host) or "") or None,
            port=port_number,
            database=str(fields.get("database", parsed.database) or "") or None,
            query=query,
        )
        return cls(url)

    def with_database(self, database: str) -> DatabaseURL:
        """The same server and credentials, another database."""
        return DatabaseURL(self.url.set(database=database))

    # -- parts -----------------------------------------------------------------
    @property
    def host(self) -> str | None:
        return self.url.host

    @property
    def port(self) -> int:
        return self.url.port or DEFAULT_PORT

    @property
    def user(self) -> str | None:
        return self.url.username

    @property
    def password(self) -> str | None:
        password = self.url.password
        return None if password is None else str(password)

    @property
    def database(self) -> str | None:
        return self.url.database

    @property
    def options(self) -> dict[str, str]:
        """libpq options from the query string (``sslmode``, ``connect_timeout``…)."""
        return {k: str(v) for k, v in self.url.query.items()}

    def secrets(self) -> tuple[str, ...]:
        """Every credential this URL carries, for scrubbing text."""
        found = [self.password] + [self.options.get(k) for k in _SECRET_QUERY_KEYS]
        return tuple(s for s in found if s)

    # -- renderings -------------------------------------------------------------
    def sqlalchemy(self, driver: Driver = "psycopg") -> URL:
        """A SQLAlchemy URL for ``driver``; ``create_engine`` takes it as is.

        SQLAlchemy's own ``repr``/``str`` of it masks the password.
        """
        if driver not in ("psycopg", "psycopg_async", "asyncpg"):
            raise ConfigurationError(
                f"unknown driver {driver!r}", fix="use psycopg, psycopg_async or asyncpg"
            )
        return self.url.set(drivername=f"postgresql+{driver}")

    def libpq(self) -> dict[str, str]:
        """Keyword arguments for ``psycopg.connect(**url.libpq())``."""
        params: dict[str, str] = {}
        if self.host:
            params["host"] = self.host
        params["port"] = str(self.port)
        if self.user:
            params["user"] = self.user
        if self.password is not None:
            params["password"] = self.password
        if self.database:
            params["dbname"] = self.database
        params.update(self.options)
        return params

    def conninfo(self) -> str:
        """The libpq ``key=value`` string, every value quoted by psycopg."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo("", **self.libpq())

    def libpq_uri(self) -> str:
        """The ``postgresql://`` form users copy into psql, each part percent-encoded."""
        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password is not None:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        host = self.host or ""
        if ":" in host:
            host = f"[{host}]"
        text = f"postgresql://{auth}{quote(host, safe='[]:/')}:{self.port}/"
        text += quote(self.database or "", safe="")
        if self.options:
            text += "?" + "&".join(
                f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.options.items()
            )
        return text

    def redacted(self) -> str:
        """The address with the password (and any secret option) masked."""
        masked = {k: (MASK if k in _SECRET_QUERY_KEYS else v) for k, v in self.options.items()}
        url = self.url.set(drivername="postgresql", query=masked)
        return url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"DatabaseURL({self.redacted()!r})"

    def __str__(self) -> str:
        return self.redacted()


URLLike = str | URL | DatabaseURL


def normalize_url(url: URLLike) -> URL:
    """``url`` as a SQLAlchemy URL on the psycopg 3 driver (``create_engine`` input)."""
    return DatabaseURL.parse(url).sqlalchemy()


def redact_url(url: URLLike) -> str:
    """The URL with its password masked, safe for error messages and logs."""
    return DatabaseURL.parse(url).redacted()
