"""``TaskQueue``: typed send and receive of ``QueueTaskMessage`` over Azure Storage Queue.

Why a wrapper and not the bare ``QueueClient``: the SDK moves strings, and
every service would otherwise re-implement the same four things, each easy
to get subtly wrong:

- the wire format (our codec's base64(JSON), with no SDK encode policy on
  top, so the text on the queue is exactly what edu-api and edu-worker
  expect);
- poison handling: a message that cannot be decoded, or that consumers keep
  failing on, is copied to ``<queue>-poison`` with its reason *before* it is
  deleted, so nothing is deleted unread or lost;
- errors that name the queue and the fix instead of an HTTP body;
- safety: ``clear`` and ``delete`` only touch queues this object created.

This is the blocking shell: it does the I/O (threads for concurrency) and
asks ``_core`` for every decision; ``aio.AsyncTaskQueue`` is its twin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from types import TracebackType
from typing import Any, Self

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueMessage

from edu_contracts.errors import DrainError, ServiceError
from edu_contracts.queue import _core
from edu_contracts.queue._azure import (
    azure_errors,
    client_from_connection_string,
    message_text,
    parallel,
    sibling_client,
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

__all__ = ["DEFAULT_MAX_DEQUEUE_COUNT", "TaskQueue"]


class TaskQueue(QueueFace["QueueClient"]):
    """One Azure Storage queue of ``QueueTaskMessage`` and its ``-poison`` sibling."""

    _sibling = staticmethod(sibling_client)

    @classmethod
    def from_connection_string(
        cls,
        connection_string: str,
        queue_name: str,
        *,
        max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT,
        pool_size: int = 32,
        **client_options: Any,
    ) -> TaskQueue:
        """Build both clients; ``client_options`` go to ``QueueClient`` (retries, timeouts)."""
        validate_queue_name(queue_name, reserve=len(POISON_SUFFIX))
        main = client_from_connection_string(
            connection_string, queue_name, pool_size=pool_size, **client_options
        )
        poison = client_from_connection_string(
            connection_string, queue_name + POISON_SUFFIX, pool_size=2, **client_options
        )
        return cls._owning(main, poison, max_dequeue_count)

    def create(self, *, exclusive: bool = False, metadata: Mapping[str, str] | None = None) -> bool:
        """Create the queue if missing; True if this call created it.

        Only a queue created here may later be cleared or deleted by this
        object. ``exclusive`` creates the poison sibling too and refuses
        (``UnsafeOperationError``, nothing touched) if either already exists.
        ``metadata`` (an ownership marker) is set in the creating request, on
        the poison sibling too, so ownership never depends on a later call.
        """
        self._metadata = dict(metadata or {})
        made = self._create(self.name, self._client)
        if not exclusive:
            return made
        made_poison = self._create(self.poison_name, self._poison)
        if not (made and made_poison):
            if self._rules.created:
                self.delete()
            self._rules.refuse_existing(
                n for n, m in ((self.name, made), (self.poison_name, made_poison)) if not m
            )
        return True

    def _create(self, name: str, client: QueueClient) -> bool:
        with azure_errors("create the queue", name, self._rules.endpoint):
            try:
                client.create_queue(metadata=self._metadata or None)
            except ResourceExistsError:
                return False
        self._rules.created.add(name)
        return True

    def delete(self) -> None:
        """Delete the queue and its poison queue, if (and only if) this object created them."""
        if not self._rules.created:
            self._rules.refuse_unless_created("delete")
        for name, client in ((self.poison_name, self._poison), (self.name, self._client)):
            if name in self._rules.created:
                with (
                    azure_errors("delete the queue", name, self._rules.endpoint),
                    suppress(ResourceNotFoundError),
                ):
                    client.delete_queue()
                self._rules.created.discard(name)

    def clear(self) -> None:
        """Delete every message unread; refused on a queue this object did not create."""
        self._rules.refuse_unless_created("clear")
        with azure_errors("clear the queue", self.name, self._rules.endpoint):
            self._client.clear_messages()

    def close(self) -> None:
        """Release HTTP connections of clients this object built."""
        if self._owns_clients:
            self._client.close()
            self._poison.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- sending -------------------------------------------------------------

    def send(
        self,
        message: QueueTaskMessage,
        *,
        visibility_timeout: int | None = None,
        time_to_live: int | None = None,
    ) -> SentMessage:
        """Encode and send one message (``visibility_timeout`` delays it, in seconds)."""
        return self._send_text(message, encode(message), visibility_timeout, time_to_live)

    def send_many(
        self, messages: Iterable[QueueTaskMessage], *, concurrency: int = 16
    ) -> list[SentMessage]:
        """Send concurrently (threads); results in input order.

        Every message is encoded before the first is sent, so an invalid or
        oversized message rejects the whole batch instead of half of it.
        """
        _core.check_concurrency(concurrency)
        pairs = _core.encode_batch(messages)
        outcomes = parallel(lambda p: self._send_text(p[0], p[1], None, None), pairs, concurrency)
        return _core.sent_or_raise(outcomes)

    def _send_text(
        self, message: QueueTaskMessage, text: str, visibility: int | None, ttl: int | None
    ) -> SentMessage:
        with azure_errors(f"send a {message.type} message", self.name, self._rules.endpoint):
            receipt = self._client.send_message(
                text, visibility_timeout=visibility, time_to_live=ttl
            )
        return _core.sent(message, text, receipt)

    # --- receiving -----------------------------------------------------------

    def receive(self, max_messages: int = MAX_BATCH, visibility_timeout: int = 30) -> ReceiveResult:
        """Take up to ``max_messages`` (1-32) in one request; poison what cannot be processed.

        The result iterates over the tasks handed out; ``.poisoned`` says what
        was moved aside and why, ``.left`` what stays for the next try.
        Returned tasks stay invisible for ``visibility_timeout`` seconds;
        ``ack`` each one when done, or it comes back with a higher dequeue count.
        """
        _core.check_batch(max_messages)
        with azure_errors("receive", self.name, self._rules.endpoint):
            pages = self._client.receive_messages(
                messages_per_page=max_messages,
                max_messages=max_messages,
                visibility_timeout=visibility_timeout,
            ).by_page()
            raw: list[QueueMessage] = list(next(pages, []))
        return _core.collect(self._settle(item) for item in raw)

    def _settle(self, item: QueueMessage) -> ReceivedTask | PoisonedTask | LeftTask:
        verdict = _core.judge(item, self._rules)
        if not isinstance(verdict, _core.PoisonPlan):
            return verdict
        try:
            for text in verdict.texts:
                self._send_poison(text)
        except Exception as exc:  # ServiceError or foreign: either way the original stays
            return _core.settle(verdict, self._rules, exc, None)
        try:
            with azure_errors("delete a poisoned message", self.name, self._rules.endpoint):
                self._client.delete_message(item.id, item.pop_receipt)
        except Exception as exc:
            return _core.settle(verdict, self._rules, None, exc)
        return _core.settle(verdict, self._rules, None, None)

    def _send_poison(self, text: str) -> None:
        with azure_errors("send to the poison queue", self.poison_name, self._rules.endpoint):
            try:
                self._poison.send_message(text)
            except ResourceNotFoundError:
                self._create(self.poison_name, self._poison)
                self._poison.send_message(text)

    def ack(self, received: ReceivedTask) -> None:
        """Delete a processed message (needs the pop receipt of its latest receive)."""
        with azure_errors(f"ack message {received.message_id}", self.name, self._rules.endpoint):
            self._client.delete_message(received.message_id, received.pop_receipt)

    def drain(
        self, *, ack: bool = True, visibility_timeout: int = 30, limit: int | None = None
    ) -> ReceiveResult:
        """Receive in batches until no message is visible (or ``limit`` tasks are taken).

        With ``ack`` each batch is deleted once decoded and collected; a failed
        ack is logged, not raised, because that message simply comes back
        (at-least-once), while raising would drop the acked ones from the
        result. A failed receive raises ``DrainError`` carrying what was taken
        so far. Without ``ack`` messages return after ``visibility_timeout``.
        Delayed (not yet visible) messages are not waited for.
        """
        progress = _core.DrainProgress(limit)
        while (want := progress.want()) is not None:
            try:
                batch = self.receive(want, visibility_timeout)
            except ServiceError as exc:
                if not progress.result.seen:
                    raise
                raise DrainError(exc, progress.result) from exc
            if ack and batch.tasks:
                _core.log_failed_acks(batch.tasks, parallel(self.ack, batch.tasks, 16))
            progress.add(batch)
        return progress.result

    def peek(self, max_messages: int = MAX_BATCH) -> list[PeekedTask]:
        """Look at up to 32 messages at the front without taking or poisoning them."""
        _core.check_batch(max_messages)
        with azure_errors("peek", self.name, self._rules.endpoint):
            raw = list(self._client.peek_messages(max_messages=max_messages))
        return [_core.peeked(item) for item in raw]

    def approximate_count(self) -> int:
        """Messages in the queue, visible or not, as the service estimates it."""
        with azure_errors("read queue properties", self.name, self._rules.endpoint):
            return self._client.get_queue_properties().approximate_message_count or 0

    def poisoned(self, max_messages: int = MAX_BATCH) -> list[PoisonRecord]:
        """Peek at up to 32 poison records (split records joined); [] if none yet."""
        _core.check_batch(max_messages)
        with azure_errors("peek the poison queue", self.poison_name, self._rules.endpoint):
            try:
                raw = list(self._poison.peek_messages(max_messages=max_messages))
            except ResourceNotFoundError:
                return []
        return assemble(decode_poison(message_text(item)) for item in raw)
