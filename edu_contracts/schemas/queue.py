"""The queue message ``edu-api`` sends and ``edu-worker`` reads: ``QueueTaskMessage``.

One message model per task kind, discriminated by ``type``; each carries a
typed ``data`` payload. On the wire a message is base64 of its UTF-8 JSON
(see ``edu_contracts.queue.codec``); this module only knows its shape.

Why payloads and envelopes *ignore* unknown fields instead of forbidding them:
queue messages are checked under FULL_TRANSITIVE compatibility, because the
producer and the consumer deploy in any order. When a newer producer adds an
optional field, an older consumer must still read the message. With
``extra="forbid"`` that consumer would reject it (and poison a healthy
message); with ``extra="ignore"`` it drops what it does not know. The JSON
Schema then has an open content model (no ``additionalProperties: false``),
which is what makes "add an optional field" compatible in both directions
for the compatibility engine too. The price, a misspelt optional field
passing silently, is paid by the producer's own tests, not by the queue.

Why ``type`` has a default but is still required in the schema: the default
lets Python code write ``DocumentProcessingMessage(data=...)``; the
discriminated union nevertheless refuses a message without ``type``, so the
published schema says so (see ``_require_type``).

Envelope metadata (``message_id``, ``created_at``, ``contract_version``,
``correlation_id``) is optional with defaults, so the seed's bare
``{"type": ..., "data": {...}}`` stays valid forever.

Why the wire is read *exactly* as strictly as the released JSON Schema, no
more and no less: a consumer that accepts what the contract forbids (pydantic's
lax ``"5"`` for an integer, ``true`` for 1, a Unix time for a timestamp, bare
hex or ``urn:uuid:`` for a UUID) lets a broken producer pass every test and
fail the first strict consumer in production. So JSON input is checked against
the schema's own rules first (``type: integer`` takes ``5`` and ``5.0``, never
a string or a boolean; ``format: uuid`` is RFC 9562's hyphenated form;
``format: date-time`` is RFC 3339 with an offset), all in pydantic-core, with
no Python call on the hot path. Python callers (factories, tests) may still
pass ``uuid.UUID`` and ``datetime`` objects. The published schema is unchanged.

Building a message: each kind has its class and readable constructors, e.g.
``DocumentProcessingMessage.of(document_id=..., project_id=..., user_id=...)``
or ``QuizGenerationMessage.of(project_id=..., user_id=..., document_ids=[...], count=5)``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

__all__ = [
    "CONTRACT_VERSION",
    "MESSAGE_ADAPTER",
    "MESSAGE_MODELS",
    "TASK_TYPES",
    "Detail",
    "Difficulty",
    "DocumentDeletionData",
    "DocumentDeletionMessage",
    "DocumentIds",
    "DocumentProcessingData",
    "DocumentProcessingMessage",
    "FlashcardGenerationData",
    "FlashcardGenerationMessage",
    "Language",
    "MindMapGenerationData",
    "MindMapGenerationMessage",
    "NoteGenerationData",
    "NoteGenerationMessage",
    "QueueTaskMessage",
    "QuizGenerationData",
    "QuizGenerationMessage",
    "TaskEnvelope",
    "WireDateTime",
    "WireInt",
    "WireUUID",
    "message_json_schema",
    "new_task",
    "task_json_schemas",
]

CONTRACT_VERSION = "1.0.0"
"""The contract version this code writes into ``contract_version`` by default."""

_MAX_DOCUMENTS = 50
"""Generation tasks name their sources; a bound keeps a message far below 64 KiB."""


# --- wire strictness: the released schema's rules, checked in pydantic-core ---

_UUID_TEXT = cs.str_schema(min_length=36, max_length=36)
"""RFC 9562's string form, what JSON Schema ``format: uuid`` means, is the only
36-character form the UUID parser that follows accepts (it checks the hyphens'
places), so a length check does what a regular expression would, cheaper."""

_DATE_TIME_TEXT = cs.str_schema(
    pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""RFC 3339 ``date-time`` (section 5.6, offset required, no leap second): JSON
Schema ``format: date-time``. The calendar (no 30 February) is checked by the
datetime validator that follows."""


class _WireFormat:
    """Annotation: JSON text must match the schema's ``format`` before it is parsed.

    Python input may also be an instance of ``kind`` (a ``UUID``, a
    ``datetime``); with ``lax_python`` any string the type's own parser takes
    (``uuid.UUID("...hex...")``) is accepted from Python code, since it is
    written out canonically. The JSON Schema stays ``{"type": "string",
    "format": ...}``.
    """

    def __init__(
        self,
        text: CoreSchema,
        json_format: str,
        kind: type,
        expected: str,
        *,
        lax_python: bool = False,
    ) -> None:
        self._lax_python = lax_python
        self._text = text
        self._format = json_format
        self._kind = kind
        self._expected = expected

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        inner = handler(source)
        kind = f"{self._format.replace('-', '_')}_format"
        message = f"Input should be {self._expected} (format: {self._format})"
        text = self._text
        return cs.json_or_python_schema(
            json_schema=cs.chain_schema(
                [cs.custom_error_schema(text, kind, custom_error_message=message), inner]
            ),
            python_schema=inner
            if self._lax_python
            else cs.chain_schema(
                [
                    cs.union_schema(
                        [cs.is_instance_schema(self._kind), text],
                        custom_error_type=kind,
                        custom_error_message=message,
                    ),
                    inner,
                ]
            ),
            serialization=inner.get("serialization"),
        )

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"format": self._format, "type": "string"}


class _JsonInteger:
    """Annotation: an integer as JSON Schema counts them, checked in pydantic-core.

    ``type: integer`` takes ``5`` and ``5.0`` (a number with no fraction) and
    never ``"5"`` or ``true``: strict int, or a strict float that converts
    without loss. The constraints (``ge``/``le``) must come before it.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        inner = handler(source)
        strict: CoreSchema = {**inner, "strict": True}
        lax: CoreSchema = {**inner, "strict": False}
        return cs.json_or_python_schema(
            json_schema=cs.union_schema(
                [strict, cs.chain_schema([cs.float_schema(strict=True), lax])],
                custom_error_type="integer_type",
                custom_error_message=_integer_message(inner),
            ),
            python_schema=strict,
        )

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(core_schema["python_schema"])


def _integer_message(schema: CoreSchema) -> str:
    low, high = schema.get("ge"), schema.get("le")
    bounds = f" from {low} to {high}" if low is not None and high is not None else ""
    return f"Input should be a whole number{bounds} (type: integer; not a string or boolean)"


WireUUID = Annotated[
    uuid.UUID,
    _WireFormat(
        _UUID_TEXT, "uuid", uuid.UUID, "a UUID string of 8-4-4-4-12 hex digits", lax_python=True
    ),
]
"""A UUID as the contract says: ``format: uuid``, hyphenated, nothing else."""

WireDateTime = Annotated[
    AwareDatetime,
    _WireFormat(
        _DATE_TIME_TEXT,
        "date-time",
        datetime,
        "an RFC 3339 timestamp string with a timezone offset, e.g. 2026-01-31T12:00:00Z",
    ),
]
"""A timezone-aware timestamp as the contract says: an RFC 3339 string."""

WireInt = Annotated[int, _JsonInteger()]
"""An integer as JSON Schema counts them: ``5`` or ``5.0``, never ``"5"`` or ``true``."""

# bounds go before the marker, so the checks stay inside pydantic-core's int validator
_FlashcardCount = Annotated[int, Field(ge=1, le=200), _JsonInteger()]
_QuizCount = Annotated[int, Field(ge=1, le=100), _JsonInteger()]
_MindMapDepth = Annotated[int, Field(ge=1, le=6), _JsonInteger()]


class Difficulty(StrEnum):
    """How hard generated flashcards and quiz questions should be."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Detail(StrEnum):
    """How much a generated note says about each topic."""

    BRIEF = "brief"
    STANDARD = "standard"
    DETAILED = "detailed"


Language = Annotated[
    str,
    Field(
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=35,
        description="BCP 47 language tag of the generated content, e.g. 'en' or 'pt-BR'.",
    ),
]
DocumentIds = Annotated[
    tuple[WireUUID, ...],
    Field(
        min_length=1,
        max_length=_MAX_DOCUMENTS,
        description="Documents of the project to generate from.",
    ),
]


def _require_type(schema: dict[str, Any]) -> None:
    """Publish ``type`` as required: the union cannot dispatch without it."""
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


class _Payload(BaseModel):
    """Base of every ``data`` payload: immutable, tolerant of newer fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class TaskEnvelope(BaseModel):
    """The envelope every message kind shares; subclassed once per kind."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra=_require_type,
    )

    message_id: WireUUID = Field(
        default_factory=uuid.uuid4,
        description="Producer-assigned identity, for idempotent consumers and tracing.",
    )
    created_at: WireDateTime = Field(
        default_factory=lambda: datetime.now(UTC),
        description="When the producer built the message (timezone-aware).",
    )
    contract_version: str = Field(
        default=CONTRACT_VERSION,
        max_length=64,
        description="Contract version the producer was built against.",
    )
    correlation_id: str | None = Field(
        default=None,
        max_length=256,
        description="Request or trace id that caused this task, for log correlation.",
    )

    @classmethod
    def of(cls, *, correlation_id: str | None = None, **data: Any) -> Self:
        """Build a message from its payload's fields, validated like the wire.

        ``QuizGenerationMessage.of(project_id=p, user_id=u, document_ids=[d], count=5)``
        reads as the task it asks for; the envelope (id, timestamp, contract
        version) is filled in.
        """
        return cls.model_validate({"data": data, "correlation_id": correlation_id})


# --- payloads ---------------------------------------------------------------


class DocumentProcessingData(_Payload):
    """Extract, chunk and embed an uploaded document (the seed's message)."""

    document_id: WireUUID
    project_id: WireUUID
    user_id: WireUUID


class DocumentDeletionData(_Payload):
    """Remove a document's blob, segments and embeddings after the row is gone."""

    document_id: WireUUID
    project_id: WireUUID
    user_id: WireUUID


class _GenerationData(_Payload):
    """What every generation task needs: whose, which project, which sources."""

    project_id: WireUUID
    user_id: WireUUID
    document_ids: DocumentIds
    language: Language = "en"


class FlashcardGenerationData(_GenerationData):
    """Generate a group of flashcards from the given documents."""

    count: _FlashcardCount = Field(default=20, description="Number of flashcards.")
    difficulty: Difficulty = Difficulty.MEDIUM


class QuizGenerationData(_GenerationData):
    """Generate a quiz from the given documents."""

    count: _QuizCount = Field(default=10, description="Number of questions.")
    difficulty: Difficulty = Difficulty.MEDIUM


class NoteGenerationData(_GenerationData):
    """Generate study notes from the given documents."""

    detail: Detail = Detail.STANDARD


class MindMapGenerationData(_GenerationData):
    """Generate a mind map from the given documents."""

    max_depth: _MindMapDepth = Field(default=3, description="Levels below the root.")


# --- messages ---------------------------------------------------------------


class DocumentProcessingMessage(TaskEnvelope):
    """Ask the worker to process an uploaded document."""

    type: Literal["document_processing"] = "document_processing"
    data: DocumentProcessingData


class FlashcardGenerationMessage(TaskEnvelope):
    """Ask the worker to generate flashcards."""

    type: Literal["flashcard_generation"] = "flashcard_generation"
    data: FlashcardGenerationData


class QuizGenerationMessage(TaskEnvelope):
    """Ask the worker to generate a quiz."""

    type: Literal["quiz_generation"] = "quiz_generation"
    data: QuizGenerationData


class NoteGenerationMessage(TaskEnvelope):
    """Ask the worker to generate notes."""

    type: Literal["note_generation"] = "note_generation"
    data: NoteGenerationData


class MindMapGenerationMessage(TaskEnvelope):
    """Ask the worker to generate a mind map."""

    type: Literal["mind_map_generation"] = "mind_map_generation"
    data: MindMapGenerationData


class DocumentDeletionMessage(TaskEnvelope):
    """Ask the worker to clean up after a deleted document."""

    type: Literal["document_deletion"] = "document_deletion"
    data: DocumentDeletionData


QueueTaskMessage = Annotated[
    DocumentProcessingMessage
    | FlashcardGenerationMessage
    | QuizGenerationMessage
    | NoteGenerationMessage
    | MindMapGenerationMessage
    | DocumentDeletionMessage,
    Field(discriminator="type"),
]
"""Any task message; validate with ``MESSAGE_ADAPTER`` to dispatch on ``type``."""

MESSAGE_ADAPTER: TypeAdapter[QueueTaskMessage] = TypeAdapter(QueueTaskMessage)
"""Validates and serialises the union; built once because building is slow."""

MESSAGE_MODELS: dict[str, type[TaskEnvelope]] = {
    str(model.model_fields["type"].default): model
    for model in (
        DocumentProcessingMessage,
        FlashcardGenerationMessage,
        QuizGenerationMessage,
        NoteGenerationMessage,
        MindMapGenerationMessage,
        DocumentDeletionMessage,
    )
}
"""Message model per task type, in declaration order."""

TASK_TYPES: tuple[str, ...] = tuple(MESSAGE_MODELS)
"""Every ``type`` a consumer of this contract version understands."""


class _Draft202012(GenerateJsonSchema):
    """Pydantic's generator, stamping the dialect it already produces."""

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        generated = super().generate(schema, mode=mode)
        return {"$schema": self.schema_dialect, **generated}


def new_task(kind: str, /, *, correlation_id: str | None = None, **data: Any) -> QueueTaskMessage:
    """A message of task ``kind`` from its payload's fields: ``new_task("quiz_generation", ...)``.

    An unknown kind raises ``KeyError`` naming the known ones; invalid fields
    raise pydantic's ``ValidationError`` naming the field.
    """
    try:
        model = MESSAGE_MODELS[kind]
    except KeyError:
        raise KeyError(f"unknown task kind {kind!r}; known: {', '.join(TASK_TYPES)}") from None
    return model.of(correlation_id=correlation_id, **data)  # type: ignore[return-value]


def message_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``QueueTaskMessage``, as consumers validate it.

    Generated by pydantic each call (a fresh dict the caller may mutate), in
    validation mode because the contract is what a consumer accepts.
    """
    schema = MESSAGE_ADAPTER.json_schema(schema_generator=_Draft202012)
    schema.setdefault("title", "QueueTaskMessage")
    return schema


def task_json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema (2020-12) of each task kind, keyed by its ``type``."""
    return {
        task_type: model.model_json_schema(schema_generator=_Draft202012)
        for task_type, model in MESSAGE_MODELS.items()
    }
