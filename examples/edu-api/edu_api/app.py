"""The HTTP API, async end to end: ``create_app(session_factory, queue, store=...)``.

Every handler runs on an ``AsyncSession`` from ``session_factory`` (an
``async_sessionmaker``). Everything the app talks to is passed in, so tests
hand it the plugin's ``edu_async_sessionmaker`` (a rolled-back transaction)
and a ``TaskQueue`` on the test's own queue, and production hands it a real
async engine and queue (:mod:`edu_api.main`). The queue client is sync until
the async one is used here; its calls run in the thread pool, so a slow
queue never stalls the event loop. The caller is identified by an ``X-User-Id`` header,
standing in for whatever authentication sits in front of a real API.

Routes:

=======  =======================================  ==========================================
POST     /projects                                create a project (201)
GET      /projects/{id}/documents                 list its documents, newest first
POST     /projects/{id}/documents                 upload a text file (201), sends
                                                  ``document_processing``
POST     /projects/{id}/generate/flashcards       ask for flashcards (202), sends the task
POST     /projects/{id}/generate/quiz             ask for a quiz (202), sends the task
POST     /projects/{id}/search                    nearest segments to a 3072-d vector
=======  =======================================  ==========================================
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import sqlalchemy as sa
from edu_contracts.db.enums import DocumentSourceKind, DocumentStatus
from edu_contracts.db.models import Document, Project, User
from edu_contracts.db.search import async_nearest_segments
from edu_contracts.errors import SearchArgumentError, ServiceError
from edu_contracts.queue import TaskQueue
from edu_contracts.schemas.queue import (
    DocumentProcessingData,
    DocumentProcessingMessage,
    FlashcardGenerationData,
    FlashcardGenerationMessage,
    QuizGenerationData,
    QuizGenerationMessage,
)
from edu_contracts.schemas.read import DocumentRead, ProjectRead
from fastapi import Depends, FastAPI, Form, Header, HTTPException, Request, UploadFile
from fastapi import status as http
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edu_api.schemas import (
    GenerationAccepted,
    GenerationRequest,
    ProjectCreate,
    SearchHit,
    SearchRequest,
)
from edu_api.storage import DocumentStore, document_key

__all__ = ["MAX_SOURCES", "MAX_UPLOAD_BYTES", "TEXT_TYPES", "create_app"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCES = 50
"""``document_ids`` of a generation task holds at most this many (the contract's bound)."""
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
"""What this example's worker can read; a real one would also parse PDF and HTML."""

_log = logging.getLogger("edu_api")


def create_app(
    session_factory: async_sessionmaker[AsyncSession], queue: TaskQueue, *, store: DocumentStore
) -> FastAPI:
    """The API over ``session_factory``'s database, sending tasks to ``queue``."""
    app = FastAPI(title="edu-api (example)")
    app.state.session_factory = session_factory
    app.state.queue = queue
    app.state.store = store

    @app.post("/projects", status_code=http.HTTP_201_CREATED, response_model=ProjectRead)
    async def create_project(body: ProjectCreate, user: CurrentUser, session: DbSession) -> Project:
        project = Project(user_id=user.id, name=body.name, description=body.description)
        session.add(project)
        await session.commit()
        await session.refresh(project)  # server defaults (created_at) without a lazy load
        return project

    @app.get("/projects/{project_id}/documents", response_model=list[DocumentRead])
    async def list_documents(
        project: OwnedProject, session: DbSession, status: DocumentStatus | None = None
    ) -> list[Document]:
        query = sa.select(Document).where(Document.project_id == project.id)
        if status is not None:
            query = query.where(Document.status == status)
        order = (Document.created_at.desc(), Document.id)
        return list(await session.scalars(query.order_by(*order)))

    @app.post(
        "/projects/{project_id}/documents",
        status_code=http.HTTP_201_CREATED,
        response_model=DocumentRead,
    )
    async def upload_document(
        project: OwnedProject,
        session: DbSession,
        request: Request,
        file: UploadFile,
        title: Annotated[str | None, Form(max_length=500, pattern=r"^[^\x00]*$")] = None,
    ) -> Document:
        mime_type = (file.content_type or "").split(";")[0].strip().lower()
        if mime_type not in TEXT_TYPES:
            raise HTTPException(
                http.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                f"{mime_type or 'no content type'} is not supported; "
                f"upload one of {', '.join(sorted(TEXT_TYPES))}",
            )
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(
                http.HTTP_413_CONTENT_TOO_LARGE, f"uploads are limited to {MAX_UPLOAD_BYTES} bytes"
            )
        if not data.strip():
            raise HTTPException(
                http.HTTP_422_UNPROCESSABLE_CONTENT,
                [{"loc": ["body", "file"], "msg": "the file is empty", "type": "value_error"}],
            )
        document = Document(
            id=uuid.uuid4(),
            project_id=project.id,
            title=(title or file.filename or "Untitled").strip() or "Untitled",
            source_kind=DocumentSourceKind.FILE,
            mime_type=mime_type,
            size_bytes=len(data),
            content_sha256=hashlib.sha256(data).hexdigest(),
            status=DocumentStatus.PENDING,
        )
        # The file is stored before the row exists, and the row is committed
        # before the task is sent: the worker must find both when it runs.
        key = document_key(project.id, document.id, file.filename)
        document.source_uri = await run_in_threadpool(store.put, key, data)
        session.add(document)
        await session.commit()
        await session.refresh(document)
        message = DocumentProcessingMessage(
            data=DocumentProcessingData(
                document_id=document.id, project_id=project.id, user_id=project.user_id
            ),
            correlation_id=_correlation_id(request),
        )
        try:
            await run_in_threadpool(queue.send, message)
        except ServiceError as exc:
            _log.error("document %s stored but not queued: %s", document.id, exc)
            document.status = DocumentStatus.FAILED
            document.error_message = "could not queue the document for processing; upload again"
            await session.commit()
            raise HTTPException(http.HTTP_503_SERVICE_UNAVAILABLE, exc.message) from exc
        return document

    @app.post(
        "/projects/{project_id}/generate/flashcards",
        status_code=http.HTTP_202_ACCEPTED,
        response_model=GenerationAccepted,
    )
    async def generate_flashcards(
        project: OwnedProject, session: DbSession, request: Request, body: GenerationRequest
    ) -> GenerationAccepted:
        payload = await _payload(FlashcardGenerationData, project, session, body)
        message = FlashcardGenerationMessage(data=payload, correlation_id=_correlation_id(request))
        return await _send(queue, message)

    @app.post(
        "/projects/{project_id}/generate/quiz",
        status_code=http.HTTP_202_ACCEPTED,
        response_model=GenerationAccepted,
    )
    async def generate_quiz(
        project: OwnedProject, session: DbSession, request: Request, body: GenerationRequest
    ) -> GenerationAccepted:
        payload = await _payload(QuizGenerationData, project, session, body)
        message = QuizGenerationMessage(data=payload, correlation_id=_correlation_id(request))
        return await _send(queue, message)

    @app.post("/projects/{project_id}/search", response_model=list[SearchHit])
    async def search(
        project: OwnedProject, session: DbSession, body: SearchRequest
    ) -> list[SearchHit]:
        try:
            hits = await async_nearest_segments(
                session, project_id=project.id, query_vector=body.vector, limit=body.limit
            )
        except SearchArgumentError as exc:
            raise HTTPException(
                http.HTTP_422_UNPROCESSABLE_CONTENT,
                [{"loc": ["body", "vector"], "msg": exc.message, "type": "value_error"}],
            ) from exc
        return [
            SearchHit(
                segment_id=segment.id,
                document_id=segment.document_id,
                position=segment.position,
                content=segment.content,
                distance=distance,
            )
            for segment, distance in hits
        ]

    return app


# --- dependencies -------------------------------------------------------------


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(_session)]


async def _current_user(x_user_id: Annotated[uuid.UUID, Header()], session: DbSession) -> User:
    user = await session.get(User, x_user_id)
    if user is None or not user.is_active:
        raise HTTPException(http.HTTP_401_UNAUTHORIZED, "unknown or inactive user")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _owned_project(project_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Project:
    project = await session.get(Project, project_id)
    # Someone else's project answers exactly like a missing one.
    if project is None or project.user_id != user.id:
        raise HTTPException(http.HTTP_404_NOT_FOUND, f"no project {project_id}")
    return project


OwnedProject = Annotated[Project, Depends(_owned_project)]


# --- helpers --------------------------------------------------------------------


def _correlation_id(request: Request) -> str:
    return request.headers.get("x-request-id") or uuid.uuid4().hex


async def _payload(
    model: type[FlashcardGenerationData] | type[QuizGenerationData],
    project: Project,
    session: AsyncSession,
    body: GenerationRequest,
) -> Any:
    """The task's payload, built and bounded by the contract's own model."""
    document_ids = await _ready_documents(project, session, body.document_ids)
    fields: dict[str, Any] = {
        "project_id": project.id,
        "user_id": project.user_id,
        "document_ids": document_ids,
        "language": body.language,
        "difficulty": body.difficulty,
    }
    if body.count is not None:
        fields["count"] = body.count
    try:
        return model(**fields)
    except ValidationError as exc:
        # The contract's bounds (count, language tag) are the API's bounds.
        detail = exc.errors(include_url=False, include_context=False, include_input=False)
        raise HTTPException(http.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc


async def _ready_documents(
    project: Project, session: AsyncSession, wanted: list[uuid.UUID] | None
) -> list[uuid.UUID]:
    query = sa.select(Document.id, Document.status).where(Document.project_id == project.id)
    if wanted is not None:
        query = query.where(Document.id.in_(wanted))
    rows = await session.execute(query.order_by(Document.created_at, Document.id))
    found = {i: s for i, s in rows}
    if wanted is not None:
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise HTTPException(http.HTTP_404_NOT_FOUND, f"no documents {', '.join(missing)}")
        not_ready = [str(i) for i in wanted if found[i] is not DocumentStatus.READY]
        if not_ready:
            raise HTTPException(
                http.HTTP_409_CONFLICT, f"documents not processed yet: {', '.join(not_ready)}"
            )
        return list(dict.fromkeys(wanted))
    ready = [i for i, s in found.items() if s is DocumentStatus.READY]
    if not ready:
        raise HTTPException(http.HTTP_409_CONFLICT, "the project has no processed documents yet")
    # The contract bounds a task's sources; without a choice, the oldest win.
    return ready[:MAX_SOURCES]


async def _send(
    queue: TaskQueue, message: FlashcardGenerationMessage | QuizGenerationMessage
) -> GenerationAccepted:
    try:
        await run_in_threadpool(queue.send, message)
    except ServiceError as exc:
        raise HTTPException(http.HTTP_503_SERVICE_UNAVAILABLE, exc.message) from exc
    return GenerationAccepted(task_id=message.message_id, type=message.type)
