"""What ``TaskQueue`` and ``AsyncTaskQueue`` hold alike: two clients and the rules.

The faces differ only in how they do I/O (threads or ``await``); how a queue
wraps its clients, checks their wire policies, finds its ``-poison`` sibling
and names itself is written once, here, over either kind of client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Self, TypeVar

from edu_contracts.queue import _core
from edu_contracts.queue._azure import check_wire_policies

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient
    from azure.storage.queue.aio import QueueClient as AsyncQueueClient

__all__ = ["QueueFace"]

C = TypeVar("C", bound="QueueClient | AsyncQueueClient")


class QueueFace(Generic[C]):
    """The clients of one queue and its ``-poison`` sibling, and the rules both faces obey."""

    def __init__(
        self,
        client: C,
        *,
        max_dequeue_count: int = _core.DEFAULT_MAX_DEQUEUE_COUNT,
        poison_client: C | None = None,
    ) -> None:
        """Wrap an existing client, which must have no base64 message policy."""
        check_wire_policies(client)
        self._rules = _core.QueueRules(
            client.queue_name, _core.endpoint_of(client.url), max_dequeue_count
        )
        self._client = client
        self._poison = poison_client or self._sibling(client, self.poison_name)
        check_wire_policies(self._poison)
        self._owns_clients = False
        self._metadata: dict[str, str] = {}  # the ownership marker create() was given

    @staticmethod
    def _sibling(client: C, queue_name: str) -> C:
        """A client for another queue of ``client``'s account (each face says how)."""
        raise NotImplementedError

    @classmethod
    def _owning(cls, main: C, poison: C, max_dequeue_count: int) -> Self:
        """A queue on clients it built, so ``close`` releases them."""
        queue = cls(main, max_dequeue_count=max_dequeue_count, poison_client=poison)
        queue._owns_clients = True
        return queue

    @property
    def name(self) -> str:
        return self._rules.name

    @property
    def poison_name(self) -> str:
        return self._rules.poison_name

    @property
    def max_dequeue_count(self) -> int:
        return self._rules.max_dequeue_count

    @property
    def client(self) -> C:
        """The underlying SDK client, for what this wrapper does not cover."""
        return self._client

    def __repr__(self) -> str:  # never the credential: only names and the endpoint
        return f"{type(self).__name__}({self.name!r}, {self._rules.endpoint!r})"
