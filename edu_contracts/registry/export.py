"""The current code's contract, as the files a release would freeze.

Everything is generated: message schemas by pydantic from
``edu_contracts.schemas.queue``, the table snapshot from the SQLAlchemy
metadata, and golden example messages from the message models. Nothing in a
release is written by hand, so a release can never disagree with the code
that produced it.

Layout of one version (paths relative to ``contracts/<version>/``)::

    messages/queue_task_message.json   the union every consumer validates against
    messages/<task type>.json          one schema per task kind
    tables.json                        snapshot of every table (compat.snapshot)
    examples/<task type>.minimal.json  required fields only (the seed's shape)
    examples/<task type>.full.json     every field, as a producer serialises it
"""

from __future__ import annotations

import types
import typing
import uuid
from pathlib import Path
from typing import Any

from edu_contracts.errors import ContractError
from edu_contracts.registry.files import write_json

__all__ = [
    "EXAMPLES_DIR",
    "MESSAGES_DIR",
    "TABLES_FILE",
    "UNION_FILE",
    "contract_files",
    "golden_examples",
    "message_files",
    "write_contract",
]

MESSAGES_DIR = "messages"
EXAMPLES_DIR = "examples"
TABLES_FILE = "tables.json"
UNION_FILE = f"{MESSAGES_DIR}/queue_task_message.json"

_NAMESPACE = uuid.UUID("6f1c1f0e-6b7a-4f44-9a3c-1d2f3e4a5b6c")
_CREATED_AT = "2026-01-01T00:00:00Z"


def message_files() -> dict[str, dict[str, Any]]:
    """``messages/*.json`` of the current code: the union and one per task kind."""
    from edu_contracts.schemas.queue import message_json_schema, task_json_schemas

    files = {UNION_FILE: message_json_schema()}
    for task_type, schema in task_json_schemas().items():
        files[f"{MESSAGES_DIR}/{task_type}.json"] = schema
    return files


def _example_value(task_type: str, field: str, annotation: Any) -> Any:
    """A fixed value for a required field, so examples are byte-identical per release."""
    if annotation is uuid.UUID:
        return str(uuid.uuid5(_NAMESPACE, f"{task_type}.{field}"))
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return [_example_value(task_type, field, args[0])] if args else []
    if origin is typing.Annotated:
        return _example_value(task_type, field, typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType):
        return _example_value(task_type, field, typing.get_args(annotation)[0])
    raise ContractError(
        f"no example value for the required field {field!r} of a {task_type} message",
        where=f"edu_contracts.registry.export._example_value ({annotation!r})",
        fix="give the field a default, or teach _example_value its type",
    )


def golden_examples() -> dict[str, dict[str, Any]]:
    """``examples/*.json``: a minimal and a full message of every task kind."""
    from edu_contracts.schemas.queue import MESSAGE_MODELS

    files: dict[str, dict[str, Any]] = {}
    for task_type, model in MESSAGE_MODELS.items():
        data_model = model.model_fields["data"].annotation
        assert isinstance(data_model, type)
        data = {
            name: _example_value(task_type, name, info.annotation)
            for name, info in data_model.model_fields.items()
            if info.is_required()
        }
        minimal = {"type": task_type, "data": data}
        full = model.model_validate(
            {
                **minimal,
                "message_id": str(uuid.uuid5(_NAMESPACE, f"{task_type}.message_id")),
                "created_at": _CREATED_AT,
                "correlation_id": f"example-{task_type}",
            }
        ).model_dump(mode="json")
        files[f"{EXAMPLES_DIR}/{task_type}.minimal.json"] = minimal
        files[f"{EXAMPLES_DIR}/{task_type}.full.json"] = full
    return files


def contract_files(*, examples: bool = True) -> dict[str, Any]:
    """Every file of a release of the current code, keyed by relative path."""
    from edu_contracts.tables.snapshot import snapshot_metadata

    files: dict[str, Any] = dict(message_files())
    files[TABLES_FILE] = snapshot_metadata()
    if examples:
        files.update(golden_examples())
    return dict(sorted(files.items()))


def write_contract(
    directory: Path, files: dict[str, Any], *, inside: Path | None = None
) -> list[Path]:
    """Write ``files`` under ``directory``; the written paths, sorted.

    ``inside`` is the tree no write may leave through a link (a release's
    contracts folder); an export to a folder the user chose needs none.
    """
    written = []
    for relative, value in sorted(files.items()):
        path = directory / relative
        write_json(path, value, inside=inside)
        written.append(path)
    return written
