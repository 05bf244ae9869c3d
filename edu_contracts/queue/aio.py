"""``AsyncTaskQueue``: ``TaskQueue``'s twin over ``azure.storage.queue.aio``.

Same method names, same rules (codec, ``-poison`` sibling, copy before
delete, dequeue count, batching, concurrency limits), because every rule is
decided in ``_core``; this shell only awaits the SDK, and keeps concurrency
with ``asyncio`` (a semaphore over ``gather``) instead of threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueMessage

from edu_contracts.errors import DrainError, ServiceError
from edu_contracts.queue import _core
from edu_contracts.queue._azure import (
    async_client_from_connection_string,
    async_sibling_client,
    azure_errors,
    message_text,
    validate_queue_name,
)
from edu_contracts.queue._core import DEFAULT_MAX_DEQUEUE_COUNT, MAX_BATCH
from edu_contracts.queue._face import QueueFace
from edu_contracts.queue._types import (
    LeftTask,
    PeekedTask,
    PoisonedTask,
    ReceivedTask,
    ReceiveResult,
    SentMessage,
)
from edu_contracts.queue.codec import encode
from edu_contracts.queue.poison import POISON_SUFFIX, PoisonRecord, assemble, decode_poison
from edu_contracts.schemas.queue import QueueTaskMessage

if TYPE_CHECKING:
    from azure.storage.queue.aio import QueueClient as AsyncQueueClient

__all__ = ["AsyncTaskQueue"]

_T = TypeVar("_T")
_R = TypeVar("_R")


async def _gather(
    work: Callable[[_T], Awaitable[_R]], items: Sequence[_T], concurrency: int
) -> list[_R | ServiceError]:
    """Await ``work`` over ``items``, at most ``concurrency`` at once; each result or error."""
    _core.check_concurrency(concurrency)
    limit = asyncio.Semaphore(concurrency)

    async def attempt(item: _T) -> _R | ServiceError:
        async with limit:
            try:
                return await work(item)
            except ServiceError as exc:
                return exc

    return list(await asyncio.gather(*(attempt(item) for item in items)))


class AsyncTaskQueue(QueueFace["AsyncQueueClient"]):
    """One Azure Storage queue of ``QueueTaskMessage`` and its ``-poison`` sibling, awaited."""

    _sibling = staticmethod(async_sibling_client)

    @classmethod
    def from_connection_string(
        cls,
        connection_string: str,
        queue_name: str,
        *,
        max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT,
        **client_options: Any,
    ) -> AsyncTaskQueue:
        """Build both aio clients; ``client_options`` go to ``QueueClient`` (retries, timeouts)."""
        validate_queue_name(queue_name, reserve=len(POISON_SUFFIX))
        main = async_client_from_connection_string(connection_string, queue_name, **client_options)
        poison = async_client_from_connection_string(
            connection_string, queue_name + POISON_SUFFIX, **client_options
        )
        return cls._owning(main, poison, max_dequeue_count)

    async def create(
        self, *, exclusive: bool = False, metadata: Mapping[str, str] | None = None
    ) -> bool:
        """Create the queue if missing; True if this call created it (see ``TaskQueue.create``)."""
        self._metadata = dict(metadata or {})
        made = await self._create(self.name, self._client)
        if not exclusive:
            return made
        made_poison = await self._create(self.poison_name, self._poison)
        if not (made and made_poison):
            if self._rules.created:
                await self.delete()
            self._rules.refuse_existing(
                n for n, m in ((self.name, made), (self.poison_name, made_poison)) if not m
            )
        return True

    async def _create(self, name: str, client: AsyncQueueClient) -> bool:
        with azure_errors("create the queue", name, self._rules.endpoint):
            try:
                await client.create_queue(metadata=self._metadata or None)
            except ResourceExistsError:
                return False
        self._rules.created.add(name)
        return True

    async def delete(self) -> None:
        """Delete the queue and its poison queue, if (and only if) this object created them."""
        if not self._rules.created:
            self._rules.refuse_unless_created("delete")
        for name, client in ((self.poison_name, self._poison), (self.name, self._client)):
            if name in self._rules.created:
                with (
                    azure_errors("delete the queue", name, self._rules.endpoint),
                    suppress(ResourceNotFoundError),
                ):
                    await client.delete_queue()
                self._rules.created.discard(name)

    async def clear(self) -> None:
        """Delete every message unread; refused on a queue this object did not create."""
        self._rules.refuse_unless_created("clear")
        with azure_errors("clear the queue", self.name, self._rules.endpoint):
            await self._client.clear_messages()

    async def close(self) -> None:
        """Release the HTTP sessions of clients this object built."""
        if self._owns_clients:
            await self._client.close()
            await self._poison.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- sending -------------------------------------------------------------

    async def send(
        self,
        message: QueueTaskMessage,
        *,
        visibility_timeout: int | None = None,
        time_to_live: int | None = None,
    ) -> SentMessage:
        """Encode and send one message (``visibility_timeout`` delays it, in seconds)."""
        return await self._send_text(message, encode(message), visibility_timeout, time_to_live)

    async def send_many(
        self, messages: Iterable[QueueTaskMessage], *, concurrency: int = 16
    ) -> list[SentMessage]:
        """Send with at most ``concurrency`` requests in flight; results in input order.

        Every message is encoded before the first is sent, so an invalid or
        oversized message rejects the whole batch instead of half of it.
        """
        _core.check_concurrency(concurrency)
        pairs = _core.encode_batch(messages)

        async def one(pair: tuple[QueueTaskMessage, str]) -> SentMessage:
            return await self._send_text(pair[0], pair[1], None, None)

        return _core.sent_or_raise(await _gather(one, pairs, concurrency))

    async def _send_text(
        self, message: QueueTaskMessage, text: str, visibility: int | None, ttl: int | None
    ) -> SentMessage:
        with azure_errors(f"send a {message.type} message", self.name, self._rules.endpoint):
            receipt = await self._client.send_message(
                text, visibility_timeout=visibility, time_to_live=ttl
            )
        return _core.sent(message, text, receipt)

    # --- receiving -----------------------------------------------------------

    async def receive(
        self, max_messages: int = MAX_BATCH, visibility_timeout: int = 30
    ) -> ReceiveResult:
        """Take up to ``max_messages`` (1-32) in one request; poison what cannot be processed.

        The result iterates over the tasks handed out; ``.poisoned`` says what
        was moved aside and why, ``.left`` what stays for the next try.
        """
        _core.check_batch(max_messages)
        with azure_errors("receive", self.name, self._rules.endpoint):
            pages = self._client.receive_messages(
                messages_per_page=max_messages,
                max_messages=max_messages,
                visibility_timeout=visibility_timeout,
            ).by_page()
            raw: list[QueueMessage] = []
            async for page in pages:
                raw.extend([item async for item in page])
                break  # one request: the first page
        return _core.collect([await self._settle(item) for item in raw])

    async def _settle(self, item: QueueMessage) -> ReceivedTask | PoisonedTask | LeftTask:
        verdict = _core.judge(item, self._rules)
        if not isinstance(verdict, _core.PoisonPlan):
            return verdict
        try:
            for text in verdict.texts:
                await self._send_poison(text)
        except Exception as exc:  # ServiceError or foreign: either way the original stays
            return _core.settle(verdict, self._rules, exc, None)
        try:
            with azure_errors("delete a poisoned message", self.name, self._rules.endpoint):
                await self._client.delete_message(item.id, item.pop_receipt)
        except Exception as exc:
            return _core.settle(verdict, self._rules, None, exc)
        return _core.settle(verdict, self._rules, None, None)

    async def _send_poison(self, text: str) -> None:
        with azure_errors("send to the poison queue", self.poison_name, self._rules.endpoint):
            try:
                await self._poison.send_message(text)
            except ResourceNotFoundError:
                await self._create(self.poison_name, self._poison)
                await self._poison.send_message(text)

    async def ack(self, received: ReceivedTask) -> None:
        """Delete a processed message (needs the pop receipt of its latest receive)."""
        with azure_errors(f"ack message {received.message_id}", self.name, self._rules.endpoint):
            await self._client.delete_message(received.message_id, received.pop_receipt)

    async def drain(
        self, *, ack: bool = True, visibility_timeout: int = 30, limit: int | None = None
    ) -> ReceiveResult:
        """Receive in batches until no message is visible (see ``TaskQueue.drain``)."""
        progress = _core.DrainProgress(limit)
        while (want := progress.want()) is not None:
            try:
                batch = await self.receive(want, visibility_timeout)
            except ServiceError as exc:
                if not progress.result.seen:
                    raise
                raise DrainError(exc, progress.result) from exc
            if ack and batch.tasks:
                _core.log_failed_acks(batch.tasks, await _gather(self.ack, batch.tasks, 16))
            progress.add(batch)
        return progress.result

    async def peek(self, max_messages: int = MAX_BATCH) -> list[PeekedTask]:
        """Look at up to 32 messages at the front without taking or poisoning them."""
        _core.check_batch(max_messages)
        with azure_errors("peek", self.name, self._rules.endpoint):
            raw = await self._client.peek_messages(max_messages=max_messages)
        return [_core.peeked(item) for item in raw]

    async def approximate_count(self) -> int:
        """Messages in the queue, visible or not, as the service estimates it."""
        with azure_errors("read queue properties", self.name, self._rules.endpoint):
            properties = await self._client.get_queue_properties()
        return properties.approximate_message_count or 0

    async def poisoned(self, max_messages: int = MAX_BATCH) -> list[PoisonRecord]:
        """Peek at up to 32 poison records (split records joined); [] if none yet."""
        _core.check_batch(max_messages)
        with azure_errors("peek the poison queue", self.poison_name, self._rules.endpoint):
            try:
                raw = await self._poison.peek_messages(max_messages=max_messages)
            except ResourceNotFoundError:
                return []
        return assemble(decode_poison(message_text(item)) for item in raw)
