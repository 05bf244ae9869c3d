"""``edu_queue``: a per-test queue that checks, records and asserts on messages.

Three duties on top of ``TaskQueue``:

* every message that passes through (sent by the fixture, or found on the
  queue at the end of the test, i.e. sent by the code under test with its own
  client) is validated against the pinned contract version; a violation
  fails the test naming the field and the rule it broke;
* each is appended to the recording file (``--edu-record``), the producer's
  evidence for consumer verification;
* ``expect`` finds a sent task by kind and fields, or fails listing what
  was on the queue.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from edu_contracts.errors import ContractViolationError, ExpectationError
from edu_contracts.queue import ReceivedTask, SentMessage, TaskQueue
from edu_contracts.schemas.queue import QueueTaskMessage

__all__ = ["EduQueue"]

_RECORD_LOCK = threading.Lock()


class EduQueue:
    """A test's own queue; wraps ``TaskQueue`` (``.tasks``) and keeps what it saw."""

    def __init__(
        self,
        tasks: TaskQueue,
        *,
        contract_version: str | None,
        record: Path | None,
        test_id: str,
        connection_string: str | None = None,
    ) -> None:
        self.tasks = tasks
        self._connection_string = connection_string
        self.contract_version = contract_version
        self._record = record
        self._test_id = test_id
        self._checked: set[str] = set()
        self.sent: list[SentMessage] = []

    # -- what user code needs to reach this queue ---------------------------
    @property
    def name(self) -> str:
        return self.tasks.name

    @property
    def poison_name(self) -> str:
        return self.tasks.poison_name

    # -- sending ------------------------------------------------------------
    def send(self, message: QueueTaskMessage) -> SentMessage:
        self.check(message)
        sent = self.tasks.send(message)
        self._seen(sent.message_id, message)
        self.sent.append(sent)
        return sent

    def send_many(self, messages: Iterable[QueueTaskMessage]) -> list[SentMessage]:
        batch = list(messages)
        for message in batch:
            self.check(message)
        sent = self.tasks.send_many(batch)
        for item in sent:
            self._seen(item.message_id, item.message)
        self.sent.extend(sent)
        return sent

    def receive(self, max_messages: int = 32, visibility_timeout: int = 30) -> list[ReceivedTask]:
        received = self.tasks.receive(max_messages, visibility_timeout)
        for item in received:
            self.check(item.message)
            self._seen(item.message_id, item.message)
        return received

    def send_raw(self, text: str) -> str:
        """Put ``text`` on the queue as it is (no encoding, no contract check): for
        testing how a consumer treats malformed or foreign messages. Its message id."""
        result = self.tasks.client.send_message(text)
        return str(result.id)

    def ack(self, received: ReceivedTask) -> None:
        self.tasks.ack(received)

    # -- contract -----------------------------------------------------------
    def check(self, message: QueueTaskMessage) -> None:
        """Fail with the field and rule if ``message`` breaks the pinned contract."""
        from edu_contracts.registry.validate import validate_message

        violations = validate_message(json.loads(message.model_dump_json()), self.contract_version)
        if violations:
            first = violations[0]
            raise ContractViolationError(
                f"a {message.type} message breaks the pinned contract: {first.message} "
                f"(rule: {first.rule})",
                where=f"{first.pointer} vs contract {self.contract_version or 'latest'}",
                fix="send what the pinned contract allows, or release a new contract version "
                "and pin it (--edu-contract-version)",
            )

    def _seen(self, message_id: str, message: QueueTaskMessage) -> None:
        if message_id in self._checked:
            return
        self._checked.add(message_id)
        self._write_record(message)

    def _write_record(self, message: QueueTaskMessage) -> None:
        if self._record is None:
            return
        from edu_contracts.workflows.recording import record_line

        line = record_line(json.loads(message.model_dump_json()), test=self._test_id)
        with _RECORD_LOCK:
            self._record.parent.mkdir(parents=True, exist_ok=True)
            with self._record.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    # -- assertions ---------------------------------------------------------
    def messages(self) -> list[QueueTaskMessage]:
        """Messages on the queue now (not taken), checked and recorded as they are seen."""
        found: list[QueueTaskMessage] = []
        for peeked in self.tasks.peek():
            if peeked.message is None:
                continue
            self.check(peeked.message)
            self._seen(peeked.message_id, peeked.message)
            found.append(peeked.message)
        return found

    def expect(self, kind: str, /, **fields: Any) -> QueueTaskMessage:
        """The first message of ``kind`` whose ``data`` (or envelope) has ``fields``.

        Values compare by string form, so ``project_id=project.id`` matches
        whether the message holds a UUID or its text.
        """
        on_queue = self.messages()
        for message in on_queue:
            if message.type == kind and _matches(message, fields):
                return message
        listing = "\n".join(f"  - {_short(m)}" for m in on_queue) or "  (the queue is empty)"
        wanted = ", ".join(f"{k}={v}" for k, v in fields.items())
        raise ExpectationError(
            f"no {kind} message with {wanted or 'any fields'} on queue {self.name}; "
            f"it holds {len(on_queue)} message(s):\n{listing}",
            where=f"queue {self.name}",
            fix="check that the code under test sends to this queue (edu_queue.name)",
        )

    def finish(self) -> None:
        """End of test: check and record what the code under test sent, then clean up."""
        try:
            for received in self._drain_remaining():
                self.check(received.message)
                self._seen(received.message_id, received.message)
        finally:
            self._delete_queues()

    def _delete_queues(self) -> None:
        """Delete this test's queue and its poison sibling, whoever created the
        sibling (the code under test's own TaskQueue usually does). Safe: both
        names carry this run's prefix, checked by the fixture that made them."""
        from azure.core.exceptions import ResourceNotFoundError

        try:
            self.tasks.delete()
            if self._connection_string is not None:
                from azure.storage.queue import QueueClient

                poison = QueueClient.from_connection_string(
                    self._connection_string, self.poison_name
                )
                with poison, contextlib.suppress(ResourceNotFoundError):
                    poison.delete_queue()
        finally:
            self.tasks.close()

    def _drain_remaining(self) -> Iterator[ReceivedTask]:
        yield from self.tasks.drain(ack=True, visibility_timeout=5)


def _matches(message: QueueTaskMessage, fields: dict[str, Any]) -> bool:
    data = message.data
    for key, wanted in fields.items():
        holder = data if hasattr(data, key) else message
        if not hasattr(holder, key) or str(getattr(holder, key)) != str(wanted):
            return False
    return True


def _short(message: QueueTaskMessage) -> str:
    return f"{message.type} {message.data.model_dump_json()}"
