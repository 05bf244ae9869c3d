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
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from contextlib import suppress
from types import TracebackType
from typing import Any, Final, Self

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueMessage

from edu_contracts.errors import (
    ConfigurationError,
    DrainError,
    MessageDecodeError,
    MessageEncodeError,
    SendManyError,
    ServiceError,
    UnsafeOperationError,
)
from edu_contracts.queue._azure import (
    aware,
    azure_errors,
    check_wire_policies,
    client_from_connection_string,
    message_text,
    parallel,
    sibling_client,
    validate_queue_name,
)
from edu_contracts.queue._types import PeekedTask, ReceivedTask, SentMessage
from edu_contracts.queue.codec import decode, encode
from edu_contracts.queue.poison import (
    POISON_SUFFIX,
    PoisonReason,
    PoisonRecord,
    assemble,
    decode_poison,
    encode_poison,
)
from edu_contracts.schemas.queue import QueueTaskMessage

__all__ = ["DEFAULT_MAX_DEQUEUE_COUNT", "TaskQueue"]

DEFAULT_MAX_DEQUEUE_COUNT: Final = 5
_MAX_BATCH: Final = 32  # Azure's per-request cap for receive and peek
_log = logging.getLogger("edu_contracts.queue")


class TaskQueue:
    """One Azure Storage queue of ``QueueTaskMessage`` and its ``-poison`` sibling."""

    def __init__(
        self,
        client: QueueClient,
        *,
        max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT,
        poison_client: QueueClient | None = None,
    ) -> None:
        """Wrap an existing client, which must have no base64 message policy."""
        check_wire_policies(client)
        self._name = validate_queue_name(client.queue_name, reserve=len(POISON_SUFFIX))
        if max_dequeue_count < 1:
            raise ConfigurationError(
                f"max_dequeue_count must be at least 1, not {max_dequeue_count}",
                where="max_dequeue_count",
                fix="use the number of deliveries a task may fail before it is poisoned (e.g. 5)",
            )
        self._client = client
        self._poison = poison_client or sibling_client(client, self.poison_name)
        check_wire_policies(self._poison)
        self._max_dequeue_count = max_dequeue_count
        self._endpoint = client.url.rsplit("/", 1)[0].split("?", 1)[0]
        self._created: set[str] = set()
        self._owns_clients = False

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
        queue = cls(main, max_dequeue_count=max_dequeue_count, poison_client=poison)
        queue._owns_clients = True
        return queue

    # --- identity and lifecycle ----------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def poison_name(self) -> str:
        return self._name + POISON_SUFFIX

    @property
    def max_dequeue_count(self) -> int:
        return self._max_dequeue_count

    @property
    def client(self) -> QueueClient:
        """The underlying SDK client, for what this wrapper does not cover."""
        return self._client

    def create(self, metadata: Mapping[str, str] | None = None) -> bool:
        """Create the queue if missing; True if this call created it.

        Only a queue created here may later be cleared or deleted by this object.
        ``metadata`` (an ownership marker) is set in the same request, and also
        on the poison queue when one is created.
        """
        self._metadata = dict(metadata or {})
        with azure_errors("create the queue", self._name, self._endpoint):
            try:
                self._client.create_queue(metadata=self._metadata or None)
            except ResourceExistsError:
                return False
        self._created.add(self._name)
        return True

    def delete(self) -> None:
        """Delete the queue and its poison queue, if (and only if) this object created them."""
        self._refuse_unless_created("delete")
        for name, client in ((self.poison_name, self._poison), (self._name, self._client)):
            if name in self._created:
                with (
                    azure_errors("delete the queue", name, self._endpoint),
                    suppress(ResourceNotFoundError),
                ):
                    client.delete_queue()
                self._created.discard(name)

    def clear(self) -> None:
        """Delete every message unread; refused on a queue this object did not create."""
        self._refuse_unless_created("clear")
        with azure_errors("clear the queue", self._name, self._endpoint):
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
        return self._sendmessage_text(message, encode(message), visibility_timeout, time_to_live)

    def send_many(
        self, messages: Iterable[QueueTaskMessage], *, concurrency: int = 16
    ) -> list[SentMessage]:
        """Send concurrently; results in input order.

        Every message is encoded before the first is sent, so an invalid or
        oversized message rejects the whole batch instead of half of it.
        Threads, not the SDK's aio client: against Azurite aio was no faster
        (both are bound by azure-core's per-request CPU) and needs aiohttp.
        """
        batch = list(messages)
        texts: list[str] = []
        for index, message in enumerate(batch):
            try:
                texts.append(encode(message))
            except MessageEncodeError as exc:  # includes MessageTooLargeError
                raise type(exc)(exc.message, where=f"messages[{index}]", fix=exc.fix) from exc
        outcomes = parallel(
            lambda pair: self._sendmessage_text(pair[0], pair[1], None, None),
            list(zip(batch, texts, strict=True)),
            concurrency,
        )
        sent = [o if isinstance(o, SentMessage) else None for o in outcomes]
        failures = {i: o for i, o in enumerate(outcomes) if isinstance(o, ServiceError)}
        if failures:
            raise SendManyError(
                f"{len(failures)} of {len(batch)} messages were not sent "
                f"(first failed index: {min(failures)})",
                sent=sent,
                failures=failures,
            )
        return [s for s in sent if s is not None]

    def _sendmessage_text(
        self, message: QueueTaskMessage, text: str, visibility: int | None, ttl: int | None
    ) -> SentMessage:
        with azure_errors(f"send a {message.type} message", self._name, self._endpoint):
            result = self._client.send_message(
                text, visibility_timeout=visibility, time_to_live=ttl
            )
        return SentMessage(
            message=message,
            message_id=result.id,
            pop_receipt=str(result.pop_receipt),
            inserted_on=aware(result.inserted_on),
            expires_on=aware(result.expires_on),
            text=text,
        )

    # --- receiving -----------------------------------------------------------

    def receive(
        self, max_messages: int = _MAX_BATCH, visibility_timeout: int = 30
    ) -> list[ReceivedTask]:
        """Take up to ``max_messages`` (1-32) in one request; poison what cannot be processed.

        Returned tasks stay invisible for ``visibility_timeout`` seconds; ``ack``
        each one when done, or it comes back with a higher dequeue count.
        """
        return self._receive_batch(max_messages, visibility_timeout)[0]

    def ack(self, received: ReceivedTask) -> None:
        """Delete a processed message (needs the pop receipt of its latest receive)."""
        with azure_errors(f"ack message {received.message_id}", self._name, self._endpoint):
            self._client.delete_message(received.message_id, received.pop_receipt)

    def drain(
        self, *, ack: bool = True, visibility_timeout: int = 30, limit: int | None = None
    ) -> list[ReceivedTask]:
        """Receive in batches until no message is visible (or ``limit`` is reached).

        With ``ack`` each batch is deleted once decoded and collected; a failed
        ack is logged, not raised, because that message simply comes back
        (at-least-once), while raising would drop the acked ones from the
        result. A failed receive raises ``DrainError`` carrying what was taken
        so far. Without ``ack`` messages return after ``visibility_timeout``.
        Delayed (not yet visible) messages are not waited for.
        """
        tasks: list[ReceivedTask] = []
        while limit is None or len(tasks) < limit:
            want = _MAX_BATCH if limit is None else min(_MAX_BATCH, limit - len(tasks))
            try:
                batch, seen = self._receive_batch(want, visibility_timeout)
            except ServiceError as exc:
                if not tasks:
                    raise
                raise DrainError(exc, tasks) from exc
            if ack and batch:
                for task, outcome in zip(batch, parallel(self.ack, batch, 16), strict=True):
                    if isinstance(outcome, ServiceError):
                        _log.warning(
                            "drain: ack of %s failed; it will return: %s", task.message_id, outcome
                        )
            tasks.extend(batch)
            if seen == 0:
                break
        return tasks

    def peek(self, max_messages: int = _MAX_BATCH) -> list[PeekedTask]:
        """Look at up to 32 messages at the front without taking or poisoning them."""
        _check_batch(max_messages)
        with azure_errors("peek", self._name, self._endpoint):
            raw = list(self._client.peek_messages(max_messages=max_messages))
        peeked: list[PeekedTask] = []
        for item in raw:
            text = message_text(item)
            message: QueueTaskMessage | None = None
            error: MessageDecodeError | None = None
            try:
                message = decode(text)
            except MessageDecodeError as exc:
                error = exc
            peeked.append(PeekedTask(message, error, item.id, item.dequeue_count or 0, text))
        return peeked

    def approximate_count(self) -> int:
        """Messages in the queue, visible or not, as the service estimates it."""
        with azure_errors("read queue properties", self._name, self._endpoint):
            return self._client.get_queue_properties().approximate_message_count or 0

    def poisoned(self, max_messages: int = _MAX_BATCH) -> list[PoisonRecord]:
        """Peek at up to 32 poison records (split records joined); [] if none yet."""
        _check_batch(max_messages)
        with azure_errors("peek the poison queue", self.poison_name, self._endpoint):
            try:
                raw = list(self._poison.peek_messages(max_messages=max_messages))
            except ResourceNotFoundError:
                return []
        return assemble(decode_poison(message_text(item)) for item in raw)

    def _receive_batch(self, max_messages: int, visibility: int) -> tuple[list[ReceivedTask], int]:
        _check_batch(max_messages)
        with azure_errors("receive", self._name, self._endpoint):
            pages = self._client.receive_messages(
                messages_per_page=max_messages,
                max_messages=max_messages,
                visibility_timeout=visibility,
            ).by_page()
            raw: list[QueueMessage] = list(next(pages, []))
        tasks = [task for task in map(self._accept, raw) if task is not None]
        return tasks, len(raw)

    def _accept(self, item: QueueMessage) -> ReceivedTask | None:
        """Decode one delivery, or move it to the poison queue and return None."""
        text = message_text(item)
        count = item.dequeue_count or 1
        try:
            message = decode(text)
        except MessageDecodeError as exc:
            self._move_to_poison(item, text, PoisonReason.UNDECODABLE, exc, None)
            return None
        if count > self._max_dequeue_count:
            self._move_to_poison(item, text, PoisonReason.MAX_DEQUEUE_EXCEEDED, None, message.type)
            return None
        return ReceivedTask(
            message=message,
            message_id=item.id,
            pop_receipt=str(item.pop_receipt),
            dequeue_count=count,
            text=text,
            inserted_on=aware(item.inserted_on),
            next_visible_on=aware(item.next_visible_on),
        )

    def _move_to_poison(
        self,
        item: QueueMessage,
        text: str,
        reason: PoisonReason,
        error: MessageDecodeError | None,
        task_type: str | None,
    ) -> None:
        """Copy first, delete second: a failure in between leaves a duplicate, never a loss."""
        count = item.dequeue_count or 1
        record = PoisonRecord(
            reason=reason,
            error=type(error).__name__ if error else None,
            detail=error.message
            if error
            else f"delivered {count} times, more than max_dequeue_count={self._max_dequeue_count}",
            where=error.where if error else None,
            task_type=task_type,
            queue=self._name,
            original_message_id=item.id,
            dequeue_count=count,
            inserted_on=aware(item.inserted_on),
            raw_text=text,
        )
        for part in encode_poison(record):
            self._send_poison(part)
        try:
            with azure_errors("delete a poisoned message", self._name, self._endpoint):
                self._client.delete_message(item.id, item.pop_receipt)
        except ServiceError as exc:
            _log.error("poisoned message %s stays in %s as well: %s", item.id, self._name, exc)
        _log.warning(
            "moved message %s from %s to %s: %s", item.id, self._name, self.poison_name, reason
        )

    def _send_poison(self, text: str) -> None:
        with azure_errors("send to the poison queue", self.poison_name, self._endpoint):
            try:
                self._poison.send_message(text)
            except ResourceNotFoundError:
                try:
                    self._poison.create_queue(metadata=getattr(self, "_metadata", None) or None)
                    self._created.add(self.poison_name)
                except ResourceExistsError:
                    pass
                self._poison.send_message(text)

    def _refuse_unless_created(self, action: str) -> None:
        if self._name not in self._created:
            raise UnsafeOperationError(
                f"refusing to {action} queue {self._name!r}: this TaskQueue did not create it",
                where=f"queue {self._name!r} at {self._endpoint}",
                fix="only queues made by this object's create() can be cleared or deleted; "
                "to empty someone else's queue, receive and ack its messages",
            )


def _check_batch(max_messages: int) -> None:
    if not 1 <= max_messages <= _MAX_BATCH:
        raise ConfigurationError(
            f"max_messages must be 1-{_MAX_BATCH}, not {max_messages}",
            where="max_messages",
            fix="Azure returns at most 32 messages per request; use drain() for more",
        )
