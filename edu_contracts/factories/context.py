"""The per-seed state a set of factories shares: random streams, clock, session, registries.

Why an object and not class attributes on the factories: polyfactory keeps
its ``Random`` and session on the factory *class*, so two tests (or two
seeds in one loop) would share and disturb one another. Here each
``FactoryContext`` owns everything mutable, and factories are bound to it by
making a throw-away subclass (``context.bind(UserFactory)``), which is what
polyfactory reads its configuration from.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from edu_contracts.factories.embeddings import DEFAULT_SPREAD, EmbeddingSpace
from edu_contracts.factories.persistence import FlushPersistence, NoPersistence, SyncPersistence
from edu_contracts.factories.streams import Clock, Entropy

__all__ = ["FactoryContext"]

F = TypeVar("F", bound=type)


class FactoryContext:
    """Random streams, clock, persistence and uniqueness bookkeeping of one seed.

    ``session`` may be ``None``: graphs are then built in memory only (for
    messages, exports and determinism checks). ``flush=False`` adds rows to
    the session without flushing, for loops that flush once per batch.
    """

    def __init__(
        self,
        session: Session | None = None,
        *,
        seed: int = 0,
        flush: bool = True,
        spread: float = DEFAULT_SPREAD,
    ) -> None:
        self.seed = seed
        self.session = session
        self.root = Entropy(seed)
        self.persistence: SyncPersistence = (
            FlushPersistence(session, flush=flush) if session is not None else NoPersistence()
        )
        self.clock = Clock(self.root.child("clock"))
        self.embeddings = EmbeddingSpace(self.root.child("embeddings"), spread=spread)
        self._streams: dict[str, Entropy] = {}
        self._bound: dict[type[Any], type[Any]] = {}
        self._claimed: dict[str, set[Hashable]] = {}
        self._found: dict[tuple[str, Hashable], Any] = {}

    def stream(self, name: str) -> Entropy:
        """The stream of one table or purpose; other tables' draws never shift it."""
        found = self._streams.get(name)
        if found is None:
            found = self._streams[name] = self.root.child(name)
        return found

    def uuid(self, table: str) -> uuid.UUID:
        return self.stream(f"{table}.id").uuid()

    def bind(self, factory: F) -> F:
        """``factory`` bound to this context (cached): what every build goes through."""
        base: Any = getattr(factory, "__unbound__", None) or factory
        bound = self._bound.get(base)
        if bound is None:
            bound = base._bind_to(self)
            self._bound[base] = bound
        return cast("F", bound)

    # --- uniqueness bookkeeping -------------------------------------------

    def claim(self, rule: str, key: Hashable) -> bool:
        """Reserve ``key`` under a UNIQUE rule; False if this context already holds it."""
        keys = self._claimed.setdefault(rule, set())
        if key in keys:
            return False
        keys.add(key)
        return True

    def remember(self, rule: str, key: Hashable, row: Any) -> None:
        self._found[(rule, key)] = row

    def recall(self, rule: str, key: Hashable) -> Any:
        return self._found.get((rule, key))

    def persisted(self, row: Any) -> bool:
        """Whether ``row`` may already have rows in the database that refer to it."""
        if self.session is None:
            return False
        state = sa.inspect(row)
        return bool(state.persistent or state.detached)

    def query_one(self, statement: sa.Select[Any]) -> Any:
        """One row or None, without autoflushing a half-built graph."""
        if self.session is None:
            return None
        with self.session.no_autoflush:
            return self.session.scalars(statement).first()
