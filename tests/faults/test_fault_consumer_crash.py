"""Consumers killed mid-message: every message handled exactly once, or poisoned.

1,000 messages; 10% of them kill the worker process that receives them
(``os._exit`` or ``SIGKILL``, before or after handling). Redelivery after a
one-second visibility timeout, idempotent handling keyed on ``message_id``
in Postgres and the poison queue together must account for every message.
"""

from __future__ import annotations

import contextlib
import json
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from azure.storage.queue import QueueClient

from edu_contracts.queue import PoisonReason, PoisonRecord
from edu_contracts.queue.poison import assemble, decode_poison
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing.fixtures import PostgresServer
from edu_contracts.testing.queues import EduQueue

TOTAL = 1_000
CRASHERS = 100  # 10%
ALWAYS = 5  # of which crash on every delivery and must end in poison
MAX_DEQUEUE = 3
SCRIPT = Path(__file__).with_name("_crash_consumer.py")


def _messages() -> list[DocumentProcessingMessage]:
    rng = random.Random(11)

    def uid() -> str:  # the contract's UUID form (8-4-4-4-12), as the strict codec demands
        return str(uuid.UUID(int=rng.getrandbits(128)))

    return [
        DocumentProcessingMessage(
            message_id=uid(),
            data=DocumentProcessingData(document_id=uid(), project_id=uid(), user_id=uid()),
        )
        for _ in range(TOTAL)
    ]


def _drain_poison(client: QueueClient) -> list[PoisonRecord]:
    records: list[PoisonRecord] = []
    try:
        while True:
            pages = client.receive_messages(messages_per_page=32, visibility_timeout=60).by_page()
            batch = list(next(pages, []))
            if not batch:
                return assemble(records)
            for item in batch:
                records.append(decode_poison(item.content))
                client.delete_message(item)
    except Exception as exc:  # no poison queue: nothing was poisoned
        if "QueueNotFound" in str(exc):
            return []
        raise


def test_killed_consumers_lose_nothing_and_handle_nothing_twice(
    edu_queue: EduQueue,
    edu_azurite: AzuriteInfo,
    edu_postgres: PostgresServer,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    db = edu_postgres.create_database("crash").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE handled (message_id uuid PRIMARY KEY, pid int, dequeue_count int)"
        )
        conn.execute("CREATE TABLE duplicates (message_id uuid, dequeue_count int)")

    messages = _messages()
    ids = [str(m.message_id) for m in messages]
    rng = random.Random(2026)
    crashers = rng.sample(ids, CRASHERS)
    plans = {mid: ("always" if i < ALWAYS else ("before", "after")[i % 2])
             for i, mid in enumerate(crashers)}  # fmt: skip
    (tmp_path / "plans.json").write_text(json.dumps(plans))
    edu_queue.tasks.send_many(messages)

    cfg = {
        "connection_string": edu_azurite.connection_string,
        "queue": edu_queue.name,
        "db": db,
        "plans": str(tmp_path / "plans.json"),
        "workers": 4,
        "visibility_timeout": 1,
        "idle_exit": 3.0,
        "max_dequeue_count": MAX_DEQUEUE,
        "timeout": 100,
    }
    poison_client = QueueClient.from_connection_string(
        edu_azurite.connection_string, edu_queue.poison_name
    )
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), json.dumps(cfg)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.perf_counter() - started
        assert result.returncode == 0, result.stderr[-3000:]
        counts = json.loads(result.stdout.strip().splitlines()[-1])
        poisoned = _drain_poison(poison_client)
    finally:
        with contextlib.suppress(Exception):  # never created: nothing was poisoned
            poison_client.delete_queue()
    with psycopg.connect(db) as conn:
        handled = {str(r[0]) for r in conn.execute("SELECT message_id FROM handled")}
        handled_rows = conn.execute("SELECT count(*) FROM handled").fetchone()[0]  # type: ignore[index]
        duplicates = [str(r[0]) for r in conn.execute("SELECT message_id FROM duplicates")]

    poisoned_ids = [r.original_message_id for r in poisoned]
    poisoned_messages = {json.loads(_b64(r.raw_text))["message_id"] for r in poisoned}
    crashes = counts["sigkill"] + counts["exit_137"]
    always = {mid for mid, plan in plans.items() if plan == "always"}
    after = {mid for mid, plan in plans.items() if plan == "after"}
    summary = (
        f"{TOTAL} messages in {elapsed:.1f} s: handled {len(handled)}, poisoned "
        f"{len(poisoned)}, redeliveries deduplicated {len(duplicates)}, worker crashes "
        f"{crashes} (SIGKILL {counts['sigkill']}, os._exit {counts['exit_137']}), "
        f"workers spawned {counts['spawned']}"
    )
    print(f"\nconsumer crash: {summary}")
    record_property("consumer_crash_counts", summary)

    assert counts["errors"] == 0, result.stderr[-3000:]
    assert "timed_out" not in counts, summary
    assert handled_rows == len(handled)  # the key held: no message handled twice
    assert handled.isdisjoint(poisoned_messages), "a message was both handled and poisoned"
    assert handled | poisoned_messages == set(ids), summary
    assert len(handled) + len(poisoned) == TOTAL, summary
    assert len(set(poisoned_ids)) == len(poisoned_ids)
    assert poisoned_messages == always
    for record in poisoned:
        assert record.reason is PoisonReason.MAX_DEQUEUE_EXCEEDED
        assert record.dequeue_count > MAX_DEQUEUE
        assert record.task_type == "document_processing"
    assert set(duplicates) == after, "each handled-then-killed message came back exactly once"
    assert crashes == (CRASHERS - ALWAYS) + ALWAYS * MAX_DEQUEUE, summary
    assert edu_queue.tasks.peek() == []


def _b64(text: str) -> str:
    import base64

    return base64.b64decode(text).decode()
