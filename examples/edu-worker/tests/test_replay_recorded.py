"""The consumer half of the message pact: replay what edu-api's tests sent.

edu-api's CI runs ``pytest --edu-record=recorded.jsonl`` and publishes the
file; ``nox -s contracts -- recorded.jsonl`` runs this test with
``--edu-replay`` pointing at it. The plugin runs the test once per recorded
message, and ``edu_recorded_message`` has already checked that the message
validates against the contract this worker pins (``edu_contract_version``
in pyproject.toml) and decodes with this worker's edu-contracts. The test

1. sets up the *provider state* the message assumes: the user, project and
   documents it names, as edu-api would have left them (a pending upload
   with its file stored; for a generation task, documents this worker has
   processed itself);
2. puts the exact wire text on a real queue and runs ``run_worker_once``:
   the task must be handled and acked, and nothing may reach the poison
   queue.

Without ``--edu-replay`` the plugin skips it, saying why.
"""

from __future__ import annotations

import uuid

import pytest
from edu_contracts.queue import decode
from edu_contracts.schemas.queue import DocumentProcessingMessage

from edu_worker import run_worker_once

pytestmark = pytest.mark.anyio

TEXT = """Osmosis moves water across a membrane towards the higher solute concentration.
Diffusion spreads particles from high to low concentration without energy.
Active transport pumps ions against their gradient and consumes ATP.
"""


async def test_recorded_message_is_handled(
    edu_recorded_message,
    edu_async_factories,
    edu_async_queue,
    edu_async_sessionmaker,
    document_store,
    upload,
    work,
):
    text = edu_recorded_message.wire_text()
    message = decode(text)
    await _given(
        message,
        edu_async_factories,
        edu_async_queue,
        edu_async_sessionmaker,
        document_store,
        upload,
    )

    await edu_async_queue.send_raw(text)
    report = await work()

    origin = f"recorded by {edu_recorded_message.test}"
    assert [(o.type, o.status) for o in report.outcomes] == [(message.type, "done")], (
        f"{origin}: {report.outcomes}"
    )
    assert not report.outcomes[0].detail.startswith("skipped"), report.outcomes[0].detail
    assert report.poisoned == []
    assert await edu_async_queue.poisoned() == []


async def _given(message, factories, queue, sessions, document_store, upload):
    """The rows the message names, as the producer would have left them."""
    data = message.data
    user = await factories.user(id=data.user_id, projects=0)
    project = await factories.project(id=data.project_id, user=user, documents=0)
    if message.type == "document_processing":
        await upload(TEXT, id=data.document_id, project=project)
        return
    document_ids: tuple[uuid.UUID, ...] = getattr(data, "document_ids", ())
    for document_id in document_ids:
        await upload(TEXT, id=document_id, project=project)
        await queue.send(
            DocumentProcessingMessage.of(
                document_id=document_id, project_id=project.id, user_id=user.id
            )
        )
    if document_ids:
        prepared = await run_worker_once(queue, sessions, sources=document_store)
        assert {o.status for o in prepared.outcomes} == {"done"}, prepared.outcomes
