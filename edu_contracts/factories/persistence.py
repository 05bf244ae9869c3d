"""How factories hand rows to the database: add and flush, never commit.

polyfactory's SQLAlchemy persistence commits by default. Inside the pytest
plugin's isolation (an outer transaction rolled back after each test, with
``commit()`` turned into a savepoint) a commit is harmless, but anywhere
else it ends the caller's transaction behind their back and makes rollback
isolation impossible to reason about. Flushing is enough for every use a
factory has: rows get their server state, constraints are checked at once
(a violation points at the factory call, not at a later commit), and the
caller decides when, or whether, to commit.

The protocols have the same shape as polyfactory's, so these objects also
work as a polyfactory ``__sync_persistence__``/``__async_persistence__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy.orm import Session

from edu_contracts.errors import MissingDependencyError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "AsyncFlushPersistence",
    "AsyncPersistence",
    "FlushPersistence",
    "NoPersistence",
    "SyncPersistence",
]

T = TypeVar("T")


@runtime_checkable
class SyncPersistence(Protocol):
    """Something that stores built rows synchronously and returns them."""

    def save(self, data: T) -> T: ...

    def save_many(self, data: list[T]) -> list[T]: ...


@runtime_checkable
class AsyncPersistence(Protocol):
    """Something that stores built rows asynchronously and returns them."""

    async def save(self, data: T) -> T: ...

    async def save_many(self, data: list[T]) -> list[T]: ...


class FlushPersistence:
    """Adds rows to a sync ``Session`` and flushes; the transaction stays the caller's.

    ``flush=False`` only adds: a loop that builds thousands of graphs flushes
    once per batch instead of once per row, which is about ten times faster.
    """

    def __init__(self, session: Session, *, flush: bool = True) -> None:
        self.session = session
        self.flush = flush

    def save(self, data: T) -> T:
        self.session.add(data)
        if self.flush:
            self.session.flush()
        return data

    def save_many(self, data: list[T]) -> list[T]:
        self.session.add_all(data)
        if self.flush:
            self.session.flush()
        return data


class NoPersistence:
    """For graphs built without a session: rows stay plain in-memory objects."""

    def save(self, data: T) -> T:
        return data

    def save_many(self, data: list[T]) -> list[T]:
        return data


class AsyncFlushPersistence:
    """Adds rows to an ``AsyncSession`` and awaits a flush.

    SQLAlchemy's asyncio support needs the optional ``greenlet`` package;
    without it constructing this raises ``MissingDependencyError``, which is
    also an ``ImportError``.
    """

    def __init__(self, session: AsyncSession) -> None:
        _require_asyncio()
        self.session = session

    async def save(self, data: T) -> T:
        self.session.add(data)
        await self.session.flush()
        return data

    async def save_many(self, data: list[T]) -> list[T]:
        self.session.add_all(data)
        await self.session.flush()
        return data


def _require_asyncio() -> Any:
    try:
        import sqlalchemy.ext.asyncio as sa_asyncio
    except ImportError as exc:
        raise MissingDependencyError(
            "async persistence needs SQLAlchemy's asyncio support (the 'greenlet' package)",
            where="edu_contracts.factories.persistence.AsyncFlushPersistence",
            fix="pip install 'sqlalchemy[asyncio]'",
        ) from exc
    return sa_asyncio
