"""One handler per task kind this worker understands, and what a failure marks.

A handler is a coroutine on an ``AsyncSession`` and runs inside a savepoint
the worker opens (see :mod:`edu_worker.worker`); it flushes but never commits, returns a short
description of what it did, and raises ``PermanentTaskError`` for a task
that can never succeed. Every handler is idempotent, because Azure Storage
Queue delivers at least once (relationships a handler reads are loaded
eagerly with ``selectinload``, since an ``AsyncSession`` cannot lazy-load):

* ``document_processing`` replaces a document's segments rather than
  appending, and skips a document already processed from the same bytes;
* generation tasks give their row an id derived from the task's
  ``message_id``, so a redelivered task finds its result and stops.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from edu_contracts.db.enums import DocumentStatus
from edu_contracts.db.models import (
    Document,
    DocumentSegment,
    Flashcard,
    FlashcardGroup,
    Project,
    Quiz,
    QuizQuestion,
)
from edu_contracts.schemas.jsonb import SegmentMetadata
from edu_contracts.schemas.queue import (
    DocumentProcessingMessage,
    FlashcardGenerationMessage,
    QueueTaskMessage,
    QuizGenerationMessage,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from edu_worker import generation
from edu_worker.embedder import Embedder, HashEmbedder
from edu_worker.errors import PermanentTaskError
from edu_worker.sources import DocumentSource
from edu_worker.text import split_segments

__all__ = ["FAILURE_MARKERS", "HANDLERS", "HandlerContext", "handler_for"]

_RESULT_IDS = uuid.UUID("6f1d7a52-51f4-4d6c-9a8e-3c1b2f0e9d47")
"""Namespace of the ids generation tasks give their result rows."""


@dataclass
class HandlerContext:
    session: AsyncSession
    sources: DocumentSource
    embedder: Embedder = field(default_factory=HashEmbedder)
    segment_words: int = 120


# --- document_processing --------------------------------------------------------


async def process_document(ctx: HandlerContext, message: DocumentProcessingMessage) -> str:
    """Read, split, embed and store a document's segments; mark it ready."""
    data = message.data
    # an AsyncSession cannot lazy-load: the segments the handler replaces come eagerly
    document = await ctx.session.get(
        Document,
        data.document_id,
        with_for_update=True,
        options=[selectinload(Document.segments)],
        populate_existing=True,
    )
    if document is None:
        return "skipped: the document was deleted before it was processed"
    await _check_owner(ctx.session, document.project_id, data.project_id, data.user_id)
    if not document.source_uri:
        raise PermanentTaskError("the document has no stored file to read")
    raw = ctx.sources.read(document.source_uri)
    digest = hashlib.sha256(raw).hexdigest()
    if (
        document.status is DocumentStatus.READY
        and document.content_sha256 == digest
        and document.segments
    ):
        return f"skipped: already processed ({len(document.segments)} segments)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PermanentTaskError("the file is not UTF-8 text") from exc
    spans = split_segments(text, ctx.segment_words)
    if not spans:
        raise PermanentTaskError("no text could be extracted from the file")
    vectors = ctx.embedder.embed([span.content for span in spans])

    # Replace, never append: a redelivered task must not duplicate segments.
    # The flush deletes the old rows before the new ones take their positions.
    document.segments.clear()
    await ctx.session.flush()
    document.segments.extend(
        DocumentSegment(
            project_id=document.project_id,
            position=position,
            content=span.content,
            token_count=span.words,
            segment_metadata=SegmentMetadata(char_start=span.start, char_end=span.end),
            embedding_vector=vector,
            embedding_model=ctx.embedder.model,
        )
        for position, (span, vector) in enumerate(zip(spans, vectors, strict=True))
    )
    document.status = DocumentStatus.READY
    document.error_message = None
    document.processed_at = datetime.now(UTC)
    document.content_sha256 = digest
    document.size_bytes = len(raw)
    await ctx.session.flush()
    return f"{len(spans)} segments embedded with {ctx.embedder.model}"


async def mark_document_failed(
    session: AsyncSession, message: DocumentProcessingMessage, error: str
) -> None:
    document = await session.get(Document, message.data.document_id)
    if document is not None:
        document.status = DocumentStatus.FAILED
        document.error_message = error[:1000]
        document.processed_at = datetime.now(UTC)


# --- generation -------------------------------------------------------------------


async def generate_flashcards(ctx: HandlerContext, message: FlashcardGenerationMessage) -> str:
    data = message.data
    group_id = uuid.uuid5(_RESULT_IDS, f"flashcards:{message.message_id}")
    if await ctx.session.get(FlashcardGroup, group_id) is not None:
        return f"skipped: flashcard group {group_id} exists"
    documents, segments = await _sources(
        ctx.session, data.project_id, data.user_id, data.document_ids
    )
    cards = generation.cards(segments, data.count)
    if not cards:
        raise PermanentTaskError("the documents have no sentence to make a card from")
    group = FlashcardGroup(
        id=group_id,
        project_id=data.project_id,
        document_id=documents[0].id if len(documents) == 1 else None,
        title=_title("Flashcards", documents),
        description=f"{len(cards)} {data.difficulty} cards ({data.language})",
        flashcards=[
            Flashcard(position=i, front=c.front, back=c.back, source_segment_id=c.segment.id)
            for i, c in enumerate(cards)
        ],
    )
    ctx.session.add(group)
    await ctx.session.flush()
    return f"{len(cards)} flashcards in group {group_id}"


async def generate_quiz(ctx: HandlerContext, message: QuizGenerationMessage) -> str:
    data = message.data
    quiz_id = uuid.uuid5(_RESULT_IDS, f"quiz:{message.message_id}")
    if await ctx.session.get(Quiz, quiz_id) is not None:
        return f"skipped: quiz {quiz_id} exists"
    documents, segments = await _sources(
        ctx.session, data.project_id, data.user_id, data.document_ids
    )
    questions = generation.questions(segments, data.count, seed=str(message.message_id))
    if not questions:
        raise PermanentTaskError("the documents have no sentence to ask about")
    quiz = Quiz(
        id=quiz_id,
        project_id=data.project_id,
        document_id=documents[0].id if len(documents) == 1 else None,
        title=_title("Quiz", documents),
        description=f"{len(questions)} {data.difficulty} questions ({data.language})",
        questions=[
            QuizQuestion(
                position=i,
                kind=q.kind,
                prompt=q.prompt,
                options=q.options,
                explanation=q.explanation,
                source_segment_id=q.segment.id,
            )
            for i, q in enumerate(questions)
        ],
    )
    ctx.session.add(quiz)
    await ctx.session.flush()
    return f"{len(questions)} questions in quiz {quiz_id}"


async def _sources(
    session: AsyncSession,
    project_id: uuid.UUID,
    user_id: uuid.UUID,
    document_ids: Sequence[uuid.UUID],
) -> tuple[list[Document], list[DocumentSegment]]:
    """The named documents of the project that are processed, and their segments in order."""
    await _check_owner(session, project_id, project_id, user_id)
    documents = list(
        await session.scalars(
            sa.select(Document)
            .options(selectinload(Document.segments))
            .where(Document.project_id == project_id, Document.id.in_(document_ids))
            .where(Document.status == DocumentStatus.READY)
            .order_by(Document.created_at, Document.id)
        )
    )
    if not documents:
        raise PermanentTaskError("none of the requested documents is processed")
    segments = [segment for document in documents for segment in document.segments]
    return documents, segments


async def _check_owner(
    session: AsyncSession, actual_project: uuid.UUID, project_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """A task may only touch rows of the project and user it names."""
    if actual_project != project_id:
        raise PermanentTaskError(
            f"the task names project {project_id}, but the document belongs to {actual_project}"
        )
    project = await session.get(Project, project_id)
    if project is None:
        raise PermanentTaskError(f"project {project_id} does not exist")
    if project.user_id != user_id:
        raise PermanentTaskError(f"project {project_id} does not belong to user {user_id}")


def _title(kind: str, documents: Sequence[Document]) -> str:
    if len(documents) == 1:
        return f"{kind}: {documents[0].title}"[:200]
    return f"{kind} from {len(documents)} documents"


Handler = Callable[[HandlerContext, Any], Awaitable[str]]
HANDLERS: dict[str, Handler] = {
    "document_processing": process_document,
    "flashcard_generation": generate_flashcards,
    "quiz_generation": generate_quiz,
}
"""Task kinds this worker version handles; any other stays queued for one that does."""

FAILURE_MARKERS: dict[str, Callable[[AsyncSession, Any, str], Awaitable[None]]] = {
    "document_processing": mark_document_failed,
}
"""How a failed task shows on its row, for kinds whose row has a status."""


def handler_for(message: QueueTaskMessage) -> Handler | None:
    return HANDLERS.get(message.type)
