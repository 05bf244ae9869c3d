"""Issue 16.2: on a name clash ``edu_queue`` emptied the existing queue first.

A queue (and a poison queue) that already exist under the name the fixture
is about to use are made here, each holding a sentinel message; the fixture
must refuse with ``UnsafeOperationError`` and leave both byte-identical:
never cleared, read or deleted. Both faces share the creation code, and both
are checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from edu_contracts.errors import UnsafeOperationError
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing import queue_fixtures
from edu_contracts.testing._state import run_state

SENTINEL = "sentinel: someone else's message"


@pytest.fixture
def clash(
    request: pytest.FixtureRequest, edu_azurite: AzuriteInfo, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[QueueClient]]:
    state = run_state(request.config)
    number = 900_000 + (id(request) % 10_000)
    name = f"edu-{state.run_id}-{state.worker_slug}-{number}"
    monkeypatch.setattr(queue_fixtures, "_queue_counter", itertools.count(number))
    made = []
    for queue_name in (name, name + "-poison"):
        client = QueueClient.from_connection_string(edu_azurite.connection_string, queue_name)
        client.create_queue()
        client.send_message(SENTINEL)
        made.append(client)
    yield made
    for client in made:
        client.delete_queue()
        client.close()


def _untouched(clients: list[QueueClient]) -> None:
    for client in clients:
        (peeked,) = client.peek_messages(max_messages=32)
        assert peeked.content == SENTINEL
        assert peeked.dequeue_count == 0  # never received by anyone
        assert client.get_queue_properties().approximate_message_count == 1


@pytest.mark.parametrize("fixture", ["edu_queue", "edu_async_queue"])
def test_an_existing_queue_is_refused_and_left_byte_identical(
    request: pytest.FixtureRequest, clash: list[QueueClient], fixture: str
) -> None:
    with pytest.raises(UnsafeOperationError, match="already exists") as caught:
        request.getfixturevalue(fixture)
    assert "never clears, reads or deletes" in caught.value.message
    _untouched(clash)


def test_only_an_existing_poison_sibling_is_refused_too(
    request: pytest.FixtureRequest, clash: list[QueueClient]
) -> None:
    main, poison = clash
    main.delete_queue()  # the main name is free, the -poison one is someone else's
    with pytest.raises(UnsafeOperationError, match="-poison"):
        request.getfixturevalue("edu_queue")
    _untouched([poison])
    # the fixture made the main queue and removed it again: only its own is gone
    with pytest.raises(ResourceNotFoundError):
        main.get_queue_properties()
    main.create_queue()  # for the clash fixture's teardown
