"""Every error edu-contracts raises, under one root.

Callers catch ``EduContractsError`` to handle anything the toolkit refuses,
or a branch of the tree for one concern. Each error says what went wrong,
where (a file and field, a queue, a JSON pointer, a service), and the fix.

    EduContractsError
    ├── ConfigurationError            an option, ini key or env var is wrong
    ├── MissingDependencyError        an optional extra is not installed (also ImportError)
    ├── ServiceError                  a backing service could not serve
    │   ├── ToolNotFoundError         node, npm or a server binary is missing
    │   ├── ServiceStartError         a service did not come up
    │   ├── ServiceDiedError          a service stopped while in use
    │   ├── UnsafeOperationError      refused to touch something we did not create
    │   ├── DatabaseUnavailableError  the server cannot be reached or refused us
    │   ├── SendManyError             part of a send_many batch was refused (carries what was sent)
    │   └── DrainError                a drain stopped part-way (carries what it took)
    ├── MessageError                  queue messages
    │   ├── MessageEncodeError        a message cannot be put on the wire
    │   │   └── MessageTooLargeError  over Azure's 64 KiB limit (also a decode error)
    │   ├── MessageDecodeError        wire text cannot become a QueueTaskMessage
    │   │   ├── NotBase64Error
    │   │   ├── NotJSONError          not UTF-8, or not JSON
    │   │   ├── NotAnObjectError
    │   │   ├── UnknownTaskTypeError
    │   │   ├── PayloadInvalidError
    │   │   └── MessageTooLargeError
    │   └── ExpectationError          an expected message was not sent (also AssertionError)
    ├── ContractError                 released contracts and their files
    │   ├── ContractFileError         a contract file is unreadable or malformed
    │   ├── LockMismatchError         a released file changed after release
    │   ├── VersionError              a version is unknown, malformed or already released
    │   ├── IncompatibleChangeError   a change breaks a producer or consumer
    │   └── ContractViolationError    a sent message breaks the pinned contract (AssertionError)
    ├── MigrationError                an Alembic step failed or was asked the impossible
    ├── SearchArgumentError           a search argument cannot be used (also ValueError)
    │   └── VectorDimensionError      a query vector of the wrong width
    ├── IsolationError                a test's database isolation cannot do what was asked
    │   ├── IsolationMarkerError      a bad edu_isolation marker (also TypeError)
    │   └── ConcurrentSessionError    sessions sharing the test's connection ran at once
    ├── FactoryError                  a factory is misconfigured or cannot satisfy a rule
    ├── SeedError                     seeding refused or failed
    ├── OpenApiCheckError             the API fuzzer found failures (also AssertionError)
    └── MigrationSafetyError          migration lint or rehearsal cannot do its job
        └── RevisionReadError         a revision cannot be read or rendered offline
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

# This module imports nothing of the toolkit (every package imports it), so
# errors that carry context describe it structurally.


class _Operation(Protocol):
    @property
    def operation(self) -> str: ...


class _FuzzReport(Protocol):
    @property
    def seed(self) -> int: ...
    @property
    def failures(self) -> Sequence[_Operation]: ...
    def render(self) -> str: ...


class _Received(Protocol):
    """What a ``drain`` result holds (``edu_contracts.queue.ReceiveResult``)."""

    @property
    def tasks(self) -> Sequence[Any]: ...
    @property
    def seen(self) -> int: ...


__all__ = [
    "ConcurrentSessionError",
    "ConfigurationError",
    "ContractError",
    "ContractFileError",
    "ContractViolationError",
    "DatabaseUnavailableError",
    "DrainError",
    "EduContractsError",
    "ExpectationError",
    "FactoryError",
    "IncompatibleChangeError",
    "IsolationError",
    "IsolationMarkerError",
    "LockMismatchError",
    "MessageDecodeError",
    "MessageEncodeError",
    "MessageError",
    "MessageTooLargeError",
    "MigrationError",
    "MigrationSafetyError",
    "MissingDependencyError",
    "NotAnObjectError",
    "NotBase64Error",
    "NotJSONError",
    "OpenApiCheckError",
    "PayloadInvalidError",
    "RevisionReadError",
    "SearchArgumentError",
    "SeedError",
    "SendManyError",
    "ServiceDiedError",
    "ServiceError",
    "ServiceStartError",
    "ToolNotFoundError",
    "UnknownTaskTypeError",
    "UnsafeOperationError",
    "VectorDimensionError",
    "VersionError",
]


class EduContractsError(Exception):
    """Root of every error the toolkit raises.

    ``where`` and ``fix`` are kept as attributes so tools (the CLI, reports)
    can show them apart from the message; ``str()`` joins all three so a
    plain traceback is already actionable.
    """

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        text = self.message
        if self.where:
            text += f" [at {self.where}]"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class ConfigurationError(EduContractsError):
    """An option, ini key or environment variable has a value we cannot use."""


class MissingDependencyError(EduContractsError, ImportError):
    """An optional extra is needed for this feature; also an ImportError so
    ``except ImportError`` guards in user code keep working."""


class ServiceError(EduContractsError):
    """A backing service (Postgres, Azurite) could not do its part."""


class ToolNotFoundError(ServiceError):
    """An executable the backend needs is absent."""


class ServiceStartError(ServiceError):
    """A service did not become ready."""


class ServiceDiedError(ServiceError):
    """A service stopped while a test was using it."""


class UnsafeOperationError(ServiceError):
    """The toolkit refused to drop or write something it did not create."""


class MessageError(EduContractsError):
    """Anything about queue messages."""


class MessageEncodeError(MessageError):
    """A message cannot be put on the wire."""


class MessageDecodeError(MessageError):
    """Wire text could not become a valid ``QueueTaskMessage``.

    Consumers catch this one class: every decoding failure is a subclass, so
    a poison-message handler never sees a foreign exception.
    """


class NotBase64Error(MessageDecodeError):
    """The text is not valid base64."""


class NotJSONError(MessageDecodeError):
    """The decoded bytes are not UTF-8 JSON."""


class NotAnObjectError(MessageDecodeError):
    """The JSON document is not an object."""


class UnknownTaskTypeError(MessageDecodeError):
    """The ``type`` field names no known task kind."""


class PayloadInvalidError(MessageDecodeError):
    """The message is an object of a known type whose fields are invalid."""


class MessageTooLargeError(MessageEncodeError, MessageDecodeError):
    """Over the 64 KiB Azure Storage Queue limit; raised on encode and decode."""


class ExpectationError(MessageError, AssertionError):
    """A test expected a message that was not on the queue; an AssertionError
    so pytest reports it as a failed assertion."""


class ContractError(EduContractsError):
    """Released contracts and their files."""


class ContractFileError(ContractError):
    """A contract file is unreadable or malformed."""


class LockMismatchError(ContractError):
    """A released file no longer matches the hash in the lock file."""


class VersionError(ContractError):
    """A contract version is unknown, malformed or already released."""


class IncompatibleChangeError(ContractError):
    """A change breaks a producer or a consumer under the configured mode."""


class FactoryError(EduContractsError):
    """A factory is misconfigured or cannot satisfy a schema rule."""


class SeedError(EduContractsError):
    """Seeding was refused (non-empty database) or failed."""


# -- with context: these carry what the caller needs to recover -------------


class SendManyError(ServiceError):
    """Some messages of a ``send_many`` batch were not accepted.

    ``sent`` holds, in input order, the ``SentMessage`` of what was accepted
    (``None`` where not), so the caller resends exactly ``failures`` and
    duplicates nothing.
    """

    def __init__(self, message: str, *, sent: list[Any], failures: dict[int, ServiceError]) -> None:
        self.sent = sent
        self.failures = failures
        first = next(iter(failures.values()))
        super().__init__(message, where=first.where, fix=first.fix)


class DrainError(ServiceError):
    """``drain`` failed part-way; ``result`` holds what it had already done.

    With ``ack=True`` those messages are gone from the queue, so the caller
    must get them even though the drain did not finish: ``tasks`` (handed
    out), ``result.poisoned`` (moved aside) and ``result.left``.
    """

    def __init__(self, cause: ServiceError, result: _Received) -> None:
        self.result = result
        self.tasks: list[Any] = list(result.tasks)
        super().__init__(
            f"drain stopped after {result.seen} messages: {cause.message}",
            where=cause.where,
            fix=cause.fix,
        )


class ContractViolationError(ContractError, AssertionError):
    """A message breaks the pinned contract; an AssertionError so the test fails, not errors."""


class OpenApiCheckError(EduContractsError, AssertionError):
    """Schemathesis found failures; an AssertionError so pytest shows a failed test.

    ``report`` keeps every operation's statuses and failures for tools that
    want more than the text.
    """

    def __init__(self, report: _FuzzReport) -> None:
        self.report = report
        super().__init__(
            report.render(),
            where=", ".join(sorted({f.operation for f in report.failures})),
            fix="run the curl command of a failure against the app, fix the handler or its "
            f"response model, and rerun with seed={report.seed} to confirm",
        )


class DatabaseUnavailableError(ServiceError):
    """Connecting failed: wrong host or port, server down, bad credentials."""


class MigrationError(EduContractsError):
    """Upgrading, downgrading or comparing the schema failed."""


class SearchArgumentError(EduContractsError, ValueError):
    """A search was called with an argument it cannot use; also a ValueError
    so generic argument checks in callers keep working."""


class VectorDimensionError(SearchArgumentError):
    """A query vector does not have ``EMBEDDING_DIM`` components: it was
    embedded by a different model than the segments."""


class MigrationSafetyError(EduContractsError):
    """Migration lint or rehearsal cannot do its job (unknown revision, a
    rehearsal whose database is not at the release it claims)."""


class RevisionReadError(MigrationSafetyError):
    """A revision cannot be read: it fails to import, or its ``upgrade()``
    needs a live database (``op.get_bind()``) and cannot be rendered offline."""


class IsolationError(EduContractsError):
    """The plugin cannot isolate a test the way it was asked to."""


class IsolationMarkerError(IsolationError, TypeError):
    """``@pytest.mark.edu_isolation(...)`` has arguments it does not take; also a
    TypeError, like any call with the wrong arguments."""


class ConcurrentSessionError(IsolationError):
    """Two sessions on the test's one connection were used at the same time.

    Under the default (savepoint) isolation every session of a test joins one
    connection with a savepoint each; savepoints nest, so they must end in the
    reverse order they began. Sessions run concurrently (``asyncio.gather``,
    threads) end them out of order, which Postgres answers with ``savepoint
    "sa_savepoint_2" does not exist`` long after the cause.
    """
