"""The queue fixtures: a test's own queue (sync and async) and replayed recordings.

Split from ``fixtures`` (services and databases) by concept; the same rules
hold: every queue name carries the run id, a queue is created exclusively
with its ``-poison`` sibling and an ownership marker, and what the code under
test put on it is checked when the test ends.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from edu_contracts.testing._state import run_state

if TYPE_CHECKING:
    from edu_contracts.config import EduConfig
    from edu_contracts.queue import TaskQueue
    from edu_contracts.services import Services
    from edu_contracts.testing.queues import EduAsyncQueue, EduQueue
    from edu_contracts.workflows.recording import RecordedMessage

__all__ = ["edu_async_queue", "edu_queue", "edu_recorded_message"]


_queue_counter = itertools.count(1)
# A local service answers at once or not at all: a few quick retries, so a
# dead Azurite fails the test in seconds instead of the SDK's minutes of backoff.
_QUICK_RETRIES: dict[str, Any] = {"retry_total": 2, "initial_backoff": 0.2, "increment_base": 2}


@contextlib.contextmanager
def _test_queue(request: pytest.FixtureRequest, services: Services) -> Iterator[TaskQueue]:
    """The one place that makes a test's queue: a run-prefixed name, created
    *exclusively* with its ``-poison`` sibling (a queue that already exists is
    never cleared, read or deleted), and deleted after the test."""
    from edu_contracts.queue import TaskQueue

    services.check_alive()
    state = run_state(request.config)
    state.reap_queues_once()
    name = f"edu-{state.run_id}-{state.worker_slug}-{next(_queue_counter)}"
    tasks = TaskQueue.from_connection_string(
        services.azurite.connection_string, name, **_QUICK_RETRIES
    )
    try:
        tasks.create(exclusive=True, metadata=state.queue_metadata(name))
    except BaseException:
        tasks.close()
        raise
    yield tasks


def _end_of_test(services: Services, queue: EduQueue | EduAsyncQueue, tasks: TaskQueue) -> None:
    from edu_contracts.errors import ServiceDiedError

    try:
        services.check_alive()
    except ServiceDiedError:
        tasks.close()  # nothing to check or clean on a dead server; the test says why
        return
    queue.finish()


@pytest.fixture
def edu_queue(
    request: pytest.FixtureRequest, edu_services: Services, edu_config: EduConfig
) -> Iterator[EduQueue]:
    """A fresh queue for this test only; it and its ``-poison`` sibling are deleted
    afterwards. What the code under test put on it is checked at teardown."""
    from edu_contracts.testing.queues import EduQueue

    with _test_queue(request, edu_services) as tasks:
        queue = EduQueue(
            tasks,
            contract_version=edu_config.contract_version,
            record=edu_config.record,
            test_id=request.node.nodeid,
            connection_string=edu_services.azurite.connection_string,
        )
        yield queue
        _end_of_test(edu_services, queue, tasks)


@pytest.fixture
def edu_async_queue(
    request: pytest.FixtureRequest, edu_services: Services, edu_config: EduConfig
) -> Iterator[EduAsyncQueue]:
    """``edu_queue`` with coroutines (``await edu_async_queue.expect(...)``).

    A plain (sync) fixture on purpose: it works under pytest-asyncio and anyio
    alike, and each coroutine opens its aio client on the test's own loop.
    """
    from edu_contracts.testing.queues import EduAsyncQueue

    with _test_queue(request, edu_services) as tasks:
        queue = EduAsyncQueue(
            tasks,
            contract_version=edu_config.contract_version,
            record=edu_config.record,
            test_id=request.node.nodeid,
            connection_string=edu_services.azurite.connection_string,
            client_options=_QUICK_RETRIES,
        )
        yield queue
        _end_of_test(edu_services, queue, tasks)


@pytest.fixture
def edu_recorded_message(request: pytest.FixtureRequest, edu_config: EduConfig) -> RecordedMessage:
    """One message of the producer's recording (``--edu-replay FILE``), already
    checked: it decodes with this code and validates against the pinned
    contract, or the test fails naming the field and the rule.

    A test that takes it runs once per recorded message (the plugin
    parametrizes it); put ``edu_recorded_message.wire_text()`` on a queue
    with ``send_raw`` and run the consumer's handler on it.
    """
    from edu_contracts.errors import ContractViolationError
    from edu_contracts.queue import decode
    from edu_contracts.registry.validate import validate_message

    recorded: RecordedMessage | None = getattr(request, "param", None)
    if recorded is None:
        pytest.skip(
            "no recording to replay: pass --edu-replay=FILE (or EDU_REPLAY), the file the "
            "producer's `pytest --edu-record=FILE` wrote"
        )
    origin = f"{recorded.where}, recorded by {recorded.test or 'the producer'}"
    if recorded.undecodable is not None:
        bad = recorded.undecodable
        raise ContractViolationError(
            f"the producer sent a message that does not decode: {bad.error}: {bad.detail}",
            where=origin,
            fix="fix the producer: it must send QueueTaskMessage models through the codec",
        )
    violations = validate_message(recorded.body, edu_config.contract_version)
    if violations:
        raise ContractViolationError(
            f"a recorded {recorded.type} message breaks contract "
            f"{edu_config.contract_version or 'latest'}: {violations[0]}",
            where=origin,
            fix="deploy a consumer pinned to a contract that accepts it, or fix the producer",
        )
    decode(recorded.wire_text())  # MessageDecodeError names the field
    return recorded
