"""QueueTaskMessage: the seed's example, the union, and the published schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from edu_contracts.schemas.queue import (
    CONTRACT_VERSION,
    MESSAGE_ADAPTER,
    MESSAGE_MODELS,
    TASK_TYPES,
    DocumentProcessingData,
    DocumentProcessingMessage,
    FlashcardGenerationMessage,
    QuizGenerationMessage,
    message_json_schema,
    task_json_schemas,
)

SEED_IDS = {
    "document_id": str(uuid.uuid4()),
    "project_id": str(uuid.uuid4()),
    "user_id": str(uuid.uuid4()),
}
SEED = {"type": "document_processing", "data": SEED_IDS}


def test_the_seed_example_validates_as_it_is() -> None:
    message = MESSAGE_ADAPTER.validate_python(SEED)
    assert isinstance(message, DocumentProcessingMessage)
    assert message.data == DocumentProcessingData(
        **{key: uuid.UUID(value) for key, value in SEED_IDS.items()}
    )
    assert message.contract_version == CONTRACT_VERSION
    assert message.created_at.tzinfo is not None
    assert isinstance(message.message_id, uuid.UUID)
    assert message.correlation_id is None


def test_task_types_are_the_six_kinds_in_declaration_order() -> None:
    assert TASK_TYPES == (
        "document_processing",
        "flashcard_generation",
        "quiz_generation",
        "note_generation",
        "mind_map_generation",
        "document_deletion",
    )
    assert tuple(MESSAGE_MODELS) == TASK_TYPES


def test_generation_options_have_defaults() -> None:
    ids = {"project_id": uuid.uuid4(), "user_id": uuid.uuid4(), "document_ids": [uuid.uuid4()]}
    flashcards = MESSAGE_ADAPTER.validate_python({"type": "flashcard_generation", "data": ids})
    assert isinstance(flashcards, FlashcardGenerationMessage)
    assert (flashcards.data.count, flashcards.data.difficulty, flashcards.data.language) == (
        20,
        "medium",
        "en",
    )


def test_unknown_fields_are_ignored_so_older_consumers_read_newer_producers() -> None:
    newer = {
        "type": "document_processing",
        "data": {**SEED_IDS, "priority": "high"},
        "trace": {"span": 1},
    }
    message = MESSAGE_ADAPTER.validate_python(newer)
    assert message.data.document_id == uuid.UUID(SEED_IDS["document_id"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"document_ids": []}, "document_ids"),
        ({"count": 0}, "count"),
        ({"difficulty": "impossible"}, "difficulty"),
        ({"language": "English"}, "language"),
    ],
)
def test_generation_options_are_bounded(data: dict[str, object], field: str) -> None:
    base = {"project_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4())}
    payload = {"document_ids": [str(uuid.uuid4())], **base, **data}
    with pytest.raises(ValidationError) as caught:
        MESSAGE_ADAPTER.validate_python({"type": "quiz_generation", "data": payload})
    assert field in caught.value.errors()[0]["loc"]


def test_naive_created_at_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        MESSAGE_ADAPTER.validate_python({**SEED, "created_at": "2024-05-01T10:00:00"})


def test_messages_are_immutable() -> None:
    message = MESSAGE_ADAPTER.validate_python(SEED)
    with pytest.raises(ValidationError):
        message.correlation_id = "changed"  # type: ignore[misc]


def test_python_construction_needs_no_type() -> None:
    message = QuizGenerationMessage.model_validate(
        {
            "data": {
                "project_id": uuid.uuid4(),
                "user_id": uuid.uuid4(),
                "document_ids": [uuid.uuid4()],
            }
        }
    )
    assert message.type == "quiz_generation"
    assert isinstance(message.created_at, datetime)


def test_union_schema_is_2020_12_and_generated_by_pydantic() -> None:
    schema = message_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "QueueTaskMessage"
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(schema["discriminator"]["mapping"]) == set(TASK_TYPES)
    Draft202012Validator.check_schema(schema)
    message_json_schema()["title"] = "mutated"
    assert message_json_schema()["title"] == "QueueTaskMessage"


def test_type_is_required_in_every_published_schema_although_python_defaults_it() -> None:
    schemas = task_json_schemas()
    assert list(schemas) == list(TASK_TYPES)
    for task_type, schema in schemas.items():
        assert schema["$schema"].endswith("2020-12/schema")
        assert schema["required"][0] == "type", task_type
        assert schema["properties"]["type"]["const"] == task_type
        Draft202012Validator.check_schema(schema)


def test_no_payload_closes_its_content_model() -> None:
    """additionalProperties: false would make adding an optional field break old consumers."""
    schema = message_json_schema()
    for name, definition in schema["$defs"].items():
        assert definition.get("additionalProperties") is not False, name


def test_the_schema_accepts_what_the_models_produce_and_rejects_a_wrong_type() -> None:
    validator = Draft202012Validator(message_json_schema())
    message = MESSAGE_ADAPTER.validate_python(SEED)
    validator.validate(MESSAGE_ADAPTER.dump_python(message, mode="json"))
    validator.validate(SEED)
    assert not validator.is_valid({**SEED, "type": "nope"})
    assert not validator.is_valid({"data": SEED_IDS})
