"""The consumer half of the message pact: replay what edu-api's tests sent.

edu-api's CI runs ``pytest --edu-record=recorded.jsonl`` and publishes the
file; here ``EDU_RECORDED_MESSAGES`` points at it. Every recorded message
becomes one test that

1. validates the message body against the contract version this worker pins
   (``edu_contract_version`` in pyproject.toml) and decodes its wire text
   with this worker's edu-contracts, so a mismatch fails with the field and
   the rule rather than as a silently poisoned message;
2. sets up the *provider state* the message assumes: the user, project and
   documents it names, as edu-api would have left them (a pending upload
   with its file stored; for a generation task, documents this worker has
   processed itself);
3. puts the exact wire text on a real queue and runs ``run_worker_once``:
   the task must be handled and acked, and nothing may reach the poison
   queue.

Without ``EDU_RECORDED_MESSAGES`` the test is skipped, saying why.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from edu_contracts.queue import decode
from edu_contracts.registry import latest_version
from edu_contracts.registry.validate import validate_message
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

from edu_worker import run_worker_once

RECORDING_ENV = "EDU_RECORDED_MESSAGES"
TEXT = """Osmosis moves water across a membrane towards the higher solute concentration.
Diffusion spreads particles from high to low concentration without energy.
Active transport pumps ions against their gradient and consumes ATP.
"""


def _recorded() -> list[Any]:
    location = os.environ.get(RECORDING_ENV)
    if not location:
        reason = (
            f"{RECORDING_ENV} is not set: point it at the JSON-lines file that edu-api's "
            "`pytest --edu-record=PATH` wrote (its CI artefact)"
        )
        return [pytest.param(None, id="no-recording", marks=pytest.mark.skip(reason=reason))]
    path = Path(location)
    if not path.is_file():
        return [pytest.param({"error": f"{RECORDING_ENV}={location} is not a file"}, id="missing")]
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        error = f"{location} holds no messages: a recording must prove something"
        return [pytest.param({"error": error}, id="empty")]
    return [
        pytest.param(json.loads(line), id=f"{n}-{json.loads(line)['type']}")
        for n, line in enumerate(lines, start=1)
    ]


@pytest.mark.parametrize("recorded", _recorded())
def test_recorded_message_is_handled(
    recorded, edu_config, edu_factories, edu_queue, edu_session, document_store, upload
):
    if "error" in recorded:
        pytest.fail(recorded["error"])
    body = recorded["body"]
    origin = f"recorded by {recorded.get('test', 'an unknown test')}"

    version = edu_config.contract_version or latest_version()
    violations = validate_message(body, version)
    assert not violations, f"{origin}: breaks contract {version} at {violations[0]}"
    text = base64.b64encode(json.dumps(body).encode()).decode("ascii")
    message = decode(text)  # raises a MessageDecodeError naming the field

    _given(message, edu_factories, edu_queue, edu_session, document_store, upload)
    edu_queue.send_raw(text)
    report = run_worker_once(edu_queue, edu_session, sources=document_store)

    assert [(o.type, o.status) for o in report.outcomes] == [(message.type, "done")], (
        f"{origin}: {report.outcomes}"
    )
    assert not report.outcomes[0].detail.startswith("skipped"), report.outcomes[0].detail
    assert edu_queue.tasks.poisoned() == []


def _given(message, edu_factories, edu_queue, edu_session, document_store, upload) -> None:
    """The rows the message names, as the producer would have left them."""
    data = message.data
    user = edu_factories.user(id=data.user_id, projects=0)
    project = edu_factories.project(id=data.project_id, user=user, documents=0)
    if message.type == "document_processing":
        upload(TEXT, id=data.document_id, project=project)
        return
    document_ids: tuple[uuid.UUID, ...] = getattr(data, "document_ids", ())
    for document_id in document_ids:
        upload(TEXT, id=document_id, project=project)
        edu_queue.send(
            DocumentProcessingMessage(
                data=DocumentProcessingData(
                    document_id=document_id, project_id=project.id, user_id=user.id
                )
            )
        )
    if document_ids:
        prepared = run_worker_once(edu_queue, edu_session, sources=document_store)
        assert {o.status for o in prepared.outcomes} == {"done"}, prepared.outcomes
