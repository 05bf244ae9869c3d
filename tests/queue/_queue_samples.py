"""One valid message of every task kind, built by hand so the codec's tests
do not depend on the factories they help to verify."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from edu_contracts.schemas.queue import MESSAGE_ADAPTER, TASK_TYPES, QueueTaskMessage


def _ids() -> dict[str, str]:
    return {"project_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4())}


def sample_dict(task_type: str) -> dict[str, Any]:
    """The JSON object a producer would send for ``task_type``, with non-default options."""
    docs = [str(uuid.uuid4()), str(uuid.uuid4())]
    data: dict[str, Any]
    if task_type in {"document_processing", "document_deletion"}:
        data = {"document_id": str(uuid.uuid4()), **_ids()}
    elif task_type in {"flashcard_generation", "quiz_generation"}:
        data = {**_ids(), "document_ids": docs, "count": 7, "difficulty": "hard"}
    elif task_type == "note_generation":
        data = {**_ids(), "document_ids": docs, "detail": "brief", "language": "pt-BR"}
    elif task_type == "mind_map_generation":
        data = {**_ids(), "document_ids": docs, "max_depth": 4}
    else:  # pragma: no cover - a new kind must be added here
        raise AssertionError(f"no sample for {task_type}")
    return {"type": task_type, "data": data, "correlation_id": f"req-{task_type}"}


def sample_message(task_type: str) -> QueueTaskMessage:
    return MESSAGE_ADAPTER.validate_python(sample_dict(task_type))


def all_samples() -> list[QueueTaskMessage]:
    return [sample_message(task_type) for task_type in TASK_TYPES]


def wire(document: Any) -> str:
    """What a producer puts on the queue for an arbitrary JSON document."""
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")
