"""Read models: what an API or a worker may hand out about each table's rows.

Built with ``Model.model_validate(orm_row)`` (``from_attributes``), so they
work on ORM objects without this module importing the database layer (data
flows one way). They leave out what callers must not get or do not need:
the embedding vector (12 KiB of floats; ``has_embedding`` says whether one
exists) and relationship collections (loading them would be an N+1 trap).
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict

from edu_contracts.schemas.enums import (
    DocumentSourceKind,
    DocumentStatus,
    FlashcardState,
    QuizQuestionKind,
    StudySessionKind,
    UsagePeriod,
)
from edu_contracts.schemas.jsonb import (
    ChatMessages,
    MindMapGraph,
    QuizOptions,
    SegmentMetadata,
)

__all__ = [
    "ChatRead",
    "DocumentRead",
    "DocumentSegmentRead",
    "FlashcardGroupRead",
    "FlashcardProgressRead",
    "FlashcardRead",
    "MindMapRead",
    "NoteRead",
    "PracticeRecordRead",
    "ProjectRead",
    "QuizQuestionRead",
    "QuizRead",
    "ReadModel",
    "StudySessionRead",
    "UserRead",
    "UserUsageRead",
]


class ReadModel(BaseModel):
    """Frozen, ORM-readable, and strict about unknown fields when built from dicts."""

    model_config = ConfigDict(from_attributes=True, frozen=True, extra="forbid")

    id: uuid.UUID
    created_at: AwareDatetime


class _Updated(ReadModel):
    updated_at: AwareDatetime


class UserRead(_Updated):
    email: str
    display_name: str | None
    is_active: bool


class ProjectRead(_Updated):
    user_id: uuid.UUID
    name: str
    description: str | None


class DocumentRead(_Updated):
    project_id: uuid.UUID
    title: str
    source_kind: DocumentSourceKind
    source_uri: str | None
    mime_type: str | None
    size_bytes: int | None
    page_count: int | None
    content_sha256: str | None
    status: DocumentStatus
    error_message: str | None
    processed_at: AwareDatetime | None


class DocumentSegmentRead(_Updated):
    document_id: uuid.UUID
    project_id: uuid.UUID
    position: int
    content: str
    token_count: int | None
    segment_metadata: SegmentMetadata
    embedding_model: str | None
    has_embedding: bool


class _FromDocument(_Updated):
    project_id: uuid.UUID
    document_id: uuid.UUID | None
    title: str


class ChatRead(_FromDocument):
    messages: ChatMessages


class FlashcardGroupRead(_FromDocument):
    description: str | None


class FlashcardRead(_Updated):
    group_id: uuid.UUID
    source_segment_id: uuid.UUID | None
    position: int
    front: str
    back: str


class FlashcardProgressRead(_Updated):
    user_id: uuid.UUID
    flashcard_id: uuid.UUID
    state: FlashcardState
    stability: float
    difficulty: float
    reps: int
    lapses: int
    due_at: AwareDatetime
    last_reviewed_at: AwareDatetime | None


class QuizRead(_FromDocument):
    description: str | None
    time_limit_seconds: int | None


class QuizQuestionRead(_Updated):
    quiz_id: uuid.UUID
    source_segment_id: uuid.UUID | None
    position: int
    kind: QuizQuestionKind
    prompt: str
    options: QuizOptions
    expected_answer: str | None
    explanation: str | None


class NoteRead(_FromDocument):
    content: str
    is_generated: bool


class MindMapRead(_FromDocument):
    graph: MindMapGraph


class StudySessionRead(_Updated):
    user_id: uuid.UUID
    project_id: uuid.UUID
    kind: StudySessionKind
    flashcard_group_id: uuid.UUID | None
    quiz_id: uuid.UUID | None
    started_at: AwareDatetime
    ended_at: AwareDatetime | None
    items_total: int
    items_correct: int


class PracticeRecordRead(ReadModel):
    user_id: uuid.UUID
    study_session_id: uuid.UUID | None
    flashcard_id: uuid.UUID | None
    quiz_question_id: uuid.UUID | None
    rating: int | None
    is_correct: bool | None
    score: float | None
    answer: str | None
    response_ms: int | None
    answered_at: AwareDatetime


class UserUsageRead(_Updated):
    user_id: uuid.UUID
    period: UsagePeriod
    period_start: dt.date
    documents_uploaded: int
    pages_processed: int
    segments_embedded: int
    chat_messages: int
    input_tokens: int
    output_tokens: int
    items_generated: int
