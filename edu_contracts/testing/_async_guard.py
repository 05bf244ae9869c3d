"""Savepoints on the test's shared connection must end in the order they began.

Under savepoint isolation every session of a test joins the one connection
with a SAVEPOINT of its own. Savepoints nest: releasing or rolling back
``sa_savepoint_1`` also ends every savepoint opened after it. Sessions used
one after the other respect that; sessions run concurrently on the same
connection (``asyncio.gather`` over two requests, two threads) end them out
of order, and Postgres answers much later with ``savepoint "sa_savepoint_2"
does not exist`` from an innocent session. The guard watches the connection's
savepoint events and, at the first out-of-order end, raises
``ConcurrentSessionError`` naming the cause and the fix *before* the
statement runs, so the database state stays consistent and the other
sessions can still unwind.

The same guard serves the sync and the async fixtures: an ``AsyncConnection``
is a facade over a sync ``Connection``, whose events fire for both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event

from edu_contracts.errors import ConcurrentSessionError

__all__ = ["SavepointGuard"]

_FIX = (
    "use the sessions one after the other (await each request in turn), or mark the "
    'test @pytest.mark.edu_isolation("database") to give it a database of its own, '
    "where every session has its own connection and real concurrency works"
)


class SavepointGuard:
    """Tracks the open savepoints of one connection as a stack.

    SQLAlchemy fires the ``savepoint`` event before it names the savepoint
    (``sa_savepoint_<n>``, counted per ``Connection`` from 1), so the guard
    counts the same way; it is installed on a fresh connection. A name it
    does not know is never judged, so a miscount can only miss, never accuse.
    """

    def __init__(self) -> None:
        self.open: list[str] = []
        self.tripped = False
        """True once an out-of-order end was refused: the connection's state is
        then unknown (another session may still be mid-statement), so the
        fixtures invalidate it instead of rolling back on it."""
        self._seq = 0

    @classmethod
    def install(cls, connection: Connection) -> SavepointGuard:
        guard = cls()
        event.listen(connection, "savepoint", guard._begun)
        event.listen(connection, "release_savepoint", guard._released)
        event.listen(connection, "rollback_savepoint", guard._rolled_back)
        return guard

    def _begun(self, conn: Connection, name: str | None) -> None:
        if name is None:
            self._seq += 1
            name = f"sa_savepoint_{self._seq}"
        self.open.append(name)

    def _released(self, conn: Connection, name: str, context: Any) -> None:
        self._end(name, "release")

    def _rolled_back(self, conn: Connection, name: str, context: Any) -> None:
        self._end(name, "roll back")

    def _end(self, name: str, action: str) -> None:
        if name not in self.open:
            return  # not one we saw begin (opened before the guard): not ours to judge
        if self.open[-1] != name:
            self.tripped = True
            later = ", ".join(self.open[self.open.index(name) + 1 :])
            raise ConcurrentSessionError(
                f"two sessions used the test's one connection at the same time: a session "
                f"tried to {action} {name} while {later} (begun later by another session) "
                "was still open",
                where="the test's shared connection (savepoint isolation)",
                fix=_FIX,
            )
        self.open.pop()
