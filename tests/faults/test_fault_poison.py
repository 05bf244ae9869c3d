"""Malformed messages through a real Azurite: each one decoded or poisoned, none lost.

A few hundred texts from the mutation generator are put on the test's own
queue with the raw SDK (as a buggy or hostile producer would); ``drain``
must hand back every decodable one and move every other one to
``<queue>-poison`` with its reason and its original text.
"""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest
from _mutations import MutationGenerator
from azure.storage.queue import QueueClient

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue import PoisonReason, PoisonRecord, decode
from edu_contracts.queue.poison import assemble, decode_poison
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing.queues import EduQueue

COUNT = 300
SEED = 7_331


def _drain_poison(client: QueueClient) -> list[PoisonRecord]:
    records: list[PoisonRecord] = []
    while True:
        batch = list(client.receive_messages(max_messages=32, visibility_timeout=60))
        if not batch:
            return assemble(records)
        for item in batch:
            records.append(decode_poison(item.content))
            client.delete_message(item)


def _expected(text: str) -> str:
    try:
        decode(text)
    except MessageDecodeError as exc:
        return type(exc).__name__
    return "decoded"


def test_malformed_messages_on_azurite_are_decoded_or_poisoned_with_reason(
    edu_queue: EduQueue, edu_azurite: AzuriteInfo, record_property: pytest.RecordProperty
) -> None:
    texts = [text for _, text in MutationGenerator(SEED).generate(COUNT * 3) if _sendable(text)]
    texts = texts[:COUNT]
    sent: collections.Counter[str] = collections.Counter()
    refused: list[tuple[str, str]] = []
    for text in texts:
        try:
            edu_queue.send_raw(text)  # deliberate garbage: exempt from the teardown check
        except Exception as exc:  # the service refused it: not on the queue, not our loss
            refused.append((type(exc).__name__, text[:80]))
            continue
        sent[text] += 1
    expected = collections.Counter(_expected(t) for t in sent.elements())

    drained = edu_queue.tasks.drain(visibility_timeout=30)
    poison_client = QueueClient.from_connection_string(
        edu_azurite.connection_string, edu_queue.poison_name
    )
    poisoned = _drain_poison(poison_client) if expected["decoded"] < sum(sent.values()) else []

    accounted = collections.Counter([t.text for t in drained] + [r.raw_text for r in poisoned])
    summary = (
        f"sent {sum(sent.values())}, refused by the service {len(refused)}, "
        f"decoded {len(drained)}, poisoned {len(poisoned)}"
    )
    print(f"\nqueue fault pass: {summary}; expected outcomes {dict(expected)}")
    record_property("queue_fault_counts", summary)

    assert len(drained) + len(poisoned) == sum(sent.values()), summary
    assert accounted == sent, "texts changed or went missing between send and drain"
    assert len(drained) == expected["decoded"]
    for record in poisoned:
        assert record.reason is PoisonReason.UNDECODABLE
        assert record.error == _expected(record.raw_text), record
        assert record.detail
        assert record.queue == edu_queue.name
    assert edu_queue.tasks.peek() == []


_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _sendable(text: Any) -> bool:
    """Texts a producer can put on a real queue: a str of XML 1.0 characters.

    Azure Storage refuses the others on send (the message body is XML).
    Azurite accepts them and then answers every receive and peek of that
    queue with HTTP 500, wedging it, which no consumer can work around; that
    emulator quirk is kept out of this test. Size is left to the service.
    """
    return isinstance(text, str) and _XML_INVALID.search(text) is None
