"""``AsyncEngine`` construction for the async fixtures: the driver and pgvector.

Both drivers get pgvector's types registered on every new connection
(pgvector's psycopg registration, with the type lookups cached per engine;
for asyncpg text codecs built from pgvector's classes, see
``_register_asyncpg``), so ``vector`` and
``halfvec`` values round-trip through the models' columns as lists of floats,
exactly as through the sync engine, and raw SQL gets pgvector objects,
whichever driver a service uses in production.

Pooled connections belong to the event loop that opened them. pytest-asyncio
(strict mode) gives every test a new loop and anyio's plugin may keep one
for a module, so the session-scoped engine is loop-free and its pool is
emptied, on the test's own loop, when each test's async fixtures finish
(``release_pool``): a later test never receives a connection whose loop is
gone. The cost, one new connection per test, is measured by
``bench/bench_async_isolation.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from edu_contracts.config import AsyncDriver
from edu_contracts.db.url import normalize_url
from edu_contracts.errors import MissingDependencyError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["async_url", "create_async_engine"]

_EXTRA = {"psycopg": "testing", "asyncpg": "asyncpg"}


def async_url(url: str, driver: AsyncDriver) -> str:
    """``url`` with ``driver`` as its SQLAlchemy driver (password kept)."""
    parsed = make_url(normalize_url(url)).set(drivername=f"postgresql+{driver}")
    return parsed.render_as_string(hide_password=False)


def _require(driver: AsyncDriver) -> None:
    module = "asyncpg" if driver == "asyncpg" else "greenlet"
    try:
        __import__(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"the {driver} async driver needs the {module!r} package",
            where="--edu-async-driver / EDU_ASYNC_DRIVER / edu_async_driver",
            fix=f"pip install 'edu-contracts[{_EXTRA[driver]}]'",
        ) from exc


async def _register_asyncpg(connection: Any) -> None:
    """pgvector's types on an asyncpg connection, in text format.

    pgvector's own ``pgvector.asyncpg.register_vector`` installs binary codecs
    that accept only lists and arrays, but pgvector's SQLAlchemy types (the
    models' columns) hand the driver their text form, as they do to psycopg.
    Text codecs built from pgvector's classes take both, and decode to the
    same ``Vector``/``HalfVector`` objects psycopg's registration gives.
    """
    from pgvector import HalfVector, SparseVector, Vector

    for name, kind in (("vector", Vector), ("halfvec", HalfVector), ("sparsevec", SparseVector)):
        to_db = kind._to_db

        def encode(value: Any, to_db: Any = to_db) -> str:
            return value if isinstance(value, str) else to_db(value)

        await connection.set_type_codec(
            name, schema="public", encoder=encode, decoder=kind.from_text, format="text"
        )


def _psycopg_registrar() -> Any:
    """pgvector's types on each psycopg connection of one engine, fetched once.

    ``pgvector.psycopg.register_vector_async`` looks the four types up on
    every connection (four round trips, most of a new connection's cost,
    and the fixtures open one per test); their OIDs cannot change under a
    running engine (the extension lives in the template every database is
    cloned from), so the first connection's ``TypeInfo`` serves the rest.
    """
    from pgvector.psycopg.bit import register_bit_info
    from pgvector.psycopg.halfvec import register_halfvec_info
    from pgvector.psycopg.sparsevec import register_sparsevec_info
    from pgvector.psycopg.vector import register_vector_info

    registrars = {
        "vector": register_vector_info,
        "bit": register_bit_info,
        "halfvec": register_halfvec_info,
        "sparsevec": register_sparsevec_info,
    }
    infos: dict[str, Any] = {}

    async def register(connection: Any) -> None:
        if not infos:
            from psycopg.types import TypeInfo

            for name in registrars:
                infos[name] = await TypeInfo.fetch(connection, name)
        for name, registrar in registrars.items():
            if infos[name] is not None or name == "vector":  # vector missing: pgvector says so
                registrar(connection, infos[name])

    return register


def _register_vector(driver: AsyncDriver) -> Any:
    register = _register_asyncpg if driver == "asyncpg" else _psycopg_registrar()

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # SQLAlchemy's adapted connection runs the driver coroutine on its loop
        dbapi_connection.run_async(register)

    return on_connect


def create_async_engine(url: str, driver: AsyncDriver, **options: Any) -> AsyncEngine:
    """An ``AsyncEngine`` on ``url`` through ``driver``, with pgvector registered."""
    _require(driver)
    from sqlalchemy.ext.asyncio import create_async_engine as _create

    engine = _create(async_url(url, driver), **options)
    event.listen(engine.sync_engine, "connect", _register_vector(driver))
    return engine
