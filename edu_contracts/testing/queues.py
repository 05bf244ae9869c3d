"""``edu_queue`` and ``edu_async_queue``: a per-test queue that checks, records and asserts.

Three duties on top of ``TaskQueue`` / ``AsyncTaskQueue``:

* every message that passes through (sent by the fixture, or found on the
  queue at the end of the test, i.e. sent by the code under test with its own
  client) is validated against the pinned contract version; a violation
  fails the test naming the field and the rule it broke;
* a message the code under test put on the queue that does not even decode
  never passes silently: ``expect`` lists it with its error, teardown fails
  the test naming the decode error, and the recording marks it so
  ``can-i-deploy`` fails. Only ``send_raw`` (the test's own deliberate
  garbage, to test a consumer) is exempt;
* each message is appended to the recording file (``--edu-record``), the
  producer's evidence for consumer verification.

The sync and async faces share one ``_Ledger`` (every check, the recording,
the listings and the verdicts); the faces only do I/O. The async face opens
an aio client per call, so it works on whatever event loop the test runs
(pytest-asyncio, anyio) and leaves no session open; teardown is the same
blocking code for both.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edu_contracts.errors import ContractViolationError, ExpectationError
from edu_contracts.queue import (
    PeekedTask,
    PoisonReason,
    PoisonRecord,
    ReceiveResult,
    SentMessage,
    TaskQueue,
)
from edu_contracts.schemas.queue import QueueTaskMessage

if TYPE_CHECKING:  # imported on use: aiohttp and the aio SDK cost a sync test ~0.2 s
    from edu_contracts.queue import AsyncTaskQueue

__all__ = ["EduAsyncQueue", "EduQueue", "Undecodable"]

_RECORD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Undecodable:
    """A message on the test's queue that is not a valid ``QueueTaskMessage``."""

    message_id: str
    error: str
    detail: str
    where: str | None
    text: str

    def describe(self) -> str:
        at = f" at {self.where}" if self.where else ""
        return f"message {self.message_id}: {self.error}{at}: {self.detail}"


class _Ledger:
    """What a test's queue saw, and the rules about it; no queue I/O."""

    def __init__(self, *, contract_version: str | None, record: Path | None, test_id: str) -> None:
        self.contract_version = contract_version
        self._record = record
        self._test_id = test_id
        self._recorded: set[str] = set()
        self.raw_ids: set[str] = set()
        self.undecodable: dict[str, Undecodable] = {}
        self.sent: list[SentMessage] = []

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

    def seen(self, message_id: str, message: QueueTaskMessage) -> None:
        """Check a message found on or taken from the queue, and record it once."""
        self.check(message)
        if message_id not in self._recorded:
            self._recorded.add(message_id)
            self._write(json.loads(message.model_dump_json()), None, None)

    def seen_bad(self, bad: Undecodable) -> None:
        """Note an undecodable message; unless the test sent it raw, it fails the test."""
        if bad.message_id in self.raw_ids or bad.message_id in self.undecodable:
            return
        self.undecodable[bad.message_id] = bad
        self._write(None, bad, bad.text)

    def _write(
        self, body: dict[str, Any] | None, bad: Undecodable | None, text: str | None
    ) -> None:
        if self._record is None:
            return
        from edu_contracts.workflows.recording import record_line, undecodable_line

        if bad is None:
            assert body is not None
            line = record_line(body, test=self._test_id)
        else:
            line = undecodable_line(
                text or "", error=bad.error, detail=bad.detail, where=bad.where, test=self._test_id
            )
        with _RECORD_LOCK:
            self._record.parent.mkdir(parents=True, exist_ok=True)
            with self._record.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def on_queue(self, peeked: Sequence[PeekedTask]) -> list[QueueTaskMessage]:
        """The decodable messages of a peek, each checked and recorded; note the rest."""
        found: list[QueueTaskMessage] = []
        for item in peeked:
            if item.message is None:
                error = item.error
                self.seen_bad(
                    Undecodable(
                        item.message_id,
                        type(error).__name__ if error else "MessageDecodeError",
                        error.message if error else "",
                        error.where if error else None,
                        item.text,
                    )
                )
                continue
            self.seen(item.message_id, item.message)
            found.append(item.message)
        return found

    def taken(self, result: ReceiveResult) -> None:
        """Check and record what a receive handed out; note what it poisoned as undecodable."""
        for task in result:
            self.seen(task.message_id, task.message)
        for poisoned in result.poisoned:
            if poisoned.reason is PoisonReason.UNDECODABLE:
                self.seen_bad(
                    Undecodable(
                        poisoned.message_id,
                        poisoned.error or "MessageDecodeError",
                        poisoned.detail or "",
                        poisoned.where,
                        poisoned.text,
                    )
                )

    def in_poison_queue(self, records: Iterable[PoisonRecord]) -> None:
        """Undecodable messages a consumer under test already moved aside count too."""
        for record in records:
            if record.reason is PoisonReason.UNDECODABLE:
                self.seen_bad(
                    Undecodable(
                        record.original_message_id,
                        record.error or "MessageDecodeError",
                        record.detail or "",
                        record.where,
                        record.raw_text,
                    )
                )

    def expect_in(
        self, name: str, messages: list[QueueTaskMessage], kind: str, fields: dict[str, Any]
    ) -> QueueTaskMessage:
        for message in messages:
            if message.type == kind and _matches(message, fields):
                return message
        lines = [f"  - {_short(m)}" for m in messages]
        lines += [f"  - UNDECODABLE {bad.describe()}" for bad in self.undecodable.values()]
        listing = "\n".join(lines) or "  (the queue is empty)"
        wanted = ", ".join(f"{k}={v}" for k, v in fields.items())
        raise ExpectationError(
            f"no {kind} message with {wanted or 'any fields'} on queue {name}; "
            f"it holds {len(messages)} message(s)"
            + (f" and {len(self.undecodable)} that do not decode" if self.undecodable else "")
            + f":\n{listing}",
            where=f"queue {name}",
            fix="check that the code under test sends to this queue (edu_queue.name) "
            "and encodes with edu_contracts.queue.encode",
        )

    def verdict(self, name: str) -> None:
        """End of test: undecodable producer output fails the test, naming each error."""
        if not self.undecodable:
            return
        listing = "\n".join(f"  - {bad.describe()}" for bad in self.undecodable.values())
        raise ContractViolationError(
            f"the code under test put {len(self.undecodable)} message(s) on queue {name} "
            f"that do not decode as QueueTaskMessage:\n{listing}",
            where=f"queue {name}",
            fix="build messages with the models of edu_contracts.schemas.queue and send them "
            "with TaskQueue/AsyncTaskQueue (or edu_contracts.queue.encode); to test a consumer "
            "with malformed input on purpose, use edu_queue.send_raw(text)",
        )


def _finish(tasks: TaskQueue, ledger: _Ledger) -> None:
    """Teardown for both faces: take what is left, check it, clean up, then judge."""
    problem: BaseException | None = None
    try:
        ledger.taken(tasks.drain(ack=True, visibility_timeout=5))
        ledger.in_poison_queue(tasks.poisoned())
    except AssertionError as exc:  # a contract violation: still clean up, then report it
        problem = exc
    finally:
        try:
            tasks.delete()  # both queues: created exclusively by the fixture
        finally:
            tasks.close()
    if problem is not None:
        raise problem
    ledger.verdict(tasks.name)


class _QueueFace:
    """What both faces hold: the test's queue (a blocking ``TaskQueue``, also what
    teardown uses) and the ledger of everything that passed through it."""

    def __init__(
        self,
        tasks: TaskQueue,
        *,
        contract_version: str | None,
        record: Path | None,
        test_id: str,
        connection_string: str | None,
    ) -> None:
        self._tasks = tasks
        self.connection_string = connection_string
        self._ledger = _Ledger(contract_version=contract_version, record=record, test_id=test_id)
        self.contract_version = contract_version
        self.sent = self._ledger.sent

    @property
    def name(self) -> str:
        return self._tasks.name

    @property
    def poison_name(self) -> str:
        return self._tasks.poison_name

    def check(self, message: QueueTaskMessage) -> None:
        """Fail with the field and rule if ``message`` breaks the pinned contract."""
        self._ledger.check(message)

    def finish(self) -> None:
        """End of test: check and record what the code under test sent, then clean up."""
        _finish(self._tasks, self._ledger)


class EduQueue(_QueueFace):
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
        super().__init__(
            tasks,
            contract_version=contract_version,
            record=record,
            test_id=test_id,
            connection_string=connection_string,
        )

    @property
    def tasks(self) -> TaskQueue:
        """The test's ``TaskQueue``, for what this wrapper does not cover."""
        return self._tasks

    def send(self, message: QueueTaskMessage) -> SentMessage:
        self._ledger.check(message)
        sent = self.tasks.send(message)
        self._ledger.seen(sent.message_id, message)
        self.sent.append(sent)
        return sent

    def send_many(self, messages: Iterable[QueueTaskMessage]) -> list[SentMessage]:
        batch = list(messages)
        for message in batch:
            self._ledger.check(message)
        sent = self.tasks.send_many(batch)
        for item in sent:
            self._ledger.seen(item.message_id, item.message)
        self.sent.extend(sent)
        return sent

    def send_raw(self, text: str) -> str:
        """Put ``text`` on the queue as it is (no encoding, no contract check): for
        testing how a consumer treats malformed or foreign messages. Its message id."""
        result = self.tasks.client.send_message(text)
        self._ledger.raw_ids.add(str(result.id))
        return str(result.id)

    def receive(self, max_messages: int = 32, visibility_timeout: int = 30) -> ReceiveResult:
        received = self.tasks.receive(max_messages, visibility_timeout)
        self._ledger.taken(received)
        return received

    def ack(self, received: Any) -> None:
        self.tasks.ack(received)

    def messages(self) -> list[QueueTaskMessage]:
        """Valid messages on the queue now (not taken), checked and recorded as seen."""
        return self._ledger.on_queue(self.tasks.peek())

    def poisoned(self) -> list[PoisonRecord]:
        """Records on this queue's ``-poison`` sibling (split records joined)."""
        return self.tasks.poisoned()

    def expect(self, kind: str, /, **fields: Any) -> QueueTaskMessage:
        """The first message of ``kind`` whose ``data`` (or envelope) has ``fields``.

        Values compare by string form, so ``project_id=project.id`` matches
        whether the message holds a UUID or its text. A failure lists every
        message on the queue, undecodable ones with their errors.
        """
        return self._ledger.expect_in(self.name, self.messages(), kind, fields)


class EduAsyncQueue(_QueueFace):
    """``EduQueue``'s async face: the same queue rules and checks, as coroutines."""

    def __init__(
        self,
        tasks: TaskQueue,
        *,
        contract_version: str | None,
        record: Path | None,
        test_id: str,
        connection_string: str,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        # the blocking queue is used only at teardown (after the test's loop)
        super().__init__(
            tasks,
            contract_version=contract_version,
            record=record,
            test_id=test_id,
            connection_string=connection_string,
        )
        self.connection_string: str = connection_string  # always given: open() needs it
        self._options = dict(client_options or {})

    def open(self) -> AsyncTaskQueue:
        """A new ``AsyncTaskQueue`` on this test's queue, on the running loop (close it)."""
        from edu_contracts.queue import AsyncTaskQueue

        return AsyncTaskQueue.from_connection_string(
            self.connection_string, self.name, **self._options
        )

    async def send(self, message: QueueTaskMessage) -> SentMessage:
        self._ledger.check(message)
        async with self.open() as tasks:
            sent = await tasks.send(message)
        self._ledger.seen(sent.message_id, message)
        self.sent.append(sent)
        return sent

    async def send_many(self, messages: Iterable[QueueTaskMessage]) -> list[SentMessage]:
        batch = list(messages)
        for message in batch:
            self._ledger.check(message)
        async with self.open() as tasks:
            sent = await tasks.send_many(batch)
        for item in sent:
            self._ledger.seen(item.message_id, item.message)
        self.sent.extend(sent)
        return sent

    async def send_raw(self, text: str) -> str:
        """Put ``text`` on the queue as it is (see ``EduQueue.send_raw``). Its message id."""
        async with self.open() as tasks:
            result = await tasks.client.send_message(text)
        self._ledger.raw_ids.add(str(result.id))
        return str(result.id)

    async def receive(self, max_messages: int = 32, visibility_timeout: int = 30) -> ReceiveResult:
        async with self.open() as tasks:
            received = await tasks.receive(max_messages, visibility_timeout)
        self._ledger.taken(received)
        return received

    async def ack(self, received: Any) -> None:
        async with self.open() as tasks:
            await tasks.ack(received)

    async def messages(self) -> list[QueueTaskMessage]:
        async with self.open() as tasks:
            peeked = await tasks.peek()
        return self._ledger.on_queue(peeked)

    async def poisoned(self) -> list[PoisonRecord]:
        async with self.open() as tasks:
            return await tasks.poisoned()

    async def expect(self, kind: str, /, **fields: Any) -> QueueTaskMessage:
        """As ``EduQueue.expect``, awaited."""
        return self._ledger.expect_in(self.name, await self.messages(), kind, fields)


def _matches(message: QueueTaskMessage, fields: dict[str, Any]) -> bool:
    data = message.data
    for key, wanted in fields.items():
        holder = data if hasattr(data, key) else message
        if not hasattr(holder, key) or str(getattr(holder, key)) != str(wanted):
            return False
    return True


def _short(message: QueueTaskMessage) -> str:
    return f"{message.type} {message.data.model_dump_json()}"
